import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorText } from './error-line.js';

describe('errorText', () => {
  it('names the code once: before a message that lacks it, not again before one that starts with it', () => {
    assert.equal(errorText(Object.assign(new Error('bad config'), { code: 'MAMORI_ERR_CONFIG_INVALID' })), 'MAMORI_ERR_CONFIG_INVALID: bad config');
    assert.equal(errorText(Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: 'ENOENT' })), "ENOENT: no such file or directory, open 'x'");
    assert.equal(errorText(new Error('plain')), 'plain');
    assert.equal(errorText('a string'), 'a string');
    assert.equal(errorText(undefined), 'undefined');
    assert.equal(errorText({ code: 42, message: 'odd code' }), 'odd code');
  });
});
