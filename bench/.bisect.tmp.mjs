import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { BATCH } from '../packages/store-redis/dist/scripts.js';
const lines = readFileSync('/tmp/mon.txt', 'utf8').split('\n').filter((l) => l.includes('"evalsha"'));
const parse = (l) => { const out = []; const re = /"((?:[^"\\]|\\.)*)"/g; let m; while ((m = re.exec(l))) out.push(m[1].replace(/\\x([0-9a-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))).replace(/\\(.)/g, '$1')); return out; };
const r = new Redis('redis://127.0.0.1:6390');
const args = parse(lines[Number(process.argv[2] ?? 150)]).slice(2);
const variants = {
  'return 0': 'return 0',
  'preamble': BATCH.slice(0, BATCH.indexOf('-- What each key held')) + '\nreturn 0',
  'mget': BATCH.slice(0, BATCH.indexOf('-- The entries as this call')) + '\nreturn 0',
  'defs': BATCH.slice(0, BATCH.indexOf('local out = {}')) + '\nreturn 0',
  'ops': BATCH.slice(0, BATCH.indexOf('-- Each key written, once')) + '\nreturn 0',
  'full': BATCH,
};
for (const [name, src] of Object.entries(variants)) {
  const sha = await r.call('script', 'load', src);
  for (let k = 0; k < 50; k++) await r.call('evalsha', sha, ...args);
  await r.call('config', 'resetstat');
  for (let k = 0; k < 1000; k++) await r.call('evalsha', sha, ...args);
  const st = (await r.call('info', 'commandstats')).split('\n').find((x) => x.startsWith('cmdstat_evalsha'));
  console.log(name.padEnd(10), st.replace(/,rejected.*/, '').trim());
}
await r.quit();
