/** Test helpers for the sources' tests: a consumer that keeps what it is given, and a bounded wait. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawLine } from '../model.js';
import type { BatchConsumer } from './source.js';

export interface Collector {
  readonly lines: RawLine[];
  readonly batches: number[];
  readonly consumer: BatchConsumer;
  texts(): string[];
}

export function collector(hook?: (batch: readonly RawLine[]) => Promise<void> | void): Collector {
  const lines: RawLine[] = [];
  const batches: number[] = [];
  return {
    lines,
    batches,
    consumer: async (batch) => {
      if (hook) await hook(batch);
      batches.push(batch.length);
      lines.push(...batch);
    },
    texts: () => lines.map((l) => l.text),
  };
}

/**
 * Waits until `cond` holds. The guard only keeps a broken test from hanging the suite: it
 * fails with what was seen, it does not assert how fast anything is.
 */
export async function until(cond: () => boolean, what: string, guardMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > guardMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function tempDir(prefix = 'mamori-sources-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
