// Shared harness for the red-team scripts against the WAF as users run it: `mamori up` (a child
// process, started from a config in a temp dir) in front of a small upstream that records exactly
// what it receives (method, raw target, raw headers, body bytes, and every raw byte per connection).
// CRS v4.28.0 and libinjection from /work/shared/data, paranoia 1, blocking, unless a script says otherwise.
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'packages', 'cli', 'bin', 'mamori.js');
export const CRS = process.env.CRS_DIR ?? '/work/shared/data/crs';
export const LIBINJECTION = process.env.LIBINJECTION_DIR ?? '/work/shared/data/libinjection';
export const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * The upstream: answers 200 `upstream-ok` (or what `respond` says) and records each request:
 * { method, url, rawHeaders, body (Buffer), trailers }, and the raw bytes of every connection.
 */
export async function startUpstream(respond) {
  const seen = [];
  const rawByConn = [];
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks), trailers: req.rawTrailers, version: req.httpVersion };
      seen.push(r);
      if (respond) return respond(req, res, r);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('upstream-ok');
    });
  });
  server.on('connection', (s) => {
    const c = { bytes: [] };
    rawByConn.push(c);
    s.on('data', (d) => c.bytes.push(d));
  });
  const port = await new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    raw: () => Buffer.concat(rawByConn.flatMap((c) => c.bytes)).toString('latin1'),
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

/**
 * Starts `mamori up` with `config` (merged over a paranoia-1 blocking WAF config) in front of
 * `upstreamUrl`. Returns { port, url, dir, out(), stop() }. The config is written as JSON (YAML 1.2).
 */
export async function startMamori(upstreamUrl, { waf = {}, extra = {}, env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-redteam-'));
  const port = await freePort();
  const config = {
    secret: 'a3f1c2d4e5b6a7980a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778',
    data_dir: join(dir, 'data'),
    proxy: { upstream: upstreamUrl },
    network: { trusted_proxies: ['127.0.0.1/32'] },
    ...extra,
    waf: { crs: CRS, libinjection: LIBINJECTION, paranoia: 1, ...waf },
  };
  writeFileSync(join(dir, 'mamori.yaml'), JSON.stringify(config, null, 2));
  const proc = spawn(process.execPath, [CLI, 'up', '-c', join(dir, 'mamori.yaml'), '--listen', `127.0.0.1:${port}`], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  let exited = null;
  proc.on('exit', (code, sig) => (exited = { code, sig }));
  const t0 = Date.now();
  while (!out.includes('mamori is protecting')) {
    if (exited) throw new Error(`mamori up exited (${JSON.stringify(exited)}):\n${out}`);
    if (Date.now() - t0 > 60_000) throw new Error(`mamori up did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    dataDir: config.data_dir,
    proc,
    out: () => out,
    exited: () => exited,
    async stop({ keep = false } = {}) {
      if (!exited) {
        proc.kill('SIGTERM');
        const t = Date.now();
        while (!exited && Date.now() - t < 10_000) await new Promise((r) => setTimeout(r, 50));
        if (!exited) proc.kill('SIGKILL');
      }
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends raw bytes (a string read as latin1, a Buffer, or a list of them sent `gapMs` apart) and
 * reads until the server closes or `timeoutMs` passes. Returns { text, statuses, closed }.
 */
export function raw(port, data, { timeoutMs = 3000, gapMs = 50, endAfter = false } = {}) {
  const parts = (Array.isArray(data) ? data : [data]).map((d) => (Buffer.isBuffer(d) ? d : Buffer.from(d, 'latin1')));
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const got = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      s.destroy();
      const text = Buffer.concat(got).toString('latin1');
      resolve({ text, statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1])), closed });
    };
    const timer = setTimeout(finish, timeoutMs);
    s.on('data', (d) => got.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
      finish();
    });
    s.on('connect', async () => {
      for (let i = 0; i < parts.length; i++) {
        if (i) await new Promise((r) => setTimeout(r, gapMs));
        if (!s.destroyed) s.write(parts[i]);
      }
      if (endAfter) s.end();
    });
  });
}

/** A raw request with browser-like headers; `headers` given as [name, value] pairs or an object (null drops one). */
export function rawReq({ method = 'GET', target = '/', version = 'HTTP/1.1', headers = {}, body = '', close = true, noLength = false } = {}) {
  const base = [['Host', 'shop.example'], ['User-Agent', UA], ['Accept', 'text/html,application/xhtml+xml'], ['Accept-Language', 'en']];
  const extra = Array.isArray(headers) ? headers : Object.entries(headers);
  const names = new Set(extra.map(([k]) => k.toLowerCase()));
  const all = [...base.filter(([k]) => !names.has(k.toLowerCase())), ...extra.filter(([, v]) => v !== null)];
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
  if (!noLength && (b.length || method === 'POST') && !all.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))) all.push(['Content-Length', String(b.length)]);
  if (close && !all.some(([k]) => k.toLowerCase() === 'connection')) all.push(['Connection', 'close']);
  return Buffer.concat([Buffer.from(`${method} ${target} ${version}\r\n${all.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1'), b]);
}

/** Prints a FINDING or OK line and counts findings. */
export const results = { findings: 0 };
export function report(ok, label, detail = '') {
  if (!ok) results.findings++;
  console.log(`${ok ? 'OK     ' : 'FINDING'} ${label}${detail ? ` -- ${detail}` : ''}`);
}

/** Whether the upstream received a request whose raw bytes (target, headers or body) hold `needle`. */
export function reached(up, needle, since = 0) {
  return up.seen.slice(since).some((r) => r.url.includes(needle) || r.rawHeaders.join('\n').includes(needle) || r.body.toString('latin1').includes(needle));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
