/**
 * Assembles a running mamori from a config: the secret, the store, the
 * country database and the guard. Used by every command.
 */
import { existsSync as exists } from 'node:fs';
import { join } from 'node:path';
import { MamoriError, defaultConfig, loadConfig, loadMamori, type Mamori, type MamoriConfig } from 'mamori';
import { formatCrsSearch } from 'mamori/waf';
// The SQLite store, loaded by loadMamori when the config asks for it: a dependency of the CLI.
import { SqliteStore } from '@mamori/store-sqlite';
import { findConfig } from './config-file.js';

export { findConfig };

/** What a command runs with: loadMamori's (the same for the proxy, the CLI and the adapters). */
export type Runtime = Mamori;

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

/**
 * `admin`: for a command that reads and writes the store and sends events but answers no request
 * (decisions, events, counters, fim, host, vuln, watch, replay's alert store): the WAF is not built, whose rules (the
 * OWASP CRS when configured) cost most of a start.
 */
export function openRuntime(config: MamoriConfig, opts: { onError?: (err: unknown) => void; admin?: boolean } = {}): Promise<Runtime> {
  return loadMamori(opts.admin && config.waf ? { ...config, waf: undefined } : config, { onError: opts.onError });
}

/**
 * For a process that counts (the proxy, the demo): the SQLite store's counters read back now,
 * before the first request, which would otherwise wait for them (most of a second at a full table).
 */
export function warmCounters(rt: Runtime): void {
  if (rt.store instanceof SqliteStore) rt.store.warmCounters();
}

/** What the WAF loaded, for the start-up lines of `mamori up` and `mamori demo`; empty when it is off. */
export function wafSummary(rt: Runtime): string[] {
  const w = rt.guard.waf;
  if (!w) return [];
  const c = w.config;
  const rules = w.waf.rules.phases.reduce((n, p) => n + p.filter((r) => r.id > 0).length, 0);
  const out = [
    `WAF: ${c.mode === 'detect' ? 'detect-only' : 'blocking'}, paranoia level ${c.paranoia}, ${rules} rules`,
    w.loaded.crs
      ? `  OWASP ${formatCrsSearch(w.crsSearch)}`
      : c.crs === 'off'
        ? '  OWASP CRS off (waf.crs: off): only mamori\'s own rule pack and yours run'
        : `  ${formatCrsSearch(w.crsSearch).replace(/\n/g, '\n  ')}\n  Meanwhile only mamori's own rule pack and yours run.`,
  ];
  if (w.loaded.ownRules) out.push(`  mamori's rule pack from ${w.loaded.ownRules}`);
  for (const f of c.rules) out.push(`  your rules: ${f}`);
  for (const warning of w.loaded.warnings) out.push(`  warning: ${warning}`);
  if (c.auditLog) out.push(`  audit log: ${c.auditLog}`);
  return out;
}
