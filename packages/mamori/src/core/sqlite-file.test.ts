import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// better-sqlite3 is the driver of the packages that keep databases (host, vuln, detect, store-sqlite);
// the engine takes it as a parameter and only its test loads it.
import Database from 'better-sqlite3';
import { isMamoriError } from './errors.js';
import { openSqliteFile, type SqliteMigration } from './sqlite-file.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mamori-sqlite-file-'));
  dirs.push(d);
  return d;
}
const mode = (p: string): number => statSync(p).mode & 0o777;

const V1: SqliteMigration<Database.Database> = 'CREATE TABLE items (name TEXT PRIMARY KEY)';
const V2: SqliteMigration<Database.Database> = 'ALTER TABLE items ADD COLUMN note TEXT';

describe('openSqliteFile', () => {
  it('creates the file 0600 in a new 0700 folder, in WAL with a busy timeout, and runs the migrations', () => {
    const path = join(dir(), 'data', 'x.db');
    const db = openSqliteFile(path, { driver: Database, migrations: [V1, V2] });
    try {
      assert.equal(mode(path), 0o600);
      assert.equal(mode(join(path, '..')), 0o700);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL');
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
      assert.equal(db.pragma('user_version', { simple: true }), 2);
      db.prepare('INSERT INTO items (name, note) VALUES (?, ?)').run('a', 'first');
      for (const side of [`${path}-wal`, `${path}-shm`]) assert.equal(mode(side), 0o600, side);
    } finally {
      db.close();
    }
    const again = openSqliteFile(path, { driver: Database, migrations: [V1, V2], busyTimeoutMs: 250 });
    try {
      assert.equal(again.pragma('busy_timeout', { simple: true }), 250);
      assert.deepEqual(again.prepare('SELECT name, note FROM items').all(), [{ name: 'a', note: 'first' }]);
    } finally {
      again.close();
    }
  });

  it('runs only the migrations a file has not had, in order, functions given the connection', () => {
    const path = join(dir(), 'x.db');
    openSqliteFile(path, { driver: Database, migrations: [V1] }).close();
    const ran: number[] = [];
    const db = openSqliteFile(path, {
      driver: Database,
      migrations: [
        (d) => {
          ran.push(1);
          d.exec(V1 as string);
        },
        (d) => {
          ran.push(2);
          d.exec(V2 as string);
        },
        (d) => {
          ran.push(3);
          d.prepare("INSERT INTO items (name, note) VALUES ('seed', 'v3')").run();
        },
      ],
    });
    try {
      assert.deepEqual(ran, [2, 3]);
      assert.equal(db.pragma('user_version', { simple: true }), 3);
      assert.deepEqual(db.prepare('SELECT name, note FROM items').all(), [{ name: 'seed', note: 'v3' }]);
    } finally {
      db.close();
    }
  });

  it('refuses a file from a newer schema, naming it, and leaves the file as it was', () => {
    const path = join(dir(), 'newer.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma('user_version = 7');
    raw.close();
    assert.throws(
      () => openSqliteFile(path, { driver: Database, what: 'the test database', migrations: [V1, V2] }),
      (e) => isMamoriError(e, 'MAMORI_ERR_STORE_OPEN') && e.message.includes(path) && /the test database .* is at schema 7, newer than this mamori's 2/.test(e.message),
    );
    assert.throws(
      () => openSqliteFile(path, { driver: Database, migrations: [V1], readonly: true }),
      (e) => isMamoriError(e, 'MAMORI_ERR_STORE_OPEN') && /schema 7, newer/.test(e.message),
    );
    const check = new Database(path, { readonly: true });
    try {
      assert.equal(check.pragma('user_version', { simple: true }), 7);
      assert.equal(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'items'").pluck().get(), 0, 'no migration ran');
    } finally {
      check.close();
    }
  });

  it('sets an existing file readable by others, and its -wal and -shm, back to 0600', () => {
    const path = join(dir(), 'open.db');
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    // keeps the -wal and -shm on disk while the file's mode is changed under them
    const holder = new Database(path);
    holder.prepare('SELECT * FROM t').all();
    raw.close();
    for (const p of [path, `${path}-wal`, `${path}-shm`]) chmodSync(p, 0o644);
    const db = openSqliteFile(path, { driver: Database, migrations: [] });
    try {
      for (const p of [path, `${path}-wal`, `${path}-shm`]) assert.equal(mode(p), 0o600, p);
      assert.deepEqual(db.prepare('SELECT x FROM t').pluck().all(), [1], 'the data is kept');
    } finally {
      db.close();
      holder.close();
    }
    chmodSync(path, 0o400);
    openSqliteFile(path, { driver: Database, migrations: [] }).close();
    assert.equal(mode(path), 0o600, 'owner read-only is set back too: the file must be writable to be used');
  });

  it('creates the file 0600 whatever the umask', () => {
    const path = join(dir(), 'umask.db');
    const old = process.umask(0o277);
    try {
      openSqliteFile(path, { driver: Database, migrations: [V1] }).close();
    } finally {
      process.umask(old);
    }
    assert.equal(mode(path), 0o600);
  });

  it('rolls back every pending migration when one fails, and closes the connection', () => {
    const path = join(dir(), 'fail.db');
    assert.throws(() => openSqliteFile(path, { driver: Database, migrations: [V1, 'CREATE TABLE items (dup TEXT)'] }), /already exists/);
    const check = new Database(path, { readonly: true });
    try {
      assert.equal(check.pragma('user_version', { simple: true }), 0);
      assert.equal(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'items'").pluck().get(), 0, 'the first migration was rolled back');
    } finally {
      check.close();
    }
    // A file that is not a database: SQLite's own error, the connection closed (the file can be replaced).
    const junk = join(dir(), 'junk.db');
    writeFileSync(junk, 'this is not an SQLite database, only text that is long enough to have a header '.repeat(4));
    assert.throws(() => openSqliteFile(junk, { driver: Database, migrations: [V1] }), /not a database/);
    rmSync(junk);
    openSqliteFile(junk, { driver: Database, migrations: [V1] }).close();
  });

  it('read-only: creates nothing, changes nothing, refuses an older schema', () => {
    const d = dir();
    const missing = join(d, 'missing', 'x.db');
    assert.throws(() => openSqliteFile(missing, { driver: Database, migrations: [V1], readonly: true }));
    assert.equal(existsSync(join(d, 'missing')), false);
    const path = join(d, 'ro.db');
    openSqliteFile(path, { driver: Database, migrations: [V1] }).close();
    chmodSync(path, 0o644);
    const ro = openSqliteFile(path, { driver: Database, migrations: [V1], readonly: true });
    try {
      assert.equal(ro.readonly, true);
      assert.throws(() => ro.exec("INSERT INTO items VALUES ('x')"), /readonly/);
    } finally {
      ro.close();
    }
    assert.equal(mode(path), 0o644, 'a read-only open does not change the mode');
    assert.throws(
      () => openSqliteFile(path, { driver: Database, what: 'the alerts database', migrations: [V1, V2], readonly: true }),
      (e) => isMamoriError(e, 'MAMORI_ERR_STORE_OPEN') && /the alerts database .*ro\.db is at schema 1, older than this mamori's 2/.test(e.message),
    );
  });

  it('opens an in-memory database with the migrations', () => {
    const db = openSqliteFile(':memory:', { driver: Database, migrations: [V1, V2] });
    try {
      assert.equal(db.pragma('user_version', { simple: true }), 2);
      db.prepare("INSERT INTO items (name, note) VALUES ('a', 'b')").run();
    } finally {
      db.close();
    }
  });
});
