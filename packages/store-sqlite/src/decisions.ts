/**
 * Decisions in SQLite. Matching a request is one indexed query: the exact
 * IP, user, device and country, plus every range that could hold the IP
 * (its network at each prefix length that some range decision uses, passed
 * as one JSON array). The prefix lengths in use are cached and reloaded when
 * `meta.range_rev`, bumped by triggers on any process's change, moves.
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
  readonly #match: Statement;
  readonly #rangeRev: Statement;
  readonly #netBits: Statement;
  #rev = -1;
  /** Prefix lengths of range decisions, per IP version, longest first. */
  #prefixes: { 4: number[]; 6: number[] } = { 4: [], 6: [] };
  readonly #add: Transaction<(d: Decision) => void>;

  constructor(db: Database, clock: Clock, max: number, check: () => void) {
    this.#db = db;
    this.#clock = clock;
    this.#max = Math.max(1, max);
    this.#check = check;
    this.#insert = db.prepare(
      `INSERT INTO decisions (${COLUMNS}, net_bits) VALUES (@id, @action, @scope, @value, @createdAt, @expiresAt, @origin, @reason, @detectOnly, @netBits)`,
    );
    this.#count = db.prepare('SELECT count(*) FROM decisions').pluck();
    this.#dropExpired = db.prepare('DELETE FROM decisions WHERE expires_at <= ?');
    this.#dropSoonest = db.prepare('DELETE FROM decisions WHERE seq IN (SELECT seq FROM decisions ORDER BY expires_at ASC, seq ASC LIMIT ?)');
    this.#deleteId = db.prepare('DELETE FROM decisions WHERE id = ?');
    this.#match = db.prepare(
      `SELECT ${COLUMNS} FROM decisions WHERE expires_at > @now AND (
         (scope = 'ip' AND value = @ip)
         OR (scope = 'user' AND value = @user)
         OR (scope = 'device' AND value = @device)
         OR (scope = 'country' AND value = @country)
         OR (scope = 'range' AND value IN (SELECT value FROM json_each(@ranges)))
       )`,
    );
    this.#rangeRev = db.prepare("SELECT value FROM meta WHERE name = 'range_rev'").pluck();
    this.#netBits = db.prepare('SELECT DISTINCT net_bits FROM decisions WHERE net_bits IS NOT NULL').pluck();
    this.#add = db.transaction((d: Decision) => {
      // Like the memory store: at the cap, drop expired decisions, then the ones that lapse soonest.
      let n = this.#count.get() as number;
      if (n >= this.#max) {
        this.#dropExpired.run(this.#clock.now());
        n = this.#count.get() as number;
        if (n >= this.#max) this.#dropSoonest.run(n - this.#max + 1);
      }
      let netBits: number | null = null;
      if (d.scope === 'range') {
        const c = parseCidr(d.value);
        netBits = c.version * 1000 + c.prefix;
      }
      this.#insert.run({ ...d, detectOnly: d.detectOnly ? 1 : 0, netBits });
    });
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
    this.#add.immediate(d);
    return d;
  }

  async delete(id: string): Promise<boolean> {
    this.#check();
    return this.#deleteId.run(id).changes > 0;
  }

  async deleteWhere(filter: DecisionFilter): Promise<number> {
    this.#check();
    const w = filterWhere(filter, this.#clock.now());
    const s = this.#statement(`delete:${w.key}`, () => `DELETE FROM decisions ${w.sql}`);
    return s.run(w.params).changes;
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
    const ip = subject.ip ? tryParseIp(subject.ip) : undefined;
    let ranges = '[]';
    if (ip) {
      const prefixes = this.#rangePrefixes()[ip.version];
      if (prefixes.length > 0) ranges = JSON.stringify(prefixes.map((p) => formatCidr(cidrOf(ip, p))));
    }
    const rows = this.#match.all({
      now: this.#clock.now(),
      ip: ip ? formatIp(ip) : null,
      user: subject.userHash ?? null,
      device: subject.device ?? null,
      country: subject.country ?? null,
      ranges,
    }) as DecisionRow[];
    return rows.map(toDecision);
  }

  #rangePrefixes(): { 4: number[]; 6: number[] } {
    const rev = this.#rangeRev.get() as number;
    if (rev !== this.#rev) {
      const next: { 4: number[]; 6: number[] } = { 4: [], 6: [] };
      for (const bits of this.#netBits.all() as number[]) {
        const version = Math.floor(bits / 1000);
        if (version === 4 || version === 6) next[version].push(bits % 1000);
      }
      next[4].sort((a, b) => b - a);
      next[6].sort((a, b) => b - a);
      this.#prefixes = next;
      this.#rev = rev;
    }
    return this.#prefixes;
  }
}
