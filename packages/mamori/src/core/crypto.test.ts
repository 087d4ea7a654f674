import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hmac, normalizeIdentifier, safeEqual } from './crypto.js';

describe('safeEqual', () => {
  it('compares strings and buffers', () => {
    assert.equal(safeEqual('secret', 'secret'), true);
    assert.equal(safeEqual('secret', 'secreT'), false);
    assert.equal(safeEqual('secret', 'secret!'), false);
    assert.equal(safeEqual('', ''), true);
    // Unpaired surrogates differ as text (a copy to UTF-8 would turn both into U+FFFD).
    assert.equal(safeEqual('\ud800', '\ud801'), false);
    assert.equal(safeEqual('é', 'ab'), false);
    assert.equal(safeEqual(Buffer.from('abc'), 'abc'), true);
    assert.equal(safeEqual(Buffer.from([1, 2]), Buffer.from([1, 3])), false);
  });
});

describe('normalizeIdentifier', () => {
  it('case-folds, trims and NFKC-normalises so one account is one identifier', () => {
    assert.equal(normalizeIdentifier('  Alice@Example.COM '), 'alice@example.com');
    assert.equal(normalizeIdentifier('ａｌｉｃｅ@example.com'), 'alice@example.com', 'full-width letters fold to ASCII');
    assert.equal(normalizeIdentifier(' ＡＢＣ '), 'abc');
  });
});

describe('hmac', () => {
  it('separates its parts', () => {
    assert.notDeepEqual(hmac('k', 'ab', 'c'), hmac('k', 'a', 'bc'));
    assert.equal(hmac('k', 'x').length, 32);
  });
});
