// mamoriWafHandler (the WAF in front of a Node app) holds every announced body in memory up to
// waf.request_body_limit (default 8 MiB) before inspecting it, with no bound across requests or per
// client and no deadline of its own (Node's requestTimeout, 300 s by default). `mamori up` bounds the
// same with maxBufferedTotalBytes / maxBufferedPerClientBytes / bufferedBodyTimeoutMs. Here one client
// opens N connections, each sending all but the last byte of an 8 MiB body, and waits: the app's RSS
// grows by about N x 8 MiB.
//
//   node bench/redteam/waf-proxy-handler-memory.mjs [N=32]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { CRS, LIBINJECTION, ROOT, report, results, sleep } from './waf-proxy-lib.mjs';

const N = Number(process.argv[2] ?? 32);
const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-handler-'));
const app = join(dir, 'app.mjs');
writeFileSync(app, `
import http from 'node:http';
import { createGuard, defaultConfig, MemoryStore } from ${JSON.stringify(join(ROOT, 'packages/mamori/dist/index.js'))};
import { mamoriWafHandler } from ${JSON.stringify(join(ROOT, 'packages/mamori/dist/index.js'))};
const guard = createGuard(defaultConfig({ data_dir: ${JSON.stringify(join(dir, 'data'))}, waf: { crs: ${JSON.stringify(CRS)}, libinjection: ${JSON.stringify(LIBINJECTION)} } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 3) });
const server = http.createServer(mamoriWafHandler(guard, (req, res) => { req.resume(); req.on('end', () => res.end('ok')); }));
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`);
const child = spawn(process.execPath, [app], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (d) => (out += d));
while (!/PORT \d+/.test(out)) await sleep(100);
const port = Number(/PORT (\d+)/.exec(out)[1]);
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;

const SIZE = 8 * 1024 * 1024;
const chunk = Buffer.alloc(SIZE - 1, 'a');
const before = rss();
const sockets = [];
try {
  for (let i = 0; i < N; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    sockets.push(s);
    s.write(`POST /upload HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nContent-Type: application/octet-stream\r\nContent-Length: ${SIZE}\r\n\r\n`);
    s.write(chunk);
  }
  await sleep(4000);
  const held = rss() - before;
  console.log(`        RSS before ${before.toFixed(0)} MiB, with ${N} bodies of 8 MiB less one byte held: +${held.toFixed(0)} MiB`);
  report(held < 100, `mamoriWafHandler bounds the bodies it holds (${N} x 8 MiB from one client)`, `+${held.toFixed(0)} MiB held; mamori up would hold at most 8 MiB for this client and refuse the rest with 429`);
} finally {
  for (const s of sockets) s.destroy();
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${results.findings} finding(s)`);
