// The PHP flow pass of two builds on the same files, in one process, rounds interleaved (min and median CPU s):
//   node bench/redteam/rt24-flow-ab.mjs BASE_ROOT NEW_ROOT TREE...   (each ROOT: a checkout with packages/host/dist built)
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
const [baseRoot, newRoot, ...trees] = process.argv.slice(2);
const a = await import(`${resolve(baseRoot)}/packages/host/dist/scan/php-flow.js`);
const b = await import(`${resolve(newRoot)}/packages/host/dist/scan/php-flow.js`);
const files = [];
const walk = (d) => { for (const n of readdirSync(d)) { const p = join(d, n); const st = lstatSync(p); if (st.isDirectory()) walk(p); else if (st.isFile() && /\.(php|inc|phtml)$/i.test(n)) files.push(p); } };
for (const t of trees) walk(t);
const texts = files.map((f) => readFileSync(f, 'latin1')).filter((t) => a.worthFlow(t));
const run = (m) => { const c0 = process.cpuUsage(); for (const t of texts) m.phpFlow(t); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6; };
const ra = [], rb = [];
for (let i = 0; i < 8; i++) { ra.push(run(a)); rb.push(run(b)); }
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
console.log(`${texts.length} files with request input (of ${files.length}); base min ${Math.min(...ra).toFixed(2)} median ${med(ra).toFixed(2)} | new min ${Math.min(...rb).toFixed(2)} median ${med(rb).toFixed(2)}`);
