// per file, both builds in one process, alternating: total ms each, and the files that cost most more
import fs from 'node:fs'; import path from 'node:path';
const dirs = process.argv.slice(2);
const A = (await import('/work/wt-rt20-before/packages/host/dist/scan/scanner.js')).createScanner({});
const B = (await import('/work/wt-rt20/packages/host/dist/scan/scanner.js')).createScanner({});
const walk = (d, out) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p, out); else if (e.isFile() && /\.(php\d?|inc|phtml)$/.test(e.name)) out.push(p); } return out; };
for (const dir of dirs) {
  const files = walk(dir, []).map((f) => [f, fs.readFileSync(f)]);
  let ta = 0, tb = 0; const diff = [];
  for (const [f, b] of files) {
    const ms = (sc) => { const s = process.hrtime.bigint(); sc.scanBuffer(b, f); return Number(process.hrtime.bigint() - s) / 1e6; };
    const a1 = ms(A), b1 = ms(B), b2 = ms(B), a2 = ms(A);
    ta += (a1 + a2) / 2; tb += (b1 + b2) / 2; diff.push([(b1 + b2 - a1 - a2) / 2, f]);
  }
  console.log(`${path.basename(dir)} files ${files.length} before ${(ta / 1000).toFixed(2)}s after ${(tb / 1000).toFixed(2)}s (+${((tb / ta - 1) * 100).toFixed(1)}%)`);
  if (process.env.TOP) console.log(diff.sort((x, y) => y[0] - x[0]).slice(0, 6).map(([d, f]) => `  +${d.toFixed(0)}ms ${f}`).join('\n'));
}
