import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderChallenge } from '../guard/challenge-page.js';
import { CookieJar, classifyLogin, parseChallenge, readBody } from './http.js';

const res = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });

describe('classifyLogin', () => {
  it('reads mamori\'s own answers from x-mamori-action', () => {
    assert.equal(classifyLogin(res(429, { 'x-mamori-action': 'block', 'retry-after': '60' }), '/login'), 'block');
    assert.equal(classifyLogin(res(403, { 'x-mamori-action': 'block' }), '/login'), 'block');
    assert.equal(classifyLogin(res(429, { 'x-mamori-action': 'challenge' }), '/login'), 'challenge');
  });

  it('tells the site\'s success from its failure', () => {
    assert.equal(classifyLogin(res(302, { location: '/account' }), '/login'), 'success');
    assert.equal(classifyLogin(res(303, { location: 'http://127.0.0.1:8080/home' }), '/login'), 'success');
    assert.equal(classifyLogin(res(302, { location: '/login?error=1' }), '/login'), 'failure');
    assert.equal(classifyLogin(res(302), '/login'), 'failure');
    assert.equal(classifyLogin(res(401), '/login'), 'failure');
    assert.equal(classifyLogin(res(200), '/login'), 'failure');
    // A 429 without mamori's mark is the site's own limit: the password was not checked, but nothing was let in.
    assert.equal(classifyLogin(res(429), '/login'), 'failure');
  });

  it('counts server errors as errors', () => {
    assert.equal(classifyLogin(res(502), '/login'), 'error');
    assert.equal(classifyLogin(res(500), '/login'), 'error');
  });
});

describe('CookieJar', () => {
  it('keeps cookies, replaces them, and drops expired ones', () => {
    const jar = new CookieJar();
    assert.equal(jar.header(), undefined);
    jar.store(['mamori_device=abc; Max-Age=2592000; Path=/; HttpOnly', 'sid=1; Path=/']);
    assert.equal(jar.header(), 'mamori_device=abc; sid=1');
    jar.store(['sid=2; Path=/']);
    assert.equal(jar.get('sid'), '2');
    jar.store(['sid=; Max-Age=0; Path=/']);
    assert.equal(jar.get('sid'), undefined);
    jar.store(['mamori_device=x; Max-Age=0']);
    assert.equal(jar.header(), undefined);
  });

  it('ignores malformed lines and stays bounded', () => {
    const jar = new CookieJar();
    jar.store(['noequals', '=novalue', `big=${'x'.repeat(5000)}`]);
    assert.equal(jar.header(), undefined);
    jar.store(Array.from({ length: 100 }, (_, i) => `c${i}=v`));
    assert.equal(jar.header()!.split('; ').length, 32);
  });
});

describe('parseChallenge', () => {
  const ch = { token: 'eyJ2IjoxfQ.' + 'A'.repeat(43), difficulty: 17, expiresAt: 1, algorithm: 'sha256' as const };

  it('reads mamori\'s JSON answer', () => {
    const r = renderChallenge(ch, { wantsJson: true, retryAfter: 1 });
    assert.deepEqual(parseChallenge(r.body), { token: ch.token, difficulty: 17, submit: '/.mamori/challenge' });
  });

  it('reads mamori\'s HTML page', () => {
    const r = renderChallenge(ch, { wantsJson: false, action: '/.mamori/challenge?x=1&y=2' });
    assert.deepEqual(parseChallenge(r.body), { token: ch.token, difficulty: 17, submit: '/.mamori/challenge?x=1&y=2' });
  });

  it('returns undefined for anything else', () => {
    assert.equal(parseChallenge('<html>Invalid email or password</html>'), undefined);
    assert.equal(parseChallenge('{"error":"too_many_attempts"}'), undefined);
    assert.equal(parseChallenge('{"challenge":{"token":"t","difficulty":-1}}'), undefined);
    assert.equal(parseChallenge('{not json'), undefined);
  });
});

describe('readBody', () => {
  it('stops after 64 KiB', async () => {
    const body = await readBody(new Response('y'.repeat(200_000)));
    assert.equal(body.length, 64 * 1024);
  });
});
