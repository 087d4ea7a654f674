/**
 * Opening one of mamori's own SQLite files (ioc.db, vuln.db, alerts.db, ...): the folder made
 * 0700 when missing, the file created 0600 before SQLite sees it (no moment where it is
 * readable by others), an existing file readable or writable by its group or others (and its
 * -wal and -shm) set back to 0600, WAL with synchronous NORMAL, a busy timeout, and the schema
 * brought up to date by numbered migrations: migration i takes `PRAGMA user_version` from i to
 * i + 1, all pending ones in one IMMEDIATE transaction that reads the version again (two
 * processes opening at once do not both migrate). A file from a newer schema is refused.
 *
 * The driver is better-sqlite3's `Database`, passed in by the caller: the packages that keep a
 * database depend on it, the engine itself carries no native module.
 *
 * Example:
 *   import Database from 'better-sqlite3';
 *   const db = openSqliteFile(path, { driver: Database, what: 'the IoC store', migrations: [`CREATE TABLE t (a TEXT)`] });
 */
import { chmodSync, closeSync, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { MamoriError } from './errors.js';

/** What mamori needs of a connection (better-sqlite3's `Database` has it). */
export interface SqliteConnection {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  close(): unknown;
}

/** better-sqlite3's `Database` constructor, or one shaped like it. */
export type SqliteDriver<D extends SqliteConnection> = new (filename: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => D;

/** One step of a schema: SQL run as is, or a function given the connection (inside the transaction). */
export type SqliteMigration<D extends SqliteConnection> = string | ((db: D) => void);

export interface SqliteFileOptions<D extends SqliteConnection> {
  driver: SqliteDriver<D>;
  /** Migration i takes user_version from i to i + 1; the schema's version is their count. */
  migrations: readonly SqliteMigration<D>[];
  /** For messages: `the alerts database`. Default `the database`. */
  what?: string;
  /**
   * Open an existing file for reading only: nothing is created, changed or migrated, and a file
   * whose schema is older or newer than the migrations is refused.
   */
  readonly?: boolean;
  /** How long a statement waits for another process's lock, ms; default 5000. */
  busyTimeoutMs?: number;
}

/** The file mode of mamori's databases: its owner's only. */
export const SQLITE_FILE_MODE = 0o600;

/** `:memory:`, '' (a temporary database) and `file:` URIs are not paths this function can set a mode on. */
function isPlainPath(path: string): boolean {
  return path !== ':memory:' && path !== '' && !path.startsWith('file:');
}

/**
 * Opens (creating when missing) the database at `path`; see the module's comment. Throws
 * MAMORI_ERR_STORE_OPEN naming the file for a schema it cannot use; any other failure (the
 * file system, a file that is not a database) is thrown as it came, the connection closed.
 */
export function openSqliteFile<D extends SqliteConnection>(path: string, o: SqliteFileOptions<D>): D {
  const what = o.what ?? 'the database';
  const timeout = Math.max(0, Math.min(2_147_483_647, Math.trunc(Number.isFinite(o.busyTimeoutMs) ? o.busyTimeoutMs! : 5000)));
  const file = isPlainPath(path);
  if (file && !o.readonly) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    ownerOnly(path, true);
  }
  const db = new o.driver(path, { readonly: o.readonly === true, fileMustExist: o.readonly === true, timeout });
  try {
    if (o.readonly) {
      const v = userVersion(db);
      if (v > o.migrations.length) throw newer(path, what, v, o.migrations.length);
      if (v < o.migrations.length) {
        throw new MamoriError('MAMORI_ERR_STORE_OPEN', `${what} ${path} is at schema ${v}, older than this mamori's ${o.migrations.length}, and was opened read-only: open it once for writing to bring it up to date`);
      }
      return db;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // SQLite gives the -wal and -shm files the database's mode when it creates them; ones left
    // from before the database was set to 0600 keep theirs.
    if (file) for (const side of [`${path}-wal`, `${path}-shm`]) ownerOnly(side, false);
    migrate(db, path, what, o.migrations);
    return db;
  } catch (err) {
    try {
      db.close();
    } catch {
      // Already failing: the first error is the one to report.
    }
    throw err;
  }
}

/**
 * Makes `path` 0600: created so when missing (`create`), set back to 0600 when its mode is
 * anything else. A link or anything but a regular file is left to SQLite to refuse or open.
 */
function ownerOnly(path: string, create: boolean): void {
  if (!create) {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return;
    }
    if (st.isFile() && (st.mode & 0o777) !== SQLITE_FILE_MODE) chmodSync(path, SQLITE_FILE_MODE);
    return;
  }
  const fd = openSync(path, 'a', SQLITE_FILE_MODE);
  try {
    // fchmod: the file just opened, whatever the path names by now; a umask cannot leave it 0400.
    if ((fstatSync(fd).mode & 0o777) !== SQLITE_FILE_MODE) fchmodSync(fd, SQLITE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

function userVersion(db: SqliteConnection): number {
  return Number(db.pragma('user_version', { simple: true }));
}

function newer(path: string, what: string, v: number, known: number): MamoriError {
  return new MamoriError('MAMORI_ERR_STORE_OPEN', `${what} ${path} is at schema ${v}, newer than this mamori's ${known}: upgrade mamori, or move the file aside to start a new one`);
}

function migrate<D extends SqliteConnection>(db: D, path: string, what: string, migrations: readonly SqliteMigration<D>[]): void {
  // Read outside a transaction first: a file already up to date costs no write lock.
  let v = userVersion(db);
  if (v > migrations.length) throw newer(path, what, v, migrations.length);
  if (v === migrations.length) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    v = userVersion(db);
    if (v > migrations.length) throw newer(path, what, v, migrations.length);
    for (; v < migrations.length; v++) {
      const m = migrations[v]!;
      if (typeof m === 'string') db.exec(m);
      else m(db);
      // PRAGMA takes no bound parameters; v + 1 is an integer of ours.
      db.pragma(`user_version = ${v + 1}`);
    }
    db.exec('COMMIT');
  } catch (err) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite may have rolled back already (some errors end the transaction themselves).
    }
    throw err;
  }
}
