/** What a baseline records about one path, and what a check reports. */

export type FileType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'block' | 'char' | 'unknown';

/** One recorded path. Every stat field is kept; the rule's attribute set says which are compared. */
export interface FimEntry {
  /** Absolute path. */
  readonly path: string;
  readonly type: FileType;
  readonly size: number;
  /** Permission bits with setuid, setgid and sticky (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly nlink: number;
  /** Nanoseconds since the epoch. */
  readonly mtime: bigint;
  readonly ctime: bigint;
  /** Hex SHA-256 of the content: regular files whose attribute set has `sha256`, else null. */
  readonly sha256: string | null;
  /** A symlink's target as stored in the link (never followed). */
  readonly target: string | null;
  /** The attributes compared for this path (a bit set, see ATTRIBUTES). */
  readonly attrs: number;
  /** Why the content could not be read (vanished, unreadable, replaced during the scan), else null. */
  readonly error: string | null;
}

/** The attributes a rule can compare, with their AIDE letters. */
export const ATTRIBUTES = ['type', 'size', 'mode', 'uid', 'gid', 'inode', 'nlink', 'mtime', 'ctime', 'sha256', 'target'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export function attrBit(a: Attribute): number {
  return 1 << ATTRIBUTES.indexOf(a);
}

export function attrNames(bits: number): Attribute[] {
  return ATTRIBUTES.filter((a) => (bits & attrBit(a)) !== 0);
}

export interface AttrChange {
  readonly attr: Attribute;
  readonly old: string;
  readonly new: string;
}

export interface ChangedFile {
  readonly path: string;
  readonly changes: readonly AttrChange[];
  /** A short unified diff, for small text files under a rule with `diff: true`. */
  readonly diff?: string;
  readonly old: FimEntry;
  readonly new: FimEntry;
}

/** Something the scan could not do for one path: reported, never thrown. */
export interface ScanProblem {
  readonly path: string;
  readonly reason: string;
}

export type CheckMode = 'full' | 'fast';

export interface CheckReport {
  readonly baseline: string;
  readonly mode: CheckMode;
  /** Whether the baseline's signature was checked and held (a check never runs on one that did not). */
  readonly signature: 'valid';
  readonly startedAt: string;
  readonly durationMs: number;
  /** Paths looked at, and regular files hashed (fast mode hashes only what stat says changed). */
  readonly scanned: number;
  readonly hashed: number;
  readonly hashedBytes: number;
  readonly added: readonly FimEntry[];
  readonly removed: readonly FimEntry[];
  readonly changed: readonly ChangedFile[];
  readonly problems: readonly ScanProblem[];
}
