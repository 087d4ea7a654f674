import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openShopDb } from './db.js';
import { scryptKdf, type Kdf } from './passwords.js';
import { DEMO_USERS, MAX_PASSWORD_LENGTH, authenticate, seedDemoUsers } from './users.js';

function countingKdf(): { kdf: Kdf; count: () => number } {
  let n = 0;
  return {
    kdf: (p, s, params) => {
      n++;
      return scryptKdf(p, s, params);
    },
    count: () => n,
  };
}

test('the demo users are the documented three', () => {
  assert.deepEqual(
    DEMO_USERS.map((u) => [u.email, u.password, u.role]),
    [
      ['alice@example.com', 'alice-demo-password', 'customer'],
      ['bob@example.com', 'bob-demo-password', 'customer'],
      ['admin@example.com', 'admin-demo-password', 'admin'],
    ],
  );
});

test('seeding is idempotent and stores no plain passwords', async (t) => {
  const db = openShopDb(':memory:');
  t.after(() => db.close());
  assert.equal(await seedDemoUsers(db, 0), 3);
  const before = db.userByEmail('alice@example.com')!.password_hash;
  const { kdf, count } = countingKdf();
  assert.equal(await seedDemoUsers(db, 0, kdf), 0);
  assert.equal(count(), 0, 'existing users are not re-hashed');
  assert.equal(db.countUsers(), 3);
  assert.equal(db.userByEmail('alice@example.com')!.password_hash, before);
  for (const u of DEMO_USERS) assert.ok(!db.userByEmail(u.email)!.password_hash.includes(u.password));
});

test('authenticate accepts the right password, ignoring email case and spaces', async (t) => {
  const db = openShopDb(':memory:');
  t.after(() => db.close());
  await seedDemoUsers(db, 0);
  const user = await authenticate(db, '  Alice@Example.COM ', 'alice-demo-password');
  assert.equal(user?.email, 'alice@example.com');
  assert.equal(user?.role, 'customer');
  assert.equal(await authenticate(db, 'alice@example.com', 'bob-demo-password'), undefined);
});

test('unknown users and over-long input pay for exactly one key derivation', async (t) => {
  const db = openShopDb(':memory:');
  t.after(() => db.close());
  await seedDemoUsers(db, 0);
  const cases: [string, string][] = [
    ['nobody@example.com', 'alice-demo-password'],
    ['alice@example.com', 'x'.repeat(MAX_PASSWORD_LENGTH + 1)],
    ['a'.repeat(300) + '@example.com', 'pw'],
    ['alice@example.com', 'wrong'],
  ];
  for (const [email, password] of cases) {
    const { kdf, count } = countingKdf();
    assert.equal(await authenticate(db, email, password, kdf), undefined);
    assert.equal(count(), 1, email.slice(0, 30));
  }
});
