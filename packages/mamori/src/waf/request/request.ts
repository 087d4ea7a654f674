/**
 * A request as the WAF sees it: every text a byte string (one UTF-16 code unit per byte, as
 * `Buffer#toString('latin1')` makes it), since rules match the bytes the upstream receives;
 * headers in the order and spelling they were sent, repeats kept.
 */
export interface WafRequest {
  readonly method: string;
  /** The request target as sent (origin form `/a?b`, or absolute form `http://h/a?b`). */
  readonly uri: string;
  /** `HTTP/1.1`, as sent. */
  readonly protocol: string;
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** The body as the upstream receives it (chunked framing removed), or undefined when none was read. */
  readonly body: Buffer | undefined;
  readonly remoteAddr: string;
  readonly remotePort: number;
  readonly serverAddr: string;
  readonly serverPort: number;
}

/** The values of a header, by case-insensitive name, in order. */
export function headerValues(req: WafRequest, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of req.headers) if (n.toLowerCase() === lower) out.push(v);
  return out;
}

/**
 * The parts of a request target: `path` (without the query, and without scheme and authority
 * for an absolute-form target) and `query` (after the first `?`, without a `#` fragment, which
 * no client sends but an attacker may).
 */
export function splitTarget(uri: string): { path: string; query: string } {
  let rest = uri;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(rest);
  if (scheme) {
    const slash = rest.indexOf('/', scheme[0].length);
    const q = rest.indexOf('?', scheme[0].length);
    const cut = slash < 0 ? (q < 0 ? rest.length : q) : q >= 0 && q < slash ? q : slash;
    rest = rest.slice(cut);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}
