import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from 'mamori';
import { AlertDb } from './alert-db.js';
import { toStored } from './stored.js';
import { alert } from './fixtures.case.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mamori-alertdb-'));
  dirs.push(d);
  return d;
}
const hash = (n: string): string => `h:${n.length}`;
const T = Date.UTC(2026, 0, 1);

describe('alerts.db', () => {
  it('is made 0600 in a 0700 folder, and dedupes by id across a restart', () => {
    const path = join(dir(), 'data', 'alerts.db');
    let db = AlertDb.open({ path });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
    assert.equal(db.insert(toStored(alert(), hash, 1)), true);
    assert.equal(db.insert(toStored(alert(), hash, 2)), false);
    db.close();
    db = AlertDb.open({ path });
    assert.equal(db.insert(toStored(alert(), hash, 3)), false, 'a restarted stream raises nothing twice');
    assert.equal(db.size, 1);
    assert.equal(db.list()[0]!.recordedAt, 1);
    db.close();
  });

  it('filters by since, detector and source, newest first; finds by a unique start of the id', () => {
    const db = AlertDb.open({ path: ':memory:' });
    for (let i = 0; i < 10; i++) db.insert(toStored(alert({ ip: `198.51.100.${i}`, time: T + i * 60_000, detector: i % 2 ? 'ssh-bruteforce' : 'http-scan' }), hash, 1));
    assert.deepEqual(db.list({ since: T + 7 * 60_000 }).map((a) => a.sourceIp), ['198.51.100.9', '198.51.100.8', '198.51.100.7']);
    assert.equal(db.list({ detector: 'http-scan' }).length, 5);
    assert.equal(db.list({ sourceIp: '198.51.100.3' })[0]!.detector, 'ssh-bruteforce');
    assert.equal(db.list({ limit: 2 }).length, 2);
    assert.equal(db.find(`ssh-bf-198.51.100.3-${T + 3 * 60_000}`).length, 1);
    assert.equal(db.find('ssh-bf-198.51.100.3').length, 1);
    assert.equal(db.find('ssh-bf-').length, 10);
    assert.equal(db.find('ssh').length, 0, 'fewer than 4 characters: exact ids only');
    db.setDecision(`ssh-bf-198.51.100.3-${T + 3 * 60_000}`, { state: 'skipped', reason: 'test' });
    assert.deepEqual(db.find('ssh-bf-198.51.100.3')[0]!.decision, { state: 'skipped', reason: 'test' });
    db.close();
  });

  it('keeps at most maxAlerts, the oldest going first', () => {
    const db = AlertDb.open({ path: ':memory:', maxAlerts: 100 });
    for (let i = 0; i < 1000; i++) db.insert(toStored(alert({ id: `a-${i}`, time: T + i }), hash, 1));
    assert.ok(db.size <= 110, String(db.size));
    const ids = db.list({ limit: 1000 }).map((a) => a.id);
    assert.ok(ids.includes('a-999') && !ids.includes('a-0'));
    db.close();
  });

  it('read-only on a missing file: a clear error', () => {
    assert.throws(() => AlertDb.open({ path: join(dir(), 'nope.db'), readonly: true }), (e) => isMamoriError(e, 'MAMORI_ERR_STORE_OPEN') && /no alert has been recorded/.test((e as Error).message));
  });
});
