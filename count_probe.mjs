import { loadRules } from '/work/main/packages/host/dist/scan/yara.js';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, basename, extname } from 'node:path';
const rules = loadRules({});
const out = {};
let n = 0;
function walk(d) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile()) {
      const st = statSync(p); if (st.size > 4 << 20) continue;
      const buf = readFileSync(p);
      const isPhp = /\.(php\d?|phtml|inc)$/i.test(p) || buf.indexOf('<?php') >= 0;
      if (!isPhp) continue;
      n++;
      const name = basename(p);
      const hits = rules.scan(buf, { filename: name, filepath: p, extension: extname(name).slice(1).toLowerCase(), filetype: '' });
      for (const h of hits) if (h.builtin && h.rule.endsWith('__unless') && !hits.some((o) => o.builtin && o.rule === h.rule.slice(0, -8))) {
        (out[h.rule] ??= []).push(p);
      }
    }
  }
}
for (const d of process.argv.slice(2)) walk(d);
console.log('php files', n);
for (const [k, v] of Object.entries(out)) console.log(k, v.length, v.slice(0, 5).join(' '));
