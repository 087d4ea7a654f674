/**
 * Walks the trees a rule set covers, lstat'ing every entry (never following a symlink: a link
 * is recorded as a link with its target), pruning excluded directories, and streaming each
 * directory through opendir (a directory of a million names costs no more memory than its
 * entries, see #readDir). A path that vanishes or cannot be read is a ScanProblem, not an
 * exception.
 *
 * Synchronous on purpose: lstat through the thread pool costs several times the CPU of a
 * direct call, and the walk is CPU-bound once the tree is in the page cache.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, opendirSync, readdirSync, readlinkSync, statSync, type BigIntStats, type Stats } from 'node:fs';
import type { RecordMap } from './baseline-db.js';
import { RuleSet, type CompiledRule } from './rules.js';
import type { FileType, FimEntry, ScanProblem } from './types.js';
import { attrBit } from './types.js';

/** A walked path: its entry (sha256 still to come for regular files that need one). */
export interface Walked {
  entry: FimEntry;
  rule: CompiledRule;
  /** Whether the content is to be hashed (a regular file whose attributes include sha256). */
  hash: boolean;
  /** The lstat's 512-byte blocks (what is on disk), for a regular file recorded from one. */
  blocks?: number | undefined;
  /** Hashed as the walk came to it (see InlineHash): the bytes read, and the content kept for diffs. */
  inline?: Hashed | undefined;
}

/** What an InlineHash read: the entry (sha256 or error filled in), the bytes hashed, the content kept. */
export interface Hashed {
  entry: FimEntry;
  bytes: number;
  content?: Uint8Array | undefined;
  /** Another name's read of the same file (a hard link), lent: not read again, not counted again. */
  shared?: boolean | undefined;
}

/**
 * Records and hashes a regular file from one descriptor: its entry made from the fstat of the
 * file opened for hashing, so the attributes and the hash are of one and the same file, and the
 * walk's lstat of it is one system call saved. Called for a name the directory listing gives as
 * a regular file whose content the rule hashes; undefined when the path did not open as a
 * regular file (gone, a symlink or a FIFO by now, unreadable), and the walk looks at it as it
 * does at any other path. Measured on bench/fim.mjs's tree (50,000 files, 1 GiB), alternating
 * with the walk-then-hash way four times: init 2.43 against 2.73 s of CPU, a full check 2.46
 * against 2.73 (bench/README).
 *
 * The open never goes by the path: a directory on it swapped for a symlink and back between
 * the listing and the open (S17F-1 of bench/redteam/README-fim-inline-s17.md) sent it to a file
 * outside the tree, whose attributes, hash and (diff rules) content were recorded under a path
 * in it, the walk's check after the listing seeing the directory back in place. So the walk
 * that hashes inline holds each directory open (O_NOFOLLOW, its device and inode checked
 * against what the walk recorded of it, else it is dropped as swapped) and lists, lstats and
 * opens its names through that descriptor (`/proc/self/fd/N/name`: Node has no openat). `at` is
 * that name to open; `path` is what is recorded. It costs about 1.8 us a file against an open
 * by path (the /proc link lookup). Without /proc, nothing is hashed inline (the walk records
 * by path, then the hashing refuses a file that is not the device and inode the walk saw).
 */
export type InlineHash = (path: string, attrs: number, rule: CompiledRule, at: string) => Hashed | undefined;

const DIR_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Where this process's descriptors are named, so that a directory's names can be reached
 * through its descriptor: /proc/self/fd/, when it leads to a directory held open (not /proc/PID:
 * a /proc of another pid namespace names another process there); else undefined (no /proc,
 * another OS), and nothing is hashed inline.
 */
const FD_DIR = ((): string | undefined => {
  if (process.platform !== 'linux') return undefined;
  let fd: number | undefined;
  try {
    fd = openSync('/', DIR_FLAGS);
    const held = fstatSync(fd);
    const there = statSync(`/proc/self/fd/${fd}`);
    return there.dev === held.dev && there.ino === held.ino ? '/proc/self/fd/' : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
})();
const PINNABLE = FD_DIR !== undefined;

export interface WalkTarget {
  path: string;
  /** Walk what is below a directory too (else only the path itself). */
  recursive: boolean;
}

const S_IFMT = 0o170000n;
const TYPES = new Map<bigint, FileType>([
  [0o100000n, 'file'],
  [0o040000n, 'dir'],
  [0o120000n, 'symlink'],
  [0o010000n, 'fifo'],
  [0o140000n, 'socket'],
  [0o060000n, 'block'],
  [0o020000n, 'char'],
]);

const SHA = attrBit('sha256');
const STREAM_ABOVE = 1 << 20;

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'vanished during the scan';
  if (code === 'EACCES' || code === 'EPERM') return 'unreadable (permission denied)';
  if (code === 'ENOTDIR') return 'replaced during the scan (no longer a directory)';
  return `unreadable (${code ?? (err as Error).message})`;
}

export function entryFromStat(path: string, st: BigIntStats, attrs: number, target: string | null): FimEntry {
  const type = TYPES.get(st.mode & S_IFMT) ?? 'unknown';
  return {
    path,
    type,
    size: Number(st.size),
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    dev: st.dev,
    ino: st.ino,
    nlink: Number(st.nlink),
    mtime: st.mtimeNs,
    ctime: st.ctimeNs,
    sha256: null,
    target,
    attrs,
    error: null,
  };
}

/**
 * Milliseconds as Node gives them in a Stats (seconds * 1e3 + nanoseconds / 1e6, in doubles)
 * from a time stored as decimal nanoseconds, or NaN (negative times are left to the exact path).
 */
export function msOfNs(ns: string): number {
  if (ns.length === 0 || ns.charCodeAt(0) === 45) return Number.NaN;
  return ns.length <= 9 ? Number(ns) / 1e6 : Number(ns.slice(0, -9)) * 1e3 + Number(ns.slice(-9)) / 1e6;
}

export class Walker {
  readonly out: Walked[] = [];
  /**
   * Paths whose record in `previous` still holds (fast mode): lstat gave the same type, size,
   * mode, owner, device, inode, link count, mtime and ctime, so the record (and its hash) stands.
   */
  readonly same: string[] = [];
  readonly problems: ScanProblem[] = [];
  readonly #rules: RuleSet;
  readonly #roots: Set<string>;
  readonly #ignore: ReadonlySet<string>;

  readonly #streamAbove: number;

  /**
   * `ignore`: absolute paths never recorded (mamori's own database files). `streamAbove`:
   * directories larger than this many bytes are streamed (default STREAM_ABOVE).
   * `beforeReadDir`: called before each directory is read (for tests that swap one).
   */
  readonly #beforeReadDir: ((dir: string) => void) | undefined;

  readonly #previous: RecordMap | undefined;
  readonly #inline: InlineHash | undefined;
  /**
   * Whether each directory is held open and its names reached through it: in every walk where
   * /proc allows it, a fast check's too (finding S17F-2: a walk by path, through a directory
   * swapped for a symlink and back, recorded a file outside the tree, which the hashing by path
   * then read, its device and inode matching; with the walk pinned, the record is of the tree's
   * own file, and a hash by path sent elsewhere is refused). In a fast check it costs 5 to 8% of
   * the walk's CPU (`fim check --fast`, five alternating runs each, medians past 0.19 s of
   * start-up: 20,000 files 0.41 against 0.39 s; bench/fim.mjs's 51,022 paths 0.92 against 0.85).
   */
  readonly #pin: boolean;

  /**
   * `previous`: a fast check's baseline records (see `same`). `inline`: hashes a regular file
   * while walking (see InlineHash; not with `previous`).
   */
  constructor(rules: RuleSet, ignore: ReadonlySet<string> = new Set(), streamAbove = STREAM_ABOVE, beforeReadDir?: (dir: string) => void, previous?: RecordMap, inline?: InlineHash) {
    this.#previous = previous;
    this.#inline = previous || !PINNABLE ? undefined : inline;
    this.#pin = PINNABLE;
    this.#streamAbove = streamAbove;
    this.#beforeReadDir = beforeReadDir;
    this.#rules = rules;
    this.#roots = new Set(rules.rules.map((r) => r.root));
    this.#ignore = ignore;
  }

  /** Every rule's tree. */
  walkAll(): this {
    for (const r of this.#rules.rules) this.#walkRoot(r, r.root, true);
    return this;
  }

  /** Some paths (for the watcher): each under the rule that governs it. */
  walkTargets(targets: readonly WalkTarget[]): this {
    for (const t of targets) {
      const rule = this.#rules.ruleFor(t.path);
      if (!rule || !this.#rules.covers(t.path)) continue;
      this.#walkRoot(rule, t.path, t.recursive);
    }
    return this;
  }

  #record(rule: CompiledRule, path: string, rel: string, st: BigIntStats, at = path): FimEntry | undefined {
    const attrs = this.#rules.attrsFor(rule, rel);
    let target: string | null = null;
    if (st.isSymbolicLink()) {
      try {
        target = readlinkSync(at);
      } catch (err) {
        this.problems.push({ path, reason: describe(err) });
        return undefined;
      }
    }
    const entry = entryFromStat(path, st, attrs, target);
    if (!this.#ignore.has(path) && this.#rules.included(rule, rel)) {
      this.out.push({ entry, rule, hash: entry.type === 'file' && (attrs & SHA) !== 0, blocks: Number(st.blocks) });
    }
    return entry;
  }

  /**
   * Whether the stored record of a regular file or directory still holds, from a plain lstat
   * (numbers: no BigInts made for the paths that did not change). Every field is compared in
   * its stored form, the times as the doubles Node computes from the same seconds and
   * nanoseconds. Anything this cannot show equal (a symlink, a record with an error, an
   * inode past 2^53, a time before 1970) goes the exact way, with a BigInt lstat.
   */
  #stillSame(rule: CompiledRule, path: string, rel: string, st: Stats): boolean {
    const tail = this.#previous!.tail(path);
    if (tail === undefined) return false;
    const type = (st.mode & 0o170000) === 0o100000 ? 'file' : (st.mode & 0o170000) === 0o040000 ? 'dir' : undefined;
    if (type === undefined || !Number.isSafeInteger(st.ino) || !Number.isSafeInteger(st.dev) || this.#ignore.has(path) || !this.#rules.included(rule, rel)) return false;
    const head = `${type}\0${st.size}\0${st.mode & 0o7777}\0${st.uid}\0${st.gid}\0${st.dev}\0${st.ino}\0${st.nlink}\0`;
    if (!tail.startsWith(head)) return false;
    const m = tail.indexOf('\0', head.length);
    const c = tail.indexOf('\0', m + 1);
    if (c < 0 || msOfNs(tail.slice(head.length, m)) !== st.mtimeMs || msOfNs(tail.slice(m + 1, c)) !== st.ctimeMs) return false;
    // what is left: sha256, target (none), attrs, error (none)
    const attrs = this.#rules.attrsFor(rule, rel);
    const rest = `\0\0${attrs}\0\0`;
    const hashed = type === 'file' && (attrs & SHA) !== 0;
    return tail.length === c + 1 + (hashed ? 64 : 0) + rest.length && tail.endsWith(rest) && (!hashed || tail.charCodeAt(c + 1) !== 0);
  }

  /**
   * The names of a directory that Node decodes with U+FFFD (each byte that is not UTF-8 becomes
   * one), read again as bytes: for each decoded name, how many names give it and how many of
   * those are not valid UTF-8. A name that is not valid UTF-8 cannot be opened through the
   * decoded string, and a file named as it decodes (S17F-3: `shell\uFFFD.php` beside
   * `shell\xff.php`) made it vanish from the walk without a word: each is reported, the valid
   * one recorded once. Only read for a directory where such a name shows up.
   */
  #oddNames(dir: string): Map<string, { all: number; bad: number }> {
    const m = new Map<string, { all: number; bad: number }>();
    try {
      for (const raw of readdirSync(dir, { encoding: 'buffer' })) {
        const s = raw.toString('utf8');
        if (!s.includes('\uFFFD')) continue;
        const o = m.get(s) ?? { all: 0, bad: 0 };
        o.all++;
        if (!Buffer.from(s, 'utf8').equals(raw)) o.bad++;
        m.set(s, o);
      }
    } catch {
      // the listing's own error is said where it is read
    }
    return m;
  }

  /**
   * Each name in a directory. A directory of up to STREAM_ABOVE bytes (tens of thousands of
   * names) is read in one call, the cheapest way; a larger one is streamed through opendir,
   * so its names are never all in memory at once.
   */
  #readDir(dirPath: string, size: number, each: (name: string, file: boolean) => void, from = dirPath): void {
    try {
      if (size <= this.#streamAbove) {
        // The listing's types only where inline hashing uses them (a Dirent a name costs a little).
        if (this.#inline) for (const d of readdirSync(from, { withFileTypes: true })) each(d.name, d.isFile());
        else for (const name of readdirSync(from)) each(name, false);
        return;
      }
      const dir = opendirSync(from, { bufferSize: 256 });
      try {
        for (let d = dir.readSync(); d !== null; d = dir.readSync()) each(d.name, d.isFile());
      } finally {
        dir.closeSync();
      }
    } catch (err) {
      this.problems.push({ path: dirPath, reason: describe(err) });
    }
  }

  #walkRoot(rule: CompiledRule, start: string, recursive: boolean): void {
    let st: BigIntStats;
    try {
      st = lstatSync(start, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.problems.push({ path: start, reason: describe(err) });
      return;
    }
    const startRel = RuleSet.rel(rule, start);
    this.#record(rule, start, startRel, st);
    if (!recursive || !st.isDirectory()) return;
    // Each directory is read by path, and must be the directory the walk recorded there (same
    // device and inode, still a directory) once read: a path that now leads elsewhere has a
    // directory on it swapped for a symlink since the walk saw it, and what was read through
    // it is not the tree's. One lstat a directory (two realpath calls, a readlink or lstat
    // for every component of the path each, cost several times that).
    const inPlace = (dir: string, dev: number, ino: number): boolean => {
      try {
        const now = lstatSync(dir);
        return now.isDirectory() && now.dev === dev && now.ino === ino;
      } catch {
        return false;
      }
    };
    const stack: { path: string; rel: string; dev: number; ino: number; size: number }[] = [{ path: start, rel: startRel, dev: Number(st.dev), ino: Number(st.ino), size: Number(st.size) }];
    while (stack.length) {
      const { path: dirPath, rel: dirRel, dev, ino, size } = stack.pop()!;
      const outMark = this.out.length;
      const sameMark = this.same.length;
      const problemMark = this.problems.length;
      const stackMark = stack.length;
      const swapped = (): void => {
        this.out.length = outMark;
        this.same.length = sameMark;
        this.problems.length = problemMark;
        stack.length = stackMark;
        this.problems.push({ path: dirPath, reason: 'replaced during the scan (a directory on its path is now a symlink): not checked' });
      };
      this.#beforeReadDir?.(dirPath);
      // The directory held open, and its names reached through it (see InlineHash and #pin): every walk.
      let dfd: number | undefined;
      if (this.#pin) {
        // Never listed by path instead: a listing through a symlink swapped in and out again
        // would send its names' lstats (then hashed by path, device and inode matching) outside.
        // What each failure comes to is what the listing by path and the check after it gave.
        let held: Stats | undefined;
        try {
          dfd = openSync(dirPath, DIR_FLAGS);
          held = fstatSync(dfd);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ELOOP' || code === 'ENOTDIR' || code === 'ENOENT') swapped();
          else this.problems.push({ path: dirPath, reason: describe(err) });
        }
        if (held === undefined || !held.isDirectory() || held.dev !== dev || held.ino !== ino) {
          if (dfd !== undefined) closeSync(dfd);
          if (held !== undefined) swapped();
          continue;
        }
      }
      const via = dfd === undefined ? undefined : `${FD_DIR}${dfd}`;
      // Names with U+FFFD in them, as Node decodes the listing: see #oddNames.
      let odd: Map<string, { all: number; bad: number }> | undefined;
      try {
        this.#readDir(dirPath, size, (name, file) => {
          const path = dirPath === '/' ? `/${name}` : `${dirPath}/${name}`;
          const at = via === undefined ? path : `${via}/${name}`;
          if (this.#roots.has(path)) return; // walked under its own rule
          const rel = dirRel === '' ? name : `${dirRel}/${name}`;
          if (this.#rules.excluded(rule, rel)) {
            // A name pattern (`*.log`) excludes files, never a directory (see RuleSet.excluded).
            if (!this.#rules.excludedByNameOnly(rule, rel)) return;
            let k: Stats | undefined;
            try {
              k = lstatSync(at, { throwIfNoEntry: false });
            } catch {
              k = undefined;
            }
            if (!k?.isDirectory()) return;
          }
          if (name.includes('\uFFFD')) {
            odd ??= this.#oddNames(via ?? dirPath);
            const o = odd.get(name);
            if (o) {
              if (o.all < 0) return; // this decoded name came before: done then
              for (let i = 0; i < o.bad; i++) this.problems.push({ path, reason: 'a name that is not valid UTF-8: not checked' });
              const valid = o.all > o.bad;
              o.all = -1;
              if (!valid) return;
            }
          }
          // (an excluded file has returned above)
          if (file && via !== undefined && this.#inline && !this.#ignore.has(path) && this.#rules.included(rule, rel)) {
            const attrs = this.#rules.attrsFor(rule, rel);
            const done = (attrs & SHA) !== 0 ? this.#inline(path, attrs, rule, at) : undefined;
            if (done) {
              // in this.out and this.problems, so that a directory found swapped drops it too
              this.out.push({ entry: done.entry, rule, hash: false, inline: done });
              if (done.entry.error !== null) this.problems.push({ path, reason: done.entry.error });
              return;
            }
          }
          if (this.#previous) {
            let quick: Stats | undefined;
            try {
              quick = lstatSync(at, { throwIfNoEntry: false });
            } catch {
              // the exact way below says what went wrong, as it always has
            }
            if (quick && this.#stillSame(rule, path, rel, quick)) {
              this.same.push(path);
              if (quick.isDirectory()) stack.push({ path, rel, dev: quick.dev, ino: quick.ino, size: quick.size });
              return;
            }
          }
          let cst: BigIntStats;
          try {
            cst = lstatSync(at, { bigint: true });
          } catch (err) {
            const bad = (err as NodeJS.ErrnoException).code === 'ENOENT' && name.includes('\uFFFD');
            this.problems.push({ path, reason: bad ? 'a name that is not valid UTF-8: not checked' : describe(err) });
            return;
          }
          this.#record(rule, path, rel, cst, at);
          if (cst.isDirectory()) stack.push({ path, rel, dev: Number(cst.dev), ino: Number(cst.ino), size: Number(cst.size) });
        }, via);
      } finally {
        if (dfd !== undefined) closeSync(dfd);
      }
      // what was read through a swapped path is not the tree's: dropped, and said
      if (!inPlace(dirPath, dev, ino)) swapped();
    }
  }
}
