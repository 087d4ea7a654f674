/**
 * An npm project's packages from its lock file, without installing or running anything:
 *
 * - `package-lock.json` (and `npm-shrinkwrap.json`) v1 (`dependencies`, nested), v2 and v3
 *   (`packages`, keyed by `node_modules/...` paths);
 * - `pnpm-lock.yaml` (lockfile 5.x `/name/1.2.3`, 6.x `/name@1.2.3`, 9.x `name@1.2.3`);
 * - `yarn.lock` v1 (its own format) and berry (v2 and later: YAML with `resolution:`).
 *
 * A package at one version is one asset wherever it appears; the asset's origin is the file and
 * the entry that named it first. Links (workspace packages, `file:`) are the project's own code
 * and are left out.
 */
import { basename, join } from 'node:path';
import { existsSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { MamoriError } from 'mamori';
import { Collector, jsonDepthProblem, yamlDepthProblem, type DiscoverOptions, type Discovery } from './common.js';
import { readBounded } from './files.js';

const MAX_LOCK = 128 * 1024 * 1024;
const MAX_DEPTH = 256;
const MAX_YAML = 64 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(file: string, why: string, cause?: unknown): MamoriError {
  return new MamoriError('MAMORI_ERR_VULN_INVENTORY', `${file}: ${why}`, { cause });
}

export function parseJsonBounded(text: string, file: string): Json {
  const deep = jsonDepthProblem(text, MAX_DEPTH);
  if (deep) throw bad(file, `not read: ${deep}`);
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw bad(file, `not valid JSON: ${(err as Error).message.slice(0, 200)}`, err);
  }
}

/** The package name in a `node_modules/a/node_modules/@s/b` path: `@s/b`. */
function nameFromPath(path: string): string | undefined {
  const i = path.lastIndexOf('node_modules/');
  if (i < 0) return undefined;
  return path.slice(i + 'node_modules/'.length) || undefined;
}

export function parsePackageLock(text: string, file: string, opts: DiscoverOptions = {}): Discovery {
  const doc = parseJsonBounded(text, file);
  if (!isObj(doc)) throw bad(file, 'not a package-lock.json: the top level is not an object');
  const c = new Collector(opts);
  const lv = doc.lockfileVersion;
  if (isObj(doc.packages) && (lv === 2 || lv === 3)) {
    for (const [path, entry] of Object.entries(doc.packages)) {
      // "" is the project; a path outside node_modules is one of its workspace folders; a link
      // points at one of those. All are the project's own code.
      if (path === '' || !isObj(entry) || entry.link === true || !path.includes('node_modules/')) continue;
      const name = typeof entry.name === 'string' ? entry.name : nameFromPath(path);
      if (!name) continue; // a workspace folder's own entry
      if (typeof entry.version !== 'string') {
        c.note(`${file}: packages[${JSON.stringify(path.slice(0, 120))}]: no version: skipped`);
        continue;
      }
      const real = npmAlias(entry.version) ?? { name, version: entry.version };
      c.add('npm', `${real.name}@${real.version}`, real.name, real.version, `${file}: packages[${JSON.stringify(path)}]`);
    }
    return c.result();
  }
  if (lv === 1 || (lv === undefined && isObj(doc.dependencies))) {
    // v1 nests `dependencies` inside each package; the JSON depth bound above bounds the walk.
    const walk = (deps: Record<string, Json>, at: string): void => {
      for (const [name, entry] of Object.entries(deps)) {
        if (!isObj(entry)) continue;
        const where = `${at}[${JSON.stringify(name)}]`;
        if (typeof entry.version !== 'string') c.note(`${file}: ${where.slice(0, 200)}: no version: skipped`);
        else if (entry.version.startsWith('file:') || entry.version.startsWith('link:')) {
          // the project's own code
        } else {
          const real = npmAlias(entry.version) ?? { name, version: entry.version };
          c.add('npm', `${real.name}@${real.version}`, real.name, real.version, `${file}: ${where}`);
        }
        if (isObj(entry.dependencies)) walk(entry.dependencies, `${where}.dependencies`);
      }
    };
    if (isObj(doc.dependencies)) walk(doc.dependencies, 'dependencies');
    return c.result();
  }
  throw bad(file, `not a package-lock.json mamori reads: lockfileVersion ${JSON.stringify(lv ?? null)} (1, 2 and 3 are read)`);
}

/** `@scope/name@1.2.3(peer@1)` (pnpm 6 and 9) or `/@scope/name/1.2.3_peer` (pnpm 5): name and version. */
export function pnpmKey(key: string, v5: boolean): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  if (v5) {
    const slash = k.lastIndexOf('/');
    if (slash <= 0) return undefined;
    const version = k.slice(slash + 1).split('_')[0]!;
    return { name: k.slice(0, slash), version };
  }
  const paren = k.indexOf('(');
  if (paren >= 0) k = k.slice(0, paren);
  const at = k.indexOf('@', 1);
  if (at <= 0) return undefined;
  return { name: k.slice(0, at), version: k.slice(at + 1) };
}

function yamlDoc(text: string, file: string): unknown {
  if (text.length > MAX_YAML) throw bad(file, `larger than ${MAX_YAML} bytes`);
  const deep = yamlDepthProblem(text);
  if (deep) throw bad(file, `not read: ${deep.why} (line ${deep.line}, column ${deep.col})`);
  // failsafe: every scalar stays text (1.10 stays 1.10); no aliases.
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
  } catch (err) {
    throw bad(file, `not read: ${(err as Error).message.slice(0, 200)}`, err);
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw bad(file, `not valid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 0 });
  } catch (err) {
    throw bad(file, `not read: ${(err as Error).message} (a lock file has no aliases)`, err);
  }
}

export function parsePnpmLock(text: string, file: string, opts: DiscoverOptions = {}): Discovery {
  const doc = yamlDoc(text, file);
  if (!isObj(doc)) throw bad(file, 'not a pnpm-lock.yaml: the top level is not a mapping');
  const lv = typeof doc.lockfileVersion === 'string' ? doc.lockfileVersion : '';
  const v5 = lv.startsWith('5');
  const c = new Collector(opts);
  const packages = isObj(doc.packages) ? doc.packages : {};
  for (const [key, entry] of Object.entries(packages)) {
    const p = pnpmKey(key, v5);
    const e = isObj(entry) ? entry : {};
    // A package from a tarball or git names itself in the entry.
    const name = typeof e.name === 'string' ? e.name : p?.name;
    const version = typeof e.version === 'string' ? e.version : p?.version;
    if (!name || !version) {
      c.note(`${file}: packages[${JSON.stringify(key.slice(0, 120))}]: no name and version in the key: skipped`);
      continue;
    }
    c.add('npm', `${name}@${version}`, name, version, `${file}: packages[${JSON.stringify(key)}]`);
  }
  return c.result();
}

/** The package name in a yarn specifier: `@babel/core@^7.0.0` → `@babel/core`; `lodash@npm:^4` → `lodash`. */
function yarnName(spec: string): string | undefined {
  const s = spec.trim().replace(/^"|"$/g, '');
  const at = s.indexOf('@', 1);
  if (at <= 0) return undefined;
  // `alias@npm:real@^1.0.0` (yarn 1, and berry keys) installs `real`: that is what advisories name.
  const rest = s.slice(at + 1);
  return (rest.startsWith('npm:') ? yarnName(rest.slice(4)) : undefined) ?? s.slice(0, at);
}

/** npm's alias form of a lock file version, `npm:real@1.2.3` (lockfile v1): the package really installed. */
function npmAlias(version: string): { name: string; version: string } | undefined {
  const m = /^npm:((?:@[^@/]{1,214}\/)?[^@/]{1,214})@([^@]{1,128})$/.exec(version);
  return m ? { name: m[1]!, version: m[2]! } : undefined;
}

export function parseYarnLock(text: string, file: string, opts: DiscoverOptions = {}): Discovery {
  if (/^__metadata:/m.test(text)) return parseYarnBerry(text, file, opts);
  const c = new Collector(opts);
  const lines = text.split('\n');
  let name: string | undefined;
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      // `"a@^1", a@^1.1:`: the specifiers of one entry, all of one package.
      name = line.endsWith(':') ? yarnName(line.slice(0, -1).split(',')[0]!) : undefined;
      at = i + 1;
      if (!name) c.note(`${file}:${i + 1}: not an entry line: skipped`);
      continue;
    }
    const m = /^ {2}version:? +"?([^"\s]+)"?\s*$/.exec(line);
    if (m && name) {
      c.add('npm', `${name}@${m[1]}`, name, m[1]!, `${file}:${at}`);
      name = undefined;
    }
  }
  return c.result();
}

function parseYarnBerry(text: string, file: string, opts: DiscoverOptions): Discovery {
  const doc = yamlDoc(text, file);
  if (!isObj(doc)) throw bad(file, 'not a yarn.lock: the top level is not a mapping');
  const c = new Collector(opts);
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata' || !isObj(entry)) continue;
    const resolution = typeof entry.resolution === 'string' ? entry.resolution : '';
    const version = typeof entry.version === 'string' ? entry.version : undefined;
    const name = yarnName(resolution) ?? yarnName(key.split(',')[0]!);
    const protocol = /@([a-z]+):/.exec(resolution)?.[1];
    // workspace:, link:, portal: and file: are the project's own code.
    if (protocol && protocol !== 'npm' && protocol !== 'patch') continue;
    if (!name || !version) {
      c.note(`${file}: ${JSON.stringify(key.slice(0, 120))}: no name and version: skipped`);
      continue;
    }
    c.add('npm', `${name}@${version}`, name, version, `${file}: ${JSON.stringify(key)}`);
  }
  return c.result();
}

/** Reads a lock file, by its name; a directory is looked into for the first lock file it has. */
export function discoverNpm(path: string, opts: DiscoverOptions = {}): Discovery {
  let file = path;
  if (!/\.(json|yaml|lock)$/.test(path)) {
    const found = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'].map((f) => join(path, f)).find((f) => existsSync(f));
    if (!found) throw bad(path, 'no package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock here');
    file = found;
  }
  const text = readBounded(file, MAX_LOCK, { whole: true, what: 'lock file' });
  const name = basename(file);
  if (name === 'pnpm-lock.yaml') return parsePnpmLock(text, file, opts);
  if (name === 'yarn.lock') return parseYarnLock(text, file, opts);
  return parsePackageLock(text, file, opts);
}
