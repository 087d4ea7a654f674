// Third pass, (b): legitimate requests refused because a backtracking pattern ran out of steps
// (out of steps counts as a match, docs/waf-regex.md). CRS 3.3.4 through `mamori up`.
//
// 942130 (PL2, SQL tautology) is `[\s'"`()]*?\b(\w+)\b[\s'"`()]*?(?:...|=[\s'"`()]*?\b\1\b|like...)`:
// its linear prefilter reads the back-reference as "any text", so any value holding a word, then
// `=` or `like`, then a word passes it (`x = 1`, "I would like to"), and the backtracker then tries
// the lazy `[\s'"`()]*?` from every position of a run of spaces, quotes or parens: about 2.9 r^2
// steps for a run of r, against an allowance of 100,000 + 100 per character. One run of ~215 spaces,
// or a few runs of ~100, and the value counts as a SQL tautology: PCRE2 says "no match" (at its
// default match limit, and ModSecurity 2's SecPcreMatchLimit 1000 stops it as "no match" too).
// Also: one transaction's 10,000,000 steps, spent by many values each within its own allowance,
// fail every later value that passes a prefilter. And at PL1, real Accept headers against 920600.
// node bench/redteam/waf-proxy3-fail-closed-fp.mjs
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CRS3, backtrackingPatterns, measure, pcre2, rng } from './waf-proxy3-lib.mjs';
import { startUpstream, startMamori, raw, rawReq, report, results, sleep } from './waf-proxy-lib.mjs';

const pats = backtrackingPatterns();
const p942130 = pats.find((p) => p.id === '942130');
const p920600 = pats.find((p) => p.id === '920600');

const pad = (s, w) => s + ' '.repeat(Math.max(0, w - s.length));
// A support ticket with lines copied from a Windows console (`set` output): each line padded to 120 columns.
const ENV_LINES = ['ALLUSERSPROFILE=C:\\ProgramData', 'COMPUTERNAME=DESKTOP-4F2K', 'JAVA_HOME=C:\\Program Files\\Java\\jdk-17', 'NUMBER_OF_PROCESSORS=8', 'OS=Windows_NT', 'PROCESSOR_ARCHITECTURE=AMD64', 'TEMP=C:\\Users\\anna\\AppData\\Local\\Temp', 'USERNAME=anna', 'windir=C:\\Windows'];
const consolePaste = (w) => `Hi, the installer fails. My environment:\r\n${ENV_LINES.map((l) => pad(l, w)).join('\r\n')}\r\nThanks, Anna`;
const letter = (spaces) => `Hello, I would like to order the blue one in size 40.${' '.repeat(spaces)}Kind regards, Anna`;

const form = (fields) => Object.entries(fields).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

const CASES = [
  // [label, field value, expect refusal by mamori?]
  ['contact form: "I would like to order ..." + 215 spaces', letter(215)],
  ['contact form: the same with 150 spaces (control)', letter(150)],
  ['support ticket: 9 lines of `set` output padded to 120 columns (Windows console copy)', consolePaste(120)],
  ['support ticket: the same lines unpadded (control)', consolePaste(0)],
  ['support ticket: padded to 80 columns', consolePaste(80)],
];

const up = await startUpstream();
const m = await startMamori(up.url, { waf: { crs: CRS3, paranoia: 2, block_sources: { after: 0 } } });
const audit = join(m.dataDir, 'waf-audit.jsonl');
const auditText = () => (existsSync(audit) ? readFileSync(audit, 'utf8') : '');
try {
  const post = (body, type = 'application/x-www-form-urlencoded', ip = '198.51.100.30') =>
    raw(m.port, rawReq({ method: 'POST', target: '/contact', headers: { 'Content-Type': type, 'X-Forwarded-For': ip }, body: Buffer.from(body, 'utf8') }), { timeoutMs: 15_000 }).then((r) => r.statuses[0]);

  const pcreOf = (values) => ({ def: pcre2(p942130.source, values), ms1000: pcre2(p942130.source, values, { matchLimit: 1000 }) });
  for (const [label, value] of CASES) {
    const before = auditText().length;
    const status = await post(form({ name: 'Anna', email: 'anna@example.com', message: value }));
    await sleep(1200);
    const lines = auditText().slice(before);
    const ids = [...new Set([...lines.matchAll(/"(?:id|ruleId)":"?(\d{6,})/g)].map((x) => x[1]))];
    const mine = measure(p942130.re, value);
    const pc = pcreOf([value]);
    const detail = `mamori ${status}${ids.length ? ` (rules ${ids.join(',')})` : ''}; 942130 alone: ${mine.steps} steps, ${mine.overrun ? 'OUT OF STEPS -> match' : mine.matched ? 'match' : 'no match'}; PCRE2: ${pc.def[0]}, with ModSecurity's match limit 1000: ${pc.ms1000[0]}`;
    const fp = status === 403 && pc.def[0] === 'no match';
    report(!fp, `${label} is let through as PCRE2 would`, detail);
  }

  // The transaction's budget: many values, each within its own allowance, then one more.
  for (const [n, spaces] of [[400, 100], [120, 100]]) {
    const items = Array.from({ length: n }, (_, i) => ({ sku: `A-${i}`, condition: `works like new${' '.repeat(spaces)}` }));
    const body = JSON.stringify({ items });
    const status = await post(body, 'application/json', '198.51.100.31');
    const one = measure(p942130.re, items[0].condition);
    const pc = pcre2(p942130.source, [items[0].condition]);
    const fp = status === 403 && pc[0] === 'no match';
    report(!fp, `JSON import of ${n} items whose condition is "works like new" + ${spaces} spaces is let through`, `mamori ${status}; each value ${one.steps} steps (${one.overrun ? 'out of steps' : 'within its allowance'}), ${n} values ~${((one.steps * n) / 1e6).toFixed(1)}M steps against the transaction's 10M; PCRE2 on each: ${pc[0]}`);
  }
} finally {
  await m.stop();
}

// PL1: real Accept headers (920600 is negated: out of steps refuses the request).
{
  const accepts = [
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
    'application/vnd.github+json', 'application/json, text/plain, */*', '*/*', 'image/avif,image/webp,*/*',
    'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2',
    'application/json;charset=utf-8', 'text/html; charset="utf-8"', 'application/xml; charset=windows-1252',
    'application/vnd.api+json; profile="https://example.com/a https://example.com/b"',
    Array.from({ length: 40 }, (_, i) => `application/x-type-${i};q=0.${i % 10}`).join(', '),
    Array.from({ length: 20 }, (_, i) => `text/x-${i}; level=${i}; q=0.5`).join(' , '),
    'text/html ;q=0.9 ; level=1 ; foo="a b" , text/plain',
    Array.from({ length: 10 }, () => 'text/html;;q=0.9').join(','),
    'text/html; q=0.9;', 'text/html;', 'application/json;;', 'text/html;;;;',
  ];
  const lower = accepts.map((a) => a.toLowerCase());
  const pc = pcre2(p920600.source, lower);
  const up2 = await startUpstream();
  const m2 = await startMamori(up2.url, { waf: { crs: CRS3, paranoia: 1, block_sources: { after: 0 } } });
  let differ = 0, overruns = 0;
  try {
    for (let i = 0; i < accepts.length; i++) {
      const st = (await raw(m2.port, rawReq({ headers: { Accept: accepts[i] } }))).statuses[0];
      const mine = measure(p920600.re, lower[i]);
      if (mine.overrun) overruns++;
      const crsRefuses = pc[i] !== 'match';
      if ((st === 403) !== crsRefuses) {
        differ++;
        console.log(`        differs: ${JSON.stringify(accepts[i].slice(0, 80))}: mamori ${st}, PCRE2 ${pc[i]}, ${mine.steps} steps${mine.overrun ? ' (out of steps)' : ''}`);
      }
    }
  } finally {
    await m2.stop();
    await up2.close();
  }
  report(differ === 0, `${accepts.length} real and odd Accept headers answered as CRS 3 with PCRE2 would (920600, PL1)`, `${differ} differ, ${overruns} ran out of steps`);
}

// 5,000 generated Accept headers of real media types, parameters and separators (in process).
{
  const r = rng(7);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const types = ['text/html', 'application/xhtml+xml', 'application/xml', 'image/avif', 'image/webp', 'image/apng', '*/*', 'text/*', 'application/json', 'application/vnd.api+json', 'application/signed-exchange', 'text/plain', 'application/ld+json', 'application/x-ndjson', 'text/event-stream', 'application/octet-stream', 'image/*', 'video/mp4', 'audio/*'];
  const params = ['q=0.9', 'q=0.8', 'q=1', 'q=0', 'q=.5', 'v=b3', 'level=1', 'charset=utf-8', 'charset="utf-8"', 'charset=iso-8859-1', 'version=2', 'profile="https://example.com/p"', 'ext="a b"', 'format=flowed'];
  const set = new Set();
  while (set.size < 5000) {
    let s = '';
    const n = 1 + Math.floor(r() * 25);
    for (let i = 0; i < n; i++) {
      if (i) s += pick([',', ', ', ' ,', ' , ', ',\t']);
      s += pick(types);
      for (let j = Math.floor(r() * 4); j > 0; j--) s += pick([';', '; ', ' ;', ' ; ']) + pick(params);
    }
    set.add(s.toLowerCase());
  }
  const list = [...set];
  const pc = pcre2(p920600.source, list);
  let overruns = 0, differ = 0, most = 0;
  list.forEach((s, i) => {
    const x = measure(p920600.re, s);
    most = Math.max(most, x.steps);
    if (x.overrun) overruns++;
    if (x.matched !== (pc[i] === 'match')) differ++;
  });
  report(overruns === 0 && differ === 0, '5,000 generated Accept headers (1 to 25 media types with parameters) never run 920600 out of steps', `${overruns} out of steps, ${differ} differ from PCRE2, most steps ${most}`);
}

await up.close();
console.log(`\n${results.findings} finding(s)`);
