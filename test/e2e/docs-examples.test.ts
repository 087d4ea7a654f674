/**
 * Every mamori.yaml example in the README and docs/ works as copied: it parses, raises no
 * warning, and one with a proxy section starts in front of a WordPress-shaped site where the
 * owner, on this machine, logs in and reaches the admin area.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { configWarnings, createGuard, MemoryStore, parseConfig, startMamoriProxy } from 'mamori';
import { validateAlertsConfig, validateWatchConfig } from '@mamori/detect';
import { startWordPressShaped, type WordPressShaped } from './wordpress-shaped.js';

const root = new URL('../../../', import.meta.url);
const SECRET = Buffer.from('docs-examples-secret-docs-examples-secret');

/** The ```yaml blocks of a markdown file that are mamori configs (not the CRS or other formats). */
function examples(file: URL): { where: string; text: string }[] {
  const md = readFileSync(file, 'utf8');
  const out: { where: string; text: string }[] = [];
  for (const m of md.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)) {
    const line = md.slice(0, m.index).split('\n').length;
    out.push({ where: `${file.pathname.split('/').slice(-2).join('/')}:${line}`, text: m[1]! });
  }
  return out;
}

describe('e2e: the documented configs work as copied', () => {
  let wp: WordPressShaped;
  before(async () => {
    wp = await startWordPressShaped();
  });
  after(async () => {
    await wp.close();
  });

  const files = [
    new URL('README.md', root),
    ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => new URL(`docs/${f}`, root)),
    // The packages' READMEs, as npm shows them.
    ...readdirSync(new URL('packages/', root)).map((d) => new URL(`packages/${d}/README.md`, root)).filter((u) => existsSync(u)),
  ];
  const all = files.flatMap(examples);

  it('there are examples to check', () => {
    assert.ok(all.length >= 1, 'no yaml examples found');
  });

  for (const ex of all) {
    it(`${ex.where} parses without warnings and, with a proxy, serves the owner`, async () => {
      const config = parseConfig(ex.text, ex.where);
      assert.deepEqual(configWarnings(config), [], 'warnings');
      // The sections @mamori/detect checks: as mamori watch reads them.
      if (config.watch !== undefined) validateWatchConfig(config.watch);
      if (config.alerts !== undefined) validateAlertsConfig(config.alerts);
      if (!config.proxy) return;
      const guard = createGuard(config, { store: new MemoryStore(), secret: SECRET });
      const proxy = await startMamoriProxy({ guard, upstream: wp.url, port: 0, trustedProxies: config.network.trustedProxies });
      try {
        const home = await fetch(`${proxy.url}/`);
        assert.notEqual(home.status, 403, 'the home page');
        if (config.logins.some((l) => l.preset === 'wordpress')) {
          const login = await fetch(`${proxy.url}/wp-login.php`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'log=admin&pwd=correct+horse+battery',
            redirect: 'manual',
          });
          assert.equal(login.status, 302, "the owner's login");
          const admin = await fetch(`${proxy.url}/wp-admin/`, { redirect: 'manual' });
          assert.notEqual(admin.status, 403, 'the admin area from this machine');
          const ajax = await fetch(`${proxy.url}/wp-admin/admin-ajax.php`, { headers: { 'x-forwarded-for': '203.0.113.5' }, redirect: 'manual' });
          assert.notEqual(ajax.status, 403, 'admin-ajax.php stays open');
        }
      } finally {
        await proxy.close();
        await guard.close();
      }
    });
  }
});
