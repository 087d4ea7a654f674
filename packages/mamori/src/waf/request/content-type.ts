/**
 * A request's Content-Type as the upstream reads it. The media type is what PHP takes (the
 * text before the first `;`, `,` or space, lower-cased: `application/x-www-form-urlencoded x`
 * and `application/x-www-form-urlencoded, text/plain` are forms to PHP), so that the WAF reads
 * the body with the processor the upstream uses. What makes the reading uncertain (two charsets,
 * a charset the WAF does not decode) is reported by `charsetProblem`.
 */

/** The media type, lower-cased, as PHP cuts it; '' when there is none. */
export function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const t = contentType.replace(/^[ \t]+/, '');
  const end = t.search(/[;, \t]/);
  return (end < 0 ? t : t.slice(0, end)).toLowerCase();
}

/**
 * The charsets a body may declare and the WAF reads byte for byte as the upstream does: UTF-8
 * and its subsets. Any other (UTF-16 and UTF-32, EBCDIC code pages such as ibm037, UTF-7,
 * windows-125x) is decoded by some upstreams (ASP.NET, Java) into text the WAF never saw.
 */
export const READABLE_CHARSETS: ReadonlySet<string> = new Set(['utf-8', 'us-ascii', 'iso-8859-1']);

/** The values of every `charset` parameter of a Content-Type, lower-cased, quotes removed. */
export function charsets(contentType: string): string[] {
  return [...contentType.matchAll(/(?:^|[;,\s])charset[ \t]*=[ \t]*("?)([^";,\s]*)/gi)].map((m) => m[2]!.toLowerCase());
}

/** Why the charsets of a Content-Type make the body's reading uncertain, or undefined. */
export function charsetProblem(contentType: string): string | undefined {
  const all = charsets(contentType);
  if (all.length > 1) return `the Content-Type names ${all.length} charsets (${all.join(', ').slice(0, 80)})`;
  if (all.length === 1 && !READABLE_CHARSETS.has(all[0]!)) return `the charset ${JSON.stringify(all[0]!.slice(0, 40))} is not one the WAF reads as the upstream may (utf-8, us-ascii, iso-8859-1)`;
  return undefined;
}
