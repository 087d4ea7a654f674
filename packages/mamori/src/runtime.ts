/**
 * One way to assemble mamori from its config, whichever way it runs: `mamori up`
 * (the proxy), the CLI commands and the framework adapters all get the same
 * secret, store, country database and trusted proxies from the same file.
 *
 *   const m = await loadMamori('mamori.yaml');
 *   app.use(mamoriExpress(m.guard)); // client addresses through network.trusted_proxies
 *   const server = app.listen(3000);
 *   process.on('SIGTERM', () => server.close(() => void m.close())); // requests first, then mamori
 *
 * The secret: MAMORI_SECRET, else `secret:` in the config, else one generated
 * once into `data_dir/secret`; at least 32 characters, used as text (its
 * UTF-8 bytes) everywhere. The store: `store.kind` (SQLite by default, through
 * the @mamori/store-sqlite package; `memory` keeps nothing across restarts).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { MamoriError } from './core/errors.js';
import { MemoryStore } from './core/memory-store.js';
import type { Store } from './core/store.js';
import { CidrList } from './core/net.js';
import { loadConfig, type MamoriConfig } from './config/config.js';
import { createGuard, MIN_SECRET_LENGTH, type Guard } from './guard/guard.js';
import { openCountryDatabase, type CountryLookup } from './guard/geo.js';
import { normalizeIp, resolveForwarding } from './proxy/client-ip.js';
import { forwardingPeers } from './proxy/mamori-proxy.js';

export { MIN_SECRET_LENGTH };

export interface Mamori {
  readonly config: MamoriConfig;
  readonly guard: Guard;
  readonly store: Store;
  readonly countries: CountryLookup;
  /** Closes the guard (delivering what webhooks it can) and the store. */
  close(): Promise<void>;
}

export interface LoadMamoriOptions {
  /** A store of your own instead of the config's (e.g. a shared one). */
  store?: Store | undefined;
  /** Background failures; default a console warning, at most one a minute. */
  onError?: ((err: unknown) => void) | undefined;
}

/** The instance secret, as every part of mamori reads it (see the module comment). */
export function resolveSecret(config: MamoriConfig): Buffer {
  const check = (text: string, where: string): Buffer => {
    if (text.length < MIN_SECRET_LENGTH) {
      throw new MamoriError('MAMORI_ERR_CONFIG_SECRET', `${where} must be at least ${MIN_SECRET_LENGTH} characters (generate one: openssl rand -hex 32)`);
    }
    return Buffer.from(text, 'utf8');
  };
  const env = process.env['MAMORI_SECRET'];
  if (env !== undefined) return check(env, 'MAMORI_SECRET');
  if (config.secret) return check(config.secret, `secret in ${config.source}`);
  const file = `${config.dataDir}/secret`;
  if (existsSync(file)) return check(readFileSync(file, 'utf8').trim(), `${file} (delete it to have a new one generated)`);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const s = randomBytes(32).toString('hex');
  writeFileSync(file, `${s}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return Buffer.from(s, 'utf8');
}

/** The store the config names. SQLite comes from @mamori/store-sqlite, which must be installed. */
export async function openConfiguredStore(config: MamoriConfig, secret: Buffer): Promise<Store> {
  if (config.store.kind === 'memory') return new MemoryStore({ maxCounterBytes: config.store.memoryMaxBytes });
  if (config.store.kind === 'redis') {
    const redis = '@mamori/store-redis';
    let mod: { RedisStore: { open(o: { url?: string; secret: Buffer; prefix?: string; commandTimeoutMs?: number; maxEvents?: number; readTextEntries?: boolean }): Promise<Store> } };
    try {
      mod = (await import(redis)) as typeof mod;
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_STORE_OPEN', 'store.kind is redis, which needs the @mamori/store-redis package: npm install @mamori/store-redis', { cause: err });
    }
    const url = config.store.url ?? process.env.MAMORI_REDIS_URL;
    return mod.RedisStore.open({
      ...(url ? { url } : {}),
      secret,
      ...(config.store.prefix ? { prefix: config.store.prefix } : {}),
      ...(config.store.commandTimeoutMs ? { commandTimeoutMs: config.store.commandTimeoutMs } : {}),
      ...(config.store.readTextEntries ? { readTextEntries: true } : {}),
      // Redis keeps events in memory: at most 100,000 of them (the newest), whatever SQLite's default.
      maxEvents: Math.min(config.store.maxEvents, 100_000),
    });
  }
  const specifier = '@mamori/store-sqlite';
  let mod: { SqliteStore: { open(o: { path: string; secret: Buffer; maxEvents?: number; maxCounterBytes?: number; counterFlushMs?: number }): Store } };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_STORE_OPEN', `store.kind is sqlite (the default), which needs the @mamori/store-sqlite package: npm install @mamori/store-sqlite, or set store.kind: memory`, { cause: err });
  }
  mkdirSync(dirname(config.store.path), { recursive: true, mode: 0o700 });
  return mod.SqliteStore.open({ path: config.store.path, secret, maxEvents: config.store.maxEvents, maxCounterBytes: config.store.memoryMaxBytes, counterFlushMs: config.store.counterFlushMs });
}

/** Everything `mamori up` runs with, from a config file (or one already loaded). */
export async function loadMamori(config: string | MamoriConfig, opts: LoadMamoriOptions = {}): Promise<Mamori> {
  const c = typeof config === 'string' ? loadConfig(config) : config;
  const secret = resolveSecret(c);
  const store = opts.store ?? (await openConfiguredStore(c, secret));
  const owned = opts.store === undefined;
  try {
    const countries = openCountryDatabase(c.geo.database);
    const guard = createGuard(c, { store, secret, countries, onError: opts.onError });
    return {
      config: c,
      guard,
      store,
      countries,
      async close() {
        await guard.close();
        if (owned) await store.close();
      },
    };
  } catch (err) {
    if (owned) await store.close().catch(() => undefined);
    throw err;
  }
}

/**
 * How an adapter tells the client address by default: the TCP peer, unless it is one of the
 * config's network.trusted_proxies (or loopback, with demo.trust_loopback_forwarded_for);
 * then X-Forwarded-For, read right to left past the trusted proxies, as the proxy reads it.
 */
export function clientAddressFor(config: MamoriConfig): (peer: string | undefined, forwardedFor: string | string[] | undefined) => string | undefined {
  const list = forwardingPeers(config.network.trustedProxies, config);
  if (list.length === 0) return (peer) => (peer ? normalizeIp(peer) : undefined);
  const trusted = new CidrList(list);
  return (peer, xff) => {
    if (!peer) return undefined;
    return resolveForwarding(peer, Array.isArray(xff) ? xff.join(',') : xff, trusted).clientIp;
  };
}
