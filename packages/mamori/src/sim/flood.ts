/**
 * An adversarial flood against the login guard's memory cap, on simulated time: an attacker
 * guesses one account's password (solving every challenge, from a fresh source each time, so
 * no (user, source) lock ever stops it), and between guesses floods the counter table with
 * keys whose counts it chooses, hoping to push the account's count out and start again.
 *
 * The property (issue 10): over an hour, the guesses that reach the site never exceed the
 * account-wide limit (login_protection.user.close_after), and once the account is closed it
 * stays closed. `bench/flood.mjs` runs it at full size (10 million keys in a 64 MiB table);
 * `flood.test.ts` at small sizes in `npm test`.
 */
import type { ManualClock } from '../core/clock.js';
import type { LoginGuard, LoginAttempt } from '../guard/login.js';

/**
 * How the flood's counts are spread. `ones`: a failed login on a fresh (user, source) pair per
 * key. `pairs`: 4 failures per pair (one below the pair's challenge). `accounts`: accounts each
 * failed `count` times from as many sources (the account kind's counts). `closures`: accounts
 * failed until closed (each one a decision, to crowd the decision store). `mixed`: counts drawn
 * from a geometric distribution (mean 3), split between pairs and accounts.
 */
export type FloodShape = 'ones' | 'pairs' | 'accounts' | 'closures' | 'mixed';
export const FLOOD_SHAPES: readonly FloodShape[] = ['ones', 'pairs', 'accounts', 'closures', 'mixed'];

export interface FloodOptions {
  guard: LoginGuard;
  /** The guard's clock (the flood advances it). */
  clock: ManualClock;
  shape: FloodShape;
  /** Failed logins the flood sends in all (each one touches several keys). */
  attempts: number;
  /** Bursts the flood is split into, spread over the hour, with the attacker's guesses between them. */
  bursts?: number;
  /** For `accounts`: failures per account (default: the account's challenge threshold + 1). */
  count?: number;
  /**
   * Guesses on the victim before each burst (default: one below the account's challenge, the
   * most an attacker can send unnoticed, hoping the flood then makes the count start over).
   */
  guessesPerBurst?: number;
  /** Called every so often with the attempts sent so far. */
  progress?: (sent: number) => void;
}

export interface FloodResult {
  shape: FloodShape;
  /** Guesses on the victim that reached the site within the hour. */
  guesses: number;
  /** The account-wide limit they are held to. */
  limit: number;
  /** Whether, at the end, a guess on the victim is still refused (the account stays closed). */
  closedAtEnd: boolean;
  /** Failed logins the flood sent. */
  floodAttempts: number;
  /** Of 1,000 accounts never seen before, how many a first login would challenge or refuse (the flood's cost to everybody else). */
  innocentsHeld: number;
}

const HOUR = 3_600_000;

/** The i-th source of a sequence: a host in its own IPv6 /64 (`tag` keeps sequences apart). */
function source(tag: number, i: number): string {
  return `2001:db8${tag.toString(16)}:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`;
}

/** One login attempt that fails at the site, solving a challenge if asked. Resolves to whether it reached the site. */
async function fail(guard: LoginGuard, ip: string, username: string, password: string): Promise<boolean> {
  let a: LoginAttempt = { ip, username, password };
  let v = await guard.check(a);
  if (v.action === 'challenge') {
    await guard.release(a);
    a = { ip, username, password, challengePassed: true };
    v = await guard.check(a);
  }
  if (v.action !== 'allow') return false;
  await guard.report(a, false);
  return true;
}

export async function runFlood(o: FloodOptions): Promise<FloodResult> {
  const { guard, clock } = o;
  const c = guard.config;
  const limit = c.user.closeAfter;
  const bursts = Math.max(1, o.bursts ?? 20);
  const perBurst = Math.ceil(o.attempts / bursts);
  const victim = 'victim@example.com';
  let guesses = 0;
  let vs = 0; // the victim's sources
  let fs = 0; // the flood's sources
  let acct = 0; // the flood's accounts
  let sent = 0;
  let seed = 0x2545f491;
  const random = (): number => {
    // xorshift32: the same flood every run.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const accountsCount = o.count ?? c.user.challengeAfter + 1;
  const perGuessBurst = Math.max(1, o.guessesPerBurst ?? c.user.challengeAfter - 1);
  /** One key of the flood: the failures of one pair or one account, `n` of them. */
  const floodKey = async (kind: 'pair' | 'account', n: number): Promise<void> => {
    const user = `flood-${acct++}@example.com`;
    if (kind === 'pair') {
      const ip = source(1, fs++);
      for (let k = 0; k < n; k++) await fail(guard, ip, user, `pw-${sent++}`);
    } else {
      // From as many sources, each failing on this account alone (no stuffing count).
      for (let k = 0; k < n; k++) await fail(guard, source(1, fs++), user, `pw-${sent++}`);
    }
  };
  const start = clock.now();
  for (let b = 0; b < bursts; b++) {
    // The attacker's guesses on the victim, until it is refused.
    for (let g = 0; g < perGuessBurst; g++) {
      if (!(await fail(guard, source(2, vs++), victim, `guess-${guesses}`))) break;
      guesses++;
    }
    // Then the flood.
    const end = sent + perBurst;
    while (sent < end && sent < o.attempts) {
      switch (o.shape) {
        case 'ones':
          await floodKey('pair', 1);
          break;
        case 'pairs':
          await floodKey('pair', Math.min(4, end - sent));
          break;
        case 'accounts':
          await floodKey('account', Math.min(accountsCount, end - sent));
          break;
        case 'closures':
          await floodKey('account', Math.min(limit, end - sent));
          break;
        case 'mixed': {
          let n = 1;
          while (random() < 2 / 3 && n < 4 * limit) n++;
          await floodKey(random() < 0.5 ? 'pair' : 'account', Math.min(n, end - sent));
          break;
        }
      }
      if ((sent & 0xffff) === 0) o.progress?.(sent);
    }
    // Spread over the hour (a minute is left for the last guesses).
    clock.advance(Math.floor((HOUR - 60_000) / bursts));
  }
  for (let g = 0; g < 4 * limit; g++) {
    if (!(await fail(guard, source(2, vs++), victim, `guess-${guesses}`))) break;
    guesses++;
  }
  const closedAtEnd = clock.now() - start < HOUR && !(await probe(guard, source(2, vs++), victim));
  let innocentsHeld = 0;
  for (let i = 0; i < 1000; i++) if (!(await probe(guard, source(3, i), `innocent-${i}@example.com`))) innocentsHeld++;
  return { shape: o.shape, guesses, limit, closedAtEnd, floodAttempts: sent, innocentsHeld };
}

/** Whether a first login would be let through without a challenge (taken back: no report follows). */
async function probe(guard: LoginGuard, ip: string, username: string): Promise<boolean> {
  const a: LoginAttempt = { ip, username, password: 'probe' };
  const v = await guard.check(a);
  await guard.release(a);
  return v.action === 'allow';
}
