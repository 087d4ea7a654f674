// Red team (issue 10): how long the SQLite store's counter writes hold the event loop at the
// default 64 MiB table when a flood has filled it: a flush of every entry, and the snapshot that
// compacts the log. Usage: node bench/redteam/snapshot-stall.mjs [MiB]
import { SqliteStore } from '../../packages/store-sqlite/dist/index.js';
import { rmSync } from 'node:fs';
const mib = Number(process.argv[2] ?? 64);
const path = `/tmp/rt10-snap-${process.pid}.db`;
const store = SqliteStore.open({ path, secret: Buffer.alloc(32, 1), maxCounterBytes: mib * 1024 * 1024, counterFlushMs: 3_600_000 });
const slots = (mib * 1024 * 1024) / 16;
const fill = async (tag) => {
  const B = 4096;
  for (let i = 0; i < slots; i += B) {
    const ops = [];
    for (let j = i; j < i + B && j < slots; j++) ops.push({ key: `lp${tag}:${j}`, ttlMs: 3_600_000 });
    await store.increment(ops);
  }
};
const timed = (what) => { const s = performance.now(); store.flushCounters?.() ?? store.flush?.(); console.log(what, (performance.now() - s).toFixed(0), 'ms', JSON.stringify(store.size?.() ?? '')); };
await fill('a'); timed('flush after filling the table');
await fill('a'); timed('flush after touching every entry again');
await fill('b'); timed('flush after a second table of fresh keys (the snapshot)');
const s0 = performance.now();
await store.close();
console.log('close', (performance.now() - s0).toFixed(0), 'ms');
const s1 = performance.now();
const again = SqliteStore.open({ path, secret: Buffer.alloc(32, 1), maxCounterBytes: mib * 1024 * 1024 });
await again.read(['lpa:1']);
console.log('reopen + first read (loads the log)', (performance.now() - s1).toFixed(0), 'ms');
await again.close();
for (const f of [path, path + '-wal', path + '-shm']) rmSync(f, { force: true });
