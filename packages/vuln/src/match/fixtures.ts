/**
 * Where the shared feed fixtures are, for tests: MAMORI_VULN_FEEDS, else
 * $MAMORI_SHARED_DATA/vuln-feeds, else ../shared/data/vuln-feeds beside the clone (null when
 * absent: the tests say why they skip; in CI, where they must run, sharedData fails instead).
 */
import { sharedData } from 'mamori/testing';

export function feedFixtures(): string | null {
  const { dir, missing } = sharedData('vuln-feeds', 'MAMORI_VULN_FEEDS');
  return missing ? null : dir;
}
