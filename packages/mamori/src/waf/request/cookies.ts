/**
 * Cookie headers as REQUEST_COOKIES and REQUEST_COOKIES_NAMES hold them: every Cookie header,
 * split on `;`, each part trimmed of spaces and tabs, its name before the first `=` and its value
 * after (a part without `=`: the name, with an empty value). Not decoded: a cookie's value is
 * the application's to decode, and rules apply t:urlDecodeUni where it matters.
 */
export function parseCookies(headers: readonly string[], maxCookies = 1000): [name: string, value: string][] {
  const out: [string, string][] = [];
  for (const h of headers) {
    for (const raw of h.split(';')) {
      const part = raw.replace(/^[ \t]+|[ \t]+$/g, '');
      if (part === '') continue;
      if (out.length >= maxCookies) return out;
      const eq = part.indexOf('=');
      out.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
    }
  }
  return out;
}
