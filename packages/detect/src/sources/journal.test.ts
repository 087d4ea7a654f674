import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore } from './checkpoint.js';
import { collector, tempDir, until } from './collect.case.js';
import { JournalSource, journalLine } from './journal.js';

// Records as `journalctl -o json` prints them (fields trimmed to those read, plus one ignored).
const RECORDS = [
  { __CURSOR: 's=ab;i=1', __REALTIME_TIMESTAMP: '1764763200123456', _HOSTNAME: 'web1', SYSLOG_IDENTIFIER: 'sshd', _COMM: 'sshd', _UID: '0', _SYSTEMD_UNIT: 'ssh.service', _PID: '812', PRIORITY: '6', SYSLOG_FACILITY: '4', MESSAGE: 'Failed password for root from 203.0.113.9 port 40022 ssh2', _BOOT_ID: 'x' },
  { __CURSOR: 's=ab;i=2', __REALTIME_TIMESTAMP: '1764763201000000', _HOSTNAME: 'web1', _COMM: 'sudo', _PID: '900', PRIORITY: '5', MESSAGE: [0x62, 0x61, 0x64, 0x20, 0xff, 0x0a] },
  { __CURSOR: 's=ab;i=3', __REALTIME_TIMESTAMP: '1764763202000000', MESSAGE: null },
  { __CURSOR: 's=ab;i=4', __REALTIME_TIMESTAMP: '1764763203000000', SYSLOG_IDENTIFIER: 'nginx', MESSAGE: 'four' },
  { __CURSOR: 's=ab;i=5', __REALTIME_TIMESTAMP: '1764763204000000', SYSLOG_IDENTIFIER: 'nginx', MESSAGE: 'five' },
];

/** A journalctl stand-in: records its arguments, prints up to three records after --after-cursor, and exits. */
function fakeJournalctl(dir: string, extra = ''): { bin: string; argsLog: string } {
  const data = join(dir, 'records.json');
  const argsLog = join(dir, 'args.log');
  writeFileSync(data, `${RECORDS.map((r) => JSON.stringify(r)).join('\n')}\n${extra}`);
  const script = join(dir, 'fake.mjs');
  writeFileSync(
    script,
    `import { appendFileSync, readFileSync } from 'node:fs';
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(argsLog)}, JSON.stringify(args) + '\\n');
const lines = readFileSync(${JSON.stringify(data)}, 'utf8').split('\\n').filter(Boolean);
const after = args.find((a) => a.startsWith('--after-cursor='))?.slice(15);
let from = 0;
if (after) from = lines.findIndex((l) => l.includes(JSON.stringify(after))) + 1;
process.stdout.write(lines.slice(from, from + 3).join('\\n') + '\\n');
`,
  );
  const bin = join(dir, 'journalctl');
  writeFileSync(bin, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)} "$@"\n`);
  chmodSync(bin, 0o755);
  return { bin, argsLog };
}

describe('journalLine', () => {
  it('reads the fields, a byte-array MESSAGE, and refuses what is not a record', () => {
    const a = journalLine(RECORDS[0], 'journal', 5, 1000)!;
    assert.deepEqual(a.line, {
      text: 'Failed password for root from 203.0.113.9 port 40022 ssh2',
      input: 'journal',
      receivedAt: 5,
      meta: { time: 1764763200123, hostname: 'web1', program: 'sshd', pid: 812, facility: 4, severity: 6, sender: { uid: 0, comm: 'sshd', unit: 'ssh.service' } },
    });
    assert.equal(a.cursor, 's=ab;i=1');
    const b = journalLine(RECORDS[1], 'journal', 5, 1000)!;
    assert.deepEqual([b.line.text, b.malformed, b.line.meta?.program], ['bad \uFFFD', true, 'sudo']);
    assert.equal(journalLine(RECORDS[2], 'journal', 5, 1000), undefined);
    assert.equal(journalLine([1, 2], 'journal', 5, 1000), undefined);
    assert.equal(journalLine({ MESSAGE: [300] }, 'journal', 5, 1000), undefined);
    const long = journalLine({ MESSAGE: 'x'.repeat(500), PRIORITY: '99' }, 'journal', 5, 100)!;
    assert.deepEqual([long.line.text.length, long.line.truncated, long.line.meta?.severity], [100, true, undefined]);
  });
});

describe('JournalSource', () => {
  it('follows journalctl, checkpoints the cursor, and starts again after it with --after-cursor', async () => {
    const dir = tempDir();
    const { bin, argsLog } = fakeJournalctl(dir, 'not json\n');
    const store = CheckpointStore.open(join(dir, 'cp.db'));
    const c = collector();
    const s = new JournalSource({ journalctl: bin, checkpoints: store, restartMs: 10, filters: ['-u', 'ssh.service'] });
    await s.start(c.consumer);
    await until(() => c.lines.length === 4, 'four messages');
    await until(() => s.counters.skipped >= 2, 'the record without a message and the line that is not JSON');
    await s.stop();
    assert.deepEqual(c.texts(), ['Failed password for root from 203.0.113.9 port 40022 ssh2', 'bad \uFFFD', 'four', 'five']);
    assert.equal(store.get('journal')?.cursor, 's=ab;i=5');
    const runs = readFileSync(argsLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    assert.deepEqual(runs[0], ['-o', 'json', '--all', '--no-pager', runs[0]![4]!, '--follow', '--lines=0', '-u', 'ssh.service']);
    assert.ok(runs[1]!.includes('--after-cursor=s=ab;i=3'));
    assert.ok(s.counters.errors >= 1, 'the exits are counted');
    assert.equal(s.counters.malformed, 1);

    // A new watcher with the same store goes on after the last cursor.
    const c2 = collector();
    const s2 = new JournalSource({ journalctl: bin, checkpoints: store, follow: false });
    assert.ok(s2.args().includes('--after-cursor=s=ab;i=5') === false, 'the cursor is read at start');
    await s2.start(c2.consumer);
    await s2.done;
    assert.ok(s2.args().includes('--after-cursor=s=ab;i=5'));
    // After the last record only a line that is not JSON: skipped.
    assert.deepEqual([c2.lines.length, s2.counters.skipped], [0, 1]);
    store.close();
  });

  it('says clearly when journalctl cannot be started', async () => {
    const s = new JournalSource({ journalctl: join(tempDir(), 'missing') });
    await assert.rejects(s.start(() => {}), { code: 'MAMORI_ERR_WATCH_SOURCE' });
  });
});
