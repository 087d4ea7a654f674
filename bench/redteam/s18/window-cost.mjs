#!/usr/bin/env node
// CPU of judging one 8 KiB window past the scan bound (what pastScanFindings runs, in the PARENT of
// the timed scanner, outside --file-timeout) for crafted window contents. Usage: node window-cost.mjs
import { createScanner } from '../../../packages/host/dist/scan/scanner.js';
const s = createScanner();
const W = 8194;
const fill = (head, unit) => { let t = head; while (t.length < W) t += unit; return Buffer.from(t.slice(0, W), 'latin1'); };
const cases = {
  ordinary: fill('<?= 1; ', "function f($a) { return strlen($a) + 1; }\n$x = ['k' => f('v')];\n"),
  '$_GET[': fill('<?= 1; ', '$_GET['),
  callbacks: fill('<?= 1; ', 'preg_replace_callback($_GET[1],'),
  assigns: fill('<?= 1; ', '$a=$_GET[1].'),
  'chr concat': fill('<?= 1; $f=', 'chr(115).'),
  'str concat': fill('<?= 1; $f=', "'ab'."),
  'hex esc': fill('<?= 1; $f="', '\\x73'),
  'eval(base64(': fill('<?= 1; ', 'eval(base64_decode('),
  'fn defs': fill('<?= 1; ', 'function a($b){eval($b);}a('),
  '${ ': fill('<?= 1; ', '${$a}('),
  'varcalls': fill('<?= 1; ', '$a($a($a('),
  'xor': fill('<?= 1; $o="";', '$o.=$p[$i]^$k;eval($o);'),
};
for (const [name, buf] of Object.entries(cases)) {
  const t = process.cpuUsage();
  let r;
  for (let i = 0; i < 17; i++) r = s.scanBuffer(buf, '/var/www/uploads/x.jpg.php');
  const u = process.cpuUsage(t);
  console.log(`${name.padEnd(14)} 17 windows: ${((u.user + u.system) / 1e6).toFixed(3)} s CPU (${r.verdict})`);
}
