/** A request target's parts, split at the first `?` (no decoding, no normalising). */

/**
 * The path of a request target: everything before the first `?`. An absolute-form target
 * (`http://host/admin`, RFC 9112 3.2.2), which Node's server passes on as it came and the
 * frameworks route by its path, gives that path (`/admin`), so a policy sees what the router
 * will serve.
 */
export function urlPath(url: string): string {
  let u = url;
  if (u.charCodeAt(0) !== 0x2f) {
    const m = ABSOLUTE_FORM.exec(u);
    if (m) u = u.slice(m[0].length) || '/';
  }
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/** A target's scheme and authority, when it has them. */
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** The query of a request target with its `?`, or '' when there is none. */
export function urlQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q);
}
