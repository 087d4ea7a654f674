// in-process times of one file: base (663b3b4), main (001f0c1 as built in /work/main), this worktree
import { readFileSync } from 'node:fs';
const mods = { base: '/work/wt-base', main: '/work/main', rt22: '/work/wt-rt22' };
const sc = {};
for (const [k, d] of Object.entries(mods)) sc[k] = (await import(`${d}/packages/host/dist/scan/scanner.js`)).createScanner({});
for (const f of process.argv.slice(2)) {
  const buf = readFileSync(f); const row = [f.split('/').pop(), (buf.length / 1048576).toFixed(1) + 'MiB'];
  for (const [k, s] of Object.entries(sc)) { const t = performance.now(); let v; try { v = s.scanBuffer(buf, f).verdict; } catch (e) { v = e.constructor.name; } row.push(`${k}=${v}/${Math.round(performance.now() - t)}ms`); }
  console.log(row.join(' '));
}
