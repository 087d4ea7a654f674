/**
 * Checkout protection, micro: `CheckoutGuard.check` + `report` through mamori's own engine at its
 * defaults (checkout_protection's), on the memory store at its defaults (64 MiB counter table).
 *
 * Two parts, each in its own child process:
 * - **ops**: a shop's day compressed: real customers (returning cards, most approved) mixed with a
 *   card-testing attack (one BIN, many sources, most declined or refused). CPU µs per
 *   check+report as the OS counts it, and operations per CPU second.
 * - **flood**: `--flood` distinct card numbers (default 10 million), each from its own source, each
 *   declined: live memory (heap + array buffers after gc) sampled through the flood, which must stay
 *   bounded: the counter table's cap, the in-memory windows' caps (50,000 cards, 4,000 BINs) and a
 *   fixed overhead, whatever the count.
 *
 *   node --expose-gc bench/checkout.mjs [--ops 200000] [--flood 10000000] [--rounds 3] [--only ops,flood]
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ensureExposeGc, liveMemory, median, mib, num, printTable, runJsonChild, verdictLine, writeResult } from './lib.mjs';

await ensureExposeGc(import.meta.url);

const { values: opt } = parseArgs({
  options: {
    ops: { type: 'string', default: '200000' },
    flood: { type: 'string', default: '10000000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'ops,flood' },
    child: { type: 'string' },
  },
});

const internal = await import('../packages/mamori/dist/internal.js');
const { CheckoutGuard, MemoryStore, ManualClock, withCheckDigit } = internal;

function makeGuard() {
  const clock = new ManualClock(Date.UTC(2026, 11, 3));
  const store = new MemoryStore({ clock });
  let events = 0;
  const guard = new CheckoutGuard({}, { store, clock, secret: Buffer.alloc(32, 1), events: { emit: () => void events++ } });
  return { guard, clock, store, events: () => events };
}

async function opsChild(n) {
  const { guard, clock } = makeGuard();
  // 5,000 customers with their own cards and addresses; an attack on one BIN from 300 sources.
  const customers = Array.from({ length: 5000 }, (_, i) => ({
    ip: `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`,
    number: withCheckDigit(`52${String(1_000_000_000_000 + i * 104_729).padStart(13, '0')}`),
    account: i % 3 === 0 ? undefined : `customer-${i}`,
  }));
  const outcomes = { allow: 0, 'step-up': 0, challenge: 0, block: 0, reject: 0 };
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    clock.advance(50);
    let a;
    let approved;
    if (i % 4 !== 0) {
      const c = customers[i % customers.length];
      a = { ip: c.ip, card: { number: c.number, expMonth: 12, expYear: 2030, cvc: '123' }, amount: 3000 + (i % 7000), currency: 'JPY', account: c.account };
      approved = true;
    } else {
      a = {
        ip: `198.51.${(i >> 8) % 2 ? 100 : 101}.${(i >> 2) % 150}`,
        card: { number: withCheckDigit(`45320000${String((i * 7919) % 10_000_000).padStart(7, '0')}`), expMonth: 1 + (i % 12), expYear: 2028, cvc: String(i % 1000).padStart(3, '0') },
        amount: 50 + (i % 3000),
        currency: 'JPY',
      };
      approved = false;
    }
    const p = await guard.check(a);
    outcomes[p.verdict.action]++;
    if (p.verdict.action === 'allow' || p.verdict.action === 'step-up') await guard.report(p, { approved });
  }
  const t = process.cpuUsage(t0);
  return { n, cpuUsPer: (t.user + t.system) / n, outcomes };
}

async function floodChild(n) {
  const { guard, clock } = makeGuard();
  global.gc();
  const base = liveMemory().live;
  const samples = [];
  const every = Math.max(1, Math.floor(n / 20));
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    clock.advance(1);
    // A fresh number each time, spread over 100,000 BINs, each from a fresh source.
    const bin = String(40_000_000 + (i % 100_000));
    const number = withCheckDigit(bin + String(Math.floor(i / 100_000) % 10_000_000).padStart(7, '0'));
    const ip = i % 2 ? `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1` : `${10 + ((i >>> 24) & 63)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    const p = await guard.check({ ip, card: { number, expMonth: 1 + (i % 12), expYear: 2029, cvc: String(i % 1000).padStart(3, '0') }, amount: 4000, currency: 'JPY' });
    if (p.verdict.action === 'allow' || p.verdict.action === 'step-up') await guard.report(p, { approved: false });
    if (i % every === every - 1) {
      global.gc();
      samples.push(liveMemory().live - base);
    }
  }
  const t = process.cpuUsage(t0);
  return { n, cpuUsPer: (t.user + t.system) / n, peakLive: Math.max(...samples), lastLive: samples.at(-1), samples };
}

if (opt.child === 'ops') {
  console.log(JSON.stringify(await opsChild(Number(opt.ops))));
  process.exit(0);
}
if (opt.child === 'flood') {
  console.log(JSON.stringify(await floodChild(Number(opt.flood))));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const only = new Set(opt.only.split(','));
const result = {};
if (only.has('ops')) {
  const rounds = [];
  for (let r = 0; r < Number(opt.rounds); r++) rounds.push(await runJsonChild(['--expose-gc', self, '--child', 'ops', '--ops', opt.ops]));
  const us = median(rounds.map((r) => r.cpuUsPer));
  result.ops = { rounds, cpuUsPer: us, perCpuSecond: 1e6 / us };
  console.log(`checkout check+report, ${num(Number(opt.ops))} operations a round (3 in 4 customers, 1 in 4 an attack), ${rounds.length} rounds:`);
  printTable(['measure', 'value'], [
    ['CPU µs per check+report (median)', us.toFixed(1)],
    ['rounds', rounds.map((r) => r.cpuUsPer.toFixed(1)).join(' ')],
    ['operations per CPU second', num(1e6 / us)],
    ['verdicts (last round)', JSON.stringify(rounds.at(-1).outcomes)],
  ]);
}
if (only.has('flood')) {
  const f = await runJsonChild(['--expose-gc', '--max-old-space-size=1024', self, '--child', 'flood', '--flood', opt.flood]);
  // The bound: the counter table (64 MiB) and the windows (about 30 MB at the worst), and 32 MiB of overhead.
  const bound = 64 * 1024 * 1024 + 32 * 1024 * 1024 + 32 * 1024 * 1024;
  result.flood = { ...f, bound };
  console.log(`\nflood: ${num(f.n)} distinct card numbers, each from its own source, each declined:`);
  printTable(['measure', 'value'], [
    ['live memory, peak of 20 samples', mib(f.peakLive)],
    ['live memory, samples', f.samples.map((s) => (s / 1048576).toFixed(0)).join(' ')],
    ['CPU µs per card', f.cpuUsPer.toFixed(1)],
  ]);
  verdictLine(f.peakLive <= bound, `live memory bounded (≤ ${mib(bound)}: table 64 MiB + windows 32 MiB + 32 MiB)`, mib(f.peakLive));
}
writeResult('checkout', result);
