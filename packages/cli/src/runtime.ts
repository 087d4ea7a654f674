/**
 * Assembles a running mamori from a config: the secret, the store, the
 * country database and the guard. Used by every command.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

/** The project's mamori.yaml: in `from` or the nearest folder above it that has one. */
export function findConfig(from = process.cwd()): string | undefined {
  let dir = resolve(from);
  for (let i = 0; i < 64; i++) {
    const candidate = join(dir, 'mamori.yaml');
    if (exists(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/**
 * Finds the config: --config, else MAMORI_CONFIG, else mamori.yaml here or in a folder above,
 * else the defaults (data in ./.mamori). A command that only reads what mamori recorded
 * (`existing`) refuses the defaults unless ./.mamori holds data already: it would otherwise
 * make a new, empty store and secret and report that nothing happened.
 */
export function readConfig(path: string | undefined, opts: { existing?: boolean } = {}): MamoriConfig {
  if (path) return loadConfig(path);
  const env = process.env.MAMORI_CONFIG;
  if (env) return loadConfig(env);
  const found = findConfig();
  if (found) return loadConfig(found);
  const config = defaultConfig();
  if (opts.existing && !exists(join(config.dataDir, 'secret'))) {
    throw new MamoriError(
      'MAMORI_ERR_CONFIG_NOT_FOUND',
      `no mamori.yaml in ${process.cwd()} or any folder above it, MAMORI_CONFIG is not set, and ${config.dataDir} holds no data: pass --config FILE (the one \`mamori up\` runs with)`,
    );
  }
  return config;
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
