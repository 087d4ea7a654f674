/**
 * The SQLite schema and its migrations. `PRAGMA user_version` holds the
 * schema version; each migration moves it up by one, inside an IMMEDIATE
 * transaction so two processes opening a new file do not both migrate it.
 */
import type { Database } from 'better-sqlite3';
import { MamoriError } from 'mamori';

export const SCHEMA_VERSION = 7;

/** How many decision changes the log keeps (schema version 6). */
export const DECISION_CHANGES_KEPT = 65_536;

/** Migration n takes the schema from version n-1 to n. */
const MIGRATIONS: readonly string[] = [
  `
  -- Counters: k is a keyed hash (HMAC-SHA256, 16 bytes) of the counter key.
  CREATE TABLE IF NOT EXISTS counters (
    k BLOB PRIMARY KEY,
    n INTEGER NOT NULL,
    exp INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS counters_exp ON counters (exp);
  CREATE INDEX IF NOT EXISTS counters_evict ON counters (n, exp);

  -- Members of distinct-count sets: k is a keyed hash of (set key, member).
  CREATE TABLE IF NOT EXISTS members (
    k BLOB PRIMARY KEY,
    exp INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS members_exp ON members (exp);

  -- Single-use claims: k is a keyed hash of the claimed key.
  CREATE TABLE IF NOT EXISTS claims (
    k BLOB PRIMARY KEY,
    exp INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS claims_exp ON claims (exp);

  -- Decisions keep their canonical values (user values are already keyed hashes).
  CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    scope TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    origin TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- For ranges: version * 1000 + prefix length (4024 for an IPv4 /24); NULL otherwise.
    net_bits INTEGER
  );
  CREATE INDEX IF NOT EXISTS decisions_match ON decisions (scope, value, expires_at);
  CREATE INDEX IF NOT EXISTS decisions_net_bits ON decisions (net_bits) WHERE net_bits IS NOT NULL;

  -- Counts every change to range decisions (by any process), so a reader knows
  -- when to reload the prefix lengths in use.
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT OR IGNORE INTO meta (name, value) VALUES ('range_rev', 0);
  CREATE TRIGGER IF NOT EXISTS decisions_range_added AFTER INSERT ON decisions WHEN new.net_bits IS NOT NULL
    BEGIN UPDATE meta SET value = value + 1 WHERE name = 'range_rev'; END;
  CREATE TRIGGER IF NOT EXISTS decisions_range_removed AFTER DELETE ON decisions WHEN old.net_bits IS NOT NULL
    BEGIN UPDATE meta SET value = value + 1 WHERE name = 'range_rev'; END;
  CREATE INDEX IF NOT EXISTS decisions_expires ON decisions (expires_at);
  CREATE INDEX IF NOT EXISTS decisions_created ON decisions (created_at);

  -- Events: the whole event as JSON, with the columns queries filter on.
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    action TEXT NOT NULL,
    source_ip TEXT,
    user_id TEXT,
    body TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
  CREATE INDEX IF NOT EXISTS events_action_ts ON events (action, ts);
  CREATE INDEX IF NOT EXISTS events_source_ip_ts ON events (source_ip, ts);
  CREATE INDEX IF NOT EXISTS events_user_id_ts ON events (user_id, ts);
  `,
  `
  -- How many holds a set member has (Store.removeDistinct gives one back); rows of
  -- version 1 were each one addition.
  ALTER TABLE members ADD COLUMN n INTEGER NOT NULL DEFAULT 1;
  `,
  `
  -- 1 for a decision made in detect mode (Decision.detectOnly): listed, never enforced.
  ALTER TABLE decisions ADD COLUMN detect_only INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Counters and set members move to memory, written behind (counters.ts): the rows of
  -- versions 1 to 3 go (they were keyed hashes the new log cannot take over; the counts
  -- expire within a day anyway).
  DROP TABLE IF EXISTS counters;
  DROP TABLE IF EXISTS members;
  -- Blobs of fixed-size records (identity, count, expiry), replayed in id order on open.
  CREATE TABLE IF NOT EXISTS counter_log (id INTEGER PRIMARY KEY, records BLOB NOT NULL);
  -- The counter table's kinds and floors as of the last snapshot, and the last reset applied (JSON text).
  CREATE TABLE IF NOT EXISTS counter_state (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  -- Counter resets asked for by any process, for the one that counts: hashed keys.
  CREATE TABLE IF NOT EXISTS counter_resets (id INTEGER PRIMARY KEY, k TEXT NOT NULL);
  -- Counts every change to decisions (by any process): a process that mirrors them in memory
  -- reloads when it moves.
  INSERT OR IGNORE INTO meta (name, value) VALUES ('decisions_rev', 0);
  CREATE TRIGGER IF NOT EXISTS decisions_rev_insert AFTER INSERT ON decisions
    BEGIN UPDATE meta SET value = value + 1 WHERE name = 'decisions_rev'; END;
  CREATE TRIGGER IF NOT EXISTS decisions_rev_delete AFTER DELETE ON decisions
    BEGIN UPDATE meta SET value = value + 1 WHERE name = 'decisions_rev'; END;
  CREATE TRIGGER IF NOT EXISTS decisions_rev_update AFTER UPDATE ON decisions
    BEGIN UPDATE meta SET value = value + 1 WHERE name = 'decisions_rev'; END;
  `,
  `
  -- The order a store at its decision cap drops decisions in (sources before accounts, then the
  -- soonest to lapse: decisions.ts), so that the drop reads one index entry instead of sorting
  -- every decision (about 10 ms per add at 100,000, made once per blocked source or closed account).
  CREATE INDEX IF NOT EXISTS decisions_drop ON decisions (scope = 'user', expires_at);
  `,
  `
  -- Which decisions changed, in order (op 1: added, 2: deleted; an update is both), so that a process
  -- mirroring them takes another's changes one by one instead of reloading every decision
  -- (about 0.7 s at 100,000, a stall of its event loop each time the CLI adds one). The last
  -- DECISION_CHANGES_KEPT changes are kept; a process further behind reloads.
  CREATE TABLE IF NOT EXISTS decision_changes (rev INTEGER PRIMARY KEY, op INTEGER NOT NULL, id TEXT NOT NULL);
  CREATE TRIGGER IF NOT EXISTS decision_changes_insert AFTER INSERT ON decisions BEGIN
    INSERT INTO decision_changes (op, id) VALUES (1, NEW.id);
    DELETE FROM decision_changes WHERE rev <= (SELECT max(rev) FROM decision_changes) - ${DECISION_CHANGES_KEPT};
  END;
  CREATE TRIGGER IF NOT EXISTS decision_changes_delete AFTER DELETE ON decisions BEGIN
    INSERT INTO decision_changes (op, id) VALUES (2, OLD.id);
    DELETE FROM decision_changes WHERE rev <= (SELECT max(rev) FROM decision_changes) - ${DECISION_CHANGES_KEPT};
  END;
  CREATE TRIGGER IF NOT EXISTS decision_changes_update AFTER UPDATE ON decisions BEGIN
    INSERT INTO decision_changes (op, id) VALUES (2, OLD.id);
    INSERT INTO decision_changes (op, id) VALUES (1, NEW.id);
    DELETE FROM decision_changes WHERE rev <= (SELECT max(rev) FROM decision_changes) - ${DECISION_CHANGES_KEPT};
  END;
  `,
  `
  -- Events are no longer indexed by account or source. Those keys arrive in no order (a hashed
  -- account, a flood's addresses), so each row's entry lands on its own page of the index, and
  -- the pages a batch dirties are written to the WAL again at every commit: 24 us of CPU per
  -- event at 300,000 rows against 3 to 5 us with the time and action indexes alone (both grow
  -- at their end), and a failed login through the proxy went from the memory store's CPU to
  -- 1.3x it (bench/README.md). A query by account or source now walks the time index from the
  -- newest event (about 0.65 s through a million events when nothing matches); only the CLI's
  -- \`mamori events --user/--ip\` asks for one.
  DROP INDEX IF EXISTS events_source_ip_ts;
  DROP INDEX IF EXISTS events_user_id_ts;
  `,
];

function userVersion(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Brings the schema up to SCHEMA_VERSION; refuses a file made by a newer mamori. */
export function migrate(db: Database, path: string): void {
  const run = db.transaction(() => {
    let v = userVersion(db);
    if (v > SCHEMA_VERSION) {
      throw new MamoriError(
        'MAMORI_ERR_STORE_OPEN',
        `${path} has store schema version ${v}, newer than this mamori understands (${SCHEMA_VERSION}); upgrade mamori or use another file`,
      );
    }
    for (; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!);
      // PRAGMA takes no bound parameters; v is an integer we control.
      db.pragma(`user_version = ${v + 1}`);
    }
  });
  run.immediate();
}
