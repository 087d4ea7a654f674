/**
 * Reads libinjection's test vectors (`tests/*.txt`, each a --TEST--, --INPUT--,
 * --EXPECTED-- file) as latin1, so each byte of a vector is one character, as
 * the detectors see a request. Used by the tests of waf/sqli and waf/xss.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Vector {
  file: string;
  kind: string;
  name: string;
  input: string;
  expected: string;
}

/** The kind is the file name's second word: test-tokens-*.txt → tokens, test-folding-* → folding. */
export function readVectors(dir: string): Vector[] {
  const testsDir = join(dir, 'tests');
  if (!existsSync(testsDir)) return [];
  const out: Vector[] = [];
  for (const file of readdirSync(testsDir).sort()) {
    const m = /^test-([a-z0-9]+)-.*\.txt$/.exec(file);
    if (!m) continue;
    const text = readFileSync(join(testsDir, file), 'latin1');
    const i = text.indexOf('--INPUT--\n');
    const e = text.indexOf('\n--EXPECTED--');
    if (i < 0 || e < 0) continue;
    const name = text.slice(text.indexOf('--TEST--\n') + 9, i).trim();
    // The input ends at the line before --EXPECTED--; trailing line ends are not part of it.
    const input = text.slice(i + 10, e + 1).replace(/[\r\n]+$/, '');
    const expected = text.slice(e + '\n--EXPECTED--'.length);
    out.push({ file, kind: m[1] as string, name, input, expected: normalise(expected) });
  }
  return out;
}

/** Compares outputs line by line without trailing blanks: the files differ in how many they carry. */
export function normalise(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/[ \t\r]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  while (lines.length > 0 && lines[0] === '') lines.shift();
  return lines.join('\n');
}
