// Second pass on the proxy's minimum body rate (proxy/forward.ts: a body held for inspection
// must bring 8 KiB a second in every 5 s window, else 408), the fix for first-pass finding 6.
//  1. The trickle: eight addresses each send 8 MiB less 1 MiB at once, then 10 KiB a second,
//     above the minimum, to keep the 64 MiB total of held bodies near full until the whole-body
//     deadline (65 s). Held: the minimum rate makes every held body grow (40 KiB per 5 s), so a
//     pool kept full pushes the attacker's own bodies over the total first; other clients' small
//     forms got through (an OK line, kept as a regression check).
//  2. Legitimate uploads the rule cuts: a 120 KiB upload at 6 KiB/s (a weak mobile link: EDGE,
//     a congested 3G cell), and a 120 KiB upload at 16 KiB/s that stalls 6 s halfway (a handover,
//     a tunnel). Both get 408. A short body that comes 5 s after its head (a client that
//     waits for 100-continue longer than curl's 1 s, or a human-paced stream) too.
//
//   node bench/redteam/waf-proxy2-body-rate.mjs
import net from 'node:net';
import { startUpstream, startMamori, raw, rawReq, report, results, sleep } from './waf-proxy-lib.mjs';

const up = await startUpstream();
const m = await startMamori(up.url, { waf: { block_sources: { after: 0 } } });
const SIZE = 8 * 1024 * 1024;
const held = [];
const form = (ip) => rawReq({ method: 'POST', target: '/search', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': ip }, body: 'q=green+tea' });

/** Sends a body of `size` bytes at `rate` bytes/s (in 4 pieces a second), pausing `stallMs` at half; resolves with the status. */
function upload(ip, size, rate, { stallMs = 0, headFirstMs = 0 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(m.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', () => {});
    s.on('close', () => resolve(Number(/HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
    s.write(`POST /upload HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\nX-Forwarded-For: ${ip}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
    let sent = 0;
    let stalled = false;
    const piece = Math.max(1, Math.floor(rate / 4));
    const tick = async () => {
      if (s.destroyed) return;
      if (sent >= size) return;
      if (!stalled && stallMs && sent >= size / 2) {
        stalled = true;
        return setTimeout(tick, stallMs);
      }
      const n = Math.min(piece, size - sent);
      s.write(Buffer.alloc(n, 'b'));
      sent += n;
      setTimeout(tick, 250);
    };
    setTimeout(tick, headFirstMs);
  });
}

try {
  // 1. The trickle.
  for (let i = 0; i < 8; i++) {
    const s = net.connect(m.port, '127.0.0.1');
    s.on('error', () => {});
    held.push(s);
    s.write(`POST /upload HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nX-Forwarded-For: 198.51.100.${10 + i}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${SIZE}\r\n\r\n`);
    s.write(Buffer.alloc(SIZE - 1024 * 1024, 'a'));
    const t = setInterval(() => s.write(Buffer.alloc(10 * 1024, 'a')), 1000);
    s.on('close', () => clearInterval(t));
  }
  const seen = {};
  for (const at of [8, 20, 40]) {
    await sleep(at * 1000 - (at === 8 ? 0 : at === 20 ? 8000 : 20000));
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await raw(m.port, form(`203.0.113.${at + i}`))).statuses[0]);
    seen[at] = codes;
  }
  const alive = held.filter((s) => !s.destroyed).length;
  console.log(`        8 addresses at 7 MiB then 10 KiB/s (${alive} of 8 still held at 40 s); other clients' form posts at 8 s ${JSON.stringify(seen[8])}, 20 s ${JSON.stringify(seen[20])}, 40 s ${JSON.stringify(seen[40])}`);
  const denied = Object.values(seen).flat().filter((c) => c === 503).length;
  report(denied === 0, 'a trickle above 8 KiB/s does not keep the 64 MiB of held bodies full', `${denied} of 9 form posts refused 503 over 40 s; attacker upload ~${((8 * (7 * 1024 + 10 * 65)) / 65 / 1024).toFixed(2)} MiB/s`);
} finally {
  for (const s of held) s.destroy();
}
await sleep(500);
// 2. Legitimate uploads.
const [slow, stall, late] = await Promise.all([
  upload('203.0.113.101', 120 * 1024, 6 * 1024),
  upload('203.0.113.102', 120 * 1024, 16 * 1024, { stallMs: 6000 }),
  upload('203.0.113.103', 2 * 1024, 2 * 1024, { headFirstMs: 5500 }),
]);
report(slow === 200, 'a 120 KiB upload at 6 KiB/s (a weak mobile link) reaches the app', `status ${slow}`);
report(stall === 200, 'a 120 KiB upload at 16 KiB/s with a 6 s stall halfway reaches the app', `status ${stall}`);
report(late === 200, 'a 2 KiB body sent 5.5 s after its head reaches the app (the first window asks 40 KiB of any body)', `status ${late}`);
await m.stop();
await up.close();
console.log(`${results.findings} finding(s)`);
