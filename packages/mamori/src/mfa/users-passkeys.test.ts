/** Passkey records in the users file: sealed to their user, re-sealed by rotate-keys, gone with reset-mfa. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SecretBox } from './secret-box.js';
import { MAX_PASSKEYS, UserDirectory, cleanPasskeyName, type NewPasskey } from './users.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const passkey = (id: string, name = 'key'): NewPasskey => ({ id, publicKey: new Uint8Array([1, 2, 3]), counter: 5, transports: ['internal'], aaguid: 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4', name });

describe('users.json: passkeys', () => {
  it('re-seals passkeys under the first key of the ring, and keeps them readable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-users-pk-'));
    dirs.push(dir);
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const path = join(dir, 'users.json');
    const old = new UserDirectory(path, new SecretBox([k1]), Buffer.alloc(32));
    await old.add('alice', 'a long enough password', { issuer: 'x', passkeyOnly: true, now: Date.UTC(2026, 0, 1) });
    await old.addPasskey('alice', passkey('AAAAAAAAAAAAAAAAAAAAAA'), Date.UTC(2026, 0, 2));
    await old.addPasskey('alice', passkey('BBBBBBBBBBBBBBBBBBBBBB'), Date.UTC(2026, 0, 2));
    const both = new UserDirectory(path, new SecretBox([k2, k1]), Buffer.alloc(32));
    assert.equal(await both.rotateKeys(), 2, 'two passkeys (no TOTP secret for this user)');
    assert.equal(await both.rotateKeys(), 0);
    const fresh = new UserDirectory(path, new SecretBox([k2]), Buffer.alloc(32));
    const u = fresh.get('alice')!;
    assert.deepEqual(u.passkeys!.map((p) => [...fresh.passkeyKey(u, p)]), [[1, 2, 3], [1, 2, 3]]);
    assert.equal(u.passkeys![0]!.aaguid, 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4');
  });

  it('refuses a credential id twice (under any user), more than the cap, and the enrolment-only add once a factor exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-users-pk-'));
    dirs.push(dir);
    const d = new UserDirectory(join(dir, 'users.json'), new SecretBox([randomBytes(32)]), Buffer.alloc(32));
    await d.add('alice', 'a long enough password', { issuer: 'x', passkeyOnly: true });
    await d.add('bob', 'a long enough password', { issuer: 'x' });
    await d.addPasskey('alice', passkey('CCCCCCCCCCCCCCCCCCCCCC'), 0, { first: true });
    await assert.rejects(d.addPasskey('alice', passkey('DDDDDDDDDDDDDDDDDDDDDD'), 0, { first: true }), /second factor already/);
    await assert.rejects(d.addPasskey('bob', passkey('EEEEEEEEEEEEEEEEEEEEEE'), 0, { first: true }), /second factor already/, 'bob has TOTP');
    await assert.rejects(d.addPasskey('bob', passkey('CCCCCCCCCCCCCCCCCCCCCC'), 0), /registered already/);
    await assert.rejects(d.addPasskey('bob', passkey('short'), 0), /credential id/);
    for (let i = 1; i < MAX_PASSKEYS; i++) await d.addPasskey('alice', passkey(`${String(i).padStart(2, '0')}AAAAAAAAAAAAAAAAAAAA`), 0);
    await assert.rejects(d.addPasskey('alice', passkey('FFFFFFFFFFFFFFFFFFFFFF'), 0), /has 20 passkeys already/);
    assert.equal(d.get('alice')!.passkeys!.length, MAX_PASSKEYS);
    const gen = d.get('alice')!.generation;
    assert.equal((await d.removePasskey('alice', 'CCCCCCCCCCCCCCCCCCCCCC'))?.id, 'CCCCCCCCCCCCCCCCCCCCCC');
    assert.notEqual(d.get('alice')!.generation, gen, 'sessions end');
    await d.resetMfa('alice', { issuer: 'x' });
    assert.equal(d.get('alice')!.passkeys, undefined);
    assert.doesNotMatch(readFileSync(join(dir, 'users.json'), 'utf8'), /AAAAAAAAAAAAAAAAAAAA/);
  });

  it('keeps names printable and short', () => {
    assert.equal(cleanPasskeyName('  phone\u0000\u202e\u2066 '), 'phone');
    assert.equal([...cleanPasskeyName('🔑'.repeat(100))].length, 64);
    assert.equal(cleanPasskeyName('x'.repeat(100_000) + '\u0007').length, 64);
  });
});
