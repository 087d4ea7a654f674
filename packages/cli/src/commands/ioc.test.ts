import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../host/src/ioc/testdata/', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'mamori-ioc-cli-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

const env = { ...process.env, MAMORI_CONFIG: '' };
function mamori(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** The async form, for commands that talk to a server in this process. */
function mamoriAsync(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd, env });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => done({ code, out, err }));
  });
}

describe('mamori ioc', () => {
  it('imports STIX, MISP and a list, counts skips, and looks values up', () => {
    let r = mamori('ioc', 'import', join(FIXTURES, 'bundle.json'), '--source', 'stix-test', '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.format, 'stix');
    assert.equal(j.added, 9);
    assert.equal(j.skipped, 5);
    assert.equal(j.skippedByReason['operator MATCHES'], 1);
    r = mamori('ioc', 'import', join(FIXTURES, 'event.json'), '--source', 'misp-test');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Read 8 indicators .* source misp-test: 8 added/);
    assert.match(r.out, /1 {2}to_ids is false/);
    r = mamori('ioc', 'import', join(FIXTURES, 'list.txt'), '--source', 'list-test', '--format', 'csv');
    assert.equal(r.code, 0, r.err);
    r = mamori('ioc', 'stats', '--json');
    const stats = JSON.parse(r.out);
    assert.equal(stats.total, 9 + 8 + 9);
    r = mamori('ioc', 'match', 'https://cdn.evil.example/x', '2001:db8::99', 'api.honeygain.com', 'clean.example', '--json');
    assert.equal(r.code, 1);
    const m = JSON.parse(r.out) as { value: string; hits: { indicator: string; source: string }[] }[];
    assert.deepEqual(
      m.map((x) => x.hits.map((h) => `${h.indicator} ${h.source}`).sort()),
      [['evil.example list-test', 'evil.example stix-test'], ['2001:db8::/32 stix-test'], ['honeygain.com mamori:proxyware'], []],
    );
    assert.equal(mamori('ioc', 'match', 'clean.example').code, 0);
    assert.equal(mamori('ioc', 'match', 'api.honeygain.com', '--no-proxyware').code, 0);
    r = mamori('ioc', 'list', '--source', 'misp-test', '--kind', 'domain', '--json');
    assert.deepEqual(JSON.parse(r.out).map((i: { value: string }) => i.value), ['c2.evil.example']);
    r = mamori('ioc', 'remove', '--source', 'list-test', '--json');
    assert.deepEqual(JSON.parse(r.out), { removed: 9 });
  });

  it('names the file and line of a broken file, and refuses bad arguments', () => {
    const bad = join(cwd, 'bad.json');
    writeFileSync(bad, '{\n  "type": "bundle",\n  "objects": [,]\n}\n');
    let r = mamori('ioc', 'import', bad, '--source', 'x');
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_IOC_PARSE: .*bad\.json:3: not valid JSON/);
    r = mamori('ioc', 'import', bad);
    assert.match(r.err, /MAMORI_ERR_CLI_USAGE: say where the indicators come from/);
    r = mamori('ioc', 'import', join(cwd, 'missing.txt'), '--source', 'x');
    assert.match(r.err, /MAMORI_ERR_IOC_PARSE: .*missing\.txt: cannot be read \(ENOENT\)/);
    r = mamori('ioc', 'source', 'feed', '--url', 'http://example.com/list.txt');
    assert.match(r.err, /--url must be an https:\/\/ URL/);
    r = mamori('ioc', 'import', bad, '--source', '../etc');
    assert.match(r.err, /source name/);
  });

  it('fetches a feed from a local server, then answers 304 with its ETag', async () => {
    const seen: (string | undefined)[] = [];
    const server: Server = createServer((req, res) => {
      seen.push(req.headers['if-none-match'] as string | undefined);
      if (req.headers['if-none-match'] === '"one"') return res.writeHead(304).end();
      res.writeHead(200, { etag: '"one"' }).end('# feed\n192.0.2.44\nfeed-test.example\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/feed.txt`;
    let r = await mamoriAsync('ioc', 'source', 'local-feed', '--url', url, '--every', '1h');
    assert.equal(r.code, 0, r.err);
    r = await mamoriAsync('ioc', 'fetch', '--source', 'local-feed');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /local-feed: updated, 2 added, 0 removed, 2 held/);
    r = await mamoriAsync('ioc', 'fetch', '--source', 'local-feed', '--json');
    assert.equal(JSON.parse(r.out)[0].status, 'not-modified');
    assert.deepEqual(seen, [undefined, '"one"']);
    r = await mamoriAsync('ioc', 'fetch');
    assert.match(r.out, /local-feed: not due yet/);
    r = await mamoriAsync('ioc', 'sources', '--json');
    assert.equal(JSON.parse(r.out).find((s: { name: string }) => s.name === 'local-feed').lastStatus, '304 not modified');
    assert.equal(mamori('ioc', 'match', '192.0.2.44').code, 1);
  });

  it('source --allow-private-redirects is kept with the source (allow_private_redirects); --refuse-private-redirects takes it back', () => {
    const get = () => JSON.parse(mamori('ioc', 'sources', '--json').out).find((s: { name: string }) => s.name === 'mirror') as { url: string; refreshMs: number; format: string; allowPrivateRedirects: boolean };
    let r = mamori('ioc', 'source', 'mirror', '--url', 'https://feeds.example/list.txt', '--every', '2h', '--format', 'csv');
    assert.equal(r.code, 0, r.err);
    assert.equal(get().allowPrivateRedirects, false, 'refused by default');
    r = mamori('ioc', 'source', 'mirror', '--allow-private-redirects');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /may redirect into private addresses \(allow_private_redirects\)/);
    assert.deepEqual(get(), { ...get(), url: 'https://feeds.example/list.txt', refreshMs: 7_200_000, format: 'csv', allowPrivateRedirects: true });
    assert.match(mamori('ioc', 'sources').out, /mirror .*allowed/);
    assert.equal(mamori('ioc', 'source', 'mirror', '--every', '3h').code, 0);
    assert.equal(get().allowPrivateRedirects, true, 'kept when not named');
    assert.equal(mamori('ioc', 'source', 'mirror', '--url', 'https://feeds.example/v2/list.txt').code, 0);
    assert.equal(get().allowPrivateRedirects, true, 'kept for another path on the same host');
    // A feed moved to another host does not carry the permission with it (red team S16H-10).
    r = mamori('ioc', 'source', 'mirror', '--url', 'https://other.example/list.txt');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /mirror: the feed moved to another host \(other\.example\): private redirects are refused again/);
    assert.equal(get().allowPrivateRedirects, false);
    assert.equal(mamori('ioc', 'source', 'mirror', '--url', 'https://feeds.example/list.txt', '--allow-private-redirects').code, 0);
    assert.equal(get().allowPrivateRedirects, true, 'given again with the new URL');
    assert.equal(mamori('ioc', 'source', 'mirror', '--refuse-private-redirects').code, 0);
    assert.equal(get().allowPrivateRedirects, false);
    assert.match(mamori('ioc', 'source', 'mirror', '--allow-private-redirects', '--refuse-private-redirects').err, /MAMORI_ERR_CLI_USAGE: .*not both/);
    assert.match(mamori('ioc', 'fetch', '--refuse-private-redirects').err, /MAMORI_ERR_CLI_USAGE: --refuse-private-redirects goes with/);
    assert.match(mamori('ioc', 'source', 'nothing-yet', '--allow-private-redirects').err, /MAMORI_ERR_CLI_USAGE: give the source's name and --url/, 'a new source needs its URL');
  });
});

const linux = existsSync('/proc/self/net/tcp');
if (!linux) console.log('# skipping mamori host check: no /proc (it runs on Linux)');

describe('mamori host check', { skip: !linux }, () => {
  it('reports a listener that is not allowed, in JSON, and exits 1', async () => {
    const server = createTcpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    after(() => server.close());
    const port = (server.address() as { port: number }).port;
    let r = await mamoriAsync('host', 'check', '--include-loopback', '--no-hash', '--json');
    assert.equal(r.code, 1, r.err);
    const report = JSON.parse(r.out);
    const f = report.findings.find((x: { kind: string; detail: string }) => x.kind === 'unknown-listener' && x.detail.includes(`127.0.0.1:${port}/tcp`));
    assert.ok(f, 'the test listener is reported');
    assert.equal(f.pid, process.pid);
    r = await mamoriAsync('host', 'check', '--include-loopback', '--no-hash', '--allow', `tcp/${port}`);
    assert.ok(!r.out.includes(`127.0.0.1:${port}/tcp`));
    assert.match(r.out, /Checked \d+ processes/);
    // --record: the findings become events, which `mamori events` shows.
    r = await mamoriAsync('host', 'check', '--include-loopback', '--no-hash', '--record');
    assert.equal(r.code, 1, r.err);
    r = await mamoriAsync('events', '--json', '--limit', '1000');
    const events = JSON.parse(r.out) as Record<string, unknown>[];
    const recorded = events.filter((e) => e['event.action'] === 'unknown-listener' && String(e['event.reason']).includes(`127.0.0.1:${port}/tcp`));
    assert.equal(recorded.length, 1, r.out.slice(0, 2000));
    assert.equal(recorded[0]!['event.module'], 'host');
    const allowFile = join(cwd, 'allow.txt');
    writeFileSync(allowFile, `# expected services\n22, 80\ntcp/${port}  # the test's\n`);
    r = await mamoriAsync('host', 'check', '--include-loopback', '--no-hash', '--allow-file', allowFile);
    assert.ok(!r.out.includes(`127.0.0.1:${port}/tcp`), r.out);
    writeFileSync(allowFile, '22\nssh\n');
    r = await mamoriAsync('host', 'check', '--allow-file', allowFile);
    assert.match(r.err, /allow\.txt:2: a port like 22/);
    r = await mamoriAsync('host', 'check', '--allow', 'ssh');
    assert.match(r.err, /MAMORI_ERR_CLI_USAGE: --allow takes ports/);
    r = await mamoriAsync('host', 'look');
    assert.match(r.err, /expected check/);
  });
});
