#!/usr/bin/env node
// Attacks the real PHP apps (scripts/real-apps/setup.sh) through a running `mamori up`, the way
// an attacker with a password list would, on every route to a password, and has the owner log
// in from elsewhere meanwhile. Loopback only. Prints, per route: guesses sent, how many reached
// the application's password check, whether the real password (last in the list) was found,
// and whether the owner got in.
//
//   node scripts/real-apps/attack.mjs --target http://127.0.0.1:9080 [--guesses 40]
//
// mamori's config must trust loopback X-Forwarded-For (demo.trust_loopback_forwarded_for) so
// that the attacker and the owner can be played from one machine.
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { target: { type: 'string', default: 'http://127.0.0.1:9080' }, guesses: { type: 'string', default: '40' } } });
const base = values.target;
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/.test(base)) throw new Error('loopback targets only');
const N = Number(values.guesses);
const ATTACKER = '203.0.113.66';
const OWNER = '198.51.100.23';
const APPS = {
  wordpress: { user: 'admin', password: 'WpAdminPass123' },
  phpmyadmin: { user: 'dbadmin', password: 'DbAdminPass123' },
  roundcube: { user: 'mailuser', password: 'MailPass123' },
};

/** A tiny cookie jar per client. */
function client(ip, seed = {}) {
  const jar = new Map(Object.entries(seed));
  const c = async (path, init = {}) => {
    const headers = { 'x-forwarded-for': ip, accept: 'text/html', ...(init.headers ?? {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, mamori: res.headers.get('x-mamori-action') ?? (res.status === 400 && res.headers.get('via') === null ? 'refused' : null), text: await res.text(), location: res.headers.get('location'), cookies: res.headers.getSetCookie() };
  };
  c.jar = jar;
  return c;
}

const form = (o) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const guessList = (real) => [...Array.from({ length: N - 1 }, (_, i) => `guess-${i}`), real];

async function wpForm(c, path, user, password) {
  await c(`/wp-login.php`);
  const r = await c(path, { method: 'POST', headers: FORM, body: form({ log: user, pwd: password, 'wp-submit': 'Log In', testcookie: '1' }) });
  return { reached: r.mamori === null, ok: r.cookies.some((x) => x.startsWith('wordpress_logged_in_')) };
}

const rpc = (method, params) =>
  `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param><value><string>${p}</string></value></param>`).join('')}</params></methodCall>`;
async function wpXmlrpc(c, path, user, password) {
  const r = await c(path, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: rpc('wp.getUsersBlogs', [user, password]) });
  return { reached: r.mamori === null && r.status === 200, ok: r.status === 200 && !r.text.includes('faultCode') };
}

async function wpMulticall(c, path, user, passwords) {
  const calls = passwords
    .map((p) => `<value><struct><member><name>methodName</name><value><string>wp.getUsersBlogs</string></value></member><member><name>params</name><value><array><data><value><string>${user}</string></value><value><string>${p}</string></value></data></array></value></member></struct></value>`)
    .join('');
  const r = await c(path, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0"?><methodCall><methodName>system.multicall</methodName><params><param><value><array><data>${calls}</data></array></value></param></params></methodCall>` });
  const results = r.text.split('<value><struct>').length - 1 + (r.text.match(/<value><array><data><value><array>/g) ?? []).length;
  return { reached: r.mamori === null && r.status === 200 ? passwords.length : 0, ok: r.status === 200 && /blogName/.test(r.text), status: r.status, results };
}

async function pma(c, path, user, password) {
  const page = await c('/phpmyadmin/');
  const token = /name="token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const set = /name="set_session" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const r = await c(path, { method: 'POST', headers: FORM, body: form({ token, set_session: set, pma_username: user, pma_password: password, server: '1', route: '/' }) });
  return { reached: r.mamori === null, ok: r.status === 302 && r.cookies.some((x) => x.startsWith('pmaAuth-1=') && !x.startsWith('pmaAuth-1=deleted')) };
}

async function roundcube(c, path, user, password) {
  const page = await c('/roundcube/');
  const token = /name="_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const r = await c(path, { method: 'POST', headers: FORM, body: form({ _token: token, _task: 'login', _action: 'login', _timezone: 'Asia/Tokyo', _url: '', _user: user, _pass: password }) });
  return { reached: r.mamori === null, ok: r.status === 302 && r.cookies.some((x) => x.startsWith('roundcube_sessauth=') && !x.startsWith('roundcube_sessauth=-del-')) };
}

const ROUTES = [
  ['WordPress /wp-login.php/x', 'wordpress', (c, u, p) => wpForm(c, '/wp-login.php/x', u, p)],
  ['WordPress /wp-login.php%2fx', 'wordpress', (c, u, p) => wpForm(c, '/wp-login.php%2fx', u, p)],
  ['WordPress /xmlrpc.php', 'wordpress', (c, u, p) => wpXmlrpc(c, '/xmlrpc.php', u, p)],
  ['WordPress /xmlrpc.php/x', 'wordpress', (c, u, p) => wpXmlrpc(c, '/xmlrpc.php/x', u, p)],
  ['phpMyAdmin /phpmyadmin/index.php/x', 'phpmyadmin', (c, u, p) => pma(c, '/phpmyadmin/index.php/x?route=/', u, p)],
  ['phpMyAdmin /phpmyadmin/index.php%2fx', 'phpmyadmin', (c, u, p) => pma(c, '/phpmyadmin/index.php%2fx?route=/', u, p)],
  ['Roundcube /roundcube/index.php/x', 'roundcube', (c, u, p) => roundcube(c, '/roundcube/index.php/x?_task=login', u, p)],
  ['Roundcube /roundcube/index.php%2fx', 'roundcube', (c, u, p) => roundcube(c, '/roundcube/index.php%2fx?_task=login', u, p)],
];

const owner = { wordpress: (c) => wpForm(c, '/wp-login.php', APPS.wordpress.user, APPS.wordpress.password), phpmyadmin: (c) => pma(c, '/phpmyadmin/index.php?route=/', APPS.phpmyadmin.user, APPS.phpmyadmin.password), roundcube: (c) => roundcube(c, '/roundcube/?_task=login', APPS.roundcube.user, APPS.roundcube.password) };

// The owner logged in before the attack, and keeps mamori's trusted-device cookies (one per
// application: the presets' account_scope) and nothing else, in one browser.
const devices = {};
for (const app of Object.keys(owner)) {
  const c = client(OWNER, devices);
  if (!(await owner[app](c)).ok) throw new Error(`the owner cannot log in to ${app} before the attack: check the apps and the credentials`);
  const name = `mamori_device-${app}`;
  if (c.jar.get(name)) devices[name] = c.jar.get(name);
}

let n = 0;
console.log(`route | guesses | reached the app | real password found | owner got in`);
for (const [name, app, attempt] of ROUTES) {
  // Each route from its own attacker address, so one route's budget does not hide another's.
  const attacker = client(`${ATTACKER.split('.').slice(0, 3).join('.')}.${10 + n++}`);
  let reached = 0;
  let found = false;
  for (const p of guessList(APPS[app].password)) {
    const r = await attempt(attacker, APPS[app].user, p);
    if (r.reached) reached++;
    if (r.ok) found = true;
  }
  // Roundcube locks an account itself for a minute after 3 failures from anyone (login_rate_limit):
  // the owner waits that minute out; mamori keeps the attacker from renewing it.
  if (app === 'roundcube') await new Promise((r) => setTimeout(r, 61_000));
  const o = await owner[app](client(OWNER, devices));
  console.log(`${name} | ${N} | ${reached} | ${found ? 'YES' : 'no'} | ${o.ok ? 'yes' : 'NO'}`);
}
const m = await wpMulticall(client(`${ATTACKER}`), '/xmlrpc.php', APPS.wordpress.user, guessList(APPS.wordpress.password).slice(-150));
console.log(`WordPress system.multicall | ${Math.min(150, N)} in one request | ${m.reached} (status ${m.status}) | ${m.ok ? 'YES' : 'no'} | -`);
