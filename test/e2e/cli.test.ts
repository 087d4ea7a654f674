import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mamoriCli, startUp } from './cli-harness.js';

const ENV = { ...process.env, MAMORI_SECRET: 'cli-test-secret-cli-test-secret-0123' };

const mamori = (args: string[], cwd: string) => mamoriCli(args, cwd, ENV);

describe('cli', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-cli-'));
    writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: state\n');
  });

  it('--help lists every command, and each command has --help', () => {
    const r = mamori(['--help'], dir);
    assert.equal(r.code, 0);
    for (const c of ['demo', 'up', 'decisions', 'events', 'config', 'simulate']) {
      assert.match(r.out, new RegExp(`\\n  ${c} `));
      const h = mamori([c, '--help'], dir);
      assert.equal(h.code, 0, `${c} --help`);
      assert.match(h.out, /Usage/);
    }
  });

  it('an unknown command or flag is a usage error', () => {
    assert.equal(mamori(['nope'], dir).code, 2);
    const r = mamori(['decisions', 'list', '--bogus'], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_CLI_USAGE/);
  });

  it('decisions add, list and delete, with --json', () => {
    const added = mamori(['decisions', 'add', '--ip', '203.0.113.9', '--duration', '2h', '--reason', 'seen in logs', '--json'], dir);
    assert.equal(added.code, 0, added.err);
    const d = JSON.parse(added.out);
    assert.equal(d.scope, 'ip');
    assert.equal(d.value, '203.0.113.9');
    assert.equal(d.origin, 'cli');
    const user = JSON.parse(mamori(['decisions', 'add', '--user', 'Alice@Example.com', '--action', 'allow', '--json'], dir).out);
    assert.equal(user.scope, 'user');
    assert.notEqual(user.value, 'alice@example.com', 'users are stored as keyed hashes');
    const list = JSON.parse(mamori(['decisions', 'list', '--json'], dir).out);
    assert.equal(list.length, 2);
    const table = mamori(['decisions', 'list'], dir).out;
    assert.match(table, /203\.0\.113\.9/);
    assert.match(table, /seen in logs/);
    assert.match(table, /203\.0\.113\.9 +(2h|1h 59m) /, 'time left in whole units, one form for every row');
    const del = JSON.parse(mamori(['decisions', 'delete', d.id, '--json'], dir).out);
    assert.deepEqual(del, { deleted: 1 });
    const delUser = JSON.parse(mamori(['decisions', 'delete', '--user', 'alice@example.com', '--json'], dir).out);
    assert.deepEqual(delUser, { deleted: 1 }, 'the same user, however written, finds its decision');
    assert.equal(JSON.parse(mamori(['decisions', 'list', '--json'], dir).out).length, 0);
  });

  it('decisions delete takes the short id the list shows, or any unique start of one', () => {
    const a = JSON.parse(mamori(['decisions', 'add', '--ip', '203.0.113.21', '--json'], dir).out) as { id: string };
    const b = JSON.parse(mamori(['decisions', 'add', '--ip', '203.0.113.22', '--json'], dir).out) as { id: string };
    const shown = mamori(['decisions', 'list'], dir).out;
    assert.ok(shown.includes(a.id.slice(0, 8)));
    const del = mamori(['decisions', 'delete', a.id.slice(0, 8)], dir);
    assert.equal(del.code, 0, del.err);
    assert.match(del.out, /Deleted 1 decision\./);
    // A start shared by more than one id is refused, naming them; too short a start finds nothing.
    let shared = 0;
    while (shared < b.id.length && a.id[shared] === b.id[shared]) shared++;
    assert.equal(mamori(['decisions', 'delete', b.id.slice(0, 3)], dir).code, 1);
    const rest = JSON.parse(mamori(['decisions', 'list', '--json'], dir).out) as { id: string }[];
    assert.ok(rest.some((d) => d.id === b.id), 'a 3-character start deletes nothing');
    assert.equal(JSON.parse(mamori(['decisions', 'delete', b.id.slice(0, Math.max(4, shared + 1)), '--json'], dir).out).deleted, 1);
  });

  it('events and decisions list find the project config from a subfolder, and refuse to start an empty store elsewhere', () => {
    const sub = join(dir, 'deeper', 'still');
    mkdirSync(sub, { recursive: true });
    mamori(['decisions', 'add', '--ip', '203.0.113.23', '--reason', 'from the root'], dir);
    const listed = mamori(['decisions', 'list', '--json'], sub);
    assert.equal(listed.code, 0, listed.err);
    assert.ok((JSON.parse(listed.out) as { value: string }[]).some((d) => d.value === '203.0.113.23'), 'the project\'s store, found from a subfolder');
    const elsewhere = mkdtempSync(join(tmpdir(), 'mamori-nowhere-'));
    for (const args of [['events'], ['decisions', 'list']]) {
      const r = mamori(args, elsewhere);
      assert.equal(r.code, 1);
      assert.match(r.err, /MAMORI_ERR_CONFIG_NOT_FOUND: no mamori\.yaml in .*mamori-nowhere-/);
    }
    assert.equal(existsSync(join(elsewhere, '.mamori')), false, 'no store or secret was made');
    const viaEnv = mamoriCli(['decisions', 'list', '--json'], elsewhere, { ...ENV, MAMORI_CONFIG: join(dir, 'mamori.yaml') });
    assert.equal(viaEnv.code, 0, viaEnv.err);
  });

  it('bad decision input is refused with its code', () => {
    const r = mamori(['decisions', 'add', '--ip', 'not-an-ip'], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_DECISION_INVALID/);
    const r2 = mamori(['decisions', 'add', '--ip', '192.0.2.1', '--duration', 'forever'], dir);
    assert.match(r2.err, /MAMORI_ERR_CONFIG_DURATION/);
    const r3 = mamori(['decisions', 'delete', 'no-such-id'], dir);
    assert.equal(r3.code, 1);
    assert.match(r3.err, /MAMORI_ERR_DECISION_NOT_FOUND/);
  });

  it('config check names file, line and column of a bad config', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'proxy:\n  upstream: ftp://example\nlogin_protection:\n  user:\n    close_after: 1000\n');
    const r = mamori(['config', 'check', bad], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_CONFIG_INVALID/);
    assert.match(r.err, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:13: proxy\\.upstream`));
    assert.match(r.err, /:5:18: login_protection\.user\.close_after must be at most 100/);
    const good = mamori(['config', 'check', fileURLToPath(new URL('../../../packages/cli/config/demo.yaml', import.meta.url))], dir);
    assert.equal(good.code, 0, good.err);
  });

  it("config check warns about a rule that takes any account's trusted device", () => {
    const f = join(dir, 'warn.yaml');
    writeFileSync(f, 'policy:\n  - name: members\n    paths: [/members]\n    require_device: true\n');
    const r = mamori(['config', 'check', f], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /warning: policy rule "members": require_device: true accepts a trusted device of any account/);
  });

  it('waf lint names the file and line of a rule the engine cannot run, and says what it compiled', () => {
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, 'SecRuleEngine On\nSecRule ARGS "@rx a" "id:1,phase:2,deny"\nSecRule ARGS "@rx a\\p{L}" "id:2,phase:2,deny"\n');
    const r = mamori(['waf', 'lint', bad], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_WAF_RULES/);
    assert.match(r.err, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: @rx: cannot run regular expression: escape "\\\\p" \\(not supported: Unicode properties\\)`));
    // A target's regex selector runs in the same engine: what it cannot run is refused too.
    const selector = join(dir, 'selector.conf');
    writeFileSync(selector, 'SecRule ARGS:/(?R)/ "@rx x" "id:1,phase:2,deny"\n');
    const sel = mamori(['waf', 'lint', selector], dir);
    assert.equal(sel.code, 1);
    assert.match(sel.err, /selector\.conf:1: a target's selector: cannot run regular expression: inline flag "R"/);
    const unknown = join(dir, 'unknown.conf');
    writeFileSync(unknown, 'SecRule ARGS "@nosuch a" "id:1,phase:2,deny"\n');
    const u = mamori(['waf', 'lint', unknown], dir);
    assert.equal(u.code, 1);
    assert.match(u.err, /unknown\.conf:1: SecRule: unknown operator @nosuch/);
    const good = join(dir, 'good.conf');
    writeFileSync(good, 'SecRuleEngine On\nSecRule ARGS "@rx a" "id:1,phase:2,deny"\nSecAction "id:2,phase:1,pass,nolog"\n');
    const g = mamori(['waf', 'lint', good], dir);
    assert.equal(g.code, 0, g.err);
    assert.match(g.out, /1 file\(s\), 2 rule\(s\): OK \(phase 1: 1, phase 2: 1, phase 3: 0, phase 4: 0, phase 5: 0; engine On\)/);
  });

  it('config schema prints the published schema', () => {
    const r = mamori(['config', 'schema'], dir);
    assert.equal(JSON.parse(r.out).title, 'mamori configuration');
  });
});

describe('cli: mamori up', () => {
  let upstream: Server;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-up-'));
    upstream = createServer((req, res) => {
      if (req.url === '/login') {
        res.statusCode = 401;
        res.end('no');
      } else res.end('upstream ok');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  });
  after(() => upstream.close());

  it('refuses a bad config at start, with the location', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'proxy:\n  upstream: http://127.0.0.1:1\n  listen: [oops\n');
    const r = mamori(['up', '--config', join(dir, 'broken.yaml')], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_CONFIG_SYNTAX/);
    assert.match(r.err, /broken\.yaml:\d+:\d+/);
  });

  it('up --detect leaves rate limits to record, not refuse, with the SQLite store', async () => {
    const port = (upstream.address() as AddressInfo).port;
    const cfg = join(dir, 'detect.yaml');
    writeFileSync(
      cfg,
      `data_dir: detect-state\nproxy:\n  listen: 127.0.0.1:0\n  upstream: http://127.0.0.1:${port}\nrate_limits:\n  - name: search\n    paths: [/search]\n    per_source: { limit: 1, window: 1m }\n`,
    );
    const p = await startUp(['--detect', '--config', cfg], dir, ENV);
    const url = p.url;
    try {
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${url}/search`);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('ratelimit-policy'), '"search";q=1;w=60');
        await r.arrayBuffer();
      }
    } finally {
      await p.stop();
    }
    const events = JSON.parse(mamori(['events', '--json', '--action', 'rate-limited', '--config', cfg], dir).out);
    assert.equal(events.length, 1);
    assert.equal(events[0]['mamori.detect_only'], true);
  });

  it('protects an upstream: login failures end in a challenge, and a restart keeps them', async () => {
    const port = (upstream.address() as AddressInfo).port;
    const cfg = join(dir, 'mamori.yaml');
    writeFileSync(
      cfg,
      `data_dir: state\nproxy:\n  listen: 127.0.0.1:0\n  upstream: http://127.0.0.1:${port}\nlogins:\n  - path: /login\n    username: { form: user }\n    failure: { status: [401] }\n    success: { status: [302] }\n`,
    );
    const start = () => startUp(['--config', cfg], dir, ENV);
    const post = (url: string) =>
      fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: 'user=carol' });
    let p = await start();
    assert.equal(await (await fetch(`${p.url}/`)).text(), 'upstream ok');
    for (let i = 0; i < 5; i++) assert.equal((await post(p.url)).status, 401);
    await p.stop();
    p = await start();
    const r = await post(p.url);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('x-mamori-action'), 'challenge');
    await p.stop();
    const events = JSON.parse(mamori(['events', '--json', '--action', 'login-failure'], dir).out);
    assert.equal(events.length, 5);
    assert.ok(!JSON.stringify(events).includes('carol'));
    // By the account as users type it (hashed with the instance secret), and grouped in the table.
    assert.equal(JSON.parse(mamori(['events', '--json', '--user', 'carol'], dir).out).filter((e: { 'event.action': string }) => e['event.action'] === 'login-failure').length, 5);
    assert.equal(JSON.parse(mamori(['events', '--json', '--user', 'dave'], dir).out).length, 0);
    assert.equal(JSON.parse(mamori(['events', '--json', '--source', '127.0.0.1', '--action', 'login-failure'], dir).out).length, 5);
    const shown = mamori(['events', '--user', 'carol', '--action', 'login-failure'], dir).out.trim().split('\n');
    assert.equal(shown.length, 2, `one header and one line for five identical failures:\n${shown.join('\n')}`);
    assert.match(shown[1]!, /\s5\s+login-failure\s/);
    assert.equal(mamori(['events', '--each', '--user', 'carol', '--action', 'login-failure'], dir).out.trim().split('\n').length, 6);
  });
});
