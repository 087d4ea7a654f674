/**
 * Parser differentials: the same login bytes, read by mamori and by the demo shop behind it.
 * Every body here names two accounts under different readings, each with its right password, so
 * a login that gets through shows which account the shop checked. For each case, either mamori
 * refuses the request, or the shop logged in the very account mamori counted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { rawExchange, startStack, type Stack } from './harness.js';

const BOB = { email: 'bob@example.com', password: 'bob-demo-password' };
const ALICE = { email: 'alice@example.com', password: 'alice-demo-password' };
const formOf = (a: { email: string; password: string }) => `email=${encodeURIComponent(a.email)}&password=${encodeURIComponent(a.password)}`;

interface Case {
  name: string;
  /** Header lines besides Host and the framing. */
  headers: string[];
  body: Buffer | string;
  query?: string;
}

const json = JSON.stringify;
const CASES: Case[] = [
  { name: 'JSON whose string value is a form naming alice', headers: ['Content-Type: application/json'], body: json({ ...BOB, x: `&${formOf(ALICE)}&` }) },
  { name: 'the same, with Connection: content-type', headers: ['Content-Type: application/json', 'Connection: content-type'], body: json({ ...BOB, x: `&${formOf(ALICE)}&` }) },
  { name: 'the same, with Connection: Content-Type, close', headers: ['Content-Type: application/json', 'Connection: Content-Type, close'], body: json({ ...BOB, x: `&${formOf(ALICE)}&` }) },
  { name: 'a form without Content-Type', headers: [], body: formOf(ALICE) },
  { name: 'a form sent as text/plain', headers: ['Content-Type: text/plain'], body: formOf(ALICE) },
  { name: 'a form with the account twice', headers: ['Content-Type: application/x-www-form-urlencoded'], body: `email=${encodeURIComponent(BOB.email)}&${formOf(ALICE)}&password=${BOB.password}` },
  { name: 'a form with a look-alike field', headers: ['Content-Type: application/x-www-form-urlencoded'], body: `${formOf(BOB)}&email%5B%5D=${encodeURIComponent(ALICE.email)}` },
  { name: 'JSON with the account key twice', headers: ['Content-Type: application/json'], body: `{"email":"${BOB.email}","password":"${BOB.password}","email":"${ALICE.email}"}` },
  { name: 'JSON with an escaped duplicate key', headers: ['Content-Type: application/json'], body: `{"email":"${ALICE.email}","password":"${ALICE.password}","em\\u0061il":"${BOB.email}"}` },
  { name: 'JSON under __proto__', headers: ['Content-Type: application/json'], body: `{"__proto__":{"email":"${ALICE.email}"},"email":"${BOB.email}","password":"${BOB.password}"}` },
  { name: 'a Content-Type listing two types', headers: ['Content-Type: application/x-www-form-urlencoded, application/json'], body: formOf(ALICE) },
  { name: 'an upper-case media type', headers: ['Content-Type: Application/JSON'], body: json(BOB) },
  { name: 'two Content-Type headers', headers: ['Content-Type: application/json', 'Content-Type: application/x-www-form-urlencoded'], body: json({ ...BOB, x: `&${formOf(ALICE)}&` }) },
  { name: 'UTF-16 declared', headers: ['Content-Type: application/x-www-form-urlencoded; charset=utf-16le'], body: Buffer.from(formOf(ALICE), 'utf16le') },
  { name: 'a byte-order mark', headers: ['Content-Type: application/x-www-form-urlencoded'], body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${formOf(BOB)}&${formOf(ALICE)}`)]) },
  { name: 'gzip', headers: ['Content-Type: application/x-www-form-urlencoded', 'Content-Encoding: gzip'], body: gzipSync(formOf(ALICE)) },
  { name: 'JSON body that is also a form', headers: ['Content-Type: application/x-www-form-urlencoded'], body: `{"x":"&${formOf(ALICE)}&"}` },
  { name: 'credentials in the query', headers: ['Content-Type: application/x-www-form-urlencoded'], body: formOf(BOB), query: `?email=${encodeURIComponent(ALICE.email)}` },
  { name: 'an X-HTTP-Method-Override', headers: ['Content-Type: application/x-www-form-urlencoded', 'X-HTTP-Method-Override: GET'], body: formOf(BOB) },
  { name: 'a plain login (control)', headers: ['Content-Type: application/x-www-form-urlencoded'], body: formOf(BOB) },
  { name: 'a plain JSON login (control)', headers: ['Content-Type: application/json'], body: json(ALICE) },
];

describe('e2e: parser differentials between mamori and the demo shop', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(async () => {
    await s.close();
  });

  /** The account a session cookie belongs to, from the shop's account page. */
  async function accountOf(reply: string): Promise<string | undefined> {
    const cookie = /\r\nset-cookie: (demo_session=[^;\r\n]+)/i.exec(reply)?.[1];
    if (!cookie) return undefined;
    const page = await (await fetch(`${s.proxy.url}/account`, { headers: { cookie }, redirect: 'manual' })).text();
    return [BOB.email, ALICE.email].find((e) => page.includes(e));
  }

  it('every case is refused, or the shop logged in the account mamori counted', async () => {
    let ran = 0;
    let refused = 0;
    for (const c of CASES) {
      const body = typeof c.body === 'string' ? Buffer.from(c.body) : c.body;
      const head = [`POST /login${c.query ?? ''} HTTP/1.1`, 'Host: shop.example', ...c.headers, `Content-Length: ${body.length}`, 'Connection: close', '', ''].join('\r\n');
      // Connection: close is sent last; a case's own Connection header comes first, as Node joins them.
      const reply = await rawExchange(s.proxy.port, head + body.toString('latin1'));
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
      // What mamori read from the same bytes, as the proxy reads them.
      const ct = c.headers.find((h) => /^content-type:/i.test(h))?.slice(13).trim();
      const mamori = s.guard.readLoginFields(s.config.logins[0]!, ct, body, c.query ?? '');
      ran++;
      if (status === 400 && (mamori.ambiguous || /Connection names|Bad request/.test(reply))) {
        refused++;
        continue;
      }
      const shop = await accountOf(reply);
      if (shop !== undefined) assert.equal(shop, mamori.username, `${c.name}: the shop logged in ${shop}, mamori counted ${mamori.username}`);
      else assert.ok(status !== 302, `${c.name}: ${status}`);
    }
    assert.equal(ran, CASES.length);
    assert.ok(refused >= 12, `refused ${refused} of ${ran}`);
  });
});
