/**
 * Follows a baseline's trees as they change: one inotify watch per directory (Node's
 * fs.watch, at most `maxWatches`), changed paths gathered and checked together once the tree
 * has been quiet for `debounceMs` (or `5 × debounceMs` after the first change, so a file
 * written without pause is still checked), and a periodic check of everything to catch what
 * watching misses (changes while mamori was not running, watches past the limit, events the
 * kernel dropped). A path's change is reported once for each new state it reaches.
 *
 * The baseline is loaded and verified at start, and again when `fim accept` changes it; a
 * baseline that stops verifying is reported (`fim-baseline-invalid`), and watching goes on
 * against the copy verified last.
 */
import { lstatSync, watch, type FSWatcher } from 'node:fs';
import type { EventSink } from 'mamori';
import type { Baseline, FimDb } from './baseline-db.js';
import { checkBaseline, type ScanOptions } from './check.js';
import { checkEvents, emitAll, tamperEvent } from './events.js';
import { RuleSet, within } from './rules.js';
import type { CheckMode, CheckReport, FimEntry } from './types.js';
import type { WalkTarget } from './walker.js';

export interface WatchOptions extends ScanOptions {
  db: FimDb;
  key: Buffer;
  name: string;
  sink?: EventSink | undefined;
  /** Quiet time before changed paths are checked; default 500 ms. */
  debounceMs?: number | undefined;
  /** Every how often everything is checked; default 1 h; 0: never. */
  fullEveryMs?: number | undefined;
  /** The periodic check's mode; default full. */
  fullMode?: CheckMode | undefined;
  /** Directories watched at most (inotify watches are a per-user limit); default 8192. */
  maxWatches?: number | undefined;
  /** Each check's findings that were not reported before (after events went to the sink). */
  onReport?: ((r: CheckReport, why: 'start' | 'change' | 'periodic') => void) | undefined;
  onError?: ((err: unknown) => void) | undefined;
  now?: (() => number) | undefined;
}

/** Changed paths gathered at most before a full check replaces them. */
const MAX_DIRTY = 50_000;

function stateOf(e: FimEntry | undefined): string {
  return e ? `${e.type}|${e.size}|${e.mode}|${e.uid}|${e.gid}|${e.ino}|${e.nlink}|${e.mtime}|${e.ctime}|${e.sha256}|${e.target}` : 'gone';
}

export class FimWatcher {
  readonly #o: WatchOptions;
  #baseline: Baseline;
  #rules: RuleSet;
  readonly #watchers = new Map<string, FSWatcher>();
  #unwatched = 0;
  readonly #dirty = new Map<string, boolean>();
  #timer: NodeJS.Timeout | undefined;
  #firstDirtyAt = 0;
  #periodic: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #busy = false;
  #fullPending = false;
  #closed = false;
  /** The last state reported for each path that differs from the baseline. */
  readonly #reported = new Map<string, string>();
  #tamperReported = false;

  private constructor(o: WatchOptions, b: Baseline) {
    this.#o = o;
    this.#baseline = b;
    this.#rules = new RuleSet(b.rules);
  }

  /** Verifies the baseline (throws when it does not verify), starts watching, and runs a first check. */
  static async start(o: WatchOptions): Promise<FimWatcher> {
    const w = new FimWatcher(o, o.db.load(o.name, o.key));
    for (const r of w.#rules.rules) w.#watchDir(r.root);
    for (const e of w.#baseline.entries.values()) if (e.type === 'dir') w.#watchDir(e.path);
    await w.#check('all', o.fullMode ?? 'full', 'start');
    const every = o.fullEveryMs ?? 3_600_000;
    if (every > 0) w.#periodic = setInterval(() => w.#schedule(true), every);
    return w;
  }

  /** Directories watched now, and how many were left to the periodic check by the limit. */
  get watching(): { dirs: number; unwatched: number } {
    return { dirs: this.#watchers.size, unwatched: this.#unwatched };
  }

  /** Resolves when no check is running or waiting (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#busy || this.#timer || this.#fullPending) await this.#running.then(() => new Promise((r) => setTimeout(r, 10)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#periodic) clearInterval(this.#periodic);
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
    await this.#running;
  }

  #error(err: unknown): void {
    try {
      this.#o.onError?.(err);
    } catch {
      // the handler's own failure has nowhere to go
    }
  }

  #watchDir(dir: string): void {
    if (this.#closed || this.#watchers.has(dir) || !this.#rules.covers(dir, true)) return;
    if (this.#watchers.size >= (this.#o.maxWatches ?? 8192)) {
      if (this.#unwatched++ === 0) this.#error(new Error(`more directories than the watch limit (${this.#o.maxWatches ?? 8192}): the others are covered by the periodic check only`));
      return;
    }
    try {
      const w = watch(dir, { persistent: true }, (_type, name) => {
        // A name that is not valid UTF-8 comes as a string with U+FFFD in it, a path no call can
        // reach: the directory is walked whole instead, where the walker lists it as not checked.
        if (name && name.includes('\uFFFD')) this.#changed(dir, true);
        else this.#changed(name ? `${dir === '/' ? '' : dir}/${name}` : dir);
      });
      w.on('error', () => {
        w.close();
        this.#watchers.delete(dir);
        this.#changed(dir);
      });
      this.#watchers.set(dir, w);
    } catch (err) {
      // gone already, or not a directory: the check that follows reports it
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') this.#error(err);
    }
  }

  /** `whole`: walk below the path even when it is a watched directory. */
  #changed(path: string, whole = false): void {
    if (this.#closed) return;
    const debounce = this.#o.debounceMs ?? 500;
    const now = Date.now();
    if (this.#dirty.size === 0) this.#firstDirtyAt = now;
    if (this.#dirty.size >= MAX_DIRTY) {
      // a flood of changes (a deployment, an unpacked archive): one full check instead of a list without end
      this.#dirty.clear();
      this.#fullPending = true;
    }
    this.#dirty.set(path, whole || this.#dirty.get(path) === true);
    if (this.#timer) clearTimeout(this.#timer);
    const wait = Math.max(0, Math.min(debounce, this.#firstDirtyAt + 5 * debounce - now));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#schedule(false);
    }, wait);
  }

  #schedule(full: boolean): void {
    if (this.#closed) return;
    if (full) this.#fullPending = true;
    if (this.#busy) return;
    this.#busy = true;
    this.#running = (async () => {
      try {
        while (!this.#closed && ((this.#fullPending && !this.#timer) || (this.#dirty.size && !this.#timer))) {
          if (this.#fullPending) {
            this.#fullPending = false;
            this.#dirty.clear();
            await this.#check('all', this.#o.fullMode ?? 'full', 'periodic');
          } else {
            const paths = [...this.#dirty];
            this.#dirty.clear();
            await this.#check(this.#targets(paths), 'full', 'change');
          }
        }
      } catch (err) {
        this.#error(err);
      } finally {
        this.#busy = false;
      }
    })();
  }

  /** A path is walked below only when it is a directory not watched itself (new, or moved in), a directory gone, or one a name that did not decode changed in (`whole`). */
  #targets(paths: [string, boolean][]): WalkTarget[] {
    const out: WalkTarget[] = [];
    for (const [p, whole] of paths) {
      if (!this.#rules.covers(p)) continue;
      let dir: boolean;
      try {
        dir = lstatSync(p).isDirectory();
      } catch {
        dir = this.#baseline.entries.get(p)?.type === 'dir' || this.#watchers.has(p);
      }
      out.push({ path: p, recursive: dir && (whole || !this.#watchers.has(p) || !this.#baseline.entries.has(p)) });
    }
    // a path below another target that is walked whole is checked there
    return out.filter((t) => !out.some((o) => o !== t && o.recursive && t.path !== o.path && within(t.path, o.path)));
  }

  /** Reloads the baseline when `fim accept` changed it; a baseline that no longer verifies is reported. */
  #refresh(force: boolean): void {
    const at = this.#o.db.updatedAt(this.#o.name);
    if (!force && at === this.#baseline.updatedAt) return;
    try {
      this.#baseline = this.#o.db.load(this.#o.name, this.#o.key);
      this.#rules = new RuleSet(this.#baseline.rules);
      this.#tamperReported = false;
    } catch (err) {
      if (!this.#tamperReported) {
        this.#tamperReported = true;
        const stamp = new Date((this.#o.now ?? Date.now)()).toISOString();
        emitAll(this.#o.sink, [tamperEvent(stamp, this.#o.name, (err as Error).message)]);
      }
      this.#error(err);
    }
  }

  async #check(targets: WalkTarget[] | 'all', mode: CheckMode, why: 'start' | 'change' | 'periodic'): Promise<void> {
    this.#refresh(targets === 'all');
    if (targets !== 'all' && targets.length === 0) return;
    const r = await checkBaseline(this.#o.db, this.#o.key, this.#o.name, { ...this.#o, baseline: this.#baseline, mode, targets: targets === 'all' ? undefined : targets });
    for (const e of r.added) if (e.type === 'dir') this.#watchDir(e.path);
    // what differs now, and what was reported before
    const differs = new Map<string, FimEntry | undefined>();
    for (const e of r.added) differs.set(e.path, e);
    for (const e of r.removed) differs.set(e.path, undefined);
    for (const c of r.changed) differs.set(c.path, c.new);
    const inScope = (p: string): boolean => targets === 'all' || targets.some((t) => (t.recursive ? within(p, t.path) : p === t.path));
    for (const p of [...this.#reported.keys()]) if (inScope(p) && !differs.has(p)) this.#reported.delete(p);
    const fresh = (p: string, e: FimEntry | undefined): boolean => {
      const s = stateOf(e);
      if (this.#reported.get(p) === s) return false;
      this.#reported.set(p, s);
      return true;
    };
    const news: CheckReport = {
      ...r,
      added: r.added.filter((e) => fresh(e.path, e)),
      removed: r.removed.filter((e) => fresh(e.path, undefined)),
      changed: r.changed.filter((c) => fresh(c.path, c.new)),
    };
    if (news.added.length + news.removed.length + news.changed.length + news.problems.length === 0 && why === 'change') return;
    emitAll(this.#o.sink, checkEvents(news, new Date((this.#o.now ?? Date.now)()).toISOString()));
    try {
      this.#o.onReport?.(news, why);
    } catch (err) {
      this.#error(err);
    }
  }
}
