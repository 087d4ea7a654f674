/**
 * The answer to a blocked request: JSON for API clients, otherwise a short
 * page in Japanese or English (Accept-Language) that says what happened in
 * plain words, when to try again as people say it ("about 1 hour", 約1時間),
 * where to go instead (the front page, or back to the same page), and, when
 * the block is on the source, that a browser that signed in here before can
 * still sign in.
 */
import { createHash } from 'node:crypto';
import { blockText, escapeHtml, pageStart, pickLanguage } from './messages.js';
import { header, type RenderedResponse, type RequestInfo, type Verdict } from './verdict.js';

/** Login protection blocks that a trusted device gets past (they are on the source or on strangers). */
export const TRUSTED_DEVICE_PASSES: ReadonlySet<string> = new Set(['login.user-source', 'login.user', 'login.stuffing', 'login.spraying']);

const STYLE = `body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1b1f24; line-height: 1.6; }
main { max-width: 34rem; margin: 12vh auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 1.4rem; margin-top: 0; }`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

const esc = escapeHtml;
/** The request's own path, as a link back: same-origin, no query (it may be what was refused). */
const SAME_PATH = /^\/(?![/\\])[^\s"'<>\\`?#]{0,1023}$/;

export function renderBlockPage(v: Verdict, req: RequestInfo, o: { trustedMaySignIn: boolean; tooHard?: boolean }): RenderedResponse {
  const status = v.status ?? (v.ruleId?.startsWith('login.') ? 429 : 403);
  const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-mamori-action': 'block', vary: 'accept, accept-language' };
  if (v.retryAfter !== undefined) headers['retry-after'] = String(v.retryAfter);
  const json = prefersJsonHere(req);
  const lang = pickLanguage(header(req, 'accept-language'));
  const t = blockText(lang, { loginLimit: status === 429, retryAfter: v.retryAfter, trustedMaySignIn: o.trustedMaySignIn, tooHard: o.tooHard === true });
  if (json) {
    headers['content-type'] = 'application/json';
    const en = lang === 'en' ? t : blockText('en', { loginLimit: status === 429, retryAfter: v.retryAfter, trustedMaySignIn: o.trustedMaySignIn, tooHard: o.tooHard === true });
    return { status, headers, body: JSON.stringify({ error: status === 429 ? 'too_many_attempts' : 'forbidden', message: `${en.message}${en.when ? ` ${en.when}` : ''}`, retry_after: v.retryAfter }) };
  }
  headers['content-type'] = 'text/html; charset=utf-8';
  headers['content-security-policy'] = `default-src 'none'; style-src ${STYLE_HASH}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
  headers['referrer-policy'] = 'no-referrer';
  const links = [`<a href="/">${esc(t.frontLink)}</a>`];
  // Back to the same page (a GET of it): for a refused form post it shows the form again.
  const method = req.method.toUpperCase();
  if (req.path !== '/' && SAME_PATH.test(req.path) && method !== 'GET' && method !== 'HEAD') links.push(`<a href="${esc(req.path)}">${esc(t.backLink)}</a>`);
  const body = `${pageStart(lang, t.title, STYLE)}<main>
<h1>${esc(t.title)}</h1>
<p>${esc(t.message)}${t.when ? ` ${esc(t.when)}` : ''}</p>
${t.trustedNote ? `<p>${esc(t.trustedNote)}</p>\n` : ''}<p>${links.join(' · ')}</p>
</main>
</body>
</html>
`;
  return { status, headers, body };
}

function prefersJsonHere(req: RequestInfo): boolean {
  const accept = header(req, 'accept') ?? '';
  const ct = header(req, 'content-type') ?? '';
  return (accept.includes('application/json') && !accept.includes('text/html')) || (!accept.includes('text/html') && ct.includes('json'));
}
