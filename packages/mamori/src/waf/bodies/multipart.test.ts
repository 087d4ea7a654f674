import { test } from 'node:test';
import assert from 'node:assert/strict';
import { multipartBoundary, parseMultipart } from './multipart.js';

const CT = 'multipart/form-data; boundary=XyZ';
const part = (head: string, value: string) => `--XyZ\r\n${head}\r\n\r\n${value}\r\n`;

test('the strict form: parts, names, filenames, heads; no flag', () => {
  const body = part('Content-Disposition: form-data; name="a"', '1') + part('Content-Disposition: form-data; name="f"; filename="x.php"\r\nContent-Type: text/plain', '<?php x') + '--XyZ--\r\n';
  const m = parseMultipart(CT, body);
  assert.equal(m.error, undefined);
  assert.deepEqual([...m.flags], []);
  assert.deepEqual(
    m.parts.map((p) => [p.name, p.filename, p.value, p.headers.length]),
    [
      ['a', undefined, '1', 1],
      ['f', 'x.php', '<?php x', 2],
    ],
  );
});

test('each deviation raises its flag, and the content is still read', () => {
  const ok = (b: string) => b + '--XyZ--\r\n';
  const cases: [string, string, string][] = [
    ['dataBefore', CT, `junk\r\n${ok(part('Content-Disposition: form-data; name="a"', '1'))}`],
    ['dataAfter', CT, `${ok(part('Content-Disposition: form-data; name="a"', '1'))}more`],
    ['lfLine', CT, `--XyZ\nContent-Disposition: form-data; name="a"\n\n1\n--XyZ--\n`],
    ['headerFolding', CT, ok(part('Content-Disposition: form-data;\r\n name="a"', '1'))],
    ['missingSemicolon', CT, ok(part('Content-Disposition: form-data name="a"', '1'))],
    ['invalidQuoting', CT, ok(part('Content-Disposition: form-data; name="a\\"b"', '1'))],
    ['invalidQuoting', CT, ok(part("Content-Disposition: form-data; name='a'", '1'))],
    ['invalidPart', CT, ok(part('Content-Disposition: form-data; name="a"; name="b"', '1'))],
    ['invalidPart', CT, ok(part('Content-Type: text/plain', '1'))],
    ['invalidPart', CT, ok(part('Content-Disposition: form-data; name="a"\r\nContent-Disposition: form-data; name="b"', '1'))],
    ['invalidPart', CT, ok(part('Content-Disposition: form-data; filename*=utf-8\'\'x; name="a"', '1'))],
    ['invalidPart', CT, ok(part('Content-Disposition: form-data; name="a"; filename ="x.php"', '1'))],
    ['invalidPart', CT, ok(part('Content-Disposition: form-data; name\t="a"', '1'))],
    ['invalidHeaderFolding', CT, ok(part(' x\r\nContent-Disposition: form-data; name="a"', '1'))],
    ['boundaryQuoted', 'multipart/form-data; boundary="XyZ"', ok(part('Content-Disposition: form-data; name="a"', '1'))],
    ['boundaryWhitespace', 'multipart/form-data; boundary = XyZ', ok(part('Content-Disposition: form-data; name="a"', '1'))],
    ['unmatchedBoundary', CT, ok(`--XyW\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n`)],
    ['invalidPart', CT, ok(part('Content-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64', 'MQ=='))],
    ['invalidPart', CT, ok(part('Content-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=utf-7', '+ADw-'))],
  ];
  let ran = 0;
  for (const [flag, ct, body] of cases) {
    const m = parseMultipart(ct, body);
    assert.ok(m.flags.has(flag as never), `${flag}: ${JSON.stringify(body)} gave ${[...m.flags].join(',')} ${m.error ?? ''}`);
    ran++;
  }
  assert.equal(ran, cases.length);
  // The content of a flagged body is read all the same (rules see it).
  const folded = parseMultipart(CT, ok(part('Content-Disposition: form-data;\r\n name="cmd"', 'cat /etc/passwd')));
  assert.equal(folded.parts[0]?.name, 'cmd');
  assert.equal(folded.parts[0]?.value, 'cat /etc/passwd');
});

test('what cannot be read as multipart at all is an error (REQBODY_ERROR)', () => {
  assert.match(parseMultipart('multipart/form-data', 'x').error ?? '', /boundary not found/);
  assert.match(parseMultipart('multipart/form-data; boundary=a; boundary=b', 'x').error ?? '', /more than one/);
  assert.match(parseMultipart(CT, 'no delimiter').error ?? '', /no delimiter/);
  assert.match(parseMultipart(CT, part('Content-Disposition: form-data; name="a"', '1')).error ?? '', /closing delimiter/);
  assert.match(multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`).error ?? '', /longer than 70/);
  // A hostile body: a million delimiters, a bounded number of parts read.
  const many = parseMultipart(CT, part('Content-Disposition: form-data; name="a"', '1').repeat(5000), 1000);
  assert.equal(many.parts.length, 1000);
});

test('in a quoted disposition value only \\" and \\\\ are escapes; any other backslash stays, as ModSecurity reads it', () => {
  const m = parseMultipart(CT, `${part('Content-Disposition: form-data; name="cv.p\\d\\f"; filename="..\\1 \\"x\\" \\\\.7z"', 'x')}--XyZ--\r\n`);
  assert.equal(m.parts[0]?.name, 'cv.p\\d\\f');
  assert.equal(m.parts[0]?.filename, '..\\1 "x" \\.7z');
  assert.ok(m.flags.has('invalidQuoting'));
});

test('the boundary as PHP reads it: a second boundary= refused, one without its semicolon read, whitespace flagged', () => {
  assert.match(multipartBoundary('multipart/form-data; xboundary=A; boundary=B').error ?? '', /more than one/);
  assert.match(multipartBoundary('multipart/form-data; BOUNDARY=A; boundary=B').error ?? '', /more than one/);
  assert.deepEqual(multipartBoundary('multipart/form-data boundary=B'), { boundary: 'B', flags: [] });
  assert.deepEqual(multipartBoundary('multipart/form-data; boundary=----WebKitFormBoundaryQ2x'), { boundary: '----WebKitFormBoundaryQ2x', flags: [] });
  assert.deepEqual(multipartBoundary('multipart/form-data; boundary=x-Boundary=1'), { boundary: 'x-Boundary=1', flags: [] });
  assert.match(multipartBoundary('multipart/form-data; charset=boundary; boundary=B').error ?? '', /PHP reads another/);
  assert.deepEqual(multipartBoundary('multipart/form-data; boundary=B, x'), { boundary: 'B', flags: [] });
  assert.deepEqual(multipartBoundary('multipart/form-data; boundary=B x; charset=utf-8').flags, ['boundaryWhitespace']);
});

test('a bodyless part (its delimiter right after the head) is an invalid part; its content read as PHP reads it', () => {
  const body = `--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name="b"\r\n\r\n2\r\n--XyZ--\r\n`;
  const m = parseMultipart(CT, body);
  assert.ok(m.flags.has('invalidPart'));
  assert.equal(m.parts[0]?.name, 'a');
  assert.match(m.parts[0]?.value ?? '', /name="b"/);
  // An empty field as browsers send it (CRLF, then the delimiter) is no deviation.
  assert.deepEqual([...parseMultipart(CT, `${part('Content-Disposition: form-data; name="a"', '')}--XyZ--\r\n`).flags], []);
});
