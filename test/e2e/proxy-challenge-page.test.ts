/**
 * What the proxy hands the challenge and block pages, in front of the demo shop: the URL and
 * the form of a challenged request (so the page can carry on once solved), and the words of
 * the block page.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, login, type Stack } from './harness.js';

const html = { accept: 'text/html' };
const fieldsOf = (page: string): [string, string][] =>
  [...page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m): [string, string] => [m[1]!, m[2]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))]);

describe('e2e: the challenge and block pages through the proxy', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(async () => {
    await s.close();
  });

  it('a challenge decided before the body is read (a decision on the source): the form is read, to be posted again', async () => {
    const ip = '203.0.113.80';
    await s.guard.store.decisions.add({ action: 'challenge', scope: 'ip', value: ip, expiresAt: s.clock.now() + 3_600_000, origin: 'test', reason: 'test' });
    const res = await fetch(`${s.proxy.url}/login?next=%2Faccount`, {
      method: 'POST',
      headers: { ...html, 'x-forwarded-for': ip, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=alice%40example.com&password=p%26w+%22x%22',
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const page = await res.text();
    assert.match(page, /data-return="post" data-return-url="\/login\?next=%2Faccount"/);
    assert.match(page, /<form id="mamori-replay" method="post" hidden>/);
    assert.deepEqual(fieldsOf(page), [['email', 'alice@example.com'], ['password', 'p&w "x"']]);
    assert.match(res.headers.get('content-security-policy')!, /form-action 'self'/);
  });

  it('a multipart post and a JSON login are not posted again: back to the form; a page: the same URL', async () => {
    const ip = '203.0.113.81';
    await s.guard.store.decisions.add({ action: 'challenge', scope: 'ip', value: ip, expiresAt: s.clock.now() + 3_600_000, origin: 'test', reason: 'test' });
    const fd = new FormData();
    fd.set('email', 'alice@example.com');
    fd.set('password', 'secret-multipart');
    const multipart = await (await fetch(`${s.proxy.url}/login`, { method: 'POST', headers: { ...html, 'x-forwarded-for': ip }, body: fd })).text();
    assert.match(multipart, /data-return="back" data-return-url="\/login"/);
    assert.doesNotMatch(multipart, /secret-multipart|<form/);
    const page = await (await fetch(`${s.proxy.url}/account?tab=orders`, { headers: { ...html, 'x-forwarded-for': ip } })).text();
    assert.match(page, /data-return="get" data-return-url="\/account\?tab=orders"/);
  });

  it('a JSON client never gets the fields back', async () => {
    const ip = '203.0.113.82';
    for (let i = 0; i < 5; i++) await login(s.proxy.url, 'bob@example.com', `wrong-${i}`, { ip });
    const res = await login(s.proxy.url, 'bob@example.com', 'bob-demo-password', { ip, accept: 'application/json' });
    assert.equal(res.status, 429);
    const text = await res.text();
    assert.doesNotMatch(text, /bob-demo-password|bob@example/);
    assert.equal((JSON.parse(text) as { error: string }).error, 'challenge_required');
  });

  it('the block page: Japanese for ja, a human time, a way back, the trusted-device word', async () => {
    const ip = '203.0.113.83';
    // What the login protection decides about a source (credential stuffing) holds for an hour.
    await s.guard.store.decisions.add({ action: 'block', scope: 'ip', value: ip, expiresAt: s.clock.now() + 3_598_000, origin: 'guard.login', reason: 'stuffing' });
    const res = await fetch(`${s.proxy.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8', 'x-forwarded-for': ip },
      body: 'email=admin%40example.com&password=x',
    });
    assert.equal(res.status, 429, 'the login protection\'s decisions answer as its refusals do');
    assert.equal(res.headers.get('x-mamori-action'), 'block');
    assert.equal(res.headers.get('retry-after'), '3598');
    const page = await res.text();
    assert.match(page, /<html lang="ja">/);
    assert.match(page, /試行の回数が多すぎたため/);
    assert.match(page, /約1時間後に、もう一度お試しください。/);
    assert.doesNotMatch(page, /\d+ ?秒|seconds/);
    assert.match(page, /<a href="\/">サイトのトップページへ<\/a>/);
    assert.match(page, /<a href="\/login">前のページに戻る<\/a>/);
    assert.match(page, /このブラウザで以前このサイトにログインしたことがある場合は/);
    // An operator's block on the source says nothing of trusted devices: it holds them too.
    const ip2 = '203.0.113.84';
    await s.guard.store.decisions.add({ action: 'block', scope: 'ip', value: ip2, expiresAt: s.clock.now() + 3_598_000, origin: 'cli', reason: 'seen in our logs' });
    const op = await (await fetch(`${s.proxy.url}/`, { headers: { accept: 'text/html', 'x-forwarded-for': ip2 } })).text();
    assert.match(op, /Please try again in about 1 hour\./);
    assert.doesNotMatch(op, /signed in/);
  });
});
