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
 *   and held only in memory, then destroyed (see #sprayHasher);
 * - failures site-wide: when they spike, untrusted logins are challenged.
 *
 * A device that presents a valid trusted-device token for the account is
 * counted on its own and passes the account-wide, source-wide and
 * site-wide measures: the owner gets in during an attack. Its failures on
 * the account are capped per day (per device, and for all the account's
 * devices together): past the cap it is an untrusted device there, so a
 * stolen cookie buys a bounded number of guesses.
 */
import type { Clock } from '../core/clock.js';
import { hmac, normalizeIdentifier } from '../core/crypto.js';
import { asciiFold, idKey, idString, StringHasher } from '../core/siphash.js';
import { murmurFinish, murmurMix, murmurScramble } from '../core/murmur.js';
import { strongest, type Decision, type Subject } from '../core/decisions.js';
import type { EventSink, SecurityEvent } from '../core/events.js';
import { parseIpv4, sourceKey, tryParseIp, type SourceGrouping } from '../core/net.js';
import type { CounterOp, DistinctOp, Store, SyncStore } from '../core/store.js';
import type { LoginProtectionConfig } from '../config/config.js';
import { DeviceTokens, type DeviceClaims } from './device-token.js';
import type { Random } from '../core/random.js';
import type { Verdict } from './verdict.js';

/**
 * How a site tells accounts apart, which decides whose a trusted-device token is: `exact`
 * (Alice and alice are two accounts), `lowercase` (case is ignored), `wordpress` (as
 * accountSkeleton merges names). Counting always merges names as accountSkeleton does (the
 * strict side for counts); trust must not merge more than the site does, or an attacker's
 * own look-alike account would earn a token for the victim's.
 */
export type UsernameNormalization = 'exact' | 'lowercase' | 'wordpress';

export interface LoginAttempt {
  /** Client address, as the adapter determined it. */
  readonly ip: string;
  readonly username: string;
  /** How the site tells accounts apart (default exact): the account a device token is for. */
  readonly normalize?: UsernameNormalization;
  /**
   * The application whose accounts this login checks (a login endpoint's account_scope):
   * `admin` on WordPress and `admin` on phpMyAdmin are two accounts, counted apart, and a
   * device trusted for one is not trusted for the other. Absent or '': the unscoped accounts.
   * Decisions on an account (`mamori decisions add --user`) name it in every application.
   */
  readonly scope?: string;
  /** Only used to spot spraying: never stored; its keyed hash (under a per-window key in memory) is. */
  readonly password?: string;
  /** The trusted-device token the client presented, if any. */
  readonly deviceToken?: string;
  /** The client solved a proof-of-work challenge for this login. */
  readonly challengePassed?: boolean;
  /**
   * The difficulty that challenge was solved at: when given, the pass answers only a challenge
   * asking for that much or less (LoginGuardDeps.challengeDifficulty), at the source's
   * escalation `challengeLevel` (see challengeLevel).
   */
  readonly challengeBits?: number;
  readonly challengeLevel?: number;
  readonly country?: string;
  readonly userAgent?: string;
  readonly path?: string;
}

export interface LoginVerdict extends Verdict {
  /** A valid trusted-device token for this account came with the attempt. */
  readonly trustedDevice: boolean;
  /** Let through because the client solved the challenge it would have got. */
  readonly challengeSolved?: boolean;
}

export interface LoginReport {
  /** A fresh trusted-device token to hand to the client (on success). */
  readonly deviceToken?: string;
  readonly deviceTtlMs?: number;
}

interface Keys {
  now: number;
  userSource: string;
  /** A trusted device's failures on the account today, and those of all the account's devices ('' when untrusted). */
  deviceDay: string;
  deviceUserDay: string;
  backoff: string;
  user: string;
  source: string;
  siteNow: string;
  sitePrev: string;
  siteFraction: number;
  sprayNow: string | undefined;
  sprayPrev: string | undefined;
}

type Carrier = { [WHO]?: Who | undefined };

/** What one check counts and reads (LoginGuard's #plan), and what it writes after; kept on the Who. */
interface Plan {
  /** 1 for an untrusted attempt, 0 for a trusted device (counted on its own pair only). */
  by: number;
  reserve: readonly CounterOp[];
  readKeys: readonly string[];
  /** The set additions of the reservation: this account among those failing from the source (and with the password). */
  distinct: readonly DistinctOp[];
  /** The closed site window's count is fresh enough not to be read. */
  prevKnown: boolean;
  writes: CounterOp[] | undefined;
  /** Set additions to take back after a refusal. */
  unmark: readonly DistinctOp[] | undefined;
}

/** What check counted for an attempt it let through (see Who.reserved). */
interface Reservation {
  userSource: number;
  user: number;
  site: number;
  by: number;
  siteKey: string;
  /** The source's and the password's distinct-account counts after this attempt's additions. */
  sourceUsers: number;
  sprayUsers: number;
  /** A trusted device's failures on the account today, and those of all its devices, after this attempt (0 when untrusted). */
  deviceDay: number;
  deviceUserDay: number;
  /**
   * This attempt's holds on its account in those sets: a success, a release or a refusal
   * gives them back (an earlier failure's or a parallel attempt's holds keep the account in).
   */
  marks: readonly DistinctOp[];
  /** When those holds were taken (the store's time of the additions, or just after). */
  heldAt: number;
}

/**
 * Where a guard keeps its Who on an attempt object, from check to report. One symbol for
 * every guard, not one per guard: a property under a new symbol gives every attempt object a
 * new shape per guard, and after a few guards each access to it went through V8's slow
 * megamorphic path (measured: 3.5x slower per attempt with a fresh guard per round). Which
 * guard a Who belongs to is its `owner`; a second guard on the same object keeps its own in a
 * WeakMap, so two guards never see each other's state.
 */
const WHO: unique symbol = Symbol('mamori.login.attempt');

/**
 * Sets an attempt object's WHO; false when the object refuses it (frozen since, say). A plain
 * store in a try, not Reflect.set: the engine compiles the store inline, Reflect.set as a call.
 */
function setWho(c: Carrier, w: Who | undefined): boolean {
  try {
    c[WHO] = w;
    return true;
  } catch {
    return false;
  }
}

interface Who extends Plan {
  /** The guard it belongs to; undefined once settled on an object that could not drop it. */
  owner: LoginGuard | undefined;
  /** The attempt object it was worked out for (a copy made with `{ ...a }` carries it too, and is not that attempt). */
  attempt: LoginAttempt;
  uh: string;
  /** The account hash's two 32-bit halves, signed (uh is their text). */
  uhHi: number;
  uhLo: number;
  device: DeviceClaims | undefined;
  k: Keys;
  /**
   * What check already counted for an attempt it let through, as if it had failed: the
   * counts after it. Counting at check time, not when the site answers, is what stops many
   * parallel guesses from all passing the same check (or many parallel accounts from one
   * source, or one password against many accounts). Report settles it.
   */
  reserved?: Reservation | undefined;
}

/**
 * The form an account name is counted under, merging whatever a site may treat as the same
 * account (WordPress's sanitize_user drops tags, %XX escapes and &entities;, strips accents and
 * collapses spaces): `adm%41in`, `ad<b>min`, `ad<script>1</script>min`, `admin&x;` and `àdmin`
 * all count as `admin`. Merging too much is the safe direction: it only makes counts stricter
 * (an attacker could always lock an account by typing its plain name).
 */
export function accountSkeleton(name: string): string {
  // Printable ASCII with nothing to clean (no space, %, & or <): only case folds. Most names.
  return PLAIN_NAME.test(name) ? name.toLowerCase() : cleanAccountName(name);
}

/** accountSkeleton's whole cleaning, for any name (exported for the test that holds the shortcut to it). */
export function cleanAccountName(name: string): string {
  let n = name;
  // First what a database collation ignores or folds (MariaDB's unicode collations): all marks
  // after NFKD (Latin accents, and the kana voicing marks too: there がく is かく), invisible
  // and control characters (WordPress strips NUL; the collation ignores the rest), and the Latin
  // letters WordPress's remove_accents maps without a decomposition (đ, ı, ł, ø, ß...). Before
  // the cleaning below, so that U+FEFF, which \s matches, is dropped rather than made a space.
  if (!ASCII_NAME.test(n)) {
    n = n
      .replace(COLLATION_IGNORED, '')
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(IGNORABLE, '')
      .replace(CONTROL, '')
      .replace(LATIN_LETTERS, (c) => LATIN_FOLD[c] ?? c);
  }
  if (CLEANED.test(n)) {
    n = n
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
      .replace(/<[\s\S]*>/g, '') // from the first < to the last >
      .replace(/<[\s\S]*$/, '') // and an unclosed one to the end
      .replace(/%[0-9a-f]{2}/gi, '')
      .replace(/&[^;]*;/g, '')
      .replace(/\s+/g, ' ');
  }
  return normalizeIdentifier(n);
}

/**
 * Signs MariaDB's unicode collations ignore whose compatibility forms decompose to a space and
 * a mark (Arabic presentation forms of the harakat, the Arabic ligatures with shadda, Vedic and
 * Samaritan signs): dropped before NFKD, or the space would stay.
 */
const COLLATION_IGNORED = /[\u06de\u0824\u0828\u1cd3\u1cf2\ufc5e-\ufc63\ufcf2-\ufcf4\ufe70-\ufe7f]/g;

/** C0 and C1 control characters and DEL. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const L = 0x6c; // 'l': login's namespace in the store
const D = 0x64; // 'd': its namespace in detect mode (see LoginGuard.#ns)
const K_PAIR = 0x70; // 'p': consecutive failures of an (account, source) pair
const K_BACKOFF = 0x62; // 'b': the pair's lock end
const K_USER = 0x75; // 'u': failures of an account
const K_SOURCE = 0x73; // 's': accounts failing from a source
const K_SPRAY = 0x78; // 'x': accounts failing with a password
const K_DEVICE_DAY = 0x64; // 'd': a trusted device's failures on an account in a day
const K_DEVICE_USER_DAY = 0x74; // 't': the failures of all an account's trusted devices in a day
const K_SOLVED_FAILURES = 0x66; // 'f': a source's failed logins that had solved a challenge
const K_IGNORED = 0x69; // 'i': login challenges a source was given and did not solve

/**
 * One 32-bit half of the (account, source) pair's id: MurmurHash3 over the
 * four hash words. Both inputs are already keyed hashes; this only has to
 * spread them.
 */
function mixPair(a: number, b: number, c: number, d: number, seed: number): number {
  return murmurFinish(mixWords(seed, a, b, c, d) ^ 16);
}

/** A mask keeping the first `n` bits of a 32-bit word (n outside 0..32 is clamped). */
function keepBits(n: number): number {
  return n <= 0 ? 0 : n >= 32 ? -1 : -1 << (32 - n);
}

/** One 32-bit half of a source's id: the grouped address's words and (version, prefix), under a secret seed. */
function mixSource(seed: number, meta: number, w0: number, w1: number, w2: number, w3: number): number {
  return murmurFinish(mixWords(murmurMix(seed, murmurScramble(meta)), w0, w1, w2, w3) ^ 20);
}

function mixWords(h: number, a: number, b: number, c: number, d: number): number {
  h = murmurMix(h, murmurScramble(a));
  h = murmurMix(h, murmurScramble(b));
  h = murmurMix(h, murmurScramble(c));
  return murmurMix(h, murmurScramble(d));
}

/** Default-ignorable and format characters (Unicode's Cf and the like): invisible in a name. */
const IGNORABLE = /[\p{Cf}\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0]/gu;
/** Latin letters without a decomposition, as WordPress's remove_accents writes them. */
const LATIN_FOLD: Record<string, string> = {
  'đ': 'd', 'Đ': 'd', 'ð': 'd', 'Ð': 'd', 'ı': 'i', 'ł': 'l', 'Ł': 'l', 'ŀ': 'l', 'Ŀ': 'l', 'ø': 'o', 'Ø': 'o', 'ß': 'ss', 'ẞ': 'ss',
  'æ': 'ae', 'Æ': 'ae', 'œ': 'oe', 'Œ': 'oe', 'þ': 'th', 'Þ': 'th', 'ħ': 'h', 'Ħ': 'h', 'ŧ': 't', 'Ŧ': 't', 'ŋ': 'n', 'Ŋ': 'n', 'ĸ': 'k', 'ſ': 's',
};
const LATIN_LETTERS = new RegExp(`[${Object.keys(LATIN_FOLD).join('')}]`, 'g');

/** Characters that mean a name may need cleaning (most names have none). */
const CLEANED = /[<%&\s]/;
const ASCII_NAME = /^[\x20-\x7e]*$/;
const PLAIN_NAME = /^[!-$'-;=-~]*$/;
/** PLAIN_NAME's characters, by code, case-folded (see StringHasher.wordsAsciiLower). */
const PLAIN_CHARS = asciiFold((c) => PLAIN_NAME.test(c));

/** The ops that give back holds taken at `heldAt` (see DistinctOp.heldAt). */
function giveBack(marks: readonly DistinctOp[], heldAt: number): DistinctOp[] {
  return marks.map((op) => ({ key: op.key, member: op.member, ttlMs: op.ttlMs, near: op.near, heldAt }));
}

/** Failures in the sliding window: this bucket, plus the part of the last one still inside it. */
function siteNow(current: number, previous: number, fraction: number): number {
  return current + previous * (1 - fraction);
}

export interface LoginGuardDeps {
  store: Store;
  clock: Clock;
  random: Random;
  secret: Buffer;
  events: EventSink;
  grouping: SourceGrouping;
  /**
   * The difficulty a challenge for `ruleId` asks at escalation `level` (the Guard's challenger):
   * what an attempt's challengeBits must reach. Without it, any solved challenge does.
   */
  challengeDifficulty?: (ruleId: string, level: number) => number;
}

/** Usernames are cut to this before hashing: a megabyte name costs no more than a long one. */
const MAX_NAME = 512;
/** Account hashers kept, one per application (see LoginAttempt.scope). */
const SCOPES_HELD = 64;
const MAX_PASSWORD = 1024;
const ORIGIN = 'guard.login';
const NONE: number[] = [];
const NO_OPS: readonly CounterOp[] = Object.freeze([]);
const NO_KEYS: readonly string[] = Object.freeze([]);
const NO_DISTINCT: readonly DistinctOp[] = Object.freeze([]);
const NO_DECISIONS: readonly Decision[] = Object.freeze([]);
/** report's answer when there is nothing to hand back, and that answer already settled (shared). */
const NO_REPORT: LoginReport = Object.freeze({});
const REPORTED: Promise<LoginReport> = Promise.resolve(NO_REPORT);
/** With a store whose clock is not in this process: how far its clock may run ahead of the guard's. */
const HELD_AT_SKEW_MS = 5000;
/** How long a read of the closed site window is used again (it only changes by late take-backs). */
const SITE_PREV_FRESH_MS = 1000;
/** The period over which trusted devices' failures are capped (trusted_device.max_failures_*). */
const DEVICE_FAILURE_WINDOW_MS = 24 * 3_600_000;
/** NIST SP 800-63B 5.2.2: no more than 100 consecutive failed attempts on one account. */
export const NIST_MAX_FAILURES = 100;
const ALLOW_UNTRUSTED: LoginVerdict = Object.freeze({ action: 'allow', ruleId: 'login', reason: 'under every threshold', trustedDevice: false });
const ALLOW_TRUSTED: LoginVerdict = Object.freeze({ action: 'allow', ruleId: 'login', reason: 'trusted device', trustedDevice: true });
const ALLOWED_UNTRUSTED: Promise<LoginVerdict> = Promise.resolve(ALLOW_UNTRUSTED);
const ALLOWED_TRUSTED: Promise<LoginVerdict> = Promise.resolve(ALLOW_TRUSTED);


export class LoginGuard {
  readonly config: LoginProtectionConfig;
  readonly devices: DeviceTokens;
  readonly #d: LoginGuardDeps;
  readonly #users: StringHasher;
  readonly #sources: StringHasher;
  readonly #srcSeedHi: number;
  readonly #srcSeedLo: number;
  /**
   * In detect mode (`mode: detect`) everything this guard records is marked as such: its
   * events and decisions carry the mark, and it counts in a namespace of its own (`#ns`), so
   * that the same store run in enforce mode later never reads what detect mode counted.
   */
  readonly #detect: boolean;
  readonly #ns: number;
  readonly #nsChar: string;
  /** The source grouping's prefix lengths, clamped. */
  readonly #v4Prefix: number;
  readonly #v6Prefix: number;
  /**
   * What check worked out for attempts that cannot carry it themselves (frozen objects, or an
   * object already carrying another guard's): reused by report for the same object.
   */
  readonly #held = new WeakMap<LoginAttempt, Who>();
  /** Spray hashers by window (see #sprayHasher): at most three, and their keys nowhere else. */
  readonly #sprayHashers = new Map<number, StringHasher>();
  /** The oldest window whose spray key is held. */
  #sprayFloor = Number.POSITIVE_INFINITY;
  /** Account hashers by application (see LoginAttempt.scope), each under a key of its own. */
  readonly #scoped = new Map<string, StringHasher>();
  readonly #secret: Buffer;

  constructor(config: LoginProtectionConfig, deps: LoginGuardDeps) {
    this.config = config;
    this.#d = deps;
    this.#detect = config.mode === 'detect';
    this.#ns = this.#detect ? D : L;
    this.#nsChar = String.fromCharCode(this.#ns);
    // Account names are keyed-hashed on every attempt: SipHash-2-4 (128 bits) under a key derived from the secret.
    this.#users = new StringHasher(hmac(deps.secret, 'mamori-user-v3'), MAX_NAME);
    this.#secret = deps.secret;
    this.#sources = new StringHasher(hmac(deps.secret, 'mamori-source-v1'), 256);
    const seeds = hmac(deps.secret, 'mamori-source-seeds-v1');
    this.#srcSeedHi = seeds.readInt32LE(0);
    this.#srcSeedLo = seeds.readInt32LE(4);
    this.#v4Prefix = Math.max(0, Math.min(32, Math.trunc(deps.grouping.ipv4Prefix)));
    this.#v6Prefix = Math.max(0, Math.min(128, Math.trunc(deps.grouping.ipv6Prefix)));
    this.devices = new DeviceTokens(deps.secret, deps.clock, deps.random, config.trustedDevice.ttlMs);
  }

  /**
   * The keyed hash an account is decided under (and, in `scope`, counted under: see
   * LoginAttempt.scope).
   */
  userHash(username: string, scope?: string): string {
    const w = this.#accountWords(username, scope);
    return idString(w[0]!, w[1]!);
  }

  /**
   * The hasher for an application's accounts: the unscoped one for none, else one under a key
   * derived for that application. Scopes come from config (a handful); past SCOPES_HELD a
   * caller's scopes still hash right, only the key is derived again each time.
   */
  #hasher(scope: string | undefined): StringHasher {
    if (scope === undefined || scope === '') return this.#users;
    const s = String(scope);
    let h = this.#scoped.get(s);
    if (h === undefined) {
      h = new StringHasher(hmac(this.#secret, `mamori-user-v3\u0000${s}`), MAX_NAME);
      if (this.#scoped.size < SCOPES_HELD) this.#scoped.set(s, h);
    }
    return h;
  }

  /**
   * The account a trusted-device token is issued and honoured for: the keyed hash of the name
   * as the site tells accounts apart (see UsernameNormalization). For `wordpress` it is
   * userHash. Undefined for a name longer than the hashed part (no site has one): it gets no token.
   */
  deviceUserHash(username: string, normalize: UsernameNormalization = 'exact', scope?: string): string | undefined {
    const w = this.#deviceUserWords(username, normalize, scope);
    return w && idString(w[0]!, w[1]!);
  }

  /** deviceUserHash's halves (in the hasher's buffer: overwritten by the next hash). */
  #deviceUserWords(username: string, normalize: UsernameNormalization | undefined, scope: string | undefined): Uint32Array | undefined {
    const name = String(username);
    if (name.length > MAX_NAME) return undefined;
    if (normalize === 'wordpress') return this.#accountWords(name, scope);
    return this.#hasher(scope).words(normalize === 'lowercase' ? name.toLowerCase() : name);
  }

  /** The account hash's halves: accountSkeleton then SipHash, in one pass for plain names. */
  #accountWords(username: string, scope?: string): Uint32Array {
    const name = String(username);
    const h = this.#hasher(scope);
    return h.wordsAsciiLower(name, PLAIN_CHARS) ?? h.words(accountSkeleton(name.slice(0, MAX_NAME)));
  }

  /**
   * The store keys this guard counts an attempt under (for tools and tests that read the
   * counts): the (account, source) failures, the lock's end, the account's failures, the
   * source's failing accounts and, with a password, the accounts failing with it in this window.
   */
  counterKeys(a: LoginAttempt): { userSource: string; backoff: string; user: string; source: string; spray?: string } {
    const words = this.#accountWords(a.username, a.scope);
    const uhHi = words[0]! | 0;
    const uhLo = words[1]! | 0;
    const k = this.#keys(a, uhHi, uhLo, this.#device(a));
    const keys = { userSource: k.userSource, backoff: k.backoff, user: k.user, source: k.source };
    if (!a.password) return keys;
    return { ...keys, spray: this.#sprayKeyOf(a.password, Math.floor(this.#d.clock.now() / this.config.spraying.windowMs)) };
  }

  /** The account hash, verified device and counter keys of an attempt, worked out once per attempt object. */
  #who(a: LoginAttempt): Who {
    if (typeof a !== 'object' || a === null) throw new TypeError('a login attempt is an object with ip and username');
    // Kept on the attempt object itself (under WHO) from check to report: no table to fill or
    // evict, and it goes when the attempt goes.
    // (A symbol key: Object.keys, for-in and JSON never see it, and only this module holds the symbol.)
    let w = this.#heldFor(a);
    if (!w) {
      // Counted in the attempt's application; decided (and reported in events) by name alone.
      const words = this.#accountWords(a.username, a.scope);
      const uhHi = words[0]! | 0;
      const uhLo = words[1]! | 0;
      const uh = a.scope === undefined || a.scope === '' ? idString(uhHi, uhLo) : this.userHash(a.username);
      const device = this.#device(a);
      // (reserved is set later: present from the start, so the object keeps one shape.)
      w = {
        owner: this,
        attempt: a,
        uh,
        uhHi,
        uhLo,
        device,
        k: this.#keys(a, uhHi, uhLo, device),
        reserved: undefined,
        by: device !== undefined ? 0 : 1,
        reserve: NO_OPS,
        readKeys: NO_KEYS,
        distinct: NO_DISTINCT,
        prevKnown: false,
        writes: undefined,
        unmark: undefined,
      };
      const c = a as Carrier;
      const there = c[WHO];
      // The slot is free, or holds a stale Who (settled, or copied from another object).
      const free = there === undefined || there.owner === undefined || there.attempt !== a;
      if (!(free && Object.isExtensible(a) && setWho(c, w))) this.#held.set(a, w);
    }
    return w;
  }

  /** This guard's Who for an attempt, if check or report already worked it out. */
  #heldFor(a: LoginAttempt): Who | undefined {
    const w = (a as Carrier)[WHO];
    return w !== undefined && w.owner === this && w.attempt === a ? w : this.#held.get(a);
  }

  /** Forgets an attempt once it is settled. Never throws (an object frozen since check keeps a Who marked settled). */
  #done(a: LoginAttempt): void {
    if (typeof a !== 'object' || a === null) return;
    const c = a as Carrier;
    const w = c[WHO];
    if (w !== undefined && w.owner === this && w.attempt === a) {
      if (!setWho(c, undefined)) w.owner = undefined;
    } else {
      this.#held.delete(a);
    }
  }

  /**
   * Settles an attempt the site never answered (no report will come): takes back what check
   * counted for it. Without this, a check that is never reported would hold a lock on its way.
   */
  async release(a: LoginAttempt): Promise<void> {
    if (typeof a !== 'object' || a === null) throw new TypeError('a login attempt is an object with ip and username');
    const w = this.#heldFor(a);
    this.#done(a);
    const r = w?.reserved;
    if (!w || !r) return;
    const sync = this.#d.store.sync;
    if (sync) this.#undoSync(sync, w.k, r);
    else await this.#undo(w.k, r);
  }

  /** Takes a reservation back: the counts its check added, and its holds. */
  #undoSync(sync: SyncStore, k: Keys, r: Reservation): void {
    sync.incrementSync(this.#takeBackOps(k, r.by, r.siteKey));
    if (r.marks.length) sync.removeDistinctSync(giveBack(r.marks, r.heldAt));
  }

  async #undo(k: Keys, r: Reservation): Promise<void> {
    await this.#d.store.increment(this.#takeBackOps(k, r.by, r.siteKey));
    if (r.marks.length) await this.#d.store.removeDistinct(giveBack(r.marks, r.heldAt));
  }

  /**
   * The counter changes that take back what one reserved failure added: from the site window
   * it was counted in (`siteKey`), which may have closed since.
   */
  #takeBackOps(k: Keys, by: number, siteKey = k.siteNow): CounterOp[] {
    return this.#failureOps(k, by, siteKey).map((op) => ({ key: op.key, by: -(op.by ?? 1), ttlMs: op.ttlMs }));
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
    const ns = String.fromCharCode(d.detectOnly ? D : L);
    if (d.scope === 'user') {
      const id = Buffer.from(d.value, 'base64url');
      if (id.length === 8) await this.#d.store.reset([ns + idKey(L, K_USER, id.readInt32BE(0), id.readInt32BE(4)).slice(1)]);
    } else if (d.scope === 'ip' || d.scope === 'range') {
      // A range decision is on the grouped source network: its address groups the same way.
      const ip = d.scope === 'ip' ? d.value : d.value.slice(0, d.value.lastIndexOf('/'));
      const source = this.#keys({ ip, username: '' }, 0, 0, undefined).source.slice(2);
      await this.#d.store.reset([`${ns}${String.fromCharCode(K_SOURCE)}${source}`, `${ns}${String.fromCharCode(K_SOLVED_FAILURES)}${source}`, `${ns}${String.fromCharCode(K_IGNORED)}${source}`]);
    }
  }

  /** Whether the attempt's solved challenge answers a challenge for `ruleId`. */
  #solved(a: LoginAttempt, ruleId: string): boolean {
    if (a.challengePassed !== true) return false;
    if (a.challengeBits === undefined || !this.#d.challengeDifficulty) return true;
    return a.challengeBits >= this.#d.challengeDifficulty(ruleId, a.challengeLevel ?? 0);
  }

  /** A source's escalation counter key (`kind`: K_SOLVED_FAILURES or K_IGNORED), grouped as the source counts are. */
  #challengeKey(ip: string, kind: number): string {
    return this.#nsChar + String.fromCharCode(kind) + this.#keys({ ip, username: '' }, 0, 0, undefined).source.slice(2);
  }

  /**
   * How many bits harder a challenge for this source is: its failed logins in the window that
   * had solved a challenge (each one makes the next puzzle twice the work).
   */
  async challengeLevel(ip: string): Promise<number> {
    const [n] = await this.#d.store.read([this.#challengeKey(ip, K_SOLVED_FAILURES)]);
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
    const [n] = await this.#d.store.increment([{ key: this.#challengeKey(ip, K_SOLVED_FAILURES), by: 1, ttlMs: this.config.challenged.windowMs }]);
    return n ?? 1;
  }

  /** Takes back what reserveChallengeFailure counted (the login succeeded, or never went through). */
  async releaseChallengeFailure(ip: string): Promise<void> {
    await this.#d.store.increment([{ key: this.#challengeKey(ip, K_SOLVED_FAILURES), by: -1, ttlMs: this.config.challenged.windowMs }]);
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
    const key = this.#challengeKey(a.ip, what === 'failed' ? K_SOLVED_FAILURES : K_IGNORED);
    // A failure already counted when its login was checked (reserveChallengeFailure): its place then.
    const [n] = what === 'failed' && counted !== undefined ? [counted] : await this.#d.store.increment([{ key, by: what === 'solved' ? -1 : 1, ttlMs: c.windowMs }]);
    const limit = what === 'failed' ? c.blockAfterFailures : what === 'ignored' ? c.blockAfterIgnored : undefined;
    if (limit === undefined || n !== limit) return undefined;
    const reason =
      what === 'failed'
        ? `${n} failed logins after solving challenges from this source`
        : `${n} login challenges this source did not solve`;
    const ip = tryParseIp(a.ip);
    const src = sourceKey(a.ip, this.#d.grouping);
    if (ip === undefined) return undefined;
    const grouped = src.includes('/');
    const uh = a.username === '' ? '' : this.userHash(a.username);
    return this.#decide(grouped ? 'range' : 'ip', grouped ? src : a.ip, c.blockForMs, reason, a, uh, what === 'failed' ? 'challenge-failures' : 'challenges-ignored');
  }

  /** The spray counter key of a password in a window: a keyed hash under that window's random key. */
  #sprayKeyOf(password: string, bucket: number): string {
    const w = (this.#sprayHashers.get(bucket) ?? this.#sprayHasher(bucket)).words(password);
    return idKey(this.#ns, K_SPRAY, w[0]!, w[1]!);
  }

  /**
   * A window's spray hasher, under a key drawn at random and held only in this map: nothing
   * stored, the secret included, recomputes it. Only the windows next to this one are kept
   * (the count reads this window and the last); the keys of the others are wiped, after which
   * no stored spray count can be tested against a candidate password.
   */
  #sprayHasher(bucket: number): StringHasher {
    const key = this.#d.random.bytes(16);
    const h = new StringHasher(key, MAX_PASSWORD);
    key.fill(0);
    this.#dropSprayKeys(bucket);
    this.#sprayHashers.set(bucket, h);
    this.#sprayFloor = Math.min(this.#sprayFloor, bucket);
    return h;
  }

  /** Wipes the spray keys of windows other than `bucket` and its neighbours. */
  #dropSprayKeys(bucket: number): void {
    let floor = Number.POSITIVE_INFINITY;
    for (const [b, h] of this.#sprayHashers) {
      if (b < bucket - 1 || b > bucket + 1) {
        h.wipe();
        this.#sprayHashers.delete(b);
      } else floor = Math.min(floor, b);
    }
    this.#sprayFloor = floor;
  }

  /**
   * Counter keys, each a namespace, a kind and a 64-bit id (`lp` + five
   * characters, see idKey), built flat: the (account, source) pair's id mixes the
   * account hash with a keyed hash of the source, so no key repeats the
   * account name or the address.
   */
  #keys(a: LoginAttempt, uhHi: number, uhLo: number, device: DeviceClaims | undefined): Keys {
    let sHi: number, sLo: number;
    if (device) {
      const sw = this.#sources.words(`dev:${device.deviceId}`);
      sHi = sw[0]! | 0;
      sLo = sw[1]! | 0;
    } else {
      // The source's id straight from the address's words (grouped as configured): no text to build or
      // hash. A dotted quad, the common case, is parsed to a number without an object.
      let version = 0;
      let w0 = 0, w1 = 0, w2 = 0, w3 = 0;
      const v4 = parseIpv4(a.ip);
      if (v4 !== undefined) {
        version = 4;
        w3 = v4;
      } else {
        const ip = tryParseIp(a.ip);
        if (ip) [version, w0, w1, w2, w3] = [ip.version, ip.words[0], ip.words[1], ip.words[2], ip.words[3]];
      }
      let meta = 0;
      if (version !== 0) {
        const prefix = version === 4 ? this.#v4Prefix : this.#v6Prefix;
        // The grouped network (as cidrOf gives it), word by word; IPv4 sits in the last word.
        const bits = (version === 4 ? 96 : 0) + prefix;
        w0 &= keepBits(bits);
        w1 &= keepBits(bits - 32);
        w2 &= keepBits(bits - 64);
        w3 &= keepBits(bits - 96);
        meta = (version << 8) | prefix;
      }
      sHi = mixSource(this.#srcSeedHi, meta, w0, w1, w2, w3);
      sLo = mixSource(this.#srcSeedLo, meta, w0, w1, w2, w3);
    }
    const pHi = mixPair(uhHi, uhLo, sHi, sLo, 0x3c6ef372);
    const pLo = mixPair(uhLo, uhHi, sLo, sHi, 0xa54ff53a);
    // The day's cap for all an account's devices is kept under the account as the site tells
    // accounts apart, not as counted: a look-alike account's own devices must not use it up.
    const owner = device ? this.#deviceUserWords(a.username, a.normalize, a.scope) : undefined;
    return {
      now: 0,
      userSource: idKey(this.#ns, K_PAIR, pHi, pLo),
      deviceDay: owner ? idKey(this.#ns, K_DEVICE_DAY, pHi, pLo) : '',
      deviceUserDay: owner ? idKey(this.#ns, K_DEVICE_USER_DAY, owner[0]! | 0, owner[1]! | 0) : '',
      backoff: idKey(this.#ns, K_BACKOFF, pHi, pLo),
      user: idKey(this.#ns, K_USER, uhHi, uhLo),
      source: idKey(this.#ns, K_SOURCE, sHi, sLo),
      siteNow: '',
      sitePrev: '',
      siteFraction: 0,
      sprayNow: undefined,
      sprayPrev: undefined,
    };
  }

  #siteBucket = Number.NaN;
  #siteNowKey = '';
  #sitePrevKey = '';
  /** The closed site window's count, as read at #sitePrevAt. */
  #sitePrevValue = 0;
  #sitePrevAt = Number.NEGATIVE_INFINITY;

  /** Brings the time-dependent keys (site and spray windows) of an attempt up to now. */
  #now(a: LoginAttempt, k: Keys): Keys {
    const c = this.config;
    const now = this.#d.clock.now();
    if (now === k.now) return k;
    const siteBucket = Math.floor(now / c.site.windowMs);
    if (siteBucket !== this.#siteBucket) {
      this.#siteBucket = siteBucket;
      this.#siteNowKey = `${this.#nsChar}w${siteBucket}`;
      this.#sitePrevKey = `${this.#nsChar}w${siteBucket - 1}`;
    }
    k.siteNow = this.#siteNowKey;
    k.sitePrev = this.#sitePrevKey;
    const sprayBucket = Math.floor(now / c.spraying.windowMs);
    // A window two windows old: its key goes at this attempt, with or without a password.
    if (sprayBucket - 1 > this.#sprayFloor) this.#dropSprayKeys(sprayBucket);
    if (a.password && (k.now === 0 || Math.floor(k.now / c.spraying.windowMs) !== sprayBucket)) {
      k.sprayNow = this.#sprayKeyOf(a.password, sprayBucket);
      k.sprayPrev = this.#sprayKeyOf(a.password, sprayBucket - 1);
    }
    // (A subtraction, not `%`: on doubles that is a library call.)
    k.siteFraction = (now - siteBucket * c.site.windowMs) / c.site.windowMs;
    k.now = now;
    return k;
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

  /** Makes an attempt's device an untrusted one for this account (its day's failures are used up). */
  #distrust(a: LoginAttempt, who: Who): void {
    who.device = undefined;
    who.by = 1;
    who.k = this.#keys(a, who.uhHi, who.uhLo, undefined);
  }

  /**
   * Before the password is verified: allow, challenge or block this attempt. With an
   * in-process store the whole check runs synchronously, with no async function of its own
   * (whose suspended frame V8 allocates on every call, whether it waits or not); with any
   * other store its reads and writes go out together.
   */
  check(a: LoginAttempt): Promise<LoginVerdict> {
    const sync = this.#d.store.sync;
    if (!sync) return this.#checkAsync(a);
    try {
      const v = this.#checkSync(a, sync);
      // The two shared "allow" verdicts have their settled promises made once.
      return v === ALLOW_UNTRUSTED ? ALLOWED_UNTRUSTED : v === ALLOW_TRUSTED ? ALLOWED_TRUSTED : Promise.resolve(v);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #checkSync(a: LoginAttempt, sync: SyncStore): LoginVerdict {
    const who = this.#who(a);
    // Checked again before any report: the earlier reservation is taken back first.
    if (who.reserved) this.#undoSync(sync, who.k, this.#unreserve(who));
    if (who.device && this.#overDeviceBudget(sync.readSync([who.k.deviceDay, who.k.deviceUserDay]))) this.#distrust(a, who);
    const p = this.#plan(a, who);
    // The store reads the same clock: hand it this reading rather than have it take its own.
    const now = sync.clock === this.#d.clock ? who.k.now : undefined;
    // One call: the table's cache misses for all these keys overlap. The set additions come
    // after the reads, so the reads give the counts before them.
    const values = sync.incrementReadSync(p.reserve, p.readKeys, now);
    const members = p.distinct.length ? sync.addDistinctSync(p.distinct, now) : NONE;
    // Most of the time there is no decision at all: then no subject to build.
    const decisions = sync.decisionCount === 0 ? NO_DECISIONS : this.#scopedDecisions(sync.matchSync(this.#subject(a, who)), a, who, (s) => sync.matchSync(s));
    // When the holds were taken, in the store's time: its `now` (or a reading of its clock after it).
    const heldAt = now ?? sync.clock.now();
    const v = this.#conclude(a, who, p, values, values, p.reserve.length, decisions, members, heldAt);
    if (p.writes) sync.incrementSync(p.writes);
    if (p.unmark) sync.removeDistinctSync(p.unmark, now);
    return v;
  }

  async #checkAsync(a: LoginAttempt): Promise<LoginVerdict> {
    const st = this.#d.store;
    const who = this.#who(a);
    if (who.reserved) await this.#undo(who.k, this.#unreserve(who));
    // (Only a trusted device pays this extra round.)
    if (who.device && this.#overDeviceBudget(await st.read([who.k.deviceDay, who.k.deviceUserDay]))) this.#distrust(a, who);
    const p = this.#plan(a, who);
    // One round: the set additions are issued after the reads, so a backend that applies
    // calls in order (all of ours) reads the counts before them. One that did not would see
    // an addition as not new, and never take it back: counts would only be stricter.
    const [counted, values, decisions, members] = await Promise.all([
      st.increment(p.reserve),
      st.read(p.readKeys),
      this.#matchAsync(a, who),
      p.distinct.length ? st.addDistinct(p.distinct) : NONE,
    ]);
    // When the holds were taken, in the store's time: a reading of its clock after they all were.
    // A store with no clock here (a remote one) is read through the guard's, with a margin for
    // the two clocks' skew: a hold looks its own marker's unless that came back later than that.
    const heldAt = st.clock ? st.clock.now() : this.#d.clock.now() + HELD_AT_SKEW_MS;
    const v = this.#conclude(a, who, p, counted, values, 0, decisions, members, heldAt);
    if (p.writes) await st.increment(p.writes);
    if (p.unmark) await st.removeDistinct(p.unmark);
    return v;
  }

  /** Drops an attempt's reservation, for the caller to take back. */
  #unreserve(who: Who): Reservation {
    const r = who.reserved!;
    who.reserved = undefined;
    return r;
  }

  /** What a check counts and reads: set on the Who (no object of its own), which is returned. */
  #plan(a: LoginAttempt, who: Who): Who {
    const k = this.#now(a, who.k);
    // The closed site window changes little: read it at most once a second.
    const prevKnown = k.sitePrev === this.#sitePrevKey && k.now >= this.#sitePrevAt && k.now - this.#sitePrevAt < SITE_PREV_FRESH_MS;
    const readKeys = prevKnown ? [k.backoff, k.source] : [k.backoff, k.source, k.sitePrev];
    if (k.sprayNow) readKeys.push(k.sprayNow, k.sprayPrev!);
    // The attempt is counted now, as a failure; report settles it. Each of many parallel
    // attempts therefore sees the ones before it.
    who.reserve = this.#failureOps(k, who.by);
    who.readKeys = readKeys;
    // A trusted device is not counted among a source's or a password's failing accounts.
    who.distinct = who.by === 0 ? NO_DISTINCT : this.#distinctOps(who, k);
    who.prevKnown = prevKnown;
    who.writes = undefined;
    who.unmark = undefined;
    return who;
  }

  /**
   * An untrusted failure's set additions: the account among those failing from the source
   * (its marker kept beside the pair's own counters) and, with a password, among those
   * failing with it.
   */
  #distinctOps(who: Who, k: Keys): DistinctOp[] {
    const c = this.config;
    const ops: DistinctOp[] = [{ key: k.source, member: who.uh, ttlMs: c.source.windowMs, near: k.userSource }];
    if (k.sprayNow) ops.push({ key: k.sprayNow, member: who.uh, ttlMs: c.spraying.windowMs * 2, near: undefined });
    return ops;
  }

  /** The decisions on an attempt, its application's account closures with them. */
  async #matchAsync(a: LoginAttempt, who: Who): Promise<Decision[]> {
    const st = this.#d.store;
    if (!a.scope) return st.decisions.match(this.#subject(a, who));
    const [all, scoped] = await Promise.all([st.decisions.match(this.#subject(a, who)), st.decisions.match({ userHash: idString(who.uhHi, who.uhLo) })]);
    return scoped.length ? [...all, ...scoped.filter((d) => d.scope === 'user')] : all;
  }

  /**
   * Adds to an attempt's decisions those on its account in its application (an account the
   * login protection closed there): decisions on the name alone (an operator's) came with the
   * subject already.
   */
  #scopedDecisions(found: Decision[], a: LoginAttempt, who: Who, match: (s: Subject) => Decision[]): Decision[] {
    if (!a.scope) return found;
    const scoped = match({ userHash: idString(who.uhHi, who.uhLo) }).filter((d) => d.scope === 'user');
    return scoped.length ? [...found, ...scoped] : found;
  }

  /** Who and where an attempt comes from, as decisions are matched against. */
  #subject(a: LoginAttempt, who: Who): Subject {
    return { ip: a.ip, userHash: who.uh, device: who.device?.deviceId, country: a.country };
  }

  /**
   * The verdict from the counts after the reservation (`counted`), the reads (`values` from
   * `vo` on: the counts before it) and the set counts after its additions (`members`). A
   * refused attempt's reservation is taken back: those changes, and a lock that was due, are
   * left in `p.writes` and `p.unmark` for the caller to apply.
   */
  #conclude(
    a: LoginAttempt,
    who: Who,
    p: Plan,
    counted: readonly number[],
    values: readonly number[],
    vo: number,
    decisions: readonly Decision[],
    members: readonly number[],
    heldAt: number,
  ): LoginVerdict {
    const c = this.config;
    const k = who.k;
    const by = p.by;
    const trusted = by === 0;
    const usAfter = counted[0] ?? 1;
    const userAfter = counted[1] ?? by;
    const siteAfter = counted[2] ?? by;
    const backoffUntil = values[vo + 0] ?? 0;
    const sourceUsers = values[vo + 1] ?? 0;
    let sitePrev = this.#sitePrevValue;
    if (!p.prevKnown) {
      sitePrev = values[vo + 2] ?? 0;
      this.#sitePrevValue = sitePrev;
      this.#sitePrevAt = k.now;
    }
    // The spray windows' reads, present only when the attempt came with a password.
    const sprayAt = p.prevKnown ? 2 : 3;
    const sprayNow = p.readKeys.length > sprayAt ? values[vo + sprayAt]! : 0;
    const sprayPrev = p.readKeys.length > sprayAt + 1 ? values[vo + sprayAt + 1]! : 0;
    // A trusted device's day counts before this attempt: at the cap only when parallel attempts
    // raced past the check that makes such a device untrusted. Refused; the next one is untrusted.
    const raced = trusted && this.#overDeviceBudget([(counted[3] ?? 1) - 1, (counted[4] ?? 1) - 1]);
    const v = raced
      ? this.#refuse(a, who.uh, trusted, 'block', 'login.device', "this trusted device's failures on the account for the day are used up", 1)
      : this.#evaluate(a, who.uh, trusted, k, decisions, {
          userSource: usAfter - 1,
          user: userAfter - by,
          site: siteNow(siteAfter - by, sitePrev, k.siteFraction),
          backoffUntil,
          sourceUsers,
          spray: Math.max(sprayNow, sprayPrev),
        });
    // This attempt's holds in the distinct-account sets: given back if it is not a failure.
    const marks = p.distinct;
    const sourceAfter = p.distinct.length > 0 ? members[0]! : sourceUsers;
    const sprayAfter = p.distinct.length > 1 ? members[1]! : sprayNow;
    if (v === ALLOW_UNTRUSTED || v === ALLOW_TRUSTED || v.action === 'allow' || v.detectOnly) {
      who.reserved = {
        userSource: usAfter,
        user: userAfter,
        site: siteAfter,
        by,
        siteKey: k.siteNow,
        sourceUsers: sourceAfter,
        sprayUsers: sprayAfter,
        deviceDay: counted[3] ?? 0,
        deviceUserDay: counted[4] ?? 0,
        marks,
        heldAt,
      };
      return v;
    }
    // Refused: it never reaches the site, so it is not a failure. Take the counts back.
    this.#done(a);
    if (marks.length) p.unmark = giveBack(marks, heldAt);
    const writes = this.#takeBackOps(k, by);
    if (v.ruleId === 'login.user-source' && backoffUntil === 0 && usAfter - 1 >= c.userSource.blockAfter) {
      // A lock was due but its failure was never reported (the site did not answer): set it
      // here, so that it has an end.
      const until = Math.ceil((k.now + c.userSource.backoffBaseMs) / 1000);
      writes.push({ key: k.backoff, by: until, ttlMs: c.userSource.backoffBaseMs + c.userSource.windowMs });
    }
    p.writes = writes;
    return v;
  }

  /**
   * The counts one failure adds. The (account, source) count lives for its window plus the
   * longest back-off, so that waiting a lock out does not reset it.
   */
  #failureOps(k: Keys, by: number, siteKey = k.siteNow): CounterOp[] {
    const c = this.config;
    const ops = [
      // (Every op the same shape, { key, by, ttlMs }: the store's loop reads them through one map.)
      { key: k.userSource, by: 1, ttlMs: c.userSource.windowMs + c.userSource.backoffMaxMs },
      { key: k.user, by, ttlMs: c.user.windowMs },
      { key: siteKey, by, ttlMs: c.site.windowMs * 2 },
    ];
    // A trusted device's failure also counts against its day's budget (never reset by a success).
    if (k.deviceDay) ops.push({ key: k.deviceDay, by: 1, ttlMs: DEVICE_FAILURE_WINDOW_MS }, { key: k.deviceUserDay, by: 1, ttlMs: DEVICE_FAILURE_WINDOW_MS });
    return ops;
  }

  #evaluate(
    a: LoginAttempt,
    uh: string,
    trusted: boolean,
    k: Keys,
    decisions: readonly Decision[],
    n: { userSource: number; user: number; site: number; backoffUntil: number; sourceUsers: number; spray: number },
  ): LoginVerdict {
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
      if (n.user >= NIST_MAX_FAILURES) return this.#refuse(a, uh, trusted, 'block', 'login.user', `account closed to untrusted devices after ${n.user} failures`, c.user.windowMs / 1000);
      if (n.spray >= c.spraying.blockAfterUsers) return this.#refuse(a, uh, trusted, 'block', 'login.spraying', `this password failed for ${n.spray} accounts`, c.spraying.windowMs / 1000);
      if (n.sourceUsers >= c.source.blockAfterUsers) return this.#refuse(a, uh, trusted, 'block', 'login.stuffing', `${n.sourceUsers} accounts failed from this source`, c.source.blockForMs / 1000);
      if (n.spray >= c.spraying.challengeAfterUsers) return this.#refuse(a, uh, trusted, 'challenge', 'login.spraying', `this password failed for ${n.spray} accounts`, c.spraying.windowMs / 1000);
      if (n.sourceUsers >= c.source.challengeAfterUsers) return this.#refuse(a, uh, trusted, 'challenge', 'login.stuffing', `${n.sourceUsers} accounts failed from this source`, c.source.windowMs / 1000);
      if (n.user >= c.user.challengeAfter) return this.#refuse(a, uh, trusted, 'challenge', 'login.user', `${n.user} failures for this account`, c.user.windowMs / 1000);
    }
    if (n.userSource >= c.userSource.challengeAfter) return this.#refuse(a, uh, trusted, 'challenge', 'login.user-source', `${n.userSource} consecutive failures from this source`, c.userSource.windowMs / 1000);
    if (!trusted && n.site >= c.site.challengeAboveFailures) {
      return this.#refuse(a, uh, trusted, 'challenge', 'login.site', `${Math.round(n.site)} failed logins site-wide in the last window`, c.site.windowMs / 1000);
    }
    return trusted ? ALLOW_TRUSTED : ALLOW_UNTRUSTED;
  }

  #refuse(a: LoginAttempt, uh: string, trusted: boolean, action: Verdict['action'], ruleId: string, reason: string, retryAfter?: number): LoginVerdict {
    return this.#finish(this.#verdict(action, ruleId, reason, trusted, retryAfter), a, uh);
  }

  #verdict(action: Verdict['action'], ruleId: string, reason: string, trusted: boolean, retryAfter?: number): LoginVerdict {
    return {
      action,
      ruleId,
      reason,
      trustedDevice: trusted,
      ...(retryAfter !== undefined ? { retryAfter: Math.max(1, Math.ceil(retryAfter)) } : {}),
      ...(action === 'challenge' ? { difficulty: 0 } : {}),
      ...(this.#detect && action !== 'allow' ? { detectOnly: true } : {}),
    };
  }

  #finish(v: LoginVerdict, a: LoginAttempt, uh: string): LoginVerdict {
    if (v.action === 'challenge' && this.#solved(a, v.ruleId!)) return { ...v, action: 'allow', reason: `${v.reason}; challenge solved`, challengeSolved: true };
    if (v.action !== 'allow') {
      this.#emit(`login-${v.action === 'block' ? 'blocked' : 'challenged'}`, a, uh, 'failure', {
        'rule.id': v.ruleId,
        'event.reason': v.reason,
      });
    }
    return v;
  }

  /**
   * After the site answered. On a success the report carries a trusted-device token for the
   * client, unless `opts.deviceToken` is false (a caller that issues its own, as the Guard does).
   */
  report(a: LoginAttempt, success: boolean, opts?: { deviceToken?: boolean }): Promise<LoginReport> {
    // The attempt ends here: take what check worked out, and forget it.
    let who: Who;
    try {
      who = this.#who(a);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#done(a);
    return success ? this.#success(a, who, opts?.deviceToken !== false) : this.#failure(a, who);
  }

  async #success(a: LoginAttempt, who: Who, token: boolean): Promise<LoginReport> {
    const { uh, device, k: keys } = who;
    const k = this.#now(a, keys);
    const st = this.#d.store;
    const r = who.reserved;
    let sourceFailures: number;
    let accountFailures: number;
    if (r) {
      // Check counted this attempt as a failure: it was not one.
      sourceFailures = r.userSource - 1;
      accountFailures = r.user - r.by;
      if (r.by) await st.increment([{ key: k.user, by: -r.by, ttlMs: 1 }, { key: r.siteKey, by: -r.by, ttlMs: 1 }]);
      else if (k.deviceDay) await st.increment([{ key: k.deviceDay, by: -1, ttlMs: 1 }, { key: k.deviceUserDay, by: -1, ttlMs: 1 }]);
      // Nor is this account, by this attempt, among the source's (or the password's) failing ones.
      if (r.marks.length) await st.removeDistinct(giveBack(r.marks, r.heldAt));
    } else {
      [sourceFailures = 0, accountFailures = 0] = await st.read([k.userSource, k.user]);
    }
    // A success clears only this source's (or this device's) failures. The account-wide count (and
    // a trusted device's count for the day) is left to expire with its window: if the owner's
    // logins cleared it, each of them would hand an attacker (or a stolen cookie) fresh guesses.
    await st.reset([k.userSource, k.backoff]);
    this.#emit('login-success', a, uh, 'success', { 'mamori.count': sourceFailures || undefined });
    const n = this.config.notifyAfterFailures;
    const failures = Math.max(sourceFailures, accountFailures);
    // Tell the site once per window when the account has been under attack, and every time a
    // source succeeds right after failing many times itself (a guess that worked). The account
    // as counted, in its application: another application's account of the name has its own notice.
    const notify =
      sourceFailures >= n ||
      (accountFailures >= n && (await st.claim(`${this.#nsChar}:notified:${idString(who.uhHi, who.uhLo)}:${Math.floor(k.now / this.config.user.windowMs)}`, this.config.user.windowMs)));
    if (notify) {
      this.#emit('login-success-after-failures', a, uh, 'success', {
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
   * follow-ups (a lock, a decision). With an in-process store and nothing to wait for, no
   * promise is made at all (a settled one is shared).
   */
  #failure(a: LoginAttempt, who: Who): Promise<LoginReport> {
    const st = this.#d.store;
    const sync = st.sync;
    if (!sync) return this.#failureAsync(a, who);
    try {
      const f = this.#failureCounts(a, who);
      const now = sync.clock === this.#d.clock ? who.k.now : undefined;
      const counted = f.ops.length ? sync.incrementSync(f.ops, now) : NONE;
      return this.#afterFailure(a, who, counted, f.distinct.length ? sync.addDistinctSync(f.distinct, now) : NONE);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async #failureAsync(a: LoginAttempt, who: Who): Promise<LoginReport> {
    const st = this.#d.store;
    const f = this.#failureCounts(a, who);
    const [counted, members] = await Promise.all([st.increment(f.ops), st.addDistinct(f.distinct)]);
    return this.#afterFailure(a, who, counted, members);
  }

  /** The counter changes and set additions of a failure. */
  #failureCounts(a: LoginAttempt, who: Who): { ops: readonly CounterOp[]; distinct: readonly DistinctOp[] } {
    const k = this.#now(a, who.k);
    const trusted = who.device !== undefined;
    // Counted already when check let the attempt through; counted now when report comes alone.
    if (who.reserved) return { ops: NO_OPS, distinct: NO_DISTINCT };
    return { ops: this.#failureOps(k, trusted ? 0 : 1), distinct: trusted ? NO_DISTINCT : this.#distinctOps(who, k) };
  }

  /** A counted failure's events and follow-ups, from the counts after it. */
  #afterFailure(a: LoginAttempt, who: Who, counted: readonly number[], members: readonly number[]): Promise<LoginReport> {
    const c = this.config;
    const st = this.#d.store;
    const { uh, device, k } = who;
    const trusted = device !== undefined;
    const r = who.reserved;
    const userSource = counted[0] ?? r?.userSource ?? 0;
    const user = counted[1] ?? r?.user ?? 0;
    const site = counted[2] ?? r?.site ?? 0;
    const sourceUsers = members[0] ?? r?.sourceUsers ?? 0;
    const sprayUsers = members[1] ?? r?.sprayUsers ?? 0;
    const deviceDay = counted[3] ?? r?.deviceDay ?? 0;
    const deviceUserDay = counted[4] ?? r?.deviceUserDay ?? 0;
    const failed = this.#event('login-failure', a, uh, 'failure', k.now);
    failed['mamori.count'] = userSource;
    this.#d.events.emit(failed, { account: a.username });
    let jobs: Promise<unknown>[] | undefined;
    if (userSource >= c.userSource.blockAfter) {
      const steps = userSource - c.userSource.blockAfter;
      const ms = Math.min(c.userSource.backoffMaxMs, c.userSource.backoffBaseMs * 2 ** Math.min(steps, 30));
      const until = Math.ceil((k.now + ms) / 1000);
      // The lock's end, kept past it (a lock that has run out still reads as set: see #evaluate).
      (jobs ??= []).push(st.reset([k.backoff]).then(() => st.increment([{ key: k.backoff, by: until, ttlMs: ms + c.userSource.windowMs }])));
      this.#emit('lockout', a, uh, 'failure', {
        'event.severity': 50,
        'event.reason': `${userSource} consecutive failures from one source; locked for ${Math.round(ms / 1000)}s`,
        'rule.id': 'login.user-source',
        'mamori.count': userSource,
      });
    }
    if (!trusted && user === c.user.closeAfter) {
      // Closed in the application whose failures closed it (the account as counted: see
      // LoginAttempt.scope); lift resets that count when the decision is deleted.
      (jobs ??= []).push(this.#decide('user', idString(who.uhHi, who.uhLo), c.user.closeForMs, `account closed to untrusted devices after ${user} failures`, a, uh, 'account-closed'));
    }
    if (!trusted && sourceUsers === c.source.blockAfterUsers) {
      const ip = tryParseIp(a.ip);
      const src = sourceKey(a.ip, this.#d.grouping);
      const grouped = ip && src.includes('/');
      (jobs ??= []).push(this.#decide(grouped ? 'range' : 'ip', grouped ? src : a.ip, c.source.blockForMs, `credential stuffing: ${sourceUsers} accounts failed from this source`, a, uh, 'credential-stuffing'));
    }
    if (!trusted && sprayUsers === c.spraying.blockAfterUsers) {
      this.#emit('password-spraying', a, uh, 'failure', {
        'event.severity': 73,
        'event.reason': `one password failed for ${sprayUsers} accounts`,
        'rule.id': 'login.spraying',
        'mamori.count': sprayUsers,
      });
    }
    if (!trusted && site === c.site.challengeAboveFailures) {
      this.#emit('site-attack', a, uh, 'failure', { 'event.severity': 73, 'event.reason': `${site} failed logins site-wide in one window`, 'rule.id': 'login.site', 'mamori.count': site });
    }
    const t = c.trustedDevice;
    if (trusted && (deviceDay === t.maxFailuresPerDevice || deviceUserDay === t.maxFailuresPerAccount)) {
      // The owner rarely fails this often: their cookie may have been stolen. Tell the site.
      this.#emit('device-capped', a, uh, 'failure', {
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

  async #decide(scope: 'user' | 'ip' | 'range', value: string, ttlMs: number, reason: string, a: LoginAttempt, uh: string, action: string): Promise<Decision> {
    const d = await this.#d.store.decisions.add({
      action: 'block',
      scope,
      value,
      expiresAt: this.#d.clock.now() + ttlMs,
      origin: ORIGIN,
      reason,
      ...(this.#detect ? { detectOnly: true as const } : {}),
    });
    this.#emit(action, a, uh, 'failure', {
      'event.severity': 73,
      'event.reason': reason,
      'mamori.decision.id': d.id,
      'mamori.decision.action': 'block',
      'rule.id': `login.${action}`,
    });
    return d;
  }

  #isoAt = -1;
  #iso = '';

  /** ISO time of `now`, formatted once per millisecond (toISOString costs more than the rest of an event). */
  #timestamp(now: number): string {
    if (now !== this.#isoAt) {
      this.#isoAt = now;
      this.#iso = new Date(now).toISOString();
    }
    return this.#iso;
  }

  /** An event about an attempt, to complete and emit. */
  #event(action: string, a: LoginAttempt, uh: string, outcome: 'success' | 'failure', now = this.#d.clock.now()): SecurityEvent {
    const e: SecurityEvent = {
      '@timestamp': this.#timestamp(now),
      'event.action': action,
      'event.category': 'authentication',
      'event.module': ORIGIN,
      'event.outcome': outcome,
      'source.ip': a.ip,
      'user.id': uh,
    };
    if (a.path) e['url.path'] = a.path;
    if (this.#detect) e['mamori.detect_only'] = true;
    if (a.country) e['source.geo.country_iso_code'] = a.country;
    if (a.userAgent) e['user_agent.original'] = a.userAgent;
    return e;
  }

  #emit(action: string, a: LoginAttempt, uh: string, outcome: 'success' | 'failure', extra: Partial<SecurityEvent>): void {
    const e = this.#event(action, a, uh, outcome);
    for (const key in extra) {
      const v = (extra as Record<string, unknown>)[key];
      if (v !== undefined) (e as unknown as Record<string, unknown>)[key] = v;
    }
    this.#d.events.emit(e, { account: a.username });
  }
}
