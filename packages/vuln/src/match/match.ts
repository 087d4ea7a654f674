/**
 * Matching an inventory against the feeds: for each asset, the product it is (name mapping),
 * the CVEs any feed files under one of its names (the store's index, so the work grows with
 * the asset's CVEs, not with the feeds), then each feed's statement about the installed
 * version, merged into one finding per (asset, CVE):
 *
 *   affected      when any feed's record puts the version in an affected range, introduced
 *                 version included (for PAN-OS, the vendor's fixed hotfix list decides);
 *   not_affected  when no record does and at least one places it outside its ranges;
 *   unknown       otherwise, with every reason (version not comparable, record without
 *                 product data, analysis not done, hardware not known).
 *
 * Every statement stays in the finding's evidence with its feed, record and path.
 */
import type { Asset, Finding, FindingStatus, SourceRef } from '../model.js';
import type { Cve5Record } from '../feeds/cve5.js';
import type { JvnRecord } from '../feeds/jvn.js';
import type { KevEntry } from '../feeds/kev.js';
import type { NvdRecord } from '../feeds/nvd.js';
import type { OsvRecord } from '../feeds/osv.js';
import type { VulnFeedStore } from '../feeds/store.js';
import { PANOS_FIXES } from '../data/panos-fixes.js';
import { evalCve5, evalDebian, evalJvn, evalKev, evalNvd, evalOsv, type Installed, type Statement } from './evaluate.js';
import type { DebianTrackerRecord } from '../feeds/debian-tracker.js';
import type { IpaAlert } from '../feeds/ipa.js';
import { parseIn } from './ranges.js';
import { resolveProduct, type ResolvedProduct } from './resolve.js';
import { distroName } from '../feeds/distro.js';

export interface MatchProblem {
  readonly asset: string;
  readonly message: string;
}
export interface MatchReport {
  readonly findings: Finding[];
  readonly problems: MatchProblem[];
  /** Assets matched, and (asset, CVE) pairs looked at. */
  readonly assets: number;
  readonly pairs: number;
}

interface CveData {
  readonly nvd: NvdRecord[];
  readonly cve5: Cve5Record[];
  readonly osv: OsvRecord[];
  readonly kev: KevEntry[];
  readonly jvn: JvnRecord[];
  readonly debian: DebianTrackerRecord[];
  readonly ipa: IpaAlert[];
  readonly epss: { probability: number; percentile: number } | undefined;
}

const RANK: Record<FindingStatus, number> = { affected: 0, not_affected: 1, unknown: 2 };

/** The edition an asset is: from the product mapping, or from the version text (`13.1-37.164 FIPS`). */
function editionOf(rp: ResolvedProduct, v: ReturnType<typeof parseIn>): string {
  if (rp.spec.edition) return rp.spec.edition;
  if (typeof v !== 'string' && v.editions?.length === 1) return v.editions[0]!;
  return '-';
}

function panosOverride(it: Installed, cve: string, merged: Statement | undefined): Statement | undefined {
  const fixes = PANOS_FIXES[cve];
  if (!fixes || it.product.grammar.name !== 'panos' || typeof it.version === 'string') return undefined;
  const g = it.product.grammar;
  const release = g.train!(it.version);
  const fix = fixes.fixed[release];
  const src: SourceRef = { feed: 'mapping', id: cve, path: `data/panos-fixes.ts ${cve}.fixed["${release}"]` };
  if (fix === undefined) return undefined;
  const f = parseIn(g, fix);
  if (typeof f === 'string') return undefined;
  if (g.compare(it.version, f) >= 0) {
    return { status: 'not_affected', reason: `${it.version.text} is at or above ${fix}, the vendor's fix for maintenance release ${release} (${fixes.source})${merged?.status === 'affected' ? `; the feed range as written would say affected: ${merged.reason}` : ''}`, source: src };
  }
  return { status: 'affected', reason: `${it.version.text} is below ${fix}, the vendor's fix for maintenance release ${release} (${fixes.source})`, source: src };
}

function merge(statements: readonly Statement[]): Statement | undefined {
  const decisive = [...statements].sort((a, b) => RANK[a.status] - RANK[b.status]);
  const first = decisive[0];
  if (!first) return undefined;
  if (first.status === 'unknown') {
    return { status: 'unknown', reason: [...new Set(statements.map((s) => s.reason))].join('; '), source: first.source };
  }
  // what the other records said stays in the reason: a disagreement, or a record that could not tell
  const against = statements.filter((s) => s.status !== first.status && (s.status !== 'unknown' || first.status === 'not_affected'));
  const also = against.length > 0 ? `; ${against.map((s) => `${s.source.feed} says ${s.status.replace('_', ' ')}: ${s.reason}`).join('; ')}` : '';
  return { ...first, reason: `${first.reason}${also}` };
}

export interface MatchOptions {
  /** The EPSS score date to show (`store.state('epss').cursor`). */
  readonly epssDate?: string;
}

export class Matcher {
  private readonly cache = new Map<string, CveData>();
  private readonly candidateCache = new Map<string, string[]>();

  constructor(private readonly store: VulnFeedStore) {}

  private data(cve: string): CveData {
    let d = this.cache.get(cve);
    if (!d) {
      const s = this.store;
      d = { nvd: s.records('nvd', cve), cve5: s.records('cve5', cve), osv: s.records('osv', cve), kev: s.records('kev', cve), jvn: s.records('jvn', cve), debian: s.records('debian', cve), ipa: s.records('ipa', cve), epss: s.epss(cve) };
      this.cache.set(cve, d);
    }
    return d;
  }

  private candidates(rp: ResolvedProduct): string[] {
    const k = rp.keys.join('\n');
    let c = this.candidateCache.get(k);
    if (!c) {
      c = [...this.store.candidates(rp.keys)].sort();
      this.candidateCache.set(k, c);
    }
    return c;
  }

  private readonly releaseCache = new Map<string, boolean>();
  /** Releases no feed covers, with the assets that named them. */
  readonly uncovered = new Map<string, string[]>();

  private covers(release: string): boolean {
    let c = this.releaseCache.get(release);
    if (c === undefined) {
      c = this.store.coversRelease(release);
      this.releaseCache.set(release, c);
    }
    return c;
  }

  private readonly pairCache = new Map<string, { findings: Finding[]; problem?: string; uncovered?: string }>();

  /** The findings for one asset (all candidate CVEs, every status), or why there are none. */
  asset(asset: Asset, opts: MatchOptions = {}): { findings: Finding[]; problem?: string } {
    // Identical devices (same product, type and version) get the same answers: worked out once.
    const key = `${asset.type}\n${asset.product}\n${asset.version}\n${asset.distro ?? ''}\n${asset.source ?? ''}\n${opts.epssDate ?? ''}`;
    let done = this.pairCache.get(key);
    if (!done) {
      done = this.work(asset, opts);
      this.pairCache.set(key, done);
    }
    const findings = done.findings.map((f) => ({ ...f, asset: asset.name }));
    if (done.uncovered) {
      const list = this.uncovered.get(done.uncovered) ?? [];
      list.push(asset.name);
      this.uncovered.set(done.uncovered, list);
    }
    return done.problem === undefined ? { findings } : { findings, problem: done.problem };
  }

  private work(asset: Asset, opts: MatchOptions): { findings: Finding[]; problem?: string; uncovered?: string } {
    let rp = resolveProduct(asset);
    if ('problem' in rp) return { findings: [], problem: rp.problem };
    // A release no feed has a record for (an archived release the tracker dropped, a feed not
    // imported, debian:21) would give no finding at all, which reads as "nothing affected": its
    // packages are matched as if the release were not known (each advisory naming the package unknown).
    let uncovered: string | undefined;
    const distro = rp.dist?.distro;
    if (distro && !this.covers(distro.key)) {
      const { distro: _given, ...rest } = asset;
      const again = resolveProduct(rest);
      if (!('problem' in again) && again.dist) {
        uncovered = distro.key;
        rp = { ...again, dist: { ...again.dist, noRelease: `no feed in the store has a record for ${distroName(distro)} (${distro.key}), so its fixes are not known; fixes differ per release` } };
      }
    }
    let parsed = parseIn(rp.grammar, asset.version);
    // An RPM version without its release (8.7p1) cannot be placed against a distribution's
    // fixes, which are releases of one version (8.7p1-38.el9_4.1): rpm would compare it equal.
    if (rp.dist?.family === 'rpm' && typeof parsed !== 'string' && parsed.key[2] === '') {
      parsed = `${JSON.stringify(asset.version)} gives no release; distributions fix a version by releasing it again (8.7p1-38.el9_4.1), so write version-release as rpm -q prints it`;
    }
    // An appliance runs one edition: a version naming two (`FIPS NDcPP`), or one other than the
    // product's, cannot be matched against edition ranges (the standard edition's would answer).
    if (typeof parsed !== 'string' && parsed.editions) {
      const named = parsed.editions;
      if (named.length > 1) parsed = `${JSON.stringify(asset.version)} names ${named.length} editions (${named.join(', ')}); an appliance runs one`;
      else if (rp.spec.edition && named[0] !== rp.spec.edition) parsed = `${JSON.stringify(asset.version)} names the ${named[0]} edition, but ${rp.spec.name} is the ${rp.spec.edition} edition`;
    }
    const it: Installed = { product: rp, version: parsed, text: asset.version, edition: editionOf(rp, parsed) };
    const findings: Finding[] = [];
    for (const cve of this.candidates(rp)) {
      const d = this.data(cve);
      const statements: Statement[] = [];
      for (const r of d.nvd) statements.push(...evalNvd(it, r));
      for (const r of d.cve5) statements.push(...evalCve5(it, r));
      for (const r of d.osv) statements.push(...evalOsv(it, r));
      for (const r of d.jvn) statements.push(...evalJvn(it, r));
      for (const r of d.debian) statements.push(...evalDebian(it, r));
      const kev = d.kev[0];
      if (kev && !statements.some((s) => s.status !== 'unknown')) statements.push(...evalKev(it, kev));
      if (statements.length === 0) continue;
      let merged = merge(statements);
      const override = panosOverride(it, cve, merged);
      if (override) {
        statements.push(override);
        merged = override;
      }
      if (!merged) continue;
      const sources: SourceRef[] = statements.map((s) => s.source);
      if (kev && !sources.some((s) => s.feed === 'kev')) sources.push({ feed: 'kev', id: kev.cve, path: kev.path });
      if (d.epss) sources.push({ feed: 'epss', id: cve });
      for (const a of d.ipa) sources.push({ feed: 'ipa', id: a.link, path: a.path });
      const ipa = d.ipa.map((a) => ({ title: a.title, link: a.link, ...(a.date ? { date: a.date } : {}) }));
      const nvd = d.nvd[0];
      const cve5 = d.cve5[0];
      const cvss = [...(nvd?.cvss ?? []), ...(cve5?.cvss ?? [])];
      const title = cve5?.title ?? kev?.name ?? nvd?.kev?.name ?? d.osv[0]?.summary ?? d.jvn[0]?.title;
      const published = nvd?.published ?? cve5?.published ?? d.osv[0]?.published;
      findings.push({
        asset: asset.name,
        product: rp.spec.name,
        version: asset.version,
        cve,
        status: merged.status,
        reason: merged.reason,
        sources,
        evidence: statements.map((s) => ({ status: s.status, reason: s.reason, source: s.source })),
        ...(kev ? { kev: { dateAdded: kev.dateAdded, dueDate: kev.dueDate, ...(kev.ransomware !== undefined ? { ransomware: kev.ransomware } : {}) } } : {}),
        ...(ipa.length > 0 ? { ipa } : {}),
        ...(d.epss ? { epss: { ...d.epss, ...(opts.epssDate ? { date: opts.epssDate } : {}) } } : {}),
        ...(cvss.length > 0 ? { cvss } : {}),
        ...(published ? { published } : {}),
        ...(title ? { title } : {}),
      });
    }
    return uncovered ? { findings, uncovered } : { findings };
  }
}

/** Matches every asset; findings ordered by asset, then affected / unknown / not affected, then CVE. */
export function matchInventory(store: VulnFeedStore, assets: readonly Asset[]): MatchReport {
  const m = new Matcher(store);
  const epssDate = store.state('epss').cursor ?? undefined;
  const findings: Finding[] = [];
  const problems: MatchProblem[] = [];
  let pairs = 0;
  for (const a of assets) {
    const r = m.asset(a, epssDate ? { epssDate } : {});
    if (r.problem) problems.push({ asset: a.name, message: r.problem });
    pairs += r.findings.length;
    const order: Record<FindingStatus, number> = { affected: 0, unknown: 1, not_affected: 2 };
    findings.push(...r.findings.sort((x, y) => order[x.status] - order[y.status] || (x.cve < y.cve ? -1 : 1)));
  }
  // one line per release, not per package
  for (const [release, names] of m.uncovered) {
    problems.push({ asset: `${names[0]}${names.length > 1 ? ` and ${names.length - 1} more` : ''}`, message: `no feed has a record for ${release}: the advisories any release has for its packages are shown as unknown (import the release's feed, or check the release name)` });
  }
  return { findings, problems, assets: assets.length, pairs };
}
