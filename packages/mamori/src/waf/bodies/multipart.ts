/**
 * multipart/form-data for the WAF: every part, read leniently so that rules see what any
 * reader might take from the body, and flags for everything a strict reader would refuse or
 * two readers could read differently (the MULTIPART_* variables ModSecurity defines; any of
 * them sets MULTIPART_STRICT_ERROR, which mamori refuses: docs/waf.md).
 *
 * The strict form is the one browsers send, which PHP and mamori's login reader agree on:
 * one boundary parameter, the body starting at the first delimiter, CRLF line ends, each part
 * a head of `Name: value` lines and one `Content-Disposition: form-data` with `name` and maybe
 * `filename`, values a token or a quoted string without backslashes, each key once, nothing
 * after the closing delimiter but a line end.
 */
import { READABLE_CHARSETS, charsets } from '../request/content-type.js';

export interface MultipartPart {
  readonly name: string;
  /** The part's filename, when it has one (a file upload). */
  readonly filename: string | undefined;
  /** Its head lines, as sent (unfolded), `Name: value`. */
  readonly headers: readonly string[];
  /** Its content, a byte string. */
  readonly value: string;
}

export type MultipartFlag =
  | 'boundaryQuoted'
  | 'boundaryWhitespace'
  | 'dataBefore'
  | 'dataAfter'
  | 'headerFolding'
  | 'lfLine'
  | 'missingSemicolon'
  | 'invalidQuoting'
  | 'invalidPart'
  | 'invalidHeaderFolding'
  | 'fileLimitExceeded'
  | 'unmatchedBoundary'
  | 'crlfLfLines';

export interface Multipart {
  readonly boundary: string | undefined;
  readonly parts: readonly MultipartPart[];
  readonly flags: ReadonlySet<MultipartFlag>;
  /** Why the body could not be read as multipart at all (REQBODY_ERROR); undefined when it could. */
  readonly error: string | undefined;
}

const MAX_BOUNDARY = 70;

/** The boundary of a multipart Content-Type, and the flags its writing raises. */
export function multipartBoundary(contentType: string): { boundary?: string; flags: MultipartFlag[]; error?: string } {
  const flags: MultipartFlag[] = [];
  // PHP takes the first "boundary" anywhere in the type (case-sensitive, then not) and the value
  // after the next `=`: `xboundary=A; boundary=B` is A to PHP, B to a parameter reader. A second
  // boundary parameter, or one PHP would not take, is refused; one without its `;` is read as PHP does.
  const named = [...contentType.matchAll(/(?<=^|[;,\s])boundary[ \t]*=/gi)];
  if (named.length === 0) return { flags, error: 'Multipart: boundary not found in Content-Type' };
  if (named.length > 1) return { flags, error: 'Multipart: more than one boundary in Content-Type' };
  const phpAt = contentType.includes('boundary') ? contentType.indexOf('boundary') : contentType.toLowerCase().indexOf('boundary');
  if (phpAt !== named[0]!.index) return { flags, error: 'Multipart: more than one boundary in Content-Type (PHP reads another)' };
  const m = /^boundary([ \t]*)=([ \t]*)/i.exec(contentType.slice(phpAt))!;
  if (m[1] !== '' || m[2] !== '') flags.push('boundaryWhitespace');
  const rest = contentType.slice(phpAt + m[0].length);
  let boundary: string;
  if (rest.startsWith('"')) {
    flags.push('boundaryQuoted');
    const end = rest.indexOf('"', 1);
    if (end < 0) return { flags, error: 'Multipart: an unclosed quote in the boundary' };
    boundary = rest.slice(1, end);
  } else {
    // Up to `;` or `,`, as PHP cuts it; whitespace in it (which PHP keeps) is flagged.
    const end = rest.search(/[;,]/);
    const raw = end < 0 ? rest : rest.slice(0, end);
    boundary = raw.replace(/[ \t]+$/, '');
    if (/[ \t]/.test(raw)) flags.push('boundaryWhitespace');
  }
  if (boundary === '' || boundary.length > MAX_BOUNDARY) return { flags, error: 'Multipart: the boundary is empty or longer than 70 characters' };
  if (/[^0-9A-Za-z'()+_,\-./:=? ]/.test(boundary) || boundary.endsWith(' ')) return { flags, error: 'Multipart: the boundary has characters RFC 2046 does not allow' };
  return { boundary, flags };
}

/** A disposition's parameters, with the flags its writing raises. */
function disposition(value: string, flags: Set<MultipartFlag>): Map<string, string> | undefined {
  const type = /^[ \t]*form-data[ \t]*/i.exec(value);
  if (!type) return undefined;
  const params = new Map<string, string>();
  let at = type[0].length;
  if (at < value.length && value[at] !== ';') flags.add('missingSemicolon');
  while (at < value.length) {
    if (value[at] === ';') at++;
    const m = /^[ \t]*([^=;\s]+)([ \t]*)=[ \t]*/.exec(value.slice(at));
    if (!m) {
      if (value.slice(at).trim() !== '') flags.add('invalidPart');
      break;
    }
    // Blanks before `=`: PHP takes them into the name (`filename ` is no filename to it), others
    // drop them: readers disagree on whether the part is a file.
    if (m[2] !== '') flags.add('invalidPart');
    at += m[0].length;
    const key = m[1]!.toLowerCase();
    let v: string;
    if (value[at] === '"') {
      let end = at + 1;
      let out = '';
      for (; end < value.length && value[end] !== '"'; end++) {
        if (value[end] === '\\' && end + 1 < value.length) {
          // A backslash escape: PHP keeps it, other readers unescape. As ModSecurity reads it,
          // only `\"` and `\\` are escapes; before anything else the backslash stays (CRS's
          // 920120 looks for it in FILES and FILES_NAMES).
          flags.add('invalidQuoting');
          const next = value[end + 1]!;
          if (next === '"' || next === '\\') {
            out += next;
            end++;
          } else out += '\\';
        } else out += value[end];
      }
      if (end >= value.length) flags.add('invalidQuoting');
      v = out;
      at = end + 1;
    } else {
      const end = value.indexOf(';', at);
      v = (end < 0 ? value.slice(at) : value.slice(at, end)).replace(/[ \t]+$/, '');
      if (/["'\\]/.test(v) || /\s/.test(v)) flags.add('invalidQuoting');
      at = end < 0 ? value.length : end;
    }
    if (params.has(key) || key.endsWith('*')) flags.add('invalidPart');
    if (!params.has(key)) params.set(key, v);
    const after = /^[ \t]*/.exec(value.slice(at))![0].length;
    at += after;
    if (at < value.length && value[at] !== ';') {
      flags.add('missingSemicolon');
    }
  }
  return params;
}

/**
 * Reads a multipart body (a byte string) under `contentType`. At most `maxParts` parts and
 * `maxFiles` file parts are read (past the latter, fileLimitExceeded).
 */
export function parseMultipart(contentType: string, body: string, maxParts = 1000, maxFiles = 100): Multipart {
  const b = multipartBoundary(contentType);
  const flags = new Set<MultipartFlag>(b.flags);
  if (!b.boundary) return { boundary: undefined, parts: [], flags, error: b.error };
  const delim = `--${b.boundary}`;
  const parts: MultipartPart[] = [];
  // The body's lines, with their ends: a delimiter is a line that is `--boundary` (or its close).
  let pos = 0;
  const first = body.startsWith(delim) ? 0 : body.indexOf(`\n${delim}`);
  if (first < 0) return { boundary: b.boundary, parts, flags, error: 'Multipart: no delimiter found' };
  if (first > 0) {
    flags.add('dataBefore');
    pos = first + 1;
  }
  let files = 0;
  let closed = false;
  let lf = false;
  let crlf = false;
  const noteEnd = (end: string) => {
    if (end === '\n') lf = true;
    else crlf = true;
  };
  while (pos < body.length && parts.length < maxParts) {
    // At a delimiter line.
    const lineEnd = body.indexOf('\n', pos);
    const line = (lineEnd < 0 ? body.slice(pos) : body.slice(pos, lineEnd)).replace(/\r$/, '');
    if (line.startsWith(`${delim}--`)) {
      closed = true;
      const after = line.slice(delim.length + 2);
      const rest = lineEnd < 0 ? '' : body.slice(lineEnd + 1);
      if (after.trim() !== '' || rest.replace(/^\r?\n/, '') !== '') flags.add('dataAfter');
      break;
    }
    if (line !== delim) {
      if (line.replace(/[ \t]+$/, '') === delim) flags.add('invalidPart');
      else flags.add('unmatchedBoundary');
    }
    if (lineEnd < 0) break;
    noteEnd(body[lineEnd - 1] === '\r' ? '\r\n' : '\n');
    // The part's head.
    let at = lineEnd + 1;
    const headers: string[] = [];
    for (;;) {
      const e = body.indexOf('\n', at);
      if (e < 0) return { boundary: b.boundary, parts, flags, error: 'Multipart: a part head is not finished' };
      noteEnd(body[e - 1] === '\r' ? '\r\n' : '\n');
      const h = body.slice(at, e).replace(/\r$/, '');
      at = e + 1;
      if (h === '') break;
      if (h.startsWith(' ') || h.startsWith('\t')) {
        flags.add('headerFolding');
        if (headers.length === 0) flags.add('invalidHeaderFolding');
        else headers[headers.length - 1] += ` ${h.trim()}`;
        continue;
      }
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(h)) flags.add('invalidPart');
      headers.push(h);
    }
    // A delimiter right after the head's blank line: the part has no body by RFC 2046 (which
    // needs CRLF before a delimiter), and a reader that finds delimiters at any line start
    // splits here where PHP and mamori run on to the next one (the part's content then holds a
    // whole part).
    if (body.startsWith(delim, at)) flags.add('invalidPart');
    // The part's content: up to the line end before the next delimiter line.
    const next = body.indexOf(`\n${delim}`, at);
    const contentEnd = next < 0 ? body.length : body[next - 1] === '\r' ? next - 1 : next;
    if (next >= 0) noteEnd(body[next - 1] === '\r' ? '\r\n' : '\n');
    const value = body.slice(at, Math.max(at, contentEnd));
    // Content the reader would have to decode to read (RFC 7578 §4.7 forbids a transfer
    // encoding; undici decodes base64, PHP does not), or text in a charset the WAF does not read
    // as some readers decode it (CVE-2022-39956).
    for (const h of headers) {
      const cte = /^content-transfer-encoding:[ \t]*(.*)$/i.exec(h);
      if (cte && !/^(?:7bit|8bit|binary)[ \t]*$/i.test(cte[1]!)) flags.add('invalidPart');
      if (/^content-type:/i.test(h) && charsets(h.slice(h.indexOf(':') + 1)).some((c) => !READABLE_CHARSETS.has(c))) flags.add('invalidPart');
    }
    const dispositions = headers.filter((h) => /^content-disposition:/i.test(h));
    if (dispositions.length !== 1) flags.add('invalidPart');
    const params = dispositions[0] ? disposition(dispositions[0].slice(dispositions[0].indexOf(':') + 1), flags) : undefined;
    if (!params || !params.has('name')) flags.add('invalidPart');
    const filename = params?.get('filename');
    if (filename !== undefined && ++files > maxFiles) flags.add('fileLimitExceeded');
    parts.push({ name: params?.get('name') ?? '', filename, headers, value });
    if (next < 0) break;
    pos = next + 1;
  }
  // A line shaped like a delimiter (`--` and as long as one, or its close) that is not ours:
  // another reader's boundary, or a mistake (a reader that takes it for one splits differently).
  for (let at = 0; at < body.length; ) {
    const e = body.indexOf('\n', at);
    const line = (e < 0 ? body.slice(at) : body.slice(at, e)).replace(/\r$/, '');
    if (line.startsWith('--') && line !== delim && line !== `${delim}--` && (line.length === delim.length || line.length === delim.length + 2)) {
      flags.add('unmatchedBoundary');
      break;
    }
    if (e < 0) break;
    at = e + 1;
  }
  if (lf) flags.add('lfLine');
  if (lf && crlf) flags.add('crlfLfLines');
  return { boundary: b.boundary, parts, flags, error: closed ? undefined : 'Multipart: the closing delimiter is missing' };
}
