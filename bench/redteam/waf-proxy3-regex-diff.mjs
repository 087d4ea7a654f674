// Third pass, (c): mamori's answer against PCRE2's on the five CRS 3.3.4 patterns that need
// backtracking (920120, 920600, 942130, 942260, 953120), on random inputs built from each pattern's
// own vocabulary (tokens the pattern tests for, plus the bytes where engines usually differ: VT, 0x85,
// 0xA0, bytes above 0x7F, CR/LF before the end). mamori runs with a budget large enough never to
// stop (1e9 steps), so every disagreement is a semantic one. Prints a FINDING per disagreement kind,
// with the first inputs. node bench/redteam/waf-proxy3-regex-diff.mjs [cases-per-pattern] [seed]
import { backtrackingPatterns, pcre2, rng } from './waf-proxy3-lib.mjs';
import { report, results } from './waf-proxy-lib.mjs';

const N = Number(process.argv[2] ?? 6000);
const rand = rng(Number(process.argv[3] ?? 20261203));
const pick = (a) => a[Math.floor(rand() * a.length)];

const ODD = ['\x0b', '\x0c', '\x85', '\xa0', '\xe9', '\xc9', '\xff', '\r', '\n', '\t', '\x00', '_'];
const VOCAB = {
  942130: ['1', '2', 'a', 'A', 'x', 'X', 'ab', 'AB', 'id', 'ID', '_a', 'a_', '\xe9', 'or', 'like', 'LIKE', 'rlike', 'regexp', 'not', 'is', 'sounds', 'Sounds', '=', '<', '>', '<=', '>=', '<>', '!=', '^', '<=>', ' ', '  ', "'", '"', '`', '(', ')', '\t', '\n', ...ODD],
  942260: ['"', "'", '`', ' ', '\t', 'and', 'or', 'xor', 'xxor', 'nand', 'not', 'between', '||', '&&', 'div', 'having', 'like', 'union', 'select', 'distinct', 'all', 'from', 'find_in_set', '(', '[', ']', '@', '!', '%', '=', '1', 'a', 'b', ',', '.', ';', '?', '*', '-', '#', '$', '+', ...ODD],
  920600: ['text', 'html', '/', '*', ',', ';', 'q=0.9', 'q', '=', 'charset', 'chars', 'chars\x0b', 'ch', 'c', 'utf-8', 'iso-8859-1', 'iso-8859-15', 'windows-1252', '"', ' ', '\t', 'a', 'x', '(', ')', '!', '{', '}', '\\', ']', '[', '<', '?', ':', 'e', 't', ...ODD],
  920120: ['&', ';', 'auml', 'Auml', 'amp', 'apos', 'Ccedil', 'ccedil', 'aacute', 'Egrave', 'ntilde', 'ocirc', 'yuml', 'a', 'b', '.txt', "'", '"', '=', ' ', 'x', '&amp', '&auml', '&apos', ...ODD],
  953120: ['<?', '<', '?', 'xml', 'XML', 'x', 'xm', 'php', '=', ' ', '\n', 'a', '<?x', ...ODD],
};
// 920600 runs after t:lowercase; the others on raw (already URL-decoded) values.
const lower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function gen(vocab, maxTokens) {
  let s = '';
  const n = 1 + Math.floor(rand() * maxTokens);
  for (let k = 0; k < n; k++) s += pick(vocab);
  return s;
}

const pats = backtrackingPatterns();
console.log(`patterns that need backtracking: ${pats.map((p) => p.id).join(', ')}; ${N} inputs each`);
let total = 0;
for (const p of pats) {
  const vocab = VOCAB[p.id];
  if (!vocab) continue;
  const subjects = new Set();
  // Valid-looking Accept headers first for 920600 (the negated rule must let them through).
  if (p.id === '920600') for (const a of ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/json; charset=utf-8', 'text/html; charset="utf-8"', '*/*']) subjects.add(a);
  while (subjects.size < N) {
    let s = gen(vocab, 14);
    if (p.id === '920600') s = lower(`${pick(['text/html', '*/*', 'a/b', 'text/*'])}${s}`);
    subjects.add(s);
  }
  const list = [...subjects];
  const answers = pcre2(p.source, list);
  const kinds = new Map();
  let agree = 0, limits = 0, matched = 0;
  list.forEach((s, k) => {
    total++;
    const a = answers[k];
    if (a === 'limit') { limits++; return; }
    const got = p.big.test(s);
    const pcreMatched = a === 'match';
    if (pcreMatched) matched++;
    if (a.startsWith('odd')) { console.log('INFO   ', p.id, 'pcre2test:', a, JSON.stringify(s)); return; }
    if (got === pcreMatched) { agree++; return; }
    // For a negated rule (920600), "mamori matched, PCRE did not" means mamori lets through what CRS refuses.
    const misses = p.negated ? got && !pcreMatched : !got && pcreMatched;
    const kind = misses ? 'mamori misses (CRS would fire, mamori does not)' : 'mamori fires where CRS would not';
    if (!kinds.has(kind)) kinds.set(kind, []);
    kinds.get(kind).push(s);
  });
  for (const [kind, ss] of kinds) report(false, `${p.id}: ${kind}`, `${ss.length} of ${list.length}, e.g. ${ss.slice(0, 4).map((s) => JSON.stringify(s)).join(' ')}`);
  report(kinds.size === 0, `${p.id}: mamori agrees with PCRE2`, `${agree} agree (PCRE2 matched ${matched}), ${limits} hit PCRE2's match limit, ${list.length - agree - limits} differ`);
}
console.log(`\n${total} inputs, ${results.findings} finding(s)`);
