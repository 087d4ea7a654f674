/** The simulator's shapes: what a scenario produces, what a run needs, what it reports. */
import type { Clock } from '../core/clock.js';

/** The part of a fetch Response the simulator reads; the global `fetch` satisfies it. */
export interface SimResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null; getSetCookie?(): string[] };
  readonly body?: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } } | null;
  text(): Promise<string>;
}

export interface SimRequestInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  redirect: 'manual';
  signal?: AbortSignal;
}

/** Injectable transport: the global `fetch`, or a fake in tests. */
export type SimFetch = (url: string, init: SimRequestInit) => Promise<SimResponse>;

/** One attacker login attempt. */
export interface SimAttempt {
  /** The address the attempt claims to come from (sent as x-forwarded-for). */
  readonly ip: string;
  readonly username: string;
  readonly password: string;
}

export interface SimScenarioContext {
  /** How many attempts the run makes in all. */
  readonly attempts: number;
  /** The real user's account: scenarios aim at it or include it among their targets. */
  readonly victim: { readonly username: string; readonly password: string };
}

/** A scripted attack: a pure function from attempt number to attempt. */
export interface SimScenario {
  readonly name: string;
  readonly summary: string;
  readonly defaultAttempts: number;
  attempt(i: number, ctx: SimScenarioContext): SimAttempt;
}

/** How mamori (or the site) answered one login request. */
export type SimClassification = 'success' | 'failure' | 'challenge' | 'block' | 'error';

export interface SimOptions {
  /** Origin of the site under test, e.g. http://127.0.0.1:8080. */
  target: string;
  /** Allow a target that is not on loopback (the operator owns it). */
  iOwnTheTarget?: boolean;
  /** Attacker login attempts (1..10000); default: the scenario's. */
  attempts?: number;
  /** Attacker requests in flight at once (1..64); default 4. */
  concurrency?: number;
  /** Attacker attempts started per second at most; default: as fast as answers come. */
  rate?: number;
  /** Stop starting attempts after this long; default 5 minutes. */
  maxDurationMs?: number;
  /** Per-request time limit; default 10 s. */
  requestTimeoutMs?: number;
  /** The real user logs in again after every this many attacker attempts (default 25); 0 = only before and after. */
  userEvery?: number;
  /** The real user: default the demo shop's alice. */
  user?: { username: string; password: string; ip?: string };
  /** Attackers solve proof-of-work challenges too (a stronger attacker). */
  attackersSolve?: boolean;
  /** Challenges harder than this are not attempted (default 24 bits). */
  maxSolveDifficulty?: number;
  /** The login form; default POST /login with fields email and password. */
  login?: { path?: string; usernameField?: string; passwordField?: string };
  fetch?: SimFetch;
  clock?: Clock;
  /** Waits between paced attempts; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called after each attacker attempt (progress display). */
  onProgress?: (done: number, total: number) => void;
}

export interface SimTally {
  /** Login requests answered (each login counted once, however many retries it took). */
  attempts: number;
  /** Answered by the site (mamori let them through): successes plus failures. */
  allowed: number;
  /** Challenged at least once (whether or not the challenge was then solved). */
  challenged: number;
  /** Blocked (429/403 with x-mamori-action: block, or blocked after a solved challenge). */
  blocked: number;
  /** The site said the credentials were right. */
  succeeded: number;
  /** No usable answer (network error, timeout, 5xx, unexpected answer). */
  errors: number;
  /** Challenges solved and accepted. */
  solved: number;
}

export interface SimAttackerSuccess {
  /** Which attacker attempt, counting from 1. */
  readonly attempt: number;
  readonly ip: string;
  readonly username: string;
}

export interface SimReport {
  scenario: string;
  target: string;
  attacker: SimTally;
  user: SimTally;
  /** Attacker logins that succeeded (the first 100). */
  attackerSuccesses: SimAttackerSuccess[];
  /** HTTP requests sent in all (logins, retries, challenge answers; attacker and user). */
  requests: number;
  elapsedMs: number;
  /** Why the run ended before all attempts, if it did. */
  stoppedEarly?: 'time';
  /**
   * The account the attacker's guesses reached the site on most often, and how many did
   * (allowed through, answered by the site): what an attack achieved on one account.
   */
  mostGuessedAccount?: { username: string; reached: number };
}
