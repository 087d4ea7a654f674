/** The built-in scenarios, by name. */
import type { SimScenario } from '../types.js';
import { bruteForce } from './brute-force.js';
import { distributed } from './distributed.js';
import { spraying } from './spraying.js';
import { stuffing } from './stuffing.js';

export const SIM_SCENARIOS: Readonly<Record<string, SimScenario>> = Object.freeze({
  [bruteForce.name]: bruteForce,
  [distributed.name]: distributed,
  [stuffing.name]: stuffing,
  [spraying.name]: spraying,
});

export { bruteForce, distributed, spraying, stuffing };
export { BRUTE_FORCE_IP } from './brute-force.js';
export { STUFFING_SOURCES } from './stuffing.js';
export { sprayedAccounts } from './spraying.js';
export { COMMON_PASSWORDS, SPRAY_PASSWORDS, account, guess, leakedPassword } from './words.js';
