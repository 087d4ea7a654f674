/**
 * Which config file a command runs with, found without loading mamori (a command that needs
 * no more than the data directory, such as `mamori fim check`, then reads no YAML and loads
 * no engine when there is no file). runtime.ts reads the file it names.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The project's mamori.yaml: in `from` or the nearest folder above it that has one. */
export function findConfig(from = process.cwd()): string | undefined {
  let dir = resolve(from);
  for (let i = 0; i < 64; i++) {
    const candidate = join(dir, 'mamori.yaml');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** --config, else MAMORI_CONFIG, else mamori.yaml here or in a folder above, else undefined (the defaults). */
export function configFile(path: string | undefined): string | undefined {
  return path || process.env.MAMORI_CONFIG || findConfig();
}

/** The data directory of the defaults (no config file): `.mamori` in the working directory, as defaultConfig() has it. */
export function defaultDataDir(): string {
  return resolve(process.cwd(), '.mamori');
}
