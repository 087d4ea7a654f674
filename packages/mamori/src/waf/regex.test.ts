import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compilePattern, WafRegexError, type CompiledPattern } from './regex.js';
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
    const tmp = mkdtempSync(join(tmpdir(), 'mamori-pcre2-'));
    let cases = 0, matches = 0, limits = 0;
    const mismatches: string[] = [];
    try {
      // One pcre2test run per chunk of patterns keeps each input file moderate.
      const chunk = 40;
      for (let at = 0; at < patterns.length; at += chunk) {
        const group = patterns.slice(at, at + chunk);
        const plan: Array<{ p: CrsPattern; re: CompiledPattern; subjects: string[] }> = [];
        let text = '';
        for (const p of group) {
          const re = compilePattern(p.source);
          const subjects = [...new Set([...(inputs.get(p.id) ?? []), ...common])].filter((s) => s.length > 0); // a blank line ends pcre2test's subjects
          plan.push({ p, re, subjects });
          text += `/${hex(p.source)}/hex,dotall,dollar_endonly\n${subjects.map(subjectLine).join('\n')}\n\n`;
        }
        const file = join(tmp, 'in.txt');
        writeFileSync(file, text, 'latin1');
        const out = execFileSync('pcre2test', ['-q', file], { maxBuffer: 512 * 1024 * 1024 }).toString('latin1').split('\n');
        let line = 0;
        for (const { p, re, subjects } of plan) {
          while (line < out.length && !out[line]!.startsWith('/')) line++;
          line++; // the pattern's echo
          for (const s of subjects) {
            line++; // the subject's echo
            const result = out[line++] ?? '';
            while (line < out.length && /^ *\d+: /.test(out[line]!)) line++; // groups
            cases++;
            if (result.startsWith('Failed: error -47') || result.startsWith('Failed: error -52')) { limits++; continue; }
            const want = result.startsWith(' 0: ') ? result.slice(4) : result === 'No match' ? null : undefined;
            if (want === undefined) { mismatches.push(`${p.id} ${p.file}:${p.line}: pcre2test said ${JSON.stringify(result)} for ${JSON.stringify(s.slice(0, 80))}`); continue; }
            const got = re.test(s);
            const m = got ? re.exec(s) : null;
            if (want !== null) matches++;
            if (got !== (want !== null) || (m !== null && want !== null && printed(m[0]!) !== want) || (got && m === null)) {
              mismatches.push(`${p.id} ${p.file}:${p.line}: pcre ${JSON.stringify(want)} mamori ${got} ${JSON.stringify(m?.[0])} on ${JSON.stringify(s.slice(0, 120))}`);
            }
          }
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(`PCRE2 differential: ${patterns.length} patterns, ${cases} cases, ${matches} matches, ${limits} stopped by PCRE's match limit, ${mismatches.length} mismatches`);
    assert.deepEqual(mismatches.slice(0, 20), []);
    assert.equal(patterns.length, 318, 'CRS v4.28.0 has 318 @rx patterns');
    assert.ok(cases > 50_000, `${cases} cases ran`);
    assert.ok(matches > 5_000, `${matches} matching cases`);
  });
});
