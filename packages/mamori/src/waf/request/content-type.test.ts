import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charsetProblem, charsets, mediaType } from './content-type.js';

test('the media type as PHP cuts it: at ;, , or a space, lower-cased', () => {
  const cases: [string | undefined, string][] = [
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['Application/X-WWW-Form-Urlencoded; charset=UTF-8', 'application/x-www-form-urlencoded'],
    ['application/x-www-form-urlencoded, text/plain', 'application/x-www-form-urlencoded'],
    ['application/x-www-form-urlencoded x', 'application/x-www-form-urlencoded'],
    ['  multipart/form-data boundary=x', 'multipart/form-data'],
    ['', ''],
    [undefined, ''],
  ];
  for (const [ct, t] of cases) assert.equal(mediaType(ct), t, String(ct));
});

test('charsets: every charset parameter; more than one, or one the WAF does not read as the upstream may, is a problem', () => {
  assert.deepEqual(charsets('text/plain; charset="UTF-8"'), ['utf-8']);
  assert.deepEqual(charsets('a/b;charset=utf-8;charset = ibm037'), ['utf-8', 'ibm037']);
  assert.deepEqual(charsets('a/b; xcharset=utf-7'), []);
  for (const ok of ['application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded; charset=ISO-8859-1', 'text/plain; charset="us-ascii"']) assert.equal(charsetProblem(ok), undefined, ok);
  for (const bad of ['a/b; charset=ibm037', 'a/b; charset=utf-7', 'a/b; charset=utf-16le', 'a/b; charset=utf-32', 'a/b; charset=windows-1252', 'a/b; charset=utf-8; charset=utf-8']) assert.ok(charsetProblem(bad), bad);
});
