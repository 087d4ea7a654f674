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
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyRequest } from 'fastify';
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
