/**
 * The `@rx` patterns of a CRS rules folder, for the regex tests and the benchmark, read with
 * mamori's SecLang parser (waf/seclang), every rule and chain link.
 */
import { basename } from 'node:path';
import { sharedData } from '../testing/shared-data.js';
import { crsRuleFiles } from './crs-locate.js';
import { formatErrors, loadSecLangFiles } from './seclang/index.js';
import type { Rule } from './seclang/ast.js';

export interface CrsPattern {
  file: string;
  line: number;
  /** The rule's id, or the id of the rule whose chain it belongs to. */
  id: string;
  negated: boolean;
  source: string;
}

/** Where CRS is (see testing/shared-data.ts); null when it is not there. */
export function crsDir(): string | null {
  const d = sharedData('crs', 'MAMORI_CRS_DIR');
  return d.missing === undefined ? d.dir : null;
}

export function crsRxPatterns(dir: string): CrsPattern[] {
  const loaded = loadSecLangFiles(crsRuleFiles(dir));
  if (!loaded.ok) throw new Error(`CRS could not be read:\n${formatErrors(loaded.errors)}`);
  const out: CrsPattern[] = [];
  const add = (r: Rule, id: string) => {
    if (r.operator?.name === 'rx') out.push({ file: basename(r.file), line: r.line, id, negated: r.operator.negated, source: r.operator.argument.raw });
  };
  for (const r of loaded.config.rules) {
    const id = String(r.id ?? '');
    add(r, id);
    for (const link of r.chain) add(link, id);
  }
  return out;
}
