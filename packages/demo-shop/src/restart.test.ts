import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startDemoShop } from './index.js';
import { get, login } from './test-support.js';

function readUsers(path: string): { email: string; password_hash: string }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], { email: string; password_hash: string }>('SELECT email, password_hash FROM users ORDER BY id').all();
  } finally {
    db.close();
  }
}

test('a file database keeps users (without duplicates) and sessions across restarts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-shop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'shop.db');

  const first = await startDemoShop({ port: 0, dbPath });
  let cookie: string;
  try {
    cookie = await login(first.url, 'alice@example.com', 'alice-demo-password');
  } finally {
    await first.close();
  }
  const usersBefore = readUsers(dbPath);
  assert.deepEqual(
    usersBefore.map((u) => u.email),
    ['alice@example.com', 'bob@example.com', 'admin@example.com'],
  );

  for (let i = 0; i < 2; i++) {
    const again = await startDemoShop({ port: 0, dbPath });
    try {
      const res = await get(`${again.url}/account`, cookie);
      assert.equal(res.status, 200, 'the session survives the restart');
      assert.ok((await res.text()).includes('alice@example.com'));
      await login(again.url, 'admin@example.com', 'admin-demo-password');
    } finally {
      await again.close();
    }
  }
  assert.deepEqual(readUsers(dbPath), usersBefore, 'same rows, same hashes');

  // An in-memory shop starts empty of sessions.
  const fresh = await startDemoShop({ port: 0 });
  try {
    assert.equal((await get(`${fresh.url}/account`, cookie)).status, 302);
  } finally {
    await fresh.close();
  }
});
