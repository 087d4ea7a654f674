#!/usr/bin/env node
// Measures how fast a browser solves mamori's challenge: the page's own solver (CHALLENGE_SOLVER,
// plain-JavaScript SHA-256 from the token's midstate) in blob: Web Workers, in Debian's chromium
// (headless, through playwright-core), with 1 worker and with as many as the page starts
// (navigator.hardwareConcurrency, at most 8). Prints hashes per second and the expected time per
// difficulty (2^d tries on average). Run after `npx tsc -b`:
//   node scripts/challenge-rate.mjs [seconds per run, default 5]   (MAMORI_CHROMIUM: another binary)
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { CHALLENGE_SOLVER, createChallenger, MemoryStore } from '../packages/mamori/dist/index.js';

const seconds = Number(process.argv[2] ?? 5);
const executablePath = process.env.MAMORI_CHROMIUM ?? '/usr/bin/chromium';
// A real token, so the tail hashed per try is the one a browser hashes.
const store = new MemoryStore({ maxCounterBytes: 1 << 20 });
const token = createChallenger({ secret: Buffer.alloc(32, 7), store }).issue({ ip: '192.0.2.1', scope: 'site', risk: 0 }).token;

// Served over plain HTTP from loopback: the case where Web Crypto is absent.
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><title>rate</title>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--host-resolver-rules=MAP mamori.test 127.0.0.1'] });
try {
  const page = await browser.newPage();
  // A name that is not loopback: plain HTTP there is not a secure context, so no crypto.subtle.
  await page.goto(`http://mamori.test:${server.address().port}/`);
  const measure = (workers) =>
    page.evaluate(
      ({ solver, token, workers, ms }) =>
        new Promise((resolve) => {
          const body = `${solver}
            var kit = solverKit();
            self.onmessage = function (e) {
              var s = kit.makeSolver(e.data.token, e.data.tag, 32);
              var end = Date.now() + e.data.ms;
              while (Date.now() < end) s.step(16384);
              self.postMessage(s.tries());
            };`;
          const url = URL.createObjectURL(new Blob([body], { type: 'text/javascript' }));
          let total = 0;
          let left = workers;
          const t0 = performance.now();
          for (let i = 0; i < workers; i++) {
            const w = new Worker(url);
            w.onmessage = (e) => {
              total += e.data;
              w.terminate();
              if (--left === 0) resolve({ tries: total, ms: performance.now() - t0, cores: navigator.hardwareConcurrency, subtle: !!(globalThis.crypto && crypto.subtle) });
            };
            w.postMessage({ token, tag: '0123456789abcdef'.charAt(i), ms });
          }
        }),
      { solver: CHALLENGE_SOLVER, token, workers, ms: seconds * 1000 },
    );
  const one = await measure(1);
  const n = Math.max(1, Math.min(one.cores || 2, 8));
  const all = await measure(n);
  const rate1 = one.tries / (one.ms / 1000);
  const rateN = all.tries / (all.ms / 1000);
  console.log(`${await browser.version()} headless; navigator.hardwareConcurrency ${one.cores}; crypto.subtle on this plain-HTTP page: ${one.subtle}; token ${token.length} characters`);
  console.log(`1 worker: ${(rate1 / 1e6).toFixed(2)} M hashes/s; ${n} workers (as the page starts): ${(rateN / 1e6).toFixed(2)} M hashes/s`);
  console.log('| difficulty | tries on average (2^d) | expected time, 1 worker | expected time, page (' + n + ' workers) | 95th percentile, page |');
  console.log('| --- | --- | --- | --- | --- |');
  for (let d = 15; d <= 24; d++) {
    const tries = 2 ** d;
    const f = (s) => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(1)} s`);
    // The number of tries is geometric: 3 times the mean covers 95 % of challenges (ln 20 = 3.0).
    console.log(`| ${d} | ${tries.toLocaleString('en')} | ${f(tries / rate1)} | ${f(tries / rateN)} | ${f((3 * tries) / rateN)} |`);
  }
} finally {
  await browser.close();
  server.close();
}
