/**
 * `mamori rules fetch crs` (and `fetch libinjection`, below): download a CRS release archive, check it, unpack it with mamori's
 * bounded tar reader into `<crs dir>/<version>`, load it in mamori's WAF, and only then point
 * `<crs dir>/current` at it (a symbolic link replaced in one rename). A failure at any step
 * leaves `current` as it was and removes what was unpacked.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MamoriError } from 'mamori';
import { boundedGet, commonTopFolder, readTarGz, writeTarEntries, type BoundedGetLimits } from 'mamori/internal';
import { crsRuleFiles, crsSetup, crsVersion, loadWaf } from 'mamori/waf';

/** The CRS release mamori is tested against (CRS's regression suite, docs/waf.md). */
export const DEFAULT_CRS_VERSION = '4.28.0';

/** Bounds of a download (boundedGet's). */
export type DownloadLimits = BoundedGetLimits;

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = { maxBytes: 32 * 1024 * 1024, timeoutMs: 120_000, idleMs: 30_000, maxRedirects: 5 };

export interface FetchCrsOptions {
  readonly version?: string;
  readonly url?: string;
  /** Where versions and `current` live (default `<dataDir>/crs`). */
  readonly dir: string;
  /** The archive's expected SHA-256, hex. */
  readonly sha256?: string;
  readonly sqliDataDir?: string;
  readonly limits?: Partial<DownloadLimits>;
  /** Progress lines (stderr). */
  readonly log?: (line: string) => void;
}

export interface FetchCrsResult {
  readonly version: string;
  readonly url: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly files: number;
  readonly ruleFiles: number;
  readonly rules: number;
  /** The version's folder. */
  readonly installedIn: string;
  readonly current: string;
}

const VERSION = /^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?:-[0-9A-Za-z.]{1,32})?$/;

const fail = (message: string, cause?: unknown): never => {
  throw new MamoriError('MAMORI_ERR_WAF_FETCH', message, cause === undefined ? {} : { cause });
};

/** `4.28.0` (or `v4.28.0`), checked: it names a folder. */
export function crsVersionArg(v: string): string {
  const s = v.startsWith('v') ? v.slice(1) : v;
  if (!VERSION.test(s)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--version must look like 4.28.0, not ${JSON.stringify(v.slice(0, 40))}`);
  return s;
}

export function crsReleaseUrl(version: string): string {
  return `https://github.com/coreruleset/coreruleset/archive/refs/tags/v${version}.tar.gz`;
}

/**
 * The URLs a download may use: https, or http to 127.0.0.1 when the first URL was that
 * (for tests); never credentials in the URL.
 */
/** GET `url`, following redirects (bounded), within the size and time limits (see boundedGet). */
export async function download(url: string, limits: Partial<DownloadLimits> = {}): Promise<{ body: Buffer; url: string }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--url ${JSON.stringify(url.slice(0, 200))} is not a URL`, { cause: err });
  }
  const r = await boundedGet(u, {
    code: 'MAMORI_ERR_WAF_FETCH',
    limits: { ...DEFAULT_DOWNLOAD_LIMITS, ...limits },
    headers: { 'user-agent': 'mamori (rules fetch)', accept: 'application/gzip, application/octet-stream;q=0.9, */*;q=0.1' },
    statusHint: (status) => (status === 404 ? ' (no such release? check --version)' : ''),
  });
  if (r.status !== 200) throw new MamoriError('MAMORI_ERR_WAF_FETCH', `${r.url}: answered ${r.status}`);
  return { body: r.body, url: r.url };
}

export async function fetchCrs(o: FetchCrsOptions): Promise<FetchCrsResult> {
  const log = o.log ?? (() => {});
  const wanted = o.version === undefined ? (o.url === undefined ? DEFAULT_CRS_VERSION : undefined) : crsVersionArg(o.version);
  const expectedSha = o.sha256?.toLowerCase();
  if (expectedSha !== undefined && !/^[0-9a-f]{64}$/.test(expectedSha)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--sha256 must be 64 hexadecimal digits');
  const url = o.url ?? crsReleaseUrl(wanted!);
  log(`downloading ${url}`);
  const got = await download(url, o.limits);
  const sha256 = createHash('sha256').update(got.body).digest('hex');
  if (expectedSha !== undefined && sha256 !== expectedSha) fail(`${url}: the archive's SHA-256 is ${sha256}, not the ${expectedSha} given with --sha256 (nothing was unpacked)`);
  const entries = readTarGz(got.body);
  const top = commonTopFolder(entries);
  // GitHub's archives hold one folder (coreruleset-4.28.0/); an archive of rules/ alone is kept whole.
  const strip = top !== undefined && top !== 'rules' && entries.some((e) => e.path.startsWith(`${top}/rules/`)) ? 1 : 0;
  const base = resolve(o.dir);
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const tmp = join(base, `.fetch-${randomBytes(6).toString('hex')}`);
  let old: string | undefined;
  try {
    const written = writeTarEntries(entries, tmp, { strip });
    const ruleFiles = crsRuleFiles(tmp).filter((f) => /\/RE(?:QUEST|SPONSE)-\d+[^/]*\.conf$/.test(f));
    if (ruleFiles.length === 0) fail(`${url}: the archive holds no rules/REQUEST-*.conf files (is it a CRS release?)`);
    if (!existsSync(join(tmp, 'crs-setup.conf.example'))) fail(`${url}: the archive holds no crs-setup.conf.example (is it a CRS release?)`);
    const version = crsVersion(join(tmp, 'rules'));
    if (version === undefined) fail(`${url}: rules/REQUEST-901-INITIALIZATION.conf names no CRS version (SecComponentSignature)`);
    if (!VERSION.test(version!)) fail(`${url}: the archive's CRS version ${JSON.stringify(version!.slice(0, 40))} is not a version mamori uses as a folder name`);
    if (wanted !== undefined && version !== wanted) fail(`${url}: the archive holds CRS ${version}, not ${wanted}`);
    log(`unpacked ${written.files} files (${written.bytes} bytes); loading CRS ${version} in mamori's WAF`);
    let rules: number;
    try {
      const waf = loadWaf({ text: crsSetup(tmp, { engine: 'On', paranoia: 1 }), file: join(tmp, 'mamori-fetch-check.conf'), ...(o.sqliDataDir ? { sqliDataDir: o.sqliDataDir } : {}) });
      rules = waf.rules.phases.reduce((n, p) => n + p.filter((r) => r.marker === undefined).length, 0);
    } catch (err) {
      return fail(`CRS ${version} was downloaded but mamori's WAF cannot load it, so it was not installed:\n${(err as Error).message}`, err);
    }
    const final = join(base, version!);
    const link = join(base, 'current');
    const linkStat = lstatOrUndefined(link);
    if (linkStat && !linkStat.isSymbolicLink()) fail(`${link} is not a symbolic link (mamori makes it one): move it away and fetch again`);
    if (existsSync(final)) {
      old = join(base, `.old-${randomBytes(6).toString('hex')}`);
      renameSync(final, old);
    }
    try {
      renameSync(tmp, final);
    } catch (err) {
      if (old) renameSync(old, final);
      old = undefined;
      throw err;
    }
    // The link is made beside it and renamed over `current`: readers see the old or the new, never none.
    const next = join(base, `.current-${randomBytes(6).toString('hex')}`);
    if (process.platform === 'win32') symlinkSync(final, next, 'junction');
    else symlinkSync(version!, next);
    renameSync(next, link);
    return { version: version!, url: got.url, sha256, bytes: got.body.length, files: written.files, ruleFiles: ruleFiles.length, rules, installedIn: final, current: link };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    if (old) rmSync(old, { recursive: true, force: true });
  }
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/**
 * libinjection's data for @detectSQLi (CRS's 942100), as mamori reads it: `sqlparse_data.json`
 * from libinjection's repository at the commit whose data mamori is tested with, and the SHA-256
 * of that file (checked on every download unless another URL is given).
 */
export const LIBINJECTION_DATA_URL = 'https://raw.githubusercontent.com/libinjection/libinjection/a0131c02e46add68e6704478bfd964389c153bb6/src/sqlparse_data.json';
export const LIBINJECTION_DATA_SHA256 = 'b3a365ca104b3384cf056c91106391f6cc565699af00413270bd3a2db49f99ea';

export interface FetchLibinjectionOptions {
  /** Where the data goes: <dir>/src/sqlparse_data.json (mamori looks in <data_dir>/libinjection). */
  readonly dir: string;
  readonly url?: string;
  /** Expected SHA-256 (default: the pinned file's, when the default URL is used). */
  readonly sha256?: string;
  readonly limits?: Partial<DownloadLimits>;
  readonly log?: (line: string) => void;
}

export interface FetchLibinjectionResult {
  url: string;
  sha256: string;
  bytes: number;
  installedIn: string;
}

export async function fetchLibinjection(o: FetchLibinjectionOptions): Promise<FetchLibinjectionResult> {
  const log = o.log ?? (() => {});
  const url = o.url ?? LIBINJECTION_DATA_URL;
  const expectedSha = (o.sha256 ?? (o.url === undefined ? LIBINJECTION_DATA_SHA256 : undefined))?.toLowerCase();
  if (expectedSha !== undefined && !/^[0-9a-f]{64}$/.test(expectedSha)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--sha256 must be 64 hexadecimal digits');
  log(`downloading ${url}`);
  const got = await download(url, { maxBytes: 4 * 1024 * 1024, ...o.limits });
  const sha256 = createHash('sha256').update(got.body).digest('hex');
  if (expectedSha !== undefined && sha256 !== expectedSha) fail(`${url}: the file's SHA-256 is ${sha256}, not the expected ${expectedSha} (nothing was installed)`);
  const base = resolve(o.dir);
  const tmp = join(base, `.fetch-${randomBytes(6).toString('hex')}`);
  mkdirSync(join(tmp, 'src'), { recursive: true, mode: 0o755 });
  try {
    writeFileSync(join(tmp, 'src', 'sqlparse_data.json'), got.body, { mode: 0o644 });
    // Loaded by the WAF as 942100 would use it, and tried on a tautology it must catch.
    try {
      const waf = loadWaf({ text: 'SecRuleEngine On\nSecRule ARGS "@detectSQLi" "id:1,phase:2,pass,log"\n', file: join(tmp, 'mamori-fetch-check.conf'), sqliDataDir: tmp });
      const tx = waf.transaction({ method: 'GET', uri: "/?id=1'%20or%20'1'%3D'1", protocol: 'HTTP/1.1', headers: [['Host', 'localhost']], body: undefined, remoteAddr: '127.0.0.1', remotePort: 1, serverAddr: '127.0.0.1', serverPort: 80 });
      tx.processRequestHeaders();
      tx.processRequestBody();
      if (!tx.matched.some((m) => m.id === 1)) fail('it does not flag a plain SQL tautology');
    } catch (err) {
      return fail(`${url} was downloaded but is not libinjection's data as mamori reads it, so it was not installed:\n${(err as Error).message}`, err);
    }
    mkdirSync(join(base, 'src'), { recursive: true, mode: 0o755 });
    const final = join(base, 'src', 'sqlparse_data.json');
    renameSync(join(tmp, 'src', 'sqlparse_data.json'), final);
    return { url: got.url, sha256, bytes: got.body.length, installedIn: final };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
