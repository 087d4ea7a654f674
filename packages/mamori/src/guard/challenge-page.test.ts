import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '../core/clock.js';
import { isMamoriError } from '../core/errors.js';
import { MemoryStore } from '../core/memory-store.js';
import { createChallenger, type Challenge } from './challenge.js';
import { CHALLENGE_SOLVER, MAX_REPLAY_BODY, challengeReturn, renderChallenge, type ChallengeReturn } from './challenge-page.js';
import { checkProofOfWork } from './challenge.js';
import type { RequestInfo } from './verdict.js';

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
    assert.match(r.body, /aria-live="polite"/);
    assert.match(r.body, /<progress [^>]*aria-label=/);
    assert.doesNotMatch(r.body, /\ssrc=/i);
    assert.doesNotMatch(r.body, /https?:\/\//);
  });

  test('no Web Crypto (absent over plain HTTP), no reload (it would post the form again): a worker with its own SHA-256', () => {
    const script = inlineBlocks(r.body, 'script')[0]!;
    assert.doesNotMatch(script, /crypto\.subtle|location\.reload/);
    assert.match(script, /new Worker\(/);
    assert.match(script, /createObjectURL\(new Blob/);
    const csp = r.headers['content-security-policy']!;
    assert.match(csp, /worker-src blob:/);
    assert.match(csp, /form-action 'self'/);
    assert.doesNotMatch(csp, /script-src[^;]*blob:/, 'the page script is still allowed by hash only');
  });

  test('without JavaScript: what to do, in plain words, and nothing about it being automatic', () => {
    const noscript = /<noscript>([\s\S]*?)<\/noscript>/.exec(r.body)![1]!;
    assert.match(noscript, /Turn on JavaScript for this site, then try again/);
    assert.match(noscript, /Or wait a while/);
    assert.doesNotMatch(noscript, /automatic|by itself|seconds/);
    // What says the work is automatic is hidden until the script shows it.
    assert.match(r.body, /<div id="mamori-js" hidden>[\s\S]*by itself[\s\S]*<\/div>/);
    const login = renderChallenge(ch, { wantsJson: false, login: true, waitSeconds: 900 }).body;
    const n2 = /<noscript>([\s\S]*?)<\/noscript>/.exec(login)![1]!;
    assert.match(n2, /about 15 minutes at most/);
    assert.match(n2, /signed in to this site from this browser before, you are not asked/);
  });

  test('Japanese when asked for', () => {
    const ja = renderChallenge(ch, { wantsJson: false, lang: 'ja', login: true, waitSeconds: 3598 }).body;
    assert.match(ja, /<html lang="ja">/);
    assert.match(ja, /<title>ブラウザを確認しています<\/title>/);
    const noscript = /<noscript>([\s\S]*?)<\/noscript>/.exec(ja)![1]!;
    assert.match(noscript, /JavaScript を有効にしてから、もう一度お試しください/);
    assert.match(noscript, /約1時間/);
    assert.match(noscript, /以前このサイトにログインしたことがある場合/);
    // The script is the same constant, ASCII-only text in both languages.
    assert.equal(inlineBlocks(ja, 'script')[0], inlineBlocks(r.body, 'script')[0]);
    assert.match(inlineBlocks(ja, 'script')[0]!, /^[\x00-\x7f]*$/);
  });

  test('after solving: the same URL, the same form posted again, or back to the form', () => {
    const get = renderChallenge(ch, { wantsJson: false, then: { kind: 'get', url: '/shop/item?id=3&x=%221%22' } }).body;
    assert.match(get, /data-return="get" data-return-url="\/shop\/item\?id=3&#38;x=%221%22"/);
    assert.doesNotMatch(get, /<form/);
    const post = renderChallenge(ch, { wantsJson: false, then: { kind: 'post', url: '/login', fields: [['email', 'a@example.com'], ['password', 'p"><script>x</script>']] } }).body;
    assert.match(post, /data-return="post" data-return-url="\/login"/);
    // No action: back to the document's own URL, exactly where the browser posted it.
    assert.match(post, /<form id="mamori-replay" method="post" hidden>/);
    assert.ok(post.includes('<input type="hidden" name="password" value="p&#34;&#62;&#60;script&#62;x&#60;/script&#62;">'));
    assert.equal(inlineBlocks(post, 'script').length, 1);
    const back = renderChallenge(ch, { wantsJson: false, then: { kind: 'back', url: '/login' } }).body;
    assert.match(back, /data-return="back"/);
    assert.match(back, /<a id="mamori-back" class="mamori-button" href="\/login" hidden>Back to the form<\/a>/);
    // Never anywhere but this site.
    const evil = renderChallenge(ch, { wantsJson: false, then: { kind: 'get', url: '//evil.example/x' } }).body;
    assert.match(evil, /data-return-url="\/"/);
    // The JSON form never carries the fields.
    const j = renderChallenge(ch, { wantsJson: true, then: { kind: 'post', url: '/login', fields: [['password', 'secret-pw']] } }).body;
    assert.doesNotMatch(j, /secret-pw/);
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

/** Runs the page's script in a bare VM context: `workers` gives it Worker, Blob and URL (run in VM contexts of their own). */
async function runPage(opts: { workers: boolean; then?: ChallengeReturn; submitOk?: boolean; clobbered?: boolean }) {
  const clock = new ManualClock();
  const challenger = createChallenger({ secret: Buffer.alloc(32, 3), store: new MemoryStore({ clock, maxCounterBytes: 1 << 20 }), clock, baseDifficulty: 10, maxDifficulty: 10 });
  const issued = challenger.issue({ ip: '198.51.100.4', scope: 'site', risk: 0 });
  const page = renderChallenge(issued, { wantsJson: false, then: opts.then });
  const script = inlineBlocks(page.body, 'script')[0]!;
  const attrOf = (id: string) => (name: string): string | null => {
    const el = new RegExp(`id="${id}"[^>]*>`).exec(page.body)![0];
    const m = new RegExp(`\\s${name}="([^"]*)"`).exec(el);
    return m ? m[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))) : null;
  };
  const messages: string[] = [];
  const posts: { url: string; body: string }[] = [];
  const outcomes: string[] = [];
  const waiting: ((how: string) => void)[] = [];
  const finish = (how: string) => {
    outcomes.push(how);
    waiting.shift()?.(how);
  };
  const outcome = (i: number) => new Promise<string>((resolve) => (outcomes[i] !== undefined ? resolve(outcomes[i]!) : waiting.push(resolve)));
  const finished = outcome(0);
  const el = (id: string) => ({ id, hidden: true, value: 0, getAttribute: attrOf(id), focus() {}, addEventListener() {}, submit: () => finish('submitted') });
  const els: Record<string, ReturnType<typeof el>> = {};
  for (const id of ['mamori-challenge', 'mamori-text', 'mamori-progress', 'mamori-after', 'mamori-back', 'mamori-retry', 'mamori-js']) els[id] = el(id);
  if (page.body.includes('id="mamori-replay"')) els['mamori-replay'] = el('mamori-replay');
  // A form with a field named "submit" (a PHP login's button, often): in a browser, the form's
  // `submit` property is then that field, not the method. HTMLFormElement's own method still works.
  class HTMLFormElement {
    submit(this: unknown) {
      if (this !== els['mamori-replay']) throw new TypeError('Illegal invocation');
      finish('submitted');
    }
  }
  if (opts.clobbered && els['mamori-replay']) Object.assign(els['mamori-replay'], { submit: { name: 'submit', value: 'Log in' } });
  els['mamori-status'] = Object.defineProperty(el('mamori-status'), 'textContent', {
    set(t: string) {
      messages.push(t);
      if (/could not be finished|needs a current browser/.test(t)) finish('failed');
      if (/please enter it again/.test(t)) finish('back');
    },
  });
  const blobs = new Map<string, string>();
  let workersMade = 0;
  const sandbox: Record<string, unknown> = {
    document: { getElementById: (id: string) => els[id] ?? null },
    navigator: { hardwareConcurrency: 3 },
    // A wait of a second or more (the way back, after its words) is not waited for here.
    setTimeout: (fn: () => void, ms: number) => (ms >= 1000 ? setImmediate(fn) : setTimeout(fn, ms)),
    fetch: async (url: string, init: { method: string; body: string }) => {
      posts.push({ url, body: init.body });
      const { token, solution } = JSON.parse(init.body) as { token: string; solution: string };
      const r = await challenger.verify(token, solution, { ip: '198.51.100.4', scope: 'site' });
      return { ok: opts.submitOk === false ? false : r.ok };
    },
    location: { href: 'http://shop.test/page?q=1', replace: (u: string) => finish(`replace ${u}`), assign: (u: string) => finish(`assign ${u}`) },
    Int32Array,
    Uint8Array,
    HTMLFormElement,
  };
  if (opts.workers) {
    sandbox['Blob'] = class {
      constructor(readonly parts: string[]) {}
    };
    sandbox['URL'] = {
      createObjectURL: (b: { parts: string[] }) => {
        const u = `blob:${blobs.size}`;
        blobs.set(u, b.parts.join(''));
        return u;
      },
    };
    sandbox['Worker'] = class {
      onmessage: ((e: { data: unknown }) => void) | undefined;
      onerror: (() => void) | undefined;
      #self: Record<string, unknown>;
      #stopped = false;
      constructor(url: string) {
        workersMade++;
        this.#self = { postMessage: (data: unknown) => setImmediate(() => !this.#stopped && this.onmessage?.({ data })), Int32Array, Uint8Array, Math, String };
        this.#self['self'] = this.#self;
        runInNewContext(blobs.get(url)!, this.#self);
      }
      postMessage(data: unknown) {
        // A worker's loop runs to the end at once here: what it posts arrives afterwards.
        setImmediate(() => (this.#self['onmessage'] as (e: { data: unknown }) => void)({ data }));
      }
      terminate() {
        this.#stopped = true;
      }
    };
  }
  sandbox['window'] = sandbox;
  runInNewContext(script, sandbox);
  const how = await finished;
  return { how, next: outcome(1), messages, posts, issued, challenger, els, workersMade };
}

for (const workers of [true, false]) {
  test(`the page script solves a real challenge, posts it and opens the page again (${workers ? 'in workers' : 'on the page, no Worker'})`, async () => {
    const r = await runPage({ workers, then: { kind: 'get', url: '/item?id=1' } });
    // The page's own URL as the browser has it (a proxy in front may have stripped a prefix from what mamori saw).
    assert.equal(r.how, 'replace http://shop.test/page?q=1', r.messages.join(' / '));
    assert.equal(r.workersMade, workers ? 3 : 0);
    assert.equal(r.els['mamori-js']!.hidden, false, 'the explanation is shown');
    assert.equal(r.posts.length, 1);
    assert.equal(r.posts[0]!.url, '/.mamori/challenge');
    assert.equal(r.els['mamori-progress']!.value, 100);
    const { token, solution } = JSON.parse(r.posts[0]!.body) as { token: string; solution: string };
    assert.equal(token, r.issued.token);
    assert.deepEqual(await r.challenger.verify(token, solution, { ip: '198.51.100.4', scope: 'site' }), { ok: false, reason: 'replay' });
  });
}

test('the page script posts the form again, or says to go back, or offers to try again', async () => {
  // Without a plan: its own URL, with a GET.
  assert.equal((await runPage({ workers: true })).how, 'replace http://shop.test/page?q=1');
  assert.equal((await runPage({ workers: true, then: { kind: 'post', url: '/login', fields: [['a', 'b']] } })).how, 'submitted');
  const clobbered = await runPage({ workers: true, clobbered: true, then: { kind: 'post', url: '/login', fields: [['email', 'a'], ['submit', 'Log in']] } });
  assert.equal(clobbered.how, 'submitted', 'a field named "submit" does not stop the form from being posted again');
  const back = await runPage({ workers: true, then: { kind: 'back', url: '/login' } });
  assert.equal(back.how, 'back');
  assert.equal(back.els['mamori-back']!.hidden, false);
  assert.equal(await back.next, 'assign /login', 'then it goes back by itself');
  const failed = await runPage({ workers: true, submitOk: false });
  assert.equal(failed.how, 'failed');
  assert.equal(failed.els['mamori-retry']!.hidden, false);
});

describe('the page SHA-256 and solver (plain JavaScript, midstate)', () => {
  const kit = new Function(`${CHALLENGE_SOLVER}\nreturn solverKit();`)() as {
    sha256hex(s: string): string;
    makeSolver(token: string, tag: string, bits: number): { step(n: number): string | null; tries(): number };
  };
  test('hashes as node:crypto does, across block boundaries and in UTF-8', () => {
    for (let n = 0; n < 200; n++) {
      const s = 'x'.repeat(n) + 'é日😀\ud800'.slice(0, n % 6);
      assert.equal(kit.sha256hex(s), createHash('sha256').update(s).digest('hex'), `length ${n}`);
    }
  });
  test('finds solutions the server accepts, for tokens of every length modulo 64', () => {
    for (let n = 1; n < 140; n++) {
      const token = 'T'.repeat(n);
      const s = kit.makeSolver(token, 'a', 10);
      const found = s.step(1 << 20);
      assert.ok(found !== null && /^a\d+$/.test(found), String(found));
      assert.ok(checkProofOfWork(token, found, 10), `length ${n}`);
      // ...and the first one: every try before it fails.
      for (let i = 0; i < Number(found.slice(1)); i++) assert.ok(!checkProofOfWork(token, `a${i}`, 10));
    }
  });
  test('counts through digit-length changes (9 -> 10, 99 -> 100)', () => {
    const s = kit.makeSolver('tok', '', 32);
    assert.equal(s.step(150), null);
    assert.equal(s.tries(), 150);
    // Difficulty 0: the first try.
    assert.equal(kit.makeSolver('tok', 'f', 0).step(1), 'f0');
  });
});

describe('challengeReturn', () => {
  const req = (method: string, headers: Record<string, string> = {}): RequestInfo => ({ ip: '192.0.2.1', method, path: '/login', headers });
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  test('a page: the same URL', () => {
    assert.deepEqual(challengeReturn(req('GET'), '/login?next=%2Fa'), { kind: 'get', url: '/login?next=%2Fa' });
    assert.deepEqual(challengeReturn(req('GET'), 'http://evil.example/x'), { kind: 'get', url: '/login' });
  });
  test('an urlencoded UTF-8 form: its fields, to post again', () => {
    const body = Buffer.from('email=a%40example.com&password=p+w%E6%97%A5&email=b');
    assert.deepEqual(challengeReturn(req('POST', form), '/login', body), {
      kind: 'post',
      url: '/login',
      fields: [['email', 'a@example.com'], ['password', 'p w日'], ['email', 'b']],
    });
    assert.deepEqual(challengeReturn(req('POST', form), '/login', { email: 'a', password: 'b' }), { kind: 'post', url: '/login', fields: [['email', 'a'], ['password', 'b']] });
  });
  test('anything a browser would not send back as it came: back to the form', () => {
    const cases: [Record<string, string>, unknown][] = [
      [{ 'content-type': 'multipart/form-data; boundary=x' }, Buffer.from('--x--')],
      [{ 'content-type': 'application/json' }, Buffer.from('{"a":1}')],
      [form, undefined],
      [form, Buffer.from('a=' + 'x'.repeat(MAX_REPLAY_BODY))],
      [form, Buffer.from([0x61, 0x3d, 0xff])],
      [form, Buffer.from('a=%FF')],
      [form, Buffer.from('a=1%0D%0A2')],
      [form, Buffer.from('_charset_=x')],
      [{ 'content-type': 'application/x-www-form-urlencoded; charset=shift_jis' }, Buffer.from('a=1')],
      [{ ...form, 'content-encoding': 'gzip' }, Buffer.from('a=1')],
      [form, { a: { b: 'c' } }],
      [form, { a: ['1', '2'] }],
      // A byte-order mark: TextDecoder drops it, a site reading the bytes may not (its first field's name).
      [form, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('email=a&password=b')])],
    ];
    for (const [headers, body] of cases) assert.deepEqual(challengeReturn(req('POST', headers), '/login', body), { kind: 'back', url: '/login' }, JSON.stringify([headers, String(body)]));
  });
  test('a form is posted again only to the URL it was sent to: otherwise back to the form', () => {
    const body = Buffer.from('email=a&password=b');
    // A path or query that cannot be written back as it came (quotes, a backtick, a backslash, `//`):
    // never the form, the password in it, posted to another URL (the front page, or without its query).
    for (const url of ["/login?next=it's", '/login?x=`y', '/login?dir=a\\b', '//login', "/o'reilly/login"]) {
      const r = challengeReturn({ ...req('POST', form), path: url.split('?')[0]! }, url, body);
      assert.equal(r.kind, 'back', url);
      assert.ok(!('fields' in r), url);
    }
    assert.deepEqual(challengeReturn(req('POST', form), '/login?next=%2Fa', body), { kind: 'post', url: '/login?next=%2Fa', fields: [['email', 'a'], ['password', 'b']] });
    // Without a URL (an adapter that gave none), its path.
    assert.equal(challengeReturn(req('POST', form), undefined, body).kind, 'post');
  });
  test('back to the page the form was on, when the Referer is this site', () => {
    const h = { host: 'shop.example.jp', 'content-type': 'multipart/form-data' };
    assert.deepEqual(challengeReturn(req('POST', { ...h, referer: 'https://shop.example.jp/signin?x=1' }), '/login'), { kind: 'back', url: '/signin?x=1' });
    assert.deepEqual(challengeReturn(req('POST', { ...h, referer: 'https://evil.example/signin' }), '/login'), { kind: 'back', url: '/login' });
  });
});
