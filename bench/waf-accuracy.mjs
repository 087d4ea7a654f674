/**
 * WAF detection accuracy (issue 11 §5): the corpora of bench/corpora (attacks of ten classes in
 * eight placements, plain and encoded, and benign traffic; built by bench/corpora/build.mjs) sent
 * to
 * - mamori's engine in process (CRS v4.28.0, paranoia 1, blocking: `crsSetup` as in bench/waf.mjs),
 *   blocked = the engine interrupts (a request mamori's reader refuses is counted apart, as 400);
 * - Apache + ModSecurity v2 + the same CRS under the same setup text, over HTTP (blocked = 403;
 *   any other refusal is counted apart);
 * - `mamori up` with the WAF on, over HTTP (blocked = 403), when its config takes `waf:`;
 *   skipped with the reason otherwise.
 * Printed side by side: detection per attack class, placement and encoding; false positives per
 * benign class; TPR, FPR and balanced accuracy ((TPR + TNR) / 2). The requests on which the two
 * engines disagree are listed in the results file.
 *
 * The setup on both sides is bench/waf.mjs's (CRS's allowed methods widened to PUT, PATCH and
 * DELETE); `--strict` adds ModSecurity's recommended refusal of bodies that could not be read
 * (REQBODY_ERROR, MULTIPART_STRICT_ERROR) to both; `mamori up` runs its own setup.
 *
 *   node bench/waf-accuracy.mjs [--strict] [--concurrency 8] [--show 15] [--no-apache] [--no-up]
 */
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseRawRequest } from 'mamori/waf';
import { num, printTable, writeResult } from './lib.mjs';
import { buildCorpus, CORPUS_FILE } from './corpora/build.mjs';
import { apacheMissing, startApacheModsec, startTinyUpstream, versions } from './peers/apache-modsec.mjs';
import { BEFORE, loadCrs, runTransaction, SETTINGS, startMamoriUp, STRICT } from './waf.mjs';

const { values: opt } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '8' },
    show: { type: 'string', default: '15' },
    'no-apache': { type: 'boolean', default: false },
    'no-up': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
  },
});

const corpus = existsSync(CORPUS_FILE)
  ? readFileSync(CORPUS_FILE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : buildCorpus();

/** mamori in process: 'blocked' (with the rule ids), 'passed', or 'refused-400' (the reader refused the bytes). */
function mamoriInProcess() {
  const waf = loadCrs({ strict: opt.strict });
  const out = new Map();
  for (const c of corpus) {
    const p = parseRawRequest(c.raw);
    if (!p.request) {
      out.set(c.id, { verdict: 'other', status: 400, note: p.problem });
      continue;
    }
    try {
      const { it, tx } = runTransaction(waf, p.request);
      out.set(c.id, { verdict: it ? (it.status === 403 || it.status === undefined ? 'blocked' : 'other') : 'passed', status: it ? it.status ?? 403 : 200, rules: tx.matched.filter((m) => m.logged).map((m) => m.id) });
    } catch (err) {
      out.set(c.id, { verdict: 'other', status: 500, note: `engine error: ${err.message}` });
    }
  }
  return out;
}

/** Writes the raw bytes to host:port, resolves with the response's status code (0 on a reset or timeout). */
function sendRaw(port, raw) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    let done = false;
    const finish = (status) => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(status);
    };
    sock.setTimeout(30_000, () => finish(0));
    sock.on('connect', () => sock.write(Buffer.from(raw, 'latin1')));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      if (m) finish(Number(m[1]));
      else if (buf.length > 64 && !buf.startsWith('HTTP/')) finish(-1);
    });
    sock.on('error', () => finish(0));
    sock.on('close', () => finish(0));
  });
}

async function overHttp(url) {
  const port = Number(new URL(url).port);
  const out = new Map();
  let next = 0;
  const worker = async () => {
    while (next < corpus.length) {
      const c = corpus[next++];
      const status = await sendRaw(port, c.raw);
      out.set(c.id, { verdict: status === 403 ? 'blocked' : status >= 200 && status < 400 ? 'passed' : 'other', status });
    }
  };
  await Promise.all(Array.from({ length: Number(opt.concurrency) }, worker));
  return out;
}

const pct = (a, b) => (b ? `${((a / b) * 100).toFixed(1)}%` : '-');

async function main() {
  const v = versions();
  const attacks = corpus.filter((c) => c.label === 'attack');
  const benign = corpus.filter((c) => c.label === 'benign');
  console.log(`waf-accuracy: ${attacks.length} attacks, ${benign.length} benign requests (${CORPUS_FILE}); CRS ${v.sharedCrs}, paranoia 1, blocking, thresholds 5/4, ${SETTINGS.join(' ')}${opt.strict ? ', with the body-error refusals (--strict)' : ''}`);
  const sides = {};
  const skipped = {};
  sides.mamori = mamoriInProcess();
  const upstream = await startTinyUpstream();
  if (opt['no-apache']) skipped.apache = '--no-apache';
  else if (apacheMissing()) skipped.apache = apacheMissing();
  else {
    const ap = await startApacheModsec({ upstream: upstream.url, crs: 'shared', paranoia: 1, settings: SETTINGS, before: [...BEFORE, ...(opt.strict ? STRICT : [])] });
    try {
      sides.apache = await overHttp(ap.url);
    } finally {
      await ap.stop();
    }
  }
  if (opt['no-up']) skipped.up = '--no-up';
  else {
    const up = await startMamoriUp(upstream.url);
    if (up.skipped) skipped.up = up.skipped;
    else {
      try {
        sides.up = await overHttp(up.url);
      } finally {
        await up.stop();
      }
    }
  }
  await upstream.close();
  for (const [k, why] of Object.entries(skipped)) console.log(`skipped ${k}: ${why}`);
  const names = Object.keys(sides);
  const LABEL = { mamori: 'mamori (in process)', apache: 'Apache+ModSec', up: 'mamori up' };

  const rate = (side, items, verdict = 'blocked') => items.filter((c) => sides[side].get(c.id).verdict === verdict).length;
  const group = (items, key) => {
    const m = new Map();
    for (const c of items) m.set(c[key], [...(m.get(c[key]) ?? []), c]);
    return m;
  };
  const tableBy = (title, items, key) => {
    const rows = [...group(items, key)].map(([k, xs]) => [k, String(xs.length), ...names.map((s) => `${rate(s, xs)} (${pct(rate(s, xs), xs.length)})`), ...names.map((s) => String(rate(s, xs, 'other')))]);
    rows.push(['all', String(items.length), ...names.map((s) => `${rate(s, items)} (${pct(rate(s, items), items.length)})`), ...names.map((s) => String(rate(s, items, 'other')))]);
    console.log();
    printTable([title, 'n', ...names.map((s) => `${LABEL[s]} blocked`), ...names.map((s) => `${LABEL[s]} other refusal`)], rows);
  };
  tableBy('attacks by class (detected = blocked)', attacks, 'class');
  tableBy('attacks by placement', attacks, 'placement');
  tableBy('attacks by encoding', attacks, 'encoding');
  tableBy('benign by kind (blocked = false positive)', benign, 'class');

  const summary = {};
  for (const s of names) {
    const tp = rate(s, attacks);
    const fp = rate(s, benign);
    const tpr = tp / attacks.length;
    const fpr = fp / benign.length;
    summary[s] = { detected: tp, attacks: attacks.length, falsePositives: fp, benign: benign.length, otherRefusalsAttacks: rate(s, attacks, 'other'), otherRefusalsBenign: rate(s, benign, 'other'), tpr, fpr, balancedAccuracy: (tpr + (1 - fpr)) / 2 };
  }
  console.log();
  printTable(['summary', ...names.map((s) => LABEL[s])], [
    ['detection rate (TPR)', ...names.map((s) => `${(summary[s].tpr * 100).toFixed(1)}% (${summary[s].detected}/${attacks.length})`)],
    ['false positive rate (FPR)', ...names.map((s) => `${(summary[s].fpr * 100).toFixed(1)}% (${summary[s].falsePositives}/${benign.length})`)],
    ['balanced accuracy (TPR+TNR)/2', ...names.map((s) => `${(summary[s].balancedAccuracy * 100).toFixed(1)}%`)],
    ['other refusals (attacks / benign)', ...names.map((s) => `${summary[s].otherRefusalsAttacks} / ${summary[s].otherRefusalsBenign}`)],
    ['attacks kept from the app (blocked or refused)', ...names.map((s) => `${(((summary[s].detected + summary[s].otherRefusalsAttacks) / attacks.length) * 100).toFixed(1)}%`)],
  ]);

  // Where mamori and Apache disagree.
  const disagreements = [];
  if (sides.apache) {
    for (const c of corpus) {
      const m = sides.mamori.get(c.id);
      const a = sides.apache.get(c.id);
      if ((m.verdict === 'blocked') !== (a.verdict === 'blocked')) disagreements.push({ id: c.id, label: c.label, class: c.class, placement: c.placement, encoding: c.encoding, payload: c.payload, mamori: m.verdict, mamoriStatus: m.status, mamoriRules: m.rules, mamoriNote: m.note, apache: a.verdict, apacheStatus: a.status });
    }
    console.log(`\n${disagreements.length} requests on which mamori (in process) and Apache + ModSecurity disagree; the first ${Math.min(disagreements.length, Number(opt.show))}:`);
    for (const d of disagreements.slice(0, Number(opt.show))) console.log(`  ${d.id} ${d.label} ${d.class}/${d.placement}/${d.encoding}: mamori ${d.mamori}${d.mamoriRules?.length ? ` [${d.mamoriRules.join(',')}]` : ''}${d.mamoriNote ? ` (${d.mamoriNote})` : ''}, Apache ${d.apache} (${d.apacheStatus}); ${JSON.stringify(d.payload).slice(0, 90)}`);
  }
  const otherStatuses = Object.fromEntries(names.map((s) => [s, Object.fromEntries([...group(corpus.filter((c) => sides[s].get(c.id).verdict === 'other'), 'id')].map(([id]) => [id, sides[s].get(id).status]))]));
  writeResult(opt.strict ? 'waf-accuracy-strict' : 'waf-accuracy', {
    strict: opt.strict,
    command: `node bench/waf-accuracy.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    versions: v,
    corpus: { file: CORPUS_FILE, attacks: attacks.length, benign: benign.length },
    skipped,
    summary,
    byClass: Object.fromEntries([...group(corpus, 'class')].map(([k, xs]) => [k, { n: xs.length, ...Object.fromEntries(names.map((s) => [s, rate(s, xs)])) }])),
    byPlacement: Object.fromEntries([...group(attacks, 'placement')].map(([k, xs]) => [k, { n: xs.length, ...Object.fromEntries(names.map((s) => [s, rate(s, xs)])) }])),
    byEncoding: Object.fromEntries([...group(attacks, 'encoding')].map(([k, xs]) => [k, { n: xs.length, ...Object.fromEntries(names.map((s) => [s, rate(s, xs)])) }])),
    otherRefusals: otherStatuses,
    disagreements,
  });
}

await main();
