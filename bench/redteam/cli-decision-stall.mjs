// Issue 10: an operator (the CLI, another process) adds or deletes one decision while the proxy's
// store holds `decisions` of them. How long the proxy's next match holds its event loop: the
// change taken from the change log (schema 6), against a reload of every active decision (what
// the first match does, and what every such change cost before).
// Usage: node bench/redteam/cli-decision-stall.mjs [decisions]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '@mamori/store-sqlite';

const N = Number(process.argv[2] ?? 100000);
const dir = mkdtempSync(join(tmpdir(), 'rt10-cli-'));
const path = join(dir, 'mamori.db');
const secret = Buffer.alloc(32, 3);
const proxy = SqliteStore.open({ path, secret, maxDecisions: N * 2 });
const raw = new Database(path);
raw.transaction(() => {
  const ins = raw.prepare("INSERT INTO decisions (id, action, scope, value, created_at, expires_at, origin, reason) VALUES (?, 'block', 'ip', ?, 0, ?, 'guard.login', 'prefilled')");
  for (let i = 0; i < N; i++) ins.run(`pre-${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, Date.now() + 3_600_000);
})();
raw.close();
const turn = () => new Promise((r) => setImmediate(r));
const timeMatch = async (ip) => {
  await turn();
  const t0 = process.hrtime.bigint();
  const found = await proxy.decisions.match({ ip });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, found: found.length };
};
const first = await timeMatch('10.0.0.1');
const cli = SqliteStore.open({ path, secret, maxDecisions: N * 2 });
const rows = [];
for (let i = 0; i < 5; i++) {
  const d = await cli.decisions.add({ action: 'block', scope: 'ip', value: `192.0.2.${i + 1}`, expiresAt: Date.now() + 3_600_000, origin: 'cli', reason: 'operator' });
  const add = await timeMatch(`192.0.2.${i + 1}`);
  await cli.decisions.delete(d.id);
  const del = await timeMatch(`192.0.2.${i + 1}`);
  rows.push({ add, del });
}
console.log(`${N} decisions; the proxy's first match (loads them all): ${first.ms.toFixed(1)} ms`);
for (const [i, r] of rows.entries()) console.log(`CLI change ${i + 1}: next match after an add ${r.add.ms.toFixed(3)} ms (found ${r.add.found}), after its delete ${r.del.ms.toFixed(3)} ms (found ${r.del.found})`);
console.log(`full reloads by the proxy's store: ${proxy.decisions.reloads}`);
await cli.close();
await proxy.close();
rmSync(dir, { recursive: true, force: true });
