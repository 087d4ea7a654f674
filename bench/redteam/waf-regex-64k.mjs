// Every CRS @rx pattern, exec() (captures: the Pike VM path) and test() on 64 KB inputs of
// repetitive shapes; prints the slowest pattern/input pairs. node bench/redteam/waf-regex-64k.mjs
import { compilePattern } from '../../packages/mamori/dist/waf/regex.js';
import { crsRxPatterns } from '../../packages/mamori/dist/waf/crs-patterns.js';
const dir = process.env.CRS_DIR ?? '/work/shared/data/crs';
const pats = crsRxPatterns(dir);
const N = 64 * 1024;
const shapes = ['a', ' ', '(', "'", 'a;', '${', '<a ', '/*', 'x=', '\\', '../', '%', '&#', 'a.', '$(', '`', '|a', '\n', 'select ', 'a\n', '-', 'on', '<!--', 'x:'];
const inputs = shapes.map((s) => [s, s.repeat(Math.ceil(N / s.length)).slice(0, N)]);
const res = [];
for (const p of pats) {
  let c;
  try { c = compilePattern(p.source); } catch { continue; }
  for (const [s, inp] of inputs) {
    for (const mode of ['test', 'exec']) {
      const t0 = process.cpuUsage();
      c[mode](inp);
      const d = process.cpuUsage(t0);
      res.push({ id: p.id, mode, s, ms: (d.user + d.system) / 1000 });
    }
  }
}
res.sort((a, b) => b.ms - a.ms);
console.log('patterns', pats.length, 'runs', res.length, 'total ms', res.reduce((a, r) => a + r.ms, 0).toFixed(0));
for (const r of res.slice(0, 15)) console.log(r.id, r.mode, JSON.stringify(r.s), r.ms.toFixed(1), 'ms');
