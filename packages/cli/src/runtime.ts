/**
 * Assembles a running mamori from a config: the secret, the store, the
 * country database and the guard. Used by every command.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { existsSync as exists } from 'node:fs';
import {
  MamoriError,
  MemoryStore,
  createGuard,
  defaultConfig,
  loadConfig,
  openCountryDatabase,
  type Guard,
  type MamoriConfig,
  type Store,
} from 'mamori';
import { SqliteStore } from '@mamori/store-sqlite';

export interface Runtime {
  config: MamoriConfig;
  store: Store;
  guard: Guard;
  secret: Buffer;
  close(): Promise<void>;
}

/** Finds the config: --config, else ./mamori.yaml, else defaults. */
export function readConfig(path: string | undefined): MamoriConfig {
  if (path) return loadConfig(path);
  if (exists('mamori.yaml')) return loadConfig('mamori.yaml');
  return defaultConfig();
}

/** MAMORI_SECRET, else the config's secret, else one generated once in data_dir. */
export function resolveSecret(config: MamoriConfig): Buffer {
  const env = process.env.MAMORI_SECRET;
  if (env !== undefined) {
    if (env.length < 32) throw new MamoriError('MAMORI_ERR_CONFIG_SECRET', 'MAMORI_SECRET must be at least 32 characters');
    return Buffer.from(env);
  }
  if (config.secret) return Buffer.from(config.secret);
  const file = `${config.dataDir}/secret`;
  if (existsSync(file)) {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length < 32) throw new MamoriError('MAMORI_ERR_CONFIG_SECRET', `${file} holds fewer than 32 characters; delete it to have a new one generated`);
    return Buffer.from(s);
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const s = randomBytes(32).toString('hex');
  writeFileSync(file, `${s}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return Buffer.from(s);
}

export function openStore(config: MamoriConfig, secret: Buffer): Store {
  if (config.store.kind === 'memory') return new MemoryStore({ maxCounterBytes: config.store.memoryMaxBytes });
  mkdirSync(dirname(config.store.path), { recursive: true, mode: 0o700 });
  return SqliteStore.open({ path: config.store.path, secret, maxEvents: config.store.maxEvents });
}

export function openRuntime(config: MamoriConfig, opts: { onError?: (err: unknown) => void } = {}): Runtime {
  const secret = resolveSecret(config);
  const store = openStore(config, secret);
  const countries = openCountryDatabase(config.geo.database);
  const guard = createGuard(config, { store, secret, countries, onError: opts.onError });
  return {
    config,
    store,
    guard,
    secret,
    async close() {
      await guard.close();
      await store.close();
    },
  };
}
