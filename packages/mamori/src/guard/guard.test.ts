import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard } from './guard.js';
import type { RequestInfo } from './verdict.js';

const SECRET = Buffer.from('guard-test-secret-guard-test-secret!');

function stack(raw: Record<string, unknown> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 27));
  const store = new MemoryStore({ clock, random: new SeededRandom(3) });
  const config = defaultConfig({
    logins: [{ name: 'shop', path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
    ...raw,
  });
  const guard = createGuard(config, { store, secret: SECRET, clock, random: new SeededRandom(5) });
  const endpoint = config.logins[0]!;
  const req = (ip: string, path: string, cookie?: string, method = 'GET'): RequestInfo => ({ ip, path, method, headers: cookie ? { cookie } : {} });
  /** A full login through the guard: inspect, check, the site's answer; the device cookie on a success. */
  const login = async (ip: string, username: string, ok: boolean, cookie?: string) => {
    const r = req(ip, '/login', cookie, 'POST');
    const inspected = await guard.inspect(r);
    if (guard.enforced(inspected)) return { action: inspected.action, stage: 'inspect' as const };
    const p = await guard.checkLogin(endpoint, r, { username, password: 'pw' });
    if (guard.enforced(p.verdict)) return { action: p.verdict.action, stage: 'check' as const, trusted: p.verdict.trustedDevice };
    const { setCookie } = await guard.reportLogin(p, { status: ok ? 302 : 401, setCookies: [] });
    return { action: 'allow', stage: 'site' as const, trusted: p.verdict.trustedDevice, cookie: setCookie?.split(';')[0] };
  };
  return { clock, store, guard, req, login };
}

describe('guard: a device token and source blocks', () => {
  it("a device token of one account does not lift its source's block for a login to another account", async () => {
    const { guard, store, clock, login } = stack();
    const mine = await login('192.0.2.7', 'mallory@example.com', true);
    assert.ok(mine.cookie);
    await store.decisions.add({ action: 'block', scope: 'ip', value: '198.51.100.9', expiresAt: clock.now() + 3_600_000, origin: 'guard.login', reason: 'credential stuffing' });
    const other = await login('198.51.100.9', 'victim@example.com', false, mine.cookie);
    assert.notEqual(other.action, 'allow', JSON.stringify(other));
    const own = await login('198.51.100.9', 'mallory@example.com', true, mine.cookie);
    assert.equal(own.action, 'allow');
    void guard;
  });
});
