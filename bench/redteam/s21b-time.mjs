// Times webFlowSource (in process) and the whole CLI scan for each file given (node s21b-time.mjs FILE...)
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { extname } from 'node:path';
const root = new URL('../../', import.meta.url).pathname;
const cli = process.env.CLI ?? `${root}packages/cli/dist/bin.js`;
const { webFlowSource } = await import(`${root}packages/host/dist/scan/web-source.js`);
for (const f of process.argv.slice(2)) {
  const src = readFileSync(f, 'latin1');
  const ext = extname(f).slice(1);
  let flow = '-';
  if (/^(aspx?|ashx|asmx|jsp)$/.test(ext)) {
    const t = performance.now();
    try { const o = webFlowSource(ext === 'jsp' ? 'jsp' : 'asp', ext, src); flow = `${((performance.now() - t) / 1000).toFixed(2)}s out=${o?.length ?? 0}`; } catch (e) { flow = `THREW ${e.message.slice(0, 60)} after ${((performance.now() - t) / 1000).toFixed(2)}s`; }
  }
  const t = performance.now();
  let out;
  try { out = execFileSync('node', [cli, 'scan', '--json', '--all', '--no-progress', '--file-timeout', '120s', f], { encoding: 'utf8', maxBuffer: 1 << 26 }); } catch (e) { out = e.stdout; }
  const r = JSON.parse(out.trim().split('\n')[0] || '{}');
  console.log(`${f.split('/').pop()}\t${src.length}B\tflow ${flow}\tcli ${((performance.now() - t) / 1000).toFixed(2)}s\t${r.verdict} ${r.score} ${(r.findings ?? []).map((x) => x.rule).join(',').slice(0, 150)}`);
}
