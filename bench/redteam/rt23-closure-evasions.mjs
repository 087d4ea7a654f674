// S23R: closures in a variable that the linking (php-excerpts.ts) does not take, each read small and in a long file.
// node bench/redteam/rt23-closure-evasions.mjs
import { createScanner } from '../../packages/host/dist/scan/scanner.js';
import { longFile } from '../../packages/host/dist/scan/scan-test-kit.js';

const host = longFile(120);
const decoys = (n) => Array.from({ length: n }, (_, i) => `function pad_${i}() { return shell_exec("uptime"); }`).join('\n');
const call = '\necho $fmt($_GET["x"]);\n';
export const cases = [
  ['control', '$fmt = function ($c) { return shell_exec($c); };', call],
  ['by-ref arrow fn&(', '$fmt = fn&($c) => system($c);', call],
  ['static by-ref arrow', '$fmt = static fn&($c) => system($c);', call],
  ['parenthesized closure', '$fmt = (function ($c) { return shell_exec($c); });', call],
  ['arrow with ; inside', '$fmt = fn($c) => (function () use ($c) { $x = 1; return system($c); })();', call],
  ['closure def over 4 KiB', '$fmt = function ($c) {\n' + '    $pad = 1;\n'.repeat(400) + '    return shell_exec($c); };', call],
  ['33 decoy runners first', decoys(33) + '\n$fmt = function ($c) { return shell_exec($c); };', call],
  ['4 decoy runners called in the excerpt first', decoys(4) + '\n$fmt = function ($c) { return shell_exec($c); };', '\necho pad_0(), pad_1(), pad_2(), pad_3(), $fmt($_GET["x"]);\n'],
  ['runner big decoy called first (bytes)', 'function big() {\n' + '    $pad = 1;\n'.repeat(330) + ' return shell_exec("uptime"); }\n$fmt = function ($c) { return shell_exec($c); };', '\necho big(), $fmt($_GET["x"]);\n'],
  ['ternary closure', '$fmt = true ? function ($c) { return shell_exec($c); } : null;', call],
  ['list() destructuring', '[$fmt] = [function ($c) { return shell_exec($c); }];', call],
  ['Closure::bind', '$fmt = Closure::bind(function ($c) { return shell_exec($c); }, null, null);', call],
];
if (import.meta.url === `file://${process.argv[1]}`) {
  const scanner = createScanner({});
  for (const [name, def, use] of cases) {
    const small = `<?php\n${def}\n${use}`;
    const large = host.replace('<?php\n', `<?php\n${def}\n`) + use;
    const rs = await scanner.scanBuffer(Buffer.from(small, 'latin1'), '/www/shop/util.php');
    const rl = await scanner.scanBuffer(Buffer.from(large, 'latin1'), '/www/shop/util.php');
    console.log(`small ${rs.verdict.padEnd(10)} large ${rl.verdict.padEnd(10)} ${name}`);
  }
}
