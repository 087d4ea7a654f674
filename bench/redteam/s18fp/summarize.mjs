// Summarize scan.sh output: per package file counts, non-clean files, new vs old verdicts.
import fs from 'node:fs';
const O = process.argv[2] ?? '/work/fp18pk/out';
const read = (f) => { const m = new Map(); if (!fs.existsSync(f)) return m; for (const l of fs.readFileSync(f, 'utf8').split('\n')) { if (!l.trim()) continue; try { const r = JSON.parse(l); if (r.type === 'file') m.set(r.path, r); } catch {} } return m; };
const pk = fs.readdirSync(`${O}/new`).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -6)).sort();
const rows = []; const tot = { files: 0, php: 0, mal: 0, sus: 0, oldmal: 0, oldsus: 0 };
const detail = [];
const one = (name, nf, of) => {
  const n = read(nf), o = read(of);
  let php = 0, mal = 0, sus = 0, om = 0, os = 0;
  for (const r of o.values()) { if (r.verdict === 'malicious') om++; else if (r.verdict === 'suspicious') os++; }
  for (const r of n.values()) {
    if (r.kind === 'php') php++;
    if (r.verdict === 'malicious') mal++; else if (r.verdict === 'suspicious') sus++;
    const old = o.get(r.path);
    if (r.verdict !== 'clean' || (old && old.verdict !== 'clean')) {
      const f = (x) => x ? x.findings.map((f) => `${f.technique ?? f.rule}(${f.score})${f.line ? '@' + f.line : ''}`).join(', ') : '-';
      detail.push({ pkg: name, path: r.path, size: r.size, verdict: r.verdict, score: r.score, old: old ? `${old.verdict}/${old.score}` : '-', change: !old ? 'n/a' : old.verdict === r.verdict ? (f(old) === f(r) ? 'same' : 'same-verdict,findings-differ') : `${old.verdict}->${r.verdict}`, findings: f(r), oldFindings: f(old), desc: r.findings.map((f) => f.description).join(' | ') });
    }
  }
  rows.push({ name, files: n.size, php, mal, sus, om, os });
  tot.files += n.size; tot.php += php; tot.mal += mal; tot.sus += sus; tot.oldmal += om; tot.oldsus += os;
};
for (const p of pk) one(p, `${O}/new/${p}.jsonl`, `${O}/old/${p}.jsonl`);
one('big-fixtures', `${O}/new-big.jsonl`, `${O}/old-big.jsonl`);
console.log('| package | files | php | malicious | suspicious | old mal | old sus |\n|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.files} | ${r.php} | ${r.mal} | ${r.sus} | ${r.om} | ${r.os} |`);
console.log(`| **total** | ${tot.files} | ${tot.php} | ${tot.mal} | ${tot.sus} | ${tot.oldmal} | ${tot.oldsus} |`);
console.log('\n## non-clean files (new build) and old verdicts\n');
for (const d of detail) console.log(`- [${d.pkg}] ${d.path.replace(/^\/work\/fp18pk\/x\/[^/]+\//, '').replace('/var/cache/mamori-ci/', '')} (${d.size} B): **${d.verdict}/${d.score}** (old ${d.old}; ${d.change}): ${d.findings}${d.change !== 'same' ? ` ; old: ${d.oldFindings}` : ''} — ${d.desc}`);
