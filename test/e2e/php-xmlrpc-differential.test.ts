/**
 * Differential test of mamori's XML-RPC reader against WordPress's own (IXR_Message, run by
 * PHP): for each body, the credential calls mamori reads with the WordPress preset must be the
 * ones WordPress's reader gives (same methods, same accounts and passwords, in order), or mamori
 * refuses the body.
 *
 * Needs PHP's CLI and Debian's wordpress package (IXR under /usr/share/wordpress, or
 * MAMORI_WP_IXR); skipped with a reason where they are missing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, extractXmlRpcFields } from 'mamori/internal';

const IXR = process.env['MAMORI_WP_IXR'] ?? '/usr/share/wordpress/wp-includes/IXR/';
const php = spawnSync('php', ['-v'], { encoding: 'utf8' });
const xml = php.error || php.status !== 0 ? undefined : spawnSync('php', ['-r', 'exit(function_exists("xml_parser_create") ? 0 : 1);']);
const missing =
  php.error || php.status !== 0
    ? 'php (the CLI) not found'
    : xml?.status !== 0
      ? "PHP's XML extension not found (apt-get install php-xml)"
      : !existsSync(join(IXR, 'class-IXR-message.php'))
        ? `WordPress's IXR not found at ${IXR} (apt-get install wordpress, or set MAMORI_WP_IXR)`
        : undefined;
if (missing) console.log(`# skipping the XML-RPC differential test: ${missing}`);

const dir = mkdtempSync(join(tmpdir(), 'mamori-ixr-'));
const SCRIPT = join(dir, 'ixr.php');
writeFileSync(
  SCRIPT,
  `<?php
$d = ${JSON.stringify(IXR)};
require $d . '/class-IXR-date.php'; require $d . '/class-IXR-base64.php'; require $d . '/class-IXR-message.php';
function apply_filters($n, $v) { return $v; }
$m = new IXR_Message(file_get_contents('php://stdin'));
$ok = @$m->parse();
echo json_encode(['ok' => $ok && $m->messageType === 'methodCall', 'method' => $m->methodName, 'params' => $m->params], JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR);
`,
);

const [wp] = defaultConfig({ logins: [{ preset: 'wordpress' }] }).logins.filter((l) => l.credentials === 'xmlrpc');

/** The credential calls WordPress runs for a parsed message, with the preset's positions (checked against WordPress's source). */
function wordpressCalls(r: { ok: boolean; method: string; params: unknown[] }): string[] {
  if (!r.ok) return [];
  const one = (method: string, params: unknown[]): string[] => {
    const at = Object.hasOwn(wp!.xmlrpc!.methods, method) ? wp!.xmlrpc!.methods[method]! : wp!.xmlrpc!.defaultParams!;
    if (at.length === 0) return [];
    return [`${method}(${JSON.stringify(params[at[0]!])}, ${JSON.stringify(params[at[1]!])})`];
  };
  if (r.method !== 'system.multicall') return one(r.method, r.params ?? []);
  const list = r.params?.[0];
  if (!Array.isArray(list)) return [];
  return list.flatMap((c: { methodName?: unknown; params?: unknown }) =>
    typeof c?.methodName === 'string' && c.methodName !== 'system.multicall' && Array.isArray(c.params) ? one(c.methodName, c.params) : [],
  );
}

const s = (v: string) => `<value><string>${v}</string></value>`;
const call = (method: string, params: string[], decl = '<?xml version="1.0"?>') => `${decl}<methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param>${p}</param>`).join('')}</params></methodCall>`;
const inner = (method: string, params: string[]) => `<value><struct><member><name>methodName</name>${s(method)}</member><member><name>params</name><value><array><data>${params.join('')}</data></array></value></member></struct></value>`;
const multi = (...calls: string[]) => call('system.multicall', [`<value><array><data>${calls.join('')}</data></array></value>`]);

const CASES: string[] = [
  call('wp.getUsersBlogs', [s('admin'), s('pw')]),
  call(' wp.getUsersBlogs\n', [s(' admin '), s('\tpw ')]),
  call('wp.getUsersBlogs', ['<value>admin</value>', '<value> pw </value>']),
  call('wp.getUsersBlogs', ['<value>  </value>', s('admin'), s('pw')]),
  call('wp.getUsersBlogs', ['<value/>', s('admin'), s('pw')]),
  call('wp.getUsersBlogs', ['<value><nil/></value>', s('admin'), s('pw')]),
  call('wp.getUsersBlogs', ['<value><i8>1</i8></value>', s('admin'), s('pw')]),
  call('wp.getUsersBlogs', ['<value><string/></value>', s('admin')]),
  call('wp.getUsersBlogs', [s('ad&amp;min'), s('p&#119;')]),
  call('wp.getUsersBlogs', [s('ad<![CDATA[min]]>'), s('pw')]),
  call('wp.getUsersBlogs', [s('ad<!-- x -->min'), s('pw')]),
  call('wp&#46;getUsersBlogs', [s('admin'), s('pw')]),
  call('wp.getPosts', ['<value><int>1</int></value>', s('editor'), s('pw')]),
  call('wp.getPosts', ['<value><int> 1 </int></value>', '<value>editor</value>', s('pw')]),
  call('wp.getPage', [s('1'), s('2'), s('author'), s('pw')]),
  call('blogger.getPost', [s('k'), s('12'), s('author'), s('pw')]),
  call('pingback.ping', [s('http://a/'), s('http://b/')]),
  call('wp.getUsersBlogs', [`<value><struct><member><name>a</name>${s('1')}</member></struct></value>`, s('pw')]),
  call('wp.getUsersBlogs', [s('admin'), s('pw')], '<?xml version="1.0" encoding="ISO-8859-1"?>'),
  call('wp.getUsersBlogs', [s('admin'), s('pw')], '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE methodCall>'),
  call('wp.getUsersBlogs', [s('admin'), s('pw')], '\ufeff<?xml version="1.0"?>'),
  call('wp.getUsersBlogs', ['<value><string attr="1">admin</string></value>', s('pw')]),
  call('wp.getUsersBlogs', ['<value><String>admin</String></value>', s('pw')]),
  call('wp.getUsersBlogs', ['<value><string>admin</string> </value>', s('pw')]),
  call('wp.getUsersBlogs', ['<value> <string>admin</string></value>', s('pw')]),
  call('wp.getUsersBlogs', ['<value>x<string>admin</string></value>', s('pw')]),
  call('wp.getUsersBlogs', [s('admin'), s('pw'), s('extra')]),
  call('wp.getUsersBlogs', [s('admin')]),
  '<methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value><string>admin</string></value></param></params></methodCall><extra/>',
  '<methodCall><methodName>wp.getUsersBlogs</methodName><methodName>wp.getPosts</methodName><params></params></methodCall>',
  multi(inner('wp.getUsersBlogs', [s('admin'), s('a')]), inner('wp.getUsersBlogs', [s('admin'), s('b')])),
  multi(inner(' wp.getUsersBlogs ', [s('admin'), s('a')])),
  multi(inner('wp.getUsersBlogs', ['<value> </value>', s('admin'), s('a')])),
  multi(inner('system.multicall', [`<value><array><data>${inner('wp.getUsersBlogs', [s('admin'), s('a')])}</data></array></value>`])),
  multi(
    `<value><struct><member><name>methodName</name>${s('wp.getPosts')}</member><member><name>methodName</name>${s('wp.getUsersBlogs')}</member><member><name>params</name><value><array><data>${s('admin')}${s('a')}</data></array></value></member></struct></value>`,
  ),
  multi(`<value><struct><member><name> methodName </name>${s('wp.getUsersBlogs')}</member><member><name>params</name><value><array><data>${s('admin')}${s('a')}</data></array></value></member></struct></value>`),
  multi(inner('pingback.ping', [s('a'), s('b')]), inner('wp.getUsersBlogs', [s('admin'), s('c')])),
];

describe('e2e: mamori reads XML-RPC calls as WordPress does, or refuses them', { skip: missing }, () => {
  it("WordPress's IXR and mamori agree on every credential call", () => {
    let ran = 0;
    let refused = 0;
    const disagreements: string[] = [];
    for (const body of CASES) {
      const r = spawnSync('php', [SCRIPT], { input: body, encoding: 'utf8', timeout: 10_000 });
      // (Say why when PHP did not answer: a failed spawn or a PHP error, not a bare JSON error.)
      assert.ok(r.status === 0 && r.stdout, `php ${SCRIPT} gave status ${r.status} (${r.error?.message ?? r.signal ?? ''}): ${r.stderr.slice(0, 500)}`);
      const ixr = JSON.parse(r.stdout) as { ok: boolean; method: string; params: unknown[] };
      const f = extractXmlRpcFields(wp!, Buffer.from(body, 'utf8'));
      ran++;
      if (f.ambiguous) {
        refused++;
        continue;
      }
      const ours = (f.calls ?? []).map((c) => `${JSON.stringify(c.username)}|${JSON.stringify(c.password ?? null)}`);
      const theirs = wordpressCalls(ixr).map((x) => {
        const m = /^[^(]*\((.*), (.*)\)$/.exec(x)!;
        return `${m[1]}|${m[2] === 'undefined' ? 'null' : m[2]}`;
      });
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) disagreements.push(`${body.slice(0, 160)}\n  WordPress ${JSON.stringify(theirs)}\n  mamori    ${JSON.stringify(ours)}`);
    }
    assert.deepEqual(disagreements, []);
    assert.equal(ran, CASES.length);
    console.log(`# XML-RPC differential: ${ran} cases, ${refused} refused by mamori, the rest read alike`);
  });
});
