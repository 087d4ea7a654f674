/**
 * FortiOS (and FortiProxy): numeric components `7.2.4`, also as the device prints them,
 * `v7.2.4,build1396,230131 (GA.F)` or `FortiOS v7.2.4 build1396`. The build number and date
 * name the same release as the numbers, so only the numbers are compared; `7.2` equals `7.2.0`.
 */
import { compareKeys, num, precheck, type VersionGrammar } from './grammar.js';

const FORTIOS = /^(?:forti(?:os|proxy)\s+)?v?(\d{1,4}(?:\.\d{1,6}){0,3})(?:,?\s*build\s?(\d{1,6}))?(?:,\s*\d{6})?(?:\s*\([A-Za-z0-9. ]{1,24}\))?$/i;

export const fortios: VersionGrammar = {
  name: 'fortios',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    const m = FORTIOS.exec(t);
    if (!m) return { problem: `${JSON.stringify(t)} is not a FortiOS version (7.2.4 or v7.2.4,build1396,230131 (GA.F))` };
    return { text: t, key: m[1]!.split('.').map(num) };
  },
  compare: (a, b) => compareKeys(a.key, b.key, 0),
};
