/**
 * The WAF in front of an Express app (mamoriWafHandler): attacks are refused before any route
 * or body parser runs; benign bodies reach the app's parsers byte for byte; mamoriExpress
 * refuses to run without the WAF in front when the config turns it on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, mamoriWafHandler, MemoryStore, type Guard } from 'mamori';
import { sharedData } from 'mamori/testing';
import { mamoriExpress } from './index.js';

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
const UA = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html' };

describe('Express behind mamoriWafHandler', { skip: crs.missing ?? libinjection.missing }, () => {
  let dir: string;
  let guard: Guard;
  let server: http.Server;
  let url: string;
  const seen: unknown[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-express-waf-'));
    guard = createGuard(defaultConfig({ data_dir: dir, waf: { crs: crs.dir, libinjection: libinjection.dir, own_rules: false, request_body_limit: 64 * 1024, request_body_no_files_limit: 64 * 1024 } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 3) });
    const app = express();
    app.use(express.urlencoded({ extended: false }), express.json({ limit: '1mb' }));
    app.use(mamoriExpress(guard));
    app.all('/{*rest}', (req, res) => {
      seen.push(req.body);
      res.json({ ok: true });
    });
    server = http.createServer(mamoriWafHandler(guard, app));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await guard.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands benign bodies to the app as sent', async () => {
    const form = await fetch(`${url}/contact`, { method: 'POST', headers: { ...UA, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Sato&msg=Hello%2C+world' });
    assert.equal(form.status, 200);
    assert.deepEqual(seen.at(-1), { name: 'Sato', msg: 'Hello, world' });
    const json = await fetch(`${url}/api`, { method: 'POST', headers: { ...UA, 'content-type': 'application/json' }, body: '{"items":[1,2,3],"note":"gift"}' });
    assert.equal(json.status, 200);
    assert.deepEqual(seen.at(-1), { items: [1, 2, 3], note: 'gift' });
    assert.equal((await fetch(`${url}/?page=2`, { headers: UA })).status, 200);
  });

  it('refuses attacks before the app runs', async () => {
    const n = seen.length;
    const q = await fetch(`${url}/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--`, { headers: UA });
    assert.equal(q.status, 403);
    const b = await fetch(`${url}/api`, { method: 'POST', headers: { ...UA, 'content-type': 'application/json' }, body: '{"cmd":"ping 127.0.0.1; cat /etc/passwd"}' });
    assert.equal(b.status, 403);
    assert.equal(seen.length, n, 'the app saw neither');
    await guard.close();
    assert.ok((await guard.store.events.query({ action: 'waf-blocked' })).length >= 2);
  });

  it('answers 413 to a body over the WAF limit', async () => {
    const r = await fetch(`${url}/api`, { method: 'POST', headers: { ...UA, 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }) });
    assert.equal(r.status, 413);
  });

  it("holds one client's bodies only up to the WAF's limit at once (429), and cuts none of another's", async () => {
    const port = Number(new URL(url).port);
    const { connect } = await import('node:net');
    const head = (n: number) => `POST /upload HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${UA['user-agent']}\r\nAccept: text/html\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${n}\r\n\r\n`;
    // A first upload of 40 KB of a declared 60 KB, then stalled: its bytes are held.
    const stalled = connect(port, '127.0.0.1');
    await new Promise((r) => stalled.once('connect', r));
    stalled.write(head(60_000) + 'a='.padEnd(40_000, 'x'));
    await new Promise((r) => setTimeout(r, 200));
    // A second from the same client: 30 KB more would pass what one client may hold (64 KB).
    const second = await fetch(`${url}/upload`, { method: 'POST', headers: { ...UA, 'content-type': 'application/x-www-form-urlencoded' }, body: 'b='.padEnd(30_000, 'y') });
    assert.equal(second.status, 429);
    stalled.destroy();
  });

  it('mamoriExpress alone, with the WAF on, says the WAF must run in front', async () => {
    const app = express();
    app.use(mamoriExpress(guard));
    let error: unknown;
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      error = err;
      res.status(500).end();
    });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
    s.closeAllConnections();
    s.close();
    assert.equal((error as { code?: string }).code, 'MAMORI_ERR_ADAPTER_WAF');
  });
});
