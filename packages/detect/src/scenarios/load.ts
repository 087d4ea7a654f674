/**
 * Scenario files: YAML, one or more documents a file, each either a list or
 * a scenario. Every list of every file is read first, so a scenario may use a
 * list defined in another file. Errors name file:line:col.
 *
 *   list: sensitive-files
 *   case: insensitive          # the default; `sensitive` keeps case
 *   values: [/.env, /.git/, /wp-config.php.bak]
 *   ---
 *   id: sensitive-file-probe
 *   title: Probes for secrets and source files
 *   severity: medium
 *   filter: url.path contains @sensitive-files
 *   group_by: source.ip
 *   bucket: { kind: counter, threshold: 3, window: 10m }
 *   blackout: 30m
 *   remedy: { action: block, scope: ip, ttl: 4h }
 *
 * See packages/detect/scenarios/README.md for every key.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type YAMLMap } from 'yaml';
import { CidrList, MamoriError, parseDuration } from 'mamori/internal';
import type { AlertSeverity } from '../model.js';
import { compileExpr, type ExprContext, type Predicate } from './expr.js';
import { compileGroupPart } from './group-key.js';
import { WordList } from './word-list.js';
import { BUCKET_KINDS, type BucketSpec, type Remedy, type Scenario } from './scenario.js';

export interface ScenarioSet {
  readonly scenarios: readonly Scenario[];
  readonly lists: ReadonlyMap<string, WordList>;
}

/** Bounds on what a scenario file may ask for. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_FILES = 1000;
const MAX_SCENARIOS = 2000;
export const DEFAULT_MAX_GROUPS = 50_000;
const MAX_GROUPS = 1_000_000;
const MAX_THRESHOLD = 100_000;
const SEVERITIES: readonly AlertSeverity[] = ['low', 'medium', 'high', 'critical'];
const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Where mamori's built-in scenarios are (shipped with the package). */
export function builtinScenarioDir(): string {
  return fileURLToPath(new URL('../../scenarios/', import.meta.url));
}

/** The `.yaml`/`.yml` files of a directory, sorted (a stable order makes a stable run). */
export function scenarioFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** Reads scenario files and directories of them. */
export function loadScenarioFiles(paths: readonly string[]): ScenarioSet {
  const texts: { file: string; text: string }[] = [];
  for (const p of paths) {
    let files: string[];
    try {
      files = statSync(p).isDirectory() ? scenarioFilesIn(p) : [p];
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `cannot read ${p}: ${(err as Error).message}`, { cause: err });
    }
    for (const file of files) {
      if (texts.length >= MAX_FILES) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `more than ${MAX_FILES} scenario files`);
      let text: string;
      try {
        if (statSync(file).size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
      }
      texts.push({ file, text });
    }
  }
  return parseScenarioTexts(texts);
}

/** mamori's built-in scenarios. */
export function loadBuiltinScenarios(): ScenarioSet {
  return loadScenarioFiles([builtinScenarioDir()]);
}

interface ParsedDoc {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lc: LineCounter;
  readonly text: string;
}

/** Parses scenario files given as text: `{ file, text }` each (file names errors). */
export function parseScenarioTexts(inputs: readonly { file: string; text: string }[]): ScenarioSet {
  const docs: ParsedDoc[] = [];
  for (const { file, text } of inputs) {
    if (text.length > MAX_FILE_BYTES) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `${file} is larger than ${MAX_FILE_BYTES} bytes`);
    const lc = new LineCounter();
    // Unique keys are enforced by the parser; an alias is no scalar, list or mapping, so the readers refuse it.
    const all = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
    if (!Array.isArray(all)) continue; // an empty stream
    for (const doc of all) {
      const err = doc.errors[0];
      if (err) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `not valid YAML: ${err.message.split('\n')[0]}`, { location: loc(file, lc, err.pos[0]) });
      if (doc.contents === null) continue;
      docs.push({ file, doc, lc, text });
    }
  }

  const lists = new Map<string, WordList>();
  for (const d of docs) {
    const m = d.doc.contents;
    if (!isMap(m) || !m.has('list')) continue;
    const r = new Reader(d, m);
    const name = r.str('list', true)!;
    if (!ID_RE.test(name)) throw r.fail('list', 'a list name is kebab-case: lower-case letters, digits and dashes');
    if (lists.has(name)) throw r.fail('list', `a second list named "${name}"`);
    const caseMode = r.str('case') ?? 'insensitive';
    if (caseMode !== 'insensitive' && caseMode !== 'sensitive') throw r.fail('case', 'case is insensitive or sensitive');
    const values = r.strList('values', true)!;
    r.str('description');
    r.done();
    try {
      lists.set(name, new WordList(name, values, { caseInsensitive: caseMode === 'insensitive' }));
    } catch (err) {
      throw r.fail('values', (err as Error).message);
    }
  }

  const ctx: ExprContext = { lists };
  const scenarios: Scenario[] = [];
  const ids = new Set<string>();
  for (const d of docs) {
    const m = d.doc.contents;
    if (!isMap(m)) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', 'a scenario file holds mappings (a scenario or a list) one a document', { location: loc(d.file, d.lc, (m as Node | null)?.range?.[0] ?? 0) });
    if (m.has('list')) continue;
    const s = readScenario(new Reader(d, m), ctx);
    if (ids.has(s.id)) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `a second scenario with id "${s.id}"`, { location: s.origin });
    ids.add(s.id);
    scenarios.push(s);
    if (scenarios.length > MAX_SCENARIOS) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `more than ${MAX_SCENARIOS} scenarios`, { location: s.origin });
  }
  return { scenarios, lists };
}

function readScenario(r: Reader, ctx: ExprContext): Scenario {
  const id = r.str('id', true)!;
  if (!ID_RE.test(id)) throw r.fail('id', 'a scenario id is kebab-case: lower-case letters, digits and dashes, at most 64');
  const title = r.str('title', true)!;
  const description = r.str('description') ?? '';
  const severity = (r.str('severity') ?? 'medium') as AlertSeverity;
  if (!SEVERITIES.includes(severity)) throw r.fail('severity', `severity is one of ${SEVERITIES.join(', ')}`);
  const mitre = r.strList('mitre') ?? [];
  const filter = r.expr('filter', ctx, true)!;
  const filterText = r.str('filter')!;
  const groupBy = r.strOrList('group_by') ?? [];
  if (groupBy.length > 4) throw r.fail('group_by', 'at most 4 fields');
  for (const g of groupBy) {
    const part = compileGroupPart(g);
    if (typeof part === 'string') throw r.fail('group_by', part);
  }
  const bucket = readBucket(r, ctx);
  const blackoutMs = r.duration('blackout') ?? 0;
  let remedy: Remedy | undefined;
  const rem = r.map('remedy');
  if (rem) {
    const action = rem.str('action', true)!;
    if (action !== 'block' && action !== 'challenge') throw rem.fail('action', 'remedy action is block or challenge');
    const scope = rem.str('scope') ?? 'ip';
    if (scope !== 'ip' && scope !== 'range') throw rem.fail('scope', 'remedy scope is ip or range');
    const ttlMs = rem.duration('ttl', true)!;
    if (ttlMs < 1000) throw rem.fail('ttl', 'a remedy lasts at least 1s');
    rem.done();
    remedy = { action, scope, ttlMs };
  }
  const simulation = r.bool('simulation') ?? false;
  const allowMap = r.map('allow');
  let allow: Scenario['allow'] = { users: new Set() };
  if (allowMap) {
    const ips = allowMap.strList('ips');
    let list: CidrList | undefined;
    if (ips) {
      try {
        list = new CidrList(ips);
      } catch (err) {
        throw allowMap.fail('ips', (err as Error).message);
      }
    }
    const users = new Set(allowMap.strList('users') ?? []);
    allowMap.done();
    allow = list ? { ips: list, users } : { users };
  }
  const maxGroups = r.int('max_groups', 1, MAX_GROUPS) ?? DEFAULT_MAX_GROUPS;
  const samples = r.int('samples', 0, 20) ?? 5;
  r.str('note');
  r.done();
  return { id, title, description, severity, mitre, filter, filterText, groupBy, bucket, blackoutMs, ...(remedy ? { remedy } : {}), simulation, allow, maxGroups, samples, origin: r.origin() };
}

function readBucket(r: Reader, ctx: ExprContext): BucketSpec {
  const b = r.map('bucket', true)!;
  const kind = b.str('kind', true)!;
  let spec: BucketSpec;
  switch (kind) {
    case 'trigger':
      spec = { kind };
      break;
    case 'leaky':
      spec = { kind, capacity: b.int('capacity', 1, MAX_THRESHOLD, true)!, leakMs: positive(b, 'leak') };
      break;
    case 'counter':
      spec = { kind, threshold: b.int('threshold', 1, MAX_THRESHOLD, true)!, windowMs: positive(b, 'window') };
      break;
    case 'distinct':
      spec = { kind, field: b.str('field', true)!, threshold: b.int('threshold', 2, 1000, true)!, windowMs: positive(b, 'window') };
      break;
    case 'sequence':
      spec = { kind, first: b.expr('first', ctx, true)!, then: b.expr('then', ctx, true)!, count: b.int('count', 1, MAX_THRESHOLD, true)!, windowMs: positive(b, 'window') };
      break;
    case 'travel':
      spec = { kind, field: b.str('field') ?? 'source.geo.country_iso_code', maxSpeedKmh: b.int('max_speed_kmh', 1, 100_000) ?? 1000, minDistanceKm: b.int('min_distance_km', 0, 50_000) ?? 500, windowMs: b.duration('window') ?? 86_400_000 };
      break;
    default:
      throw b.fail('kind', `a bucket kind is one of ${BUCKET_KINDS.join(', ')}`);
  }
  b.done();
  return spec;
}

function positive(b: Reader, key: string): number {
  const ms = b.duration(key, true)!;
  if (ms <= 0) throw b.fail(key, `${key} must be longer than 0`);
  return ms;
}

function loc(file: string, lc: LineCounter, offset: number): string {
  const p = lc.linePos(offset);
  return `${file}:${p.line}:${p.col}`;
}

/** Reads one mapping's keys with their locations; `done()` refuses the keys nobody read. */
class Reader {
  private readonly seen = new Set<string>();
  constructor(private readonly d: ParsedDoc, private readonly m: YAMLMap) {}

  origin(): string {
    return loc(this.d.file, this.d.lc, this.m.range?.[0] ?? 0);
  }

  private node(key: string): Node | undefined {
    this.seen.add(key);
    return this.m.get(key, true) as Node | undefined;
  }

  private at(key: string): string {
    const n = this.m.get(key, true) as Node | undefined;
    const pair = this.m.items.find((p) => isScalar(p.key) && p.key.value === key);
    const off = n?.range?.[0] ?? (pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? this.m.range?.[0] ?? 0;
    return loc(this.d.file, this.d.lc, off);
  }

  fail(key: string, message: string): MamoriError {
    return new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `${key}: ${message}`, { location: this.at(key) });
  }

  private missing(key: string): MamoriError {
    return new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `"${key}" is missing`, { location: this.origin() });
  }

  str(key: string, required = false): string | undefined {
    const n = this.node(key);
    if (n === undefined || (isScalar(n) && n.value === null)) {
      if (required) throw this.missing(key);
      return undefined;
    }
    if (!isScalar(n) || typeof n.value !== 'string') throw this.fail(key, 'expected text');
    if (n.value.length > 8192) throw this.fail(key, 'longer than 8192 characters');
    return n.value;
  }

  bool(key: string): boolean | undefined {
    const n = this.node(key);
    if (n === undefined) return undefined;
    if (!isScalar(n) || typeof n.value !== 'boolean') throw this.fail(key, 'expected true or false');
    return n.value;
  }

  int(key: string, min: number, max: number, required = false): number | undefined {
    const n = this.node(key);
    if (n === undefined) {
      if (required) throw this.missing(key);
      return undefined;
    }
    if (!isScalar(n) || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < min || n.value > max) throw this.fail(key, `expected a whole number from ${min} to ${max}`);
    return n.value;
  }

  duration(key: string, required = false): number | undefined {
    const n = this.node(key);
    if (n === undefined) {
      if (required) throw this.missing(key);
      return undefined;
    }
    if (!isScalar(n) || (typeof n.value !== 'string' && typeof n.value !== 'number')) throw this.fail(key, 'expected a duration such as 30s, 10m, 4h');
    try {
      return parseDuration(n.value, key);
    } catch (err) {
      throw this.fail(key, (err as Error).message);
    }
  }

  strList(key: string, required = false): string[] | undefined {
    const n = this.node(key);
    if (n === undefined) {
      if (required) throw this.missing(key);
      return undefined;
    }
    if (!isSeq(n)) throw this.fail(key, 'expected a list');
    return n.items.map((it) => {
      if (!isScalar(it) || (typeof it.value !== 'string' && typeof it.value !== 'number')) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `${key}: expected text`, { location: loc(this.d.file, this.d.lc, (it as Node).range?.[0] ?? 0) });
      return String(it.value);
    });
  }

  strOrList(key: string): string[] | undefined {
    const n = this.m.get(key, true);
    if (isScalar(n)) {
      const s = this.str(key);
      return s === undefined ? undefined : [s];
    }
    return this.strList(key);
  }

  map(key: string, required = false): Reader | undefined {
    const n = this.node(key);
    if (n === undefined) {
      if (required) throw this.missing(key);
      return undefined;
    }
    if (!isMap(n)) throw this.fail(key, 'expected a mapping');
    return new Reader(this.d, n);
  }

  /** A filter expression, with errors placed at their line and column in the file. */
  expr(key: string, ctx: ExprContext, required = false): Predicate | undefined {
    const text = this.str(key, required);
    if (text === undefined) return undefined;
    const n = this.m.get(key, true) as Node;
    const start = n.range?.[0] ?? 0;
    // Where the expression's own text begins: after a quote, or on the line after a block header.
    let off = start;
    let indent = 0;
    const c = this.d.text[start];
    if (c === '"' || c === "'") off = start + 1;
    else if (c === '|' || c === '>') {
      const nl = this.d.text.indexOf('\n', start);
      off = nl < 0 ? start : nl + 1;
      const lineStart = off;
      while (this.d.text[off] === ' ') off++;
      indent = off - lineStart;
    }
    const p = this.d.lc.linePos(off);
    return compileExpr(text, { file: this.d.file, line: p.line, col: p.col, indent }, ctx);
  }

  done(): void {
    for (const p of this.m.items) {
      const k = isScalar(p.key) ? String(p.key.value) : '?';
      if (!this.seen.has(k)) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `unknown key "${k.slice(0, 40)}"`, { location: loc(this.d.file, this.d.lc, (p.key as Node | null)?.range?.[0] ?? 0) });
    }
  }
}
