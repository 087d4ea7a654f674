// For each sample: verdict by this worktree's build (fix), by c705f7d (base, /work/wt-rt19-base) and by 2f669ce (old,
// /work/wt-rt19-old; NO_OLD=1 skips it), the time each took, and whether PHP runs the sample as a shell.
// usage: node check.mjs [files...]   (default: samples/*.php)
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
const here = path.dirname(new URL(import.meta.url).pathname);
const NEW = await import(path.resolve(here, '../../../packages/host/dist/scan/scanner.js'));
const BASE = await import('/work/wt-rt19-base/packages/host/dist/scan/scanner.js');
const OLD = process.env.NO_OLD ? undefined : await import('/work/wt-rt19-old/packages/host/dist/scan/scanner.js');
const sn = NEW.createScanner({}), sb = BASE.createScanner({}), so = OLD?.createScanner({});
const files = process.argv.slice(2).length ? process.argv.slice(2) : fs.readdirSync(path.join(here, 'samples')).filter((f) => f.endsWith('.php')).sort().map((f) => path.join(here, 'samples', f));
const MARK = 'ran-' + process.pid;
for (const f of files) {
  const buf = fs.readFileSync(f);
  const t0 = Date.now(); const n = sn.scanBuffer(buf, '/www/x.php'); const tn = Date.now() - t0;
  const t2 = Date.now(); const b = sb.scanBuffer(buf, '/www/x.php'); const tb = Date.now() - t2;
  const t1 = Date.now(); const o = so ? so.scanBuffer(buf, '/www/x.php') : { verdict: '-', findings: [] }; const to = Date.now() - t1;
  const boot = `$c = "echo ${MARK}"; $_GET["c"] = $_POST["c"] = $_REQUEST["c"] = $_COOKIE["c"] = $c; $_GET["d"] = "echo ${MARK}"; $_GET["f"] = "system"; include $argv[1];`;
  const r = spawnSync('php', ['-d', 'display_errors=stderr', '-r', boot, f], { encoding: 'utf8', timeout: 20000 });
  const ran = r.stdout.includes(MARK);
  const fx = (x) => x.findings.map((q) => `${q.technique}(${q.score})`).join(',');
  console.log(`${path.basename(f).padEnd(34)} php:${ran ? 'SHELL' : 'no   '} fix:${n.verdict.padEnd(10)} base:${b.verdict.padEnd(10)} old:${o.verdict.padEnd(10)} ${tn}/${tb}/${to}ms  fix[${fx(n)}] base[${fx(b)}] old[${fx(o)}]${ran ? '' : ' stderr:' + r.stderr.slice(0, 120).replace(/\n/g, ' ')}`);
}
