import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LiteralIndex } from './literals.js';
import { EventView } from './view.js';
import { compileParts, parseWildcards } from './pattern.js';
import { ev } from './events.case.js';

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

describe('Sigma literal automaton', () => {
  it('finds overlapping and nested literals (he, she, his, hers)', () => {
    const idx = new LiteralIndex();
    const lits = ['he', 'she', 'his', 'hers', 'e', 'ushers!'];
    const tests = lits.map((l) => idx.contains('message', l));
    idx.freeze();
    const view = new EventView(ev('json', { message: 'USHERS' }));
    assert.deepEqual(tests.map((t) => t(view)), [true, true, false, true, true, false]);
    const other = new EventView(ev('json', { message: 'this' }));
    assert.deepEqual(tests.map((t) => t(other)), [false, false, true, false, false, false]);
  });

  it('agrees with String.includes on 3,000 random texts and literal sets', () => {
    const r = rng(7);
    const word = (n: number) => Array.from({ length: n }, () => 'abc/.%'[Math.floor(r() * 6)]).join('');
    let checks = 0;
    for (let round = 0; round < 30; round++) {
      const idx = new LiteralIndex();
      const lits = Array.from({ length: 1 + Math.floor(r() * 40) }, () => word(1 + Math.floor(r() * 5)));
      const tests = lits.map((l) => idx.contains('url.query', l));
      idx.freeze();
      for (let k = 0; k < 100; k++) {
        const text = word(Math.floor(r() * 60));
        const view = new EventView(ev('nginx.access', { 'url.query': text }));
        lits.forEach((l, i) => {
          assert.equal(tests[i]!(view), text.includes(l), `${JSON.stringify(l)} in ${JSON.stringify(text)}`);
          checks++;
        });
      }
    }
    assert.ok(checks > 30_000);
  });

  it('a field the event lacks contains nothing; keywords read the line', () => {
    const idx = new LiteralIndex();
    const q = idx.contains('url.query', 'x');
    const k = idx.contains('', 'failed password');
    idx.freeze();
    const view = new EventView(ev('sshd', {}, 'sshd[1]: FAILED password for root'));
    assert.equal(q(view), false);
    assert.equal(k(view), true);
  });
});

describe('Sigma wildcard matching', () => {
  it('agrees with a reference matcher on 20,000 random patterns and texts', () => {
    const r = rng(11);
    const pick = (s: string) => s[Math.floor(r() * s.length)]!;
    let n = 0;
    for (let i = 0; i < 20_000; i++) {
      const pattern = Array.from({ length: Math.floor(r() * 8) }, () => pick('ab*?')).join('');
      const text = Array.from({ length: Math.floor(r() * 10) }, () => pick('ab')).join('');
      // Reference: an anchored RegExp, fine here on tiny inputs.
      const ref = new RegExp(`^${pattern.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
      assert.equal(compileParts(parseWildcards(pattern), true)(text), ref.test(text), `${pattern} on ${text}`);
      n++;
    }
    assert.equal(n, 20_000);
  });

  it('hands long ? segments to RE2: same answers, linear time', () => {
    const pattern = `*${'a?'.repeat(40)}b*`;
    const m = compileParts(parseWildcards(pattern), true);
    const ref = new RegExp(`^.*${'a.'.repeat(40)}b.*$`, 's');
    for (const text of [`x${'ay'.repeat(40)}b`, `${'ay'.repeat(39)}b`, `${'a'.repeat(81)}b`, 'b']) assert.equal(m(text), ref.test(text), text);
    assert.equal(m('a'.repeat(300_000)), false);
  });

  it('stays linear on a pattern of many stars against a long text', () => {
    const m = compileParts(parseWildcards(`${'*a'.repeat(30)}*b`), true);
    assert.equal(m('a'.repeat(200_000)), false);
    assert.equal(m(`${'a'.repeat(200_000)}b`), true);
  });
});

describe('Sigma regex literals (for skipping rules)', () => {
  it('finds only what every match contains', async () => {
    const { regexLiteral } = await import('./modifiers.js');
    const table: [string, string | undefined][] = [
      ['union\\s+select', 'select'],
      ['/etc/passwd', '/etc/passwd'],
      ['\\.\\./\\.\\./etc', '../../etc'],
      ['abc|def', undefined],
      ['(?:abc|def)ghij', 'ghij'],
      ['ab?cdef', 'cdef'],
      ['abcd*e', 'abc'],
      ['abcd+efg', 'abcd'],
      ['x{2}yzw', 'yzw'],
      ['[a-z]+\\.php', '.php'],
      ['^/admin$', '/admin'],
      ['a.b.c', undefined],
      ['\\d\\d\\d', undefined],
      ['(a|b)', undefined],
      ['Select', 'select'],
      ['(?:union|select)[^a-z]{1,20}42', undefined],
      ['abc{1,20}defg', 'defg'],
      ['x{10}', undefined],
      ['ab\\x41cdef', 'cdef'],
      ['\\x{41}bcd', 'bcd'],
      ['abc\\u0041', 'abc'],
      ['x\\101yz', undefined],
      ['\\p{Lu}abc', 'abc'],
      ['\\Qa|b\\E', undefined],
    ];
    for (const [p, want] of table) assert.equal(regexLiteral(p), want, p);
    // Every literal found is in every string the expression matches, on random cases.
    const r = rng(3);
    let n = 0;
    for (let i = 0; i < 20_000; i++) {
      const p = Array.from({ length: 3 + Math.floor(r() * 6) }, () => ['a', 'b', 'a', 'b', 'c', '?', '*', '+', '.', '(a|b)', '[ab]', '\\.', '{1,2}', '{2}'][Math.floor(r() * 14)]!).join('');
      let re: RegExp;
      try {
        re = new RegExp(p);
      } catch {
        continue;
      }
      const lit = regexLiteral(p);
      if (lit === undefined) continue;
      for (let k = 0; k < 20; k++) {
        const text = Array.from({ length: 3 + Math.floor(r() * 6) }, () => 'abc.'[Math.floor(r() * 4)]).join('');
        if (re.test(text)) {
          assert.ok(text.toLowerCase().includes(lit), `${p} matched ${text} without ${lit}`);
          n++;
        }
      }
    }
    assert.ok(n > 100, `${n} matches checked`);
  });
});
