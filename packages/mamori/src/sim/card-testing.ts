/**
 * The card-testing simulator (`mamori simulate card-testing`): an enumeration attack on a shop's
 * checkout while real customers pay, against a site you own. The attacker:
 *
 * - generates Luhn-valid numbers in one BIN (most at random in it, some walking the digits);
 * - spreads them over many sources (documentation addresses, sent as X-Forwarded-For, which only
 *   the demo config believes);
 * - guesses expiry dates and security codes, and tries some numbers again with other guesses;
 * - pays tiny amounts half the time, as testers do, and ordinary ones the other half;
 * - solves proof-of-work challenges as a bot would (natively, in no time).
 *
 * Real customers pay with the shop's test cards from their own addresses, as guests, and solve
 * any challenge their browser is given. The report counts what reached the gateway, from the
 * gateway's own statistics (the demo shop's `GET /api/gateway/stats`), and what happened to the
 * customers.
 */
import { withCheckDigit } from '../checkout/card.js';
import { MamoriError } from '../core/errors.js';
import { SeededRandom } from '../core/random.js';
import { answerChallenge, CookieJar, setCookies } from './http.js';
import { checkTarget, sameOrigin } from './target.js';
import type { SimFetch, SimResponse } from './types.js';

export interface CardTestingOptions {
  /** Origin of the shop (through mamori, or not). */
  target: string;
  iOwnTheTarget?: boolean;
  /** Attacker payment attempts (1 to 20,000). Default 200. */
  attempts?: number;
  /** Sources the attack is spread over (1 to 5,000). Default 100. */
  sources?: number;
  /** One customer pays after every N attacker attempts. Default 20. */
  customerEvery?: number;
  /** Attacker requests in flight at once (1 to 64). Default 8. */
  concurrency?: number;
  /** Attackers solve challenges (default true). */
  attackersSolve?: boolean;
  /** The customers' cards (the shop's test cards). */
  customerCards: readonly string[];
  checkoutPath?: string;
  statsPath?: string;
  fetch?: SimFetch;
  /** Seed of the attacker's numbers, so a run can be repeated. */
  seed?: number;
  /** Called after each attacker attempt. */
  onProgress?: (done: number, total: number) => void;
}

export interface GatewayCounts {
  authorizations: number;
  fees_jpy: number;
}

export interface CardTestingReport {
  target: string;
  attacker: {
    attempts: number;
    /** Answered by the shop (its gateway, or 3-D Secure). */
    reachedShop: number;
    /** Refused by mamori: invalid card (a local decline), challenge not solved, block. */
    rejectedInvalid: number;
    challenged: number;
    solved: number;
    blocked: number;
    errors: number;
  };
  customers: { checkouts: number; approved: number; challenged: number; refused: number };
  /** The gateway's own counts over the run (customers' authorizations included). */
  gateway: GatewayCounts;
  /** Authorizations the attack caused (the gateway's count less the customers'), and their fees. */
  attackAuthorizations: number;
  attackFeesJpy: number;
  elapsedMs: number;
}

const ATTACKER_UA = 'mamori-simulator/0.1 (card tester)';
const CUSTOMER_UA = 'Mozilla/5.0 (mamori-simulator; customer)';

function whole(v: number | undefined, d: number, lo: number, hi: number, what: string): number {
  const n = v ?? d;
  if (!Number.isInteger(n) || n < lo || n > hi) throw new MamoriError('MAMORI_ERR_SIM_OPTIONS', `${what} must be a whole number from ${lo} to ${hi}`);
  return n;
}

/** The i-th attacker source: documentation addresses, IPv4 and IPv6 alternately. */
function source(i: number): string {
  if (i % 2 === 0) return i % 4 === 0 ? `198.51.100.${(i >> 2) % 254 + 1}` : `203.0.113.${(i >> 2) % 254 + 1}`;
  return `2001:db8:${(i >> 1).toString(16)}::${(i % 251) + 1}`;
}

async function gatewayCounts(fetcher: SimFetch, url: URL): Promise<GatewayCounts> {
  // (SimFetch's type names POST, what the login simulator sends; the fetch behind it takes GET too.)
  const get = fetcher as unknown as (u: string, i: { method: 'GET'; signal: AbortSignal }) => Promise<SimResponse>;
  const res = await get(url.href, { method: 'GET', signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  const j = JSON.parse(body) as Partial<GatewayCounts>;
  if (res.status !== 200 || typeof j.authorizations !== 'number' || typeof j.fees_jpy !== 'number') {
    throw new MamoriError('MAMORI_ERR_SIM_TARGET', `${url.pathname} did not answer the gateway's statistics (the demo shop's GET /api/gateway/stats)`);
  }
  return { authorizations: j.authorizations, fees_jpy: j.fees_jpy };
}

export async function runCardTestingSimulation(opts: CardTestingOptions): Promise<CardTestingReport> {
  const target = checkTarget(opts.target, { iOwnTheTarget: opts.iOwnTheTarget });
  const attempts = whole(opts.attempts, 200, 1, 20_000, 'attempts');
  const sources = whole(opts.sources, 100, 1, 5000, 'sources');
  const customerEvery = whole(opts.customerEvery, 20, 1, 10_000, 'customer-every');
  const concurrency = whole(opts.concurrency, 8, 1, 64, 'concurrency');
  if (opts.customerCards.length === 0) throw new MamoriError('MAMORI_ERR_SIM_OPTIONS', 'the customers need at least one card the shop approves');
  const fetcher = opts.fetch ?? (globalThis.fetch as unknown as SimFetch);
  const checkoutUrl = sameOrigin(target, opts.checkoutPath ?? '/api/checkout');
  const statsUrl = sameOrigin(target, opts.statsPath ?? '/api/gateway/stats');
  if (!checkoutUrl || !statsUrl) throw new MamoriError('MAMORI_ERR_SIM_OPTIONS', 'the checkout and statistics paths must be paths on the target');
  // The attacker's choices, repeatable from a seed.
  const seeded = new SeededRandom(opts.seed ?? 20261203);
  const rand = (): number => seeded.float();
  const started = Date.now();
  const before = await gatewayCounts(fetcher, statsUrl);

  const report: CardTestingReport = {
    target: target.origin,
    attacker: { attempts: 0, reachedShop: 0, rejectedInvalid: 0, challenged: 0, solved: 0, blocked: 0, errors: 0 },
    customers: { checkouts: 0, approved: 0, challenged: 0, refused: 0 },
    gateway: { authorizations: 0, fees_jpy: 0 },
    attackAuthorizations: 0,
    attackFeesJpy: 0,
    elapsedMs: 0,
  };

  interface Client {
    ip: string;
    jar: CookieJar;
    ua: string;
  }
  const post = async (c: Client, url: URL, body: string): Promise<SimResponse | undefined> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': c.ua, 'x-forwarded-for': c.ip };
    const cookie = c.jar.header();
    if (cookie) headers['cookie'] = cookie;
    try {
      const res = await fetcher(url.href, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      c.jar.store(setCookies(res));
      return res;
    } catch {
      return undefined;
    }
  };
  /** One payment; a challenge solved once and the payment sent again. */
  const pay = async (c: Client, body: string, solves: boolean, maxDifficulty: number): Promise<{ status: number; challenged: boolean; solved: boolean; reason?: string }> => {
    const first = await post(c, checkoutUrl, body);
    if (!first) return { status: 0, challenged: false, solved: false };
    const text = await first.text().catch(() => '');
    // mamori's challenge, in JSON: {"challenge": {"token", "difficulty", "submit"}}.
    if (first.status !== 200 && first.status !== 402 && text.includes('"challenge"')) {
      if (!solves) return { status: first.status, challenged: true, solved: false };
      const replay: SimResponse = { status: first.status, headers: first.headers, text: async () => text };
      const ok = await answerChallenge(target, replay, maxDifficulty, (url, b) => post(c, url, b));
      if (!ok) return { status: first.status, challenged: true, solved: false };
      const again = await post(c, checkoutUrl, body);
      if (!again) return { status: 0, challenged: true, solved: true };
      return { status: again.status, challenged: true, solved: true, reason: reasonOf(await again.text().catch(() => '')) };
    }
    return { status: first.status, challenged: false, solved: false, reason: reasonOf(text) };
  };

  const attackers = new Map<string, Client>();
  const attacker = (): Client => {
    const ip = source(Math.floor(rand() * sources));
    let c = attackers.get(ip);
    if (!c) attackers.set(ip, (c = { ip, jar: new CookieJar(), ua: ATTACKER_UA }));
    return c;
  };
  const tried: string[] = [];
  const bin = '45320000';
  const attackBody = (i: number): string => {
    let number: string;
    if (tried.length > 0 && rand() < 0.2) number = tried[Math.floor(rand() * tried.length)]!; // again, with other guesses
    else if (rand() < 0.3) number = withCheckDigit(bin + String(100_000 + i).padStart(7, '0')); // walking the digits
    else number = withCheckDigit(bin + String(Math.floor(rand() * 1e7)).padStart(7, '0'));
    if (tried.length < 1000) tried.push(number);
    const card = { number, exp_month: 1 + Math.floor(rand() * 12), exp_year: 2027 + Math.floor(rand() * 4), cvc: String(Math.floor(rand() * 1000)).padStart(3, '0') };
    // Half of them tiny amounts, as testers like; half what a real basket costs, to look like one.
    const amount = rand() < 0.5 ? 1 + Math.floor(rand() * 100) : 1000 + Math.floor(rand() * 9000);
    return JSON.stringify({ card, amount });
  };

  let customerNo = 0;
  const customer = async (): Promise<void> => {
    const n = customerNo++;
    const c: Client = { ip: `192.0.2.${(n % 200) + 20}`, jar: new CookieJar(), ua: CUSTOMER_UA };
    const number = opts.customerCards[n % opts.customerCards.length]!;
    const body = JSON.stringify({ card: { number, exp_month: 12, exp_year: 2030, cvc: '123' }, amount: 3000 + ((n * 1237) % 20_000) });
    report.customers.checkouts++;
    // A browser solves what mamori shows browsers (challenge.browser_max_difficulty, default 22).
    const r = await pay(c, body, true, 22);
    if (r.challenged) report.customers.challenged++;
    if (r.status === 200) report.customers.approved++;
    else report.customers.refused++;
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < attempts) {
      const i = next++;
      if (i % customerEvery === 0) await customer();
      const c = attacker();
      report.attacker.attempts++;
      // A bot solves natively, but not without end: past 20 bits (a second or so each) it moves on.
      const r = await pay(c, attackBody(i), opts.attackersSolve !== false, 20);
      if (r.challenged) report.attacker.challenged++;
      if (r.solved) report.attacker.solved++;
      if (r.status === 0) report.attacker.errors++;
      else if (r.reason === 'card_invalid') report.attacker.rejectedInvalid++;
      else if (r.status === 200 || r.status === 402) report.attacker.reachedShop++;
      else if (r.status === 429 || r.status === 403) report.attacker.blocked++;
      else report.attacker.errors++;
      opts.onProgress?.(report.attacker.attempts, attempts);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await customer();

  const after = await gatewayCounts(fetcher, statsUrl);
  report.gateway = { authorizations: after.authorizations - before.authorizations, fees_jpy: after.fees_jpy - before.fees_jpy };
  // Customers pay with approved cards: each approval is one authorization of theirs.
  report.attackAuthorizations = Math.max(0, report.gateway.authorizations - report.customers.approved);
  const feePer = report.gateway.authorizations > 0 ? report.gateway.fees_jpy / report.gateway.authorizations : 0;
  report.attackFeesJpy = Math.round(report.attackAuthorizations * feePer);
  report.elapsedMs = Date.now() - started;
  return report;
}

function reasonOf(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { reason?: unknown };
    return typeof j.reason === 'string' ? j.reason : undefined;
  } catch {
    return undefined;
  }
}

