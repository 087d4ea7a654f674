// Third pass: WebSocket smuggling by a 101 that is not an upgrade (0ang3el's "variant 2").
// mamori tunnels an `Upgrade: websocket` request when the upstream answers 101. An upstream with an
// endpoint whose status the client chooses (httpbin's /status/<code>, a health check that relays a
// fetched URL's status, a debug route) answers 101 to a WebSocket request without switching: it keeps
// reading HTTP on that connection. mamori then pipes the client's next bytes, unread, to an upstream
// that parses them as requests: past the WAF and the guard.
// The upstream here is a minimal keep-alive HTTP/1.1 server on net (as Werkzeug/gunicorn-style
// servers behave): `/status/<n>` answers n with no body; everything else 200 and is recorded.
// node bench/redteam/waf-proxy3-ws-smuggling.mjs
import net from 'node:net';
import { createHash } from 'node:crypto';
import { CRS, startMamori, report, results, sleep } from './waf-proxy-lib.mjs';

const seen = [];
const server = net.createServer((sock) => {
  let buf = Buffer.alloc(0);
  sock.on('error', () => {});
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      buf = buf.subarray(end + 4 + len);
      const [method, target] = head.split(' ');
      seen.push(`${method} ${target}`);
      const m = /^\/status\/(\d{3})/.exec(target);
      if (m) {
        const code = Number(m[1]);
        const key = /\r\nsec-websocket-key:\s*(\S+)/i.exec(head)?.[1];
        // A status endpoint answers the status asked for: bare (?bare), with Upgrade/Connection headers, or
        // with a correct Sec-WebSocket-Accept too (?accept).
        const extra = code === 101 && target.includes('bare') ? '' : code === 101 ? `Upgrade: websocket\r\nConnection: Upgrade\r\n${key && target.includes('accept') ? `Sec-WebSocket-Accept: ${createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')}\r\n` : ''}` : 'Content-Length: 0\r\n';
        sock.write(`HTTP/1.1 ${code} X\r\n${extra}\r\n`);
      } else {
        sock.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nupstream-ok');
      }
    }
  });
});
const port = await new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));

const m = await startMamori(`http://127.0.0.1:${port}`, { waf: { crs: CRS, paranoia: 1, block_sources: { after: 0 } } });
const ATTACK = `/search?q=${encodeURIComponent("1' UNION SELECT username,password FROM users--")}`;
try {
  // Control: the attack as a plain request.
  const ctl = await new Promise((resolve) => {
    const s = net.connect(m.port, '127.0.0.1', () => s.write(`GET ${ATTACK} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nConnection: close\r\n\r\n`));
    let t = '';
    s.on('data', (d) => (t += d));
    s.on('close', () => resolve(t.slice(0, 12)));
    s.on('error', () => resolve('error'));
  });
  console.log(`INFO    control: the SQLi as a plain request: ${ctl}`);

  for (const variant of ['/status/101?bare', '/status/101', '/status/101?accept']) {
    const before = seen.length;
    const got = await new Promise((resolve) => {
      const s = net.connect(m.port, '127.0.0.1');
      let t = '';
      let sent = false;
      s.on('data', async (d) => {
        t += d.toString('latin1');
        if (!sent && t.includes('\r\n\r\n')) {
          sent = true;
          if (/^HTTP\/1\.1 101/.test(t)) {
            // The tunnel is open: the next request goes through it.
            s.write(`GET ${ATTACK} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n`);
            await sleep(500);
          }
          s.destroy();
          resolve(t);
        }
      });
      s.on('error', () => resolve(t));
      s.on('connect', () => s.write(`GET ${variant} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`));
      setTimeout(() => { s.destroy(); resolve(t); }, 5000);
    });
    await sleep(300);
    const smuggled = seen.slice(before).some((x) => x.includes('UNION'));
    report(!smuggled, `a request sent after a 101 from ${variant} (no real switch) does not reach the upstream uninspected`, `mamori answered ${JSON.stringify(got.split('\r\n')[0])}; the upstream read ${JSON.stringify(seen.slice(before))}`);
  }
} finally {
  await m.stop();
  server.close();
}
console.log(`\n${results.findings} finding(s)`);
