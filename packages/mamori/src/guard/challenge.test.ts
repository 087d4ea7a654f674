import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ManualClock } from '../core/clock.js';
import { isMamoriError } from '../core/errors.js';
import { MemoryStore } from '../core/memory-store.js';
import { SeededRandom } from '../core/random.js';
import { defaultConfig } from '../config/config.js';
import { checkProofOfWork, createChallenger, leadingZeroBits, solveChallenge, type ChallengerOptions } from './challenge.js';

const SECRET = Buffer.alloc(32, 7);
const IP = '192.0.2.10';
const SCOPE = 'site';

function setup(extra: Partial<ChallengerOptions> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, maxCounterBytes: 1 << 20, random: new SeededRandom(1) });
  const ch = createChallenger({ secret: SECRET, store, clock, random: new SeededRandom(2), baseDifficulty: 4, maxDifficulty: 8, ...extra });
  return { clock, store, ch };
}

function wrongSolution(token: string, difficulty: number): string {
  for (let i = 0; ; i++) if (!checkProofOfWork(token, String(i), difficulty)) return String(i);
}

describe('issue and verify', () => {
  test('round trip: the solution earns a pass bound to ip and scope', async () => {
    const { ch } = setup();
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    assert.equal(c.algorithm, 'sha256');
    assert.equal(c.difficulty, 4);
    assert.ok(c.token.length <= 1024);
    const solution = solveChallenge(c.token, c.difficulty, 1 << 16);
    assert.ok(solution);
    const r = await ch.verify(c.token, solution, { ip: IP, scope: SCOPE });
    assert.equal(r.ok, true);
    if (!r.ok) return;
    assert.equal(ch.verifyPass(r.pass, { ip: IP, scope: SCOPE }), true);
    assert.equal(ch.verifyPass(r.pass, { ip: '192.0.2.11', scope: SCOPE }), false);
    assert.equal(ch.verifyPass(r.pass, { ip: IP, scope: 'other' }), false);
    // One spelling per pass: flipping the spare low bits of a base64url character must not give a second valid pass.
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const [body, mac] = r.pass.split('.') as [string, string];
    let variants = 0;
    for (const [part, other, first] of [[body, mac, true], [mac, body, false]] as const) {
      const last = B64.indexOf(part[part.length - 1]!);
      for (let flip = 1; flip < 4; flip++) {
        const changed = part.slice(0, -1) + B64[last ^ flip];
        const variant = first ? `${changed}.${other}` : `${other}.${changed}`;
        if (Buffer.from(changed, 'base64url').equals(Buffer.from(part, 'base64url'))) {
          variants++;
          assert.equal(ch.verifyPass(variant, { ip: IP, scope: SCOPE }), false, 'a non-canonical spelling is refused');
        }
      }
    }
    assert.ok(variants > 0, 'the test found spellings that decode to the same bytes');
  });

  test('difficulty follows risk, clamped; a risk that is not a number is the maximum', () => {
    const { ch } = setup({ baseDifficulty: 10, maxDifficulty: 20 });
    const d = (risk: number): number => ch.issue({ ip: IP, scope: SCOPE, risk }).difficulty;
    assert.deepEqual([d(0), d(0.5), d(0.26), d(1), d(-3), d(7), d(NaN), d(Infinity)], [10, 15, 13, 20, 10, 20, 20, 20]);
  });

  test("defaults: the config's, 15 to 20 bits, 5 minute tokens", () => {
    const clock = new ManualClock();
    const ch = createChallenger({ secret: SECRET, store: new MemoryStore({ clock, maxCounterBytes: 1 << 20 }), clock });
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    assert.equal(c.difficulty, 15);
    assert.equal(ch.issue({ ip: IP, scope: SCOPE, risk: 1 }).difficulty, 20);
    const config = defaultConfig().challenge;
    assert.deepEqual([config.baseDifficulty, config.maxDifficulty, config.ttlMs], [15, 20, 5 * 60_000], 'one set of defaults');
    assert.equal(c.expiresAt, clock.now() + 5 * 60_000);
    assert.equal(ch.passTtlMs, 10 * 60_000);
  });

  test('a wrong solution is refused and does not use the token up', async () => {
    const { ch } = setup();
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 1 });
    const bad = await ch.verify(c.token, wrongSolution(c.token, c.difficulty), { ip: IP, scope: SCOPE });
    assert.deepEqual(bad, { ok: false, reason: 'work' });
    const good = await ch.verify(c.token, solveChallenge(c.token, c.difficulty)!, { ip: IP, scope: SCOPE });
    assert.equal(good.ok, true);
  });

  test('an expired challenge is refused', async () => {
    const { ch, clock } = setup({ ttlMs: 60_000 });
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    const s = solveChallenge(c.token, c.difficulty)!;
    clock.advance(60_000);
    assert.deepEqual(await ch.verify(c.token, s, { ip: IP, scope: SCOPE }), { ok: false, reason: 'expired' });
  });

  test('a replay is refused', async () => {
    const { ch } = setup();
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    const s = solveChallenge(c.token, c.difficulty)!;
    assert.equal((await ch.verify(c.token, s, { ip: IP, scope: SCOPE })).ok, true);
    assert.deepEqual(await ch.verify(c.token, s, { ip: IP, scope: SCOPE }), { ok: false, reason: 'replay' });
    // Another solution to the same token is the same token.
    let other = Number(s) + 1;
    while (!checkProofOfWork(c.token, String(other), c.difficulty)) other++;
    assert.deepEqual(await ch.verify(c.token, String(other), { ip: IP, scope: SCOPE }), { ok: false, reason: 'replay' });
  });

  test('the replay guard is shared through the store, not per challenger', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, maxCounterBytes: 1 << 20 });
    const a = createChallenger({ secret: SECRET, store, clock, baseDifficulty: 2, maxDifficulty: 2 });
    const b = createChallenger({ secret: SECRET, store, clock, baseDifficulty: 2, maxDifficulty: 2 });
    const c = a.issue({ ip: IP, scope: SCOPE, risk: 0 });
    const s = solveChallenge(c.token, c.difficulty)!;
    assert.equal((await b.verify(c.token, s, { ip: IP, scope: SCOPE })).ok, true);
    assert.deepEqual(await a.verify(c.token, s, { ip: IP, scope: SCOPE }), { ok: false, reason: 'replay' });
  });

  test('a tampered token is refused', async () => {
    const { ch } = setup();
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 1 });
    const [body, sig] = c.token.split('.') as [string, string];
    // Lower the difficulty to 0 and keep the old signature.
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    payload['d'] = 0;
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
    assert.deepEqual(await ch.verify(forged, '0', { ip: IP, scope: SCOPE }), { ok: false, reason: 'signature' });
    // Sign it with a key of the attacker's.
    const own = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${createHmac('sha256', 'guess').update(JSON.stringify(payload)).digest('base64url')}`;
    assert.deepEqual(await ch.verify(own, '0', { ip: IP, scope: SCOPE }), { ok: false, reason: 'signature' });
    // Flip a signature character.
    const flipped = `${body}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    assert.deepEqual(await ch.verify(flipped, solveChallenge(c.token, c.difficulty)!, { ip: IP, scope: SCOPE }), { ok: false, reason: 'signature' });
  });

  test('a token from another secret is refused', async () => {
    const { ch } = setup();
    const other = setup({ secret: Buffer.alloc(32, 9) }).ch;
    const c = other.issue({ ip: IP, scope: SCOPE, risk: 0 });
    assert.deepEqual(await ch.verify(c.token, solveChallenge(c.token, c.difficulty)!, { ip: IP, scope: SCOPE }), { ok: false, reason: 'signature' });
  });

  test('a challenge is bound to the address and the scope', async () => {
    const { ch } = setup();
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    const s = solveChallenge(c.token, c.difficulty)!;
    assert.deepEqual(await ch.verify(c.token, s, { ip: '192.0.2.11', scope: SCOPE }), { ok: false, reason: 'binding' });
    assert.deepEqual(await ch.verify(c.token, s, { ip: IP, scope: 'admin' }), { ok: false, reason: 'binding' });
    assert.equal((await ch.verify(c.token, s, { ip: `::ffff:${IP}`, scope: SCOPE })).ok, true);
  });

  test('IPv6 is bound by its /64', async () => {
    const { ch } = setup();
    const c = ch.issue({ ip: '2001:db8:1:2::10', scope: SCOPE, risk: 0 });
    const s = solveChallenge(c.token, c.difficulty)!;
    assert.deepEqual(await ch.verify(c.token, s, { ip: '2001:db8:1:3::10', scope: SCOPE }), { ok: false, reason: 'binding' });
    assert.equal((await ch.verify(c.token, s, { ip: '2001:db8:1:2:aaaa::1', scope: SCOPE })).ok, true);
  });

  test('malformed input is refused without work', async () => {
    const { ch } = setup();
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    const s = solveChallenge(c.token, c.difficulty)!;
    const ctx = { ip: IP, scope: SCOPE };
    for (const [token, solution] of [
      ['', s],
      ['no-dot', s],
      ['a.b.c', s],
      [`${'A'.repeat(1100)}.${'A'.repeat(43)}`, s],
      [`${c.token}=`, s],
      [c.token, ''],
      [c.token, '1'.repeat(33)],
      [c.token, '12 '],
      [c.token, '-1'],
      [c.token, 'zz'],
      [42, s],
      [c.token, null],
    ] as [string, string][]) {
      assert.deepEqual(await ch.verify(token, solution, ctx), { ok: false, reason: 'malformed' }, `${String(token).slice(0, 20)} / ${String(solution)}`);
    }
    // A validly signed body that is not JSON of the right shape.
    const key = createHmac('sha256', SECRET).update('mamori/challenge/v1').digest();
    const body = Buffer.from('{"v":1,"t":"c"}');
    const signed = `${body.toString('base64url')}.${createHmac('sha256', key).update(body).digest('base64url')}`;
    assert.deepEqual(await ch.verify(signed, '0', ctx), { ok: false, reason: 'malformed' });
    // The real token still works afterwards.
    assert.equal((await ch.verify(c.token, s, ctx)).ok, true);
  });
});

describe('passes', () => {
  test('a pass expires after its lifetime', async () => {
    const { ch, clock } = setup({ passTtlMs: 600_000 });
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    const r = await ch.verify(c.token, solveChallenge(c.token, c.difficulty)!, { ip: IP, scope: SCOPE });
    assert.ok(r.ok);
    clock.advance(599_999);
    assert.equal(ch.verifyPass(r.pass, { ip: IP, scope: SCOPE }), true);
    clock.advance(1);
    assert.equal(ch.verifyPass(r.pass, { ip: IP, scope: SCOPE }), false);
  });

  test('a pass is not a token, a token is not a pass, and a tampered pass fails', async () => {
    const { ch } = setup();
    const c = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    assert.equal(ch.verifyPass(c.token, { ip: IP, scope: SCOPE }), false);
    const r = await ch.verify(c.token, solveChallenge(c.token, c.difficulty)!, { ip: IP, scope: SCOPE });
    assert.ok(r.ok);
    assert.deepEqual(await ch.verify(r.pass, '0', { ip: IP, scope: SCOPE }), { ok: false, reason: 'signature' });
    const [body, sig] = r.pass.split('.') as [string, string];
    const p = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, number>;
    p['exp'] = p['exp']! + 86_400_000;
    assert.equal(ch.verifyPass(`${Buffer.from(JSON.stringify(p)).toString('base64url')}.${sig}`, { ip: IP, scope: SCOPE }), false);
    for (const junk of ['', 'x', 'a.b', '.'.repeat(5000), undefined as unknown as string]) assert.equal(ch.verifyPass(junk, { ip: IP, scope: SCOPE }), false);
  });
});

describe('options and helpers', () => {
  test('a short secret is refused', () => {
    const store = new MemoryStore({ maxCounterBytes: 1 << 20 });
    assert.throws(() => createChallenger({ secret: Buffer.alloc(8), store }), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_SECRET'));
    assert.throws(() => createChallenger({ secret: 'string' as unknown as Buffer, store }), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_SECRET'));
  });
  test('bad difficulties and lifetimes are refused', () => {
    const store = new MemoryStore({ maxCounterBytes: 1 << 20 });
    for (const o of [{ baseDifficulty: 20, maxDifficulty: 10 }, { maxDifficulty: 40 }, { baseDifficulty: -1 }, { baseDifficulty: 1.5 }, { ttlMs: 0 }, { passTtlMs: -5 }]) {
      assert.throws(() => createChallenger({ secret: SECRET, store, ...o }), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID'), JSON.stringify(o));
    }
    // A base above the default maximum raises the maximum with it.
    assert.equal(createChallenger({ secret: SECRET, store, baseDifficulty: 26 }).issue({ ip: IP, scope: SCOPE, risk: 1 }).difficulty, 26);
  });
  test('leadingZeroBits', () => {
    assert.equal(leadingZeroBits(Buffer.from([0x80])), 0);
    assert.equal(leadingZeroBits(Buffer.from([0x01])), 7);
    assert.equal(leadingZeroBits(Buffer.from([0x00, 0x00, 0x3f])), 18);
    assert.equal(leadingZeroBits(Buffer.from([0x00, 0x00])), 16);
    assert.equal(leadingZeroBits(Buffer.alloc(0)), 0);
  });
  test('solveChallenge gives up after maxIterations', () => {
    assert.equal(solveChallenge('t', 32, 50), undefined);
    const s = solveChallenge('t', 6, 100_000)!;
    assert.equal(checkProofOfWork('t', s, 6), true);
    assert.equal(checkProofOfWork('t', s, 6 + 30), false);
  });
});

describe('a pass carries the difficulty it was solved at', () => {
  test('it answers a challenge that asks that much or less, never more', async () => {
    const { ch } = setup();
    const cheap = ch.issue({ ip: IP, scope: SCOPE, risk: 0 });
    const r = await ch.verify(cheap.token, solveChallenge(cheap.token, cheap.difficulty)!, { ip: IP, scope: SCOPE });
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(ch.passDifficulty(r.pass, { ip: IP, scope: SCOPE }), 4);
    assert.equal(ch.verifyPass(r.pass, { ip: IP, scope: SCOPE, difficulty: 4 }), true);
    assert.equal(ch.verifyPass(r.pass, { ip: IP, scope: SCOPE, difficulty: 5 }), false);
    assert.equal(ch.passDifficulty(r.pass, { ip: '192.0.2.11', scope: SCOPE }), undefined);
    const hard = ch.issue({ ip: IP, scope: SCOPE, risk: 1 });
    assert.equal(hard.difficulty, 8);
    const h = await ch.verify(hard.token, solveChallenge(hard.token, hard.difficulty)!, { ip: IP, scope: SCOPE });
    assert.ok(h.ok && ch.verifyPass(h.pass, { ip: IP, scope: SCOPE, difficulty: 8 }));
  });

  test('difficulty: the risk sets it, the level raises it, the maximum caps it; an explicit one is clamped', () => {
    const { ch } = setup();
    assert.deepEqual([ch.difficultyFor(0), ch.difficultyFor(0.5), ch.difficultyFor(1), ch.difficultyFor(Number.NaN)], [4, 6, 8, 8]);
    assert.deepEqual([ch.difficultyFor(0, 1), ch.difficultyFor(0, 3), ch.difficultyFor(0, 99), ch.difficultyFor(0, -5)], [5, 7, 8, 4]);
    assert.equal(ch.issue({ ip: IP, scope: SCOPE, risk: 0, difficulty: 7 }).difficulty, 7);
    assert.equal(ch.issue({ ip: IP, scope: SCOPE, risk: 0, difficulty: 40 }).difficulty, 8);
    assert.equal(ch.issue({ ip: IP, scope: SCOPE, risk: 1, difficulty: 1 }).difficulty, 4);
  });
});
