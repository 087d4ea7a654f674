import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CheckpointStore } from './checkpoint.js';
import { collector, tempDir, until } from './collect.case.js';
import { MamoriBusSource, MamoriStoreSource } from './mamori.js';

/** The columns of store-sqlite's `events` table this source reads (schema version 1 onward). */
function store(path: string): { db: Database.Database; add: (action: string) => void } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, action TEXT NOT NULL, source_ip TEXT, user_id TEXT, body TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO events (ts, action, body) VALUES (?, ?, ?)');
  return { db, add: (action) => ins.run(0, action, JSON.stringify({ '@timestamp': '2026-12-03T10:00:00.000Z', 'event.action': action, 'event.category': 'authentication' })) };
}

describe('MamoriStoreSource', () => {
  it('tails the event table from its end, checkpoints the sequence number, and resumes after a restart', async () => {
    const dir = tempDir();
    const path = join(dir, 'mamori.db');
    const st = store(path);
    st.add('old');
    const cps = CheckpointStore.open(join(dir, 'cp.db'));
    let c = collector();
    let s = new MamoriStoreSource({ path, checkpoints: cps, pollMs: 10, maxBatch: 2 });
    await s.start(c.consumer);
    // start() reads the table's end before it returns: only events after it come.
    for (const a of ['login-failure', 'lockout', 'waf-blocked']) st.add(a);
    await until(() => c.lines.length === 3, 'three events');
    await s.stop();
    assert.deepEqual(c.lines.map((l) => (JSON.parse(l.text) as Record<string, string>)['event.action']), ['login-failure', 'lockout', 'waf-blocked']);
    assert.deepEqual([c.lines[0]!.input, c.lines[0]!.meta?.time], ['mamori', Date.UTC(2026, 11, 3, 10)]);
    assert.equal(cps.get(`mamori-events:${path}`)?.offset, 4);
    st.add('while-down');
    c = collector();
    s = new MamoriStoreSource({ path, checkpoints: cps, pollMs: 10 });
    await s.start(c.consumer);
    await until(() => c.lines.length === 1, 'the event recorded while down');
    await s.stop();
    assert.match(c.lines[0]!.text, /while-down/);
    st.db.close();
    cps.close();
  });
});

describe('MamoriBusSource', () => {
  it('takes events as an EventSink (what an EventBus is subscribed with) and drops, counted, what its queue cannot hold', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = collector(() => gate);
    const s = new MamoriBusSource({ maxQueued: 3 });
    await s.start(c.consumer);
    const bus = s.sink;
    bus.emit({ '@timestamp': '2026-12-03T10:00:00.000Z', 'event.action': 'lockout', 'event.category': 'authentication' });
    await until(() => s.counters.bytes > 0, 'the first event');
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) bus.emit({ '@timestamp': '2026-12-03T10:00:01.000Z', 'event.action': 'login-failure', 'event.category': 'authentication' });
    release();
    await until(() => s.counters.delivered + s.counters.queueFull === 6, 'all counted');
    await s.stop();
    assert.deepEqual([s.counters.delivered, s.counters.queueFull], [4, 2]);
  });
});
