import fs from 'node:fs'; import path from 'node:path';
const { foldVariables } = await import('/work/wt-rt20/packages/host/dist/scan/php-fold.js');
const src = fs.readFileSync('/work/wt-rt20/packages/host/src/scan/scanner.ts', 'utf8');
const NEWF = eval(src.match(/const FOLDS = (\/.*\/i);/)[1]); const CALLS = eval(src.match(/const CALLS = (\/.*\/i);/)[1]);
const oldSrc = fs.readFileSync('/work/wt-rt20-before/../wt-rt20/packages/host/src/scan/scanner.ts','utf8');
const OLDF = /\$\$[A-Za-z_]|\$\{\s*["']|["']\s*\^\s*["']|\)\s*\^\s*(?:chr\s*\(|\(|["'])|\b(?:strrev|str_rot13|base64_decode|str_replace|strtr|substr|substr_replace|pack|implode|join|explode|sprintf|chr|ucfirst|strtolower|strtoupper|trim|hex2bin)\s*\(\s*["'$]|\$[A-Za-z_]\w*\s*\.\s*\$[A-Za-z_]\w*\s*\.|\bforeach\s*\(\s*(?:array\s*\(|\[)\s*["']_|\$\w+\s*=\s*["'](?:https?|ftp):\/\/|\b(?:eval|assert|create_function)\s*\(\s*@?\s*\$\w+\s*\./i;
const walk = (d, out) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p, out); else if (e.isFile() && /\.(php|inc)$/.test(e.name)) out.push(p); } return out; };
const files = walk(process.argv[2], []);
let o = 0, n = 0, tO = 0, tN = 0, onlyNew = {};
for (const f of files) {
  const t = fs.readFileSync(f, 'latin1'); if (t.length > 32768) continue;
  const c = CALLS.test(t); if (!c) continue;
  const a = OLDF.test(t), b = NEWF.test(t);
  const s = process.hrtime.bigint(); if (a || b) foldVariables(t); const e = Number(process.hrtime.bigint() - s) / 1e6;
  if (a) { o++; tO += e; } if (b) { n++; tN += e; }
  if (b && !a) { const m = t.match(NEWF)[0].slice(0, 20); onlyNew[m] = (onlyNew[m] || 0) + 1; }
}
console.log(files.length, 'old gate', o, tO.toFixed(0) + 'ms', 'new gate', n, tN.toFixed(0) + 'ms'); console.log(Object.entries(onlyNew).sort((x, y) => y[1] - x[1]).slice(0, 12));
