/**
 * Redis going away under a running store: a redis-server of the test's own on
 * a free loopback port, stopped, frozen and started again mid-test. Calls fail
 * promptly with MAMORI_ERR_STORE_UNAVAILABLE while it is away, nothing hangs,
 * and the store works again once Redis is back; what the restart kept is what
 * Redis's persistence kept (README, "When Redis is away").
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMamoriError } from 'mamori';
import { Redis } from 'ioredis';
import { RedisStore } from './redis-store.js';
import { SECRET } from './test-kit.js';

const MIN = 60_000;

function redisServerSkip(): string | false {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  const skip = r.status === 0 ? false : 'redis-server is not installed (apt-get install redis-server)';
  if (skip && process.env.MAMORI_REQUIRE_SERVICES === '1') throw new Error(`CI needs redis-server for the Redis outage tests: ${skip}`);
  if (skip) console.log(`# skipping the Redis outage tests: ${skip}`);
  return skip;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A redis-server of our own; `persist` gives it an append-only file in `dir`. */
class OwnRedis {
  #proc: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
    readonly persist: boolean,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--appendonly', this.persist ? 'yes' : 'no', '--logfile', ''];
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc = p;
    // Ready when it says so on its log (bounded: it either says so or exits).
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (b: Buffer): void => {
        seen = (seen + b.toString()).slice(-4096);
        if (seen.includes('Ready to accept connections')) resolve();
      };
      p.stdout!.on('data', onData);
      p.stderr!.on('data', onData);
      p.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${seen}`)));
    });
  }

  /** Stops it (SIGTERM: Redis shuts down cleanly, writing its append-only file) and waits for it to exit. */
  async stop(): Promise<void> {
    const p = this.#proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGCONT');
    p.kill('SIGTERM');
    await exited;
  }

  freeze(): void {
    this.#proc?.kill('SIGSTOP');
  }

  thaw(): void {
    this.#proc?.kill('SIGCONT');
  }
}

function unavailable(err: unknown): boolean {
  assert.ok(isMamoriError(err, 'MAMORI_ERR_STORE_UNAVAILABLE'), `expected MAMORI_ERR_STORE_UNAVAILABLE, got ${String((err as Error)?.message ?? err)}`);
  return true;
}

/** Tries `fn` until it resolves (the client reconnecting), at most `tries` times. */
async function once<T>(fn: () => Promise<T>, tries = 200): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(25);
    }
  }
}

const skip = redisServerSkip();
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function own(persist: boolean): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-redis-'));
  dirs.push(dir);
  const r = new OwnRedis(await freePort(), dir, persist);
  await r.start();
  return r;
}

describe('the Redis store when Redis goes away', { skip, timeout: 60_000 }, () => {
  it('fails calls at once while Redis is down, works again after, and a restart without persistence forgets the counts', async () => {
    const redis = await own(false);
    const errors: unknown[] = [];
    const store = await RedisStore.open({ url: redis.url, secret: SECRET, commandTimeoutMs: 300, connectTimeoutMs: 300, onError: (e) => errors.push(e) });
    try {
      assert.deepEqual(await store.increment([{ key: 'login:alice', by: 3, ttlMs: MIN }]), [3]);
      await store.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.1', expiresAt: Date.now() + MIN, origin: 'test', reason: 'r' });

      await redis.stop();
      // Every kind of call rejects with the store's own error; none waits for Redis to come back.
      await assert.rejects(() => store.increment([{ key: 'login:alice', ttlMs: MIN }]), unavailable);
      await assert.rejects(() => store.read(['login:alice']), unavailable);
      await assert.rejects(() => store.addDistinct([{ key: 's', member: 'm', ttlMs: MIN }]), unavailable);
      await assert.rejects(() => store.claim('token', MIN), unavailable);
      await assert.rejects(() => store.decisions.match({ ip: '192.0.2.1' }), unavailable);
      await assert.rejects(() => store.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.2', expiresAt: Date.now() + MIN, origin: 'test', reason: 'r' }), unavailable);
      await assert.rejects(() => store.decisions.list(), unavailable);
      await assert.rejects(() => store.events.query(), unavailable);
      // An event appended meanwhile is dropped, counted and reported, never thrown.
      store.events.append({ '@timestamp': new Date().toISOString(), 'event.action': 'login-failure', 'event.category': 'authentication' });
      await store.events.flush();
      assert.equal(store.events.dropped, 1);
      assert.equal(errors.length, 1);

      await redis.start();
      // Back: the client reconnects by itself. Redis kept nothing (no persistence): counting starts afresh.
      assert.deepEqual(await once(() => store.read(['login:alice'])), [0], 'a Redis without persistence forgets every count on restart');
      assert.deepEqual(await store.increment([{ key: 'login:alice', ttlMs: MIN }]), [1]);
      assert.deepEqual(await store.decisions.match({ ip: '192.0.2.1' }), [], '...and every decision');
      assert.equal(await store.claim('token', MIN), true);
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('a Redis that has forgotten the script (SCRIPT FLUSH) is sent it again, and the batch is carried out once', async () => {
    const redis = await own(false);
    const store = await RedisStore.open({ url: redis.url, secret: SECRET });
    const admin = new Redis(redis.url, { lazyConnect: true });
    try {
      await admin.connect();
      assert.deepEqual(await store.increment([{ key: 'k', ttlMs: MIN }]), [1]);
      await admin.script('FLUSH');
      const sent: string[] = [];
      const send = store.client.sendCommand.bind(store.client);
      store.client.sendCommand = ((cmd: { name: string }) => {
        sent.push(cmd.name);
        return send(cmd as never);
      }) as typeof store.client.sendCommand;
      assert.deepEqual(await Promise.all([store.increment([{ key: 'k', ttlMs: MIN }]), store.read(['k'])]), [[2], [2]]);
      assert.deepEqual(sent, ['evalsha', 'eval'], 'refused by name, then sent with its text');
      assert.deepEqual(await store.increment([{ key: 'k', ttlMs: MIN }]), [3], 'the first attempt did nothing; the script is held again');
      assert.deepEqual(sent, ['evalsha', 'eval', 'evalsha']);
    } finally {
      admin.disconnect();
      await store.close();
      await redis.stop();
    }
  });

  it('with appendonly yes, a restart keeps the counts, sets, claims and decisions', async () => {
    const redis = await own(true);
    const store = await RedisStore.open({ url: redis.url, secret: SECRET, commandTimeoutMs: 300, connectTimeoutMs: 300, onError: () => {} });
    try {
      assert.deepEqual(await store.increment([{ key: 'login:alice', by: 4, ttlMs: MIN }]), [4]);
      assert.deepEqual(await store.addDistinct([{ key: 'users-from:x', member: 'a', ttlMs: MIN }, { key: 'users-from:x', member: 'b', ttlMs: MIN }]), [1, 2]);
      assert.equal(await store.claim('token', MIN), true);
      const d = await store.decisions.add({ action: 'block', scope: 'range', value: '198.51.100.0/24', expiresAt: Date.now() + MIN, origin: 'test', reason: 'r' });

      await redis.stop();
      await assert.rejects(() => store.increment([{ key: 'login:alice', ttlMs: MIN }]), unavailable, 'not counted while Redis is down');
      await redis.start();

      assert.deepEqual(await once(() => store.increment([{ key: 'login:alice', ttlMs: MIN }])), [5], 'the count before the restart, and only the calls that succeeded');
      assert.deepEqual(await store.addDistinct([{ key: 'users-from:x', member: 'a', ttlMs: MIN }]), [2]);
      assert.equal(await store.claim('token', MIN), false, 'a used token stays used');
      assert.deepEqual(await store.decisions.match({ ip: '198.51.100.7' }), [d]);
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('a Redis that stops answering (frozen) fails calls after the command timeout, and answers again when it wakes', async () => {
    const redis = await own(false);
    const store = await RedisStore.open({ url: redis.url, secret: SECRET, commandTimeoutMs: 200, connectTimeoutMs: 300, onError: () => {} });
    try {
      assert.deepEqual(await store.increment([{ key: 'k', ttlMs: MIN }]), [1]);
      redis.freeze();
      await assert.rejects(() => store.increment([{ key: 'k', ttlMs: MIN }]), unavailable);
      await assert.rejects(() => store.decisions.list(), unavailable);
      redis.thaw();
      // The increment that timed out may still have reached Redis before it froze: at least counted, never lost.
      const [n] = await once(() => store.increment([{ key: 'k', ttlMs: MIN }]));
      assert.ok(n === 2 || n === 3, `count after thaw: ${n}`);
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('open() fails with MAMORI_ERR_STORE_OPEN when nothing listens', async () => {
    const port = await freePort();
    await assert.rejects(
      () => RedisStore.open({ url: `redis://127.0.0.1:${port}`, secret: SECRET, connectTimeoutMs: 300 }),
      (err) => isMamoriError(err, 'MAMORI_ERR_STORE_OPEN'),
    );
  });
});
