/**
 * `mamori rules fetch crs` end to end: a CRS release archive is built here from the shared
 * CRS (never committed), served from 127.0.0.1, fetched, checked and installed; hostile or
 * wrong archives leave what was installed as it was.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedData } from 'mamori/testing';
import { crsSetup, loadWaf, locateCrs } from 'mamori/waf';
import { BIN } from './cli-harness.js';

const ENV = { ...process.env, MAMORI_SECRET: 'cli-rules-test-secret-0123456789abcdef' };

/** Runs `mamori ARGS` without blocking this process (it serves the archive meanwhile). */
function mamori(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: ENV });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** `tar -czf` of `dir`'s entry `name`, with the system's tar (arguments as an array, no shell). */
function tarGz(dir: string, name: string, out: string, opts: { dereference?: boolean } = {}): Buffer {
  execFileSync('tar', ['--format=pax', opts.dereference ? '-czhf' : '-czf', out, '-C', dir, name]);
  return readFileSync(out);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('mamori rules fetch crs', () => {
  const crs = sharedData('crs', 'MAMORI_CRS_DIR');
  const sqli = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
  const missing = crs.missing ?? sqli.missing;
  let work: string;
  let project: string;
  let server: Server;
  let base: string;
  const files = new Map<string, Buffer>();
  const served: string[] = [];

  before(async () => {
    if (missing) return;
    work = mkdtempSync(join(tmpdir(), 'mamori-rules-'));
    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'mamori.yaml'), 'data_dir: state\n');
    // A release as GitHub serves it: one coreruleset-<version>/ folder.
    mkdirSync(join(work, 'src'));
    symlinkSync(crs.dir, join(work, 'src', 'coreruleset-4.28.0'));
    files.set('/crs.tgz', tarGz(join(work, 'src'), 'coreruleset-4.28.0', join(work, 'crs.tgz'), { dereference: true }));
    // The same, with a symbolic link inside (rules/evil -> /etc).
    mkdirSync(join(work, 'evil', 'coreruleset-4.28.0', 'rules'), { recursive: true });
    writeFileSync(join(work, 'evil', 'coreruleset-4.28.0', 'rules', 'REQUEST-901-INITIALIZATION.conf'), '# x\n');
    symlinkSync('/etc', join(work, 'evil', 'coreruleset-4.28.0', 'rules', 'evil'));
    files.set('/evil.tgz', tarGz(join(work, 'evil'), 'coreruleset-4.28.0', join(work, 'evil.tgz')));
    server = createServer((req, res) => {
      served.push(req.url ?? '');
      const body = files.get(req.url ?? '');
      if (req.url === '/moved') return res.writeHead(302, { location: '/crs.tgz' }).end();
      if (req.url?.startsWith('/loop')) return res.writeHead(302, { location: `/loop${served.length}` }).end();
      if (req.url === '/elsewhere') return res.writeHead(301, { location: 'http://example.com/crs.tgz' }).end();
      if (!body) return res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    if (server) await new Promise((r) => server.close(r));
  });

  const crsDir = () => join(project, 'state', 'crs');
  const leftovers = () => readdirSync(crsDir()).filter((n) => n.startsWith('.'));

  it('downloads (through a redirect), checks the SHA-256, installs, and the result loads', async (t) => {
    if (missing) return t.skip(missing);
    const archive = files.get('/crs.tgz')!;
    const r = await mamori(['rules', 'fetch', 'crs', '--url', `${base}/moved`, '--sha256', sha(archive).toUpperCase()], project);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^CRS 4\.28\.0: 27 rule files, \d+ rules loaded by mamori's WAF\n/);
    assert.match(r.out, new RegExp(`sha256 ${sha(archive)} \\(${archive.length} bytes from ${base}/crs\\.tgz\\)`));
    assert.doesNotMatch(r.out, /check it next time/, 'a checked SHA-256 needs no reminder');
    assert.deepEqual(served.slice(-2), ['/moved', '/crs.tgz']);
    assert.equal(readlinkSync(join(crsDir(), 'current')), '4.28.0');
    assert.deepEqual(leftovers(), []);

    const found = locateCrs({ dataDir: join(project, 'state'), env: {}, debian: false, wellKnown: [] }).crs;
    assert.equal(found?.source, 'download');
    assert.equal(found?.version, '4.28.0');
    assert.equal(found?.rulesDir, join(crsDir(), '4.28.0', 'rules'));
    const root = join(crsDir(), 'current');
    const waf = loadWaf({ text: crsSetup(root, { engine: 'On', paranoia: 1 }), file: join(root, 'check.conf'), sqliDataDir: sqli.dir });
    const request = (uri: string) => {
      const tx = waf.transaction({ method: 'GET', uri, protocol: 'HTTP/1.1', headers: [['Host', 'shop.test'], ['User-Agent', 'mamori-test'], ['Accept', '*/*']], body: undefined, remoteAddr: '192.0.2.1', remotePort: 40000, serverAddr: '127.0.0.1', serverPort: 80 });
      return tx.processRequestHeaders() ?? tx.processRequestBody();
    };
    assert.equal(request('/products?id=12'), undefined, 'a plain request passes');
    assert.equal(request('/products?id=1%27%20OR%201=1--%20')?.ruleId, 949110, 'SQL injection is refused by the installed CRS');

    const where = await mamori(['rules', 'where', '--json'], project);
    assert.equal(where.code, 0, where.err);
    assert.equal(JSON.parse(where.out).crs.version, '4.28.0');
  });

  it('without --sha256, prints the SHA-256 it got; fetching again replaces the version', async (t) => {
    if (missing) return t.skip(missing);
    const r = await mamori(['rules', 'fetch', 'crs', '--url', `${base}/crs.tgz`, '--version', 'v4.28.0', '--json'], project);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.sha256, sha(files.get('/crs.tgz')!));
    assert.equal(j.ruleFiles, 27);
    assert.ok(j.rules > 500, `${j.rules} rules`);
    assert.deepEqual(readdirSync(crsDir()).sort(), ['4.28.0', 'current']);
  });

  it('refuses a wrong SHA-256, a wrong version, a 404, too many redirects and a redirect off https, installing nothing', async (t) => {
    if (missing) return t.skip(missing);
    const cases: [string[], RegExp][] = [
      [['--url', `${base}/crs.tgz`, '--sha256', '0'.repeat(64)], /MAMORI_ERR_WAF_FETCH: .*the archive's SHA-256 is [0-9a-f]{64}, not the 0{64} given with --sha256/],
      [['--url', `${base}/crs.tgz`, '--version', '4.27.0'], /MAMORI_ERR_WAF_FETCH: .*the archive holds CRS 4\.28\.0, not 4\.27\.0/],
      [['--url', `${base}/nope.tgz`], /MAMORI_ERR_WAF_FETCH: .*answered 404/],
      [['--url', `${base}/loop`], /MAMORI_ERR_WAF_FETCH: .*more than 5 redirects/],
      [['--url', `${base}/elsewhere`], /MAMORI_ERR_WAF_FETCH: http:\/\/example\.com\/crs\.tgz: only https:\/\/ URLs are fetched/],
      [['--url', 'http://localhost:1/x.tgz'], /only https:\/\/ URLs are fetched/],
      [['--url', `${base}/crs.tgz`, '--sha256', 'xyz'], /MAMORI_ERR_CLI_USAGE: --sha256 must be 64 hexadecimal digits/],
    ];
    for (const [args, pattern] of cases) {
      const r = await mamori(['rules', 'fetch', 'crs', ...args], project);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, pattern);
      assert.equal(readlinkSync(join(crsDir(), 'current')), '4.28.0', 'current is as it was');
      assert.deepEqual(leftovers(), [], 'nothing unpacked is left');
    }
  });

  it('refuses an archive holding a symbolic link, naming the entry', async (t) => {
    if (missing) return t.skip(missing);
    const r = await mamori(['rules', 'fetch', 'crs', '--url', `${base}/evil.tgz`, '--dir', join(work, 'other')], project);
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_WAF_ARCHIVE: entry "coreruleset-4\.28\.0\/rules\/evil": a symbolic link is not accepted/);
    assert.equal(existsSync(join(work, 'other')), false, 'refused before anything was written');
  });
});

describe('mamori rules fetch libinjection', () => {
  const sqli = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
  let server: Server;
  let base: string;
  let project: string;
  let data: Buffer;

  before(async () => {
    if (sqli.missing) return;
    data = readFileSync(join(sqli.dir, 'src', 'sqlparse_data.json'));
    project = mkdtempSync(join(tmpdir(), 'mamori-libinjection-'));
    writeFileSync(join(project, 'mamori.yaml'), 'data_dir: state\n');
    server = createServer((req, res) => {
      if (req.url === '/sqlparse_data.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(data);
      if (req.url === '/not-data.json') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"charmap":[]}');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (server) await new Promise((r) => server.close(r));
  });

  it('downloads the data, checks its SHA-256 and that it flags a tautology, and installs it where the WAF looks', async (t) => {
    if (sqli.missing) return t.skip(sqli.missing);
    const target = join(project, 'state', 'libinjection', 'src', 'sqlparse_data.json');
    const wrong = await mamori(['rules', 'fetch', 'libinjection', '--url', `${base}/sqlparse_data.json`, '--sha256', '0'.repeat(64)], project);
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /SHA-256 is [0-9a-f]{64}, not the expected 0{64} \(nothing was installed\)/);
    const junk = await mamori(['rules', 'fetch', 'libinjection', '--url', `${base}/not-data.json`], project);
    assert.equal(junk.code, 1);
    assert.match(junk.err, /is not libinjection's data as mamori reads it, so it was not installed/);
    assert.equal(existsSync(target), false);
    const r = await mamori(['rules', 'fetch', 'libinjection', '--url', `${base}/sqlparse_data.json`, '--sha256', sha(data)], project);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`installed in ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\nsha256 ${sha(data)}`));
    assert.ok(readFileSync(target).equals(data));
    assert.deepEqual(readdirSync(join(project, 'state', 'libinjection')).filter((n) => n.startsWith('.')), [], 'no temporary folder left');
  });
});
