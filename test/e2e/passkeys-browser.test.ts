/**
 * Passkeys through a real mamori proxy, in Debian's chromium (headless) with a virtual
 * authenticator of the DevTools protocol (WebAuthn domain): password, then register a passkey,
 * sign out, password, then the passkey, and the request reaches the site behind. Skipped, with
 * the reason printed, where there is no chromium (`apt-get install chromium`; MAMORI_CHROMIUM
 * names another binary).
 *
 * WebAuthn needs a secure context: the browser opens http://localhost (port 80), which its host
 * resolver maps to the proxy's port on 127.0.0.1, so the origin is http://localhost whatever port
 * the proxy got.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createGuard, defaultConfig, startMamoriProxy, MemoryStore, type Guard } from 'mamori';
import { UserDirectory, mfaKeyRing, hmac } from 'mamori/internal';

const CHROMIUM = process.env['MAMORI_CHROMIUM'] ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install chromium, or set MAMORI_CHROMIUM)`;
if (skip) console.log(`skipping the passkey browser test: ${skip}`);

const SECRET = Buffer.alloc(32, 7);
const PASSWORD = 'correct horse battery staple';

describe('e2e: passkeys in the MFA gate, in chromium with a virtual authenticator', { skip }, () => {
  let dir: string;
  let upstream: Server;
  let guard: Guard;
  let proxy: Awaited<ReturnType<typeof startMamoriProxy>>;
  let browser: Browser;
  const seen: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-passkeys-e2e-'));
    const users = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, true, {}), hmac(SECRET, 'mamori recovery codes'));
    await users.add('admin', PASSWORD, { issuer: 'E2E Shop', passkeyOnly: true });
    upstream = createServer((req, res) => {
      seen.push(`${req.url} cookie=${req.headers.cookie ?? ''}`);
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>admin</title><h1 id="up">upstream reached: ${req.url}</h1>`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const config = defaultConfig({ data_dir: dir, mfa_gate: { paths: ['/admin'], issuer: 'E2E Shop', webauthn: { rp_id: 'localhost', origins: ['http://localhost'] } } });
    guard = createGuard(config, { store: new MemoryStore(), secret: SECRET });
    proxy = await startMamoriProxy({ guard, upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, host: '127.0.0.1', port: 0 });
    const port = new URL(proxy.url).port;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', `--host-resolver-rules=MAP localhost 127.0.0.1:${port}`] });
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await guard?.close();
    await guard?.store.close();
    await new Promise((resolve) => upstream?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('password → register a passkey → sign out → password → passkey → the site', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    // A gated path sends the browser to the sign-in page.
    await page.goto('http://localhost/admin/settings');
    assert.equal(new URL(page.url()).pathname, '/.mamori/signin');
    assert.equal(await page.evaluate('window.isSecureContext'), true);
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    // A user of passkeys only without one: the page offers to register it.
    await page.waitForSelector('#wa-go:has-text("Register a passkey")');
    await page.fill('input[name=name]', 'virtual');
    await page.click('#wa-go');
    await page.waitForSelector('#up');
    assert.equal(await page.textContent('#up'), 'upstream reached: /admin/settings');
    assert.doesNotMatch(seen.at(-1)!, /mamori_mfa/, 'the site never sees the gate cookies');
    const creds = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    assert.equal(creds.length, 1);
    const users = () => new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, false, {}), hmac(SECRET, 'mamori recovery codes'));
    const stored = users().get('admin')!.passkeys!;
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.id, creds[0]!.credentialId.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    assert.equal(stored[0]!.name, 'virtual');

    // The list of passkeys, and sign out.
    await page.goto('http://localhost/.mamori/signin?passkeys');
    assert.match((await page.textContent('body')) ?? '', /virtual/);
    await page.click('#signout');
    await page.waitForURL('http://localhost/.mamori/signin');
    await page.goto('http://localhost/admin');
    assert.equal(new URL(page.url()).pathname, '/.mamori/signin', 'signed out');

    // Password, then the passkey.
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('#wa-go:has-text("Use a passkey")');
    await page.click('#wa-go');
    await page.waitForSelector('#up');
    assert.equal(await page.textContent('#up'), 'upstream reached: /admin');
    const after = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0]!;
    assert.equal(users().get('admin')!.passkeys![0]!.counter, after.signCount, "the authenticator's counter is kept");
    await ctx.close();
  });
});
