import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactName, toStored, LIMITS } from './stored.js';
import { alert, sshLine } from './fixtures.case.js';

const hash = (n: string): string => `h${Buffer.from(n).toString('hex')}`;

describe('stored alerts', () => {
  it('replaces account names by their keyed hash, in fields, group and the line text', () => {
    const a = toStored(alert({ group: { 'source.ip': '203.0.113.9', 'user.name': 'alice' } }), hash, 1);
    const json = JSON.stringify(a);
    assert.ok(!json.includes('alice'), json);
    assert.ok(!/\broot\b/.test(json), json);
    assert.equal(a.group['user.id'], hash('alice'));
    assert.equal(a.samples[0]!.fields['user.id'], hash('alice'));
    assert.equal(a.samples[1]!.fields['user.id'], hash('root'));
    assert.match(a.samples[0]!.text, /Failed password for \[user:h616c696365\] from 203\.0\.113\.9/);
    assert.match(a.samples[0]!.fields['message'] as string, /for \[user:/);
    assert.equal(a.sourceIp, '203.0.113.9');
  });

  it('keeps the source address in canonical form, and only an address', () => {
    assert.equal(toStored(alert({ group: { 'source.ip': '::FFFF:203.0.113.9' } }), hash, 1).sourceIp, '203.0.113.9');
    assert.equal(toStored(alert({ group: { 'source.ip': 'evil|host' }, remedy: undefined, samples: [] }), hash, 1).sourceIp, undefined);
  });

  it('redacts whole tokens only, in linear time', () => {
    assert.equal(redactName('user bob from bobby and bob.x bob', 'bob', 'X'), 'user X from bobby and bob.x X');
    assert.equal(redactName('aaaa', 'a', 'X'), 'aaaa');
    const big = 'a'.repeat(200_000);
    assert.equal(redactName(big, 'a'.repeat(1000), 'X'), big);
  });

  it('bounds samples, fields and text', () => {
    const samples = Array.from({ length: 50 }, (_, i) => {
      const s = sshLine('198.51.100.1', 'u', i);
      const fields: Record<string, string> = { ...s.fields } as Record<string, string>;
      for (let j = 0; j < 200; j++) fields[`f${j}`] = 'x'.repeat(5000);
      return { ...s, fields, line: { ...s.line, text: 'y'.repeat(100_000) } };
    });
    const a = toStored(alert({ samples }), hash, 1);
    assert.equal(a.samples.length, LIMITS.samples);
    assert.ok(Object.keys(a.samples[0]!.fields).length <= LIMITS.fields);
    assert.ok(a.samples[0]!.text.length <= LIMITS.text + 1);
    assert.equal(a.samples[0]!.truncated, true);
    assert.ok(JSON.stringify(a).length < 5 * (LIMITS.fields * (LIMITS.value + 80) + LIMITS.text + 500));
  });

  it('refuses an alert without a usable id or time, naming the field', () => {
    assert.throws(() => toStored(alert({ id: '' }), hash, 1), /alert id/);
    assert.throws(() => toStored(alert({ id: 'a b' }), hash, 1), /printable ASCII/);
    assert.throws(() => toStored(alert({ time: Number.NaN }), hash, 1), /alert time/);
  });
});
