/**
 * Comparing an installed version with one bound or range of a feed, in the product's
 * grammar. Answers carry their words, so findings say why: `7.2.4 is within 7.2.0 <= v <=
 * 7.2.4`. A bound the grammar cannot read makes the answer unknown, never a guess.
 */
import { isVersion, type Version, type VersionGrammar } from '../versions/grammar.js';

export type Tri = true | false | 'unknown';
export interface Answer {
  readonly res: Tri;
  readonly why: string;
}

export interface Bounds {
  readonly startIncluding?: string;
  readonly startExcluding?: string;
  readonly endIncluding?: string;
  readonly endExcluding?: string;
}

/** Bounds that mean "no bound": OSV's introduced 0, CVE 5's `*` and `0`. */
const OPEN = new Set(['0', '*', '']);

export function parseIn(g: VersionGrammar, text: string): Version | string {
  const p = g.parse(text);
  return isVersion(p) ? p : p.problem;
}

export function describeBounds(b: Bounds): string {
  const lo = b.startIncluding !== undefined && !OPEN.has(b.startIncluding) ? `${b.startIncluding} <= ` : b.startExcluding !== undefined ? `${b.startExcluding} < ` : '';
  const hi = b.endIncluding !== undefined ? ` <= ${b.endIncluding}` : b.endExcluding !== undefined ? ` < ${b.endExcluding}` : '';
  return `${lo}v${hi}`;
}

/** The words for an installed version that names only a train (Ivanti `9.1`, NetScaler `13.1`). */
export const trainWords = (g: VersionGrammar, v: Version): string => `the version ${v.text} names a train, not a release (which release of train ${g.train!(v)} is installed decides)`;

const isBareTrain = (g: VersionGrammar, v: Version): boolean => v.trainOnly === true && g.trainSpan !== undefined && g.train !== undefined;

/**
 * `g.compare(v, x)` for an installed version; for a bare train, the sign when every release of
 * the train compares the same with `x`, else 'unknown'.
 */
export function compareInstalled(g: VersionGrammar, v: Version, x: Version): number | 'unknown' {
  if (!isBareTrain(g, v)) return g.compare(v, x);
  const [lo, hi] = g.trainSpan!(v);
  const a = Math.sign(g.compare(lo, x));
  return a === Math.sign(g.compare(hi, x)) ? a : 'unknown';
}

/** Whether `v` is within `b` (all bounds given must hold). */
export function withinBounds(g: VersionGrammar, v: Version, b: Bounds): Answer {
  const desc = describeBounds(b);
  if (isBareTrain(g, v)) {
    // A bare train is in the range only when its lowest and highest releases both are (a range
    // is an interval); out of it only when both are out and no bound falls inside the train.
    const [lo, hi] = g.trainSpan!(v);
    const x = withinBounds(g, lo, b);
    const y = withinBounds(g, hi, b);
    if (x.res === 'unknown') return x;
    if (y.res === 'unknown') return y;
    const t = g.train!(v);
    if (x.res && y.res) return { res: true, why: `every release of train ${t} is within ${desc}` };
    const inside = Object.values(b).some((text) => {
      if (text === undefined || OPEN.has(String(text).trim())) return false;
      const p = parseIn(g, String(text));
      return typeof p !== 'string' && g.train!(p) === t;
    });
    if (!x.res && !y.res && !inside) return { res: false, why: `no release of train ${t} is within ${desc}` };
    return { res: 'unknown', why: `${trainWords(g, v)}: some releases of the train are within ${desc} and others are not` };
  }
  const checks: [string | undefined, (c: number) => boolean][] = [
    [b.startIncluding, (c) => c >= 0],
    [b.startExcluding, (c) => c > 0],
    [b.endIncluding, (c) => c <= 0],
    [b.endExcluding, (c) => c < 0],
  ];
  for (const [text, ok] of checks) {
    if (text === undefined || OPEN.has(text.trim())) continue;
    const bound = parseIn(g, text);
    if (typeof bound === 'string') return { res: 'unknown', why: `the bound ${JSON.stringify(text)} of ${desc} is not comparable (${bound})` };
    if (!ok(g.compare(v, bound))) return { res: false, why: `${v.text} is outside ${desc}` };
  }
  return { res: true, why: `${v.text} is within ${desc}` };
}

/** Equality, or membership of the train when `other` names a whole train (`12.1`, Ivanti `9.0`). */
export function sameVersion(g: VersionGrammar, v: Version, other: Version): Answer {
  if (isBareTrain(g, v) && !other.trainOnly) {
    return g.train!(v) === g.train!(other) ? { res: 'unknown', why: `${trainWords(g, v)}: ${other.text} is one release of it` } : { res: false, why: `${v.text} is not in the train of ${other.text}` };
  }
  if (other.trainOnly && g.train) {
    const t = g.train(other);
    return g.train(v) === t ? { res: true, why: `${v.text} is in release train ${t}` } : { res: false, why: `${v.text} is not in release train ${t}` };
  }
  return g.compare(v, other) === 0 ? { res: true, why: `${v.text} is ${other.text}` } : { res: false, why: `${v.text} is not ${other.text}` };
}
