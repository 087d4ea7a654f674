// S23R: hostile large PHP files against the definition linking's cost (php-excerpts.ts runnersOf/linked).
// node bench/redteam/rt23-excerpt-cost.mjs [MiB]
import { createScanner } from '../../packages/host/dist/scan/scanner.js';
import { phpExcerpts } from '../../packages/host/dist/scan/php-excerpts.js';

const mib = Number(process.argv[2] ?? 4);
const size = mib * 1024 * 1024 - 4096;
const fill = (unit) => unit.repeat(Math.floor(size / unit.length));
export const files = [
  ['closures without =>', '<?php $a = $_GET["x"]; function u() { return system("uptime"); }\n' + fill('$a=fn(\n')],
  ['functions without {', '<?php $a = $_GET["x"]; function u() { return system("uptime"); }\n' + fill('function a(\n')],
  ['closures without ;', '<?php $a = $_GET["x"]; function u() { return system("uptime"); }\n' + fill('$a=fn()=>1\n')],
  ['nested unclosed functions', '<?php $a = $_GET["x"]; function u() { return system("uptime"); }\n' + fill('function a(){\n')],
  ['excerpts each calling 16 runners', '<?php\n' + Array.from({ length: 16 }, (_, i) => `function r${i}($c){exec($c);}`).join('\n') + '\n' + fill('r0($_GET[1]);r1(1);r2(1);r3(1);r4(1);r5(1);r6(1);r7(1);r8(1);r9(1);r10(1);r11(1);r12(1);r13(1);r14(1);r15(1);' + ' '.repeat(4100) + '\n')],
  ['copies of a runner closure, called', '<?php $a = function ($c) { return system($c); };\n' + fill('$b = $a; $b($_GET[1]);\n')],
  ['32 runners, many calls near input', '<?php\n' + Array.from({ length: 32 }, (_, i) => `function r${i}($c){exec($c);}`).join('\n') + '\n' + fill('r0($_GET[1]);r1(1);\n')],
];
if (import.meta.url === `file://${process.argv[1]}`) {
  const scanner = createScanner({});
  for (const [name, src] of files) {
    let t = performance.now();
    const ex = phpExcerpts(src, 32 * 1024);
    const te = performance.now() - t;
    t = performance.now();
    const r = await scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/x.php');
    console.log(`${name.padEnd(36)} ${(src.length / 1048576).toFixed(1)} MiB  excerpts ${String(ex.length).padStart(3)} in ${te.toFixed(0)} ms; scan ${(performance.now() - t).toFixed(0)} ms ${r.verdict}`);
  }
}
