/**
 * npm packages: semver 2.0 (`4.17.20`, `5.0.0-beta.3`), prereleases sorting below their
 * release and by their dot-separated identifiers (numbers below words, numbers numerically),
 * build metadata ignored. OSV's `introduced: "0"` is handled by the matcher, not here.
 */
import { precheck, type Version, type VersionGrammar } from './grammar.js';

const SEMVER = /^[v=]?(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})(?:-([0-9A-Za-z-]{1,64}(?:\.[0-9A-Za-z-]{1,64}){0,15}))?(?:\+[0-9A-Za-z.-]{1,64})?$/;

function comparePre(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

export const npm: VersionGrammar = {
  name: 'npm',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    const m = SEMVER.exec(t);
    if (!m) return { problem: `${JSON.stringify(t)} is not a semver version (4.17.20, 5.0.0-beta.3)` };
    const pre = m[4] === undefined ? [] : m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    // key: major, minor, patch, then a marker and the prerelease identifiers
    return { text: t, key: [Number(m[1]), Number(m[2]), Number(m[3]), pre.length, ...pre] };
  },
  compare(a: Version, b: Version) {
    for (let i = 0; i < 3; i++) if (a.key[i] !== b.key[i]) return (a.key[i] as number) < (b.key[i] as number) ? -1 : 1;
    return comparePre(a.key.slice(4), b.key.slice(4));
  },
};
