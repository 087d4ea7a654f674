/**
 * Second red team of the log detection (bench/redteam/README-detect-2.md): the journal's
 * sender check (uid 0 for sshd and PAM) and what a process that is not sshd can still say.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from './model.js';
import { createParsers } from './parsers/registry.js';
import { ScenarioEngine } from './scenarios/engine.js';
import { loadBuiltinScenarios } from './scenarios/load.js';
import { JournalSource, journalLine } from './sources/journal.js';
import { collector, tempDir } from './sources/collect.case.js';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { Readable } from 'node:stream';
import { validateWatchConfig } from './watch/config.js';
import { WatchService, streamSenderWarning } from './watch/service.js';
import { until } from './sources/collect.case.js';

const builtin = loadBuiltinScenarios();
const T0 = Date.parse('2026-12-01T10:00:00Z');

/** A UDP port on 127.0.0.1 nothing listens on (bound, read, let go). */
async function freeUdpPort(): Promise<number> {
  const free = createSocket('udp4');
  await new Promise<void>((r) => free.bind(0, '127.0.0.1', r));
  const port = free.address().port;
  await new Promise<void>((r) => free.close(() => r()));
  return port;
}

function rec(fields: Record<string, unknown>, i: number): Record<string, unknown> {
  return { __CURSOR: `s=x;i=${i}`, __REALTIME_TIMESTAMP: String((T0 + i * 1000) * 1000), _HOSTNAME: 'vm', PRIORITY: '5', ...fields };
}

/** The alerts the built-in scenarios raise on these journal records, read by `auto`. */
function alertsOf(records: readonly Record<string, unknown>[]): { alerts: Alert[]; datasets: string[] } {
  const parser = createParsers().get('auto');
  const engine = new ScenarioEngine(builtin.scenarios);
  const alerts: Alert[] = [];
  const datasets: string[] = [];
  for (const r of records) {
    const j = journalLine(r, 'journal', T0, 16384);
    assert.ok(j);
    const e = parser.parse(j.line);
    datasets.push(String(e?.fields['event.dataset'] ?? '-'));
    if (e) alerts.push(...engine.onEvent(e));
  }
  return { alerts, datasets };
}

const PAM_FAIL = (ip: string) => `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`;

describe('red team 2: PAM lines from root processes that are not PAM', () => {
  // Finding R2-1: a PAM line was taken from any uid 0 journal record whose message starts
  // with `pam_`, whatever wrote it. Root processes relay other people's text to the journal:
  // dockerd's journald log driver writes each line a container prints (as any user inside
  // it) with _UID 0, _COMM dockerd and the container's id as SYSLOG_IDENTIFIER; a service
  // running as root has its stdout recorded with _UID 0. Whoever controls such a line (code
  // run in a container, a request a root service echoes) got an address blocked.
  const relays: [string, Record<string, string>][] = [
    ['a container\'s stdout through dockerd (journald log driver)', { _UID: '0', _COMM: 'dockerd', _SYSTEMD_UNIT: 'docker.service', _TRANSPORT: 'journal', SYSLOG_IDENTIFIER: '3f2a1b9c8d7e', CONTAINER_NAME: 'web' }],
    ['a root service\'s stdout', { _UID: '0', _COMM: 'node', _SYSTEMD_UNIT: 'shop.service', _TRANSPORT: 'stdout', SYSLOG_IDENTIFIER: 'node' }],
  ];
  for (const [name, fields] of relays) {
    it(`finding R2-1: ${name} is not read as PAM`, () => {
      const records = Array.from({ length: 12 }, (_, i) => rec({ ...fields, MESSAGE: PAM_FAIL('192.0.2.90') }, i));
      const { alerts, datasets } = alertsOf(records);
      assert.ok(!datasets.includes('pam'), datasets.join(','));
      assert.deepEqual(alerts.map((a) => a.group['source.ip']), []);
    });
  }

  it('finding R2-1: PAM lines sshd and su write through syslog(3) as root are still read', () => {
    // (No built-in scenario reads the pam dataset; a user's scenario or Sigma rule may.)
    const parser = createParsers().get('auto');
    for (const [comm, ident] of [['sshd', 'sshd'], ['su', 'su'], ['sshd-session', 'sshd-session']]) {
      const j = journalLine(rec({ _UID: '0', _COMM: comm, _TRANSPORT: 'syslog', SYSLOG_IDENTIFIER: ident, SYSLOG_PID: '900', MESSAGE: PAM_FAIL('198.51.100.30') }, 0), 'journal', T0, 16384);
      const e = parser.parse(j!.line);
      assert.deepEqual([e?.fields['event.dataset'], e?.fields['source.ip']], ['pam', '198.51.100.30'], ident);
    }
    // sshd started with -e logs its own lines to stderr (_TRANSPORT stdout): still sshd's
    const e = alertsOf([rec({ _UID: '0', _COMM: 'sshd', _TRANSPORT: 'stdout', SYSLOG_IDENTIFIER: 'sshd', MESSAGE: 'Failed password for root from 198.51.100.31 port 22 ssh2' }, 0)]);
    assert.deepEqual(e.datasets, ['sshd']);
  });
});

describe('red team 2: long journal lines', () => {
  // Finding R2-2: `journalctl -o json` prints a field over 4096 bytes as null unless given
  // --all. testdata/journal-long.jsonl is a real journald's (252) record of a 5,021-byte
  // message from `logger -t nginx` (a padded request), as journalctl printed it without and
  // with --all. Without, the record has no message and the line was skipped unseen.
  const [without, withAll] = readFileSync(new URL('../src/sources/testdata/journal-long.jsonl', import.meta.url), 'utf8').trim().split('\n');

  it('finding R2-2: the journal source asks journalctl for whole fields, and reads the long line', async () => {
    assert.equal(JSON.parse(without!).MESSAGE, null);
    assert.equal(journalLine(JSON.parse(without!), 'journal', T0, 16384), undefined);
    const dir = tempDir('mamori-rt2-');
    try {
      // A journalctl stand-in printing what the real one printed for these arguments.
      const script = join(dir, 'fake.mjs');
      writeFileSync(script, `process.stdout.write((process.argv.includes('--all') ? ${JSON.stringify(withAll)} : ${JSON.stringify(without)}) + '\\n');\n`);
      const bin = join(dir, 'journalctl');
      writeFileSync(bin, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)} "$@"\n`);
      chmodSync(bin, 0o755);
      const c = collector();
      const src = new JournalSource({ journalctl: bin, follow: false, startAt: 'start', maxLineBytes: 16384 });
      await src.start(c.consumer);
      await src.done;
      assert.equal(c.lines.length, 1, JSON.stringify(src.counters));
      assert.match(c.lines[0]!.text, /^GET \/a{4000,} HTTP\/1\.1 five-k$/);
      assert.equal(c.lines[0]!.text.length, 5021);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('red team 2: sshd lines from inputs that do not say who wrote them', () => {
  // Finding R2-3: finding 6's warning covered file inputs only. A syslog input is as blind:
  // the docs' example listens on UDP 127.0.0.1:5514, where any local account can send
  // `sshd[1]: Failed password for root from VICTIM ...` (the line is read as sshd's and the
  // victim can be blocked), and stdin carries whatever was piped in. mamori watch now warns
  // once per syslog or stdin input at its first sshd or PAM line.
  const forged = (i: number) => `<38>Dec  1 10:00:0${i} web1 sshd[812]: Failed password for root from 192.0.2.91 port 4000${i} ssh2`;

  it('finding R2-3: a forged sshd datagram on the loopback syslog port is warned about', async () => {
    const port = await freeUdpPort();
    const dir = tempDir('mamori-rt2-');
    const notes: string[] = [];
    const alerts: Alert[] = [];
    const service = new WatchService({ config: validateWatchConfig({ inputs: [{ syslog: { transport: 'udp', port } }] }), dataDir: dir, sink: { onAlert: (a) => void alerts.push(a) }, onNote: (n) => notes.push(n), tickMs: 50 });
    await service.start();
    const sock = createSocket('udp4');
    try {
      for (let i = 0; i < 8; i++) await new Promise<void>((r) => sock.send(forged(i), port, '127.0.0.1', () => r()));
      await until(() => service.status().events >= 8, 'the eight datagrams');
      assert.deepEqual(notes, [streamSenderWarning('syslog-udp')]);
      assert.match(notes[0]!, /does not record which process wrote each line.*journal/);
    } finally {
      sock.close();
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finding R2-3: sshd lines on standard input are warned about once; other lines are not', async () => {
    const dir = tempDir('mamori-rt2-');
    const notes: string[] = [];
    const text = `198.51.100.4 - - [03/Dec/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8"\n${forged(1)}\n${forged(2)}\n`;
    const service = new WatchService({ config: validateWatchConfig({ inputs: [{ stdin: true }] }), dataDir: dir, stdin: Readable.from([Buffer.from(text)]), sink: { onAlert: () => {} }, onNote: (n) => notes.push(n), tickMs: 50 });
    await service.start();
    try {
      await until(() => service.status().events >= 3, 'the three lines');
      assert.deepEqual(notes, [streamSenderWarning('stdin')]);
    } finally {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('red team 2, R2-3 closed: an input that names its formats reads nothing else', () => {
  const forged = (i: number) => `<38>Dec  1 10:00:0${i} web1 sshd[812]: Failed password for root from 192.0.2.91 port 4000${i} ssh2`;
  const vpnFail = (i: number) => `<189>date=2026-12-01 time=10:00:0${i} devid="FG100F" logid="0101039426" type="event" subtype="vpn" action="ssl-login-fail" remip=203.0.113.7 user="admin${i}" reason="sslvpn_login_permission_denied"`;

  it('a VPN syslog input with format [fortigate, vpn] skips forged sshd datagrams, reads the appliance, and warns of nothing', async () => {
    const port = await freeUdpPort();
    const dir = tempDir('mamori-rt2-');
    const notes: string[] = [];
    const service = new WatchService({ config: validateWatchConfig({ inputs: [{ syslog: { transport: 'udp', port }, format: ['fortigate', 'vpn'] }] }), dataDir: dir, sink: { onAlert: () => {} }, onNote: (n) => notes.push(n), tickMs: 50 });
    await service.start();
    const sock = createSocket('udp4');
    try {
      for (let i = 0; i < 8; i++) await new Promise<void>((r) => sock.send(forged(i), port, '127.0.0.1', () => r()));
      for (let i = 0; i < 3; i++) await new Promise<void>((r) => sock.send(vpnFail(i), port, '127.0.0.1', () => r()));
      await until(() => service.status().events + service.status().unparsed >= 11, 'the eleven datagrams');
      assert.equal(service.status().events, 3, 'the appliance lines only');
      assert.equal(service.status().unparsed, 8, 'the forged sshd lines, counted and skipped');
      assert.deepEqual(notes, []);
    } finally {
      sock.close();
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a list picks among its formats line by line, the ones auto never tries first too, and refuses what it cannot be', () => {
    const p = createParsers();
    const raw = (text: string) => ({ text, input: 'x', receivedAt: T0 });
    const apache = '198.51.100.4 - - [03/Dec/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8"';
    const among = p.among(['apache.access', 'sshd']);
    assert.equal(among.parse(raw(apache))?.fields['event.dataset'], 'apache.access');
    assert.equal(among.parse(raw('Dec  1 10:00:00 web1 sshd[812]: Failed password for root from 192.0.2.91 port 40001 ssh2'))?.fields['event.dataset'], 'sshd');
    assert.equal(among.parse(raw('{"message":"x"}')), null, 'json is not on the list');
    assert.equal(p.get('auto').parse(raw(apache))?.fields['event.dataset'], 'nginx.access', 'auto reads it as nginx');
    assert.deepEqual(validateWatchConfig({ inputs: [{ stdin: true, format: ['sshd'] }] }).inputs[0], { kind: 'stdin', format: 'sshd' });
    assert.deepEqual(validateWatchConfig({ inputs: [{ stdin: true, format: ['fortigate', 'vpn'] }] }).inputs[0], { kind: 'stdin', format: ['fortigate', 'vpn'] });
    for (const [format, want] of [
      [[], /watch\.inputs\[0\]\.format: names at least one format/],
      [['vpn', 'auto'], /watch\.inputs\[0\]\.format\[1\]: "auto" is not a log format/],
      [['vpn', 'vpn'], /names a format twice/],
      [['vpn', 3], /watch\.inputs\[0\]\.format\[1\]: must be/],
      [Array(40).fill('vpn'), /must be a list \(11 at most\)/],
    ] as const) {
      assert.throws(() => validateWatchConfig({ inputs: [{ stdin: true, format }] }), (e: Error) => want.test(e.message), JSON.stringify(format));
    }
  });
});

describe('red team 2: what held (journal fields)', () => {
  const FAIL = 'Failed password for root from 192.0.2.92 port 22 ssh2';
  const dataset = (r: Record<string, unknown>): unknown => {
    const j = journalLine(rec(r, 0), 'journal', T0, 16384);
    return j ? (createParsers().get('auto').parse(j.line)?.fields['event.dataset'] ?? '-') : 'skipped';
  };
  it('uid checks: a number, a missing _UID, an array, and what JSON.parse does with duplicate keys', () => {
    assert.equal(dataset({ _UID: '0', _COMM: 'sshd', _TRANSPORT: 'syslog', SYSLOG_IDENTIFIER: 'sshd', MESSAGE: FAIL }), 'sshd');
    // journalctl prints every field as a string; a number is not taken as uid 0
    assert.notEqual(dataset({ _UID: 0, SYSLOG_IDENTIFIER: 'sshd', MESSAGE: FAIL }), 'sshd');
    // no _UID (the kernel's records): not sshd's
    assert.notEqual(dataset({ SYSLOG_IDENTIFIER: 'sshd', MESSAGE: FAIL }), 'sshd');
    // a field given twice is printed as an array (seen from journald 252 for MESSAGE); the first value is read
    assert.notEqual(dataset({ _UID: ['1000', '0'], SYSLOG_IDENTIFIER: 'sshd', MESSAGE: FAIL }), 'sshd');
    // a duplicate key would be taken last-wins by JSON.parse; journalctl never prints one
    // (it groups repeated fields into an array), and a client's _UID is dropped by journald
    assert.equal((JSON.parse('{"_UID":"1000","_UID":"0"}') as { _UID: string })._UID, '0');
    // a repeated MESSAGE (an array of strings) is no message: the sender hides only its own line
    assert.equal(dataset({ _UID: '1000', MESSAGE: ['a', 'b'] }), 'skipped');
    // SYSLOG_PID is the sender's word; a non-root sender's line is not sshd's whatever it says
    assert.notEqual(dataset({ _UID: '1000', _COMM: 'sshd', SYSLOG_IDENTIFIER: 'sshd', SYSLOG_PID: '1', MESSAGE: FAIL }), 'sshd');
    // a whole auth.log line as a root non-sshd process's message is not read as a syslog line
    assert.notEqual(dataset({ _UID: '0', _COMM: 'cron', _TRANSPORT: 'syslog', SYSLOG_IDENTIFIER: 'CRON', MESSAGE: `Dec  1 10:00:00 h sshd[1]: ${FAIL}` }), 'sshd');
  });
});
