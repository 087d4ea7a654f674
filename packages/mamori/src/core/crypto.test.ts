import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashIdentifier, hmac, murmur32, normalizeIdentifier, safeEqual } from './crypto.js';

describe('safeEqual', () => {
  it('compares strings and buffers', () => {
    assert.equal(safeEqual('secret', 'secret'), true);
    assert.equal(safeEqual('secret', 'secreT'), false);
    assert.equal(safeEqual('secret', 'secret!'), false);
    assert.equal(safeEqual('', ''), true);
    assert.equal(safeEqual(Buffer.from('abc'), 'abc'), true);
    assert.equal(safeEqual(Buffer.from([1, 2]), Buffer.from([1, 3])), false);
  });
});

describe('hashIdentifier', () => {
  const key = 'k'.repeat(32);
  it('case-folds, trims and NFKC-normalises so one account is one hash', () => {
    const h = hashIdentifier(key, 'user', 'alice@example.com');
    assert.equal(hashIdentifier(key, 'user', '  Alice@Example.COM '), h);
    assert.equal(hashIdentifier(key, 'user', 'ａｌｉｃｅ@example.com'), h, 'full-width letters fold to ASCII');
    assert.equal(normalizeIdentifier(' ＡＢＣ '), 'abc');
  });
  it('differs by key, kind and value, and hides the value', () => {
    const h = hashIdentifier(key, 'user', 'alice');
    assert.notEqual(hashIdentifier('other-key-000000', 'user', 'alice'), h);
    assert.notEqual(hashIdentifier(key, 'card', 'alice'), h);
    assert.notEqual(hashIdentifier(key, 'user', 'alicf'), h);
    assert.match(h, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(h.includes('alice'), false);
  });
});

describe('hmac', () => {
  it('separates its parts', () => {
    assert.notDeepEqual(hmac('k', 'ab', 'c'), hmac('k', 'a', 'bc'));
    assert.equal(hmac('k', 'x').length, 32);
  });
});

describe('murmur32', () => {
  it('is deterministic, 32-bit, and depends on the seed and every character', () => {
    assert.equal(murmur32('', 0), 0);
    assert.equal(murmur32('abc', 1), murmur32('abc', 1));
    assert.notEqual(murmur32('abc', 1), murmur32('abc', 2));
    assert.notEqual(murmur32('abc', 1), murmur32('abd', 1));
    assert.ok(murmur32('x'.repeat(1001), 7) >= 0 && murmur32('x'.repeat(1001), 7) <= 0xffffffff);
  });
});
