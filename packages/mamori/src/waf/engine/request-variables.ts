/**
 * The request's variables, as a transaction's rules read them: those known from the request
 * line and headers (phase 1), and those the body processor adds (phase 2). Everything is a
 * byte string. Names are SecLang's.
 */
import { parseCookies } from '../request/cookies.js';
import { headerValues, splitTarget, type WafRequest } from '../request/request.js';
import { parseUrlEncoded } from '../request/urlencoded.js';
import { parseJsonArgs } from '../bodies/json.js';
import { parseMultipart, type MultipartFlag } from '../bodies/multipart.js';
import { parseXml } from '../bodies/xml.js';
import { impliedProcessor, readingProblem } from '../bodies/reading.js';
import { mediaType } from '../request/content-type.js';
import { Collection, scalar } from './collections.js';

export type BodyProcessor = 'URLENCODED' | 'MULTIPART' | 'JSON' | 'XML';

/** Limits on what a request may make the WAF hold. */
export interface ArgumentLimits {
  /** SecArgumentSeparator. */
  separator: string;
  /**
   * SecArgumentsLimit: the most arguments read, the query's and the body's together (as
   * ModSecurity counts them); past it the rest are not read and REQBODY_ERROR is set.
   */
  maxArgs: number;
  /** The most multipart parts read; past it, REQBODY_ERROR. */
  maxParts: number;
  /** SecUploadFileLimit: past it, MULTIPART_FILE_LIMIT_EXCEEDED. */
  maxFiles: number;
  /** SecRequestBodyJsonDepthLimit: deeper is a body error. */
  maxJsonDepth: number;
}

/** SecArgumentsLimit and SecUploadFileLimit as ModSecurity v2's defaults (1,000 and 100); JSON depth 512 (v2: 10,000). */
export const DEFAULT_ARGUMENT_LIMITS: ArgumentLimits = { separator: '&', maxArgs: 1000, maxParts: 1000, maxFiles: 100, maxJsonDepth: 512 };

/** The body processor a Content-Type selects by itself (JSON and XML are chosen by rules: ctl:requestBodyProcessor). */
export function defaultBodyProcessor(contentType: string | undefined): BodyProcessor | undefined {
  // The media type as PHP cuts it (at `;`, `,` or a space), so that the body is read as the upstream reads it.
  const t = mediaType(contentType);
  if (t === 'application/x-www-form-urlencoded') return 'URLENCODED';
  if (t === 'multipart/form-data') return 'MULTIPART';
  return undefined;
}

export class RequestVariables {
  readonly #vars = new Map<string, Collection>();
  /** The query held more arguments than SecArgumentsLimit (the rest were not read). */
  queryTruncated = false;
  /**
   * The XML body's texts and attribute values with the name of their element or attribute
   * (XML:/* and XML://@* hold them without): for the audit log, which hides those named like secrets.
   */
  xmlNamed: readonly (readonly [name: string, value: string])[] = [];

  get(name: string): Collection | undefined {
    return this.#vars.get(name.toUpperCase());
  }

  set(c: Collection): void {
    this.#vars.set(c.name, c);
  }

  /** The collection `name`, made empty when there is none. */
  ensure(name: string): Collection {
    const key = name.toUpperCase();
    let c = this.#vars.get(key);
    if (!c) {
      c = new Collection(key);
      this.#vars.set(key, c);
    }
    return c;
  }

  names(): string[] {
    return [...this.#vars.keys()];
  }
}

const lastSegment = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** `%HH` decoded (an invalid escape kept as written); nothing else. */
function percentDecode(s: string): string {
  return s.indexOf('%') < 0 ? s : s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Phase 1's variables: the request line, headers, cookies, the query's arguments, the connection. */
export function headerVariables(req: WafRequest, uniqueId: string, limits: ArgumentLimits = DEFAULT_ARGUMENT_LIMITS): RequestVariables {
  const v = new RequestVariables();
  const { path, query } = splitTarget(req.uri);
  v.set(scalar('REQUEST_METHOD', req.method));
  v.set(scalar('REQUEST_PROTOCOL', req.protocol));
  v.set(scalar('REQUEST_LINE', `${req.method} ${req.uri} ${req.protocol}`));
  v.set(scalar('REQUEST_URI_RAW', req.uri));
  // Without scheme and authority, as ModSecurity's REQUEST_URI.
  v.set(scalar('REQUEST_URI', query === '' && !req.uri.includes('?') ? path : `${path}?${query}`));
  // The path percent-decoded (not `+`: that is a space only in queries), as ModSecurity holds it:
  // CRS's rules on REQUEST_FILENAME with t:none expect `/a%28` to read `/a(`.
  const decodedPath = percentDecode(path);
  v.set(scalar('REQUEST_FILENAME', decodedPath));
  v.set(scalar('REQUEST_BASENAME', lastSegment(decodedPath)));
  v.set(scalar('QUERY_STRING', query));
  v.set(scalar('REMOTE_ADDR', req.remoteAddr));
  v.set(scalar('REMOTE_PORT', String(req.remotePort)));
  v.set(scalar('SERVER_ADDR', req.serverAddr));
  v.set(scalar('SERVER_PORT', String(req.serverPort)));
  v.set(scalar('UNIQUE_ID', uniqueId));
  v.set(new Collection('REQUEST_HEADERS', req.headers));
  v.set(new Collection('REQUEST_HEADERS_NAMES', req.headers.map(([n]) => [n, n] as const)));
  const host = headerValues(req, 'host')[0];
  v.set(scalar('SERVER_NAME', host?.replace(/:\d+$/, '')));
  const cookies = parseCookies(headerValues(req, 'cookie'));
  v.set(new Collection('REQUEST_COOKIES', cookies));
  v.set(new Collection('REQUEST_COOKIES_NAMES', cookies.map(([n]) => [n, n] as const)));
  const get = parseUrlEncoded(query, limits.separator, limits.maxArgs);
  v.set(new Collection('ARGS_GET', get.args));
  v.set(new Collection('ARGS_GET_NAMES', get.args.map(([n]) => [n, n] as const)));
  v.set(new Collection('ARGS', get.args));
  v.set(new Collection('ARGS_NAMES', get.args.map(([n]) => [n, n] as const)));
  v.set(scalar('ARGS_COMBINED_SIZE', String(get.args.reduce((s, [n, x]) => s + n.length + x.length, 0))));
  v.set(scalar('QUERY_STRING_ERROR', get.invalidEncoding ? '1' : '0'));
  v.queryTruncated = get.truncated;
  const processor = defaultBodyProcessor(headerValues(req, 'content-type')[0]);
  v.set(scalar('REQBODY_PROCESSOR', processor ?? ''));
  for (const n of ['ARGS_POST', 'ARGS_POST_NAMES', 'FILES', 'FILES_NAMES', 'FILES_SIZES', 'FILES_TMP_CONTENT', 'MULTIPART_PART_HEADERS', 'XML', 'TX', 'MATCHED_VARS', 'MATCHED_VARS_NAMES']) v.ensure(n);
  return v;
}

const FLAG_VARIABLES: Readonly<Record<MultipartFlag, string>> = {
  boundaryQuoted: 'MULTIPART_BOUNDARY_QUOTED',
  boundaryWhitespace: 'MULTIPART_BOUNDARY_WHITESPACE',
  dataBefore: 'MULTIPART_DATA_BEFORE',
  dataAfter: 'MULTIPART_DATA_AFTER',
  headerFolding: 'MULTIPART_HEADER_FOLDING',
  lfLine: 'MULTIPART_LF_LINE',
  missingSemicolon: 'MULTIPART_MISSING_SEMICOLON',
  invalidQuoting: 'MULTIPART_INVALID_QUOTING',
  invalidPart: 'MULTIPART_INVALID_PART',
  invalidHeaderFolding: 'MULTIPART_INVALID_HEADER_FOLDING',
  fileLimitExceeded: 'MULTIPART_FILE_LIMIT_EXCEEDED',
  unmatchedBoundary: 'MULTIPART_UNMATCHED_BOUNDARY',
  crlfLfLines: 'MULTIPART_CRLF_LF_LINES',
};

/** Adds one argument to ARGS_POST and ARGS (and their names). */
function addPostArg(v: RequestVariables, name: string, value: string): void {
  v.ensure('ARGS_POST').add(name, value);
  v.ensure('ARGS_POST_NAMES').add(name, name);
  v.ensure('ARGS').add(name, value);
  v.ensure('ARGS_NAMES').add(name, name);
}

/**
 * Phase 2's variables: the body as REQUEST_BODY and, read by `processor`, its arguments, files
 * and flags; REQBODY_ERROR and its message when the processor cannot read it, or when the
 * arguments (the query's and the body's) are more than SecArgumentsLimit. `body` is what is
 * read of the request's body (all of it, or its first bytes within the body limits).
 */
export function bodyVariables(v: RequestVariables, req: WafRequest, processor: BodyProcessor | undefined, limits: ArgumentLimits = DEFAULT_ARGUMENT_LIMITS, body = req.body ? req.body.toString('latin1') : ''): void {
  v.set(scalar('REQUEST_BODY_LENGTH', String(body.length)));
  v.set(scalar('REQBODY_PROCESSOR', processor ?? ''));
  let error: string | undefined = v.queryTruncated ? `the query has more than ${limits.maxArgs} arguments (SecArgumentsLimit)` : undefined;
  // Room left under SecArgumentsLimit once the query's arguments are counted.
  const room = Math.max(0, limits.maxArgs - v.ensure('ARGS').size);
  const overArgs = `more than ${limits.maxArgs} arguments (SecArgumentsLimit)`;
  // REQUEST_BODY holds the raw body when no processor claims it, or for URLENCODED (as ModSecurity).
  v.set(scalar('REQUEST_BODY', processor === undefined || processor === 'URLENCODED' || processor === 'JSON' ? body : undefined));
  // A body no processor claims is read as JSON or XML as well when it is such a document (bodies/reading.ts).
  const readAs = processor ?? (body === '' ? undefined : impliedProcessor(body, mediaType(headerValues(req, 'content-type')[0])));
  if (req.body && readAs === 'URLENCODED') {
    const r = parseUrlEncoded(body, limits.separator, room);
    for (const [n, x] of r.args) addPostArg(v, n, x);
    // Arguments past the limit were not read: a body error, not a silent drop (red team, issue 11:
    // a payload after 10,000 padding arguments passed every rule).
    if (r.truncated) error ??= `URLENCODED: ${overArgs}`;
    v.set(scalar('URLENCODED_ERROR', r.invalidEncoding ? '1' : '0'));
  } else if (req.body && readAs === 'MULTIPART') {
    const m = parseMultipart(headerValues(req, 'content-type')[0] ?? '', body, limits.maxParts, limits.maxFiles);
    error ??= m.error ?? (m.parts.length >= limits.maxParts ? `Multipart: more than ${limits.maxParts} parts` : undefined);
    let args = 0;
    const files = v.ensure('FILES');
    const headers = v.ensure('MULTIPART_PART_HEADERS');
    let combined = 0;
    for (const p of m.parts) {
      for (const h of p.headers) headers.add(p.name, h);
      if (p.filename !== undefined) {
        files.add(p.name, p.filename);
        v.ensure('FILES_NAMES').add(p.name, p.name);
        v.ensure('FILES_SIZES').add(p.name, String(p.value.length));
        // The file's content, as ModSecurity v3 holds it (rules that look for webshells read it).
        v.ensure('FILES_TMP_CONTENT').add(p.name, p.value);
        combined += p.value.length;
      } else if (args++ < room) addPostArg(v, p.name, p.value);
      else error ??= `Multipart: ${overArgs}`;
    }
    v.set(scalar('FILES_COMBINED_SIZE', String(combined)));
    const last = m.parts[m.parts.length - 1];
    v.set(scalar('MULTIPART_NAME', last?.name));
    v.set(scalar('MULTIPART_FILENAME', last?.filename));
    let strict = false;
    for (const [flag, name] of Object.entries(FLAG_VARIABLES) as [MultipartFlag, string][]) {
      const on = m.flags.has(flag);
      strict ||= on;
      v.set(scalar(name, on ? '1' : '0'));
    }
    v.set(scalar('MULTIPART_STRICT_ERROR', strict || error !== undefined ? '1' : '0'));
  } else if (req.body && readAs === 'JSON') {
    const j = parseJsonArgs(body, room, limits.maxJsonDepth);
    error ??= j.error ?? (j.duplicateKey !== undefined ? `JSON: the key ${JSON.stringify(j.duplicateKey.slice(0, 60))} twice in one object` : j.truncated ? `JSON: ${overArgs}` : undefined);
    for (const [n, x] of j.args) addPostArg(v, n, x);
  } else if (req.body && readAs === 'XML') {
    const x = parseXml(body);
    // (A body read as XML only because it looks like XML is not refused for being ill-formed; for declaring entities, it is.)
    error ??= (processor === undefined ? undefined : x.error) ?? (x.declaresEntities ? 'XML: the document declares entities' : undefined);
    const xml = v.ensure('XML');
    // The root's whole text first (what ModSecurity's XML:/* holds), then each text node.
    if (x.content !== '') xml.add('/*', x.content);
    for (const t of x.texts) xml.add('/*', t);
    for (const [, value] of x.attributes) xml.add('//@*', value);
    v.xmlNamed = [...x.elementTexts, ...x.attributes];
  }
  // What the upstream may read otherwise than the WAF (bodies/reading.ts): a body error too, named first (it is the cause).
  error = readingProblem(req, processor, body) ?? error;
  const args = v.ensure('ARGS');
  v.set(scalar('ARGS_COMBINED_SIZE', String(args.entries.reduce((s, e) => s + e.key.length + e.value.length, 0))));
  v.set(scalar('REQBODY_ERROR', error !== undefined ? '1' : '0'));
  v.set(scalar('REQBODY_PROCESSOR_ERROR', error !== undefined ? '1' : '0'));
  v.set(scalar('REQBODY_ERROR_MSG', error ?? ''));
}
