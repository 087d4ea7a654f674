import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCookie, serializeCookie } from './cookies.js';

test('readCookie: the first match, arrays joined, oversized headers ignored', () => {
  assert.equal(readCookie('a=1; b=2; a=3', 'a'), '1');
  assert.equal(readCookie(' b = 2 ;', 'b'), '2');
  assert.equal(readCookie(['a=1', 'b=2'], 'b'), '2');
  assert.equal(readCookie('ab=1', 'a'), undefined);
  assert.equal(readCookie('a', 'a'), undefined);
  assert.equal(readCookie(`x=${'y'.repeat(16_384)}; a=1`, 'a'), undefined);
  assert.equal(readCookie(undefined, 'a'), undefined);
  assert.equal(serializeCookie('a', 'v', { maxAgeSec: 10.9, secure: true }), 'a=v; Max-Age=10; Path=/; HttpOnly; SameSite=Lax; Secure');
});

test('readCookie: parts walked in place answer as the split parts did (empty names, spaces, a name inside another)', () => {
  assert.equal(readCookie('=1; a=2', ''), '1');
  assert.equal(readCookie('x=1;\u00a0a =2', 'a'), '2');
  assert.equal(readCookie('xa=1; a=2', 'a'), '2');
  assert.equal(readCookie('a=b=c; a=d', 'a'), 'b=c');
  assert.equal(readCookie('b=a; c=1', 'a'), undefined);
  assert.equal(readCookie(';;a=;', 'a'), '');
  assert.equal(readCookie(['x=1', ' a = 2 '], 'a'), '2');
});
