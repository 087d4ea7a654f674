/**
 * Login protection, framework-free: `check` before the password is
 * verified, `report` the outcome after. What it counts (reasoning and
 * sources in docs/login-protection.md):
 *
 * - consecutive failures per (user, source): challenge, then block with
 *   exponential back-off; a success clears them;
 * - consecutive failures per user from all sources: challenge, then the
 *   account is closed to untrusted sources (never more than 100 failures);
 * - distinct users failing from one source: credential stuffing;
 * - distinct users failing with one password: spraying, counted under a
 *   keyed hash of the password whose key is drawn at random for each window
 *   and held only in memory, then destroyed (see LoginKeys);
 * - failures site-wide: when they spike, untrusted logins are challenged.
 *
 * A device that presents a valid trusted-device token for the account is
 * counted on its own and passes the account-wide, source-wide and
 * site-wide measures: the owner gets in during an attack. Its failures on
 * the account are capped per day (per device, and for all the account's
 * devices together): past the cap it is an untrusted device there, so a
 * stolen cookie buys a bounded number of guesses.
 */
import { idString } from '../core/siphash.js';
import { strongest, type Decision } from '../core/decisions.js';
import { sourceKey, tryParseIp } from '../core/net.js';
import { hasFloors } from '../core/store.js';
import type { LoginProtectionConfig } from '../config/config.js';
import { DeviceTokens, type DeviceClaims } from './device-token.js';
import type { Verdict } from './verdict.js';
import { LoginKeys, type AttemptKeys } from './login-keys.js';
import { LoginEvents, LOGIN_ORIGIN as ORIGIN } from './login-events.js';
import { LoginLedger, later, type FailureCounts, type Tally, type Who } from './login-ledger.js';
import type { LoginAttempt, LoginGuardDeps, LoginReport, LoginVerdict, UsernameNormalization } from './login-types.js';
import { warnAtMostEveryMinute } from './webhook.js';

export { accountSkeleton, cleanAccountName } from './account-name.js';
export type { LoginAttempt, LoginGuardDeps, LoginReport, LoginVerdict, UsernameNormalization } from './login-types.js';

/** report's answer when there is nothing to hand back. */
const NO_REPORT: LoginReport = Object.freeze({});
const REPORTED: Promise<LoginReport> = Promise.resolve(NO_REPORT);
/** The period over which trusted devices' failures are capped (trusted_device.max_failures_*). */
const DEVICE_FAILURE_WINDOW_MS = 24 * 3_600_000;
/** A full store's floor under the account's count, for an event (LoginGuard.#floorNote): its count (0 for a closure's mark) and the words. */
interface FloorNote {
  readonly count: number;
  readonly text: string;
}
/** NIST SP 800-63B 5.2.2: no more than 100 consecutive failed attempts on one account. */
export const NIST_MAX_FAILURES = 100;
const ALLOW_UNTRUSTED: LoginVerdict = Object.freeze({ action: 'allow', ruleId: 'login', reason: 'under every threshold', trustedDevice: false });
const ALLOW_TRUSTED: LoginVerdict = Object.freeze({ action: 'allow', ruleId: 'login', reason: 'trusted device', trustedDevice: true });

/** A device's line for its trusted rounds (LoginGuard.#turn): attempts waiting at most, and how long a round may hold the turn. */
const LINE_MAX = 16;
const LINE_WAIT_MS = 1000;
const NO_TURN = (): void => {};
/** A device's line: the waiters' wake-ups (each given its turn's end, or NO_TURN), the first still waiting, when the turn was last given, the timer that ends a held turn's wait. */
interface Line {
  wake: ((end: () => void) => void)[];
  head: number;
  since: number;
  timer?: NodeJS.Timeout;
}

/** Trusted devices remembered as over their own day's budget, at most, and for how long (then one trusted round tells again). */
const SPENT_DEVICES = 10_000;
const SPENT_FOR_MS = 10 * 60_000;

export class LoginGuard {
  readonly config: LoginProtectionConfig;
  readonly devices: DeviceTokens;
  readonly #d: LoginGuardDeps;
  readonly #keys: LoginKeys;
  readonly #events: LoginEvents;
  /** Each attempt's counts in the store, and what the guard knows of it, from check to report. */
  readonly #ledger: LoginLedger;
  /**
   * Trusted devices this process found over their own day's budget (by their day counter's key),
   * and until when they go straight to the untrusted round: a stolen cookie's flood then stops
   * adding to the account's day count in flight, where the owner's other devices would read it
   * (S19T-1). Bounded; a later entry pushes out the oldest.
   */
  readonly #spent = new Map<string, number>();
  /**
   * The trusted round each device has in flight in this process (by its day counter's key), the
   * last in line: a device's trusted rounds go one at a time, so a stolen cookie's burst adds one
   * reservation at a time to the account's day count, where the owner's other devices read it,
   * not the whole burst (S19T-1, the first burst); once the first finds the device over its
   * budget, the rest skip the trusted round (#spent). A browser sends one login at a time; a
   * double submit waits a round trip. Entries live while a round is in flight.
   */
  readonly #rounds = new Map<string, Line>();
  /**
   * In detect mode (`mode: detect`) everything this guard records is marked as such: its
   * events and decisions carry the mark, and it counts in a namespace of its own (LoginKeys),
   * so that the same store run in enforce mode later never reads what detect mode counted.
   */
  readonly #detect: boolean;
  /** Store writes no answer waits for (a success's or a refusal's take-back, a challenge given), until they land: see settle(). */
  #pending = 0;
  /** settle()'s callers waiting for #pending to reach 0. */
  #idle: (() => void)[] = [];
  readonly #landed = (): void => {
    if (--this.#pending === 0 && this.#idle.length > 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  };
  readonly #failed = (err: unknown): void => {
    try {
      this.#onError(err);
    } finally {
      this.#landed();
    }
  };
  readonly #onError: (err: unknown) => void;

  constructor(config: LoginProtectionConfig, deps: LoginGuardDeps) {
    this.config = config;
    this.#d = deps;
    this.#detect = config.mode === 'detect';
    // (Every write behind an answer: a success's take-back, a refusal's, a challenge counted as
    // ignored; it said "a successful login" for all three, sending an operator after the wrong one.)
    this.#onError = deps.onError ?? warnAtMostEveryMinute('a login count could not be written');
    this.#keys = new LoginKeys({
      secret: deps.secret,
      random: deps.random,
      grouping: deps.grouping,
      detect: this.#detect,
      siteWindowMs: config.site.windowMs,
      sprayWindowMs: config.spraying.windowMs,
    });
    this.#events = new LoginEvents(deps.events, deps.clock, this.#detect);
    // What one failure counts, and for how long. The (account, source) count lives for its
    // window plus the longest back-off, so that waiting a lock out does not reset it.
    this.#ledger = new LoginLedger(deps.store, deps.clock, this.#keys, {
      pair: config.userSource.windowMs + config.userSource.backoffMaxMs,
      account: config.user.windowMs,
      site: config.site.windowMs * 2,
      deviceDay: DEVICE_FAILURE_WINDOW_MS,
      sourceAccounts: config.source.windowMs,
      passwordAccounts: config.spraying.windowMs * 2,
    });
    this.devices = new DeviceTokens(deps.secret, deps.clock, deps.random, config.trustedDevice.ttlMs);
  }

  /** Resolves when the store writes no answer waited for have landed (or failed, reported). */
  async settle(): Promise<void> {
    if (this.#pending > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** A write nobody waits for: kept until it lands, its failure reported, never thrown. */
  #background(p: Promise<unknown>): void {
    // (A count, not a set of promises: one reaction per write, nothing to add or delete.)
    this.#pending++;
    p.then(this.#landed, this.#failed);
  }

  /** The keyed hash an account is decided under (and, in `scope`, counted under: see LoginAttempt.scope). */
  userHash(username: string, scope?: string): string {
    return this.#keys.userHash(username, scope);
  }

  /**
   * The account a trusted-device token is issued and honoured for: the keyed hash of the name
   * as the site tells accounts apart (see UsernameNormalization). For `wordpress` it is
   * userHash. Undefined for a name longer than the hashed part (no site has one): it gets no token.
   */
  deviceUserHash(username: string, normalize: UsernameNormalization = 'exact', scope?: string): string | undefined {
    return this.#keys.deviceUserHash(username, normalize, scope);
  }

  /**
   * The store keys this guard counts an attempt under (for tools and tests that read the
   * counts): the (account, source) failures, the lock's end, the account's failures, the
   * source's failing accounts and, with a password, the accounts failing with it in this window.
   */
  counterKeys(a: LoginAttempt): { userSource: string; backoff: string; user: string; source: string; spray?: string } {
    return this.#keys.counterKeys(a, this.#device(a), this.#d.clock.now());
  }

  /** The account hash, verified device and counter keys of an attempt, worked out once per attempt object. */
  #who(a: LoginAttempt): Who {
    if (typeof a !== 'object' || a === null) throw new TypeError('a login attempt is an object with ip and username');
    return this.#ledger.get(a) ?? this.#ledger.open(a, this.#device(a));
  }

  /**
   * Settles an attempt the site never answered (no report will come): takes back what check
   * counted for it. Without this, a check that is never reported would hold a lock on its way.
   */
  async release(a: LoginAttempt): Promise<void> {
    if (typeof a !== 'object' || a === null) throw new TypeError('a login attempt is an object with ip and username');
    const w = this.#ledger.get(a);
    this.#ledger.forget(a);
    if (w) await this.#ledger.undo(w);
  }

  /**
   * For an operator who deleted one of this guard's decisions: lifts what it stood for, which
   * lives in the counts as well. A closed account's failures are forgotten (its closure,
   * NIST's included, and its challenges go); a source blocked for credential stuffing has its
   * failing accounts forgotten. In the namespace the decision was made in (detect mode's for a
   * detect-only one). A lock on one (account, source) pair runs out on its own.
   */
  async lift(d: Decision): Promise<void> {
    if (d.origin !== ORIGIN) return;
    const detect = d.detectOnly === true;
    if (d.scope === 'user') {
      const keys = this.#keys.accountCounts(d.value, detect);
      if (keys.length > 0) await this.#d.store.reset(keys);
    } else if (d.scope === 'ip' || d.scope === 'range') {
      // A range decision is on the grouped source network: its address groups the same way.
      const ip = d.scope === 'ip' ? d.value : d.value.slice(0, d.value.lastIndexOf('/'));
      await this.#d.store.reset(this.#keys.sourceCounts(ip, detect));
    }
  }

  /** Whether the attempt's solved challenge answers a challenge for `ruleId`. */
  #solved(a: LoginAttempt, ruleId: string): boolean {
    if (a.challengePassed !== true) return false;
    if (a.challengeBits === undefined || !this.#d.challengeDifficulty) return true;
    return a.challengeBits >= this.#d.challengeDifficulty(ruleId, a.challengeLevel ?? 0);
  }

  /**
   * How many bits harder a challenge for this source is: its failed logins in the window that
   * had solved a challenge (each one makes the next puzzle twice the work).
   */
  async challengeLevel(ip: string): Promise<number> {
    const [n] = await this.#d.store.read([this.#keys.sourceCount(ip, 'solved-failures')]);
    return Math.max(0, n ?? 0);
  }

  /**
   * Counts a login that a solved challenge is about to let through as a failure behind a solved
   * challenge before the site answers it, as the other counts are held at check: logins sent at
   * once each see the ones before them (their level, and block_after_failures). Resolves to its
   * place among them (1 for the first); the caller confirms it (noteChallenge 'failed' with that
   * place) or takes it back (releaseChallengeFailure).
   */
  async reserveChallengeFailure(ip: string): Promise<number> {
    const [n] = await this.#d.store.increment([{ key: this.#keys.sourceCount(ip, 'solved-failures'), by: 1, ttlMs: this.config.challenged.windowMs }]);
    return n ?? 1;
  }

  /** Takes back what reserveChallengeFailure counted (the login succeeded, or never went through). */
  async releaseChallengeFailure(ip: string): Promise<void> {
    await this.#d.store.increment([{ key: this.#keys.sourceCount(ip, 'solved-failures'), by: -1, ttlMs: this.config.challenged.windowMs }]);
  }

  /**
   * What a source did with a login challenge: `ignored` (given one and came back without
   * solving it, or never came back), `solved` (answered one: takes an `ignored` back), or
   * `failed` (a login let through by a solved challenge failed). A source past
   * challenged.block_after_failures or block_after_ignored in the window gets a block
   * decision (on its address, or its grouped network), with the reason. Resolves to the
   * decision when this call made one.
   */
  async noteChallenge(a: LoginAttempt, what: 'ignored' | 'solved' | 'failed', counted?: number): Promise<Decision | undefined> {
    const c = this.config.challenged;
    const key = this.#keys.sourceCount(a.ip, what === 'failed' ? 'solved-failures' : 'ignored-challenges');
    // A failure already counted when its login was checked (reserveChallengeFailure): its place then.
    const [n] = what === 'failed' && counted !== undefined ? [counted] : await this.#d.store.increment([{ key, by: what === 'solved' ? -1 : 1, ttlMs: c.windowMs }]);
    const limit = what === 'failed' ? c.blockAfterFailures : what === 'ignored' ? c.blockAfterIgnored : undefined;
    if (limit === undefined || n !== limit) return undefined;
    const reason =
      what === 'failed'
        ? `${n} failed logins after solving challenges from this source`
        : `${n} login challenges this source did not solve`;
    if (tryParseIp(a.ip) === undefined) return undefined;
    const uh = a.username === '' ? '' : this.userHash(a.username);
    return this.#decide(this.#sourceScope(a.ip), c.blockForMs, reason, a, uh, what === 'failed' ? 'challenge-failures' : 'challenges-ignored');
  }

  /**
   * A challenge given to the attempt's source: counted as ignored until it is solved (noteChallenge
   * 'ignored'), without waiting: the answer carrying the challenge does not depend on it. The
   * write lands in the background (settle()); a block decision past block_after_ignored with it.
   */
  challengeGiven(a: LoginAttempt): void {
    this.#background(this.noteChallenge(a, 'ignored'));
  }

  /** The attempt's device token, when it is valid and for this account as the site tells accounts apart. */
  #device(a: LoginAttempt): DeviceClaims | undefined {
    if (!this.config.trustedDevice.enabled || !a.deviceToken) return undefined;
    const claims = this.devices.verify(a.deviceToken);
    return claims && claims.userHash === this.deviceUserHash(a.username, a.normalize, a.scope) ? claims : undefined;
  }

  /** Whether a trusted device has used up its failures on the account for the day (`days`: the two day counts). */
  #overDeviceBudget(days: readonly number[]): boolean {
    const t = this.config.trustedDevice;
    return (days[0] ?? 0) >= t.maxFailuresPerDevice || (days[1] ?? 0) >= t.maxFailuresPerAccount;
  }

  /**
   * The device's turn for a trusted round: at once (no round of its own in flight in this
   * process, the common case: nothing waits), or when the rounds before it are over, in order.
   * The function it gives ends the turn (calling it again does nothing); NO_TURN: none is given
   * (the line is full, or its round has held the turn past LINE_WAIT_MS), count it as untrusted.
   */
  #turn(device: string): (() => void) | Promise<() => void> {
    const line = this.#rounds.get(device);
    if (!line) {
      this.#rounds.set(device, { wake: [], head: 0, since: performance.now() });
      return this.#ender(device);
    }
    // A line that is long, or whose round has held its turn too long (a store call that hangs),
    // is not waited for: the attempt is counted as untrusted, as a device over its budget is (a
    // flood with a cookie delays its other attempts by LINE_MAX rounds at most, and never adds to
    // the account's device day in flight); those already waiting when the turn has been held
    // LINE_WAIT_MS are sent on the same way (#stale).
    if (line.wake.length - line.head >= LINE_MAX || performance.now() - line.since > LINE_WAIT_MS) return NO_TURN;
    line.timer ??= this.#staleTimer(device, line, LINE_WAIT_MS);
    return new Promise((resolve) => line.wake.push(resolve));
  }

  #staleTimer(device: string, line: Line, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => this.#stale(device, line), Math.max(1, ms));
    t.unref?.();
    return t;
  }

  /** The turn has been held LINE_WAIT_MS: every attempt waiting goes on without one (untrusted). */
  #stale(device: string, line: Line): void {
    line.timer = undefined;
    if (this.#rounds.get(device) !== line || line.head === line.wake.length) return;
    const held = performance.now() - line.since;
    if (held < LINE_WAIT_MS) {
      line.timer = this.#staleTimer(device, line, LINE_WAIT_MS - held);
      return;
    }
    const waiting = line.wake.slice(line.head);
    line.wake = [];
    line.head = 0;
    for (const wake of waiting) wake(NO_TURN);
  }

  #ender(device: string): () => void {
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const line = this.#rounds.get(device)!;
      if (line.head === line.wake.length) {
        if (line.timer) clearTimeout(line.timer);
        this.#rounds.delete(device);
        return;
      }
      const next = line.wake[line.head++]!;
      line.since = performance.now();
      // (a long line is cut from the front now and then, not shifted one at a time: linear in its length)
      if (line.head >= 1024 && line.head * 2 >= line.wake.length) {
        line.wake = line.wake.slice(line.head);
        line.head = 0;
      }
      next(this.#ender(device));
    };
  }

  /** Before the password is verified: allow, challenge or block this attempt. Its reads and writes go out together. */
  check(a: LoginAttempt): Promise<LoginVerdict> {
    let who: Who;
    try {
      who = this.#who(a);
    } catch (err) {
      return Promise.reject(err);
    }
    // One check of an attempt at a time: a second one while the first is in flight would overwrite
    // the first's pending reservation, and a failure would stay counted after release (S24R-3).
    // (a flag on the common path: no promise of its own, no await more than before)
    if (who.checking) return new Promise<void>((resolve) => (who.waiting ??= []).push(resolve)).then(() => this.#check(a, who));
    return this.#check(a, who);
  }

  async #check(a: LoginAttempt, who: Who): Promise<LoginVerdict> {
    who.checking = true;
    try {
      const c = this.config;
      // Checked again before any report: the earlier reservation is taken back first.
      if (who.reserved) await this.#ledger.undo(who);
      let release: (() => void) | undefined;
      if (who.device) {
        const turn = this.#turn(who.k.deviceDay);
        release = typeof turn === 'function' ? turn : await turn;
        if (release === NO_TURN) this.#ledger.distrust(a, who);
      }
      let n: Tally;
      try {
        if (who.device && (this.#spent.get(who.k.deviceDay) ?? 0) > this.#d.clock.now()) {
          release!();
          this.#ledger.distrust(a, who);
        }
        // The attempt is counted now, as a failure; report settles it.
        n = this.#ledger.tally(who, await this.#ledger.round(a, who));
        // A trusted device is counted as one in the same round as the rest. One whose failures on the
        // account for the day were used up before this attempt (the counts the round's increments
        // give back, so parallel attempts each see the ones before them) is counted again as
        // untrusted: a second round, for such a device only.
        if (who.device && this.#overDeviceBudget([n.deviceDay, n.deviceUserDay])) {
          // (only its own count, which no other device adds to, is remembered: the account's can be another's in flight)
          if (n.deviceDay >= c.trustedDevice.maxFailuresPerDevice) {
            if (this.#spent.size >= SPENT_DEVICES) this.#spent.delete(this.#spent.keys().next().value!);
            this.#spent.set(who.k.deviceDay, who.k.now + SPENT_FOR_MS);
          }
          release!();
          await this.#ledger.retract(who);
          this.#ledger.distrust(a, who);
          n = this.#ledger.tally(who, await this.#ledger.round(a, who));
        }
      } finally {
        release?.();
      }
      const trusted = who.by === 0;
      let v = this.#evaluate(a, who.uh, trusted, who.k, n.decisions, n, this.#mayBeClosedWithoutDecision(who, n) && (await this.#closedWithoutDecision(who)));
      if (v === ALLOW_UNTRUSTED || v === ALLOW_TRUSTED || v.action === 'allow' || v.detectOnly) {
        this.#ledger.keep(who);
        return v;
      }
      // A challenge carries the source's level, read in the same round: its difficulty needs no other.
      if (v.action === 'challenge') v = { ...v, challengeLevel: n.challengeLevel };
      // Refused: not a failure. A lock that was due but whose failure was never reported (the
      // site did not answer) is set here, so that it has an end. The refusal is answered without
      // waiting for the take-back: until it lands the counts err high, never low (an attack's
      // refused guesses cost one round trip each on a networked store, not two).
      const lockDue = v.ruleId === 'login.user-source' && n.backoffUntil === 0 && n.userSource >= c.userSource.blockAfter;
      const lock = lockDue ? { key: who.k.backoff, by: Math.ceil((who.k.now + c.userSource.backoffBaseMs) / 1000), ttlMs: c.userSource.backoffBaseMs + c.userSource.windowMs } : undefined;
      this.#background(this.#ledger.refund(a, who, lock));
      return v;
    } finally {
      const next = who.waiting?.shift();
      if (next) next();
      else who.checking = false;
    }
  }

  /**
   * Whether an account past close_after is closed though no decision says so: its closure
   * decision was dropped by a store at its decision cap (a flood of blocked sources and closed
   * accounts), but the closure's mark, kept in the counters where no flood evicts it, stands.
   * Read only for an untrusted attempt on such an account.
   */
  #mayBeClosedWithoutDecision(who: Who, n: Tally): boolean {
    if (who.by === 0 || n.user < this.config.user.closeAfter) return false;
    return !n.decisions.some((d) => d.scope === 'user' && d.origin === ORIGIN);
  }

  /** The read #mayBeClosedWithoutDecision calls for (only then: the other attempts wait for nothing). */
  async #closedWithoutDecision(who: Who): Promise<boolean> {
    const [mark = 0] = await this.#d.store.read([who.k.closed]);
    return mark > who.k.now / 1000;
  }

  /** The verdict from the counts before the attempt (`n`) and the decisions on it; `closed`: see #closedWithoutDecision. */
  #evaluate(a: LoginAttempt, uh: string, trusted: boolean, k: AttemptKeys, decisions: readonly Decision[], n: Tally, closed: boolean): LoginVerdict {
    const c = this.config;
    // Decisions: an operator's allow wins; automatic login decisions do not bind a trusted device.
    const applicable = trusted ? decisions.filter((d) => d.origin !== ORIGIN || d.scope === 'device') : decisions;
    const decided = strongest(applicable, this.#detect);
    if (decided && decided.action === 'allow') return this.#verdict('allow', `decision:${decided.id}`, decided.reason, trusted);
    if (decided) {
      const v = this.#refuse(a, uh, trusted, decided.action, `decision:${decided.id}`, decided.reason, (decided.expiresAt - k.now) / 1000);
      // The login protection's own decisions do not hold a trusted device: the block page says so.
      return decided.origin === ORIGIN && decided.scope !== 'device' && v.action !== 'allow' ? { ...v, trustedDevicesPass: true } : v;
    }

    const nowSec = k.now / 1000;
    if (n.backoffUntil > nowSec) {
      // (Clamped: two writers racing on the lock cannot push it past the longest back-off.)
      const wait = Math.min(n.backoffUntil - nowSec, c.userSource.backoffMaxMs / 1000);
      return this.#refuse(a, uh, trusted, 'block', 'login.user-source', `${n.userSource} consecutive failures for this account from this source`, wait);
    }
    if (n.userSource >= c.userSource.blockAfter && n.backoffUntil === 0) {
      // The lock is on its way (the failure that sets it is still with the site): hold this one.
      return this.#refuse(a, uh, trusted, 'block', 'login.user-source', `${n.userSource} consecutive failures for this account from this source`, c.userSource.backoffBaseMs / 1000);
    }
    if (!trusted) {
      if (closed) return this.#refuse(a, uh, trusted, 'block', 'login.user', `account closed to untrusted devices after ${n.user} failures`, c.user.closeForMs / 1000, this.#floorNote(k, nowSec));
      if (n.user >= NIST_MAX_FAILURES) return this.#refuse(a, uh, trusted, 'block', 'login.user', `account closed to untrusted devices after ${n.user} failures`, c.user.windowMs / 1000, this.#floorNote(k));
      if (n.spray >= c.spraying.blockAfterUsers) return this.#refuse(a, uh, trusted, 'block', 'login.spraying', `this password failed for ${n.spray} accounts`, c.spraying.windowMs / 1000);
      if (n.sourceUsers >= c.source.blockAfterUsers) return this.#refuse(a, uh, trusted, 'block', 'login.stuffing', `${n.sourceUsers} accounts failed from this source`, c.source.blockForMs / 1000);
      if (n.spray >= c.spraying.challengeAfterUsers) return this.#refuse(a, uh, trusted, 'challenge', 'login.spraying', `this password failed for ${n.spray} accounts`, c.spraying.windowMs / 1000);
      if (n.sourceUsers >= c.source.challengeAfterUsers) return this.#refuse(a, uh, trusted, 'challenge', 'login.stuffing', `${n.sourceUsers} accounts failed from this source`, c.source.windowMs / 1000);
      if (n.user >= c.user.challengeAfter) return this.#refuse(a, uh, trusted, 'challenge', 'login.user', `${n.user} failures for this account`, c.user.windowMs / 1000, this.#floorNote(k));
    }
    if (n.userSource >= c.userSource.challengeAfter) return this.#refuse(a, uh, trusted, 'challenge', 'login.user-source', `${n.userSource} consecutive failures from this source`, c.userSource.windowMs / 1000);
    if (!trusted && n.site >= c.site.challengeAboveFailures) {
      return this.#refuse(a, uh, trusted, 'challenge', 'login.site', `${Math.round(n.site)} failed logins site-wide in the last window`, c.site.windowMs / 1000);
    }
    return trusted ? ALLOW_TRUSTED : ALLOW_UNTRUSTED;
  }

  /** `floor`: what #floorNote says of the account's count, for the event (not the verdict's reason). */
  #refuse(a: LoginAttempt, uh: string, trusted: boolean, action: Verdict['action'], ruleId: string, reason: string, retryAfter?: number, floor?: FloorNote): LoginVerdict {
    return this.#finish(this.#verdict(action, ruleId, reason, trusted, retryAfter), a, uh, floor);
  }

  /**
   * Whether a full store's floor may be behind a refusal or a closure by the account's count: a
   * flood that filled the counter table left every account it no longer holds reading the
   * highest count it evicted (CounterOp.floor), so an account the attacker never touched can be
   * challenged or closed by it. The event says so, and how much (`mamori counters floors` shows
   * the floors, `reset-floors` drops them). `closedAt`: the refusal is the closure's mark, whose
   * floor is a time (seconds) rather than a count. Undefined when no floor stands.
   */
  #floorNote(k: AttemptKeys, closedAt?: number): FloorNote | undefined {
    const st = this.#d.store;
    if (!hasFloors(st) || typeof st.floorOf !== 'function') return undefined;
    const f = st.floorOf(k.user);
    if (closedAt !== undefined && st.floorOf(k.closed) > closedAt) return { count: f, text: "; a flood has left the counter table a floor of closed accounts (mamori counters floors): this closure may be that floor's, not this account's" };
    // (the floor as it stands now: whether this account's count started from it, the table cannot tell; red team S46C)
    return f > 0 ? { count: f, text: `; a flood has left the counter table a floor of ${f} (mamori counters floors): if this account's count was evicted during it, up to ${f} of these may not be its own` } : undefined;
  }

  #verdict(action: Verdict['action'], ruleId: string, reason: string, trusted: boolean, retryAfter?: number): LoginVerdict {
    // (Fields added one by one, in this order, rather than spread in: every refusal makes one.)
    const v: { -readonly [K in keyof LoginVerdict]: LoginVerdict[K] } = { action, ruleId, reason, trustedDevice: trusted };
    if (retryAfter !== undefined) v.retryAfter = Math.max(1, Math.ceil(retryAfter));
    if (action === 'challenge') v.difficulty = 0;
    if (this.#detect && action !== 'allow') v.detectOnly = true;
    return v;
  }

  #finish(v: LoginVerdict, a: LoginAttempt, uh: string, floor?: FloorNote): LoginVerdict {
    if (v.action === 'challenge' && this.#solved(a, v.ruleId!)) return { ...v, action: 'allow', reason: `${v.reason}; challenge solved`, challengeSolved: true };
    if (v.action !== 'allow') {
      this.#events.emit(`login-${v.action === 'block' ? 'blocked' : 'challenged'}`, a, uh, 'failure', {
        'rule.id': v.ruleId,
        'event.reason': floor ? v.reason + floor.text : v.reason,
        'mamori.counter_floor': floor?.count || undefined,
      });
    }
    return v;
  }

  /**
   * After the site answered. On a success the report carries a trusted-device token for the
   * client, unless `opts.deviceToken` is false (a caller that issues its own, as the Guard does).
   */
  report(a: LoginAttempt, success: boolean, opts?: { deviceToken?: boolean; awaitWrites?: boolean }): Promise<LoginReport> {
    // The attempt ends here: take what check worked out, and forget it.
    let who: Who;
    try {
      who = this.#who(a);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#ledger.forget(a);
    return success ? this.#success(a, who, opts?.deviceToken !== false, opts?.awaitWrites !== false) : this.#failure(a, who);
  }

  async #success(a: LoginAttempt, who: Who, token: boolean, awaitWrites: boolean): Promise<LoginReport> {
    const { uh, device } = who;
    const st = this.#d.store;
    // Check counted this attempt as a failure: it was not one (nor is this account, by this
    // attempt, among the source's or the password's failing ones). Taken back.
    // A success clears only this source's (or this device's) failures. The account-wide count (and
    // a trusted device's count for the day) is left to expire with its window: if the owner's
    // logins cleared it, each of them would hand an attacker (or a stolen cookie) fresh guesses.
    // With the counts check reserved in hand, the clearing goes with the take-back (one round
    // trip on a networked store); without them, after the read of the pair's count.
    // The counts before this success come from check's reservation. The take-back and the
    // clearing are bookkeeping: a caller that answers the login only after report (the library
    // form's reportCredentials) need not wait for them (on a networked store they go out with
    // the next check's round trip); until they land the counts err high, never low.
    const k = who.k;
    let sourceFailures: number;
    let accountFailures: number;
    if (who.reserved !== undefined) {
      const s = this.#ledger.successReserved(a, who);
      ({ pair: sourceFailures, account: accountFailures } = s);
      s.writes.push(later(() => st.reset([k.userSource, k.backoff])));
      const written = Promise.all(s.writes);
      if (awaitWrites) await written;
      else this.#background(written);
    } else {
      ({ pair: sourceFailures, account: accountFailures } = await this.#ledger.success(a, who));
      await st.reset([k.userSource, k.backoff]);
    }
    this.#events.emitCounted('login-success', a, uh, 'success', sourceFailures || undefined);
    const n = this.config.notifyAfterFailures;
    const failures = Math.max(sourceFailures, accountFailures);
    // Tell the site once per window when the account has been under attack, and every time a
    // source succeeds right after failing many times itself (a guess that worked). The account
    // as counted, in its application: another application's account of the name has its own notice.
    const notify =
      sourceFailures >= n ||
      (accountFailures >= n && (await st.claim(`${this.#keys.ns}:notified:${idString(who.uhHi, who.uhLo)}:${Math.floor(k.now / this.config.user.windowMs)}`, this.config.user.windowMs)));
    if (notify) {
      this.#events.emit('login-success-after-failures', a, uh, 'success', {
        'event.severity': 73,
        'event.reason': `successful login after ${failures} failures (${sourceFailures} from this source)`,
        'mamori.count': failures,
      });
    }
    const owner = token && this.config.trustedDevice.enabled ? this.deviceUserHash(a.username, a.normalize, a.scope) : undefined;
    if (owner === undefined) return {};
    // A device that was not trusted here (none, another account's, or one past its day's cap) gets a new id.
    const issued = this.devices.issue(owner, device?.deviceId);
    return { deviceToken: issued.token, deviceTtlMs: this.devices.ttlMs };
  }

  /**
   * A failed login: counted (unless check counted it already), then the events and the
   * follow-ups (a lock, a decision). (Not an async function: the common case, a failure check
   * counted, has nothing to wait for, and answers with one shared settled promise.)
   */
  #failure(a: LoginAttempt, who: Who): Promise<LoginReport> {
    try {
      // Counted already when check let the attempt through; counted now when report comes alone.
      if (!who.reserved) return this.#ledger.failure(a, who).then((f) => this.#afterFailure(a, who, f));
      this.#ledger.now(a, who);
      return this.#afterFailure(a, who, who.reserved);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** A counted failure's events and follow-ups, from the counts after it. */
  #afterFailure(a: LoginAttempt, who: Who, f: FailureCounts): Promise<LoginReport> {
    const c = this.config;
    const st = this.#d.store;
    const { uh, device, k } = who;
    const trusted = device !== undefined;
    const { userSource, user, site, sourceUsers, sprayUsers, deviceDay, deviceUserDay } = f;
    this.#events.emitCounted('login-failure', a, uh, 'failure', userSource, k.now);
    let jobs: Promise<unknown>[] | undefined;
    if (userSource >= c.userSource.blockAfter) {
      const steps = userSource - c.userSource.blockAfter;
      const ms = Math.min(c.userSource.backoffMaxMs, c.userSource.backoffBaseMs * 2 ** Math.min(steps, 30));
      const until = Math.ceil((k.now + ms) / 1000);
      // The lock's end, kept past it (a lock that has run out still reads as set: see #evaluate).
      (jobs ??= []).push(st.reset([k.backoff]).then(() => st.increment([{ key: k.backoff, by: until, ttlMs: ms + c.userSource.windowMs }])));
      const reason = `${userSource} consecutive failures from one source; locked for ${Math.round(ms / 1000)}s`;
      this.#events.emit('lockout', a, uh, 'failure', { 'event.severity': 50, 'event.reason': reason, 'rule.id': 'login.user-source', 'mamori.count': userSource });
    }
    if (!trusted && user >= c.user.closeAfter) {
      // Crossing close_after closes the account. A failure past it closes it too when no closure
      // is marked in the account's window: the count stepped over close_after without this process
      // seeing it cross (the attempt that crossed was taken back after a later one was counted, or
      // the count came back from a full store's floor). Red team, issue 10: either let the
      // attacker go on to NIST's 100 in the hour. A closure that ran its close_for is marked: the
      // account is challenged then, not closed again.
      const close = () => this.#close(a, who, user, this.#floorNote(k));
      if (user - 1 < c.user.closeAfter) (jobs ??= []).push(close());
      else (jobs ??= []).push(st.read([k.closed]).then(([mark = 0]) => (mark === 0 ? close() : undefined)));
    }
    if (!trusted && sourceUsers === c.source.blockAfterUsers) {
      (jobs ??= []).push(this.#decide(this.#sourceScope(a.ip), c.source.blockForMs, `credential stuffing: ${sourceUsers} accounts failed from this source`, a, uh, 'credential-stuffing'));
    }
    if (!trusted && sprayUsers === c.spraying.blockAfterUsers) {
      const reason = `one password failed for ${sprayUsers} accounts`;
      this.#events.emit('password-spraying', a, uh, 'failure', { 'event.severity': 73, 'event.reason': reason, 'rule.id': 'login.spraying', 'mamori.count': sprayUsers });
    }
    if (!trusted && site === c.site.challengeAboveFailures) {
      this.#events.emit('site-attack', a, uh, 'failure', { 'event.severity': 73, 'event.reason': `${site} failed logins site-wide in one window`, 'rule.id': 'login.site', 'mamori.count': site });
    }
    const t = c.trustedDevice;
    if (trusted && (deviceDay === t.maxFailuresPerDevice || deviceUserDay === t.maxFailuresPerAccount)) {
      // The owner rarely fails this often: their cookie may have been stolen. Tell the site.
      this.#events.emit('device-capped', a, uh, 'failure', {
        'event.severity': 73,
        'event.reason':
          deviceDay === t.maxFailuresPerDevice
            ? `a trusted device failed ${deviceDay} times on this account today: it counts as untrusted there until the day is over`
            : `the account's trusted devices failed ${deviceUserDay} times today: none counts as trusted there until the day is over`,
        'rule.id': 'login.device',
        'mamori.count': Math.max(deviceDay, deviceUserDay),
      });
    }
    return jobs ? Promise.all(jobs).then(() => NO_REPORT) : REPORTED;
  }

  /**
   * Closes an account to untrusted devices, in the application whose failures closed it (the
   * account as counted: see LoginAttempt.scope): a decision, and a mark in the counters holding
   * the closure's end (in seconds, as the pair's lock) for the account's window. The mark ranks
   * above every count, so a flood evicts it last; it holds the closure when a store at its
   * decision cap drops the decision (#closedWithoutDecision), and says the account was closed in
   * this window once the closure ran out. Lift resets the count and the mark when the decision
   * is deleted.
   */
  #close(a: LoginAttempt, who: Who, user: number, floor?: FloorNote): Promise<unknown> {
    const c = this.config.user;
    const st = this.#d.store;
    const until = Math.ceil((who.k.now + c.closeForMs) / 1000);
    return Promise.all([
      // (Floored too: a full store evicts floored entries last, and of them the lowest first.)
      st.reset([who.k.closed]).then(() => st.increment([{ key: who.k.closed, by: until, ttlMs: Math.max(c.closeForMs, c.windowMs), floor: true }])),
      this.#decide({ scope: 'user', value: idString(who.uhHi, who.uhLo) }, c.closeForMs, `account closed to untrusted devices after ${user} failures${floor?.text ?? ''}`, a, who.uh, 'account-closed', floor?.count),
    ]);
  }

  /** A decision on a source: its grouped network when sources are grouped, else its address. */
  #sourceScope(ip: string): { scope: 'ip' | 'range'; value: string } {
    const src = sourceKey(ip, this.#d.grouping);
    return tryParseIp(ip) && src.includes('/') ? { scope: 'range', value: src } : { scope: 'ip', value: ip };
  }

  async #decide(on: { scope: 'user' | 'ip' | 'range'; value: string }, ttlMs: number, reason: string, a: LoginAttempt, uh: string, action: string, floor?: number): Promise<Decision> {
    const d = await this.#d.store.decisions.add({
      action: 'block',
      scope: on.scope,
      value: on.value,
      expiresAt: this.#d.clock.now() + ttlMs,
      origin: ORIGIN,
      reason,
      ...(this.#detect ? { detectOnly: true as const } : {}),
    });
    this.#events.emit(action, a, uh, 'failure', {
      'event.severity': 73,
      'event.reason': reason,
      'mamori.decision.id': d.id,
      'mamori.decision.action': 'block',
      'rule.id': `login.${action}`,
      'mamori.counter_floor': floor || undefined,
    });
    return d;
  }
}
