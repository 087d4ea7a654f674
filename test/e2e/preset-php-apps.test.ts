/**
 * The phpMyAdmin and Roundcube presets through the proxy, in front of upstreams shaped like
 * them: their whole interface posts to the same index.php as their login. A logged-in user's
 * requests pass untouched (issue 7: they were answered 400); every route to a password is
 * counted, path-info spellings included; phpMyAdmin's HTTP authentication mode counts too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, defaultConfig, MemoryStore, startMamoriProxy } from 'mamori';

const SECRET = Buffer.from('php-apps-preset-secret-php-apps-preset-secret');

interface Shaped {
  url: string;
  /** Password checks, and every request that reached the app (method, path, body). */
  checks: string[];
  seen: string[];
  close(): Promise<void>;
}

/**
 * An app at /APP/index.php (nginx: path-info and the directory index) whose login posts
 * USER/PASS; a right password answers 302 with COOKIE, a wrong one FAILURE_STATUS; any other
 * request is answered 200 with what it was.
 */
async function shapedApp(app: string, user: string, pass: string, cookie: string, failureStatus: number, basic = false): Promise<Shaped> {
  const checks: string[] = [];
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const target = req.url ?? '/';
      const path = decodeURIComponent(target.split('?')[0]!).replace(/\/{2,}/g, '/');
      seen.push(`${req.method} ${target} ${body}`);
      if (!(path === `/${app}` || path === `/${app}/` || path.startsWith(`/${app}/index.php`))) {
        res.writeHead(404).end();
        return;
      }
      if (basic) {
        const auth = req.headers.authorization;
        const [u, p] = auth ? Buffer.from(auth.slice(6), 'base64').toString().split(':') : [];
        if (u === undefined) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="app"' }).end();
        checks.push(u);
        if (p !== 'right-password') return void res.writeHead(401, { 'www-authenticate': 'Basic realm="app"' }).end('denied');
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>welcome</p>');
      }
      const form = new URLSearchParams(req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? body : '');
      if (req.method === 'POST' && form.has(user)) {
        checks.push(form.get(user)!);
        if (form.get(pass) === 'right-password') return void res.writeHead(302, { location: `/${app}/index.php`, 'set-cookie': `${cookie}=session; path=/; HttpOnly` }).end();
        return void res.writeHead(failureStatus, { 'content-type': 'text/html' }).end('<form>login failed</form>');
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${req.method} ${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    checks,
    seen,
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}

async function behindMamori(presets: string[], upstream: string) {
  const config = defaultConfig({ logins: presets.map((preset) => ({ preset })), demo: { trust_loopback_forwarded_for: true } });
  const guard = createGuard(config, { store: new MemoryStore(), secret: SECRET });
  const proxy = await startMamoriProxy({ guard, upstream, port: 0 });
  return { proxy, guard, close: async () => (await proxy.close(), await guard.close()) };
}

const post = (url: string, body: string, ip: string, cookie?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, accept: 'application/json', ...(cookie ? { cookie } : {}) },
    body,
    redirect: 'manual',
  });

for (const [preset, app, user, pass, cookie, failure] of [
  ['phpmyadmin', 'phpmyadmin', 'pma_username', 'pma_password', 'pmaAuth-1', 200],
  ['roundcube', 'roundcube', '_user', '_pass', 'roundcube_sessauth', 401],
] as const) {
  describe(`e2e: the ${preset} preset`, () => {
    let up: Shaped;
    let m: Awaited<ReturnType<typeof behindMamori>>;
    before(async () => {
      up = await shapedApp(app, user, pass, cookie, failure);
      // WordPress first, as on a server that hosts all three: its HTTP authentication covers every
      // path, and must not hide the application's own login.
      m = await behindMamori(['wordpress', preset], up.url);
    });
    after(async () => {
      await m.close();
      await up.close();
    });

    it("a logged-in user's requests to index.php pass untouched, repeated fields and all", async () => {
      const ip = '192.0.2.20';
      const bodies = ['route=/sql&db=shop&table=orders&sql_query=SELECT+1&token=abc&db=shop', '_task=mail&_action=list&_mbox=INBOX&_remote=1', 'route=/navigation&ajax_request=true&aPath=a&aPath=b', ''];
      for (const b of bodies) {
        const r = await post(`${m.proxy.url}/${app}/index.php?route=/x`, b, ip, `${cookie}=session`);
        assert.equal(r.status, 200, b);
        assert.equal(await r.text(), `ok POST ${b}`, 'the body reached the app as it was sent');
      }
      assert.equal((await fetch(`${m.proxy.url}/${app}/`, { headers: { 'x-forwarded-for': ip } })).status, 200);
      assert.deepEqual(up.checks, []);
    });

    it('every spelling of the login is counted: 30 guesses, the budget reaches the app', async () => {
      const ip = '203.0.113.30';
      const paths = [`/${app}/index.php`, `/${app}/`, `/${app}/index.php/x`, `/${app}/index.php%2fx`, `//${app}//index.php`];
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await post(`${m.proxy.url}${paths[i % paths.length]}?_task=login`, `${user}=dba&${pass}=guess-${i}&token=t`, ip)).status);
      assert.equal(up.checks.filter((c) => c === 'dba').length, 5);
      assert.deepEqual(statuses.slice(0, 5), Array(5).fill(failure));
      assert.ok(statuses.slice(5).every((x) => x === 429));
    });

    it('the owner logs in from elsewhere, and is not counted as failing', async () => {
      const r = await post(`${m.proxy.url}/${app}/index.php`, `${user}=dba&${pass}=right-password&token=t`, '198.51.100.30');
      assert.equal(r.status, 302);
      assert.ok(r.headers.getSetCookie().some((c) => c.startsWith(`${cookie}=`)));
    });
  });
}

describe('e2e: the phpmyadmin-http preset (HTTP Basic on every page)', () => {
  let up: Shaped;
  let m: Awaited<ReturnType<typeof behindMamori>>;
  before(async () => {
    up = await shapedApp('phpmyadmin', '', '', '', 401, true);
    m = await behindMamori(['phpmyadmin-http'], up.url);
  });
  after(async () => {
    await m.close();
    await up.close();
  });

  it('40 guesses over Basic: the budget reaches the app; the owner still gets in', async () => {
    const ip = '203.0.113.31';
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const auth = `Basic ${Buffer.from(`root:guess-${i}`).toString('base64')}`;
      statuses.push((await fetch(`${m.proxy.url}/phpmyadmin/index.php${i % 2 ? '/x' : ''}`, { headers: { authorization: auth, 'x-forwarded-for': ip, accept: 'application/json' } })).status);
    }
    assert.equal(up.checks.length, 5);
    assert.ok(statuses.slice(5).every((x) => x === 429));
    const owner = await fetch(`${m.proxy.url}/phpmyadmin/`, { headers: { authorization: `Basic ${Buffer.from('root:right-password').toString('base64')}`, 'x-forwarded-for': '198.51.100.31' } });
    assert.equal(owner.status, 200);
    assert.equal((await fetch(`${m.proxy.url}/phpmyadmin/`, { headers: { 'x-forwarded-for': '198.51.100.32' } })).status, 401, 'no credentials: no login, the app asks');
    assert.equal((await fetch(`${m.proxy.url}/phpmyadmin/`, { headers: { 'x-forwarded-for': ip } })).status, 429, 'the guesser ignored 20 challenges: its address is blocked');
  });
});

describe('e2e: the eccube preset (Symfony form_login)', () => {
  let up: Shaped;
  let m: Awaited<ReturnType<typeof behindMamori>>;
  before(async () => {
    // EC-CUBE 4 shaped: POST /admin/login (login_id, password) and /mypage/login (login_email,
    // login_pass); a failure redirects to the login page, or to _failure_path when given; a
    // success redirects onward with a new session cookie.
    const checks: string[] = [];
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        // Symfony's front controller: /index.php/<path> is <path>.
        const path = (req.url ?? '/').split('?')[0]!.replace(/^\/index\.php(?=\/)/, '');
        seen.push(`${req.method} ${path}`);
        const [user, pass, home] = path === '/admin/login' ? ['login_id', 'password', '/admin/'] : path === '/mypage/login' ? ['login_email', 'login_pass', '/'] : [];
        if (req.method !== 'POST' || !user || !form.has(user!)) return void res.writeHead(200).end('page');
        checks.push(form.get(user!)!);
        if (form.get(pass!) === 'right-password') return void res.writeHead(302, { location: home!, 'set-cookie': 'eccube=new-session; path=/; HttpOnly' }).end();
        res.writeHead(302, { location: form.get('_failure_path') ?? path }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    up = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      checks,
      seen,
      close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
    };
    m = await behindMamori(['eccube'], up.url);
  });
  after(async () => {
    await m.close();
    await up.close();
  });

  it('counts the back office and member logins, refuses a redirect target that would fake a success, lets the owner in', async () => {
    const ip = '203.0.113.40';
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await post(`${m.proxy.url}${i % 2 ? '/index.php/admin/login' : '/admin/login'}`, `login_id=admin&password=guess-${i}&_csrf_token=t`, ip)).status);
    assert.deepEqual(statuses.slice(0, 5), Array(5).fill(302));
    assert.ok(statuses.slice(5).every((x) => x === 429));
    assert.equal(up.checks.length, 5);
    const faked = await post(`${m.proxy.url}/admin/login`, 'login_id=shopowner&password=guess&_failure_path=/admin/', '203.0.113.41');
    assert.equal(faked.status, 400, '_failure_path would make a failure redirect like a success');
    for (let i = 0; i < 7; i++) await post(`${m.proxy.url}/mypage/login`, `login_email=customer%40example.com&login_pass=g${i}`, '203.0.113.42');
    assert.equal(up.checks.filter((c) => c === 'customer@example.com').length, 5);
    const owner = await post(`${m.proxy.url}/admin/login`, 'login_id=admin&password=right-password&_csrf_token=t', '198.51.100.40');
    assert.equal(owner.status, 302);
    assert.equal(owner.headers.get('location'), '/admin/');
  });
});
