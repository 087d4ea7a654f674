import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonArgs } from './json.js';

const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

test('JSON: every scalar by its path from json, in document order, as bytes', () => {
  const r = parseJsonArgs(latin1('{"user":{"name":"é","tags":["a",1,true,null]},"n":1.50,"e":{},"q":"x\' or 1=1"}'));
  assert.equal(r.error, undefined);
  assert.deepEqual(r.args, [
    ['json.user.name', '\xc3\xa9'],
    ['json.user.tags.0', 'a'],
    ['json.user.tags.1', '1'],
    ['json.user.tags.2', 'true'],
    ['json.user.tags.3', ''],
    ['json.n', '1.5'],
    ['json.q', "x' or 1=1"],
  ]);
  assert.deepEqual(parseJsonArgs('"top"').args, [['json', 'top']]);
});

test('JSON: duplicate keys flagged; not JSON, not UTF-8, too deep: errors; bounded', () => {
  assert.equal(parseJsonArgs('{"a":1,"b":{"a":2},"a":3}').duplicateKey, 'a');
  assert.match(parseJsonArgs('{"a":').error ?? '', /^JSON: /);
  assert.match(parseJsonArgs('{"a":"\xff"}').error ?? '', /not UTF-8/);
  assert.match(parseJsonArgs('['.repeat(100_000) + ']'.repeat(100_000)).error ?? '', /nested deeper than 512/);
  const many = parseJsonArgs(JSON.stringify(Array.from({ length: 50 }, (_, i) => i)), 10);
  assert.equal(many.args.length, 10);
  assert.equal(many.truncated, true);
  // Deep but allowed: no stack used per level.
  assert.equal(parseJsonArgs('['.repeat(500) + '1' + ']'.repeat(500)).args.length, 1);
});
