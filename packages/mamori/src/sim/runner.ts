/**
 * Runs a scenario against a target: attacker attempts with bounded
 * concurrency, pace and time, and between them the real user logging in as
 * a returning browser does (keeping her cookies, solving any challenge), so
 * the report shows both what the attack achieved and what it cost her.
 *
 * Nothing is sent anywhere but the target's origin (checked on loopback
 * unless `iOwnTheTarget`); redirects are never followed.
 *
 * Example:
 *   const report = await runSimulation('brute-force', { target: 'http://127.0.0.1:8080', attempts: 100 });
 *   console.log(report.attacker.blocked, report.user.succeeded);
 */
import { systemClock, type Clock } from '../core/clock.js';
import { MamoriError } from '../core/errors.js';
import { CookieJar, answerChallenge, classifyLogin, discardBody, setCookies } from './http.js';
import { SIM_SCENARIOS } from './scenarios/builtins.js';
import { SIM_USER_IP } from './sources.js';
import { checkTarget, sameOrigin } from './target.js';
import type { SimAttempt, SimAttackerSuccess, SimClassification, SimScenario, SimFetch, SimOptions, SimReport, SimResponse, SimTally } from './types.js';

/** The demo shop's seeded customer (public demo credentials). */
export const SIM_DEMO_USER = Object.freeze({ username: 'alice@example.com', password: 'alice-demo-password' });

export const SIM_LIMITS = Object.freeze({ maxAttempts: 10_000, maxConcurrency: 64, maxSuccessesListed: 100 });

const DEFAULTS = { concurrency: 4, maxDurationMs: 5 * 60_000, requestTimeoutMs: 10_000, userEvery: 25, maxSolveDifficulty: 24 };
const ATTACKER_UA = 'mamori-simulator/0.1 (attacker)';
const USER_UA = 'Mozilla/5.0 (mamori-simulator; real user)';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

export function emptyTally(): SimTally {
  return { attempts: 0, allowed: 0, challenged: 0, blocked: 0, succeeded: 0, errors: 0, solved: 0 };
}

function options(message: string): MamoriError {
  return new MamoriError('MAMORI_ERR_SIM_OPTIONS', message);
}

function whole(v: number | undefined, fallback: number, min: number, max: number, what: string): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max) throw options(`${what} must be a whole number from ${min} to ${max}, not ${String(v)}`);
  return n;
}

export function resolveScenario(s: SimScenario | string): SimScenario {
  if (typeof s !== 'string') return s;
  const found = SIM_SCENARIOS.has(s) ? SIM_SCENARIOS.get(s) : undefined;
  if (!found) throw options(`unknown scenario "${s.slice(0, 40)}"; choose one of ${SIM_SCENARIOS.names().join(', ')}`);
  return found;
}

/** One login as seen by a tally: what mamori answered first, and how it ended. */
interface LoginResult {
  first: SimClassification;
  final: SimClassification;
  solved: boolean;
}

function count(t: SimTally, r: LoginResult): void {
  t.attempts++;
  if (r.first === 'challenge') t.challenged++;
  if (r.solved) t.solved++;
  if (r.final === 'success' || r.final === 'failure') t.allowed++;
  if (r.final === 'success') t.succeeded++;
  if (r.final === 'block') t.blocked++;
  if (r.final === 'error') t.errors++;
}

interface Client {
  readonly ip: string;
  readonly jar: CookieJar | undefined;
  readonly userAgent: string;
  readonly accept: string;
  readonly solves: boolean;
}

export async function runSimulation(scenarioOrName: SimScenario | string, opts: SimOptions): Promise<SimReport> {
  const scenario = resolveScenario(scenarioOrName);
  const target = checkTarget(opts.target, { iOwnTheTarget: opts.iOwnTheTarget });
  const attempts = whole(opts.attempts, scenario.defaultAttempts, 1, SIM_LIMITS.maxAttempts, 'attempts');
  const concurrency = whole(opts.concurrency, DEFAULTS.concurrency, 1, SIM_LIMITS.maxConcurrency, 'concurrency');
  const userEvery = whole(opts.userEvery, DEFAULTS.userEvery, 0, SIM_LIMITS.maxAttempts, 'user-every');
  const maxSolve = whole(opts.maxSolveDifficulty, DEFAULTS.maxSolveDifficulty, 0, 32, 'max solve difficulty');
  const maxDurationMs = opts.maxDurationMs ?? DEFAULTS.maxDurationMs;
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  if (!(maxDurationMs > 0)) throw options(`the time limit must be positive, not ${String(maxDurationMs)}`);
  if (!(requestTimeoutMs > 0)) throw options(`the request time limit must be positive, not ${String(requestTimeoutMs)}`);
  if (opts.rate !== undefined && !(Number.isFinite(opts.rate) && opts.rate > 0 && opts.rate <= 100_000)) {
    throw options(`the rate must be a positive number of attempts per second, not ${String(opts.rate)}`);
  }
  const loginPath = opts.login?.path ?? '/login';
  const loginUrl = sameOrigin(target, loginPath);
  if (!loginUrl || !loginPath.startsWith('/')) throw options(`the login path must be a path on the target, like /login`);
  const userField = opts.login?.usernameField ?? 'email';
  const passField = opts.login?.passwordField ?? 'password';
  const fetcher: SimFetch = opts.fetch ?? (globalThis.fetch as unknown as SimFetch);
  const clock: Clock = opts.clock ?? systemClock;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const victim = { username: opts.user?.username ?? SIM_DEMO_USER.username, password: opts.user?.password ?? SIM_DEMO_USER.password };
  const ctx = { attempts, victim };

  const report: SimReport = {
    scenario: scenario.name,
    target: target.origin,
    attacker: emptyTally(),
    user: emptyTally(),
    attackerSuccesses: [],
    requests: 0,
    elapsedMs: 0,
  };

  const send = async (url: URL, c: Client, contentType: string, body: string, accept: string): Promise<SimResponse | undefined> => {
    const headers: Record<string, string> = { 'content-type': contentType, accept, 'user-agent': c.userAgent, 'x-forwarded-for': c.ip };
    const cookie = c.jar?.header();
    if (cookie) headers['cookie'] = cookie;
    report.requests++;
    try {
      const res = await fetcher(url.href, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(requestTimeoutMs) });
      if (c.jar) c.jar.store(setCookies(res));
      return res;
    } catch {
      return undefined;
    }
  };

  const postLogin = async (c: Client, username: string, password: string): Promise<{ res: SimResponse | undefined; cls: SimClassification }> => {
    const form = new URLSearchParams({ [userField]: username, [passField]: password }).toString();
    const res = await send(loginUrl, c, 'application/x-www-form-urlencoded', form, c.accept);
    return { res, cls: res ? classifyLogin(res, loginUrl.pathname) : 'error' };
  };

  /** Solves the challenge in `res` and posts the answer; true when the target accepted it (pass cookie now in the jar). */
  const solve = (c: Client, res: SimResponse): Promise<boolean> => answerChallenge(target, res, maxSolve, (url, body) => send(url, c, 'application/json', body, 'application/json'));

  const login = async (c: Client, username: string, password: string): Promise<LoginResult> => {
    const first = await postLogin(c, username, password);
    if (first.cls === 'challenge' && first.res && c.solves && c.jar) {
      if (await solve(c, first.res)) {
        const again = await postLogin(c, username, password);
        if (again.res) await discardBody(again.res);
        return { first: 'challenge', final: again.cls, solved: true };
      }
      return { first: 'challenge', final: 'challenge', solved: false };
    }
    if (first.res) await discardBody(first.res);
    return { first: first.cls, final: first.cls, solved: false };
  };

  const user: Client = { ip: opts.user?.ip ?? SIM_USER_IP, jar: new CookieJar(), userAgent: USER_UA, accept: BROWSER_ACCEPT, solves: true };
  const userLogin = async (): Promise<void> => {
    count(report.user, await login(user, victim.username, victim.password));
  };
  const attackerJars = new Map<string, CookieJar>();
  const attackerClient = (a: SimAttempt): Client => {
    let jar: CookieJar | undefined;
    if (opts.attackersSolve) {
      jar = attackerJars.get(a.ip);
      if (!jar) attackerJars.set(a.ip, (jar = new CookieJar()));
    }
    return { ip: a.ip, jar, userAgent: ATTACKER_UA, accept: 'application/json', solves: opts.attackersSolve === true };
  };

  /** Guesses that reached the site, by account. */
  const reached = new Map<string, number>();
  const start = clock.now();
  // The real user first signs in from her own browser: it becomes a trusted device.
  await userLogin();

  let next = 0;
  let done = 0;
  let userChain: Promise<void> = Promise.resolve();
  const worker = async (): Promise<void> => {
    while (next < attempts && report.stoppedEarly === undefined) {
      const i = next++;
      if (opts.rate !== undefined) {
        const wait = start + (i * 1000) / opts.rate - clock.now();
        if (wait > 0) await sleep(wait);
      }
      if (clock.now() - start >= maxDurationMs) {
        report.stoppedEarly = 'time';
        return;
      }
      if (userEvery > 0 && i > 0 && i % userEvery === 0) userChain = userChain.then(userLogin);
      const a = scenario.attempt(i, ctx);
      const r = await login(attackerClient(a), a.username, a.password);
      count(report.attacker, r);
      if ((r.final === 'success' || r.final === 'failure') && (reached.size < SIM_LIMITS.maxAttempts || reached.has(a.username))) {
        reached.set(a.username, (reached.get(a.username) ?? 0) + 1);
      }
      if (r.final === 'success' && report.attackerSuccesses.length < SIM_LIMITS.maxSuccessesListed) {
        report.attackerSuccesses.push({ attempt: i + 1, ip: a.ip, username: a.username });
      }
      done++;
      opts.onProgress?.(done, attempts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, attempts) }, worker));
  await userChain;
  // And once more after the attack: can she still get in?
  await userLogin();
  report.elapsedMs = clock.now() - start;
  for (const [username, n] of reached) if (n > (report.mostGuessedAccount?.reached ?? 0)) report.mostGuessedAccount = { username, reached: n };
  return report;
}
