// Can a client get its own x-mamori-step-up / x-mamori-second-factor, or the gate cookie, to the upstream?
// Prints, for each try, what the echo upstream received (header lines matching mamori|cookie, trailers).
import fs from 'node:fs';
import { raw, status } from './raw.mjs';
const LOG = new URL('./upstream.log', import.meta.url).pathname;
const last = () => { const l = fs.readFileSync(LOG, 'utf8').trim().split('\n'); return JSON.parse(l[l.length - 1]); };
const count = () => fs.readFileSync(LOG, 'utf8').trim().split('\n').length;
const card = JSON.stringify({ card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' }, amount: 5000 });
const tries = {
  'step-up header on checkout (case)': `POST /api/checkout HTTP/1.1\r\nHost: x\r\nX-Mamori-Step-Up: none\r\nx-mamori-step-up: other\r\nContent-Type: application/json\r\nContent-Length: ${card.length}\r\nConnection: close\r\n\r\n${card}`,
  'step-up header on non-checkout path': `GET /x HTTP/1.1\r\nHost: x\r\nX-Mamori-Step-Up: 3ds\r\nConnection: close\r\n\r\n`,
  'step-up underscore name on checkout': `POST /api/checkout HTTP/1.1\r\nHost: x\r\nX_Mamori_Step_Up: none\r\nContent-Type: application/json\r\nContent-Length: ${card.length}\r\nConnection: close\r\n\r\n${card}`,
  'second-factor on login (case+dup)': `POST /login HTTP/1.1\r\nHost: x\r\nX-MAMORI-SECOND-FACTOR: none\r\nx-mamori-second-factor: none\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 23\r\nConnection: close\r\n\r\nuser=bob&password=hunt2`,
  'second-factor obs-fold': `GET /x HTTP/1.1\r\nHost: x\r\nX-A: a\r\n x-mamori-second-factor: none\r\nConnection: close\r\n\r\n`,
  'second-factor underscore': `GET /x HTTP/1.1\r\nHost: x\r\nx_mamori_second_factor: none\r\nConnection: close\r\n\r\n`,
  'second-factor in chunked trailer': `POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: x-mamori-second-factor\r\nConnection: close\r\n\r\n1\r\na\r\n0\r\nx-mamori-second-factor: none\r\nx-mamori-step-up: none\r\n\r\n`,
  'Connection names mamori header': `POST /login HTTP/1.1\r\nHost: x\r\nConnection: close, x-mamori-second-factor\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 23\r\n\r\nuser=bob&password=hunt2`,
  'gate cookie variants': `GET /x HTTP/1.1\r\nHost: x\r\nCookie: a=1; mamori_mfa=TOKEN1;mamori_mfa =TOKEN2; MAMORI_MFA=TOKEN3; mamori_mfa\t=TOKEN4\r\nCookie: mamori_mfa=TOKEN5\r\nCookie: "mamori_mfa"=TOKEN6; mamori%5Fmfa=TOKEN7; $Version=1; mamori_mfa=TOKEN8,mamori_mfa=TOKEN9\r\nConnection: close\r\n\r\n`,
  'gate cookie in obs-fold': `GET /x HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\n ; mamori_mfa=TOKENF\r\nConnection: close\r\n\r\n`,
};
for (const [name, req] of Object.entries(tries)) {
  const b = count();
  const r = await raw(req, 8091, 800);
  if (count() === b) { console.log(`${name}: ${status(r)} (not forwarded)`); continue; }
  const e = last();
  const hs = [];
  for (let i = 0; i < e.raw.length; i += 2) if (/mamori|cookie/i.test(e.raw[i])) hs.push(`${e.raw[i]}: ${e.raw[i + 1]}`);
  console.log(`${name}: ${status(r)} upstream saw [${hs.join(' | ')}] trailers=${JSON.stringify(e.trailers ?? [])}`);
}
