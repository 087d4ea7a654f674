/**
 * The challenge page in a real browser: Debian's chromium, headless, driven by playwright-core,
 * in front of the demo shop behind the mamori proxy. Skipped, with the reason printed, where
 * there is no chromium (`apt-get install chromium`; MAMORI_CHROMIUM names another binary).
 * Screenshots go to a temporary directory, printed as each is taken.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { startStack, login, type Stack } from './harness.js';

const CHROMIUM = process.env['MAMORI_CHROMIUM'] ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install chromium, or set MAMORI_CHROMIUM)`;
if (skip) console.log(`skipping the browser tests of the challenge page: ${skip}`);

const shots = mkdtempSync(join(tmpdir(), 'mamori-challenge-shots-'));
async function shot(page: Page, name: string): Promise<void> {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

describe('e2e: the challenge page in chromium (headless)', { skip }, () => {
  let s: Stack;
  let browser: Browser;
  /** The proxy's URL as the browser opens it. */
  const site = (st: Stack = s) => st.proxy.url.replace('127.0.0.1', 'mamori.test');
  before(async () => {
    s = await startStack({
      policy: [
        { name: 'admin-japan-only', paths: ['/admin'], allow_countries: ['JP'], allow_ips: ['127.0.0.0/8', '::1'] },
        // Everyone is asked for a proof of work on the gateway statistics page.
        { name: 'stats-challenged', paths: ['/api/gateway/stats'], action: 'challenge' },
      ],
    });
    // The site is opened as http://mamori.test:PORT (mapped to loopback): plain HTTP on a name that
    // is not loopback is not a secure context, so the page runs without Web Crypto, as it must.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--host-resolver-rules=MAP mamori.test 127.0.0.1'] });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** A browser context whose requests come from `ip` (the demo trusts X-Forwarded-For from loopback). */
  const context = (ip: string, opts: { js?: boolean; lang?: string } = {}): Promise<BrowserContext> =>
    browser.newContext({
      javaScriptEnabled: opts.js ?? true,
      extraHTTPHeaders: { 'x-forwarded-for': ip, ...(opts.lang ? { 'accept-language': opts.lang } : {}) },
    });

  it('(a) a person challenged on the login form solves it and is signed in: the form is posted again, ending on the account page', async () => {
    const ip = '198.51.100.21';
    // Five failures of alice's account from this source: the next login from it is challenged.
    for (let i = 0; i < 5; i++) assert.equal((await login(s.proxy.url, 'alice@example.com', `wrong-${i}`, { ip })).status, 401);
    const ctx = await context(ip);
    const page = await ctx.newPage();
    await page.goto(`${site()}/login`);
    await page.fill('input[name=email]', 'alice@example.com');
    await page.fill('input[name=password]', 'alice-demo-password');
    const challenged = page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST');
    await page.click('button[type=submit]');
    const first = await challenged;
    assert.equal(first.status(), 429);
    assert.equal(first.headers()['x-mamori-action'], 'challenge');
    assert.equal(first.headers()['cache-control'], 'no-store');
    await page.waitForURL(`${site()}/account`);
    assert.equal(await page.evaluate('!!(window.crypto && crypto.subtle)'), false, 'no Web Crypto here');
    await page.waitForSelector('h1:has-text("My account")');
    assert.match(await page.textContent('main') ?? '', /Signed in as alice@example\.com/);
    await shot(page, 'a-login-completed');
    await ctx.close();
  });

  it('(b) a person challenged on a page solves it and lands on that page', async () => {
    const ctx = await context('198.51.100.22');
    const page = await ctx.newPage();
    const first = await page.goto(`${site()}/api/gateway/stats?from=page`);
    assert.equal(first?.status(), 429);
    assert.equal(first?.headers()['x-mamori-action'], 'challenge');
    await page.waitForResponse((r) => r.url() === `${site()}/api/gateway/stats?from=page` && r.status() === 200);
    await page.waitForURL(`${site()}/api/gateway/stats?from=page`);
    await page.waitForSelector('#mamori-challenge', { state: 'detached' });
    await shot(page, 'b-page-reached');
    await ctx.close();
  });

  it('(b2) a challenged form that cannot be posted again (multipart): the person is taken back to the form, with a word why', async () => {
    const ctx = await context('198.51.100.23');
    const page = await ctx.newPage();
    await page.goto(`${site()}/`);
    // A multipart post to the challenged path, from a page on the site (its Referer).
    await page.setContent(`<form method="post" enctype="multipart/form-data" action="${site()}/api/gateway/stats"><input name="a" value="1"><button>send</button></form>`);
    await page.click('button');
    await page.waitForSelector('#mamori-back:not([hidden])');
    assert.match((await page.textContent('#mamori-status')) ?? '', /could not be sent again by itself: please enter it again/);
    await shot(page, 'b2-taken-back');
    // ...and then back (GET) to the page the form was on, by itself.
    await page.waitForURL(`${site()}/`);
    await page.waitForSelector('h1:has-text("Demo Shop")');
    await ctx.close();
  });

  it('(c) with JavaScript off, the page says plainly what to do, in Japanese for Accept-Language ja', async () => {
    for (let i = 0; i < 5; i++) await login(s.proxy.url, 'bob@example.com', `wrong-${i}`, { ip: '198.51.100.24' });
    const ctx = await context('198.51.100.24', { js: false, lang: 'ja,en;q=0.8' });
    const page = await ctx.newPage();
    await page.goto(`${site()}/login`);
    await page.fill('input[name=email]', 'bob@example.com');
    await page.fill('input[name=password]', 'bob-demo-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('#mamori-challenge');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    const visible = (await page.innerText('main')).trim();
    assert.match(visible, /このサイトで JavaScript を有効にしてから、もう一度お試しください/);
    assert.match(visible, /約15分/);
    assert.match(visible, /以前このサイトにログインしたことがある場合は、ログインのときにこの確認は求められません/);
    assert.doesNotMatch(visible, /自動で次に進みます|操作は必要ありません/, 'nothing says it is automatic');
    assert.equal(await page.isVisible('#mamori-status'), false);
    await shot(page, 'c-no-javascript-ja');
    await ctx.close();
  });

  it('(a2) a login form with a field named "submit" (a PHP form\'s button) is posted again all the same', async () => {
    // The page posted the form again with replay.submit(): a field named "submit" is the form's
    // `submit` property, and the person was left on "Sending your form again..." for good.
    const ip = '198.51.100.26';
    for (let i = 0; i < 5; i++) assert.equal((await login(s.proxy.url, 'alice@example.com', `wrong-${i}`, { ip })).status, 401);
    const ctx = await context(ip);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site()}/`);
    await page.setContent(
      `<form method="post" action="${site()}/login"><input name="email" value="alice@example.com"><input name="password" type="password" value="alice-demo-password"><input type="submit" name="submit" value="Log in"></form>`,
    );
    await page.click('input[type=submit]');
    await page.waitForURL(`${site()}/account`);
    await page.waitForSelector('h1:has-text("My account")');
    assert.deepEqual(errors, []);
    await shot(page, 'a2-submit-field');
    await ctx.close();
  });

  it('(d) the page paints before the work is done: the status and progress show while the workers run', async () => {
    // A second stack whose challenges take a browser far longer than this test looks at them.
    const hard = await startStack({ challenge: { base_difficulty: 30, max_difficulty: 30, browser_max_difficulty: 30 }, policy: [{ name: 'all', paths: ['/'], action: 'challenge' }] });
    try {
      const ctx = await context('198.51.100.25');
      const page = await ctx.newPage();
      await page.goto(`${site(hard)}/`);
      // (Locators, not waitForFunction: the page's CSP refuses the evaluation of strings.)
      await page.locator('#mamori-status').filter({ hasText: /Calculating\.\.\. \(\d+ s\)/ }).waitFor();
      assert.ok(await page.isVisible('#mamori-status'));
      assert.ok(await page.isVisible('progress'));
      // The page answers while the work goes on (the loop is not on the page's thread).
      assert.equal(await page.evaluate(() => 1 + 1), 2);
      assert.equal(await page.locator('#mamori-challenge').count(), 1, 'still the challenge page: the work is not done');
      await shot(page, 'd-painted-while-solving');
      await ctx.close();
    } finally {
      await hard.close();
    }
  });
});
