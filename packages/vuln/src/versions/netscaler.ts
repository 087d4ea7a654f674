/**
 * Citrix / NetScaler ADC and Gateway: a release train `13.1` and a build `49.15`, written
 * `13.1-49.15`, or as the appliance prints it, `NS13.1: Build 49.15.nc`. The edition (FIPS,
 * NDcPP) is part of the product's identity, not of its order: `13.1-37.164 FIPS` and the
 * CVE 5 forms `13.1-FIPS`, `12.1 FIPS and NDcPP` carry it in `editions`. A train alone
 * (`12.1`) sorts below every build of the train.
 */
import { compareKeys, num, precheck, type VersionGrammar } from './grammar.js';

const NETSCALER = /^(?:(?:citrix\s+)?netscaler\s+)?(?:ns)?(\d{1,3})\.(\d{1,3})(?:(?:-|:?\s*build\s*|\s+)(\d{1,4})\.(\d{1,4})(?:\.nc)?)?(?=$|[\s,:-])(.{0,64})$/i;
const EDITION_WORDS = new Map([['fips', 'fips'], ['ndcpp', 'ndcpp']]);
const FILLER = new Set(['and', '', 'edition']);

export const netscaler: VersionGrammar = {
  name: 'netscaler',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    const m = NETSCALER.exec(t);
    const bad = { problem: `${JSON.stringify(t)} is not a NetScaler version (13.1-49.15, NS13.1: Build 49.15.nc, 13.1-37.164 FIPS)` };
    if (!m) return bad;
    const editions: string[] = [];
    for (const word of m[5]!.toLowerCase().split(/[\s,:-]+/)) {
      const e = EDITION_WORDS.get(word);
      if (e) editions.includes(e) || editions.push(e);
      else if (!FILLER.has(word)) return bad;
    }
    const key = [num(m[1]!), num(m[2]!)];
    if (m[3] !== undefined) key.push(num(m[3]), num(m[4]!));
    return { text: t, key, ...(editions.length > 0 ? { editions } : {}), ...(m[3] === undefined ? { trainOnly: true } : {}) };
  },
  compare: (a, b) => compareKeys(a.key, b.key, -1),
  train: (v) => `${v.key[0]}.${v.key[1]}`,
  trainSpan: (v) => [
    { text: `${v.key[0]}.${v.key[1]}-0.0`, key: [v.key[0]!, v.key[1]!, 0, 0] },
    { text: `${v.key[0]}.${v.key[1]}-*`, key: [v.key[0]!, v.key[1]!, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] },
  ],
  completeBound(start, bound) {
    // `lessThan: 49.15` under `version: 13.1`: a build number, not release 49.15.
    return start.trainOnly && /^\d{1,4}\.\d{1,4}$/.test(bound.trim()) ? `${start.key[0]}.${start.key[1]}-${bound.trim()}` : bound;
  },
};
