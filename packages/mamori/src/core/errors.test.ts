import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, MamoriError, isMamoriError } from './errors.js';

const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

it('docs/errors.md lists exactly the codes in the catalogue', () => {
  const documented = [...doc.matchAll(/^\| (MAMORI_ERR_[A-Z0-9_]+) \|/gm)].map((m) => m[1]);
  assert.ok(documented.length > 0, 'no codes found in docs/errors.md');
  assert.deepEqual([...documented].sort(), Object.keys(ERRORS).sort());
  assert.equal(new Set(documented).size, documented.length, 'a code is listed twice');
});

it('codes follow MAMORI_ERR_<AREA>_<REASON>', () => {
  for (const code of Object.keys(ERRORS)) assert.match(code, /^MAMORI_ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
});

it('MamoriError carries code, location and cause', () => {
  const cause = new Error('inner');
  const e = new MamoriError('MAMORI_ERR_CONFIG_INVALID', 'bad', { cause, location: 'a.yaml:3:5' });
  assert.equal(e.code, 'MAMORI_ERR_CONFIG_INVALID');
  assert.equal(e.message, 'a.yaml:3:5: bad');
  assert.equal(e.cause, cause);
  assert.ok(isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID'));
  assert.ok(!isMamoriError(e, 'MAMORI_ERR_CONFIG_READ'));
});
