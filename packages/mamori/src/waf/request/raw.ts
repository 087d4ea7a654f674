/**
 * An HTTP/1.x request read from its bytes, for the in-process regression runner (go-ftw's
 * requests are raw bytes) and for tools: the request line, the header lines (obsolete line
 * folding joined with a space), and the body as a server reads it (chunked framing removed, or
 * Content-Length bytes; with neither, none). What a server would refuse with 400 comes back as
 * a problem, with the reason.
 */
import type { WafRequest } from './request.js';

export interface RawParse {
  readonly request?: WafRequest;
  readonly problem?: string;
}

export interface Endpoints {
  remoteAddr: string;
  remotePort: number;
  serverAddr: string;
  serverPort: number;
}

const MAX_HEAD = 64 * 1024;
const MAX_HEADERS = 200;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Chunked transfer coding removed, or a problem. */
function dechunk(s: string): { body?: string; problem?: string } {
  let out = '';
  let i = 0;
  for (;;) {
    const eol = s.indexOf('\n', i);
    if (eol < 0) return { problem: 'a chunk size line is not finished' };
    const line = s.slice(i, eol).replace(/\r$/, '');
    const size = /^([0-9A-Fa-f]{1,8})(;.*)?$/.exec(line);
    if (!size) return { problem: `a chunk size is not hex: ${JSON.stringify(line.slice(0, 40))}` };
    const n = parseInt(size[1]!, 16);
    i = eol + 1;
    if (n === 0) return { body: out };
    if (i + n > s.length) return { problem: 'a chunk is shorter than its size' };
    out += s.slice(i, i + n);
    i += n;
    if (s.startsWith('\r\n', i)) i += 2;
    else if (s[i] === '\n') i += 1;
    else return { problem: 'a chunk is not followed by a line end' };
  }
}

/** `bytes`: the request as a byte string (latin1). */
export function parseRawRequest(bytes: string, at: Endpoints = { remoteAddr: '127.0.0.1', remotePort: 40000, serverAddr: '127.0.0.1', serverPort: 80 }): RawParse {
  const end = /\r?\n\r?\n/.exec(bytes.length > MAX_HEAD * 2 ? bytes.slice(0, MAX_HEAD * 2) : bytes);
  const headText = end ? bytes.slice(0, end.index) : bytes.replace(/\r?\n$/, '');
  if (headText.length > MAX_HEAD) return { problem: `the request head is larger than ${MAX_HEAD} bytes` };
  const bodyStart = end ? end.index + end[0].length : bytes.length;
  const lines = headText.split(/\r?\n/);
  const requestLine = lines[0] ?? '';
  const first = requestLine.indexOf(' ');
  const last = requestLine.lastIndexOf(' ');
  if (first <= 0 || last <= first) return { problem: 'the request line is not METHOD TARGET VERSION' };
  const method = requestLine.slice(0, first);
  const uri = requestLine.slice(first + 1, last);
  const protocol = requestLine.slice(last + 1);
  if (!TOKEN.test(method)) return { problem: 'the method is not a token' };
  if (!/^HTTP\/\d\.\d$/.test(protocol)) return { problem: `the version ${JSON.stringify(protocol.slice(0, 20))} is not HTTP/d.d` };
  // RFC 9112 3.2: a target is origin-form (`/path?query`), absolute-form (`http://host/path`),
  // authority-form (CONNECT) or `*` (OPTIONS); it holds no blank, no control byte and no `#fragment`.
  if (/[\x00-\x20\x7f#]/.test(uri)) return { problem: `the request target holds ${uri.includes('#') ? 'a fragment' : 'a blank or a control byte'}` };
  if (!uri.startsWith('/') && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(uri) && method !== 'CONNECT' && !(uri === '*' && method === 'OPTIONS')) return { problem: `the request target ${JSON.stringify(uri.slice(0, 40))} is not a path, an absolute URL or *` };
  // HTTP/0.9 requests carry no version; one that names 0.x is malformed (Apache answers 400).
  if (protocol.startsWith('HTTP/0.')) return { problem: `the version ${protocol} is below HTTP/1.0` };
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    // A CR not followed by LF (RFC 9112 2.2: invalid; Apache and Node answer 400).
    if (line.includes('\r')) return { problem: `a header line holds a bare CR: ${JSON.stringify(line.slice(0, 40))}` };
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const prev = headers[headers.length - 1];
      if (!prev) return { problem: 'the first header line is a continuation' };
      prev[1] = `${prev[1]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return { problem: `a header line has no name: ${JSON.stringify(line.slice(0, 40))}` };
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return { problem: `a header name is not a token: ${JSON.stringify(name.slice(0, 40))}` };
    if (headers.length >= MAX_HEADERS) return { problem: `more than ${MAX_HEADERS} headers` };
    headers.push([name, line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')]);
  }
  const rest = bytes.slice(bodyStart);
  const te = headers.filter(([n]) => n.toLowerCase() === 'transfer-encoding').map(([, v]) => v.toLowerCase());
  const cl = headers.filter(([n]) => n.toLowerCase() === 'content-length').map(([, v]) => v);
  let body: string | undefined;
  if (te.length > 0) {
    if (cl.length > 0) return { problem: 'both Transfer-Encoding and Content-Length (a request smuggling shape)' };
    if (te.join(',').split(',').map((x) => x.trim()).at(-1) !== 'chunked') return { problem: 'a Transfer-Encoding that does not end with chunked' };
    const d = dechunk(rest);
    if (d.problem) return { problem: d.problem };
    body = d.body;
  } else if (cl.length > 0) {
    if (new Set(cl).size > 1 || !/^\d{1,15}$/.test(cl[0]!)) return { problem: `a Content-Length that is not one number: ${JSON.stringify(cl.join(', ').slice(0, 40))}` };
    const n = Number(cl[0]);
    if (rest.length < n) return { problem: `the body is shorter (${rest.length} bytes) than its Content-Length (${n})` };
    body = rest.slice(0, n);
  }
  return {
    request: {
      method,
      uri,
      protocol,
      headers,
      body: body === undefined ? undefined : Buffer.from(body, 'latin1'),
      ...at,
    },
  };
}
