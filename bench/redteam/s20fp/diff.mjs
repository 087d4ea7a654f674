// Files whose verdict or findings differ between the new (OUT/new) and old (OUT/old) scans; totals per build.
import fs from 'node:fs';
const O = process.argv[2] ?? '/work/fp20pk/out';
const read = (f) => { const m = new Map(); for (const l of fs.readFileSync(f, 'utf8').split('\n')) { if (!l.trim()) continue; try { const r = JSON.parse(l); if (r.type === 'file') m.set(r.path, r); } catch {} } return m; };
const fx = (r) => (r ? r.findings.map((f) => `${f.technique ?? f.rule}(${f.score})${f.line ? '@' + f.line : ''}`).sort().join(', ') : '-');
const tot = { files: 0, php: 0, nm: 0, ns: 0, om: 0, os: 0 };
for (const p of fs.readdirSync(`${O}/new`).filter((f) => f.endsWith('.jsonl')).sort()) {
  const n = read(`${O}/new/${p}`), o = read(`${O}/old/${p}`);
  for (const r of n.values()) { tot.files++; if (r.kind === 'php') tot.php++; if (r.verdict === 'malicious') tot.nm++; if (r.verdict === 'suspicious') tot.ns++; }
  for (const r of o.values()) { if (r.verdict === 'malicious') tot.om++; if (r.verdict === 'suspicious') tot.os++; }
  for (const [k, r] of n) {
    const q = o.get(k);
    if (!q) { console.log(`ONLY-NEW ${k}`); continue; }
    if (q.verdict !== r.verdict || fx(q) !== fx(r)) console.log(`DIFF [${p.slice(0, -6)}] ${k} (${r.size} B): old ${q.verdict}/${q.score} [${fx(q)}] -> new ${r.verdict}/${r.score} [${fx(r)}] :: ${r.findings.map((f) => f.description).join(' | ')}`);
  }
  for (const k of o.keys()) if (!n.has(k)) console.log(`ONLY-OLD ${k}`);
}
console.log(JSON.stringify(tot));
