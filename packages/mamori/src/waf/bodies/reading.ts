/**
 * Whether the WAF can know how the upstream will read a request's body, and with which
 * processor it reads a body no Content-Type claims. docs/waf-parsing-differentials.md lists
 * the techniques these answer.
 *
 * `readingProblem` gives the reason mamori refuses a body (REQBODY_ERROR, refused by mamori's
 * setup at every paranoia level), where the upstream may read something other than the WAF:
 * - two Content-Type headers (servers keep the first, the last, or join them);
 * - a Content-Encoding (gzip, deflate, br): the WAF reads the bytes as sent, body-parser and
 *   others inflate them first;
 * - two charsets, or a charset other than UTF-8, US-ASCII or ISO-8859-1 (see content-type.ts);
 * - a form, JSON or XML body with a NUL byte or a UTF-16/UTF-32 byte-order mark (UTF-16 or
 *   UTF-32 text, which some readers detect and decode);
 * - an XML declaration naming another encoding (UTF-7, UTF-16, EBCDIC), which XML readers honour;
 * - a urlencoded body that is JSON or XML (an application that reads php://input, or a
 *   framework told to parse any type, reads it as such; the form reading gives the WAF one
 *   mangled name);
 * - a path parameter (`;`) in a segment before another: Tomcat, Jetty and Spring route
 *   `/.git;x=1/config` as `/.git/config`, which rules on REQUEST_FILENAME do not see.
 *
 * `impliedProcessor`: a body without a processor under a type that names no format (no
 * Content-Type, text/plain, an unknown type) that is a JSON document, or an XML one, is read as
 * such as well, since upstreams that ignore the type (PHP's json_decode of php://input) read it so.
 */
import { READABLE_CHARSETS, charsetProblem } from '../request/content-type.js';
import { headerValues, splitTarget, type WafRequest } from '../request/request.js';

type Processor = 'URLENCODED' | 'MULTIPART' | 'JSON' | 'XML';

const BOMS = ['\xff\xfe', '\xfe\xff', '\x00\x00\xfe\xff'];

/** The body parses as a JSON object or array (after optional whitespace and a UTF-8 BOM). */
function isJson(body: string): boolean {
  const t = body.replace(/^(?:\xef\xbb\xbf)?[ \t\r\n]*/, '');
  if (t[0] !== '{' && t[0] !== '[') return false;
  try {
    JSON.parse(Buffer.from(t, 'latin1').toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** The body starts as an XML document does: a declaration, or an element. */
function looksXml(body: string): boolean {
  return /^(?:\xef\xbb\xbf)?[ \t\r\n]*<(?:\?xml[ \t]|!DOCTYPE[ \t]|[A-Za-z_][-\w.:]*[ \t\r\n/>])/.test(body);
}

/**
 * The processor a body without one is read with as well: JSON or XML when it is such a document,
 * under a Content-Type that is not one of the JSON and XML types setups route to those processors
 * (none, `text/plain`, `application/x-json`, an unknown type). One of those types that got no
 * processor is the setup's choice (ModSecurity's too), left as it is.
 */
export function impliedProcessor(body: string, mediaType = ''): 'JSON' | 'XML' | undefined {
  // The types CRS's setup and mamori's give the JSON and XML processors.
  if (/^application\/(?:.+\+)?json$|^(?:application(?:\/soap\+|\/)|text\/)xml$/.test(mediaType)) return undefined;
  if (isJson(body)) return 'JSON';
  if (looksXml(body)) return 'XML';
  return undefined;
}

/** Why the upstream may read this request's body (or path) otherwise than the WAF, or undefined. (More arguments than SecArgumentsLimit is the engine's own body error.) */
export function readingProblem(req: WafRequest, processor: Processor | undefined, body: string): string | undefined {
  const { path } = splitTarget(req.uri);
  // (indexOf, not a regular expression: linear on a path of many `;`.)
  const semicolon = path.indexOf(';');
  if (semicolon >= 0 && path.indexOf('/', semicolon) >= 0) return 'PATH: a path parameter (;) before a later segment, which Java servlet containers strip before routing (/a;x/b is /a/b to them)';
  if (body === '') return undefined;
  const types = headerValues(req, 'content-type');
  if (types.length > 1) return `${types.length} Content-Type headers: servers keep the first, the last, or join them`;
  const encoding = headerValues(req, 'content-encoding').join(',').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') return `the body is sent with Content-Encoding ${JSON.stringify(encoding.slice(0, 40))}, which the upstream may decode and the WAF does not`;
  const charset = types[0] === undefined ? undefined : charsetProblem(types[0]);
  if (charset) return charset;
  if (processor !== 'MULTIPART' && processor !== undefined) {
    if (BOMS.some((b) => body.startsWith(b)) || body.includes('\0')) return `the body (${processor}) has a NUL byte or a UTF-16/UTF-32 byte-order mark: text in another encoding than the WAF reads`;
  }
  if (processor === 'XML' || (processor === undefined && looksXml(body))) {
    // The encoding an XML declaration names is the one XML readers decode with.
    const declared = /^(?:\xef\xbb\xbf)?[ \t\r\n]*<\?xml[^>]*?\sencoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']/.exec(body.slice(0, 1024))?.[1]?.toLowerCase();
    if (declared !== undefined && !READABLE_CHARSETS.has(declared) && declared !== 'ascii' && declared !== 'utf8') return `the XML declaration names the encoding ${JSON.stringify(declared.slice(0, 40))}, which XML readers decode and the WAF does not`;
  }
  if (processor === 'URLENCODED') {
    const other = isJson(body) ? 'JSON' : looksXml(body) ? 'XML' : undefined;
    if (other) return `the body is ${other} but its Content-Type says a urlencoded form`;
  }
  return undefined;
}
