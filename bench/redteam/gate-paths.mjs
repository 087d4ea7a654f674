// Tries request targets and methods that might reach the gated /admin without a gate session.
// "UPSTREAM" means the echo upstream logged the request (the gate was passed).
import fs from 'node:fs';
import { raw, status } from './raw.mjs';
const LOG = new URL('./upstream.log', import.meta.url).pathname;
const lines = () => (fs.existsSync(LOG) ? fs.readFileSync(LOG, 'utf8').trim().split('\n').filter(Boolean).length : 0);
const targets = ['/admin', '/Admin', '/ADMIN/', '/%61dmin', '/%2561dmin', '/admin;x', '/admin;/x', '//admin', '/admin.', '/admin..', '/admin%2e', '/admin%2f', '/x/../admin',
  '/x/%2e%2e/admin', '/./admin', '/admin%00', '/admin%20', '/admin ', '/admin\\x', '/%5cadmin', '/admin?x', '/admin#x', '/ad%6din/', '/admin/', '/admin%09',
  'http://127.0.0.1:8091/admin', 'HTTP://x/admin', '*', '/%C0%AFadmin', '/admin%u002f', '/wp-admin/', '/WP-ADMIN/x.php', '/wp-admin%2fx', '/x/..%2fadmin', '/x%2f..%2fadmin', '/.;/admin', '/admin/.', '/admin~1', '/ADMİN', '/admın', '/\u017fadmin'];
const methods = ['GET', 'HEAD', 'POST', 'OPTIONS', 'get', 'PROPFIND', 'TRACE'];
const rows = [];
for (const t of targets) {
  for (const m of methods) {
    const before = lines();
    const body = m === 'POST' ? 'a=1' : '';
    const req = `${m} ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\n${body ? `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` : ''}Connection: close\r\n\r\n${body}`;
    const r = await raw(Buffer.from(req, 'utf8'), 8091, 800);
    const after = lines();
    const up = after > before ? 'UPSTREAM' : '';
    if (up) rows.push(`${m} ${JSON.stringify(t)} -> ${status(r)} ${up}`);
  }
}
// Host games, pipelining, upgrade
const pipe = `GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\nGET /Admin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
let b = lines(); let r = await raw(pipe); rows.push(`pipelined [/, /admin, /Admin]: statuses ${[...r.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]).join(',')} upstream+${lines() - b}`);
b = lines(); r = await raw(`GET /admin HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
rows.push(`websocket upgrade /admin: ${status(r)} upstream+${lines() - b}`);
b = lines(); r = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Original-URL: /admin\r\nX-Rewrite-URL: /admin\r\nConnection: close\r\n\r\n`);
rows.push(`X-Original-URL/X-Rewrite-URL (forwarded; only matters for an upstream honouring them): ${status(r)} upstream+${lines() - b}`);
b = lines(); r = await raw(`GET /admin HTTP/1.0\r\n\r\n`); rows.push(`HTTP/1.0 no Host /admin: ${status(r)} upstream+${lines() - b}`);
b = lines(); r = await raw(`GET /admin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`); rows.push(`TE+CL /admin: ${status(r)} upstream+${lines() - b}`);
console.log(rows.join('\n') || 'no target reached the upstream');
