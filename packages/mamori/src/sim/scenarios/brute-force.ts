/**
 * brute-force: one source guesses one account's password from a dictionary.
 * The dictionary holds the real password as its last word, so an
 * unprotected site ends the run broken into. mamori's answer: consecutive
 * failures per (account, source) are challenged, then blocked with back-off.
 *
 * Example: mamori simulate brute-force --target http://127.0.0.1:8080 --attempts 200
 */
import type { SimScenario } from '../types.js';
import { guess } from './words.js';

export const BRUTE_FORCE_IP = '203.0.113.7';

export const bruteForce: SimScenario = Object.freeze<SimScenario>({
  name: 'brute-force',
  summary: 'one source guesses one account\'s password from a dictionary',
  defaultAttempts: 200,
  attempt(i, ctx) {
    const last = i === ctx.attempts - 1;
    return { ip: BRUTE_FORCE_IP, username: ctx.victim.username, password: last ? ctx.victim.password : guess(i, ctx.victim.username) };
  },
});
