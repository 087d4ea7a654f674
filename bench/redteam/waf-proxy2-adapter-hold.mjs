// Second pass on held bodies in the WAF's Node adapters (first pass: finding 10, fixed in
// mamoriWafHandler with a pool of held bytes: total, per client, 10 s of silence at most).
//  1. Fastify (mamoriFastify) and Hono (mamoriHono) read the body for phase 2 themselves
//     (fastify/src/waf.ts readNodeBody, hono/src/index.ts readCapped) with none of that pool: one
//     client opening N connections, each sending all but the last byte of 8 MiB (waf.request_body_limit;
//     Fastify's own bodyLimit of 1 MiB only applies after the WAF has read), grows the app's RSS
//     by about N x 8 MiB, held until Node's requestTimeout (300 s).
//  2. mamoriWafHandler's pool: 9 sources (X-Forwarded-For from a trusted proxy) each holding 8 MiB,
//     kept alive by one byte every 8 s (the handler cuts after 10 s of silence, and has no minimum
//     rate, unlike the proxy's 8 KiB/s), fill the 64 MiB total: every other client's POST gets 503
//     for as long as they trickle (Node's requestTimeout, 300 s, then again). Checked at 20 s.
//
//   node bench/redteam/waf-proxy2-adapter-hold.mjs [N=32]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { CRS, LIBINJECTION, ROOT, raw, rawReq, report, results, sleep } from './waf-proxy-lib.mjs';

const N = Number(process.argv[2] ?? 32);
const SIZE = 8 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-adapters-'));
const mod = (p) => JSON.stringify(join(ROOT, p));
const guardSrc = `
import { createGuard, defaultConfig, MemoryStore, mamoriWafHandler } from ${mod('packages/mamori/dist/index.js')};
const guard = createGuard(defaultConfig({ data_dir: ${JSON.stringify(join(dir, 'data'))}, network: { trusted_proxies: ['127.0.0.1/32'] }, waf: { crs: ${JSON.stringify(CRS)}, libinjection: ${JSON.stringify(LIBINJECTION)}, block_sources: { after: 0 } } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 3) });
`;
const apps = {
  handler: `${guardSrc}
import http from 'node:http';
const server = http.createServer(mamoriWafHandler(guard, (req, res) => { req.resume(); req.on('end', () => res.end('ok')); }));
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));`,
  fastify: `${guardSrc}
import Fastify from ${mod('node_modules/fastify/fastify.js')};
import { mamoriFastify } from ${mod('packages/fastify/dist/index.js')};
const app = Fastify();
await app.register(mamoriFastify, { guard });
app.post('/*', async () => 'ok');
app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => done(null, body));
await app.listen({ host: '127.0.0.1', port: 0 });
console.log('PORT ' + app.server.address().port);`,
  hono: `${guardSrc}
import { Hono } from ${mod('node_modules/hono/dist/index.js')};
import { serve } from ${mod('node_modules/@hono/node-server/dist/index.mjs')};
import { mamoriHono } from ${mod('packages/hono/dist/index.js')};
const app = new Hono();
app.use(mamoriHono(guard, { clientIp: (c) => c.req.header('x-forwarded-for') ?? '192.0.2.1' }));
app.post('/*', (c) => c.text('ok'));
const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (i) => console.log('PORT ' + i.port));`,
};

async function start(name) {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, apps[name]);
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const t0 = Date.now();
  while (!/PORT \d+/.test(out)) {
    if (child.exitCode !== null || Date.now() - t0 > 60_000) throw new Error(`${name} app did not start: ${out}`);
    await sleep(100);
  }
  return { child, port: Number(/PORT (\d+)/.exec(out)[1]), rss: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024 };
}

function hold(port, xff, trickleMs, send = SIZE - 200) {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.write(`POST /upload HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nX-Forwarded-For: ${xff}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${SIZE}\r\n\r\n`);
  s.write(Buffer.alloc(send, 'a'));
  if (trickleMs) {
    const t = setInterval(() => s.write('a'), trickleMs);
    s.on('close', () => clearInterval(t));
  }
  return s;
}

const chunkNote = `${N} connections from one client, each 8 MiB less 200 bytes`;
try {
  for (const name of ['fastify', 'hono']) {
    const app = await start(name);
    const sockets = [];
    try {
      const before = app.rss();
      for (let i = 0; i < N; i++) sockets.push(hold(app.port, '198.51.100.7', 0));
      await sleep(5000);
      const grown = app.rss() - before;
      const probe = await raw(app.port, rawReq({ method: 'POST', target: '/search', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '203.0.113.9' }, body: 'q=tea' }));
      console.log(`        ${name}: RSS before ${before.toFixed(0)} MiB, with ${chunkNote}: +${grown.toFixed(0)} MiB; another client's form post: ${probe.statuses[0]}`);
      report(grown < 100, `${name} adapter bounds the bodies the WAF holds (${chunkNote})`, `+${grown.toFixed(0)} MiB held (mamoriWafHandler and mamori up: 8 MiB for this client, the rest 429)`);
    } finally {
      for (const s of sockets) s.destroy();
      app.child.kill('SIGTERM');
    }
  }
  const app = await start('handler');
  const sockets = [];
  try {
    for (let i = 0; i < 8; i++) sockets.push(hold(app.port, `198.51.100.${10 + i}`, 8000));
    // A ninth fills what the eight leave of the 64 MiB total, but a few bytes.
    sockets.push(hold(app.port, '198.51.100.30', 8000, 64 * 1024 * 1024 - 8 * (SIZE - 200) - 4 - 16));
    await sleep(20_000);
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const r = await raw(app.port, rawReq({ method: 'POST', target: '/search', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': `203.0.113.${20 + i}` }, body: 'q=green+tea' }));
      codes.push(r.statuses[0]);
    }
    const alive = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    console.log(`        mamoriWafHandler, 20 s after 9 sources sent 8 MiB each then 1 byte / 8 s (${alive} of 9 still held): other clients' form posts ${JSON.stringify(codes)}`);
    report(!codes.includes(503), 'mamoriWafHandler: a byte every 8 s does not keep 9 held bodies (the 64 MiB total, but a few bytes) alive', `${codes.filter((c) => c === 503).length} of 4 form posts refused 503; the proxy cuts these within 5 s (8 KiB/s minimum), the handler only after 10 s of silence or requestTimeout (300 s)`);
  } finally {
    for (const s of sockets) s.destroy();
    app.child.kill('SIGTERM');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${results.findings} finding(s)`);
