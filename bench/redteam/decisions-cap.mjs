// Red team (issue 10): the SQLite store's decisions at their cap. Every add there drops one and
// makes the mirror reload every active decision at the next match. Measures the CPU of one
// (add + match) at the cap, against below it. Usage: node bench/redteam/decisions-cap.mjs <max>
import { SqliteStore } from '../../packages/store-sqlite/dist/index.js';
import { rmSync } from 'node:fs';
const max = Number(process.argv[2] ?? 100000);
const path = `/tmp/rt10-dec-${process.pid}.db`;
const store = SqliteStore.open({ path, secret: Buffer.alloc(32, 1), maxDecisions: max });
const t0 = performance.now();
for (let i = 0; i < max - 100; i++) await store.decisions.add({ action: 'block', scope: 'ip', value: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, expiresAt: Date.now() + 3600_000, origin: 'login', reason: 'stuffing' });
console.log(`filled ${max - 100} in ${(performance.now() - t0).toFixed(0)} ms`);
const subj = { ip: '192.0.2.1' };
async function round(n, base) {
  let a = 0, m = 0;
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await store.decisions.add({ action: 'block', scope: 'ip', value: `11.${(base + i) >> 8 & 255}.${(base + i) & 255}.1`, expiresAt: Date.now() + 3600_000, origin: 'login', reason: 'stuffing' });
    const s2 = performance.now();
    await store.decisions.match(subj);
    a += s2 - s; m += performance.now() - s2;
  }
  return `add ${(a / n).toFixed(2)} ms, next match ${(m / n).toFixed(2)} ms`;
}
console.log(`below the cap: ${await round(50, 0)}`);
await round(60, 500);
console.log(`at the cap:    ${await round(50, 1000)}`);
store.close();
rmSync(path, { force: true }); rmSync(path + '-wal', { force: true }); rmSync(path + '-shm', { force: true });
