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

/** Whether `v` is within `b` (all bounds given must hold). */
export function withinBounds(g: VersionGrammar, v: Version, b: Bounds): Answer {
  const desc = describeBounds(b);
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
  if (other.trainOnly && g.train) {
    const t = g.train(other);
    return g.train(v) === t ? { res: true, why: `${v.text} is in release train ${t}` } : { res: false, why: `${v.text} is not in release train ${t}` };
  }
  return g.compare(v, other) === 0 ? { res: true, why: `${v.text} is ${other.text}` } : { res: false, why: `${v.text} is not ${other.text}` };
}
