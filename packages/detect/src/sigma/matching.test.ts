import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSigmaRules } from './engine.js';
import type { FieldValue, LogEvent } from '../model.js';
import { ev } from './events.case.js';

/** Compiles one rule from its detection block; returns a test of events, or throws with the problem. */
function rule(detection: string, logsource = 'category: webserver'): (e: LogEvent) => boolean {
  const text = `title: t\nid: r\nlogsource:\n  ${logsource}\ndetection:\n${detection.replace(/^/gm, '  ')}\n`;
  const r = compileSigmaRules([{ file: 't.yml', text }], { blackoutMs: 0 });
  if (r.problems.length) throw new Error(`${r.problems[0]!.reason}: ${r.problems[0]!.detail}`);
  return (e) => r.detector.onEvent(e).length > 0;
}
function problem(detection: string, logsource = 'category: webserver') {
  const text = `title: t\nid: r\nlogsource:\n  ${logsource}\ndetection:\n${detection.replace(/^/gm, '  ')}\n`;
  const r = compileSigmaRules([{ file: 't.yml', text }]);
  assert.equal(r.problems.length, 1, `expected one problem for:\n${detection}`);
  return r.problems[0]!;
}
const w = (fields: Record<string, FieldValue>, text = '') => ev('nginx.access', fields, text);

let cases = 0;
/** Asserts what a rule says of each event, counting the cases run. */
function check(m: (e: LogEvent) => boolean, table: [Record<string, FieldValue>, boolean, string?][]) {
  for (const [fields, want, text] of table) {
    assert.equal(m(w(fields, text ?? '')), want, `${JSON.stringify(fields)} ${text ?? ''}`);
    cases++;
  }
}

describe('Sigma values and modifiers', () => {
  it('plain values: exact, case-insensitive, wildcards and escapes', () => {
    check(rule('sel:\n  cs-method: get\ncondition: sel'), [[{ 'http.request.method': 'GET' }, true], [{ 'http.request.method': 'GETX' }, false], [{}, false]]);
    check(rule("sel:\n  c-uri: '/a*b?c'\ncondition: sel"), [
      [{ 'url.original': '/aXXbYc' }, true],
      [{ 'url.original': '/abYc' }, true],
      [{ 'url.original': '/abc' }, false],
      [{ 'url.original': '/A/B!C' }, true],
    ]);
    // \* is a star, \\* a backslash then a wildcard, \\\* a backslash then a star; a lone \ stays.
    check(rule("sel:\n  c-uri: 'a\\*'\ncondition: sel"), [[{ 'url.original': 'a*' }, true], [{ 'url.original': 'ab' }, false]]);
    check(rule("sel:\n  c-uri: 'a\\\\*'\ncondition: sel"), [[{ 'url.original': 'a\\xyz' }, true], [{ 'url.original': 'axyz' }, false]]);
    check(rule("sel:\n  c-uri: 'a\\\\\\*'\ncondition: sel"), [[{ 'url.original': 'a\\*' }, true], [{ 'url.original': 'a\\x' }, false]]);
    check(rule("sel:\n  c-uri: 'C:\\Windows\\?'\ncondition: sel"), [[{ 'url.original': 'c:\\windows?' }, true], [{ 'url.original': 'c:\\windowsx' }, false]]);
    check(rule("sel:\n  c-uri: '*'\ncondition: sel"), [[{ 'url.original': 'x' }, true], [{}, false]]);
    check(rule("sel:\n  c-uri: '*a*b*'\ncondition: sel"), [[{ 'url.original': 'xxaxxbxx' }, true], [{ 'url.original': 'xxbxxaxx' }, false]]);
  });

  it('numbers, booleans, empty and null', () => {
    check(rule('sel:\n  sc-status: 404\ncondition: sel'), [[{ 'http.response.status_code': 404 }, true], [{ 'http.response.status_code': '404' }, true], [{ 'http.response.status_code': 4040 }, false]]);
    check(rule("sel:\n  sc-status: '4*'\ncondition: sel"), [[{ 'http.response.status_code': 404 }, true], [{ 'http.response.status_code': 500 }, false]]);
    check(rule('sel:\n  mamori.decided: true\ncondition: sel'), [[{ 'mamori.decided': true }, true], [{ 'mamori.decided': 'TRUE' }, true], [{ 'mamori.decided': false }, false]]);
    check(rule("sel:\n  cs-referrer: ''\ncondition: sel"), [[{ 'http.request.referrer': '' }, true], [{ 'http.request.referrer': 'x' }, false], [{}, false]]);
    check(rule('sel:\n  cs-referrer: null\ncondition: sel'), [[{}, true], [{ 'http.request.referrer': '' }, true], [{ 'http.request.referrer': 'x' }, false]]);
    check(rule('sel:\n  cs-referrer: null\ncondition: not sel'), [[{ 'http.request.referrer': 'x' }, true], [{}, false]]);
  });

  it('lists are OR, maps are AND, lists of maps are OR, |all is AND', () => {
    check(rule('sel:\n  cs-method: [PUT, DELETE]\n  sc-status: 201\ncondition: sel'), [
      [{ 'http.request.method': 'PUT', 'http.response.status_code': 201 }, true],
      [{ 'http.request.method': 'delete', 'http.response.status_code': 201 }, true],
      [{ 'http.request.method': 'PUT', 'http.response.status_code': 200 }, false],
    ]);
    check(rule('sel:\n  - cs-method: PUT\n  - sc-status: 500\ncondition: sel'), [
      [{ 'http.request.method': 'PUT' }, true],
      [{ 'http.response.status_code': 500 }, true],
      [{ 'http.request.method': 'GET', 'http.response.status_code': 200 }, false],
    ]);
    check(rule('sel:\n  c-uri|contains|all: [admin, login]\ncondition: sel'), [[{ 'url.original': '/ADMIN/login' }, true], [{ 'url.original': '/admin/' }, false]]);
  });

  it('contains, startswith, endswith, cased', () => {
    check(rule('sel:\n  c-uri|contains: /wp-\ncondition: sel'), [[{ 'url.original': '/x/WP-login' }, true], [{ 'url.original': '/wp' }, false]]);
    check(rule('sel:\n  c-uri|startswith: /api\ncondition: sel'), [[{ 'url.original': '/API/v1' }, true], [{ 'url.original': '/v1/api' }, false]]);
    check(rule('sel:\n  c-uri|endswith: .php\ncondition: sel'), [[{ 'url.original': '/x.PHP' }, true], [{ 'url.original': '/x.php5' }, false]]);
    check(rule('sel:\n  c-uri|contains|cased: Admin\ncondition: sel'), [[{ 'url.original': '/Admin' }, true], [{ 'url.original': '/admin' }, false]]);
    check(rule("sel:\n  c-uri|startswith: '/a?c'\ncondition: sel"), [[{ 'url.original': '/abcd' }, true], [{ 'url.original': '/acd' }, false]]);
  });

  it('re with i, m and s; linear on a pathological input; backtracking constructs refused', () => {
    check(rule("sel:\n  c-uri|re: '^/(?:admin|root)/[a-z]+$'\ncondition: sel"), [[{ 'url.original': '/admin/panel' }, true], [{ 'url.original': '/Admin/panel' }, false]]);
    check(rule("sel:\n  c-uri|re|i: '^/admin'\ncondition: sel"), [[{ 'url.original': '/ADMIN' }, true]]);
    check(rule("sel:\n  message|re|m: '^error$'\ncondition: sel", 'category: application'), []);
    const multi = rule("sel:\n  message|re|m: '^error$'\ncondition: sel", 'category: application');
    assert.equal(multi(ev('json', { message: 'line\nerror\nmore' })), true);
    assert.equal(rule("sel:\n  message|re: '^error$'\ncondition: sel", 'category: application')(ev('json', { message: 'line\nerror\nmore' })), false);
    const dot = rule("sel:\n  message|re|s: 'a.b'\ncondition: sel", 'category: application');
    assert.equal(dot(ev('json', { message: 'a\nb' })), true);
    assert.equal(rule("sel:\n  message|re: 'a.b'\ncondition: sel", 'category: application')(ev('json', { message: 'a\nb' })), false);
    // (a+)+b on 100,000 a's: a backtracking engine would not return; RE2 answers at once.
    const evil = rule("sel:\n  c-uri|re: '(a+)+b'\ncondition: sel");
    assert.equal(evil(w({ 'url.original': 'a'.repeat(100_000) })), false);
    for (const p of ['(a)\\1', '(?=x)y', '(?<!x)y', '(?>a+)b', 'a++b']) {
      const pr = problem(`sel:\n  c-uri|re: '${p}'\ncondition: sel`);
      assert.equal(pr.reason, 'regular expression needs backtracking', p);
    }
    assert.equal(problem("sel:\n  c-uri|re: '(unclosed'\ncondition: sel").reason, 'bad regular expression');
    cases += 9;
  });

  it('cidr, v4 and v6', () => {
    check(rule("sel:\n  c-ip|cidr: ['192.0.2.0/24', '2001:db8::/32']\ncondition: sel"), [
      [{ 'source.ip': '192.0.2.77' }, true],
      [{ 'source.ip': '::ffff:192.0.2.1' }, true],
      [{ 'source.ip': '2001:db8:1::5' }, true],
      [{ 'source.ip': '192.0.3.1' }, false],
      [{ 'source.ip': 'not-an-ip' }, false],
    ]);
    assert.equal(problem("sel:\n  c-ip|cidr: '300.0.0.0/8'\ncondition: sel").reason, 'bad value');
  });

  it('gt, gte, lt, lte, on numbers and numeric strings', () => {
    check(rule('sel:\n  sc-bytes|gt: 1000\ncondition: sel'), [[{ 'http.response.body.bytes': 1001 }, true], [{ 'http.response.body.bytes': '1000' }, false], [{ 'http.response.body.bytes': 'x' }, false]]);
    check(rule('sel:\n  sc-bytes|gte: 1000\ncondition: sel'), [[{ 'http.response.body.bytes': '1000' }, true]]);
    check(rule('sel:\n  sc-status|lt: 400\ncondition: sel'), [[{ 'http.response.status_code': 399 }, true], [{ 'http.response.status_code': 400 }, false]]);
    check(rule('sel:\n  sc-status|lte: 400\ncondition: sel'), [[{ 'http.response.status_code': 400 }, true]]);
    assert.equal(problem("sel:\n  sc-status|gt: abc\ncondition: sel").reason, 'bad value');
  });

  it('exists, neq, fieldref', () => {
    check(rule('sel:\n  cs-referrer|exists: true\ncondition: sel'), [[{ 'http.request.referrer': '' }, true], [{}, false]]);
    check(rule('sel:\n  cs-referrer|exists: false\ncondition: sel'), [[{}, true], [{ 'http.request.referrer': 'x' }, false]]);
    check(rule('sel:\n  cs-method|neq: [GET, HEAD]\ncondition: sel'), [[{ 'http.request.method': 'POST' }, true], [{ 'http.request.method': 'get' }, false], [{}, false]]);
    check(rule('sel:\n  cs-referrer|fieldref: c-uri\ncondition: sel'), [[{ 'http.request.referrer': '/A', 'url.original': '/a' }, true], [{ 'http.request.referrer': '/a', 'url.original': '/b' }, false], [{ 'http.request.referrer': '/a' }, false]]);
    check(rule('sel:\n  cs-referrer|fieldref|neq: c-uri\ncondition: sel'), [[{ 'http.request.referrer': '/a', 'url.original': '/b' }, true]]);
  });

  it('base64, base64offset, utf16le / wide / utf16be / utf16, windash', () => {
    const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
    check(rule('sel:\n  cs-uri-query|base64|contains: whoami\ncondition: sel'), [[{ 'url.query': `x=${b64('whoami')}` }, true], [{ 'url.query': `x=${b64('whoami').toLowerCase()}` }, false]]);
    const off = rule('sel:\n  cs-uri-query|base64offset|contains: /etc/passwd\ncondition: sel');
    for (const pre of ['', 'a', 'ab', 'abc', 'cat ', 'xx cat ']) {
      assert.equal(off(w({ 'url.query': `q=${b64(`${pre}/etc/passwd and more`)}` })), true, pre);
      cases++;
    }
    check(rule('sel:\n  cs-uri-query|wide|base64offset|contains: cmd\ncondition: sel'), [[{ 'url.query': b64(Buffer.from('run cmd /c', 'utf16le')) }, true], [{ 'url.query': b64('run cmd /c') }, false]]);
    check(rule('sel:\n  cs-uri-query|utf16le|base64: ab\ncondition: sel'), [[{ 'url.query': b64(Buffer.from('ab', 'utf16le')) }, true]]);
    check(rule('sel:\n  cs-uri-query|utf16be|base64: ab\ncondition: sel'), [[{ 'url.query': b64(Buffer.from([0, 0x61, 0, 0x62])) }, true]]);
    check(rule('sel:\n  cs-uri-query|utf16|base64: ab\ncondition: sel'), [[{ 'url.query': b64(Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0])) }, true]]);
    check(rule("sel:\n  cs-uri-query|windash|contains: ' -enc '\ncondition: sel"), [
      [{ 'url.query': 'p.exe -enc x' }, true],
      [{ 'url.query': 'p.exe /enc x' }, true],
      [{ 'url.query': 'p.exe \u2013enc x' }, true],
      [{ 'url.query': 'p.exe +enc x' }, false],
    ]);
    assert.equal(problem("sel:\n  c-uri|base64: 'a*'\ncondition: sel").reason, 'bad value');
    assert.equal(problem('sel:\n  c-uri|wide: abc\ncondition: sel').reason, 'bad value');
  });

  it('keywords: a list, a lone string, |all, with wildcards; searched in the line and the message', () => {
    const k = rule("keywords:\n  - 'Invalid user'\n  - 'preauth*closed'\ncondition: keywords", 'product: linux\n  service: sshd');
    const s = (text: string, msg?: string) => ev('sshd', msg === undefined ? {} : { message: msg }, text);
    assert.equal(k(s('sshd[1]: INVALID USER bob')), true);
    assert.equal(k(s('Connection closed by 1.2.3.4 [preauth] x closed')), true);
    assert.equal(k(s('Accepted password')), false);
    assert.equal(k(s('journal line', 'invalid user x')), true, 'the message when the line does not hold it');
    const all = rule("kw:\n  '|all':\n    - alpha\n    - beta\ncondition: kw", 'product: linux');
    assert.equal(all(ev('pam', {}, 'beta then alpha')), true);
    assert.equal(all(ev('pam', {}, 'alpha only')), false);
    const lone = rule('kw: 404\ncondition: kw');
    assert.equal(lone(w({}, 'GET /x 404 12')), true);
    const cased = rule("kw:\n  '|cased':\n    - Alpha\ncondition: kw", 'product: linux');
    assert.equal(cased(ev('pam', {}, 'alpha')), false);
    assert.equal(cased(ev('pam', {}, 'Alpha')), true);
    cases += 10;
  });

  it('refuses unknown and unsupported modifiers, naming them', () => {
    for (const [mod, reason] of [
      ['bogus', 'unknown modifier'],
      ['expand', 'unsupported modifier'],
      ['hour', 'unsupported modifier'],
      ['i', 'unknown modifier'],
      ['contains|endswith', 'conflicting modifiers'],
      ['re|contains', 'conflicting modifiers'],
      ['cidr|gt', 'conflicting modifiers'],
    ] as const) {
      const p = problem(`sel:\n  c-uri|${mod}: x\ncondition: sel`);
      assert.equal(p.reason, reason, mod);
      assert.equal(p.line, 7, 'the line of the field');
      cases++;
    }
    assert.match(problem('sel:\n  c-uri|bogus: x\ncondition: sel').detail, /bogus/);
  });

  it(`ran its value cases`, () => {
    assert.ok(cases >= 100, `ran ${cases}`);
  });
});

describe('Sigma conditions', () => {
  const det = (cond: string) => `a:\n  cs-method: A\nb:\n  sc-status: 1\nc:\n  c-uri: c\nsel_x:\n  cs-referrer: x\nsel_y:\n  user.name: y\n_hidden:\n  url.query: h\ncondition: ${cond}`;
  // Events named by which identifiers they satisfy.
  const e = (which: string) =>
    w({
      'http.request.method': which.includes('a') ? 'A' : '-',
      'http.response.status_code': which.includes('b') ? 1 : 0,
      'url.original': which.includes('c') ? 'c' : '-',
      'http.request.referrer': which.includes('x') ? 'x' : '-',
      'user.name': which.includes('y') ? 'y' : '-',
      'url.query': which.includes('h') ? 'h' : '-',
    });
  const truth: [string, Record<string, boolean>][] = [
    ['a and b', { ab: true, a: false, b: false }],
    ['a or b', { a: true, b: true, '': false }],
    ['not a', { a: false, b: true }],
    ['a or b and c', { a: true, bc: true, b: false }],
    ['(a or b) and c', { a: false, ac: true, bc: true }],
    ['not a and b', { b: true, ab: false }],
    ['not (a and b)', { ab: false, a: true }],
    ['a AND NOT b OR c', { a: true, ab: false, c: true }],
    ['1 of sel_*', { x: true, y: true, a: false }],
    ['all of sel_*', { xy: true, x: false }],
    ['not 1 of sel_*', { '': true, x: false }],
    ['1 of sel_* and not a', { x: true, xa: false }],
    ['1 of them', { h: false, a: true }],
    ['all of them', { abcxy: true, abcx: false, abcxyh: true }],
    ['2 of sel_*', { xy: true, x: false }],
    ['1 of _hidden', { h: true }],
    ['((a))', { a: true }],
    ['not not a', { a: true, '': false }],
  ];
  it(`evaluates ${truth.length} conditions per the specification's precedence`, () => {
    let n = 0;
    for (const [cond, table] of truth) {
      const m = rule(det(cond));
      for (const [which, want] of Object.entries(table)) {
        assert.equal(m(e(which)), want, `${cond} on {${which}}`);
        n++;
      }
    }
    assert.equal(n, 41);
  });

  it('identifier patterns do not backtrack on long names', () => {
    // A backtracking matcher would take years on the first name; this one reads it once per star.
    const long = `s${'a'.repeat(1000)}`;
    const fits = `s${'a'.repeat(40)}b`;
    const m = rule(`${long}:\n  cs-method: A\n${fits}:\n  cs-method: A\ncondition: 1 of s${'*a'.repeat(40)}*b*`);
    assert.equal(m(e('a')), true);
    assert.equal(m(e('')), false);
  });

  it('a list of conditions is an OR', () => {
    const m = rule('a:\n  cs-method: A\nb:\n  sc-status: 1\ncondition:\n  - a\n  - b');
    assert.equal(m(e('b')), true);
    assert.equal(m(e('')), false);
  });

  it('refuses what it cannot run, with the reason', () => {
    for (const [cond, what] of [
      ['a | count() by c-ip > 5', /aggregation/],
      ['a near b', /near/],
      ['a and', /ends too early/],
      ['(a or b', /without its "\)"/],
      ['a or b)', /unexpected/],
      ['missing', /does not define/],
      ['1 of nothing*', /matches no search identifier/],
      ['x of a', /number or all/],
      ['and a', /left-hand side/],
      [`${'('.repeat(100)}a${')'.repeat(100)}`, /deeper than 64/],
    ] as const) {
      const p = problem(det(cond));
      assert.equal(p.reason, 'unsupported condition', cond);
      assert.match(p.detail, what, cond);
      assert.equal(p.line, 18, 'the line of the condition');
    }
  });
});
