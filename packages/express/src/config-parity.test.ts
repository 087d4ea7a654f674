// Issue 9, section 2: one configuration, whichever way mamori runs. Through the adapter, a
// country rule matches (it silently never did), addresses come through the trusted proxies,
// and the CLI and the app hash an account with the same secret alike.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, loadConfig, loadMamori, MemoryStore } from 'mamori';
import { mamoriExpress } from './index.js';

const CLI = fileURLToPath(new URL('../../cli/bin/mamori.js', import.meta.url));

async function serve(app: express.Express): Promise<{ url: string; server: Server }> {
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

it("a country rule through the adapter matches (the guard opens the country database the config asks for), and X-Forwarded-For counts only from the config's trusted proxies", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-parity-'));
  const file = join(dir, 'mamori.yaml');
  writeFileSync(file, 'network:\n  trusted_proxies: [127.0.0.1/32]\npolicy:\n  - name: no-jp\n    paths: [/]\n    deny_countries: [JP]\n');
  // Built the way the adapters' READMEs used to show: createGuard without a country lookup.
  const guard = createGuard(loadConfig(file), { store: new MemoryStore(), secret: Buffer.from('parity-test-secret-0123456789abcdef') });
  const app = express();
  app.use(mamoriExpress(guard));
  app.get('/', (_req, res) => void res.send('home'));
  const { url, server } = await serve(app);
  try {
    const from = (ip: string) => fetch(`${url}/`, { headers: { 'x-forwarded-for': ip } });
    assert.equal((await from('133.1.1.1')).status, 403, 'a Japanese address, through the trusted proxy, is refused');
    assert.equal((await from('8.8.8.8')).status, 200);
  } finally {
    server.close();
    await guard.close();
  }
});

it('the CLI and an app given the same MAMORI_SECRET hash an account alike: the operator\'s decision holds in the app', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-parity-'));
  const file = join(dir, 'mamori.yaml');
  writeFileSync(file, 'data_dir: state\nlogins:\n  - path: /login\n    username: { form: email }\n    password: { form: password }\n    failure: { status: [401] }\n    success: { status: [302] }\n');
  const env = { ...process.env, MAMORI_SECRET: 'an-operators-secret-for-both-0123456789' };
  const added = spawnSync(process.execPath, [CLI, 'decisions', 'add', '--user', 'alice@example.com', '--reason', 'compromised', '--json', '--config', file], { env, encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  const before = process.env['MAMORI_SECRET'];
  process.env['MAMORI_SECRET'] = env.MAMORI_SECRET;
  const m = await loadMamori(file);
  try {
    assert.equal((JSON.parse(added.stdout) as { value: string }).value, m.guard.login.userHash('alice@example.com'));
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(mamoriExpress(m.guard));
    app.post('/login', (_req, res) => void res.redirect(302, '/account'));
    const { url, server } = await serve(app);
    try {
      const r = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=alice%40example.com&password=x' });
      assert.equal(r.status, 429, 'the decision the CLI added holds in the app');
    } finally {
      server.close();
    }
  } finally {
    await m.close();
    if (before === undefined) delete process.env['MAMORI_SECRET'];
    else process.env['MAMORI_SECRET'] = before;
  }
});
