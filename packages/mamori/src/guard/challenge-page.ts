/**
 * The answer to a challenged request: a 429 with the proof-of-work puzzle,
 * as JSON for API clients or as a small self-contained HTML page that solves
 * it in the browser (Web Crypto SHA-256), posts `{token, solution}` to the
 * submit URL and reloads the page once the pass cookie is set.
 *
 * The page loads nothing from elsewhere; its one script and one style are
 * constant text allowed by hash in a strict Content-Security-Policy. The
 * per-request values (token, difficulty, submit URL) travel in escaped
 * `data-` attributes, never inside the script.
 *
 * JSON form:
 *   {"error":"challenge_required","challenge":{"token":"...","difficulty":18,
 *    "algorithm":"sha256","expires_at":1767225900000,"submit":"/.mamori/challenge"}}
 * `expires_at` is in milliseconds since the epoch.
 */
import { createHash } from 'node:crypto';
import { MamoriError } from '../core/errors.js';
import type { Challenge } from './challenge.js';
import type { RenderedResponse } from './verdict.js';

export const DEFAULT_CHALLENGE_ACTION = '/.mamori/challenge';

export interface ChallengePageOptions {
  wantsJson: boolean;
  /** Seconds; sent as `retry-after`. */
  retryAfter?: number | undefined;
  /** The same-origin path the solution is posted to; default `/.mamori/challenge`. */
  action?: string | undefined;
}

/** The page's script. Plain ES2017, ASCII only (its hash is over these exact bytes). */
export const CHALLENGE_SCRIPT = `
(function () {
  'use strict';
  var root = document.getElementById('mamori-challenge');
  var statusEl = document.getElementById('mamori-status');
  var bar = document.getElementById('mamori-progress');
  var token = root.getAttribute('data-token') || '';
  var bits = parseInt(root.getAttribute('data-difficulty') || '0', 10);
  var submit = root.getAttribute('data-submit') || '/.mamori/challenge';
  function say(text) { statusEl.textContent = text; }
  function zeros(h) {
    var n = 0;
    for (var i = 0; i < h.length; i++) {
      if (h[i] === 0) { n += 8; continue; }
      return n + Math.clz32(h[i]) - 24;
    }
    return n;
  }
  async function solve() {
    var enc = new TextEncoder();
    var expected = Math.pow(2, bits);
    for (var i = 0; ; i++) {
      var digest = await crypto.subtle.digest('SHA-256', enc.encode(token + ':' + i));
      if (zeros(new Uint8Array(digest)) >= bits) return String(i);
      if (i % 1024 === 1023) bar.value = Math.min(99, Math.floor(100 * (1 - Math.exp(-i / expected))));
    }
  }
  async function run() {
    if (!window.crypto || !window.crypto.subtle || !window.TextEncoder || !window.fetch) {
      say('This check needs a current browser, and the site must be served over HTTPS. Please update your browser, or contact the site.');
      return;
    }
    say('Working... this is automatic and usually takes a few seconds.');
    try {
      var solution = await solve();
      bar.value = 100;
      say('Done. Sending the answer...');
      var res = await fetch(submit, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: token, solution: solution })
      });
      if (res.ok) {
        say('Thank you. Reloading the page...');
        location.reload();
        return;
      }
      say('The check did not pass; it may have expired. Please reload the page to try again.');
    } catch (e) {
      say('The check could not finish. Please reload the page to try again.');
    }
  }
  run();
})();
`;

const CHALLENGE_STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1b1f24; }
main { max-width: 34rem; margin: 12vh auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 1.4rem; margin-top: 0; }
progress { width: 100%; height: 1rem; }
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export const CHALLENGE_CSP = [
  "default-src 'none'",
  `script-src ${cspHash(CHALLENGE_SCRIPT)}`,
  `style-src ${cspHash(CHALLENGE_STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SAME_ORIGIN_PATH = /^\/(?![/\\])[^\s"'<>\\`]{0,255}$/;

export function renderChallenge(ch: Challenge, opts: ChallengePageOptions): RenderedResponse {
  const action = opts.action ?? DEFAULT_CHALLENGE_ACTION;
  if (!SAME_ORIGIN_PATH.test(action)) {
    throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', 'the challenge submit URL must be a same-origin path such as /.mamori/challenge');
  }
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'x-mamori-action': 'challenge',
    'x-content-type-options': 'nosniff',
  };
  if (opts.retryAfter !== undefined && Number.isFinite(opts.retryAfter)) {
    headers['retry-after'] = String(Math.max(0, Math.ceil(opts.retryAfter)));
  }
  if (opts.wantsJson) {
    headers['content-type'] = 'application/json; charset=utf-8';
    const body = JSON.stringify({
      error: 'challenge_required',
      challenge: { token: ch.token, difficulty: ch.difficulty, algorithm: ch.algorithm, expires_at: ch.expiresAt, submit: action },
    });
    return { status: 429, headers, body };
  }
  headers['content-type'] = 'text/html; charset=utf-8';
  headers['content-security-policy'] = CHALLENGE_CSP;
  headers['referrer-policy'] = 'no-referrer';
  const difficulty = Number.isInteger(ch.difficulty) ? String(ch.difficulty) : '0';
  const wait = headers['retry-after'] ? ` or wait ${headers['retry-after']} seconds and try again` : '';
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Checking your browser</title>
<style>${CHALLENGE_STYLE}</style>
</head>
<body>
<main id="mamori-challenge" data-token="${escapeHtml(String(ch.token))}" data-difficulty="${difficulty}" data-submit="${escapeHtml(action)}">
<h1>Checking your browser</h1>
<p>This site is protecting itself from automated attacks. Your browser is doing a short calculation to show that it is not one. This is automatic: you do not need to do anything, and the page reloads by itself when it is done.</p>
<noscript><p>This check needs JavaScript. Please turn JavaScript on and reload the page${escapeHtml(wait)}.</p></noscript>
<progress id="mamori-progress" max="100" value="0" aria-label="Progress of the check"></progress>
<p id="mamori-status" role="status" aria-live="polite">Starting the check...</p>
</main>
<script>${CHALLENGE_SCRIPT}</script>
</body>
</html>
`;
  return { status: 429, headers, body };
}
