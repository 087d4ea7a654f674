/**
 * The login guard's bookkeeping of one attempt in the store, from check to report: an attempt
 * is counted as a failure when it is checked (a reservation), with the reads its verdict needs
 * in the same round; report settles the reservation, a refusal or a release takes it back.
 * Counting at check time, not when the site answers, is what stops many parallel guesses from
 * all passing the same check (or many accounts from one source, or one password against many
 * accounts): each sees the ones before it.
 *
 * Mechanics only: what is counted and for how long (Lifetimes), and what the counts mean, is
 * login.ts's policy. What the guard knows of an attempt is kept here, keyed by the attempt
 * object, never on the caller's object: a copy of it is another attempt, a frozen one is held
 * like any other.
 */
import type { Clock } from '../core/clock.js';
import type { Decision, Subject } from '../core/decisions.js';
import type { CounterOp, DistinctOp, Store } from '../core/store.js';
import { idString } from '../core/siphash.js';
import type { DeviceClaims } from './device-token.js';
import type { AttemptKeys, LoginKeys } from './login-keys.js';
import type { LoginAttempt } from './login-types.js';

/** How long each count one failure adds lives, in ms. */
export interface Lifetimes {
  /** The (account, source) pair's consecutive failures. */
  pair: number;
  account: number;
  /** The site's failures, per window (the count lives for two: the sliding window reads the last). */
  site: number;
  /** A trusted device's failures on an account, and those of all the account's devices. */
  deviceDay: number;
  /** The accounts failing from a source, and with a password. */
  sourceAccounts: number;
  passwordAccounts: number;
}

/** A failure's counts after it: the reservation's, or those of a failure counted at report. */
export interface FailureCounts {
  userSource: number;
  user: number;
  site: number;
  /** The source's and the password's distinct failing accounts. */
  sourceUsers: number;
  sprayUsers: number;
  /** A trusted device's failures on the account today, and those of all its devices (0 when untrusted). */
  deviceDay: number;
  deviceUserDay: number;
}

/** What check counted for an attempt it let through: the counts after it. */
interface Reservation extends FailureCounts {
  by: number;
  /** The site window it was counted in (which may have closed since). */
  siteKey: string;
  /**
   * This attempt's holds on its account in the distinct-account sets: a success, a release or
   * a refusal gives them back (an earlier failure's or a parallel attempt's holds keep it in).
   */
  marks: readonly DistinctOp[];
  /** When those holds were taken (the store's time of the additions, or just after). */
  heldAt: number;
}

/** What the guard knows of one attempt from check to report. */
export interface Who {
  /** The account hash decisions and events name. */
  uh: string;
  /** The account hash's two 32-bit halves, signed, in the attempt's application (see LoginAttempt.scope). */
  uhHi: number;
  uhLo: number;
  device: DeviceClaims | undefined;
  k: AttemptKeys;
  /** 1 for an untrusted attempt, 0 for a trusted device (counted on its own pair only). */
  by: number;
  /** What check counted for it, while it is let through and not yet reported. */
  reserved: Reservation | undefined;
  /** The last check's counts, kept or taken back once its verdict is known. */
  pending: Reservation | undefined;
  /** The last round's shape: whether it left the closed site window unread, its reads, its set additions. */
  prevKnown: boolean;
  reads: number;
  distinct: readonly DistinctOp[];
  /** A check of this attempt is in flight; the checks of it that came while it was, waiting their turn (S24R-3). */
  checking: boolean;
  waiting: (() => void)[] | undefined;
}

/** A round's answers: the counts after the failure ops, the reads, the decisions, the set counts. */
export type Answers = [number[], number[], Decision[], number[]];

/** The counts before an attempt that its verdict is made from, and the decisions on it. */
export interface Tally {
  userSource: number;
  user: number;
  /** Failures in the sliding site window. */
  site: number;
  /** The pair's lock end, in seconds (0: none). */
  backoffUntil: number;
  sourceUsers: number;
  /** Accounts failing with the password, this window or the last, whichever is more. */
  spray: number;
  deviceDay: number;
  deviceUserDay: number;
  /** The source's failures behind solved challenges: how many bits harder its next challenge is. */
  challengeLevel: number;
  decisions: readonly Decision[];
}

const NONE: number[] = [];
/** Where a failure's ops (#failureOps) put a trusted device's day counts: after the pair's alone for a trusted attempt (by 0), after the pair's, the account's and the site's for an untrusted one. */
const DEVICE_AT = [1, 3] as const;
const NO_DISTINCT: readonly DistinctOp[] = Object.freeze([]);
/** With a store whose clock is not in this process: how far its clock may run ahead of the guard's. */
const HELD_AT_SKEW_MS = 5000;
/** How long a read of the closed site window is used again (it only changes by late take-backs). */
const SITE_PREV_FRESH_MS = 1000;

/** The ops that give back holds taken at `heldAt` (see DistinctOp.heldAt). */
function giveBack(marks: readonly DistinctOp[], heldAt: number): DistinctOp[] {
  return marks.map((op) => ({ key: op.key, member: op.member, ttlMs: op.ttlMs, heldAt }));
}

/** A store call as a promise, also when the store throws instead of rejecting. */
export function later<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (err) {
    return Promise.reject(err);
  }
}

export class LoginLedger {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #keys: LoginKeys;
  readonly #life: Lifetimes;
  readonly #held = new WeakMap<LoginAttempt, Who>();
  /**
   * The attempt opened last, held here rather than in #held until another is opened: a login
   * checked and reported before the next one starts (most) never touches the WeakMap. At most
   * one attempt is held strongly this way, an abandoned one until the next is opened.
   */
  #lastAttempt: LoginAttempt | undefined;
  #lastWho: Who | undefined;
  /** The closed site window's count, as read at #sitePrevAt. */
  #sitePrevValue = 0;
  #sitePrevAt = Number.NEGATIVE_INFINITY;

  constructor(store: Store, clock: Clock, keys: LoginKeys, life: Lifetimes) {
    this.#store = store;
    this.#clock = clock;
    this.#keys = keys;
    this.#life = life;
  }

  /** The attempt's Who, if check or report worked it out and it is not settled. */
  get(a: LoginAttempt): Who | undefined {
    return a === this.#lastAttempt ? this.#lastWho : this.#held.get(a);
  }

  /** Starts holding an attempt: its account hash and keys, worked out once (`device`: its verified trusted device). */
  open(a: LoginAttempt, device: DeviceClaims | undefined): Who {
    // Counted in the attempt's application; decided (and reported in events) by name alone.
    const words = this.#keys.accountWords(a.username, a.scope);
    const uhHi = words[0]! | 0;
    const uhLo = words[1]! | 0;
    const uh = a.scope === undefined || a.scope === '' ? idString(uhHi, uhLo) : this.#keys.userHash(a.username);
    const k = this.#keys.attempt(a, uhHi, uhLo, device);
    const who: Who = { uh, uhHi, uhLo, device, k, by: device !== undefined ? 0 : 1, reserved: undefined, pending: undefined, prevKnown: false, reads: 0, distinct: NO_DISTINCT, checking: false, waiting: undefined };
    const last = this.#lastAttempt;
    if (last !== undefined && last !== a) this.#held.set(last, this.#lastWho!);
    else if (last === a) this.#held.delete(a);
    this.#lastAttempt = a;
    this.#lastWho = who;
    return who;
  }

  /** Makes an attempt's device an untrusted one for this account (its day's failures are used up). */
  distrust(a: LoginAttempt, who: Who): void {
    who.device = undefined;
    who.by = 1;
    who.k = this.#keys.attempt(a, who.uhHi, who.uhLo, undefined);
  }

  /** Forgets a settled attempt. */
  forget(a: LoginAttempt): void {
    if (a === this.#lastAttempt) {
      this.#lastAttempt = undefined;
      this.#lastWho = undefined;
    } else this.#held.delete(a);
  }

  /** Brings the time-dependent keys (site and spray windows) of an attempt up to now. */
  now(a: LoginAttempt, who: Who): AttemptKeys {
    return this.#keys.refresh(a, who.k, this.#clock.now());
  }

  /**
   * Takes back the pending reservation of an attempt that is counted again (a trusted device found
   * over its day's budget by the round itself: counted once more as untrusted).
   */
  async retract(who: Who): Promise<void> {
    const r = who.pending;
    if (!r) return;
    who.pending = undefined;
    await this.#takeBack(who.k, r);
  }

  /**
   * Takes back what a reservation counted, from the site window it was counted in, and its holds,
   * with `extra` written in the same call. (Independent writes, sent together: one round trip on
   * a networked store.)
   */
  #takeBack(k: AttemptKeys, r: Reservation, extra?: CounterOp): Promise<unknown> {
    const writes = this.#takeBackOps(k, r.by, r.siteKey);
    if (extra) writes.push(extra);
    return Promise.all([this.#store.increment(writes), r.marks.length ? this.#store.removeDistinct(giveBack(r.marks, r.heldAt)) : undefined]);
  }

  /**
   * The counts one failure adds. The (account, source) count lives for its window plus the
   * longest back-off, so that waiting a lock out does not reset it; a trusted device's failure
   * counts against its day's budget (never reset by a success). A trusted device (by 0) adds to
   * nothing else: no op for the account's or the site's count, which it does not add to (an op
   * adding 0 would only make an empty counter). Its day's counts come after the untrusted
   * ops' place: DEVICE_AT[by].
   */
  #failureOps(k: AttemptKeys, by: number, siteKey = k.siteNow): CounterOp[] {
    const l = this.#life;
    // (Every op the same shape, { key, by, ttlMs }: the store's loop reads them through one map.)
    const ops: CounterOp[] = [{ key: k.userSource, by: 1, ttlMs: l.pair }];
    if (by !== 0) {
      ops.push(
        // The account's count never reads lower for a flood of other keys (see CounterOp.floor): its
        // limit holds however many keys an attacker pushes through the store.
        { key: k.user, by, ttlMs: l.account, floor: true },
        { key: siteKey, by, ttlMs: l.site },
      );
    }
    if (k.deviceDay) ops.push({ key: k.deviceDay, by: 1, ttlMs: l.deviceDay }, { key: k.deviceUserDay, by: 1, ttlMs: l.deviceDay });
    return ops;
  }

  /** An untrusted failure's set additions: the account among those failing from the source and, with a password, with it. */
  #distinctOps(who: Who, k: AttemptKeys): DistinctOp[] {
    const ops: DistinctOp[] = [{ key: k.source, member: who.uh, ttlMs: this.#life.sourceAccounts }];
    if (k.sprayNow) ops.push({ key: k.sprayNow, member: who.uh, ttlMs: this.#life.passwordAccounts });
    return ops;
  }

  /** The counter changes that take back what one reserved failure added, from the site window it was counted in. */
  #takeBackOps(k: AttemptKeys, by: number, siteKey?: string): CounterOp[] {
    return this.#failureOps(k, by, siteKey).map((op) => ({ key: op.key, by: -(op.by ?? 1), ttlMs: op.ttlMs }));
  }

  /** Takes back a reservation still held (the attempt is checked again, or released). */
  async undo(who: Who): Promise<void> {
    const r = who.reserved;
    if (!r) return;
    who.reserved = undefined;
    await this.#takeBack(who.k, r);
  }

  /**
   * The decisions on an attempt, and those on its account in its application (an account the
   * login protection closed there): decisions on the name alone (an operator's) come with the subject.
   */
  #decisions(a: LoginAttempt, who: Who): Promise<Decision[]> {
    const st = this.#store;
    const subject: Subject = { ip: a.ip, userHash: who.uh, device: who.device?.deviceId, country: a.country };
    if (!a.scope) return st.decisions.match(subject);
    const own = st.decisions.match({ userHash: idString(who.uhHi, who.uhLo) }).then((found) => found.filter((d) => d.scope === 'user'));
    return Promise.all([st.decisions.match(subject), own]).then(([all, scoped]) => (scoped.length ? [...all, ...scoped] : all));
  }

  /**
   * Counts the attempt as a failure, and reads the counts before it and the decisions on it, in
   * one round: the answers `tally` reads. (Two calls, not one async function: the caller's
   * await is the only one.)
   */
  round(a: LoginAttempt, who: Who): Promise<Answers> {
    const st = this.#store;
    const k = this.now(a, who);
    const by = who.by;
    let readKeys: string[];
    if (by === 0) {
      // A trusted device is judged on its pair's lock and count and its day's budgets only; the
      // account's failures are read for the notice its success may give (see LoginGuard's report).
      who.prevKnown = true;
      readKeys = [k.backoff, k.user, k.solvedFailures];
      who.distinct = NO_DISTINCT;
    } else {
      // The closed site window changes little: read it at most once a second.
      who.prevKnown = k.sitePrev === this.#keys.sitePrev && k.now >= this.#sitePrevAt && k.now - this.#sitePrevAt < SITE_PREV_FRESH_MS;
      readKeys = who.prevKnown ? [k.backoff, k.source] : [k.backoff, k.source, k.sitePrev];
      if (k.sprayNow) readKeys.push(k.sprayNow, k.sprayPrev!);
      // Last: the source's challenge level, so that a challenge's difficulty needs no round of its own.
      readKeys.push(k.solvedFailures);
      who.distinct = this.#distinctOps(who, k);
    }
    who.reads = readKeys.length;
    // One round: the set additions are issued after the reads, so a backend that applies
    // calls in order (all of ours) reads the counts before them. One that did not would see
    // an addition as not new, and never take it back: counts would only be stricter.
    return Promise.all([st.increment(this.#failureOps(k, by)), st.read(readKeys), this.#decisions(a, who), who.distinct.length ? st.addDistinct(who.distinct) : NONE]);
  }

  /**
   * The Tally an attempt's verdict is made from, from its round's answers. The reservation is
   * pending until the caller keeps it (let through) or refunds it (refused).
   */
  tally(who: Who, [counted, values, found, members]: Answers): Tally {
    const st = this.#store;
    const k = who.k;
    const by = who.by;
    const distinct = who.distinct;
    // When the holds were taken, in the store's time: a reading of its clock after they all were.
    // A store with no clock here (a remote one) is read through the guard's, with a margin for
    // the two clocks' skew: a hold looks its own marker's unless that came back later than that.
    const heldAt = st.clock ? st.clock.now() : this.#clock.now() + HELD_AT_SKEW_MS;
    const dev = DEVICE_AT[by === 0 ? 0 : 1];
    const deviceDay = counted[dev] ?? 0;
    const deviceUserDay = counted[dev + 1] ?? 0;
    if (by === 0) {
      // (see round: the account's count read, not added to; nothing of the site's, the source's or a password's)
      const user = values[1] ?? 0;
      const r: Reservation = { userSource: counted[0] ?? 1, user, site: 0, sourceUsers: 0, sprayUsers: 0, deviceDay, deviceUserDay, by, siteKey: k.siteNow, marks: distinct, heldAt };
      who.pending = r;
      return {
        userSource: r.userSource - 1,
        user,
        site: 0,
        backoffUntil: values[0] ?? 0,
        sourceUsers: 0,
        spray: 0,
        deviceDay: Math.max(0, deviceDay - 1),
        deviceUserDay: Math.max(0, deviceUserDay - 1),
        challengeLevel: Math.max(0, values[2] ?? 0),
        decisions: found,
      };
    }
    let sitePrev = this.#sitePrevValue;
    if (!who.prevKnown) {
      sitePrev = values[2] ?? 0;
      this.#sitePrevValue = sitePrev;
      this.#sitePrevAt = k.now;
    }
    // The spray windows' reads, present only when the attempt came with a password; the challenge level last.
    const sprayAt = who.prevKnown ? 2 : 3;
    const levelAt = who.reads - 1;
    const sprayNow = levelAt > sprayAt ? values[sprayAt]! : 0;
    const sprayPrev = levelAt > sprayAt + 1 ? values[sprayAt + 1]! : 0;
    const r: Reservation = {
      userSource: counted[0] ?? 1,
      user: counted[1] ?? by,
      site: counted[2] ?? by,
      sourceUsers: distinct.length > 0 ? members[0]! : (values[1] ?? 0),
      sprayUsers: distinct.length > 1 ? members[1]! : sprayNow,
      deviceDay,
      deviceUserDay,
      by,
      siteKey: k.siteNow,
      marks: distinct,
      heldAt,
    };
    who.pending = r;
    // Failures in the sliding window: this bucket, plus the part of the last one still inside it.
    const siteBefore = r.site - by + sitePrev * (1 - k.siteFraction);
    return {
      userSource: r.userSource - 1,
      user: r.user - by,
      site: siteBefore,
      backoffUntil: values[0] ?? 0,
      sourceUsers: values[1] ?? 0,
      spray: Math.max(sprayNow, sprayPrev),
      deviceDay: Math.max(0, deviceDay - 1),
      deviceUserDay: Math.max(0, deviceUserDay - 1),
      challengeLevel: Math.max(0, values[levelAt] ?? 0),
      decisions: found,
    };
  }

  /** The attempt is let through: its pending reservation is held until report or release. */
  keep(who: Who): void {
    who.reserved = who.pending;
    who.pending = undefined;
  }

  /**
   * The attempt is refused: it never reaches the site, so it is not a failure. Its pending
   * reservation is taken back, with `extra` written in the same call (a lock that was due).
   */
  async refund(a: LoginAttempt, who: Who, extra?: CounterOp): Promise<void> {
    const r = who.pending!;
    who.pending = undefined;
    this.forget(a);
    await this.#takeBack(who.k, r, extra);
  }

  /**
   * A success: takes back what check counted on the account, the site and a device's day, and
   * its holds (the pair's count is the caller's to clear). Resolves to the pair's and the
   * account's failures before it.
   */
  async success(a: LoginAttempt, who: Who): Promise<{ pair: number; account: number }> {
    if (who.reserved) {
      const s = this.successReserved(a, who);
      await Promise.all(s.writes);
      return { pair: s.pair, account: s.account };
    }
    const k = this.now(a, who);
    const [pair = 0, account = 0] = await this.#store.read([k.userSource, k.user]);
    return { pair, account };
  }

  /**
   * A success of an attempt check reserved: the counts before it are known from the
   * reservation at once; the take-back is in `writes` (the caller need not wait for them, and
   * may add its own).
   */
  successReserved(a: LoginAttempt, who: Who): { pair: number; account: number; writes: Promise<unknown>[] } {
    const st = this.#store;
    const k = this.now(a, who);
    const r = who.reserved!;
    // (A store that throws instead of rejecting still gives a rejected write: the success is
    // answered, and its caller reports the failure rather than failing the login.)
    const writes: Promise<unknown>[] = [];
    if (r.by) writes.push(later(() => st.increment([{ key: k.user, by: -r.by, ttlMs: 1 }, { key: r.siteKey, by: -r.by, ttlMs: 1 }])));
    else if (k.deviceDay) writes.push(later(() => st.increment([{ key: k.deviceDay, by: -1, ttlMs: 1 }, { key: k.deviceUserDay, by: -1, ttlMs: 1 }])));
    if (r.marks.length) writes.push(later(() => st.removeDistinct(giveBack(r.marks, r.heldAt))));
    return { pair: r.userSource - 1, account: r.user - r.by, writes };
  }

  /** A failure reported without a check that counted it: counted now. Resolves to the counts after it. */
  async failure(a: LoginAttempt, who: Who): Promise<FailureCounts> {
    const st = this.#store;
    const k = this.now(a, who);
    const trusted = who.device !== undefined;
    const [counted, members] = await Promise.all([st.increment(this.#failureOps(k, trusted ? 0 : 1)), trusted ? NONE : st.addDistinct(this.#distinctOps(who, k))]);
    // (A trusted device's failure adds to neither the account's nor the site's count: see #failureOps.)
    const dev = DEVICE_AT[trusted ? 0 : 1];
    return {
      userSource: counted[0] ?? 0,
      user: trusted ? 0 : (counted[1] ?? 0),
      site: trusted ? 0 : (counted[2] ?? 0),
      sourceUsers: members[0] ?? 0,
      sprayUsers: members[1] ?? 0,
      deviceDay: counted[dev] ?? 0,
      deviceUserDay: counted[dev + 1] ?? 0,
    };
  }
}
