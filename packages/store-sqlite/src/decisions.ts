/**
 * Decisions in SQLite, mirrored in memory for matching: a request is
 * matched against an in-memory index (a few map look-ups), not a query.
 * The mirror follows the file: this process's own changes are applied to it
 * as they are made, and another process's (the CLI adding or deleting a
 * decision) are seen at the next match, which first asks SQLite whether
 * anybody else committed (`PRAGMA data_version`, about 2 us) and, when
 * `meta.decisions_rev` (bumped by triggers on any change) moved, takes the
 * changes from `decision_changes` (the ids added and deleted, in order: schema
 * version 6). A mirror too far behind (more changes than it takes one by one,
 * or older than the log keeps) reloads the active decisions.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Statement, Transaction } from 'better-sqlite3';
import {
  cidrOf,
  parseCidr,
  formatCidr,
  formatIp,
  tryParseIp,
  validateDecisionInput,
  type Clock,
  type Decision,
  type DecisionAction,
  type DecisionFilter,
  type DecisionInput,
  type DecisionScope,
  type DecisionStore,
  type Subject,
  DecisionIndex,
} from 'mamori/internal';
import { where, type Where } from './where.js';

interface DecisionRow {
  id: string;
  action: DecisionAction;
  scope: DecisionScope;
  value: string;
  created_at: number;
  expires_at: number;
  origin: string;
  reason: string;
  detect_only: number;
}

const NO_IDS: string[] = [];
/**
 * At most this many changes are taken one by one; past it the mirror reloads. Each change costs
 * a row read by its id (about 3 us); a reload about 7 us per active decision.
 */
const STEPWISE_MAX = 4096;

interface ChangeRow {
  rev: number;
  op: number;
  id: string;
}

/**
 * At the cap: the decisions to drop, in the order of keptLonger (sources before accounts, then
 * the soonest to lapse), read from the index decisions_drop (schema version 5) in that order.
 */
export const DROP_SOONEST = "DELETE FROM decisions WHERE seq IN (SELECT seq FROM decisions ORDER BY scope = 'user' ASC, expires_at ASC, seq ASC LIMIT ?) RETURNING id";

const COLUMNS = 'id, action, scope, value, created_at, expires_at, origin, reason, detect_only';

function toDecision(r: DecisionRow): Decision {
  return {
    action: r.action,
    scope: r.scope,
    value: r.value,
    expiresAt: r.expires_at,
    origin: r.origin,
    reason: r.reason,
    id: r.id,
    createdAt: r.created_at,
    ...(r.detect_only === 1 ? { detectOnly: true as const } : {}),
  };
}

/** The fixed SQL fragment and parameter for each filter field that is set. */
function filterWhere(f: DecisionFilter, now: number): Where {
  return where([
    ['expires_at > @now', 'now', f.includeExpired ? undefined : now],
    ['id = @id', 'id', f.id],
    ['scope = @scope', 'scope', f.scope],
    ['value = @value', 'value', f.value],
    ['action = @action', 'action', f.action],
    ['origin = @origin', 'origin', f.origin],
  ]);
}

/**
 * Moves whenever a store in this process changes decisions, so that another handle on the same
 * file in this process (the CLI's beside the proxy's, in tests) looks at the file again at once.
 */
let writeEpoch = 0;

export class SqliteDecisions implements DecisionStore {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #check: () => void;
  readonly #cache = new Map<string, Statement>();
  readonly #insert: Statement;
  readonly #count: Statement;
  readonly #dropExpired: Statement;
  readonly #dropSoonest: Statement;
  readonly #deleteId: Statement;
  readonly #active: Statement;
  readonly #decisionsRev: Statement;
  readonly #dataVersion: Statement;
  readonly #changesSince: Statement;
  readonly #lastChange: Statement;
  readonly #byId: Statement;
  /** The active decisions as of #rev (and this process's changes since). */
  readonly #mirror = new DecisionIndex();
  /** meta.decisions_rev as the mirror reflects it (-1: load it). */
  #rev = -1;
  /** The last decision_changes row the mirror reflects (-1: unknown; a reload sets it). */
  #changeRev = -1;
  /** This process changed decisions in a way the mirror did not take: look at the file at the next match. */
  #stale = false;
  /** Reloads of every active decision (for tests: another process's change is taken stepwise). */
  reloads = 0;
  /** PRAGMA data_version when it was last read: it moves when another connection commits. */
  #seen = -1;
  #adds = 0;
  /** The file was looked at in this turn of the event loop, at writeEpoch #epoch. */
  #looked = false;
  #epoch = 0;
  readonly #nextTurn = (): void => {
    this.#looked = false;
  };
  readonly #add: Transaction<(d: Decision) => string[] | undefined>;

  constructor(db: Database, clock: Clock, max: number, check: () => void) {
    this.#db = db;
    this.#clock = clock;
    this.#max = Math.max(1, max);
    this.#check = check;
    this.#insert = db.prepare(
      `INSERT INTO decisions (${COLUMNS}, net_bits) VALUES (@id, @action, @scope, @value, @createdAt, @expiresAt, @origin, @reason, @detectOnly, @netBits)`,
    );
    this.#count = db.prepare('SELECT count(*) FROM decisions').pluck();
    // (RETURNING: the mirror drops the same decisions, rather than reloading every one: at the
    // cap, where every add drops one, a reload of 100,000 decisions per add held the event loop
    // about 0.7 s, a stall an attacker buys with each source it gets blocked.)
    this.#dropExpired = db.prepare('DELETE FROM decisions WHERE expires_at <= ? RETURNING id').pluck();
    this.#dropSoonest = db.prepare(DROP_SOONEST).pluck();
    this.#deleteId = db.prepare('DELETE FROM decisions WHERE id = ?');
    this.#active = db.prepare(`SELECT ${COLUMNS} FROM decisions WHERE expires_at > ?`);
    this.#decisionsRev = db.prepare("SELECT value FROM meta WHERE name = 'decisions_rev'").pluck();
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.#changesSince = db.prepare('SELECT rev, op, id FROM decision_changes WHERE rev > ? ORDER BY rev LIMIT ?');
    this.#lastChange = db.prepare('SELECT coalesce(max(rev), 0) FROM decision_changes').pluck();
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM decisions WHERE id = ?`);
    // Returns the ids of the decisions it dropped when the mirror can take the change as it is
    // (nothing else changed since its revision), else undefined (it reloads).
    this.#add = db.transaction((d: Decision) => {
      const before = this.#decisionsRev.get() as number;
      // Like the memory store: at the cap, drop expired decisions, then the ones that lapse soonest.
      let n = this.#count.get() as number;
      let dropped: string[] = NO_IDS;
      if (n >= this.#max) {
        dropped = this.#dropExpired.all(this.#clock.now()) as string[];
        n = this.#count.get() as number;
        if (n >= this.#max) dropped = dropped.concat(this.#dropSoonest.all(n - this.#max + 1) as string[]);
      }
      let netBits: number | null = null;
      if (d.scope === 'range') {
        const c = parseCidr(d.value);
        netBits = c.version * 1000 + c.prefix;
      }
      this.#insert.run({ ...d, detectOnly: d.detectOnly ? 1 : 0, netBits });
      return this.#settle(before, false) ? dropped : undefined;
    });
  }

  /**
   * After this process changed decisions (in the same transaction, `before` read before the
   * change): true when the mirror only has to take this change, and it now stands at the new
   * revision; false when it is to take it from the change log at the next match with the
   * others' (another process changed decisions since the mirror's revision, or `reload`).
   */
  #settle(before: number, reload: boolean): boolean {
    if (reload || before !== this.#rev) {
      this.#stale = true;
      return false;
    }
    this.#rev = this.#decisionsRev.get() as number;
    this.#changeRev = this.#lastChange.get() as number;
    return true;
  }

  /**
   * Brings the mirror up to the file when another process committed since the last look. The
   * look (about 2 to 5 us) is taken once per turn of the event loop, and again after any store in
   * this process changed decisions: under load many matches share one.
   */
  #sync(): void {
    if (this.#looked && this.#epoch === writeEpoch) return;
    this.#looked = true;
    this.#epoch = writeEpoch;
    setImmediate(this.#nextTurn);
    const v = this.#dataVersion.get() as number;
    if (v === this.#seen && this.#rev !== -1 && !this.#stale) return;
    this.#seen = v;
    this.#stale = false;
    const rev = this.#decisionsRev.get() as number;
    if (rev === this.#rev) return;
    const now = this.#clock.now();
    this.#db.transaction(() => {
      if (this.#rev !== -1 && this.#changeRev >= 0 && this.#stepwise(now)) return;
      this.reloads++;
      this.#mirror.clear();
      for (const r of this.#active.all(now) as DecisionRow[]) this.#mirror.add(toDecision(r));
      this.#rev = this.#decisionsRev.get() as number;
      this.#changeRev = this.#lastChange.get() as number;
    })();
  }

  /**
   * Takes the changes since the mirror's, one by one (inside #sync's read transaction): a
   * deleted id leaves the mirror; an added one is read as it stands now (gone or expired by
   * now: left out). False when the mirror is too far behind (it reloads).
   */
  #stepwise(now: number): boolean {
    const rows = this.#changesSince.all(this.#changeRev, STEPWISE_MAX + 1) as ChangeRow[];
    // Nothing logged though the revision moved (a file older than the log), more than is worth
    // taking one by one, or the log no longer holds the first change after the mirror's.
    if (rows.length === 0 || rows.length > STEPWISE_MAX || rows[0]!.rev !== this.#changeRev + 1) return false;
    for (const c of rows) {
      const held = this.#mirror.get(c.id);
      if (held) this.#mirror.remove(held);
      if (c.op !== 1) continue;
      const r = this.#byId.get(c.id) as DecisionRow | undefined;
      if (r && r.expires_at > now) this.#mirror.add(toDecision(r));
    }
    this.#changeRev = rows[rows.length - 1]!.rev;
    this.#rev = this.#decisionsRev.get() as number;
    return true;
  }

  #statement(key: string, sql: () => string): Statement {
    let s = this.#cache.get(key);
    if (!s) {
      s = this.#db.prepare(sql());
      this.#cache.set(key, s);
    }
    return s;
  }

  async add(input: DecisionInput): Promise<Decision> {
    this.#check();
    writeEpoch++;
    const v = validateDecisionInput(input);
    const d: Decision = {
      action: v.action,
      scope: v.scope,
      value: v.value,
      expiresAt: v.expiresAt,
      origin: v.origin,
      reason: v.reason,
      id: randomUUID(),
      createdAt: this.#clock.now(),
      ...(v.detectOnly ? { detectOnly: true as const } : {}),
    };
    const dropped = this.#add.immediate(d);
    if (dropped) {
      for (const id of dropped) {
        const held = this.#mirror.get(id);
        if (held) this.#mirror.remove(held);
      }
      this.#mirror.add(d);
    }
    // Expired decisions leave the mirror from time to time (matching skips them meanwhile).
    if (++this.#adds % 1024 === 0) this.#mirror.pruneExpired(this.#clock.now());
    return d;
  }

  async delete(id: string): Promise<boolean> {
    this.#check();
    writeEpoch++;
    const held = this.#mirror.get(id);
    const [changed, simple] = this.#db
      .transaction((): [boolean, boolean] => {
        const before = this.#decisionsRev.get() as number;
        const n = this.#deleteId.run(id).changes;
        return [n > 0, n === 0 || this.#settle(before, held === undefined)];
      })
      .immediate();
    if (changed && simple && held) this.#mirror.remove(held);
    return changed;
  }

  async deleteWhere(filter: DecisionFilter): Promise<number> {
    this.#check();
    writeEpoch++;
    const w = filterWhere(filter, this.#clock.now());
    const s = this.#statement(`delete:${w.key}`, () => `DELETE FROM decisions ${w.sql}`);
    const n = s.run(w.params).changes;
    // (The mirror takes the deletions from the change log at the next match.)
    if (n > 0) this.#stale = true;
    return n;
  }

  async list(filter: DecisionFilter = {}): Promise<Decision[]> {
    this.#check();
    const w = filterWhere(filter, this.#clock.now());
    const s = this.#statement(
      `list:${w.key}`,
      () => `SELECT ${COLUMNS} FROM decisions ${w.sql} ORDER BY created_at DESC, seq DESC LIMIT @limit`,
    );
    const limit = filter.limit && filter.limit > 0 ? Math.trunc(filter.limit) : -1;
    return (s.all({ ...w.params, limit }) as DecisionRow[]).map(toDecision);
  }

  async match(subject: Subject): Promise<Decision[]> {
    this.#check();
    this.#sync();
    return this.#mirror.match(subject, this.#clock.now());
  }
}
