/**
 * Scan results as SARIF 2.1.0 (OASIS), the format code-scanning tools read:
 * one result per finding of each suspicious or malicious file, `error` for
 * malicious and `warning` for suspicious, the line where the rule matched,
 * the verdict, score and deobfuscation layers as result properties. Rule
 * files that could not load are tool-execution notifications.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FileResult } from './scanner.js';
import type { RuleLoadProblem } from './yara.js';

export interface SarifOptions {
  /** Paths under this directory are written relative to it (default: as given). */
  readonly baseDir?: string;
  readonly toolVersion?: string;
  readonly problems?: readonly RuleLoadProblem[];
}

/** What the analysers' rule ids stand for (their findings' descriptions vary from file to file). */
const ANALYSERS: Readonly<Record<string, string>> = {
  'mamori:flow': "mamori's PHP data-flow pass: request input reaching code or command execution",
  'mamori:deobfuscate': "mamori's deobfuscator: decoder chains and what they hide",
  'mamori:entropy': 'a long literal of high entropy (a packed payload)',
  'mamori:context': 'a file where code does not belong (PHP in an upload directory)',
  'mamori:image': 'PHP code inside an image',
  'mamori:known-good': 'known good: the file is in the integrity baseline',
  indicator: 'a file matching an indicator of compromise',
};

export function toSarif(results: Iterable<FileResult>, options: SarifOptions = {}): Record<string, unknown> {
  const rules = new Map<string, { id: string; name: string; shortDescription: { text: string }; properties: { technique: string; source: string } }>();
  const out: Record<string, unknown>[] = [];
  for (const r of results) {
    if (r.verdict === 'clean') continue;
    for (const f of r.findings) {
      if (f.score <= 0) continue;
      if (!rules.has(f.rule)) rules.set(f.rule, { id: f.rule, name: f.rule, shortDescription: { text: ANALYSERS[f.rule] ?? f.description }, properties: { technique: f.technique, source: f.source } });
      out.push({
        ruleId: f.rule,
        level: r.verdict === 'malicious' ? 'error' : 'warning',
        message: { text: `${r.verdict} (score ${r.score}): ${f.description}${f.layers ? ` [after ${f.layers.join(' → ')}]` : ''}` },
        locations: [{ physicalLocation: { artifactLocation: uriOf(r.path, options.baseDir), ...(f.line && !f.layers ? { region: { startLine: f.line } } : {}) } }],
        properties: { verdict: r.verdict, score: r.score, findingScore: f.score, technique: f.technique, source: f.source, sha256: r.sha256, ...(f.layers ? { layers: f.layers } : {}) },
      });
    }
  }
  const notes = (options.problems ?? []).map((p) => ({
    level: 'warning',
    message: { text: `rule file left out (${p.code}): ${p.message}` },
    locations: [{ physicalLocation: { artifactLocation: uriOf(p.file, options.baseDir), ...(p.line ? { region: { startLine: p.line, ...(p.column ? { startColumn: p.column } : {}) } } : {}) } }],
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mamori scan', version: options.toolVersion ?? '0.1.0', rules: [...rules.values()] } },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notes }],
        results: out,
      },
    ],
  };
}

function uriOf(path: string, baseDir: string | undefined): { uri: string; uriBaseId?: string } {
  if (baseDir && isAbsolute(path)) {
    const rel = relative(baseDir, path);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  }
  if (isAbsolute(path)) return { uri: pathToFileURL(path).href };
  return { uri: path.split(sep).map(encodeURIComponent).join('/') };
}
