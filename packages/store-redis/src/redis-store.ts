/**
 * A Store on Redis (ioredis), so that several mamori processes (two proxies
 * behind one load balancer, an application in several workers) count as one:
 * an attack spread over them meets the same limits as against one.
 *
 *   const store = await RedisStore.open({ url: 'redis://127.0.0.1:6379', secret: process.env.MAMORI_SECRET! });
 *
 * One round trip per check: every counter, set, claim and decision look-up
 * asked for in one turn of the event loop goes to Redis as one Lua script
 * call (see scripts.ts), run atomically; events ride with such calls, a few dozen at a time (see RedisEvents.append).
 *
 * Keys never reveal identities: counter keys, set members and claimed keys
 * are stored as 128 bits of keyed hash (two SipHash-2-4 under keys derived
 * from the secret). Decisions keep their values (an address, a range, a user's
 * keyed hash, a device id, a country), as in the other stores.
 *
 * When Redis cannot be reached: commands are not queued while it is away,
 * and each waits at most `commandTimeoutMs`; the call then rejects with
 * MAMORI_ERR_STORE_UNAVAILABLE, and the client reconnects by itself. What
 * Redis held survives its restart only as its persistence allows (see the
 * README).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Command, Redis, type RedisOptions } from 'ioredis';
import {
  MamoriError,
  MIN_SECRET_LENGTH,
  validateDecisionInput,
  type Clock,
  type CounterOp,
  type Decision,
  type DecisionFilter,
  type DecisionInput,
  type DecisionStore,
  type DistinctOp,
  type EventQuery,
  type EventStore,
  type SecurityEvent,
  type Store,
  type Subject,
} from 'mamori';
import { eventMatches, hmac, keptLonger, matchesFilter, parseCidr, tryParseIp, formatIp, StringHasher } from 'mamori/internal';
import { BATCH, BATCH_NATIVE, DECISION_ADD, DECISION_DELETE, DECISION_EXPIRED, DECISION_LIST } from './scripts.js';

export interface RedisStoreOptions {
  /** Where Redis is (`redis://[:password@]host:port/db`); default redis://127.0.0.1:6379. Ignored with `client`. */
  url?: string;
  /**
   * A client of your own instead (its options are yours: give it a short commandTimeout and
   * enableOfflineQueue: false). close() leaves it open.
   */
  client?: Redis;
  /** Keys the hashes of counter keys, set members and claims; at least 32 bytes. Every process sharing the Redis gives the same. */
  secret: Buffer | string;
  /** Prefix of every key the store makes; processes that share state share it. Default `mamori:`. */
  prefix?: string;
  /**
   * The clock to read time from. Default: Redis's own (one clock for every process sharing it).
   * Tests give a ManualClock.
   */
  clock?: Clock;
  /** How long a command may take before it fails with MAMORI_ERR_STORE_UNAVAILABLE (ms). Default 1000. */
  commandTimeoutMs?: number;
  /** How long open() and each reconnection attempt wait for a connection (ms). Default 2000. */
  connectTimeoutMs?: number;
  /** Events kept (the newest). Default 100,000. */
  maxEvents?: number;
  /** Decisions kept. Default 100,000. */
  maxDecisions?: number;
  /** Receives failures no caller waits for (event writes), and warnings. Default: a process warning. */
  onError?: (err: unknown) => void;
  /**
   * On Redis's clock (no `clock`): where a counter, set member or claim has no entry, read the
   * text entry an older mamori (before the integer layout) made for it, and take over its count
   * and expiry. For a rolling upgrade, and for as long as the older version's counts that matter
   * live (see the README); each call then reads the missing keys' old names too. Default false.
   */
  readTextEntries?: boolean;
}

/** Operations sent in one script call at most (a longer batch goes as several). */
const MAX_BATCH_OPS = 1024;
/** Event writes waiting for Redis at most; past it new events are dropped (and counted). */
const MAX_PENDING_EVENTS = 4096;
/** Events read per LRANGE by query. */
const EVENT_PAGE = 1000;
/** Events wait at most this long for a batch to ride with (ms). */
const EVENT_FLUSH_MS = 50;
/**
 * Events ride with a batch once this many wait, or the oldest has waited EVENT_RIDE_MS: at a
 * steady rate of logins a batch carries a few dozen events, not one (the LPUSH and its share
 * of the script call are paid once for them), and none waits longer than EVENT_FLUSH_MS.
 */
const EVENT_RIDE = 64;
const EVENT_RIDE_MS = 20;
/** Redis keeps an entry this long past its own expiry (ms), for clocks that run apart. */
const GRACE_MS = 60_000;

type Reply = number | string[];

interface Queued {
  args: (string | number)[];
  keys: string[];
  n: number;
  resolve: (r: Reply[]) => void;
  reject: (e: unknown) => void;
}

/** The store's commands, defined on its client. */
interface Scripted {
  mamoriDecisionAdd(...args: (string | number)[]): Promise<number>;
  mamoriDecisionDelete(...args: (string | number)[]): Promise<number>;
  mamoriDecisionList(...args: (string | number)[]): Promise<string[]>;
  mamoriDecisionExpired(...args: (string | number)[]): Promise<string[]>;
}

/** Lifetimes are cut to ten years: the scripts keep expiry times as integers of at most 14 digits. */
const MAX_TTL_MS = 10 * 365 * 86_400_000;

function ttlOf(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_TTL_MS, Math.max(1, Math.trunc(ms))) : 1;
}

function amountOf(by: number | undefined): number {
  if (by === undefined) return 1;
  return Number.isFinite(by) ? Math.trunc(by) : 0;
}

function defaultOnError(err: unknown): void {
  process.emitWarning(`mamori Redis store: ${err instanceof Error ? err.message : String(err)}`, { code: 'MAMORI_STORE_REDIS' });
}

/** Keys longer than this are hashed with SHA-256 first (the SipHash buffer is this long). */
const MAX_KEY = 512;

/** The batch scripts' SHA-1, as EVALSHA names them. */
const BATCH_SHA = createHash('sha1').update(BATCH).digest('hex');
const BATCH_NATIVE_SHA = createHash('sha1').update(BATCH_NATIVE).digest('hex');

/**
 * The kinds of stored keys (counters, set members' markers, claims) in each layout: with a
 * caller's clock, entries are "count expiry" text (BATCH); with Redis's, plain integers with
 * Redis's own expiry (BATCH_NATIVE), under other names, so that neither layout ever reads the
 * other's entries (an older mamori sharing the Redis keeps its own counts; see the README).
 */
const KINDS = { text: { counter: 'c', marker: 'm', claim: 'k' }, native: { counter: 'nc', marker: 'nm', claim: 'nk' } } as const;

/** Stored keys remembered per kind (the text they were made from -> the key); the map is emptied when it reaches this. */
const KEY_CACHE = 4096;

/** How many arguments follow each operation's code in a request's args. */
const ARGC: Readonly<Record<string, number>> = { i: 2, r: 0, x: 0, a: 1, d: 2, c: 1, e: 2, m: 6 };
/** How many keys each operation names. */
const KEYC: Readonly<Record<string, number>> = { i: 1, r: 1, x: 1, a: 2, d: 2, c: 1, e: 0, m: 0 };
/** Distinct keys one BATCH_NATIVE call may name (three base-64 digits of position). */
const MAX_NATIVE_KEYS = 64 ** 3;

/**
 * BATCH_NATIVE's arguments for a part, after its SHA-1 (argv[0]): the number of keys, each key
 * once, the prefix, the operation letters, each operation's keys as positions, then the other
 * arguments. (The requests hold BATCH's form, code and arguments interleaved.)
 */
function nativeArgs(part: readonly Queued[], argv: (string | number)[], prefix: string, readText: boolean): void {
  const at = new Map<string, number>();
  let ops = '';
  let ix = '';
  const rest: (string | number)[] = [];
  for (const q of part) {
    const args = q.args;
    const keys = q.keys;
    let k = 0;
    for (let a = 0; a < args.length; ) {
      const op = args[a++] as string;
      ops += op;
      for (let n = KEYC[op]!; n > 0; n--) {
        const key = keys[k++]!;
        let j = at.get(key);
        if (j === undefined) {
          j = at.size;
          if (j >= MAX_NATIVE_KEYS) throw new MamoriError('MAMORI_ERR_STORE_UNAVAILABLE', `one Redis store call may name at most ${MAX_NATIVE_KEYS} keys`);
          at.set(key, j);
          argv.push(key);
        }
        ix += IX3[j >> 12]! + IX3[(j >> 6) & 63]! + IX3[j & 63]!;
      }
      for (let n = ARGC[op]!; n > 0; n--) rest.push(args[a++]!);
    }
  }
  argv[1] = at.size;
  argv.push(prefix, ops, ix, readText ? 't' : '');
  for (const a of rest) argv.push(a);
}

/** The base-64 digits of key positions: '0' + 0..63. */
const IX3: readonly string[] = Array.from({ length: 64 }, (_, i) => String.fromCharCode(48 + i));

/** Two hex digits of each byte value. */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(x: number): string {
  return HEX2[x >>> 24]! + HEX2[(x >>> 16) & 0xff]! + HEX2[(x >>> 8) & 0xff]! + HEX2[x & 0xff]!;
}

/** host:port of a URL, never its password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'the configured URL';
  }
}

/** 32 hex digits of an address's words (IPv4: its 8). */
function hexOf(version: 4 | 6, words: readonly number[]): string {
  return version === 4 ? hex8(words[3]!) : hex8(words[0]!) + hex8(words[1]!) + hex8(words[2]!) + hex8(words[3]!);
}

/** Where a decision is indexed (after the prefix), and its range's "version:prefix" ('' for other scopes). */
function indexOf(d: Decision): [string, string] {
  if (d.scope !== 'range') return [`di:${d.scope}:${d.value}`, ''];
  const c = parseCidr(d.value);
  return [`di:r${c.version}:${c.prefix}:${hexOf(c.version, c.words)}`, `${c.version}:${c.prefix}`];
}

export class RedisStore implements Store {
  readonly name = 'redis';
  readonly decisions: DecisionStore;
  readonly events: RedisEvents;
  readonly prefix: string;
  readonly #redis: Redis & Scripted;
  readonly #owned: boolean;
  readonly #clock: Clock | undefined;
  /** The layout's key kinds, script and its SHA-1 (see KINDS). */
  readonly #kinds: (typeof KINDS)[keyof typeof KINDS];
  readonly #script: string;
  readonly #sha: string;
  readonly #readText: boolean;
  /** Two SipHash-2-4 under independent keys: 128 bits per stored key. */
  readonly #hashers: readonly [StringHasher, StringHasher];
  readonly #where: string;
  readonly #onError: (err: unknown) => void;
  #queue: Queued[] = [];
  #closed = false;
  readonly #flushSoon = (): void => this.#flush();
  /** Recently made stored keys, per kind (see KEY_CACHE): a login's check and report name the same keys. */
  readonly #keys = new Map<string, Map<string, string>>();

  /** The clock given to open(); none when the store reads Redis's (see Store.clock). */
  get clock(): Clock | undefined {
    return this.#clock;
  }

  private constructor(redis: Redis, owned: boolean, opts: RedisStoreOptions, secret: Buffer, whereText: string) {
    this.#redis = redis as Redis & Scripted;
    this.#owned = owned;
    this.#clock = opts.clock;
    this.#kinds = opts.clock ? KINDS.text : KINDS.native;
    this.#script = opts.clock ? BATCH : BATCH_NATIVE;
    this.#sha = opts.clock ? BATCH_SHA : BATCH_NATIVE_SHA;
    this.#readText = opts.readTextEntries === true;
    this.prefix = opts.prefix ?? 'mamori:';
    this.#hashers = [
      new StringHasher(hmac(secret, 'mamori-redis-key-v1', 'a').subarray(0, 16), MAX_KEY),
      new StringHasher(hmac(secret, 'mamori-redis-key-v1', 'b').subarray(0, 16), MAX_KEY),
    ];
    this.#where = whereText;
    this.#onError = opts.onError ?? defaultOnError;
    const check = (): void => this.#check();
    this.decisions = new RedisDecisions(this, Math.max(1, opts.maxDecisions ?? 100_000), check);
    this.events = new RedisEvents(this, Math.max(1, opts.maxEvents ?? 100_000), check, this.#onError);
  }

  /**
   * Connects (waiting up to connectTimeoutMs) and defines the scripts. A Redis that cannot be
   * reached gives MAMORI_ERR_STORE_OPEN.
   */
  static async open(opts: RedisStoreOptions): Promise<RedisStore> {
    const secret = typeof opts.secret === 'string' ? Buffer.from(opts.secret) : opts.secret;
    if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_LENGTH) {
      throw new MamoriError('MAMORI_ERR_CONFIG_SECRET', `the Redis store needs a secret of at least ${MIN_SECRET_LENGTH} bytes (${MIN_SECRET_LENGTH} characters of text) to hash counter keys, as mamori does everywhere`);
    }
    const url = opts.url ?? 'redis://127.0.0.1:6379';
    const whereText = opts.client ? 'Redis' : `Redis at ${where(url)}`;
    const connectTimeout = Math.max(1, opts.connectTimeoutMs ?? 2000);
    const options: RedisOptions = {
      lazyConnect: true,
      connectTimeout,
      commandTimeout: Math.max(1, opts.commandTimeoutMs ?? 1000),
      // Nothing waits for a Redis that is away: a call fails now, and the caller's policy decides.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(50 * times, 1000),
      connectionName: 'mamori',
    };
    const redis = opts.client ?? new Redis(url, options);
    // A client emits 'error' for each failed reconnection; the calls that fail say so themselves.
    const quiet = (): void => {};
    if (!opts.client) redis.on('error', quiet);
    try {
      if (!opts.client) await redis.connect();
      else if (redis.status === 'wait') await redis.connect();
      redis.defineCommand('mamoriDecisionAdd', { lua: DECISION_ADD, numberOfKeys: 0 });
      redis.defineCommand('mamoriDecisionDelete', { lua: DECISION_DELETE, numberOfKeys: 0 });
      redis.defineCommand('mamoriDecisionList', { lua: DECISION_LIST, numberOfKeys: 0 });
      redis.defineCommand('mamoriDecisionExpired', { lua: DECISION_EXPIRED, numberOfKeys: 0 });
      const store = new RedisStore(redis, !opts.client, opts, Buffer.from(secret), whereText);
      await store.#warnOnEviction();
      return store;
    } catch (err) {
      if (!opts.client) redis.disconnect();
      if (err instanceof MamoriError) throw err;
      throw new MamoriError(
        'MAMORI_ERR_STORE_OPEN',
        `could not connect to ${whereText} within ${connectTimeout} ms: ${err instanceof Error ? err.message : String(err)}. Check that Redis runs and that the URL (host, port, password, database) is right.`,
        { cause: err },
      );
    }
  }

  /**
   * Says so when Redis may evict keys to make room: an attacker could then flood counters (a
   * lockout) away. With noeviction, writes fail instead (MAMORI_ERR_STORE_UNAVAILABLE), and the
   * caller's policy decides. A Redis that does not allow CONFIG (a managed one) is not asked.
   */
  async #warnOnEviction(): Promise<void> {
    let policy: unknown;
    try {
      policy = ((await this.#redis.config('GET', 'maxmemory-policy')) as string[])[1];
    } catch {
      return;
    }
    if (typeof policy === 'string' && policy !== 'noeviction') {
      this.#onError(new Error(`${this.#where} has maxmemory-policy ${policy}: when it is full it evicts keys, and a flood of counters can push a lockout out; set maxmemory-policy noeviction`));
    }
  }

  #check(): void {
    if (this.#closed) throw new MamoriError('MAMORI_ERR_STORE_CLOSED', 'the Redis store was closed; open it again');
  }

  #rejectClosed<T>(): Promise<T> | undefined {
    return this.#closed ? Promise.reject(new MamoriError('MAMORI_ERR_STORE_CLOSED', 'the Redis store was closed; open it again')) : undefined;
  }

  /** A Redis failure as the store's error. */
  unavailable(err: unknown): MamoriError {
    if (err instanceof MamoriError) return err;
    const why = err instanceof Error ? err.message : String(err);
    return new MamoriError('MAMORI_ERR_STORE_UNAVAILABLE', `${this.#where} did not answer (${why}); the call was not carried out. The store reconnects by itself.`, { cause: err });
  }

  /** The scripts' first arguments: the time ('' for Redis's), the grace, the prefix. */
  head(): (string | number)[] {
    return [this.#clock ? Math.floor(this.#clock.now()) : '', GRACE_MS, this.prefix];
  }

  get client(): Redis & Scripted {
    return this.#redis;
  }

  /** The stored key for `text` of a kind: the prefix, the kind, 128 bits of keyed hash in hex. */
  #hash(kind: string, text: string, remember = true): string {
    let cache = this.#keys.get(kind);
    if (!cache) this.#keys.set(kind, (cache = new Map()));
    const known = cache.get(text);
    if (known !== undefined) return known;
    const t = text.length > MAX_KEY ? createHash('sha256').update(text).digest('base64') : text;
    let w = this.#hashers[0].words(t);
    let out = this.prefix + kind + ':' + hex8(w[0]!) + hex8(w[1]!);
    w = this.#hashers[1].words(t);
    out += hex8(w[0]!) + hex8(w[1]!);
    if (remember && text.length <= MAX_KEY) {
      if (cache.size >= KEY_CACHE) cache.clear();
      cache.set(text, out);
    }
    return out;
  }

  #counterKey(key: string): string {
    return this.#hash(this.#kinds.counter, String(key));
  }

  #markerKey(key: string, member: string): string {
    const k = String(key);
    // Length-prefixed, so no two (key, member) pairs hash the same text.
    return this.#hash(this.#kinds.marker, `${k.length}:${k}\u0000${String(member)}`);
  }

  /** Queues operations for this turn's batch. */
  enqueue(args: (string | number)[], keys: string[], n: number): Promise<Reply[]> {
    if (n === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) process.nextTick(this.#flushSoon);
      this.#queue.push({ args, keys, n, resolve, reject });
    });
  }

  /** Sends what is queued now (the events' timer, events.flush). */
  flushNow(): void {
    if (!this.#closed || this.#queue.length) this.#flush(true);
  }

  #flush(force = false): void {
    const queue = this.#queue;
    this.#queue = [];
    // The events waiting ride along, last (see RedisEvents.append).
    const events = this.events.take(force);
    if (events) queue.push(events);
    let i = 0;
    while (i < queue.length) {
      // Whole requests, up to MAX_BATCH_OPS operations (a larger request goes alone).
      let ops = 0;
      let j = i;
      while (j < queue.length && (j === i || ops + queue[j]!.n <= MAX_BATCH_OPS)) ops += queue[j++]!.n;
      this.#send(queue.slice(i, j));
      i = j;
    }
  }

  /**
   * One EVALSHA with the part's keys and operations, built as one argument list and sent as
   * it is (no copy per layer); a Redis that no longer holds the script (restarted, flushed)
   * is sent its text with EVAL once.
   */
  #send(part: Queued[]): void {
    const argv: (string | number)[] = [this.#sha, 0];
    if (this.#clock) {
      for (const q of part) for (const k of q.keys) argv.push(k);
      argv[1] = argv.length - 2;
      argv.push(Math.floor(this.#clock.now()), GRACE_MS, this.prefix);
      for (const q of part) for (const a of q.args) argv.push(a);
    } else {
      try {
        nativeArgs(part, argv, this.prefix, this.#readText);
      } catch (err) {
        for (const q of part) q.reject(err);
        return;
      }
    }
    const answer = (out: Reply[]): void => {
      let o = 0;
      for (const q of part) {
        q.resolve(q.n === out.length ? out : out.slice(o, o + q.n));
        o += q.n;
      }
    };
    const fail = (err: unknown): void => {
      const e = this.unavailable(err);
      for (const q of part) q.reject(e);
    };
    const evalsha = new Command('evalsha', argv) as Command & { promise: Promise<Reply[]> };
    this.#redis.sendCommand(evalsha);
    evalsha.promise.then(answer, (err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) return fail(err);
      argv[0] = this.#script;
      const again = new Command('eval', argv) as Command & { promise: Promise<Reply[]> };
      this.#redis.sendCommand(again);
      again.promise.then(answer, fail);
    });
  }

  increment(ops: readonly CounterOp[]): Promise<number[]> {
    const closed = this.#rejectClosed<number[]>();
    if (closed) return closed;
    const args: (string | number)[] = [];
    const keys: string[] = [];
    for (const op of ops) {
      keys.push(this.#counterKey(op.key));
      args.push('i', amountOf(op.by), ttlOf(op.ttlMs));
    }
    return this.enqueue(args, keys, ops.length) as Promise<number[]>;
  }

  read(keys: readonly string[]): Promise<number[]> {
    const closed = this.#rejectClosed<number[]>();
    if (closed) return closed;
    return this.enqueue(keys.map(() => 'r'), keys.map((k) => this.#counterKey(k)), keys.length) as Promise<number[]>;
  }

  async reset(keys: readonly string[]): Promise<void> {
    this.#check();
    await this.enqueue(keys.map(() => 'x'), keys.map((k) => this.#counterKey(k)), keys.length);
  }

  addDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    const closed = this.#rejectClosed<number[]>();
    if (closed) return closed;
    const args: (string | number)[] = [];
    const keys: string[] = [];
    for (const op of ops) {
      keys.push(this.#counterKey(op.key), this.#markerKey(op.key, op.member));
      args.push('a', ttlOf(op.ttlMs));
    }
    return this.enqueue(args, keys, ops.length) as Promise<number[]>;
  }

  removeDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    const closed = this.#rejectClosed<number[]>();
    if (closed) return closed;
    const args: (string | number)[] = [];
    const keys: string[] = [];
    for (const op of ops) {
      keys.push(this.#counterKey(op.key), this.#markerKey(op.key, op.member));
      args.push('d', ttlOf(op.ttlMs), op.heldAt !== undefined && Number.isFinite(op.heldAt) ? Math.floor(op.heldAt) : '');
    }
    return this.enqueue(args, keys, ops.length) as Promise<number[]>;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.#check();
    const [r] = await this.enqueue(['c', ttlOf(ttlMs)], [this.#hash(this.#kinds.claim, String(key), false)], 1);
    return r === 1;
  }

  /** Deletes every key under this store's prefix (tests, and `mamori` tooling that starts afresh). Returns how many. */
  async clear(): Promise<number> {
    this.#check();
    let n = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) n += await this.#redis.unlink(...keys);
      } while (cursor !== '0');
    } catch (err) {
      throw this.unavailable(err);
    }
    return n;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.events.flush().catch(() => {});
    this.#closed = true;
    if (!this.#owned) return;
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}

class RedisDecisions implements DecisionStore {
  readonly #s: RedisStore;
  readonly #max: number;
  readonly #check: () => void;
  constructor(store: RedisStore, max: number, check: () => void) {
    this.#s = store;
    this.#max = max;
    this.#check = check;
  }

  #now(): Promise<number> {
    const c = this.#s.clock;
    if (c) return Promise.resolve(c.now());
    return this.#s.client.time().then(([sec, us]) => Number(sec) * 1000 + Math.floor(Number(us) / 1000));
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    this.#check();
    try {
      return await fn();
    } catch (err) {
      throw this.#s.unavailable(err);
    }
  }

  async add(input: DecisionInput): Promise<Decision> {
    this.#check();
    const valid = validateDecisionInput(input);
    return this.#call(async () => {
      const d: Decision = { ...valid, id: randomUUID(), createdAt: await this.#now() };
      const [idx, len] = indexOf(d);
      const held = await this.#s.client.mamoriDecisionAdd(...this.#s.head(), d.id, JSON.stringify(d), d.expiresAt, idx, len);
      if (held > this.#max) await this.#prune(d.id, held);
      return d;
    });
  }

  /**
   * Past the cap: drops expired decisions, then those that would lapse soonest, sources before
   * accounts (keptLonger), a hundredth of the cap at once; never the one just added.
   */
  async #prune(added: string, held: number): Promise<void> {
    const expired = (await this.#s.client.mamoriDecisionExpired(...this.#s.head(), 10_000)).filter((id) => id !== added);
    if (expired.length) held -= await this.#s.client.mamoriDecisionDelete(...this.#s.head(), ...expired);
    if (held <= this.#max) return;
    const all = (await this.#all()).filter((d) => d.id !== added);
    all.sort((a, b) => (keptLonger(a, b) ? 1 : keptLonger(b, a) ? -1 : 0));
    const drop = Math.max(held - this.#max, Math.ceil(this.#max / 100));
    const ids = all.slice(0, drop).map((d) => d.id);
    if (ids.length) await this.#s.client.mamoriDecisionDelete(...this.#s.head(), ...ids);
  }

  async #all(): Promise<Decision[]> {
    const out: Decision[] = [];
    for (const j of await this.#s.client.mamoriDecisionList(...this.#s.head())) {
      try {
        out.push(JSON.parse(j) as Decision);
      } catch {
        // Not ours to read (written by something else under our prefix): left out.
      }
    }
    return out;
  }

  delete(id: string): Promise<boolean> {
    return this.#call(async () => (await this.#s.client.mamoriDecisionDelete(...this.#s.head(), String(id))) > 0);
  }

  deleteWhere(filter: DecisionFilter): Promise<number> {
    return this.#call(async () => {
      const ids = (await this.#list({ ...filter, limit: undefined })).map((d) => d.id);
      return ids.length ? this.#s.client.mamoriDecisionDelete(...this.#s.head(), ...ids) : 0;
    });
  }

  list(filter: DecisionFilter = {}): Promise<Decision[]> {
    return this.#call(() => this.#list(filter));
  }

  async #list(filter: DecisionFilter): Promise<Decision[]> {
    const now = await this.#now();
    // Last added first, then a stable sort: ties on createdAt list the later-added first.
    const out = (await this.#all()).filter((d) => matchesFilter(d, filter, now));
    out.sort((a, b) => b.createdAt - a.createdAt);
    return filter.limit ? out.slice(0, filter.limit) : out;
  }

  /** In the same script call as this turn's counters (one round trip per check). */
  match(subject: Subject): Promise<Decision[]> {
    try {
      this.#check();
    } catch (err) {
      return Promise.reject(err);
    }
    const ip = subject.ip !== undefined ? tryParseIp(subject.ip) : undefined;
    const args = [
      'm',
      ip ? formatIp(ip) : '',
      ip ? String(ip.version) : '',
      ip ? hexOf(ip.version, ip.words) : '',
      subject.userHash ?? '',
      subject.device ?? '',
      subject.country ?? '',
    ];
    if (!args[1] && !args[4] && !args[5] && !args[6]) return Promise.resolve([]);
    return this.#s.enqueue(args, [], 1).then(([found]) => (found as string[]).map((j) => JSON.parse(j) as Decision));
  }
}

export class RedisEvents implements EventStore {
  readonly #s: RedisStore;
  readonly #max: number;
  readonly #check: () => void;
  readonly #onError: (err: unknown) => void;
  readonly #pending = new Set<Promise<unknown>>();
  #buffer: string[] = [];
  #inFlight = 0;
  /** When the oldest waiting event was appended (Date.now()). */
  #since = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Events dropped because Redis was away or slow (see MAX_PENDING_EVENTS). */
  dropped = 0;
  #warnedAt = 0;

  constructor(store: RedisStore, max: number, check: () => void, onError: (err: unknown) => void) {
    this.#s = store;
    this.#max = max;
    this.#check = check;
    this.#onError = onError;
  }

  get #key(): string {
    return `${this.#s.prefix}ev`;
  }


  /**
   * Queues the event; it goes to Redis with a batch of counters once EVENT_RIDE events wait or
   * the oldest has waited EVENT_RIDE_MS (one command for requests' counts and the events they
   * made), or by itself after EVENT_FLUSH_MS.
   */
  append(event: SecurityEvent): void {
    try {
      this.#check();
    } catch {
      return;
    }
    if (this.#buffer.length + this.#inFlight >= MAX_PENDING_EVENTS) {
      this.#lost(new Error('too many event writes waiting for Redis'), 1);
      return;
    }
    if (this.#buffer.length === 0) this.#since = Date.now();
    this.#buffer.push(JSON.stringify(event));
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#s.flushNow();
      }, EVENT_FLUSH_MS);
      this.#timer.unref();
    }
  }

  /**
   * The queued events as a batch entry (see RedisStore.#flush), or undefined: none waits, or
   * (unless forced) too few have waited too short a time (EVENT_RIDE).
   */
  take(force: boolean): Queued | undefined {
    const n = this.#buffer.length;
    if (n === 0) return undefined;
    if (!force && n < EVENT_RIDE && Date.now() - this.#since < EVENT_RIDE_MS) return undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const args: (string | number)[] = [];
    for (const json of this.#buffer) args.push('e', this.#max, json);
    this.#buffer = [];
    this.#inFlight += n;
    let done!: () => void;
    const p = new Promise<void>((resolve) => (done = resolve));
    this.#pending.add(p);
    const settle = (): void => {
      this.#inFlight -= n;
      this.#pending.delete(p);
      done();
    };
    return {
      args,
      keys: [],
      n,
      resolve: settle,
      reject: (err) => {
        this.#lost(err, n);
        settle();
      },
    };
  }

  /** Counts a dropped event, and says so at most once a minute. */
  #lost(err: unknown, n: number): void {
    this.dropped += n;
    const now = Date.now();
    if (now - this.#warnedAt < 60_000) return;
    this.#warnedAt = now;
    this.#onError(new Error(`events could not be written to Redis and were dropped (${this.dropped} so far): ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Newest first, read a page at a time until `limit` are found (or the list ends). */
  async query(q: EventQuery = {}): Promise<SecurityEvent[]> {
    this.#check();
    const limit = q.limit ?? 100;
    const out: SecurityEvent[] = [];
    for (let start = 0; out.length < limit; start += EVENT_PAGE) {
      let raw: string[];
      try {
        raw = await this.#s.client.lrange(this.#key, start, start + EVENT_PAGE - 1);
      } catch (err) {
        throw this.#s.unavailable(err);
      }
      for (const j of raw) {
        if (out.length >= limit) break;
        let e: SecurityEvent;
        try {
          e = JSON.parse(j) as SecurityEvent;
        } catch {
          continue;
        }
        if (eventMatches(e, q)) out.push(e);
      }
      if (raw.length < EVENT_PAGE) break;
    }
    return out;
  }

  async flush(): Promise<void> {
    if (this.#buffer.length) this.#s.flushNow();
    await Promise.all([...this.#pending]);
  }
}
