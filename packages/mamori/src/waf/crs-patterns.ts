/**
 * The `@rx` patterns of a CRS rules folder, for the regex tests and the
 * benchmark, read with SecLang's quoting (a statement continues on a line
 * ending in "\", and inside a double-quoted argument `\"` stands for `"`).
 * This is not the SecLang parser (issue 11 has its own part for that): it
 * reads only what the regex layer needs to be measured against all of CRS.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CrsPattern {
  file: string;
  line: number;
  /** The rule's id, or the id of the rule whose chain it belongs to. */
  id: string;
  negated: boolean;
  source: string;
}

/** MAMORI_CRS_DIR, else $MAMORI_SHARED_DATA/crs, else ../shared/data/crs beside the repository; null when it has no rules folder. */
export function crsDir(): string | null {
  const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
  const shared = process.env['MAMORI_SHARED_DATA'];
  const dir = process.env['MAMORI_CRS_DIR'] ?? (shared ? join(shared, 'crs') : join(repoRoot, '..', 'shared', 'data', 'crs'));
  return existsSync(join(dir, 'rules')) ? dir : null;
}

function tokens(stmt: string): string[] {
  const out: string[] = [];
  let j = 0;
  while (j < stmt.length) {
    while (stmt[j] === ' ' || stmt[j] === '\t') j++;
    if (j >= stmt.length) break;
    let s = '';
    if (stmt[j] === '"') {
      j++;
      while (j < stmt.length && stmt[j] !== '"') {
        if (stmt[j] === '\\' && stmt[j + 1] === '"') { s += '"'; j += 2; } else s += stmt[j++];
      }
      j++;
    } else {
      while (j < stmt.length && stmt[j] !== ' ' && stmt[j] !== '\t') s += stmt[j++];
    }
    out.push(s);
  }
  return out;
}

export function crsRxPatterns(dir: string): CrsPattern[] {
  const out: CrsPattern[] = [];
  const rules = join(dir, 'rules');
  for (const file of readdirSync(rules).filter((n) => n.endsWith('.conf')).sort()) {
    const lines = readFileSync(join(rules, file), 'latin1').split('\n');
    let buf = '';
    let start = 0;
    let chainId = '';
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (buf === '') start = i + 1;
      if (l.endsWith('\\')) { buf += l.slice(0, -1); continue; }
      const stmt = (buf + l).trim();
      buf = '';
      if (!stmt.startsWith('SecRule')) continue;
      const [, , op = '', actions = ''] = tokens(stmt);
      const id = /(?:^|,)\s*id:'?(\d+)/.exec(actions)?.[1];
      if (id !== undefined) chainId = id;
      const m = /^(!?)@rx\s([\s\S]*)$/.exec(op);
      if (m) out.push({ file, line: start, id: id ?? chainId, negated: m[1] === '!', source: m[2]! });
    }
  }
  return out;
}
