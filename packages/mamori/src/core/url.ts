/** A request target's parts, split at the first `?` (no decoding, no normalising). */

/** The path of a request target: everything before the first `?`. */
export function urlPath(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The query of a request target with its `?`, or '' when there is none. */
export function urlQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q);
}
