#!/usr/bin/env node
// A client that signs in through mamori and solves its proof-of-work challenge when asked:
// plain Node.js (20+), no dependencies. See docs/challenge.md.
//
//   node docs/examples/solve-challenge.mjs http://127.0.0.1:8080 alice@example.com alice-demo-password
//
// It posts the demo shop's login form (fields `email` and `password` to /login) asking for JSON;
// when mamori answers 429 with a challenge, it finds a solution, posts it to the submit URL,
// and posts the login again with the pass in the `x-mamori-pass` header. A pass buys one login
// attempt: each further attempt that is challenged needs a new solution.
import { createHash } from 'node:crypto';

/**
 * A solution for a challenge: the first decimal number s for which SHA-256(token + ':' + s)
 * starts with `difficulty` zero bits. The hash of `token + ':'` is taken once and copied for
 * each try (its midstate), so each try hashes only the last few bytes.
 */
export function solve(token, difficulty) {
  const prefix = createHash('sha256').update(`${token}:`, 'utf8');
  for (let i = 0; i < 2 ** 32; i++) {
    const digest = prefix.copy().update(String(i)).digest();
    if (leadingZeroBits(digest) >= difficulty) return { solution: String(i), tries: i + 1 };
  }
  throw new Error('no solution found');
}

/** Leading zero bits of a digest, from its first byte's most significant bit. */
export function leadingZeroBits(bytes) {
  let n = 0;
  for (const b of bytes) {
    if (b === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

/** Posts the login form once, with a pass when there is one. */
function postLogin(base, email, password, pass) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (pass) headers['x-mamori-pass'] = pass;
  return fetch(new URL('/login', base), { method: 'POST', headers, body: new URLSearchParams({ email, password }), redirect: 'manual' });
}

/** Signs in, solving at most `maxChallenges` challenges on the way; resolves with the final answer. */
export async function signIn(base, email, password, { maxChallenges = 3, log = () => {} } = {}) {
  let pass;
  for (let round = 0; ; round++) {
    const res = await postLogin(base, email, password, pass);
    if (res.status !== 429 || res.headers.get('x-mamori-action') !== 'challenge') return res;
    if (round >= maxChallenges) throw new Error('still challenged after solving');
    // {"error":"challenge_required","challenge":{"token","difficulty","algorithm","expires_at","submit"}}
    const { challenge } = await res.json();
    if (challenge.algorithm !== 'sha256') throw new Error(`unknown algorithm ${challenge.algorithm}`);
    log(`challenged: difficulty ${challenge.difficulty}, valid until ${new Date(challenge.expires_at).toISOString()}`);
    const started = Date.now();
    const { solution, tries } = solve(challenge.token, challenge.difficulty);
    log(`solved: ${solution} after ${tries} tries in ${Date.now() - started} ms`);
    const submitted = await fetch(new URL(challenge.submit, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: challenge.token, solution }),
    });
    const answer = await submitted.json();
    // 200 {"ok":true,"pass":"..."} (and a mamori_pass cookie); 403 {"error":"challenge_failed","reason":...}
    if (!submitted.ok) throw new Error(`the solution was refused: ${JSON.stringify(answer)}`);
    pass = answer.pass;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [base, email, password] = process.argv.slice(2);
  if (!base || !email || password === undefined) {
    console.error('usage: node solve-challenge.mjs BASE_URL EMAIL PASSWORD');
    process.exit(2);
  }
  const res = await signIn(base, email, password, { log: (line) => console.log(line) });
  console.log(`login answered ${res.status}${res.headers.get('location') ? ` -> ${res.headers.get('location')}` : ''}`);
  process.exit(res.status < 400 ? 0 : 1);
}
