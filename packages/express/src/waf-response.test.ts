/**
 * Phases 3 and 4 on an Express app's answer behind mamoriWafHandler, with a rule set of our own
 * (no CRS): in blocking mode a refused answer is replaced by the WAF's 403 before any of it goes
 * out; in detect mode it goes as the app sent it and is recorded. Answers phase 4 does not read
 * stream through; an answer over SecResponseBodyLimit has its first part read.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, mamoriWafHandler, MemoryStore, type Guard } from 'mamori';
import { mamoriExpress } from './index.js';

// Express 4 too, installed beside 5 under an npm alias (the root's devDependency "express4").
const EXPRESS4: string = 'express4';
const express4 = ((await import(EXPRESS4)) as { default: typeof express }).default;

/** The body limit phase 4 reads (the rules' SecResponseBodyLimit). */
const LIMIT = 64 * 1024;
const RULES = `
SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain text/html application/json
SecResponseBodyLimit ${LIMIT}
SecResponseBodyLimitAction ProcessPartial
SecRule RESPONSE_BODY "@rx <\\?php" "id:1001,phase:4,deny,status:403,log,msg:'PHP source in the answer'"
SecRule RESPONSE_BODY "@contains You have an error in your SQL syntax" "id:1002,phase:4,deny,status:403,log,msg:'SQL error in the answer'"
SecRule RESPONSE_HEADERS:X-Powered-By "@beginsWith PHP/5" "id:1003,phase:3,deny,status:403,log,msg:'an old PHP says its name'"
`;

const PHP_PAGE = '<html><body><h1>Shop</h1><pre><?php $db = new PDO("mysql:host=db", "shop", "s3cret"); ?></pre></body></html>';
const SQL_ERROR = "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''' at line 1";
/** 5 MiB of bytes with a PHP opening tag in them: not a type phase 4 reads. */
const BLOB = Buffer.alloc(5 * 1024 * 1024, 'x');
BLOB.write('<?php system($_GET["c"]); ?>', 1000);
/** 1 MiB of HTML streamed in 16 KiB chunks, a PHP tag past the limit. */
const LARGE_STREAM = Buffer.alloc(1024 * 1024, 'b');
LARGE_STREAM.write('<?php ?>', 512 * 1024);
const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const tick = () => new Promise<void>((r) => setImmediate(r));

function app(framework: typeof express, guard: Guard, seen: { acceptEncoding: unknown[] }): express.Express {
  const a = framework();
  a.use(framework.urlencoded({ extended: false }));
  a.use(mamoriExpress(guard));
  a.get('/leak', (_req, res) => {
    res.type('html').send(PHP_PAGE);
  });
  a.get('/fine', (_req, res) => {
    res.type('html').send('<html><body>green tea</body></html>');
  });
  a.get('/sql-error', async (_req, res) => {
    // Streamed: the error comes in the third chunk, after the head and two chunks were written.
    res.status(500).type('text/html');
    res.write('<html><body><h1>Error</h1>');
    await tick();
    res.write('<p>');
    await tick();
    res.end(`${SQL_ERROR}</p></body></html>`);
  });
  a.get('/old-php', (_req, res) => {
    res.set('X-Powered-By', 'PHP/5.6.40').type('text/plain').send('hello');
  });
  a.get('/old-php-head', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-powered-by': 'PHP/5.4' });
    res.end('bytes');
  });
  a.get('/blob', (_req, res) => {
    res.type('application/octet-stream');
    Readable.from((function* () {
      for (let i = 0; i < BLOB.length; i += 64 * 1024) yield BLOB.subarray(i, i + 64 * 1024);
    })()).pipe(res);
  });
  a.get('/stream', async (_req, res) => {
    res.type('text/html');
    for (let i = 0; i < 20; i++) {
      res.write(`<p>line ${i}</p>\n`);
      await tick();
    }
    res.end('<p>done</p>\n');
  });
  a.get('/write-callbacks', async (_req, res) => {
    // An app that waits for each write's callback before the next.
    res.type('text/plain');
    for (const part of ['one ', 'two ', 'three']) await new Promise<void>((r) => res.write(part, () => r()));
    res.end();
  });
  a.get('/large', (req, res) => {
    // Past the limit: the PHP tag before it (at 1 KiB) or after it (at 100 KiB).
    const page = Buffer.alloc(200 * 1024, 'a');
    page.write('<?php ?>', req.query.at === 'start' ? 1024 : 100 * 1024);
    res.type('html').send(page);
  });
  a.get('/large-stream', (_req, res) => {
    res.type('html');
    Readable.from((function* () {
      for (let i = 0; i < LARGE_STREAM.length; i += 16 * 1024) yield LARGE_STREAM.subarray(i, i + 16 * 1024);
    })()).pipe(res);
  });
  a.get(
    '/hooked',
    (_req, res, next) => {
      // Headers added as the head goes out (express-session, on-headers...): phase 3 sees them.
      const writeHead = res.writeHead;
      res.writeHead = function (this: typeof res, ...args: unknown[]) {
        this.setHeader('X-Powered-By', 'PHP/5.2.17');
        return (writeHead as (...a: unknown[]) => typeof res).apply(this, args);
      } as typeof res.writeHead;
      next();
    },
    (_req, res) => {
      res.type('text/plain').send('the hooked answer');
    },
  );
  a.get('/gzip', (req, res) => {
    // Compressed although the app was asked for no compression (stored pre-compressed pages).
    const filler = (bytes: number) => '<p>filler</p>'.repeat(Math.ceil(bytes / 13));
    const page =
      req.query.k === 'leak' ? PHP_PAGE
      // The leak 48 KiB in, within the first LIMIT (64 KiB) phase 4 reads of a 2 MB answer.
      : req.query.k === 'big-leak' ? `${filler(48 * 1024)}${PHP_PAGE}${filler(2_000_000)}`
      : '<html><body>sencha</body></html>';
    res.set('Content-Encoding', 'gzip').type('html').send(gzipSync(page));
  });
  a.get('/empty', (_req, res) => {
    res.status(204).type('html').end();
  });
  a.get('/cached', (_req, res) => {
    res.status(304).set('ETag', '"v1"').end();
  });
  a.get('/accept-encoding', (req, res) => {
    seen.acceptEncoding.push(req.headers['accept-encoding'], req.headersDistinct['accept-encoding']);
    res.type('text/plain').send('ok');
  });
  a.get('/login-page', (_req, res) => {
    res.writeHead(200, 'Fine', { 'content-type': 'text/html', 'x-app': 'shop' }).end(PHP_PAGE);
  });
  return a;
}

async function setup(mode: 'enforce' | 'detect', framework: typeof express = express) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-express-waf-response-'));
  const guard = createGuard(defaultConfig({ data_dir: dir, waf: { mode, crs: 'off', own_rules: false, audit_log: false, response_body: true } }), {
    store: new MemoryStore(),
    secret: Buffer.alloc(32, 5),
    waf: { rules: { text: RULES, file: 'response-rules.conf' } },
  });
  const seen = { acceptEncoding: [] as unknown[] };
  const a = app(framework, guard, seen);
  const server = http.createServer(mamoriWafHandler(guard, a));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    guard,
    seen,
    /** The waf-blocked events, once there are `atLeast` (recorded as each answer is done). */
    async blocked(atLeast: number) {
      for (let i = 0; ; i++) {
        await guard.store.events.flush();
        const found = await guard.store.events.query({ action: 'waf-blocked' });
        if (found.length >= atLeast || i >= 100) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await guard.close();
      await guard.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function get(url: string, init: RequestInit = {}) {
  const r = await fetch(url, init);
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body, text: body.toString('utf8') };
}

for (const [name, framework] of [['Express 5', express], ['Express 4', express4]] as const) describe(`mamoriWafHandler, blocking mode: phases 3 and 4 on an ${name} answer`, () => {
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup('enforce', framework);
  });
  after(() => s?.close());

  it('replaces an answer that leaks PHP source (phase 4) with the WAF refusal, none of the app kept', async () => {
    const r = await get(`${s.url}/leak`);
    assert.equal(r.status, 403);
    assert.ok(!r.text.includes('<?php') && !r.text.includes('s3cret'), r.text);
    assert.equal(r.headers.get('etag'), null, "none of the app's headers is kept");
    assert.equal(r.headers.get('x-powered-by'), null);
    const e = (await s.blocked(1)).find((x) => x['rule.id'] === '1001');
    assert.ok(e, 'a waf-blocked event for rule 1001');
    assert.equal(e['http.response.status_code'], 403);
    assert.equal(e['mamori.detect_only'], undefined);
  });

  it('replaces a streamed answer whose SQL error comes after the head and two writes', async () => {
    const r = await get(`${s.url}/sql-error`);
    assert.equal(r.status, 403);
    assert.ok(!r.text.includes('SQL syntax') && !r.text.includes('<h1>Error</h1>'), r.text);
  });

  it('refuses on a header (phase 3), set with res.set or given to writeHead, for a type phase 4 does not read too', async () => {
    const a = await get(`${s.url}/old-php`);
    assert.equal(a.status, 403);
    assert.ok(!a.text.includes('hello'));
    const b = await get(`${s.url}/old-php-head`);
    assert.equal(b.status, 403);
    assert.ok(!b.text.includes('bytes'));
    assert.equal(b.headers.get('x-powered-by'), null);
    const events = await s.blocked(3);
    assert.ok(events.filter((e) => e['rule.id'] === '1003').length >= 2);
  });

  it("lets a clean answer through unchanged: status, headers, body, the app's reason phrase", async () => {
    const r = await get(`${s.url}/fine`);
    assert.equal(r.status, 200);
    assert.equal(r.text, '<html><body>green tea</body></html>');
    assert.equal(r.headers.get('content-length'), String(r.body.length));
    assert.match(r.headers.get('etag') ?? '', /^W\//);
    const raw = await new Promise<{ status: number | undefined; message: string | undefined; text: string }>((resolve, reject) => {
      http.get(`${s.url}/login-page`, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode, message: res.statusMessage, text: Buffer.concat(parts).toString() }));
      }).on('error', reject);
    });
    // writeHead(200, 'Fine', headers) with a PHP leak: refused, with the WAF's own reason phrase.
    assert.equal(raw.status, 403);
    assert.equal(raw.message, 'Forbidden');
  });

  it('streams a 5 MiB application/octet-stream answer through unchanged (not a type phase 4 reads)', async () => {
    const r = await get(`${s.url}/blob`);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, BLOB.length);
    assert.equal(sha(r.body), sha(BLOB));
  });

  it('holds a chunked text/html answer under the limit and sends it whole, still chunked', async () => {
    const r = await get(`${s.url}/stream`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('transfer-encoding'), 'chunked');
    const want = Array.from({ length: 20 }, (_, i) => `<p>line ${i}</p>\n`).join('') + '<p>done</p>\n';
    assert.equal(r.text, want);
  });

  it('calls write callbacks while the answer is held (an app that waits for them goes on)', async () => {
    const r = await get(`${s.url}/write-callbacks`);
    assert.equal(r.status, 200);
    assert.equal(r.text, 'one two three');
  });

  it('over SecResponseBodyLimit (ProcessPartial): the first part is read, the rest goes out unread', async () => {
    const early = await get(`${s.url}/large?at=start`);
    assert.equal(early.status, 403);
    const late = await get(`${s.url}/large?at=end`);
    assert.equal(late.status, 200);
    assert.equal(late.body.length, 200 * 1024);
    assert.equal(late.body.subarray(100 * 1024, 100 * 1024 + 8).toString(), '<?php ?>');
  });

  it('streams a piped 1 MiB text/html answer once its first part passed phase 4, byte for byte', async () => {
    const r = await get(`${s.url}/large-stream`);
    assert.equal(r.status, 200);
    assert.equal(sha(r.body), sha(LARGE_STREAM));
  });

  it('phase 3 sees the headers a wrapper above adds as the head goes out', async () => {
    const r = await get(`${s.url}/hooked`);
    assert.equal(r.status, 403);
    assert.ok(!r.text.includes('the hooked answer'));
  });

  it('reads a compressed answer inflated (the start of one that inflates past the limit), as the proxy does', async () => {
    assert.equal((await get(`${s.url}/gzip?k=leak`)).status, 403);
    assert.equal((await get(`${s.url}/gzip?k=big-leak`)).status, 403);
    const clean = await get(`${s.url}/gzip?k=clean`);
    assert.equal(clean.status, 200);
    assert.equal(clean.text, '<html><body>sencha</body></html>');
  });

  it('answers to HEAD, 204 and 304 go out as the app sent them', async () => {
    const head = await get(`${s.url}/fine`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal((await get(`${s.url}/empty`)).status, 204);
    const cached = await get(`${s.url}/cached`);
    assert.equal(cached.status, 304);
    assert.equal(cached.headers.get('etag'), '"v1"');
  });

  it('asks the app for an uncompressed answer (Accept-Encoding left out), as the proxy asks the site', async () => {
    const r = await get(`${s.url}/accept-encoding`, { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(r.status, 200);
    assert.deepEqual(s.seen.acceptEncoding.slice(-2), [undefined, undefined]);
  });
});

describe('mamoriWafHandler, detect mode: phases 3 and 4 record, the answer goes as sent', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup('detect');
  });
  after(() => s?.close());

  it('lets the PHP leak, the SQL error and the old PHP header through unchanged, each recorded as detect-only', async () => {
    const leak = await get(`${s.url}/leak`);
    assert.equal(leak.status, 200);
    assert.equal(leak.text, PHP_PAGE);
    const sql = await get(`${s.url}/sql-error`);
    assert.equal(sql.status, 500);
    assert.match(sql.text, /You have an error in your SQL syntax/);
    const old = await get(`${s.url}/old-php`);
    assert.equal(old.status, 200);
    assert.equal(old.headers.get('x-powered-by'), 'PHP/5.6.40');
    assert.equal(old.text, 'hello');
    const events = await s.blocked(3);
    assert.deepEqual(events.map((e) => e['rule.id']).sort(), ['1001', '1002', '1003']);
    for (const e of events) assert.equal(e['mamori.detect_only'], true);
    assert.deepEqual(
      events.map((e) => e['http.response.status_code']).sort(),
      [200, 200, 500],
    );
  });

  it('streams the large answers as in blocking mode', async () => {
    const blob = await get(`${s.url}/blob`);
    assert.equal(sha(blob.body), sha(BLOB));
    const stream = await get(`${s.url}/stream`);
    assert.equal(stream.status, 200);
    assert.match(stream.text, /<p>line 19<\/p>\n<p>done<\/p>\n$/);
  });
});
