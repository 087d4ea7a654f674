// S23R-9 and the cost of commentInCall: whole-file scans of comment-heavy PHP, request input at the top.
// node bench/redteam/rt23-comment-cost.mjs [scanner.js path]
const path = process.argv[2] ?? new URL('../../packages/host/dist/scan/scanner.js', import.meta.url).pathname;
const { createScanner } = await import(path);
const s = createScanner({ maxFileBytes: 32 << 20 });
const head = '<?php $a = $_GET[1];\n';
for (const [name, src] of [
  ['4 MiB of "a /**/" on one line', head + 'a /**/'.repeat((4 << 20) / 6)],
  ['16 MiB: a, then "# x" lines', head + 'a' + '# x\n'.repeat(4 << 20) + ';'],
  ['8 MiB of "a #" lines', head + 'a #\n'.repeat((8 << 20) / 4)],
]) {
  const t = performance.now();
  const r = await s.scanBuffer(Buffer.from(src, 'latin1'), '/www/x.php');
  console.log(`${name}: ${r.verdict} ${(performance.now() - t).toFixed(0)} ms`);
}
