/** Where the shared feed fixtures are, for tests: MAMORI_VULN_FEEDS or ../shared/data/vuln-feeds from the repository root. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function feedFixtures(): string | null {
  const root = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
  const dir = process.env.MAMORI_VULN_FEEDS ?? resolve(root, '../shared/data/vuln-feeds');
  return existsSync(resolve(dir, 'kev')) ? dir : null;
}
