/**
 * NVD CVE API 2.0 `cve` objects (one per `vulnerabilities[].cve` of an API page, or one per
 * file as mirrors keep them), read into what matching needs: status, configurations with the
 * path of every cpeMatch, CVSS, and NVD's copy of the KEV fields. A record whose analysis is
 * not done (`Received`, `Awaiting Analysis`) often has no configurations: kept as is, so
 * matching can say so instead of answering "not affected".
 */
import type { CvssScore } from '../model.js';
import { parseCpe, type Cpe } from './cpe.js';
import { CVE_ID, defined, isObj, Reader, RecordError, type FeedProblem, type Obj } from './json.js';

export interface NvdMatch {
  readonly path: string;
  readonly vulnerable: boolean;
  readonly criteria: string;
  readonly cpe: Cpe;
  readonly startIncluding?: string;
  readonly startExcluding?: string;
  readonly endIncluding?: string;
  readonly endExcluding?: string;
}
export interface NvdNode {
  readonly path: string;
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly matches: readonly NvdMatch[];
}
export interface NvdConfig {
  readonly path: string;
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly nodes: readonly NvdNode[];
}
export interface NvdRecord {
  readonly id: string;
  readonly status: string;
  readonly published?: string;
  readonly lastModified?: string;
  readonly description?: string;
  readonly cvss: readonly CvssScore[];
  readonly kev?: { readonly dateAdded: string; readonly dueDate?: string; readonly name?: string };
  readonly configurations: readonly NvdConfig[];
}

const op = (r: Reader, v: unknown, path: string): 'AND' | 'OR' => {
  const s = r.optStr(v, path) ?? 'OR';
  if (s !== 'AND' && s !== 'OR') r.fail(path, `operator ${JSON.stringify(s.slice(0, 20))} is neither AND nor OR`);
  return s;
};

/** CVSS scores from an NVD `metrics` object (v4.0, v3.1, v3.0, v2). */
export function nvdCvss(r: Reader, metrics: unknown, path: string): CvssScore[] {
  if (metrics === undefined) return [];
  const m = r.obj(metrics, path);
  const out: CvssScore[] = [];
  for (const key of ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2']) {
    r.list(m[key], `${path}.${key}`, 50).forEach((e, i) => {
      const p = `${path}.${key}[${i}]`;
      const o = r.obj(e, p);
      const d = r.obj(o.cvssData, `${p}.cvssData`);
      out.push(defined({ version: r.str(d.version, `${p}.cvssData.version`, 8), baseScore: r.score(d.baseScore, `${p}.cvssData.baseScore`), vector: r.str(d.vectorString, `${p}.cvssData.vectorString`, 512), by: r.optStr(o.source, `${p}.source`, 200) }));
    });
  }
  return out;
}

/** One `cve` object; throws RecordError with the field's path when it cannot be used. */
export function readNvdCve(value: unknown, where: string): NvdRecord {
  const r: Reader = new Reader(where);
  const c = r.obj(value, '');
  const id = r.str(c.id, 'id', 40);
  if (!CVE_ID.test(id)) r.fail('id', `${JSON.stringify(id)} is not a CVE id`);
  const configurations = r.list(c.configurations, 'configurations', 500).map((cv, ci): NvdConfig => {
    const cp = `configurations[${ci}]`;
    const co = r.obj(cv, cp);
    return {
      path: cp,
      operator: op(r, co.operator, `${cp}.operator`),
      negate: co.negate === true,
      nodes: r.list(co.nodes, `${cp}.nodes`, 100).map((nv, ni): NvdNode => {
        const np = `${cp}.nodes[${ni}]`;
        const n = r.obj(nv, np);
        return {
          path: np,
          operator: op(r, n.operator, `${np}.operator`),
          negate: n.negate === true,
          matches: r.list(n.cpeMatch, `${np}.cpeMatch`).map((mv, mi): NvdMatch => {
            const mp = `${np}.cpeMatch[${mi}]`;
            const m = r.obj(mv, mp);
            const criteria = r.str(m.criteria, `${mp}.criteria`, 512);
            const cpe = parseCpe(criteria);
            if ('problem' in cpe) r.fail(`${mp}.criteria`, cpe.problem);
            return defined({
              path: mp,
              vulnerable: m.vulnerable === true,
              criteria,
              cpe,
              startIncluding: r.optStr(m.versionStartIncluding, `${mp}.versionStartIncluding`, 128),
              startExcluding: r.optStr(m.versionStartExcluding, `${mp}.versionStartExcluding`, 128),
              endIncluding: r.optStr(m.versionEndIncluding, `${mp}.versionEndIncluding`, 128),
              endExcluding: r.optStr(m.versionEndExcluding, `${mp}.versionEndExcluding`, 128),
            });
          }),
        };
      }),
    };
  });
  const en = r.list(c.descriptions, 'descriptions', 50).find((d) => isObj(d) && d.lang === 'en') as Obj | undefined;
  const kevAdded = r.optStr(c.cisaExploitAdd, 'cisaExploitAdd', 40);
  return defined({
    id,
    status: r.optStr(c.vulnStatus, 'vulnStatus', 60) ?? 'unknown',
    published: r.optStr(c.published, 'published', 40),
    lastModified: r.optStr(c.lastModified, 'lastModified', 40),
    description: en ? r.str(en.value, 'descriptions[en].value', 8192) : undefined,
    cvss: nvdCvss(r, c.metrics, 'metrics'),
    kev: kevAdded ? defined({ dateAdded: kevAdded, dueDate: r.optStr(c.cisaActionDue, 'cisaActionDue', 40), name: r.optStr(c.cisaVulnerabilityName, 'cisaVulnerabilityName', 400) }) : undefined,
    configurations,
  });
}

/** The `cve` objects of an API 2.0 page; bad records are reported with their index, not fatal. */
export function readNvdPage(value: unknown, where: string): { records: NvdRecord[]; problems: FeedProblem[]; totalResults: number; startIndex: number; resultsPerPage: number } {
  const r: Reader = new Reader(where);
  const page = r.obj(value, '');
  const records: NvdRecord[] = [];
  const problems: FeedProblem[] = [];
  r.list(page.vulnerabilities, 'vulnerabilities', 10_000).forEach((v, i) => {
    const w = `${where}: vulnerabilities[${i}]`;
    try {
      records.push(readNvdCve(new Reader(w).obj(v, '').cve, `${where}: vulnerabilities[${i}].cve`));
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      problems.push({ where: w, message: err.message });
    }
  });
  const n = (k: string) => (typeof page[k] === 'number' && Number.isSafeInteger(page[k]) ? (page[k] as number) : 0);
  return { records, problems, totalResults: n('totalResults'), startIndex: n('startIndex'), resultsPerPage: n('resultsPerPage') };
}
