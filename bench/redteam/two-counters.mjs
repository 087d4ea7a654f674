// Red team (issue 10): two processes counting on one SQLite file (two `mamori up`, or an app run
// in cluster mode with the SQLite store) keep two separate counts, and a restart keeps whichever
// flushed last. Two handles in one process stand for the two processes.
import { SqliteStore } from '../../packages/store-sqlite/dist/index.js';
import { rmSync } from 'node:fs';
const path = `/tmp/rt10-two-${process.pid}.db`;
const open = () => SqliteStore.open({ path, secret: Buffer.alloc(32, 1), counterFlushMs: 3_600_000 });
const a = open(), b = open();
const key = { key: 'lu:victim', ttlMs: 3_600_000, floor: true };
for (let i = 0; i < 40; i++) await a.increment([key]);
for (let i = 0; i < 3; i++) await b.increment([key]);
console.log('process A reads', (await a.read(['lu:victim']))[0], '; process B reads', (await b.read(['lu:victim']))[0]);
a.flushCounters(); b.flushCounters();
await a.close(); await b.close();
const c = open();
console.log('after a restart:', (await c.read(['lu:victim']))[0], '(A counted 40 then B 3: the later flush wins)');
await c.close();
for (const f of [path, path + '-wal', path + '-shm']) rmSync(f, { force: true });
