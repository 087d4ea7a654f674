import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from '../../core/errors.js';
import { loadWaf } from '../index.js';
import { parseRawRequest } from '../request/raw.js';
import { DEFAULT_BODY_LIMITS } from './limits.js';
import { DEFAULT_ARGUMENT_LIMITS } from './request-variables.js';
import type { Transaction } from './transaction.js';

/** A WAF from directives, with rules that record what phase 2 and 4 saw. */
function waf(directives: string[], mode = 'On') {
  return loadWaf({
    text: [
      `SecRuleEngine ${mode}`,
      'SecRequestBodyAccess On',
      'SecResponseBodyAccess On',
      ...directives,
      'SecRule REQUEST_HEADERS:Content-Type "@contains json" "id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"',
      'SecRule ARGS "@contains attack" "id:10,phase:2,deny,status:403"',
      'SecAction "id:11,phase:2,pass,log"',
      'SecRule RESPONSE_BODY "@contains secret" "id:20,phase:4,deny,status:403"',
    ].join('\n'),
    file: 'limits.conf',
  });
}

const post = (ct: string, body: string, query = '') => `POST /${query} HTTP/1.1\r\nHost: h\r\nContent-Type: ${ct}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const FORM = 'application/x-www-form-urlencoded';

function request(w: ReturnType<typeof waf>, raw: string): Transaction {
  const p = parseRawRequest(raw);
  assert.ok(p.request, p.problem);
  const tx = w.transaction(p.request);
  tx.processRequestHeaders();
  tx.processRequestBody();
  return tx;
}
const v = (tx: Transaction, name: string) => tx.vars.get(name)?.entries[0]?.value;
const phase2Ran = (tx: Transaction) => tx.matched.some((m) => m.id === 11);

test("defaults are ModSecurity v2's", () => {
  assert.deepEqual(waf([]).rules.policy.bodyLimits, { requestBody: 13_107_200, requestBodyNoFiles: 131_072, requestBodyAction: 'Reject', responseBody: 524_288, responseBodyAction: 'Reject' });
  assert.equal(waf([]).rules.policy.limits.maxArgs, 1000);
  assert.deepEqual(DEFAULT_BODY_LIMITS, waf([]).rules.policy.bodyLimits);
  assert.equal(DEFAULT_ARGUMENT_LIMITS.maxFiles, 100);
});

test('SecRequestBodyLimit with Reject: a larger body is refused with 413 before any phase 2 rule runs', () => {
  const w = waf(['SecRequestBodyLimit 100', 'SecRequestBodyLimitAction Reject']);
  const tx = request(w, post(FORM, `a=${'x'.repeat(200)}`));
  assert.deepEqual(tx.interruption, { ruleId: 0, action: 'deny', status: 413, reason: 'Request body is larger than the configured limit (100)' });
  assert.equal(phase2Ran(tx), false);
  // At the limit: read, rules run.
  const ok = request(w, post(FORM, `a=${'x'.repeat(98)}`));
  assert.equal(ok.interruption, undefined);
  assert.equal(phase2Ran(ok), true);
  assert.equal(v(ok, 'INBOUND_DATA_ERROR'), '0');
});

test('in DetectionOnly a Reject limit refuses nothing: the first bytes are read, INBOUND_DATA_ERROR and REQBODY_ERROR say why', () => {
  const w = waf(['SecRequestBodyLimit 100'], 'DetectionOnly');
  const tx = request(w, post(FORM, `a=1&${'b'.repeat(120)}=2&c=attack`));
  assert.equal(tx.interruption, undefined);
  assert.equal(phase2Ran(tx), true);
  assert.equal(v(tx, 'INBOUND_DATA_ERROR'), '1');
  assert.equal(v(tx, 'REQBODY_ERROR'), '1');
  assert.match(v(tx, 'REQBODY_ERROR_MSG') ?? '', /larger than the configured limit \(100\)/);
  assert.equal(v(tx, 'REQUEST_BODY_LENGTH'), '135');
  assert.equal(v(tx, 'REQUEST_BODY')?.length, 100);
  assert.deepEqual(tx.vars.get('ARGS')?.entries.map((e) => e.key), ['a', 'b'.repeat(96)]);
});

test('ProcessPartial: the first SecRequestBodyLimit bytes are inspected, the rest is not (INBOUND_DATA_ERROR, no body error)', () => {
  const w = waf(['SecRequestBodyLimit 64', 'SecRequestBodyLimitAction ProcessPartial']);
  const early = request(w, post(FORM, `q=attack&pad=${'x'.repeat(100)}`));
  assert.equal(early.interruption?.ruleId, 10);
  const late = request(w, post(FORM, `pad=${'x'.repeat(100)}&q=attack`));
  assert.equal(late.interruption, undefined);
  assert.equal(v(late, 'INBOUND_DATA_ERROR'), '1');
  assert.equal(v(late, 'REQBODY_ERROR'), '0');
  assert.equal(phase2Ran(late), true);
});

test('SecRequestBodyNoFilesLimit: a body without files over it is refused; file content does not count', () => {
  const w = waf(['SecRequestBodyLimit 10000', 'SecRequestBodyNoFilesLimit 200']);
  assert.equal(request(w, post(FORM, `a=${'x'.repeat(300)}`)).interruption?.status, 413);
  assert.equal(request(w, post('application/json', `{"a":"${'x'.repeat(300)}"}`)).interruption?.status, 413);
  const part = (head: string, value: string) => `--b\r\nContent-Disposition: form-data; ${head}\r\n\r\n${value}\r\n`;
  const upload = `${part('name="f"; filename="a.bin"', 'z'.repeat(5000))}${part('name="t"', 'hello')}--b--\r\n`;
  const tx = request(w, post('multipart/form-data; boundary=b', upload));
  assert.equal(tx.interruption, undefined);
  assert.equal(v(tx, 'INBOUND_DATA_ERROR'), '0');
  const fields = `${part('name="f"; filename="a.bin"', 'z')}${part('name="t"', 'y'.repeat(300))}--b--\r\n`;
  const refused = request(w, post('multipart/form-data; boundary=b', fields));
  assert.deepEqual(refused.interruption, { ruleId: 0, action: 'deny', status: 413, reason: 'Request body no files data length is larger than the configured limit (200)' });
  assert.equal(phase2Ran(refused), false);
  // Over SecRequestBodyLimit, files or not.
  assert.equal(request(w, post('multipart/form-data; boundary=b', `${part('name="f"; filename="a"', 'z'.repeat(20_000))}--b--\r\n`)).interruption?.status, 413);
});

test('ctl:requestBodyLimit changes the limit for one transaction', () => {
  const w = waf(['SecRequestBodyLimit 50', 'SecRule REQUEST_URI "@beginsWith /upload" "id:2,phase:1,pass,nolog,ctl:requestBodyLimit=1000"']);
  const body = `a=${'x'.repeat(100)}`;
  assert.equal(request(w, post(FORM, body)).interruption?.status, 413);
  const raw = post(FORM, body).replace('POST / ', 'POST /upload ');
  assert.equal(request(w, raw).interruption, undefined);
});

test('SecArgumentsLimit counts the query and the body: past it the rest is not read and REQBODY_ERROR is set', () => {
  const w = waf(['SecArgumentsLimit 5']);
  const tx = request(w, post(FORM, 'd=1&e=1&f=attack', '?a=1&b=1&c=1'));
  assert.deepEqual(tx.vars.get('ARGS')?.entries.map((e) => e.key), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(v(tx, 'REQBODY_ERROR'), '1');
  assert.match(v(tx, 'REQBODY_ERROR_MSG') ?? '', /more than 5 arguments \(SecArgumentsLimit\)/);
  const json = request(w, post('application/json', '{"a":[1,2,3,4,5,6]}'));
  assert.equal(json.vars.get('ARGS')?.size, 5);
  assert.match(v(json, 'REQBODY_ERROR_MSG') ?? '', /JSON: more than 5 arguments/);
  const query = request(w, 'GET /?a=1&b=2&c=3&d=4&e=5&f=6 HTTP/1.1\r\nHost: h\r\n\r\n');
  assert.equal(query.vars.get('ARGS')?.size, 5);
  assert.match(v(query, 'REQBODY_ERROR_MSG') ?? '', /the query has more than 5 arguments/);
  const under = request(w, post(FORM, 'd=1', '?a=1'));
  assert.equal(v(under, 'REQBODY_ERROR'), '0');
});

test('SecRequestBodyJsonDepthLimit and SecUploadFileLimit apply', () => {
  const w = waf(['SecRequestBodyJsonDepthLimit 4', 'SecUploadFileLimit 1']);
  const deep = request(w, post('application/json', `${'['.repeat(10)}1${']'.repeat(10)}`));
  assert.match(v(deep, 'REQBODY_ERROR_MSG') ?? '', /deeper than 4/);
  const part = (n: string) => `--b\r\nContent-Disposition: form-data; name="${n}"; filename="${n}.txt"\r\n\r\nx\r\n`;
  const files = request(w, post('multipart/form-data; boundary=b', `${part('a')}${part('b')}--b--\r\n`));
  assert.equal(v(files, 'MULTIPART_FILE_LIMIT_EXCEEDED'), '1');
});

test('SecResponseBodyLimit: Reject answers 500 (engine On); ProcessPartial reads the first bytes (OUTBOUND_DATA_ERROR)', () => {
  const respond = (w: ReturnType<typeof waf>, body: string) => {
    const tx = request(w, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    tx.processResponseHeaders(200, 'HTTP/1.1', [['Content-Type', 'text/html']]);
    tx.processResponseBody(tx.wantsResponseBody() ? body : undefined);
    return tx;
  };
  const reject = waf(['SecResponseBodyLimit 100']);
  assert.equal(reject.transaction(parseRawRequest('GET / HTTP/1.1\r\n\r\n').request!).responseBodyLimit, 100);
  assert.deepEqual(respond(reject, 'x'.repeat(101)).interruption, { ruleId: 0, action: 'deny', status: 500, reason: 'Response body is larger than the configured limit (100)' });
  assert.equal(respond(reject, 'x'.repeat(100)).interruption, undefined);
  const partial = waf(['SecResponseBodyLimit 100', 'SecResponseBodyLimitAction ProcessPartial']);
  assert.equal(respond(partial, `secret${'x'.repeat(200)}`).interruption?.ruleId, 20);
  const late = respond(partial, `${'x'.repeat(200)}secret`);
  assert.equal(late.interruption, undefined);
  assert.equal(v(late, 'OUTBOUND_DATA_ERROR'), '1');
  assert.equal(v(late, 'RESPONSE_BODY')?.length, 100);
  // DetectionOnly never refuses: the first bytes are read.
  assert.equal(respond(waf(['SecResponseBodyLimit 100'], 'DetectionOnly'), 'x'.repeat(200)).interruption, undefined);
});

test('a limit that is not a positive number, or an action not Reject or ProcessPartial, refuses the rules with file:line', () => {
  for (const bad of ['SecRequestBodyLimit 0', 'SecArgumentsLimit -3', 'SecRequestBodyLimitAction Maybe']) {
    assert.throws(
      () => waf([bad]),
      (err: unknown) => isMamoriError(err) && /limits\.conf:4/.test(err.message),
      bad,
    );
  }
});
