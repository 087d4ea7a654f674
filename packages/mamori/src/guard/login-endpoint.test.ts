import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/config.js';
import { duplicateJsonKey } from '../core/json.js';
import {
  classifyLoginResponse,
  classifyXmlRpcAnswer,
  extractAuthorizationFields,
  extractLoginFields,
  extractParsedLoginFields,
  extractXmlRpcFields,
  findLoginEndpoint,
  findLoginEndpoints,
  MAX_XMLRPC_CALLS,
  parseMultipartFields,
  phpFieldName,
  pickLogin,
} from './login-endpoint.js';

const cfg = defaultConfig({
  logins: [
    { path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302], redirect_contains: '/account' } },
    { path: '/api/session', username: { json: 'user.email' }, password: { json: 'user.password' }, failure: { status: [401] }, success: { status: [200] } },
  ],
});
const form = cfg.logins[0]!;
const json = cfg.logins[1]!;

function multipart(fields: [string, string, string?][], boundary = 'XyZ'): { ct: string; body: Buffer } {
  const parts = fields.map(([n, v, file]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"${file ? `; filename="${file}"` : ''}\r\n\r\n${v}\r\n`);
  return { ct: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`) };
}

describe('login endpoints', () => {
  it('are found however the path is written', () => {
    for (const p of ['/login', '/LOGIN', '//login/', '/x/../login', '/%6cogin', '/login;jsessionid=1']) assert.equal(findLoginEndpoint(cfg.logins, 'POST', p), form, p);
    assert.equal(findLoginEndpoint(cfg.logins, 'GET', '/login'), undefined);
    assert.equal(findLoginEndpoint(cfg.logins, 'POST', '/loginx'), undefined);
  });

  it('read a urlencoded form; a field sent twice is ambiguous', () => {
    assert.deepEqual(extractLoginFields(form, 'application/x-www-form-urlencoded', Buffer.from('email=a%40b.c&password=pw')), { username: 'a@b.c', password: 'pw' });
    const twice = extractLoginFields(form, 'application/x-www-form-urlencoded', Buffer.from('email=a&email=b&password=x'));
    assert.equal(twice.ambiguous, true);
  });

  it('read a multipart form the way PHP would, skipping files', () => {
    const m = multipart([['email', 'alice@example.com'], ['password', 'pw'], ['avatar', 'GIF89a', 'a.gif']]);
    assert.deepEqual(extractLoginFields(form, m.ct, m.body), { username: 'alice@example.com', password: 'pw' });
    const quoted = multipart([['email', 'q@example.com']], 'a-b');
    assert.deepEqual(extractLoginFields(form, 'multipart/form-data; boundary="a-b"', quoted.body), { username: 'q@example.com' });
    const twice = multipart([['email', 'a'], ['email', 'b']]);
    assert.equal(extractLoginFields(form, twice.ct, twice.body).ambiguous, true);
    assert.equal(extractLoginFields(form, 'multipart/form-data', Buffer.from('x')).problem, 'malformed multipart body');
    assert.equal(extractLoginFields(form, 'multipart/form-data; boundary=B', Buffer.from('--B\r\nno end')).problem, 'malformed multipart body');
  });

  it('multipart parsing is bounded on hostile bodies', () => {
    const many = Buffer.from('--B\r\n\r\n\r\n'.repeat(5000) + '--B--');
    assert.equal(parseMultipartFields('multipart/form-data; boundary=B', many), undefined);
  });

  it('read JSON by path, and a form-field endpoint also reads a JSON body (as Express would)', () => {
    const body = Buffer.from(JSON.stringify({ user: { email: 'a@b.c', password: 'p' } }));
    assert.deepEqual(extractLoginFields(json, 'application/json', body), { username: 'a@b.c', password: 'p' });
    assert.deepEqual(extractLoginFields(form, 'application/json; charset=utf-8', Buffer.from('{"email":"x@y.z","password":"p"}')), { username: 'x@y.z', password: 'p' });
    assert.equal(extractLoginFields(form, 'application/json', Buffer.from('{"email":["a","b"]}')).ambiguous, true);
    assert.equal(extractLoginFields(json, 'application/json', Buffer.from('{"user":{"email":1}}')).ambiguous, true);
    assert.equal(extractLoginFields(json, 'application/json', Buffer.from('{"user": ')).problem, 'malformed JSON');
    assert.deepEqual(extractLoginFields(json, 'application/json', Buffer.from('{"__proto__":{"user":{"email":"x"}}}')), { notLogin: true }, 'names no account');
  });

  it('refuse what the site could read differently from mamori', () => {
    const refused = (ct: string | undefined, body: string | Buffer, query = '') => {
      const f = extractLoginFields(form, ct, typeof body === 'string' ? Buffer.from(body) : body, query);
      return f.ambiguous === true ? f.problem : `accepted ${JSON.stringify(f)}`;
    };
    const FORM = 'application/x-www-form-urlencoded';
    assert.equal(refused(FORM, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('email=alice&password=x&email=decoy')])), 'a byte-order mark');
    assert.equal(refused(`${FORM}; charset=iso-8859-1`, 'email=a&password=x'), 'charset "iso-8859-1"');
    assert.equal(refused(`${FORM}; charset=UTF-8`, 'email=a&password=x'), 'accepted {"username":"a","password":"x"}');
    assert.equal(refused(FORM, Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x3d, 0xc3, 0x28])), 'invalid UTF-8');
    assert.equal(refused(undefined, 'email=alice&password=x'), 'no content type');
    assert.equal(refused('text/plain', 'email=alice&password=x'), 'unsupported content type "text/plain"');
    assert.equal(refused(FORM, 'password=x'), 'accepted {"notLogin":true}', 'no account named: something else the site does at this path');
    const php = { ...form, username: { form: 'user_email' } };
    assert.equal(extractLoginFields(php, FORM, Buffer.from('user_email=decoy&user.email=alice')).problem, 'field "user.email" may be read as "user_email"', 'PHP reads dots as underscores');
    assert.equal(refused(FORM, 'email=decoy&email[]=alice&password=x'), 'field "email[]" may be read as "email"');
    assert.equal(refused(FORM, 'email=decoy&%20email=alice&password=x'), 'field " email" may be read as "email"');
    assert.equal(refused(FORM, 'email=decoy&password=x', '?email=alice'), '"email" in the query string');
    assert.equal(refused(FORM, 'email=a&password=x', '?next=%2Faccount'), 'accepted {"username":"a","password":"x"}');
    const unquoted = Buffer.from('--B\r\nContent-Disposition: form-data; name=email\r\n\r\nalice\r\n--B--\r\n');
    assert.equal(refused('multipart/form-data; boundary=B', unquoted), 'accepted {"username":"alice"}', 'unquoted names are read as PHP reads them');
    const twoNames = Buffer.from('--B\r\nContent-Disposition: form-data; name="x"; name="email"\r\n\r\nalice\r\n--B--\r\n');
    assert.equal(refused('multipart/form-data; boundary=B', twoNames), 'malformed multipart body');
    const quotedTwoWays = Buffer.from('--B\r\nContent-Disposition: form-data; name="email"\r\n\r\ndecoy\r\n--B\r\nContent-Disposition: form-data; name=\'email\'\r\n\r\nadmin\r\n--B--\r\n');
    assert.equal(refused('multipart/form-data; boundary=B', quotedTwoWays), 'field "email" appears 2 times', 'a single-quoted name is the same field to PHP');
  });

  it('except_query: lets the other forms at the login path through, unless the body names the parameter too', () => {
    const wp = defaultConfig({
      logins: [{ path: '/wp-login.php', username: { form: 'log' }, failure: { body_contains: 'login_error' }, success: { set_cookie: 'wordpress_logged_in_' }, except_query: { action: ['lostpassword', 'postpass'] } }],
    }).logins[0]!;
    const FORM = 'application/x-www-form-urlencoded';
    assert.deepEqual(extractLoginFields(wp, FORM, Buffer.from('user_login=alice'), '?action=lostpassword'), { notLogin: true });
    assert.deepEqual(extractLoginFields(wp, FORM, Buffer.from('post_password=x'), '?action=postpass'), { notLogin: true });
    assert.equal(extractLoginFields(wp, FORM, Buffer.from('log=alice&pwd=x&action=login'), '?action=postpass').username, 'alice', 'PHP lets the body override the query');
    assert.equal(extractLoginFields(wp, FORM, Buffer.from('log=alice&pwd=x'), '?action=postpass&action=login').username, 'alice', 'two values: not let off');
    assert.equal(extractLoginFields(wp, FORM, Buffer.from('log=alice&pwd=x'), '?redirect_to=%2Fwp-admin%2F&reauth=1').username, 'alice');
    // What PHP reads as `action` too, or a body with the login's own fields, is never let off:
    assert.equal(extractLoginFields(wp, FORM, Buffer.from('log=alice&pwd=x'), '?action=lostpassword&+action=login').username, 'alice');
    assert.equal(extractLoginFields(wp, FORM, Buffer.from('log=alice&pwd=x'), '?action=lostpassword&action[]=login').username, 'alice');
    assert.equal(extractLoginFields(wp, FORM, Buffer.from('log=alice&pwd=x'), '?action=lostpassword', 'action=login').username, 'alice', 'cookies are in $_REQUEST too');
    assert.equal(extractLoginFields(wp, FORM, Buffer.from('log=alice&pwd=x'), '?action=lostpassword').username, 'alice', 'a body with log= is a login');
    const mp = Buffer.from("--B\r\nContent-Disposition: form-data; name='action'\r\n\r\nlogin\r\n--B\r\nContent-Disposition: form-data; name=\"log\"\r\n\r\nalice\r\n--B--\r\n");
    assert.equal(extractLoginFields(wp, 'multipart/form-data; boundary=B', mp, '?action=lostpassword').username, 'alice', "PHP reads name='action' too");
  });

  it('credentials in the query only when they repeat the body', () => {
    assert.equal(extractLoginFields(form, 'application/x-www-form-urlencoded', Buffer.from('email=a%40b.c&password=x'), '?email=a%40b.c').username, 'a@b.c');
    assert.equal(extractLoginFields(form, 'application/x-www-form-urlencoded', Buffer.from('email=a%40b.c&password=x'), '?email=victim').problem, '"email" in the query string');
  });

  it('multipart with a binary file part is read; a non-UTF-8 field is refused', () => {
    const bin = Buffer.concat([
      Buffer.from('--B\r\nContent-Disposition: form-data; name="email"\r\n\r\nalice\r\n--B\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n'),
      Buffer.from([0xff, 0xfe, 0x00, 0xc3]),
      Buffer.from('\r\n--B--\r\n'),
    ]);
    assert.equal(extractLoginFields(form, 'multipart/form-data; boundary=B', bin).username, 'alice');
    const badField = Buffer.concat([Buffer.from('--B\r\nContent-Disposition: form-data; name="email"\r\n\r\n'), Buffer.from([0xc3, 0x28]), Buffer.from('\r\n--B--\r\n')]);
    assert.equal(extractLoginFields(form, 'multipart/form-data; boundary=B', badField).problem, 'malformed multipart body');
  });

  it('parsed bodies from a framework', () => {
    assert.deepEqual(extractParsedLoginFields(form, { email: 'a', password: 'b' }), { username: 'a', password: 'b' });
    assert.equal(extractParsedLoginFields(form, { email: ['a', 'b'] }).ambiguous, true);
    assert.equal(extractParsedLoginFields(form, undefined).problem, 'no account name', 'an unparsed body is refused, not counted under ""');
    assert.equal(extractParsedLoginFields(form, 'email=a').problem, 'no account name');
    assert.equal(extractParsedLoginFields(form, { email: { x: 'a' } }).ambiguous, true, 'a nested value is refused');
  });

  it('classify the site answer', () => {
    assert.equal(classifyLoginResponse(form, { status: 401 }), 'failure');
    assert.equal(classifyLoginResponse(form, { status: 302, location: '/account' }), 'success');
    assert.equal(classifyLoginResponse(form, { status: 302, location: '/elsewhere' }), 'unknown', 'every success sign must show');
    assert.equal(classifyLoginResponse(form, { status: 500 }), 'unknown');
    assert.equal(classifyLoginResponse(json, { status: 200 }), 'success');
    assert.equal(classifyLoginResponse(json, { status: 204 }), 'unknown', 'a success status is given: anything else is unknown');
    const wp = { ...form, failure: { status: [], bodyContains: 'login_error' }, success: { status: [], setCookie: 'wordpress_logged_in_' } };
    assert.equal(classifyLoginResponse(wp, { status: 200, body: '<div id="login_error">' }), 'failure');
    assert.equal(classifyLoginResponse(wp, { status: 200, body: 'welcome' }), 'unknown', 'no session cookie: not a success');
    assert.equal(classifyLoginResponse(wp, { status: 302, body: '', setCookies: ['wp-postpass_abc=x; path=/'] }), 'unknown', 'a post-password redirect is not a login');
    assert.equal(classifyLoginResponse(wp, { status: 302, body: '', setCookies: ['wordpress_logged_in_abc=admin%7C1; path=/'] }), 'success');
    assert.equal(classifyLoginResponse(wp, { status: 302, body: '', setCookies: ['wordpress_logged_in_abc=; expires=Thu, 01 Jan 1970'] }), 'unknown', 'a cleared cookie is not a login');
    assert.equal(classifyLoginResponse(wp, { status: 200 }), 'unknown', 'an unread page is never a success');
    // WordPress with ?reauth=1 answers a wrong password without login_error and clears the cookie:
    const reauth = ['wordpress_logged_in_abc=%20; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/'];
    assert.equal(classifyLoginResponse(wp, { status: 200, body: '<form>', setCookies: reauth }), 'unknown', 'a cookie deletion is not a login');
    assert.equal(classifyLoginResponse(wp, { status: 302, body: '', setCookies: ['wordpress_logged_in_abc=admin%7C1; path=/', 'wordpress_logged_in_abc=+; Max-Age=0'] }), 'unknown', 'set, then cleared in the same answer');
    assert.equal(classifyLoginResponse(wp, { status: 302, body: '', setCookies: ['wordpress_logged_in_abc=admin%7C1; expires=Fri, 01 Jan 2100 00:00:00 GMT; path=/'] }), 'success');
    const wp302 = { ...wp, success: { status: [302], setCookie: 'wordpress_logged_in_' } };
    assert.equal(classifyLoginResponse(wp302, { status: 200, body: 'x', setCookies: ['wordpress_logged_in_abc=admin%7C1'] }), 'unknown', 'the recommended rule also wants the redirect');
  });
});

describe('login endpoints: what is a login, and where', () => {
  const FORM = 'application/x-www-form-urlencoded';
  const ep = (raw: Record<string, unknown>) => defaultConfig({ logins: [{ username: { form: 'log' }, password: { form: 'pwd' }, failure: { status: [401] }, success: { status: [302] }, ...raw }] }).logins;

  it('a script path covers its path-info suffixes, in every spelling the policy canonicalises', () => {
    const logins = ep({ path: '/wp-login.php' });
    for (const url of ['/wp-login.php', '/wp-login.php/x', '/wp-login.php/x/y?z=1', '/wp-login.php%2fx', '/WP-LOGIN.PHP/', '//wp-login.php', '/wp-login.php;x', '/wp-login.php.', '/a/../wp-login.php']) {
      assert.ok(findLoginEndpoint(logins, 'POST', url), url);
    }
    for (const url of ['/wp-login.phpx', '/x/wp-login.php', '/wp-login', '/wp-login.ph']) assert.equal(findLoginEndpoint(logins, 'POST', url), undefined, url);
    assert.equal(findLoginEndpoint(logins, 'GET', '/wp-login.php'), undefined, 'another method');
    assert.equal(findLoginEndpoint(ep({ path: '/wp-login.php', path_info: false }), 'POST', '/wp-login.php/x'), undefined, 'path_info: false');
    assert.ok(findLoginEndpoint(ep({ path: '/login', path_info: true }), 'POST', '/login/x'), 'path_info: true on a path without extension');
    assert.equal(findLoginEndpoint(ep({ path: '/login' }), 'POST', '/login/x'), undefined, 'a route is not a script by default');
  });

  it('a directory and its index.php are one endpoint', () => {
    for (const path of ['/app/', '/app/index.php']) {
      const logins = ep({ path });
      for (const url of ['/app', '/app/', '/app/index.php', '/app/index.php/x', '/app/?_task=login', '/app/index.php%2fx']) assert.ok(findLoginEndpoint(logins, 'POST', url), `${path} ${url}`);
      for (const url of ['/app/other.php', '/app/x', '/apps', '/']) assert.equal(findLoginEndpoint(logins, 'POST', url), undefined, `${path} ${url}`);
    }
  });

  it('subtrees, every path, and any method', () => {
    const basic = defaultConfig({ logins: [{ paths: ['/wp-json/*', '/api/*'], credentials: 'http-auth', failure: { status: [401] } }] }).logins;
    assert.equal(basic[0]!.method, '*');
    for (const url of ['/wp-json', '/wp-json/wp/v2/users/me', '/API/x']) assert.ok(findLoginEndpoint(basic, 'DELETE', url), url);
    assert.equal(findLoginEndpoint(basic, 'GET', '/wp-jsonx'), undefined);
    const all = defaultConfig({ logins: [{ paths: ['*'], credentials: 'http-auth', failure: { status: [401] } }] }).logins;
    assert.ok(findLoginEndpoint(all, 'GET', '/anything/at/all'));
  });

  it('a request that names no account field is not a login, in any reading of its body or query', () => {
    const [e] = ep({ path: '/index.php' });
    assert.deepEqual(extractLoginFields(e!, FORM, Buffer.from('route=/sql&sql_query=SELECT+1&token=abc')), { notLogin: true });
    assert.deepEqual(extractLoginFields(e!, FORM, Buffer.from('db=x&db=y&token=abc')), { notLogin: true }, 'a field repeated in the body is no problem when it is not a login');
    assert.deepEqual(extractLoginFields(e!, 'text/plain', Buffer.from('hello')), { notLogin: true });
    assert.deepEqual(extractLoginFields(e!, undefined, Buffer.alloc(0)), { notLogin: true });
    assert.equal(extractLoginFields(e!, FORM, Buffer.from('route=/'), '?log=admin').ambiguous, true, 'the query names it');
    assert.equal(extractLoginFields(e!, 'text/plain', Buffer.from('log=admin&pwd=x')).problem, 'unsupported content type "text/plain"', 'a form reading names it');
    assert.equal(extractLoginFields(e!, undefined, Buffer.from('{"log":"admin"}')).problem, 'no content type', 'a JSON reading names it');
    assert.equal(extractLoginFields(e!, FORM, Buffer.from('log[]=admin&pwd=x')).ambiguous, true, 'a look-alike name is a login, refused');
  });

  it('a body that names another account under another parser is refused', () => {
    const [e] = ep({ path: '/login' });
    const JSONT = 'application/json';
    // issue 7's reproduction: JSON for mamori, a form for a site that lost the Content-Type
    const body = '{"log":"bob@example.com","pwd":"bob-pw","x":"&log=alice@example.com&pwd=GUESS&"}';
    assert.equal(extractLoginFields(e!, JSONT, Buffer.from(body)).problem, 'the body names another account when read by another parser');
    assert.equal(extractLoginFields(e!, JSONT, Buffer.from('{"x":"&log=alice&pwd=GUESS"}')).problem, 'no account name', 'only another parser finds an account');
    assert.equal(extractLoginFields(e!, FORM, Buffer.from('{"log":"alice","pwd":"x"}')).problem, 'no account name', 'a form body that is JSON naming the account');
    const mp = Buffer.from('--B\r\nContent-Disposition: form-data; name="log"\r\n\r\nbob\r\n--B\r\nContent-Disposition: form-data; name="note"\r\n\r\n&log=alice&\r\n--B--\r\n');
    assert.equal(extractLoginFields(e!, 'multipart/form-data; boundary=B', mp).problem, 'the body names another account when read by another parser');
    assert.deepEqual(extractLoginFields(e!, JSONT, Buffer.from('{"log":"bob","pwd":"p w&x=1"}')), { username: 'bob', password: 'p w&x=1' }, 'a password with & is fine when no account is named otherwise');
  });

  it('duplicate JSON keys are refused wherever they are', () => {
    const [e] = ep({ path: '/login' });
    const JSONT = 'application/json';
    assert.equal(extractLoginFields(e!, JSONT, Buffer.from('{"log":"bob","log":"alice"}')).problem, 'the JSON key "log" appears twice');
    assert.equal(extractLoginFields(e!, JSONT, Buffer.from('{"log":"bob","x":{"a":1,"a":2}}')).problem, 'the JSON key "a" appears twice');
    assert.equal(extractLoginFields(e!, JSONT, Buffer.from('{"log":"bob","l\\u006fg":"alice"}')).problem, 'the JSON key "log" appears twice', 'escaped spellings are the same key');
    assert.equal(duplicateJsonKey('{"a":[{"b":1},{"b":2}],"c":"{\\"a\\":1}","d":{"a":1}}'), undefined, 'the same key in sibling objects and strings is fine');
    assert.equal(duplicateJsonKey('[{"a":1,"b":{"a":2},"a":3}]'), 'a');
  });

  it('refuse_fields: a login carrying them anywhere is refused', () => {
    const [e] = ep({ path: '/admin/login', refuse_fields: ['_failure_path'] });
    assert.equal(extractLoginFields(e!, FORM, Buffer.from('log=a&pwd=b&_failure_path=/admin/')).problem, 'the field "_failure_path"');
    assert.equal(extractLoginFields(e!, FORM, Buffer.from('log=a&pwd=b'), '?_failure_path=/admin/').problem, 'the field "_failure_path"');
    assert.equal(extractParsedLoginFields(e!, { log: 'a', _failure_path: '/' }).problem, 'the field "_failure_path"');
    assert.equal(extractLoginFields(e!, FORM, Buffer.from('log=a&pwd=b')).username, 'a');
  });
});

describe('login endpoints: HTTP authentication and XML-RPC', () => {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

  it('reads Basic and Digest credentials; other schemes are not logins; what a server could read otherwise is refused', () => {
    assert.deepEqual(extractAuthorizationFields(`Basic ${b64('admin:pa:ss')}`), { username: 'admin', password: 'pa:ss' });
    assert.deepEqual(extractAuthorizationFields(`bAsIc  ${b64('アリス:x')}`), { username: 'アリス', password: 'x' });
    assert.deepEqual(extractAuthorizationFields('Digest username="ad\\"min", realm="r", nonce="n", uri="/", response="x"'), { username: 'ad"min' });
    assert.deepEqual(extractAuthorizationFields('Digest realm="r", username=admin'), { username: 'admin' });
    assert.deepEqual(extractAuthorizationFields(undefined), { notLogin: true });
    assert.deepEqual(extractAuthorizationFields('Bearer abc.def'), { notLogin: true });
    const refused = (h: string) => extractAuthorizationFields(h).problem;
    assert.equal(refused('Basic YWRtaW4'), 'Basic credentials that are not plain base64');
    assert.equal(refused('Basic YWRt aW46eA=='), 'Basic credentials that are not plain base64');
    assert.equal(refused(`Basic ${b64('admin')}`), 'Basic credentials without a colon');
    assert.equal(refused(`Basic ${Buffer.from([0x61, 0xc3, 0x28, 0x3a]).toString('base64')}`), 'Basic credentials that are not UTF-8');
    assert.equal(refused('Digest username="a", username="b"'), 'the Digest parameter username twice');
    assert.equal(refused("Digest username*=UTF-8''admin"), 'an encoded Digest username');
    assert.equal(refused('Digest realm="r"'), 'a Digest header without a username');
    assert.equal(refused('Digest username="a'), 'malformed Digest parameters');
    assert.equal(refused(`Basic ${'A'.repeat(9000)}`), 'an Authorization header longer than 8 KiB');
  });

  it('classifies HTTP authentication: the failure status fails, anything else proves nothing unless a success sign is given', () => {
    const [e] = defaultConfig({ logins: [{ paths: ['*'], credentials: 'http-auth', failure: { status: [401] } }] }).logins;
    assert.equal(classifyLoginResponse(e!, { status: 401 }), 'failure');
    assert.equal(classifyLoginResponse(e!, { status: 200 }), 'neutral');
    const [withSign] = defaultConfig({ logins: [{ paths: ['*'], credentials: 'http-auth', failure: { status: [401] }, success: { set_cookie: 'sess' } }] }).logins;
    assert.equal(classifyLoginResponse(withSign!, { status: 200, setCookies: ['sess=1'] }), 'success');
    assert.equal(classifyLoginResponse(withSign!, { status: 200 }), 'unknown');
  });

  const [wp] = defaultConfig({ logins: [{ preset: 'wordpress' }] }).logins.filter((l) => l.credentials === 'xmlrpc');
  const call = (method: string, ...params: string[]) =>
    Buffer.from(`<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param><value>${p}</value></param>`).join('')}</params></methodCall>`);
  const s = (v: string) => `<string>${v}</string>`;
  const inner = (method: string, ...params: string[]) =>
    `<value><struct><member><name>methodName</name><value>${s(method)}</value></member><member><name>params</name><value><array><data>${params.map((p) => `<value>${p}</value>`).join('')}</data></array></value></member></struct></value>`;
  const multicall = (...calls: string[]) => call('system.multicall', `<array><data>${calls.join('')}</data></array>`);

  it('reads the credentials of WordPress XML-RPC calls, listed and at the default positions', () => {
    assert.deepEqual(extractXmlRpcFields(wp!, call('wp.getUsersBlogs', s('admin'), s('pw'))), { username: 'admin', password: 'pw', calls: [{ username: 'admin', password: 'pw', index: -1, listed: true }] });
    assert.equal(extractXmlRpcFields(wp!, call('wp.getPosts', '<int>1</int>', s('editor'), s('pw'))).username, 'editor', 'default positions [1, 2]');
    assert.equal(extractXmlRpcFields(wp!, call('blogger.getPost', s('key'), s('12'), s('author'), s('pw'))).username, 'author');
    assert.deepEqual(extractXmlRpcFields(wp!, call('pingback.ping', s('http://a/'), s('http://b/'))), { notLogin: true });
    assert.deepEqual(extractXmlRpcFields(wp!, call('system.listMethods')), { notLogin: true });
    assert.equal(extractXmlRpcFields(wp!, call('wp.getUsersBlogs', '<array><data></data></array>', s('pw'))).problem, "wp.getUsersBlogs's credentials are not strings");
    assert.equal(extractXmlRpcFields(wp!, call('wp.getPosts', '<int>1</int>', '<int>2</int>', s('pw'))).ambiguous, true, 'default positions without strings');
    assert.match(extractXmlRpcFields(wp!, Buffer.from('<!DOCTYPE x><methodCall/>')).problem!, /^not plain XML-RPC: /);
  });

  it('every credential call of a system.multicall is an attempt; more than the cap is refused', () => {
    const f = extractXmlRpcFields(wp!, multicall(inner('wp.getUsersBlogs', s('admin'), s('a')), inner('pingback.ping', s('x'), s('y')), inner('wp.getUsersBlogs', s('admin'), s('b')), inner('system.multicall')));
    assert.deepEqual(f.calls, [
      { username: 'admin', password: 'a', index: 0, listed: true },
      { username: 'admin', password: 'b', index: 2, listed: true },
    ]);
    const many = Array.from({ length: MAX_XMLRPC_CALLS + 1 }, (_, i) => inner('wp.getUsersBlogs', s('admin'), s(`p${i}`)));
    assert.equal(extractXmlRpcFields(wp!, multicall(...many)).problem, `more than ${MAX_XMLRPC_CALLS} calls with credentials`);
    // A padded method name is the method to WordPress (IXR trims strings): read at its own positions.
    assert.deepEqual(extractXmlRpcFields(wp!, multicall(inner(' wp.getUsersBlogs\n', s('admin'), s('guess')))).calls, [{ username: 'admin', password: 'guess', index: 0, listed: true }]);
    assert.equal(extractXmlRpcFields(wp!, call('wp.getUsersBlogs', '  ', s('admin'), s('guess'))).ambiguous, true, 'a dropped value would move the params');
    assert.equal(extractXmlRpcFields(wp!, call('system.multicall', s('x'))).problem, 'system.multicall without one array of calls');
  });

  it('classifies each call from the answer', () => {
    const fault = (code: number) => `<value><struct><member><name>faultCode</name><value><int>${code}</int></value></member><member><name>faultString</name><value><string>x</string></value></member></struct></value>`;
    const answer = (body: string) => ({ status: 200, body: `<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse>${body}</methodResponse>` });
    const single = [{ username: 'admin', password: 'a', index: -1, listed: true }];
    assert.deepEqual(classifyXmlRpcAnswer(wp!, single, answer(`<fault>${fault(403)}</fault>`)), ['failure']);
    assert.deepEqual(classifyXmlRpcAnswer(wp!, single, answer('<params><param><value><array><data></data></array></value></param></params>')), ['success']);
    assert.deepEqual(classifyXmlRpcAnswer(wp!, single, answer(`<fault>${fault(405)}</fault>`)), ['unknown']);
    assert.deepEqual(classifyXmlRpcAnswer(wp!, [{ ...single[0]!, listed: false }], answer('<params><param><value>ok</value></param></params>')), ['neutral']);
    assert.deepEqual(classifyXmlRpcAnswer(wp!, single, { status: 200, body: '<html>' }), ['unknown']);
    assert.deepEqual(classifyXmlRpcAnswer(wp!, single, { status: 500, body: undefined }), ['unknown']);
    const calls = [0, 1, 3].map((index) => ({ username: 'admin', password: `p${index}`, index, listed: true }));
    const results = `<params><param><value><array><data>${fault(403)}<value><array><data><value>ok</value></data></array></value>${fault(-32601)}<value>junk</value></data></array></value></param></params>`;
    assert.deepEqual(classifyXmlRpcAnswer(wp!, calls, answer(results)), ['failure', 'success', 'unknown']);
  });
});

describe('login endpoints: what PHP reads that a naive reader does not (red-team findings)', () => {
  const [wp] = defaultConfig({ logins: [{ preset: 'wordpress' }] }).logins;
  const FORM = 'application/x-www-form-urlencoded';
  const refused = (ct: string, body: string) => extractLoginFields(wp!, ct, Buffer.from(body, 'latin1')).ambiguous === true;

  it('an account name with control characters is refused, wherever it comes from', () => {
    assert.equal(extractLoginFields(wp!, FORM, Buffer.from('log=ad%01min&pwd=x')).problem, 'control characters in the account name');
    assert.equal(extractLoginFields(wp!, FORM, Buffer.from('log=admin%00&pwd=x')).problem, 'control characters in the account name');
    assert.equal(extractAuthorizationFields(`Basic ${Buffer.from('ad\u0001min:x').toString('base64')}`).problem, 'control characters in the account name');
    assert.equal(extractAuthorizationFields('Digest username="ad\u007fmin"').problem, 'control characters in the account name');
    const [rpc] = defaultConfig({ logins: [{ preset: 'wordpress' }] }).logins.filter((l) => l.credentials === 'xmlrpc');
    const body = '<methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value>ad\u007fmin</value></param><param><value>x</value></param></params></methodCall>';
    assert.equal(extractXmlRpcFields(rpc!, Buffer.from(body)).problem, 'control characters in the account name');
  });

  it('a NUL byte ends a field name, as PHP registers it', () => {
    assert.equal(phpFieldName('log\u0000x'), 'log');
    assert.equal(phpFieldName(' a.b[c]'), 'a_b');
    assert.equal(phpFieldName('a[b.c'), 'a_b_c', 'an unclosed bracket');
    assert.ok(refused(FORM, 'log%00x=admin&pwd=guess'), 'the login is seen, and refused as a look-alike');
    assert.ok(refused(FORM, 'log=victim&log%00=attacker&pwd=pw'));
    const mp = '--B\r\nContent-Disposition: form-data; name="log\u0000x"\r\n\r\nadmin\r\n--B--\r\n';
    assert.ok(refused('multipart/form-data; boundary=B', mp));
  });

  it('multipart bodies PHP reads otherwise are refused when they could hold the account', () => {
    const part = (disposition: string, value = 'admin') => `Content-Disposition: ${disposition}\r\n\r\n${value}\r\n`;
    const cases: [string, string, string][] = [
      ['attachment disposition', 'multipart/form-data; boundary=B', `--B\r\n${part('attachment; name="log"')}--B--\r\n`],
      ['type cut at a comma', 'multipart/form-data, x; boundary=B', `--B\r\n${part('form-data; name="log"')}--B--\r\n`],
      ['type cut at a space', 'multipart/form-data boundary=B', `--B\r\n${part('form-data; name="log"')}--B--\r\n`],
      ['a closing delimiter first', 'multipart/form-data; boundary=B', `--B--\r\n--B\r\n${part('form-data; name="log"')}--B--\r\n`],
      ['two boundaries', 'multipart/form-data; xboundary=A; boundary=B', `--B\r\n${part('form-data; name="log"', 'decoy')}--B--\r\n--A\r\n${part('form-data; name="log"')}--A--\r\n`],
      ['filename*', 'multipart/form-data; boundary=B', `--B\r\n${part("form-data; name=\"log\"; filename*=UTF-8''x")}--B--\r\n`],
      ['a bare LF before a delimiter', 'multipart/form-data; boundary=B', `--B\r\n${part('form-data; name="x"', 'a\n--B\r\nContent-Disposition: form-data; name="log"\r\n\r\nadmin')}--B--\r\n`],
      ['a bare LF in a part head', 'multipart/form-data; boundary=B', '--B\r\nX: 1\nContent-Disposition: form-data; name="log"\r\n\r\nadmin\r\n--B--\r\n'],
      // Second red-team pass:
      ['a folded disposition', 'multipart/form-data; boundary=B', '--B\r\nContent-Disposition: form-data; name="xlog"\r\n ; name="log"\r\n\r\nadmin\r\n--B--\r\n'],
      ['a line without a colon', 'multipart/form-data; boundary=B', '--B\r\nContent-Disposition: form-data; name="xlog"\r\n; name="log"\r\n\r\nadmin\r\n--B--\r\n'],
      ['a space after =', 'multipart/form-data; boundary=B', `--B\r\n${part('form-data; name= "log"')}--B--\r\n`],
      ['an unclosed quote', 'multipart/form-data; boundary=B', `--B\r\n${part('form-data; name="log')}--B--\r\n`],
      ['parts after the closing delimiter', 'multipart/form-data; boundary=B', `--B\r\n${part('form-data; name="x"', '1')}--B--\r\n--B\r\n${part('form-data; name="log"')}--B--\r\n`],
      ['a backslash in a quoted name', 'multipart/form-data; boundary=B', `--B\r\n${part('form-data; name="lo\\g"')}--B--\r\n`],
    ];
    for (const [name, ct, body] of cases) assert.ok(refused(ct, body), name);
    // What browsers send still reads.
    const ok = extractLoginFields(wp!, 'multipart/form-data; boundary=----WebKitFormBoundaryAbC', Buffer.from(`------WebKitFormBoundaryAbC\r\n${part('form-data; name="log"')}------WebKitFormBoundaryAbC\r\n${part('form-data; name="pwd"', 'pw')}------WebKitFormBoundaryAbC--\r\n`));
    assert.deepEqual(ok, { username: 'admin', password: 'pw' });
    // Quotes may hold ; and = (a file named so is a file; a parameter quoting a filename= is no filename).
    const quoted = extractLoginFields(wp!, 'multipart/form-data; boundary=B', Buffer.from(`--B\r\n${part('form-data; name="a"; filename="report; name=final.txt"', 'file')}--B\r\n${part('form-data; name="log"; x="; filename=y"')}--B--\r\n`));
    assert.deepEqual(quoted, { username: 'admin' });
    // A type parsers disagree on is refused with any body: it may name the account in any encoding.
    assert.ok(refused('multipart/form-data, x; boundary=B', `--B\r\n${part('form-data; name="upload"', 'data')}--B--\r\n`));
    assert.ok(refused('application/x-www-form-urlencoded, x', 'l%6Fg=admin&pwd=x'), 'a percent-encoded name under a cut type');
    assert.deepEqual(extractLoginFields(wp!, 'application/x-www-form-urlencoded, x', Buffer.alloc(0)), { notLogin: true });
  });
});

describe('login endpoints: several endpoints on one path', () => {
  it('a request is a login for the endpoint whose credentials it carries, the body before the Authorization header', async () => {
    const logins = defaultConfig({ logins: [{ preset: 'wordpress' }, { preset: 'phpmyadmin' }] }).logins;
    const basic = `Basic ${Buffer.from('admin:x').toString('base64')}`;
    const read = (url: string, body: string, authorization?: string) =>
      pickLogin(findLoginEndpoints(logins, 'POST', url), (e) =>
        e.credentials === 'http-auth' ? extractAuthorizationFields(authorization) : e.credentials === 'xmlrpc' ? extractXmlRpcFields(e, Buffer.from(body)) : extractLoginFields(e, 'application/x-www-form-urlencoded', Buffer.from(body)),
      );
    assert.equal((await read('/phpmyadmin/index.php', 'pma_username=dba&pma_password=x'))?.endpoint.name, 'phpmyadmin-login', 'not hidden by the * endpoint listed first');
    assert.equal(await read('/phpmyadmin/index.php', 'route=/sql&sql_query=1'), undefined);
    assert.equal((await read('/wp-json/wp/v2/users/me', '', basic))?.endpoint.name, 'wordpress-http-auth');
    const call = '<methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value>admin</value></param><param><value>pw</value></param></params></methodCall>';
    assert.equal((await read('/xmlrpc.php', call))?.endpoint.name, 'wordpress-xmlrpc');
    assert.equal((await read('/xmlrpc.php', call, basic))?.endpoint.name, 'wordpress-xmlrpc', 'the call is counted, whatever the header');
    assert.equal((await read('/phpmyadmin/index.php', 'pma_username=dba&pma_password=x', basic))?.endpoint.name, 'phpmyadmin-login', 'a decoy Basic header does not hide the form');
    assert.equal((await read('/phpmyadmin/index.php', 'route=/sql', basic))?.endpoint.name, 'wordpress-http-auth');
  });
});
