/**
 * JVN iPedia through the MyJVN API: getVulnOverviewList answers JVNRSS (RSS 1.0 with the
 * mod_sec extension): one `item` per advisory, with `sec:identifier` (JVNDB-2023-001234),
 * `sec:references` (a CVE among them, source NVD/CVE), `sec:cpe` (CPE 2.2 URIs with vendor and
 * product names), `sec:cvss`, `dcterms:issued` / `dcterms:modified`. getVulnDetailInfo answers
 * VULDEF documents (`Vulinfo` with `VulinfoID`, `Title`, `Affected/AffectedItem` with `Cpe`
 * and `VersionNumber`, `Related/RelatedItem` with `VulinfoID` of the CVE). JVN gives affected
 * versions as text, so it names products and CVEs, and matching treats it as such.
 */
import type { CvssScore } from '../model.js';
import { defined, RecordError, type FeedProblem } from './json.js';
import { child, findAll, parseXml, type XmlElement } from './xml.js';

export interface JvnRecord {
  readonly id: string;
  readonly path: string;
  readonly title?: string;
  readonly cves: readonly string[];
  /** CPE 2.3 names, converted from JVN's CPE 2.2 URIs. */
  readonly cpes: readonly string[];
  readonly products: readonly { readonly vendor: string; readonly product: string; readonly versions?: string }[];
  readonly cvss: readonly CvssScore[];
  readonly issued?: string;
  readonly modified?: string;
}

const JVNDB = /^JVNDB-\d{4}-\d{1,8}$/;
const CVE_IN = /CVE-\d{4}-\d{4,8}/g;

/** `cpe:/o:fortinet:fortios` → `cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*`; null when not a CPE 2.2 URI. */
export function cpe22to23(uri: string): string | null {
  const m = /^cpe:\/([aoh]):([^:\s]{1,100}):([^:\s]{1,100})(?::([^:\s]{1,100}))?/i.exec(uri.trim());
  if (!m) return null;
  const esc = (s: string) => decodeURIComponent(s.replace(/%(?![0-9a-f]{2})/gi, '%25')).toLowerCase().replace(/[^\w.*-]/g, (c) => `\\${c}`);
  return `cpe:2.3:${m[1]!.toLowerCase()}:${esc(m[2]!)}:${esc(m[3]!)}:${m[4] ? esc(m[4]) : '*'}:*:*:*:*:*:*:*`;
}

const t = (el: XmlElement | undefined) => el?.text.trim().slice(0, 2000) || undefined;

function overviewItem(item: XmlElement, where: string): JvnRecord {
  const id = t(child(item, 'sec:identifier')) ?? '';
  if (!JVNDB.test(id)) throw new RecordError(`${where}: sec:identifier ${JSON.stringify(id.slice(0, 40))} is not a JVNDB id`);
  const cves = new Set<string>();
  for (const r of findAll(item, 'sec:references')) for (const c of `${r.attrs.id ?? ''} ${r.text}`.match(CVE_IN) ?? []) cves.add(c);
  const cpes: string[] = [];
  const products: { vendor: string; product: string }[] = [];
  for (const c of findAll(item, 'sec:cpe').slice(0, 500)) {
    const cpe = cpe22to23(c.text);
    if (cpe) cpes.push(cpe);
    products.push({ vendor: (c.attrs.vendor ?? '').slice(0, 200), product: (c.attrs.product ?? '').slice(0, 200) });
  }
  const cvss: CvssScore[] = [];
  for (const c of findAll(item, 'sec:cvss').slice(0, 10)) {
    const score = Number(c.attrs.score);
    if (c.attrs.version && Number.isFinite(score) && c.attrs.vector) cvss.push({ version: c.attrs.version.slice(0, 8), baseScore: score, vector: c.attrs.vector.slice(0, 512), by: 'jvndb' });
  }
  return defined({ id, path: where, title: t(child(item, 'title')), cves: [...cves], cpes, products, cvss, issued: t(child(item, 'dcterms:issued')), modified: t(child(item, 'dcterms:modified')) });
}

function detailItem(v: XmlElement, where: string): JvnRecord {
  const id = t(child(v, 'VulinfoID')) ?? '';
  if (!JVNDB.test(id)) throw new RecordError(`${where}: VulinfoID ${JSON.stringify(id.slice(0, 40))} is not a JVNDB id`);
  const data = child(v, 'VulinfoData');
  const cves = new Set<string>();
  for (const r of findAll(v, 'RelatedItem')) for (const c of (t(child(r, 'VulinfoID')) ?? '').match(CVE_IN) ?? []) cves.add(c);
  const cpes: string[] = [];
  const products: { vendor: string; product: string; versions?: string }[] = [];
  for (const a of findAll(v, 'AffectedItem').slice(0, 500)) {
    const cpeEl = child(a, 'Cpe');
    const cpe = cpeEl ? cpe22to23(cpeEl.text) : null;
    if (cpe) cpes.push(cpe);
    const versions = findAll(a, 'VersionNumber').map((x) => x.text.trim()).filter(Boolean).join('; ').slice(0, 2000);
    products.push(defined({ vendor: t(child(a, 'Name')) ?? '', product: t(child(a, 'ProductName')) ?? '', versions: versions || undefined }));
  }
  const cvss: CvssScore[] = [];
  for (const c of findAll(v, 'Cvss').slice(0, 10)) {
    const score = Number(t(child(c, 'Base')));
    const vector = t(child(c, 'Vector'));
    if (c.attrs.version && Number.isFinite(score) && vector) cvss.push({ version: c.attrs.version.slice(0, 8), baseScore: score, vector: vector.slice(0, 512), by: 'jvndb' });
  }
  return defined({ id, path: where, title: data ? t(child(data, 'Title')) : undefined, cves: [...cves], cpes, products, cvss, issued: data ? t(child(data, 'DateFirstPublished')) : undefined, modified: data ? t(child(data, 'DateLastUpdated')) : undefined });
}

/** Either document of the MyJVN API (or a JVNRSS file); each bad item is reported with its line, not fatal. */
export function readJvn(text: string, where: string): { records: JvnRecord[]; problems: FeedProblem[] } {
  const doc = parseXml(text, where);
  const records: JvnRecord[] = [];
  const problems: FeedProblem[] = [];
  const status = findAll(doc, 'status:Status')[0];
  if (status && status.attrs.retCd === '1') problems.push({ where, message: `MyJVN answered an error: ${(status.attrs.errMsg ?? '').slice(0, 200)}` });
  const items = [...findAll(doc, 'item').map((el) => ['item', el] as const), ...findAll(doc, 'Vulinfo').map((el) => ['Vulinfo', el] as const)];
  for (const [kind, el] of items) {
    const w = `${where}:${el.line}`;
    try {
      records.push(kind === 'item' ? overviewItem(el, w) : detailItem(el, w));
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      problems.push({ where: w, message: err.message });
    }
  }
  return { records, problems };
}
