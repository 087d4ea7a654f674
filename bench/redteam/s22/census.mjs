import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { phpExcerpts } from '/work/wt-rt22/packages/host/dist/scan/php-excerpts.js';
const roots = process.argv.slice(2); const counts = []; let files = 0, ms = 0;
function walk(d) { for (const n of readdirSync(d)) { const p = join(d, n); const s = lstatSync(p); if (s.isDirectory()) walk(p); else if (s.isFile() && /\.(php|inc|phtml)$/.test(n) && s.size > 32768 && s.size <= 4 << 20) { const t = readFileSync(p, 'latin1'); const a = performance.now(); const e = phpExcerpts(t, 32768); ms += performance.now() - a; files++; counts.push([e.length, p, s.size]); } } }
for (const r of roots) walk(r);
counts.sort((a, b) => b[0] - a[0]);
console.log('files', files, 'cut ms total', ms | 0, 'with excerpts', counts.filter(c => c[0] > 0).length);
for (const c of counts.slice(0, 8)) console.log(c.join(' '));
