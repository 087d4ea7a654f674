#!/usr/bin/env node
/**
 * Log replay through mamori's built-in detection scenarios (issue 14):
 * an access log (nginx combined shape, most requests from distinct sources) and an sshd
 * auth log, written to /tmp as ECS JSON lines (the built-in JSON-lines parser) and as raw
 * log lines (for the parsers `mamori replay` uses: pass --parser MODULE, whose default
 * export is `(raw) => LogEvent | null`, e.g. ./bench/detect-real-parser.mjs), and an sshd
 * log whose every line comes from a distinct source address (the memory bound).
 *
 * Each measurement runs in its own process, so its peak RSS is its own:
 *   engine-access / engine-sshd: events built in memory, the scenario engine alone;
 *   replay-access / replay-sshd: file -> lines -> parser -> pipeline -> scenarios, end to end;
 *   replay-distinct: replay-sshd's path over the distinct-source log.
 * Lines/s per core = lines / (user + system CPU seconds, process.cpuUsage()).
 * Targets: >= 20,000 access-log and >= 50,000 sshd lines/s per core end to end;
 * under 256 MB resident with a million distinct sources.
 *
 *   node bench/detect-replay.mjs [--lines 1000000] [--parser ./bench/detect-real-parser.mjs]
 *        [--peers fail2ban,crowdsec] [--baseline /path/to/other/tree] [--rounds 1] [--phases a,b] [--heap MB]
 *
 * --peers: each NAME loads bench/peers/NAME.mjs (when it exists) and runs its
 *   `run(file, 'access' | 'sshd', { lines })` on the same raw files, after mamori, in the
 *   same run; it answers { tool, version, lines, cpuSeconds, linesPerCpuSecond, alerts,
 *   peakRssMiB, note }. The table puts each beside mamori's replay, with the ratio.
 * --baseline: the same replay phases run from another checkout's build (its own
 *   bench/detect-replay.mjs and parser), interleaved with this tree's: before/after in one run.
 * --heap MB: the phases run under node --max-old-space-size=MB. V8 sizes the old generation
 *   as a multiple of what is live after each full collection; below 1 GiB it takes a smaller
 *   multiple, which is what bounds the resident size (the limit itself is never reached).
 * --rounds: each phase that many times, interleaved; the table gives each phase's best round
 *   (the machine is shared: the least disturbed round is the closest to the code's own cost).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { num, printTable } from './lib.mjs';
import { accessJson, accessRaw, accessRequest, distinctSshdEvent, rng, sshdEvent, sshdJson, sshdRaw, writeLines } from './detect-lines.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const LINES = Number(opt('lines', '1000000'));
const DIR = opt('dir', '/tmp/mamori-detect-bench');
const PARSER = opt('parser', undefined);
const PEERS = (opt('peers', '') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const BASELINE = opt('baseline', undefined);
const ROUNDS = Math.max(1, Number(opt('rounds', '1')));
/** --heap MB: the phases run with node --max-old-space-size=MB (as `NODE_OPTIONS` would set it for mamori watch/replay). */
const HEAP = opt('heap', undefined);
if (HEAP !== undefined && !/^\d{2,5}$/.test(HEAP)) throw new Error('--heap takes a number of MiB');
const PHASES = (opt('phases', 'engine-access,engine-sshd,replay-access,replay-sshd,replay-distinct') ?? '').split(',').filter(Boolean);
async function generate() {
  mkdirSync(DIR, { recursive: true });
  const files = [
    ['access.jsonl', accessRequest, accessJson],
    ['access.log', accessRequest, accessRaw],
    ['sshd.jsonl', sshdEvent, sshdJson],
    ['auth.log', sshdEvent, sshdRaw],
    ['distinct-auth.log', distinctSshdEvent, sshdRaw],
  ];
  for (const [name, gen, fmt] of files) {
    const p = `${DIR}/${name}`;
    if (existsSync(p) && statSync(p).size > 0 && existsSync(`${p}.${LINES}`)) continue;
    await writeLines(p, LINES, gen, fmt);
    await writeLines(`${p}.${LINES}`, 0, gen, fmt); // a marker: generated with this many lines
  }
}

async function phase(name) {
  const detect = await import(pathToFileURL(resolve(fileURLToPath(new URL('../packages/detect/dist/index.js', import.meta.url)))).href);
  const { scenarios } = detect.loadBuiltinScenarios();
  const engine = new detect.ScenarioEngine(scenarios);
  const kind = name.endsWith('access') ? 'access' : 'sshd';
  let events = 0;
  let alerts = 0;
  let alertDigest = '';
  let cpu;
  if (name.startsWith('engine')) {
    // The engine alone: events parsed in batches of 10,000 (not measured), then run (measured).
    const r = rng(42);
    const line = { text: '', input: 'bench', receivedAt: 0 };
    cpu = { user: 0, system: 0 };
    for (let i = 0; i < LINES; ) {
      const list = [];
      for (const end = Math.min(LINES, i + 10_000); i < end; i++) {
        const raw = (kind === 'access' ? accessJson : sshdJson)((kind === 'access' ? accessRequest : sshdEvent)(i, r));
        list.push(detect.parseJsonLine({ ...line, text: raw }));
      }
      const c0 = process.cpuUsage();
      for (const e of list) alerts += engine.onEvent(e).length;
      const c = process.cpuUsage(c0);
      cpu.user += c.user;
      cpu.system += c.system;
      events += list.length;
    }
  } else {
    let parse = detect.parseJsonLine;
    let file = `${DIR}/${kind}.jsonl`;
    if (PARSER) {
      parse = (await import(pathToFileURL(resolve(PARSER)).href)).default;
      file = `${DIR}/${kind === 'access' ? 'access.log' : 'auth.log'}`;
    }
    if (name === 'replay-distinct') {
      if (!PARSER) throw new Error('replay-distinct reads raw lines: give --parser');
      file = `${DIR}/distinct-auth.log`;
    }
    const c0 = process.cpuUsage();
    const s = await detect.replayFiles([file], { parse, detectors: [engine] });
    cpu = process.cpuUsage(c0);
    events = s.events;
    alerts = s.alertsTotal;
    // The alerts' ids in one digest: two runs on the same input must print the same one.
    const h = createHash('sha256');
    for (const a of s.alerts) h.update(`${a.id}\n`);
    alertDigest = h.digest('hex').slice(0, 16);
  }
  const st = engine.stats();
  const cpuS = (cpu.user + cpu.system) / 1e6;
  if (globalThis.gc) { globalThis.gc(); process.stderr.write(`heapUsed after gc: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB\n`); }
  process.stdout.write(`${JSON.stringify({ name, events, alerts, cpuS, perCore: events / cpuS, maxRssMiB: process.resourceUsage().maxRSS / 1024, groups: st.groups, evicted: st.evicted, alertIds: alertDigest })}\n`);
}

function runPhase(tree, name) {
  const script = tree ? resolve(tree, 'bench/detect-replay.mjs') : fileURLToPath(import.meta.url);
  // A baseline from before a phase existed would run another phase under its name: left out.
  if (tree && !readFileSync(script, 'utf8').includes(`'${name}'`)) return undefined;
  const parser = PARSER && tree ? resolve(tree, PARSER) : PARSER;
  const r = spawnSync(process.execPath, [...(HEAP ? [`--max-old-space-size=${HEAP}`] : []), script, '--phase', name, '--lines', String(LINES), '--dir', DIR, ...(parser ? ['--parser', parser] : [])], { encoding: 'utf8', maxBuffer: 1 << 20, cwd: tree ?? process.cwd() });
  if (r.status !== 0) {
    if (tree) {
      // A baseline from before a phase existed: left out.
      console.log(`# baseline ${tree}: phase ${name} failed, left out (${r.stderr.trim().split('\n').pop()?.slice(0, 120)})`);
      return undefined;
    }
    console.error(r.stderr);
    process.exit(1);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function loadPeer(name) {
  if (!/^[a-z0-9-]{1,40}$/.test(name)) throw new Error(`--peers: "${name.slice(0, 40)}" is not a peer name`);
  const path = fileURLToPath(new URL(`./peers/${name}.mjs`, import.meta.url));
  if (!existsSync(path)) {
    console.log(`# peer ${name}: no bench/peers/${name}.mjs, left out`);
    return undefined;
  }
  const mod = await import(pathToFileURL(path).href);
  if (typeof mod.run !== 'function') throw new Error(`bench/peers/${name}.mjs exports no run(file, kind, opts)`);
  return mod;
}

if (args.includes('--phase')) await phase(opt('phase'));
else {
  const g0 = Date.now();
  await generate();
  console.log(`# ${num(LINES)} lines each of an access log, an sshd log and an sshd log from ${num(LINES)} distinct sources, in ${DIR} (${((Date.now() - g0) / 1000).toFixed(1)} s to write)${PARSER ? `; raw lines through ${PARSER}` : '; ECS JSON lines through the built-in JSON-lines parser'}; best of ${ROUNDS} round(s)${HEAP ? `; phases under node --max-old-space-size=${HEAP}` : ''}`);
  const phases = PHASES.filter((p) => p !== 'replay-distinct' || PARSER);
  const trees = [['this tree', undefined], ...(BASELINE ? [[`baseline ${BASELINE}`, resolve(BASELINE)]] : [])];
  const best = new Map();
  const digests = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of phases) {
      for (const [label, tree] of trees) {
        const j = runPhase(tree, name);
        if (!j) continue;
        const k = `${label}\u0000${name}`;
        if (!best.has(k) || j.perCore > best.get(k).perCore) best.set(k, { ...j, label });
        if (j.alertIds) (digests.get(k) ?? digests.set(k, new Set()).get(k)).add(j.alertIds);
      }
    }
  }
  const rows = [];
  for (const name of phases) {
    for (const [label] of trees) {
      const j = best.get(`${label}\u0000${name}`);
      if (!j) continue;
      const d = digests.get(`${label}\u0000${name}`);
      rows.push([j.name, ...(BASELINE ? [label] : []), num(j.events), num(j.alerts), j.cpuS.toFixed(2), num(j.perCore), num(j.maxRssMiB), num(j.groups), num(j.evicted), d ? `${[...d].join(' ')}${ROUNDS > 1 ? (d.size === 1 ? ' (same every round)' : ' (DIFFERENT across rounds)') : ''}` : '-']);
    }
  }
  printTable(['phase', ...(BASELINE ? ['tree'] : []), 'events', 'alerts', 'CPU s', 'lines/s/core', 'peak RSS MiB', 'groups at end', 'evicted', 'alert ids (digest)'], rows);
  if (BASELINE) {
    for (const name of phases) {
      const a = best.get(`this tree\u0000${name}`);
      const b = best.get(`baseline ${BASELINE}\u0000${name}`);
      if (!a || !b) continue;
      console.log(`${name}: this tree / baseline = ${(a.perCore / b.perCore).toFixed(2)}x lines per CPU second; alerts ${num(a.alerts)} vs ${num(b.alerts)}`);
    }
  }
  console.log('\ntargets: replay-access >= 20,000/s/core, replay-sshd >= 50,000/s/core, peak RSS < 256 MiB with 1M distinct sources (replay-distinct, replay-access)');

  if (PEERS.length > 0) {
    if (!PARSER) throw new Error('--peers compares raw-log replays: give --parser ./bench/detect-real-parser.mjs');
    const peerRows = [];
    for (const name of PEERS) {
      const mod = await loadPeer(name);
      if (!mod) continue;
      for (const [kind, file, phaseName] of [['sshd', `${DIR}/auth.log`, 'replay-sshd'], ['access', `${DIR}/access.log`, 'replay-access']]) {
        const m = best.get(`this tree\u0000${phaseName}`);
        if (!m) continue;
        let p;
        try {
          p = await mod.run(file, kind, { lines: LINES });
        } catch (err) {
          console.log(`# peer ${name} on ${kind}: ${err.message.split('\n')[0]}`);
          continue;
        }
        peerRows.push([kind, `${p.tool} ${p.version}`, num(m.perCore), num(p.linesPerCpuSecond), `${(m.perCore / p.linesPerCpuSecond).toFixed(2)}x`, `${num(m.cpuS, 1)} / ${num(p.cpuSeconds, 1)}`, `${num(m.maxRssMiB)} / ${num(p.peakRssMiB)}`, `${num(m.alerts)} / ${num(p.alerts)}`, p.note]);
      }
    }
    if (peerRows.length > 0) {
      console.log('\nside by side, same files, same run (mamori: every built-in scenario; lines per CPU second of the process, as the OS counts it):');
      printTable(['log', 'peer', 'mamori lines/s/core', 'peer lines/s/core', 'mamori / peer', 'CPU s mamori / peer', 'peak RSS MiB mamori / peer', 'alerts mamori / peer', 'peer note'], peerRows);
    }
  }
}
