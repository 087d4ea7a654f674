/**
 * Debian packages: dpkg's ordering of `[epoch:]upstream[-revision]`. Epochs compare as
 * numbers; upstream and revision by dpkg's rule: runs of non-digits character by character
 * (`~` below everything, even the end; letters below other characters), then runs of digits
 * as numbers. `1.0~rc1` < `1.0` < `1.0+deb12u1`.
 */
import { precheck, type Version, type VersionGrammar } from './grammar.js';

const DEB = /^(?:(\d{1,9}):)?([0-9][A-Za-z0-9.+~:-]{0,126})$/;

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (c >= '0' && c <= '9') return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let first = 0;
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const ac = order(i < a.length && !/\d/.test(a[i]!) ? a[i] : undefined);
      const bc = order(j < b.length && !/\d/.test(b[j]!) ? b[j] : undefined);
      if (ac !== bc) return ac - bc;
      if (i < a.length && !/\d/.test(a[i]!)) i++;
      if (j < b.length && !/\d/.test(b[j]!)) j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /\d/.test(a[i]!) && j < b.length && /\d/.test(b[j]!)) {
      if (!first) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /\d/.test(a[i]!)) return 1;
    if (j < b.length && /\d/.test(b[j]!)) return -1;
    if (first) return first;
  }
  return 0;
}

export const deb: VersionGrammar = {
  name: 'deb',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    const m = DEB.exec(t);
    if (!m) return { problem: `${JSON.stringify(t)} is not a Debian version ([epoch:]upstream[-revision])` };
    const rest = m[2]!;
    const dash = rest.lastIndexOf('-');
    const upstream = dash < 0 ? rest : rest.slice(0, dash);
    const revision = dash < 0 ? '' : rest.slice(dash + 1);
    if (upstream.includes(':') && m[1] === undefined) return { problem: `${JSON.stringify(t)}: a colon without an epoch` };
    return { text: t, key: [m[1] === undefined ? 0 : Number(m[1]), upstream, revision] };
  },
  compare(a: Version, b: Version) {
    if (a.key[0] !== b.key[0]) return (a.key[0] as number) < (b.key[0] as number) ? -1 : 1;
    return Math.sign(verrevcmp(a.key[1] as string, b.key[1] as string) || verrevcmp(a.key[2] as string, b.key[2] as string));
  },
};
