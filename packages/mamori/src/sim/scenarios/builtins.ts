/** The built-in scenarios, by name. */
import { Registry } from '../../core/registry.js';
import type { SimScenario } from '../types.js';
import { bruteForce } from './brute-force.js';
import { distributed } from './distributed.js';
import { spraying } from './spraying.js';
import { stuffing } from './stuffing.js';

export const BUILTIN_SCENARIOS: readonly SimScenario[] = [bruteForce, distributed, stuffing, spraying];

/** A fresh registry of scenarios holding the built-ins; register your own, then freeze. */
export function createScenarioRegistry(): Registry<SimScenario> {
  const r = new Registry<SimScenario>('scenario');
  for (const s of BUILTIN_SCENARIOS) r.register(s.name, s);
  return r;
}

/** The built-in scenarios, frozen. */
export const SIM_SCENARIOS: Registry<SimScenario> = createScenarioRegistry().freeze();

export { bruteForce, distributed, spraying, stuffing };
export { BRUTE_FORCE_IP } from './brute-force.js';
export { STUFFING_SOURCES } from './stuffing.js';
export { sprayedAccounts } from './spraying.js';
export { COMMON_PASSWORDS, SPRAY_PASSWORDS, account, guess, leakedPassword } from './words.js';
