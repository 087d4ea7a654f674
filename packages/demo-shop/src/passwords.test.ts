import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCRYPT_PARAMS, hashPassword, scryptKdf, verifyPassword, type Kdf } from './passwords.js';

function countingKdf(): { kdf: Kdf; calls: { password: string; N: number }[] } {
  const calls: { password: string; N: number }[] = [];
  const kdf: Kdf = (password, salt, params) => {
    calls.push({ password, N: params.N });
    return scryptKdf(password, salt, params);
  };
  return { kdf, calls };
}

test('a hash verifies its own password and no other', async () => {
  const stored = await hashPassword('correct horse');
  assert.match(stored, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.equal(await verifyPassword(stored, 'correct horse'), true);
  assert.equal(await verifyPassword(stored, 'correct horsE'), false);
  assert.equal(await verifyPassword(stored, ''), false);
});

test('each hash gets its own salt', async () => {
  const a = await hashPassword('same password');
  const b = await hashPassword('same password');
  assert.notEqual(a, b);
  assert.notEqual(a.split('$')[4], b.split('$')[4]);
});

test('an unknown user still costs one key derivation and fails', async () => {
  const { kdf, calls } = countingKdf();
  assert.equal(await verifyPassword(undefined, 'anything', kdf), false);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.N, SCRYPT_PARAMS.N);
});

test('a malformed or tampered record fails without using its parameters', async () => {
  const good = await hashPassword('pw');
  const parts = good.split('$');
  const tampered = [
    'plain-text-password',
    '',
    ['scrypt', 1048576, 8, 1, parts[4], parts[5]].join('$'),
    ['bcrypt', 16384, 8, 1, parts[4], parts[5]].join('$'),
    ['scrypt', 16384, 8, 1, parts[4], 'c2hvcnQ'].join('$'),
  ];
  for (const stored of tampered) {
    const { kdf, calls } = countingKdf();
    assert.equal(await verifyPassword(stored, 'pw', kdf), false, stored);
    assert.equal(calls.length, 1, stored);
    assert.equal(calls[0]!.N, SCRYPT_PARAMS.N, stored);
  }
});
