#!/usr/bin/env node
// Differential test of the past look's lexer (phpTagPast/lexFrom) against PHP's own parser:
// random "<?=" snippets of literals, comments, interpolation and control bytes; a snippet PHP
// parses (token_get_all TOKEN_PARSE) that the look drops (no window, no plain tag) would be a tag
// PHP runs and mamori never judges. Usage: node lexer-diff.mjs [N]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { phpTagPast } from '../../../packages/host/dist/scan/scanner.js';
const N = Number(process.argv[2] ?? 20000);
const toks = ['"', "'", '`', '/*', '*/', '#', '//', '\n', '\\', '{$', '${', '}', '{', '$a', '[', ']', '\x01', '\0', ' ', ';', '1', '?>', '<<<X\n', '\nX;', '(', ')', '.', '$a[0]', '->b', 'x', '\x7f', '\x0c', '\xff', '<?='];
let seed = 7;
const rnd = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const dropped = [];
for (let i = 0; i < N; i++) {
  let s = '<?=';
  const n = 2 + rnd(14);
  for (let k = 0; k < n; k++) s += toks[rnd(toks.length)];
  s += ';';
  const b = Buffer.from(s + ' '.repeat(9000), 'latin1'); // long enough that the look decides (no "text ended")
  const t = phpTagPast(0);
  t.feed(b, 0);
  t.end();
  if (t.at === undefined && t.windows.length === 0) dropped.push(s);
}
writeFileSync('/tmp/s18-lexer-dropped.json', JSON.stringify(dropped));
const php = `<?php $a = json_decode(file_get_contents('/tmp/s18-lexer-dropped.json')); $ok = 0; foreach ($a as $s) { try { token_get_all($s, TOKEN_PARSE); $ok++; echo json_encode($s), "\\n"; } catch (\\Throwable $e) {} } fwrite(STDERR, "parsed: $ok of " . count($a) . "\\n");`;
writeFileSync('/tmp/s18-lexer.php', php);
console.log(`${N} snippets, ${dropped.length} dropped by the look; those PHP parses:`);
process.stdout.write(execFileSync('php', ['/tmp/s18-lexer.php'], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'inherit'] }).split('\n').slice(0, 20).join('\n') + '\n');
