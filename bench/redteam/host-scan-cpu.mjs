#!/usr/bin/env node
// Finding H20 (README-host.md, open): CPU per MB of files built to be costly for the YARA-X rules
// (dense "$_GET[" and "preg_replace_callback($_GET[1]," runs) against an ordinary PHP file of the
// same size, in the same run. CPU as the OS counts it (process.cpuUsage). Usage:
//   node bench/redteam/host-scan-cpu.mjs [MB=2]
import { host } from './host-lib.mjs';

const mb = Number(process.argv[2] ?? 2);
const n = mb * 1024 * 1024;
const fill = (unit) => `<?php ${unit.repeat(Math.ceil(n / unit.length))}`;
const s = host.createScanner();
const cases = {
  ordinary: fill("function f($a) { return strlen($a) + 1; }\n$x = ['k' => f('v')];\n"),
  'dense $_GET[': fill('$_GET['),
  'dense callbacks': fill('preg_replace_callback($_GET[1],'),
  'dense assignments': fill('$a=$_GET[1].'),
};
const cpu = {};
for (const [name, text] of Object.entries(cases)) {
  const t = process.cpuUsage();
  const r = s.scanBuffer(Buffer.from(text), '/var/www/x.php');
  const u = process.cpuUsage(t);
  cpu[name] = (u.user + u.system) / 1e6;
  console.log(`${name.padEnd(18)} ${mb} MB  ${cpu[name].toFixed(2)} s CPU  ${(cpu[name] / mb).toFixed(2)} s/MB  ${(cpu[name] / cpu.ordinary).toFixed(1)}x ordinary  (${r.verdict})`);
}
