/**
 * `mamori up` itself (the command users run), with `logins: [{ preset: wordpress }]`, in front
 * of the WordPress-shaped upstream: path-info spellings, XML-RPC and the form share one budget.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWordPressShaped, type WordPressShaped } from './wordpress-shaped.js';
import { startUp } from './cli-harness.js';

const ENV = { ...process.env, MAMORI_SECRET: 'cli-preset-secret-cli-preset-secret-01' };

describe('e2e: mamori up with the WordPress preset', () => {
  let wp: WordPressShaped;
  let up: Awaited<ReturnType<typeof startUp>>;
  let url: string;
  before(async () => {
    wp = await startWordPressShaped();
    const dir = mkdtempSync(join(tmpdir(), 'mamori-preset-'));
    const cfg = join(dir, 'mamori.yaml');
    writeFileSync(cfg, `data_dir: state\nproxy:\n  listen: 127.0.0.1:0\n  upstream: ${wp.url}\nlogins:\n  - preset: wordpress\n`);
    up = await startUp(['--config', cfg], dir, ENV);
    url = up.url;
  });
  after(async () => {
    await up.stop();
    await wp.close();
  });

  it('every route shares the budget; the rest are challenged', async () => {
    const form = (path: string, pwd: string) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: `log=admin&pwd=${pwd}`, redirect: 'manual' });
    const rpc = (pwd: string) =>
      fetch(`${url}/xmlrpc.php/x`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml', accept: 'application/json' },
        body: `<?xml version="1.0"?><methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value><string>admin</string></value></param><param><value><string>${pwd}</string></value></param></params></methodCall>`,
      });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await (i % 3 === 0 ? rpc(`g${i}`) : form(i % 3 === 1 ? '/wp-login.php/x' : '/wp-login.php%2fx', `g${i}`))).status);
    assert.equal(wp.checks.length, 5, JSON.stringify(wp.checks));
    assert.ok(statuses.slice(5).every((x) => x === 429), statuses.join(' '));
  });
});
