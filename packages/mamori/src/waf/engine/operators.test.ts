/** @pm's matcher against a plain reading of what it must do: the earliest phrase, ASCII case ignored. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_OPERATORS, type OperatorContext } from './operators.js';

const ctx: OperatorContext = { dir: '.', compileRegex: () => ({ test: () => false, exec: () => null }) };
const pm = (phrases: string) => BUILTIN_OPERATORS.pm!(phrases, ctx);

/** The reference: at each position in turn, the first listed phrase that starts there. */
function reference(phrases: string[], value: string): string | false {
  const list = [...new Set(phrases.filter(Boolean).map((p) => p.replace(/[A-Z]/g, (c) => c.toLowerCase())))];
  const v = value.replace(/[A-Z]/g, (c) => c.toLowerCase());
  for (let i = 0; i < v.length; i++) for (const p of list) if (v.startsWith(p, i)) return p;
  return false;
}

test('@pm finds the phrase a plain scan finds, on every kind of input', () => {
  const cases: [string, string[]][] = [
    ['etc/passwd /bin/sh .htaccess', ['GET /../../ETC/PASSWD HTTP/1.1', 'nothing here', 'cat .htaccess', '/bin/s', '/bin/sh']],
    ['a bc', ['xyz', 'xa', 'zzbc', 'A', 'B']],
    ['select union', ['SeLeCt * from t', 'uniOn all', 'selec', 'unio']],
    ['abcdefghijkl abcdefgh', ['xxabcdefghxx', 'abcdefghijkl', 'abcdefg']],
    ['é ü', ['caf\u00e9', '\u00fc', '\u00c9']],
    ['ab abc b', ['xabc', 'ab', 'b']],
  ];
  let n = 0;
  for (const [phrases, values] of cases) {
    const test = pm(phrases);
    for (const v of values) {
      const want = reference(phrases.split(' '), v);
      const got = test(v, undefined as never, false);
      assert.deepEqual(got === false ? false : (got as string[])[0], want, `${phrases} in ${JSON.stringify(v)}`);
      n++;
    }
  }
  // Random values over a small alphabet, against random phrase sets, so that windows collide.
  let seed = 7;
  const rnd = (k: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % k);
  const alphabet = 'abAB./ ';
  for (let round = 0; round < 300; round++) {
    const phrases = Array.from({ length: 1 + rnd(6) }, () => Array.from({ length: 1 + rnd(5) }, () => alphabet[rnd(alphabet.length - 1)]).join(''));
    const test = pm(phrases.join(' '));
    const v = Array.from({ length: rnd(30) }, () => alphabet[rnd(alphabet.length)]).join('');
    const got = test(v, undefined as never, false);
    assert.deepEqual(got === false ? false : (got as string[])[0], reference(phrases, v), `${phrases.join(' ')} in ${JSON.stringify(v)}`);
    n++;
  }
  assert.equal(n, 323);
});
