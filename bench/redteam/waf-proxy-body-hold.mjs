// With the WAF on, `mamori up` holds every request body (not only logins') until it is whole, up to
// waf.request_body_limit (8 MiB): startMamoriProxy raises maxBufferedBodyBytes to it, which raises the
// per-client share to 8 MiB and the time a body may take to 65 s (8 MiB / 128 KiB/s), while the total
// held by all clients stays at max(64 MiB, 8 x body) = 64 MiB. Eight addresses that each send all but
// the last byte of an 8 MiB body fill the total: every other client's request with a body (a login,
// a search form, an API call) is refused 503 until the stalled bodies time out (65 s), and the eight
// can start again. About 1 MB/s of upload holds the site's POSTs down.
//
//   node bench/redteam/waf-proxy-body-hold.mjs
import net from 'node:net';
import { startUpstream, startMamori, raw, rawReq, report, results, sleep } from './waf-proxy-lib.mjs';

const up = await startUpstream();
const m = await startMamori(up.url);
const SIZE = 8 * 1024 * 1024;
const held = [];
try {
  const before = await raw(m.port, rawReq({ method: 'POST', target: '/search', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '203.0.113.5' }, body: 'q=green+tea' }));
  console.log(`        a search form before: ${before.statuses[0]}`);
  for (let i = 0; i < 8; i++) {
    const s = net.connect(m.port, '127.0.0.1');
    s.on('error', () => {});
    held.push(s);
    s.write(`POST /upload HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nX-Forwarded-For: 198.51.100.${10 + i}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${SIZE}\r\n\r\n`);
    s.write(Buffer.alloc(SIZE - 1, 'a'));
  }
  await sleep(3000);
  const codes = [];
  for (let i = 0; i < 5; i++) {
    const r = await raw(m.port, rawReq({ method: 'POST', target: '/search', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': `203.0.113.${20 + i}` }, body: 'q=green+tea' }));
    codes.push(r.statuses[0]);
  }
  const login = await raw(m.port, rawReq({ method: 'POST', target: '/login', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '203.0.113.40' }, body: 'user=alice&password=correct-horse' }));
  console.log(`        while 8 addresses hold 8 MiB bodies: 5 search forms from others ${JSON.stringify(codes)}, a login ${login.statuses[0]}`);
  const denied = codes.filter((c) => c === 503).length + (login.statuses[0] === 503 ? 1 : 0);
  report(denied === 0, 'eight stalled uploads do not deny other clients\' form posts', `${denied} of 6 refused 503 (held until the 65 s body deadline)`);
} finally {
  for (const s of held) s.destroy();
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
