// S23R: verdicts of a benign tree's PHP files under a build (for a before/after diff). Writes path\tverdict\tms per line.
// node bench/redteam/rt23-benign-diff.mjs <scanner.js> <root> > out.tsv
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const [scannerPath, root] = process.argv.slice(2);
const { createScanner } = await import(scannerPath);
const s = createScanner({ maxFileBytes: 8 << 20 });
const files = execFileSync('find', [root, '-name', '*.php', '-type', 'f'], { maxBuffer: 1 << 28 }).toString().trim().split('\n').sort();
for (const f of files) {
  const buf = readFileSync(f);
  const t = performance.now();
  const r = await s.scanBuffer(buf, f);
  process.stdout.write(`${f}\t${r.verdict}\t${(performance.now() - t).toFixed(0)}\t${r.findings.map((x) => x.rule).sort().join(',')}\n`);
}
