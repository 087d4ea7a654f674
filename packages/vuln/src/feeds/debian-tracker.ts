/**
 * The Debian Security Tracker's JSON export (https://security-tracker.debian.org/tracker/data/json):
 * source package → CVE (or a TEMP- id) → `releases` → codename → `{ status, repositories,
 * fixed_version, urgency, nodsa, nodsa_reason }`. What the statuses mean for matching:
 *
 *   resolved, fixed_version V   fixed in the release from V on: below V is affected
 *   resolved, fixed_version 0   the tracker's `<not-affected>`: the release never had the flaw
 *   open                        `<unfixed>`: affected, no fixed version yet; with urgency
 *                               `end-of-life`, the package has no security support in that
 *                               release, and no fix will come
 *   undetermined                not yet known: unknown
 *
 * The tracker is keyed by source package (dpkg's `Source:`), and its versions are the source
 * package's. Each (package, CVE) is one record, `openssh/CVE-2024-6387`.
 */
import { defined, parseJson, RecordError, type FeedProblem } from './json.js';

export interface DebianRelease {
  readonly codename: string;
  readonly status: string;
  readonly fixedVersion?: string;
  readonly urgency?: string;
  readonly nodsa?: string;
  readonly path: string;
}

export interface DebianTrackerRecord {
  /** `openssh/CVE-2024-6387`. */
  readonly id: string;
  readonly package: string;
  readonly cve: string;
  readonly path: string;
  readonly description?: string;
  readonly releases: readonly DebianRelease[];
}

const CVE = /^CVE-\d{4}-\d{4,8}$/;
const PACKAGE = /^[a-z0-9][a-z0-9.+-]{0,99}$/;
const CODENAME = /^[a-z][a-z0-9-]{0,30}$/;
const MAX_RECORDS = 3_000_000;

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined);

/** The records of one source package's entry; bad CVE entries are reported and skipped. */
function packageRecords(pkg: string, cves: unknown, where: string, out: DebianTrackerRecord[], problems: FeedProblem[]): number {
  let temp = 0;
  if (!PACKAGE.test(pkg)) {
    if (problems.length < 1000) problems.push({ where: `${where}: ${JSON.stringify(pkg.slice(0, 60))}`, message: 'not a Debian source package name: skipped' });
    return 0;
  }
  if (cves === null || typeof cves !== 'object' || Array.isArray(cves)) {
    if (problems.length < 1000) problems.push({ where: `${where}: ${pkg}`, message: 'not an object of CVEs: skipped' });
    return 0;
  }
  for (const [cve, entry] of Object.entries(cves as Record<string, unknown>)) {
    const path = `${pkg}.${cve}`;
    if (!CVE.test(cve)) {
      temp++;
      continue;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      if (problems.length < 1000) problems.push({ where: `${where}: ${path}`, message: 'not an object: skipped' });
      continue;
    }
    const e = entry as Record<string, unknown>;
    const rels = e.releases;
    if (rels === null || typeof rels !== 'object' || Array.isArray(rels)) {
      if (problems.length < 1000) problems.push({ where: `${where}: ${path}.releases`, message: 'not an object: skipped' });
      continue;
    }
    const releases: DebianRelease[] = [];
    for (const [codename, rv] of Object.entries(rels as Record<string, unknown>)) {
      const rp = `${path}.releases.${codename}`;
      const r = rv as Record<string, unknown> | null;
      const status = r && typeof r === 'object' ? str(r.status, 40) : undefined;
      if (!CODENAME.test(codename) || !status) {
        if (problems.length < 1000) problems.push({ where: `${where}: ${rp}`, message: 'a release without a codename or status: skipped' });
        continue;
      }
      releases.push(defined({ codename, status, fixedVersion: str(r!.fixed_version, 128), urgency: str(r!.urgency, 40), nodsa: str(r!.nodsa_reason, 40) ?? str(r!.nodsa, 200), path: rp }));
    }
    out.push(defined({ id: `${pkg}/${cve}`, package: pkg, cve, path, description: str(e.description, 4096), releases }));
  }
  return temp;
}

/**
 * Reads an export already parsed. A package or CVE entry that is not the expected shape is
 * reported with its path and skipped; ids that are not CVEs (the tracker's TEMP- entries) are
 * counted.
 */
export function readDebianTracker(value: unknown, where: string): { records: DebianTrackerRecord[]; problems: FeedProblem[]; temp: number } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RecordError(`${where}: the Debian tracker export is an object of source packages`);
  const records: DebianTrackerRecord[] = [];
  const problems: FeedProblem[] = [];
  let temp = 0;
  for (const [pkg, cves] of Object.entries(value as Record<string, unknown>)) {
    temp += packageRecords(pkg, cves, where, records, problems);
    if (records.length > MAX_RECORDS) throw new RecordError(`${where}: more than ${MAX_RECORDS} (package, CVE) entries`);
  }
  return { records, problems, temp };
}

/**
 * Reads the export as text, one source package at a time: the top-level object is cut into
 * its members by a scan that follows strings and nesting, each member is parsed on its own
 * (bounded: 64 MiB, 8 levels), and its records are handed to `onBatch` in batches, so that
 * the whole tree of the export (tens of millions of values) is never built at once.
 */
export function streamDebianTracker(text: string, where: string, onBatch: (records: DebianTrackerRecord[]) => void): { count: number; problems: FeedProblem[]; temp: number } {
  const problems: FeedProblem[] = [];
  let temp = 0;
  let count = 0;
  let batch: DebianTrackerRecord[] = [];
  const ws = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  let i = 0;
  const skipWs = () => {
    while (i < text.length && ws(text.charCodeAt(i))) i++;
  };
  /** The end (exclusive) of the JSON string starting at `at`. */
  const stringEnd = (at: number): number => {
    for (let k = at + 1; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === 0x5c) k++;
      else if (c === 0x22) return k + 1;
    }
    throw new RecordError(`${where}: an unterminated string at offset ${at}`);
  };
  skipWs();
  if (text[i] !== '{') throw new RecordError(`${where}: the Debian tracker export is an object of source packages`);
  i++;
  for (;;) {
    skipWs();
    if (text[i] === '}') break;
    if (text[i] !== '"') throw new RecordError(`${where}: a package name expected at offset ${i}`);
    const keyEnd = stringEnd(i);
    let pkg: string;
    try {
      pkg = JSON.parse(text.slice(i, keyEnd)) as string;
    } catch {
      throw new RecordError(`${where}: a bad package name at offset ${i}`);
    }
    i = keyEnd;
    skipWs();
    if (text[i] !== ':') throw new RecordError(`${where}: ':' expected at offset ${i}`);
    i++;
    skipWs();
    // the member's value: to the comma or brace that closes it at depth 0
    const start = i;
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) i = stringEnd(i) - 1;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) break;
        depth--;
      } else if (c === 0x2c && depth === 0) break;
    }
    if (i >= text.length) throw new RecordError(`${where}: the export ends inside ${JSON.stringify(pkg.slice(0, 60))}`);
    const value = parseJson(text.slice(start, i), `${where}: ${pkg.slice(0, 60)}`, MEMBER_LIMITS);
    temp += packageRecords(pkg, value, where, batch, problems);
    if (batch.length >= 5000) {
      count += batch.length;
      onBatch(batch);
      batch = [];
    }
    if (count + batch.length > MAX_RECORDS) throw new RecordError(`${where}: more than ${MAX_RECORDS} (package, CVE) entries`);
    skipWs();
    if (text[i] === ',') i++;
  }
  if (batch.length > 0) {
    count += batch.length;
    onBatch(batch);
  }
  return { count, problems, temp };
}

const MEMBER_LIMITS = { maxBytes: 64 * 1024 * 1024, maxDepth: 8, maxNodes: 4_000_000 };
