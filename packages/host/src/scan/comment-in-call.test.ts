import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commentInCall, phpFlow } from './php-flow.js';

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

  it('16 MiB of comment lines are read without overflowing the stack, once each (S22R-13)', () => {
    const line = '//eval( $_GET\n';
    const src = '<?php\n' + line.repeat(Math.ceil((16 << 20) / line.length));
    assert.equal(commentInCall(src), false);
    assert.equal(commentInCall(src + 'system($_GET[1]);'), false);
    assert.equal(commentInCall(src.replace(/\n$/, '') + '\n($_GET[1]);'), true);
  });
});
