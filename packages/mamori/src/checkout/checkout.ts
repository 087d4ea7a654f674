/**
 * Checkout protection against card testing ("credit master" attacks): `check` before the
 * payment gateway is called, `report` of the gateway's answer after.
 *
 * The policy, in the order it is applied:
 * 1. Decisions on the source or the account (an operator's, or one this guard made): as they say.
 * 2. The circuit breaker: while site-wide declines show an attack, guest checkout is paused.
 * 3. The card, read locally (card.ts): a number that fails Luhn, fits no brand, or an expiry
 *    that cannot be used is rejected here and never costs an authorization fee. It counts as
 *    a failure of the source and the customer.
 * 4. Failure limits in the window (defaults at least as strict as Hyperswitch's: in one hour,
 *    3 failures per card and source, 10 per card, 5 per customer, 10 per source): past them,
 *    blocked. The attempt is counted as a failure when checked, and taken back when the gateway
 *    approves it, so attempts sent at once each see the ones before them.
 * 5. Enumeration signals, each counted in its own set: distinct cards per source, per network
 *    (/24, /64), per session, per device and per account; expiry and code variants on one card;
 *    numbers in sequence within a BIN; one BIN hit by many cards or many sources; the source's
 *    decline ratio; very small amounts. A guest checkout's counts weigh `guestWeight` times more.
 * 6. The answer escalates: allow, step-up (ask the shop to run 3-D Secure), challenge (a
 *    proof-of-work the client solves), block (and, for a source past a block threshold, a block
 *    decision on it for `blockForMs`).
 */
import { randomBytes } from 'node:crypto';
import { hmac } from '../core/crypto.js';
import type { Clock } from '../core/clock.js';
import { strongest, type Decision } from '../core/decisions.js';
import type { EventSink, SecurityEvent } from '../core/events.js';
import { sourceKey, tryParseIp, type SourceGrouping } from '../core/net.js';
import type { CounterOp, Store } from '../core/store.js';
import { readCard, type CardBrand, type CardInput, type CardProblem, type CardRef } from './card.js';
import { CheckoutWindows } from './windows.js';

export const CHECKOUT_ORIGIN = 'guard.checkout';

export interface Threshold {
  /** At this count, a challenge. */
  challengeAt: number;
  /** At this count, a block. */
  blockAt: number;
}

export interface CheckoutPolicy {
  /** `detect`: every verdict is computed and recorded, none is enforced. */
  mode: 'enforce' | 'detect';
  /** The window of the failure limits and the distinct-card counts. Default 1 hour. */
  windowMs: number;
  /** Failed payments (declines and local rejects) in the window before a block. */
  failures: { cardSource: number; card: number; customer: number; source: number };
  /** Distinct cards in the window. `network`: the source's /24 (IPv4) or /64 (IPv6). */
  cardsPer: { source: Threshold; network: Threshold; session: Threshold; device: Threshold; account: Threshold };
  /** How much more a guest checkout's counts weigh (thresholds are divided by it). Default 1.5. */
  guestWeight: number;
  /** Distinct expiry/security-code pairs on one card in the window before the card is blocked. Default 3. */
  variantsPerCard: number;
  /**
   * One BIN in `windowMs`: distinct cards, or declines, before its checkouts step up to 3-D Secure
   * (a BIN under attack: its real cardholders pass 3-D Secure, generated numbers do not); distinct
   * sources before guests are challenged.
   */
  bin: { windowMs: number; stepUpAtCards: number; stepUpAtDeclines: number; challengeAtSources: number };
  /** Numbers in sequence: `count` numbers of one BIN within `maxGap` of each other in the window. */
  sequence: { maxGap: number; count: number };
  /** Decline ratios: per source (at least `sourceMin` attempts), and site-wide (the circuit breaker). */
  declines: { sourceMin: number; sourceRatio: number; siteWindowMs: number; siteMin: number; siteRatio: number; pauseMs: number };
  /** Amounts at or below this, in the currency's minor unit, step a guest up to 3-D Secure. By currency (ISO 4217), with a `default`. */
  smallAmount: Record<string, number>;
  /** How long a source past a block threshold is blocked. Default 1 hour. */
  blockForMs: number;
  /** The brands the shop takes (default: all that card.ts knows). */
  accept?: readonly CardBrand[];
}

const HOUR = 3_600_000;

export const CHECKOUT_DEFAULTS: CheckoutPolicy = {
  mode: 'enforce',
  windowMs: HOUR,
  failures: { cardSource: 3, card: 10, customer: 5, source: 10 },
  cardsPer: {
    source: { challengeAt: 3, blockAt: 6 },
    network: { challengeAt: 8, blockAt: 20 },
    session: { challengeAt: 3, blockAt: 5 },
    device: { challengeAt: 3, blockAt: 5 },
    account: { challengeAt: 4, blockAt: 8 },
  },
  guestWeight: 1.5,
  variantsPerCard: 3,
  bin: { windowMs: 10 * 60_000, stepUpAtCards: 20, stepUpAtDeclines: 3, challengeAtSources: 8 },
  sequence: { maxGap: 100, count: 3 },
  declines: { sourceMin: 5, sourceRatio: 0.5, siteWindowMs: 10 * 60_000, siteMin: 50, siteRatio: 0.5, pauseMs: 15 * 60_000 },
  smallAmount: { default: 100, JPY: 100 },
  blockForMs: HOUR,
};

export interface CheckoutAttempt {
  /** The client's address, as the proxy or adapter resolved it. */
  ip: string;
  card: CardInput;
  /** In the currency's minor unit (cents; yen). */
  amount: number;
  /** ISO 4217, e.g. JPY. */
  currency: string;
  /** The logged-in customer's account; absent for a guest checkout. */
  account?: string;
  /** The shop's session id, when it has one. */
  session?: string;
  /** A device id (mamori's trusted-device id, or the shop's). */
  device?: string;
  /** The client solved a proof-of-work challenge for this attempt. */
  challengePassed?: boolean;
}

export type CheckoutAction = 'allow' | 'step-up' | 'challenge' | 'block' | 'reject';

export interface CheckoutVerdict {
  /** `step-up`: go on, with 3-D Secure; `reject`: the card is invalid (answer as a decline). */
  action: CheckoutAction;
  ruleId?: string;
  reason?: string;
  /** What was kept of the card, when it could be read. */
  card?: CardRef | Partial<CardRef>;
  /** With `reject`: what is wrong with the card. */
  problem?: CardProblem;
  /** Seconds, for a Retry-After. */
  retryAfter?: number;
  /** In detect mode: what would have been done. The checkout goes on. */
  detectOnly?: boolean;
  /** Every signal that fired, strongest first (`checkout.cards-per-source`, ...). */
  signals: string[];
}

export interface PendingCheckout {
  readonly verdict: CheckoutVerdict;
  /** @internal What report needs: the keys counted at check. */
  readonly counted: readonly string[];
  readonly ip: string;
  readonly userId?: string;
  readonly card?: CardRef;
  /** @internal The BIN's sets this attempt holds a place in, and since when (given back on approval). */
  held?: { ops: readonly { key: string; member: string; ttlMs: number }[]; at: number };
  readonly sourceDeclinesKey: string;
  settled: boolean;
}

export interface CheckoutOutcome {
  approved: boolean;
  /** The gateway's decline code (bounded to 64 characters in events). */
  declineCode?: string;
}

export interface CheckoutGuardDeps {
  store: Store;
  clock: Clock;
  /** The instance secret: card and account hashes are keyed by what is derived from it. */
  secret: Buffer;
  events: EventSink;
  grouping?: SourceGrouping;
  /** How an account name becomes user.id (the login guard's, so both name one account alike). */
  userHash?: (account: string) => string;
  /**
   * The key card numbers are hashed under (32 bytes). Not derived from the instance secret: with
   * data_dir (the secret, the counters) and a card's first six and last four, a key derived from
   * it would let the few numbers that fit be tried one by one. Default: drawn when the process
   * starts, never written (cards are then counted per process, and a restart forgets their
   * counts); processes that share a store (Redis) share one: MAMORI_CARD_KEY.
   */
  cardKey?: Uint8Array;
}

interface Signal {
  rule: string;
  action: Exclude<CheckoutAction, 'allow' | 'reject'>;
  reason: string;
  /** A source decision goes with this block. */
  decide?: boolean;
}

const RANK: Record<CheckoutAction, number> = { allow: 0, 'step-up': 1, challenge: 2, block: 3, reject: 4 };

export class CheckoutGuard {
  readonly policy: CheckoutPolicy;
  readonly #d: CheckoutGuardDeps;
  readonly #cardKey: Buffer;
  readonly #windows: CheckoutWindows;
  readonly #grouping: SourceGrouping;

  constructor(policy: Partial<CheckoutPolicy>, deps: CheckoutGuardDeps) {
    this.policy = { ...CHECKOUT_DEFAULTS, ...policy };
    this.#d = deps;
    this.#cardKey = deps.cardKey ? Buffer.from(deps.cardKey) : randomBytes(32);
    this.#windows = new CheckoutWindows({ windowMs: this.policy.windowMs });
    this.#grouping = deps.grouping ?? { ipv4Prefix: 32, ipv6Prefix: 64 };
  }

  #userHash(account: string): string {
    return this.#d.userHash ? this.#d.userHash(account) : hmac(this.#d.secret, 'mamori checkout account', account).subarray(0, 16).toString('base64url');
  }

  /** Before the gateway is called: what to do with this payment attempt. */
  async check(a: CheckoutAttempt): Promise<PendingCheckout> {
    const p = this.policy;
    const now = this.#d.clock.now();
    const guest = a.account === undefined || a.account === '';
    const userId = guest ? undefined : this.#userHash(String(a.account));
    const src = sourceKey(a.ip, this.#grouping);
    const net = sourceKey(a.ip, { ipv4Prefix: 24, ipv6Prefix: 48 });
    const sourceDeclinesKey = `cv:src:${src}`;
    const base = { ip: a.ip, sourceDeclinesKey, ...(userId ? { userId } : {}) };

    // 1. Decisions, and 2. the circuit breaker.
    const [decisions, [paused = 0]] = await Promise.all([this.#d.store.decisions.match({ ip: a.ip, ...(userId ? { userHash: userId } : {}) }), this.#d.store.read(['cp:paused'])]);
    const decided = strongest(decisions, p.mode === 'detect');
    const allowed = decided?.action === 'allow';
    if (decided && !allowed) {
      return this.#finish(a, base, [], undefined, { rule: `decision:${decided.id}`, action: decided.action as 'challenge' | 'block', reason: decided.reason }, decided, now);
    }
    if (paused > 0 && guest && !allowed) {
      return this.#finish(a, base, [], undefined, { rule: 'checkout.paused', action: 'block', reason: 'guest checkout is paused: site-wide declines show a card-testing attack' }, undefined, now, p.declines.pauseMs / 1000);
    }

    // 3. The card.
    const read = readCard(a.card, this.#cardKey, now, p.accept);
    const card = read.ok ? read.card : undefined;
    const failureKeys = [`cf:src:${src}`, ...(userId ? [`cf:acct:${userId}`] : []), ...(card ? [`cf:card:${card.id}`, `cf:cs:${card.id}:${src}`] : [])];
    // 4. Counted as a failure now; an approval takes it back.
    const counts = await this.#d.store.increment([
      ...failureKeys.map((key) => ({ key, ttlMs: p.windowMs, floor: true })),
      { key: `ca:src:${src}`, ttlMs: p.windowMs },
    ]);
    const before = (key: string): number => (counts[failureKeys.indexOf(key)] ?? 1) - 1;
    const sourceAttempts = counts[failureKeys.length] ?? 0;

    if (!read.ok) {
      const v: CheckoutVerdict = {
        action: 'reject',
        ruleId: `checkout.card-${read.problem}`,
        reason: read.detail,
        problem: read.problem,
        signals: [`checkout.card-${read.problem}`],
        ...(read.card ? { card: read.card } : {}),
        ...(p.mode === 'detect' ? { detectOnly: true } : {}),
      };
      const pending = this.#pending(v, failureKeys, base, undefined);
      // Not sent anywhere: a failure as it stands.
      pending.settled = true;
      this.#emit('checkout-rejected', a, base.userId, v, 50);
      // Past the source's limit by rejects alone: the source is blocked.
      if (before(`cf:src:${src}`) + 1 === p.failures.source) await this.#decide(a, base.userId, `${p.failures.source} failed payments from this source`, 'checkout.failures-source');
      return pending;
    }

    // An operator's exception (the shop's own test cards, a partner's server): no signal applies;
    // what was counted stays for report to settle.
    if (allowed) return this.#pending({ action: 'allow', ruleId: `decision:${decided.id}`, reason: decided.reason, signals: [], card: read.card }, failureKeys, base, read.card);

    // 5. Signals.
    const w = guest ? p.guestWeight : 1;
    const sets: { key: string; member: string; ttlMs: number }[] = [
      { key: `cd:src:${src}`, member: read.card.id, ttlMs: p.windowMs },
      { key: `cd:net:${net}`, member: read.card.id, ttlMs: p.windowMs },
      { key: `cb:cards:${read.card.bin}`, member: read.card.id, ttlMs: p.bin.windowMs },
      { key: `cb:srcs:${read.card.bin}`, member: src, ttlMs: p.bin.windowMs },
    ];
    if (a.session) sets.push({ key: `cd:ses:${hmac(this.#d.secret, 'checkout session', a.session).subarray(0, 12).toString('base64url')}`, member: read.card.id, ttlMs: p.windowMs });
    if (a.device) sets.push({ key: `cd:dev:${hmac(this.#d.secret, 'checkout device', a.device).subarray(0, 12).toString('base64url')}`, member: read.card.id, ttlMs: p.windowMs });
    if (userId) sets.push({ key: `cd:acct:${userId}`, member: read.card.id, ttlMs: p.windowMs });
    const [distinct, [sourceDeclines = 0, binDeclines = 0]] = await Promise.all([this.#d.store.addDistinct(sets), this.#d.store.read([sourceDeclinesKey, `cb:dec:${read.card.bin}`])]);
    const [perSource = 0, perNet = 0, binCards = 0, binSources = 0] = distinct;
    let i = 4;
    const perSession = a.session ? distinct[i++]! : 0;
    const perDevice = a.device ? distinct[i++]! : 0;
    const perAccount = userId ? distinct[i++]! : 0;
    const variants = this.#windows.variants(read.card.id, read.card.expiry, a.card.cvc, now);
    const neighbours = this.#windows.neighbours(read.card.bin, read.digits, now, p.sequence.maxGap);

    const signals: Signal[] = [];
    const f = p.failures;
    if (before(`cf:cs:${read.card.id}:${src}`) >= f.cardSource) signals.push({ rule: 'checkout.failures-card-source', action: 'block', reason: `${before(`cf:cs:${read.card.id}:${src}`)} failed payments with this card from this source` });
    if (before(`cf:card:${read.card.id}`) >= f.card) signals.push({ rule: 'checkout.failures-card', action: 'block', reason: `${before(`cf:card:${read.card.id}`)} failed payments with this card` });
    if (userId && before(`cf:acct:${userId}`) >= f.customer) signals.push({ rule: 'checkout.failures-customer', action: 'block', reason: `${before(`cf:acct:${userId}`)} failed payments by this customer` });
    if (before(`cf:src:${src}`) >= f.source) signals.push({ rule: 'checkout.failures-source', action: 'block', reason: `${before(`cf:src:${src}`)} failed payments from this source`, decide: true });
    const tiers: [string, number, Threshold, string, boolean][] = [
      ['checkout.cards-per-source', perSource, p.cardsPer.source, 'cards from this source', true],
      ['checkout.cards-per-network', perNet, p.cardsPer.network, 'cards from this network', false],
      ['checkout.cards-per-session', perSession, p.cardsPer.session, 'cards in this session', false],
      ['checkout.cards-per-device', perDevice, p.cardsPer.device, 'cards from this device', false],
      ['checkout.cards-per-account', perAccount, p.cardsPer.account, "cards on this customer's account", false],
    ];
    for (const [rule, n, t, what, decide] of tiers) {
      const weighed = n * w;
      if (weighed >= t.blockAt) signals.push({ rule, action: 'block', reason: `${n} ${what}${guest ? ' (a guest checkout)' : ''}`, decide });
      else if (weighed >= t.challengeAt) signals.push({ rule, action: 'challenge', reason: `${n} ${what}${guest ? ' (a guest checkout)' : ''}` });
    }
    if (variants >= p.variantsPerCard) signals.push({ rule: 'checkout.card-variants', action: 'block', reason: `${variants} expiry dates or security codes tried with this card` });
    if (neighbours + 1 >= p.sequence.count) signals.push({ rule: 'checkout.sequence', action: 'challenge', reason: `${neighbours + 1} numbers in sequence in BIN ${read.card.bin}` });
    if (binSources >= p.bin.challengeAtSources && guest) signals.push({ rule: 'checkout.bin-sources', action: 'challenge', reason: `BIN ${read.card.bin} tried from ${binSources} sources (distributed enumeration)` });
    if (binCards >= p.bin.stepUpAtCards) signals.push({ rule: 'checkout.bin-cards', action: 'step-up', reason: `${binCards} cards of BIN ${read.card.bin} tried` });
    else if (binDeclines >= p.bin.stepUpAtDeclines) signals.push({ rule: 'checkout.bin-declines', action: 'step-up', reason: `${binDeclines} payments with cards of BIN ${read.card.bin} declined` });
    const d = p.declines;
    if (sourceAttempts - 1 >= d.sourceMin && sourceDeclines / (sourceAttempts - 1) >= d.sourceRatio) {
      signals.push({ rule: 'checkout.decline-ratio', action: 'challenge', reason: `${sourceDeclines} of ${sourceAttempts - 1} payments from this source declined` });
    }
    const small = p.smallAmount[String(a.currency).toUpperCase()] ?? p.smallAmount.default ?? 0;
    if (guest && Number.isFinite(a.amount) && a.amount <= small) signals.push({ rule: 'checkout.small-amount', action: 'step-up', reason: `a very small amount (${a.amount} ${String(a.currency).slice(0, 3)}) in a guest checkout` });

    signals.sort((x, y) => RANK[y.action] - RANK[x.action]);
    let top = signals[0];
    // A solved challenge buys the attempt past challenges (a bot can solve them too: it pays in CPU); never past a block.
    if (top && top.action === 'challenge' && a.challengePassed) {
      const rest = signals.find((s) => s.action !== 'challenge');
      top = rest ?? undefined;
    }
    const pending = await this.#finish(a, base, failureKeys, read.card, top, undefined, now, undefined, signals.map((s) => s.rule));
    // The BIN's counts are of payments that did not go through: an approval gives its place back,
    // so a BIN many real customers share (a big bank's) does not look like one under attack.
    pending.held = { ops: sets.slice(2, 4), at: this.#d.clock.now() };
    return pending;
  }

  /** The counter ops that take back the failure check counted under each key. */
  #takeBack(counted: readonly string[]): CounterOp[] {
    return counted.map((key) => ({ key, by: -1, ttlMs: this.policy.windowMs, floor: true }));
  }

  /** Gives back the attempt's places in its BIN's sets (see check). */
  async #unhold(pending: PendingCheckout): Promise<void> {
    const h = pending.held;
    if (h) await this.#d.store.removeDistinct(h.ops.map((o) => ({ ...o, heldAt: h.at })));
  }

  /** After the gateway answered. An approval takes back the failure check counted; a decline keeps it. Settles once. */
  async report(pending: PendingCheckout, outcome: CheckoutOutcome): Promise<void> {
    if (pending.settled) return;
    pending.settled = true;
    const p = this.policy;
    const site = this.#siteWindows();
    if (outcome.approved) {
      await Promise.all([
        this.#d.store.increment([...this.#takeBack(pending.counted), { key: site.attempts, ttlMs: site.ttlMs }]),
        this.#unhold(pending),
      ]);
      return;
    }
    // A payment sent on with 3-D Secure asked for and then declined most likely failed 3-D Secure:
    // the attack it belongs to is already held off (no authorization, no fee), so it does not
    // count towards pausing guest checkout, which would turn real guests away for nothing.
    const steppedUp = pending.verdict.action === 'step-up' && !pending.verdict.detectOnly;
    // The site's ratio is of payments the gateway answered (cards mamori rejected cost nothing, and
    // counted as attempts they would dilute it for free), over a sliding window: this window's
    // counts and the share of the last one's still inside it.
    await this.#d.store.increment([
      { key: pending.sourceDeclinesKey, ttlMs: p.windowMs },
      ...(steppedUp ? [] : [{ key: site.attempts, ttlMs: site.ttlMs }, { key: site.declines, ttlMs: site.ttlMs }]),
      ...(pending.card ? [{ key: `cb:dec:${pending.card.bin}`, ttlMs: p.bin.windowMs }] : []),
    ]);
    const [curA = 0, curD = 0, prevA = 0, prevD = 0] = steppedUp ? [] : await this.#d.store.read([site.attempts, site.declines, site.prevAttempts, site.prevDeclines]);
    const siteAttempts = Math.round(curA + prevA * (1 - site.fraction));
    const siteDeclines = Math.round(curD + prevD * (1 - site.fraction));
    const d = p.declines;
    const code = typeof outcome.declineCode === 'string' ? outcome.declineCode.slice(0, 64) : undefined;
    this.#emit('checkout-declined', { ip: pending.ip }, pending.userId, { action: 'allow', signals: [], ...(pending.card ? { card: pending.card } : {}), ...(code ? { reason: `declined: ${code}` } : {}) }, 20);
    if (!steppedUp && siteDeclines >= d.siteMin && siteDeclines / Math.max(1, siteAttempts) >= d.siteRatio) {
      const [was = 0] = await this.#d.store.read(['cp:paused']);
      if (was === 0) {
        await this.#d.store.increment([{ key: 'cp:paused', ttlMs: d.pauseMs }]);
        this.#emit('checkout-paused', { ip: pending.ip }, undefined, { action: 'block', ruleId: 'checkout.paused', reason: `${siteDeclines} of ${siteAttempts} payments declined site-wide: guest checkout paused for ${Math.round(d.pauseMs / 60_000)} minutes`, signals: [] }, 99);
      }
    }
  }

  /** The site's decline-ratio counters: this window's and the last one's, and how far into this one it is. */
  #siteWindows(): { attempts: string; declines: string; prevAttempts: string; prevDeclines: string; fraction: number; ttlMs: number } {
    const w = this.policy.declines.siteWindowMs;
    const now = this.#d.clock.now();
    const i = Math.floor(now / w);
    return { attempts: `ca:site:${i}`, declines: `cv:site:${i}`, prevAttempts: `ca:site:${i - 1}`, prevDeclines: `cv:site:${i - 1}`, fraction: (now - i * w) / w, ttlMs: 2 * w };
  }

  /** For an attempt that never reached the gateway (the shop gave up): takes back what check counted. */
  async release(pending: PendingCheckout): Promise<void> {
    if (pending.settled) return;
    pending.settled = true;
    await Promise.all([this.#d.store.increment(this.#takeBack(pending.counted)), this.#unhold(pending)]);
  }

  #pending(v: CheckoutVerdict, counted: readonly string[], base: Omit<PendingCheckout, 'verdict' | 'counted' | 'settled' | 'card'>, card: CardRef | undefined): PendingCheckout {
    return { ...base, verdict: v, counted, ...(card ? { card } : {}), settled: false };
  }

  async #finish(
    a: CheckoutAttempt,
    base: Omit<PendingCheckout, 'verdict' | 'counted' | 'settled' | 'card'>,
    counted: readonly string[],
    card: CardRef | undefined,
    top: Signal | undefined,
    decision: Decision | undefined,
    now: number,
    retryAfter?: number,
    fired: string[] = top ? [top.rule] : [],
  ): Promise<PendingCheckout> {
    const detect = this.policy.mode === 'detect';
    if (!top) return this.#pending({ action: 'allow', signals: fired, ...(card ? { card } : {}) }, counted, base, card);
    const v: CheckoutVerdict = {
      action: top.action,
      ruleId: top.rule,
      reason: top.reason,
      signals: fired,
      ...(card ? { card } : {}),
      ...(top.action === 'block' ? { retryAfter: Math.max(1, Math.ceil(retryAfter ?? (decision ? (decision.expiresAt - now) / 1000 : this.policy.windowMs / 1000))) } : {}),
      ...(detect ? { detectOnly: true } : {}),
    };
    const pending = this.#pending(v, counted, base, card);
    const event = v.action === 'block' ? 'checkout-blocked' : v.action === 'challenge' ? 'checkout-challenged' : 'checkout-step-up';
    this.#emit(event, a, base.userId, v, v.action === 'step-up' ? 50 : 73);
    if (top.decide && v.action === 'block') await this.#decide(a, base.userId, top.reason, top.rule);
    if ((v.action === 'block' || v.action === 'challenge') && !detect && counted.length > 0) {
      // Refused before the gateway: not a failed payment. (Rejects, above, are.)
      pending.settled = true;
      await this.#d.store.increment(this.#takeBack(counted));
    }
    return pending;
  }

  async #decide(a: { ip: string }, userId: string | undefined, reason: string, rule: string): Promise<void> {
    if (!tryParseIp(a.ip)) return;
    const src = sourceKey(a.ip, this.#grouping);
    const detect = this.policy.mode === 'detect';
    const d = await this.#d.store.decisions.add({
      action: 'block',
      scope: src.includes('/') ? 'range' : 'ip',
      value: src.includes('/') ? src : a.ip,
      expiresAt: this.#d.clock.now() + this.policy.blockForMs,
      origin: CHECKOUT_ORIGIN,
      reason: `card testing: ${reason}`,
      ...(detect ? { detectOnly: true } : {}),
    });
    this.#emit('card-testing', a, userId, { action: 'block', ruleId: rule, reason: d.reason, signals: [] }, 73, d);
  }

  #emit(action: string, a: { ip: string; currency?: string; amount?: number }, userId: string | undefined, v: Pick<CheckoutVerdict, 'ruleId' | 'reason' | 'card' | 'action' | 'signals'>, severity: number, decision?: Decision): void {
    const e: SecurityEvent = {
      '@timestamp': new Date(this.#d.clock.now()).toISOString(),
      'event.action': action,
      'event.category': 'web',
      'event.module': CHECKOUT_ORIGIN,
      'event.outcome': action === 'checkout-declined' || action === 'checkout-rejected' ? 'failure' : 'unknown',
      'event.severity': severity,
      'source.ip': a.ip,
    };
    if (userId) e['user.id'] = userId;
    if (v.ruleId) e['rule.id'] = v.ruleId;
    if (v.reason) e['event.reason'] = v.reason;
    if (v.card?.brand) e['mamori.card.brand'] = v.card.brand;
    if (v.card?.bin) e['mamori.card.bin'] = v.card.bin;
    if (v.card?.last4) e['mamori.card.last4'] = v.card.last4;
    if (decision) {
      e['mamori.decision.id'] = decision.id;
      e['mamori.decision.action'] = decision.action;
    }
    if (this.policy.mode === 'detect') e['mamori.detect_only'] = true;
    this.#d.events.emit(e);
  }
}
