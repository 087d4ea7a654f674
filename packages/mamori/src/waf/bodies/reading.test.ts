import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WafRequest } from '../request/request.js';
import { impliedProcessor, readingProblem } from './reading.js';

const req = (headers: [string, string][], uri = '/'): WafRequest => ({ method: 'POST', uri, protocol: 'HTTP/1.1', headers, body: undefined, remoteAddr: '127.0.0.1', remotePort: 1, serverAddr: '127.0.0.1', serverPort: 80 });
const FORM: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded'];

test('a body no type claims is read as JSON or XML when it is one', () => {
  assert.equal(impliedProcessor('{"a":1}'), 'JSON');
  assert.equal(impliedProcessor(' \r\n[1,2]'), 'JSON');
  assert.equal(impliedProcessor('\xef\xbb\xbf{"a":1}'), 'JSON');
  assert.equal(impliedProcessor('<?xml version="1.0"?><a/>'), 'XML');
  assert.equal(impliedProcessor('<a b="1">x</a>'), 'XML');
  for (const other of ['a=1&b=2', '{not json', 'hello', '<', '1 < 2']) assert.equal(impliedProcessor(other), undefined, other);
  // A type that names JSON or XML and got no processor is the setup's choice.
  assert.equal(impliedProcessor('{"a":1}', 'text/plain'), 'JSON');
  assert.equal(impliedProcessor('<a/>', 'text/xml'), undefined);
  assert.equal(impliedProcessor('{"a":1}', 'application/vnd.api+json'), undefined);
  assert.equal(impliedProcessor('{"a":1}', 'application/x-json'), 'JSON');
});

test('what the upstream may read otherwise is a reading problem, with its reason', () => {
  const cases: [WafRequest, Parameters<typeof readingProblem>[1], string, RegExp][] = [
    [req([FORM, ['Content-Type', 'application/json']]), 'URLENCODED', 'a=1', /2 Content-Type headers/],
    [req([FORM, ['Content-Encoding', 'gzip']]), 'URLENCODED', 'x', /Content-Encoding "gzip"/],
    [req([['Content-Type', 'application/x-www-form-urlencoded; charset=ibm037']]), 'URLENCODED', 'x', /charset "ibm037"/],
    [req([['Content-Type', 'application/json; charset=utf-8; charset=utf-7']]), 'JSON', '{}', /2 charsets/],
    [req([FORM]), 'URLENCODED', '\xff\xfea\0=\x001\0', /NUL byte or a UTF-16/],
    [req([['Content-Type', 'application/json']]), 'JSON', '{"a":"\0"}', /NUL byte/],
    [req([FORM]), 'URLENCODED', '{"a":"1\\u0027"}', /JSON but its Content-Type says a urlencoded form/],
    [req([FORM]), 'URLENCODED', '<a>x</a>', /XML but/],
    [req([], '/.git;x=1/config'), undefined, '', /PATH: a path parameter/],
    [req([['Content-Type', 'application/xml']]), 'XML', '<?xml version="1.0" encoding="UTF-7"?><a/>', /encoding "utf-7"/],
    [req([['Content-Type', 'text/plain']]), undefined, "<?xml version='1.0' encoding='EBCDIC-US'?><a/>", /encoding "ebcdic-us"/],
    [req([], 'http://h/a;b/c?d'), undefined, '', /PATH: a path parameter/],
  ];
  for (const [r, p, body, re] of cases) assert.match(readingProblem(r, p, body) ?? '(none)', re, body);
  // What every upstream reads alike is no problem.
  assert.equal(readingProblem(req([FORM]), 'URLENCODED', 'a=1&b=%7B%7D'), undefined);
  assert.equal(readingProblem(req([['Content-Type', 'application/json; charset=UTF-8'], ['Content-Encoding', 'identity']]), 'JSON', '{"a":1}'), undefined);
  assert.equal(readingProblem(req([['Content-Type', 'multipart/form-data; boundary=x']]), 'MULTIPART', '--x\r\n\0'), undefined);
  assert.equal(readingProblem(req([], '/cart;jsessionid=1?x=a;b/c'), undefined, ''), undefined);
  // A hostile path of many semicolons and no slash after them is read in one pass.
  assert.equal(readingProblem(req([], `/${';'.repeat(200_000)}`), undefined, ''), undefined);
  assert.equal(readingProblem(req([['Content-Type', 'application/xml']]), 'XML', '<?xml version="1.0" encoding="UTF-8"?><a/>'), undefined);
});
