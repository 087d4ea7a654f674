import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadSigmaRules } from './engine.js';
import type { Alert, LogEvent } from '../model.js';
import { ev, sshd, web } from './events.case.js';

const RULES = fileURLToPath(new URL('../../src/sigma/testdata/rules/', import.meta.url));
const id = (n: number) => `5a1c7c1e-0b6f-4f7e-9d61-2f3c1b1d${String(n).padStart(4, '0')}`;

// Each event alone (a fresh detector, so blackouts and correlations do not carry over), and the rules it must fire.
const CASES: [string, LogEvent, string[]][] = [
  ['traversal in the query', web('/download', { query: 'file=../../etc/passwd' }), [id(1)]],
  ['traversal with backslashes', web('/download', { query: 'file=..\\..\\boot.ini' }), [id(1)]],
  ['encoded traversal, case folded', web('/static/%2E%2E%2Fetc/passwd'), [id(1)]],
  ['traversal in the path with /etc/', web('/static/../../etc/shadow'), [id(1)]],
  ['a plain page', web('/products/42', { query: 'sort=price' }), []],
  ['.env probe answered 404', web('/.env', { status: 404 }), [id(2)]],
  ['.env served', web('/app/.env'), [id(2), id(3)]],
  ['.env served to a HEAD', web('/.env', { method: 'HEAD' }), [id(2)]],
  ['.git/HEAD in another case', web('/.GIT/head', { status: 403 }), [id(2)]],
  ['.envelope is not .env', web('/.envelope'), []],
  ['sqlmap', web('/search', { ua: 'sqlmap/1.7.2#stable (https://sqlmap.org)' }), [id(4)]],
  ['nuclei in lower case', web('/', { ua: 'Mozilla/5.0 nuclei (projectdiscovery)' }), [id(4)]],
  ['empty user agent', web('/', { ua: '' }), [id(4)]],
  ['dash user agent', web('/', { ua: '-' }), [id(4)]],
  ['scanner from the monitoring range', web('/', { ua: 'nikto', ip: '10.1.2.3' }), []],
  ['no user agent field at all', ev('nginx.access', { 'url.path': '/', 'source.ip': '198.51.100.1' }, 'x'), [id(4)]],
  ['webshell cmd=', web('/uploads/x.php', { query: 'cmd=id' }), [id(5)]],
  ['webshell, extension upper case', web('/images/shell.PhP5', { query: 'exec=ls' }), [id(5)]],
  ['webshell, base64 command at offset 0', web('/a.jsp', { query: `q=${Buffer.from('whoami').toString('base64')}` }), [id(5)]],
  ['webshell, base64 command at offset 1', web('/a.jsp', { query: `q=${Buffer.from(';whoami;').toString('base64')}` }), [id(5)]],
  ['webshell, base64 command at offset 2', web('/a.jsp', { query: `q=${Buffer.from('; /bin/sh -i').toString('base64')}` }), [id(5)]],
  ['webshell POST into uploads', web('/wp-content/uploads/2023/x.php', { method: 'POST', status: 200 }), [id(5)]],
  ['POST into uploads refused', web('/wp-content/uploads/2023/x.php', { method: 'POST', status: 403 }), []],
  ['php page with a harmless query', web('/index.php', { query: 'page=2' }), []],
  ['invalid user', sshd('Invalid user admin from 203.0.113.5 port 50000', { ip: '203.0.113.5', user: 'admin' }), [id(6)]],
  ['failed password for an invalid user', sshd('Failed password for invalid user oracle from 203.0.113.5 port 2 ssh2', { ip: '203.0.113.5', user: 'oracle' }), [id(6)]],
  ['failed password is informational: no alert of its own', sshd('Failed password for root from 203.0.113.5 port 2 ssh2', { ip: '203.0.113.5', user: 'root' }), []],
  ['root login accepted (auth collection)', sshd('Accepted publickey for root from 192.0.2.1 port 4 ssh2: RSA SHA256:x'), [id(11)]],
  ['pam failure for root: both words', ev('pam', {}, 'Nov 14 host sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1  user=root'), [id(10)]],
  ['pam failure for another user', ev('pam', {}, 'pam_unix(sshd:auth): authentication failure; user=alice'), []],
  ['application SQL error at level error', ev('json', { 'log.level': 'error', message: 'SQLSTATE[42000]: Syntax error' }, '{"level":"error","message":"SQLSTATE[42000]: Syntax error"}'), [id(12)]],
  ['application SQL error at level info', ev('json', { 'log.level': 'info', message: 'SQLSTATE[42000]: Syntax error' }, '{}'), []],
  ['a web rule does not run on sshd', ev('sshd', { 'url.query': '../../' }, '../../'), []],
];

describe('Sigma fixture rules', () => {
  const loaded = loadSigmaRules(RULES);

  it('loads every rule of testdata/rules', () => {
    assert.deepEqual(loaded.problems, []);
    assert.equal(loaded.files, 7);
    assert.equal(loaded.rules.filter((r) => r.kind === 'rule').length, 10);
    assert.equal(loaded.rules.filter((r) => r.kind === 'correlation').length, 2);
    const auth = loaded.rules.find((r) => r.detector === id(11))!;
    assert.equal(auth.level, 'high', 'a document overrides the global level');
    assert.equal(loaded.rules.find((r) => r.detector === id(10))!.level, 'medium', 'the global level');
  });

  it(`fires the expected rules for ${CASES.length} events`, () => {
    let ran = 0;
    for (const [what, event, want] of CASES) {
      const { detector } = loadSigmaRules(RULES);
      const got = detector.onEvent(event).map((a) => a.detector).sort();
      assert.deepEqual(got, [...want].sort(), what);
      ran++;
    }
    assert.equal(ran, 33);
  });

  it('fills the alert: severity, group, MITRE ids, samples, a stable id', () => {
    const { detector } = loadSigmaRules(RULES);
    const e = web('/x', { query: 'a=../../etc/passwd', time: 5000 });
    const [a] = detector.onEvent(e);
    assert.ok(a);
    assert.equal(a.kind, 'sigma');
    assert.equal(a.severity, 'high');
    assert.deepEqual(a.group, { 'source.ip': '203.0.113.9' });
    assert.deepEqual(a.mitre, ['T1190']);
    assert.equal(a.samples[0], e);
    assert.equal(a.count, 1);
    assert.equal(a.firstTime, 5000);
    const again = loadSigmaRules(RULES).detector.onEvent(e)[0]!;
    assert.equal(again.id, a.id);
  });

  it('raises one alert per rule and source within the blackout', () => {
    const { detector } = loadSigmaRules(RULES, { blackoutMs: 60_000 });
    let n = 0;
    for (let i = 0; i < 100; i++) n += detector.onEvent(web('/.env', { status: 404, time: 1000 + i * 100 })).length;
    assert.equal(n, 1);
    n += detector.onEvent(web('/.env', { status: 404, time: 1000 + 60_000 })).length;
    n += detector.onEvent(web('/.env', { status: 404, time: 1001, ip: '198.51.100.7' })).length;
    assert.equal(n, 3);
    assert.equal(detector.stats.suppressed, 99);
  });

  it('counts failed passwords per source into one correlation alert', () => {
    const { detector } = loadSigmaRules(RULES);
    const alerts: Alert[] = [];
    for (let i = 0; i < 4; i++) alerts.push(...detector.onEvent(sshd('Failed password for root from 203.0.113.5', { ip: '203.0.113.5', user: 'root', time: 10_000 + i * 1000 })));
    assert.equal(alerts.length, 0);
    // Another source does not add up with the first.
    alerts.push(...detector.onEvent(sshd('Failed password for root from 203.0.113.6', { ip: '203.0.113.6', user: 'root', time: 14_000 })));
    assert.equal(alerts.length, 0);
    alerts.push(...detector.onEvent(sshd('Failed password for root from 203.0.113.5', { ip: '203.0.113.5', user: 'root', time: 15_000 })));
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    assert.equal(a.detector, id(8));
    assert.deepEqual(a.group, { 'source.ip': '203.0.113.5' });
    assert.equal(a.count, 5);
    assert.equal(a.firstTime, 10_000);
    assert.equal(a.time, 15_000);
    assert.deepEqual(a.mitre, ['T1110.001']);
    assert.equal(a.severity, 'high');
  });

  it('counts distinct accounts per source (value_count across two rules)', () => {
    const { detector } = loadSigmaRules(RULES);
    const out = [
      ...detector.onEvent(sshd('Failed password for root from 192.0.2.50', { ip: '192.0.2.50', user: 'root', time: 1000 })),
      ...detector.onEvent(sshd('Failed password for root from 192.0.2.50', { ip: '192.0.2.50', user: 'root', time: 2000 })),
      ...detector.onEvent(sshd('Invalid user test from 192.0.2.50', { ip: '192.0.2.50', user: 'test', time: 3000 })),
    ];
    assert.deepEqual(out.map((a) => a.detector), [id(6)]);
    const more = detector.onEvent(sshd('Invalid user guest from 192.0.2.50', { ip: '192.0.2.50', user: 'guest', time: 4000 }));
    assert.deepEqual(more.map((a) => a.detector).sort(), [id(9)], 'the invalid-user alert for this source is within its blackout');
    assert.equal(more[0]!.count, 4);
  });
});
