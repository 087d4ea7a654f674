import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isMamoriError, type SecurityEvent } from 'mamori';
import { VulnDb, vulnDbPath } from '../inventory/db.js';
import { acceptRisk, assetsWithFindings, closeRemovedAssets, emitAll, recordCheck, reopenFinding, reopenReturnedAssets, storedPlanInputs, sweep } from './lifecycle.js';
import { buildPlan } from './plan.js';
import { asset, finding } from './fixtures.case.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-15T09:00:00Z');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function db(): VulnDb {
  const d = VulnDb.open(':memory:');
  d.putAssets([asset('vpn', { owner: 'netops', criticality: 'critical' }), asset('blog', { type: 'wordpress-plugin', owner: 'web' }), asset('build', { type: 'npm', exposure: 'internal' })], T0);
  return d;
}

const kev = { dateAdded: '2024-01-10', dueDate: '2024-01-31' };

describe('the findings lifecycle', () => {
  it('vuln.db is created 0600 in the data directory; assets are added, changed and removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-vuln-db-'));
    dirs.push(dir);
    const d = VulnDb.open(vulnDbPath(join(dir, 'data')));
    assert.equal(statSync(vulnDbPath(join(dir, 'data'))).mode & 0o777, 0o600);
    assert.deepEqual(d.putAssets([asset('a'), asset('b')], T0), { added: 2, updated: 0, unchanged: 0 });
    assert.deepEqual(d.putAssets([asset('a'), asset('b', { version: '2.0' })], T0), { added: 0, updated: 1, unchanged: 1 });
    assert.equal(d.asset('b')!.version, '2.0');
    assert.equal(d.removeAssets(['a', 'zzz']), 1);
    assert.deepEqual(d.assets().map((a) => a.name), ['b']);
    d.close();
    // Opened again: the same data, the schema not run twice.
    const again = VulnDb.open(vulnDbPath(join(dir, 'data')));
    assert.equal(again.assets().length, 1);
    again.close();
  });

  it('new findings open with an event; a later check of the asset that no longer says affected fixes them; one that says it again reopens', () => {
    const d = db();
    const c1 = recordCheck(d, [finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev }), finding({ asset: 'vpn', cve: 'CVE-2023-46805', kev }), finding({ asset: 'blog', cve: 'CVE-2020-25213' })], { now: T0 });
    assert.deepEqual([c1.opened, c1.updated, c1.fixed, c1.reappeared], [3, 0, 0, 0]);
    assert.deepEqual(c1.events.map((e) => [e['event.action'], e['vulnerability.id'], e['mamori.vuln.priority'], e['mamori.vuln.due'], e['mamori.vuln.owner'], e['event.severity']]), [
      ['vuln-finding', 'CVE-2024-21887', 'P1', '2024-01-22', 'netops', 73],
      ['vuln-finding', 'CVE-2023-46805', 'P1', '2024-01-22', 'netops', 73],
      ['vuln-finding', 'CVE-2020-25213', 'P4', '2024-07-13', 'web', 20],
    ]);
    assert.match(c1.events[0]!['event.reason']!, /^vpn \(p 1\.0\): CVE-2024-21887, P1: in CISA KEV since 2024-01-10, due 2024-01-31; internet-facing; critical asset; due 2024-01-22, owner netops$/);

    // The vpn is upgraded: the next check says not affected for one CVE and no longer mentions the other.
    const c2 = recordCheck(d, [finding({ asset: 'vpn', cve: 'CVE-2024-21887', status: 'not_affected', version: '22.7R2.5', reason: '22.7R2.5 is the fix' })], { now: T0 + DAY });
    assert.deepEqual([c2.opened, c2.fixed], [0, 2]);
    assert.deepEqual(d.findings({ state: 'fixed' }).map((f) => f.cve), ['CVE-2023-46805', 'CVE-2024-21887']);
    assert.equal(d.finding('blog', 'CVE-2020-25213')!.state, 'open', 'blog was not in the check: not known to be fixed');
    assert.deepEqual(c2.events.map((e) => e['event.action']), ['vuln-finding-fixed', 'vuln-finding-fixed']);
    assert.deepEqual(d.history('vpn', 'CVE-2024-21887').map((h) => [h.action, h.why]), [
      ['new', '1.0 is below the fix 1.1'],
      ['fixed', 'the check of 2024-01-16 says not affected: 22.7R2.5 is the fix'],
    ]);

    // An unknown is not a fix.
    const c3 = recordCheck(d, [finding({ asset: 'blog', cve: 'CVE-2020-25213', status: 'unknown', reason: 'version unreadable' })], { now: T0 + 2 * DAY });
    assert.deepEqual([c3.updated, c3.fixed], [1, 0]);
    assert.equal(d.finding('blog', 'CVE-2020-25213')!.finding.status, 'unknown');

    // A check of the whole inventory (--complete) that mentions nothing fixes what is left.
    const c4 = recordCheck(d, [], { now: T0 + 3 * DAY, complete: true });
    assert.equal(c4.fixed, 1);

    // A downgrade brings a CVE back.
    const c5 = recordCheck(d, [finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev })], { now: T0 + 4 * DAY });
    assert.deepEqual([c5.reappeared, c5.events[0]!['event.action']], [1, 'vuln-finding']);
    assert.match(c5.events[0]!['event.reason']!, /is back after being fixed/);
    assert.equal(d.finding('vpn', 'CVE-2024-21887')!.state, 'open');
    assert.equal(d.finding('vpn', 'CVE-2024-21887')!.firstSeen, T0 + 4 * DAY, 'the deadline counts from its return');
  });

  it('accepted risk: with who, why and an expiry; out of the plan; reopened when the expiry passes; fixed if a check says so meanwhile', () => {
    const d = db();
    recordCheck(d, [finding({ asset: 'build', cve: 'CVE-2021-23337' }), finding({ asset: 'blog', cve: 'CVE-2020-25213' })], { now: T0 });
    assert.throws(() => acceptRisk(d, 'build', 'CVE-2021-23337', { by: 'alice', reason: ' ', until: T0 + DAY, now: T0 }), (e) => isMamoriError(e, 'MAMORI_ERR_CLI_USAGE'));
    assert.throws(() => acceptRisk(d, 'build', 'CVE-2021-23337', { by: 'alice', reason: 'x', until: T0 - 1, now: T0 }), /in the future/);
    assert.throws(() => acceptRisk(d, 'nope', 'CVE-2021-23337', { by: 'alice', reason: 'x', until: T0 + DAY, now: T0 }), /no finding/);
    const r = acceptRisk(d, 'build', 'CVE-2021-23337', { by: 'alice', reason: 'build host only, no untrusted input', until: T0 + 30 * DAY, now: T0 });
    assert.equal(r.event['event.action'], 'vuln-risk-accepted');
    assert.equal(r.event['event.reason'], 'build: CVE-2021-23337 accepted by alice until 2024-02-14: build host only, no untrusted input');
    const plan = buildPlan(storedPlanInputs(d), new Map(d.assets().map((a) => [a.name, a])), { now: T0 });
    assert.deepEqual(plan.items.map((i) => i.cve), ['CVE-2020-25213']);

    assert.deepEqual(sweep(d, { now: T0 + 29 * DAY, warnBefore: 0 }).filter((e) => e['event.action'] !== 'vuln-deadline'), []);
    const ev = sweep(d, { now: T0 + 30 * DAY, warnBefore: 0 });
    assert.deepEqual(ev.map((e) => [e['event.action'], e['vulnerability.id']]), [['vuln-finding-reopened', 'CVE-2021-23337']]);
    assert.match(ev[0]!['event.reason']!, /open again: the risk accepted by alice until 2024-02-14 is no longer accepted/);
    assert.equal(d.finding('build', 'CVE-2021-23337')!.state, 'open');
    assert.deepEqual(d.history('build').map((h) => [h.action, h.who]), [['new', 'mamori vuln check'], ['accepted', 'alice'], ['expired', 'mamori']]);

    // Accept again, then a check of the asset no longer reports it: fixed, acceptance or not.
    acceptRisk(d, 'build', 'CVE-2021-23337', { by: 'bob', reason: 'waiting for the vendor', until: T0 + 60 * DAY, now: T0 + 30 * DAY });
    recordCheck(d, [finding({ asset: 'build', cve: 'CVE-2021-23337', status: 'not_affected' })], { now: T0 + 31 * DAY });
    assert.equal(d.finding('build', 'CVE-2021-23337')!.state, 'fixed');
    assert.throws(() => acceptRisk(d, 'build', 'CVE-2021-23337', { by: 'bob', reason: 'x', until: T0 + 60 * DAY, now: T0 + 31 * DAY }), /was fixed on 2024-02-15/);
    const back = reopenFinding(d, 'build', 'CVE-2021-23337', { by: 'carol', reason: 'the fix was rolled back', now: T0 + 32 * DAY });
    assert.equal(back.event['event.action'], 'vuln-finding-reopened');
    assert.throws(() => reopenFinding(d, 'build', 'CVE-2021-23337', { by: 'carol', reason: '', now: T0 + 32 * DAY }), /open already/);
  });

  it('deadline notices: once when near, once when past; none for accepted findings', () => {
    const d = db();
    recordCheck(d, [finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev: { dateAdded: '2024-01-10', dueDate: '2024-01-18' } }), finding({ asset: 'build', cve: 'CVE-2021-23337' })], { now: T0 });
    acceptRisk(d, 'build', 'CVE-2021-23337', { by: 'a', reason: 'r', until: T0 + 300 * DAY, now: T0 });
    const near = sweep(d, { now: T0 });
    assert.deepEqual(near.map((e) => [e['event.action'], e['vulnerability.id'], e['mamori.vuln.due']]), [['vuln-deadline', 'CVE-2024-21887', '2024-01-18']]);
    assert.match(near[0]!['event.reason']!, /^vpn \(p 1\.0\): CVE-2024-21887 due 2024-01-18 \(CISA KEV due date\), owner netops; P1: /);
    assert.deepEqual(sweep(d, { now: T0 + DAY }), [], 'not twice');
    const past = sweep(d, { now: T0 + 4 * DAY });
    assert.equal(past.length, 1);
    assert.match(past[0]!['event.reason']!, /overdue since 2024-01-18/);
    assert.deepEqual(sweep(d, { now: T0 + 5 * DAY }), []);
  });

  it('findings recorded against an inventory file keep its facts for later commands (priority, owner, due date)', () => {
    const d = VulnDb.open(':memory:');
    const inv = new Map([['edge', asset('edge', { owner: 'netops', exposure: 'internal' })]]);
    recordCheck(d, [finding({ asset: 'edge', cve: 'CVE-2024-1234', kev: { dateAdded: '2024-01-10', dueDate: '2024-03-01' } })], { now: T0, assets: inv });
    const ev = sweep(d, { now: T0 + 28 * DAY });
    assert.deepEqual(ev.map((e) => [e['event.action'], e['mamori.vuln.priority'], e['mamori.vuln.owner'], e['mamori.vuln.due']]), [['vuln-deadline', 'P2', 'netops', '2024-02-14']]);
    const plan = buildPlan(storedPlanInputs(d), assetsWithFindings(d, new Map()), { now: T0 });
    assert.deepEqual(plan.items.map((i) => [i.priority, i.owner, i.inInventory]), [['P2', 'netops', true]]);
  });

  it('events reach a sink; a sink that throws does not stop the others', () => {
    const d = db();
    const got: SecurityEvent[] = [];
    const c = recordCheck(d, [finding({ asset: 'vpn', cve: 'CVE-2024-1111' }), finding({ asset: 'vpn', cve: 'CVE-2024-2222' })], { now: T0 });
    let n = 0;
    emitAll({ emit: (e) => { if (n++ === 0) throw new Error('down'); got.push(e); } }, c.events);
    assert.deepEqual(got.map((e) => e['rule.id']), ['CVE-2024-2222']);
  });

  it('a removed asset takes its findings out of the plan (closed: asset-removed, with when and why); they come back with it, history kept', () => {
    const d = db();
    recordCheck(d, [finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev }), finding({ asset: 'blog', cve: 'CVE-2020-25213' }), finding({ asset: 'build', cve: 'CVE-2021-23337' })], { now: T0 });
    acceptRisk(d, 'blog', 'CVE-2020-25213', { by: 'web', reason: 'behind a login', until: T0 + 30 * DAY, now: T0 });
    // vuln asset remove: the database's inventory loses vpn and blog
    d.removeAssets(['vpn', 'blog']);
    const ev = closeRemovedAssets(d, ['vpn', 'blog'], { now: T0 + DAY, who: 'ops@h', why: 'removed from the inventory (mamori vuln asset remove)' });
    assert.deepEqual(ev.map((e) => [e['event.action'], e['mamori.vuln.asset'], e['vulnerability.id']]), [['vuln-finding-closed', 'vpn', 'CVE-2024-21887'], ['vuln-finding-closed', 'blog', 'CVE-2020-25213']]);
    const vpn = d.finding('vpn', 'CVE-2024-21887')!;
    assert.equal(vpn.state, 'closed');
    assert.deepEqual(vpn.closed, { reason: 'asset-removed', at: T0 + DAY, why: 'removed from the inventory (mamori vuln asset remove)', from: 'open' });
    assert.equal(d.finding('blog', 'CVE-2020-25213')!.closed!.from, 'accepted');
    // out of the plan, out of the deadline notices; not fixed either
    assert.deepEqual(storedPlanInputs(d).map((i) => i.finding.cve), ['CVE-2021-23337']);
    assert.deepEqual(sweep(d, { now: T0 + 40 * DAY }).filter((e) => e['mamori.vuln.asset'] !== 'build'), []);
    assert.deepEqual(d.findings({ state: 'fixed' }), []);
    // nothing to accept on a closed finding; a check that does not mention them leaves them closed
    assert.throws(() => acceptRisk(d, 'vpn', 'CVE-2024-21887', { by: 'x', reason: 'y', until: T0 + 50 * DAY, now: T0 + 2 * DAY }), /closed on 2024-01-16: removed from the inventory/);
    recordCheck(d, [finding({ asset: 'build', cve: 'CVE-2021-23337' })], { now: T0 + 2 * DAY, complete: true });
    assert.equal(d.finding('vpn', 'CVE-2024-21887')!.state, 'closed');
    // the asset is back: the finding takes up its state, with its first-seen date (the due date it had)
    d.putAssets([asset('vpn', { owner: 'netops', criticality: 'critical' })], T0 + 3 * DAY);
    const back = reopenReturnedAssets(d, ['vpn'], { now: T0 + 3 * DAY });
    assert.equal(back.returned, 1);
    assert.equal(back.events[0]!['event.action'], 'vuln-finding-reopened');
    assert.match(back.events[0]!['event.reason']!, /open again: the asset is in the inventory again \(closed on 2024-01-16: removed from the inventory/);
    const again = d.finding('vpn', 'CVE-2024-21887')!;
    assert.deepEqual([again.state, again.closed, again.firstSeen], ['open', null, T0]);
    assert.deepEqual(d.history('vpn', 'CVE-2024-21887').map((h) => h.action), ['new', 'closed', 'asset-back']);
    // the accepted one comes back accepted while its acceptance lasts, open once it has ended
    d.putAssets([asset('blog', { type: 'wordpress-plugin', owner: 'web' })], T0 + 40 * DAY);
    reopenReturnedAssets(d, ['blog'], { now: T0 + 40 * DAY });
    assert.equal(d.finding('blog', 'CVE-2020-25213')!.state, 'open');
  });

  it('a --complete check against an inventory without the asset closes its findings; a check that reports the asset again reopens them', () => {
    const d = db();
    recordCheck(d, [finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev }), finding({ asset: 'blog', cve: 'CVE-2020-25213' })], { now: T0 });
    // the inventory file of the next check no longer has blog
    const inv = new Map([['vpn', asset('vpn')], ['build', asset('build', { type: 'npm' })]]);
    const c = recordCheck(d, [finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev })], { now: T0 + DAY, complete: true, assets: inv });
    assert.deepEqual([c.closed, c.fixed, c.updated], [1, 0, 1]);
    assert.ok(c.events.some((e) => e['event.action'] === 'vuln-finding-closed' && e['mamori.vuln.asset'] === 'blog'));
    const blog = d.finding('blog', 'CVE-2020-25213')!;
    assert.equal(blog.state, 'closed');
    assert.match(blog.closed!.why, /covered the whole inventory, which no longer has the asset/);
    // without --complete nothing is known of assets a check does not mention
    const d2 = db();
    recordCheck(d2, [finding({ asset: 'blog', cve: 'CVE-2020-25213' })], { now: T0 });
    assert.equal(recordCheck(d2, [], { now: T0 + DAY, assets: inv }).closed, 0);
    // blog comes back in a later check, still vulnerable: the same finding, open again (not new)
    const c2 = recordCheck(d, [finding({ asset: 'blog', cve: 'CVE-2020-25213' })], { now: T0 + 2 * DAY });
    assert.deepEqual([c2.returned, c2.opened, c2.reappeared], [1, 0, 0]);
    assert.deepEqual([d.finding('blog', 'CVE-2020-25213')!.state, d.finding('blog', 'CVE-2020-25213')!.firstSeen], ['open', T0]);
    // it comes back patched: fixed, verified by the check
    recordCheck(d, [], { now: T0 + 3 * DAY, complete: true, assets: inv });
    closeRemovedAssets(d, ['blog'], { now: T0 + 3 * DAY, why: 'gone' });
    const c3 = recordCheck(d, [finding({ asset: 'blog', cve: 'CVE-2020-25213', status: 'not_affected', reason: 'patched' })], { now: T0 + 4 * DAY });
    assert.deepEqual([c3.returned, c3.fixed], [1, 1]);
    assert.equal(d.finding('blog', 'CVE-2020-25213')!.state, 'fixed');
  });

  it('vuln.db at schema 1 (before closures, distro and source) is migrated in place, its findings kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-vuln-db-'));
    dirs.push(dir);
    const path = join(dir, 'vuln.db');
    const old = new Database(path);
    old.exec(`CREATE TABLE assets (name TEXT PRIMARY KEY, type TEXT NOT NULL, product TEXT NOT NULL, version TEXT NOT NULL, exposure TEXT NOT NULL, criticality TEXT NOT NULL, owner TEXT, origin TEXT, added_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE findings (asset TEXT NOT NULL, cve TEXT NOT NULL, state TEXT NOT NULL, finding TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, fixed_at INTEGER, accepted_by TEXT, accepted_reason TEXT, accepted_at INTEGER, accepted_until INTEGER, notified TEXT, asset_facts TEXT, PRIMARY KEY (asset, cve)) WITHOUT ROWID;
      CREATE INDEX findings_state ON findings (state);
      CREATE TABLE finding_history (asset TEXT NOT NULL, cve TEXT NOT NULL, at INTEGER NOT NULL, action TEXT NOT NULL, who TEXT NOT NULL, why TEXT NOT NULL);
      CREATE INDEX finding_history_key ON finding_history (asset, cve, at);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      PRAGMA user_version = 1;`);
    old.prepare('INSERT INTO findings (asset, cve, state, finding, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)').run('vpn', 'CVE-2024-21887', 'open', JSON.stringify(finding({ asset: 'vpn', cve: 'CVE-2024-21887' })), T0, T0);
    old.close();
    const d = VulnDb.open(path);
    assert.deepEqual([d.finding('vpn', 'CVE-2024-21887')!.state, d.finding('vpn', 'CVE-2024-21887')!.closed], ['open', null]);
    d.putAssets([asset('pkg', { type: 'deb', distro: 'debian:12', source: 'openssh' })], T0);
    assert.deepEqual([d.asset('pkg')!.distro, d.asset('pkg')!.source], ['debian:12', 'openssh']);
    closeRemovedAssets(d, ['vpn'], { now: T0, why: 'gone' });
    d.close();
    const again = VulnDb.open(path);
    assert.equal(again.finding('vpn', 'CVE-2024-21887')!.closed!.reason, 'asset-removed');
    again.close();
  });
});
