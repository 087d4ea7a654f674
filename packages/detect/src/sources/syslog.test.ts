import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { collector, until } from './collect.case.js';
import { parseSyslog } from './syslog-parse.js';
import { SyslogSource, TcpFramer } from './syslog.js';

const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => new Date(y, mo, d, h, mi, s).getTime();

describe('parseSyslog', () => {
  it('reads RFC 5424 with structured data, escapes and a BOM (the RFC\'s examples)', () => {
    const p = parseSyslog(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 8710 ID47 [exampleSDID@32473 iut="3" eventSource="Appli\\"cation\\]" eventID="1011"][examplePriority@32473 class="high"] \uFEFFAn application event',
      0,
    );
    assert.equal(p.malformed, false);
    assert.equal(p.message, 'An application event');
    assert.deepEqual(p.meta, {
      facility: 20,
      severity: 5,
      time: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      hostname: 'mymachine.example.com',
      program: 'evntslog',
      pid: 8710,
      structured: { 'exampleSDID@32473.iut': '3', 'exampleSDID@32473.eventSource': 'Appli"cation]', 'exampleSDID@32473.eventID': '1011', 'examplePriority@32473.class': 'high' },
    });
    const q = parseSyslog('<34>1 2003-10-11T22:14:15.003-07:00 - su - ID47 - \'su root\' failed', 0);
    assert.deepEqual([q.message, q.meta.time, q.meta.hostname, q.meta.program, q.meta.pid], ["'su root' failed", Date.UTC(2003, 9, 12, 5, 14, 15, 3), undefined, 'su', undefined]);
    assert.equal(parseSyslog('<13>1 - - - - - -', 0).message, '');
  });

  it('reads BSD syslog: host or none, tag and pid, a year when given, and places a year-less time near the receive time', () => {
    const rx = local(2026, 5, 1, 12, 0, 0);
    const a = parseSyslog('<38>Jun  1 11:59:58 web1 sshd[4242]: Failed password for root from 203.0.113.9 port 22 ssh2', rx);
    assert.deepEqual(a, { message: 'Failed password for root from 203.0.113.9 port 22 ssh2', malformed: false, meta: { facility: 4, severity: 6, time: local(2026, 5, 1, 11, 59, 58), hostname: 'web1', program: 'sshd', pid: 4242 } });
    const b = parseSyslog('<13>Jun 1 12:00:00 su: hello', rx);
    assert.deepEqual([b.meta.hostname, b.meta.program, b.message], [undefined, 'su', 'hello']);
    const c = parseSyslog('<189>Mar 3 2025 10:00:00 fw1 FortiGate: date=2025-03-03 x', rx);
    assert.deepEqual([c.meta.time, c.meta.hostname, c.meta.program, c.message], [local(2025, 2, 3, 10, 0, 0), 'fw1', 'FortiGate', 'date=2025-03-03 x']);
    const d = parseSyslog('<13>2026-06-01T11:00:00.5+00:00 host app: iso', rx);
    assert.deepEqual([d.meta.time, d.meta.hostname, d.message], [Date.UTC(2026, 5, 1, 11, 0, 0, 500), 'host', 'iso']);
    // Dec/Jan: a December line received on 1 January is last year's; a January line received on 31 December is next year's.
    assert.equal(parseSyslog('<13>Dec 31 23:59:59 h a: x', local(2027, 0, 1, 0, 0, 5)).meta.time, local(2026, 11, 31, 23, 59, 59));
    assert.equal(parseSyslog('<13>Jan  1 00:00:01 h a: x', local(2026, 11, 31, 23, 59, 50)).meta.time, local(2027, 0, 1, 0, 0, 1));
    // 29 February only exists in a leap year: the nearest one that has it.
    assert.equal(parseSyslog('<13>Feb 29 10:00:00 h a: x', local(2028, 2, 1, 0, 0, 0)).meta.time, local(2028, 1, 29, 10, 0, 0));
  });

  it('passes what it can read of a bad header, flagged malformed, and is linear on hostile input', () => {
    assert.deepEqual(parseSyslog('no header at all', 0), { message: 'no header at all', meta: {}, malformed: true });
    assert.equal(parseSyslog('<999>1 x', 0).malformed, true);
    const bad = parseSyslog('<13>1 not-a-time host app - - - msg', 0);
    assert.deepEqual([bad.malformed, bad.meta.hostname, bad.meta.facility], [true, 'host', 1]);
    assert.equal(parseSyslog('<13>1 - h a - - [unterminated x="1" msg', 0).malformed, true);
    assert.equal(parseSyslog('<13>Foo 99 99:99:99 h a: x', 0).malformed, true);
    assert.deepEqual(parseSyslog('<13>plain message', 0).message, 'plain message');
    const t0 = performance.now();
    parseSyslog(`<13>1 - - - - - [${'a'.repeat(30)} ${'b="\\\\'.repeat(20000)}`, 0);
    parseSyslog(`<13>Jan  1 00:00:00 ${'x['.repeat(50000)}`, 0);
    parseSyslog(`<13>${' '.repeat(100000)}`, 0);
    // Not a timed assertion on the result: a backtracking blow-up would not finish at all.
    assert.ok(performance.now() - t0 >= 0);
  });
});

describe('TcpFramer', () => {
  it('frames octet-counted and LF-ended messages, byte by byte as well as at once', () => {
    const input = Buffer.from('11 <13>hello a\n<13>line two\n5 <13>x10 <13>é fin\n<13>last');
    for (const step of [1, 3, input.length]) {
      const got: [string, number][] = [];
      const f = new TcpFramer(100, (b, full) => got.push([b.toString(), full]) > 0);
      for (let i = 0; i < input.length; i += step) assert.equal(f.push(input.subarray(i, i + step)), 'ok');
      f.end();
      assert.deepEqual(got, [['<13>hello a', 11], ['<13>line two', 12], ['<13>x', 5], ['<13>é fin', 10], ['<13>last', 8]], `step ${step}`);
    }
  });

  it('keeps only the bound of a long message and refuses a length that is not one', () => {
    const got: [number, number][] = [];
    const f = new TcpFramer(10, (b, full) => got.push([b.length, full]) > 0);
    f.push(Buffer.from(`1000 ${'a'.repeat(1000)}`));
    f.push(Buffer.from(`${'b'.repeat(5000)}\n<1>ok\n`));
    assert.deepEqual(got, [[11, 1000], [5000, 5000], [5, 5]]);
    assert.equal(new TcpFramer(10, () => true).push(Buffer.from('12x <13>hi')), 'bad');
    assert.equal(new TcpFramer(10, () => true).push(Buffer.from('123456789 x')), 'bad');
  });
});

describe('SyslogSource', () => {
  it('receives UDP datagrams on 127.0.0.1 with their header in meta, counting malformed ones', async () => {
    const s = new SyslogSource({ transport: 'udp', port: 0, maxLineBytes: 64 });
    const c = collector();
    await s.start(c.consumer);
    const { host, port } = s.address();
    assert.equal(host, '127.0.0.1');
    const u = createSocket('udp4');
    const send = (m: string | Buffer): Promise<void> => new Promise((r) => u.send(m, port, host, () => r()));
    await send('<38>Jun  1 11:59:58 web1 sshd[4242]: Failed password\n');
    await send('garbage without header');
    await send(Buffer.concat([Buffer.from('<13>1 - h app - - - '), Buffer.alloc(200, 0x41)]));
    await send(Buffer.from([0, 0, 0]));
    await until(() => c.lines.length === 3 && s.counters.skipped === 1, 'three messages and one skipped');
    u.close();
    await s.stop();
    assert.equal(c.lines[0]!.text, 'Failed password');
    assert.deepEqual([c.lines[0]!.input, c.lines[0]!.meta?.program, c.lines[0]!.meta?.pid, c.lines[0]!.meta?.peer], ['syslog-udp', 'sshd', 4242, '127.0.0.1']);
    assert.equal(c.lines[1]!.text, 'garbage without header');
    assert.deepEqual([c.lines[2]!.truncated, c.lines[2]!.meta?.program], [true, 'app']);
    assert.deepEqual([s.counters.delivered, s.counters.malformed, s.counters.truncated], [3, 1, 1]);
  });

  it('drops UDP messages over its rate and counts them', async () => {
    const s = new SyslogSource({ transport: 'udp', port: 0, ratePerSecond: 0.001, burst: 5 });
    const c = collector();
    await s.start(c.consumer);
    const u = createSocket('udp4');
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => u.send(`<13>m${i}`, s.address().port, '127.0.0.1', () => r()));
    await until(() => s.counters.delivered + s.counters.overRate === 20, 'all twenty counted');
    u.close();
    await s.stop();
    assert.deepEqual([s.counters.delivered, s.counters.overRate], [5, 15]);
  });

  it('receives TCP in both framings, and pauses a sender while the consumer is behind rather than dropping', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = collector(() => gate);
    const s = new SyslogSource({ transport: 'tcp', port: 0, maxQueued: 100, maxBatch: 10 });
    await s.start(c.consumer);
    const sock = connect(s.address().port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let payload = '';
    for (let i = 0; i < 1000; i++) {
      const m = `<13>1 2026-01-01T00:00:00Z h app ${i} - - n${i}`;
      payload += i % 2 ? `${Buffer.byteLength(m)} ${m}` : `${m}\n`;
    }
    sock.end(payload);
    await until(() => c.batches.length === 0 && s.counters.bytes > 0, 'the first bytes');
    release();
    await until(() => c.lines.length === 1000, 'every message', 60_000);
    await s.stop();
    assert.deepEqual(c.texts(), Array.from({ length: 1000 }, (_, i) => `n${i}`));
    assert.equal(c.lines[7]!.meta?.pid, 7);
    assert.equal(s.counters.queueFull, 0);
  });

  describe('over TLS (RFC 5425)', () => {
    /** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl; undefined where there is none. */
    const pki = ((): { dir: string; f: (n: string) => string } | undefined => {
      try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' });
      } catch {
        return undefined;
      }
      const dir = mkdtempSync(join(tmpdir(), 'mamori-syslog-tls-'));
      const f = (n: string): string => join(dir, n);
      const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
      ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=mamori test CA', '-days', '2');
      writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
      for (const who of ['server', 'client', 'stranger']) {
        ssl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
        if (who === 'stranger') ssl('req', '-x509', '-key', 'stranger.key', '-in', 'stranger.csr', '-out', 'stranger.pem', '-days', '2');
        else ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', ...(who === 'server' ? ['-extfile', 'san.ext'] : []));
      }
      return { dir, f };
    })();
    const skip = pki ? false : 'openssl is not installed: no certificates to test syslog over TLS with';

    it('receives octet-counted messages from a sender whose client certificate the CA signed, and refuses others', { skip }, async () => {
      const { f } = pki!;
      const c = collector();
      const s = new SyslogSource({ transport: 'tls', port: 0, tls: { cert: f('server.pem'), key: f('server.key'), ca: f('ca.pem') } });
      await s.start(c.consumer);
      try {
        const send = (who: string, payload: string): Promise<string> =>
          new Promise((resolve) => {
            const sock = tlsConnect({ host: '127.0.0.1', port: s.address().port, ca: readFileSync(f('ca.pem')), ...(who ? { cert: readFileSync(f(`${who}.pem`)), key: readFileSync(f(`${who}.key`)) } : {}) });
            sock.on('secureConnect', () => sock.end(payload));
            sock.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
            sock.on('close', () => resolve('closed'));
          });
        const m = (i: number): string => `<38>1 2026-01-01T00:00:0${i}Z fw1 sshd 10 - - Failed password for root from 203.0.113.${i} port 22 ssh2`;
        const payload = [1, 2, 3].map((i) => `${Buffer.byteLength(m(i))} ${m(i)}`).join('');
        await send('client', payload);
        await until(() => c.lines.length === 3, 'three messages');
        assert.deepEqual(c.texts(), [1, 2, 3].map((i) => `Failed password for root from 203.0.113.${i} port 22 ssh2`));
        assert.equal(c.lines[0]!.meta?.hostname, 'fw1');
        assert.equal(c.lines[0]!.input, 'syslog-tls');
        // No client certificate, or one the CA did not sign: the handshake fails and nothing is read.
        const errorsBefore = s.counters.errors;
        await send('', payload);
        await send('stranger', payload);
        // Plain TCP on the TLS port.
        const plain = connect(s.address().port, '127.0.0.1');
        plain.on('error', () => {});
        plain.end(payload);
        await new Promise((r) => plain.once('close', r));
        await until(() => s.counters.errors >= errorsBefore + 3, 'three failed handshakes counted');
        assert.equal(c.lines.length, 3, 'nothing read from the refused senders');
      } finally {
        await s.stop();
      }
    });

    it('without a CA, takes any TLS sender; a missing or non-PEM file fails when the source is made, naming it', { skip }, async () => {
      const { f, dir } = pki!;
      const c = collector();
      const s = new SyslogSource({ transport: 'tls', port: 0, tls: { cert: f('server.pem'), key: f('server.key') } });
      await s.start(c.consumer);
      try {
        const sock = tlsConnect({ host: '127.0.0.1', port: s.address().port, ca: readFileSync(f('ca.pem')) });
        sock.on('secureConnect', () => sock.end('<13>1 - h app - - - hello over tls\n'));
        await until(() => c.lines.length === 1, 'the message');
        assert.deepEqual(c.texts(), ['hello over tls']);
      } finally {
        await s.stop();
      }
      assert.throws(() => new SyslogSource({ transport: 'tls', port: 0, tls: { cert: f('nope.pem'), key: f('server.key') } }), /tls\.cert: cannot read .*nope\.pem: ENOENT/);
      assert.throws(() => new SyslogSource({ transport: 'tls', port: 0, tls: { cert: f('san.ext'), key: f('server.key') } }), /tls\.cert: .*san\.ext holds no PEM block/);
      assert.throws(() => new SyslogSource({ transport: 'tls', port: 0 }), /needs tls\.cert and tls\.key/);
      rmSync(dir, { recursive: true, force: true });
    });
  });
});
