import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commentInCall, phpFlow } from './php-flow.js';
import { createScanner } from './scanner.js';

describe('scan: comments between a name and its parenthesis', () => {
  it('finds a run of comments of every kind between a name and "(" or "["', () => {
    assert.equal(commentInCall('<?php system/**/($_GET[1]);'), true);
    assert.equal(commentInCall('<?php system /* a */\n// b\n# c\n  ($_GET[1]);'), true);
    assert.equal(commentInCall('<?php $_GET/* x */[1];'), true);
    assert.equal(commentInCall('<?php $a = 1; // a comment\n$b = 2;'), false);
    assert.equal(commentInCall('<?php #[Attribute]\nfunction f() {}'), false);
    assert.equal(commentInCall('<?php f(); /* never closed ('), false);
  });

  it('a shell hidden that way is still found', () => {
    const found = phpFlow('<?php system/* a */ // b\n($_GET["c"]);');
    assert.ok(found.some((f) => f.technique === 'request-input-exec'), JSON.stringify(found));
  });

  it('a comment opening an argument, after "(" or ",", counts too (session 29); one in an empty call does not', () => {
    assert.equal(commentInCall('<?php system(/**/$_GET["c"]);'), true);
    assert.equal(commentInCall('<?php proc_open($a, /* b */ $c, $p);'), true);
    // (not in any call: a note after an array's comma, an argument's name, are in half of an application's files)
    assert.equal(commentInCall('<?php f($a, /* b */ $c);'), false);
    assert.equal(commentInCall("<?php $a = array(\n  'x', // the first\n  'y',\n);"), false);
    assert.equal(commentInCall('<?php system(// x\n$_GET["c"]);'), true);
    assert.equal(commentInCall('<?php f(/* nothing */);'), false);
  });

  it('shells with a comment inside their call, or an array spread into it, are malicious', () => {
    const scanner = createScanner({});
    const shells: [string, string][] = [
      ['a comment first in the argument', '<?php system(/**/$_GET["c"]);'],
      ['a comment with spaces around it', '<?php system( /* x */ $_GET["c"]);'],
      ['a line comment', '<?php\nsystem(// x\n$_GET["c"]);'],
      ['through a variable', '<?php\n$c = $_GET["c"];\nsystem(/**/$c);'],
      ['eval of a decoder, a comment in each call', '<?php\neval(/*a*/base64_decode(/*b*/$_POST["c"]));'],
      ['a comment between an assignment and the input it takes', '<?php $c = /**/ $_GET["c"]; system($c);'],
      ['a comment between a "." and the input', '<?php system("ls " . /**/ $_GET["c"]);'],
      ['a comment of 5,000 characters', `<?php system(/*${'x'.repeat(5000)}*/$_GET["c"]);`],
    ];
    for (const [what, src] of shells) {
      const r = scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/c.php');
      assert.equal(r.verdict, 'malicious', `${what}: ${JSON.stringify(r.findings)}`);
    }
    // (and an array literal spread into the call, found by the same probe)
    for (const src of ['<?php system(...[$_GET["c"]]);', '<?php system(... [ $_GET["c"] ]);']) {
      const r = scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/s.php');
      assert.equal(r.verdict, 'malicious', `${src}: ${JSON.stringify(r.findings)}`);
    }
    const spread = scanner.scanBuffer(Buffer.from('<?php\n$args = [1, 2];\necho max(...[3, 4], ...$args), htmlspecialchars($_GET["q"] ?? "");', 'latin1'), '/www/max.php');
    assert.equal(spread.verdict, 'clean', JSON.stringify(spread.findings));
    // (a benign call with a comment in it stays clean)
    const ok = scanner.scanBuffer(Buffer.from('<?php\n$rows = array_slice($all, /* from */ 0, /* count */ 10);\necho count($rows);', 'latin1'), '/www/list.php');
    assert.equal(ok.verdict, 'clean', JSON.stringify(ok.findings));
  });

  it('16 MiB of comment lines are read without overflowing the stack, once each (S22R-13)', () => {
    const line = '//eval( $_GET\n';
    const src = '<?php\n' + line.repeat(Math.ceil((16 << 20) / line.length));
    assert.equal(commentInCall(src), false);
    assert.equal(commentInCall(src + 'system($_GET[1]);'), false);
    assert.equal(commentInCall(src.replace(/\n$/, '') + '\n($_GET[1]);'), true);
  });
});
