/**
 * Refreshing indicator sources from their URLs (`mamori ioc fetch`): HTTPS (or
 * http to 127.0.0.1, for tests), redirects bounded, the body bounded in size
 * and the whole in time, a conditional GET with the last ETag and
 * Last-Modified so an unchanged feed costs one 304. A feed replaces its
 * source's indicators (it is the full list each time); a failed fetch changes
 * nothing but the source's status. A redirect from a public address to a private, loopback or
 * link-local one is refused unless the source allows it (`allowPrivateRedirects`, kept with the
 * source) or the caller does (`addresses.allowPrivateRedirects`, one run); see boundedGet.
 */
import { MamoriError } from 'mamori/errors';
import { boundedGet, type AddressPolicy, type BoundedGetLimits } from 'mamori/internal/bounded-get';
import { parseIndicators } from './read.js';
import type { ImportOutcome, IocSource, IocStore } from './store.js';

/** Bounds of a feed's fetch (boundedGet's). */
export type FeedLimits = BoundedGetLimits;

export const DEFAULT_FEED_LIMITS: FeedLimits = { maxBytes: 64 * 1024 * 1024, timeoutMs: 120_000, idleMs: 30_000, maxRedirects: 5 };

export type FeedAnswer =
  | { status: 200; body: Buffer; url: string; etag: string | undefined; lastModified: string | undefined }
  | { status: 304; url: string };

/** GET a feed, conditionally when validators are given (bounded: see boundedGet). */
export async function fetchFeed(url: string, opts: { etag?: string | null; lastModified?: string | null; limits?: Partial<FeedLimits>; addresses?: AddressPolicy } = {}): Promise<FeedAnswer> {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_IOC_FETCH', `${JSON.stringify(url.slice(0, 200))} is not a URL`, { cause: err });
  }
  const headers: Record<string, string> = { 'user-agent': 'mamori (ioc fetch)' };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  const r = await boundedGet(u, { code: 'MAMORI_ERR_IOC_FETCH', limits: { ...DEFAULT_FEED_LIMITS, ...opts.limits }, headers, what: 'feeds', notModified: true, addresses: { hint: 'a feed mirrored on your own network: `mamori ioc fetch --allow-private-redirects`', ...opts.addresses } });
  if (r.status === 304) return r;
  const h = r.headers;
  const etag = typeof h.etag === 'string' && h.etag.length <= 512 ? h.etag : undefined;
  const lastModified = typeof h['last-modified'] === 'string' && h['last-modified'].length <= 100 ? h['last-modified'] : undefined;
  return { status: 200, body: r.body, url: r.url, etag, lastModified };
}

export interface SourceRefresh {
  readonly source: string;
  readonly status: 'updated' | 'not-modified' | 'failed' | 'not-due';
  readonly import?: ImportOutcome;
  readonly skipped?: number;
  readonly error?: string;
}

/** Whether a source's refresh interval has passed (a source without one is due only when forced). */
export function isDue(s: IocSource, now: number): boolean {
  if (!s.url || s.refreshMs === null) return false;
  return s.lastFetch === null || now - s.lastFetch >= s.refreshMs;
}

/**
 * Fetches one source and replaces its indicators with the feed's. Errors are
 * recorded on the source and returned, not thrown: one bad feed does not stop
 * the others.
 */
export async function refreshSource(store: IocStore, s: IocSource, opts: { now: () => number; limits?: Partial<FeedLimits>; addresses?: AddressPolicy }): Promise<SourceRefresh> {
  if (!s.url) return { source: s.name, status: 'failed', error: 'the source has no URL' };
  try {
    // The source's own setting, or the caller's for this run; either allows (neither can refuse what the other allows).
    const addresses: AddressPolicy = {
      hint: `a feed mirrored on your own network: \`mamori ioc source ${s.name} --allow-private-redirects\` allows it for this source (allow_private_redirects, kept in the IoC store), \`mamori ioc fetch --allow-private-redirects\` for one run`,
      ...opts.addresses,
      allowPrivateRedirects: s.allowPrivateRedirects || opts.addresses?.allowPrivateRedirects === true,
    };
    const a = await fetchFeed(s.url, { etag: s.etag, lastModified: s.lastModified, limits: opts.limits, addresses });
    if (a.status === 304) {
      store.recordFetch(s.name, { at: opts.now(), status: '304 not modified' });
      return { source: s.name, status: 'not-modified' };
    }
    const text = a.body.toString('utf8');
    const parsed = parseIndicators(text, s.url, s.format);
    if (parsed.indicators.length === 0 && text.trim().length > 0 && parsed.skipped.length > 0) {
      throw new MamoriError('MAMORI_ERR_IOC_FETCH', `${s.url}: no indicator could be read (${Object.entries(parsed.skippedByReason).slice(0, 3).map(([r, n]) => `${n} ${r}`).join(', ')}); the source keeps its indicators`);
    }
    keepOnEmptyFeed(store, s.name, parsed.indicators.length, opts.now());
    const outcome = store.importIndicators(s.name, parsed.indicators, { now: opts.now(), replace: true });
    const skipped = parsed.skipped.length === 0 ? 0 : Object.values(parsed.skippedByReason).reduce((n, x) => n + x, 0);
    store.recordFetch(s.name, { at: opts.now(), status: `200 (${outcome.total} indicators, ${skipped} skipped)`, etag: a.etag ?? null, lastModified: a.lastModified ?? null });
    return { source: s.name, status: 'updated', import: outcome, skipped };
  } catch (err) {
    const message = (err as Error).message;
    store.recordFetch(s.name, { at: opts.now(), status: `failed: ${message}` });
    return { source: s.name, status: 'failed', error: message };
  }
}

/**
 * A feed answers 200 with nothing in it (an empty body, `[]`, a bundle without objects: a
 * broken mirror, an error page, a feed taken over): replacing would drop every indicator of the
 * source without a word. The refresh fails instead and the source keeps what it had; a list
 * that is really empty now is emptied with `mamori ioc remove --source NAME`.
 */
function keepOnEmptyFeed(store: IocStore, source: string, read: number, now: number): void {
  if (read > 0) return;
  const held = store.stats(now).bySource.filter((r) => r.source === source).reduce((n, r) => n + r.count, 0);
  if (held > 0) throw new MamoriError('MAMORI_ERR_IOC_FETCH', `the feed holds no indicators; the source keeps its ${held} (\`mamori ioc remove --source ${source}\` empties it)`);
}

/** Refreshes the sources that are due (or all with a URL, `force`), one after another. */
export async function refreshSources(store: IocStore, opts: { now: () => number; force?: boolean; only?: string; limits?: Partial<FeedLimits>; addresses?: AddressPolicy }): Promise<SourceRefresh[]> {
  const out: SourceRefresh[] = [];
  for (const s of store.sources()) {
    if (!s.url) continue;
    if (opts.only !== undefined && s.name !== opts.only) continue;
    if (!opts.force && opts.only === undefined && !isDue(s, opts.now())) {
      out.push({ source: s.name, status: 'not-due' });
      continue;
    }
    out.push(await refreshSource(store, s, opts));
  }
  return out;
}

export interface SourceWatchOptions {
  readonly now: () => number;
  /** Waits `ms`, or less when the signal aborts (injected: tests move a manual clock instead of sleeping). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly onResult?: (r: SourceRefresh) => void;
  /** Shortest and longest wait between rounds (default 1 minute and 1 hour). */
  readonly minWaitMs?: number;
  readonly maxWaitMs?: number;
  readonly limits?: Partial<FeedLimits>;
  /** Where redirects may lead (boundedGet's policy). */
  readonly addresses?: AddressPolicy;
}

const realSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done) => {
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), done()), { once: true });
  });

/**
 * Keeps the store's feeds fresh for as long as it runs (`mamori ioc fetch
 * --watch`, or a long-running process such as the proxy): refreshes each
 * source when its interval has passed, then waits until the next is due.
 * `stop()` ends it after the fetch in progress.
 */
export function watchSources(store: IocStore, opts: SourceWatchOptions): { stop(): Promise<void>; done: Promise<void> } {
  const ac = new AbortController();
  const sleep = opts.sleep ?? realSleep;
  const minWait = opts.minWaitMs ?? 60_000;
  const maxWait = opts.maxWaitMs ?? 3_600_000;
  const done = (async () => {
    while (!ac.signal.aborted) {
      for (const r of await refreshSources(store, { now: opts.now, limits: opts.limits, addresses: opts.addresses })) if (r.status !== 'not-due') opts.onResult?.(r);
      if (ac.signal.aborted) break;
      const now = opts.now();
      const waits = store
        .sources()
        .filter((s) => s.url && s.refreshMs !== null)
        .map((s) => (s.lastFetch ?? 0) + s.refreshMs! - now);
      await sleep(Math.min(Math.max(Math.min(maxWait, ...waits), minWait), maxWait), ac.signal);
    }
  })();
  return {
    done,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}
