import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertLinear, compilePattern, readPatternFile } from './grok.js';
import { BUILTIN_PATTERNS_YAML } from './patterns.js';
import { createParsers } from './registry.js';

const LIB = readPatternFile(BUILTIN_PATTERNS_YAML, 'built-in').library;

describe('grok: compile', () => {
  it('the built-in library and formats compile', () => {
    const { formats } = readPatternFile(BUILTIN_PATTERNS_YAML, 'built-in');
    for (const k of ['access', 'nginx.error', 'apache.error', 'sshd', 'pam']) assert.ok((formats.get(k)?.length ?? 0) > 0, k);
  });
  it('captures become fields with their types', () => {
    const p = compilePattern('^%{INT:source.port:int} %{NOTSPACE:user.name}', LIB, 't');
    assert.deepEqual(p.captures, [{ field: 'source.port', type: 'int' }, { field: 'user.name', type: 'str' }]);
    assert.ok(p.regex.test('22 root'));
  });
  const refused: [string, string, RegExp][] = [
    ['a nested quantifier', '^(?:a+)+$', /repeated group/],
    ['a nested quantifier through a library pattern', '^(?:%{NOTSPACE} )*x', /repeated group/],
    ['no anchor', '%{INT:x}', /anchored/],
    ['a capturing group of its own', '^(a)', /capturing group/],
    ['a backreference', '^(?:a)\\1', /backreference/],
    ['a lookahead', '^(?=a)', /lookaround/],
    ['two any-runs', '^%{GREEDYDATA:a} %{GREEDYDATA:b}$', /more than one/],
    ['a repeated alternation with overlapping branches', '^(?:a|a)*b', /alternatives can match the same text/],
    ['a repeated alternation of classes', '^(?:\\w|\\d)+$', /alternatives can match the same text/],
    ['a repeated alternation whose class admits the other branch', '^(?:[^"]|\\\\.)*"', /alternatives can match the same text/],
    ['an unknown pattern', '^%{NOPE:x}', /no pattern named/],
    ['an unknown type', '^%{INT:x:float}', /type must be one of/],
  ];
  for (const [what, pattern, msg] of refused) {
    it(`refuses ${what}`, () => assert.throws(() => compilePattern(pattern, LIB, 'test.yaml: formats.x[0]'), (e: Error) => msg.test(e.message) && e.message.startsWith('test.yaml')));
  }
  it('accepts bounded repeats and alternations of single characters', () => {
    assertLinear('^(?:[^"\\\\]|\\\\.)*"(?:ab){2,3}', 't');
    assertLinear('^(?:a|b|\\.)*$', 't');
  });
});

describe('grok: a user pattern file', () => {
  const yaml = `
patterns:
  APPUSER: '[a-z0-9._-]{1,64}'
formats:
  myapp:
    - name: login-failed
      prefix: 'LOGIN FAIL '
      match: '^LOGIN FAIL user=%{APPUSER:user.name} ip=%{IP:source.ip:source} at=%{NOTSPACE:-:iso}$'
      set: { event.action: login, event.outcome: failure, event.category: authentication }
`;
  it('adds a parser named after its format', () => {
    const ps = createParsers({ patterns: yaml, patternsSource: 'my.yaml', timeZone: 'utc' });
    const e = ps.get('myapp').parse({ text: 'LOGIN FAIL user=bob ip=::ffff:203.0.113.9 at=2026-12-03T14:00:00Z', input: 't', receivedAt: 0 });
    assert.deepEqual(e?.fields, { 'event.dataset': 'myapp', 'user.name': 'bob', 'source.ip': '203.0.113.9', 'event.action': 'login', 'event.outcome': 'failure', 'event.category': 'authentication' });
    assert.equal(e?.time, Date.parse('2026-12-03T14:00:00Z'));
    assert.equal(ps.get('myapp').parse({ text: 'LOGIN OK user=bob', input: 't', receivedAt: 0 }), null);
  });
  it('a bad file is an error naming the file and rule', () => {
    assert.throws(() => createParsers({ patterns: 'formats:\n  x:\n    - match: "^(a+)+$"\n', patternsSource: 'bad.yaml' }), /bad\.yaml: formats\.x\[0\]/);
    assert.throws(() => createParsers({ patterns: 'formats: [1', patternsSource: 'broken.yaml' }), /broken\.yaml: not YAML/);
  });
});
