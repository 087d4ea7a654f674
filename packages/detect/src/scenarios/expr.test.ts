import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from 'mamori';
import { compileExpr, type Fields } from './expr.js';
import { WordList } from './word-list.js';

const origin = { file: 'x.yaml', line: 3, col: 9 };
const lists = new Map([['paths', new WordList('paths', ['/.env', '/.git/', '/wp-login.php'], { caseInsensitive: true })]]);
const c = (text: string) => compileExpr(text, origin, { lists });
const ev: Fields = {
  'event.dataset': 'nginx.access',
  'source.ip': '203.0.113.9',
  'http.response.status_code': 404,
  'url.path': '/app/.ENV',
  'user.name': 'Alice',
  'status.text': '401',
  'flag': true,
};

describe('filter expressions', () => {
  it('compares text, numbers (given as numbers or text) and booleans', () => {
    assert.equal(c('event.dataset == "nginx.access"')(ev), true);
    assert.equal(c("event.dataset != 'nginx.access'")(ev), false);
    assert.equal(c('http.response.status_code == 404')(ev), true);
    assert.equal(c('http.response.status_code >= 400 and http.response.status_code < 500')(ev), true);
    assert.equal(c('http.response.status_code > 404')(ev), false);
    assert.equal(c('status.text == 401')(ev), true, 'a number literal compares numerically with text');
    assert.equal(c('status.text <= 400')(ev), false);
    assert.equal(c('flag == true')(ev), true);
    assert.equal(c('http.response.status_code in [401, 403, 404]')(ev), true);
    assert.equal(c('http.response.status_code not in [401, 403]')(ev), true);
    assert.equal(c('user.name in ["alice"]')(ev), false, 'in is exact');
  });

  it('string operators, case-insensitive forms and lists', () => {
    assert.equal(c('url.path contains ".ENV"')(ev), true);
    assert.equal(c('url.path contains ".env"')(ev), false);
    assert.equal(c('url.path icontains ".env"')(ev), true);
    assert.equal(c('url.path startswith "/app"')(ev), true);
    assert.equal(c('url.path iendswith "/.env"')(ev), true);
    assert.equal(c('url.path contains @paths')(ev), true, 'lists fold case when they say so');
    assert.equal(c('url.path startswith @paths')(ev), false);
    assert.equal(c('url.path endswith @paths')(ev), true);
    assert.equal(c('url.path == @paths')(ev), false);
    assert.equal(c('url.path in @paths')({ 'url.path': '/WP-LOGIN.php' }), true);
  });

  it('cidr, matches, exists, not, and/or precedence and parentheses', () => {
    assert.equal(c('source.ip cidr "203.0.113.0/24"')(ev), true);
    assert.equal(c('source.ip cidr ["10.0.0.0/8", "192.168.0.0/16"]')(ev), false);
    assert.equal(c('source.ip cidr "::/0"')(ev), false);
    assert.equal(c('user.name matches "^[A-Z][a-z]+$"')(ev), true);
    assert.equal(c('user.name matches "(?i)^alice$"')(ev), true);
    assert.equal(c('user.name exists and not mamori.ioc exists')(ev), true);
    assert.equal(c('mamori.ioc exists')(ev), false);
    // and binds tighter than or
    assert.equal(c('flag == false and user.name == "Alice" or event.dataset == "nginx.access"')(ev), true);
    assert.equal(c('flag == false and (user.name == "Alice" or event.dataset == "nginx.access")')(ev), false);
    assert.equal(c('not not flag == true')(ev), true);
  });

  it('a missing field makes every comparison false, != and not in included', () => {
    for (const t of ['x == "a"', 'x != "a"', 'x < 3', 'x != 3', 'x in [1]', 'x not in [1]', 'x contains "a"', 'x matches "a"', 'x cidr "0.0.0.0/0"', 'x == @paths', 'x != @paths']) {
      assert.equal(c(t)({}), false, t);
    }
  });

  it('errors name file:line:col, on the expression\'s own line', () => {
    const cases: [string, RegExp][] = [
      ['user.name ==', /^x\.yaml:3:21: .*expected a value.*end of the expression/],
      ['user.name === "a"', /^x\.yaml:3:21: unexpected character "="/],
      ['(a == 1', /^x\.yaml:3:16: expected "\)"/],
      ['a == 1 b == 2', /^x\.yaml:3:16: unexpected "b" \(a missing "and" or "or"\?\)/],
      ['a contains @nope', /^x\.yaml:3:20: no list is named "nope" \(lists: paths\)/],
      ['a matches "(a)\\\\1"', /^x\.yaml:3:19: the regular expression cannot run in linear time/],
      ['a matches "(?=x)"', /linear time/],
      ['a cidr "10.0.0.0/33"', /^x\.yaml:3:16: not an address range/],
      ['a == "unclosed', /^x\.yaml:3:14: a string is not closed/],
      ['a <', /expected a value/],
      ['and == 1', /^x\.yaml:3:9: expected a field name/],
      ['a in []', /the list is empty/],
      ['a < @paths', /cannot compare with a list/],
      ['a icontains @paths', /a list says itself whether it ignores case/],
      ['a == 1 and\n  b ==', /^x\.yaml:4:7: /],
      ['', /the expression is empty/],
    ];
    for (const [text, re] of cases) {
      assert.throws(() => c(text), (err: unknown) => isMamoriError(err, 'MAMORI_ERR_DETECT_SCENARIO') && re.test((err as Error).message), text);
    }
  });

  it('bounded: nesting, size and the number of values', () => {
    assert.throws(() => c(`${'('.repeat(100)}a == 1${')'.repeat(100)}`), /nests deeper than 64/);
    assert.throws(() => c(`${'not '.repeat(100)}a == 1`), /nests deeper than 64/);
    assert.throws(() => c('a == 1 or '.repeat(1000) + 'a == 1'), /longer than 8192|more than 2000 parts/);
  });

  it('a pathological regex on a long hostile value runs in linear time', () => {
    const p = c('user.name matches "^(a+)+$"');
    const hostile = `${'a'.repeat(100_000)}!`;
    // A backtracking engine takes longer than the universe's age here; the DFA answers at once.
    assert.equal(p({ 'user.name': hostile }), false);
    assert.equal(p({ 'user.name': 'aaaa' }), true);
  });
});
