// S23R: php-flow commentInCall (walked by hand) and the bare-name / move_uploaded_file changes.
// node bench/redteam/rt23-flow-comment.mjs
import { createScanner } from '../../packages/host/dist/scan/scanner.js';
import { commentInCall } from '../../packages/host/dist/scan/php-flow.js';

export const cases = [
  ['control: system/**/(', '<?php system/**/($_GET[1]);\n'],
  ['control: system#x NL (', '<?php system#x\n($_GET[1]);\n'],
  ['"a/*" string earlier, then system#x NL (', '<?php $s = "a/*"; system#x\n($_GET[1]);\n'],
  ["'a//' at the end of a line... then system#", "<?php $s = 'a//'; system#x\n($_GET[1]);\n"],
  ['PHP 7 #[ comment: system#[ NL (', '<?php system#[x\n($_GET[1]);\n'],
  ['"x#" string earlier at end of file', '<?php system/**/($_GET[1]); $s = "x#"'],
  ['bare sink: $f = passthru;', '<?php $f = passthru; $f($_GET["c"]);\n'],
  ['bare sink: constant defined', "<?php define('EXEC', 'run_job'); function run_job($a){return (int)$a;} $f = EXEC; echo $f($_GET['c']);\n"],
  ['move_uploaded_file fixed .php', "<?php move_uploaded_file($x, 'x.php');\n"],
];
if (import.meta.url === `file://${process.argv[1]}`) {
  const scanner = createScanner({});
  for (const [name, src] of cases) {
    const r = await scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/x.php');
    console.log(`${r.verdict.padEnd(10)} cic=${commentInCall(src)} ${name}  ${r.findings.map((f) => f.rule + ':' + f.description.slice(0, 60)).join(' | ')}`);
  }
  // cost: big runs
  for (const [name, src] of [
    ['16 MiB spaces after a name', 'a' + ' '.repeat(16 << 20) + '('],
    ['8 MiB of "a /**/"', 'a /**/'.repeat((8 << 20) / 6)],
    ['8 MiB of "a/*" (unterminated each)', 'a/*'.repeat((8 << 20) / 3)],
    ['8 MiB of "a #\\n"', 'a #\n'.repeat((8 << 20) / 4)],
    ['a then 4M "# \\n" lines', 'a' + '# x\n'.repeat(4 << 20) + '('],
  ]) {
    const t = performance.now();
    let ok;
    try { ok = commentInCall(src); } catch (e) { ok = String(e); }
    console.log(`${name}: ${ok} ${(performance.now() - t).toFixed(0)} ms`);
  }
}
