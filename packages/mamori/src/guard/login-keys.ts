/**
 * The login guard's store keys: how an attempt's account, source and password become the
 * keys its counts live under. The mechanics only (keyed hashes, the mixing of a source and a
 * pair into ids, the spray hashers' key rotation); what is counted under them, and what the
 * counts mean, is login.ts's.
 *
 * Every key is a namespace, a kind and a 64-bit id (`lp` + five characters, see idKey), so no
 * key repeats an account name, an address or a password.
 */
import { hmac } from '../core/crypto.js';
import { idKey, idString, StringHasher } from '../core/siphash.js';
import { murmurFinish, murmurMix, murmurScramble } from '../core/murmur.js';
import { parseIpv4, tryParseIp, type SourceGrouping } from '../core/net.js';
import type { Random } from '../core/random.js';
import { accountSkeleton, PLAIN_CHARS } from './account-name.js';
import type { DeviceClaims } from './device-token.js';
import type { LoginAttempt, UsernameNormalization } from './login-types.js';

/** An attempt's counter keys; the time-dependent ones (site and spray windows) set by `refresh`. */
export interface AttemptKeys {
  /** When the time-dependent keys were last brought up to date (0: never). */
  now: number;
  userSource: string;
  /** A trusted device's failures on the account today, and those of all the account's devices ('' when untrusted). */
  deviceDay: string;
  deviceUserDay: string;
  backoff: string;
  user: string;
  /** The account's closure: its end (seconds), kept beside its decision for the account's window (see LoginGuard's #close). */
  closed: string;
  source: string;
  /** The source address's failures behind solved challenges (its challenge level), grouped as its failing accounts are; by address also for a trusted device. */
  solvedFailures: string;
  siteNow: string;
  sitePrev: string;
  /** How far into the current site window `now` is, from 0 to 1. */
  siteFraction: number;
  sprayNow: string | undefined;
  sprayPrev: string | undefined;
}

/** What a source is counted for, besides its failing accounts. */
export type SourceCount = 'solved-failures' | 'ignored-challenges';

export interface LoginKeysOptions {
  secret: Buffer;
  random: Random;
  grouping: SourceGrouping;
  /** Detect mode counts in a namespace of its own: the same store run in enforce mode later never reads it. */
  detect: boolean;
  siteWindowMs: number;
  sprayWindowMs: number;
}

const L = 0x6c; // 'l': login's namespace in the store
const D = 0x64; // 'd': its namespace in detect mode
const K_PAIR = 0x70; // 'p': consecutive failures of an (account, source) pair
const K_BACKOFF = 0x62; // 'b': the pair's lock end
const K_USER = 0x75; // 'u': failures of an account
const K_CLOSED = 0x63; // 'c': the account is closed (to untrusted devices)
const K_SOURCE = 0x73; // 's': accounts failing from a source
const K_SPRAY = 0x78; // 'x': accounts failing with a password
const K_DEVICE_DAY = 0x64; // 'd': a trusted device's failures on an account in a day
const K_DEVICE_USER_DAY = 0x74; // 't': the failures of all an account's trusted devices in a day
const K_SOLVED_FAILURES = 0x66; // 'f': a source's failed logins that had solved a challenge
const K_IGNORED = 0x69; // 'i': login challenges a source was given and did not solve

/** Usernames are cut to this before hashing: a megabyte name costs no more than a long one. */
const MAX_NAME = 512;
/** Account hashers kept, one per application (see LoginAttempt.scope). */
const SCOPES_HELD = 64;
const MAX_PASSWORD = 1024;

/**
 * One 32-bit half of the (account, source) pair's id: MurmurHash3 over the four hash words.
 * Both inputs are already keyed hashes; this only has to spread them.
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

export class LoginKeys {
  readonly #ns: number;
  readonly #nsChar: string;
  readonly #secret: Buffer;
  readonly #random: Random;
  readonly #users: StringHasher;
  readonly #sources: StringHasher;
  readonly #srcSeedHi: number;
  readonly #srcSeedLo: number;
  /** The source grouping's prefix lengths, clamped. */
  readonly #v4Prefix: number;
  readonly #v6Prefix: number;
  readonly #siteWindowMs: number;
  readonly #sprayWindowMs: number;
  /** Account hashers by application (see LoginAttempt.scope), each under a key of its own. */
  readonly #scoped = new Map<string, StringHasher>();
  /** Spray hashers by window (see #sprayHasher): at most three, and their keys nowhere else. */
  readonly #sprayHashers = new Map<number, StringHasher>();
  /** The oldest window whose spray key is held. */
  #sprayFloor = Number.POSITIVE_INFINITY;
  /** deviceUserHash's last question and answer (the name undefined: none yet). */
  #lastDeviceName: string | undefined;
  #lastDeviceNormalize: UsernameNormalization | undefined;
  #lastDeviceScope: string | undefined;
  #lastDeviceHash: string | undefined;
  #siteBucket = Number.NaN;
  #siteNowKey = '';
  #sitePrevKey = '';

  constructor(o: LoginKeysOptions) {
    this.#ns = o.detect ? D : L;
    this.#nsChar = String.fromCharCode(this.#ns);
    this.#secret = o.secret;
    this.#random = o.random;
    // Account names are keyed-hashed on every attempt: SipHash-2-4 (128 bits) under a key derived from the secret.
    this.#users = new StringHasher(hmac(o.secret, 'mamori-user-v3'), MAX_NAME);
    this.#sources = new StringHasher(hmac(o.secret, 'mamori-source-v1'), 256);
    const seeds = hmac(o.secret, 'mamori-source-seeds-v1');
    this.#srcSeedHi = seeds.readInt32LE(0);
    this.#srcSeedLo = seeds.readInt32LE(4);
    this.#v4Prefix = Math.max(0, Math.min(32, Math.trunc(o.grouping.ipv4Prefix)));
    this.#v6Prefix = Math.max(0, Math.min(128, Math.trunc(o.grouping.ipv6Prefix)));
    this.#siteWindowMs = o.siteWindowMs;
    this.#sprayWindowMs = o.sprayWindowMs;
  }

  /** This guard's namespace character (the first of each of its keys). */
  get ns(): string {
    return this.#nsChar;
  }

  /** The keyed hash an account is counted under in `scope` (the name as accountSkeleton merges it). */
  userHash(username: string, scope?: string): string {
    const w = this.accountWords(username, scope);
    return idString(w[0]!, w[1]!);
  }

  /** userHash's two 32-bit halves (in the hasher's buffer: overwritten by the next hash). */
  accountWords(username: string, scope?: string): Uint32Array {
    const name = String(username);
    const h = this.#hasher(scope);
    return h.wordsAsciiLower(name, PLAIN_CHARS) ?? h.words(accountSkeleton(name.slice(0, MAX_NAME)));
  }

  /**
   * The account a trusted-device token is for: the keyed hash of the name as the site tells
   * accounts apart. Undefined for a name longer than the hashed part (no site has one).
   */
  deviceUserHash(username: string, normalize: UsernameNormalization = 'exact', scope?: string): string | undefined {
    // A login asks twice (its device's check, then the cookie its success gets): the last answer is kept.
    if (typeof username !== 'string') return this.#deviceUserHash(username, normalize, scope);
    if (username === this.#lastDeviceName && normalize === this.#lastDeviceNormalize && scope === this.#lastDeviceScope) return this.#lastDeviceHash;
    const hash = this.#deviceUserHash(username, normalize, scope);
    this.#lastDeviceName = username;
    this.#lastDeviceNormalize = normalize;
    this.#lastDeviceScope = scope;
    this.#lastDeviceHash = hash;
    return hash;
  }

  #deviceUserHash(username: string, normalize: UsernameNormalization, scope: string | undefined): string | undefined {
    const w = this.#deviceUserWords(username, normalize, scope);
    return w && idString(w[0]!, w[1]!);
  }

  #deviceUserWords(username: string, normalize: UsernameNormalization | undefined, scope: string | undefined): Uint32Array | undefined {
    const name = String(username);
    if (name.length > MAX_NAME) return undefined;
    if (normalize === 'wordpress') return this.accountWords(name, scope);
    return this.#hasher(scope).words(normalize === 'lowercase' ? name.toLowerCase() : name);
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
   * An attempt's keys (the time-dependent ones left for `refresh`): the (account, source)
   * pair's id mixes the account hash with a keyed hash of the source; a trusted device is its
   * own source.
   */
  attempt(a: LoginAttempt, uhHi: number, uhLo: number, device: DeviceClaims | undefined): AttemptKeys {
    let sHi: number, sLo: number;
    const ns = this.#ns;
    let solvedFailures: string;
    if (device) {
      const sw = this.#sources.words(`dev:${device.deviceId}`);
      sHi = sw[0]! | 0;
      sLo = sw[1]! | 0;
      const s = this.#sourceWords(a.ip);
      solvedFailures = idKey(ns, K_SOLVED_FAILURES, s[0], s[1]);
    } else {
      const s = this.#sourceWords(a.ip);
      sHi = s[0];
      sLo = s[1];
      solvedFailures = idKey(ns, K_SOLVED_FAILURES, sHi, sLo);
    }
    const pHi = mixPair(uhHi, uhLo, sHi, sLo, 0x3c6ef372);
    const pLo = mixPair(uhLo, uhHi, sLo, sHi, 0xa54ff53a);
    // The day's cap for all an account's devices is kept under the account as the site tells
    // accounts apart, not as counted: a look-alike account's own devices must not use it up.
    const owner = device ? this.#deviceUserWords(a.username, a.normalize, a.scope) : undefined;
    return {
      now: 0,
      userSource: idKey(ns, K_PAIR, pHi, pLo),
      deviceDay: owner ? idKey(ns, K_DEVICE_DAY, pHi, pLo) : '',
      deviceUserDay: owner ? idKey(ns, K_DEVICE_USER_DAY, owner[0]! | 0, owner[1]! | 0) : '',
      backoff: idKey(ns, K_BACKOFF, pHi, pLo),
      user: idKey(ns, K_USER, uhHi, uhLo),
      closed: idKey(ns, K_CLOSED, uhHi, uhLo),
      source: idKey(ns, K_SOURCE, sHi, sLo),
      solvedFailures,
      siteNow: '',
      sitePrev: '',
      siteFraction: 0,
      sprayNow: undefined,
      sprayPrev: undefined,
    };
  }

  /**
   * A source's id halves straight from the address's words (grouped as configured): no text to
   * build or hash. A dotted quad, the common case, is parsed to a number without an object.
   */
  #sourceWords(address: string): [number, number] {
    let version = 0;
    let w0 = 0, w1 = 0, w2 = 0, w3 = 0;
    const v4 = parseIpv4(address);
    if (v4 !== undefined) {
      version = 4;
      w3 = v4;
    } else {
      const ip = tryParseIp(address);
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
    return [mixSource(this.#srcSeedHi, meta, w0, w1, w2, w3), mixSource(this.#srcSeedLo, meta, w0, w1, w2, w3)];
  }

  /** The keys an attempt is counted under, for tools and tests that read the counts (LoginGuard.counterKeys). */
  counterKeys(a: LoginAttempt, device: DeviceClaims | undefined, now: number): { userSource: string; backoff: string; user: string; source: string; spray?: string } {
    const words = this.accountWords(a.username, a.scope);
    const k = this.attempt(a, words[0]! | 0, words[1]! | 0, device);
    const keys = { userSource: k.userSource, backoff: k.backoff, user: k.user, source: k.source };
    return a.password ? { ...keys, spray: this.sprayKey(a.password, Math.floor(now / this.#sprayWindowMs)) } : keys;
  }

  /** A source's escalation counter, grouped as its failing accounts are. */
  sourceCount(ip: string, what: SourceCount): string {
    const [hi, lo] = this.#sourceWords(ip);
    return idKey(this.#ns, what === 'solved-failures' ? K_SOLVED_FAILURES : K_IGNORED, hi, lo);
  }

  /** Every count a source decision stands for (its failing accounts, its escalations), in a namespace (`detect`). */
  sourceCounts(ip: string, detect: boolean): string[] {
    const [hi, lo] = this.#sourceWords(ip);
    const ns = detect ? D : L;
    return [idKey(ns, K_SOURCE, hi, lo), idKey(ns, K_SOLVED_FAILURES, hi, lo), idKey(ns, K_IGNORED, hi, lo)];
  }

  /** An account's failure count and closure from the hash a user decision names, in a namespace (`detect`); none if it is not one. */
  accountCounts(userHash: string, detect: boolean): string[] {
    const id = Buffer.from(userHash, 'base64url');
    if (id.length !== 8) return [];
    const ns = detect ? D : L;
    return [idKey(ns, K_USER, id.readInt32BE(0), id.readInt32BE(4)), idKey(ns, K_CLOSED, id.readInt32BE(0), id.readInt32BE(4))];
  }

  /** Brings an attempt's time-dependent keys (site and spray windows) up to `now`. */
  refresh(a: LoginAttempt, k: AttemptKeys, now: number): AttemptKeys {
    if (now === k.now) return k;
    const siteBucket = Math.floor(now / this.#siteWindowMs);
    if (siteBucket !== this.#siteBucket) {
      this.#siteBucket = siteBucket;
      this.#siteNowKey = `${this.#nsChar}w${siteBucket}`;
      this.#sitePrevKey = `${this.#nsChar}w${siteBucket - 1}`;
    }
    k.siteNow = this.#siteNowKey;
    k.sitePrev = this.#sitePrevKey;
    const sprayBucket = Math.floor(now / this.#sprayWindowMs);
    // A window two windows old: its key goes at this attempt, with or without a password.
    if (sprayBucket - 1 > this.#sprayFloor) this.#dropSprayKeys(sprayBucket);
    // (A trusted device's attempt is not counted among a password's failing accounts: no keys.)
    if (a.password && k.deviceDay === '' && (k.now === 0 || Math.floor(k.now / this.#sprayWindowMs) !== sprayBucket)) {
      k.sprayNow = this.sprayKey(a.password, sprayBucket);
      k.sprayPrev = this.sprayKey(a.password, sprayBucket - 1);
    }
    // (A subtraction, not `%`: on doubles that is a library call.)
    k.siteFraction = (now - siteBucket * this.#siteWindowMs) / this.#siteWindowMs;
    k.now = now;
    return k;
  }

  /** The current closed site window's key: a read of it made for another attempt holds for this one. */
  get sitePrev(): string {
    return this.#sitePrevKey;
  }

  /** The spray counter key of a password in a window (`bucket`): a keyed hash under that window's random key. */
  sprayKey(password: string, bucket: number): string {
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
    const key = this.#random.bytes(16);
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
}
