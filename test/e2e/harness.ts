/** Starts the demo shop, a SQLite-backed guard and the proxy in-process, on loopback port 0. */
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard, defaultConfig, startMamoriProxy, type Guard, type MamoriConfig } from 'mamori';
import { ManualClock } from 'mamori/testing';
import { SqliteStore } from '@mamori/store-sqlite';
import { startDemoShop } from '@mamori/demo-shop';

export const SECRET = Buffer.from('e2e-secret-e2e-secret-e2e-secret-e2e');

export const DEMO_RAW = {
  logins: [
    {
      name: 'shop-login',
      method: 'POST',
      path: '/login',
      username: { form: 'email' },
      password: { form: 'password' },
      failure: { status: [401] },
      success: { status: [302], redirect_contains: '/account' },
    },
  ],
  policy: [{ name: 'admin-japan-only', paths: ['/admin'], allow_countries: ['JP'], allow_ips: ['127.0.0.0/8', '::1'] }],
  demo: { trust_loopback_forwarded_for: true },
};

export interface Stack {
  dir: string;
  shop: Awaited<ReturnType<typeof startDemoShop>>;
  guard: Guard;
  store: SqliteStore;
  proxy: Awaited<ReturnType<typeof startMamoriProxy>>;
  clock: ManualClock;
  config: MamoriConfig;
  /** Stops the proxy and the store, keeping the shop and the database file. */
  stopMamori(): Promise<void>;
  /** Starts mamori again on the same database file (a restart). */
  restartMamori(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(raw: Record<string, unknown> = {}, clock = new ManualClock(Date.UTC(2026, 10, 27))): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-e2e-'));
  const config = defaultConfig({ ...DEMO_RAW, ...raw });
  const shop = await startDemoShop({ port: 0 });
  const s = {} as Stack;
  const start = async () => {
    s.store = SqliteStore.open({ path: join(dir, 'mamori.db'), secret: SECRET, clock });
    s.guard = createGuard(config, { store: s.store, secret: SECRET, clock });
    s.proxy = await startMamoriProxy({ guard: s.guard, upstream: shop.url, port: 0 });
  };
  Object.assign(s, {
    dir,
    shop,
    clock,
    config,
    async stopMamori() {
      await s.proxy.close();
      await s.guard.close();
      await s.store.close();
    },
    async restartMamori() {
      await start();
    },
    async close() {
      await s.stopMamori();
      await shop.close();
    },
  });
  await start();
  return s;
}

export function login(base: string, email: string, password: string, opts: { ip?: string; cookie?: string; accept?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (opts.ip) headers['x-forwarded-for'] = opts.ip;
  if (opts.cookie) headers['cookie'] = opts.cookie;
  if (opts.accept) headers['accept'] = opts.accept;
  return fetch(`${base}/login`, { method: 'POST', headers, body: new URLSearchParams({ email, password }).toString(), redirect: 'manual' });
}

/** The name=value part of a set-cookie for one cookie. */
export function cookieFrom(res: Response, name: string): string | undefined {
  for (const c of res.headers.getSetCookie()) if (c.startsWith(`${name}=`)) return c.split(';')[0];
  return undefined;
}

/** Plays a browser that solves a JSON challenge answer; returns the pass cookie (name=value). */
export async function solveAndPass(base: string, challenged: Response, ip?: string): Promise<string> {
  const { solveChallengeAsync } = await import('mamori/internal');
  const body = (await challenged.json()) as { challenge: { token: string; difficulty: number; submit: string } };
  // Yielding while it works: the proxy in this process keeps serving (and closing idle sockets).
  const solution = await solveChallengeAsync(body.challenge.token, body.challenge.difficulty);
  if (solution === undefined) throw new Error('could not solve the challenge');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (ip) headers['x-forwarded-for'] = ip;
  const res = await fetch(`${base}${body.challenge.submit}`, { method: 'POST', headers, body: JSON.stringify({ token: body.challenge.token, solution }) });
  if (res.status !== 200) throw new Error(`challenge submit answered ${res.status}: ${await res.text()}`);
  const cookie = cookieFrom(res, 'mamori_pass');
  if (!cookie) throw new Error('no pass cookie');
  return cookie;
}

/** Sends raw bytes on a fresh connection and resolves with everything the server wrote back. */
export function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += d.toString('latin1')));
    sock.on('error', () => resolve(data));
    sock.on('close', () => resolve(data));
    sock.write(payload);
  });
}
