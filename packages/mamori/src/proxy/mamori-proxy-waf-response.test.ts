/**
 * The WAF reading answers (`waf.response_body: true`) through `mamori up`, with CRS: a page
 * that leaks an SQL error is replaced whatever its size (the first 512 KiB of a larger one are
 * read), its transfer coding, its compression (a site that compresses although mamori asked it
 * not to) or its XHTML type; benign answers of any size reach the client byte for byte.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { sharedData } from '../testing/shared-data.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { listen, request, type TestServer } from './test-harness.js';

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
const skip = crs.missing ?? libinjection.missing;

const LEAK = '<html><body><h1>Error</h1><p>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near \'\'\' at line 1</p>';
const PAD = `<p>${'Green tea from Shizuoka, steamed and rolled by hand. '.repeat(20)}</p>\n`;
const padded = (start: string, bytes: number) => {
  let s = start;
  while (s.length < bytes) s += PAD;
  return `${s}</body></html>`;
};
const BIG_LEAK = padded(LEAK, 300 * 1024);
const BIG_BENIGN = padded('<html><body><h1>Catalogue</h1>', 2 * 1024 * 1024);

/** The pages the site answers with, by path. */
function site(req: http.IncomingMessage, res: http.ServerResponse): void {
  const html = { 'content-type': 'text/html; charset=utf-8' };
  switch (req.url) {
    case '/leak': res.writeHead(200, html).end(`${LEAK}</body></html>`); return;
    case '/leak-big': res.writeHead(200, { ...html, 'content-length': String(Buffer.byteLength(BIG_LEAK)) }).end(BIG_LEAK); return;
    case '/leak-big-chunked': res.writeHead(200, html); res.write(BIG_LEAK.slice(0, 1000)); res.end(BIG_LEAK.slice(1000)); return;
    case '/leak-gzip': res.writeHead(200, { ...html, 'content-encoding': 'gzip' }).end(zlib.gzipSync(`${LEAK}</body></html>`)); return;
    case '/leak-br-big': res.writeHead(200, { ...html, 'content-encoding': 'br' }).end(zlib.brotliCompressSync(BIG_LEAK)); return;
    case '/leak-xhtml': res.writeHead(200, { 'content-type': 'application/xhtml+xml' }).end(`${LEAK}</body></html>`); return;
    case '/big': res.writeHead(200, html).end(BIG_BENIGN); return;
    case '/gzip': res.writeHead(200, { ...html, 'content-encoding': 'gzip' }).end(zlib.gzipSync(BIG_BENIGN)); return;
    default: res.writeHead(404, html).end('<p>not here</p>');
  }
}

describe('mamori proxy: the WAF reads answers (response_body: true, CRS)', { skip }, () => {
  let dir: string;
  let up: TestServer;
  let guard: Guard;
  let proxy: RunningProxy;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-waf-answers-'));
    up = await listen(http.createServer(site));
    const clock = new ManualClock();
    guard = createGuard(defaultConfig({ data_dir: dir, waf: { crs: crs.dir, libinjection: libinjection.dir, response_body: true } }), { store: new MemoryStore({ clock }), secret: Buffer.alloc(32, 5), clock });
    proxy = await startMamoriProxy({ guard, upstream: up.url });
  });
  after(async () => {
    await proxy.close();
    await new Promise<void>((r) => up.server.close(() => r()));
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = (path: string) => request(`${proxy.url}${path}`, { headers: { 'user-agent': 'Mozilla/5.0', accept: 'text/html', host: 'localhost' } });

  it('replaces a page that leaks an SQL error, small or large, chunked, compressed or XHTML', async () => {
    for (const path of ['/leak', '/leak-big', '/leak-big-chunked', '/leak-gzip', '/leak-br-big', '/leak-xhtml']) {
      const r = await get(path);
      assert.equal(r.status, 403, `${path}: ${r.body.toString().slice(0, 120)}`);
      assert.ok(!r.body.toString('latin1').includes('SQL syntax'), `${path}: the leak does not reach the client`);
    }
  });

  it('passes benign answers of any size byte for byte, compressed ones as sent', async () => {
    const big = await get('/big');
    assert.equal(big.status, 200);
    assert.equal(big.body.toString(), BIG_BENIGN);
    const gz = await get('/gzip');
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gz.body).toString(), BIG_BENIGN);
  });
});
