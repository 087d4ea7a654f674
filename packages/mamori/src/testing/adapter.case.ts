/**
 * The adapter conformance suite: Express, Fastify and Hono (and any later
 * adapter) run it, so they behave the same as each other and as the proxy.
 *
 *   runAdapterConformance('express', async (guard) => startMyExpressApp(guard));
 *
 * `start(guard)` builds a tiny app with the adapter installed and listens on
 * 127.0.0.1, port 0. The app has (see `ADAPTER_APP` for the exact values):
 * - `GET /`       200 `home`
 * - `GET /admin`  200 `admin`
 * - `POST /login` with a form (`application/x-www-form-urlencoded`) or JSON
 *   body `{email, password}`: 302 to `/account` with the app's own cookie
 *   `sid=...` for alice@example.com / right-password, 401 otherwise. A body
 *   that is not valid JSON gets the framework's (or the app's) 400. The
 *   401's body contains `wrong email or password`.
 * - `POST /api/checkout` with a JSON body `{card: {number, exp_month, exp_year, cvc}, amount}`:
 *   200 when `card.number` is `ADAPTER_APP.approvedCard`, 402 otherwise; either answer carries
 *   the header `x-app-step-up` with the request's `x-mamori-step-up` (or `none`).
 * Every request goes to 127.0.0.1 with `fetch`; each case builds its own
 * guard (memory store, manual clock) and closes its server.
 */
import { describe, it } from 'node:test';
import net from 'node:net';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { CHALLENGE_PATH, createGuard, type Guard } from '../guard/guard.js';
import { solveChallenge } from '../guard/challenge.js';
import { withCheckDigit } from '../checkout/card.js';


/** Sends `request` as raw bytes to the server at `url`; resolves with the answer's status line. */
function rawStatusLine(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let got = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      got += d;
      const nl = got.indexOf('\r\n');
      if (nl >= 0) {
        socket.destroy();
        resolve(got.slice(0, nl));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
}

export interface AdapterServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
}

export type StartAdapterApp = (guard: Guard) => Promise<AdapterServer>;

/** What the test app behind each adapter must do. */
export const ADAPTER_APP = Object.freeze({
  user: 'alice@example.com',
  password: 'right-password',
  /** The `set-cookie` the app sends on a successful login. */
  sessionCookie: 'sid=app-session; Path=/; HttpOnly',
  successLocation: '/account',
  home: 'home',
  admin: 'admin',
  /** The only card the app's checkout approves. */
  approvedCard: '4242424242424242',
});

const LOGIN = { path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302], redirect_contains: '/account' } };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SECRET = Buffer.alloc(32, 7);

const CHECKOUT = { name: 'shop', path: '/api/checkout' };
const JSON_TYPE = { 'content-type': 'application/json', accept: 'application/json' };

function payment(url: string, number: string, amount = 4000, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/checkout`, { method: 'POST', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ card: { number, exp_month: 12, exp_year: 2030, cvc: '123' }, amount }) });
}

function guardWith(raw: Record<string, unknown>): Guard {
  const clock = new ManualClock();
  return createGuard(defaultConfig({ logins: [LOGIN], ...raw }), { store: new MemoryStore({ clock }), secret: SECRET, clock });
}

async function withApp(start: StartAdapterApp, guard: Guard, body: (url: string) => Promise<void>): Promise<void> {
  const server = await start(guard);
  try {
    await body(server.url);
  } finally {
    await server.close();
    await guard.close();
    await guard.store.close();
  }
}

function form(fields: Record<string, string> | string): string {
  return typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
}

async function login(url: string, email: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/login`, { method: 'POST', headers: { ...FORM, ...headers }, body: form({ email, password }), redirect: 'manual' });
}

/** The `name=value` part of the set-cookie named `name`, or undefined. */
function cookie(res: Response, name: string): string | undefined {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0]!;
    if (pair.startsWith(`${name}=`)) return pair;
  }
  return undefined;
}

export function runAdapterConformance(name: string, start: StartAdapterApp): void {
  describe(`adapter conformance: ${name}`, () => {
    it('lets an ordinary request through to the app', async () => {
      await withApp(start, guardWith({}), async (url) => {
        const res = await fetch(`${url}/`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), ADAPTER_APP.home);
        assert.equal(res.headers.get('x-mamori-action'), null);
      });
    });

    it('answers 403 for a source with a block decision, without calling the app', async () => {
      const guard = guardWith({});
      await guard.store.decisions.add({ action: 'block', scope: 'ip', value: '127.0.0.1', expiresAt: guard.clock.now() + 3_600_000, origin: 'test', reason: 'test block' });
      await withApp(start, guard, async (url) => {
        for (const path of ['/', '/admin', '/no-such-page']) {
          const res = await fetch(`${url}${path}`);
          assert.equal(res.status, 403, path);
          assert.equal(res.headers.get('x-mamori-action'), 'block');
          const text = await res.text();
          assert.ok(!text.includes(ADAPTER_APP.home) && !text.includes(ADAPTER_APP.admin), 'the app answered');
        }
        const events = await guard.store.events.query({ action: 'request-blocked' });
        assert.equal(events.length, 3);
      });
    });

    it('applies the access policy to its paths only', async () => {
      const guard = guardWith({ policy: [{ name: 'admin-office', paths: ['/admin'], deny_ips: ['127.0.0.1/32'] }] });
      await withApp(start, guard, async (url) => {
        const admin = await fetch(`${url}/admin`, { headers: { accept: 'application/json' } });
        assert.equal(admin.status, 403);
        assert.equal(admin.headers.get('x-mamori-action'), 'block');
        assert.equal(((await admin.json()) as { error: string }).error, 'forbidden');
        const home = await fetch(`${url}/`);
        assert.equal(home.status, 200);
        assert.equal(await home.text(), ADAPTER_APP.home);
        // The same path as an absolute-form target (which the frameworks route to /admin).
        for (const target of ['http://example.com/admin', 'HTTP://example.com/admin?x=1', 'http://example.com//admin/']) {
          const head = await rawStatusLine(url, `GET ${target} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`);
          assert.match(head, /^HTTP\/1\.1 (403|400) /, `${target}: ${head}`);
        }
      });
    });

    it('locks out after 10 failed logins without telling whether the account exists', async () => {
      const guard = guardWith({ login_protection: { user_source: { challenge_after: 10, block_after: 10 } } });
      await withApp(start, guard, async (url) => {
        const answers: { status: number; retryAfter: string | null; body: string }[] = [];
        for (const email of [ADAPTER_APP.user, 'nobody@example.com']) {
          for (let i = 0; i < 10; i++) {
            const res = await login(url, email, `wrong-${i}`);
            assert.equal(res.status, 401, `attempt ${i + 1} for ${email} should reach the app`);
            await res.arrayBuffer();
          }
          const locked = await login(url, email, 'wrong-again');
          answers.push({ status: locked.status, retryAfter: locked.headers.get('retry-after'), body: await locked.text() });
        }
        const [known, unknown] = answers;
        assert.equal(known!.status, 429);
        assert.ok(Number(known!.retryAfter) > 0, 'retry-after is a number of seconds');
        assert.deepEqual(unknown, known, 'the answer for an unknown account is the same');
        // Even the right password is refused while locked: the lockout does not leak it.
        const right = await login(url, ADAPTER_APP.user, ADAPTER_APP.password);
        assert.equal(right.status, 429);
        assert.equal(cookie(right, 'sid'), undefined);
      });
    });

    it('counts JSON login bodies too', async () => {
      const guard = guardWith({ login_protection: { user_source: { challenge_after: 2, block_after: 2 } } });
      await withApp(start, guard, async (url) => {
        const post = () =>
          fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADAPTER_APP.user, password: 'nope' }), redirect: 'manual' });
        assert.equal((await post()).status, 401);
        assert.equal((await post()).status, 401);
        const third = await post();
        assert.equal(third.status, 429);
        assert.ok(third.headers.get('retry-after'));
      });
    });

    it("reads failure from the app's answer body when configured so", async () => {
      const guard = guardWith({
        logins: [{ ...LOGIN, failure: { body_contains: 'wrong email or password' } }],
        login_protection: { user_source: { challenge_after: 2, block_after: 2 } },
      });
      await withApp(start, guard, async (url) => {
        assert.equal((await login(url, ADAPTER_APP.user, 'nope-1')).status, 401);
        assert.equal((await login(url, ADAPTER_APP.user, 'nope-2')).status, 401);
        assert.equal((await guard.store.events.query({ action: 'login-failure' })).length, 2);
        assert.equal((await login(url, ADAPTER_APP.user, 'nope-3')).status, 429);
      });
    });

    it("adds the trusted-device cookie to a successful login and keeps the app's cookie", async () => {
      const guard = guardWith({});
      await withApp(start, guard, async (url) => {
        const res = await login(url, ADAPTER_APP.user, ADAPTER_APP.password);
        assert.equal(res.status, 302);
        assert.equal(res.headers.get('location'), ADAPTER_APP.successLocation);
        assert.equal(cookie(res, 'sid'), ADAPTER_APP.sessionCookie.split(';')[0]);
        const device = cookie(res, 'mamori_device');
        assert.ok(device && device.length > 'mamori_device='.length, 'mamori_device cookie set');
        const events = await guard.store.events.query({ action: 'login-success' });
        assert.equal(events.length, 1);
        // A failed login gets no device cookie.
        const failed = await login(url, ADAPTER_APP.user, 'wrong');
        assert.equal(failed.status, 401);
        assert.equal(cookie(failed, 'mamori_device'), undefined);
      });
    });

    it('lets the owner in with the trusted-device cookie while the account is closed to others', async () => {
      const guard = guardWith({
        login_protection: { user: { challenge_after: 3, close_after: 3 }, user_source: { challenge_after: 10, block_after: 10 } },
      });
      await withApp(start, guard, async (url) => {
        const first = await login(url, ADAPTER_APP.user, ADAPTER_APP.password);
        assert.equal(first.status, 302);
        const device = cookie(first, 'mamori_device')!;
        assert.ok(device);
        for (let i = 0; i < 3; i++) assert.equal((await login(url, ADAPTER_APP.user, `guess-${i}`)).status, 401);
        const attacker = await login(url, ADAPTER_APP.user, ADAPTER_APP.password);
        // The closure is a decision on the account: refused (403 or 429 depending on how it was decided), never the app.
        assert.ok([403, 429].includes(attacker.status), `the account is closed to untrusted devices, got ${attacker.status}`);
        assert.equal(attacker.headers.get('x-mamori-action'), 'block');
        assert.equal(cookie(attacker, 'sid'), undefined);
        const owner = await login(url, ADAPTER_APP.user, ADAPTER_APP.password, { cookie: device });
        assert.equal(owner.status, 302, 'the owner with the device cookie gets in');
        assert.ok(cookie(owner, 'sid'));
      });
    });

    it('challenges with a proof of work whose pass then lets the request through', async () => {
      const guard = guardWith({ challenge: { base_difficulty: 1, max_difficulty: 4 } });
      await guard.store.decisions.add({ action: 'challenge', scope: 'ip', value: '127.0.0.1', expiresAt: guard.clock.now() + 3_600_000, origin: 'test', reason: 'test challenge' });
      await withApp(start, guard, async (url) => {
        const res = await fetch(`${url}/`, { headers: { accept: 'application/json' } });
        assert.equal(res.status, 429);
        const body = (await res.json()) as { error: string; challenge: { token: string; difficulty: number; submit: string } };
        assert.equal(body.error, 'challenge_required');
        assert.equal(body.challenge.submit, CHALLENGE_PATH);
        const submit = (payload: string) => fetch(`${url}${CHALLENGE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });

        const malformed = await submit('{"token":');
        assert.equal(malformed.status, 400);
        const wrong = await submit(JSON.stringify({ token: body.challenge.token, solution: 'not-hex' }));
        assert.equal(wrong.status, 403);
        assert.equal(cookie(wrong, 'mamori_pass'), undefined);

        const solution = solveChallenge(body.challenge.token, body.challenge.difficulty);
        assert.ok(solution !== undefined);
        const ok = await submit(JSON.stringify({ token: body.challenge.token, solution }));
        assert.equal(ok.status, 200);
        const pass = cookie(ok, 'mamori_pass');
        assert.ok(pass, 'pass cookie set');

        const still = await fetch(`${url}/`, { headers: { accept: 'application/json' } });
        assert.equal(still.status, 429, 'without the pass the challenge stays');
        await still.arrayBuffer();
        const through = await fetch(`${url}/`, { headers: { accept: 'application/json', cookie: pass } });
        assert.equal(through.status, 200);
        assert.equal(await through.text(), ADAPTER_APP.home);
      });
    });

    it('a challenged form login: the page holds the same fields, to post again once solved, and that post gets in', async () => {
      const guard = guardWith({ challenge: { base_difficulty: 1, max_difficulty: 4 } });
      await withApp(start, guard, async (url) => {
        for (let i = 0; i < 5; i++) assert.equal((await login(url, ADAPTER_APP.user, `guess-${i}`)).status, 401);
        const res = await login(url, ADAPTER_APP.user, ADAPTER_APP.password, { accept: 'text/html', 'accept-language': 'ja' });
        assert.equal(res.status, 429);
        assert.equal(res.headers.get('x-mamori-action'), 'challenge');
        assert.equal(res.headers.get('cache-control'), 'no-store');
        const html = await res.text();
        assert.match(html, /<html lang="ja">/);
        assert.match(html, /data-return="post" data-return-url="\/login"/);
        const fields = [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m): [string, string] => [m[1]!, m[2]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))]);
        assert.deepEqual(fields, [['email', ADAPTER_APP.user], ['password', ADAPTER_APP.password]]);
        const token = /data-token="([^"]+)"/.exec(html)![1]!;
        const difficulty = Number(/data-difficulty="(\d+)"/.exec(html)![1]);
        const ok = await fetch(`${url}${CHALLENGE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, solution: solveChallenge(token, difficulty) }) });
        assert.equal(ok.status, 200);
        const again = await fetch(`${url}/login`, { method: 'POST', headers: { ...FORM, cookie: cookie(ok, 'mamori_pass')! }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
        assert.equal(again.status, 302, 'the form posted again with the pass gets in');
      });
    });

    it('applies per-route rate limits per source and per account, with the RateLimit fields', async () => {
      const guard = guardWith({
        rate_limits: [
          { name: 'admin', paths: ['/admin'], methods: ['GET'], per_source: { limit: 2, window: '1m' } },
          { name: 'login', paths: ['/login'], per_account: { field: { form: 'email' }, limit: 2, window: '1h' } },
        ],
      });
      await withApp(start, guard, async (url) => {
        for (const r of [1, 0]) {
          const res = await fetch(`${url}/admin`);
          assert.equal(res.status, 200);
          assert.equal(await res.text(), ADAPTER_APP.admin);
          assert.equal(res.headers.get('ratelimit-policy'), '"admin";q=2;w=60');
          assert.equal(res.headers.get('ratelimit'), `"admin";r=${r};t=60`);
        }
        const limited = await fetch(`${url}/admin`);
        assert.equal(limited.status, 429);
        assert.ok(Number(limited.headers.get('retry-after')) > 0);
        assert.equal(limited.headers.get('ratelimit'), `"admin";r=0;t=${limited.headers.get('retry-after')}`);
        assert.ok(!(await limited.text()).includes(ADAPTER_APP.admin), 'the app answered');
        const home = await fetch(`${url}/`);
        assert.equal(home.status, 200);
        assert.equal(home.headers.get('ratelimit'), null);
        // Per account, from the body the framework parsed (a form, then JSON).
        for (let i = 0; i < 2; i++) {
          const res = await login(url, ADAPTER_APP.user, `wrong-${i}`);
          assert.equal(res.status, 401);
          assert.equal(res.headers.get('ratelimit-policy'), '"login.account";q=2;w=3600');
          await res.arrayBuffer();
        }
        const json = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADAPTER_APP.user, password: 'x' }), redirect: 'manual' });
        assert.equal(json.status, 429);
        assert.match(json.headers.get('ratelimit') ?? '', /^"login\.account";r=0;t=\d+$/);
        assert.equal((await login(url, 'nobody@example.com', 'x')).status, 401, 'another account');
        const events = await guard.store.events.query({ action: 'rate-limited' });
        assert.deepEqual(events.map((e) => e['rule.name']).sort(), ['admin', 'login']);
      });
    });

    it('in detect mode lets everything through and records what it would have done', async () => {
      const guard = guardWith({
        mode: 'detect',
        policy: [{ name: 'admin-office', paths: ['/admin'], deny_ips: ['127.0.0.1/32'] }],
        login_protection: { user_source: { challenge_after: 2, block_after: 2 } },
      });
      await withApp(start, guard, async (url) => {
        const admin = await fetch(`${url}/admin`);
        assert.equal(admin.status, 200);
        assert.equal(await admin.text(), ADAPTER_APP.admin);
        for (let i = 0; i < 4; i++) assert.equal((await login(url, ADAPTER_APP.user, `wrong-${i}`)).status, 401);
        assert.equal((await login(url, ADAPTER_APP.user, ADAPTER_APP.password)).status, 302);
        const blocked = await guard.store.events.query({ action: 'request-blocked' });
        assert.equal(blocked.length, 1);
        assert.equal(blocked[0]!['mamori.detect_only'], true);
        const loginBlocked = await guard.store.events.query({ action: 'login-blocked' });
        assert.ok(loginBlocked.length >= 1, 'login blocks recorded');
        assert.ok(loginBlocked.every((e) => e['mamori.detect_only'] === true));
        assert.equal((await guard.store.events.query({ action: 'login-failure' })).length, 4);
      });
    });

    it('leaves a malformed JSON login body to the framework (400) and keeps serving', async () => {
      await withApp(start, guardWith({}), async (url) => {
        const bad = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email": "alice@example.com", "password":', redirect: 'manual' });
        assert.equal(bad.status, 400);
        await bad.arrayBuffer();
        const home = await fetch(`${url}/`);
        assert.equal(home.status, 200);
        assert.equal(await home.text(), ADAPTER_APP.home);
      });
    });

    it('counts HTTP Basic logins (credentials: http-auth); an answer that is not the failure status takes nothing', async () => {
      const basicLogin = { paths: ['/login', '/admin'], credentials: 'http-auth', failure: { status: [401] } };
      const guard = guardWith({ logins: [basicLogin] });
      const auth = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
      await withApp(start, guard, async (url) => {
        // /admin answers 200 whatever the credentials: proves nothing, counts nothing.
        for (let i = 0; i < 12; i++) assert.equal((await fetch(`${url}/admin`, { headers: auth('mallory', `x${i}`) })).status, 200);
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) statuses.push((await login(url, 'nobody@example.com', 'x', { ...auth('mallory', `guess-${i}`), accept: 'application/json' })).status);
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429], 'the app answers 401: five failures, then the challenge');
        assert.equal((await fetch(`${url}/admin`)).status, 200, 'no credentials: no login');
      });
    });

    it('checkouts: an invalid card is answered by mamori as a decline; the app never sees it', async () => {
      await withApp(start, guardWith({ checkouts: [CHECKOUT] }), async (url) => {
        const res = await payment(url, '4242424242424241');
        assert.equal(res.status, 402);
        assert.equal(res.headers.get('x-app-step-up'), null, 'not the app\'s answer');
        assert.equal(((await res.json()) as { reason?: string }).reason, 'card_invalid');
      });
    });

    it('checkouts: a customer pays again and again; card testing is stopped before the app', async () => {
      await withApp(start, guardWith({ checkouts: [CHECKOUT] }), async (url) => {
        for (let i = 0; i < 5; i++) assert.equal((await payment(url, ADAPTER_APP.approvedCard)).status, 200, `purchase ${i + 1}`);
        let reached = 0;
        const refused: number[] = [];
        for (let i = 1; i <= 20; i++) {
          const res = await payment(url, withCheckDigit(`4532${String(i * 7919).padStart(8, '0')}`));
          if (res.headers.get('x-app-step-up') !== null) reached++;
          else refused.push(res.status);
          await res.arrayBuffer();
        }
        assert.ok(reached <= 3, `${reached} of 20 tested cards reached the app`);
        assert.ok(refused.every((s) => s === 429 || s === 403), JSON.stringify(refused));
      });
    });

    it("checkouts: the app is told to run 3-D Secure by a request header only mamori sets", async () => {
      await withApp(start, guardWith({ checkouts: [CHECKOUT] }), async (url) => {
        const tiny = await payment(url, ADAPTER_APP.approvedCard, 50);
        assert.equal(tiny.status, 200);
        assert.equal(tiny.headers.get('x-app-step-up'), '3ds', 'a guest paying a tiny amount is stepped up');
        const forged = await payment(url, ADAPTER_APP.approvedCard, 4000, { 'x-mamori-step-up': '3ds' });
        assert.equal(forged.headers.get('x-app-step-up'), 'none', "a client's own header is removed");
      });
    });

    it('refuses a login form that sends a field twice', async () => {
      const guard = guardWith({});
      await withApp(start, guard, async (url) => {
        const res = await fetch(`${url}/login`, {
          method: 'POST',
          headers: FORM,
          body: form(`email=${encodeURIComponent(ADAPTER_APP.user)}&email=b%40example.com&password=${ADAPTER_APP.password}`),
          redirect: 'manual',
        });
        assert.equal(res.status, 400);
        assert.equal(cookie(res, 'sid'), undefined, 'the app did not log anyone in');
        assert.equal((await guard.store.events.query({})).length, 0);
      });
    });
  });
}
