/**
 * Dotted numbers (`2.4.58`), for products with no grammar of their own. Anything else is
 * not comparable: the matcher answers `unknown` rather than guess.
 */
import { compareKeys, num, precheck, type VersionGrammar } from './grammar.js';

export const generic: VersionGrammar = {
  name: 'generic',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    if (!/^v?\d{1,9}(?:\.\d{1,9}){0,5}$/.test(t)) return { problem: `${JSON.stringify(t)} is not a dotted numeric version` };
    return { text: t, key: t.replace(/^v/, '').split('.').map(num) };
  },
  compare: (a, b) => compareKeys(a.key, b.key, 0),
};
