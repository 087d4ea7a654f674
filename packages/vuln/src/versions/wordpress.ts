/**
 * WordPress core, plugins and themes: PHP's version_compare, which is what WordPress itself
 * uses. The text is cut into parts at `.`, `-`, `_`, `+` and wherever digits meet letters;
 * numbers compare as numbers; words rank dev < alpha = a < beta = b < RC = rc < (a number)
 * < pl = p, any other word below dev. When one version runs out, a number left on the other
 * makes it greater (`1.0.1` > `1.0`) and a word is ranked against a number (`1.0rc1` < `1.0`).
 */
import { precheck, type Version, type VersionGrammar } from './grammar.js';

/** The parts PHP compares: canonicalisation as php_canonicalize_version does it. */
export function phpVersionParts(t: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let kind: 'digit' | 'alpha' | '' = '';
  for (const ch of t) {
    const k = ch >= '0' && ch <= '9' ? 'digit' : /[A-Za-z]/.test(ch) ? 'alpha' : '';
    if (k === '' || (kind !== '' && k !== kind)) {
      if (cur) parts.push(cur);
      cur = '';
    }
    if (k !== '') cur += ch;
    kind = k;
  }
  if (cur) parts.push(cur);
  return parts;
}

const FORMS: [string, number][] = [['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5]];

function rank(form: string): number {
  for (const [name, r] of FORMS) if (form.startsWith(name)) return r;
  return -1;
}

const isNum = (p: string) => /^[0-9]/.test(p);

export function phpVersionCompare(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    let c: number;
    if (isNum(x) && isNum(y)) {
      const dx = Number(x);
      const dy = Number(y);
      c = dx === dy ? 0 : dx < dy ? -1 : 1;
    } else c = Math.sign(rank(isNum(x) ? '#' : x) - rank(isNum(y) ? '#' : y));
    if (c !== 0) return c;
  }
  if (a.length > n) return isNum(a[n]!) ? 1 : Math.sign(rank(a[n]!) - rank('#'));
  if (b.length > n) return isNum(b[n]!) ? -1 : Math.sign(rank('#') - rank(b[n]!));
  return 0;
}

export const wordpress: VersionGrammar = {
  name: 'wordpress',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    if (!/^v?\d/.test(t) || !/^[0-9A-Za-z.\-_+ ]+$/.test(t)) return { problem: `${JSON.stringify(t)} is not a WordPress version (6.4.2, 9.1.1.1, 1.0-beta2)` };
    return { text: t, key: phpVersionParts(t.replace(/^v/, '')) };
  },
  compare: (a: Version, b: Version) => phpVersionCompare(a.key as string[], b.key as string[]),
};
