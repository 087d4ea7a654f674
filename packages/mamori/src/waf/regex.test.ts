import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compilePattern, WafRegexError, type CompiledPattern, type StepBudget } from './regex.js';
import { crsDir, crsRxPatterns, type CrsPattern } from './crs-patterns.js';

describe('compilePattern: ModSecurity semantics on bytes', () => {
  const t = (p: string, s: string): boolean => compilePattern(p).test(s);
  it('reads PCRE inline flags, \\x{HH}, \\z and runs with DOTALL', () => {
    assert.equal(t('(?i)select', 'SeLeCt'), true);
    assert.equal(t('^(?i)up', 'UP'), true);
    assert.equal(t('^(?i:file|ftps?)x', 'FTPx'), true);
    assert.equal(t('a(?i:b)c', 'aBc'), true);
    assert.equal(t('a(?i:b)c', 'aBC'), false);
    assert.equal(t('\\x{3c}script', '<script'), true);
    assert.equal(t('a.b', 'a\nb'), true);
    assert.equal(t('(?-s)a.b', 'a\nb'), false);
    assert.equal(t('end\\z', 'the end'), true);
  });
  it('matches $ at the very end only (DOLLAR_ENDONLY), not before a final newline', () => {
    assert.equal(t('abc$', 'abc'), true);
    assert.equal(t('abc$', 'abc\n'), false);
    assert.equal(t('abc\\Z', 'abc\n'), true);
    assert.equal(t('(?m)abc$', 'abc\nx'), true);
  });
  it('uses PCRE classes: \\s has VT and not 0xA0, \\w and \\b and case folding are ASCII only', () => {
    assert.equal(t('a\\sb', 'a\xa0b'), false);
    assert.equal(t('a\\sb', 'a\x0bb'), true);
    assert.equal(t('a\\Sb', 'a\xa0b'), true);
    assert.equal(t('\\w', '\xe9'), false);
    assert.equal(t('\\bx', '\xe9x'), true);
    assert.equal(t('(?i)\\xe9', '\xc9'), false);
    assert.equal(t('(?i)[a-c]', 'B'), true);
    assert.equal(t('(?i)[^a-c]', 'B'), false);
  });
  it('gives PCRE\'s leftmost-first captures', () => {
    assert.deepEqual(compilePattern('(a|ab)(c|bcd)(d*)').exec('xabcd'), ['abcd', 'a', 'bcd', '']);
    assert.deepEqual(compilePattern('(\\d+)-(\\d+)').exec('bytes=10-20'), ['10-20', '10', '20']);
    assert.deepEqual(compilePattern('(a)|(b)').exec('b'), ['b', undefined, 'b']);
    assert.deepEqual(compilePattern('x*?').exec('xx'), ['']);
    assert.equal(compilePattern('abc').exec('ab'), null);
    // The match that ends first is not always the leftmost one.
    assert.deepEqual(compilePattern('xyz|y').exec('axyz'), ['xyz']);
    assert.deepEqual(compilePattern('b(c+)|a.*').exec('xabccc'), ['abccc', undefined]);
  });
  it('stops early on patterns anchored at the start, and still sees a match at the end', () => {
    assert.equal(t('^abc', 'xabc'), false);
    assert.equal(t('^abc', 'abcx'), true);
    assert.equal(t('^$', ''), true);
    assert.equal(t('^$', 'x'), false);
    assert.equal(t('^a|b$', 'xxb'), true);
    assert.equal(t('(?m)^b', 'a\nb'), true);
  });
  it('refuses what a linear-time matcher cannot run, naming it and where it is', () => {
    for (const [p, what] of [['a(?=b)', 'look-ahead'], ['(?<!a)b', 'look-behind'], ['(a)\\1', 'back-reference'], ['(?>a)', 'atomic'], ['a++', 'possessive'], ['\\p{L}', 'Unicode'], ['(a', 'unterminated group'], ['[a', 'unterminated character class'], ['a)', 'unbalanced'], ['*a', 'nothing to repeat'], ['a{2000}', 'repeat count'], ['\\x{100}', 'above 0xFF']] as const) {
      assert.throws(() => compilePattern(p), (e) => e instanceof WafRegexError && e.code === 'MAMORI_ERR_WAF_REGEX' && e.message.includes(what) && / at offset \d+ /.test(e.message), p);
    }
  });
  it('with backtracking allowed, runs look-around, back-references, atomic groups and possessive repeats as PCRE does', () => {
    const bt = (p: string, s: string): (string | undefined)[] | null => compilePattern(p, { backtracking: true }).exec(s);
    assert.deepEqual(bt('<\\?(?!xml)', '<?xml <?php'), ['<?']);
    assert.equal(bt('<\\?(?!xml)', '<?xml'), null);
    assert.deepEqual(bt('(?<!&amp|&apos);', '&amp;x;'), [';']);
    assert.equal(bt('(?<!&amp|&apos);', '&amp;&apos;'), null);
    assert.deepEqual(bt('(?<=\\d{3})x', '12x345x'), ['x']);
    assert.deepEqual(bt('(?i)\\b(\\w+)=\\1\\b', "x AbC=abc y"), ['AbC=abc', 'AbC']);
    assert.equal(bt('(\\w+)=\\1\\b', 'abc=abd'), null);
    assert.equal(bt('(?>a*)a', 'aaaa'), null);
    assert.equal(bt('a*+a', 'aaaa'), null);
    assert.deepEqual(bt('a*+b', 'aaab'), ['aaab']);
    assert.deepEqual(bt('(?=(\\d+))\\d', 'x123'), ['1', '123']);
    // Refused without the option, and a look-behind without a fixed length is refused with it.
    assert.throws(() => compilePattern('(?<!a+)b', { backtracking: true }), /fixed length/);
    assert.throws(() => compilePattern('(a)\\2', { backtracking: true }), /group 2, which does not exist/);
    assert.equal(compilePattern('abc', { backtracking: true }).needsBacktracking, undefined, 'a pattern without such constructs stays linear-time');
  });
  it('stops a backtracking pattern at its step budget: no match, as PCRE past its limit, and an overrun counted in the shared budget', () => {
    // Exponential in PCRE and here: (a|a)+ tries every split of the a's before the look-ahead fails.
    const re = compilePattern('(a|a)+(?=x)[xy]', { backtracking: true, steps: { base: 10_000, perChar: 10 } });
    assert.equal(re.test(`${'a'.repeat(40)}x`), true);
    const evil = `${'a'.repeat(40)}y`;
    const budget: StepBudget = { left: 1_000_000 };
    assert.equal(re.test(evil, budget), false, 'out of steps: no match');
    assert.equal(budget.overruns, 1);
    assert.equal(1_000_000 - budget.left, 10_000 + 10 * evil.length, "the call's whole allowance is charged to the shared budget");
    const empty: StepBudget = { left: 0 };
    assert.equal(re.test('aax', empty), false, 'no steps left: no match, and an overrun');
    assert.equal(empty.overruns, 1);
    // The DFA prefilter answers "no" without spending a step where the widened pattern cannot match.
    const quiet: StepBudget = { left: 5 };
    assert.equal(re.test('x'.repeat(10_000), quiet), false);
    assert.equal(quiet.left, 5);
    assert.equal(quiet.overruns, undefined);
    const forExec: StepBudget = { left: 100 };
    assert.equal(re.exec(evil, forExec), null);
    assert.equal(forExec.overruns, 1);
    assert.equal(re.test('aay'), false, 'within its steps, the exact answer');
  });
  it('runs a possessive repeat of one set in one step, and starts a match only where a leading S* run starts', () => {
    // 920600's \s*+ and 942130's leading [\s...]*? made benign input with long runs of spaces run out of steps.
    const possessive = compilePattern('^(?:\\s*+;\\s*+[a-z]+)*$', { backtracking: true });
    const spaces = `${' '.repeat(5000)};${' '.repeat(5000)}abc`;
    const b1: StepBudget = { left: 1_000_000 };
    assert.equal(possessive.test(spaces, b1), true);
    assert.ok(1_000_000 - b1.left < 2_000, `${1_000_000 - b1.left} steps for 10,000 spaces`);
    const lead = compilePattern('[\\s()]*?\\b(\\w+)\\b\\s*?=\\s*?\\1\\b', { backtracking: true });
    const text = `I would like to order${' '.repeat(3000)}tea leaves${' '.repeat(3000)}thanks`;
    const b2: StepBudget = { left: 10_000_000 };
    assert.equal(lead.test(text, b2), false);
    assert.equal(b2.overruns, undefined);
    assert.ok(10_000_000 - b2.left < 200_000, `${10_000_000 - b2.left} steps for ${text.length} characters`);
    assert.deepEqual(lead.exec(`x  abc = abc`), ['  abc = abc', 'abc']);
  });
  it('keeps its DFA cache within the budget and still answers when it is emptied on the way', () => {
    // (a|b)*a(a|b){8} needs 2^9 states for all its inputs; a budget of 64 cells forces many flushes.
    const small = compilePattern('a[ab]{8}$', { dfaCells: 64 });
    const big = compilePattern('a[ab]{8}$');
    let seed = 7;
    for (let k = 0; k < 200; k++) {
      let s = '';
      for (let j = 0; j < 40; j++) { seed = (seed * 1103515245 + 12345) >>> 0; s += seed & 0x10000 ? 'a' : 'b'; }
      const want = s.length >= 9 && s[s.length - 9] === 'a';
      assert.equal(small.test(s), want, s);
      assert.equal(big.test(s), want, s);
    }
  });
});

// ---------------------------------------------------------------------------
// Differential test against PCRE2 itself (pcre2test from Debian's pcre2-utils),
// with the options ModSecurity compiles with: DOTALL and DOLLAR_ENDONLY.

function pcre2testAvailable(): boolean {
  const r = spawnSync('pcre2test', ['-C'], { encoding: 'utf8' });
  return r.status === 0;
}

/** A subject line for pcre2test: letters and digits as they are, every other byte as \xhh. */
function subjectLine(s: string): string {
  let out = '    ';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += /[A-Za-z0-9]/.test(s[i]!) ? s[i] : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** How pcre2test prints matched text in 8-bit non-UTF mode. */
function printed(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c <= 0x7e ? s[i] : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function hex(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += `${s.charCodeAt(i).toString(16).padStart(2, '0')} `;
  return out.trim();
}

/** Bytes of a UTF-8 string as a latin1 string, as the WAF sees a request. */
function bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

function percentDecode(s: string): string {
  return s.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Inputs from the go-ftw tests of each rule id: the uri, the body, header values, each name=value's value, raw and percent-decoded. */
function regressionInputs(dir: string): Map<string, Set<string>> {
  const byRule = new Map<string, Set<string>>();
  const root = join(dir, 'tests', 'regression', 'tests');
  for (const folder of readdirSync(root)) {
    for (const file of readdirSync(join(root, folder)).filter((f) => f.endsWith('.yaml'))) {
      const doc = (parseYaml(readFileSync(join(root, folder, file), 'utf8')) ?? {}) as { rule_id?: number; tests?: Array<{ stages?: Array<{ input?: Record<string, unknown> }> }> };
      const id = String(doc.rule_id ?? file.replace('.yaml', ''));
      const set = byRule.get(id) ?? new Set<string>();
      byRule.set(id, set);
      for (const test of doc.tests ?? []) {
        for (const stage of test.stages ?? []) {
          const input = stage.input ?? {};
          const raw: string[] = [];
          for (const k of ['uri', 'data', 'encoded_request']) {
            const v = input[k];
            if (typeof v === 'string') raw.push(k === 'encoded_request' ? Buffer.from(v, 'base64').toString('latin1') : bytes(v));
          }
          const headers = input['headers'];
          if (headers && typeof headers === 'object') for (const v of Object.values(headers)) if (typeof v === 'string') raw.push(bytes(v));
          for (const r of raw) {
            if (r.length > 4096) continue;
            set.add(r);
            set.add(percentDecode(r));
            for (const part of r.split(/[&?;]/)) {
              const eq = part.indexOf('=');
              if (eq >= 0) { set.add(part.slice(eq + 1)); set.add(percentDecode(part.slice(eq + 1))); }
            }
          }
        }
      }
    }
  }
  return byRule;
}

/** What pcre2test said of one subject: its groups (null: unset; trailing unset ones are not printed), no match, a limit, or an error. */
type PcreAnswer = { groups: (string | null)[] } | 'no match' | 'limit' | 'pattern error' | { odd: string };

/**
 * Runs each pattern (dotall, dollar_endonly: ModSecurity's options) over its subjects in pcre2test,
 * in chunks of 40 patterns, and returns the answers in the same order.
 */
function pcre2Answers(plan: ReadonlyArray<{ source: string; subjects: readonly string[] }>): PcreAnswer[][] {
  const tmp = mkdtempSync(join(tmpdir(), 'mamori-pcre2-'));
  const answers: PcreAnswer[][] = [];
  try {
    const chunk = 40;
    for (let at = 0; at < plan.length; at += chunk) {
      const group = plan.slice(at, at + chunk);
      let text = '';
      // A blank line ends pcre2test's subjects: empty subjects are given as \=... never; callers leave them out.
      for (const p of group) text += `/${hex(p.source)}/hex,dotall,dollar_endonly\n${p.subjects.map(subjectLine).join('\n')}\n\n`;
      const file = join(tmp, 'in.txt');
      writeFileSync(file, text, 'latin1');
      const r = spawnSync('pcre2test', ['-q', file], { maxBuffer: 512 * 1024 * 1024 });
      const out = r.stdout.toString('latin1').split('\n');
      let line = 0;
      for (const p of group) {
        while (line < out.length && !out[line]!.startsWith('/')) line++;
        line++; // the pattern's echo
        const mine: PcreAnswer[] = [];
        answers.push(mine);
        if ((out[line] ?? '').startsWith('Failed: error')) {
          for (const _ of p.subjects) mine.push('pattern error');
          continue;
        }
        for (const _ of p.subjects) {
          line++; // the subject's echo
          const result = out[line++] ?? '';
          if (result === 'No match') { mine.push('no match'); continue; }
          if (result.startsWith('Failed: error -47') || result.startsWith('Failed: error -52')) { mine.push('limit'); continue; }
          if (!result.startsWith(' 0: ')) { mine.push({ odd: result }); continue; }
          const groups: (string | null)[] = [result.slice(4)];
          while (line < out.length && /^ *\d+: /.test(out[line]!)) {
            const g = /^ *(\d+): (.*)$/.exec(out[line++]!)!;
            while (groups.length < Number(g[1])) groups.push(null);
            groups.push(g[2] === '<unset>' ? null : g[2]!);
          }
          mine.push({ groups });
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return answers;
}

/** mamori's groups as pcre2test prints them: trailing unset groups dropped. */
function printedGroups(m: readonly (string | undefined)[]): (string | null)[] {
  const g = m.map((v) => (v === undefined ? null : printed(v)));
  while (g.length > 1 && g[g.length - 1] === null) g.pop();
  return g;
}

/**
 * mamori's answers against PCRE2's for each pattern's subjects: match or not, the match, and
 * (with `groups`) every group. Subjects of a pattern PCRE2 refused are not counted.
 */
function compareWithPcre(plan: ReadonlyArray<{ label: string; re: CompiledPattern; subjects: readonly string[] }>, answers: PcreAnswer[][], groups: boolean) {
  let cases = 0, matches = 0, limits = 0, refused = 0;
  const mismatches: string[] = [];
  plan.forEach(({ label, re, subjects }, k) => {
    subjects.forEach((s, j) => {
      const answer = answers[k]![j]!;
      const on = JSON.stringify(s.slice(0, 120));
      if (answer === 'pattern error') { if (j === 0) refused++; return; }
      cases++;
      if (answer === 'limit') { limits++; return; }
      const got = re.test(s);
      if (answer === 'no match') {
        if (got || re.exec(s) !== null) mismatches.push(`${label}: pcre no match, mamori matched ${on}`);
        return;
      }
      if (typeof answer !== 'object' || !('groups' in answer)) { mismatches.push(`${label}: pcre2test said ${JSON.stringify(answer)} for ${on}`); return; }
      matches++;
      const m = re.exec(s);
      const same = m !== null && (groups ? JSON.stringify(printedGroups(m)) === JSON.stringify(answer.groups) : printed(m[0]!) === answer.groups[0]);
      if (!got || !same) mismatches.push(`${label}: pcre ${JSON.stringify(groups ? answer.groups : answer.groups[0])} mamori ${got} ${JSON.stringify(groups ? m : m?.[0])} on ${on}`);
    });
  });
  return { cases, matches, limits, refused, mismatches };
}

/** Edge cases every pattern meets: 0xA0 and VT around words, newlines before $, bytes above 0x7F, case. */
const EDGE_CASES = [
  '', 'a', ' ', '\n', 'abc\n', '\x0b', '\xa0', '\x85', '\xff\xfe', 'SELECT\xa0*\xa0FROM\xa0users', 'select\x0b*\x0bfrom users', 'UNION\nSELECT 1,2',
  '<script>alert(1)</script>', '<SCRIPT\xa0SRC=x>', '<scr\xefpt>', '../../etc/passwd', '..\\..\\windows\\win.ini', ';cat /etc/passwd\n', '$(id)\n', '`id`',
  '${jndi:ldap://x/a}', '${JNDI:LDAP://x}', '<?php system($_GET[1]); ?>', 'php://filter/resource=x', 'O:8:"stdClass":0:{}', "' or 1=1--", "1' OR '1'='1\n",
  'http://169.254.169.254/latest/', 'file:///etc/passwd', 'java.lang.Runtime', 'eval(atob("YQ=="))', 'Mozilla/5.0 (X11; Linux x86_64)', 'bytes=0-1,5-10',
  // Long runs that make backtracking engines slow on some CRS patterns (920190's (\d+)-(\d+) on digits, and others).
  '1'.repeat(1000), ' '.repeat(1000), 'a'.repeat(1000), 'a '.repeat(500), '$'.repeat(1000), '\t'.repeat(1000), '{'.repeat(1000), `${'1'.repeat(1000)}-2`,
  'application/x-www-form-urlencoded; charset=utf-8', 'ÀÉÎÕÜ àéîõü', bytes('ünïcödé ⓢⓔⓛⓔⓒⓣ'), 'a\x00b', '%00', '\r\n\r\n', 'GET /index.html HTTP/1.1',
];

describe('compilePattern against PCRE2 on every CRS @rx pattern', () => {
  const dir = crsDir();
  const pcre = pcre2testAvailable();
  const skip = dir === null ? 'CRS not found (set MAMORI_CRS_DIR or put CRS at ../shared/data/crs)' : !pcre ? 'pcre2test not installed (apt-get install pcre2-utils)' : false;
  // In CI (.ci/run installs pcre2-utils and points at the shared data) a skip would hide a lost test.
  if (skip && process.env.MAMORI_REQUIRE_SERVICES === '1') throw new Error(`CI needs the PCRE2 differential test: ${skip}`);
  if (skip) console.log(`skipped: the PCRE2 differential test: ${skip}`);

  it('agrees on match and on capture 0 for regression payloads and edge cases', { skip }, () => {
    const patterns: CrsPattern[] = crsRxPatterns(dir!);
    const inputs = regressionInputs(dir!);
    // Every pattern also meets a sample of all payloads, so rules see each other's attacks.
    const all = [...new Set([...inputs.values()].flatMap((s) => [...s]))].sort();
    const common = all.filter((_, k) => k % 25 === 0).concat(EDGE_CASES);
    const plan = patterns.map((p) => ({ label: `${p.id} ${p.file}:${p.line}`, re: compilePattern(p.source), source: p.source, subjects: [...new Set([...(inputs.get(p.id) ?? []), ...common])].filter((s) => s.length > 0) }));
    const { cases, matches, limits, mismatches } = compareWithPcre(plan, pcre2Answers(plan), false);
    console.log(`PCRE2 differential: ${patterns.length} patterns, ${cases} cases, ${matches} matches, ${limits} stopped by PCRE's match limit, ${mismatches.length} mismatches`);
    assert.deepEqual(mismatches.slice(0, 20), []);
    assert.equal(patterns.length, 318, 'CRS v4.28.0 has 318 @rx patterns');
    assert.ok(cases > 50_000, `${cases} cases ran`);
    assert.ok(matches > 5_000, `${matches} matching cases`);
  });
});

// ---------------------------------------------------------------------------
// The backtracking constructs against PCRE2: random patterns over a small alphabet
// (so that look-arounds, back-references and atomic groups meet inputs that exercise
// them), and every @rx pattern of CRS 3 (Debian's modsecurity-crs), which uses them.

function pcreSkip(dir: string | null, what: string): string | false {
  const skip = dir === null ? `${what} not found` : !pcre2testAvailable() ? 'pcre2test not installed (apt-get install pcre2-utils)' : false;
  if (skip && process.env.MAMORI_REQUIRE_SERVICES === '1') throw new Error(`CI needs the PCRE2 differential test: ${skip}`);
  if (skip) console.log(`skipped: a PCRE2 differential test: ${skip}`);
  return skip;
}

/** A seeded random pattern using every construct the backtracking matcher adds. */
function randomPattern(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  let groups = 0;
  const lit = (): string => pick(['a', 'b', 'ab', 'ba', ';', 'x', '[ab]', '[^a]', '.', '\\w', '\\s', '\\d']);
  const fixed = (): string => pick(['a', 'ab', 'b;', '[ab]a', 'x', '\\d', 'a|bb', 'ab|b|;;']);
  const atom = (depth: number): string => {
    const r = next();
    if (depth > 2 || r < 0.35) return lit();
    if (r < 0.45) { groups++; return `(${alt(depth + 1)})`; }
    if (r < 0.52) return `(?:${alt(depth + 1)})`;
    if (r < 0.6) return `(?${pick(['=', '!'])}${alt(depth + 1)})`;
    if (r < 0.68) return `(?${pick(['<=', '<!'])}${fixed()})`;
    if (r < 0.75) return `(?>${alt(depth + 1)})`;
    if (r < 0.82 && groups > 0) return `\\${1 + Math.floor(next() * groups)}`;
    return pick(['\\b', '^', '$', '\\B']);
  };
  const quant = (a: string): string => {
    if (/^\\\d$/.test(a) || a.startsWith('(?=') || a.startsWith('(?!') || a.startsWith('(?<') || ['\\b', '^', '$', '\\B'].includes(a)) return a;
    const q = pick(['', '', '', '*', '+', '?', '{1,2}', '{2}']);
    if (q === '' || q === '{2}') return a + q;
    return a + q + pick(['', '', '?', '+']);
  };
  const seq = (depth: number): string => {
    let s = '';
    const n = 1 + Math.floor(next() * 3);
    for (let k = 0; k < n; k++) s += quant(atom(depth));
    return s;
  };
  const alt = (depth: number): string => (next() < 0.25 ? `${seq(depth)}|${seq(depth)}` : seq(depth));
  const body = alt(0);
  return (next() < 0.2 ? '(?i)' : '') + body;
}

describe('backtracking constructs against PCRE2', () => {
  const skip = pcreSkip('', 'pcre2test');
  it('agrees with PCRE2 on random patterns: match, the match and every group', { skip }, () => {
    let seed = 20261203;
    const next = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
    const inputs = ['a', 'ab', 'ba', 'aab', 'abab', 'ab;ab', 'a;b', 'x', 'AbAB', 'abba;', 'ba ab', ';;x', 'aaaa', 'ab ab;', 'xab1', 'b;ab12', 'abx;', 'a\nb'];
    const plan: Array<{ label: string; source: string; re: CompiledPattern; subjects: string[] }> = [];
    let refused = 0;
    while (plan.length < 1500) {
      const source = randomPattern(next);
      try {
        plan.push({ label: source, source, re: compilePattern(source, { backtracking: true }), subjects: inputs });
      } catch (e) {
        if (!(e instanceof WafRegexError)) throw e;
        refused++;
      }
    }
    const { cases, matches, refused: pcreRefused, mismatches } = compareWithPcre(plan, pcre2Answers(plan), true);
    console.log(`PCRE2 differential (backtracking constructs): ${plan.length} random patterns (${refused} refused by mamori, ${pcreRefused} by PCRE2), ${cases} cases, ${matches} matches, ${mismatches.length} mismatches`);
    assert.deepEqual(mismatches.slice(0, 15), []);
    assert.ok(pcreRefused < 50, `${pcreRefused} patterns PCRE2 refused that mamori accepted`);
    assert.ok(cases > 20_000 && matches > 5_000, `${cases} cases, ${matches} matches`);
  });
});

describe('CRS 3 (Debian modsecurity-crs) @rx patterns against PCRE2', () => {
  const dir = process.env.MAMORI_CRS3_DIR ?? '/usr/share/modsecurity-crs';
  const present = (() => { try { return readdirSync(join(dir, 'rules')).some((f) => f.endsWith('.conf')); } catch { return false; } })();
  const skip = pcreSkip(present ? dir : null, `CRS 3 at ${dir} (apt-get install modsecurity-crs, or set MAMORI_CRS3_DIR)`);
  const crs4 = crsDir();
  it('compiles every pattern with backtracking allowed and agrees with PCRE2 on payloads and edge cases', { skip }, () => {
    const patterns = crsRxPatterns(dir);
    const payloads = crs4 === null ? [] : [...new Set([...regressionInputs(crs4).values()].flatMap((s) => [...s]))].sort().filter((_, k) => k % 10 === 0);
    const subjects = [...new Set([...payloads, ...EDGE_CASES, '<?xml version="1.0"?>', '<?php echo 1; ?>', "1' or 'a'='a", 'x=1 and 2<>2', 'id=1 or 1=1', 'name=abc like abc', '&auml;&amp;x;', "file'name.txt", 'text/html;q=0.9, */*;q=0.8', 'application/json; charset=utf-8'])].filter((s) => s.length > 0);
    const plan = patterns.map((p) => ({ label: `${p.id} ${p.file}:${p.line}`, source: p.source, re: compilePattern(p.source, { backtracking: true }), subjects }));
    const { cases, matches, limits, mismatches } = compareWithPcre(plan, pcre2Answers(plan), false);
    const backtracking = plan.filter((p) => p.re.needsBacktracking).length;
    console.log(`PCRE2 differential (CRS 3 at ${dir}): ${patterns.length} patterns (${backtracking} with backtracking constructs), ${cases} cases, ${matches} matches, ${limits} stopped by PCRE's match limit, ${mismatches.length} mismatches`);
    assert.deepEqual(mismatches.slice(0, 15), []);
    assert.ok(patterns.length > 150, `${patterns.length} patterns`);
    assert.ok(backtracking >= 5, `${backtracking} patterns need backtracking`);
    assert.ok(matches > 500, `${matches} matching cases`);
  });
});
