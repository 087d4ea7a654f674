/** The version grammars mamori knows, by name (the names product mapping data uses). */
import { deb } from './deb.js';
import { fortios } from './fortios.js';
import { generic } from './generic.js';
import type { VersionGrammar } from './grammar.js';
import { ivanti } from './ivanti.js';
import { netscaler } from './netscaler.js';
import { npm } from './npm.js';
import { panos } from './panos.js';
import { rpm } from './rpm.js';
import { wordpress } from './wordpress.js';

export const GRAMMARS: ReadonlyMap<string, VersionGrammar> = new Map(
  [fortios, ivanti, netscaler, panos, wordpress, npm, deb, rpm, generic].map((g) => [g.name, Object.freeze(g)] as const),
);

export function grammar(name: string): VersionGrammar {
  const g = GRAMMARS.get(name);
  if (!g) throw new Error(`no version grammar named ${name}`);
  return g;
}
