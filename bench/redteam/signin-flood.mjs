// Sign-in flood: N concurrent POST /.mamori/signin (unknown users, distinct sources), each an scrypt
// (32 MiB, on libuv's 4 threads); meanwhile the latency of GET / through the same proxy.
// Usage: node signin-flood.mjs [PORT] [N]
import http from 'node:http';
const port = Number(process.argv[2] ?? 8091), n = Number(process.argv[3] ?? 40);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const req = (path, method, headers = {}, body) => new Promise((res) => { const t = Date.now(); const r = http.request({ host: '127.0.0.1', port, path, method, headers, agent }, (x) => { x.resume(); x.on('end', () => res(Date.now() - t)); }); r.on('error', () => res(-1)); r.end(body); });
const base = await req('/', 'GET');
const flood = Array.from({ length: n }, (_, i) => req('/.mamori/signin', 'POST', { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `100.${70 + (i >> 8)}.${i & 255}.3` }, `user=u${i}&password=wrong+password+123&code=123456`));
await new Promise((r) => setTimeout(r, 50));
const during = await req('/', 'GET');
const t = await Promise.all(flood);
console.log(`GET / alone ${base} ms; during ${n} sign-ins ${during} ms; sign-ins took up to ${Math.max(...t)} ms`);
process.exit(0);
