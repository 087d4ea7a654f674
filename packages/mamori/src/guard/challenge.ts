/**
 * A self-hosted proof-of-work challenge: no third party, no tracking.
 *
 * `issue` hands out a signed token; the client finds a `solution` (1 to 32
 * hex or decimal characters) such that SHA-256(token + ':' + solution) starts
 * with `difficulty` zero bits, and posts both back; `verify` checks the work
 * and returns a short-lived signed pass that the browser presents on later
 * requests (cookie `mamori_pass` or header `x-mamori-pass`), checked by
 * `verifyPass`. The pass carries the difficulty it was solved at and
 * satisfies only a request that asks for that much or less: cheap passes
 * collected in advance do not answer a harder challenge.
 *
 * Token: `base64url(payload).base64url(HMAC-SHA256(k_c, payload))`, payload a
 * JSON object `{v, t:'c', n, iat, exp, d, b}`: a random nonce, issue and
 * expiry times, the difficulty and `b`, a keyed hash binding it to the
 * client's address and the scope. The pass has the same form with
 * `t:'p'` (its `d` the difficulty solved) and its own key. Keys are derived from the secret per purpose
 * (k_c = HMAC(secret, 'mamori/challenge/v1'), and so on), so a pass is never
 * a valid token nor the other way round.
 *
 * The address is bound as its source key: an IPv4 address, or the /64 an
 * IPv6 address is in (privacy addresses rotate inside it).
 *
 * Each token is good for one pass: `verify` claims its nonce in the store
 * (`store.claim`), so a replay is refused even within its lifetime. A pass
 * is reusable until it expires (default 10 minutes), only from the same
 * source and scope. Difficulty = base + round(risk * (max - base)) + level,
 * at most max: risk in 0..1 (a risk that is not a number counts as 1), level
 * the caller's escalation (see difficultyFor).
 *
 * Example:
 *   const ch = createChallenger({ secret, store });
 *   const c = ch.issue({ ip, scope: 'site', risk: 0.2 });
 *   const r = await ch.verify(c.token, solveChallenge(c.token, c.difficulty)!, { ip, scope: 'site' });
 *   if (r.ok) setCookie('mamori_pass', r.pass);
 */
import { createHmac, hash } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.js';
import { safeEqual } from '../core/crypto.js';
import { MamoriError } from '../core/errors.js';
import { sourceKey } from '../core/net.js';
import { cryptoRandom, type Random } from '../core/random.js';
import type { Store } from '../core/store.js';

export interface Challenge {
  readonly token: string;
  /** Leading zero bits required of SHA-256(token + ':' + solution). */
  readonly difficulty: number;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly algorithm: 'sha256';
}

/** Why a solution was refused; stable words, safe to show the client. */
export type ChallengeFailure = 'malformed' | 'signature' | 'expired' | 'binding' | 'work' | 'replay';

export type ChallengeResult = { ok: true; pass: string } | { ok: false; reason: ChallengeFailure };

export interface ChallengerOptions {
  /** At least 16 bytes; the same secret must be used by every instance that verifies. */
  secret: Buffer;
  store: Store;
  clock?: Clock | undefined;
  random?: Random | undefined;
  /** Lifetime of a challenge; default 5 minutes. */
  ttlMs?: number | undefined;
  /** Leading zero bits at risk 0; default 15. */
  baseDifficulty?: number | undefined;
  /** Leading zero bits at risk 1; default 20, at most 32. */
  maxDifficulty?: number | undefined;
  /** Lifetime of a pass; default 10 minutes. */
  passTtlMs?: number | undefined;
}

export interface Challenger {
  /** A challenge at `difficulty` when given (clamped to base..max), else at difficultyFor(risk). */
  issue(ctx: { ip: string; scope: string; risk: number; difficulty?: number | undefined }): Challenge;
  /** Resolves to a pass, or a reason; rejects only when the store fails. */
  verify(token: string, solution: string, ctx: { ip: string; scope: string }): Promise<ChallengeResult>;
  /** Whether a pass is valid here and was solved at `difficulty` or more (default: any). */
  verifyPass(pass: string, ctx: { ip: string; scope: string; difficulty?: number | undefined }): boolean;
  /** The difficulty a valid pass was solved at; undefined for a pass that is not valid here. */
  passDifficulty(pass: string, ctx: { ip: string; scope: string }): number | undefined;
  /**
   * The difficulty for a risk (0..1) raised by `level` bits (a source's escalation), never
   * above the maximum. A request asking for more than the maximum is no longer a challenge.
   */
  difficultyFor(risk: number, level?: number): number;
  readonly baseDifficulty: number;
  readonly maxDifficulty: number;
  readonly passTtlMs: number;
}

/** The challenge defaults, the one place they are written (config's `challenge:` section uses them too). */
export const CHALLENGE_DEFAULTS = Object.freeze({ baseDifficulty: 15, maxDifficulty: 20, ttlMs: 5 * 60_000, passTtlMs: 10 * 60_000, browserMaxDifficulty: 22 });

const MAX_TOKEN_LENGTH = 1024;
export const MAX_CHALLENGE_DIFFICULTY = 32;

const TOKEN_FORM = /^[A-Za-z0-9_-]{1,1000}\.[A-Za-z0-9_-]{43}$/;
const SOLUTION_FORM = /^[0-9A-Fa-f]{1,32}$/;

/** Leading zero bits of a byte string. */
export function leadingZeroBits(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) {
    if (b === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

function workHash(token: string, solution: string): Buffer {
  // (One-shot hashing: about a third less time per try than a Hash object, which solvers feel.)
  return hash('sha256', `${token}:${solution}`, 'buffer');
}

/** True when SHA-256(token + ':' + solution) has at least `difficulty` leading zero bits. */
export function checkProofOfWork(token: string, solution: string, difficulty: number): boolean {
  return leadingZeroBits(workHash(token, solution)) >= difficulty;
}

/**
 * Finds a solution by counting up in decimal; undefined when none is found in
 * `maxIterations` tries. Expect about 2^difficulty tries.
 */
export function solveChallenge(token: string, difficulty: number, maxIterations = 2 ** 28): string | undefined {
  for (let i = 0; i < maxIterations; i++) {
    const s = String(i);
    if (leadingZeroBits(workHash(token, s)) >= difficulty) return s;
  }
  return undefined;
}

/**
 * solveChallenge that yields to the event loop every `slice` tries, so that a process solving
 * (a simulated bot, a test) keeps serving what else it runs meanwhile.
 */
export async function solveChallengeAsync(token: string, difficulty: number, maxIterations = 2 ** 28, slice = 4096): Promise<string | undefined> {
  for (let from = 0; from < maxIterations; from += slice) {
    const to = Math.min(maxIterations, from + slice);
    for (let i = from; i < to; i++) {
      const s = String(i);
      if (leadingZeroBits(workHash(token, s)) >= difficulty) return s;
    }
    await new Promise<void>((r) => setImmediate(r));
  }
  return undefined;
}

function integer(value: number | undefined, fallback: number, min: number, max: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `challenge ${what} must be a whole number from ${min} to ${max}, not ${String(v)}`);
  }
  return v;
}

interface TokenPayload {
  v: 1;
  t: 'c' | 'p';
  n: string;
  iat: number;
  exp: number;
  /** The difficulty asked (a challenge) or solved (a pass). */
  d: number;
  b: string;
}

export function createChallenger(opts: ChallengerOptions): Challenger {
  const secret = opts.secret;
  if (!Buffer.isBuffer(secret) || secret.length < 16) {
    throw new MamoriError('MAMORI_ERR_CONFIG_SECRET', 'the challenge secret must be at least 16 random bytes (32 recommended)');
  }
  const store = opts.store;
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? cryptoRandom;
  const ttlMs = integer(opts.ttlMs, CHALLENGE_DEFAULTS.ttlMs, 1_000, 24 * 3_600_000, 'ttl (ms)');
  const passTtlMs = integer(opts.passTtlMs, CHALLENGE_DEFAULTS.passTtlMs, 1_000, 7 * 24 * 3_600_000, 'pass ttl (ms)');
  const base = integer(opts.baseDifficulty, CHALLENGE_DEFAULTS.baseDifficulty, 0, MAX_CHALLENGE_DIFFICULTY, 'base difficulty');
  const max = integer(opts.maxDifficulty, Math.max(CHALLENGE_DEFAULTS.maxDifficulty, base), base, MAX_CHALLENGE_DIFFICULTY, 'max difficulty (at least the base)');

  const derive = (purpose: string): Buffer => createHmac('sha256', secret).update(purpose).digest();
  const tokenKey = derive('mamori/challenge/v1');
  const passKey = derive('mamori/pass/v1');
  const bindKey = derive('mamori/bind/v1');

  const binding = (ip: string, scope: string): string =>
    createHmac('sha256', bindKey).update(`${sourceKey(String(ip))}\0${String(scope)}`).digest().subarray(0, 16).toString('base64url');

  const sign = (key: Buffer, payload: TokenPayload): string => {
    const body = Buffer.from(JSON.stringify(payload));
    return `${body.toString('base64url')}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  };

  /** The payload when the signature checks out and the shape is right; a reason otherwise. */
  const open = (key: Buffer, token: unknown, type: 'c' | 'p'): TokenPayload | ChallengeFailure => {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN_FORM.test(token)) return 'malformed';
    const dot = token.indexOf('.');
    const body = Buffer.from(token.slice(0, dot), 'base64url');
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    // One spelling per token: base64url's spare bits would otherwise give a pass 16 forms,
    // each a fresh key for a single-use claim.
    if (body.toString('base64url') !== token.slice(0, dot) || mac.toString('base64url') !== token.slice(dot + 1)) return 'malformed';
    if (!safeEqual(mac, createHmac('sha256', key).update(body).digest())) return 'signature';
    let p: unknown;
    try {
      p = JSON.parse(body.toString('utf8'));
    } catch {
      return 'malformed';
    }
    const o = p as Partial<TokenPayload> | null;
    const shaped =
      o !== null &&
      typeof o === 'object' &&
      o.v === 1 &&
      o.t === type &&
      typeof o.n === 'string' &&
      typeof o.b === 'string' &&
      Number.isFinite(o.iat) &&
      Number.isFinite(o.exp) &&
      Number.isInteger(o.d) &&
      o.d! >= 0 &&
      o.d! <= MAX_CHALLENGE_DIFFICULTY;
    return shaped ? (o as TokenPayload) : 'malformed';
  };

  const difficultyFor = (risk: number, level = 0): number => {
    const r = Number.isFinite(risk) ? Math.min(1, Math.max(0, risk)) : 1;
    const l = Number.isFinite(level) ? Math.max(0, Math.trunc(level)) : 0;
    return Math.min(max, base + Math.round(r * (max - base)) + l);
  };

  const passDifficulty = (pass: string, ctx: { ip: string; scope: string }): number | undefined => {
    const p = open(passKey, pass, 'p');
    if (typeof p === 'string') return undefined;
    if (p.exp <= clock.now()) return undefined;
    return safeEqual(p.b, binding(ctx.ip, ctx.scope)) ? p.d : undefined;
  };

  return Object.freeze({
    passTtlMs,
    baseDifficulty: base,
    maxDifficulty: max,
    difficultyFor,
    passDifficulty,

    issue(ctx: { ip: string; scope: string; risk: number; difficulty?: number | undefined }): Challenge {
      const now = clock.now();
      const asked = ctx.difficulty;
      const difficulty = asked !== undefined && Number.isFinite(asked) ? Math.min(max, Math.max(base, Math.trunc(asked))) : difficultyFor(ctx.risk);
      const payload: TokenPayload = {
        v: 1,
        t: 'c',
        n: random.bytes(16).toString('base64url'),
        iat: now,
        exp: now + ttlMs,
        d: difficulty,
        b: binding(ctx.ip, ctx.scope),
      };
      return Object.freeze({ token: sign(tokenKey, payload), difficulty, expiresAt: payload.exp, algorithm: 'sha256' as const });
    },

    async verify(token: string, solution: string, ctx: { ip: string; scope: string }): Promise<ChallengeResult> {
      if (typeof solution !== 'string' || !SOLUTION_FORM.test(solution)) return { ok: false, reason: 'malformed' };
      const p = open(tokenKey, token, 'c');
      if (typeof p === 'string') return { ok: false, reason: p };
      const now = clock.now();
      if (p.exp <= now) return { ok: false, reason: 'expired' };
      if (!safeEqual(p.b, binding(ctx.ip, ctx.scope))) return { ok: false, reason: 'binding' };
      if (!checkProofOfWork(token, solution, p.d!)) return { ok: false, reason: 'work' };
      if (!(await store.claim(`pow:${p.n}`, Math.max(1, p.exp - now)))) return { ok: false, reason: 'replay' };
      const pass = sign(passKey, {
        v: 1,
        t: 'p',
        n: random.bytes(12).toString('base64url'),
        iat: now,
        exp: now + passTtlMs,
        d: p.d!,
        b: binding(ctx.ip, ctx.scope),
      });
      return { ok: true, pass };
    },

    verifyPass(pass: string, ctx: { ip: string; scope: string; difficulty?: number | undefined }): boolean {
      const d = passDifficulty(pass, ctx);
      return d !== undefined && d >= (ctx.difficulty ?? 0);
    },
  });
}
