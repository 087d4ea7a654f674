/**
 * The harness of the parsing-differential tests (docs/waf-parsing-differentials.md): the WAF
 * mamori runs (its setup as `mamori up` writes it from mamori.yaml's defaults: strict bodies,
 * CRS v4.28.0 blocking at a paranoia level, anomaly threshold 5, mamori's rule pack), raw requests run through it,
 * and what PHP itself reads from the same bytes (php-cgi), to compare with what the WAF inspected.
 * The strict-body refusals (REQBODY_ERROR and MULTIPART_STRICT_ERROR, denied before CRS) are
 * told apart from CRS's own detections by their rule ids.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProductWaf, SETUP_IDS } from 'mamori/internal';
import { sharedData } from 'mamori/testing';
import { locateCrs, parseRawRequest, type Transaction, type Waf } from 'mamori/waf';
import { phpMissing, runPhpCgi } from '../e2e/php-cgi.js';

export const crs = sharedData('crs', 'MAMORI_CRS_DIR');
export const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
export const missing = crs.missing ?? libinjection.missing;
export { phpMissing };

/** The ids of mamori's strict-body refusals. */
export const REFUSAL_BODY: number = SETUP_IDS.bodyError;
export const REFUSAL_MULTIPART: number = SETUP_IDS.multipartStrict;

const wafs = new Map<number, Waf>();
/** The WAF mamori runs with mamori.yaml's defaults, at `paranoia`. */
export function blockingWaf(paranoia = 1): Waf {
  let w = wafs.get(paranoia);
  if (!w) {
    const found = locateCrs({ path: crs.dir }).crs;
    if (!found) throw new Error(`no CRS at ${crs.dir}`);
    w = loadProductWaf({
      mode: 'enforce',
      crs: found,
      ownRules: true,
      ruleFiles: [],
      paranoia,
      inboundThreshold: 5,
      outboundThreshold: 4,
      requestBodyLimit: 8 * 1024 * 1024,
      requestBodyNoFilesLimit: 1024 * 1024,
      maxArguments: 1000,
      responseBody: false,
      strict: true,
      exclusions: [],
      sqliDataDir: libinjection.dir,
    }).waf;
    wafs.set(paranoia, w);
  }
  return w;
}

export interface Outcome {
  /** 200 when the request went through, else the refusal's status (403 CRS, 400 mamori). */
  readonly status: number;
  /** `refused` (the request reader answers 400 before any rule, as a server does), `detected` (a rule of CRS or mamori's pack refused it), `flagged` (mamori's strict-body refusal), `passed`. */
  readonly verdict: 'refused' | 'detected' | 'flagged' | 'passed';
  readonly ruleId: number | undefined;
  /** REQBODY_ERROR_MSG, and the MULTIPART_* flags that were set. */
  readonly flags: readonly string[];
  /** What the rules inspected: ARGS values, FILES (file names), FILES_NAMES (field names). */
  readonly args: readonly (readonly [string, string])[];
  readonly files: readonly string[];
  readonly fileFields: readonly string[];
  readonly tx: Transaction | undefined;
}

const FLAG_NAMES = ['MULTIPART_BOUNDARY_QUOTED', 'MULTIPART_BOUNDARY_WHITESPACE', 'MULTIPART_DATA_BEFORE', 'MULTIPART_DATA_AFTER', 'MULTIPART_HEADER_FOLDING', 'MULTIPART_LF_LINE', 'MULTIPART_MISSING_SEMICOLON', 'MULTIPART_INVALID_QUOTING', 'MULTIPART_INVALID_PART', 'MULTIPART_INVALID_HEADER_FOLDING', 'MULTIPART_FILE_LIMIT_EXCEEDED', 'MULTIPART_UNMATCHED_BOUNDARY', 'MULTIPART_CRLF_LF_LINES'];

/** One raw request (a latin1 byte string) through phases 1 and 2. */
export function run(raw: string, paranoia = 1): Outcome {
  const parsed = parseRawRequest(raw);
  if (!parsed.request) return { status: 400, verdict: 'refused', ruleId: undefined, flags: [`the request reader: ${parsed.problem}`], args: [], files: [], fileFields: [], tx: undefined };
  const tx = blockingWaf(paranoia).transaction(parsed.request);
  const it = tx.processRequestHeaders() ?? tx.processRequestBody();
  const one = (n: string) => tx.vars.get(n)?.entries[0]?.value;
  const flags: string[] = [];
  if (one('REQBODY_ERROR') === '1') flags.push(`REQBODY_ERROR: ${one('REQBODY_ERROR_MSG')}`);
  for (const f of FLAG_NAMES) if (one(f) === '1') flags.push(f);
  const all = (n: string) => (tx.vars.get(n)?.entries ?? []).map((e) => [e.key, e.value] as const);
  const verdict = !it ? 'passed' : it.ruleId === REFUSAL_BODY || it.ruleId === REFUSAL_MULTIPART ? 'flagged' : 'detected';
  return {
    status: it ? it.status : 200,
    verdict,
    ruleId: it?.ruleId,
    flags,
    args: all('ARGS'),
    files: all('FILES').map(([, v]) => v),
    fileFields: all('FILES_NAMES').map(([, v]) => v),
    tx,
  };
}

/** A raw HTTP/1.1 request: a browser's usual headers, the given ones (null leaves one out), Content-Length for a body. */
export function request(o: { method?: string; target?: string; headers?: Record<string, string | null> | [string, string][]; body?: string | Buffer }): string {
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : o.body.toString('latin1');
  const base: [string, string | null][] = [
    ['Host', 'shop.example'],
    ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
    ['Accept', 'text/html,application/xhtml+xml'],
  ];
  const extra: [string, string | null][] = Array.isArray(o.headers) ? o.headers : Object.entries(o.headers ?? {});
  const names = new Set(extra.map(([n]) => n.toLowerCase()));
  const lines = [...base.filter(([n]) => !names.has(n.toLowerCase())), ...extra].filter((h): h is [string, string] => h[1] !== null);
  if (body !== undefined && !lines.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))) lines.push(['Content-Length', String(body.length)]);
  return `${o.method ?? (body === undefined ? 'GET' : 'POST')} ${o.target ?? '/'} HTTP/1.1\r\n${lines.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n${body ?? ''}`;
}

export const FORM = 'application/x-www-form-urlencoded';
export const enc = encodeURIComponent;
/** A multipart body: each part (head and content) between delimiters, then the close. */
export const multipart = (boundary: string, parts: readonly string[], close = `--${boundary}--\r\n`): string => parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + close;
export const field = (name: string, value: string, extra = ''): string => `Content-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}`;

// --- PHP ---

const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-php-'));
const SCRIPT = join(dir, 'dump.php');
// Every leaf of $_POST and $_GET, every uploaded file's name, field and content, as hex (bytes kept).
writeFileSync(
  SCRIPT,
  `<?php
$out = ['post' => [], 'get' => [], 'files' => []];
$walk = function ($prefix, $v, &$into) use (&$walk) {
  if (is_array($v)) { foreach ($v as $k => $x) $walk($prefix . '[' . $k . ']', $x, $into); }
  else $into[] = [bin2hex($prefix), bin2hex((string) $v)];
};
foreach ($_POST as $k => $v) $walk($k, $v, $out['post']);
foreach ($_GET as $k => $v) $walk($k, $v, $out['get']);
$files = function ($field, $f) use (&$out, &$files) {
  if (is_array($f['name'])) { foreach ($f['name'] as $i => $n) $files($field . '[' . $i . ']', ['name' => $n, 'tmp_name' => $f['tmp_name'][$i], 'error' => $f['error'][$i]]); return; }
  $content = $f['error'] === 0 ? file_get_contents($f['tmp_name']) : '';
  $out['files'][] = [bin2hex($field), bin2hex($f['name']), bin2hex($content)];
};
foreach ($_FILES as $field => $f) $files($field, $f);
echo "\\n--JSON--\\n", json_encode($out);
`,
);

export interface PhpReading {
  /** Every leaf of $_POST: [name path, value], byte strings. */
  readonly post: readonly (readonly [string, string])[];
  readonly get: readonly (readonly [string, string])[];
  /** Every upload: [field path, file name, content]. */
  readonly files: readonly (readonly [string, string, string])[];
}

const hex = (h: string) => Buffer.from(h, 'hex').toString('latin1');

/** What PHP reads from a request's Content-Type, query and body. */
export function phpReads(contentType: string | undefined, body: string | Buffer, query = ''): PhpReading {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const got = JSON.parse(runPhpCgi(SCRIPT, { contentType, body: b, query })) as { post: [string, string][]; get: [string, string][]; files: [string, string, string][] };
  return {
    post: got.post.map(([n, v]) => [hex(n), hex(v)] as const),
    get: got.get.map(([n, v]) => [hex(n), hex(v)] as const),
    files: got.files.map(([f, n, c]) => [hex(f), hex(n), hex(c)] as const),
  };
}

/**
 * What PHP read that the WAF did not inspect: every $_POST and $_GET value PHP holds must be
 * among the WAF's ARGS values, every upload's file name among FILES, and every name PHP holds
 * (a field's, an upload's field) among ARGS' names and FILES_NAMES, as PHP rewrites them
 * (cut at a NUL, leading spaces dropped, `.` and spaces to `_`; names PHP turns into arrays, `a[x]`, are
 * compared by value only). Empty when the WAF saw it all.
 */
/** A field name as PHP rewrites it (for names PHP does not turn into arrays). */
export const phpName = (n: string): string => n.replace(/\0[^]*$/, '').replace(/^ +/, '').replace(/[ .]/g, '_').replace(/\[(?![^\]]*\])/, '_');

export function unseenByWaf(php: PhpReading, waf: Outcome): string[] {
  const values = new Set(waf.args.map(([, v]) => v));
  const files = new Set(waf.files);
  const phpish = phpName;
  const names = new Set([...waf.args.map(([n]) => phpish(n)), ...waf.fileFields.map(phpish)]);
  const out: string[] = [];
  for (const [n, v] of [...php.post, ...php.get]) {
    if (v !== '' && !values.has(v)) out.push(`PHP's ${JSON.stringify(n)} = ${JSON.stringify(v.slice(0, 80))}`);
    if (!n.includes('[') && !names.has(n)) out.push(`PHP's name ${JSON.stringify(n)}`);
  }
  for (const [f, name] of php.files) {
    if (name !== '' && !files.has(name)) out.push(`PHP's upload ${JSON.stringify(f)} named ${JSON.stringify(name.slice(0, 80))}`);
    if (!f.includes('[') && !names.has(f)) out.push(`PHP's upload field ${JSON.stringify(f)}`);
  }
  return out;
}

const JSON_SCRIPT = join(dir, 'json.php');
// What an application that decodes php://input as JSON reads, whatever the Content-Type: every leaf, as hex.
writeFileSync(
  JSON_SCRIPT,
  `<?php
$out = [];
$walk = function ($prefix, $v) use (&$walk, &$out) {
  if (is_array($v)) { foreach ($v as $k => $x) { $out[] = [bin2hex($prefix . '.' . $k), '']; $walk($prefix . '.' . $k, $x); } }
  elseif (is_string($v)) $out[] = [bin2hex($prefix), bin2hex($v)];
};
$doc = json_decode(file_get_contents('php://input'), true);
if ($doc !== null) $walk('json', $doc);
echo "\\n--JSON--\\n", json_encode(['ok' => $doc !== null, 'leaves' => $out]);
`,
);

/** What PHP's json_decode reads from a body (strings, and object keys as empty leaves), or undefined when it refuses it. */
export function phpJsonReads(contentType: string | undefined, body: string): (readonly [string, string])[] | undefined {
  const got = JSON.parse(runPhpCgi(JSON_SCRIPT, { contentType, body: Buffer.from(body, 'latin1') })) as { ok: boolean; leaves: [string, string][] };
  return got.ok ? got.leaves.map(([n, v]) => [hex(n), hex(v)] as const) : undefined;
}
