// CPU of the PHP flow pass (worthFlow + phpFlow) over the PHP files of some trees, for one build:
//   node bench/redteam/rt24-flow-cost.mjs ROOT TREE...   (ROOT: a checkout with packages/host/dist built)
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
const [root, ...trees] = process.argv.slice(2);
const { phpFlow, worthFlow } = await import(`${root}/packages/host/dist/scan/php-flow.js`);
const files = [];
const walk = (d) => { for (const n of readdirSync(d)) { const p = join(d, n); const st = lstatSync(p); if (st.isDirectory()) walk(p); else if (st.isFile() && /\.(php|inc|phtml)$/i.test(n)) files.push(p); } };
for (const t of trees) walk(t);
const texts = files.map((f) => readFileSync(f, 'latin1'));
let found = 0;
const c0 = process.cpuUsage();
for (const t of texts) if (worthFlow(t)) found += phpFlow(t).length;
const c = process.cpuUsage(c0);
console.log(root, files.length, 'files', ((c.user + c.system) / 1e6).toFixed(2), 'CPU s', found, 'findings');
