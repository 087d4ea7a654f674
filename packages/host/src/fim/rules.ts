/**
 * What a baseline covers: paths, each with include and exclude globs and the attribute set
 * compared for it (AIDE's letters and groups work, `R-m-c`, `p+u+g+sha256`), as YAML:
 *
 * ```yaml
 * paths:
 *   - path: /var/www/shop
 *     exclude: ['cache/**', '*.log']
 *     attributes: R            # the default: everything
 *     diff: true               # keep small text files, for diffs in reports
 *     hash_sparse: false       # the default: a file of over 64 MiB of holes is reported, not read
 *     overrides:
 *       - match: 'uploads/**'
 *         attributes: p+u+g+ftype   # owner and permissions only
 *   - path: /etc
 *     include: ['*.conf', 'passwd', 'shadow', 'sudoers.d/**']
 * ```
 *
 * A path under another rule's path is governed by the longer (the more specific) one.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, normalize, sep } from 'node:path';
import { createRequire } from 'node:module';
import { MamoriError } from 'mamori/errors';
import { compileGlob, type Glob } from './glob.js';
import { ATTRIBUTES, attrBit, type Attribute } from './types.js';

export interface FimRuleInput {
  path: string;
  include?: string[] | undefined;
  exclude?: string[] | undefined;
  attributes?: string | undefined;
  diff?: boolean | undefined;
  /** Hash sparse files whole (default false: reported as not hashed; see sparse.ts). */
  hash_sparse?: boolean | undefined;
  overrides?: { match: string; attributes: string }[] | undefined;
}

export interface FimRulesInput {
  paths: FimRuleInput[];
}

export interface CompiledRule {
  readonly root: string;
  readonly include: readonly Glob[];
  readonly exclude: readonly Glob[];
  readonly attrs: number;
  readonly overrides: readonly { glob: Glob; attrs: number }[];
  readonly diff: boolean;
  readonly hashSparse: boolean;
}

const ALL = ATTRIBUTES.reduce((n, a) => n | attrBit(a), 0);
const bits = (...a: Attribute[]): number => a.reduce((n, x) => n | attrBit(x), 0);

/** Names an attribute expression may use: ours, and AIDE's letters and groups. */
const NAMES: Record<string, number> = {
  ...Object.fromEntries(ATTRIBUTES.map((a) => [a, attrBit(a)])),
  ftype: bits('type'),
  p: bits('mode'),
  i: bits('inode'),
  n: bits('nlink'),
  u: bits('uid'),
  g: bits('gid'),
  s: bits('size'),
  m: bits('mtime'),
  c: bits('ctime'),
  l: bits('target'),
  owner: bits('uid', 'gid'),
  R: ALL,
  all: ALL,
  L: bits('type', 'mode', 'inode', 'nlink', 'uid', 'gid', 'target'),
  E: 0,
  content: bits('type', 'size', 'sha256', 'target'),
  perms: bits('type', 'mode', 'uid', 'gid'),
};

/** `R`, `R-m-c`, `p+u+g+sha256`, `content+perms`: a bit set of attributes. */
export function parseAttributes(expr: string, where = 'attributes'): number {
  if (typeof expr !== 'string' || expr.trim() === '' || expr.length > 512) {
    throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: an attribute set must be a non-empty expression such as R or p+u+g+sha256`);
  }
  let out = 0;
  const tokens = expr.replace(/\s+/g, '').match(/[+-]?[^+-]+/g) ?? [];
  for (const t of tokens) {
    const minus = t.startsWith('-');
    const name = t.replace(/^[+-]/, '');
    const b = NAMES[name];
    if (b === undefined || !Object.hasOwn(NAMES, name)) {
      throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: unknown attribute "${name.slice(0, 40)}" (known: ${Object.keys(NAMES).join(', ')})`);
    }
    out = minus ? out & ~b : out | b;
  }
  return out;
}

function globs(list: unknown, where: string): Glob[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || list.length > 10_000) throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: a list of globs is expected`);
  return list.map((g, i) => compileGlob(g as string, `${where}[${i}]`));
}

export function compileRule(r: FimRuleInput, where = 'rule'): CompiledRule {
  if (!r || typeof r.path !== 'string' || !isAbsolute(r.path) || r.path.includes('\0')) {
    throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}.path: an absolute path is expected`);
  }
  const root = normalize(r.path).replace(/(.)\/+$/, '$1');
  const overrides = (r.overrides ?? []).map((o, i) => {
    if (!o || typeof o !== 'object') throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}.overrides[${i}]: {match, attributes} expected`);
    return { glob: compileGlob(o.match, `${where}.overrides[${i}].match`), attrs: parseAttributes(o.attributes, `${where}.overrides[${i}].attributes`) };
  });
  if (r.diff !== undefined && typeof r.diff !== 'boolean') throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}.diff: true or false expected`);
  if (r.hash_sparse !== undefined && typeof r.hash_sparse !== 'boolean') throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}.hash_sparse: true or false expected`);
  return {
    root,
    include: globs(r.include, `${where}.include`),
    exclude: globs(r.exclude, `${where}.exclude`),
    attrs: r.attributes === undefined ? ALL : parseAttributes(r.attributes, `${where}.attributes`),
    overrides,
    diff: r.diff === true,
    hashSparse: r.hash_sparse === true,
  };
}

/** The compiled rules of one baseline: which rule governs a path, and what it compares there. */
export class RuleSet {
  /** Longest root first, so the first rule containing a path is the most specific. */
  readonly rules: readonly CompiledRule[];
  readonly input: FimRulesInput;

  constructor(input: FimRulesInput, where = 'rules') {
    if (!input || !Array.isArray(input.paths) || input.paths.length === 0) {
      throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: at least one path is needed`);
    }
    if (input.paths.length > 1000) throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: at most 1000 paths`);
    const compiled = input.paths.map((r, i) => compileRule(r, `${where}: paths[${i}]`));
    const seen = new Set<string>();
    for (const r of compiled) {
      if (seen.has(r.root)) throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: ${r.root} is listed twice`);
      seen.add(r.root);
    }
    this.rules = Object.freeze(compiled.sort((a, b) => b.root.length - a.root.length));
    this.input = input;
    Object.freeze(this);
  }

  /** The rule governing `path` (absolute), or undefined when no root contains it. */
  ruleFor(path: string): CompiledRule | undefined {
    for (const r of this.rules) if (within(path, r.root)) return r;
    return undefined;
  }

  /** The path relative to the rule's root, `/`-separated, '' for the root itself. */
  static rel(rule: CompiledRule, path: string): string {
    if (path === rule.root) return '';
    const rel = path.slice(rule.root === '/' ? 1 : rule.root.length + 1);
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  /**
   * Excluded paths are neither recorded nor (for directories) descended into. A name pattern
   * (no `/`: `*.log`) excludes files only: anyone who can make a directory in the tree could
   * otherwise hide a subtree by naming it `x.log`. A directory is excluded by a pattern from the
   * root (`wp-content/cache`, `cache/**`). With `isDir` unknown, a name pattern counts.
   */
  excluded(rule: CompiledRule, rel: string, isDir?: boolean): boolean {
    return rel !== '' && rule.exclude.some((g) => (isDir !== true || g.anchored) && g.match(rel));
  }

  /** Whether only a name pattern excludes `rel` (then it is excluded unless it is a directory). */
  excludedByNameOnly(rule: CompiledRule, rel: string): boolean {
    return rel !== '' && !rule.exclude.some((g) => g.anchored && g.match(rel)) && rule.exclude.some((g) => !g.anchored && g.match(rel));
  }

  /** Whether a path that is not excluded is recorded (include rules narrow regular entries; directories are always walked). */
  included(rule: CompiledRule, rel: string): boolean {
    return rule.include.length === 0 || rel === '' || rule.include.some((g) => g.match(rel));
  }

  attrsFor(rule: CompiledRule, rel: string): number {
    for (const o of rule.overrides) if (o.glob.match(rel)) return o.attrs;
    return rule.attrs;
  }

  /** Whether `path` is monitored: under a root and not excluded (`isDir`: it is known to be a directory). */
  covers(path: string, isDir?: boolean): boolean {
    const rule = this.ruleFor(path);
    if (!rule) return false;
    const rel = RuleSet.rel(rule, path);
    // an excluded ancestor (a directory) excludes the path too
    const parts = rel === '' ? [] : rel.split('/');
    for (let i = 1; i <= parts.length; i++) if (this.excluded(rule, parts.slice(0, i).join('/'), i < parts.length ? true : isDir)) return false;
    return true;
  }
}

export function within(path: string, root: string): boolean {
  return path === root || (root === '/' ? path.startsWith('/') : path.startsWith(`${root}/`));
}

const MAX_RULES_FILE = 1 << 20;

/** A rules file (YAML, as in the module comment); errors name the file and line. */
export function loadRules(file: string): RuleSet {
  let text: string;
  try {
    if (statSync(file).size > MAX_RULES_FILE) throw new Error('larger than 1 MiB');
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_FIM_RULES', `${file}: cannot read the rules file: ${(err as Error).message}`, { cause: err });
  }
  // The YAML parser is loaded here, for a rules file, not by every `mamori fim` run.
  const { LineCounter, parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    throw new MamoriError('MAMORI_ERR_FIM_RULES', `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`);
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const at = (keys: (string | number)[]): string => {
    const node = doc.getIn(keys, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? `${file}:${lines.linePos(node.range[0]).line}` : file;
  };
  if (!data || typeof data !== 'object' || !Array.isArray((data as FimRulesInput).paths)) {
    throw new MamoriError('MAMORI_ERR_FIM_RULES', `${file}: a "paths:" list is expected`);
  }
  const known = new Set(['path', 'include', 'exclude', 'attributes', 'diff', 'hash_sparse', 'overrides']);
  const paths = (data as FimRulesInput).paths;
  paths.forEach((p, i) => {
    if (!p || typeof p !== 'object') throw new MamoriError('MAMORI_ERR_FIM_RULES', `${at(['paths', i])}: paths[${i}] must be a mapping with a path`);
    for (const k of Object.keys(p)) if (!known.has(k)) throw new MamoriError('MAMORI_ERR_FIM_RULES', `${at(['paths', i, k])}: paths[${i}] has an unknown key "${k.slice(0, 40)}"`);
    try {
      compileRule(p, `paths[${i}]`);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_RULES', `${at(['paths', i])}: ${(err as Error).message}`, { cause: err });
    }
  });
  return new RuleSet({ paths }, file);
}
