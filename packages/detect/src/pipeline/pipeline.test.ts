import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Alert, Detector, LogEvent } from '../model.js';
import { ScenarioEngine } from '../scenarios/engine.js';
import { loadBuiltinScenarios } from '../scenarios/load.js';
import { parseJsonLine } from './json-lines.js';
import { Pipeline, ReorderBuffer } from './pipeline.js';
import { readLines } from './read-lines.js';
import { replayFiles } from './replay.js';
import { renderTimeline } from './timeline.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-detect-pipeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ev = (time: number, fields: Record<string, string | number> = {}): LogEvent => ({ time, fields, line: { text: '', input: 't', receivedAt: 0 } });

/** A detector that records the times it was given, and alerts on every event with `alert` set. */
class Recorder implements Detector {
  readonly times: number[] = [];
  readonly advanced: number[] = [];
  onEvent(e: LogEvent): readonly Alert[] {
    this.times.push(e.time);
    return e.fields['alert'] ? [{ id: String(e.time), detector: 'rec', kind: 'scenario', title: 'r', severity: 'low', time: e.time, group: {}, count: 1, firstTime: e.time, samples: [e] }] : [];
  }
  advance(now: number): readonly Alert[] {
    this.advanced.push(now);
    return [];
  }
}

describe('the pipeline', () => {
  it('puts events back in event-time order within the reorder window, and counts the later ones as late', async () => {
    const rec = new Recorder();
    const p = new Pipeline({ detectors: [rec], reorderMs: 1000 });
    for (const t of [1000, 1500, 1200, 900, 2600, 2000, 1400, 5000]) p.push(ev(t));
    const stats = await p.end();
    // 1400 came after 1500 had already gone (2600 pushed the horizon to 1600): run, and counted late.
    assert.deepEqual(rec.times, [900, 1000, 1200, 1500, 1400, 2000, 2600, 5000]);
    assert.equal(stats.late, 1);
    assert.equal(stats.events, 8);
    assert.deepEqual(rec.advanced, [5000]);
  });

  it('holds at most maxBuffered events, and keeps arrival order for equal times', async () => {
    const rec = new Recorder();
    const p = new Pipeline({ detectors: [rec], reorderMs: 3_600_000, maxBuffered: 3 });
    for (let i = 0; i < 10; i++) p.push(ev(i % 2 === 0 ? 100 : 50, { n: i }));
    assert.equal(rec.times.length, 7, 'all but 3 let go');
    await p.end();
    assert.equal(rec.times.length, 10);
  });

  it('gives alerts to the sink; a sink that throws or rejects is counted, and async sinks are awaited at the end', async () => {
    const got: string[] = [];
    let n = 0;
    const p = new Pipeline({
      detectors: [new Recorder()],
      reorderMs: 0,
      sink: {
        onAlert: async (a) => {
          if (++n === 2) throw new Error('store down');
          await new Promise((r) => setImmediate(r));
          got.push(a.id);
        },
      },
    });
    for (const t of [1, 2, 3]) p.push(ev(t, { alert: 1 }));
    p.push(ev(4));
    const s = await p.end();
    assert.deepEqual(got, ['1', '3']);
    assert.equal(s.alerts, 3);
    assert.equal(s.sinkErrors, 1);
  });
});

describe('reading and replaying files', () => {
  it('reads plain and gzip files alike, CRLF endings, a last line without newline, and cuts long lines', async () => {
    const text = 'one\r\ntwo\n\nthree';
    writeFileSync(join(dir, 'a.log'), text);
    writeFileSync(join(dir, 'a.log.gz'), gzipSync(text));
    for (const f of ['a.log', 'a.log.gz']) {
      const lines = [];
      for await (const l of readLines(join(dir, f))) lines.push([l.text, l.offset]);
      assert.deepEqual(lines, [['one', 0], ['two', 5], ['', 9], ['three', 10]], f);
    }
    writeFileSync(join(dir, 'long.log'), `${'x'.repeat(100)}\nshort\n${'y'.repeat(5000)}`);
    const got = [];
    for await (const l of readLines(join(dir, 'long.log'), { maxLine: 10 })) got.push(`${l.text}${l.truncated ? '…' : ''}`);
    assert.deepEqual(got, ['xxxxxxxxxx…', 'short', 'yyyyyyyyyy…']);
  });

  it('an input that cannot be read to its end rejects the replay, or with continueOnError is recorded in its tally and the rest goes on', async () => {
    const lines = Array.from({ length: 3 }, (_, i) => JSON.stringify({ '@timestamp': `2026-01-01T00:00:0${i}Z`, source: { ip: '192.0.2.1' } })).join('\n');
    writeFileSync(join(dir, 'ok.jsonl'), lines);
    writeFileSync(join(dir, 'cut.jsonl.gz'), gzipSync(lines).subarray(0, 30));
    const files = [join(dir, 'ok.jsonl'), join(dir, 'cut.jsonl.gz'), join(dir, 'ok.jsonl')];
    await assert.rejects(replayFiles(files, { detectors: [] }), /cut\.jsonl\.gz: Z_BUF_ERROR/);
    const s = await replayFiles(files, { detectors: [], continueOnError: true });
    assert.deepEqual(s.files.map((f) => [f.lines, f.error]), [[3, undefined], [0, `${join(dir, 'cut.jsonl.gz')}: Z_BUF_ERROR: unexpected end of file`], [3, undefined]]);
    assert.equal(s.events, 6);
    // A gzip input past its inflated bound stops there with an error (16 GiB by default; a small one here).
    writeFileSync(join(dir, 'bomb.gz'), gzipSync(Buffer.alloc(4 << 20, 10)));
    const bomb = await replayFiles([join(dir, 'bomb.gz'), join(dir, 'ok.jsonl')], { detectors: [], continueOnError: true, maxInflatedBytes: 1 << 20 });
    assert.match(bomb.files[0]!.error!, /bomb\.gz: inflates past 1048576 bytes \(a decompression bomb\?\): stopped there/);
    assert.ok(bomb.files[0]!.lines <= (1 << 20) + 65536, `${bomb.files[0]!.lines} lines read before the stop`);
    assert.equal(bomb.files[1]!.events, 3);
    // An error of the pipeline's own (a detector that throws) is not a file's: it is thrown either way.
    const boom: Detector = { onEvent: () => { throw new Error('detector bug'); }, advance: () => [] };
    await assert.rejects(replayFiles(files, { detectors: [boom], continueOnError: true }), /detector bug/);
  });

  it('reads a stream once from its start (a pipe, standard input): gzip told from its first bytes, however the bytes arrive', async () => {
    const text = 'one\r\ntwo\n\nthree';
    const read = async (chunks: Buffer[]): Promise<[string, number, string][]> => {
      const out: [string, number, string][] = [];
      for await (const l of readLines({ path: '(stdin)', open: () => Readable.from(chunks) })) out.push([l.text, l.offset ?? -1, l.input]);
      return out;
    };
    const want = [['one', 0, '(stdin)'], ['two', 5, '(stdin)'], ['', 9, '(stdin)'], ['three', 10, '(stdin)']];
    const plain = Buffer.from(text);
    const gz = gzipSync(text);
    const byByte = (b: Buffer): Buffer[] => [...b].map((x) => Buffer.from([x]));
    assert.deepEqual(await read([plain]), want);
    assert.deepEqual(await read(byByte(plain)), want, 'plain, a byte at a time');
    assert.deepEqual(await read([gz]), want);
    assert.deepEqual(await read(byByte(gz)), want, 'gzip, the magic split across reads');
    assert.deepEqual(await read([gz.subarray(0, 1), gz.subarray(1)]), want);
    assert.deepEqual(await read([]), [], 'an empty stream');
    assert.deepEqual(await read([Buffer.from([0x1f])]), [['\x1f', 0, '(stdin)']], 'one byte that starts like gzip');
    // A broken gzip stream is an error, not a hang; an error in the source reaches the reader.
    await assert.rejects(async () => {
      for await (const _ of readLines({ path: 'x', open: () => Readable.from([gz.subarray(0, 12), Buffer.from('not deflate at all')]) }));
    }, /incorrect header|invalid|unexpected end/i);
    const failing = (): Readable => new Readable({ read() { this.destroy(new Error('EIO: the disk went away')); } });
    await assert.rejects(async () => {
      for await (const _ of readLines({ path: 'x', open: failing }));
    }, /EIO/);
    // A reader that stops early closes the stream.
    let source: Readable | undefined;
    const many = Buffer.from('a\n'.repeat(100_000));
    for await (const l of readLines({ path: 'x', open: () => (source = Readable.from([gzipSync(many)])) })) if ((l.offset ?? 0) > 10) break;
    assert.equal(source!.destroyed, true);
  });

  it('the JSON-lines parser: nested and dotted ECS, times, and what it refuses', () => {
    const raw = (text: string) => ({ text, input: 'x', receivedAt: 7 });
    const e = parseJsonLine(raw('{"@timestamp":"2026-01-01T00:00:01Z","source":{"ip":"192.0.2.1"},"http.response.status_code":404,"tags":["a"],"x":null}'))!;
    assert.equal(e.time, Date.parse('2026-01-01T00:00:01Z'));
    assert.deepEqual(e.fields, { '@timestamp': '2026-01-01T00:00:01Z', 'source.ip': '192.0.2.1', 'http.response.status_code': 404, 'event.dataset': 'json' });
    assert.equal(parseJsonLine(raw('{"time": 1767225601}'))!.time, 1767225601000);
    assert.equal(parseJsonLine(raw('{"a":1}'))!.time, 7, 'no time: the receive time');
    for (const bad of ['', 'nope', '[1,2]', '{"a":', '"str"', `{"a":"${'x'.repeat(70_000)}"}`]) assert.equal(parseJsonLine(raw(bad)), null, bad.slice(0, 20));
    // Deep nesting stops at the depth bound instead of recursing on.
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    assert.doesNotThrow(() => parseJsonLine(raw(deep)));
  });

  it('replays the sample files end to end: the alerts and the timeline', async () => {
    const files = [new URL('../../src/scenarios/testdata/events.jsonl', import.meta.url).pathname];
    const run = async () => replayFiles(files, { detectors: [new ScenarioEngine(loadBuiltinScenarios().scenarios)] });
    const s = await run();
    assert.equal(s.events, 67);
    assert.equal(s.skipped, 0);
    assert.deepEqual(
      s.alerts.map((a) => `${a.detector} ${JSON.stringify(a.group)}`),
      [
        'ssh-bruteforce {"source.ip":"203.0.113.5"}',
        'login-success-after-failures {"user.name":"root"}',
        'ssh-user-enumeration {"source.ip":"192.0.2.44"}',
        'scanner-user-agent {"source.ip":"198.51.100.23"}',
        'http-scanning {"source.ip":"198.51.100.23"}',
        'sensitive-file-probe {"source.ip":"192.0.2.77"}',
        'path-traversal {"source.ip":"203.0.113.61"}',
        'vpn-appliance-exploit {"source.ip":"203.0.113.61"}',
        'web-login-bruteforce {"source.ip":"198.51.100.99"}',
        'card-testing {"source.ip":"203.0.113.200"}',
      ],
    );
    const t = s.activity.timeline(s.alerts);
    assert.equal(t.sources.length, 7);
    const root = t.accounts.find((a) => a.key === 'root')!;
    assert.deepEqual(root.successes.map((x) => x.who), ['203.0.113.5']);
    assert.deepEqual(t.accounts.map((a) => a.key), ['root'], 'enumeration names no one account');
    const text = renderTimeline(t);
    assert.match(text, /203\.0\.113\.5 .* 9 events, 8 failed\n {4}accounts tried: root\n.*ssh-bruteforce.*-> block 203\.0\.113\.5 for 4h\n.*login-success-after-failures.*\n.*SUCCEEDED ssh-login as root/);
    // Deterministic: the same files, the same alert ids.
    assert.deepEqual((await run()).alerts.map((a) => a.id), s.alerts.map((a) => a.id));
  });

  it('the reorder buffer lets events go in (time, arrival) order, whatever mix of in-order and late arrivals', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 20; round++) {
      const b = new ReorderBuffer();
      // The model: everything held, with its arrival number; a pop takes the least (time, arrival).
      const model: { e: LogEvent; n: number }[] = [];
      const popModel = (): LogEvent => {
        let m = 0;
        for (let i = 1; i < model.length; i++) if (model[i]!.e.time < model[m]!.e.time || (model[i]!.e.time === model[m]!.e.time && model[i]!.n < model[m]!.n)) m = i;
        return model.splice(m, 1)[0]!.e;
      };
      let t = 1000;
      for (let i = 0; i < 2000; i++) {
        // Mostly forward, sometimes the same time, sometimes late by up to 50 (the heap's side).
        const r = rnd();
        t += r < 0.6 ? Math.floor(rnd() * 5) : 0;
        const e = ev(r > 0.85 ? t - Math.floor(rnd() * 50) : t, { i });
        b.push(e);
        model.push({ e, n: i });
        if (rnd() < 0.3) assert.equal(b.pop(), popModel());
        assert.equal(b.size, model.length);
      }
      while (model.length > 0) {
        assert.equal(b.minTime(), Math.min(...model.map((x) => x.e.time)));
        assert.equal(b.pop(), popModel());
      }
    }
  });

  it('deterministic under eviction and reordering: the same shuffled log twice gives the same alerts', async () => {
    // Many distinct sources through a small group table (evictions on every new source), brute
    // forces among them, lines out of order within the reorder window.
    const lines: string[] = [];
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 6000; i++) {
      const t = base + i * 100 - Math.floor(rnd() * 3000);
      const ip = rnd() < 0.7 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `203.0.113.${i % 8}`;
      lines.push(JSON.stringify({ '@timestamp': new Date(t).toISOString(), event: { dataset: 'sshd', category: 'authentication', action: 'ssh-login', outcome: 'failure' }, source: { ip }, user: { name: `u${i % 30}` } }));
    }
    const file = join(dir, 'shuffled.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = async () => {
      const engine = new ScenarioEngine(loadBuiltinScenarios().scenarios, { maxGroups: 64 });
      const s = await replayFiles([file], { detectors: [engine] });
      return { alerts: s.alerts.map((a) => `${a.id} ${a.detector} ${JSON.stringify(a.group)} ${a.count} ${a.firstTime}`), evicted: engine.stats().evicted };
    };
    const a = await run();
    const b = await run();
    assert.ok(a.alerts.length > 10, `alerts: ${a.alerts.length}`);
    assert.ok(a.evicted > 1000, `evictions: ${a.evicted}`);
    assert.deepEqual(b, a);
  });
});
