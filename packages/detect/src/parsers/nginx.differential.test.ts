/**
 * Differential test against the protected side: a real nginx (Debian's nginx-light, or
 * whatever `nginx` is on the PATH) on 127.0.0.1 writes the combined and the JSON
 * (`escape=json`) access logs of requests carrying hostile bytes (quotes, backslashes,
 * spaces, %-encodings, long agents, bytes that are not UTF-8), and the parsers must give
 * back exactly what was sent. Skipped, with the reason printed, when nginx is not installed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bound } from './fields.js';
import { createParsers } from './registry.js';

const CANDIDATES = [process.env['MAMORI_NGINX'], '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].filter((p): p is string => typeof p === 'string' && p !== '');
const NGINX = CANDIDATES.find((p) => existsSync(p));

interface Sent {
  method: string;
  target: Buffer;
  ua: Buffer;
  referer: Buffer;
  /** Basic credentials' user part, what nginx logs as $remote_user. */
  user?: string;
  /** nginx answers 400 before it reads the headers (a bad %-escape in the path): it logs none. */
  rejected?: boolean;
}

const b = (s: string) => Buffer.from(s, 'utf8');
const CASES: Sent[] = [
  { method: 'GET', target: b('/plain'), ua: b('curl/8.5.0'), referer: b('https://example.com/') },
  { method: 'GET', target: b('/q?a="b"&c=\\d'), ua: b('agent "with quotes" and \\backslashes\\'), referer: b('https://example.com/"x"') },
  { method: 'POST', target: b('/login?next=%2Fadmin%3Fa%3D1%26b%3D%22'), ua: b('sp a c e s   and\ttab'), referer: b('-') },
  { method: 'GET', target: b('/%E3%81%82/%ZZ/%/p%2520'), ua: b('unread'), referer: b('unread'), rejected: true },
  { method: 'GET', target: b('/%E3%81%82/p%2520?bad=%ZZ&pct=%'), ua: b('Mozilla/5.0 (日本語; ユーザー) 🙂'), referer: b('https://例え.jp/パス') },
  { method: 'GET', target: b('/x'), ua: Buffer.concat([b('bad-utf8 '), Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x28, 0xe3, 0x81]), b(' end')]), referer: Buffer.from([0x80, 0x81, 0x2f]) },
  { method: 'GET', target: b('/literal\\x22escape\\x5C'), ua: b('\\x22 looks escaped \\x5C but is not'), referer: b('\\"') },
  { method: 'GET', target: b(`/long?${'q'.repeat(2000)}`), ua: b(`${'A'.repeat(6000)}Z`), referer: b('https://example.com/') },
  { method: 'GET', target: b('/basic'), ua: b('with-user'), referer: b('-'), user: 'al"ice\\x' },
  { method: 'GET', target: Buffer.concat([b('/raw-'), Buffer.from([0xff, 0xc0]), b('-bytes')]), ua: b('raw path bytes'), referer: b('-') },
  { method: 'OPTIONS', target: b('*'), ua: b('unread'), referer: b('unread'), rejected: true },
  { method: 'PUT', target: b('/json'), ua: b('{"json":"in a header","n":1}'), referer: b('{}') },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** One request over a raw socket (the bytes go out as they are), waiting for the server to close. */
function send(port: number, c: Sent): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const timer = setTimeout(() => sock.destroy(new Error('no answer in 10 s')), 10_000);
    const auth = c.user !== undefined ? b(`Authorization: Basic ${Buffer.from(`${c.user}:pw`).toString('base64')}\r\n`) : Buffer.alloc(0);
    sock.on('connect', () => {
      sock.write(Buffer.concat([b(`${c.method} `), c.target, b(' HTTP/1.1\r\nHost: localhost\r\nUser-Agent: '), c.ua, b('\r\nReferer: '), c.referer, b('\r\n'), auth, b('Connection: close\r\n\r\n')]));
    });
    sock.on('data', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function waitListening(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nginx did not listen within 5 s');
}

describe('parsers: differential against nginx', () => {
  it('the combined and escape=json access logs nginx writes parse back to what was sent', async (t) => {
    if (!NGINX) {
      t.skip('nginx is not installed (apt-get install nginx-light); set MAMORI_NGINX to its path');
      console.log('# skipped: nginx is not installed (apt-get install nginx-light)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'mamori-nginx-'));
    const port = await freePort();
    mkdirSync(join(dir, 'logs'));
    const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events { worker_connections 32; }
http {
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  large_client_header_buffers 4 16k;
  log_format jsonlog escape=json '{"time_local":"$time_local","remote_addr":"$remote_addr","remote_user":"$remote_user","request":"$request","status":"$status","body_bytes_sent":"$body_bytes_sent","http_referer":"$http_referer","http_user_agent":"$http_user_agent"}';
  server {
    listen 127.0.0.1:${port};
    access_log ${dir}/logs/access.log combined;
    access_log ${dir}/logs/access.json jsonlog;
    location / { return 200 "ok\\n"; }
  }
}
`;
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    try {
      await waitListening(port, child);
      for (const c of CASES) await send(port, c);
    } catch (err) {
      throw new Error(`${(err as Error).message}; nginx said: ${stderr}`);
    } finally {
      child.kill('SIGQUIT');
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.once('exit', () => resolve());
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5000).unref();
      });
    }
    const parsers = createParsers({ timeZone: 'utc' });
    // A file source decodes bytes as UTF-8 (bytes that are not become U+FFFD): so here.
    const read = (name: string) => readFileSync(join(dir, 'logs', name)).toString('utf8').split('\n').filter((l) => l !== '');
    const combined = read('access.log');
    const json = read('access.json');
    const errors = read('error.log');
    if (!process.env["MAMORI_KEEP_NGINX"]) rmSync(dir, { recursive: true, force: true });
    else console.log(`# kept ${dir}`);
    assert.equal(combined.length, CASES.length, `combined lines: ${combined.join('\n')}`);
    assert.equal(json.length, CASES.length);
    let compared = 0;
    for (const [file, lines, parser] of [['access.log', combined, 'nginx.access'], ['access.json', json, 'nginx.json']] as const) {
      for (const [i, text] of lines.entries()) {
        const c = CASES[i]!;
        const e = parsers.get(parser).parse({ text, input: file, receivedAt: Date.now() });
        assert.ok(e, `${file}:${i + 1} did not parse: ${text.slice(0, 200)}`);
        const f = e.fields;
        const at = `${file}:${i + 1}`;
        assert.equal(f['event.dataset'], 'nginx.access', at);
        assert.equal(f['source.ip'], '127.0.0.1', at);
        assert.equal(f['http.request.method'], c.method, at);
        // What was sent, as the event keeps it: bounded to MAX_VALUE characters.
        assert.equal(f['url.original'], bound(c.target.toString('utf8')), at);
        if (c.rejected) {
          assert.equal(f['http.response.status_code'], 400, at);
          assert.equal(f['user_agent.original'], undefined, at);
          compared++;
          continue;
        }
        assert.equal(f['user_agent.original'], bound(c.ua.toString('utf8')), at);
        const ref = c.referer.toString('utf8');
        assert.equal(f['http.request.referrer'], ref === '-' ? undefined : bound(ref), at);
        assert.equal(f['user.name'], c.user, at);
        assert.equal(typeof f['http.response.status_code'], 'number', at);
        assert.ok(Math.abs(e.time - Date.now()) < 3_600_000, `${at}: the line's own time`);
        compared++;
      }
    }
    assert.equal(compared, CASES.length * 2);
    // nginx's own error log: every line it wrote reads, and those about a client name it.
    let withClient = 0;
    for (const [i, text] of errors.entries()) {
      const e = parsers.get('nginx.error').parse({ text, input: 'error.log', receivedAt: Date.now() });
      assert.ok(e, `error.log:${i + 1} did not parse: ${text.slice(0, 200)}`);
      assert.equal(typeof e.fields['log.level'], 'string');
      if (text.includes(', client: ')) {
        assert.equal(e.fields['source.ip'], '127.0.0.1', `error.log:${i + 1}`);
        withClient++;
      }
    }
    assert.ok(errors.length > 0 && withClient > 0, `error.log: ${errors.length} lines, ${withClient} about a client`);
  });
});
