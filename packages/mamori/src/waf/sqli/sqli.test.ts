import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DATA_DIR_ENV, FLAG_QUOTE_NONE, FLAG_SQL_ANSI, SqliDataError, detectSqli, fingerprint,
  foldTokens, loadSqliData, tokenize, type SqliData,
} from './sqli.js';
import { normalise, readVectors } from './vectors.js';
import { SeededRandom } from '../../core/random.js';
import { sharedData } from '../../testing/shared-data.js';

// Skipped with the reason printed when the data is missing; in CI (MAMORI_REQUIRE_SERVICES=1) that fails instead.
const shared = sharedData('libinjection', DATA_DIR_ENV);
const dir = shared.dir;
const skip = shared.missing ?? false;
const data: SqliData | undefined = skip ? undefined : loadSqliData(dir);

/** Vectors we do not pass, each with its reason. The runner fails on any other failure, and on a listed one that passes. */
const overrides: Record<string, string> = JSON.parse(
  readFileSync(new URL('../../../src/waf/sqli/vector-overrides.json', import.meta.url), 'utf8'),
) as Record<string, string>;

const ANSI = FLAG_QUOTE_NONE | FLAG_SQL_ANSI;
const KINDS = ['tokens', 'folding', 'sqli'] as const;

function run(kind: string, input: string, d: SqliData): string {
  if (kind === 'tokens') return tokenize(input, ANSI, d).map(String).join('\n');
  if (kind === 'folding') return foldTokens(input, ANSI, d).map(String).join('\n');
  const r = detectSqli(input, d);
  return r.sqli ? r.fingerprint : '';
}

describe('waf/sqli: libinjection test vectors', () => {
  it('passes every tokens, folding and sqli vector (or lists it with a reason)', { skip }, (t) => {
    const d = data as SqliData;
    const vectors = readVectors(dir).filter((v) => (KINDS as readonly string[]).includes(v.kind));
    const failures: string[] = [];
    const stale: string[] = [];
    for (const kind of KINDS) {
      const mine = vectors.filter((v) => v.kind === kind);
      let passed = 0;
      for (const v of mine) {
        const got = normalise(run(kind, v.input, d));
        const ok = got === v.expected;
        if (ok) passed++;
        if (ok && overrides[v.file]) stale.push(v.file);
        if (!ok && !overrides[v.file]) failures.push(`${v.file} (${v.name}): input ${JSON.stringify(v.input)}\n  expected ${JSON.stringify(v.expected)}\n  got      ${JSON.stringify(got)}`);
      }
      t.diagnostic(`${kind}: ${passed} of ${mine.length} passed`);
      console.log(`# waf/sqli vectors ${kind}: ${passed} of ${mine.length} passed`);
      assert.ok(mine.length > 0, `no ${kind} vectors found in ${dir}/tests`);
    }
    // The data directory holds 249 + 118 + 50 of these; fewer means the vectors were not all read.
    assert.ok(vectors.length >= 417, `only ${vectors.length} sqli-kind vectors read`);
    assert.deepEqual(failures, [], `failures not in vector-overrides.json:\n${failures.join('\n')}`);
    assert.deepEqual(stale, [], 'listed in vector-overrides.json but now passing: remove them');
  });
});

describe('waf/sqli: detection', () => {
  it('finds the common attack shapes', { skip }, () => {
    const d = data as SqliData;
    for (const attack of [
      "1' OR '1'='1",
      "admin'--",
      "' OR 1=1--",
      '1 UNION SELECT username, password FROM users',
      "1' UNION ALL SELECT NULL,NULL,NULL--",
      "1; DROP TABLE users--",
      "' AND SLEEP(5)--",
      '1) OR (1=1',
      "1' AND extractvalue(1,concat(0x7e,version()))--",
      '-1 OR 2+2=4',
      "' OR 'a'='a",
      '1/*!50000UNION*/SELECT 1',
    ]) {
      const r = detectSqli(attack, d);
      assert.ok(r.sqli, `missed ${attack} (fingerprint ${r.fingerprint})`);
    }
  });

  it('passes ordinary values', { skip }, () => {
    const d = data as SqliData;
    for (const benign of [
      "O'Reilly",
      'hello world',
      'alice@example.com',
      'The quick brown fox jumps over the lazy dog.',
      '{"name":"Alice","age":30,"tags":["a","b"]}',
      '2026-12-03T04:30:00Z',
      'https://example.com/path?x=1&y=2',
      '+81 3-1234-5678',
      'It\'s a "quoted" word',
      'select a plan that suits you',
      '1 union',
      'foo--',
      '1# blah blah',
    ]) {
      const r = detectSqli(benign, d);
      assert.equal(r.sqli, false, `false positive on ${benign} (fingerprint ${r.fingerprint})`);
    }
  });

  it('answers for any input and never throws: random bytes, and long runs of the scanners\' special characters', { skip }, () => {
    const d = data as SqliData;
    const rnd = new SeededRandom(11);
    const alphabet = "'\"`\\/*-#$@!<=>|&:;,.()[]{}0123456789eExXbBqQnNuU_ aAsS\n\t\xa0\xff\0";
    for (let i = 0; i < 3000; i++) {
      const b = rnd.bytes(81);
      const len = 1 + ((b[0] as number) % 80);
      let s = '';
      for (let j = 1; j <= len; j++) s += alphabet[(b[j] as number) % alphabet.length];
      const r = detectSqli(s, d);
      assert.equal(typeof r.sqli, 'boolean');
      assert.ok(r.fingerprint.length <= 5);
    }
    // Runs that make a scanner look for a closing delimiter that never comes.
    for (const unit of ["'", '"', '`', '/*', '\\', '$a$', "q'(", '[', '1+', '--x\n', '#', '@@', '0x', 'x\'', "e'", '(', ')', ', -1', 'N\'', 'U&\'', '\0', '\u0100', '\ud800']) {
      const s = unit.repeat(Math.ceil(200_000 / unit.length));
      const r = detectSqli(s, d);
      assert.equal(typeof r.sqli, 'boolean');
      assert.ok(Array.isArray(tokenize(s.slice(0, 5000), ANSI, d)));
    }
    assert.equal(detectSqli('', d).sqli, false);
  });

  it('keeps at most 31 characters of a token and five tokens of a fingerprint', { skip }, () => {
    const d = data as SqliData;
    const long = 'a'.repeat(100);
    assert.equal(tokenize(`SELECT ${long}`, ANSI, d)[1]?.val.length, 31);
    assert.ok(fingerprint('1 UNION SELECT 1,2,3,4,5 FROM t WHERE a=1 AND b=2', ANSI, d).length <= 5);
  });
});

describe('waf/sqli: data', () => {
  it('says where it looked, and which variable to set, when the data directory is missing', () => {
    assert.throws(
      () => loadSqliData('/nonexistent/libinjection'),
      (err: unknown) =>
        err instanceof SqliDataError &&
        err.code === 'MAMORI_ERR_WAF_DATA' &&
        err.message.includes('/nonexistent/libinjection') &&
        err.message.includes(DATA_DIR_ENV),
    );
  });
});
