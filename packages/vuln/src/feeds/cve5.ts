/**
 * CVE List V5 records (CVE Record Format 5.x): the CNA's `affected[]` and each ADP's (CISA's
 * ADP often adds CPEs and ranges), with their versions as written. Many records say `n/a`
 * for vendor, product and version: kept, so matching can name them as records without product
 * data. Version strings are not interpreted here; matching reads them with the product's grammar.
 */
import type { CvssScore } from '../model.js';
import { CVE_ID, defined, isObj, Reader, type Obj } from './json.js';

export interface Cve5Version {
  readonly path: string;
  readonly version: string;
  readonly status: string;
  readonly versionType?: string;
  readonly lessThan?: string;
  readonly lessThanOrEqual?: string;
  readonly changes?: readonly { readonly at: string; readonly status: string }[];
}
export interface Cve5Affected {
  readonly path: string;
  /** `cna` or the ADP's short name (`CISA-ADP`). */
  readonly by: string;
  readonly vendor: string;
  readonly product: string;
  readonly defaultStatus?: string;
  readonly cpes: readonly string[];
  readonly versions: readonly Cve5Version[];
}
export interface Cve5Record {
  readonly id: string;
  readonly state: string;
  readonly published?: string;
  readonly updated?: string;
  readonly title?: string;
  readonly description?: string;
  readonly cvss: readonly CvssScore[];
  readonly affected: readonly Cve5Affected[];
}

function readAffected(r: Reader, list: unknown, base: string, by: string): Cve5Affected[] {
  return r.list(list, base, 1000).map((av, ai) => {
    const p = `${base}[${ai}]`;
    const a = r.obj(av, p);
    return defined({
      path: p,
      by,
      vendor: r.optStr(a.vendor, `${p}.vendor`, 400) ?? 'n/a',
      product: r.optStr(a.product ?? a.packageName, `${p}.product`, 400) ?? 'n/a',
      defaultStatus: r.optStr(a.defaultStatus, `${p}.defaultStatus`, 20),
      cpes: r.list(a.cpes, `${p}.cpes`, 500).map((c, i) => r.str(c, `${p}.cpes[${i}]`, 512)),
      versions: r.list(a.versions, `${p}.versions`).map((vv, vi) => {
        const vp = `${p}.versions[${vi}]`;
        const v = r.obj(vv, vp);
        const changes = r.list(v.changes, `${vp}.changes`, 200).map((cv, ci) => {
          const c = r.obj(cv, `${vp}.changes[${ci}]`);
          return { at: r.str(c.at, `${vp}.changes[${ci}].at`, 128), status: r.str(c.status, `${vp}.changes[${ci}].status`, 20) };
        });
        return defined({
          path: vp,
          version: r.str(v.version, `${vp}.version`, 400),
          status: r.str(v.status, `${vp}.status`, 20),
          versionType: r.optStr(v.versionType, `${vp}.versionType`, 40),
          lessThan: r.optStr(v.lessThan, `${vp}.lessThan`, 128),
          lessThanOrEqual: r.optStr(v.lessThanOrEqual, `${vp}.lessThanOrEqual`, 128),
          changes: changes.length > 0 ? changes : undefined,
        });
      }),
    });
  });
}

function readCvss(r: Reader, metrics: unknown, base: string, by: string): CvssScore[] {
  const out: CvssScore[] = [];
  r.list(metrics, base, 50).forEach((mv, i) => {
    if (!isObj(mv)) return;
    for (const key of ['cvssV4_0', 'cvssV3_1', 'cvssV3_0', 'cvssV2_0']) {
      const d = mv[key];
      if (!isObj(d)) continue;
      const p = `${base}[${i}].${key}`;
      out.push({ version: r.str(d.version, `${p}.version`, 8), baseScore: r.score(d.baseScore, `${p}.baseScore`), vector: r.str(d.vectorString, `${p}.vectorString`, 512), by });
    }
  });
  return out;
}

export function readCve5(value: unknown, where: string): Cve5Record {
  const r: Reader = new Reader(where);
  const rec = r.obj(value, '');
  const meta = r.obj(rec.cveMetadata, 'cveMetadata');
  const id = r.str(meta.cveId, 'cveMetadata.cveId', 40);
  if (!CVE_ID.test(id)) r.fail('cveMetadata.cveId', `${JSON.stringify(id)} is not a CVE id`);
  const containers = r.obj(rec.containers, 'containers');
  const cna = containers.cna === undefined ? {} : r.obj(containers.cna, 'containers.cna');
  const affected = readAffected(r, cna.affected, 'containers.cna.affected', 'cna');
  const cvss = readCvss(r, cna.metrics, 'containers.cna.metrics', 'cna');
  r.list(containers.adp, 'containers.adp', 50).forEach((av, i) => {
    const a = r.obj(av, `containers.adp[${i}]`);
    const pm = isObj(a.providerMetadata) ? a.providerMetadata : {};
    const by = typeof pm.shortName === 'string' ? pm.shortName.slice(0, 60) : `adp[${i}]`;
    affected.push(...readAffected(r, a.affected, `containers.adp[${i}].affected`, by));
    cvss.push(...readCvss(r, a.metrics, `containers.adp[${i}].metrics`, by));
  });
  const en = r.list(cna.descriptions, 'containers.cna.descriptions', 50).find((d) => isObj(d) && typeof d.lang === 'string' && d.lang.startsWith('en')) as Obj | undefined;
  return defined({
    id,
    state: r.optStr(meta.state, 'cveMetadata.state', 20) ?? 'unknown',
    published: r.optStr(meta.datePublished, 'cveMetadata.datePublished', 40),
    updated: r.optStr(meta.dateUpdated, 'cveMetadata.dateUpdated', 40),
    title: r.optStr(cna.title, 'containers.cna.title', 1000),
    description: en ? r.str(en.value, 'containers.cna.descriptions[en].value', 8192) : undefined,
    cvss,
    affected,
  });
}

/** Vendor or product names as the index compares them: lower case, spaces collapsed. */
export const normName = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
export const cve5Key = (vendor: string, product: string) => `cve5:${normName(vendor)}|${normName(product)}`;
export const isNa = (s: string) => ['n/a', 'na', '', 'unknown', '-'].includes(normName(s));
