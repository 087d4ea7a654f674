import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The `vuln` dispatcher is the integrator's; these tests run each command module's run(argv)
// in a child process, as the dispatcher will.
const DIR = fileURLToPath(new URL('.', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(yaml = 'data_dir: ./data\n') {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-cli-vuln-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mamori.yaml'), yaml);
  const cmd = (mod: string, args: string[], stdin?: string) =>
    new Promise<{ code: number | null; out: string; err: string }>((done) => {
      const env = { ...process.env };
      delete env.MAMORI_CONFIG;
      delete env.MAMORI_SECRET;
      const script = `const m = await import(${JSON.stringify(join(DIR, `${mod}.js`))}); process.exitCode = await m.run(JSON.parse(process.argv[1]));`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(args)], { cwd: dir, env });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (code) => done({ code, out, err }));
      child.stdin.end(stdin ?? '');
    });
  return { dir, cmd };
}

const INVENTORY = `assets:
  - name: edge-vpn
    type: appliance
    product: Ivanti Connect Secure
    version: "22.7R2.3"
    exposure: internet-facing
    owner: netops
    criticality: critical
  - name: blog/wp-file-manager
    type: wordpress-plugin
    product: wp-file-manager
    version: "6.8"
    owner: web
  - name: build/lodash
    type: npm
    product: lodash
    version: "4.17.20"
    exposure: internal
    owner: dev
    criticality: low
`;

const f = (o: Record<string, unknown>) => JSON.stringify({ product: 'p', version: '1', status: 'affected', reason: 'below the fix', sources: [], ...o });
const CHECK = [
  f({ asset: 'edge-vpn', product: 'Ivanti Connect Secure', version: '22.7R2.3', cve: 'CVE-2024-21887', reason: '22.7R2.3 is below the fix 22.7R2.5', kev: { dateAdded: '2024-01-10', dueDate: '2024-01-19' }, epss: { probability: 0.97, percentile: 0.999 }, cvss: [{ version: '3.1', baseScore: 9.1, vector: 'CVSS:3.1/AV:N' }] }),
  f({ asset: 'edge-vpn', product: 'Ivanti Connect Secure', version: '22.7R2.3', cve: 'CVE-2023-46805', kev: { dateAdded: '2024-01-10', dueDate: '2024-01-31' }, cvss: [{ version: '3.1', baseScore: 8.2, vector: 'CVSS:3.1/AV:N' }] }),
  f({ asset: 'blog/wp-file-manager', product: 'wp-file-manager', version: '6.8', cve: 'CVE-2020-25213', cvss: [{ version: '3.1', baseScore: 9.8, vector: 'CVSS:3.1/AV:N' }] }),
  f({ asset: 'build/lodash', product: 'lodash', version: '4.17.20', cve: 'CVE-2021-23337', cvss: [{ version: '3.1', baseScore: 7.2, vector: 'CVSS:3.1/AV:N' }] }),
].join('\n');

describe('mamori vuln asset, plan and finding', () => {
  it('assets: add from a file and by hand, list, remove; errors with their place; vuln.db 0600', async () => {
    const { dir, cmd } = project();
    writeFileSync(join(dir, 'inv.yaml'), INVENTORY);
    const add = await cmd('vuln-asset', ['add', '--file', 'inv.yaml']);
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /^3 added, 0 changed, 0 unchanged in .*data\/vuln\.db\.\n$/);
    assert.equal(statSync(join(dir, 'data', 'vuln.db')).mode & 0o777, 0o600);
    assert.equal((await cmd('vuln-asset', ['add', '--file', 'inv.yaml'])).code, 2, 'already there without --replace');
    const one = await cmd('vuln-asset', ['add', 'fw', '--type', 'appliance', '--product', 'FortiOS', '--version', 'v7.2.4,build1396,230131 (GA.F)', '--exposure', 'internal']);
    assert.equal(one.code, 0, one.err);
    const bad = await cmd('vuln-asset', ['add', 'x', '--type', 'router', '--product', 'p', '--version', '1']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /MAMORI_ERR_CLI_USAGE: --type: type must be one of appliance/);
    writeFileSync(join(dir, 'bad.yaml'), 'assets:\n  - name: a\n    colour: red\n');
    const badFile = await cmd('vuln-asset', ['add', '--file', 'bad.yaml']);
    assert.equal(badFile.code, 2);
    assert.match(badFile.err, /MAMORI_ERR_VULN_INVENTORY: bad\.yaml: 4 problems in the inventory:\n {2}bad\.yaml:3:5: unknown key "colour"/);
    const list = JSON.parse((await cmd('vuln-asset', ['list', '--json'])).out) as { name: string; origin: string; owner: string }[];
    assert.deepEqual(list.map((a) => [a.name, a.origin, a.owner]), [
      ['blog/wp-file-manager', 'inv.yaml:9', 'web'],
      ['build/lodash', 'inv.yaml:14', 'dev'],
      ['edge-vpn', 'inv.yaml:2', 'netops'],
      ['fw', 'mamori vuln asset add', 'unassigned'],
    ]);
    const table = await cmd('vuln-asset', ['list']);
    assert.match(table.out, /^NAME +TYPE +PRODUCT +VERSION +EXPOSURE +CRITICALITY +OWNER\n/);
    assert.match(table.out, /\nfw +appliance +FortiOS +v7\.2\.4,build1396,230131 \(GA\.F\) +internal +medium +unassigned\n/);
    const rm = await cmd('vuln-asset', ['remove', 'fw', 'nope']);
    assert.equal(rm.code, 1);
    assert.equal(rm.out, 'Removed 1 asset. Not in the inventory: nope.\n');
  });

  it('a removed asset: its findings leave the plan (closed: asset-removed), shown by finding list and the plan JSON; back with the asset', async () => {
    const { dir, cmd } = project();
    writeFileSync(join(dir, 'inv.yaml'), INVENTORY);
    assert.equal((await cmd('vuln-asset', ['add', '--file', 'inv.yaml'])).code, 0);
    const rec = await cmd('vuln-plan', ['-', '--now', '2024-01-15', '--no-events', '--json'], CHECK);
    assert.equal(rec.code, 0, rec.err);
    const rm = await cmd('vuln-asset', ['remove', 'blog/wp-file-manager', '--no-events']);
    assert.equal(rm.code, 0, rm.err);
    assert.match(rm.out, /^Removed 1 asset; 1 finding closed \(asset-removed; they reopen if the asset comes back\)\.\n$/);
    const closed = JSON.parse((await cmd('vuln-finding', ['list', '--state', 'closed', '--json', '--no-events'])).out) as { asset: string; cve: string; state: string; closed: { reason: string; why: string } }[];
    assert.deepEqual(closed.map((c) => [c.asset, c.cve, c.state, c.closed.reason, c.closed.why]), [['blog/wp-file-manager', 'CVE-2020-25213', 'closed', 'asset-removed', 'removed from the inventory (mamori vuln asset remove)']]);
    const plan = JSON.parse((await cmd('vuln-plan', ['--json', '--no-events', '--now', '2024-01-16'])).out) as { items: { cve: string }[]; closed: { asset: string; reason: string }[]; notes: string[] };
    assert.ok(!plan.items.some((i) => i.cve === 'CVE-2020-25213'));
    assert.deepEqual(plan.closed.map((c) => [c.asset, c.reason]), [['blog/wp-file-manager', 'asset-removed']]);
    assert.ok(plan.notes.some((n) => /1 finding closed, not in the plan: CVE-2020-25213 on blog\/wp-file-manager \(asset-removed/.test(n)));
    // --sync: the file is the whole inventory; build/lodash is gone from it
    writeFileSync(join(dir, 'inv2.yaml'), INVENTORY.split('  - name: build/lodash')[0]!);
    const sync = await cmd('vuln-asset', ['add', '--file', 'inv2.yaml', '--replace', '--sync', '--json', '--no-events']);
    assert.equal(sync.code, 0, sync.err);
    const sj = JSON.parse(sync.out) as { removed: string[]; closedFindings: number; returnedFindings: number };
    assert.deepEqual([sj.removed, sj.closedFindings, sj.returnedFindings], [['build/lodash'], 1, 1]);
    const back = JSON.parse((await cmd('vuln-finding', ['list', '--json', '--no-events'])).out) as { asset: string; state: string }[];
    assert.deepEqual(back.map((b) => b.asset).sort(), ['blog/wp-file-manager', 'edge-vpn', 'edge-vpn']);
    const hist = JSON.parse((await cmd('vuln-finding', ['history', 'blog/wp-file-manager', '--json', '--no-events'])).out) as { action: string }[];
    assert.deepEqual(hist.map((h) => h.action), ['new', 'closed', 'asset-back']);
  });

  it('discover: a lock file, printed as an inventory file that asset add reads back, and --save', async () => {
    const { dir, cmd } = project();
    writeFileSync(join(dir, 'yarn.lock'), '# yarn lockfile v1\n\nlodash@^4.17.19:\n  version "4.17.20"\n\n"semver@^7.1":\n  version "7.10.0"\n');
    const y = await cmd('vuln-discover', ['npm', 'yarn.lock', '--prefix', 'app/', '--owner', 'dev', '--yaml']);
    assert.equal(y.code, 0, y.err);
    writeFileSync(join(dir, 'found.yaml'), y.out);
    const back = await cmd('vuln-asset', ['add', '--file', 'found.yaml', '--json']);
    assert.equal(back.code, 0, back.err);
    assert.deepEqual(JSON.parse(back.out), { added: 2, updated: 0, unchanged: 0, removed: [], closedFindings: 0, returnedFindings: 0, assets: ['app/lodash@4.17.20', 'app/semver@7.10.0'] });
    const list = JSON.parse((await cmd('vuln-asset', ['list', '--json'])).out) as { version: string; owner: string }[];
    assert.deepEqual(list.map((a) => [a.version, a.owner]), [['4.17.20', 'dev'], ['7.10.0', 'dev']], 'versions kept as text through YAML');
    const saved = await cmd('vuln-discover', ['npm', dir, '--save', '--json']);
    assert.equal(saved.code, 0, saved.err);
    assert.deepEqual(JSON.parse(saved.out).saved, { added: 2, updated: 0, unchanged: 0, removed: [], closedFindings: 0, returnedFindings: 0 });
    const table = await cmd('vuln-discover', ['npm', 'yarn.lock']);
    assert.match(table.out, /^NAME +TYPE +PRODUCT +VERSION +ORIGIN\nlodash@4\.17\.20 +npm +lodash +4\.17\.20 +yarn\.lock:3\n/);
    assert.equal((await cmd('vuln-discover', ['nothing'])).code, 2);

    mkdirSync(join(dir, 'www', 'wp-includes'), { recursive: true });
    mkdirSync(join(dir, 'www', 'wp-content', 'plugins', 'akismet'), { recursive: true });
    writeFileSync(join(dir, 'www', 'wp-includes', 'version.php'), "<?php\n$wp_version = '6.1.9';\n");
    writeFileSync(join(dir, 'www', 'wp-content', 'plugins', 'akismet', 'akismet.php'), '<?php\n/*\nPlugin Name: Akismet Anti-Spam\nVersion: 5.0.2\n*/\n');
    const wp = await cmd('vuln-discover', ['wordpress', 'www', '--site', 'blog', '--criticality', 'high', '--json']);
    assert.equal(wp.code, 0, wp.err);
    const j = JSON.parse(wp.out) as { assets: { name: string; version: string; criticality: string }[]; notes: string[] };
    assert.deepEqual(j.assets.map((a) => [a.name, a.version, a.criticality]), [['blog/wordpress', '6.1.9', 'high'], ['blog/akismet', '5.0.2', 'high']]);
    assert.deepEqual(j.notes, [`www/wp-content/themes: not found: no themes read`]);
    writeFileSync(join(dir, 'status'), 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.15-1~deb12u1\n');
    const deb = await cmd('vuln-discover', ['dpkg', '--status', 'status', '--prefix', 'web-01/']);
    assert.match(deb.out, /^NAME +TYPE +PRODUCT +VERSION +ORIGIN\nweb-01\/openssl +deb +openssl +3\.0\.15-1~deb12u1 +status:1\nnote: status: the release of the host this status file comes from is not known: give --distro \(debian:12\)/);
    // the release given, or read from an os-release file, goes with each package
    const withDistro = JSON.parse((await cmd('vuln-discover', ['dpkg', '--status', 'status', '--distro', 'bookworm', '--json'])).out) as { assets: { distro: string }[] };
    assert.deepEqual(withDistro.assets.map((a) => a.distro), ['debian:12']);
    writeFileSync(join(dir, 'os-release'), 'ID=ubuntu\nVERSION_ID="22.04"\n');
    const fromFile = JSON.parse((await cmd('vuln-discover', ['dpkg', '--status', 'status', '--os-release', 'os-release', '--json'])).out) as { assets: { distro: string }[] };
    assert.deepEqual(fromFile.assets.map((a) => a.distro), ['ubuntu:22.04']);
    assert.match((await cmd('vuln-discover', ['dpkg', '--status', 'status', '--distro', 'almalinux:9'])).err, /--distro: almalinux:9 is a rpm distribution/);
    assert.match((await cmd('vuln-discover', ['wordpress', 'www', '--site', 'a\u001bb'])).err, /--site is 1 to 100 printable characters/);
  });

  it('plan: recorded from stdin, explained, ordered, due dates and owners; JSON; --waf; events to the store and a webhook; accept, reopen, fixed by the next check', async () => {
    const got: { type: string; event: Record<string, unknown> }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push(JSON.parse(body) as { type: string; event: Record<string, unknown> });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const { dir, cmd } = project(`data_dir: ./data\nwebhooks:\n  - url: http://127.0.0.1:${port}/hook\n    secret: ${'ab'.repeat(32)}\n    events: [vuln-finding, vuln-deadline, vuln-finding-fixed, vuln-risk-accepted, vuln-finding-reopened]\n`);
      writeFileSync(join(dir, 'inv.yaml'), INVENTORY);
      assert.equal((await cmd('vuln-asset', ['add', '--file', 'inv.yaml'])).code, 0);

      const plan = await cmd('vuln-plan', ['-', '--now', '2024-01-15'], CHECK);
      assert.equal(plan.code, 0, plan.err);
      assert.equal(
        plan.out,
        `Patch plan: 3 assets, 4 findings (P1 2, P2 1, P3 0, P4 1), in this order:

1. edge-vpn: Ivanti Connect Secure 22.7R2.3, owner netops, P1, by 2024-01-19
   P1  CVE-2024-21887  due 2024-01-19 (CISA KEV due date)
       in CISA KEV since 2024-01-10, due 2024-01-19; internet-facing; EPSS 0.97 (99.9th percentile); CVSS 3.1 9.1; critical asset
       22.7R2.3 is below the fix 22.7R2.5
   P1  CVE-2023-46805  due 2024-01-22
       in CISA KEV since 2024-01-10, due 2024-01-31; internet-facing; CVSS 3.1 8.2; critical asset
       below the fix

2. blog/wp-file-manager: wp-file-manager 6.8, owner web, P2, by 2024-02-14
   P2  CVE-2020-25213  due 2024-02-14
       internet-facing; CVSS 3.1 9.8
       below the fix

3. build/lodash: lodash 4.17.20, owner dev, P4, by 2024-07-13
   P4  CVE-2021-23337  due 2024-07-13
       internal; CVSS 3.1 7.2; low-criticality asset: one level down from P3
       below the fix
note: recorded: 4 new, 0 back after a fix, 0 fixed, 0 still open
`,
      );
      const j = JSON.parse((await cmd('vuln-plan', ['--now', '2024-01-15', '--json', '--deadlines', 'P2=10d'])).out) as { counts: object; items: { cve: string; due: string; owner: string; explanation: string; reasons: string[] }[] };
      assert.deepEqual(j.counts, { P1: 2, P2: 1, P3: 0, P4: 1 });
      assert.deepEqual(j.items.map((i) => [i.cve, i.due, i.owner]), [['CVE-2024-21887', '2024-01-19', 'netops'], ['CVE-2023-46805', '2024-01-22', 'netops'], ['CVE-2020-25213', '2024-01-25', 'web'], ['CVE-2021-23337', '2024-07-13', 'dev']]);

      const t = await cmd('vuln-plan', ['--now', '2024-01-15', '--table']);
      assert.match(t.out, /^# +PRI +DUE +OWNER +ASSET +VERSION +CVE +STATUS\n1 +P1 +2024-01-19 +netops +edge-vpn +22\.7R2\.3 +CVE-2024-21887 +affected\n2 +P1 +2024-01-22 /);

      const waf = await cmd('vuln-plan', ['--now', '2024-01-15', '--waf']);
      assert.equal(waf.code, 0, waf.err);
      assert.match(waf.out, /^# Virtual patches from mamori's rule pack for 3 findings/);
      assert.match(waf.out, /\nwaf:\n {2}mode: enforce\n {2}own_rules: true\n {2}paranoia: 1\n/);
      assert.match(waf.out, /\nRule ids: 36101040 36101050 36101060 36102030\n/);
      assert.match(waf.out, /\nwarning: the WAF is off in your mamori\.yaml \(no waf: section\)\n/);

      const acc = await cmd('vuln-finding', ['accept', 'build/lodash', 'CVE-2021-23337', '--reason', 'build host, no untrusted input', '--until', '30d', '--by', 'alice', '--now', '2024-01-16']);
      assert.equal(acc.code, 0, acc.err);
      assert.equal(acc.out, 'CVE-2021-23337 on build/lodash: risk accepted by alice until 2024-02-15.\n');
      assert.equal((await cmd('vuln-finding', ['accept', 'build/lodash', 'CVE-2021-23337', '--reason', 'x', '--until', '400d'])).code, 2, 'at most a year');
      const accepted = JSON.parse((await cmd('vuln-finding', ['list', '--state', 'accepted', '--json', '--now', '2024-01-16'])).out) as { cve: string; accepted: { by: string; until: string } }[];
      assert.deepEqual(accepted.map((a) => [a.cve, a.accepted.by, a.accepted.until]), [['CVE-2021-23337', 'alice', '2024-02-15']]);

      // The vpn is upgraded; the next check of it reports nothing affected: fixed.
      const next = [f({ asset: 'edge-vpn', product: 'Ivanti Connect Secure', version: '22.7R2.5', cve: 'CVE-2024-21887', status: 'not_affected', reason: '22.7R2.5 is the fix' })].join('\n');
      writeFileSync(join(dir, 'check2.jsonl'), next);
      const p2 = await cmd('vuln-plan', ['check2.jsonl', '--now', '2024-01-20', '--json']);
      assert.equal(p2.code, 0, p2.err);
      const j2 = JSON.parse(p2.out) as { items: { cve: string; due: string }[]; recorded: object; notes: string[] };
      assert.deepEqual(j2.recorded, { opened: 0, reappeared: 0, fixed: 2, updated: 0, closed: 0, returned: 0 });
      assert.deepEqual(j2.items.map((i) => [i.cve, i.due]), [['CVE-2020-25213', '2024-01-25']], 'the deadlines given once (P2=10d) are kept');
      assert.ok(j2.notes.includes('1 accepted risk not in the plan (mamori vuln finding list --state accepted)'));
      const fixed = await cmd('vuln-finding', ['list', '--state', 'fixed', '--now', '2024-01-20']);
      assert.match(fixed.out, /edge-vpn +CVE-2023-46805 +fixed +P1 +netops +fixed 2024-01-20/);

      // The acceptance ends: open again, when anyone looks.
      const later = await cmd('vuln-finding', ['list', '--now', '2024-02-16', '--json']);
      assert.deepEqual((JSON.parse(later.out) as { cve: string; state: string }[]).map((x) => [x.cve, x.state]), [['CVE-2020-25213', 'open'], ['CVE-2021-23337', 'open']]);
      const hist = JSON.parse((await cmd('vuln-finding', ['history', 'build/lodash', '--json', '--now', '2024-02-16'])).out) as { action: string; who: string }[];
      assert.deepEqual(hist.map((h) => [h.action, h.who]), [['new', 'mamori vuln check'], ['accepted', 'alice'], ['expired', 'mamori']]);
      assert.equal((await cmd('vuln-finding', ['reopen', 'build/lodash', 'CVE-2021-23337', '--now', '2024-02-16'])).code, 2, 'open already');

      const actions = got.map((g) => `${g.type} ${String(g.event['vulnerability.id'])}`);
      assert.deepEqual(actions, [
        'vuln-finding CVE-2024-21887',
        'vuln-finding CVE-2023-46805',
        'vuln-finding CVE-2020-25213',
        'vuln-finding CVE-2021-23337',
        // accept --now 2024-01-16 looks first: CVE-2024-21887 is due within 3 days.
        'vuln-deadline CVE-2024-21887',
        'vuln-risk-accepted CVE-2021-23337',
        'vuln-finding-fixed CVE-2023-46805',
        'vuln-finding-fixed CVE-2024-21887',
        'vuln-finding-reopened CVE-2021-23337',
        'vuln-deadline CVE-2020-25213',
      ]);
      assert.equal(got[0]!.event['mamori.vuln.owner'], 'netops');
      assert.equal(got[0]!.event['event.severity'], 73);
    } finally {
      server.close();
    }
  });

  it('bad findings input: an error naming the line, exit 2, nothing recorded; --no-record plans without the store', async () => {
    const { cmd } = project();
    const r = await cmd('vuln-plan', ['-'], `${CHECK.split('\n')[0]}\n{"asset": "x"}\n`);
    assert.equal(r.code, 2);
    assert.match(r.err, /MAMORI_ERR_VULN_FINDINGS: stdin:2: /);
    const dry = await cmd('vuln-plan', ['-', '--no-record', '--json', '--now', '2024-01-15'], CHECK);
    assert.equal(dry.code, 0, dry.err);
    const j = JSON.parse(dry.out) as { counts: object; items: { inInventory: boolean; owner: string }[]; notes: string[] };
    assert.deepEqual(j.counts, { P1: 2, P2: 1, P3: 1, P4: 0 }, 'no inventory: every asset taken as internet-facing, medium');
    assert.ok(j.items.every((i) => !i.inInventory && i.owner === 'unassigned'));
    assert.match(j.notes[0]!, /^not in the inventory, so taken as internet-facing, medium criticality, unassigned: /);
    const list = await cmd('vuln-finding', ['list', '--json']);
    assert.deepEqual(JSON.parse(list.out), [], '--no-record and a refused input record nothing');
  });
});
