/**
 * IPA's urgent security alerts (重要なセキュリティ情報), published as RSS 1.0 (RDF): one `item`
 * per alert with `title`, `link`, `description` and `dc:date`. IPA issues them for flaws that
 * are being exploited, or are about to be, in products widely used in Japan; an alert names its
 * CVEs in its title or description when it has them (`…の脆弱性対策について(CVE-2023-46805等)`),
 * and some alerts (an out-of-cycle vendor update, a warning about a campaign) name none. Both
 * kinds are kept: the CVEs found are marked with the alert, and every alert stays visible as an
 * advisory with its link. Read with mamori's small XML reader (no DTDs), bounded in size and
 * in items.
 */
import { defined, RecordError, type FeedProblem } from './json.js';
import { child, findAll, parseXml } from './xml.js';

export interface IpaAlert {
  /** `ipa:` and the alert's address, which identifies it. */
  readonly id: string;
  readonly title: string;
  readonly link: string;
  readonly date?: string;
  readonly description?: string;
  /** CVE ids found in the title and description, in order. */
  readonly cves: readonly string[];
  /** `file:line` of the item, for messages. */
  readonly path: string;
}

export const MAX_IPA_ITEMS = 5_000;
// a CVE id as a whole word: not the first 8 digits of a longer number (CVE-2024-217621234), not inside another id
const CVE_IN = /(?<![A-Za-z0-9_-])CVE-\d{4}-\d{4,8}(?![0-9])/g;
const MAX_BYTES = 8 * 1024 * 1024;

/** Reads an alert feed; an item without a usable link or title is reported with its line and skipped. */
export function readIpaAlerts(text: string, where: string): { alerts: IpaAlert[]; problems: FeedProblem[] } {
  const doc = parseXml(text, where, { maxBytes: MAX_BYTES, maxDepth: 16, maxElements: 100_000 });
  const root = doc.children.find((c) => c.name === 'rdf:RDF');
  if (!root) throw new RecordError(`${where}: not an RSS 1.0 document (no rdf:RDF element)`);
  const items = findAll(root, 'item');
  const problems: FeedProblem[] = [];
  if (items.length > MAX_IPA_ITEMS) problems.push({ where, message: `more than ${MAX_IPA_ITEMS} items; the rest are not read` });
  const alerts: IpaAlert[] = [];
  const seen = new Set<string>();
  for (const item of items.slice(0, MAX_IPA_ITEMS)) {
    const at = `${where}:${item.line}`;
    const title = child(item, 'title')?.text.replace(/\s+/g, ' ').trim().slice(0, 500) ?? '';
    const link = (child(item, 'link')?.text.trim() || item.attrs['rdf:about'] || '').slice(0, 1000);
    if (!title) {
      problems.push({ where: at, message: 'an item without a title: skipped' });
      continue;
    }
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      problems.push({ where: at, message: `${JSON.stringify(title.slice(0, 80))}: the link ${JSON.stringify(link.slice(0, 80))} is not an address: skipped` });
      continue;
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.href.length > 200) {
      problems.push({ where: at, message: `${JSON.stringify(title.slice(0, 80))}: the link is not an http(s) address of at most 200 characters: skipped` });
      continue;
    }
    const description = child(item, 'description')?.text.replace(/\s+/g, ' ').trim().slice(0, 2000) || undefined;
    const date = (child(item, 'dc:date')?.text.trim() || child(item, 'dcterms:issued')?.text.trim() || '').slice(0, 40) || undefined;
    const cves = [...new Set(`${title} ${description ?? ''}`.match(CVE_IN) ?? [])].slice(0, 100);
    const id = `ipa:${url.href}`;
    if (seen.has(id)) continue;
    seen.add(id);
    alerts.push(defined({ id, title, link: url.href, date, description, cves, path: at }));
  }
  return { alerts, problems };
}
