import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDecisionValue, strongest, validateDecisionInput, type Decision } from './decisions.js';
import { isMamoriError } from './errors.js';

const invalid = (e: unknown): boolean => isMamoriError(e, 'MAMORI_ERR_DECISION_INVALID');

describe('normalizeDecisionValue', () => {
  it('canonicalises IPs, ranges and countries', () => {
    assert.equal(normalizeDecisionValue('ip', '2001:0DB8::0001'), '2001:db8::1');
    assert.equal(normalizeDecisionValue('ip', '::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(normalizeDecisionValue('range', '192.0.2.77/24'), '192.0.2.0/24');
    assert.equal(normalizeDecisionValue('range', '192.0.2.77'), '192.0.2.77/32');
    assert.equal(normalizeDecisionValue('country', 'jp'), 'JP');
    assert.equal(normalizeDecisionValue('user', 'hash-abc'), 'hash-abc');
    assert.equal(normalizeDecisionValue('device', 'd'.repeat(256)), 'd'.repeat(256));
  });

  it('rejects bad values with MAMORI_ERR_DECISION_INVALID, quoting at most 64 characters', () => {
    const cases: [Parameters<typeof normalizeDecisionValue>[0], string][] = [
      ['ip', '1.2.3.04'], ['ip', ''], ['ip', '192.0.2.0/24'], ['range', '10.0.0.0/33'], ['range', 'nope'],
      ['country', 'J'], ['country', 'JPN'], ['country', '12'], ['user', ''], ['user', 'a\u0000b'], ['device', 'd'.repeat(257)],
      ['planet' as never, 'earth'],
    ];
    for (const [scope, value] of cases) assert.throws(() => normalizeDecisionValue(scope, value), invalid, `${scope} ${value.slice(0, 20)}`);
    assert.throws(() => normalizeDecisionValue('ip', 'x'.repeat(100_000)), (e) => invalid(e) && (e as Error).message.length < 120);
  });
});

describe('validateDecisionInput', () => {
  const base = { action: 'block', scope: 'ip', value: '192.0.2.1', expiresAt: 1, origin: 'o', reason: 'r' } as const;
  it('rejects unknown actions and scopes and a non-finite expiry', () => {
    assert.throws(() => validateDecisionInput({ ...base, action: 'ban' as never }), invalid);
    assert.throws(() => validateDecisionInput({ ...base, scope: 'asn' as never }), invalid);
    assert.throws(() => validateDecisionInput({ ...base, expiresAt: Infinity }), invalid);
  });
  it('bounds reason and origin', () => {
    const v = validateDecisionInput({ ...base, reason: 'r'.repeat(5000), origin: 'o'.repeat(500) });
    assert.equal(v.reason.length, 512);
    assert.equal(v.origin.length, 128);
  });
  it('keeps the detect-only mark only when it is true', () => {
    assert.equal(validateDecisionInput({ ...base, detectOnly: true }).detectOnly, true);
    assert.ok(!('detectOnly' in validateDecisionInput(base)));
    assert.ok(!('detectOnly' in validateDecisionInput({ ...base, detectOnly: 'yes' as never })));
    assert.ok(!('detectOnly' in validateDecisionInput({ ...base, detectOnly: false as never })));
  });
});

describe('strongest', () => {
  let n = 0;
  const d = (action: Decision['action'], expiresAt = 1000): Decision => ({
    id: String(++n), action, scope: 'ip', value: '192.0.2.1', createdAt: 0, expiresAt, origin: 't', reason: 'r',
  });
  it('returns undefined for none', () => assert.equal(strongest([]), undefined));
  it('lets an allow win over everything', () => {
    const allow = d('allow');
    assert.equal(strongest([d('block'), d('challenge'), allow, d('block')]), allow);
  });
  it('prefers block over challenge, then the later expiry', () => {
    const b = d('block', 500);
    assert.equal(strongest([d('challenge', 9000), b, d('challenge')]), b);
    const later = d('block', 2000);
    assert.equal(strongest([d('block', 1000), later, d('challenge', 5000)]), later);
  });
  it('passes over decisions made in detect mode, unless the caller is in detect mode', () => {
    const detected: Decision = { ...d('block', 9000), detectOnly: true };
    const challenge = d('challenge');
    assert.equal(strongest([detected]), undefined);
    assert.equal(strongest([detected, challenge]), challenge);
    assert.equal(strongest([{ ...d('allow'), detectOnly: true }, challenge]), challenge);
    assert.equal(strongest([detected, challenge], true), detected);
  });
});
