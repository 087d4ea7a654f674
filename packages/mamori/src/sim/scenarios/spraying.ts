/**
 * spraying: password spraying. A few common passwords, each tried once
 * against many accounts (the real user's among them), every try from a new
 * source, so neither per-account nor per-source counts grow. mamori's
 * answer: one password failing for many accounts is challenged, then
 * blocked, wherever it comes from.
 *
 * Example: mamori simulate spraying --target http://127.0.0.1:8080
 */
import type { SimScenario } from '../types.js';
import { mixedSource } from '../sources.js';
import { SPRAY_PASSWORDS, account } from './words.js';

/** How many accounts are sprayed for a run of `attempts`: about three passwords' worth, 10 to 100. */
export function sprayedAccounts(attempts: number): number {
  return Math.min(100, Math.max(10, Math.ceil(attempts / 3)));
}

export const spraying: SimScenario = Object.freeze<SimScenario>({
  name: 'spraying',
  summary: 'a few common passwords against many accounts from many sources',
  defaultAttempts: 200,
  attempt(i, ctx) {
    const n = sprayedAccounts(ctx.attempts);
    const k = i % n;
    const password = SPRAY_PASSWORDS[Math.floor(i / n) % SPRAY_PASSWORDS.length]!;
    return { ip: mixedSource(i), username: k === 0 ? ctx.victim.username : account(k), password };
  },
});
