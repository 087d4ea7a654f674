/**
 * Differential test of mamori's login-body reader against PHP itself: each body is given to
 * `php-cgi` (as PHP-FPM and mod_php read a POST: $_POST from the body and its Content-Type)
 * and to mamori's reader for the WordPress preset's form login. For every case, either mamori
 * refuses the body, or mamori's account is exactly what PHP put in $_POST['log'] (and when
 * mamori calls it no login, PHP has no account either).
 *
 * Needs php-cgi (Debian: php8.2-cgi); skipped with a reason where it is missing. MAMORI_PHP_CGI
 * names another binary.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, extractAuthorizationFields, extractLoginFields } from 'mamori/internal';
import { phpMissing as missing, runPhpCgi } from './php-cgi.js';

if (missing) console.log(`# skipping the PHP differential test: ${missing}`);

const dir = mkdtempSync(join(tmpdir(), 'mamori-php-'));
const SCRIPT = join(dir, 'dump.php');
writeFileSync(SCRIPT, '<?php echo "\\n--JSON--\\n", json_encode(["log" => $_POST["log"] ?? null, "user" => $_SERVER["PHP_AUTH_USER"] ?? null], JSON_INVALID_UTF8_SUBSTITUTE);');

/** What PHP puts in $_POST['log'] for this body (a string, another value, or null), and in PHP_AUTH_USER for this Authorization header. */
function phpReads(contentType: string | undefined, body: Buffer, authorization?: string): unknown {
  const out = runPhpCgi(SCRIPT, { contentType, body, env: authorization === undefined ? {} : { HTTP_AUTHORIZATION: authorization } });
  const got = JSON.parse(Buffer.from(out, 'latin1').toString('utf8')) as { log: unknown; user: unknown };
  return authorization === undefined ? got.log : got.user;
}

const FORM = 'application/x-www-form-urlencoded';
const mp = (boundary: string, parts: string[], end = `--${boundary}--\r\n`) => parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + end;
const part = (disposition: string, value: string, extra = '') => `${extra}Content-Disposition: ${disposition}\r\n\r\n${value}`;

function cases(): { name: string; ct: string | undefined; body: string }[] {
  const out: { name: string; ct: string | undefined; body: string }[] = [];
  // Field names PHP may read as `log`.
  const names = ['log', 'log%00', 'log%00x', '%20log', '+log', 'log[]', 'log[x]', 'log[', 'log[x', 'lo%67', 'LOG', 'log.', 'l.og', 'log%5b%5d', 'log%5B0%5D', '%00log', 'log%20', 'log]', 'lo g'];
  for (const n of names) {
    out.push({ name: `form ${n}`, ct: FORM, body: `${n}=alice&pwd=x` });
    out.push({ name: `form decoy then ${n}`, ct: FORM, body: `log=decoy&${n}=alice&pwd=x` });
    out.push({ name: `form ${n} then decoy`, ct: FORM, body: `${n}=alice&log=decoy&pwd=x` });
  }
  // Content types PHP reads as a form or multipart.
  for (const ct of [FORM, `${FORM}; charset=UTF-8`, 'APPLICATION/X-WWW-FORM-URLENCODED', `${FORM}, text/plain`, `${FORM} x`, `${FORM};`, 'text/plain', undefined, 'application/json']) {
    out.push({ name: `type ${ct}`, ct, body: 'log=alice&pwd=x' });
  }
  // Multipart, the browser form and its variants.
  const B = '----WebKitFormBoundaryX1y2';
  const login = [part('form-data; name="log"', 'alice'), part('form-data; name="pwd"', 'x')];
  const types = [`multipart/form-data; boundary=${B}`, `multipart/form-data; boundary="${B}"`, `multipart/form-data, x; boundary=${B}`, `multipart/form-data boundary=${B}`, `Multipart/Form-Data; BOUNDARY=${B}`, `multipart/form-data; charset=utf-8; boundary=${B}`];
  for (const ct of types) out.push({ name: `multipart type ${ct}`, ct, body: mp(B, login) });
  const ct = `multipart/form-data; boundary=${B}`;
  const dispositions = ['form-data; name="log"', "form-data; name='log'", 'form-data; name=log', 'attachment; name="log"', 'form-data; name="log\u0000x"', 'form-data; name="x"; name="log"', 'form-data; name="log"; filename="a.txt"', "form-data; name=\"log\"; filename*=UTF-8''a", 'FORM-DATA; NAME="log"', 'form-data;name="log"', 'form-data; name="log[]"', 'form-data; name=" log"', 'form-data; name="l.og"'];
  for (const d of dispositions) out.push({ name: `disposition ${d}`, ct, body: mp(B, [part(d, 'alice'), part('form-data; name="pwd"', 'x')]) });
  out.push({ name: 'two parts named log', ct, body: mp(B, [part('form-data; name="log"', 'decoy'), part('form-data; name="log"', 'alice')]) });
  out.push({ name: 'a closing delimiter first', ct, body: `--${B}--\r\n${mp(B, login)}` });
  out.push({ name: 'a preamble', ct, body: `preamble\r\n${mp(B, login)}` });
  out.push({ name: 'LF line ends', ct, body: mp(B, login).replace(/\r\n/g, '\n') });
  out.push({ name: 'a bare LF before a delimiter', ct, body: mp(B, [part('form-data; name="note"', `a\n--${B}\r\nContent-Disposition: form-data; name="log"\r\n\r\nalice`)]) });
  out.push({ name: 'two boundaries in the type', ct: `multipart/form-data; xboundary=A; boundary=${B}`, body: mp(B, [part('form-data; name="log"', 'decoy')]) + mp('A', [part('form-data; name="log"', 'alice')]) });
  out.push({ name: 'a header before the disposition', ct, body: mp(B, [part('form-data; name="log"', 'alice', 'Content-Type: text/plain\r\n')]) });
  out.push({ name: 'two dispositions', ct, body: mp(B, [`Content-Disposition: form-data; name="x"\r\nContent-Disposition: form-data; name="log"\r\n\r\nalice`]) });
  out.push({ name: 'no closing delimiter', ct, body: mp(B, login, '') });
  // The second red-team pass: what PHP's header and parameter reading accepts.
  out.push({ name: 'a folded disposition', ct, body: mp(B, [`Content-Disposition: form-data; name="xlog"\r\n ; name="log"\r\n\r\nalice`]) });
  out.push({ name: 'a line without a colon', ct, body: mp(B, [`Content-Disposition: form-data; name="xlog"\r\n; name="log"\r\n\r\nalice`]) });
  out.push({ name: 'a space after =', ct, body: mp(B, [part('form-data; name= "log"', 'alice')]) });
  out.push({ name: 'an unclosed quote', ct, body: mp(B, [part('form-data; name="log', 'alice')]) });
  out.push({ name: 'a quoted filename= in another parameter', ct, body: mp(B, [part('form-data; name="log"; x="; filename=y"', 'alice')]) });
  out.push({ name: 'a filename with ; and =', ct, body: mp(B, [part('form-data; name="f"; filename="a; name=log"', 'file'), part('form-data; name="log"', 'alice')]) });
  out.push({ name: 'parts after the closing delimiter', ct, body: mp(B, [part('form-data; name="x"', '1')]) + mp(B, [part('form-data; name="log"', 'alice')]) });
  out.push({ name: 'a backslash in a quoted name', ct, body: mp(B, [part('form-data; name="lo\\g"', 'alice')]) });
  out.push({ name: 'upper-case NAME', ct, body: mp(B, [part('form-data; NAME="log"', 'alice')]) });
  out.push({ name: 'a percent-encoded name under a cut type', ct: `${FORM}, x`, body: 'l%6Fg=alice&pwd=x' });
  // JSON and form readings of the same bytes.
  out.push({ name: 'JSON sent as a form', ct: FORM, body: '{"log":"bob","x":"&log=alice&"}' });
  out.push({ name: 'a form inside JSON', ct: 'application/json', body: '{"log":"bob","x":"&log=alice&pwd=x&"}' });
  return out;
}

describe('e2e: mamori reads a login body as PHP does, or refuses it', { skip: missing }, () => {
  it('php-cgi and mamori agree on the account in every case', () => {
    const [e] = defaultConfig({ logins: [{ preset: 'wordpress' }] }).logins;
    const all = cases();
    let ran = 0;
    let refused = 0;
    const disagreements: string[] = [];
    for (const c of all) {
      const body = Buffer.from(c.body, 'utf8');
      const php = phpReads(c.ct, body);
      const m = extractLoginFields(e!, c.ct, body);
      ran++;
      if (m.ambiguous) {
        refused++;
        continue;
      }
      const phpAccount = typeof php === 'string' && php !== '' ? php : undefined;
      const ours = m.notLogin ? undefined : m.username;
      if (phpAccount !== ours && !(phpAccount === undefined && typeof php !== 'string' && php !== null)) disagreements.push(`${c.name}: PHP ${JSON.stringify(php)}, mamori ${JSON.stringify(m)}`);
      if (typeof php !== 'string' && php !== null && !m.ambiguous) disagreements.push(`${c.name}: PHP reads an array ${JSON.stringify(php)}, mamori did not refuse`);
    }
    assert.deepEqual(disagreements, []);
    assert.equal(ran, all.length);
    assert.ok(ran >= 100, `ran ${ran}`);
    console.log(`# PHP differential: ${ran} cases, ${refused} refused by mamori, the rest read alike`);
  });

  it('php-cgi and mamori agree on the account of an HTTP Basic header, or mamori refuses it', () => {
    const b64 = (x: string) => Buffer.from(x, 'utf8').toString('base64');
    const headers = [
      `Basic ${b64('admin:x')}`, `basic ${b64('admin:x')}`, `BASIC ${b64('admin:x')}`, `Basic ${b64('admin:x').replace(/=+$/, '')}`, `Basic  ${b64('admin:x')}`,
      `Basic ${b64('admin:x').slice(0, 4)} ${b64('admin:x').slice(4)}`, `Basic ${b64('admin:x').slice(0, 4)}!${b64('admin:x').slice(4)}`, `Basic\t${b64('admin:x')}`,
      `Basic ${b64('admin')}`, `Basic ${b64('ad:min:x')}`, `Basic ${b64(':x')}`, `Basic ${b64('アリス:x')}`, `Basic ${b64('admin:x')}==`, `Basic =${b64('admin:x')}`,
      `Basic ${b64('admin\u0000x:y')}`, 'Basic', 'Bearer abc', `Digest username="admin"`, `Basic ${b64('admin:x')}, Basic ${b64('root:y')}`,
    ];
    let ran = 0;
    const disagreements: string[] = [];
    for (const h of headers) {
      const php = phpReads(undefined, Buffer.alloc(0), h);
      const m = extractAuthorizationFields(h);
      ran++;
      if (m.ambiguous) continue;
      const phpUser = typeof php === 'string' && php !== '' ? php : undefined;
      const ours = m.notLogin ? undefined : m.username;
      // (Digest is not PHP's to decode: PHP_AUTH_USER stays unset; mamori counts the name, which only adds.)
      if (h.startsWith('Digest')) continue;
      if (phpUser !== (ours === '' ? undefined : ours)) disagreements.push(`${JSON.stringify(h)}: PHP ${JSON.stringify(php)}, mamori ${JSON.stringify(m)}`);
    }
    assert.deepEqual(disagreements, []);
    assert.equal(ran, headers.length);
  });
});
