/** What the sparse-file tests share (sparse.test.ts, sparse-redteam.test.ts): not a test itself. */
import fs, { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FimDb } from './fim/baseline-db.js';
import { ensureKey } from './fim/key.js';
import { RuleSet, type FimRuleInput } from './fim/rules.js';
import { HOLES_BOUND, isSparse } from './sparse.js';

/** Writes `data` at `at` in an existing file. */
export function writeAt(path: string, data: string, at: number): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, data, at);
  closeSync(fd);
}

/** A file of `size` bytes, all holes but `data` written at `at`. */
export function sparseFile(path: string, size: number, data = '', at = 0): void {
  writeFileSync(path, '');
  truncateSync(path, size);
  if (data) writeAt(path, data, at);
}

/**
 * A folder for the tests' files (removed by `cleanup`), and why they are skipped: a filesystem that
 * cannot hold holes allocates them, and then there is nothing to test.
 */
export function sparseBase(prefix: string): { base: string; skip: string | false; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const probe = join(base, 'probe');
  sparseFile(probe, HOLES_BOUND * 2);
  const skip = isSparse(statSync(probe)) ? false : `${tmpdir()} does not keep sparse files (truncate allocated the blocks)`;
  rmSync(probe);
  if (skip) console.log(`# skipped: ${skip}`);
  return { base, skip, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** A monitored tree holding index.php under one rule, its database and key, in `base`. */
export function fimSetup(base: string, rule: Omit<FimRuleInput, 'path'> = {}) {
  const dir = mkdtempSync(join(base, 'fim-'));
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  writeFileSync(join(tree, 'index.php'), '<?php echo 1;');
  const db = FimDb.open(join(dir, 'fim.db'));
  const { key } = ensureKey(join(dir, 'fim.key'));
  return { tree, db, key, rules: new RuleSet({ paths: [{ path: tree, ...rule }] }) };
}

/** Runs `fn` with an fs function replaced (as every module imported it), then puts it back. */
export function withFs<K extends 'fstatSync' | 'readSync' | 'lstatSync', T>(name: K, wrap: (real: (typeof fs)[K]) => unknown, fn: () => T): T {
  const real = fs[name];
  (fs as Record<string, unknown>)[name] = wrap(real);
  syncBuiltinESMExports();
  const back = (): void => {
    (fs as Record<string, unknown>)[name] = real;
    syncBuiltinESMExports();
  };
  let out: T;
  try {
    out = fn();
  } catch (err) {
    back();
    throw err;
  }
  if (out instanceof Promise) return out.finally(back) as T;
  back();
  return out;
}
