import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DATA_DIR_ENV } from '../sqli/sqli.js';
import { normalise, readVectors } from '../sqli/vectors.js';
import { H5Start, detectXss, html5Tokens, isXssFrom } from './xss.js';
import { SeededRandom } from '../../core/random.js';
import { sharedData } from '../../testing/shared-data.js';

// Skipped with the reason printed when the vectors are missing; in CI (MAMORI_REQUIRE_SERVICES=1) that fails instead.
const shared = sharedData('libinjection', DATA_DIR_ENV);
const dir = shared.dir;
const skip = shared.missing ?? false;

describe('waf/xss: libinjection html5 tokenizer vectors', () => {
  it('passes every html5 vector', { skip }, (t) => {
    const vectors = readVectors(dir).filter((v) => v.kind === 'html5');
    const failures: string[] = [];
    for (const v of vectors) {
      const got = normalise(html5Tokens(v.input, H5Start.Data).join('\n'));
      if (got !== v.expected) failures.push(`${v.file} (${v.name}): input ${JSON.stringify(v.input)}\n  expected ${JSON.stringify(v.expected)}\n  got      ${JSON.stringify(got)}`);
    }
    const passed = vectors.length - failures.length;
    t.diagnostic(`html5: ${passed} of ${vectors.length} passed`);
    console.log(`# waf/xss vectors html5: ${passed} of ${vectors.length} passed`);
    assert.ok(vectors.length >= 63, `only ${vectors.length} html5 vectors read`);
    assert.deepEqual(failures, []);
  });
});

describe('waf/xss: detection (needs no data)', () => {
  it('finds script in page text and in each attribute-value context', () => {
    for (const attack of [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '"><svg onload=alert(1)>',
      "'><iframe src=//evil.example>",
      ' onmouseover=alert(1) x=',
      "' onfocus='alert(1)' autofocus='",
      '" onclick="alert(1)',
      '` onload=`alert(1)',
      '<a href="javascript:alert(1)">x</a>',
      '<a href="jav&#x09;ascript:alert(1)">x</a>',
      '<a href=" &#106;&#97;&#118;&#97;script:alert(1)">x</a>',
      '<a href="java&#10;script:alert(1)">x</a>',
      '<form action="data:text/html;base64,PHNjcmlwdD4=">',
      'x" style="x:expression(alert(1))',
      '<!DOCTYPE html>',
      '<!--[if gte IE 4]><script>alert(1)</script><![endif]-->',
      '<?import namespace="t" implementation="#default#time2">',
      '<OBJECT data=x>',
      '<s\0cript>alert(1)</script>',
      '<svg><animate attributeName=href values=javascript:alert(1) /></svg>',
      '<math><x xlink:href="javascript:alert(1)">',
      '<% foo><x foo="%><script>',
    ]) {
      assert.ok(detectXss(attack), `missed ${JSON.stringify(attack)}`);
    }
  });

  it('passes ordinary values', () => {
    for (const benign of [
      'hello world',
      "O'Reilly",
      'a < b and c > d',
      '1 < 2',
      'alice@example.com',
      '{"name":"Alice","note":"see <b>"}',
      '<b>bold</b> and <i>italic</i>',
      '<p class="intro">Hi</p>',
      '<a href="https://example.com/page">link</a>',
      'https://example.com/?q=javascript',
      'price: 5 > 3 && 2 < 4',
      '</script>',
    ]) {
      assert.equal(detectXss(benign), false, `false positive on ${JSON.stringify(benign)}`);
    }
  });

  it('finds nothing in text with neither < nor = in any reading (the shortcut detectXss takes)', () => {
    const rnd = new SeededRandom(9);
    const alphabet = '>/!?%-[]\'"` \t\n\0&#;xXaAsSoOnNhrefstyl:CDATA\xa0\xff';
    for (let i = 0; i < 5000; i++) {
      const b = rnd.bytes(41);
      let s = 'on';
      for (let j = 1; j <= 1 + ((b[0] as number) % 40); j++) s += alphabet[(b[j] as number) % alphabet.length];
      for (const start of [H5Start.Data, H5Start.ValueNoQuote, H5Start.ValueSingleQuote, H5Start.ValueDoubleQuote, H5Start.ValueBackQuote]) {
        assert.equal(isXssFrom(s, start), false, JSON.stringify(s));
      }
    }
  });

  it('answers for any input and never throws', () => {
    const rnd = new SeededRandom(7);
    const alphabet = '<>/!?%-[]=\'"` \t\n\0&#;xXaAsSoOnN:CDATA\xa0\xff';
    for (let i = 0; i < 3000; i++) {
      const b = rnd.bytes(81);
      const len = 1 + ((b[0] as number) % 80);
      let s = '';
      for (let j = 1; j <= len; j++) s += alphabet[(b[j] as number) % alphabet.length];
      assert.equal(typeof detectXss(s), 'boolean');
    }
    for (const unit of ['<', '<!--', '<![CDATA[', '<%', '<a ', 'x=', '"', "'", '`', '-', ']', '<a href=&#', '\0', '\u0100']) {
      assert.equal(typeof detectXss(unit.repeat(Math.ceil(200_000 / unit.length))), 'boolean');
    }
    assert.equal(detectXss(''), false);
  });
});
