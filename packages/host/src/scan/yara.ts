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
import { BUILTIN_RULES, RULE_EXTERNALS, STAGED_RULES } from './rules/index.js';

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
  /**
   * Matches one buffer against the user's rules and those of mamori's rule families in `families`
   * (a mask of `RULE_FAMILY` bits; all of them when not given).
   */
  scan(data: Buffer, vars: Readonly<Record<(typeof RULE_EXTERNALS)[number], string>>, families?: number): YaraHit[];
}

/**
 * mamori's own rules in families, by their names' prefix (`mamori_php_`, `mamori_asp` for ASP and
 * ASP.NET, `mamori_jsp`, and the rest: .htaccess, CGI and shell scripts, tunnels). A family's
 * findings count only in files of its kind (scanner.ts: a PHP rule where PHP runs, an ASP or JSP
 * rule in such pages), so the scanner asks only for the families that can count in a file: YARA-X
 * then searches for fewer patterns, and a file no family applies to is not searched at all.
 * Each set of families asked for is compiled once, when first asked for.
 */
export const RULE_FAMILY = { php: 1, asp: 2, jsp: 4, other: 8 } as const;
export const ALL_RULE_FAMILIES = 15;
/**
 * The compiled sets a scan is made of (YARA-X compiles about 100 of our rules a second: a scan
 * compiles at most these three). Most files ask for the rest ("other") or for PHP's and the rest;
 * a page behind `<%` (an ASP or JSP page, or an upload with such a tag: one PNG in a thousand has
 * those two bytes by chance) is read by one of those and by the ASP and JSP rules, in two passes.
 */
const OTHER_SET = RULE_FAMILY.other;
const PHP_SET = RULE_FAMILY.php | RULE_FAMILY.other;
const WEB_SET = RULE_FAMILY.asp | RULE_FAMILY.jsp;
function cover(asked: number): number[] {
  const first = asked & RULE_FAMILY.php ? PHP_SET : asked & RULE_FAMILY.other ? OTHER_SET : 0;
  const web = asked & WEB_SET ? WEB_SET : 0;
  return first && web ? [first, web] : first ? [first] : web ? [web] : [];
}

/** The family of one of mamori's rules, by its name. */
export function ruleFamily(rule: string): number {
  return rule.startsWith('mamori_php_') ? RULE_FAMILY.php : rule.startsWith('mamori_asp') ? RULE_FAMILY.asp : rule.startsWith('mamori_jsp') ? RULE_FAMILY.jsp : RULE_FAMILY.other;
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
    good.push({ file, source, rules: countRules(source), dir: dirname(file) });
  }
  // Compiling is the costly part (seconds for thousands of rules): all files are compiled together
  // first, and each is checked on its own only when that fails, to name the ones that do not load.
  if (good.length > 0 && !compiles(good)) {
    for (let i = good.length - 1; i >= 0; i--) {
      const f = good[i]!;
      const v = validate(f.source, compilerOptions(f.dir ?? '.'));
      if (v.errors.length === 0) continue;
      for (const e of v.errors) problems.push(problem(f.file, e.code, e.message));
      good.splice(i, 1);
    }
    problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  }
  const scanners: { yara: YaraX; files: typeof good }[] = [];
  // One scanner for the user's files when they agree (one pass over each file's bytes);
  // rule files that clash (the same rule name twice) get a scanner each.
  const groups = tryCompile(good, problems, compiled);
  const perPattern = options.maxMatchesPerPattern ?? 100;
  for (const g of groups) {
    g.yara.setMaxMatchesPerPattern(perPattern);
    scanners.push(g);
  }
  const origin = new Map<string, string>();
  for (const g of scanners) for (const f of g.files) for (const name of ruleNames(f.source)) origin.set(`${scanners.indexOf(g)}\u0000${name}`, f.file);
  // mamori's own rules, apart from the user's, in one scanner per set of families asked for
  const builtin = options.builtin !== false ? builtinFamilies() : undefined;
  const byFamilies = new Map<number, YaraX | null>();
  const builtinScanner = (families: number): YaraX | null => {
    let y = byFamilies.get(families);
    if (y === undefined) {
      const source = builtin!.rules.filter((r) => (r.family & families) !== 0).map((r) => r.source).join('\n');
      y = source === '' ? null : (compile(source, compilerOptions([])) as YaraX);
      y?.setMaxMatchesPerPattern(perPattern);
      byFamilies.set(families, y);
    }
    return y;
  };
  // (a staged rule whole, on its own: STAGED_RULES)
  const wholeRules = new Map<string, YaraX>();
  const whole = (rule: string): YaraX => {
    let y = wholeRules.get(rule);
    if (y === undefined) {
      y = compile(builtin!.whole.get(rule)!, compilerOptions([])) as YaraX;
      y.setMaxMatchesPerPattern(perPattern);
      wholeRules.set(rule, y);
    }
    return y;
  };
  const hitsOf = (matches: ReturnType<YaraX['scan']>, builtin: boolean, fileOf: (rule: string) => string, hits: YaraHit[]) => {
    for (const m of matches) {
      const first = m.matches.reduce<number | undefined>((a, s) => (a === undefined || s.offset < a ? s.offset : a), undefined);
      hits.push({ rule: m.ruleIdentifier, source: fileOf(m.ruleIdentifier), builtin, meta: m.meta as Record<string, unknown>, tags: m.tags, offset: first });
    }
  };
  return {
    files: [...(builtin?.files ?? []), ...scanners.flatMap((g) => g.files.map((f) => ({ file: f.file, rules: f.rules, builtin: false })))],
    problems,
    scan(data, vars, families = ALL_RULE_FAMILIES) {
      const hits: YaraHit[] = [];
      // (the sets cover what was asked and may read a family more: the callers keep only what counts)
      const sets = builtin ? cover(families) : [];
      // Nothing to read the file with (a data file, and no rules of the user's): its variables are not
      // checked either.
      if (sets.length === 0 && scanners.length === 0) return hits;
      const safe = asStrings(vars);
      if (builtin) {
        for (const set of sets) {
          const ours = builtinScanner(set);
          if (!ours) continue;
          const found = ours.scan(data, safe);
          // (a staged rule's sites found: the rule is what the whole of it says of these bytes)
          for (let i = found.length - 1; i >= 0; i--) {
            if (!builtin.whole.has(found[i]!.ruleIdentifier)) continue;
            const again = whole(found[i]!.ruleIdentifier).scan(data, safe);
            if (again.length > 0) found[i] = again[0]!;
            else found.splice(i, 1);
          }
          hitsOf(found, true, (rule) => builtin.fileOf.get(rule) ?? 'mamori', hits);
        }
      }
      scanners.forEach((g, i) => hitsOf(g.yara.scan(data, safe), false, (rule) => origin.get(`${i}\u0000${rule}`) ?? g.files[0]?.file ?? '?', hits));
      return hits;
    },
  };
}

/** mamori's rule files cut into their rules, each with its family and file. */
let BUILTIN_CACHE: { rules: { name: string; family: number; source: string }[]; fileOf: Map<string, string>; whole: Map<string, string>; files: { file: string; rules: number; builtin: true }[] } | undefined;
function builtinFamilies(): NonNullable<typeof BUILTIN_CACHE> {
  if (BUILTIN_CACHE) return BUILTIN_CACHE;
  const rules: { name: string; family: number; source: string }[] = [];
  const fileOf = new Map<string, string>();
  const whole = new Map<string, string>();
  for (const r of BUILTIN_RULES) {
    const at = [...r.source.matchAll(RULE_DECL)];
    // (what comes before the first rule is comments: our files import no module)
    for (let i = 0; i < at.length; i++) {
      const name = at[i]![1]!;
      const source = r.source.slice(at[i]!.index, at[i + 1]?.index ?? r.source.length);
      const sites = STAGED_RULES.get(name);
      if (sites) whole.set(name, source);
      rules.push({ name, family: ruleFamily(name), source: sites ? sitesOf(name, source, sites) : source });
      fileOf.set(name, r.name);
    }
  }
  BUILTIN_CACHE = { rules, fileOf, whole, files: BUILTIN_RULES.map((r) => ({ file: r.name, rules: countRules(r.source), builtin: true as const })) };
  return BUILTIN_CACHE;
}

/**
 * A staged rule's first pass (STAGED_RULES): the rule with its site strings alone, any of them its
 * condition. Our rules write each string on a line of its own, `$name = ...`.
 */
export function sitesOf(name: string, source: string, sites: readonly string[]): string {
  const lines = source.split('\n');
  const strings = lines.findIndex((l) => /^\s*strings:\s*$/.test(l));
  const condition = lines.findIndex((l) => /^\s*condition:\s*$/.test(l));
  if (strings < 0 || condition < strings) throw new Error(`staged rule ${name}: no strings: and condition: lines`);
  const kept = lines.slice(strings + 1, condition).filter((l) => sites.some((s) => new RegExp(`^\\s*\\$${s}\\s*=`).test(l)));
  if (kept.length !== sites.length) throw new Error(`staged rule ${name}: ${sites.length} sites named, ${kept.length} found`);
  return [...lines.slice(0, strings + 1), ...kept, '  condition:', '    any of them', '}', ''].join('\n');
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

type RuleSource = { file: string; source: string; rules: number; dir?: string };

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
