/**
 * Runs every benchmark, one after the other (never in parallel: they would
 * compete for the CPU). Extra arguments go to each: `node bench/run.mjs
 * login-check flood` runs only those.
 */
import { join } from 'node:path';
import { BENCH_DIR, runNode } from './lib.mjs';

const ALL = ['login-check', 'login-success', 'flood', 'proxy'];
const chosen = process.argv.slice(2).filter((a) => ALL.includes(a));
const unknown = process.argv.slice(2).filter((a) => !ALL.includes(a));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen.length ? chosen : ALL) {
  console.log(`\n=== ${name} ===`);
  const code = await runNode(['--expose-gc', join(BENCH_DIR, `${name}.mjs`)], { inherit: true });
  if (code !== 0) {
    console.log(`${name} exited with ${code}`);
    failed++;
  }
}
// A missed speed target is reported in the output, not as a failure; flood exits 1 when memory
// passes its cap or the attacker's counters change (correctness, not speed), and crashes fail too.
process.exitCode = failed ? 1 : 0;
