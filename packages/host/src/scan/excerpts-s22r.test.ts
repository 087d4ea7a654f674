import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';
import { phpExcerpts } from './php-excerpts.js';

// Red-team S22R: ways to keep an injected shell out of the excerpts (bench/redteam/README-excerpts-s22.md).
const scanner = createScanner({});
const scan = (src: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/x.php');

/** A long legitimate-looking file of our own (no request input, no points). */
function host(kib: number): string {
  const parts = ['<?php\nnamespace App\\Util;\n'];
  for (let i = 0; parts.join('').length < kib * 1024; i++) {
    parts.push(`/**\n * Formats amount ${i}.\n */\nfunction fmt_${i}($amount) {\n    $t = number_format((float) $amount, 2);\n    if (!preg_match('/^[0-9.,]+$/', $t)) {\n        return '';\n    }\n    return "{$t} JPY";\n}\n\n`);
  }
  return parts.join('');
}
const SHELL = `$a = ['x' => 'system']; $a['x']($_GET['c']);`;
const CLOSURE = `$call = function ($f, $a) { return $f($a); }; $call('system', $_GET['c']);`;

describe('S22R: excerpts a shell author cannot starve', () => {
  const h = host(120);
  it('clean: the host alone', () => assert.equal(scan(h).verdict, 'clean'));
  it('S22R-1 malicious: a comment of 4,200 decoy points at the top', () => {
    for (const s of [SHELL, CLOSURE]) assert.equal(scan(h.replace('<?php', `<?php\n/* ${'eval( $x( $_GET '.repeat(4200)} */\n`) + `\n${s}\n`).verdict, 'malicious', s);
  });
  it('S22R-2 malicious: 70 decoy points before the shell (the file\'s payload budget was spent on them)', () => {
    const decoys = Array.from({ length: 70 }, (_, i) => `function dec_${i}() { /* eval( */ return ${i}; }\n$big_${i} = '${'x'.repeat(4100)}';\n`).join('');
    assert.equal(scan(`${h}\n${decoys}\n${CLOSURE}\n`).verdict, 'malicious');
  });
  it('S22R-3 malicious: a long comment before the shell, and a file padded past 1 MiB', () => {
    assert.equal(scan(`${h}\n/*${' license '.repeat(600)}*/\n${CLOSURE}\n`).verdict, 'malicious');
    assert.equal(scan(`${h}\n/*${' '.repeat((1 << 20) - h.length)}*/\n${CLOSURE}\n`).verdict, 'malicious');
  });
  it('S22R-4 malicious: the shell in a closure inside an array statement longer than an excerpt', () => {
    const arr = `$hooks = array(\n${Array.from({ length: 200 }, (_, i) => `  'hook_${i}' => 'callback_${i}',\n`).join('')}  'init' => function () { ${CLOSURE} },\n);\n`;
    assert.equal(scan(`${h}\n${arr}`).verdict, 'malicious');
  });
  it('excerpts start at code, not at the comment before it, and never overlap', () => {
    const text = `${h}\n/*${' x '.repeat(2000)}*/\n${SHELL}\n`;
    const ex = phpExcerpts(text, 32 * 1024);
    assert.ok(ex.some((e) => text.slice(e.start, e.end).startsWith("$a = ['x' => 'system'];")), JSON.stringify(ex));
    for (let i = 1; i < ex.length; i++) assert.ok(ex[i]!.start >= ex[i - 1]!.end);
  });
});

describe('S22R: benign look-alikes stay clean', () => {
  const h = host(120);
  it('clean: a long array of callbacks with closures that escape the request', () => {
    const arr = `$routes = array(\n${Array.from({ length: 200 }, (_, i) => `  'r_${i}' => 'handler_${i}',\n`).join('')}  'search' => function () { $q = isset($_GET['q']) ? (string) $_GET['q'] : ''; echo htmlspecialchars($q, ENT_QUOTES); },\n);\n`;
    assert.equal(scan(`${h}\n${arr}`).verdict, 'clean');
  });
  it('clean: a licence comment of "eval(" and "$_GET" words before ordinary code', () => {
    assert.equal(scan(h.replace('<?php', `<?php\n/* ${'never eval( $_GET input; '.repeat(400)} */\n`)).verdict, 'clean');
  });
});
