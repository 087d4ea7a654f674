/**
 * Ivanti Connect Secure / Policy Secure (formerly Pulse Secure): a train `22.7` and a
 * release `R2.3`, written `22.7R2.3`, or in NVD's CPE form as version `22.7` with update
 * `r2.3` (`22.7:r2.3`). A train's GA release (`22.2 GA`, CPE update `-`) sorts below its R1;
 * `R1.0` is `R1`. A version with no release, read from a CPE with update `*`, stands for the
 * whole train (trainOnly). Installed, a bare train is ambiguous: matching answers for it only
 * where every release of the train would get the same answer (`trainSpan`).
 */
import { compareKeys, num, precheck, type VersionGrammar } from './grammar.js';

const IVANTI = /^(?:(?:pulse|ivanti)?\s*(?:connect|policy)\s+secure\s+)?(\d{1,3})\.(\d{1,3})(?:\s*[:]?\s*(?:[rR](\d{1,4}(?:\.\d{1,6}){0,3})|(-|\*|GA)))?(?:\s*\(?build\s*\d{1,8}\)?)?$/i;

export const ivanti: VersionGrammar = {
  name: 'ivanti',
  parse(text) {
    const t = precheck(text);
    if (typeof t !== 'string') return t;
    const m = IVANTI.exec(t);
    if (!m) return { problem: `${JSON.stringify(t)} is not an Ivanti version (22.7R2.3, or 22.7:r2.3 as NVD writes it)` };
    const release = m[3]?.split('.').map(num) ?? [];
    while (release.length > 1 && release[release.length - 1] === 0) release.pop();
    const key = [num(m[1]!), num(m[2]!), release.length > 0 ? 1 : 0, ...release];
    // `22.2` alone or `22.2:*` names no release: the whole train where a CPE says so, GA otherwise.
    const trainOnly = m[3] === undefined && m[4] !== '-' && m[4]?.toUpperCase() !== 'GA';
    return trainOnly ? { text: t, key, trainOnly } : { text: t, key };
  },
  compare: (a, b) => compareKeys(a.key, b.key, 0),
  train: (v) => `${v.key[0]}.${v.key[1]}`,
  // from the GA release to a release above any R the vendor will number
  trainSpan: (v) => [
    { text: `${v.key[0]}.${v.key[1]} GA`, key: [v.key[0]!, v.key[1]!, 0] },
    { text: `${v.key[0]}.${v.key[1]}R*`, key: [v.key[0]!, v.key[1]!, 1, Number.MAX_SAFE_INTEGER] },
  ],
};
