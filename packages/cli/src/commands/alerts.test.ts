import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMamori, startMamoriProxy } from 'mamori';
import { AlertCenter, validateAlertsConfig, type Alert } from '@mamori/detect';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-cli-alerts-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: ./data\n');
  const mamori = (...args: string[]) => {
    const env = { ...process.env };
    delete env.MAMORI_CONFIG;
    delete env.MAMORI_SECRET;
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { dir, mamori };
}

function sshAlert(ip: string, time: number, over: Partial<Alert> = {}): Alert {
  const line = (user: string, t: number) => ({
    time: t,
    fields: { 'event.dataset': 'sshd', 'source.ip': ip, 'user.name': user, 'event.outcome': 'failure' },
    line: { text: `sshd[9]: Failed password for ${user} from ${ip} port 4242 ssh2`, input: '/var/log/auth.log', receivedAt: t },
  });
  return {
    id: `ssh-bruteforce-${ip}-${time}`,
    detector: 'ssh-bruteforce',
    kind: 'scenario',
    title: 'SSH brute force',
    severity: 'high',
    time,
    firstTime: time - 20_000,
    group: { 'source.ip': ip },
    count: 10,
    samples: [line('alice', time - 1000), line('alice', time)],
    remedy: { action: 'block', scope: 'ip', value: ip, ttlMs: 3_600_000 },
    ...over,
  };
}

async function upstream(): Promise<{ url: string; hits: () => number; close: () => void }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits, close: () => server.close() };
}

function get(url: string, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'x-forwarded-for': from }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('alerts end to end', () => {
  it('an alert → a decision in the SQLite store → the running proxy refuses the source; mamori alerts and decisions show it', async () => {
    const { dir, mamori } = project();
    const config = join(dir, 'mamori.yaml');
    // Two processes' worth: the proxy (mamori up) and the log watcher, each with its own store handle on one file.
    const proxyRt = await loadMamori(config);
    const watchRt = await loadMamori(config);
    const up = await upstream();
    const proxy = await startMamoriProxy({ guard: proxyRt.guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
    try {
      assert.equal(await get(`${proxy.url}/`, '203.0.113.9'), 200);
      const sink = AlertCenter.forMamori(watchRt, validateAlertsConfig({ console_url: 'https://mamori.example' }), { timer: false });
      const now = Date.now();
      assert.equal(sink.record(sshAlert('203.0.113.9', now)), 'new');
      assert.equal(sink.record(sshAlert('198.51.100.4', now, { simulated: true })), 'new');
      assert.equal(sink.record(sshAlert('203.0.113.9', now)), 'duplicate');
      await sink.close();
      const before = up.hits();
      assert.equal(await get(`${proxy.url}/`, '203.0.113.9'), 403, 'blocked at once');
      assert.equal(up.hits(), before, 'the request never reached the site');
      assert.equal(await get(`${proxy.url}/`, '198.51.100.4'), 200, 'a simulated alert blocks nothing');
      assert.equal(await get(`${proxy.url}/`, '192.0.2.1'), 200);
    } finally {
      await proxy.close();
      up.close();
      await proxyRt.close();
      await watchRt.close();
    }

    const db = join(dir, 'data', 'alerts.db');
    assert.equal(statSync(db).mode & 0o777, 0o600);
    assert.ok(!readFileSync(db).includes('alice'), 'no account name in alerts.db');

    const list = mamori('alerts', 'list', '--json');
    assert.equal(list.code, 0, list.err);
    const alerts = JSON.parse(list.out) as { id: string; simulated: boolean; decision?: { state: string; id?: string } }[];
    assert.equal(alerts.length, 2);
    const real = alerts.find((a) => !a.simulated)!;
    assert.equal(real.decision?.state, 'added');
    assert.equal(alerts.find((a) => a.simulated)!.decision?.state, 'skipped');

    const table = mamori('alerts', 'list');
    assert.match(table.out, /^ID +TIME +SEVERITY +DETECTOR +SOURCE +EVENTS +DECISION +TITLE$/m);
    assert.match(table.out, /high +ssh-bruteforce +203\.0\.113\.9 +10 +block +SSH brute force/);
    assert.match(table.out, /198\.51\.100\.4 +10 +simulated/);
    assert.equal(JSON.parse(mamori('alerts', 'list', '--json', '--ip', '::ffff:203.0.113.9').out).length, 1);
    assert.equal(JSON.parse(mamori('alerts', 'list', '--json', '--detector', 'http-probing').out).length, 0);
    assert.equal(JSON.parse(mamori('alerts', 'list', '--json', '--since', '1h').out).length, 2);
    assert.equal(JSON.parse(mamori('alerts', 'list', '--json', '--since', '2999-01-01').out).length, 0);

    const show = mamori('alerts', 'show', 'ssh-bruteforce-203.0');
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, /^SSH brute force \(ssh-bruteforce, scenario\)$/m);
    assert.match(show.out, /decision: +block ip 203\.0\.113\.9 until .* \(id /);
    assert.match(show.out, /Failed password for \[user:[A-Za-z0-9_-]+\] from 203\.0\.113\.9/);
    const missing = mamori('alerts', 'show', 'nope-nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /MAMORI_ERR_ALERT_NOT_FOUND/);
    const ambiguous = mamori('alerts', 'show', 'ssh-bruteforce');
    assert.match(ambiguous.err, /2 alerts have ids starting with ssh-bruteforce/);

    const decisions = mamori('decisions', 'list', '--json');
    assert.equal(decisions.code, 0, decisions.err);
    const ds = JSON.parse(decisions.out) as { id: string; origin: string; reason: string; value: string }[];
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.id, real.decision!.id);
    assert.equal(ds[0]!.origin, 'watch.ssh-bruteforce');
    assert.equal(ds[0]!.reason, `alert ${real.id}: SSH brute force (10 events)`);
    assert.match(mamori('decisions', 'list').out, /watch\.ssh-bruteforce +alert ssh-bruteforce-203/);
  });

  it('no alerts yet: an empty list; bad filters are usage errors', () => {
    const { mamori } = project();
    assert.equal(mamori('decisions', 'add', '--ip', '192.0.2.1').code, 0);
    const r = mamori('alerts', 'list');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'No alerts recorded.\n');
    assert.equal(mamori('alerts', 'list', '--json').out, '[]\n');
    assert.match(mamori('alerts', 'list', '--ip', 'x').err, /MAMORI_ERR_CLI_USAGE.*--ip/);
    assert.match(mamori('alerts', 'frobnicate').err, /expected list or show/);
  });
});
