/**
 * The WAF in front of an Express app (mamoriWafHandler): the shared WAF conformance suite
 * (mamori/testing), with the app's own body parsers reading the bytes the WAF read; and what is
 * theirs alone: the bodies one client may have held at once, and mamoriExpress refusing to run
 * without the WAF in front when the config turns it on.
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
import { ADAPTER_APP, runWafAdapterConformance, sharedData, WAF_APP, type WafAdapterServer, type WafSeen } from 'mamori/testing';
import { mamoriExpress } from './index.js';

/** The app of the WAF conformance suite (see WAF_APP), behind mamoriWafHandler. */
async function start(guard: Guard): Promise<WafAdapterServer> {
  const seen: WafSeen[] = [];
  const app = express();
  app.use(express.urlencoded({ extended: false }), express.json(), express.text({ type: () => true }));
  app.use(mamoriExpress(guard));
  const record = (req: express.Request) => seen.push({ method: req.method, path: req.path, query: req.query as Record<string, unknown>, body: req.body as unknown });
  app.all(WAF_APP.paths as string[], (req, res) => {
    record(req);
    res.json({ ok: true });
  });
  app.post(WAF_APP.login, (req, res) => {
    record(req);
    if ((req.body as { password?: string }).password === ADAPTER_APP.password) {
      res.append('set-cookie', ADAPTER_APP.sessionCookie);
      res.redirect(302, ADAPTER_APP.successLocation);
    } else res.status(401).type('text/plain').send('wrong email or password');
  });
  app.get(WAF_APP.debug.path, (req, res) => {
    record(req);
    res.set(WAF_APP.debug.header, WAF_APP.debug.value).append('set-cookie', WAF_APP.debug.cookie).type('text/plain').send(WAF_APP.debug.body);
  });
  const server = http.createServer(mamoriWafHandler(guard, app));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

runWafAdapterConformance('express behind mamoriWafHandler', start);

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
const UA = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html' };

describe("Express and mamoriWafHandler: what is theirs alone", { skip: crs.missing ?? libinjection.missing }, () => {
  let dir: string;
  let guard: Guard;
  let server: http.Server;
  let url: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-express-waf-'));
    guard = createGuard(defaultConfig({ data_dir: dir, waf: { crs: crs.dir, libinjection: libinjection.dir, own_rules: false, request_body_limit: 64 * 1024, request_body_no_files_limit: 64 * 1024 } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 3) });
    const app = express();
    app.use(express.urlencoded({ extended: false }), express.json({ limit: '1mb' }));
    app.use(mamoriExpress(guard));
    app.all('/{*rest}', (_req, res) => {
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
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
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
