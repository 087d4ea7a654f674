/**
 * What the simulator needs of HTTP: a small cookie jar (as a browser keeps
 * per site), reading how a login was answered, and finding the challenge in
 * mamori's JSON or HTML answer. Bounded: bodies are read to 64 KiB at most,
 * the jar holds at most 32 cookies of at most 4 KiB.
 */
import { solveChallengeAsync } from '../guard/challenge.js';
import { sameOrigin } from './target.js';
import type { SimClassification, SimResponse } from './types.js';

const MAX_BODY = 64 * 1024;
const MAX_COOKIES = 32;
const MAX_COOKIE = 4096;

export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes `Set-Cookie` lines; `Max-Age=0` (or less) or an empty value removes the cookie. */
  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const m = /^\s*max-age\s*=\s*(-?\d+)\s*$/i.exec(a);
        return m !== null && Number(m[1]) <= 0;
      });
      if (expired || value === '') this.#cookies.delete(name);
      else if (name.length + value.length <= MAX_COOKIE && (this.#cookies.has(name) || this.#cookies.size < MAX_COOKIES)) this.#cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export function setCookies(res: SimResponse): string[] {
  if (typeof res.headers.getSetCookie === 'function') return res.headers.getSetCookie();
  const one = res.headers.get('set-cookie');
  return one ? [one] : [];
}

/**
 * How a login request was answered. mamori marks its own answers with
 * `x-mamori-action`; anything else came from the site: a redirect away from
 * the login page is a success, other 2xx-4xx answers a failure.
 */
export function classifyLogin(res: Pick<SimResponse, 'status' | 'headers'>, loginPath: string): SimClassification {
  const action = res.headers.get('x-mamori-action')?.trim().toLowerCase();
  if (action === 'block') return 'block';
  if (action === 'challenge') return 'challenge';
  const s = res.status;
  if (s >= 300 && s < 400) {
    const loc = res.headers.get('location') ?? '';
    let path = loc;
    try {
      path = new URL(loc, 'http://x').pathname;
    } catch {
      // keep the raw text
    }
    return loc !== '' && path !== loginPath ? 'success' : 'failure';
  }
  if (s >= 200 && s < 500) return 'failure';
  return 'error';
}

/** Reads at most 64 KiB of the body, then stops reading. */
export async function readBody(res: SimResponse): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return (await res.text()).slice(0, MAX_BODY);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    chunks.push(value);
    size += value.length;
    if (size >= MAX_BODY) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8');
}

/** Lets go of a body we do not need, so the connection can be reused. */
export async function discardBody(res: SimResponse): Promise<void> {
  try {
    const reader = res.body?.getReader();
    if (reader) await reader.cancel();
    else if (!res.body) await res.text();
  } catch {
    // nothing to release
  }
}

export interface ChallengeInfo {
  token: string;
  difficulty: number;
  submit: string;
}

function unescapeAttr(s: string): string {
  return s.replace(/&#(\d{1,7});/g, (_, n: string) => String.fromCodePoint(Number(n))).replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!);
}

/** The challenge in mamori's answer: JSON `{challenge:{token,difficulty,submit}}` or the HTML page's data- attributes. */
export function parseChallenge(body: string): ChallengeInfo | undefined {
  const t = body.trimStart();
  if (t.startsWith('{')) {
    try {
      const c = (JSON.parse(t) as { challenge?: { token?: unknown; difficulty?: unknown; submit?: unknown } }).challenge;
      if (c && typeof c.token === 'string' && Number.isInteger(c.difficulty) && (c.difficulty as number) >= 0) {
        return { token: c.token, difficulty: c.difficulty as number, submit: typeof c.submit === 'string' ? c.submit : '/.mamori/challenge' };
      }
    } catch {
      return undefined;
    }
    return undefined;
  }
  const attr = (name: string): string | undefined => {
    const m = new RegExp(`\\bdata-${name}="([^"]{0,2048})"`).exec(body);
    return m ? unescapeAttr(m[1]!) : undefined;
  };
  const token = attr('token');
  const difficulty = Number(attr('difficulty'));
  if (!token || !Number.isInteger(difficulty) || difficulty < 0) return undefined;
  return { token, difficulty, submit: attr('submit') ?? '/.mamori/challenge' };
}

/**
 * Solves the challenge in `res` and posts the answer through `post` (which keeps the client's
 * cookies); true when the target accepted it (the pass cookie is then in the client's jar).
 * A challenge harder than `maxDifficulty`, or one whose answer goes to another origin, is not
 * answered.
 */
export async function answerChallenge(
  target: URL,
  res: SimResponse,
  maxDifficulty: number,
  post: (url: URL, body: string) => Promise<SimResponse | undefined>,
): Promise<boolean> {
  const ch = parseChallenge(await readBody(res).catch(() => ''));
  if (!ch || ch.difficulty > maxDifficulty) return false;
  const submit = sameOrigin(target, ch.submit);
  if (!submit) return false; // never follow the target anywhere else
  const solution = await solveChallengeAsync(ch.token, ch.difficulty, 2 ** Math.min(32, ch.difficulty + 6));
  if (solution === undefined) return false;
  const answer = await post(submit, JSON.stringify({ token: ch.token, solution }));
  if (!answer) return false;
  await discardBody(answer);
  return answer.status >= 200 && answer.status < 300;
}
