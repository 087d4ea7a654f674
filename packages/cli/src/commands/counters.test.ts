import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMamori } from 'mamori';
import type { SqliteStore } from '@mamori/store-sqlite';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-cli-counters-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mamori.yaml'), yaml);
  const mamori = (args: string[]) => {
    const env = { ...process.env };
    delete env.MAMORI_CONFIG;
    delete env.MAMORI_SECRET;
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { dir, mamori };
}

describe('mamori counters', () => {
  it('lists the floors the proxy wrote and drops them, with who and why in the events', async () => {
    const { dir, mamori } = project('data_dir: ./data\nstore:\n  memory_max_bytes: 65536\n  counter_flush_ms: 60000\n');
    // The proxy's side: the same config, the store that counts.
    const rt = await loadMamori(join(dir, 'mamori.yaml'));
    const store = rt.store as SqliteStore;
    try {
      store.warmCounters();
      assert.equal(store.name, 'sqlite');
      const empty = mamori(['counters', 'floors']);
      assert.equal(empty.code, 0, empty.err);
      assert.match(empty.out, /No floors/);
      // A flood of accounts failing, more than the table's 4,096 slots hold.
      for (let b = 0; b < 40; b++) await store.increment(Array.from({ length: 500 }, (_, i) => ({ key: `lu:flood-${b}-${i}`, by: 3, ttlMs: 3_600_000, floor: true })));
      const floor = (await store.read(['lu:never-seen']))[0]!;
      assert.ok(floor >= 3, `absent accounts read ${floor}`);
      store.flushCounters();

      const text = mamori(['counters', 'floors']);
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, /KIND\s+ABSENT KEYS READ\s+FOR\s+RESET\s+WHAT/);
      assert.match(text.out, new RegExp(`lu\\s+${floor}\\s+(59m|1h)\\S*( \\S+)?\\s+-\\s+login`));
      assert.match(text.out, /login: failed logins of an account/);
      const json = mamori(['counters', 'floors', '--json']);
      const list = JSON.parse(json.out) as { kind: string; count: number; expiresAt: string }[];
      assert.deepEqual(list.map((f) => [f.kind, f.count]), [['lu', floor]]);
      assert.ok(Date.parse(list[0]!.expiresAt) > Date.now());

      const bad = mamori(['counters', 'reset-floors', '--kind', 'login']);
      assert.equal(bad.code, 1, 'a kind is two characters');
      assert.match(bad.err, /two printable characters/);
      const unsaid = mamori(['counters', 'reset-floors']);
      assert.equal(unsaid.code, 1, 'which floors: --kind or --all (red team S45C-5)');
      assert.match(unsaid.err, /--kind KIND\[,KIND\.\.\.\] .* or --all/);
      const none = mamori(['counters', 'reset-floors', '--kind', 'lc']);
      assert.equal(none.code, 0, none.err);
      assert.match(none.out, /no floor of them stood/);

      const reset = mamori(['counters', 'reset-floors', '--kind', 'lu', '--reason', 'the flood of 2 December is over\u001b[2J', '--by', 'ops-oncall', '--json']);
      assert.equal(reset.code, 0, reset.err);
      assert.deepEqual(JSON.parse(reset.out), { asked: 1, kinds: ['lu'], floors: [{ kind: 'lu', count: floor }], by: 'ops-oncall', reason: 'the flood of 2 December is over\\u001b[2J' });
      const pending = mamori(['counters', 'floors']);
      assert.match(pending.out, /^lu\s+\d+\s+\S+( \S+)?\s+asked\s+login/m);
      assert.match(pending.out, /RESET asked: the proxy applies it at its next counter flush/);

      // The proxy applies it at its next flush.
      store.flushCounters();
      assert.equal((await store.read(['lu:never-seen']))[0], 0);
      assert.match(mamori(['counters', 'floors']).out, /No floors/);
      const events = await store.events.query({ limit: 10 });
      const e = events.find((x) => x['event.action'] === 'counter-floors-reset');
      assert.ok(e, 'the reset is recorded');
      assert.match(e['event.reason'] ?? '', /counter floors of lu dropped by ops-oncall \(lu at \d+\): the flood of 2 December is over\\u001b\[2J/);
      assert.equal(e['mamori.count'], 1);
    } finally {
      await rt.close();
    }
  });

  it('says why where there is nothing to see: usage errors, and a store without a table it can reach', () => {
    const { mamori } = project('data_dir: ./data\nstore:\n  kind: memory\n');
    const r = mamori(['counters', 'floors']);
    assert.equal(r.code, 1);
    assert.match(r.err, /memory store keeps its counters in the process that runs it/);
    assert.equal(mamori(['counters']).code, 1);
    assert.equal(mamori(['counters', 'floors', '--kind', 'lu']).code, 1);
    assert.equal(mamori(['counters', 'reset-floors', '--all', 'extra']).code, 1);
    assert.equal(mamori(['counters', 'reset-floors', '--all', '--kind', 'lu']).code, 1);
  });

  it("opens the store without building the WAF: a rule file the proxy cannot load does not stop an operator's commands", () => {
    const { dir, mamori } = project('data_dir: ./data\nwaf:\n  crs: off\n  rules: [./bad.conf]\n');
    writeFileSync(join(dir, 'bad.conf'), 'SecRule ARGS "@rx (" "id:1,phase:2,deny"\n');
    assert.equal(mamori(['decisions', 'add', '--ip', '192.0.2.1', '--duration', '1h', '--reason', 'seen']).code, 0);
    for (const args of [['counters', 'floors'], ['decisions', 'list']]) {
      const r = mamori(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      assert.doesNotMatch(r.err, /MAMORI_ERR_WAF_RULES/);
    }
    assert.match(mamori(['decisions', 'list']).out, /192\.0\.2\.1/);
  });
});

