import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMamoriError } from '../../core/errors.js';
import { sharedData } from '../../testing/shared-data.js';
import { ftwTestFiles, parseFtwFile, requestBytes } from './ftw.js';
import { logLine } from './runner.js';

const crs = sharedData('crs', 'MAMORI_CRS_DIR');


test("reads every test of CRS's regression suite", { skip: crs.missing }, () => {
  const files = ftwTestFiles(join(crs.dir, 'tests', 'regression', 'tests'));
  let tests = 0;
  let stages = 0;
  let raw = 0;
  const ids = new Set<string>();
  for (const f of files) {
    const parsed = parseFtwFile(readFileSync(f, 'utf8'), f);
    for (const t of parsed.tests) {
      tests++;
      stages += t.stages.length;
      const key = `${t.ruleId}-${t.testId}`;
      assert.ok(!ids.has(key), `${key} twice`);
      ids.add(key);
      for (const s of t.stages) {
        if (s.input.rawRequest !== undefined) raw++;
        const bytes = requestBytes(s.input);
        assert.ok(bytes.length > 0);
      }
    }
  }
  console.log(`# ${files.length} files, ${tests} tests, ${stages} stages, ${raw} raw requests`);
  assert.equal(files.length, 323);
  assert.equal(tests, 5003);
  assert.equal(raw, 10);
});

test('the bytes a stage sends: request line, headers in order, the body; autocompleted', () => {
  const f = parseFtwFile(
    `rule_id: 1
tests:
  - test_id: 1
    stages:
      - input:
          method: POST
          uri: "/x?a=1"
          headers:
            Host: localhost
            User-Agent: t
          data: "a=b&c=d"
        output:
          log:
            expect_ids: [1]
  - test_id: 2
    stages:
      - input:
          autocomplete_headers: false
          headers: { Host: localhost }
          data: "é"
        output: { status: 403 }
  - test_id: 3
    stages:
      - input:
          encoded_request: "R0VUIC8gSFRUUC8xLjANCg0K"
        output: { log: { no_expect_ids: [1] } }
`,
    'inline.yaml',
  );
  // A body without a Content-Type is labelled a form, as go-ftw labels it.
  assert.equal(requestBytes(f.tests[0]!.stages[0]!.input), 'POST /x?a=1 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\nConnection: close\r\n\r\na=b&c=d');
  // UTF-8 bytes, not counted as one character; no header added without autocomplete.
  assert.equal(requestBytes(f.tests[1]!.stages[0]!.input), 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n\xc3\xa9');
  assert.equal(requestBytes(f.tests[2]!.stages[0]!.input), 'GET / HTTP/1.0\r\n\r\n');
  assert.deepEqual(f.tests[0]!.stages[0]!.output.expectIds, [1]);
  assert.equal(f.tests[1]!.stages[0]!.output.status, 403);
  assert.equal(f.tests[0]!.location, 'inline.yaml:3:5');
});

test('a file that breaks the format: the error names the file, the line and the field', () => {
  const cases: [string, RegExp][] = [
    ['rule_id: 1\ntests:\n  - test_id: 1\n    stages:\n      - input: { protocol: gopher }\n        output: {}\n', /^bad\.yaml:5:28: tests\[0\]\.stages\[0\]\.input\.protocol: expected http or https/],
    ['rule_id: 1\ntests:\n  - test_id: x\n    stages: []\n', /^bad\.yaml:3:14: tests\[0\]\.test_id: expected a whole number/],
    ['rule_id: 1\ntests:\n  - test_id: 1\n    stages:\n      - input: { port: 70000 }\n        output: {}\n', /input\.port: expected a whole number from 1 to 65535/],
    ['rule_id: 1\ntests:\n  - test_id: 1\n    stages:\n      - input: { encoded_request: "%%%" }\n        output: {}\n', /encoded_request: expected Base64/],
    ['rule_id: 1\ntests: [\n', /^bad\.yaml:\d+:\d+: not valid YAML/],
    ['tests: []\n', /rule_id is missing/],
    ['rule_id: 1\nrule_id: 2\ntests: []\n', /not valid YAML/],
    ['- 1\n', /expected a map/],
  ];
  // Unknown fields are ignored, as go-ftw ignores them, and said.
  const lenient = parseFtwFile('rule_id: 1\nauthor: x\ntests:\n  - test_id: 1\n    stages:\n      - input: { prot: http }\n        output: {}\n', 'odd.yaml');
  assert.deepEqual(lenient.warnings.map((w) => w.split(' ignored')[0]), ['odd.yaml:2:9: unknown field "author"', 'odd.yaml:6:24: unknown field "prot"']);
  for (const [text, re] of cases) {
    assert.throws(
      () => parseFtwFile(text, 'bad.yaml'),
      (err: unknown) => isMamoriError(err, 'MAMORI_ERR_WAF_TEST_FILE') && re.test(err.message),
      text,
    );
  }
});

test("the bytes a stage sends follow go-ftw: forms escaped, multipart lines CRLF, an empty POST's length, a UTF-8 head, repeat templates", () => {
  const f = parseFtwFile(
    `rule_id: 1
tests:
  - test_id: 1
    stages:
      - input:
          method: POST
          headers: { Host: h }
          data: "q=<a b>&r=1&"
        output: { status: 200 }
  - test_id: 2
    stages:
      - input:
          method: POST
          headers: { Host: h, Content-Type: application/x-www-form-urlencoded }
          data: "q=%3Ca+b"
        output: { status: 200 }
  - test_id: 3
    stages:
      - input:
          method: POST
          headers: { Host: h, Content-Type: "multipart/form-data; boundary=b" }
          data: "--b\\nx\\n"
        output: { status: 200 }
  - test_id: 4
    stages:
      - input:
          method: POST
          headers: { Host: h }
        output: { status: 200 }
  - test_id: 5
    stages:
      - input:
          uri: "/?q=\\u2460"
          headers: { Host: h }
          data: '{{ "ab" | repeat 3 }}!'
          autocomplete_headers: false
        output: { status: 200 }
`,
    'inline.yaml',
  );
  const bytes = f.tests.map((t) => requestBytes(t.stages[0]!.input));
  assert.ok(bytes[0]!.endsWith('\r\n\r\nq=%3Ca+b%3E&r=1'), bytes[0]);
  // Already escaped: sent as written.
  assert.ok(bytes[1]!.endsWith('\r\n\r\nq=%3Ca+b'), bytes[1]);
  assert.ok(bytes[2]!.endsWith('\r\n\r\n--b\r\nx\r\n'), bytes[2]);
  assert.ok(bytes[3]!.includes('Content-Length: 0\r\n'), bytes[3]);
  assert.equal(bytes[4], 'GET /?q=\xe2\x91\xa0 HTTP/1.1\r\nHost: h\r\n\r\nababab!');
  assert.throws(() => parseFtwFile('rule_id: 1\ntests:\n  - test_id: 1\n    stages:\n      - input: { data: "{{ now }}" }\n        output: { status: 200 }\n', 'x.yaml'), /template action/);
});

test('a log line escapes its fields as ModSecurity does: quotes, backslashes, line ends, other bytes as \\xHH', () => {
  const line = logLine({ id: 932300, phase: 2, msg: 'say "hi"', logData: 'Matched Data: \r\nMAIL FROM:<a@b> \\ \x01\xe9', severity: '2', tags: ['t'], matchedName: 'ARGS:x', matchedValue: '', logged: true });
  assert.equal(line, 'Warning. Matched at ARGS:x. [id "932300"] [msg "say \\"hi\\""] [data "Matched Data: \\r\\nMAIL FROM:<a@b> \\\\ \\x01\\xe9"] [severity "2"] [tag "t"]');
});
