import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';
import { isMamoriError } from './errors.js';

it('registers, refuses duplicates, freezes, and names what exists', () => {
  const r = new Registry<number>('widget').register('a', 1).register('b', 2);
  assert.equal(r.get('b'), 2);
  assert.deepEqual(r.names(), ['a', 'b']);
  assert.throws(() => r.register('a', 3), (e) => isMamoriError(e, 'MAMORI_ERR_REGISTRY_DUPLICATE'));
  assert.throws(() => r.get('c'), (e) => isMamoriError(e, 'MAMORI_ERR_REGISTRY_UNKNOWN') && /choose one of a, b/.test(e.message));
  r.freeze();
  assert.throws(() => r.register('c', 3), (e) => isMamoriError(e, 'MAMORI_ERR_REGISTRY_FROZEN'));
  assert.throws(() => r.get('__proto__'), (e) => isMamoriError(e, 'MAMORI_ERR_REGISTRY_UNKNOWN'));
});

it('two registries share nothing', () => {
  const a = new Registry<number>('x').register('one', 1);
  const b = new Registry<number>('x');
  assert.equal(b.has('one'), false);
  assert.equal(a.has('one'), true);
});
