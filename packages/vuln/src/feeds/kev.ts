/**
 * CISA's Known Exploited Vulnerabilities catalog: one JSON file, the whole list each time.
 * KEV names products in words (`Pulse Connect Secure`, `NetScaler ADC and Gateway`), not
 * CPEs; data/products.json maps them to the products users name.
 */
import { CVE_ID, defined, Reader, RecordError, type FeedProblem } from './json.js';
import { normName } from './cve5.js';

export interface KevEntry {
  readonly cve: string;
  readonly path: string;
  readonly vendorProject: string;
  readonly product: string;
  readonly name?: string;
  readonly dateAdded: string;
  readonly dueDate: string;
  readonly ransomware?: boolean;
}

export function readKev(value: unknown, where: string): { catalogVersion: string; entries: KevEntry[]; problems: FeedProblem[] } {
  const r: Reader = new Reader(where);
  const doc = r.obj(value, '');
  const entries: KevEntry[] = [];
  const problems: FeedProblem[] = [];
  r.list(doc.vulnerabilities, 'vulnerabilities', 100_000).forEach((v, i) => {
    const p = `vulnerabilities[${i}]`;
    try {
      const e = r.obj(v, p);
      const cve = r.str(e.cveID, `${p}.cveID`, 40);
      if (!CVE_ID.test(cve)) r.fail(`${p}.cveID`, `${JSON.stringify(cve)} is not a CVE id`);
      const date = (k: string) => {
        const s = r.str(e[k], `${p}.${k}`, 40);
        if (!/^\d{4}-\d{2}-\d{2}/.test(s)) r.fail(`${p}.${k}`, `${JSON.stringify(s)} is not a date`);
        return s.slice(0, 10);
      };
      const ransom = r.optStr(e.knownRansomwareCampaignUse, `${p}.knownRansomwareCampaignUse`, 20);
      entries.push(
        defined({
          cve,
          path: p,
          vendorProject: r.str(e.vendorProject, `${p}.vendorProject`, 400),
          product: r.str(e.product, `${p}.product`, 400),
          name: r.optStr(e.vulnerabilityName, `${p}.vulnerabilityName`, 1000),
          dateAdded: date('dateAdded'),
          dueDate: date('dueDate'),
          ransomware: ransom === 'Known' ? true : ransom === 'Unknown' ? false : undefined,
        }),
      );
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      problems.push({ where: `${where}: ${p}`, message: err.message });
    }
  });
  return { catalogVersion: r.optStr(doc.catalogVersion, 'catalogVersion', 40) ?? 'unknown', entries, problems };
}

export const kevKey = (vendor: string, product: string) => `kev:${normName(vendor)}|${normName(product)}`;
