// Compares two `mamori scan --json --all` outputs (jsonl) file by file: scores down, up, verdicts changed.
// node bench/redteam/rt24-corpus-diff.mjs NEW.jsonl   (the base's: /tmp/rt24-base-all.json, or BASE=path)
import { readFileSync } from 'node:fs';
const load = (p) => { const m = new Map(); for (const l of readFileSync(p, 'utf8').split('\n')) { if (!l) continue; const o = JSON.parse(l); if (o.type === 'file') m.set(o.path, o); } return m; };
const a = load(process.env.BASE || '/tmp/rt24-base-all.json'), b = load(process.argv[2] || '/tmp/rt24-new-all.json');
let down = 0, up = 0, verd = 0;
for (const [p, x] of a) { const y = b.get(p); if (!y) { console.log('missing', p); continue; }
  if (y.score < x.score) { down++; console.log('DOWN', x.score, '->', y.score, p, y.findings.map(f=>f.rule).join(',')); }
  if (y.score > x.score) { up++; console.log('UP', x.score, '->', y.score, y.verdict, p, y.findings.filter(f=>!x.findings.some(g=>g.rule===f.rule)).map(f=>f.rule+':'+f.score).join(',')); }
  if (y.verdict !== x.verdict) verd++;
}
console.log({ files: a.size, down, up, verd });
