/** The WAF finds libinjection's data where `mamori rules fetch libinjection` puts it: <data_dir>/libinjection. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard } from './guard.js';
import { sharedData } from '../testing/shared-data.js';

const sqli = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');

it("reads @detectSQLi's data from <data_dir>/libinjection when nothing else names it; without it, leaves those rules out", { skip: sqli.missing }, async () => {
  const source = join(sqli.dir, 'src', 'sqlparse_data.json');
  // Nothing else may name the data here: no variable, no shared data beside the clone.
  delete process.env.MAMORI_LIBINJECTION_DIR;
  process.env.MAMORI_SHARED_DATA = join(tmpdir(), 'mamori-no-shared-data-here');
  const withData = mkdtempSync(join(tmpdir(), 'mamori-sqli-dir-'));
  const without = mkdtempSync(join(tmpdir(), 'mamori-sqli-none-'));
  try {
    mkdirSync(join(withData, 'libinjection', 'src'), { recursive: true });
    copyFileSync(source, join(withData, 'libinjection', 'src', 'sqlparse_data.json'));
    const open = (dir: string) => createGuard(defaultConfig({ data_dir: dir, waf: { crs: 'off', own_rules: true } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 1) });
    const a = open(withData);
    assert.deepEqual(a.waf!.waf.dropped, [], 'the pack keeps its @detectSQLi rules');
    const b = open(without);
    assert.ok(b.waf!.waf.dropped.includes(36107010), `left out: ${b.waf!.waf.dropped.join(', ')}`);
    await a.close();
    await b.close();
  } finally {
    rmSync(withData, { recursive: true, force: true });
    rmSync(without, { recursive: true, force: true });
  }
});
