/**
 * The regex engines a WAF running CRS could use, measured on every CRS `@rx`
 * pattern: how many compile, compile time and memory, time on benign inputs
 * (a 1 KB form value, a 100 KB JSON string, short header values) and on
 * inputs crafted to make backtracking engines slow.
 *
 * Engines:
 *   mamori  packages/mamori/src/waf/regex.ts (lazy DFA for test, Pike VM for captures)
 *   v8      Node's RegExp after the four mechanical rewrites of issue 11
 *           (leading (?i)/(?is) and whole-pattern (?i:...) as flags, \x{HH} -> \xHH,
 *           \z -> $) plus the s flag; it still differs from PCRE on \s, \w and case
 *   re2js   re2js (pure JavaScript port of RE2), the pattern as written, DOTALL
 * Not run here (issue 11 has the facts): native `re2` (compiles RE2 for about
 * 9 minutes on npm install), `re2-wasm` (aborts with its fixed 16 MiB heap
 * once all CRS patterns are loaded).
 *
 *   node bench/waf-regex.mjs [--adversarial-length 64000] [--skip-v8-slow] [--skip-v8-json]
 *
 * --skip-v8-slow leaves out V8 on the 100 KB JSON and the adversarial
 * inputs, --skip-v8-json only the JSON: on a 2-core machine V8 takes over
 * ten minutes on the JSON and several minutes per 64,000-character
 * adversarial input (the point of the measurement).
 */
import { parseArgs } from 'node:util';
import { RE2JS } from 're2js';
import { compilePattern } from '../packages/mamori/dist/waf/regex.js';
import { crsDir, crsRxPatterns } from '../packages/mamori/dist/waf/crs-patterns.js';
import { ensureExposeGc, num, printTable, writeResult } from './lib.mjs';

if (await ensureExposeGc(import.meta.url)) process.exit();

const { values: opt } = parseArgs({
  options: {
    'adversarial-length': { type: 'string', default: '64000' },
    'skip-v8-slow': { type: 'boolean', default: false },
    'skip-v8-json': { type: 'boolean', default: false },
  },
});
const ADV = Number(opt['adversarial-length']);

const dir = crsDir();
if (!dir) {
  console.log('CRS not found: set MAMORI_CRS_DIR or put CRS at ../shared/data/crs');
  process.exit(1);
}
const patterns = crsRxPatterns(dir);
console.log(`CRS ${dir}: ${patterns.length} @rx patterns (${patterns.filter((p) => p.negated).length} of them !@rx)`);

function v8Rewrite(src) {
  let flags = 's';
  const lead = /^\(\?([is]+)\)/.exec(src);
  if (lead) {
    if (lead[1].includes('i')) flags += 'i';
    src = src.slice(lead[0].length);
  }
  if (src.startsWith('(?i:') && src.endsWith(')')) {
    flags += 'i';
    src = `(?:${src.slice(4)}`;
  }
  src = src.replace(/\\x\{([0-9a-fA-F]{1,2})\}/g, (_, h) => `\\x${h.padStart(2, '0')}`).replace(/\\z/g, '$');
  return new RegExp(src, flags);
}

const ENGINES = {
  mamori: (src) => compilePattern(src),
  v8: v8Rewrite,
  re2js: (src) => RE2JS.compile(src, RE2JS.DOTALL),
};

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

// Benign inputs, as latin1 strings of their bytes.
const form = 'name=Hanako+Yamada&email=hanako.yamada%40example.co.jp&company=Example+KK&message=' + 'Hello, I would like to ask about the delivery date of order 12345 and whether it can be sent to our Osaka office. '.repeat(10);
const json = JSON.stringify({
  items: Array.from({ length: 2000 }, (_, i) => ({ id: i, sku: `SKU-${100000 + i}`, name: `Item number ${i}`, price: (i * 1.37).toFixed(2), tags: ['red', 'large'], note: i % 7 ? null : 'gift wrap, please' })),
});
const BENIGN = {
  'form value 1 KB': form.slice(0, 1024),
  'JSON 100 KB': json.slice(0, 100 * 1024),
  'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  Cookie: 'session=7f3c9a1e5b2d4f6a8c0e1b3d5f7a9c2e; theme=dark; lang=ja',
};

// Inputs crafted to make a backtracking engine slow on the patterns named
// (found with the scan in docs/waf-regex.md); every engine runs every pattern on each.
const ADVERSARIAL = {
  'digits (920190 and others)': '1'.repeat(ADV),
  'spaces': ' '.repeat(ADV),
  'letters': 'a'.repeat(ADV),
  'dollars': '$'.repeat(ADV),
  'tabs': '\t'.repeat(ADV),
  '"{" repeated': '{'.repeat(ADV),
  '"a " repeated': 'a '.repeat(ADV / 2),
};

const results = {};
const rows = [];
const instances = {};
for (const [name, make] of Object.entries(ENGINES)) {
  const before = heap();
  const t0 = performance.now();
  const compiled = [];
  const failures = [];
  for (const p of patterns) {
    try {
      compiled.push({ p, re: make(p.source) });
    } catch (e) {
      failures.push(`${p.id}: ${String(e.message).slice(0, 100)}`);
    }
  }
  const ms = performance.now() - t0;
  const bytes = heap() - before;
  instances[name] = compiled;
  results[name] = { compiled: compiled.length, failed: failures, compileMs: ms, compileHeapBytes: bytes };
  rows.push([name, `${compiled.length}/${patterns.length}`, num(ms, 0), num(bytes / 1048576, 1)]);
}
console.log('\nCompile all @rx patterns');
printTable(['engine', 'compiled', 'ms', 'MiB'], rows);
for (const [name, r] of Object.entries(results)) for (const f of r.failed) console.log(`  ${name} cannot compile ${f}`);

function timeAll(compiled, input, reps) {
  // One warm-up pass (builds the DFA states, lets V8 tier up), then the median of reps passes.
  let matches = 0;
  for (const { re } of compiled) if (re.test(input)) matches++;
  const times = [];
  for (let k = 0; k < reps; k++) {
    const t = performance.now();
    for (const { re } of compiled) re.test(input);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1], matches };
}

console.log('\nBenign inputs: every pattern once over the input (median of passes), microseconds per pattern');
const benignRows = [];
for (const [label, input] of Object.entries(BENIGN)) {
  const row = [label, num(input.length)];
  for (const name of Object.keys(ENGINES)) {
    if (name === 'v8' && (opt['skip-v8-slow'] || opt['skip-v8-json']) && input.length > 10_000) { row.push('skipped'); continue; }
    const reps = input.length > 10_000 ? (name === 'v8' ? 1 : 5) : 50;
    const { ms, matches } = timeAll(instances[name], input, reps);
    results[name][`benign ${label}`] = { allPatternsMs: ms, matches };
    row.push(`${num(ms, 2)} ms (${num((ms * 1000) / instances[name].length, 1)} us/pattern, ${matches} match)`);
  }
  benignRows.push(row);
}
printTable(['input', 'chars', ...Object.keys(ENGINES)], benignRows);

console.log(`\nAdversarial inputs (${num(ADV)} chars): all patterns together (wall time of the run) and the slowest single pattern (~: extrapolated)`);
const advRows = [];
for (const [label, input] of Object.entries(ADVERSARIAL)) {
  const row = [label];
  for (const name of Object.keys(ENGINES)) {
    if (name === 'v8' && opt['skip-v8-slow']) { row.push('skipped'); continue; }
    let worst = 0;
    let worstId = '';
    const slow = [];
    const t = performance.now();
    for (const { p, re } of instances[name]) {
      // A backtracking engine can take hours on one pattern (942251 is cubic on
      // spaces), so the input grows from 1,000 characters by doubling and stops
      // once one run takes over 2 s; past that the time is extrapolated from
      // the growth between the last two sizes, and marked "~".
      let len = Math.min(1000, input.length);
      let d = 0;
      let prev = 0;
      for (;;) {
        const t0 = performance.now();
        re.test(input.slice(0, len));
        prev = d;
        d = performance.now() - t0;
        if (len >= input.length || d > 2000) break;
        len = Math.min(len * 2, input.length);
      }
      let full = d;
      let mark = '';
      if (len < input.length) {
        const exponent = prev > 0 ? Math.max(1, Math.log2(d / prev)) : 2;
        full = d * (input.length / len) ** exponent;
        mark = `~ (measured ${num(d, 0)} ms at ${num(len)} chars, growth n^${num(exponent, 1)})`;
      }
      if (full > worst) { worst = full; worstId = p.id; }
      if (full > 100) slow.push(`${p.id} ${mark ? '~' : ''}${num(full, 0)} ms${mark ? ` ${mark.slice(2)}` : ''}`);
    }
    const all = performance.now() - t;
    results[name][`adversarial ${label}`] = { allPatternsMs: all, worstMs: worst, worstId, over100ms: slow };
    if (slow.length) console.log(`  ${name} on ${label}: patterns over 100 ms: ${slow.join(', ')}`);
    row.push(`${num(all, 0)} ms, worst ${worstId} ${num(worst, 1)} ms`);
  }
  advRows.push(row);
  console.log(`  ${row.join(' | ')}`);
}
printTable(['input', ...Object.keys(ENGINES)], advRows);

// mamori's worst case is its cache being emptied all the time: run every
// pattern with the smallest DFA budget, so each character rebuilds a state.
console.log('\nmamori with a DFA cache too small to keep anything (the NFA-speed bound), 16,000 chars of each adversarial input:');
let worstNoCache = 0;
let worstNoCacheId = '';
for (const p of patterns) {
  const re = compilePattern(p.source, { dfaCells: 1 });
  for (const input of Object.values(ADVERSARIAL)) {
    const s = input.slice(0, 16_000);
    const t = performance.now();
    re.test(s);
    const d = performance.now() - t;
    if (d > worstNoCache) { worstNoCache = d; worstNoCacheId = p.id; }
  }
}
console.log(`  worst pattern ${worstNoCacheId}: ${num(worstNoCache, 1)} ms for 16,000 chars (${num((worstNoCache * 1e6) / 16_000, 0)} ns per char)`);
results.mamori.noCacheWorst = { id: worstNoCacheId, ms: worstNoCache, chars: 16_000 };

// Captures (the `capture` action) go through the Pike VM: its cost on a 1 KB match-free and a 64 KB input.
let worstExec = 0;
let worstExecId = '';
for (const { p, re } of instances.mamori) {
  for (const input of [BENIGN['form value 1 KB'], ADVERSARIAL['digits (920190 and others)'].slice(0, 16_000)]) {
    const t = performance.now();
    re.exec(input);
    const d = performance.now() - t;
    if (d > worstExec) { worstExec = d; worstExecId = p.id; }
  }
}
console.log(`mamori exec (captures, Pike VM) worst over all patterns on the 1 KB form and 16,000 digits: ${worstExecId} ${num(worstExec, 1)} ms`);
results.mamori.execWorst = { id: worstExecId, ms: worstExec };

writeResult('waf-regex', { adversarialLength: ADV, results });
