/**
 * Writes one YARA regex string per name instead of a leading alternation:
 * `each('x', ['eval', 'assert'], '\\s*\\(')` gives `$x0 = /\beval\s*\(/ nocase`
 * and `$x1 = /\bassert\s*\(/ nocase`, matched together with `any of ($x*)`.
 * Measured with YARA-X (bench/scan.mjs): a regex that starts with an
 * alternation of names costs several times what the same names cost as
 * separate strings, because its atoms are weak.
 */
export function each(id: string, names: readonly string[], tail: string, modifiers = 'nocase'): string {
  return names.map((n, i) => `$${id}${i} = /\\b${n}${tail}/ ${modifiers}`.trimEnd()).join('\n    ');
}
