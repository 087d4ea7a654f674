import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionIndex } from './decision-index.js';
import type { Decision } from './decisions.js';

let n = 0;
function d(scope: Decision['scope'], value: string, expiresAt = 2_000): Decision {
  return { id: `d${++n}`, action: 'block', scope, value, expiresAt, createdAt: 0, origin: 'cli', reason: 'test' };
}

test('DecisionIndex: a dotted-quad address finds its ip and range decisions, in the order the text keys gave', () => {
  const ix = new DecisionIndex();
  const wide = d('range', '10.0.0.0/8');
  const narrow = d('range', '10.1.2.0/24');
  const all = d('range', '0.0.0.0/0');
  const ip = d('ip', '10.1.2.3');
  const user = d('user', 'AAAAAAAAAAA');
  const v6 = d('range', '2001:db8::/32');
  for (const x of [wide, narrow, all, ip, user, v6]) ix.add(x);
  assert.deepEqual(ix.match({ ip: '10.1.2.3', userHash: 'AAAAAAAAAAA' }, 1_000).map((x) => x.id), [ip.id, wide.id, narrow.id, all.id, user.id]);
  assert.deepEqual(ix.match({ ip: '10.1.3.3' }, 1_000).map((x) => x.id), [wide.id, all.id]);
  // The same address written otherwise goes the text way and finds the same.
  assert.deepEqual(ix.match({ ip: '::ffff:10.1.2.3' }, 1_000).map((x) => x.id), [ip.id, wide.id, narrow.id, all.id]);
  assert.deepEqual(ix.match({ ip: '2001:db8::1' }, 1_000).map((x) => x.id), [v6.id]);
  // Expired ones are left out; removed ones are gone from both ways.
  assert.deepEqual(ix.match({ ip: '10.1.2.3' }, 2_000).map((x) => x.id), []);
  ix.remove(narrow);
  ix.remove(ip);
  assert.deepEqual(ix.match({ ip: '10.1.2.3' }, 1_000).map((x) => x.id), [wide.id, all.id]);
  ix.clear();
  assert.deepEqual(ix.match({ ip: '10.1.2.3' }, 1_000), []);
});

test('DecisionIndex: two decisions on one address share it until both are removed', () => {
  const ix = new DecisionIndex();
  const a = d('ip', '192.0.2.1');
  const b = d('ip', '192.0.2.1');
  ix.add(a);
  ix.add(b);
  assert.deepEqual(ix.match({ ip: '192.0.2.1' }, 1_000).map((x) => x.id), [a.id, b.id]);
  ix.remove(a);
  assert.deepEqual(ix.match({ ip: '192.0.2.1' }, 1_000).map((x) => x.id), [b.id]);
  ix.remove(b);
  assert.deepEqual(ix.match({ ip: '192.0.2.1' }, 1_000).map((x) => x.id), []);
  // A range written with host bits was never found by its text key: not by number either.
  ix.add(d('range', '192.0.2.1/24'));
  assert.deepEqual(ix.match({ ip: '192.0.2.1' }, 1_000), []);
});
