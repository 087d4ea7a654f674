// Red team (issue 10): a released attempt (an answer the site gave that is neither a success nor
// a failure, or a dropped connection) taken back after a later attempt reserved the count past
// close_after: the later failure does not cross close_after (user - 1 >= close_after), so the
// account is never closed; the attacker goes on to NIST's 100.
import { ManualClock } from '../../packages/mamori/dist/core/clock.js';
import { MemoryStore } from '../../packages/mamori/dist/core/memory-store.js';
import { SeededRandom } from '../../packages/mamori/dist/core/random.js';
import { LOGIN_DEFAULTS } from '../../packages/mamori/dist/config/config.js';
import { LoginGuard } from '../../packages/mamori/dist/guard/login.js';
const clock = new ManualClock(Date.UTC(2026, 11, 1));
const store = new MemoryStore({ clock, random: new SeededRandom(3) });
const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(4), secret: Buffer.alloc(40, 7), events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
const close = LOGIN_DEFAULTS.user.closeAfter;
let ip = 0;
const src = () => `2001:db8:${(ip++).toString(16)}::1`;
let guesses = 0;
for (let i = 0; i < close - 1; i++) {
  const a = { ip: src(), username: 'victim', password: `g${i}`, challengePassed: true };
  if ((await guard.check(a)).action !== 'allow') throw new Error(`refused at ${i}`);
  await guard.report(a, false);
  guesses++;
}
// A reserves the 50th failure; B, checked while A is at the site, reserves the 51st.
const A = { ip: src(), username: 'victim', password: 'held', challengePassed: true };
console.log('A', (await guard.check(A)).action);
const B = { ip: src(), username: 'victim', password: 'gB', challengePassed: true };
const vb = await guard.check(B);
console.log('B', vb.action, vb.reason);
await guard.release(A); // the site's answer to A was neither (or the client went away)
if (vb.action === 'allow') { await guard.report(B, false); guesses++; }
console.log('user decisions', (await store.decisions.list({ scope: 'user' })).length);
for (let i = 0; i < 200; i++) {
  const a = { ip: src(), username: 'victim', password: `h${i}`, challengePassed: true };
  const v = await guard.check(a);
  if (v.action !== 'allow') { console.log('refused after', guesses, 'guesses:', v.action, v.ruleId, v.reason); break; }
  await guard.report(a, false);
  guesses++;
}
console.log(JSON.stringify({ guesses, limit: close, sameHour: true }));
