/**
 * Macro expansion in action and operator arguments: `%{tx.anomaly_score}`,
 * `%{MATCHED_VAR}`, `%{REQUEST_HEADERS.host}`, `%{rule.id}`. A text is compiled once into
 * literal and variable parts; an unknown variable expands to nothing, as in ModSecurity.
 */
import type { StepBudget } from '../regex.js';

export interface MacroScope {
  /** The first value of collection `name` (upper case) under `key` (any case), or of a scalar when key is undefined. */
  lookup(name: string, key: string | undefined): string | undefined;
  /** Steps left for the transaction's backtracking regexes (waf/regex-backtrack.ts); none: each call's own allowance only. */
  readonly regexSteps?: StepBudget;
  /** Replaces collection `name` with these fields (@geoLookup fills GEO); a scope without it keeps nothing. */
  fillCollection?(name: string, fields: Readonly<Record<string, string>>): void;
}

type Part = string | { name: string; key: string | undefined };

export class Macro {
  readonly source: string;
  readonly #parts: readonly Part[];
  /** Whether the text has a macro in it (when not, expand is the text). */
  readonly dynamic: boolean;

  constructor(source: string) {
    this.source = source;
    const parts: Part[] = [];
    const re = /%\{([A-Za-z_][A-Za-z0-9_]*)(?:[.:]([^}]*))?\}/g;
    let at = 0;
    for (let m = re.exec(source); m; m = re.exec(source)) {
      if (m.index > at) parts.push(source.slice(at, m.index));
      parts.push({ name: m[1]!.toUpperCase(), key: m[2] });
      at = m.index + m[0].length;
    }
    if (at < source.length) parts.push(source.slice(at));
    this.#parts = parts;
    this.dynamic = parts.some((p) => typeof p !== 'string');
  }

  expand(scope: MacroScope): string {
    if (!this.dynamic) return this.source;
    let out = '';
    for (const p of this.#parts) out += typeof p === 'string' ? p : (scope.lookup(p.name, p.key) ?? '');
    return out;
  }
}
