// Runs each PHP sample of bench/redteam/s21/evasions under the local php (with $_GET['c'] = 'echo MARK')
// and scans it: prints whether it runs, and the verdict.
import { createScanner } from '../../packages/host/dist/scan/scanner.js';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const dir = process.argv[2] ?? new URL('./s21/evasions/', import.meta.url).pathname;
const scanner = createScanner({});
const MARK = 'S21MARK' + process.pid;
for (const f of readdirSync(dir).sort()) {
  const src = readFileSync(dir + '/' + f, 'latin1');
  let ran = '';
  // (only our own shells are run, never the benign look-alikes, and without network: no URL wrappers, no sockets, no curl)
  if (f.endsWith('.php') && dir.includes('evasions')) {
    const pre = `<?php $_GET = ['c' => 'echo ${MARK}', 'f' => 'system']; $_POST = $_GET; $_REQUEST = $_GET; $_COOKIE = $_GET; include ${JSON.stringify(dir + '/' + f)};`;
    const r = spawnSync('php', ['-d', 'display_errors=stderr', '-d', 'allow_url_fopen=0', '-d', 'disable_functions=curl_init,curl_exec,curl_multi_exec,fsockopen,pfsockopen,stream_socket_client,socket_create,socket_connect,copy,mail', '-r', pre.replace(/^<\?php /, '')], { encoding: 'utf8', timeout: 10000 });
    ran = r.stdout.includes(MARK) ? 'RUNS' : 'norun';
  }
  const res = scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/' + f);
  console.log(f.padEnd(28), ran.padEnd(6), res.verdict.padEnd(10), res.score, res.findings.map((x) => x.rule).join(',').slice(0, 100));
}
