/**
 * distributed: a botnet guesses one account's password, each source trying
 * once or twice (two from one source, one from the next), alternating IPv4
 * addresses and fresh IPv6 /64s, so no per-source limit is ever reached.
 * The last guess is the real password. mamori's answer: failures counted
 * per account from all sources challenge untrusted logins, then close the
 * account to untrusted devices; the owner's trusted device still gets in.
 *
 * Example: mamori simulate distributed --target http://127.0.0.1:8080
 */
import type { SimScenario } from '../types.js';
import { mixedSource } from '../sources.js';
import { guess } from './words.js';

export const distributed: SimScenario = Object.freeze<SimScenario>({
  name: 'distributed',
  summary: 'many sources (IPv4 and rotating IPv6 /64s) guess one account, once or twice each',
  defaultAttempts: 200,
  attempt(i, ctx) {
    const group = Math.floor(i / 3);
    const source = 2 * group + (i % 3 < 2 ? 0 : 1);
    const last = i === ctx.attempts - 1;
    return { ip: mixedSource(source), username: ctx.victim.username, password: last ? ctx.victim.password : guess(i, ctx.victim.username) };
  },
});
