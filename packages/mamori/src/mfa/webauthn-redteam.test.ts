/**
 * Red team: the passkey verifier and the users file, attacked directly. `finding N` tests
 * reproduced a hole before its fix (bench/redteam/README-passkeys.md); the others are attacks
 * that failed, kept so that they keep failing.
 */
import assert from 'node:assert/strict';
import { createHash, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { hmac } from '../core/crypto.js';
import { MemoryStore } from '../core/memory-store.js';
import { PasskeyVerifier, type StoredPasskey } from './webauthn.js';
import { resolveWebAuthn } from './webauthn-config.js';
import { UserDirectory, mfaKeyRing } from './users.js';
import { SoftKey, b64u, create, get } from './soft-authenticator.case.js';

const SECRET = Buffer.alloc(32, 4);
const PASSWORD = 'a long admin password';

function verifier() {
  const config = resolveWebAuthn({ rp_id: 'localhost', origins: ['http://localhost:8080'] }, 'Shop', (p, m) => assert.fail(`${p.join('.')}: ${m}`));
  const clock = new ManualClock(1_800_000_000_000);
  return { v: new PasskeyVerifier(config, { store: new MemoryStore({ clock }), clock, key: Buffer.alloc(32, 5) }), clock };
}

async function registered(v: PasskeyVerifier, key: SoftKey): Promise<StoredPasskey> {
  const options = await v.registrationOptions('alice', 'p-reg', []);
  const r = await v.verifyRegistration('p-reg', create(key, options), 'k');
  assert.ok(r.ok, JSON.stringify(r));
  return { id: r.passkey.id, publicKey: r.passkey.publicKey, counter: r.passkey.counter, transports: r.passkey.transports };
}

describe('red team: the users file under two writers (the proxy and `mamori users`)', () => {
  const open = (dir: string) => new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, true, {}), hmac(SECRET, 'mamori recovery codes'));

  it("finding 4: `mamori users add`, waiting for a password, does not write back a copy older than the gate's passkey writes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-users-rt-'));
    try {
      const setup = open(dir);
      await setup.add('alice', PASSWORD, { issuer: 'Shop', passkeyOnly: true });
      await setup.add('bob', PASSWORD, { issuer: 'Shop', passkeyOnly: true });
      const key = new SoftKey();
      await setup.addPasskey('bob', { id: b64u(key.id), publicKey: key.cose, counter: 5, transports: [], aaguid: '', name: 'bob key' }, Date.now());
      // The CLI reads the file, then waits for the admin to type the new user's password...
      const cli = open(dir);
      // ...while the gate registers alice's first passkey and records bob's sign-in (counter 9).
      const gate = open(dir);
      const alicesKey = new SoftKey();
      await gate.addPasskey('alice', { id: b64u(alicesKey.id), publicKey: alicesKey.cose, counter: 0, transports: [], aaguid: '', name: 'alice key' }, Date.now(), { first: true });
      assert.equal(await gate.passkeyUsed('bob', b64u(key.id), 9, Date.now()), true);
      await cli.add('carol', PASSWORD, { issuer: 'Shop' });
      const now = open(dir);
      assert.equal(now.get('alice')!.passkeys?.length, 1, "alice's passkey survives the CLI's write");
      assert.equal(now.get('alice')!.passkeyEnrolUntil, undefined, 'and her enrolment window stays closed');
      assert.equal(now.get('bob')!.passkeys![0]!.counter, 9, "bob's counter does not go back (a clone's older counts would pass again)");
      assert.ok(now.get('carol'));
      // The same for the other commands that write: password, remove-passkey, reset-mfa, remove.
      const cli2 = open(dir);
      assert.equal(await gate.passkeyUsed('bob', b64u(key.id), 12, Date.now()), true);
      await cli2.setPassword('carol', `${PASSWORD} 2`);
      assert.equal(open(dir).get('bob')!.passkeys![0]!.counter, 12);
      const cli3 = open(dir);
      assert.equal(await gate.passkeyUsed('bob', b64u(key.id), 13, Date.now()), true);
      await cli3.remove('carol');
      assert.equal(open(dir).get('bob')!.passkeys![0]!.counter, 13);
      const cli4 = open(dir);
      const second = new SoftKey();
      await gate.addPasskey('alice', { id: b64u(second.id), publicKey: second.cose, counter: 0, transports: [], aaguid: '', name: 'second' }, Date.now());
      await cli4.removePasskey('alice', b64u(alicesKey.id));
      assert.deepEqual(open(dir).get('alice')!.passkeys?.map((p) => p.name), ['second']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('red team: the passkey verifier', () => {
  it('lets one of two identical answers sent at once through (the challenge is claimed once), for a passkey that keeps no counter', async () => {
    const { v } = verifier();
    const synced = new SoftKey(); // a synced passkey: its counter stays 0, so only the claim stops a replay
    const stored = await registered(v, synced);
    assert.equal(stored.counter, 0);
    const options = await v.authenticationOptions('p-1', [stored]);
    const answer = get(synced, options, { counter: 0 });
    const results = await Promise.all(Array.from({ length: 8 }, () => v.verifyAssertion('p-1', answer, [stored])));
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.deepEqual(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason)), Array(7).fill('replayed'));
  });

  it("takes no authority from the user handle: another user's handle with this user's passkey is this user", async () => {
    const { v } = verifier();
    const key = new SoftKey();
    const stored = await registered(v, key);
    const options = await v.authenticationOptions('p-2', [stored]);
    const r = JSON.parse(get(key, options)) as { response: { userHandle?: string } };
    r.response.userHandle = b64u('bob');
    const out = await v.verifyAssertion('p-2', JSON.stringify(r), [stored]);
    assert.ok(out.ok && out.id === stored.id);
    // And bob's credential (unknown to alice's list) with alice's handle is nobody.
    const bobKey = new SoftKey();
    const o2 = await v.authenticationOptions('p-3', [stored]);
    const r2 = JSON.parse(get(bobKey, o2)) as { response: { userHandle?: string } };
    r2.response.userHandle = b64u('alice');
    const out2 = await v.verifyAssertion('p-3', JSON.stringify(r2), [stored]);
    assert.equal(out2.ok ? 'ok' : out2.reason, 'unknown-credential');
  });

  it('reads clientDataJSON as the library does: a BOM, a second challenge key, a forged challenge (each signed by the key)', async () => {
    const { v } = verifier();
    const key = new SoftKey();
    const stored = await registered(v, key);
    const mine = await v.authenticationOptions('p-4', [stored]);
    const other = await v.authenticationOptions('p-5', [stored]);
    /** An assertion over `cd` as given, signed by the key: only mamori's reading of it can refuse it. */
    const signed = (cd: string) => {
      const r = JSON.parse(get(key, mine)) as { response: { clientDataJSON: string; authenticatorData: string; signature: string } };
      const ad = Buffer.from(r.response.authenticatorData, 'base64url');
      r.response.clientDataJSON = b64u(cd);
      r.response.signature = b64u(sign('sha256', Buffer.concat([ad, createHash('sha256').update(cd).digest()]), key.priv));
      return JSON.stringify(r);
    };
    const cd = (challenge: string, before = '') => `{${before}"type":"webauthn.get","challenge":"${challenge}","origin":"http://localhost:8080","crossOrigin":false}`;
    // The control: signed this way, our own challenge passes.
    assert.ok((await v.verifyAssertion('p-4', signed(cd(mine.challenge)), [stored])).ok);
    const cases: [string, string, string][] = [
      ["another sign-in's challenge", cd(other.challenge), 'challenge'],
      ["ours first, another's last (JSON.parse keeps the last, in both readers)", cd(other.challenge, `"challenge":"${mine.challenge}",`), 'challenge'],
      ['a BOM before the JSON (the library would strip it; mamori does not read it)', `\ufeff${cd(mine.challenge)}`, 'malformed'],
      ['a challenge of 180 characters', cd('A'.repeat(180)), 'challenge'],
      ['a challenge of 5000 characters', cd('A'.repeat(5000)), 'malformed'],
    ];
    for (const [what, text, reason] of cases) {
      const fresh = await v.authenticationOptions('p-4', [stored]);
      const out = await v.verifyAssertion('p-4', signed(text.replace(mine.challenge, fresh.challenge)), [stored]);
      assert.equal(out.ok ? 'ok' : out.reason, reason, what);
    }
  });
});
