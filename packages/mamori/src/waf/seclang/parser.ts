// Loads SecLang: reads files (following Include), turns each directive into a
// typed node, attaches chain links to their starter and checks everything
// against the registries. Any error refuses the whole load: the result is
// either a complete configuration or the list of errors, never part of one.
//
// Everything read here may come from someone else's rule file, so every input
// is bounded: bytes per file and in total, files, include depth, line length,
// arguments per line and errors reported.

import { closeSync, openSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type {
  Action,
  DefaultAction,
  Directive,
  IncludeNode,
  LoadResult,
  Loc,
  Marker,
  Phase,
  Rule,
  SecLangConfig,
  SecLangError,
  Setting,
  UpdateTarget,
} from './ast.js';
import { DEFAULT_LEX_LIMITS, lexIter, printable, type LexLimits, type RawDirective } from './lexer.js';
import { PartError, parseActions, parseIdRanges, parseMacros, parseOperator, parsePhase, parseRuleId, parseSeverity, parseVariables } from './parts.js';
import { lookupAction, lookupDirective } from './registry.js';

export interface LoadOptions {
  /** Deepest Include nesting (the files given to the loader are depth 0). Default 16. */
  maxIncludeDepth?: number;
  /** Most files read in one load. Default 1000. */
  maxFiles?: number;
  /** Largest single file, bytes. Default 16 MiB. */
  maxFileBytes?: number;
  /** Most bytes read over all files. Default 64 MiB. */
  maxTotalBytes?: number;
  /** Stop after this many errors. Default 100. */
  maxErrors?: number;
  /** Longest logical line and most arguments per directive. */
  lex?: Partial<LexLimits>;
  /** Check that files named by @pmFromFile and @ipMatchFromFile exist. Default true. */
  checkDataFiles?: boolean;
}

const DEFAULTS = {
  maxIncludeDepth: 16,
  maxFiles: 1000,
  maxFileBytes: 16 << 20,
  maxTotalBytes: 64 << 20,
  maxErrors: 100,
  checkDataFiles: true,
};

/** Thrown inside the loader to stop at the error limit; never escapes it. */
class TooManyErrors extends Error {}

interface Ctx {
  opts: typeof DEFAULTS & { lex: LexLimits };
  errors: SecLangError[];
  directives: Directive[];
  rules: Rule[];
  markers: Marker[];
  files: string[];
  ids: Map<number, Loc>;
  /** The real paths of the files being read, outermost first, to catch include cycles. */
  stack: string[];
  bytes: number;
  /** The last link of an open chain, and the chain's starter. */
  chainTail?: Rule;
  chainStarter?: Rule;
}

function newCtx(options: LoadOptions): Ctx {
  return {
    opts: { ...DEFAULTS, ...stripUndefined(options), lex: { ...DEFAULT_LEX_LIMITS, ...stripUndefined(options.lex ?? {}) } },
    errors: [],
    directives: [],
    rules: [],
    markers: [],
    files: [],
    ids: new Map(),
    stack: [],
    bytes: 0,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function error(ctx: Ctx, file: string, line: number, message: string): void {
  ctx.errors.push({ file, line, message });
  if (ctx.errors.length >= ctx.opts.maxErrors) {
    ctx.errors.push({ file, line, message: `stopped after ${ctx.opts.maxErrors} errors` });
    throw new TooManyErrors();
  }
}

function finish(ctx: Ctx): LoadResult {
  if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors };
  const config: SecLangConfig = { directives: ctx.directives, rules: ctx.rules, markers: ctx.markers, files: ctx.files };
  return { ok: true, config };
}

/** Loads rule files in order (for CRS: crs-setup.conf, then rules/*.conf). */
export function loadSecLangFiles(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const ctx = newCtx(options);
  try {
    for (const p of paths) readFile(ctx, resolve(p), 0, { file: resolve(p), line: 0 });
  } catch (e) {
    if (!(e instanceof TooManyErrors)) throw e;
  }
  return finish(ctx);
}

export function loadSecLangFile(path: string, options: LoadOptions = {}): LoadResult {
  return loadSecLangFiles([path], options);
}

/**
 * Parses text held in memory as if it were the file `file`; Include and data
 * files are looked up relative to that file's directory.
 */
export function parseSecLang(text: string, file = '<inline>', options: LoadOptions = {}): LoadResult {
  const ctx = newCtx(options);
  try {
    if (text.length > ctx.opts.maxFileBytes) error(ctx, file, 0, `file is larger than ${ctx.opts.maxFileBytes} bytes`);
    else {
      ctx.files.push(file);
      parseText(ctx, text, file, 0);
    }
  } catch (e) {
    if (!(e instanceof TooManyErrors)) throw e;
  }
  return finish(ctx);
}

function readFile(ctx: Ctx, path: string, depth: number, from: Loc): void {
  let real: string;
  let size: number;
  try {
    real = realpathSync(path);
    const st = statSync(real);
    if (!st.isFile()) return error(ctx, from.file, from.line, `${printable(path, 200)} is not a regular file`);
    size = st.size;
  } catch (e) {
    return error(ctx, from.file, from.line, `cannot read ${printable(path, 200)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (ctx.stack.includes(real)) {
    return error(ctx, from.file, from.line, `include cycle: ${[...ctx.stack, real].map((p) => printable(p, 200)).join(' -> ')}`);
  }
  if (ctx.files.length >= ctx.opts.maxFiles) return error(ctx, from.file, from.line, `more than ${ctx.opts.maxFiles} files`);
  if (size > ctx.opts.maxFileBytes) return error(ctx, path, 0, `file is larger than ${ctx.opts.maxFileBytes} bytes`);
  if (ctx.bytes + size > ctx.opts.maxTotalBytes) return error(ctx, path, 0, `the files together are larger than ${ctx.opts.maxTotalBytes} bytes`);
  let text: string;
  try {
    // latin1 keeps one character per byte, so patterns keep their exact bytes.
    text = readBounded(real, size).toString('latin1');
  } catch (e) {
    return error(ctx, from.file, from.line, `cannot read ${printable(path, 200)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  ctx.bytes += text.length;
  ctx.files.push(path);
  ctx.stack.push(real);
  try {
    parseText(ctx, text, path, depth);
  } finally {
    ctx.stack.pop();
  }
}

/**
 * Rule files written for httpd often wrap directives in `<IfModule ...>`. Its
 * contents are read as if the module were loaded (ModSecurity is, for the
 * rules to mean anything), and skipped under `<IfModule !...>`. Other httpd
 * containers (`<Location>`, `<VirtualHost>`, ...) scope rules to parts of a
 * server, which mamori expresses in its own config, so they are refused.
 */
interface Container {
  line: number;
  active: boolean;
}
const MAX_CONTAINER_DEPTH = 32;

function container(ctx: Ctx, d: RawDirective, file: string, stack: Container[]): boolean {
  const name = d.name.toLowerCase();
  if (name === '</ifmodule>') {
    if (d.args.length > 0) error(ctx, file, d.line, '</IfModule> takes no arguments');
    else if (!stack.pop()) error(ctx, file, d.line, '</IfModule> without <IfModule>');
    return true;
  }
  if (name === '<ifmodule') {
    const arg = d.args.join(' ');
    if (d.args.length !== 1 || !arg.endsWith('>') || arg.length < 2) {
      error(ctx, file, d.line, '<IfModule takes one module name and a closing >');
      return true;
    }
    if (stack.length >= MAX_CONTAINER_DEPTH) {
      error(ctx, file, d.line, `<IfModule> nested deeper than ${MAX_CONTAINER_DEPTH}`);
      return true;
    }
    const outer = stack.length === 0 || stack[stack.length - 1]!.active;
    stack.push({ line: d.line, active: outer && !arg.startsWith('!') });
    return true;
  }
  if (name.startsWith('<')) {
    if (stack.length === 0 || stack[stack.length - 1]!.active) {
      error(ctx, file, d.line, `httpd container ${printable(d.name.replace(/^<\/?/, '').replace(/>$/, ''))} is not supported (only <IfModule>); scope rules in mamori's config instead`);
    }
    return true;
  }
  return stack.length > 0 && !stack[stack.length - 1]!.active;
}

/**
 * Reads at most `max` bytes (the size stat saw, itself within the limits), so a
 * file that grows between stat and read cannot make us hold more.
 */
function readBounded(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(max);
    let got = 0;
    while (got < max) {
      const n = readSync(fd, buf, got, max - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function parseText(ctx: Ctx, text: string, file: string, depth: number): void {
  const containers: Container[] = [];
  for (const d of lexIter(text, ctx.opts.lex)) {
    if ('problem' in d) {
      error(ctx, file, d.line, d.message);
      continue;
    }
    if (container(ctx, d, file, containers)) continue;
    try {
      directive(ctx, d, file, depth);
    } catch (e) {
      if (e instanceof PartError) error(ctx, file, d.line, `${directiveName(d)}: ${e.message}`);
      else throw e;
    }
  }
  if (ctx.chainTail) {
    const s = ctx.chainStarter!;
    ctx.chainTail = ctx.chainStarter = undefined;
    error(ctx, s.file, s.line, `rule ${s.id} ends with chain but no SecRule follows it in this file`);
  }
  const open = containers.pop();
  if (open) error(ctx, file, open.line, '<IfModule> is not closed in this file');
}

/** Errors as `file:line: message` lines, the form editors and CI logs understand. */
export function formatErrors(errors: readonly SecLangError[]): string {
  return errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n');
}

function directiveName(d: RawDirective): string {
  return lookupDirective(d.name)?.name ?? printable(d.name);
}

function directive(ctx: Ctx, d: RawDirective, file: string, depth: number): void {
  const spec = lookupDirective(d.name);
  if (!spec) return error(ctx, file, d.line, `unknown directive ${printable(d.name)}`);
  const name = spec.name;
  if (d.args.length < spec.minArgs || d.args.length > spec.maxArgs) {
    const want = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : spec.maxArgs === Infinity ? `at least ${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
    return error(ctx, file, d.line, `${name} takes ${want} argument${want === '1' ? '' : 's'}, got ${d.args.length}`);
  }
  const loc = { file, line: d.line };
  if (ctx.chainTail && name !== 'SecRule') {
    const s = ctx.chainStarter!;
    ctx.chainTail = ctx.chainStarter = undefined;
    return error(ctx, file, d.line, `rule ${s.id} (line ${s.line}) ends with chain, so a SecRule must follow, not ${name}`);
  }
  const args = d.args;
  switch (name) {
    case 'SecRule':
    case 'SecAction':
      return rule(ctx, name, args, loc);
    case 'SecMarker': {
      const m: Marker = { kind: 'marker', ...loc, name: args[0]! };
      if (!m.name.trim()) return error(ctx, file, d.line, 'SecMarker needs a name');
      ctx.markers.push(m);
      ctx.directives.push(m);
      return;
    }
    case 'SecDefaultAction':
      return defaultAction(ctx, args[0]!, loc);
    case 'SecRuleRemoveById':
      ctx.directives.push({ kind: 'removeById', ...loc, ids: args.flatMap(parseIdRanges) });
      return;
    case 'SecRuleRemoveByTag':
    case 'SecRuleRemoveByMsg':
      ctx.directives.push({ kind: name === 'SecRuleRemoveByTag' ? 'removeByTag' : 'removeByMsg', ...loc, pattern: args[0]! });
      return;
    case 'SecRuleUpdateTargetById':
    case 'SecRuleUpdateTargetByTag':
    case 'SecRuleUpdateTargetByMsg': {
      const by = name === 'SecRuleUpdateTargetById' ? 'id' : name === 'SecRuleUpdateTargetByTag' ? 'tag' : 'msg';
      const u: UpdateTarget = { kind: 'updateTarget', ...loc, by, targets: parseVariables(args[1]!) };
      if (by === 'id') u.ids = parseIdRanges(args[0]!);
      else u.pattern = args[0]!;
      if (args[2] !== undefined) u.replaced = parseVariables(args[2]);
      ctx.directives.push(u);
      return;
    }
    case 'SecRuleUpdateActionById': {
      const m = /^(\d+)(?::(\d+))?$/.exec(args[0]!.trim());
      if (!m) return error(ctx, file, d.line, `SecRuleUpdateActionById: bad rule id ${printable(args[0]!)}`);
      const actions = parseActions(args[1]!);
      for (const a of actions) {
        if (a.name === 'id' || a.name === 'phase' || a.name === 'chain') {
          return error(ctx, file, d.line, `SecRuleUpdateActionById cannot change ${a.name}`);
        }
      }
      const id = parseRuleId(m[1]!);
      ctx.directives.push({ kind: 'updateAction', ...loc, id, ...(m[2] !== undefined ? { offset: Number(m[2]) } : {}), actions, raw: args[1]! });
      return;
    }
    case 'Include':
    case 'IncludeOptional':
      return include(ctx, args[0]!, name === 'IncludeOptional', loc, depth);
    default:
      return setting(ctx, name, args, loc);
  }
}

function setting(ctx: Ctx, name: string, args: string[], loc: Loc): void {
  const spec = lookupDirective(name)!;
  if (spec.values) {
    const got = args[0]!;
    const hit = spec.values.find((v) => v.toLowerCase() === got.toLowerCase());
    if (!hit) return error(ctx, loc.file, loc.line, `${name} takes ${spec.values.join(', ')}, got ${printable(got)}`);
    args = [hit, ...args.slice(1)];
  }
  if (spec.numeric && !/^\d+$/.test(args[0]!)) return error(ctx, loc.file, loc.line, `${name} takes a number, got ${printable(args[0]!)}`);
  if (name === 'SecArgumentSeparator' && args[0]!.length !== 1) {
    return error(ctx, loc.file, loc.line, `SecArgumentSeparator takes one character, got ${printable(args[0]!)}`);
  }
  const s: Setting = { kind: 'setting', ...loc, name, args };
  ctx.directives.push(s);
}

/** Phase, transformations, tags and the other fields the engine reads often, taken from the action list. */
function summarize(actions: Action[]): { id?: number; phase?: Phase; chained: boolean; transformations: string[]; tags: string[]; severity?: number } {
  let id: number | undefined;
  let phase: Phase | undefined;
  let severity: number | undefined;
  let chained = false;
  const transformations: string[] = [];
  const tags: string[] = [];
  for (const a of actions) {
    const v = a.value ?? '';
    switch (a.name) {
      case 'id':
        id = parseRuleId(v);
        break;
      case 'phase':
        phase = parsePhase(v);
        break;
      case 'chain':
        chained = true;
        break;
      case 't':
        transformations.push(v);
        break;
      case 'tag':
        tags.push(v);
        break;
      case 'severity':
        severity = parseSeverity(v);
        break;
    }
  }
  return { ...(id !== undefined ? { id } : {}), ...(phase !== undefined ? { phase } : {}), ...(severity !== undefined ? { severity } : {}), chained, transformations, tags };
}

/** A data file named by an operator, resolved against the rule file's directory. */
function dataFile(dir: string, name: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) {
    throw new PartError(`remote data files are not fetched; download ${printable(name, 200)} and name the local file`);
  }
  return isAbsolute(name) ? name : join(dir, name);
}

function rule(ctx: Ctx, directive: 'SecRule' | 'SecAction', args: string[], loc: Loc): void {
  const isRule = directive === 'SecRule';
  const rawVars = isRule ? args[0]! : '';
  const rawOp = isRule ? args[1]! : '';
  const rawActions = isRule ? (args[2] ?? '') : args[0]!;
  const variables = isRule ? parseVariables(rawVars) : [];
  const dataDir = dirname(loc.file);
  const operator = isRule ? parseOperator(rawOp, (f) => dataFile(dataDir, f)) : undefined;
  const actions = parseActions(rawActions);
  const sum = summarize(actions);
  const r: Rule = {
    kind: 'rule',
    directive,
    ...loc,
    phase: sum.phase ?? 2,
    variables,
    actions,
    transformations: sum.transformations,
    chained: sum.chained,
    chain: [],
    tags: sum.tags,
    raw: { variables: rawVars, operator: rawOp, actions: rawActions },
  };
  if (operator) r.operator = operator;
  if (sum.id !== undefined) r.id = sum.id;
  if (sum.severity !== undefined) r.severity = sum.severity;
  const msg = actions.find((a) => a.name === 'msg');
  if (msg?.macro) r.msg = msg.macro;
  const logdata = actions.find((a) => a.name === 'logdata');
  if (logdata?.macro) r.logdata = logdata.macro;

  if (operator?.files && ctx.opts.checkDataFiles) {
    for (const f of operator.files) {
      try {
        if (!statSync(f).isFile()) throw new Error('not a file');
      } catch {
        return error(ctx, loc.file, loc.line, `@${operator.name}: data file ${printable(f, 200)} not found`);
      }
    }
  }

  if (ctx.chainTail) {
    // A chain link: the starter owns id, phase, disruptive and flow actions.
    const starter = ctx.chainStarter!;
    for (const a of actions) {
      if (lookupAction(a.name)!.starterOnly) {
        ctx.chainTail = ctx.chainStarter = undefined;
        return error(ctx, loc.file, loc.line, `${a.name} is only allowed on the first rule of a chain (rule ${starter.id} at line ${starter.line})`);
      }
    }
    r.phase = starter.phase;
    r.chainParentId = starter.id!;
    starter.chain.push(r);
    ctx.chainTail = r.chained ? r : undefined;
    if (!r.chained) ctx.chainStarter = undefined;
    return;
  }

  if (r.id === undefined) return error(ctx, loc.file, loc.line, `${directive} has no id action (every rule needs one)`);
  const seen = ctx.ids.get(r.id);
  if (seen) return error(ctx, loc.file, loc.line, `duplicate rule id ${r.id} (first at ${seen.file}:${seen.line})`);
  if (!isRule && r.chained) return error(ctx, loc.file, loc.line, 'SecAction cannot start a chain');
  ctx.ids.set(r.id, loc);
  ctx.rules.push(r);
  ctx.directives.push(r);
  if (r.chained) {
    ctx.chainTail = r;
    ctx.chainStarter = r;
  }
}

function defaultAction(ctx: Ctx, raw: string, loc: Loc): void {
  const actions = parseActions(raw);
  const sum = summarize(actions);
  if (sum.phase === undefined) return error(ctx, loc.file, loc.line, 'SecDefaultAction needs a phase');
  for (const a of actions) {
    const spec = lookupAction(a.name)!;
    // tag is allowed: crs-setup.conf.example shows SecDefaultAction with a tag.
    if (a.name === 'chain' || a.name === 'skip' || a.name === 'skipAfter' || a.name === 'logdata' || (spec.group === 'metadata' && a.name !== 'phase' && a.name !== 'tag')) {
      return error(ctx, loc.file, loc.line, `SecDefaultAction cannot hold ${a.name}`);
    }
  }
  if (!actions.some((a) => lookupAction(a.name)!.group === 'disruptive')) {
    return error(ctx, loc.file, loc.line, 'SecDefaultAction needs a disruptive action (pass, block, deny, ...)');
  }
  const d: DefaultAction = { kind: 'defaultAction', ...loc, phase: sum.phase, actions, transformations: sum.transformations, raw };
  ctx.directives.push(d);
}

function include(ctx: Ctx, pattern: string, optional: boolean, loc: Loc, depth: number): void {
  if (depth + 1 > ctx.opts.maxIncludeDepth) {
    return error(ctx, loc.file, loc.line, `includes nested deeper than ${ctx.opts.maxIncludeDepth}`);
  }
  const base = loc.file.startsWith('<') ? process.cwd() : dirname(loc.file);
  const full = isAbsolute(pattern) ? pattern : resolve(base, pattern);
  let files: string[];
  try {
    files = expandGlob(full, ctx.opts.maxFiles);
  } catch (e) {
    return error(ctx, loc.file, loc.line, `Include ${printable(pattern, 200)}: ${(e as Error).message}`);
  }
  if (files.length === 0) {
    if (optional) files = [];
    else return error(ctx, loc.file, loc.line, `Include ${printable(pattern, 200)} matches no file`);
  }
  const node: IncludeNode = { kind: 'include', ...loc, pattern, optional, files };
  ctx.directives.push(node);
  for (const f of files) readFile(ctx, f, depth + 1, loc);
}

const GLOB_CHARS = /[*?[]/;

/**
 * Expands `*`, `?` and `[...]` in any path component, in sorted order as httpd
 * does. A directory without wildcards stands for every file under it. Names
 * starting with a dot are matched only by a component that starts with a dot.
 */
export function expandGlob(path: string, maxResults: number): string[] {
  const root = path.startsWith(sep) ? sep : '';
  const comps = path.split(sep).filter((c) => c !== '');
  let current = [root || '.'];
  for (let k = 0; k < comps.length; k++) {
    const c = comps[k]!;
    const next: string[] = [];
    if (!GLOB_CHARS.test(c)) {
      for (const dir of current) next.push(join(dir, c));
    } else {
      const re = globToRegExp(c);
      for (const dir of current) {
        let names: string[];
        try {
          names = readdirSync(dir).sort();
        } catch {
          continue;
        }
        for (const nm of names) {
          if (nm.startsWith('.') && !c.startsWith('.')) continue;
          if (re.test(nm)) next.push(join(dir, nm));
          if (next.length > maxResults) throw new Error(`matches more than ${maxResults} files`);
        }
      }
    }
    current = next;
  }
  const out: string[] = [];
  const addTree = (p: string, level: number) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isFile()) out.push(p);
    else if (st.isDirectory()) {
      if (level > 16) throw new Error(`directories nested deeper than 16 under ${printable(p, 200)}`);
      for (const nm of readdirSync(p).sort()) if (!nm.startsWith('.')) addTree(join(p, nm), level + 1);
    }
    if (out.length > maxResults) throw new Error(`matches more than ${maxResults} files`);
  };
  const hasGlob = GLOB_CHARS.test(path);
  for (const p of current) {
    if (hasGlob) {
      // A wildcard picks files only, as httpd's Include does.
      try {
        if (statSync(p).isFile()) out.push(p);
      } catch {
        /* vanished or unreadable: not a match */
      }
    } else addTree(p, 0);
  }
  return out;
}

function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      const neg = body.startsWith('!') || body.startsWith('^');
      if (neg) body = body.slice(1);
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', 's');
}

export { parseMacros };
