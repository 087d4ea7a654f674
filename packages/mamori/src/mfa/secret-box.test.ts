import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isMamoriError } from '../core/errors.js';
import { SecretBox } from './secret-box.js';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode, useRecoveryCode } from './recovery-codes.js';

const isKeyError = (e: unknown): boolean => isMamoriError(e) && e.code === 'MAMORI_ERR_MFA_KEY';

describe('SecretBox (MFA secrets at rest)', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const secret = Buffer.from('twenty bytes secret!');

  it('seals and opens for the same context; another context, or a changed byte, does not open', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal(secret, 'totp:alice');
    assert.match(sealed, /^m1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]+$/);
    assert.ok(!sealed.includes(secret.toString('base64url')));
    assert.deepEqual(box.open(sealed, 'totp:alice'), secret);
    assert.throws(() => box.open(sealed, 'totp:mallory'), isKeyError, 'moved to another account');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    assert.throws(() => box.open([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'totp:alice'), isKeyError);
    assert.notEqual(box.seal(secret, 'totp:alice'), sealed, 'a fresh nonce each time');
  });

  it('rotates: the new key first, the old one kept, stale values re-sealed; without the old key they do not open', () => {
    const old = new SecretBox([k1]);
    const sealed = old.seal(secret, 'totp:bob');
    const ring = new SecretBox([k2, k1]);
    assert.equal(ring.isStale(sealed), true);
    const fresh = ring.rotate(sealed, 'totp:bob');
    assert.equal(ring.isStale(fresh), false);
    assert.equal(ring.rotate(fresh, 'totp:bob'), fresh);
    assert.deepEqual(new SecretBox([k2]).open(fresh, 'totp:bob'), secret);
    assert.throws(() => new SecretBox([k2]).open(sealed, 'totp:bob'), /not in the key ring/);
  });

  it('reads key rings from text, the environment and a private file, naming the line of a bad key', () => {
    const text = `# current\n${k2.toString('hex')}\n\n${k1.toString('base64url')}\n`;
    const box = SecretBox.parse(text, 'keys.txt');
    assert.deepEqual(box.open(new SecretBox([k1]).seal(secret, 'c'), 'c'), secret);
    assert.throws(() => SecretBox.parse(`${k1.toString('hex')}\nnot-a-key\n`, 'keys.txt'), /keys\.txt:2/);
    assert.throws(() => SecretBox.parse(`${k1.toString('hex')}\n${k1.toString('hex')}\n`, 'k'), /same key twice/);
    assert.throws(() => SecretBox.parse('# nothing\n', 'k'), /empty/);
    const env = SecretBox.fromEnvironment({ MAMORI_MFA_KEYS: `${k2.toString('hex')},${k1.toString('hex')}` });
    assert.equal(env.currentKeyId, box.currentKeyId);
    assert.throws(() => SecretBox.fromEnvironment({}), /no MFA key/);
    const dir = mkdtempSync(join(tmpdir(), 'mamori-mfa-'));
    try {
      const file = join(dir, 'keys');
      writeFileSync(file, SecretBox.newKeyText() + '\n');
      chmodSync(file, 0o644);
      assert.throws(() => SecretBox.fromEnvironment({ MAMORI_MFA_KEY_FILE: file }), /chmod 600/);
      chmodSync(file, 0o600);
      assert.match(SecretBox.fromEnvironment({}, file).currentKeyId, /^[0-9a-f]{8}$/);
      assert.throws(() => SecretBox.fromEnvironment({}, join(dir, 'missing')), isKeyError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses values that are not sealed secrets without throwing anything else', () => {
    const box = new SecretBox([k1]);
    for (const bad of ['', 'm1', 'm1.a.b.c', `m1.${box.currentKeyId}.AAAA.AAAA`, 'x'.repeat(10_000), 'm2.a.b.c']) {
      assert.throws(() => box.open(bad, 'c'), isKeyError, JSON.stringify(bad.slice(0, 20)));
    }
  });
});

describe('recovery codes', () => {
  const key = randomBytes(32);

  it('makes distinct codes of 50 bits, shown in two groups, stored only as keyed hashes', () => {
    const { codes, hashes } = newRecoveryCodes(key);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const c of codes) assert.match(c, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    for (const h of hashes) assert.ok(!codes.some((c) => h.includes(c.replace('-', ''))));
    assert.notDeepEqual(newRecoveryCodes(randomBytes(32)).hashes, hashes);
  });

  it('works once each, typed leniently; a wrong or used code does nothing', () => {
    const { codes, hashes } = newRecoveryCodes(key, 3);
    const typed = ` ${codes[1]!.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l')} `;
    const left = useRecoveryCode(key, hashes, typed);
    assert.deepEqual(left, [hashes[0], hashes[2]]);
    assert.equal(useRecoveryCode(key, left!, codes[1]!), undefined, 'used');
    assert.equal(useRecoveryCode(key, hashes, 'AAAAA-AAAAA'), undefined);
    assert.equal(useRecoveryCode(randomBytes(32), hashes, codes[0]!), undefined, 'another key');
    assert.equal(normalizeRecoveryCode('AAAA'), undefined);
    assert.equal(normalizeRecoveryCode('UUUUU-UUUUU'), undefined, 'U is not in the alphabet');
    assert.equal(hashRecoveryCode(key, 'x'.repeat(100)), undefined);
  });
});
