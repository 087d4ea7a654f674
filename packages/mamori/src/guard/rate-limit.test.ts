import { describe, it } from 'node:test';
import type { RateLimitYaml } from '../config/yaml-types.js';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import type { CounterOp, Store } from '../core/store.js';
import type { SecurityEvent } from '../core/events.js';
import { defaultConfig, parseConfig, type RateLimitConfig } from '../config/config.js';
import { isMamoriError } from '../core/errors.js';
import { LoginGuard } from './login.js';
import { createGuard } from './guard.js';
import { solveChallenge } from './challenge.js';
import { accountsOf, msUntilRoom, parsedRateLimitBody, rawRateLimitBody, RateLimiter, type RateLimitBody, type RateLimitResult } from './rate-limit.js';
import type { RequestInfo } from './verdict.js';

const SECRET = Buffer.from('test-secret-test-secret-test-secret!');
/** Starts on a window boundary of every window used here, so counts are not yet sliding. */
const START = Date.UTC(2026, 0, 1);

const LOST_PASSWORD = {
  name: 'wp-lostpassword',
  paths: ['/wp-login.php'],
  methods: ['POST'],
  query: { action: ['lostpassword', 'retrievepassword'] },
  per_source: { limit: 5, window: '15m' },
  per_account: { field: { form: 'user_login' }, limit: 3, window: '1h' },
};

function omit<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
  const { [key]: _, ...rest } = o;
  return rest;
}

function setup(rateLimits: unknown[], opts: { network?: Record<string, number>; mode?: string } = {}) {
  const clock = new ManualClock(START);
  const memory = new MemoryStore({ clock, random: new SeededRandom(7), maxCounterBytes: 1 << 20 });
  const keys: string[] = [];
  const record = (ops: readonly CounterOp[]): void => {
    keys.push(...ops.map((o) => o.key));
  };
  // Records every counter key the limiter writes.
  const store: Store = {
    name: 'recorded',
    clock: memory.clock,
    increment: (ops) => (record(ops), memory.increment(ops)),
    read: (keys) => memory.read(keys),
    reset: (keys) => memory.reset(keys),
    addDistinct: (ops) => memory.addDistinct(ops),
    removeDistinct: (ops) => memory.removeDistinct(ops),
    claim: (key, ttl) => memory.claim(key, ttl),
    decisions: memory.decisions,
    events: memory.events,
    close: () => memory.close(),
  };
  const config = defaultConfig({ rate_limits: rateLimits as RateLimitYaml[], ...(opts.network ? { network: opts.network } : {}), ...(opts.mode ? { mode: opts.mode as 'enforce' | 'detect' } : {}) });
  const events: SecurityEvent[] = [];
  const login = new LoginGuard(config.loginProtection, { store, clock, random: new SeededRandom(9), secret: SECRET, events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  const limiter = new RateLimiter(config.rateLimits, {
    store,
    clock,
    secret: SECRET,
    events: { emit: (e) => events.push(e) },
    grouping: { ipv4Prefix: config.network.ipv4Prefix, ipv6Prefix: config.network.ipv6Prefix },
    userHash: (n) => login.userHash(n),
  });
  /** One request, counted in full (the adapters' way). */
  const send = (ip: string, url: string, body?: RateLimitBody, method = 'POST'): Promise<RateLimitResult> => {
    const req: RequestInfo = { ip, method, path: url.split('?')[0]!, headers: {} };
    return limiter.check(req, url, limiter.match(method, url), body);
  };
  return { clock, limiter, events, keys, send, login };
}

const form = (s: string): RateLimitBody => ({ form: new URLSearchParams(s) });
const LOST = '/wp-login.php?action=lostpassword';

describe('rate limits', () => {

  it('lets `limit` requests per window through, then refuses with 429 and a Retry-After that is enough', async () => {
    const { send, clock } = setup([{ name: 'reset', paths: ['/reset'], per_source: { limit: 5, window: '15m' } }]);
    for (let i = 0; i < 5; i++) assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'allow', `request ${i + 1}`);
    const refused = (await send('203.0.113.7', '/reset')).verdict;
    assert.equal(refused.action, 'block');
    assert.equal(refused.status, 429);
    assert.equal(refused.ruleId, 'rate-limit:reset');
    assert.ok(refused.retryAfter! > 0);
    // Refused requests are not counted: still refused just before Retry-After, and through at it.
    for (let i = 0; i < 20; i++) assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'block');
    clock.advance(refused.retryAfter! * 1000 - 1000);
    assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'block', 'a second before Retry-After');
    clock.advance(1000);
    assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'allow', 'at Retry-After');
  });

  it('slides: the last window still counts for the part of it inside the window', async () => {
    const { send, clock } = setup([{ name: 'reset', paths: ['/reset'], per_source: { limit: 4, window: '10m' } }]);
    for (let i = 0; i < 4; i++) assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'allow');
    // Just into the next window: nearly all of the last one's 4 still count.
    clock.advance(10 * 60_000 + 1000);
    assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'block');
    // Half way: 2 of them count; 2 more fit.
    clock.advance(5 * 60_000 - 1000);
    assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'allow');
    assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'allow');
    assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'block');
    // Two windows later nothing of the first is left.
    clock.advance(20 * 60_000);
    for (let i = 0; i < 4; i++) assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'allow');
  });

  it('counts sources apart, grouped as configured (IPv6 per /64 by default)', async () => {
    const lim = [{ name: 'reset', paths: ['/reset'], per_source: { limit: 2, window: '1h' } }];
    const { send } = setup(lim);
    for (let i = 0; i < 2; i++) await send('2001:db8:1:2::1', '/reset');
    assert.equal((await send('2001:db8:1:2::ffff', '/reset')).verdict.action, 'block', 'same /64');
    assert.equal((await send('2001:db8:1:3::1', '/reset')).verdict.action, 'allow', 'another /64');
    assert.equal((await send('203.0.113.7', '/reset')).verdict.action, 'allow');
    assert.equal((await send('203.0.113.8', '/reset')).verdict.action, 'allow', 'IPv4 per address by default');
    const grouped = setup(lim, { network: { ipv4_prefix: 24 } });
    for (let i = 0; i < 2; i++) await grouped.send('203.0.113.7', '/reset');
    assert.equal((await grouped.send('203.0.113.200', '/reset')).verdict.action, 'block', 'same /24 with ipv4_prefix 24');
    assert.equal((await grouped.send('198.51.100.1', '/reset')).verdict.action, 'allow');
  });

  it('counts per account across sources, the name as the login guard folds it', async () => {
    const { send, events, login } = setup([LOST_PASSWORD]);
    for (const [i, name] of ['admin', 'Admin', ' ADMIN'].entries()) {
      assert.equal((await send(`198.51.100.${i + 1}`, LOST, form(`user_login=${encodeURIComponent(name)}`))).verdict.action, 'allow', name);
    }
    const refused = await send('198.51.100.9', LOST, form('user_login=admin'));
    assert.equal(refused.verdict.action, 'block');
    assert.match(refused.verdict.reason, /per account/);
    assert.equal((await send('198.51.100.9', LOST, form('user_login=editor'))).verdict.action, 'allow', 'another account');
    const e = events.find((x) => x['event.action'] === 'rate-limited');
    assert.equal(e?.['user.id'], login.userHash('admin'));
    assert.equal(e?.['rule.name'], 'wp-lostpassword');
  });

  it('counts every account a body names (a field twice, PHP look-alikes, the query)', async () => {
    const { send } = setup([{ ...omit(LOST_PASSWORD, 'per_source'), per_account: { field: { form: 'user_login' }, limit: 1, window: '1h' } }]);
    assert.equal((await send('198.51.100.1', LOST, form('user_login=alice&user_login=bob'))).verdict.action, 'allow');
    assert.equal((await send('198.51.100.2', LOST, form('user_login=bob'))).verdict.action, 'block', 'bob was counted too');
    assert.equal((await send('198.51.100.3', LOST, form('user.login=carol'))).verdict.action, 'allow');
    assert.equal((await send('198.51.100.4', LOST, form('user_login=carol'))).verdict.action, 'block', 'user.login is user_login in PHP');
    assert.equal((await send('198.51.100.5', `${LOST}&user_login=dave`, form(''))).verdict.action, 'allow');
    assert.equal((await send('198.51.100.6', LOST, form('user_login=dave'))).verdict.action, 'block', 'the query names an account too');
  });

  it('counts only the requests its query filter selects, in the query string or the body', async () => {
    const { send } = setup([{ ...omit(LOST_PASSWORD, 'per_account'), per_source: { limit: 2, window: '1h' } }]);
    for (let i = 0; i < 10; i++) assert.equal((await send('203.0.113.7', '/wp-login.php', form('log=a&pwd=b'))).verdict.action, 'allow', 'a login is not counted');
    for (let i = 0; i < 10; i++) assert.equal((await send('203.0.113.7', '/wp-login.php?action=register')).verdict.action, 'allow');
    assert.deepEqual((await send('203.0.113.7', '/wp-login.php?action=register')).headers, {}, 'no headers on requests the limit does not select');
    assert.equal((await send('203.0.113.7', '/wp-login.php?action=LostPassword')).verdict.action, 'allow');
    // The body's action counts as the query's does (PHP's $_REQUEST); so does action[].
    assert.equal((await send('203.0.113.7', '/wp-login.php', form('action=retrievepassword&user_login=x'))).verdict.action, 'allow');
    assert.equal((await send('203.0.113.7', '/wp-login.php?action[]=lostpassword')).verdict.action, 'block');
    assert.equal((await send('203.0.113.7', '/wp-login.php', { json: { action: 'lostpassword' } })).verdict.action, 'block');
    assert.equal((await send('203.0.113.7', '/wp-login.php?action=lostpassword', undefined, 'GET')).verdict.action, 'allow', 'methods: POST only');
  });

  it('matches paths as the access policy does', async () => {
    const { send } = setup([{ name: 'reset', paths: ['/account/reset'], per_source: { limit: 1, window: '1h' } }]);
    assert.equal((await send('203.0.113.7', '/account/reset')).verdict.action, 'allow');
    for (const path of ['/Account/Reset', '//account/reset/', '/account/%72eset', '/x/../account/reset', '/account/reset;x=1', '/account/reset/confirm']) {
      assert.equal((await send('203.0.113.7', path)).verdict.action, 'block', path);
    }
    assert.equal((await send('203.0.113.7', '/account/resetx')).verdict.action, 'allow');
  });

  it('in detect mode lets every request through and records what it would have refused, once per window', async () => {
    const { send, events } = setup([{ name: 'reset', paths: ['/reset'], per_source: { limit: 2, window: '1h' }, mode: 'detect' }]);
    const verdicts = [];
    for (let i = 0; i < 6; i++) verdicts.push((await send('203.0.113.7', '/reset')).verdict);
    assert.ok(verdicts.slice(0, 2).every((v) => v.action === 'allow' && !v.detectOnly));
    assert.ok(verdicts.slice(2).every((v) => v.action === 'block' && v.detectOnly === true));
    const limited = events.filter((e) => e['event.action'] === 'rate-limited');
    assert.equal(limited.length, 1, 'one event per source and window, not one per request');
    assert.equal(limited[0]!['mamori.detect_only'], true);
    assert.equal(limited[0]!['source.ip'], '203.0.113.7');
    assert.equal(limited[0]!['mamori.count'], 3);
    // Not taken back: each detected request was counted (it went through).
    assert.equal(verdicts.at(-1)!.reason, verdicts[2]!.reason);
  });

  it('takes the mode from the top-level mode when the limit does not set it', async () => {
    const { send } = setup([{ name: 'reset', paths: ['/reset'], per_source: { limit: 1, window: '1h' } }], { mode: 'detect' });
    await send('203.0.113.7', '/reset');
    assert.equal((await send('203.0.113.7', '/reset')).verdict.detectOnly, true);
  });

  it('writes no address and no account name into store keys', async () => {
    const { send, keys } = setup([LOST_PASSWORD]);
    for (let i = 0; i < 8; i++) await send('203.0.113.7', LOST, form('user_login=alice.secret%40example.com'));
    assert.ok(keys.length >= 16);
    for (const k of keys) {
      assert.ok(!k.includes('203.0.113') && !k.toLowerCase().includes('alice') && !k.includes('wp-lost'), JSON.stringify(k));
      assert.ok(k.length <= 8);
    }
  });
});

describe('rate limits: RateLimit and RateLimit-Policy header fields', () => {
  /** draft-ietf-httpapi-ratelimit-headers: a List of Items, each a String with Integer parameters. */
  const LIST = /^"[A-Za-z0-9_.-]+"(;[a-z]+=\d+)+(, "[A-Za-z0-9_.-]+"(;[a-z]+=\d+)+)*$/;

  it('names each policy with its quota and window, and shows the source service limit', async () => {
    const { send } = setup([LOST_PASSWORD]);
    const first = await send('203.0.113.7', LOST, form('user_login=alice'));
    assert.equal(first.headers['ratelimit-policy'], '"wp-lostpassword";q=5;w=900, "wp-lostpassword.account";q=3;w=3600');
    assert.equal(first.headers['ratelimit'], '"wp-lostpassword";r=4;t=900');
    assert.match(first.headers['ratelimit-policy']!, LIST);
    assert.match(first.headers['ratelimit']!, LIST);
  });

  it('counts down r, shows t as the time left in the window, and r=0 with the wait on a refusal', async () => {
    const { send, clock } = setup([{ name: 'reset', paths: ['/reset'], per_source: { limit: 3, window: '1m' } }]);
    clock.advance(15_000);
    const rs = [];
    for (let i = 0; i < 3; i++) rs.push((await send('203.0.113.7', '/reset')).headers['ratelimit']);
    assert.deepEqual(rs, ['"reset";r=2;t=45', '"reset";r=1;t=45', '"reset";r=0;t=45']);
    const refused = await send('203.0.113.7', '/reset');
    assert.equal(refused.headers['ratelimit'], `"reset";r=0;t=${refused.verdict.retryAfter}`);
  });

  it('shows the per-account limit only on the answer it refuses', async () => {
    const { send } = setup([omit(LOST_PASSWORD, 'per_source')]);
    for (let i = 0; i < 3; i++) {
      const r = await send(`198.51.100.${i}`, LOST, form('user_login=alice'));
      assert.equal(r.headers['ratelimit'], undefined, 'no count of what others asked for this account');
      assert.equal(r.headers['ratelimit-policy'], '"wp-lostpassword.account";q=3;w=3600');
    }
    const refused = await send('198.51.100.9', LOST, form('user_login=alice'));
    assert.equal(refused.headers['ratelimit'], `"wp-lostpassword.account";r=0;t=${refused.verdict.retryAfter}`);
  });

  it('leaves the headers out with headers: false', async () => {
    const { send } = setup([{ name: 'reset', paths: ['/reset'], per_source: { limit: 1, window: '1m' }, headers: false }]);
    assert.deepEqual((await send('203.0.113.7', '/reset')).headers, {});
    const refused = await send('203.0.113.7', '/reset');
    assert.equal(refused.verdict.action, 'block');
    assert.deepEqual(refused.headers, {});
  });
});

describe('rate limits: the proxy\'s two phases', () => {
  it('counts the source before the body and the account after it, each once', async () => {
    const { limiter } = setup([{ ...LOST_PASSWORD, per_source: { limit: 2, window: '1h' }, per_account: { field: { form: 'user_login' }, limit: 2, window: '1h' } }]);
    const req: RequestInfo = { ip: '203.0.113.7', method: 'POST', path: '/wp-login.php', headers: {} };
    const routes = limiter.match('POST', LOST);
    assert.equal(limiter.needsBody(routes, LOST, undefined), true, 'per account: always');
    for (let i = 0; i < 2; i++) {
      assert.equal((await limiter.check(req, LOST, routes, undefined, 'head')).verdict.action, 'allow');
      assert.equal((await limiter.check(req, LOST, routes, form(`user_login=u${i}`), 'body')).verdict.action, 'allow');
    }
    assert.equal((await limiter.check(req, LOST, routes, undefined, 'head')).verdict.action, 'block', 'the source was counted twice, not four times');
  });

  it('leaves a query filter the query does not meet to the body phase', async () => {
    const { limiter } = setup([{ ...omit(LOST_PASSWORD, 'per_account'), per_source: { limit: 1, window: '1h' } }]);
    const req: RequestInfo = { ip: '203.0.113.7', method: 'POST', path: '/wp-login.php', headers: {} };
    const routes = limiter.match('POST', '/wp-login.php');
    assert.equal(limiter.needsBody(routes, '/wp-login.php', 'application/x-www-form-urlencoded'), true);
    assert.equal(limiter.needsBody(routes, '/wp-login.php', 'multipart/form-data; boundary=x'), true);
    assert.equal(limiter.needsBody(routes, '/wp-login.php', 'application/ld+json'), true);
    assert.equal(limiter.needsBody(routes, '/wp-login.php', 'application/octet-stream'), false, 'an upload is not held for the filter');
    assert.equal(limiter.needsBody(routes, LOST, 'application/x-www-form-urlencoded'), false, 'the query met it');
    for (let i = 0; i < 3; i++) assert.deepEqual((await limiter.check(req, '/wp-login.php', routes, undefined, 'head')).headers, {});
    assert.equal((await limiter.check(req, '/wp-login.php', routes, form('action=lostpassword'), 'body')).verdict.action, 'allow');
    assert.equal((await limiter.check(req, '/wp-login.php', routes, form('action=lostpassword'), 'body')).verdict.action, 'block');
  });
});

describe('rate limits: reading bodies', () => {
  it('reads urlencoded, multipart and JSON bodies; anything else counts under one shared account', () => {
    const field = { form: 'user_login' };
    assert.deepEqual(accountsOf(field, undefined, rawRateLimitBody('application/x-www-form-urlencoded', undefined, Buffer.from('user_login=alice'))), ['alice']);
    const multipart = Buffer.from('--b\r\nContent-Disposition: form-data; name="user_login"\r\n\r\nbob\r\n--b--\r\n');
    assert.deepEqual(accountsOf(field, undefined, rawRateLimitBody('multipart/form-data; boundary=b', undefined, multipart)), ['bob']);
    assert.deepEqual(accountsOf(field, undefined, rawRateLimitBody('application/json', undefined, Buffer.from('{"user_login":"carol"}'))), ['carol']);
    assert.deepEqual(accountsOf({ json: 'user.email' }, undefined, rawRateLimitBody('application/json', undefined, Buffer.from('{"user":{"email":"d@example.com"}}'))), ['d@example.com']);
    const unreadable = [
      rawRateLimitBody('application/x-www-form-urlencoded', 'gzip', Buffer.from('x')),
      rawRateLimitBody('application/x-www-form-urlencoded; charset=shift_jis', undefined, Buffer.from('user_login=x')),
      rawRateLimitBody('application/json', undefined, Buffer.from('{"user_login":')),
      rawRateLimitBody('text/plain', undefined, Buffer.from('user_login=x')),
    ];
    const shared = unreadable.map((b) => accountsOf(field, undefined, b));
    assert.equal(new Set(shared.map((s) => JSON.stringify(s))).size, 1);
    assert.equal(shared[0]!.length, 1);
    assert.deepEqual(accountsOf(field, undefined, rawRateLimitBody(undefined, undefined, Buffer.alloc(0))), [], 'no body, no account');
    assert.deepEqual(accountsOf(field, undefined, parsedRateLimitBody({ user_login: ['e', 'f'] })), ['e', 'f']);
  });

  it('counts at most 8 accounts of one request, the first and the last among them', () => {
    const body = form(Array.from({ length: 1000 }, (_, i) => `user_login=u${i}`).join('&'));
    const got = accountsOf({ form: 'user_login' }, undefined, body);
    assert.equal(got.length, 8);
    assert.ok(got.includes('u0') && got.includes('u999'));
  });
});

describe('rate limits: the wait until there is room', () => {
  it('is the earliest time one more request fits (checked against the sliding count)', () => {
    const seeded = new SeededRandom(3);
    const rnd = { float: () => seeded.bytes(4).readUInt32LE(0) / 2 ** 32 };
    for (let i = 0; i < 2000; i++) {
      const limit = 1 + Math.floor(rnd.float() * 20);
      const windowMs = 60_000;
      const cur = Math.floor(rnd.float() * (limit + 3));
      const prev = Math.floor(rnd.float() * (limit * 2 + 3));
      const fraction = rnd.float();
      const wait = msUntilRoom(limit, cur, prev, fraction, windowMs);
      const fits = (dt: number): boolean => {
        const f = fraction + dt / windowMs;
        return f < 1 ? cur + prev * (1 - f) + 1 <= limit + 1e-9 : f < 2 ? 0 + cur * (2 - f) + 1 <= limit + 1e-9 : true;
      };
      const at = `limit ${limit} cur ${cur} prev ${prev} fraction ${fraction}`;
      assert.ok(fits(wait), `fits at the wait: ${at}`);
      if (wait > 1) assert.ok(!fits(wait - 1), `not a millisecond sooner: ${at}`);
    }
  });
});

describe('rate limits: config', () => {
  it('reads rate_limits from YAML with its defaults', () => {
    const c = parseConfig(
      [
        'rate_limits:',
        '  - name: wp-lostpassword',
        '    paths: [/wp-login.php]',
        '    methods: [POST]',
        '    query: { action: [lostpassword, retrievepassword] }',
        '    per_source: { limit: 5, window: 15m }',
        '    per_account: { field: { form: user_login }, limit: 3, window: 1h }',
      ].join('\n'),
    );
    assert.deepEqual(c.rateLimits, [
      {
        name: 'wp-lostpassword',
        paths: ['/wp-login.php'],
        methods: ['POST'],
        query: { action: ['lostpassword', 'retrievepassword'] },
        perSource: { limit: 5, windowMs: 15 * 60_000 },
        perAccount: { field: { form: 'user_login' }, limit: 3, windowMs: 3_600_000 },
        action: 'block',
        headers: true,
        mode: 'enforce',
      },
    ]);
  });

  it('refuses a limit with nothing to count, two limits of one name, and bad values, naming where', () => {
    const bad = [
      ['rate_limits:\n  - { name: a, paths: [/a] }', /rate_limits\[0\] needs per_source or per_account/],
      ['rate_limits:\n  - { name: a, paths: [/a], per_source: { limit: 1, window: 1m } }\n  - { name: a, paths: [/b], per_source: { limit: 1, window: 1m } }', /rate_limits\[1\]\.name "a" names another limit too/],
      ['rate_limits:\n  - { name: a, paths: [/a], per_source: { limit: 1, window: 1m } }\n  - { name: a.account, paths: [/b], per_source: { limit: 1, window: 1m } }', /rate_limits\[1\]\.name "a\.account" is the name of another limit's per-account policy/],
      ['rate_limits:\n  - { name: a, paths: [/a], per_source: { limit: 0, window: 1m } }', /rate_limits\[0\]\.per_source\.limit must be at least 1/],
      ['rate_limits:\n  - { name: a, paths: [a], per_source: { limit: 1, window: 1m } }', /rate_limits\[0\]\.paths\[0\]/],
      ['rate_limits:\n  - { name: a, paths: [/a], per_account: { field: { header: x }, limit: 1, window: 1m } }', /rate_limits\[0\]\.per_account\.field/],
      ['rate_limits:\n  - { name: a, paths: [/a], per_source: { limit: 1, window: soon } }', /rate_limits\[0\]\.per_source\.window/],
    ] as const;
    for (const [yaml, message] of bad) {
      assert.throws(() => parseConfig(yaml, 'm.yaml'), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID') && message.test(e.message) && /m\.yaml:\d+:\d+/.test(e.message), yaml);
    }
  });

  it('refuses a limit named as another one\'s per-account policy', () => {
    // Built in code, past the config's own check.
    const limits: RateLimitConfig[] = [
      { name: 'a', paths: ['/a'], perAccount: { field: { form: 'u' }, limit: 1, windowMs: 60_000 }, action: 'block', headers: true, mode: 'enforce' },
      { name: 'a.account', paths: ['/b'], perSource: { limit: 1, windowMs: 60_000 }, action: 'block', headers: true, mode: 'enforce' },
    ];
    assert.throws(
      () => new RateLimiter(limits, { store: new MemoryStore(), clock: new ManualClock(), secret: SECRET, events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 }, userHash: (n) => n }),
      (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID') && /"a\.account"/.test(e.message),
    );
  });

  it('refuses a path pattern the access policy would refuse, when the guard compiles it', () => {
    const config = defaultConfig({ rate_limits: [{ name: 'a', paths: ['/a*b'], per_source: { limit: 1, window: '1m' } }] });
    const store = new MemoryStore();
    assert.throws(
      () => new RateLimiter(config.rateLimits, { store, clock: new ManualClock(), secret: SECRET, events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 }, userHash: (n) => n }),
      (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID') && /limit "a" paths\[0\]/.test(e.message),
    );
  });
});

describe('rate limits: through the guard', () => {
  it('with action: challenge, asks for a proof of work, and each solved one buys one request', async () => {
    const clock = new ManualClock(START);
    const guard = createGuard(defaultConfig({ challenge: { base_difficulty: 1, max_difficulty: 4 }, rate_limits: [{ name: 'signup', paths: ['/signup'], per_source: { limit: 1, window: '1h' }, action: 'challenge' }] }), {
      store: new MemoryStore({ clock }),
      secret: SECRET,
      clock,
    });
    const req = (cookie?: string): RequestInfo => ({ ip: '203.0.113.7', method: 'POST', path: '/signup', headers: { accept: 'application/json', ...(cookie ? { cookie } : {}) } });
    const check = (r: RequestInfo) => guard.checkRateLimits(r, '/signup', guard.rateLimits.match('POST', '/signup'));
    assert.equal((await check(req())).verdict.action, 'allow');
    const limited = await check(req());
    assert.equal(limited.verdict.action, 'challenge');
    const answer = guard.respondRateLimited(limited, req());
    assert.equal(answer.status, 429);
    assert.equal(answer.headers['ratelimit-policy'], '"signup";q=1;w=3600');
    const { challenge } = JSON.parse(answer.body) as { challenge: { token: string; difficulty: number } };
    const solved = await guard.handleChallengeSubmit(req(), Buffer.from(JSON.stringify({ token: challenge.token, solution: solveChallenge(challenge.token, challenge.difficulty) })));
    assert.equal(solved.status, 200);
    const pass = solved.headers['set-cookie']!.split(';')[0]!;
    assert.equal((await check(req(pass))).verdict.action, 'allow', 'the solved challenge lets this one through');
    assert.equal((await check(req(pass))).verdict.action, 'challenge', 'and only this one');
    await guard.close();
  });
});
