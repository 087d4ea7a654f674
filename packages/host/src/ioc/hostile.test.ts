import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from 'mamori';
import { parseIndicators, readIndicatorFile } from './read.js';
import { parseStixPattern } from './stix.js';
import type { IocFormat } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-ioc-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A seeded generator, so a failure can be replayed.
let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const PIECES = ['{', '}', '[', ']', '"', ':', ',', '\\', '\n', '#', "'", '(', ')', '=', ' AND ', ' OR ', 'type', '"bundle"', '"indicator"', '"pattern"', '"Event"', '"Attribute"', '"objects"', 'ipv4-addr:value', '1.2.3.4', 'value', 'x'.repeat(70), 'ü', '\u0000', 'null', '1e999', '-0', 'true'];
const garbage = () => {
  let s = '';
  const n = 1 + Math.floor(rand() * 60);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
};

describe('hostile indicator input', () => {
  it('refuses a file over the size limit before reading it, and what is not a file', () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, '1.2.3.4\n'.repeat(100));
    assert.throws(() => readIndicatorFile(big, 100), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_IOC_PARSE' && /800 bytes, more than the 100 allowed/.test(e.message));
    assert.throws(() => readIndicatorFile(dir), /not a regular file/);
  });
  it('2,000 random inputs in each format: a result or a MamoriError naming the input, never another throw', () => {
    let results = 0;
    let errors = 0;
    for (const format of ['stix', 'misp', 'csv', 'auto'] as IocFormat[]) {
      for (let i = 0; i < 2000; i++) {
        const text = garbage();
        try {
          const r = parseIndicators(text, `fuzz-${i}`, format);
          assert.ok(Array.isArray(r.indicators));
          results++;
        } catch (err) {
          assert.ok(isMamoriError(err), `${format} ${JSON.stringify(text)}: ${(err as Error).stack}`);
          assert.match((err as Error).message, new RegExp(`^fuzz-${i}`));
          errors++;
        }
      }
    }
    assert.equal(results + errors, 8000);
    assert.ok(results > 0 && errors > 0, `${results} results, ${errors} errors: both kinds of input were made`);
  });
  it('random STIX patterns: terms or a reason, never a throw', () => {
    for (let i = 0; i < 3000; i++) {
      const p = `[${garbage()}]${rand() < 0.3 ? ` OR [${garbage()}]` : ''}`;
      const r = parseStixPattern(p);
      assert.ok('terms' in r || typeof r.skip === 'string', p);
    }
  });
  it('JSON valid but of the wrong shape in every place', () => {
    for (const doc of [
      { type: 'bundle', objects: 'x' },
      { type: 'bundle', objects: [null, 1, 'x', [], { type: 'indicator' }, { type: 'indicator', pattern: 5 }, { type: 'indicator', pattern: "[ipv4-addr:value = '1.2.3.4']", valid_from: { a: 1 } }] },
      { Event: { Attribute: 'x', Object: 5 } },
      { Event: { Attribute: [null, { type: 5 }, { type: 'ip-dst', value: 5, to_ids: true }, { type: 'ip-dst|port', value: '1.2.3.4', to_ids: true }] } },
      { response: [null, { Event: null }] },
    ]) {
      try {
        parseIndicators(JSON.stringify(doc), 'shape.json');
      } catch (err) {
        assert.ok(isMamoriError(err), (err as Error).stack);
      }
    }
    const r = parseIndicators(JSON.stringify({ type: 'bundle', objects: [{ type: 'indicator', pattern: "[ipv4-addr:value = '1.2.3.4']", valid_from: { a: 1 } }] }), 'x.json');
    assert.deepEqual(r.indicators.map((i) => i.value), ['1.2.3.4']);
    assert.equal(r.indicators[0]!.firstSeen, undefined);
  });
});
