import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCookies } from './cookies.js';
import { parseRawRequest } from './raw.js';
import { headerValues, splitTarget } from './request.js';
import { parseUrlEncoded } from './urlencoded.js';

test('urlencoded: split, named, decoded as bytes; invalid escapes kept and flagged; empty parts skipped', () => {
  const r = parseUrlEncoded('a=1&b=%41+%42&&c&d=%zz&%C3%A9=x=y');
  assert.deepEqual(r.args, [
    ['a', '1'],
    ['b', 'A B'],
    ['c', ''],
    ['d', '%zz'],
    ['\xc3\xa9', 'x=y'],
  ]);
  assert.equal(r.invalidEncoding, true);
  assert.equal(parseUrlEncoded('a=%41').invalidEncoding, false);
  assert.deepEqual(parseUrlEncoded('a=1;b=2', ';').args, [
    ['a', '1'],
    ['b', '2'],
  ]);
  const many = parseUrlEncoded('x=1&'.repeat(20), '&', 5);
  assert.equal(many.args.length, 5);
  assert.equal(many.truncated, true);
  assert.equal(parseUrlEncoded('%4').invalidEncoding, true);
});

test('cookies: every header, split and trimmed, not decoded', () => {
  assert.deepEqual(parseCookies(['a=1; b = 2 ;c', '\td=%41=x']), [
    ['a', '1'],
    ['b ', ' 2'],
    ['c', ''],
    ['d', '%41=x'],
  ]);
});

test('targets: path and query, absolute form and fragments', () => {
  assert.deepEqual(splitTarget('/a/b?x=1?y'), { path: '/a/b', query: 'x=1?y' });
  assert.deepEqual(splitTarget('http://h:8080/p?q'), { path: '/p', query: 'q' });
  assert.deepEqual(splitTarget('http://h?q'), { path: '/', query: 'q' });
  assert.deepEqual(splitTarget('/p#f?x'), { path: '/p', query: '' });
  assert.deepEqual(splitTarget('*'), { path: '*', query: '' });
});

test('raw requests: line, headers, folded lines, bodies by length or chunks; what a server refuses', () => {
  const ok = parseRawRequest('POST /x?a=1 HTTP/1.1\r\nHost: h\r\nX-A:  1 \r\n  more\r\nContent-Length: 3\r\n\r\nabcdef');
  assert.ok(ok.request, ok.problem);
  assert.equal(ok.request.method, 'POST');
  assert.equal(ok.request.uri, '/x?a=1');
  assert.equal(ok.request.protocol, 'HTTP/1.1');
  assert.deepEqual(headerValues(ok.request, 'x-a'), ['1 more']);
  assert.equal(ok.request.body?.toString('latin1'), 'abc');
  const chunked = parseRawRequest('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nHi \r\n3;x=1\r\nCRS\r\n0\r\n\r\n');
  assert.equal(chunked.request?.body?.toString('latin1'), 'Hi CRS');
  assert.equal(parseRawRequest('GET / HTTP/1.1\n\n').request?.body, undefined);
  const refused: [string, RegExp][] = [
    ['GET\r\n\r\n', /request line/],
    ['GET / HTTP/x\r\n\r\n', /version/],
    ['GET / HTTP/1.1\r\nno colon\r\n\r\n', /no name/],
    ['GET / HTTP/1.1\r\nBad Name: x\r\n\r\n', /not a token/],
    ['POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc', /shorter/],
    ['POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', /not one number/],
    ['POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', /smuggling/],
    ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /not hex/],
    [' / HTTP/1.1\r\n\r\n', /request line/],
    ['GET / HTTP/0.9\r\nHost: h\r\n\r\n', /below HTTP\/1.0/],
    ['GET /a b HTTP/1.1\r\n\r\n', /blank or a control byte/],
    ['GET /a\x00 HTTP/1.1\r\n\r\n', /blank or a control byte/],
    ['GET /#x HTTP/1.1\r\n\r\n', /fragment/],
    ['GET \\ HTTP/1.1\r\n\r\n', /not a path, an absolute URL or \*/],
    ['GET * HTTP/1.1\r\n\r\n', /not a path/],
    ['GET / HTTP/1.1\r\nX: a\rInjected: b\r\n\r\n', /bare CR/],
  ];
  for (const [bytes, re] of refused) assert.match(parseRawRequest(bytes).problem ?? '(none)', re, JSON.stringify(bytes));
  // The other forms of target RFC 9112 3.2 allows.
  for (const ok of ['OPTIONS * HTTP/1.1', 'CONNECT h:443 HTTP/1.1', 'GET http://h/a?b HTTP/1.1', 'GET /\xe2\x91\xa0 HTTP/1.1']) assert.ok(parseRawRequest(`${ok}\r\nHost: h\r\n\r\n`).request, ok);
});
