/**
 * Where the tests find the third-party data they run against (CRS and its regression tests,
 * libinjection's vectors, vulnerability feeds): never committed here, read from `../shared/data`
 * beside the clone, or from where an environment variable says. A test whose data is missing
 * is skipped with the reason printed; in CI (`MAMORI_REQUIRE_SERVICES=1`, set by .ci/run) it
 * fails instead, so that a missing fixture cannot pass as a skip.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, from this file's place (packages/mamori/{src,dist}/testing/). */
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/**
 * The folder `sub` of the shared data (`crs`, `libinjection`, ...): `envVar` when set, else
 * `$MAMORI_SHARED_DATA/sub`, else `<root>/../shared/data/sub`. `missing` says why it cannot be had.
 */
export function sharedData(sub: string, envVar?: string): { dir: string; missing?: string } {
  const fromVar = envVar ? process.env[envVar] : undefined;
  const base = process.env.MAMORI_SHARED_DATA ?? join(ROOT, '..', 'shared', 'data');
  const dir = fromVar ?? join(base, sub);
  if (existsSync(dir)) return { dir };
  const missing = `${dir} is not there (set ${envVar ?? 'MAMORI_SHARED_DATA'} to where ${sub} is)`;
  if (process.env.MAMORI_REQUIRE_SERVICES === '1') throw new Error(`CI needs the shared data: ${missing}`);
  console.log(`# skipping: ${missing}`);
  return { dir, missing };
}
