/**
 * The answer to a challenged request: a 429 with the proof-of-work puzzle,
 * as JSON for API clients or as a small self-contained HTML page (Japanese or
 * English, by Accept-Language) that solves it and then carries on with what
 * the person was doing.
 *
 * The page paints at once; the work runs in Web Workers (a `blob:` worker
 * made from the page's own script), with a plain-JavaScript SHA-256 that
 * starts from the midstate of the token's full 64-byte blocks, so each try
 * hashes only the tail, and that needs no Web Crypto (absent over plain
 * HTTP). Where workers cannot be made, the same code runs on the page in
 * short slices. Once the solution is accepted (POST `{token, solution}` to
 * the submit URL sets the `mamori_pass` cookie), the page:
 * - `get`: opens the same URL again (a challenged page);
 * - `post`: posts the original form fields to the original URL again (an
 *   urlencoded form login), from a hidden form in the page: the fields are
 *   echoed only to the client that just sent them, in a no-store answer;
 * - `back`: says the form could not be sent again and takes the person back
 *   (GET) to the form (multipart, JSON, too large, or not read).
 *
 * The page loads nothing from elsewhere; its one script and one style are
 * constant text allowed by hash in a strict Content-Security-Policy. The
 * per-request values (token, difficulty, submit URL, words, fields) travel
 * in escaped attributes, never inside the script.
 *
 * JSON form (docs/challenge.md):
 *   {"error":"challenge_required","challenge":{"token":"...","difficulty":18,
 *    "algorithm":"sha256","expires_at":1767225900000,"submit":"/.mamori/challenge"}}
 * `expires_at` is in milliseconds since the epoch.
 */
import { createHash } from 'node:crypto';
import { MamoriError } from '../core/errors.js';
import type { Challenge } from './challenge.js';
import { challengeText, escapeHtml, pageStart, pickLanguage, type Lang } from './messages.js';
import { header, type RenderedResponse, type RequestInfo } from './verdict.js';

export const DEFAULT_CHALLENGE_ACTION = '/.mamori/challenge';

/** What the page does once the pass is set. */
export type ChallengeReturn =
  | { readonly kind: 'get'; readonly url: string }
  | { readonly kind: 'post'; readonly url: string; readonly fields: readonly (readonly [string, string])[] }
  | { readonly kind: 'back'; readonly url: string };

export interface ChallengePageOptions {
  wantsJson: boolean;
  /** Seconds; sent as `retry-after`. */
  retryAfter?: number | undefined;
  /** The same-origin path the solution is posted to; default `/.mamori/challenge`. */
  action?: string | undefined;
  /** What to do after solving; default: open the page's own URL again, with a GET (`challengeReturn` makes one). */
  then?: ChallengeReturn | undefined;
  /** The page's language; default English. `pickLanguage(accept-language)` chooses it. */
  lang?: Lang | undefined;
  /** Seconds the challenge is likely to be asked for, said honestly on the no-JavaScript path. */
  waitSeconds?: number | undefined;
  /** A login challenge: the page says that a browser that signed in here before is not asked. */
  login?: boolean | undefined;
}

/** Form fields posted again by the page: at most this many bytes of body, this many fields. */
export const MAX_REPLAY_BODY = 16 * 1024;
const MAX_REPLAY_FIELDS = 64;

/**
 * SHA-256 in plain JavaScript and the search for a solution, as the source of one function
 * (`solverKit`) that the page runs in its workers and, failing those, on the page. ASCII only.
 * `makeSolver(token, tag, bits)` tries solutions `tag + 0`, `tag + 1`, ... (decimal); its
 * `step(n)` makes up to n tries and returns the solution found, or null.
 */
export const CHALLENGE_SOLVER = `function solverKit() {
  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var W = new Int32Array(64);
  function compress(h, w, off) {
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    var i, x, y, t1, t2;
    for (i = 0; i < 16; i++) W[i] = w[off + i];
    for (i = 16; i < 64; i++) {
      x = W[i - 15];
      y = W[i - 2];
      W[i] = ((((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
        (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + W[i - 7] + W[i - 16]) | 0;
    }
    for (i = 0; i < 64; i++) {
      t1 = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
  }
  function utf8(s) {
    var out = [], i, c;
    for (i = 0; i < s.length; i++) {
      c = s.charCodeAt(i);
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      } else {
        if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
        out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
    }
    return out;
  }
  function word(buf, i) {
    return (buf[i] << 24) | (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3];
  }
  function makeSolver(token, tag, bits) {
    var bytes = utf8(token + ':' + tag);
    var full = Math.floor(bytes.length / 64);
    var mid = new Int32Array(IV);
    var words = new Int32Array(32);
    var st = new Int32Array(8);
    var buf = new Uint8Array(128);
    var i, j, blk;
    for (blk = 0; blk < full; blk++) {
      for (i = 0; i < 16; i++) words[i] = word(bytes, blk * 64 + 4 * i);
      compress(mid, words, 0);
    }
    var rest = bytes.slice(full * 64);
    var digits = [48];
    var blocks = 1;
    var tries = 0;
    bits = Math.max(0, Math.min(32, bits | 0));
    function layout() {
      var len = rest.length + digits.length;
      var bitLen = (full * 64 + len) * 8;
      buf.fill(0);
      for (i = 0; i < rest.length; i++) buf[i] = rest[i];
      for (i = 0; i < digits.length; i++) buf[rest.length + i] = digits[i];
      buf[len] = 0x80;
      blocks = len + 9 > 64 ? 2 : 1;
      var end = blocks * 64;
      buf[end - 1] = bitLen & 255;
      buf[end - 2] = (bitLen >>> 8) & 255;
      buf[end - 3] = (bitLen >>> 16) & 255;
      buf[end - 4] = (bitLen >>> 24) & 255;
      for (i = 0; i < blocks * 16; i++) words[i] = word(buf, 4 * i);
    }
    layout();
    function current() {
      return tag + String.fromCharCode.apply(null, digits);
    }
    function step(n) {
      var p, w;
      for (var t = 0; t < n; t++) {
        st.set(mid);
        compress(st, words, 0);
        if (blocks === 2) compress(st, words, 16);
        tries++;
        if (bits === 0 || (st[0] >>> (32 - bits)) === 0) return current();
        j = digits.length - 1;
        while (j >= 0 && digits[j] === 57) { digits[j] = 48; j--; }
        if (j < 0) {
          digits.unshift(49);
          layout();
          continue;
        }
        digits[j]++;
        for (; j < digits.length; j++) {
          p = rest.length + j;
          buf[p] = digits[j];
          w = p >> 2;
          words[w] = word(buf, 4 * w);
        }
      }
      return null;
    }
    return { step: step, tries: function () { return tries; } };
  }
  function sha256hex(s) {
    var h = new Int32Array(IV), b = utf8(s), len = b.length, i, out = '';
    b.push(0x80);
    while (b.length % 64 !== 56) b.push(0);
    b.push(0, 0, 0, 0, (len * 8) >>> 24, ((len * 8) >>> 16) & 255, ((len * 8) >>> 8) & 255, (len * 8) & 255);
    var w = new Int32Array(16);
    for (var blk = 0; blk < b.length; blk += 64) {
      for (i = 0; i < 16; i++) w[i] = word(b, blk + 4 * i);
      compress(h, w, 0);
    }
    for (i = 0; i < 8; i++) out += ('0000000' + (h[i] >>> 0).toString(16)).slice(-8);
    return out;
  }
  return { makeSolver: makeSolver, sha256hex: sha256hex };
}`;

/** The page's script: plain ES5 apart from typed arrays, ASCII only (its hash is over these exact bytes). */
export const CHALLENGE_SCRIPT = `
(function () {
  'use strict';
  ${CHALLENGE_SOLVER}
  function workerMain() {
    var kit = solverKit();
    self.onmessage = function (e) {
      var s = kit.makeSolver(e.data.token, e.data.tag, e.data.bits);
      var found = null;
      while (found === null) {
        found = s.step(65536);
        self.postMessage({ tries: s.tries(), solution: found });
      }
    };
  }
  var root = document.getElementById('mamori-challenge');
  var words = document.getElementById('mamori-text');
  var statusEl = document.getElementById('mamori-status');
  var bar = document.getElementById('mamori-progress');
  var after = document.getElementById('mamori-after');
  var backLink = document.getElementById('mamori-back');
  var retryButton = document.getElementById('mamori-retry');
  var replay = document.getElementById('mamori-replay');
  var token = root.getAttribute('data-token') || '';
  var bits = parseInt(root.getAttribute('data-difficulty') || '0', 10);
  var submit = root.getAttribute('data-submit') || '/.mamori/challenge';
  var mode = root.getAttribute('data-return') || 'get';
  var target = root.getAttribute('data-return-url') || location.href;
  var started = Date.now();
  var expected = Math.pow(2, bits);
  var shown = 0;
  function text(name) { return words.getAttribute('data-' + name) || ''; }
  function say(t) { statusEl.textContent = t; }
  function progress(tries) {
    var now = Date.now();
    if (now - shown < 100) return;
    shown = now;
    bar.value = Math.min(99, Math.floor(100 * (1 - Math.exp(-tries / expected))));
    say(text('working').replace('{t}', String(Math.floor((now - started) / 1000))));
  }
  function carryOn() {
    if (mode === 'post' && replay) {
      // (The form's own method: a field named "submit" is what replay.submit names.)
      HTMLFormElement.prototype.submit.call(replay);
    } else if (mode === 'back') {
      location.assign(target);
    } else {
      // The page's own URL as the browser knows it (a proxy in front may add a path prefix).
      location.replace(location.href);
    }
  }
  function failed() {
    say(text('failed'));
    retryButton.hidden = false;
    after.hidden = false;
    retryButton.focus();
  }
  function solved(solution) {
    bar.value = 100;
    say(text('checking'));
    fetch(submit, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: token, solution: solution })
    }).then(function (res) {
      if (!res.ok) { failed(); return; }
      if (mode === 'back') {
        say(text('back'));
        backLink.hidden = false;
        after.hidden = false;
        backLink.focus();
        setTimeout(carryOn, 6000);
        return;
      }
      say(text(mode === 'post' ? 'continue-post' : 'continue-get'));
      carryOn();
    }, failed);
  }
  function onPage() {
    var s = solverKit().makeSolver(token, '', bits);
    function slice() {
      var found = s.step(8192);
      if (found !== null) { solved(found); return; }
      progress(s.tries());
      setTimeout(slice, 0);
    }
    setTimeout(slice, 0);
  }
  function inWorkers() {
    var n = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8));
    var source = solverKit.toString() + '\\n(' + workerMain.toString() + ')();';
    var url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    var workers = [];
    var counts = [];
    var over = false;
    function stop() {
      over = true;
      for (var j = 0; j < workers.length; j++) workers[j].terminate();
    }
    function listen(k) {
      return function (e) {
        if (over) return;
        counts[k] = e.data.tries;
        if (e.data.solution !== null) { stop(); solved(e.data.solution); return; }
        var sum = 0;
        for (var j = 0; j < counts.length; j++) sum += counts[j] || 0;
        progress(sum);
      };
    }
    function broken() {
      if (over) return;
      stop();
      onPage();
    }
    try {
      for (var i = 0; i < n; i++) {
        var w = new Worker(url);
        w.onmessage = listen(i);
        w.onerror = broken;
        workers.push(w);
        w.postMessage({ token: token, tag: '0123456789abcdef'.charAt(i), bits: bits });
      }
    } catch (e) {
      stop();
      throw e;
    }
  }
  function run() {
    document.getElementById('mamori-js').hidden = false;
    retryButton.addEventListener('click', carryOn);
    if (!window.fetch || !window.Int32Array || !window.Uint8Array) { say(text('unsupported')); return; }
    say(text('starting'));
    if (window.Worker && window.Blob && window.URL && URL.createObjectURL) {
      try { inWorkers(); return; } catch (e) { /* no workers here: on the page instead */ }
    }
    onPage();
  }
  run();
})();
`;

const CHALLENGE_STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1b1f24; line-height: 1.6; }
main { max-width: 34rem; margin: 12vh auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 1.4rem; margin-top: 0; }
progress { width: 100%; height: 1rem; }
button, a.mamori-button { font: inherit; padding: .4rem 1rem; }
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export const CHALLENGE_CSP = [
  "default-src 'none'",
  `script-src ${cspHash(CHALLENGE_SCRIPT)}`,
  `style-src ${cspHash(CHALLENGE_STYLE)}`,
  'worker-src blob:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');


const SAME_ORIGIN_PATH = /^\/(?![/\\])[^\s"'<>\\`]{0,255}$/;
/** A path (and query) on this site to go back to: no scheme, no `//host`, no spaces or quotes. */
const RETURN_PATH = /^\/(?![/\\])[^\s"'<>\\`]{0,2047}$/;

function returnPath(url: string | undefined): string | undefined {
  return url !== undefined && RETURN_PATH.test(url) ? url : undefined;
}

/** The same-origin path of a Referer, when it names this site (by the Host header). */
function refererPath(req: RequestInfo): string | undefined {
  const ref = header(req, 'referer');
  const host = header(req, 'host');
  if (!ref || !host) return undefined;
  try {
    const u = new URL(ref);
    if (u.host !== host.toLowerCase() || (u.protocol !== 'http:' && u.protocol !== 'https:')) return undefined;
    return returnPath(u.pathname + u.search);
  } catch {
    return undefined;
  }
}

/** The fields of an urlencoded UTF-8 body, when a browser's form would send them back as they are. */
function replayFields(contentType: string | undefined, body: unknown): [string, string][] | undefined {
  let pairs: [string, string][];
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    const ct = (contentType ?? '').toLowerCase().split(';').map((x) => x.trim());
    if (ct[0] !== 'application/x-www-form-urlencoded') return undefined;
    const charset = ct.find((x) => x.startsWith('charset='));
    if (charset && !/^charset="?utf-8"?$/.test(charset)) return undefined;
    if (body.length > MAX_REPLAY_BODY) return undefined;
    // A byte-order mark: TextDecoder drops it, and a site reading the bytes may not.
    if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return undefined;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return undefined;
    }
    pairs = [...new URLSearchParams(text)];
  } else if (body !== null && typeof body === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(body))) {
    // A framework's parsed form: flat string fields only (nested or repeated ones are not sent back).
    pairs = [];
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (typeof v !== 'string') return undefined;
      pairs.push([k, v]);
    }
    if (JSON.stringify(pairs).length > MAX_REPLAY_BODY) return undefined;
  } else {
    return undefined;
  }
  if (pairs.length === 0 || pairs.length > MAX_REPLAY_FIELDS) return undefined;
  // A browser would change these on the way back: CR/LF to CRLF, _charset_ to the charset,
  // and an undecodable %-escape has already become U+FFFD.
  for (const [k, v] of pairs) {
    if (/[\r\n\uFFFD\0]/.test(k + v) || k.toLowerCase() === '_charset_' || k === '') return undefined;
  }
  return pairs;
}

/**
 * What a challenged request's page does once solved: open the same URL again (GET, HEAD), post
 * its urlencoded form fields again to the same URL (`body`: the raw body, or a framework's
 * parsed fields), or go back (GET) to the form (the Referer on this site, else the same URL).
 * `url`: the request target (path and query).
 */
export function challengeReturn(req: RequestInfo, url: string | undefined, body?: unknown): ChallengeReturn {
  const here = returnPath(url) ?? returnPath(req.path) ?? '/';
  const method = req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return { kind: 'get', url: here };
  if (method === 'POST') {
    const encoding = header(req, 'content-encoding');
    const plain = encoding === undefined || encoding.trim().toLowerCase() === 'identity';
    // Posted again only to the URL it was sent to, written back as it came: never the form, and
    // the password in it, to another (the front page, or the same path without its query).
    const exact = url !== undefined ? returnPath(url) : returnPath(req.path);
    const fields = plain && exact !== undefined ? replayFields(header(req, 'content-type'), body) : undefined;
    if (fields) return { kind: 'post', url: exact!, fields };
  }
  return { kind: 'back', url: refererPath(req) ?? here };
}

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
  headers['vary'] = 'accept, accept-language';
  const lang = opts.lang ?? 'en';
  const t = challengeText(lang, opts.waitSeconds);
  // Without a plan, the page opens its own URL again (a GET: never the POST a reload would repeat).
  const then: ChallengeReturn | undefined = opts.then;
  const thenUrl = then ? (returnPath(then.url) ?? '/') : undefined;
  const difficulty = Number.isInteger(ch.difficulty) ? String(ch.difficulty) : '0';
  const e = escapeHtml;
  const wordAttrs = (
    [
      ['starting', t.starting],
      ['working', t.working],
      ['checking', t.checking],
      ['continue-get', t.continueGet],
      ['continue-post', t.continuePost],
      ['back', t.back],
      ['failed', t.failed],
      ['unsupported', t.unsupported],
    ] as const
  )
    .map(([k, v]) => ` data-${k}="${e(v)}"`)
    .join('');
  const replay =
    then?.kind === 'post'
      ? // No action: the form goes back to the document's own URL, which is exactly where the
        // browser posted it (with its query, and any path prefix a proxy in front strips).
        `<form id="mamori-replay" method="post" hidden>\n${then.fields.map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`).join('\n')}\n</form>\n`
      : '';
  const trusted = opts.login ? `<p>${e(t.trustedNote)}</p>` : '';
  const body = `${pageStart(lang, t.title, CHALLENGE_STYLE)}<main id="mamori-challenge" data-token="${e(String(ch.token))}" data-difficulty="${difficulty}" data-submit="${e(action)}" data-return="${then?.kind ?? 'get'}"${thenUrl !== undefined ? ` data-return-url="${e(thenUrl)}"` : ''}>
<h1>${e(t.title)}</h1>
<noscript><p id="mamori-noscript">${e(t.noscript)}</p>${trusted}</noscript>
<div id="mamori-js" hidden>
<p>${e(t.intro)}</p>
<progress id="mamori-progress" max="100" value="0" aria-label="${e(t.progressLabel)}"></progress>
<p id="mamori-status" role="status" aria-live="polite">${e(t.starting)}</p>
<p id="mamori-after" hidden><a id="mamori-back" class="mamori-button" href="${e(thenUrl ?? '/')}" hidden>${e(t.backLink)}</a><button id="mamori-retry" type="button" hidden>${e(t.retry)}</button></p>
</div>
<div id="mamori-text" hidden${wordAttrs}></div>
${replay}</main>
<script>${CHALLENGE_SCRIPT}</script>
</body>
</html>
`;
  return { status: 429, headers, body };
}

/** The challenge page's language for a request. */
export function challengeLanguage(req: RequestInfo): Lang {
  return pickLanguage(header(req, 'accept-language'));
}
