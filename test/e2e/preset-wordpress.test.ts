/**
 * `logins: [{ preset: wordpress }]` through the proxy, in front of a WordPress-shaped upstream:
 * every route to a password is counted under one budget, a multicall cannot carry more guesses
 * than the budget, and the owner still gets in.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, MemoryStore, startMamoriProxy, type Guard } from 'mamori';
import { ManualClock } from 'mamori/testing';
import { startWordPressShaped, type WordPressShaped } from './wordpress-shaped.js';

const SECRET = Buffer.from('wordpress-preset-secret-wordpress-preset');
const ADMIN_PASSWORD = 'correct horse battery';

describe('e2e: the WordPress preset in front of a WordPress-shaped upstream', () => {
  let wp: WordPressShaped;
  let guard: Guard;
  let proxy: Awaited<ReturnType<typeof startMamoriProxy>>;
  let clock: ManualClock;
  let base: string;
  const budget = 5; // login_protection.user_source.challenge_after, the default

  before(async () => {
    wp = await startWordPressShaped();
  });
  beforeEach(async () => {
    await proxy?.close();
    clock = new ManualClock(Date.UTC(2026, 11, 2));
    // A fresh store per case: each starts with no counts.
    const config = defaultConfig({ logins: [{ preset: 'wordpress' }], demo: { trust_loopback_forwarded_for: true } });
    guard = createGuard(config, { store: new MemoryStore({ clock }), secret: SECRET, clock });
    proxy = await startMamoriProxy({ guard, upstream: wp.url, port: 0 });
    base = proxy.url;
    wp.checks.length = 0;
  });
  after(async () => {
    await proxy.close();
    await wp.close();
  });

  const form = (path: string, body: Record<string, string>, ip: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, accept: 'application/json' },
      body: new URLSearchParams(body).toString(),
      redirect: 'manual',
    });
  const s = (v: string) => `<value><string>${v}</string></value>`;
  const xml = (path: string, body: string, ip: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml', 'x-forwarded-for': ip, accept: 'application/json' }, body });
  const getUsersBlogs = (user: string, password: string) =>
    `<?xml version="1.0"?><methodCall><methodName>wp.getUsersBlogs</methodName><params><param>${s(user)}</param><param>${s(password)}</param></params></methodCall>`;
  const multicall = (pairs: [string, string][]) =>
    `<?xml version="1.0"?><methodCall><methodName>system.multicall</methodName><params><param><value><array><data>${pairs
      .map(
        ([u, p]) =>
          `<value><struct><member><name>methodName</name>${s('wp.getUsersBlogs')}</member><member><name>params</name><value><array><data>${s(u)}${s(p)}</data></array></value></member></struct></value>`,
      )
      .join('')}</data></array></value></param></params></methodCall>`;
  const basic = (path: string, user: string, password: string, ip: string) =>
    fetch(`${base}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, 'x-forwarded-for': ip, accept: 'application/json' } });
  const adminChecks = () => wp.checks.filter((c) => c.user.toLowerCase() === 'admin').length;

  it('wp-login.php and its path-info spellings are one login: 40 guesses, the budget reaches WordPress', async () => {
    const ip = '203.0.113.10';
    const paths = ['/wp-login.php', '/wp-login.php/x', '/wp-login.php%2fx', '//wp-login.php', '/wp-login.php/y/z'];
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await form(paths[i % paths.length]!, { log: 'admin', pwd: `guess-${i}` }, ip)).status);
    assert.equal(adminChecks(), budget, `WordPress checked ${adminChecks()} passwords`);
    assert.deepEqual(statuses.slice(0, budget), Array(budget).fill(200));
    assert.ok(statuses.slice(budget).every((x) => x === 429), 'the rest are challenged or blocked');
    assert.equal(wp.checks.filter((c) => c.route === 'wp-login').length, budget, 'all through the form, whichever path');
  });

  it('XML-RPC single calls and wp-login.php share one budget', async () => {
    const ip = '203.0.113.11';
    for (let i = 0; i < 3; i++) await form('/wp-login.php', { log: 'admin', pwd: `a-${i}` }, ip);
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) answers.push((await xml(i % 2 ? '/xmlrpc.php' : '/xmlrpc.php/x', getUsersBlogs('admin', `b-${i}`), ip)).status);
    assert.equal(adminChecks(), budget);
    assert.deepEqual(answers.slice(0, 2), [200, 200], 'two more reach WordPress (as faults)');
    assert.ok(answers.slice(2).every((x) => x === 429));
  });

  it('a system.multicall of more guesses than the budget is refused before WordPress sees any of them', async () => {
    const ip = '203.0.113.12';
    const pairs = (n: number) => Array.from({ length: n }, (_, i): [string, string] => ['admin', `guess-${i}`]);
    assert.equal((await xml('/xmlrpc.php', multicall(pairs(500)), ip)).status, 413, '500 pairs are past the body limit');
    const r = await xml('/xmlrpc.php', multicall(pairs(200)), ip);
    assert.equal(r.status, 429);
    assert.equal(adminChecks(), 0, 'not one call reached WordPress');
    // The budget is still there for what a person might do next, and counts each inner call.
    const three = await xml('/xmlrpc.php', multicall([['admin', 'x1'], ['admin', 'x2'], ['admin', 'x3']]), ip);
    assert.equal(three.status, 200);
    assert.equal(adminChecks(), 3);
    assert.match(await three.text(), /faultCode/);
    const fourth = await xml('/xmlrpc.php', multicall([['admin', 'x4'], ['admin', 'x5'], ['admin', 'x6']]), ip);
    assert.equal(fourth.status, 429, 'three more would pass the budget of five');
    assert.equal(adminChecks(), 3);
    assert.equal((await xml('/xmlrpc.php', getUsersBlogs('admin', 'x4'), ip)).status, 200, 'what is left of the budget');
    assert.equal(adminChecks(), 4);
  });

  it('application passwords over HTTP Basic, on /wp-json/ and ?rest_route=, count too', async () => {
    const ip = '203.0.113.13';
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) answers.push((await basic(i % 2 ? '/wp-json/wp/v2/users/me' : '/?rest_route=/wp/v2/users/me', 'admin', `AAAA ${i}`, ip)).status);
    assert.equal(adminChecks(), budget);
    assert.deepEqual(answers.slice(0, budget), Array(budget).fill(401));
    assert.ok(answers.slice(budget).every((x) => x === 429));
    const anonymous = await fetch(`${base}/wp-json/`, { headers: { 'x-forwarded-for': ip } });
    assert.equal(anonymous.status, 200, 'a request without credentials is no login');
  });

  it('a wrong application password answered 200 (?_envelope) still counts: only an answer for a logged-in client is a success', async () => {
    const ip = '203.0.113.16';
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) answers.push((await basic('/wp-json/wp/v2/users/me?_envelope=1', 'admin', `AAAA ${i}`, ip)).status);
    assert.equal(adminChecks(), budget, `WordPress checked ${adminChecks()}`);
    assert.deepEqual(answers.slice(0, budget), Array(budget).fill(200));
    assert.ok(answers.slice(budget).every((x) => x === 429));
  });

  it('the owner gets in during the attack, by every route', async () => {
    const attacker = '203.0.113.14';
    for (let i = 0; i < 30; i++) await form('/wp-login.php/x', { log: 'admin', pwd: `guess-${i}` }, attacker);
    const owner = '198.51.100.7';
    const login = await form('/wp-login.php', { log: 'admin', pwd: ADMIN_PASSWORD }, owner);
    assert.equal(login.status, 302);
    assert.ok(login.headers.getSetCookie().some((c) => c.startsWith('wordpress_logged_in_')));
    assert.ok(login.headers.getSetCookie().some((c) => c.startsWith('mamori_device-wordpress=')), 'a trusted device for the owner, in WordPress');
    const rpc = await xml('/xmlrpc.php', getUsersBlogs('admin', ADMIN_PASSWORD), owner);
    assert.equal(rpc.status, 200);
    assert.match(await rpc.text(), /blogName/);
    assert.equal((await basic('/wp-json/wp/v2/users/me', 'admin', 'AAAA BBBB CCCC DDDD', owner)).status, 200);
  });

  it("a reset-mail flood is cut by the preset's limits, however the action is sent, with RateLimit headers", async () => {
    wp.mails.length = 0;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      // From ten addresses, so only the per-account limit (3 an hour) holds it; half put the action in the body, as $_REQUEST allows.
      const r = i % 2 ? await form('/wp-login.php?action=lostpassword', { user_login: 'admin' }, `198.51.100.${100 + i}`) : await form('/wp-login.php', { action: 'lostpassword', user_login: 'admin' }, `198.51.100.${100 + i}`);
      statuses.push(r.status);
      if (i === 0) assert.match(r.headers.get('ratelimit-policy') ?? '', /"wordpress-lostpassword";q=5;w=900/);
    }
    assert.deepEqual(wp.mails, ['admin', 'admin', 'admin']);
    assert.deepEqual(statuses, [302, 302, 302, 429, 429, 429, 429, 429, 429, 429]);
    const one = '198.51.100.99';
    const fromOne: number[] = [];
    for (let i = 0; i < 8; i++) fromOne.push((await form('/wp-login.php?action=lostpassword', { user_login: `user${i}` }, one)).status);
    assert.deepEqual(fromOne, [302, 302, 302, 302, 302, 429, 429, 429], 'one address: 5 per 15 minutes, whichever accounts');
  });

  it('other forms at wp-login.php pass untouched (no login field), and what WordPress reads otherwise is refused', async () => {
    const ip = '203.0.113.15';
    wp.mails.length = 0;
    const lost = await form('/wp-login.php?action=lostpassword', { user_login: 'admin' }, ip);
    assert.equal(lost.status, 302);
    assert.deepEqual(wp.mails, ['admin']);
    const smuggled = await fetch(`${base}/wp-login.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'content-type', 'x-forwarded-for': ip },
      body: JSON.stringify({ log: 'bob', pwd: 'x', x: '&log=admin&pwd=GUESS&' }),
    });
    assert.equal(smuggled.status, 400);
    const doctype = await xml('/xmlrpc.php', `<!DOCTYPE x [<!ENTITY u "admin">]>${getUsersBlogs('&u;', 'guess')}`, ip);
    assert.equal(doctype.status, 400);
    assert.equal(adminChecks(), 0);
  });
});
