/** The passkey glue against the software authenticator of soft-authenticator.case.ts. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { CHALLENGE_MS, PasskeyVerifier, type StoredPasskey } from './webauthn.js';
import { resolveWebAuthn, type WebAuthnConfig } from './webauthn-config.js';
import { SoftKey, UP, UV, b64u, cbor, create, get, type Cbor } from './soft-authenticator.case.js';

describe('the test CBOR encoder', () => {
  it('writes RFC 8949 Appendix A examples', () => {
    assert.equal(cbor(0).toString('hex'), '00');
    assert.equal(cbor(23).toString('hex'), '17');
    assert.equal(cbor(24).toString('hex'), '1818');
    assert.equal(cbor(1000).toString('hex'), '1903e8');
    assert.equal(cbor(1000000).toString('hex'), '1a000f4240');
    assert.equal(cbor(-1).toString('hex'), '20');
    assert.equal(cbor(-100).toString('hex'), '3863');
    assert.equal(cbor('IETF').toString('hex'), '6449455446');
    assert.equal(cbor(new Uint8Array([1, 2, 3, 4])).toString('hex'), '4401020304');
    assert.equal(cbor([1, [2, 3], [4, 5]]).toString('hex'), '8301820203820405');
    assert.equal(cbor(new Map<Cbor, Cbor>([[1, 2], [3, 4]])).toString('hex'), 'a201020304');
  });
});

function setup(uv: 'preferred' | 'required' = 'preferred') {
  const problems: string[] = [];
  const config: WebAuthnConfig = resolveWebAuthn({ rp_id: 'localhost', origins: ['http://localhost:8080'], user_verification: uv }, 'Shop', (p, m) => problems.push(`${p.join('.')}: ${m}`));
  assert.deepEqual(problems, []);
  const clock = new ManualClock(1_800_000_000_000);
  const store = new MemoryStore({ clock });
  const v = new PasskeyVerifier(config, { store, clock, key: Buffer.alloc(32, 9) });
  return { v, clock, store };
}

/** Registers `key` for a pending sign-in and returns what the gate would store. */
async function register(v: PasskeyVerifier, key: SoftKey, binding = 'pending-1'): Promise<StoredPasskey> {
  const options = await v.registrationOptions('alice', binding, []);
  const r = await v.verifyRegistration(binding, create(key, options), 'laptop');
  assert.ok(r.ok, JSON.stringify(r));
  return { id: r.passkey.id, publicKey: r.passkey.publicKey, counter: r.passkey.counter, transports: r.passkey.transports };
}

describe('passkeys: registration', () => {
  it('accepts a good registration and gives the credential to store', async () => {
    const { v } = setup();
    const key = new SoftKey();
    const options = await v.registrationOptions('alice', 'pending-1', []);
    assert.equal(options.rp.id, 'localhost');
    assert.equal(options.attestation, 'none');
    assert.equal(options.authenticatorSelection?.userVerification, 'preferred');
    assert.ok(!JSON.stringify(options.user.id).includes('alice'), 'the user handle does not carry the name');
    const r = await v.verifyRegistration('pending-1', create(key, options), 'laptop');
    assert.ok(r.ok);
    assert.equal(r.passkey.id, b64u(key.id));
    assert.deepEqual(Buffer.from(r.passkey.publicKey), key.cose);
    assert.deepEqual(r.passkey.transports, ['internal']);
    assert.equal(r.passkey.aaguid, '00000000-0000-0000-0000-000000000000');
    assert.equal(r.userVerified, true);
  });

  it('refuses a registration made on another origin, for another rp id, or of the wrong type', async () => {
    const { v } = setup();
    const key = new SoftKey();
    for (const [o, detail] of [
      [{ origin: 'https://evil.example' }, /origin/i],
      [{ origin: 'http://localhost:8081' }, /origin/i],
      [{ rpId: 'evil.example' }, /RP ID/i],
      [{ type: 'webauthn.get' }, /type/i],
      [{ flags: 0 }, /user.*present|presence/i],
    ] as const) {
      const options = await v.registrationOptions('alice', 'pending-1', []);
      const r = await v.verifyRegistration('pending-1', create(key, options, o), 'laptop');
      assert.equal(r.ok, false, JSON.stringify(o));
      if (!r.ok) {
        assert.equal(r.reason, 'invalid');
        assert.match(r.detail ?? '', detail);
      }
    }
  });

  it('refuses a registration for a challenge of another sign-in, of the other purpose, or not ours', async () => {
    const { v } = setup();
    const key = new SoftKey();
    const other = await v.registrationOptions('alice', 'pending-2', []);
    let r = await v.verifyRegistration('pending-1', create(key, other), 'x');
    assert.deepEqual(r, { ok: false, reason: 'challenge' });
    const auth = await v.authenticationOptions('pending-1', []);
    r = await v.verifyRegistration('pending-1', create(key, auth), 'x');
    assert.deepEqual(r, { ok: false, reason: 'challenge' });
    r = await v.verifyRegistration('pending-1', create(key, { challenge: b64u(randomBytes(32)) }), 'x');
    assert.deepEqual(r, { ok: false, reason: 'challenge' });
  });

  it('requires user verification when configured so', async () => {
    const { v } = setup('required');
    const key = new SoftKey();
    let options = await v.registrationOptions('alice', 'p', []);
    assert.equal(options.authenticatorSelection?.userVerification, 'required');
    let r = await v.verifyRegistration('p', create(key, options, { flags: UP }), 'x');
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.detail ?? '', /verif/i);
    options = await v.registrationOptions('alice', 'p', []);
    r = await v.verifyRegistration('p', create(key, options, { flags: UP | UV }), 'x');
    assert.equal(r.ok, true);
  });

  it('lists the passkeys a user has already as excluded', async () => {
    const { v } = setup();
    const stored = await register(v, new SoftKey());
    const options = await v.registrationOptions('alice', 'p', [stored]);
    assert.deepEqual(options.excludeCredentials?.map((c) => c.id), [stored.id]);
  });

  it('refuses malformed responses without throwing', async () => {
    const { v } = setup();
    for (const text of ['', 'null', '{', '[]', JSON.stringify({ id: 'a', rawId: 'b', type: 'public-key', response: {} }), JSON.stringify({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: '!!' } }), 'x'.repeat(100_000)]) {
      const r = await v.verifyRegistration('p', text, 'x');
      assert.deepEqual(r, { ok: false, reason: 'malformed' }, text.slice(0, 60));
    }
  });
});

describe('passkeys: sign-in', () => {
  it('accepts a good assertion, with allowCredentials of the user only', async () => {
    const { v } = setup();
    const key = new SoftKey();
    const stored = await register(v, key);
    const options = await v.authenticationOptions('pending-9', [stored]);
    assert.deepEqual(options.allowCredentials?.map((c) => c.id), [stored.id]);
    assert.equal(options.userVerification, 'preferred');
    assert.equal(options.rpId, 'localhost');
    const r = await v.verifyAssertion('pending-9', get(key, options), [stored]);
    assert.deepEqual(r, { ok: true, id: stored.id, newCounter: 1, userVerified: true });
  });

  it('refuses a wrong origin and a wrong rp id hash', async () => {
    const { v } = setup();
    const key = new SoftKey();
    const stored = await register(v, key);
    let options = await v.authenticationOptions('p', [stored]);
    let r = await v.verifyAssertion('p', get(key, options, { origin: 'https://localhost.evil.example' }), [stored]);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'invalid');
    if (!r.ok) assert.match(r.detail ?? '', /origin/i);
    options = await v.authenticationOptions('p', [stored]);
    r = await v.verifyAssertion('p', get(key, options, { rpId: 'example.com' }), [stored]);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.detail ?? '', /RP ID/i);
  });

  it('refuses a replayed challenge: a response verifies once', async () => {
    const { v } = setup();
    const key = new SoftKey();
    const stored = await register(v, key);
    const options = await v.authenticationOptions('p', [stored]);
    const response = get(key, options);
    assert.equal((await v.verifyAssertion('p', response, [stored])).ok, true);
    assert.deepEqual(await v.verifyAssertion('p', response, [{ ...stored, counter: 0 }]), { ok: false, reason: 'replayed' });
    // A second response to the same challenge (counter further on) is refused too.
    const again = get(key, options);
    assert.deepEqual(await v.verifyAssertion('p', again, [{ ...stored, counter: 1 }]), { ok: false, reason: 'replayed' });
  });

  it('refuses an expired challenge, and accepts one just before its end', async () => {
    const { v, clock } = setup();
    const key = new SoftKey();
    const stored = await register(v, key);
    let options = await v.authenticationOptions('p', [stored]);
    clock.advance(CHALLENGE_MS + 1000);
    assert.deepEqual(await v.verifyAssertion('p', get(key, options), [stored]), { ok: false, reason: 'expired' });
    options = await v.authenticationOptions('p', [stored]);
    clock.advance(CHALLENGE_MS - 2000);
    assert.equal((await v.verifyAssertion('p', get(key, options), [stored])).ok, true);
  });

  it('refuses a counter that went back (a cloned authenticator?), and accepts one that counts up', async () => {
    const { v } = setup();
    const key = new SoftKey();
    const stored = { ...(await register(v, key)), counter: 41 };
    let options = await v.authenticationOptions('p', [stored]);
    let r = await v.verifyAssertion('p', get(key, options, { counter: 40 }), [stored]);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'counter');
    options = await v.authenticationOptions('p', [stored]);
    r = await v.verifyAssertion('p', get(key, options, { counter: 41 }), [stored]);
    assert.equal(r.ok, false, 'an equal counter is not counting up');
    options = await v.authenticationOptions('p', [stored]);
    r = await v.verifyAssertion('p', get(key, options, { counter: 42 }), [stored]);
    assert.equal(r.ok && r.newCounter, 42);
    // An authenticator that keeps no counter (always 0) is fine while the stored one is 0 too.
    const zero = new SoftKey();
    const z = await register(v, zero, 'p2');
    options = await v.authenticationOptions('p', [z]);
    assert.equal((await v.verifyAssertion('p', get(zero, options, { counter: 0 }), [z])).ok, true);
  });

  it("refuses a credential of another user, and another user's challenge", async () => {
    const { v } = setup();
    const aliceKey = new SoftKey();
    const bobKey = new SoftKey();
    const alice = await register(v, aliceKey, 'pa');
    await register(v, bobKey, 'pb');
    // Signing in as alice (her pending sign-in, her passkeys), answering with bob's passkey.
    const options = await v.authenticationOptions('pending-alice', [alice]);
    assert.deepEqual(await v.verifyAssertion('pending-alice', get(bobKey, options), [alice]), { ok: false, reason: 'unknown-credential' });
    // Bob's answer to his own challenge is no good for alice's sign-in.
    const bobs = await v.authenticationOptions('pending-bob', []);
    assert.deepEqual(await v.verifyAssertion('pending-alice', get(aliceKey, bobs), [alice]), { ok: false, reason: 'challenge' });
  });

  it('refuses a bad signature, and a key that is not the credential', async () => {
    const { v } = setup();
    const key = new SoftKey();
    const stored = await register(v, key);
    let options = await v.authenticationOptions('p', [stored]);
    const r = JSON.parse(get(key, options)) as { response: { signature: string } };
    const sig = Buffer.from(r.response.signature, 'base64url');
    sig[sig.length - 1]! ^= 1;
    r.response.signature = b64u(sig);
    const bad = await v.verifyAssertion('p', JSON.stringify(r), [stored]);
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.reason, 'invalid');
    options = await v.authenticationOptions('p', [stored]);
    const other = new SoftKey();
    const swapped = await v.verifyAssertion('p', get(key, options), [{ ...stored, publicKey: other.cose }]);
    assert.equal(swapped.ok, false);
  });

  it('requires the UV flag when configured so, and not otherwise', async () => {
    const strict = setup('required');
    const key = new SoftKey();
    const stored = await register(strict.v, key);
    let options = await strict.v.authenticationOptions('p', [stored]);
    assert.equal(options.userVerification, 'required');
    const r = await strict.v.verifyAssertion('p', get(key, options, { flags: UP }), [stored]);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.detail ?? '', /verif/i);
    options = await strict.v.authenticationOptions('p', [stored]);
    assert.equal((await strict.v.verifyAssertion('p', get(key, options, { flags: UP | UV }), [stored])).ok, true);
    const lax = setup('preferred');
    const key2 = new SoftKey();
    const s2 = await register(lax.v, key2);
    options = await lax.v.authenticationOptions('p', [s2]);
    const ok = await lax.v.verifyAssertion('p', get(key2, options, { flags: UP }), [s2]);
    assert.deepEqual(ok, { ok: true, id: s2.id, newCounter: 1, userVerified: false });
  });
});

describe('mfa_gate.webauthn config', () => {
  const check = (raw: Parameters<typeof resolveWebAuthn>[0]) => {
    const problems: string[] = [];
    const c = resolveWebAuthn(raw, 'Shop', (p, m) => problems.push(`${p.join('.')}: ${m}`));
    return { c, problems };
  };
  it('takes a host, https origins under it, and localhost over http', () => {
    const { c, problems } = check({ rp_id: 'Shop.Example', origins: ['https://shop.example', 'https://admin.shop.example:8443'] });
    assert.deepEqual(problems, []);
    assert.deepEqual(c, { rpId: 'shop.example', rpName: 'Shop', origins: ['https://shop.example', 'https://admin.shop.example:8443'], userVerification: 'preferred' });
    assert.deepEqual(check({ rp_id: 'localhost', origins: ['http://localhost:3000'] }).problems, []);
  });
  it('says what is wrong, and where', () => {
    const { problems } = check({ rp_id: 'https://shop.example', origins: ['http://shop.example', 'https://evil.example', 'https://shop.example/admin', 'nope', 'https://notshop.example'] });
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.match(problems[0]!, /^rp_id: /);
    assert.ok(problems.slice(1).every((p, i) => p.startsWith(`origins.${i}: `)), problems.join('\n'));
    assert.match(check({ rp_id: '192.0.2.1', origins: [] }).problems.join('\n'), /IP address[\s\S]*at least one origin/);
  });
  it('reads a pathological rp id in linear time', () => {
    for (const rp_id of ['a'.repeat(200_000), `${'a-'.repeat(30)}-.`.repeat(4), `${'a'.repeat(62)}-`.repeat(4)]) {
      assert.equal(check({ rp_id, origins: ['https://shop.example'] }).problems.length, 2);
    }
  });
});
