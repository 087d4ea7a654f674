/**
 * RPM packages: `[epoch:]version[-release]` compared as rpm does (rpmvercmp): each side is
 * cut into runs of digits and runs of letters, anything else separating them; digits beat
 * letters, digit runs compare as numbers, letter runs as strings; `~` sorts before
 * everything (even the end: `1.0~rc1` < `1.0`), `^` after the end but before any further
 * run (`1.0^git1` > `1.0`, < `1.0.1`); the side with runs left over is newer.
 */
import { precheck, type Version, type VersionGrammar } from './grammar.js';

const RPM = /^(?:(\d{1,9}):)?([0-9A-Za-z][0-9A-Za-z.+~^_]{0,126})(?:-([0-9A-Za-z.+~^_]{1,64}))?$/;

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const alnum = (c: string | undefined) => c !== undefined && /[0-9A-Za-z]/.test(c);
  for (;;) {
    while (i < a.length && !alnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !alnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = /\d/.test(a[i]!);
    const run = (s: string, k: number) => {
      let e = k;
      while (e < s.length && (numeric ? /\d/.test(s[e]!) : /[A-Za-z]/.test(s[e]!))) e++;
      return e;
    };
    const ei = run(a, i);
    const ej = run(b, j);
    if (ej === j) return numeric ? 1 : -1;
    let x = a.slice(i, ei);
    let y = b.slice(j, ej);
    if (numeric) {
      x = x.replace(/^0+/, '');
      y = y.replace(/^0+/, '');
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x < y ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export const rpm: VersionGrammar = {
  name: 'rpm',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    const m = RPM.exec(t);
    if (!m) return { problem: `${JSON.stringify(t)} is not an RPM version ([epoch:]version[-release])` };
    return { text: t, key: [m[1] === undefined ? 0 : Number(m[1]), m[2]!, m[3] ?? ''] };
  },
  compare(a: Version, b: Version) {
    if (a.key[0] !== b.key[0]) return (a.key[0] as number) < (b.key[0] as number) ? -1 : 1;
    const c = rpmvercmp(a.key[1] as string, b.key[1] as string);
    if (c !== 0) return c;
    // a version without a release matches any release of it, as rpm compares EVRs
    if (a.key[2] === '' || b.key[2] === '') return 0;
    return rpmvercmp(a.key[2] as string, b.key[2] as string);
  },
};
