/**
 * Where the OWASP Core Rule Set is on this machine. mamori does not ship CRS; it reads it from
 * a folder, found in this order:
 *
 * 1. a path given explicitly: the config's `waf.crs`, else `MAMORI_CRS_DIR`. Given, it is the
 *    only place looked at: a wrong path is reported, never replaced by another CRS;
 * 2. what `mamori rules fetch crs` installed: `<data_dir>/crs/current`;
 * 3. Debian's `modsecurity-crs` package: rules in /usr/share/modsecurity-crs/rules, the setup
 *    and the two exclusion files in /etc/modsecurity/crs;
 * 4. unpacked releases in well-known places (the official container's /opt/owasp-crs) and in
 *    any `searchDirs` given (the folder itself, or a `coreruleset-<version>` folder in it).
 *
 * A folder is taken for CRS when it holds `rules/*.conf` (a release or a clone), or is itself
 * the rules folder. The version is read from the rules (`SecComponentSignature`); releases
 * before CRS 3 are passed over with the reason.
 */
import { closeSync, openSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export type CrsSource = 'config' | 'env' | 'download' | 'debian' | 'release';

export interface CrsLocation {
  /** The folder holding CRS's rule files (`REQUEST-901-INITIALIZATION.conf` and the others). */
  readonly rulesDir: string;
  /** CRS's setup: `crs-setup.conf` when there is one, else the release's `crs-setup.conf.example`. */
  readonly setupFile?: string;
  /** Where the `*-BEFORE-CRS.conf` and `*-AFTER-CRS.conf` exclusion files are, when not in rulesDir (Debian's /etc/modsecurity/crs). */
  readonly exclusionsDir?: string;
  /** CRS's version as its rules say it (`4.28.0`), when they say it. */
  readonly version?: string;
  readonly source: CrsSource;
}

export interface CrsLook {
  readonly place: string;
  readonly source: CrsSource;
  /** Why that place was not taken. */
  readonly problem: string;
}

export interface CrsSearch {
  readonly crs: CrsLocation | undefined;
  /** Every place looked at and not taken, in order (for "no CRS found, looked in …"). */
  readonly looked: readonly CrsLook[];
}

export interface LocateCrsOptions {
  /** The config's `waf.crs`, resolved (relative to the config file) by the caller. */
  readonly path?: string;
  /** mamori's data folder (the config's `dataDir`): `<dataDir>/crs/current` is looked at. */
  readonly dataDir?: string;
  /** Where MAMORI_CRS_DIR is read (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** More folders that may hold an unpacked release. */
  readonly searchDirs?: readonly string[];
  /** Debian's folders (for tests; default /usr/share/modsecurity-crs and /etc/modsecurity/crs). */
  readonly debian?: { readonly shareDir: string; readonly etcDir: string } | false;
  /** Well-known release folders (for tests; default /opt/owasp-crs). */
  readonly wellKnown?: readonly string[];
}

export const DEBIAN_CRS = { shareDir: '/usr/share/modsecurity-crs', etcDir: '/etc/modsecurity/crs' } as const;
const WELL_KNOWN = ['/opt/owasp-crs'];

export function locateCrs(options: LocateCrsOptions = {}): CrsSearch {
  const looked: CrsLook[] = [];
  const env = options.env ?? process.env;
  const debian = options.debian ?? DEBIAN_CRS;
  const explicit: [string, CrsSource] | undefined = options.path ? [options.path, 'config'] : env.MAMORI_CRS_DIR ? [env.MAMORI_CRS_DIR, 'env'] : undefined;
  if (explicit) {
    const [place, source] = explicit;
    // Debian's folder named explicitly: its setup and exclusions are in /etc.
    const atDebian = debian && resolve(place) === resolve(debian.shareDir) ? debianAt(debian.shareDir, debian.etcDir) : undefined;
    const r = runnable(atDebian && typeof atDebian !== 'string' ? { ...atDebian, source } : releaseAt(resolve(place), source));
    if (typeof r === 'string') looked.push({ place, source, problem: r });
    return { crs: typeof r === 'string' ? undefined : r, looked };
  }
  // The first CRS 4 found is taken; a CRS 3 (Debian bookworm's) is taken only when no CRS 4 is anywhere.
  let crs3: CrsLocation | undefined;
  const take = (r: CrsLocation): boolean => {
    if (Number((r.version ?? '4').split('.')[0]) >= 4) return true;
    crs3 ??= r;
    return false;
  };
  if (options.dataDir) {
    const place = join(resolve(options.dataDir), 'crs', 'current');
    const r = runnable(releaseAt(place, 'download'));
    if (typeof r === 'string') looked.push({ place, source: 'download', problem: r });
    else if (take(r)) return { crs: r, looked };
  }
  if (debian) {
    const found = runnable(debianAt(debian.shareDir, debian.etcDir));
    if (typeof found === 'string') looked.push({ place: debian.shareDir, source: 'debian', problem: found });
    else if (take(found)) return { crs: found, looked };
  }
  for (const dir of [...(options.wellKnown ?? WELL_KNOWN), ...(options.searchDirs ?? [])]) {
    const place = resolve(dir);
    const direct = runnable(releaseAt(place, 'release'));
    if (typeof direct !== 'string' && take(direct)) return { crs: direct, looked };
    // A folder holding unpacked releases: the highest version first.
    const inside = releaseFolders(place);
    let taken: CrsLocation | undefined;
    for (const sub of inside) {
      const found = runnable(releaseAt(join(place, sub), 'release'));
      if (typeof found !== 'string' && take(found)) { taken = found; break; }
    }
    if (taken) return { crs: taken, looked };
    if (typeof direct === 'string') looked.push({ place, source: 'release', problem: inside.length ? `${direct}; neither do the coreruleset-* folders in it` : direct });
  }
  return { crs: crs3, looked };
}

/** "no CRS found; looked in: …", one place a line, for a command to print. */
export function formatCrsSearch(search: CrsSearch): string {
  if (search.crs) return `CRS ${search.crs.version ?? '(version unknown)'} in ${search.crs.rulesDir} (${search.crs.source})`;
  const lines = search.looked.map((l) => `  ${l.place} (${SOURCE_NAMES[l.source]}): ${l.problem}`);
  return `no CRS found; looked in:\n${lines.join('\n')}\n(\`mamori rules fetch crs\` downloads and installs it)`;
}

const SOURCE_NAMES: Record<CrsSource, string> = {
  config: 'the config\'s waf.crs',
  env: 'MAMORI_CRS_DIR',
  download: 'installed by `mamori rules fetch crs`',
  debian: 'Debian\'s modsecurity-crs package',
  release: 'an unpacked release',
};

/**
 * CRS's rule files in the order they load: the `*-BEFORE-CRS.conf` exclusions first, then
 * `REQUEST-9xx` and `RESPONSE-9xx` (and any other `.conf` beside them) in name order, then the
 * `*-AFTER-CRS.conf` exclusions, as CRS's documentation places them. `.conf.example` files
 * (the exclusion templates a release ships) are not rules. `crs` is a CRS folder (holding
 * `rules/`), a rules folder, or a located CRS (whose exclusionsDir is read as well).
 */
export function crsRuleFiles(crs: string | CrsLocation): string[] {
  const rulesDir = typeof crs === 'string' ? (isDir(join(crs, 'rules')) ? join(crs, 'rules') : crs) : crs.rulesDir;
  const dirs = [rulesDir];
  if (typeof crs !== 'string' && crs.exclusionsDir && resolve(crs.exclusionsDir) !== resolve(rulesDir)) dirs.push(crs.exclusionsDir);
  const before: string[] = [];
  const middle: string[] = [];
  const after: string[] = [];
  for (const [i, dir] of dirs.entries()) {
    for (const name of confFiles(dir)) {
      const group = /-BEFORE-CRS\.conf$/.test(name) ? before : /-AFTER-CRS\.conf$/.test(name) ? after : middle;
      // From the exclusions folder, only the exclusion files (Debian keeps crs-setup.conf there).
      if (i > 0 && group === middle) continue;
      group.push(join(dir, name));
    }
  }
  const byName = (a: string, b: string) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0);
  return [...before.sort(byName), ...middle.sort(byName), ...after.sort(byName)];
}

/** CRS's version as its initialization rules say it (`SecComponentSignature "OWASP_CRS/4.28.0"`). */
export function crsVersion(rulesDir: string): string | undefined {
  const head = readHead(join(rulesDir, 'REQUEST-901-INITIALIZATION.conf'), 64 * 1024);
  if (head === undefined) return undefined;
  const m = /^\s*SecComponentSignature\s+"OWASP_CRS\/([0-9][0-9A-Za-z.-]{0,40})"/m.exec(head) ?? /ver:'OWASP_CRS\/([0-9][0-9A-Za-z.-]{0,40})'/.exec(head) ?? /^#.*\bver\.([0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.-]{0,20})/m.exec(head);
  return m?.[1];
}

/**
 * CRS 3 (Debian bookworm's package is 3.3.4) and CRS 4 are taken; older releases are not
 * (their variable names and rules differ from what mamori's setup writes).
 */
function runnable(r: CrsLocation | string): CrsLocation | string {
  if (typeof r === 'string' || r.version === undefined) return r;
  const major = Number(r.version.split('.')[0]);
  return major < 3 ? `${r.rulesDir} holds CRS ${r.version}; mamori runs CRS 3 and 4` : r;
}

/** A release or clone at `dir` (or `dir` is its rules folder), or why not. */
function releaseAt(dir: string, source: CrsSource): CrsLocation | string {
  if (!exists(dir)) return 'not there';
  if (!isDir(dir)) return 'not a folder';
  let root = dir;
  let rulesDir = join(dir, 'rules');
  if (!isDir(rulesDir)) {
    if (!hasCrsRules(dir)) return 'holds no rules/ folder';
    rulesDir = dir;
    root = dirname(dir);
  }
  if (!hasCrsRules(rulesDir)) return `${rulesDir} holds no REQUEST-*.conf rule files`;
  const setupFile = [join(root, 'crs-setup.conf'), join(root, 'crs-setup.conf.example')].find(isFile);
  // `current` is a link to a version folder: report where the rules really are.
  const real = realpathSync(rulesDir);
  return { rulesDir: real, ...(setupFile ? { setupFile: realpathSync(setupFile) } : {}), ...version(real), source };
}

function debianAt(shareDir: string, etcDir: string): CrsLocation | string {
  const rulesDir = join(shareDir, 'rules');
  if (!exists(shareDir)) return 'not there (apt-get install modsecurity-crs)';
  if (!hasCrsRules(rulesDir)) return `${rulesDir} holds no REQUEST-*.conf rule files`;
  const setup = join(etcDir, 'crs-setup.conf');
  return { rulesDir, ...(isFile(setup) ? { setupFile: setup } : {}), ...(isDir(etcDir) ? { exclusionsDir: etcDir } : {}), ...version(rulesDir), source: 'debian' };
}

function version(rulesDir: string): { version?: string } {
  const v = crsVersion(rulesDir);
  return v === undefined ? {} : { version: v };
}

/** `coreruleset-4.28.0`, `owasp-crs-4.1.0` … folders in `dir`, highest version first. */
function releaseFolders(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const key = (n: string) => (/(\d+)\.(\d+)\.(\d+)/.exec(n)?.slice(1).map(Number) ?? [0, 0, 0]) as number[];
  return names
    .filter((n) => /^(?:coreruleset|owasp-crs|owasp-modsecurity-crs)-v?\d/.test(n))
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
      return a < b ? -1 : 1;
    });
}

function confFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.conf') && !n.startsWith('.') && isFile(join(dir, n)));
}

function hasCrsRules(dir: string): boolean {
  return confFiles(dir).some((n) => /^RE(?:QUEST|SPONSE)-\d+/.test(n));
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function readHead(file: string, max: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(max);
    const n = readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n).toString('latin1');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
