import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
const { createScanner } = await import('/work/wt-rt20/packages/host/dist/scan/scanner.js');
const sc = createScanner({});
const MARK = 'evmark42';
const GET = `$_GET = ['c' => 'echo ${MARK}', 'f' => 'system']; $_POST = $_GET; $_REQUEST = $_GET; $_COOKIE = $_GET;`;
const S = (await import(process.argv[2])).default;
for (const [name, src, runIt = true] of S) {
  const f = '/work/h20/ev/s.php';
  fs.writeFileSync(f, `<?php\n${src}\n`);
  let ran = '-';
  if (runIt) { const o = spawnSync('php', ['-d', 'display_errors=stderr', '-r', `${GET} include $argv[1];`, f], { encoding: 'utf8', timeout: 10000 }); ran = o.stdout.includes(MARK) ? 'RUNS' : 'norun:' + (o.stderr || o.stdout).slice(0, 120).replace(/\n/g, ' '); }
  const r = sc.scanBuffer(Buffer.from(`<?php\n${src}\n`), '/www/x.php');
  console.log(`${r.verdict.padEnd(10)} ${ran.padEnd(5)} ${name} :: ${r.findings.map((x) => x.technique ?? x.rule).join(',')}`);
}
