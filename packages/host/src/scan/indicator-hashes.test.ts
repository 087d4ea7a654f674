import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createScanner, type FileIndicatorSource } from './scanner.js';
import { IocMatcherBuilder } from '../ioc/matcher.js';

// A file's SHA-1 and MD5 are computed for the indicators only when some indicator is one (holdsHash).
describe('scan: the hashes a file is matched by', () => {
  const body = Buffer.from('<?php echo "hello";');
  const md5 = createHash('md5').update(body).digest('hex');
  const sha1 = createHash('sha1').update(body).digest('hex');
  const asked = (holdsHash?: FileIndicatorSource['holdsHash']) => {
    const seen: { sha1?: string; md5?: string }[] = [];
    const indicators: FileIndicatorSource = { matchFile: (f) => (seen.push({ sha1: f.sha1, md5: f.md5 }), []), ...(holdsHash ? { holdsHash } : {}) };
    createScanner({ indicators }).scanBuffer(body, '/www/a.php');
    return seen[0];
  };
  it('a source that does not say gets both', () => assert.deepEqual(asked(), { sha1, md5 }));
  it('a source holding MD5 indicators only gets the MD5', () => assert.deepEqual(asked((k) => k === 'md5'), { sha1: undefined, md5 }));
  it('a source holding none gets neither', () => assert.deepEqual(asked(() => false), { sha1: undefined, md5: undefined }));
  it('an IoC store\'s matcher says which it holds, and an MD5 indicator still makes the file malicious', () => {
    const b = new IocMatcherBuilder();
    b.add('md5', md5, 'test-feed');
    const m = b.build();
    assert.equal(m.holdsHash('md5'), true);
    assert.equal(m.holdsHash('sha1'), false);
    const r = createScanner({ indicators: m }).scanBuffer(body, '/www/a.php');
    assert.equal(r.verdict, 'malicious');
    assert.ok(r.findings.some((f) => f.technique === 'indicator'));
  });
});
