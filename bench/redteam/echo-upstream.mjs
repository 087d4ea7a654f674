// Echo upstream: records every request (line, headers, trailers, body) to upstream.log as JSON lines,
// answers 402 to /api/checkout-ish paths (a decline, so counters run) and 200 elsewhere.
import http from 'node:http';
import fs from 'node:fs';
const port = Number(process.argv[2] ?? 3901);
const log = process.argv[3] ?? new URL('./upstream.log', import.meta.url).pathname;
const srv = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('latin1');
    fs.appendFileSync(log, JSON.stringify({ method: req.method, url: req.url, raw: req.rawHeaders, trailers: req.rawTrailers, body }) + '\n');
    const status = /checkout/i.test(req.url) ? 402 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ seen: req.url, status: status === 402 ? 'declined' : 'ok' }));
  });
});
srv.on('upgrade', (req, sock) => {
  fs.appendFileSync(log, JSON.stringify({ upgrade: true, method: req.method, url: req.url, raw: req.rawHeaders }) + '\n');
  const key = req.headers['sec-websocket-key'];
  const acc = (await_import => null);
  import('node:crypto').then(({ createHash }) => {
    const a = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a}\r\n\r\n`);
  });
});
srv.listen(port, '127.0.0.1', () => console.log('echo upstream on', port));
