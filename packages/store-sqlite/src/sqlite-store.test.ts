import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isMamoriError, type SecurityEvent } from 'mamori';
import { ManualClock, runStoreConformance } from 'mamori/testing';
import { SqliteStore, SCHEMA_VERSION, type SqliteStoreOptions } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'test-secret-0123456789abcdef-0123456789';
let n = 0;
let last = '';
function fresh(): string {
  last = join(dir, `store-${++n}.db`);
  return last;
}
/** Event write errors the stores reported; appends after close are expected (the suite tests them). */
const unexpected: unknown[] = [];
after(() => assert.deepEqual(unexpected, []));
function open(path: string, clock: ManualClock, more: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const onError = (e: unknown): void => {
    if (!isMamoriError(e, 'MAMORI_ERR_STORE_CLOSED')) unexpected.push(e);
  };
  return SqliteStore.open({ path, secret: SECRET, clock, onError, ...more });
}

runStoreConformance('sqlite', async ({ clock }) => open(fresh(), clock), { reopen: async ({ clock }) => open(last, clock) });

const HOUR = 3_600_000;
const block = (clock: ManualClock, value: string) =>
  ({ action: 'block', scope: 'ip', value, expiresAt: clock.now() + HOUR, origin: 'test', reason: 'r' }) as const;
const ev = (t: number, action: string): SecurityEvent => ({ '@timestamp': new Date(t).toISOString(), 'event.action': action, 'event.category': 'web' });

describe('SqliteStore', () => {
  it('shares decisions between two handles on one file (proxy and CLI)', async () => {
    const clock = new ManualClock();
    const path = fresh();
    const proxy = open(path, clock);
    const cli = open(path, clock);
    try {
      const d = await cli.decisions.add(block(clock, '192.0.2.50'));
      assert.deepEqual(await proxy.decisions.match({ ip: '192.0.2.50' }), [d]);
      assert.equal(await proxy.decisions.delete(d.id), true);
      assert.deepEqual(await cli.decisions.list(), []);
      // The proxy caches which range prefixes exist; a range the CLI adds later still matches.
      assert.deepEqual(await proxy.decisions.match({ ip: '2001:db8:7::1' }), []);
      const r = await cli.decisions.add({ ...block(clock, '2001:db8:7::/48'), scope: 'range' });
      assert.deepEqual(await proxy.decisions.match({ ip: '2001:db8:7::1' }), [r]);
      const r4 = await cli.decisions.add({ ...block(clock, '198.51.100.0/22'), scope: 'range' });
      assert.deepEqual(await proxy.decisions.match({ ip: '198.51.103.255' }), [r4]);
      assert.equal(await cli.decisions.deleteWhere({ scope: 'range' }), 2);
      assert.deepEqual(await proxy.decisions.match({ ip: '2001:db8:7::1' }), []);
      await proxy.increment([{ key: 'k', by: 3, ttlMs: HOUR }]);
      assert.deepEqual(await cli.read(['k']), [3]);
    } finally {
      await proxy.close();
      await cli.close();
    }
  });

  it('uses WAL and records the schema version', async () => {
    const path = fresh();
    const s = open(path, new ManualClock());
    await s.close();
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    } finally {
      raw.close();
    }
  });

  it('stores counter keys and set members only as 16-byte keyed hashes', async () => {
    const clock = new ManualClock();
    const path = fresh();
    const s = open(path, clock);
    await s.increment([{ key: 'login-fail:alice@example.com', ttlMs: HOUR }]);
    await s.addDistinct([{ key: 'users-from:192.0.2.1', member: 'bob@example.com', ttlMs: HOUR }]);
    await s.claim('pow-nonce-carol', HOUR);
    await s.close();
    const bytes = Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
    for (const secret of ['alice@example.com', 'bob@example.com', 'users-from', 'pow-nonce-carol']) {
      assert.equal(bytes.includes(secret), false, `${secret} is in the file`);
    }
    const raw = new Database(path, { readonly: true });
    try {
      for (const t of ['counters', 'members', 'claims']) {
        const keys = raw.prepare(`SELECT k FROM ${t}`).pluck().all() as Buffer[];
        assert.ok(keys.length > 0);
        for (const k of keys) assert.equal(k.length, 16);
      }
    } finally {
      raw.close();
    }
    // Another secret cannot read the counters.
    const other = SqliteStore.open({ path, secret: 'another-secret-0123456789-0123456789', clock });
    assert.deepEqual(await other.read(['login-fail:alice@example.com']), [0]);
    await other.close();
  });

  it('refuses a short secret', () => {
    assert.throws(() => SqliteStore.open({ path: fresh(), secret: 'short' }), (e) => isMamoriError(e, 'MAMORI_ERR_CONFIG_SECRET'));
    // The same minimum as MAMORI_SECRET and createGuard (red team 9: this store alone took 16 bytes).
    assert.throws(() => SqliteStore.open({ path: fresh(), secret: 'x'.repeat(31) }), (e) => isMamoriError(e, 'MAMORI_ERR_CONFIG_SECRET'));
    void SqliteStore.open({ path: fresh(), secret: 'x'.repeat(32) }).close();
  });

  it('gives MAMORI_ERR_STORE_OPEN with the path for a corrupt file or a missing directory', () => {
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(corrupt, Buffer.alloc(8192, 0x5a));
    for (const path of [corrupt, join(dir, 'no-such-dir', 'x.db')]) {
      assert.throws(
        () => SqliteStore.open({ path, secret: SECRET }),
        (e) => isMamoriError(e, 'MAMORI_ERR_STORE_OPEN') && e.message.includes(path),
      );
    }
  });

  it('upgrades a version-1 file: each member it held counts as one hold', async () => {
    const clock = new ManualClock();
    const path = fresh();
    const s1 = open(path, clock);
    await s1.addDistinct([{ key: 'set', member: 'a', ttlMs: 60_000 }, { key: 'set', member: 'b', ttlMs: 60_000 }]);
    await s1.close();
    // Back to version 1: no holds column (nor detect-only mark).
    const raw = new Database(path);
    raw.exec('ALTER TABLE members DROP COLUMN n');
    raw.exec('ALTER TABLE decisions DROP COLUMN detect_only');
    raw.pragma('user_version = 1');
    raw.close();
    const s2 = open(path, clock);
    try {
      assert.deepEqual(await s2.read(['set']), [2]);
      assert.deepEqual(await s2.addDistinct([{ key: 'set', member: 'a', ttlMs: 60_000 }]), [2], 'a member of the old file is still there');
      assert.deepEqual(await s2.removeDistinct([{ key: 'set', member: 'b', ttlMs: 60_000 }]), [1], 'its one hold given back, it leaves');
      assert.deepEqual(await s2.removeDistinct([{ key: 'set', member: 'a', ttlMs: 60_000 }]), [1], 'a keeps its old hold');
    } finally {
      await s2.close();
    }
    const check = new Database(path, { readonly: true });
    try {
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    } finally {
      check.close();
    }
  });

  it('upgrades a version-2 file: its decisions are enforced ones, and new ones keep their detect-only mark', async () => {
    const clock = new ManualClock();
    const path = fresh();
    const s1 = open(path, clock);
    const old = await s1.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.1', expiresAt: clock.now() + 60_000, origin: 'cli', reason: 'old' });
    await s1.close();
    const raw = new Database(path);
    raw.exec('ALTER TABLE decisions DROP COLUMN detect_only');
    raw.pragma('user_version = 2');
    raw.close();
    const s2 = open(path, clock);
    try {
      assert.deepEqual(await s2.decisions.list(), [old]);
      const detected = await s2.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.2', expiresAt: clock.now() + 60_000, origin: 'guard.login', reason: 'new', detectOnly: true });
      assert.deepEqual(await s2.decisions.match({ ip: '192.0.2.2' }), [detected]);
      assert.equal(detected.detectOnly, true);
    } finally {
      await s2.close();
    }
  });

  it('refuses a file from a newer schema', () => {
    const path = fresh();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(
      () => SqliteStore.open({ path, secret: SECRET }),
      (e) => isMamoriError(e, 'MAMORI_ERR_STORE_OPEN') && /newer/.test(e.message),
    );
  });

  it('drops expired counters, members and claims when it prunes', async () => {
    const clock = new ManualClock();
    const s = open(fresh(), clock);
    try {
      await s.increment(Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, ttlMs: 1000 })));
      await s.addDistinct([{ key: 'set', member: 'm', ttlMs: 1000 }]);
      await s.claim('c', 1000);
      await s.increment([{ key: 'long', ttlMs: HOUR }]);
      clock.advance(1000);
      s.prune();
      assert.deepEqual(s.size(), { counters: 1, members: 0, claims: 0, decisions: 0, events: 0 });
    } finally {
      await s.close();
    }
  });

  it('stays within maxCounters under a flood of fresh keys without evicting a high counter', async () => {
    const clock = new ManualClock();
    const s = open(fresh(), clock, { maxCounters: 500 });
    try {
      await s.increment([{ key: 'attacker', by: 20, ttlMs: HOUR }]);
      let most = 0;
      for (let b = 0; b < 40; b++) {
        await s.increment(Array.from({ length: 250 }, (_, i) => ({ key: `flood-${b}-${i}`, ttlMs: HOUR })));
        most = Math.max(most, s.size().counters);
      }
      // Maintenance runs every maxCounters/8 writes, so the table overshoots by at most one batch.
      assert.ok(most <= 500 + 250, `counters reached ${most}`);
      s.prune();
      assert.equal(s.size().counters, 500);
      assert.deepEqual(await s.read(['attacker']), [20]);
    } finally {
      await s.close();
    }
  });

  it('keeps at most maxDecisions, dropping the one that lapses soonest', async () => {
    const clock = new ManualClock();
    const s = open(fresh(), clock, { maxDecisions: 3 });
    try {
      for (const [ip, ttl] of [['192.0.2.1', 3], ['192.0.2.2', 1], ['192.0.2.3', 2], ['192.0.2.4', 4]] as const) {
        await s.decisions.add({ ...block(clock, ip), expiresAt: clock.now() + ttl * 1000 });
      }
      assert.deepEqual((await s.decisions.list()).map((d) => d.value).sort(), ['192.0.2.1', '192.0.2.3', '192.0.2.4']);
    } finally {
      await s.close();
    }
  });

  it('keeps at most maxEvents, the newest', async () => {
    const clock = new ManualClock();
    const s = open(fresh(), clock, { maxEvents: 5, eventBatchSize: 4 });
    try {
      for (let i = 0; i < 12; i++) s.events.append(ev(clock.now() + i, `e${i}`));
      await s.events.flush();
      assert.equal(s.size().events, 5);
      assert.deepEqual((await s.events.query()).map((e) => e['event.action']), ['e11', 'e10', 'e9', 'e8', 'e7']);
    } finally {
      await s.close();
    }
  });

  it('batches appended events and writes a full batch without a flush', async () => {
    const clock = new ManualClock();
    const path = fresh();
    const writer = open(path, clock, { eventBatchSize: 3 });
    const reader = open(path, clock);
    try {
      writer.events.append(ev(clock.now(), 'a'));
      writer.events.append(ev(clock.now(), 'b'));
      assert.equal(writer.events.pending, 2);
      assert.deepEqual(await reader.events.query(), [], 'not written before the batch is full');
      writer.events.append(ev(clock.now(), 'c'));
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.equal(writer.events.pending, 0);
      assert.equal((await reader.events.query()).length, 3);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('reports a failed event write to onError, keeps the batch, and writes it later', async () => {
    const clock = new ManualClock();
    const path = fresh();
    const errors: unknown[] = [];
    const s = SqliteStore.open({ path, secret: SECRET, clock, busyTimeoutMs: 0, onError: (e) => errors.push(e) });
    const locker = new Database(path);
    try {
      locker.exec('BEGIN IMMEDIATE');
      s.events.append(ev(clock.now(), 'while-locked'));
      await s.events.flush();
      assert.equal(errors.length, 1);
      assert.match(String((errors[0] as Error).message), /locked|busy/i);
      assert.equal(s.events.pending, 1);
      locker.exec('COMMIT');
      await s.events.flush();
      assert.equal(s.events.pending, 0);
      assert.deepEqual((await s.events.query()).map((e) => e['event.action']), ['while-locked']);
      assert.equal(errors.length, 1);
    } finally {
      locker.close();
      await s.close();
    }
  });

  it('writes queued events on close', async () => {
    const clock = new ManualClock();
    const path = fresh();
    const s = open(path, clock);
    s.events.append(ev(clock.now(), 'last-words'));
    await s.close();
    const again = open(path, clock);
    assert.deepEqual((await again.events.query()).map((e) => e['event.action']), ['last-words']);
    await again.close();
  });

  it('reports an append after close to onError instead of throwing', async () => {
    const errors: unknown[] = [];
    const s = SqliteStore.open({ path: fresh(), secret: SECRET, onError: (e) => errors.push(e) });
    await s.close();
    s.events.append(ev(0, 'late'));
    assert.equal(errors.length, 1);
    assert.ok(isMamoriError(errors[0], 'MAMORI_ERR_STORE_CLOSED'));
  });
});

import { statSync as statOf, mkdtempSync as tempDir } from 'node:fs';
import { tmpdir as osTmp } from 'node:os';
import { join as joinPath } from 'node:path';
import { it as check } from 'node:test';
import { strict as must } from 'node:assert';

check('a new database file, and its WAL, are readable by their owner only', async () => {
  const path = joinPath(tempDir(joinPath(osTmp(), 'mamori-perm-')), 'm.db');
  const s = SqliteStore.open({ path, secret: Buffer.alloc(32, 3) });
  await s.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.1', expiresAt: Date.now() + 60_000, origin: 'test', reason: 'x' });
  for (const f of [path, `${path}-wal`]) must.equal(statOf(f).mode & 0o777, 0o600, f);
  await s.close();
});
