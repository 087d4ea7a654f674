/**
 * The WAF regression tests in go-ftw's YAML (the format of CRS's own suite, schema v2.3.0):
 * reading a file into typed test cases, with an error naming the file, line and field for a
 * file that breaks the format; and the raw request bytes each stage sends, as go-ftw writes
 * them. Running the cases is the engine's runner's job.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { MamoriError } from '../../core/errors.js';

export interface FtwHeader {
  readonly name: string;
  readonly value: string;
}

export interface FtwInput {
  readonly destAddr: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  /** In the order written (the file's `headers` map, or `ordered_headers`). */
  readonly headers: readonly FtwHeader[];
  /** The body (from `data`, or `encoded_data` decoded), as a byte string (latin1); undefined when none. */
  readonly body: string | undefined;
  /** Add Content-Length and Connection when they are missing (`autocomplete_headers`, or not `stop_magic`). */
  readonly autocompleteHeaders: boolean;
  /** The whole request as bytes to send as they are (`encoded_request`), latin1. */
  readonly rawRequest: string | undefined;
  readonly virtualHostMode: boolean;
  readonly followRedirect: boolean;
  readonly saveCookie: boolean;
  /** What the backend answers (response-phase tests). */
  readonly response: FtwResponse | undefined;
}

export interface FtwResponse {
  readonly status: number | undefined;
  readonly headers: readonly FtwHeader[];
  readonly body: string | undefined;
}

export interface FtwOutput {
  readonly expectIds: readonly number[];
  readonly noExpectIds: readonly number[];
  readonly matchRegex: string | undefined;
  readonly noMatchRegex: string | undefined;
  readonly status: number | undefined;
  readonly responseContains: string | undefined;
  readonly logContains: string | undefined;
  readonly noLogContains: string | undefined;
  readonly expectError: boolean;
  readonly retryOnce: boolean;
  readonly isolated: boolean;
}

export interface FtwStage {
  readonly description: string | undefined;
  readonly input: FtwInput;
  readonly output: FtwOutput;
}

export interface FtwTest {
  /** The file and the line the test starts at. */
  readonly location: string;
  readonly ruleId: number;
  readonly testId: number;
  readonly title: string;
  readonly description: string | undefined;
  readonly tags: readonly string[];
  readonly stages: readonly FtwStage[];
}

export interface FtwFile {
  readonly file: string;
  /** Unknown fields, ignored as go-ftw ignores them (a typo in a test shows here). */
  readonly warnings: readonly string[];
  readonly ruleId: number;
  readonly enabled: boolean;
  readonly tests: readonly FtwTest[];
}

/** A test file larger than this is not one (CRS's largest is a few hundred KiB). */
const MAX_FILE = 8 * 2 ** 20;

type Path = (string | number)[];

class Reader {
  /** Fields go-ftw would ignore (it reads leniently): kept as warnings, with their place. */
  readonly warnings: string[] = [];

  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lc: LineCounter,
  ) {}

  where(path: Path): string {
    for (let p = path; ; p = p.slice(0, -1)) {
      const node = p.length === 0 ? this.doc.contents : this.doc.getIn(p, true);
      if (isNode(node) && node.range) {
        const { line, col } = this.lc.linePos(node.range[0]);
        return `${this.file}:${line}:${col}`;
      }
      if (p.length === 0) return this.file;
    }
  }

  fail(path: Path, message: string): never {
    const field = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
    throw new MamoriError('MAMORI_ERR_WAF_TEST_FILE', `${field || '(top level)'}: ${message}`, { location: this.where(path) });
  }

  object(v: unknown, path: Path, known: readonly string[]): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'expected a map');
    for (const k of Object.keys(v)) {
      if (known.includes(k) || this.warnings.length >= 100) continue;
      this.warnings.push(`${this.where([...path, k])}: unknown field "${k.slice(0, 60)}" ignored; known here: ${known.join(', ')}`);
    }
    return v as Record<string, unknown>;
  }

  string(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') this.fail(path, 'expected text');
    return v;
  }

  int(v: unknown, path: Path, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(path, `expected a whole number from ${min} to ${max}`);
    return v;
  }

  bool(v: unknown, path: Path): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(path, 'expected true or false');
    return v;
  }

  ids(v: unknown, path: Path): number[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, 'expected a list of rule ids');
    return v.map((x, i) => this.int(x, [...path, i], 1)!);
  }

  base64(v: unknown, path: Path): string | undefined {
    const s = this.string(v, path);
    if (s === undefined) return undefined;
    const clean = s.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) this.fail(path, 'expected Base64');
    return Buffer.from(clean, 'base64').toString('latin1');
  }

  headers(v: unknown, path: Path): FtwHeader[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) {
      // ordered_headers: [{ name, value }]
      return v.map((h, i) => {
        const o = this.object(h, [...path, i], ['name', 'value']);
        return { name: this.string(o.name, [...path, i, 'name']) ?? this.fail([...path, i], 'a header needs a name'), value: this.string(o.value, [...path, i, 'value']) ?? '' };
      });
    }
    if (typeof v !== 'object') this.fail(path, 'expected a map of headers');
    return Object.entries(v as Record<string, unknown>).map(([name, value]) => ({ name, value: this.string(value, [...path, name]) ?? '' }));
  }
}

const TEST_FIELDS = ['test_title', 'test_id', 'desc', 'stages', 'tags'] as const;
const INPUT_FIELDS = [
  'dest_addr',
  'port',
  'protocol',
  'uri',
  'follow_redirect',
  'version',
  'method',
  'headers',
  'ordered_headers',
  'data',
  'encoded_data',
  'save_cookie',
  'stop_magic',
  'autocomplete_headers',
  'encoded_request',
  'response',
  'virtual_host_mode',
] as const;
const OUTPUT_FIELDS = ['status', 'response_contains', 'log_contains', 'no_log_contains', 'log', 'expect_error', 'retry_once', 'isolated'] as const;

const MAX_EXPANDED = 16 * 1024 * 1024;

/**
 * go-ftw reads `data` as a Go template with Sprig's functions; CRS's tests use one of them,
 * `{{ "1" | repeat 64200 }}`, to build a large body. That form is expanded (up to 16 MiB in
 * all); any other `{{ ... }}` is refused with its place, since sending it as written would test
 * something else than the file means.
 */
function expandData(r: Reader, data: string, path: Path): string {
  if (!data.includes('{{')) return data;
  let total = 0;
  return data.replace(/\{\{-?\s*(.*?)\s*-?\}\}/gs, (_m, action: string) => {
    const rep = /^"((?:[^"\\]|\\.)*)"\s*\|\s*repeat\s+(\d{1,9})$/.exec(action);
    if (!rep) return r.fail(path, `the template action {{ ${action.slice(0, 60)} }} is not supported (only {{ "text" | repeat N }})`);
    const text = JSON.parse(`"${rep[1]!}"`) as string;
    const n = Number(rep[2]);
    total += text.length * n;
    if (total > MAX_EXPANDED) return r.fail(path, `the template expands to more than ${MAX_EXPANDED} characters`);
    return text.repeat(n);
  });
}

function readInput(r: Reader, v: unknown, path: Path): FtwInput {
  const o = r.object(v, path, INPUT_FIELDS);
  const protocol = r.string(o.protocol, [...path, 'protocol']) ?? 'http';
  if (protocol !== 'http' && protocol !== 'https') r.fail([...path, 'protocol'], 'expected http or https');
  const data = r.string(o.data, [...path, 'data']);
  const encoded = r.base64(o.encoded_data, [...path, 'encoded_data']);
  if (data !== undefined && encoded !== undefined) r.fail(path, 'data and encoded_data are both given');
  const stopMagic = r.bool(o.stop_magic, [...path, 'stop_magic']);
  const autocomplete = r.bool(o.autocomplete_headers, [...path, 'autocomplete_headers']);
  let response: FtwResponse | undefined;
  if (o.response !== undefined && o.response !== null) {
    const rp = [...path, 'response'];
    const ro = r.object(o.response, rp, ['headers', 'status', 'body', 'encoded_body', 'log_message']);
    response = {
      status: r.int(ro.status, [...rp, 'status'], 100, 999),
      headers: r.headers(ro.headers, [...rp, 'headers']),
      body: r.string(ro.body, [...rp, 'body']) ?? r.base64(ro.encoded_body, [...rp, 'encoded_body']),
    };
  }
  return {
    destAddr: r.string(o.dest_addr, [...path, 'dest_addr']) ?? 'localhost',
    port: r.int(o.port, [...path, 'port'], 1, 65535) ?? 80,
    protocol,
    method: r.string(o.method, [...path, 'method']) ?? 'GET',
    uri: r.string(o.uri, [...path, 'uri']) ?? '/',
    version: r.string(o.version, [...path, 'version']) ?? 'HTTP/1.1',
    headers: o.ordered_headers !== undefined ? r.headers(o.ordered_headers, [...path, 'ordered_headers']) : r.headers(o.headers, [...path, 'headers']),
    // (YAML text is Unicode; the request carries it as UTF-8, as go-ftw sends it.)
    body: data !== undefined ? Buffer.from(expandData(r, data, [...path, 'data']), 'utf8').toString('latin1') : encoded,
    autocompleteHeaders: autocomplete ?? (stopMagic === undefined ? true : !stopMagic),
    rawRequest: r.base64(o.encoded_request, [...path, 'encoded_request']),
    virtualHostMode: r.bool(o.virtual_host_mode, [...path, 'virtual_host_mode']) ?? false,
    followRedirect: r.bool(o.follow_redirect, [...path, 'follow_redirect']) ?? false,
    saveCookie: r.bool(o.save_cookie, [...path, 'save_cookie']) ?? false,
    response,
  };
}

function readOutput(r: Reader, v: unknown, path: Path): FtwOutput {
  const o = r.object(v, path, OUTPUT_FIELDS);
  const log = o.log === undefined || o.log === null ? {} : r.object(o.log, [...path, 'log'], ['expect_ids', 'no_expect_ids', 'match_regex', 'no_match_regex']);
  const lp = [...path, 'log'];
  return {
    expectIds: r.ids(log.expect_ids, [...lp, 'expect_ids']),
    noExpectIds: r.ids(log.no_expect_ids, [...lp, 'no_expect_ids']),
    matchRegex: r.string(log.match_regex, [...lp, 'match_regex']),
    noMatchRegex: r.string(log.no_match_regex, [...lp, 'no_match_regex']),
    status: r.int(o.status, [...path, 'status'], 100, 999),
    responseContains: r.string(o.response_contains, [...path, 'response_contains']),
    logContains: r.string(o.log_contains, [...path, 'log_contains']),
    noLogContains: r.string(o.no_log_contains, [...path, 'no_log_contains']),
    expectError: r.bool(o.expect_error, [...path, 'expect_error']) ?? false,
    retryOnce: r.bool(o.retry_once, [...path, 'retry_once']) ?? false,
    isolated: r.bool(o.isolated, [...path, 'isolated']) ?? false,
  };
}

/** Reads one go-ftw test file's text (`file` names it in errors). */
export function parseFtwFile(text: string, file: string): FtwFile {
  if (text.length > MAX_FILE) throw new MamoriError('MAMORI_ERR_WAF_TEST_FILE', `larger than ${MAX_FILE / 2 ** 20} MiB; not a test file`, { location: file });
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const { line, col } = lc.linePos(e.pos[0]);
    throw new MamoriError('MAMORI_ERR_WAF_TEST_FILE', `not valid YAML: ${e.message.split('\n')[0]}`, { location: `${file}:${line}:${col}`, cause: e });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_WAF_TEST_FILE', `could not be read as data: ${(err as Error).message}`, { location: file, cause: err });
  }
  // A file of comments only (CRS keeps a few, to satisfy its linter) holds no tests.
  if (raw === null || raw === undefined) return { file, warnings: [], ruleId: 0, enabled: false, tests: [] };
  const r: Reader = new Reader(file, doc, lc);
  const top = r.object(raw, [], ['meta', 'rule_id', 'tests']);
  const meta = top.meta === undefined || top.meta === null ? {} : r.object(top.meta, ['meta'], ['author', 'enabled', 'name', 'description', 'version', 'tags']);
  const ruleId = r.int(top.rule_id, ['rule_id'], 1) ?? r.fail([], 'rule_id is missing');
  if (!Array.isArray(top.tests)) r.fail(['tests'], 'expected a list of tests');
  const tests = top.tests.map((t, i): FtwTest => {
    const tp: Path = ['tests', i];
    const o = r.object(t, tp, TEST_FIELDS);
    const testId = r.int(o.test_id, [...tp, 'test_id'], 0) ?? r.fail(tp, 'test_id is missing');
    if (!Array.isArray(o.stages) || o.stages.length === 0) r.fail([...tp, 'stages'], 'expected a list of stages');
    const stages = o.stages.map((s, k): FtwStage => {
      const sp: Path = [...tp, 'stages', k];
      // (Files of the first format wrap each stage in `stage:`.)
      const so = r.object(s, sp, ['description', 'input', 'output', 'stage']);
      const inner = so.stage !== undefined ? r.object(so.stage, [...sp, 'stage'], ['description', 'input', 'output']) : so;
      const ip = so.stage !== undefined ? [...sp, 'stage'] : sp;
      if (inner.input === undefined) r.fail(ip, 'a stage needs an input');
      if (inner.output === undefined) r.fail(ip, 'a stage needs an output');
      return { description: r.string(inner.description, [...ip, 'description']), input: readInput(r, inner.input, [...ip, 'input']), output: readOutput(r, inner.output, [...ip, 'output']) };
    });
    const tags = o.tags === undefined ? [] : Array.isArray(o.tags) ? o.tags.map((x, j) => r.string(x, [...tp, 'tags', j]) ?? '') : r.fail([...tp, 'tags'], 'expected a list');
    return {
      location: r.where(tp),
      ruleId,
      testId,
      title: r.string(o.test_title, [...tp, 'test_title']) ?? `${ruleId}-${testId}`,
      description: r.string(o.desc, [...tp, 'desc']),
      tags,
      stages,
    };
  });
  return { file, warnings: r.warnings, ruleId, enabled: r.bool(meta.enabled, ['meta', 'enabled']) ?? true, tests };
}

const has = (headers: readonly FtwHeader[], name: string): boolean => headers.some((h) => h.name.toLowerCase() === name);

/**
 * The bytes a stage sends (latin1): `encoded_request` as it is; otherwise the request line, the
 * headers in order, an empty line and the body. With autocomplete, a body without a
 * Content-Length (or Transfer-Encoding) gets one, and a request without Connection gets
 * `Connection: close`.
 */
export function requestBytes(input: FtwInput): string {
  if (input.rawRequest !== undefined) return input.rawRequest;
  const headers = [...input.headers];
  let body = input.body ?? '';
  // As go-ftw builds it: a form body without a Content-Type labelled and escaped as one
  // (formEncoded), each LF of a multipart body made CRLF, and with autocomplete a
  // Content-Length for a body or for a method that takes one (POST, PUT, PATCH, DELETE: an
  // empty POST says `Content-Length: 0`, as clients send it).
  if (input.autocompleteHeaders && body.length > 0) {
    if (!has(headers, 'content-type')) headers.push({ name: 'Content-Type', value: 'application/x-www-form-urlencoded' });
    if (headers.find((h) => h.name.toLowerCase() === 'content-type')?.value === 'application/x-www-form-urlencoded') body = formEncoded(body);
  }
  const contentType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
  if (contentType.startsWith('multipart/form-data;')) body = body.replace(/\r?\n/g, '\r\n');
  if (input.autocompleteHeaders) {
    const takesBody = /^POST|PUT|PATCH|DELETE$/.test(input.method);
    if ((body.length > 0 || takesBody) && !has(headers, 'content-length') && !has(headers, 'transfer-encoding')) headers.push({ name: 'Content-Length', value: String(body.length) });
    if (!has(headers, 'connection')) headers.push({ name: 'Connection', value: 'close' });
  }
  let head = `${input.method} ${input.uri} ${input.version}\r\n`;
  for (const h of headers) head += `${h.name}: ${h.value}\r\n`;
  // (The head is YAML text, sent as UTF-8 as go-ftw sends it; the body is bytes already.)
  return `${Buffer.from(head, 'utf8').toString('latin1')}\r\n${body}`;
}

/**
 * A form body as go-ftw sends it: one that reads the same percent-decoded (no `%`, no `+`) has
 * each name and value of its `&`-separated pairs escaped as a query component (bytes other than
 * letters, digits and `-_.~` as %XX, a space as `+`); any other is sent as written.
 */
function formEncoded(body: string): string {
  if (/[%+]/.test(body)) return body;
  const escape = (s: string) => s.replace(/[^A-Za-z0-9\-_.~]/g, (c) => (c === ' ' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`));
  // (A last `&` ends the list without opening an empty pair.)
  return (body.endsWith('&') ? body.slice(0, -1) : body)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? escape(pair) : `${escape(pair.slice(0, eq))}=${escape(pair.slice(eq + 1))}`;
    })
    .join('&');
}

/** The go-ftw files (`.yaml`, `.yml`) under a folder, in name order, sub-folders included. */
export function ftwTestFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) ftwTestFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}
