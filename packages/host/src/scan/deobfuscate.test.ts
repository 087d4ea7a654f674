import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { entropy, longLiterals, peelChains } from './deobfuscate.js';
import { normalizeStrings, readPhpString } from './php-strings.js';
import { phpFlow, stripComments } from './php-flow.js';

describe('readPhpString', () => {
  it('reads escapes as PHP does in each kind of quote', () => {
    assert.equal(readPhpString(String.raw`"\x73\163\u{74}e\$m\n"`, 0)?.value, 'sste$m\n');
    assert.equal(readPhpString(String.raw`'a\'b\\c\n'`, 0)?.value, String.raw`a'b\c\n`);
    assert.equal(readPhpString(`"never closed`, 0), undefined);
  });
});

describe('normalizeStrings', () => {
  it('puts names back together: escapes, chr() arithmetic, concatenation, string functions of literals', () => {
    const out = normalizeStrings(`$a = "\\x61\\x73" . 'ser' . chr(112+4); $b = strrev('metsys'); $c = str_replace('q', '', 'eqvqaql'); $d = str_rot13('frg') . base64_decode('dGluZ3M=');`);
    assert.ok(out);
    assert.match(out, /\$a = 'assert';/);
    assert.match(out, /\$b = 'system';/);
    assert.match(out, /\$c = 'eval';/);
    assert.match(out, /\$d = 'settings';/);
  });
  it('leaves interpolating strings and binary results alone, and says when nothing changed', () => {
    assert.equal(normalizeStrings(`$x = "a $b c"; echo 'plain';`), undefined);
    const out = normalizeStrings(`$x = 'a' . 'b'; $y = base64_decode('AAEC');`);
    assert.ok(out?.includes(`base64_decode('AAEC')`));
  });
});

describe('peelChains', () => {
  it('peels a chain on a literal and on a variable, innermost first, and says the chain runs', () => {
    const payload = Buffer.from(deflateRawSync('echo 1;')).toString('base64');
    const r = peelChains(`<?php $p = '${payload}'; @eval(gzinflate(base64_decode($p)));`);
    assert.equal(r.payloads.length, 1);
    assert.deepEqual(r.payloads[0]!.layers, ['gzinflate', 'base64_decode']);
    assert.equal(r.payloads[0]!.text, 'echo 1;');
    assert.equal(r.payloads[0]!.executed, true);
  });
  it('reports corrupt data as a problem, not a payload', () => {
    const r = peelChains(`<?php eval(gzinflate(base64_decode('bm90IGRlZmxhdGU=')));`);
    assert.equal(r.payloads.length, 0);
    assert.equal(r.problems.length, 1);
  });
});

describe('longLiterals', () => {
  it('measures entropy, skips data: URIs, decodes PHP inside', () => {
    const php = Buffer.from('<?php ' + 'echo "x"; '.repeat(40) + '$a = $_GET["a"];').toString('base64');
    const noise = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7919) % 256)).toString('base64');
    const found = longLiterals(`$a = '${php}'; $img = "data:image/png;base64,${noise}"; $n = '${noise}';`);
    assert.equal(found.length, 2);
    assert.ok(found[0]!.decoded?.text.includes('$_GET'));
    assert.equal(found[1]!.decoded, undefined);
    assert.ok(entropy(noise) > 5);
    assert.ok(entropy('aaaaaaaa') === 0);
  });
});

describe('stripComments', () => {
  it('blanks PHP comments only inside PHP tags, keeping offsets and newlines', () => {
    const src = `<p>#1 don't</p><?php // eval($_POST[1])\n$a = "# not a comment"; /* x\ny */ echo 1; ?>#text`;
    const out = stripComments(src);
    assert.equal(out.length, src.length);
    assert.equal(out.split('\n').length, src.split('\n').length);
    assert.ok(out.startsWith(`<p>#1 don't</p><?php `));
    assert.ok(!out.includes('eval'));
    assert.ok(out.includes('"# not a comment"'));
    assert.ok(out.endsWith('echo 1; ?>#text'));
  });
});

describe('phpFlow', () => {
  it('follows direct flows, not dispatch keys or sanitised values', () => {
    assert.equal(phpFlow(`<?php $c = $_GET['c'] ?? ''; system($c);`)[0]?.technique, 'request-input-exec');
    assert.deepEqual(phpFlow(`<?php $c = $map[$_GET['c']]; system($c);`), []);
    assert.deepEqual(phpFlow(`<?php $c = escapeshellarg($_GET['c']); system('ls ' . $c);`), []);
    assert.deepEqual(phpFlow(`<?php // system($_GET['c']);\necho 1;`), []);
  });
});
