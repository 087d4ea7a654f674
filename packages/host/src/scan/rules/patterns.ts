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

/**
 * One YARA regex for all the names: `anyOf('x', ['eval', 'assert'], tail)` gives
 * `$x = /\b(eval|assert)tail/ nocase`. For a tail that ends in request input
 * (`\$_(GET|POST...)\s*\[`): YARA-X takes its atoms from the superglobal's name there, not from
 * the function names, so `each` would verify every `$_GET[` of a file once per name. A file of
 * `$_GET[` repeated cost 4.3 s of CPU per MB so (H20 of bench/redteam/README-host.md); one
 * regex verifies it once.
 */
export function anyOf(id: string, names: readonly string[], tail: string, modifiers = 'nocase'): string {
  return `$${id} = /\\b(${names.join('|')})${tail}/ ${modifiers}`.trimEnd();
}
