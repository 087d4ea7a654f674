import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, login, cookieFrom, type Stack } from './harness.js';

/** The admin area of the demo shop is open only to the admins' trusted devices. */
describe('e2e: whose trusted device opens the admin area', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({
      roles: { admin: ['admin@example.com'] },
      policy: [{ name: 'admin-devices', paths: ['/admin'], require_device: { roles: ['admin'] } }],
    });
  });
  after(async () => {
    await s.close();
  });

  /** Logs in through the proxy; the shop's session and mamori's device cookie, as one Cookie header. */
  async function signIn(email: string, password: string): Promise<string> {
    const res = await login(s.proxy.url, email, password, { ip: '192.0.2.10' });
    assert.equal(res.status, 302, `${email} logs in`);
    const device = cookieFrom(res, 'mamori_device');
    assert.ok(device, 'a device cookie');
    return `${cookieFrom(res, 'demo_session')}; ${device}`;
  }
  const admin = (cookie: string) => fetch(`${s.proxy.url}/admin`, { headers: { cookie, 'x-forwarded-for': '192.0.2.10' }, redirect: 'manual' });

  it("a customer's device cookie is refused at /admin; an admin's passes to the shop", async () => {
    const customer = await admin(await signIn('alice@example.com', 'alice-demo-password'));
    assert.equal(customer.status, 403);
    assert.equal(customer.headers.get('x-mamori-action'), 'block');
    const owner = await admin(await signIn('admin@example.com', 'admin-demo-password'));
    assert.equal(owner.headers.get('x-mamori-action'), null, 'mamori lets it through');
    assert.equal(owner.status, 200, "the shop's admin page");
  });
});
