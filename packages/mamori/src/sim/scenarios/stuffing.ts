/**
 * stuffing: credential stuffing. A handful of sources replay a leaked list of
 * email/password pairs (synthetic accounts at example.com and example.net),
 * one try per account; the real user's pair is in the leak, last. mamori's
 * answer: many distinct accounts failing from one source challenge, then
 * block, that source (an IPv6 source by its /64).
 *
 * Example: mamori simulate stuffing --target http://127.0.0.1:8080 --attempts 300
 */
import type { SimScenario } from '../types.js';
import { account, leakedPassword } from './words.js';

export const STUFFING_SOURCES: readonly string[] = Object.freeze(['198.51.100.23', '203.0.113.45', '2001:db8:bad:1::5', '198.51.100.77', '203.0.113.200']);

export const stuffing: SimScenario = Object.freeze<SimScenario>({
  name: 'stuffing',
  summary: 'a handful of sources replay leaked email/password pairs',
  defaultAttempts: 300,
  attempt(i, ctx) {
    const ip = STUFFING_SOURCES[i % STUFFING_SOURCES.length]!;
    if (i === ctx.attempts - 1) return { ip, username: ctx.victim.username, password: ctx.victim.password };
    return { ip, username: account(i), password: leakedPassword(i) };
  },
});
