// S23R: hostile large PHP files against the definition linking's cost (php-excerpts.ts runnersOf/linked).
// node bench/redteam/rt23-excerpt-cost.mjs [MiB]
import { createScanner } from '../../packages/host/dist/scan/scanner.js';
import { phpExcerpts } from '../../packages/host/dist/scan/php-excerpts.js';

const mib = Number(process.argv[2] ?? 4);
const size = mib * 1024 * 1024 - 4096;
const fill = (unit) => unit.repeat(Math.floor(size / unit.length));
export const files = [
  ['closures without =>', '<?php $a = $_GET["x"];\n' + fill('$a=fn(\n')],
  ['functions without {', '<?php $a = $_GET["x"];\n' + fill('function a(\n')],
  ['closures without ;', '<?php $a = $_GET["x"];\n' + fill('$a=fn()=>1\n')],
  ['nested unclosed functions', '<?php $a = $_GET["x"];\n' + fill('function a(){\n')],
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
