/**
 * Issue 7, part 4, through the command line: `mamori up --detect` in front of a site under
 * attack, then `mamori up` (enforcing) on the same data directory. The real admin must get in at
 * once; what detect mode recorded stays listed, marked.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mamoriCli, startUp } from './cli-harness.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENV = { ...process.env, MAMORI_SECRET: 'detect-test-secret-detect-test-secret' };

const mamori = (args: string[], cwd: string) => mamoriCli(args, cwd, ENV);
const up = (args: string[], cwd: string) => startUp(args, cwd, ENV);

describe('e2e: detect mode records, never enforces later', () => {
  let site: Server;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-detect-'));
    // The site: only admin with the right password gets in.
    site = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (req.url !== '/login') return res.end('page');
        const f = new URLSearchParams(body);
        res.statusCode = f.get('user') === 'admin' && f.get('pass') === 'correct horse' ? 302 : 401;
        res.end();
      });
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    const port = (site.address() as AddressInfo).port;
    writeFileSync(
      join(dir, 'mamori.yaml'),
      `data_dir: state\nproxy:\n  listen: 127.0.0.1:0\n  upstream: http://127.0.0.1:${port}\n` +
        'logins:\n  - path: /login\n    username: { form: user }\n    password: { form: pass }\n    failure: { status: [401] }\n    success: { status: [302] }\n',
    );
  });
  after(() => site.close());

  it('the admin gets in once mamori enforces, and the tables mark what detect mode recorded', async () => {
    const post = (url: string, user: string, pass: string) =>
      fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ user, pass }).toString(),
        redirect: 'manual',
      });
    const detect = await up(['--detect'], dir);
    try {
      // Past the pair's lock and NIST's 100 for admin, and credential stuffing from the same address.
      for (let i = 0; i < 105; i++) assert.equal((await post(detect.url, 'admin', `guess${i}`)).status, 401);
      for (let i = 0; i < 22; i++) assert.equal((await post(detect.url, `user${i}`, 'Summer2026!')).status, 401);
    } finally {
      await detect.stop();
    }
    const list = JSON.parse(mamori(['decisions', 'list', '--json'], dir).out) as { scope: string; detectOnly?: boolean }[];
    assert.deepEqual(list.map((d) => d.scope).sort(), ['ip', 'user']);
    assert.ok(list.every((d) => d.detectOnly === true));
    const table = mamori(['decisions', 'list'], dir).out.split('\n');
    assert.match(table[0]!, /^ID\s+ACTION\s+DETECT\s+SCOPE/);
    assert.ok(table.slice(1, 3).every((row) => /^\S+\s+block\s+yes\s+/.test(row)), table.join('\n'));
    const events = mamori(['events', '--action', 'credential-stuffing'], dir).out.split('\n');
    assert.match(events[0]!, /^TIME\s+COUNT\s+ACTION\s+DETECT\s+SOURCE/);
    assert.match(events[1]!, /^\S+\s+1\s+credential-stuffing\s+yes\s+127\.0\.0\.1/);

    const enforce = await up([], dir);
    try {
      assert.equal((await fetch(`${enforce.url}/`)).status, 200, 'the address is not blocked');
      const r = await post(enforce.url, 'admin', 'correct horse');
      assert.equal(r.status, 302, `the admin gets in at once (${r.status} ${r.headers.get('x-mamori-action')})`);
    } finally {
      await enforce.stop();
    }
    assert.equal(JSON.parse(mamori(['decisions', 'list', '--json'], dir).out).length, 2, 'still listed, never enforced');
  });

  it('mamori decisions delete lifts a credential-stuffing block on logins as well as on pages', async () => {
    const cfg = join(dir, 'enforce.yaml');
    // Blocked at the fifth account (no challenge first, which a script would not pass).
    const stuffing = 'login_protection:\n  source: { challenge_after_users: 5, block_after_users: 5 }\n';
    writeFileSync(cfg, readFileSync(join(dir, 'mamori.yaml'), 'utf8').replace('data_dir: state\n', `data_dir: enforced\n${stuffing}`));
    const post = (url: string, user: string) =>
      fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ user, pass: 'Summer2026!' }).toString(),
      });
    let p = await up(['--config', cfg], dir);
    try {
      for (let i = 0; i < 5; i++) assert.equal((await post(p.url, `user${i}`)).status, 401);
      assert.equal((await fetch(`${p.url}/`)).status, 429, "the login protection's decisions answer as its refusals do");
    } finally {
      await p.stop();
    }
    const del = mamori(['decisions', 'delete', '--ip', '127.0.0.1', '--config', cfg, '--json'], dir);
    assert.deepEqual(JSON.parse(del.out), { deleted: 1 }, del.err);
    p = await up(['--config', cfg], dir);
    try {
      assert.equal((await fetch(`${p.url}/`)).status, 200);
      assert.equal((await post(p.url, 'someone-new')).status, 401, 'the login reaches the site again');
    } finally {
      await p.stop();
    }
  });
});
