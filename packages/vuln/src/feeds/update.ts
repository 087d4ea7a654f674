/**
 * Keeping the feeds current for hosts that are online: each feed on its own interval,
 * fetched with the bounded GET (https only; http only to 127.0.0.1, for tests), and only
 * what changed where the feed allows it:
 *
 *   KEV   the whole file, conditionally (ETag / If-Modified-Since): unchanged costs a 304;
 *   NVD   CVE API 2.0, the records modified since the last run (lastModStartDate /
 *         lastModEndDate windows of at most 120 days, paged by startIndex); the first run
 *         pages through everything;
 *   EPSS  the daily csv.gz, conditionally;
 *   OSV   an ecosystem's all.zip, conditionally, or single advisories by id;
 *   CVE 5 single records by id (by default the KEV CVEs that have none yet);
 *   JVN   MyJVN getVulnOverviewList, the advisories changed in the last week or month;
 *   Debian the security tracker's JSON export, conditionally (the whole tracker each time);
 *   IPA   the urgent security alerts' RSS 1.0 feed, conditionally.
 *
 * Distributions' OSV records come with the OSV feed: `osvEcosystems` names the archives
 * (`Debian`, `Ubuntu`, `AlmaLinux`, `Rocky Linux`, `Red Hat` beside `npm`).
 *
 * A feed that fails is recorded with its error and changes nothing else; the others go on.
 */
import { MamoriError } from 'mamori';
import { boundedGet, type AddressPolicy, type BoundedGetLimits } from 'mamori/internal';
import { gunzipSync } from 'node:zlib';
import { readCve5 } from './cve5.js';
import { readEpss } from './epss.js';
import { parseJson, RecordError, type FeedProblem } from './json.js';
import { readJvn } from './jvn.js';
import { readKev } from './kev.js';
import { readNvdPage } from './nvd.js';
import { readOsv, type OsvRecord } from './osv.js';
import type { VulnFeedStore } from './store.js';
import { readZip } from './zip.js';

import { readIpaAlerts } from './ipa.js';
import { importDebianTracker, MAX_DEBIAN_TRACKER_BYTES } from './import-dir.js';

export type UpdatableFeed = 'kev' | 'nvd' | 'epss' | 'osv' | 'cve5' | 'jvn' | 'debian' | 'ipa';
export const UPDATABLE_FEEDS: readonly UpdatableFeed[] = ['kev', 'nvd', 'epss', 'osv', 'cve5', 'jvn', 'debian', 'ipa'];

export interface FeedUrls {
  readonly kev: string;
  readonly nvd: string;
  readonly epss: string;
  /** `<base>/<ecosystem>/all.zip`. */
  readonly osvBase: string;
  /** `<api>/<id>`. */
  readonly osvApi: string;
  /** `<api>/<CVE id>`. */
  readonly cve5Api: string;
  readonly jvn: string;
  /** The Debian security tracker's JSON export. */
  readonly debianTracker: string;
  /** IPA's urgent security alerts (重要なセキュリティ情報), RSS 1.0. */
  readonly ipa: string;
}

export const DEFAULT_FEED_URLS: FeedUrls = {
  kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  nvd: 'https://services.nvd.nist.gov/rest/json/cves/2.0',
  epss: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
  osvBase: 'https://osv-vulnerabilities.storage.googleapis.com',
  osvApi: 'https://api.osv.dev/v1/vulns',
  cve5Api: 'https://cveawg.mitre.org/api/cve',
  jvn: 'https://jvndb.jvn.jp/myjvn',
  debianTracker: 'https://security-tracker.debian.org/tracker/data/json',
  ipa: 'https://www.ipa.go.jp/security/alert-rss.rdf',
};

const HOUR = 3_600_000;
export const DEFAULT_INTERVALS: Readonly<Record<UpdatableFeed, number>> = { kev: 6 * HOUR, nvd: 2 * HOUR, epss: 24 * HOUR, osv: 24 * HOUR, cve5: 24 * HOUR, jvn: 24 * HOUR, debian: 12 * HOUR, ipa: 6 * HOUR };
export const DEFAULT_UPDATE_LIMITS: BoundedGetLimits = { maxBytes: 256 * 1024 * 1024, timeoutMs: 300_000, idleMs: 60_000, maxRedirects: 5 };

export interface UpdateOptions {
  readonly store: VulnFeedStore;
  readonly now: () => number;
  readonly feeds?: readonly UpdatableFeed[];
  readonly urls?: Partial<FeedUrls>;
  readonly intervals?: Partial<Record<UpdatableFeed, number>>;
  /** Fetch even when the interval has not passed. */
  readonly force?: boolean;
  readonly limits?: Partial<BoundedGetLimits>;
  /** NVD API key (sent as the `apiKey` header; raises NVD's rate limit). Never logged. */
  readonly nvdApiKey?: string;
  /** Pause between NVD pages (NVD asks for 6 s without a key); injected so tests do not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly osvEcosystems?: readonly string[];
  readonly osvIds?: readonly string[];
  readonly cve5Ids?: readonly string[];
  /** JVN: `w` (past week) or `m` (past month) of rangeDatePublished. */
  readonly jvnRange?: 'w' | 'm';
  /**
   * Where redirects may lead (boundedGet's policy): by default never from a public address to a
   * private one; `allowPrivateRedirects` for feeds mirrored on the user's own network.
   */
  readonly addresses?: AddressPolicy;
}

export interface FeedUpdate {
  readonly feed: UpdatableFeed;
  readonly status: 'updated' | 'not-modified' | 'not-due' | 'failed';
  readonly records?: number;
  readonly requests?: number;
  readonly problems?: readonly FeedProblem[];
  readonly error?: string;
}

const NVD_PAGE = 2000;
const NVD_WINDOW_MS = 120 * 24 * HOUR;
const MAX_PAGES = 1000;

class Fetcher {
  requests = 0;
  constructor(private readonly o: UpdateOptions) {}
  async get(url: string, validators?: { etag: string | null; lastModified: string | null }, extra: Record<string, string> = {}) {
    let u: URL;
    try {
      u = new URL(url);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_VULN_FEED', `${JSON.stringify(url.slice(0, 200))} is not a URL`, { cause: err });
    }
    const headers: Record<string, string> = { 'user-agent': 'mamori (vuln feeds)', ...extra };
    if (validators?.etag) headers['if-none-match'] = validators.etag;
    if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
    this.requests++;
    // the caller's extra headers are secrets (NVD's apiKey): never sent on to another host a redirect names
    const r = await boundedGet(u, { code: 'MAMORI_ERR_VULN_FEED', limits: { ...DEFAULT_UPDATE_LIMITS, ...this.o.limits }, headers, sensitiveHeaders: Object.keys(extra ?? {}), what: 'feeds', notModified: validators !== undefined, addresses: { hint: 'a feed mirrored on your own network: `mamori vuln update --allow-private-redirects`', ...this.o.addresses } });
    if (r.status === 304) return { status: 304 as const };
    const h = r.headers;
    return {
      status: 200 as const,
      body: r.body,
      url: r.url,
      etag: typeof h.etag === 'string' && h.etag.length <= 512 ? h.etag : null,
      lastModified: typeof h['last-modified'] === 'string' && h['last-modified'].length <= 100 ? h['last-modified'] : null,
    };
  }
}

/** Where an NVD window string is safe to put in a query: ISO 8601 with milliseconds and Z. */
const iso = (ms: number) => new Date(ms).toISOString();

/** Whole-feed replacements (KEV, the Debian tracker) that shrink by half or more are refused above this size. */
const SHRINK_FLOOR = 100;

async function updateKev(o: UpdateOptions, f: Fetcher, urls: FeedUrls): Promise<Omit<FeedUpdate, 'feed'>> {
  const st = o.store.state('kev');
  const r = await f.get(urls.kev, { etag: st.etag, lastModified: st.lastModified });
  if (r.status === 304) {
    o.store.setState('kev', { fetchedAt: o.now() });
    return { status: 'not-modified' };
  }
  const k = readKev(parseJson(r.body, r.url), r.url);
  if (k.entries.length === 0) throw new RecordError(`${r.url}: no KEV entry could be read; the catalog in the store is kept`);
  // KEV only grows: a catalog with fewer than half the entries held is a cut or stale copy (a
  // mirror, a cache), and taking it would drop the exploited flag from the CVEs it leaves out
  const had = o.store.count('kev');
  if (had >= SHRINK_FLOOR && k.entries.length < had / 2) throw new RecordError(`${r.url}: ${k.entries.length} KEV entries, fewer than half of the ${had} the store has: a cut or stale copy is refused, and the catalog in the store is kept (mamori vuln update --import replaces it on purpose)`);
  o.store.clear('kev');
  o.store.put('kev', k.entries);
  o.store.setState('kev', { etag: r.etag, lastModified: r.lastModified, fetchedAt: o.now(), cursor: k.catalogVersion });
  return { status: 'updated', records: k.entries.length, problems: k.problems };
}

async function updateNvd(o: UpdateOptions, f: Fetcher, urls: FeedUrls): Promise<Omit<FeedUpdate, 'feed'>> {
  const st = o.store.state('nvd');
  const end = o.now();
  const headers: Record<string, string> = o.nvdApiKey ? { apiKey: o.nvdApiKey } : {};
  const pause = o.nvdApiKey ? 600 : 6000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const windows: ([number, number] | null)[] = [];
  const since = st.cursor ? Date.parse(st.cursor) : NaN;
  if (Number.isFinite(since)) for (let s = since; s < end; s += NVD_WINDOW_MS) windows.push([s, Math.min(s + NVD_WINDOW_MS, end)]);
  else windows.push(null);
  let records = 0;
  let pages = 0;
  const problems: FeedProblem[] = [];
  for (const w of windows) {
    for (let start = 0; ; ) {
      if (++pages > MAX_PAGES) throw new RecordError(`${urls.nvd}: more than ${MAX_PAGES} pages in one update`);
      if (pages > 1) await sleep(pause);
      const q = new URLSearchParams({ resultsPerPage: String(NVD_PAGE), startIndex: String(start) });
      if (w) {
        q.set('lastModStartDate', iso(w[0]));
        q.set('lastModEndDate', iso(w[1]));
      }
      const r = await f.get(`${urls.nvd}?${q}`, undefined, headers);
      if (r.status !== 200) throw new RecordError(`${urls.nvd}: unexpected 304`);
      const page = readNvdPage(parseJson(r.body, r.url), r.url);
      o.store.put('nvd', page.records);
      records += page.records.length;
      problems.push(...page.problems);
      const got = page.records.length + page.problems.length;
      start += got;
      if (got === 0 || start >= page.totalResults) break;
    }
  }
  // the window's end becomes the next start only once every page of it was read
  o.store.setState('nvd', { fetchedAt: o.now(), cursor: iso(end) });
  return { status: 'updated', records, problems };
}

async function updateEpss(o: UpdateOptions, f: Fetcher, urls: FeedUrls): Promise<Omit<FeedUpdate, 'feed'>> {
  const st = o.store.state('epss');
  const r = await f.get(urls.epss, { etag: st.etag, lastModified: st.lastModified });
  if (r.status === 304) {
    o.store.setState('epss', { fetchedAt: o.now() });
    return { status: 'not-modified' };
  }
  let text: string;
  try {
    text = (r.body[0] === 0x1f && r.body[1] === 0x8b ? gunzipSync(r.body, { maxOutputLength: 256 * 1024 * 1024 }) : r.body).toString('utf8');
  } catch (err) {
    throw new RecordError(`${r.url}: cannot gunzip (${(err as Error).message})`);
  }
  const e = readEpss(text, r.url);
  if (e.rows.length === 0) throw new RecordError(`${r.url}: no EPSS row could be read; the scores in the store are kept`);
  o.store.replaceEpss(e.rows);
  o.store.setState('epss', { etag: r.etag, lastModified: r.lastModified, fetchedAt: o.now(), cursor: e.date ?? null, note: e.model ?? null });
  return { status: 'updated', records: e.rows.length, problems: e.problems };
}

async function updateOsv(o: UpdateOptions, f: Fetcher, urls: FeedUrls): Promise<Omit<FeedUpdate, 'feed'>> {
  let records = 0;
  let changed = false;
  const problems: FeedProblem[] = [];
  for (const eco of o.osvEcosystems ?? ['npm']) {
    if (!/^[A-Za-z0-9.:-][A-Za-z0-9.: -]{0,39}$/.test(eco)) throw new RecordError(`${JSON.stringify(eco)} is not an OSV ecosystem name`);
    const key = `osv:${eco}`;
    const st = o.store.state(key);
    const r = await f.get(`${urls.osvBase}/${encodeURIComponent(eco)}/all.zip`, { etag: st.etag, lastModified: st.lastModified });
    if (r.status === 304) continue;
    const batch: OsvRecord[] = [];
    readZip(r.body, r.url, (name, data) => {
      if (!name.endsWith('.json')) return;
      try {
        batch.push(readOsv(parseJson(data, `${r.url}!${name}`), `${r.url}!${name}`));
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        problems.push({ where: `${r.url}!${name}`, message: err.message });
      }
      if (batch.length >= 5000) o.store.put('osv', batch.splice(0));
    });
    o.store.put('osv', batch);
    records += batch.length;
    changed = true;
    o.store.setState(key, { etag: r.etag, lastModified: r.lastModified, fetchedAt: o.now() });
  }
  for (const id of o.osvIds ?? []) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(id)) throw new RecordError(`${JSON.stringify(id.slice(0, 100))} is not an OSV id`);
    const r = await f.get(`${urls.osvApi}/${encodeURIComponent(id)}`);
    if (r.status !== 200) continue;
    try {
      o.store.put('osv', [readOsv(parseJson(r.body, r.url), r.url)]);
      records++;
      changed = true;
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      problems.push({ where: r.url, message: err.message });
    }
  }
  o.store.setState('osv', { fetchedAt: o.now() });
  return { status: changed ? 'updated' : 'not-modified', records, problems };
}

async function updateCve5(o: UpdateOptions, f: Fetcher, urls: FeedUrls): Promise<Omit<FeedUpdate, 'feed'>> {
  const ids = o.cve5Ids ?? o.store.missing('cve5', 'kev', 200);
  let records = 0;
  const problems: FeedProblem[] = [];
  for (const id of ids) {
    if (!/^CVE-\d{4}-\d{4,8}$/.test(id)) throw new RecordError(`${JSON.stringify(id.slice(0, 40))} is not a CVE id`);
    try {
      const r = await f.get(`${urls.cve5Api}/${id}`);
      if (r.status !== 200) continue;
      o.store.put('cve5', [readCve5(parseJson(r.body, r.url), r.url)]);
      records++;
    } catch (err) {
      if (!(err instanceof RecordError) && !(err instanceof MamoriError)) throw err;
      problems.push({ where: `${urls.cve5Api}/${id}`, message: (err as Error).message });
    }
  }
  o.store.setState('cve5', { fetchedAt: o.now() });
  return { status: records > 0 ? 'updated' : 'not-modified', records, problems };
}

async function updateJvn(o: UpdateOptions, f: Fetcher, urls: FeedUrls): Promise<Omit<FeedUpdate, 'feed'>> {
  let records = 0;
  const problems: FeedProblem[] = [];
  for (let start = 1, page = 0; page < 200; page++) {
    const q = new URLSearchParams({ method: 'getVulnOverviewList', feed: 'hnd', startItem: String(start), maxCountItem: '50', rangeDatePublic: 'n', rangeDatePublished: o.jvnRange ?? 'w', rangeDateFirstPublished: 'n', lang: 'en' });
    const r = await f.get(`${urls.jvn}?${q}`);
    if (r.status !== 200) break;
    const text = r.body.toString('utf8');
    const j = readJvn(text, r.url);
    o.store.put('jvn', j.records);
    records += j.records.length;
    problems.push(...j.problems);
    const total = Number(/totalRes="(\d{1,9})"/.exec(text)?.[1] ?? 0);
    start += 50;
    if (j.records.length === 0 || start > total) break;
  }
  o.store.setState('jvn', { fetchedAt: o.now() });
  return { status: 'updated', records, problems };
}

async function updateDebian(o: UpdateOptions, f: Fetcher, urls: FeedUrls): Promise<Omit<FeedUpdate, 'feed'>> {
  const st = o.store.state('debian');
  const r = await f.get(urls.debianTracker, { etag: st.etag, lastModified: st.lastModified });
  if (r.status === 304) {
    o.store.setState('debian', { fetchedAt: o.now() });
    return { status: 'not-modified' };
  }
  let body = r.body;
  if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body, { maxOutputLength: MAX_DEBIAN_TRACKER_BYTES });
  // the tracker only grows: an export with fewer than half the entries held is refused (see KEV)
  const had = o.store.count('debian');
  const d = importDebianTracker(o.store, body, r.url, had >= SHRINK_FLOOR ? { had } : {});
  o.store.setState('debian', { etag: r.etag, lastModified: r.lastModified, fetchedAt: o.now(), note: d.temp ? `${d.temp} entries without a CVE id (TEMP-) not kept` : null });
  return { status: 'updated', records: d.count, problems: d.problems };
}

async function updateIpa(o: UpdateOptions, f: Fetcher, urls: FeedUrls): Promise<Omit<FeedUpdate, 'feed'>> {
  const st = o.store.state('ipa');
  const r = await f.get(urls.ipa, { etag: st.etag, lastModified: st.lastModified });
  if (r.status === 304) {
    o.store.setState('ipa', { fetchedAt: o.now() });
    return { status: 'not-modified' };
  }
  const a = readIpaAlerts(r.body.toString('utf8'), r.url);
  // the feed lists the latest alerts: older ones stay in the store
  o.store.put('ipa', a.alerts);
  o.store.setState('ipa', { etag: r.etag, lastModified: r.lastModified, fetchedAt: o.now() });
  return { status: 'updated', records: a.alerts.length, problems: a.problems };
}

const UPDATERS: Readonly<Record<UpdatableFeed, (o: UpdateOptions, f: Fetcher, urls: FeedUrls) => Promise<Omit<FeedUpdate, 'feed'>>>> = {
  kev: updateKev,
  nvd: updateNvd,
  epss: updateEpss,
  osv: updateOsv,
  cve5: updateCve5,
  jvn: updateJvn,
  debian: updateDebian,
  ipa: updateIpa,
};

/** Whether a feed's interval has passed since it was last fetched. */
export function feedDue(store: VulnFeedStore, feed: UpdatableFeed, now: number, interval = DEFAULT_INTERVALS[feed]): boolean {
  const at = store.state(feed).fetchedAt;
  return at === null || now - at >= interval;
}

/** Updates the feeds that are due (all of `feeds` with `force`); never throws for one feed's failure. */
export async function updateFeeds(o: UpdateOptions): Promise<FeedUpdate[]> {
  const urls = { ...DEFAULT_FEED_URLS, ...o.urls };
  const out: FeedUpdate[] = [];
  for (const feed of o.feeds ?? UPDATABLE_FEEDS) {
    if (!o.force && !feedDue(o.store, feed, o.now(), o.intervals?.[feed])) {
      out.push({ feed, status: 'not-due' });
      continue;
    }
    const f = new Fetcher(o);
    try {
      out.push({ feed, ...(await UPDATERS[feed](o, f, urls)), requests: f.requests });
    } catch (err) {
      if (!(err instanceof RecordError) && !(err instanceof MamoriError)) throw err;
      const message = (err as Error).message.slice(0, 500);
      o.store.setState(feed, { note: `failed: ${message}` });
      out.push({ feed, status: 'failed', error: message, requests: f.requests });
    }
  }
  return out;
}

/**
 * Keeps the feeds current while it runs: every `tickMs` it updates the feeds that are due
 * (each on its own interval) and hands the outcome to `onUpdate`. Stops when `signal` aborts.
 * The wait is injected like the clock, so tests do not sleep.
 */
export async function watchFeeds(o: UpdateOptions & { readonly tickMs?: number; readonly signal: AbortSignal; readonly onUpdate?: (u: FeedUpdate[]) => void; readonly wait?: (ms: number, signal: AbortSignal) => Promise<void> }): Promise<void> {
  const wait =
    o.wait ??
    ((ms: number, signal: AbortSignal) =>
      new Promise<void>((done) => {
        const t = setTimeout(done, ms);
        signal.addEventListener('abort', () => (clearTimeout(t), done()), { once: true });
      }));
  while (!o.signal.aborted) {
    const u = await updateFeeds(o);
    o.onUpdate?.(u);
    if (o.signal.aborted) break;
    await wait(o.tickMs ?? 15 * 60_000, o.signal);
  }
}
