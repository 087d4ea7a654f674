/**
 * The three things a baseline is for: `initBaseline` records the trees a rule set covers,
 * `checkBaseline` compares them with the signed record (full: every regular file rehashed;
 * fast: a file whose size, mtime, ctime and inode are unchanged keeps its recorded hash),
 * and `acceptChanges` takes reviewed changes into the record, saying who and why.
 * Signature verification is the first step of every check and accept.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, realpathSync } from 'node:fs';
import { MamoriError } from 'mamori/errors';
import { RecordMap, type Baseline, type FimDb, type HistoryRecord } from './baseline-db.js';
import { asText, shortDiff } from './diff.js';
import { READ_BUFFER, hashFile, hashOpen, openForHash, type HashJob, type HashResult } from './hash-file.js';
import { hashFiles } from './hasher.js';
import { RuleSet, within } from './rules.js';
import { ATTRIBUTES, attrBit, type AttrChange, type ChangedFile, type CheckMode, type CheckReport, type FimEntry, type ScanProblem } from './types.js';
import { Walker, entryFromStat, type Hashed, type InlineHash, type WalkTarget, type Walked } from './walker.js';
import { HoleBudget, isSparseUnhashed, sparseUnhashed } from '../sparse.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Small text files under `diff: true` rules are kept up to this size, for diffs. */
export const DIFF_MAX_BYTES = 64 << 10;
const TYPE_BIT = attrBit('type');

export interface ScanOptions {
  /** Absolute paths never recorded (mamori's own database and key). */
  ignore?: ReadonlySet<string> | undefined;
  /** Hashing threads, this one included (default 1: this thread only; 0 is the same; at most 8). */
  threads?: number | undefined;
  /** Holes read back in one run at most, over files of fewer than 64 MiB of them (default 1 GiB; see HoleBudget). */
  holeBudget?: number | undefined;
  /** Called with each path just before it is hashed: for tests that change the tree mid-scan. */
  beforeHash?: ((path: string) => void) | undefined;
}

export interface ScanResult {
  entries: Map<string, FimEntry>;
  problems: ScanProblem[];
  hashed: number;
  hashedBytes: number;
  contents: Map<string, Uint8Array>;
  /** Paths (fast mode) whose previous record still holds as it is: not in `entries`. */
  same: string[];
}

/**
 * One file's key among hard links (S17H-3): the same device and inode, as it was when looked at
 * (size and times), read with the same choices, has one read lent to all its names.
 */
function linkKey(e: FimEntry, keep: number, hashSparse: boolean): string {
  return `${e.dev}:${e.ino}:${e.size}:${e.mtime}:${e.ctime}:${keep}:${hashSparse}`;
}

/**
 * Walks and hashes. With `previous` (fast mode) a regular file whose size, mtime, ctime and
 * inode match its previous record keeps the previous hash unread.
 */
export async function scan(rules: RuleSet, targets: readonly WalkTarget[] | 'all', opts: ScanOptions & { previous?: ReadonlyMap<string, FimEntry>; keepContents?: boolean } = {}): Promise<ScanResult> {
  // On one thread, a file to hash is hashed as the walk comes to it, its attributes and its
  // content read through one descriptor (see InlineHash); fast mode and worker threads go as before.
  let inline: InlineHash | undefined;
  const holes = new HoleBudget(opts.holeBudget);
  if (!opts.previous && (opts.threads ?? 1) <= 1) {
    const buf = Buffer.allocUnsafe(READ_BUFFER);
    // Hard links: one read per file, not per name (S17H-3), when the file is as it was at that read.
    const links = new Map<string, Hashed>();
    inline = (path, attrs, rule, at) => {
      opts.beforeHash?.(path);
      const fd = openForHash(at);
      if (fd === undefined) return undefined;
      try {
        const st = fstatSync(fd, { bigint: true });
        if (!st.isFile()) return undefined;
        const entry = entryFromStat(path, st, attrs, null) as Mutable<FimEntry>;
        const keep = opts.keepContents && rule.diff ? DIFF_MAX_BYTES : 0;
        const link = st.nlink > 1n ? linkKey(entry, keep, rule.hashSparse) : undefined;
        const seen = link === undefined ? undefined : links.get(link);
        if (seen) {
          entry.sha256 = seen.entry.sha256;
          entry.error = seen.entry.error;
          return { entry, bytes: 0, content: seen.content, shared: true };
        }
        const r = hashOpen(fd, st, { keep, hashSparse: rule.hashSparse, holes }, buf);
        let done: Hashed;
        if (!r.ok) {
          entry.error = r.error;
          done = { entry, bytes: 0 };
        } else {
          entry.sha256 = r.sha256;
          done = { entry, bytes: r.size, content: r.content };
        }
        // a read that failed is not lent to the other names (each tries its own)
        if (link !== undefined && (r.ok || isSparseUnhashed(r.error))) links.set(link, done);
        return done;
      } catch {
        return undefined; // the walk's own look at the path says what is wrong with it
      } finally {
        closeSync(fd);
      }
    };
  }
  const w = new Walker(rules, opts.ignore, undefined, undefined, opts.previous instanceof RecordMap ? opts.previous : undefined, inline);
  if (targets === 'all') w.walkAll();
  else w.walkTargets(targets);
  const entries = new Map<string, FimEntry>();
  const contents = new Map<string, Uint8Array>();
  let inlineHashed = 0;
  let hashedBytes = 0;
  const todo: Walked[] = [];
  for (const item of w.out) {
    const e = item.entry;
    if (item.inline) {
      if (!item.inline.shared) inlineHashed++;
      hashedBytes += item.inline.bytes;
      const c = item.inline.content;
      if (c && asText(c, DIFF_MAX_BYTES) !== undefined) contents.set(e.path, c);
    } else if (item.hash) {
      const p = opts.previous?.get(e.path);
      if (p && p.type === 'file' && p.sha256 !== null && p.error === null && p.size === e.size && p.mtime === e.mtime && p.ctime === e.ctime && p.ino === e.ino) {
        // the walk's entry is this scan's own: filled in place, not copied (50,000 copies a run)
        (e as Mutable<FimEntry>).sha256 = p.sha256;
        entries.set(e.path, e);
        continue;
      }
      todo.push(item);
    }
    entries.set(e.path, e);
  }
  // One hash per file, not per name (S17H-3): hard links cost no disk and no inode, so 60,000
  // names for one file (or for one with 63 MiB of holes, under the sparse bound) were each read.
  // A name whose file (device, inode) and rule choices were seen already takes that file's result.
  const jobs: HashJob[] = [];
  const sizes: number[] = [];
  const jobOf: number[] = [];
  const firstJob = new Map<string, number>();
  /** Names not to be read (the run's holes are spent), and what their records say instead. */
  const skipped = new Map<number, string>();
  for (const t of todo) {
    // the run's allowance for holes (S17H-5), charged in walk order as on one thread
    if (!t.rule.hashSparse && t.blocks !== undefined) {
      const shape = { size: t.entry.size, blocks: t.blocks };
      if (holes.sparse(shape)) {
        skipped.set(jobOf.length, sparseUnhashed(shape));
        jobOf.push(-1);
        continue;
      }
    }
    const job: HashJob = { path: t.entry.path, dev: t.entry.dev, ino: t.entry.ino, keep: opts.keepContents && t.rule.diff ? DIFF_MAX_BYTES : 0, hashSparse: t.rule.hashSparse };
    if (t.entry.nlink > 1) {
      const key = linkKey(t.entry, job.keep, job.hashSparse);
      const seen = firstJob.get(key);
      if (seen !== undefined) {
        jobOf.push(seen);
        continue;
      }
      firstJob.set(key, jobs.length);
    }
    jobOf.push(jobs.length);
    jobs.push(job);
    sizes.push(t.entry.size);
  }
  if (opts.beforeHash) for (const j of jobs) opts.beforeHash(j.path);
  const hashed = await hashFiles(
    jobs,
    sizes,
    { threads: opts.threads },
  );
  // A name that borrowed another's result takes its own read when that one failed (the first
  // name swapped for another file must not leave the file's other names unchecked).
  const own = Buffer.allocUnsafe(64 << 10);
  let firstOf = 0;
  const results = jobOf.map((j, i): HashResult => {
    if (j < 0) return { ok: false, error: skipped.get(i)! };
    const r = hashed[j]!;
    if (j === firstOf) {
      firstOf++;
      return r;
    }
    if (r.ok || isSparseUnhashed(r.error)) return r;
    const t = todo[i]!;
    return hashFile({ ...jobs[j]!, path: t.entry.path, dev: t.entry.dev, ino: t.entry.ino }, own);
  });
  const problems = w.problems;
  let firstUse = 0; // jobs were made in the order of their first name: count each file's bytes once
  results.forEach((r, i) => {
    const e = todo[i]!.entry;
    if (r.ok) {
      if (jobOf[i] === firstUse) hashedBytes += r.size;
      (e as Mutable<FimEntry>).sha256 = r.sha256;
      if (r.content && asText(r.content, DIFF_MAX_BYTES) !== undefined) contents.set(e.path, r.content);
    } else {
      (e as Mutable<FimEntry>).error = r.error;
      problems.push({ path: e.path, reason: r.error });
    }
    if (jobOf[i] === firstUse) firstUse++;
  });
  return { entries, problems, hashed: inlineHashed + jobs.length, hashedBytes, contents, same: w.same };
}

const iso = (ns: bigint): string => {
  const ms = ns / 1_000_000n;
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? String(ns) : `${d.toISOString().slice(0, 19)}.${String(((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0')}Z`;
};

/** An attribute's value as reports show it. */
export function attrValue(e: FimEntry, attr: string): string {
  switch (attr) {
    case 'type': return e.type;
    case 'size': return String(e.size);
    case 'mode': return e.mode.toString(8).padStart(4, '0');
    case 'uid': return String(e.uid);
    case 'gid': return String(e.gid);
    case 'inode': return String(e.ino);
    case 'nlink': return String(e.nlink);
    case 'mtime': return iso(e.mtime);
    case 'ctime': return iso(e.ctime);
    case 'sha256': return e.sha256 ?? (e.error ? `(${e.error})` : '');
    case 'target': return e.target ?? '';
    default: return '';
  }
}

/** An attribute's raw value, for comparing (formatting is for the few that differ). */
function raw(e: FimEntry, attr: string): unknown {
  switch (attr) {
    case 'inode': return e.ino;
    case 'sha256': return e.sha256 ?? e.error;
    default: return e[attr as 'type' | 'size' | 'mode' | 'uid' | 'gid' | 'nlink' | 'mtime' | 'ctime' | 'target'];
  }
}

/** Which of the old record's attributes differ in the new one. */
export function changesOf(old: FimEntry, now: FimEntry): AttrChange[] {
  const out: AttrChange[] = [];
  const bits = old.attrs | (old.type !== now.type ? TYPE_BIT : 0);
  for (let i = 0; i < ATTRIBUTES.length; i++) {
    if ((bits & (1 << i)) === 0) continue;
    const a = ATTRIBUTES[i]!;
    if (a === 'sha256' && (old.type !== 'file' || now.type !== 'file')) continue;
    if (a === 'sha256' && now.error !== null) {
      // A sparse file is not hashed (sparse.ts), so its content cannot be compared; what stands in
      // for the hash, whatever the rule's other attributes (S17H-2: under `content`,
      // `p+u+g+sha256` or `R-m-c` a write into it was reported by nothing): a file hashed before
      // and not now is a change, and so is one unhashed both times whose size, mtime, ctime or inode
      // moved (a write in place moves the ctime, which only root can set back).
      if (!isSparseUnhashed(now.error)) continue;
      const wasToo = old.sha256 === null && isSparseUnhashed(old.error);
      if (wasToo && old.size === now.size && old.mtime === now.mtime && old.ctime === now.ctime && old.ino === now.ino) continue;
      out.push({ attr: a, old: attrValue(old, a), new: wasToo ? `(${now.error}; its size, mtime, ctime or inode moved, so its content may have)` : attrValue(now, a) });
      continue;
    }
    // a directory's size moves with its entries, which are reported themselves
    if (a === 'size' && old.type === 'dir' && now.type === 'dir') continue;
    if (raw(old, a) === raw(now, a)) continue;
    out.push({ attr: a, old: attrValue(old, a), new: attrValue(now, a) });
  }
  return out;
}

/** The paths of the baseline's records under the targets (for the watcher), or all of them. */
function recordsUnder(b: Baseline, targets: readonly WalkTarget[] | 'all'): Iterable<string> {
  if (targets === 'all') return b.entries.keys();
  const out: string[] = [];
  for (const t of targets) {
    if (!t.recursive) {
      if (b.entries.has(t.path)) out.push(t.path);
    } else for (const p of b.entries.keys()) if (within(p, t.path)) out.push(p);
  }
  return out;
}

export interface CheckOptions extends ScanOptions {
  mode?: CheckMode | undefined;
  /** Only these paths (the watcher's). */
  targets?: readonly WalkTarget[] | undefined;
  /** The baseline, already loaded and verified (the watcher keeps one). */
  baseline?: Baseline | undefined;
  now?: (() => number) | undefined;
}

export async function checkBaseline(db: FimDb, key: Buffer, name: string, opts: CheckOptions = {}): Promise<CheckReport> {
  const now = opts.now ?? Date.now;
  const started = now();
  const t0 = performance.now();
  const b = opts.baseline ?? db.load(name, key);
  const rules = new RuleSet(b.rules, `baseline ${name}`);
  const mode = opts.mode ?? 'full';
  const targets = opts.targets ?? 'all';
  const cur = await scan(rules, targets, { ...opts, previous: mode === 'fast' ? b.entries : undefined });
  const added: FimEntry[] = [];
  const removed: FimEntry[] = [];
  const changed: ChangedFile[] = [];
  const compare = (old: FimEntry, n: FimEntry): void => {
    const changes = changesOf(old, n);
    if (changes.length) {
      const rule = rules.ruleFor(old.path);
      const diff = rule?.diff && changes.some((c) => c.attr === 'sha256') ? diffOf(db, name, old, n) : undefined;
      changed.push(diff === undefined ? { path: old.path, changes, old, new: n } : { path: old.path, changes, diff, old, new: n });
    }
  };
  const unchanged = (n: FimEntry): boolean => b.entries instanceof RecordMap && b.entries.unchanged(n);
  if (targets === 'all') {
    // The walk gives each path once: either in `same` (a record that still holds) or in
    // `entries`. What it found of the records then accounts for every one of them unless
    // some are gone, and only then are the records gone through (a fast check of an
    // unchanged tree looks at the few paths it recorded anew, not at all 50,000).
    let found = cur.same.length;
    for (const [p, n] of cur.entries) {
      if (!b.entries.has(p)) continue;
      found++;
      if (!unchanged(n)) compare(b.entries.get(p)!, n);
    }
    if (found !== b.entries.size) {
      const same = new Set(cur.same);
      for (const path of b.entries.keys()) if (!cur.entries.has(path) && !same.has(path)) removed.push(b.entries.get(path)!);
    }
  } else {
    const seen = new Set<string>();
    const same = new Set(cur.same);
    for (const path of recordsUnder(b, targets)) {
      // a record's path comes once from the whole baseline; the watcher's targets may overlap
      if (seen.has(path)) continue;
      seen.add(path);
      const n = cur.entries.get(path);
      if (!n && same.has(path)) continue;
      if (n && unchanged(n)) continue;
      const old = b.entries.get(path)!;
      if (n) compare(old, n);
      else removed.push(old);
    }
  }
  for (const [p, e] of cur.entries) if (!b.entries.has(p)) added.push(e);
  const byPath = (x: { path: string }, y: { path: string }): number => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
  return {
    baseline: name,
    mode,
    signature: 'valid',
    startedAt: new Date(started).toISOString(),
    durationMs: Math.round(performance.now() - t0),
    // the whole walk gives each path once, in `same` or in `entries`; the watcher's targets may overlap
    scanned: cur.entries.size + (targets === 'all' ? cur.same.length : new Set(cur.same.filter((p) => !cur.entries.has(p))).size),
    hashed: cur.hashed,
    hashedBytes: cur.hashedBytes,
    added: added.sort(byPath),
    removed: removed.sort(byPath),
    changed: changed.sort(byPath),
    problems: cur.problems.sort(byPath),
  };
}

function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The kept copy against the file now, when both are text and the copy is the signed one. */
function diffOf(db: FimDb, name: string, old: FimEntry, now: FimEntry): string | undefined {
  // a file larger than what is kept has no diff: not read again for one (S17H-6)
  if (now.size > DIFF_MAX_BYTES) return undefined;
  const kept = db.content(name, old.path);
  if (!kept || sha(kept) !== old.sha256) return undefined;
  const r = hashFile({ path: now.path, dev: now.dev, ino: now.ino, keep: DIFF_MAX_BYTES, hashSparse: false }, Buffer.allocUnsafe(64 << 10));
  if (!r.ok || !r.content) return undefined;
  const a = asText(kept);
  const b = asText(r.content);
  if (a === undefined || b === undefined) return undefined;
  const d = shortDiff(a, b);
  return r.sha256 === now.sha256 ? d : `${d}\n(the file changed again while it was read)`;
}

export interface InitOptions extends ScanOptions {
  who: string;
  why?: string | undefined;
  /** The history of a baseline recorded again under the same name, to go on from. */
  history?: readonly HistoryRecord[] | undefined;
  now?: (() => number) | undefined;
}

export interface InitResult {
  count: number;
  hashed: number;
  hashedBytes: number;
  problems: ScanProblem[];
  durationMs: number;
}

/** Each root must exist, and be no symlink (a link is recorded as a link, never followed). */
function assertRoots(rules: RuleSet): void {
  for (const r of rules.rules) {
    let st;
    try {
      st = lstatSync(r.root);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_RULES', `cannot monitor ${r.root}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`, { cause: err });
    }
    if (st.isSymbolicLink()) {
      let to = '';
      try {
        to = ` to ${realpathSync(r.root)}`;
      } catch {
        // a dangling link
      }
      throw new MamoriError('MAMORI_ERR_FIM_RULES', `${r.root} is a symlink${to}: links are recorded, never followed, so give the path it points to`);
    }
  }
}

export async function initBaseline(db: FimDb, key: Buffer, name: string, rules: RuleSet, opts: InitOptions): Promise<InitResult> {
  assertRoots(rules);
  const t0 = performance.now();
  const at = new Date((opts.now ?? Date.now)()).toISOString();
  const s = await scan(rules, 'all', { ...opts, keepContents: true });
  const history: HistoryRecord[] = [...(opts.history ?? []), { at, who: opts.who, why: opts.why ?? (opts.history?.length ? 'recorded again' : 'initial baseline'), action: 'init', count: s.entries.size, paths: [] }];
  db.save(key, { name, rules: rules.input, createdAt: at, updatedAt: at, history, entries: s.entries }, { contents: s.contents, replaceContents: true });
  return { count: s.entries.size, hashed: s.hashed, hashedBytes: s.hashedBytes, problems: s.problems, durationMs: Math.round(performance.now() - t0) };
}

export interface AcceptOptions extends ScanOptions {
  who: string;
  why: string;
  /** Accept changes at or under these paths; undefined: all. */
  paths?: readonly string[] | undefined;
  now?: (() => number) | undefined;
}

export interface AcceptResult {
  report: CheckReport;
  accepted: string[];
}

export async function acceptChanges(db: FimDb, key: Buffer, name: string, opts: AcceptOptions): Promise<AcceptResult> {
  if (!opts.who.trim() || !opts.why.trim()) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'accepting changes needs who accepts them and why');
  const b = db.load(name, key);
  const report = await checkBaseline(db, key, name, { ...opts, baseline: b, mode: 'full' });
  const wanted = (p: string): boolean => opts.paths === undefined || opts.paths.some((x) => within(p, x));
  const entries = new Map(b.entries);
  const accepted: string[] = [];
  const contents = new Map<string, Uint8Array | null>();
  const rules = new RuleSet(b.rules);
  const buf = Buffer.allocUnsafe(64 << 10);
  for (const e of report.removed) {
    if (!wanted(e.path)) continue;
    entries.delete(e.path);
    contents.set(e.path, null);
    accepted.push(e.path);
  }
  for (const e of [...report.added, ...report.changed.map((c) => c.new)]) {
    if (!wanted(e.path)) continue;
    entries.set(e.path, e);
    accepted.push(e.path);
    contents.set(e.path, null);
    // Only what can be kept (at most DIFF_MAX_BYTES) is read again: a larger file was read whole
    // here for nothing, once per name (S17H-6: 60,000 links to 63 MiB of holes under a diff rule).
    if (e.type === 'file' && e.sha256 !== null && e.size <= DIFF_MAX_BYTES && rules.ruleFor(e.path)?.diff) {
      const r = hashFile({ path: e.path, dev: e.dev, ino: e.ino, keep: DIFF_MAX_BYTES, hashSparse: false }, buf);
      if (r.ok && r.content && r.sha256 === e.sha256 && asText(r.content) !== undefined) contents.set(e.path, r.content);
    }
  }
  if (accepted.length === 0) return { report, accepted };
  accepted.sort();
  const at = new Date((opts.now ?? Date.now)()).toISOString();
  const history = [...b.history, { at, who: opts.who, why: opts.why, action: 'accept' as const, count: accepted.length, paths: accepted.slice(0, 100) }];
  db.save(key, { name, rules: b.rules, createdAt: b.createdAt, updatedAt: at, history, entries }, { contents });
  return { report, accepted };
}
