/**
 * Version grammars, one per product family. A version string is parsed by the grammar of
 * the product it belongs to, never coerced to semver: FortiOS, Ivanti, NetScaler and PAN-OS
 * each number their releases their own way, WordPress follows PHP's version_compare, npm
 * follows semver with prereleases, Debian packages dpkg's ordering.
 */

/** A parsed version: what it was written as, and what the grammar compares. */
export interface Version {
  readonly text: string;
  /** Numeric components for the numeric grammars; compared left to right. */
  readonly key: readonly (number | string)[];
  /** NetScaler: the editions (`fips`, `ndcpp`) the text names; none is the standard edition. */
  readonly editions?: readonly string[];
  /** Whether the text names a whole release train (`13.1`, Ivanti `9.0`) rather than one build. */
  readonly trainOnly?: boolean;
}

export interface VersionGrammar {
  readonly name: string;
  /** A Version, or why the text is not a version of this family. */
  parse(text: string): Version | { readonly problem: string };
  /** Negative, zero or positive, like a sort comparator. */
  compare(a: Version, b: Version): number;
  /** The release train a version belongs to (`13.1`, `22.7`), for grammars that have trains. */
  train?(v: Version): string;
  /**
   * A bound written without its train, completed from the range's start: NetScaler's CVE 5
   * records write `version: 13.1, lessThan: 49.15` for builds of 13.1 below 49.15.
   */
  completeBound?(start: Version, bound: string): string;
  /**
   * For a version that names a whole train (`trainOnly`): the lowest and the highest release
   * the train can hold, so a range is decided for the train only when both ends agree.
   */
  trainSpan?(v: Version): readonly [Version, Version];
}

export const MAX_VERSION_LENGTH = 128;

export function isVersion(v: Version | { problem: string }): v is Version {
  return !('problem' in v);
}

/** Compares numeric keys left to right; a missing component counts as `pad` (0 pads 7.2 = 7.2.0; -1 makes a prefix sort first). */
export function compareKeys(a: readonly (number | string)[], b: readonly (number | string)[], pad: number): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? pad;
    const y = b[i] ?? pad;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** The common first checks: a string, not empty, not too long, printable. */
export function precheck(text: unknown): string | { problem: string } {
  if (typeof text !== 'string') return { problem: 'not a string' };
  const t = text.trim();
  if (t.length === 0) return { problem: 'empty' };
  if (t.length > MAX_VERSION_LENGTH) return { problem: `longer than ${MAX_VERSION_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(t)) return { problem: 'holds control characters' };
  return t;
}

export function num(s: string): number {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}
