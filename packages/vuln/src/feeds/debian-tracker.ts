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
import { defined, RecordError, type FeedProblem } from './json.js';

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

/**
 * Reads the whole export. A package or CVE entry that is not the expected shape is reported
 * with its path and skipped; ids that are not CVEs (the tracker's TEMP- entries) are counted.
 */
export function readDebianTracker(value: unknown, where: string): { records: DebianTrackerRecord[]; problems: FeedProblem[]; temp: number } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RecordError(`${where}: the Debian tracker export is an object of source packages`);
  const records: DebianTrackerRecord[] = [];
  const problems: FeedProblem[] = [];
  let temp = 0;
  for (const [pkg, cves] of Object.entries(value as Record<string, unknown>)) {
    if (!PACKAGE.test(pkg)) {
      if (problems.length < 1000) problems.push({ where: `${where}: ${JSON.stringify(pkg.slice(0, 60))}`, message: 'not a Debian source package name: skipped' });
      continue;
    }
    if (cves === null || typeof cves !== 'object' || Array.isArray(cves)) {
      if (problems.length < 1000) problems.push({ where: `${where}: ${pkg}`, message: 'not an object of CVEs: skipped' });
      continue;
    }
    for (const [cve, entry] of Object.entries(cves as Record<string, unknown>)) {
      const path = `${pkg}.${cve}`;
      if (!CVE.test(cve)) {
        temp++;
        continue;
      }
      if (records.length >= MAX_RECORDS) throw new RecordError(`${where}: more than ${MAX_RECORDS} (package, CVE) entries`);
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
      records.push(defined({ id: `${pkg}/${cve}`, package: pkg, cve, path, description: str(e.description, 4096), releases }));
    }
  }
  return { records, problems, temp };
}
