/**
 * The YARA engine: YARA-X through N-API (`@litko/yara-x`), compiled once.
 * mamori's own rules (rules/) and the user's rule files load side by side; a
 * file that does not compile is left out and reported with its reason
 * (file:line:column and YARA-X's message), the others still run.
 * See docs/scan.md for why YARA-X and not an engine of our own.
 */
import { readFileSync, readdirSync, lstatSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { CompilerOptions, YaraX } from '@litko/yara-x';
import { MamoriError } from 'mamori/errors';
import { BUILTIN_RULES, RULE_EXTERNALS } from './rules/index.js';

/** A rule file that could not load, and why. */
export interface RuleLoadProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** YARA-X's error code (E025 ...), or `read` for a file that could not be read. */
  readonly code: string;
  readonly message: string;
}

/** A rule that matched one file's bytes. */
export interface YaraHit {
  readonly rule: string;
  /** The rule file it came from (`mamori/php.yar` for ours). */
  readonly source: string;
  readonly builtin: boolean;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
  /** Offset of the first string match, when the rule has strings. */
  readonly offset?: number;
}

export interface LoadedRules {
  readonly files: readonly { readonly file: string; readonly rules: number; readonly builtin: boolean }[];
  readonly problems: readonly RuleLoadProblem[];
  /** Matches one buffer against every loaded rule. */
  scan(data: Buffer, vars: Readonly<Record<(typeof RULE_EXTERNALS)[number], string>>): YaraHit[];
}

export interface RuleOptions {
  /** mamori's own rules (default true). */
  readonly builtin?: boolean;
  /** Rule files, or directories searched for *.yar / *.yara (symlinks not followed). */
  readonly paths?: readonly string[];
  /** Matches kept per pattern (default 100): `#a > N` sees at most this many. */
  readonly maxMatchesPerPattern?: number;
}

type YaraXModule = typeof import('@litko/yara-x');

/**
 * YARA-X, loaded when a scanner is made (not when @mamori/host is imported):
 * its prebuilt binaries cover linux-x64 (glibc) and macOS; elsewhere the rest
 * of @mamori/host still works and `mamori scan` says why it cannot.
 */
function yaraX(): YaraXModule {
  try {
    return createRequire(import.meta.url)('@litko/yara-x') as YaraXModule;
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_SCAN_ENGINE', `the YARA engine (YARA-X, npm package @litko/yara-x) could not be loaded on ${process.platform}-${process.arch}: ${(err as Error).message.split('\n')[0]}. Its prebuilt binaries cover Linux x64 (glibc) and macOS.`, { cause: err });
  }
}

const MAX_RULE_FILE_BYTES = 32 * 1024 * 1024;
const EXTERNAL_DEFAULTS = Object.fromEntries(RULE_EXTERNALS.map((k) => [k, ''])) as Record<(typeof RULE_EXTERNALS)[number], string>;

export function loadRules(options: RuleOptions = {}): LoadedRules {
  const { validate, compile } = yaraX();
  // A combined compile that worked, kept for tryCompile (by the files it holds).
  const compiled = new Map<string, YaraX>();
  const compiles = (files: RuleSource[]): boolean => {
    const dirs = [...new Set(files.flatMap((f) => (f.dir ? [f.dir] : [])))];
    try {
      compiled.set(files.map((f) => f.file).join('\u0000'), compile(files.map((f) => f.source).join('\n'), compilerOptions(dirs)) as YaraX);
      return true;
    } catch {
      return false;
    }
  };
  const problems: RuleLoadProblem[] = [];
  const good: RuleSource[] = [];
  if (options.builtin !== false) for (const r of BUILTIN_RULES) good.push({ file: r.name, source: r.source, builtin: true, rules: countRules(r.source) });
  for (const file of ruleFiles(options.paths ?? [], problems)) {
    let source: string;
    try {
      const st = statSync(file);
      if (st.size > MAX_RULE_FILE_BYTES) throw new Error(`larger than ${MAX_RULE_FILE_BYTES} bytes`);
      source = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ file, code: 'read', message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    good.push({ file, source, builtin: false, rules: countRules(source), dir: dirname(file) });
  }
  // Compiling is the costly part (seconds for thousands of rules): all files are compiled together
  // first, and each is checked on its own only when that fails, to name the ones that do not load.
  if (good.some((f) => !f.builtin) && !compiles(good)) {
    for (let i = good.length - 1; i >= 0; i--) {
      const f = good[i]!;
      if (f.builtin) continue;
      const v = validate(f.source, compilerOptions(f.dir ?? '.'));
      if (v.errors.length === 0) continue;
      for (const e of v.errors) problems.push(problem(f.file, e.code, e.message));
      good.splice(i, 1);
    }
    problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  }
  const scanners: { yara: YaraX; files: typeof good }[] = [];
  // One scanner for everything when the files agree (one pass over each file's bytes);
  // rule files that clash (the same rule name twice) get a scanner each.
  const groups = tryCompile(good, problems, compiled);
  for (const g of groups) {
    g.yara.setMaxMatchesPerPattern(options.maxMatchesPerPattern ?? 100);
    scanners.push(g);
  }
  const origin = new Map<string, { file: string; builtin: boolean }>();
  for (const g of scanners) for (const f of g.files) for (const name of ruleNames(f.source)) origin.set(`${scanners.indexOf(g)}\u0000${name}`, f);
  return {
    files: scanners.flatMap((g) => g.files.map((f) => ({ file: f.file, rules: f.rules, builtin: f.builtin }))),
    problems,
    scan(data, vars) {
      const hits: YaraHit[] = [];
      const safe = asStrings(vars);
      scanners.forEach((g, i) => {
        for (const m of g.yara.scan(data, safe)) {
          const from = origin.get(`${i}\u0000${m.ruleIdentifier}`) ?? { file: g.files[0]?.file ?? '?', builtin: false };
          const first = m.matches.reduce<number | undefined>((a, s) => (a === undefined || s.offset < a ? s.offset : a), undefined);
          hits.push({ rule: m.ruleIdentifier, source: from.file, builtin: from.builtin, meta: m.meta as Record<string, unknown>, tags: m.tags, offset: first });
        }
      });
      return hits;
    },
  };
}

/**
 * The externals YARA-X is given: it reads a value that looks like a number or a boolean ("123",
 * "007", "true", an extension "001") as one and refuses it for a string external, and the file
 * went unscanned ("unreadable", clean: a shell named 123 passed). Such a value is left out, so
 * the rules see the external's default ('').
 */
function asStrings(vars: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (!/^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$|^\s*(?:true|false)\s*$/i.test(v)) out[k] = v;
  return out;
}

type RuleSource = { file: string; source: string; builtin: boolean; rules: number; dir?: string };

function tryCompile(files: RuleSource[], problems: RuleLoadProblem[], done: Map<string, YaraX>): { yara: YaraX; files: RuleSource[] }[] {
  if (files.length === 0) return [];
  const compile = (source: string, options: CompilerOptions) => yaraX().compile(source, options) as YaraX;
  const key = files.map((f) => f.file).join('\u0000');
  const already = done.get(key);
  if (already) return [{ yara: already, files }];
  const dirs = [...new Set(files.flatMap((f) => (f.dir ? [f.dir] : [])))];
  try {
    return [{ yara: compile(files.map((f) => f.source).join('\n'), compilerOptions(dirs)), files }];
  } catch {
    const out = [];
    for (const f of files) {
      try {
        out.push({ yara: compile(f.source, compilerOptions(f.dir ? [f.dir] : [])), files: [f] });
      } catch (err) {
        problems.push(problem(f.file, 'compile', (err as Error).message));
      }
    }
    return out;
  }
}

function compilerOptions(dirs: string | string[]): CompilerOptions {
  return { defineVariables: EXTERNAL_DEFAULTS, includeDirectories: Array.isArray(dirs) ? dirs : [dirs], enableIncludes: true };
}

/** YARA-X's messages carry the place as ` --> line:L:C`. */
function problem(file: string, code: string, message: string): RuleLoadProblem {
  const at = /-->\s*line:(\d+):(\d+)/.exec(message);
  const first = message.split('\n')[0] ?? message;
  return at ? { file, code, line: Number(at[1]), column: Number(at[2]), message: first } : { file, code, message: first };
}

function ruleFiles(paths: readonly string[], problems: RuleLoadProblem[]): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 32) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      problems.push({ file: dir, code: 'read', message: `cannot list: ${(err as Error).message}` });
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st || st.isSymbolicLink()) continue;
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile() && /\.(yar|yara)$/i.test(n)) out.push(p);
    }
  };
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) problems.push({ file: p, code: 'read', message: 'no such file or directory' });
    else if (st.isDirectory()) walk(p, 0);
    else out.push(p);
  }
  return out;
}

const RULE_DECL = /^[ \t]*(?:(?:private|global)[ \t]+)*rule[ \t]+([A-Za-z_][A-Za-z0-9_]*)/gm;
function ruleNames(source: string): string[] {
  return [...source.matchAll(RULE_DECL)].map((m) => m[1]!);
}
function countRules(source: string): number {
  return ruleNames(source).length;
}
