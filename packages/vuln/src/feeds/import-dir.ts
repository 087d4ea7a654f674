/**
 * Importing feeds from files, for hosts that are not online: a directory laid out like the
 * downloads (`kev/`, `nvd-api-2.0/`, `cve-json-5/`, `osv-npm/` or any `osv-*` (`osv-debian/`,
 * `osv-almalinux/` for distributions' records), `epss/`, `jvn/`, `debian-tracker/` (the
 * tracker's JSON export), `ipa/` (IPA's alert RSS)), or single files by feed. Each file is bounded in size; each bad file or record is
 * reported with its location and skipped.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readCve5 } from './cve5.js';
import { readEpss } from './epss.js';
import { parseJson, RecordError, DEFAULT_JSON_LIMITS, type FeedProblem } from './json.js';
import { jsonDepthProblem } from '../inventory/discover/common.js';
import { readJvn } from './jvn.js';
import { readKev } from './kev.js';
import { readNvdCve, readNvdPage, type NvdRecord } from './nvd.js';
import { readOsv } from './osv.js';
import type { FeedName, VulnFeedStore } from './store.js';
import { streamDebianTracker, type DebianTrackerRecord } from './debian-tracker.js';
import { readIpaAlerts } from './ipa.js';

export interface ImportReport {
  readonly counts: Record<string, number>;
  readonly problems: FeedProblem[];
}

export const MAX_FILES_PER_FEED = 400_000;
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** The Debian tracker's export is one large file (about 60 MB in 2024); it gets a larger bound, and a node count to match. */
export const MAX_DEBIAN_TRACKER_BYTES = 256 * 1024 * 1024;

/**
 * The tracker's export into the store, replacing what it had, one package at a time; a file
 * that cannot be read, or gives no entry, leaves the store as it was.
 */
export function importDebianTracker(store: VulnFeedStore, buf: Buffer, where: string, opts: { had?: number } = {}): { count: number; problems: FeedProblem[]; temp: number } {
  if (buf.length > MAX_DEBIAN_TRACKER_BYTES) throw new RecordError(`${where}: ${buf.length} bytes, more than the ${MAX_DEBIAN_TRACKER_BYTES} allowed`);
  const text = buf.toString('utf8');
  const deep = jsonDepthProblem(text, 8);
  if (deep) throw new RecordError(`${where}: ${deep}`);
  let out: { count: number; problems: FeedProblem[]; temp: number } | undefined;
  // the export is the whole tracker each time: what it no longer lists is gone
  store.replace('debian', (put) => {
    out = streamDebianTracker(text, where, (records: DebianTrackerRecord[]) => put(records));
    if (out.count === 0) throw new RecordError(`${where}: no (package, CVE) entry could be read; the tracker data in the store is kept`);
    if (opts.had !== undefined && out.count < opts.had / 2) throw new RecordError(`${where}: ${out.count} (package, CVE) entries, fewer than half of the ${opts.had} the store has: a cut or stale copy is refused, and the tracker data in the store is kept (mamori vuln update --import replaces it on purpose)`);
  });
  return out!;
}

export type ImportKind = FeedName | 'epss';

/** Reads one file of `kind` into the store. */
export function importFile(store: VulnFeedStore, kind: ImportKind, file: string, report: ImportReport = { counts: {}, problems: [] }): ImportReport {
  const add = (k: string, n: number) => (report.counts[k] = (report.counts[k] ?? 0) + n);
  try {
    const st = lstatSync(file);
    if (!st.isFile()) throw new RecordError(`${file}: not a regular file`);
    const max = kind === 'debian' ? MAX_DEBIAN_TRACKER_BYTES : MAX_FILE_BYTES;
    if (st.size > max) throw new RecordError(`${file}: ${st.size} bytes, more than the ${max} allowed`);
    let buf = readFileSync(file);
    if (file.endsWith('.gz')) buf = gunzipSync(buf, { maxOutputLength: 256 * 1024 * 1024 });
    if (kind === 'debian') {
      const d = importDebianTracker(store, buf, file);
      add('debian', d.count);
      report.problems.push(...d.problems);
      return report;
    }
    if (kind === 'ipa') {
      const a = readIpaAlerts(buf.toString('utf8'), file);
      store.put('ipa', a.alerts);
      add('ipa', a.alerts.length);
      report.problems.push(...a.problems);
      return report;
    }
    if (kind === 'epss') {
      const e = readEpss(buf.toString('utf8'), file);
      store.replaceEpss(e.rows);
      store.setState('epss', { cursor: e.date ?? null, note: e.model ?? null });
      add('epss', e.rows.length);
      report.problems.push(...e.problems);
      return report;
    }
    if (kind === 'jvn') {
      const j = readJvn(buf.toString('utf8'), file);
      store.put('jvn', j.records);
      add('jvn', j.records.length);
      report.problems.push(...j.problems);
      return report;
    }
    const value = parseJson(buf, file, { ...DEFAULT_JSON_LIMITS, maxBytes: MAX_FILE_BYTES });
    if (kind === 'kev') {
      const k = readKev(value, file);
      store.clear('kev');
      store.put('kev', k.entries);
      store.setState('kev', { cursor: k.catalogVersion });
      add('kev', k.entries.length);
      report.problems.push(...k.problems);
    } else if (kind === 'nvd') {
      let records: NvdRecord[];
      if (value !== null && typeof value === 'object' && 'vulnerabilities' in value) {
        const page = readNvdPage(value, file);
        records = page.records;
        report.problems.push(...page.problems);
      } else records = [readNvdCve(value, file)];
      store.put('nvd', records);
      add('nvd', records.length);
    } else if (kind === 'cve5') {
      store.put('cve5', [readCve5(value, file)]);
      add('cve5', 1);
    } else if (kind === 'osv') {
      store.put('osv', [readOsv(value, file)]);
      add('osv', 1);
    }
  } catch (err) {
    if (err instanceof RecordError) report.problems.push({ where: file, message: err.message });
    else if ((err as NodeJS.ErrnoException).code !== undefined || err instanceof RangeError) report.problems.push({ where: file, message: (err as Error).message });
    else throw err;
  }
  return report;
}

const DIRS: [RegExp, ImportKind, RegExp][] = [
  [/^kev$/, 'kev', /\.json$/],
  [/^nvd(-api-2\.0)?$/, 'nvd', /\.json(\.gz)?$/],
  [/^cve-json-5$|^cvelist/, 'cve5', /^CVE-.*\.json$/],
  [/^osv(-[\w-]+)?$/, 'osv', /\.json$/],
  [/^epss$/, 'epss', /\.csv(\.gz)?$/],
  [/^jvn$/, 'jvn', /\.(xml|rdf)$/],
  [/^debian-tracker$/, 'debian', /\.json(\.gz)?$/],
  [/^ipa(-alerts)?$/, 'ipa', /\.(xml|rdf)$/],
];

/** Imports every feed directory found under `dir`. */
export function importFeedDir(store: VulnFeedStore, dir: string): ImportReport {
  const report: ImportReport = { counts: {}, problems: [] };
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    report.problems.push({ where: dir, message: `cannot read the directory: ${(err as Error).message}` });
    return report;
  }
  for (const name of names) {
    const spec = DIRS.find(([re]) => re.test(name));
    if (!spec) continue;
    const sub = join(dir, name);
    let files: string[];
    try {
      if (!lstatSync(sub).isDirectory()) continue;
      files = readdirSync(sub).filter((f) => spec[2].test(f) && !f.includes('schema')).sort();
    } catch (err) {
      report.problems.push({ where: sub, message: `cannot read the directory: ${(err as Error).message}` });
      continue;
    }
    if (files.length > MAX_FILES_PER_FEED) report.problems.push({ where: sub, message: `more than ${MAX_FILES_PER_FEED} files; the rest are not read` });
    for (const f of files.slice(0, MAX_FILES_PER_FEED)) importFile(store, spec[1], join(sub, f), report);
  }
  return report;
}
