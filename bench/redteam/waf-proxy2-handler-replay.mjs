// Second pass on mamoriWafHandler's replayed request (guard/waf-http.ts replay): with a body, the
// app gets a new IncomingMessage around the bytes the WAF read, not Node's. What an app or a
// library could notice, compared with the same app without the handler. Each property below is
// read by the app on a chunked POST with a trailer; a FINDING is a difference.
//
//   node bench/redteam/waf-proxy2-handler-replay.mjs
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard, defaultConfig, MemoryStore, mamoriWafHandler } from '../../packages/mamori/dist/index.js';
import { CRS, LIBINJECTION, raw, report, results } from './waf-proxy-lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-replay-'));
const guard = createGuard(defaultConfig({ data_dir: join(dir, 'data'), waf: { crs: CRS, libinjection: LIBINJECTION } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 3) });

function app(req, res) {
  const seen = {
    'res.req === req': res.req === req,
    'req.socket === res.socket': req.socket === res.socket,
    httpVersion: req.httpVersion,
    complete_before_read: req.complete,
    readableEnded_before_read: req.readableEnded,
    headersDistinct: JSON.stringify(req.headersDistinct?.['x-dup']),
    'headers x-dup': req.headers['x-dup'],
    trailers_before_read: JSON.stringify(req.trailers),
  };
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    seen.body = Buffer.concat(chunks).toString();
    seen.trailers = JSON.stringify(req.trailers);
    seen.rawTrailers = JSON.stringify(req.rawTrailers);
    seen.trailersDistinct = JSON.stringify(req.trailersDistinct);
    setImmediate(() => {
      seen.destroyed_after_end = req.destroyed;
      res.end(JSON.stringify(seen));
    });
  });
}

async function run(handler) {
  const server = http.createServer(handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const body = 'q=green+tea';
  const r = await raw(port, `POST /search HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\nAccept: text/html\r\nAccept-Language: en\r\nX-Dup: one\r\nX-Dup: two\r\nContent-Type: application/x-www-form-urlencoded\r\nTrailer: X-Checksum\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\nX-Checksum: abc123\r\n\r\n`);
  server.close();
  const json = r.text.slice(r.text.indexOf('\r\n\r\n') + 4);
  try {
    return JSON.parse(json.includes('{') ? json.slice(json.indexOf('{'), json.lastIndexOf('}') + 1) : json);
  } catch {
    return { error: r.text.slice(0, 200) };
  }
}

try {
  const plain = await run(app);
  const waf = await run(mamoriWafHandler(guard, app));
  for (const k of Object.keys(plain)) {
    const same = JSON.stringify(plain[k]) === JSON.stringify(waf[k]);
    report(same, `replayed request: ${k}`, same ? `${JSON.stringify(plain[k])}` : `without the handler ${JSON.stringify(plain[k])}, with it ${JSON.stringify(waf[k])}`);
  }
} finally {
  await new Promise((r) => setTimeout(r, 1000));
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${results.findings} finding(s)`);
