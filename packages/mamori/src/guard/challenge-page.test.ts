import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '../core/clock.js';
import { isMamoriError } from '../core/errors.js';
import { MemoryStore } from '../core/memory-store.js';
import { createChallenger, type Challenge } from './challenge.js';
import { renderChallenge } from './challenge-page.js';

const ch: Challenge = { token: 'eyJhIjoxfQ.sig', difficulty: 18, expiresAt: 1_767_225_900_000, algorithm: 'sha256' };
const hostile: Challenge = { token: '"><script>alert(1)</script><img src=x onerror=alert(2)>&', difficulty: 3, expiresAt: 0, algorithm: 'sha256' };

function sha256b64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

function inlineBlocks(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}

describe('JSON form', () => {
  test('status, headers and body', () => {
    const r = renderChallenge(ch, { wantsJson: true, retryAfter: 29.2 });
    assert.equal(r.status, 429);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['x-mamori-action'], 'challenge');
    assert.equal(r.headers['retry-after'], '30');
    assert.deepEqual(JSON.parse(r.body), {
      error: 'challenge_required',
      challenge: { token: ch.token, difficulty: 18, algorithm: 'sha256', expires_at: 1_767_225_900_000, submit: '/.mamori/challenge' },
    });
  });
  test('no retry-after unless given; a custom submit path', () => {
    const r = renderChallenge(ch, { wantsJson: true, action: '/_guard/pow' });
    assert.equal(r.headers['retry-after'], undefined);
    assert.equal((JSON.parse(r.body) as { challenge: { submit: string } }).challenge.submit, '/_guard/pow');
  });
});

describe('HTML form', () => {
  const r = renderChallenge(ch, { wantsJson: false, retryAfter: 10 });

  test('status and headers', () => {
    assert.equal(r.status, 429);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['x-mamori-action'], 'challenge');
    assert.equal(r.headers['retry-after'], '10');
  });

  test('the CSP allows exactly the inline script and style, by hash', () => {
    const csp = r.headers['content-security-policy']!;
    const scripts = inlineBlocks(r.body, 'script');
    const styles = inlineBlocks(r.body, 'style');
    assert.equal(scripts.length, 1);
    assert.equal(styles.length, 1);
    assert.match(csp, /default-src 'none'/);
    assert.ok(csp.includes(`script-src 'sha256-${sha256b64(scripts[0]!)}'`), csp);
    assert.ok(csp.includes(`style-src 'sha256-${sha256b64(styles[0]!)}'`), csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  });

  test('accessible and self-contained', () => {
    assert.match(r.body, /^<!doctype html>/);
    assert.match(r.body, /<html lang="en">/);
    assert.match(r.body, /<title>[^<]+<\/title>/);
    assert.match(r.body, /<h1>[^<]+<\/h1>/);
    assert.match(r.body, /automatic/);
    assert.match(r.body, /<noscript>[\s\S]*JavaScript[\s\S]*<\/noscript>/);
    assert.match(r.body, /wait 10 seconds/);
    assert.match(r.body, /aria-live="polite"/);
    assert.match(r.body, /<progress [^>]*aria-label=/);
    assert.doesNotMatch(r.body, /\s(src|href)=/i);
    assert.doesNotMatch(r.body, /https?:\/\//);
    assert.match(r.body, /crypto\.subtle\.digest\('SHA-256'/);
  });

  test('the token and submit path are escaped', () => {
    const h = renderChallenge(hostile, { wantsJson: false, action: '/pow?x=1&y=2' }).body;
    assert.equal(inlineBlocks(h, 'script').length, 1);
    assert.doesNotMatch(h, /alert\(1\)<\/script>/);
    assert.doesNotMatch(h, /<img/);
    assert.ok(h.includes('data-token="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(2)&#62;&#38;"'));
    assert.ok(h.includes('data-submit="/pow?x=1&#38;y=2"'));
    // Every attribute value is closed where it should be: no stray quote from the input.
    const main = /<main [^>]*>/.exec(h)![0];
    assert.equal((main.match(/"/g) ?? []).length % 2, 0);
  });

  test('the submit URL must be a same-origin path', () => {
    for (const action of ['https://evil.example/x', '//evil.example/x', '/\\evil', 'javascript:alert(1)', '/a b', '/a"b', 'relative']) {
      assert.throws(() => renderChallenge(ch, { wantsJson: false, action }), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID'), action);
    }
  });
});

test('the page script solves a real challenge and posts it (run in a bare VM context with Web Crypto)', async () => {
  const clock = new ManualClock();
  const challenger = createChallenger({ secret: Buffer.alloc(32, 3), store: new MemoryStore({ clock, maxCounterBytes: 1 << 20 }), clock, baseDifficulty: 8, maxDifficulty: 8 });
  const issued = challenger.issue({ ip: '198.51.100.4', scope: 'site', risk: 0 });
  const page = renderChallenge(issued, { wantsJson: false });
  const script = inlineBlocks(page.body, 'script')[0]!;
  const attr = (name: string): string | null => {
    const m = new RegExp(`${name}="([^"]*)"`).exec(page.body);
    return m ? m[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))) : null;
  };

  const messages: string[] = [];
  const posts: { url: string; body: string }[] = [];
  const progress = { value: 0 };
  let finish!: (how: string) => void;
  const finished = new Promise<string>((resolve) => (finish = resolve));
  const status = {
    set textContent(t: string) {
      messages.push(t);
      if (/reload the page to try again|needs a current browser/.test(t)) finish('failed');
    },
  };
  const sandbox: Record<string, unknown> = {
    document: {
      getElementById: (id: string) => (id === 'mamori-challenge' ? { getAttribute: attr } : id === 'mamori-status' ? status : id === 'mamori-progress' ? progress : null),
    },
    crypto: webcrypto,
    TextEncoder,
    fetch: async (url: string, init: { method: string; body: string }) => {
      posts.push({ url, body: init.body });
      const { token, solution } = JSON.parse(init.body) as { token: string; solution: string };
      const r = await challenger.verify(token, solution, { ip: '198.51.100.4', scope: 'site' });
      return { ok: r.ok };
    },
    location: { reload: () => finish('reloaded') },
  };
  sandbox['window'] = sandbox;
  runInNewContext(script, sandbox);
  assert.equal(await finished, 'reloaded', messages.join(' / '));
  assert.equal(posts.length, 1);
  assert.equal(posts[0]!.url, '/.mamori/challenge');
  assert.equal(progress.value, 100);
  // The solution it posted was verified (and so its token is now used).
  const { token, solution } = JSON.parse(posts[0]!.body) as { token: string; solution: string };
  assert.equal(token, issued.token);
  assert.deepEqual(await challenger.verify(token, solution, { ip: '198.51.100.4', scope: 'site' }), { ok: false, reason: 'replay' });
});
