/**
 * go-ftw tests through mamori's proxy as `mamori up` runs it: a guard whose WAF runs the given
 * rules (CRS's test setup), the proxy in front of go-ftw's backend, both on loopback ports, and
 * the tests sent over HTTP (see http.ts). For `mamori waf test --http` and CRS's suite in npm test.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../config/config.js';
import { MemoryStore } from '../../core/memory-store.js';
import { createGuard } from '../../guard/guard.js';
import { startMamoriProxy } from '../../proxy/mamori-proxy.js';
import type { FtwTest } from './ftw.js';
import { ftwBackend, runFtwTestsOverHttp, TransactionFeed } from './http.js';
import type { FtwResult } from './runner.js';

export interface ThroughProxyOptions {
  /** The rules' SecLang text (e.g. crsTestSetup(dir)) and the file it is named as. */
  readonly text: string;
  readonly file: string;
  readonly sqliDataDir?: string | undefined;
  readonly skip?: (t: FtwTest) => string | undefined;
}

export async function runFtwTestsThroughProxy(tests: readonly FtwTest[], o: ThroughProxyOptions): Promise<FtwResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-test-'));
  const feed = new TransactionFeed();
  const guard = createGuard(
    // The rules' own limits apply: mamori's read bodies up to 16 MiB; no time budget or source blocking in a test run.
    defaultConfig({ data_dir: dir, waf: { crs: 'off', own_rules: false, audit_log: false, cpu_budget: { per_source: 0 }, block_sources: { after: 0 }, request_body_limit: 16 * 1024 * 1024, request_body_no_files_limit: 16 * 1024 * 1024 } }),
    {
      store: new MemoryStore(),
      secret: randomBytes(32),
      waf: { rules: { text: o.text, file: o.file, sqliDataDir: o.sqliDataDir }, onTransaction: (x) => feed.add(x.parts.remotePort ?? 0, x.tx.matched) },
    },
  );
  const backend = ftwBackend();
  try {
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const proxy = await startMamoriProxy({ guard, upstream: `http://127.0.0.1:${(backend.address() as AddressInfo).port}` });
    try {
      return await runFtwTestsOverHttp(tests, { port: proxy.port, feed, skip: o.skip });
    } finally {
      await proxy.close();
    }
  } finally {
    backend.closeAllConnections();
    await new Promise((r) => backend.close(r));
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
