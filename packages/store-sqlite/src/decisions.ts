/**
 * Decisions in SQLite, mirrored in memory for matching: a request is
 * matched against an in-memory index (a few map look-ups), not a query.
 * The mirror follows the file: this process's own changes are applied to it
 * as they are made, and another process's (the CLI adding or deleting a
 * decision) are seen at the next match, which first asks SQLite whether
 * anybody else committed (`PRAGMA data_version`, about 2 us) and, when
 * `meta.decisions_rev` (bumped by triggers on any change) moved, reloads
 * the active decisions.
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
  /** The active decisions as of #rev (and this process's changes since). */
  readonly #mirror = new DecisionIndex();
  /** meta.decisions_rev as the mirror reflects it (-1: load it). */
  #rev = -1;
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
   * revision; false when it must reload (another process changed decisions since the mirror's
   * revision, or `reload`).
   */
  #settle(before: number, reload: boolean): boolean {
    if (reload || before !== this.#rev) {
      this.#rev = -1;
      return false;
    }
    this.#rev = this.#decisionsRev.get() as number;
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
    if (v === this.#seen && this.#rev !== -1) return;
    this.#seen = v;
    const rev = this.#decisionsRev.get() as number;
    if (rev === this.#rev) return;
    const now = this.#clock.now();
    this.#db.transaction(() => {
      this.#mirror.clear();
      for (const r of this.#active.all(now) as DecisionRow[]) this.#mirror.add(toDecision(r));
      this.#rev = this.#decisionsRev.get() as number;
    })();
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
    if (n > 0) this.#rev = -1; // reloaded at the next match
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
