/**
 * PAN-OS: a feature release `10.2`, a maintenance release `10.2.9`, and hotfixes `-h1`:
 * `10.2.9-h1` sorts above `10.2.9` and below `10.2.10`. Which hotfix of each maintenance
 * release fixes a CVE is the vendor's data (data/panos-fixes.json), not something the order
 * can tell: `10.2.8-h3` is fixed for CVE-2024-3400 although it sorts below `10.2.9-h1`.
 */
import { compareKeys, num, precheck, type VersionGrammar } from './grammar.js';

const PANOS = /^(?:pan-?os\s+)?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?(?:-h(\d{1,4}))?$/i;

export const panos: VersionGrammar = {
  name: 'panos',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    const m = PANOS.exec(t);
    if (!m) return { problem: `${JSON.stringify(t)} is not a PAN-OS version (10.2.9 or 10.2.9-h1)` };
    return { text: t, key: [num(m[1]!), num(m[2]!), m[3] === undefined ? 0 : num(m[3]), m[4] === undefined ? 0 : num(m[4])] };
  },
  compare: (a, b) => compareKeys(a.key, b.key, 0),
  /** The maintenance release: `10.2.8` for `10.2.8-h3`. */
  train: (v) => `${v.key[0]}.${v.key[1]}.${v.key[2]}`,
};
