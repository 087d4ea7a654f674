import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { renderBlockPage } from './block-page.js';
import { humanDuration, pickLanguage } from './messages.js';
import type { RequestInfo } from './verdict.js';

const req = (method: string, path: string, headers: Record<string, string> = {}): RequestInfo => ({ ip: '192.0.2.1', method, path, headers: { accept: 'text/html', ...headers } });

describe('pickLanguage', () => {
  test('Japanese when preferred to English', () => {
    assert.equal(pickLanguage('ja'), 'ja');
    assert.equal(pickLanguage('ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7'), 'ja');
    assert.equal(pickLanguage('en-US,en;q=0.9,ja;q=0.8'), 'en');
    assert.equal(pickLanguage('en;q=0.5, ja;q=0.6'), 'ja');
    assert.equal(pickLanguage('fr, ja;q=0.3'), 'ja');
    assert.equal(pickLanguage('ja;q=0, en'), 'en');
    assert.equal(pickLanguage('fr-FR'), 'en');
    assert.equal(pickLanguage(undefined), 'en');
    assert.equal(pickLanguage(''), 'en');
  });
});

describe('humanDuration', () => {
  test('as people say it', () => {
    assert.equal(humanDuration(3598, 'en'), 'about 1 hour');
    assert.equal(humanDuration(3598, 'ja'), '約1時間');
    assert.equal(humanDuration(30, 'en'), 'less than a minute');
    assert.equal(humanDuration(60, 'en'), 'about 1 minute');
    assert.equal(humanDuration(900, 'ja'), '約15分');
    assert.equal(humanDuration(7200, 'en'), 'about 2 hours');
    assert.equal(humanDuration(3 * 86400, 'en'), 'about 3 days');
    assert.equal(humanDuration(3 * 86400, 'ja'), '約3日');
  });
});

describe('block page', () => {
  test('a login block: human time, a way back, the trusted-device word, no seconds', () => {
    const r = renderBlockPage({ action: 'block', reason: 'x', ruleId: 'login.user-source', retryAfter: 3598, status: 429 }, req('POST', '/login'), { trustedMaySignIn: true });
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '3598');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(r.body, /<html lang="en">/);
    assert.match(r.body, /Please try again in about 1 hour\./);
    assert.doesNotMatch(r.body, /3598|seconds/);
    assert.match(r.body, /<a href="\/">Go to the site&#39;s front page<\/a>/);
    assert.match(r.body, /<a href="\/login">Back to the page<\/a>/);
    assert.match(r.body, /signed in to this site from this browser before, you can still sign in/);
    assert.match(r.headers['content-security-policy']!, /default-src 'none'/);
  });
  test('in Japanese', () => {
    const r = renderBlockPage({ action: 'block', reason: 'x', ruleId: 'login.user-source', retryAfter: 3598, status: 429 }, req('POST', '/login', { 'accept-language': 'ja,en;q=0.8' }), { trustedMaySignIn: true });
    assert.match(r.body, /<html lang="ja">/);
    assert.match(r.body, /約1時間後に、もう一度お試しください。/);
    assert.match(r.body, /サイトのトップページへ/);
    assert.match(r.body, /このブラウザからならいまもログインできます/);
  });
  test('a policy block: 403, no trusted-device word, no link to the refused page', () => {
    const r = renderBlockPage({ action: 'block', reason: 'x', ruleId: 'policy:admin' }, req('GET', '/admin'), { trustedMaySignIn: false });
    assert.equal(r.status, 403);
    assert.match(r.body, /Not allowed from here/);
    assert.doesNotMatch(r.body, /signed in/);
    assert.doesNotMatch(r.body, /href="\/admin"/);
    assert.match(r.body, /href="\/"/);
  });
  test('JSON for API clients', () => {
    const r = renderBlockPage({ action: 'block', reason: 'x', ruleId: 'login.user', retryAfter: 120, status: 429 }, req('POST', '/api/login', { accept: 'application/json' }), { trustedMaySignIn: true });
    const j = JSON.parse(r.body) as { error: string; retry_after: number; message: string };
    assert.equal(j.error, 'too_many_attempts');
    assert.equal(j.retry_after, 120);
    assert.match(j.message, /about 2 minutes/);
  });
  test('a hostile path is not linked', () => {
    const r = renderBlockPage({ action: 'block', reason: 'x', status: 429, ruleId: 'login.user' }, req('POST', '//evil.example/"x'), { trustedMaySignIn: false });
    assert.doesNotMatch(r.body, /evil/);
  });
});
