/**
 * docs/webhooks.md as a receiver would use it: its verification snippet, run as written,
 * accepts mamori's deliveries and refuses tampered or old ones; its event table is the
 * list mamori checks `webhooks[].events` against.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_WEBHOOK_EVENTS, EVENT_ACTIONS, MemoryStore, createGuard, defaultConfig, isMamoriError } from 'mamori';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/webhooks.md', import.meta.url)), 'utf8');
type Verify = (secret: string, headers: Record<string, string | string[] | undefined>, raw: Buffer, nowSec?: number, maxAgeSec?: number) => boolean;

async function snippet(): Promise<Verify> {
  const section = DOC.slice(DOC.indexOf('## Verifying a delivery'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'the docs hold a js snippet under "Verifying a delivery"');
  const file = join(mkdtempSync(join(tmpdir(), 'mamori-webhook-doc-')), 'verify.mjs');
  writeFileSync(file, m[1]!);
  return ((await import(pathToFileURL(file).href)) as { verifyMamoriWebhook: Verify }).verifyMamoriWebhook;
}

describe('e2e: docs/webhooks.md', () => {
  it("its snippet verifies mamori's deliveries, and refuses a changed body, another secret and an old timestamp", async () => {
    const verify = await snippet();
    const got: { headers: Record<string, string | string[] | undefined>; raw: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, raw: Buffer.concat(chunks) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const secret = 'the-receivers-shared-secret-0123456789';
    const config = defaultConfig({
      logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
      login_protection: { user_source: { challenge_after: 3, block_after: 3 } },
      webhooks: [
        { url, secret, events: ['lockout'], include_account: true },
        { url, secret, events: ['lockout'] },
      ],
    });
    const store = new MemoryStore();
    const guard = createGuard(config, { store, secret: Buffer.from('webhook-docs-test-secret-0123456789') });
    try {
      for (let i = 0; i < 3; i++) {
        const a = { ip: '203.0.113.5', username: 'Alice@Example.com', password: `guess-${i}` };
        await guard.login.check(a);
        await guard.login.report(a, false);
      }
      await Promise.all(guard.webhooks.map((w) => w.drain(5000)));
      assert.equal(got.length, 2, 'one lockout to each webhook');
      const now = Math.floor(Date.now() / 1000);
      for (const d of got) {
        assert.equal(verify(secret, d.headers, d.raw, now), true);
        assert.equal(verify('another-secret-another-secret-0123', d.headers, d.raw, now), false);
        const changed = Buffer.from(d.raw.toString('utf8').replace('203.0.113.5', '203.0.113.6'));
        assert.equal(verify(secret, d.headers, changed, now), false);
        assert.equal(verify(secret, d.headers, d.raw, now + 3600), false, 'an hour-old delivery is refused');
      }
      const bodies = got.map((d) => JSON.parse(d.raw.toString('utf8')) as { type: string; event: Record<string, unknown> });
      assert.deepEqual(bodies.map((b) => b.type), ['lockout', 'lockout']);
      assert.deepEqual(bodies.map((b) => b.event['user.name']).sort(), ['Alice@Example.com', undefined], 'the name goes only where include_account asks for it');
      assert.ok(!JSON.stringify(await store.events.query({ limit: 100 })).includes('Alice@Example.com'), 'and is never stored');
    } finally {
      await guard.close();
      server.close();
    }
  });

  it("its event table is mamori's list, and a name not in it is a config error", () => {
    const rows = [...DOC.matchAll(/^\| `([a-z-]+)` \| (.*) \|$/gm)].map((m) => [m[1], m[2]]);
    const defaults = new Set<string>(DEFAULT_WEBHOOK_EVENTS);
    assert.deepEqual(
      rows,
      Object.entries(EVENT_ACTIONS).map(([k, v]) => [k, `${v}${defaults.has(k) ? ' (sent by default)' : ''}`]),
    );
    for (const d of DEFAULT_WEBHOOK_EVENTS) assert.ok(Object.hasOwn(EVENT_ACTIONS, d), d);
    try {
      defaultConfig({ webhooks: [{ url: 'http://127.0.0.1:9/', events: ['lockout', 'lockuot'] }] });
      assert.fail('accepted');
    } catch (err) {
      assert.ok(isMamoriError(err, 'MAMORI_ERR_CONFIG_INVALID'));
      assert.match((err as Error).message, /webhooks\[0\]\.events\[1\].*"lockuot" is not an event mamori sends/);
    }
  });

  it('every event the code emits by name is in the list', () => {
    const src = fileURLToPath(new URL('../../../packages/mamori/src/', import.meta.url));
    const names = new Set<string>();
    for (const f of ['guard/login.ts', 'guard/guard.ts', 'guard/rate-limit.ts', 'guard/webhook.ts']) {
      const text = readFileSync(join(src, f), 'utf8');
      for (const m of text.matchAll(/#(?:emit|event|events\.emit(?:Counted)?)\('([a-z-]+)'/g)) names.add(m[1]!);
      for (const m of text.matchAll(/'event\.action': '([a-z-]+)'/g)) names.add(m[1]!);
      for (const m of text.matchAll(/'(challenge-failures|challenges-ignored|account-closed|credential-stuffing|request-blocked|request-challenged)'/g)) names.add(m[1]!);
    }
    names.add('login-blocked').add('login-challenged');
    assert.ok(names.size >= 15, `found ${names.size}`);
    for (const n of names) assert.ok(Object.hasOwn(EVENT_ACTIONS, n), `${n} is emitted but not listed`);
  });
});
