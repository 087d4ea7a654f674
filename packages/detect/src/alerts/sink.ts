/**
 * The alert center, the pipeline's alert sink: what the watch/replay pipeline hands every alert to (`onAlert`, or `record`
 * for a caller that wants to know whether the alert was new). For an
 * alert it has not seen (alerts.db answers by the alert's id, so a replayed or restarted
 * stream raises nothing twice) it:
 *
 * 1. records it in alerts.db, samples bounded and account names replaced by keyed hashes;
 * 2. asks for its decision (block or challenge the source until the remedy's TTL runs out)
 *    in mamori's store, which the proxy and the adapters enforce at their next request;
 *    simulated alerts (detect-only scenarios) make none;
 * 3. pushes a block to the host firewall (nftables), when one is configured;
 * 4. offers it to the notifiers (grouped, rate capped, queued);
 * 5. records a `log-alert` event in mamori's event store (at most `eventsPerMinute`).
 *
 * `record` is synchronous and never waits for the store, the firewall or a receiver: the
 * decisions are queued (at most `maxPendingDecisions`, default 100,000, merged by source; more are dropped and
 * counted; `backlog` says how many wait) and `settled()` waits for them.
 *
 *   const m = await loadMamori('mamori.yaml');
 *   const sink = AlertCenter.forMamori(m, validateAlertsConfig(yaml.alerts));
 *   await sink.syncFirewall();           // when a firewall is configured
 *   // the pipeline's `sink` option: { onAlert(alert): void | Promise<void> }
 *   ...
 *   await sink.close();                  // then m.close()
 */
import { join } from 'node:path';
import { systemClock, type Clock, type Decision, type DecisionInput, type Mamori, type SecurityEvent, type Store } from 'mamori';
import { warnAtMostEveryMinute } from 'mamori/internal';
import type { Alert, AlertSeverity } from '../model.js';
import { AlertDb } from './alert-db.js';
import { validateAlertsConfig, type AlertsConfig } from './config.js';
import { DecisionPlanner } from './decide.js';
import { NftFirewall } from './firewall/nftables.js';
import { NotifierHub, type ChannelStats } from './notify/hub.js';
import type { NoticeAlert } from './notify/notice.js';
import { alertLink, toStored, type DecisionRecord, type StoredAlert } from './stored.js';

export interface AlertCenterOptions {
  /** alerts.db (normally `<data_dir>/alerts.db`), or an AlertDb already open. */
  path?: string;
  db?: AlertDb;
  /** mamori's store: decisions and the `log-alert` events. Without one, alerts are recorded and notified only. */
  store?: Store | undefined;
  /** mamori's keyed hash of an account name (`guard.login.userHash`). */
  userHash: (name: string) => string;
  /** The validated `alerts:` section (validateAlertsConfig); defaults when absent. */
  config?: AlertsConfig;
  clock?: Clock;
  /** Background failures (a decision the store refused, a notice not delivered). */
  onError?: (err: unknown) => void;
  /** Replaces the configured notifiers / firewall (tests, or an embedding program). */
  notifiers?: NotifierHub;
  firewall?: NftFirewall | undefined;
  /** Where a dry-run firewall prints (default stdout). */
  print?: (text: string) => void;
  maxPendingDecisions?: number;
  /** Decisions waiting past which onAlert returns a promise (default 1,000). */
  highWater?: number;
  /** Run the notifiers' window timer (default true; tests call tick()). */
  timer?: boolean;
  /** How often the firewall is made to match the decisions once `syncFirewall` ran, ms (default 10,000; 0: only when called). */
  firewallSyncMs?: number;
  /** Injected into the HTTP notifiers (tests). */
  fetch?: typeof fetch;
}

export type AlertOutcome = 'new' | 'duplicate' | 'invalid';

export interface AlertCenterStats {
  received: number;
  recorded: number;
  duplicates: number;
  invalid: number;
  decisionsAdded: number;
  decisionsSkipped: number;
  decisionsFailed: number;
  decisionsDropped: number;
  eventsRecorded: number;
  eventsSuppressed: number;
  firewall?: { added: number; removed: number; failed: number; dropped: number; runs: number };
  notifiers: ChannelStats[];
}

/** What a queued decision keeps of its alerts (not their samples: a backlog of 100,000 stays small). */
type Lean = Pick<StoredAlert, 'id' | 'kind' | 'detector' | 'title' | 'severity' | 'count' | 'sourceIp' | 'simulated'> & { readonly group: Readonly<Record<string, string | number | boolean>> };

function lean(a: StoredAlert): Lean {
  const u = a.group['user.id'];
  return { id: a.id, kind: a.kind, detector: a.detector, title: a.title, severity: a.severity, count: a.count, simulated: a.simulated, ...(a.sourceIp ? { sourceIp: a.sourceIp } : {}), group: u === undefined ? {} : { 'user.id': u } };
}

const SEVERITY: Record<AlertSeverity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

export class AlertCenter {
  readonly db: AlertDb;
  readonly #store: Store | undefined;
  readonly #userHash: (name: string) => string;
  readonly #config: AlertsConfig;
  readonly #clock: Clock;
  readonly #onError: (err: unknown) => void;
  readonly #planner: DecisionPlanner;
  readonly #hub: NotifierHub;
  readonly #firewall: NftFirewall | undefined;
  readonly #maxPending: number;
  readonly #highWater: number;
  /** Decisions waiting for the store, by `action scope value` (a later alert's longer TTL wins). */
  readonly #pending = new Map<string, { input: DecisionInput; alerts: Lean[] }>();
  #running: Promise<void> | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  /** What this centre put into the firewall: value -> when its block ends (ms). */
  readonly #pushed = new Map<string, number>();
  #fwTimer: NodeJS.Timeout | undefined;
  #syncing: Promise<number> | undefined;
  readonly #firewallSyncMs: number;
  #eventMinute = 0;
  #eventsThisMinute = 0;
  #closed = false;
  readonly #s = { received: 0, recorded: 0, duplicates: 0, invalid: 0, decisionsAdded: 0, decisionsSkipped: 0, decisionsFailed: 0, decisionsDropped: 0, eventsRecorded: 0, eventsSuppressed: 0 };

  private constructor(o: AlertCenterOptions, db: AlertDb) {
    this.db = db;
    this.#store = o.store;
    this.#userHash = o.userHash;
    this.#config = o.config ?? validateAlertsConfig(undefined);
    this.#clock = o.clock ?? systemClock;
    this.#onError = o.onError ?? warnAtMostEveryMinute('alerts');
    this.#planner = new DecisionPlanner(this.#config.decisions);
    this.#maxPending = o.maxPendingDecisions ?? 100_000;
    this.#highWater = o.highWater ?? 1000;
    this.#firewallSyncMs = o.firewallSyncMs ?? (o.timer === false ? 0 : 10_000);
    const report = (err: unknown): void => this.#report(err);
    this.#hub = o.notifiers ?? NotifierHub.fromConfig(this.#config, { clock: this.#clock, onError: report, fetch: o.fetch });
    const fw = this.#config.firewall;
    this.#firewall =
      'firewall' in o
        ? o.firewall
        : fw
          ? new NftFirewall({ table: fw.table, chain: fw.chain, priority: fw.priority, dryRun: fw.dryRun, command: fw.command, onError: report, ...(o.print ? { print: o.print } : {}) })
          : undefined;
    if (o.timer !== false && this.#hub.channels.length) {
      this.#timer = setInterval(() => this.tick(), 1000);
      this.#timer.unref();
    }
  }

  static open(o: AlertCenterOptions): AlertCenter {
    if (typeof o.userHash !== 'function') throw new TypeError('AlertCenter needs userHash: account names are stored only as keyed hashes');
    const db = o.db ?? AlertDb.open({ path: o.path ?? ':memory:', maxAlerts: o.config?.maxAlerts ?? 100_000 });
    return new AlertCenter(o, db);
  }

  /**
   * The sink of a running mamori (loadMamori): `<data_dir>/alerts.db`, its store, its keyed
   * account hash. `config` is the validated `alerts:` section.
   */
  static forMamori(m: Mamori, config: AlertsConfig, more: Omit<AlertCenterOptions, 'path' | 'db' | 'store' | 'userHash' | 'config'> = {}): AlertCenter {
    return AlertCenter.open({ ...more, path: join(m.config.dataDir, 'alerts.db'), store: m.store, userHash: (n) => m.guard.login.userHash(n), config });
  }

  /**
   * Makes the firewall match the active block decisions log detection made (origin
   * `watch.*`): at start it pushes them all, since the kernel's sets are empty after a reboot;
   * then (every `firewallSyncMs`, 10 s by default, once started) it takes out what this centre
   * pushed whose decision was deleted before its time (`mamori decisions delete`, an operator
   * lifting a block), and pushes what another process decided. Returns how many blocks were
   * queued. Never throws (a store that fails is reported).
   */
  async syncFirewall(): Promise<number> {
    const fw = this.#firewall;
    if (!fw || !this.#store || this.#closed) return 0;
    this.#startFirewallSync();
    // One pass at a time: a slow store must not stack passes up.
    if (this.#syncing) return this.#syncing;
    this.#syncing = this.#syncOnce(fw).finally(() => (this.#syncing = undefined));
    return this.#syncing;
  }

  async #syncOnce(fw: NftFirewall): Promise<number> {
    let list;
    try {
      list = await this.#store!.decisions.list({ action: 'block', limit: 100_000 });
    } catch (err) {
      this.#report(err);
      return 0;
    }
    const now = this.#clock.now();
    const active = new Map<string, number>();
    for (const d of list) {
      if (!d.origin.startsWith('watch.') || d.detectOnly || (d.scope !== 'ip' && d.scope !== 'range') || d.expiresAt <= now) continue;
      const e = fw.element(d.value, d.expiresAt - now);
      if (e) active.set(e.value, Math.max(active.get(e.value) ?? 0, d.expiresAt));
    }
    let n = 0;
    for (const [value, until] of this.#pushed) {
      if (until <= now) this.#pushed.delete(value);
      else if (!active.has(value)) {
        // Its decision is gone before its time: out of the firewall too.
        fw.unblock(value);
        this.#pushed.delete(value);
      }
    }
    for (const [value, until] of active) {
      if ((this.#pushed.get(value) ?? 0) >= until) continue;
      if (fw.block(value, until - now)) {
        this.#pushed.set(value, until);
        n++;
      }
    }
    await fw.flush();
    return n;
  }

  #startFirewallSync(): void {
    if (this.#fwTimer || this.#firewallSyncMs <= 0) return;
    this.#fwTimer = setInterval(() => void this.syncFirewall(), this.#firewallSyncMs);
    this.#fwTimer.unref();
  }

  /** Blocks `value` in the firewall and remembers it, so a deleted decision can take it out. */
  #pushBlock(value: string, ttlMs: number): void {
    const fw = this.#firewall;
    if (!fw) return;
    const e = fw.element(value, ttlMs);
    if (!e || !fw.block(e.value, ttlMs)) return;
    const until = this.#clock.now() + ttlMs;
    if ((this.#pushed.get(e.value) ?? 0) < until) this.#pushed.set(e.value, until);
  }

  /**
   * The pipeline's entry (the pipeline's AlertSink interface): records the alert and, while more than
   * `highWater` decisions wait for the store, returns a promise that resolves once they are
   * taken, so a pipeline reading faster than the store can decide slows down instead of
   * dropping decisions.
   */
  onAlert(alert: Alert): void | Promise<void> {
    this.record(alert);
    if (this.#pending.size > this.#highWater) return this.settled();
    return undefined;
  }

  /** Records the alert (see the module comment); says whether it was new. Never throws. */
  record(alert: Alert): AlertOutcome {
    this.#s.received++;
    if (this.#closed) {
      this.#report(new Error('an alert arrived after the alert sink was closed'));
      return 'invalid';
    }
    // A replayed alert costs one index look-up, not the work of storing it.
    try {
      if (typeof alert?.id === 'string' && this.db.has(alert.id)) {
        this.#s.duplicates++;
        return 'duplicate';
      }
    } catch (err) {
      this.#report(err);
    }
    const now = this.#clock.now();
    let a: StoredAlert;
    try {
      a = toStored(alert, this.#userHash, now);
    } catch (err) {
      this.#s.invalid++;
      this.#report(err);
      return 'invalid';
    }
    try {
      if (!this.db.insert(a)) {
        this.#s.duplicates++;
        return 'duplicate';
      }
    } catch (err) {
      // The database failed (disk full): the alert still decides and notifies, once.
      this.#report(err);
    }
    this.#s.recorded++;
    // Whatever goes wrong from here is reported, never thrown into the pipeline.
    try {
      const plan = this.#planner.plan(a, now);
      if (plan && 'decision' in plan) this.#queueDecision(plan.decision, a);
      else {
        if (plan) {
          this.#s.decisionsSkipped++;
          this.#record(a, { state: 'skipped', reason: plan.skip });
        }
        this.#event(a, undefined);
      }
    } catch (err) {
      this.#report(err);
    }
    try {
      this.#hub.offer(this.#notice(a));
    } catch (err) {
      this.#report(err);
    }
    return 'new';
  }

  /**
   * Decisions waiting for the store. A pipeline that reads faster than the store takes
   * decisions may `await settled()` when this grows (past the cap, decisions are dropped).
   */
  get backlog(): number {
    return this.#pending.size;
  }

  /** Ends the notifiers' windows that are over (the sink's timer calls it every second). */
  tick(): void {
    this.#hub.tick();
  }

  /** Waits for the queued decisions and firewall runs. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#firewall?.flush();
    this.db.commit();
  }

  stats(): AlertCenterStats {
    const fw = this.#firewall;
    return { ...this.#s, ...(fw ? { firewall: { added: fw.added, removed: fw.removed, failed: fw.failed, dropped: fw.dropped, runs: fw.runs } } : {}), notifiers: this.#hub.stats() };
  }

  /** Settles the decisions, sends what the notifiers hold (giving them `timeoutMs`), closes alerts.db. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#fwTimer) clearInterval(this.#fwTimer);
    await this.#syncing;
    await this.settled();
    await this.#hub.close(timeoutMs);
    this.db.close();
  }

  #notice(a: StoredAlert): NoticeAlert {
    const r = a.remedy;
    const link = alertLink(this.#config.consoleUrl, a.id);
    return {
      id: a.id,
      detector: a.detector,
      title: a.title,
      severity: a.severity,
      time: a.time,
      count: a.count,
      ...(a.sourceIp ? { sourceIp: a.sourceIp } : {}),
      simulated: a.simulated,
      ...(r ? { remedy: `${a.simulated ? 'would ' : ''}${r.action} ${r.scope} ${r.value} for ${Math.round(r.ttlMs / 60_000)}m` } : {}),
      ...(link ? { link } : {}),
    };
  }

  #queueDecision(input: DecisionInput, a: StoredAlert): void {
    if (!this.#store) {
      this.#s.decisionsSkipped++;
      this.#record(a, { state: 'skipped', reason: 'no store to record decisions in' });
      this.#event(a, undefined);
      return;
    }
    const key = `${input.action} ${input.scope} ${input.value}`;
    const p = this.#pending.get(key);
    if (p) {
      if (input.expiresAt > p.input.expiresAt) p.input = input;
      if (p.alerts.length < 100) p.alerts.push(lean(a));
      else this.#record(a, { state: 'skipped', reason: 'merged with a pending decision on the same source' });
      return;
    }
    if (this.#pending.size >= this.#maxPending) {
      this.#s.decisionsDropped++;
      this.#record(a, { state: 'failed', reason: 'too many decisions waiting for the store' });
      this.#report(new Error(`a decision for ${input.value} was dropped: ${this.#maxPending} decisions are waiting for the store`));
      this.#event(a, undefined);
      return;
    }
    this.#pending.set(key, { input, alerts: [lean(a)] });
    this.#running ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.size) {
        const [key, p] = this.#pending.entries().next().value as [string, { input: DecisionInput; alerts: Lean[] }];
        this.#pending.delete(key);
        let d: Decision | undefined;
        try {
          d = await this.#store!.decisions.add(p.input);
          this.#s.decisionsAdded++;
        } catch (err) {
          this.#s.decisionsFailed++;
          this.#report(err);
        }
        for (const a of p.alerts) {
          this.#record(a, d ? { state: 'added', id: d.id, action: d.action as 'block' | 'challenge', scope: d.scope as 'ip' | 'range', value: d.value, expiresAt: d.expiresAt } : { state: 'failed', reason: 'the store refused the decision' });
          this.#event(a, d);
        }
        if (d && d.action === 'block' && this.#firewall) this.#pushBlock(d.value, d.expiresAt - this.#clock.now());
      }
    } finally {
      this.#running = undefined;
    }
  }

  #record(a: Lean, d: DecisionRecord): void {
    try {
      this.db.setDecision(a.id, d);
    } catch (err) {
      this.#report(err);
    }
  }

  #event(a: Lean, d: Decision | undefined): void {
    const store = this.#store;
    if (!store) return;
    const now = this.#clock.now();
    const minute = Math.floor(now / 60_000);
    if (minute !== this.#eventMinute) {
      this.#eventMinute = minute;
      this.#eventsThisMinute = 0;
    }
    if (this.#eventsThisMinute >= this.#config.eventsPerMinute) {
      this.#s.eventsSuppressed++;
      return;
    }
    this.#eventsThisMinute++;
    this.#s.eventsRecorded++;
    const e: SecurityEvent = {
      '@timestamp': new Date(now).toISOString(),
      'event.action': 'log-alert',
      'event.category': 'intrusion_detection',
      'event.module': `detect.${a.kind}`,
      'event.severity': SEVERITY[a.severity],
      'event.reason': a.title.slice(0, 512),
      'rule.id': a.detector.slice(0, 256),
      'rule.name': a.title.slice(0, 256),
      'mamori.count': a.count,
      ...(a.sourceIp ? { 'source.ip': a.sourceIp } : {}),
      ...(typeof a.group['user.id'] === 'string' ? { 'user.id': a.group['user.id'] } : {}),
      ...(d ? { 'mamori.decision.id': d.id, 'mamori.decision.action': d.action } : {}),
      ...(a.simulated ? { 'mamori.detect_only': true } : {}),
    };
    try {
      store.events.append(e);
    } catch (err) {
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    try {
      this.#onError(err);
    } catch {
      // An error handler that throws has nowhere left to go.
    }
  }
}
