/**
 * The WAF in the Fastify plugin: the shared WAF conformance suite (mamori/testing), on an app
 * whose multipart body is read from request.raw as @fastify/multipart does (the bytes the WAF
 * read, put back in front of it); and what is Fastify's own: a body with no parser is
 * inspected first, then left to Fastify (415).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseForm } from 'node:querystring';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createGuard, defaultConfig, MemoryStore, type Guard } from 'mamori';
import { ADAPTER_APP, runWafAdapterConformance, sharedData, WAF_APP, type WafAdapterServer, type WafSeen } from 'mamori/testing';
import { mamoriFastify } from './index.js';

async function readAll(raw: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of raw) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** The app of the WAF conformance suite (see WAF_APP). */
async function start(guard: Guard): Promise<WafAdapterServer> {
  const seen: WafSeen[] = [];
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(body as string)));
  app.addContentTypeParser('application/xml', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // As @fastify/multipart does: the parser leaves the payload alone, the handler reads request.raw.
  app.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null));
  await app.register(mamoriFastify, { guard });
  const record = async (path: string, req: FastifyRequest) => {
    const multipart = (req.headers['content-type'] ?? '').startsWith('multipart/');
    const body = multipart ? await readAll(req.raw) : req.body;
    seen.push({ method: req.method, path, query: req.query as Record<string, unknown>, body });
    return body;
  };
  for (const path of WAF_APP.paths) {
    app.all(path, async (req) => {
      await record(path, req);
      return { ok: true };
    });
  }
  app.post(WAF_APP.login, async (req, reply) => {
    const body = (await record(WAF_APP.login, req)) as { password?: string };
    if (body.password === ADAPTER_APP.password) return reply.header('set-cookie', ADAPTER_APP.sessionCookie).redirect(ADAPTER_APP.successLocation, 302);
    return reply.code(401).send('wrong email or password');
  });
  app.get(WAF_APP.debug.path, async (req, reply) => {
    await record(WAF_APP.debug.path, req);
    return reply.header(WAF_APP.debug.header, WAF_APP.debug.value).header('set-cookie', WAF_APP.debug.cookie).send(WAF_APP.debug.body);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, seen, close: () => app.close() };
}

runWafAdapterConformance('fastify', start);

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html,application/xhtml+xml' };

describe('mamoriFastify: the WAF before a body with no parser', { skip: crs.missing ?? libinjection.missing }, () => {
  let dir: string;
  let guard: Guard;
  let app: ReturnType<typeof Fastify>;
  let url: string;
  let ran = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-waf-fastify-'));
    guard = createGuard(defaultConfig({ data_dir: dir, waf: { crs: crs.dir, libinjection: libinjection.dir, own_rules: false } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 7) });
    app = Fastify({ logger: false });
    await app.register(mamoriFastify, { guard });
    app.post('/xml', async () => {
      ran++;
      return 'ok';
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves a body with no parser to Fastify (415), and refuses an attack with one before that', async () => {
    const post = (body: string) => fetch(`${url}/xml`, { method: 'POST', headers: { ...BROWSER, 'content-type': 'application/xml' }, body });
    assert.equal((await post('<?xml version="1.0"?><order><item>TEA-1</item></order>')).status, 415);
    assert.equal((await post('<?xml version="1.0"?><q>1\' UNION SELECT password FROM users--</q>')).status, 403);
    assert.equal(ran, 0);
    await guard.store.events.flush();
    assert.equal((await guard.store.events.query({ action: 'waf-blocked' })).length, 1);
  });
});

describe('mamoriFastify: phase 4 on the answer (response_body: true)', { skip: crs.missing ?? libinjection.missing }, () => {
  const LEAK = "<p>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''' at line 1</p>";
  let dir: string;
  let guard: Guard;
  let app: ReturnType<typeof Fastify>;
  let url: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-waf-fastify-p4-'));
    guard = createGuard(defaultConfig({ data_dir: dir, waf: { crs: crs.dir, libinjection: libinjection.dir, own_rules: false, response_body: true } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 7) });
    app = Fastify({ logger: false });
    await app.register(mamoriFastify, { guard });
    app.get('/leak', async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/html').send(LEAK));
    app.get('/leak-buffer', async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/html').send(Buffer.from(LEAK)));
    app.get('/page', async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/html').send('<p>Sencha, 100 g</p>'));
    app.get('/leak-stream', async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/html').send(Readable.from([Buffer.from(LEAK)])));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces an answer whose body leaks an SQL error (a string or a buffer); a benign one goes as sent; a stream is not held', async () => {
    for (const path of ['/leak', '/leak-buffer']) {
      const r = await fetch(`${url}${path}`, { headers: BROWSER });
      assert.equal(r.status, 403, path);
      assert.ok(!(await r.text()).includes('SQL syntax'), path);
    }
    const ok = await fetch(`${url}/page`, { headers: BROWSER });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '<p>Sencha, 100 g</p>');
    const stream = await fetch(`${url}/leak-stream`, { headers: BROWSER });
    assert.equal(stream.status, 200, 'a streamed answer is not inspected (documented)');
    await stream.text();
  });
});
