// Shared by bench/redteam/host-*.mjs: the built packages, a scratch directory, the CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const host = await import(join(ROOT, 'packages/host/dist/index.js'));
export const BIN = join(ROOT, 'packages/cli/dist/bin.js');

/** A scratch project (mamori.yaml with data_dir ./data), removed at exit unless KEEP=1. */
export function project(prefix = 'mamori-rt-host-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: ./data\n');
  if (!process.env.KEEP) process.on('exit', () => spawnSync('rm', ['-rf', dir]));
  const mamori = (...args) => {
    const env = { ...process.env };
    delete env.MAMORI_CONFIG;
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { dir, mamori };
}

export function verdict(label, ok, detail = '') {
  console.log(`${ok ? 'HOLDS ' : 'BROKEN'}  ${label}${detail ? `  (${detail})` : ''}`);
  if (!ok) process.exitCode = 1;
}
export { rmSync };
