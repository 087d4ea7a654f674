/**
 * Refreshing indicator sources from their URLs (`mamori ioc fetch`): HTTPS (or
 * http to 127.0.0.1, for tests), redirects bounded, the body bounded in size
 * and the whole in time, a conditional GET with the last ETag and
 * Last-Modified so an unchanged feed costs one 304. A feed replaces its
 * source's indicators (it is the full list each time); a failed fetch changes
 * nothing but the source's status.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { MamoriError } from 'mamori';
import { parseIndicators } from './read.js';
import type { ImportOutcome, IocSource, IocStore } from './store.js';

export interface FeedLimits {
  readonly maxBytes: number;
  /** The whole fetch, redirects included. */
  readonly timeoutMs: number;
  /** Silence on the socket. */
  readonly idleMs: number;
  readonly maxRedirects: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = { maxBytes: 64 * 1024 * 1024, timeoutMs: 120_000, idleMs: 30_000, maxRedirects: 5 };

export type FeedAnswer =
  | { status: 200; body: Buffer; url: string; etag: string | undefined; lastModified: string | undefined }
  | { status: 304; url: string };

const fail = (message: string, cause?: unknown): never => {
  throw new MamoriError('MAMORI_ERR_IOC_FETCH', message, cause === undefined ? {} : { cause });
};

function checkUrl(url: URL, first: URL): void {
  const local = (u: URL) => u.protocol === 'http:' && u.hostname === '127.0.0.1';
  if (url.username || url.password) fail(`${url.protocol}//${url.host}…: a URL with a user name or password is not used (put credentials nowhere in a feed URL)`);
  if (url.protocol === 'https:') return;
  if (local(url) && local(first)) return;
  fail(`${url.href.slice(0, 200)}: only https:// feeds are fetched (http:// only to 127.0.0.1)`);
}

/** GET a feed, conditionally when validators are given. */
export async function fetchFeed(url: string, opts: { etag?: string | null; lastModified?: string | null; limits?: Partial<FeedLimits> } = {}): Promise<FeedAnswer> {
  const l = { ...DEFAULT_FEED_LIMITS, ...opts.limits };
  let current: URL;
  try {
    current = new URL(url);
  } catch (err) {
    return fail(`${JSON.stringify(url.slice(0, 200))} is not a URL`, err);
  }
  const first = current;
  const deadline = Date.now() + l.timeoutMs;
  for (let hop = 0; ; hop++) {
    checkUrl(current, first);
    const r = await getOnce(current, l, deadline, opts);
    if ('redirect' in r) {
      if (hop >= l.maxRedirects) fail(`${first.href}: more than ${l.maxRedirects} redirects`);
      current = new URL(r.redirect, current);
      continue;
    }
    return r;
  }
}

function getOnce(url: URL, l: FeedLimits, deadline: number, v: { etag?: string | null; lastModified?: string | null }): Promise<FeedAnswer | { redirect: string }> {
  return new Promise((done, reject) => {
    const headers: Record<string, string> = { 'user-agent': 'mamori (ioc fetch)', 'accept-encoding': 'identity' };
    if (v.etag) headers['if-none-match'] = v.etag;
    if (v.lastModified) headers['if-modified-since'] = v.lastModified;
    const req = (url.protocol === 'https:' ? httpsGet : httpGet)(url, { headers, timeout: l.idleMs });
    let settled = false;
    const abort = (message: string) => {
      finish(new MamoriError('MAMORI_ERR_IOC_FETCH', `${url.href}: ${message}`));
      req.destroy();
    };
    const timer = setTimeout(() => abort(`not fetched within ${Math.round(l.timeoutMs / 1000)} s`), Math.max(deadline - Date.now(), 0));
    const finish = (err: unknown, value?: FeedAnswer | { redirect: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err instanceof MamoriError ? err : new MamoriError('MAMORI_ERR_IOC_FETCH', `${url.href}: ${(err as Error).message}`, { cause: err }));
      else done(value!);
    };
    req.on('timeout', () => abort(`no data for ${Math.round(l.idleMs / 1000)} s`));
    req.on('error', (err) => finish(err));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status)) {
        res.resume();
        const location = res.headers.location;
        req.destroy();
        return location ? finish(undefined, { redirect: location }) : finish(new MamoriError('MAMORI_ERR_IOC_FETCH', `${url.href}: answered ${status} with no Location`));
      }
      if (status === 304) {
        res.resume();
        req.destroy();
        return finish(undefined, { status: 304, url: url.href });
      }
      if (status !== 200) {
        res.resume();
        req.destroy();
        return finish(new MamoriError('MAMORI_ERR_IOC_FETCH', `${url.href}: answered ${status}`));
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > l.maxBytes) {
        req.destroy();
        return finish(new MamoriError('MAMORI_ERR_IOC_FETCH', `${url.href}: ${declared} bytes, more than the ${l.maxBytes} allowed`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > l.maxBytes) return abort(`more than the ${l.maxBytes} bytes allowed`);
        chunks.push(c);
      });
      res.on('error', (err) => finish(err));
      res.on('aborted', () => finish(new MamoriError('MAMORI_ERR_IOC_FETCH', `${url.href}: the answer was cut short`)));
      res.on('end', () => {
        if (!res.complete) return finish(new MamoriError('MAMORI_ERR_IOC_FETCH', `${url.href}: the answer was cut short`));
        const etag = typeof res.headers.etag === 'string' && res.headers.etag.length <= 512 ? res.headers.etag : undefined;
        const lm = typeof res.headers['last-modified'] === 'string' && res.headers['last-modified'].length <= 100 ? res.headers['last-modified'] : undefined;
        finish(undefined, { status: 200, body: Buffer.concat(chunks), url: url.href, etag, lastModified: lm });
      });
    });
  });
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
export async function refreshSource(store: IocStore, s: IocSource, opts: { now: () => number; limits?: Partial<FeedLimits> }): Promise<SourceRefresh> {
  if (!s.url) return { source: s.name, status: 'failed', error: 'the source has no URL' };
  try {
    const a = await fetchFeed(s.url, { etag: s.etag, lastModified: s.lastModified, limits: opts.limits });
    if (a.status === 304) {
      store.recordFetch(s.name, { at: opts.now(), status: '304 not modified' });
      return { source: s.name, status: 'not-modified' };
    }
    const text = a.body.toString('utf8');
    const parsed = parseIndicators(text, s.url, s.format);
    if (parsed.indicators.length === 0 && text.trim().length > 0 && parsed.skipped.length > 0) {
      fail(`${s.url}: no indicator could be read (${Object.entries(parsed.skippedByReason).slice(0, 3).map(([r, n]) => `${n} ${r}`).join(', ')}); the source keeps its indicators`);
    }
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

/** Refreshes the sources that are due (or all with a URL, `force`), one after another. */
export async function refreshSources(store: IocStore, opts: { now: () => number; force?: boolean; only?: string; limits?: Partial<FeedLimits> }): Promise<SourceRefresh[]> {
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
      for (const r of await refreshSources(store, { now: opts.now, limits: opts.limits })) if (r.status !== 'not-due') opts.onResult?.(r);
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
