import { readFileSync, readdirSync } from 'node:fs';
import { both } from './harness.mjs';
for (const f of readdirSync(new URL('./fp/', import.meta.url))) {
  const r = both(readFileSync(new URL('./fp/' + f, import.meta.url), 'latin1'), '/www/' + f);
  console.log(f.padEnd(16), 'base=' + r.base, '001f0c1=' + r.main, 'rt22=' + r.cur, r.rules.join(' '));
}
