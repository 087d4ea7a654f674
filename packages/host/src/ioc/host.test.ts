import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHost, cmdlineCandidates, decodeProcAddress, hostCheckEvents, parseProcNet, type HostCheckReport } from './host.js';
import { IocMatcherBuilder } from './matcher.js';
import { addProxywareIndicators, PROXYWARE_INDICATORS, PROXYWARE_REPORTS, proxywareEntry } from './proxyware.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../src/ioc/testdata/${name}`, import.meta.url)), 'utf8');

describe('/proc/net parsing', () => {
  it('reads the fixture lines of tcp: addresses in host byte order, states, inodes; counts the broken line', () => {
    const r = parseProcNet(fixture('proc-net-tcp.txt'), 'tcp', true);
    assert.equal(r.malformed, 1);
    assert.deepEqual(
      r.entries.map((e) => `${e.localIp}:${e.localPort} ${e.remoteIp}:${e.remotePort} ${e.state} ${e.uid} ${e.inode}`),
      ['127.0.0.1:3306 0.0.0.0:0 10 107 8597', '0.0.0.0:22 0.0.0.0:0 10 0 12001', '10.0.0.5:50000 198.168.100.7:443 1 1000 12002', '10.0.0.5:50001 198.168.100.8:443 6 0 0'],
    );
  });
  it('reads tcp6: ::1, ::, a global address and an IPv4-mapped peer', () => {
    const r = parseProcNet(fixture('proc-net-tcp6.txt'), 'tcp6', true);
    assert.equal(r.malformed, 0);
    assert.deepEqual(r.entries.map((e) => `${e.localIp} ${e.localPort} ${e.remoteIp} ${e.remotePort}`), ['::1 4369 :: 0', ':: 80 :: 0', '2001:db8::1 443 198.168.100.7 54321']);
  });
  it('decodes big-endian words too', () => {
    assert.deepEqual(decodeProcAddress('7F000001:0016', false), { ip: '127.0.0.1', port: 22 });
    assert.equal(decodeProcAddress('zz:0016'), undefined);
  });
  it('finds hosts, IPs and URLs on a command line', () => {
    const c = cmdlineCandidates(['/usr/bin/p2pclient', '--email=x@peer2profit.com', '-p', 'https://Proxy.Example:8443/api?x=1', '198.51.100.7:9000', 'config.yaml', '--', 'a.b']);
    assert.deepEqual(c.urls, ['https://Proxy.Example:8443/api?x=1']);
    assert.deepEqual(c.hosts, ['peer2profit.com', '198.51.100.7', 'config.yaml', 'a.b']);
  });
});

describe('hostCheckEvents', () => {
  it('maps findings to SecurityEvents with severities by what matched', () => {
    const report: HostCheckReport = {
      processes: 3, connections: 1, listeners: [], exeHashed: 1, exeNotHashed: 0, permissionDenied: 0, vanished: 0, malformedSocketLines: 0,
      findings: [
        { kind: 'ioc-exe-hash', pid: 7, process: 'x', detail: 'executable /tmp/x sha256 ab', hits: [{ indicator: 'ab', kind: 'sha256', source: 'feed' }] },
        { kind: 'ioc-process-name', pid: 8, process: 'p2pclient', detail: 'process name p2pclient', hits: [{ indicator: 'p2pclient', kind: 'file-name', source: 'mamori:proxyware' }] },
        { kind: 'ioc-connection', pid: 9, process: 'curl', detail: '[2001:db8::5]:443 from [2001:db8::1]:5000/tcp', hits: [{ indicator: '2001:db8::/32', kind: 'cidr', source: 'feed' }] },
        { kind: 'unknown-listener', detail: 'listening on 0.0.0.0:8081/tcp by node (pid 10)', hits: [] },
      ],
    };
    const e = hostCheckEvents(report, Date.parse('2026-12-03T00:00:00Z'));
    assert.deepEqual(e.map((x) => [x['event.action'], x['event.severity']]), [['ioc-match', 99], ['ioc-match', 50], ['ioc-match', 73], ['unknown-listener', 20]]);
    assert.equal(e[2]!['source.ip'], '2001:db8::5');
    assert.equal(e[0]!['event.reason'], 'x (pid 7): executable /tmp/x sha256 ab: sha256 ab from feed');
    assert.equal(e[0]!['@timestamp'], '2026-12-03T00:00:00.000Z');
  });
});

describe('the shipped proxyware set', () => {
  it('cites a report for every entry, holds no hashes or addresses, and loads', () => {
    for (const i of PROXYWARE_INDICATORS) {
      assert.ok(i.reports.length > 0, i.value);
      for (const r of i.reports) assert.ok(PROXYWARE_REPORTS[r].title && PROXYWARE_REPORTS[r].year >= 2021, r);
      assert.ok(!['md5', 'sha1', 'sha256', 'ip', 'cidr'].includes(i.kind), `${i.value}: no guessed hashes or addresses`);
    }
    const b = new IocMatcherBuilder();
    assert.equal(addProxywareIndicators(b), PROXYWARE_INDICATORS.length);
    const m = b.build();
    assert.equal(m.matchDomain('api.honeygain.com')[0]!.source, 'mamori:proxyware');
    assert.equal(proxywareEntry('file-name', 'p2pclient')!.service, 'Peer2Profit');
  });
});

const linux = existsSync('/proc/self/net/tcp');
if (!linux) console.log('# skipping the live host check: no /proc (it runs on Linux)');

describe('host check on this machine', { skip: !linux }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-host-'));
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a process named like a proxyware client, its executable, its command line, its connection and an unknown listener', async () => {
    // A copy of sleep(1) named p2pclient: the shipped set names Peer2Profit's Linux client so.
    const sleep = ['/usr/bin/sleep', '/bin/sleep'].find((p) => existsSync(p))!;
    const exe = join(dir, 'p2pclient');
    copyFileSync(sleep, exe);
    const child = spawn(exe, ['300'], { stdio: 'ignore' });
    // A process whose command line names a domain of the feed.
    const talker = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300000)', 'https://c2.evil-test.example/gate'], { stdio: 'ignore' });
    children.push(child, talker);
    await Promise.all([new Promise((r) => child.once('spawn', r)), new Promise((r) => talker.once('spawn', r))]);
    // A listener on 127.0.0.1 and a connection to it, both in this process.
    const server = createServer((s) => sockets.push(s));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = connect(port, '127.0.0.1');
    sockets.push(client);
    await new Promise((r) => client.once('connect', r));

    const b = new IocMatcherBuilder();
    addProxywareIndicators(b);
    b.add('sha256', createHash('sha256').update(readFileSync(exe)).digest('hex'), 'test-feed');
    b.add('domain', 'evil-test.example', 'test-feed');
    b.add('ip', '127.0.0.1', 'test-feed');
    const report = await checkHost({ matcher: b.build(), includeLoopback: true, allow: ['1'] });
    const mine = (kind: string, pid: number | undefined) => report.findings.filter((f) => f.kind === kind && f.pid === pid);
    assert.ok(report.processes > 1);
    const name = mine('ioc-process-name', child.pid);
    assert.equal(name.length, 1, JSON.stringify(report.findings.filter((f) => f.pid === child.pid)));
    assert.deepEqual(name[0]!.hits, [{ indicator: 'p2pclient', kind: 'file-name', source: 'mamori:proxyware' }]);
    assert.equal(mine('ioc-exe-hash', child.pid).length, 1);
    assert.equal(mine('ioc-exe-hash', child.pid)[0]!.exe, exe);
    assert.deepEqual(mine('ioc-cmdline', talker.pid)[0]!.hits, [{ indicator: 'evil-test.example', kind: 'domain', source: 'test-feed' }]);
    const conn = report.findings.filter((f) => f.kind === 'ioc-connection' && f.pid === process.pid && f.detail.startsWith(`127.0.0.1:${port} `));
    assert.equal(conn.length, 1, 'the client socket, toward the listener');
    const listener = report.findings.filter((f) => f.kind === 'unknown-listener' && f.detail.includes(`127.0.0.1:${port}/tcp`));
    assert.equal(listener.length, 1);
    assert.equal(listener[0]!.pid, process.pid);
    assert.ok(report.listeners.some((l) => l.port === port && l.exposure === 'loopback' && l.pids.includes(process.pid)));

    // Allowed, or loopback left out: no longer a finding.
    const quiet = await checkHost({ matcher: new IocMatcherBuilder().build(), allow: [`tcp/${port}`], includeLoopback: true, hashExecutables: false });
    assert.equal(quiet.findings.filter((f) => f.detail.includes(`:${port}/tcp`)).length, 0);
    const noLoop = await checkHost({ matcher: new IocMatcherBuilder().build(), hashExecutables: false });
    assert.equal(noLoop.findings.filter((f) => f.detail.includes(`127.0.0.1:${port}/tcp`)).length, 0);
  });

  it('refuses a bad allow-list entry and a missing /proc', async () => {
    await assert.rejects(checkHost({ matcher: new IocMatcherBuilder().build(), allow: ['ssh'] }), /--allow takes ports/);
    await assert.rejects(checkHost({ matcher: new IocMatcherBuilder().build(), procRoot: join(dir, 'no-proc') }), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_HOST_PROC');
  });
});
