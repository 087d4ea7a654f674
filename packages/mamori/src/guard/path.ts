/**
 * Path normalisation for matching rules: decode percent-escapes once,
 * resolve `.` and `..`, collapse repeated slashes, drop a trailing slash,
 * and lower-case, so `/Admin`, `/%61dmin`, `//admin/` and `/x/../admin`
 * all meet the rule written for `/admin`.
 */
export function normalizePath(raw: string): string {
  let p = raw.length > 8192 ? raw.slice(0, 8192) : raw;
  const q = p.indexOf('?');
  if (q >= 0) p = p.slice(0, q);
  try {
    p = decodeURIComponent(p);
  } catch {
    // Malformed escapes stay as they are.
  }
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg.replace(/[;].*$/, ''));
  }
  return ('/' + out.join('/')).toLowerCase();
}
