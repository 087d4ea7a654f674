/** What the WAF's events and audit log hide, and how they print hostile bytes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskCardNumbers, maskMatched, maskTarget, printable, secretTarget } from './waf-mask.js';

test('secret targets: passwords in several languages, sessions, keys, authorization, wherever they sit', () => {
  const secret = [
    'ARGS:password', 'ARGS:passwd', 'ARGS:pwd', 'ARGS:user[password]', 'ARGS:json.login.passphrase', 'ARGS:kennwort', 'ARGS:senha', 'ARGS:mot_de_passe',
    'REQUEST_COOKIES:PHPSESSID', 'REQUEST_COOKIES:connect.sid', 'REQUEST_COOKIES:JSESSIONID', 'REQUEST_HEADERS:Authorization', 'REQUEST_HEADERS:AUTHORIZATION',
    'REQUEST_HEADERS:X-Api-Key', 'REQUEST_HEADERS:X-Access-Key', 'ARGS:api_key', 'ARGS:csrf_token', 'ARGS:card_number', 'ARGS:cvv', 'ARGS:otp', 'ARGS:client_secret',
    'REQUEST_COOKIES:wordpress_logged_in_abc123', 'REQUEST_COOKIES:remember_web_59ba36', 'REQUEST_COOKIES:jwt', 'REQUEST_COOKIES:refresh', 'REQUEST_HEADERS:DPoP',
    'REQUEST_HEADERS:X-Goog-IAP-JWT-Assertion', 'REQUEST_HEADERS:X-Signature', 'ARGS:sig', 'ARGS:X-Amz-Signature', 'ARGS:X-Amz-Credential',
  ];
  for (const t of secret) assert.ok(secretTarget(t), t);
  const plain = ['ARGS:q', 'ARGS:p', 'ARGS:author', 'ARGS:comment', 'REQUEST_HEADERS:User-Agent', 'REQUEST_COOKIES:theme', 'ARGS:id', 'REQUEST_URI'];
  for (const t of plain) assert.ok(!secretTarget(t), t);
  assert.ok(secretTarget('ARGS:p', new Set(['p'])), "a login endpoint's own password field");
  assert.equal(maskMatched('ARGS:password', "' or 1=1--"), '[10 bytes hidden]');
});

test('card numbers that pass the Luhn check keep only their last four digits, however they are written', () => {
  for (const written of ['4111111111111111', '4111 1111 1111 1111', '4111-1111-1111-1111', '4111.1111.1111.1111', '4111+1111+1111+1111', '4111%201111%201111%201111', '4111  1111  1111  1111']) {
    assert.equal(maskCardNumbers(`card=${written}&x=1`), 'card=****1111&x=1', written);
  }
  assert.equal(maskCardNumbers('order 1234567890123456'), 'order 1234567890123456', 'a number that fails the check stays');
  assert.equal(maskTarget('/pay?cc=4111111111111111&amount=100'), '/pay?cc=****1111&amount=100');
  assert.equal(maskTarget('/pay?n=4111+1111+1111+1111'), '/pay?n=****1111');
  assert.equal(maskTarget('/login?user=a&password=hunter2&next=/'), '/login?user=a&password=***&next=/');
  assert.equal(maskTarget('/app;jsessionid=ABC123/page?x=1'), '/app;jsessionid=***/page?x=1');
  assert.equal(maskTarget('/x?a=1;password=hunter2;b=2'), '/x?a=1;password=***;b=2');
  assert.equal(maskTarget('/go?to=http://admin:s3cret@intranet.example/'), '/go?to=http://admin:***@intranet.example/');
  assert.equal(maskTarget('/s3?X-Amz-Signature=abcdef&X-Amz-Credential=AKIA/x&key=photo.jpg'), '/s3?X-Amz-Signature=***&X-Amz-Credential=***&key=***');
});

test('printable: UTF-8 reads as text, other bytes and every control character as \\xHH', () => {
  assert.equal(printable(Buffer.from('こんにちは', 'utf8').toString('latin1')), 'こんにちは');
  assert.equal(printable('a\x1b[31mred\x9b2J'), 'a\\x1b[31mred\\x9b2J');
  assert.equal(printable('line\r\nbreak\x00'), 'line\\x0d\\x0abreak\\x00');
  assert.equal(printable('caf\xe9'), 'caf\\xe9', 'not UTF-8: the byte as hex');
  assert.equal(maskMatched('ARGS:q', '<script>\x9b'), '<script>\\x9b');
});
