import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from 'mamori';
import { discoverDpkg, discoverDpkgStatusFile, discoverRpm, parseDpkgQuery, parseDpkgStatus, parseRpmQuery } from './system-packages.js';
import { discoverNpm, parsePackageLock, parsePnpmLock, parseYarnLock, pnpmKey } from './npm.js';
import { parseCycloneDx, parsePurl } from './cyclonedx.js';
import type { Discovery } from './common.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mamori-vuln-pkg-'));
  dirs.push(d);
  return d;
}
const brief = (d: Discovery) => d.assets.map((a) => `${a.name} ${a.type} ${a.product} ${a.version} @ ${a.origin}`);

describe('Debian packages', () => {
  const STATUS = `Package: openssl
Status: install ok installed
Priority: optional
Version: 3.0.15-1~deb12u1
Description: Secure Sockets Layer toolkit
 This package contains the openssl binary.
 .
 More text.

Package: removed-one
Status: deinstall ok config-files
Version: 1.0

Package: libc6
Status: install ok installed
Multi-Arch: same
Version: 2.36-9+deb12u9

Package: half
Status: install reinstreq half-configured
Version: 1:2.0~rc1
no colon here
`;
  it('a status file: installed (and half-installed) packages, with the stanza line as origin; removed ones left out', () => {
    const d = parseDpkgStatus(STATUS, '/var/lib/dpkg/status');
    assert.deepEqual(brief(d), [
      'openssl deb openssl 3.0.15-1~deb12u1 @ /var/lib/dpkg/status:1',
      'libc6 deb libc6 2.36-9+deb12u9 @ /var/lib/dpkg/status:14',
      'half deb half 1:2.0~rc1 @ /var/lib/dpkg/status:19',
    ]);
    assert.deepEqual(d.notes, ['/var/lib/dpkg/status:22: not a Field: value line: skipped']);
  });

  it("dpkg-query's lines; a fake dpkg-query run with an argument array", async () => {
    const d = parseDpkgQuery('bash\t5.2.15-2+b7\tinstall ok installed\nold\t1\tdeinstall ok config-files\nbroken line\n', 'dpkg-query');
    assert.deepEqual(brief(d), ['bash deb bash 5.2.15-2+b7 @ dpkg-query']);
    assert.deepEqual(d.notes, ['dpkg-query line 3: not package, version, status (and source, source version) separated by tabs: skipped']);
    const dir = tmp();
    const bin = join(dir, 'dpkg-query');
    // Answers only when called with exactly the arguments meant (no shell in between to split them).
    writeFileSync(bin, `#!/bin/sh\n[ "$#" = 3 ] && [ "$1" = "-W" ] && [ "$2" = "-f" ] || exit 3\nT="$(printf '\\t')"\ncase "$3" in '\${Package}'"$T"'\${Version}'"$T"'\${Status}'*) printf 'fake\\t1.0-1\\tinstall ok installed\\n';; *) exit 4;; esac\n`);
    chmodSync(bin, 0o755);
    const r = await discoverDpkg({ bin, prefix: 'web-01/' });
    assert.deepEqual(brief(r), ['web-01/fake deb fake 1.0-1 @ dpkg-query']);
    await assert.rejects(discoverDpkg({ bin: join(dir, 'missing') }), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY') && /is not installed/.test(e.message));
  });

  it('this host: dpkg-query and /var/lib/dpkg/status agree', async (t) => {
    if (!existsSync('/var/lib/dpkg/status')) {
      t.skip('not a Debian host');
      return;
    }
    const a = await discoverDpkg();
    const b = discoverDpkgStatusFile('/var/lib/dpkg/status');
    assert.ok(a.assets.length > 10);
    assert.deepEqual(new Set(a.assets.map((x) => `${x.product} ${x.version}`)), new Set(b.assets.map((x) => `${x.product} ${x.version}`)));
  });

  it('a status file that is a link, a FIFO or too large is refused', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'real'), STATUS);
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    assert.throws(() => discoverDpkgStatusFile(join(dir, 'link')), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY') && /symbolic link/.test(e.message));
    assert.equal(discoverDpkgStatusFile(join(dir, 'real')).assets.length, 3);
  });
});

describe('RPM packages', () => {
  it('name, epoch, version, release: [epoch:]version-release; gpg-pubkey left out', async () => {
    const d = parseRpmQuery('openssl-libs\t1\t3.0.7\t27.el9\nbash\t(none)\t5.1.8\t9.el9\ngpg-pubkey\t(none)\tfd431d51\t4ae0493b\nbad\n', 'rpm -qa');
    assert.deepEqual(brief(d), ['openssl-libs rpm openssl-libs 1:3.0.7-27.el9 @ rpm -qa', 'bash rpm bash 5.1.8-9.el9 @ rpm -qa']);
    assert.equal(d.notes.length, 1);
    const dir = tmp();
    const bin = join(dir, 'rpm');
    writeFileSync(bin, '#!/bin/sh\n[ "$1" = "-qa" ] && [ "$2" = "--qf" ] && printf "curl\\t(none)\\t7.76.1\\t29.el9\\n"\n');
    chmodSync(bin, 0o755);
    assert.deepEqual(brief(await discoverRpm({ bin })), ['curl rpm curl 7.76.1-29.el9 @ rpm -qa']);
  });
});

describe('npm lock files', () => {
  it('package-lock.json v3 and v2: node_modules paths, nested and scoped, aliases; the project, workspaces and links left out', () => {
    const lock = {
      name: 'app',
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'packages/lib': { name: '@app/lib', version: '0.1.0' },
        'node_modules/@app/lib': { resolved: 'packages/lib', link: true },
        'node_modules/lodash': { version: '4.17.20' },
        'node_modules/@babel/core': { version: '7.24.0' },
        'node_modules/a/node_modules/lodash': { version: '4.17.21' },
        'node_modules/b/node_modules/lodash': { version: '4.17.21' },
        'node_modules/my-alias': { name: 'minimist', version: '1.2.5' },
        'node_modules/noversion': {},
      },
    };
    const d = parsePackageLock(JSON.stringify(lock), 'package-lock.json');
    assert.deepEqual(
      d.assets.map((a) => `${a.name} ${a.product} ${a.version}`),
      ['lodash@4.17.20 lodash 4.17.20', '@babel/core@7.24.0 @babel/core 7.24.0', 'lodash@4.17.21 lodash 4.17.21', 'minimist@1.2.5 minimist 1.2.5'],
    );
    assert.equal(d.assets[0]!.origin, 'package-lock.json: packages["node_modules/lodash"]');
    assert.deepEqual(d.notes, ['package-lock.json: packages["node_modules/noversion"]: no version: skipped']);
    assert.equal(parsePackageLock(JSON.stringify({ ...lock, lockfileVersion: 2, dependencies: {} }), 'x').assets.length, 4);
  });

  it('package-lock.json v1: nested dependencies; file: links left out', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        express: { version: '4.17.1', dependencies: { qs: { version: '6.7.0' } } },
        qs: { version: '6.11.0' },
        local: { version: 'file:../local' },
      },
    };
    const d = parsePackageLock(JSON.stringify(lock), 'package-lock.json');
    assert.deepEqual(brief(d), [
      'express@4.17.1 npm express 4.17.1 @ package-lock.json: dependencies["express"]',
      'qs@6.7.0 npm qs 6.7.0 @ package-lock.json: dependencies["express"].dependencies["qs"]',
      'qs@6.11.0 npm qs 6.11.0 @ package-lock.json: dependencies["qs"]',
    ]);
  });

  it('hostile lock files: deep nesting, not JSON, unknown versions', () => {
    const deep = `{"lockfileVersion":1,"dependencies":${'{"a":{"version":"1","dependencies":'.repeat(200)}{}${'}}'.repeat(200)}}`;
    assert.throws(() => parsePackageLock(deep, 'deep.json'), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY') && /nested deeper than 256 levels/.test(e.message));
    assert.throws(() => parsePackageLock('[1,2', 'x.json'), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY') && /not valid JSON/.test(e.message));
    assert.throws(() => parsePackageLock('{"lockfileVersion":9}', 'x.json'), /lockfileVersion 9/);
    // A string full of brackets is not nesting.
    assert.equal(parsePackageLock(JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/x': { version: '['.repeat(100) } } }), 'x').assets.length, 1);
  });

  it('pnpm-lock.yaml 5, 6 and 9: keys with peers and build suffixes; versions stay text', () => {
    assert.deepEqual(pnpmKey('/@babel/core/7.24.0_supports-color@8.1.1', true), { name: '@babel/core', version: '7.24.0' });
    assert.deepEqual(pnpmKey('/@babel/core@7.24.0(supports-color@8.1.1)', false), { name: '@babel/core', version: '7.24.0' });
    assert.deepEqual(pnpmKey('lodash@4.17.20', false), { name: 'lodash', version: '4.17.20' });
    const v9 = `lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      lodash:\n        specifier: ^4\n        version: 4.17.20\npackages:\n  lodash@4.17.20:\n    resolution: {integrity: sha512-x}\n  '@types/node@20.10.0':\n    resolution: {integrity: sha512-y}\n  semver@7.10.0:\n    resolution: {integrity: sha512-z}\nsnapshots:\n  lodash@4.17.20: {}\n`;
    assert.deepEqual(brief(parsePnpmLock(v9, 'pnpm-lock.yaml')), [
      'lodash@4.17.20 npm lodash 4.17.20 @ pnpm-lock.yaml: packages["lodash@4.17.20"]',
      '@types/node@20.10.0 npm @types/node 20.10.0 @ pnpm-lock.yaml: packages["@types/node@20.10.0"]',
      'semver@7.10.0 npm semver 7.10.0 @ pnpm-lock.yaml: packages["semver@7.10.0"]',
    ]);
    const v5 = 'lockfileVersion: 5.4\npackages:\n  /lodash/4.17.20:\n    resolution: {integrity: sha512-x}\n    dev: false\n';
    assert.deepEqual(brief(parsePnpmLock(v5, 'p')), ['lodash@4.17.20 npm lodash 4.17.20 @ p: packages["/lodash/4.17.20"]']);
    assert.throws(() => parsePnpmLock('a: &x [1]\nb: *x\npackages: {}\n', 'p'), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY'));
    assert.throws(() => parsePnpmLock(`packages: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n`, 'p'), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY') && /nested deeper than 64 levels \(line 1, column 267\)/.test(e.message));
  });

  it('yarn.lock v1 and berry', () => {
    const v1 = `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":\n  version "7.12.13"\n  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz"\n\nlodash@^4.17.19:\n  version "4.17.20"\n`;
    assert.deepEqual(brief(parseYarnLock(v1, 'yarn.lock')), ['@babel/code-frame@7.12.13 npm @babel/code-frame 7.12.13 @ yarn.lock:5', 'lodash@4.17.20 npm lodash 4.17.20 @ yarn.lock:9']);
    const berry = `__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n\n"lodash@npm:^4.17.19":\n  version: 4.17.20\n  resolution: "lodash@npm:4.17.20"\n\n"@types/node@npm:^20, @types/node@npm:^20.1":\n  version: 20.10.0\n  resolution: "@types/node@npm:20.10.0"\n\n"semver@npm:7.10":\n  version: 7.10\n  resolution: "semver@npm:7.10"\n`;
    assert.deepEqual(brief(parseYarnLock(berry, 'yarn.lock')), [
      'lodash@4.17.20 npm lodash 4.17.20 @ yarn.lock: "lodash@npm:^4.17.19"',
      '@types/node@20.10.0 npm @types/node 20.10.0 @ yarn.lock: "@types/node@npm:^20, @types/node@npm:^20.1"',
      'semver@7.10 npm semver 7.10 @ yarn.lock: "semver@npm:7.10"',
    ]);
  });

  it('discoverNpm finds the lock file in a directory; none is an error', () => {
    const dir = tmp();
    assert.throws(() => discoverNpm(dir), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY') && /no package-lock\.json/.test(e.message));
    writeFileSync(join(dir, 'yarn.lock'), 'lodash@^4:\n  version "4.17.21"\n');
    assert.equal(discoverNpm(dir).assets[0]!.version, '4.17.21');
  });
});

describe('CycloneDX SBOMs', () => {
  it('purls', () => {
    assert.deepEqual(parsePurl('pkg:npm/%40babel/core@7.24.0'), { type: 'npm', namespace: '@babel', name: 'core', version: '7.24.0' });
    assert.deepEqual(parsePurl('pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12'), { type: 'deb', namespace: 'debian', name: 'openssl', version: '3.0.15-1~deb12u1' });
    assert.deepEqual(parsePurl('pkg:npm/lodash'), { type: 'npm', name: 'lodash' });
    assert.equal(parsePurl('npm/lodash@1'), undefined);
    assert.equal(parsePurl('pkg:npm/%E0%A4%A@1'), undefined);
  });

  it('components, nested ones too, by purl type; others counted in notes', () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      components: [
        { type: 'library', name: 'core', group: '@babel', version: '7.24.0', purl: 'pkg:npm/%40babel/core@7.24.0' },
        { type: 'library', name: 'openssl', version: '3.0.15-1~deb12u1', purl: 'pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64', components: [{ name: 'bash', purl: 'pkg:rpm/redhat/bash@5.1.8-9.el9' }] },
        { name: 'akismet', purl: 'pkg:composer/wpackagist-plugin/akismet@5.0.2' },
        { name: 'log4j-core', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
        { name: 'no-purl', version: '1' },
        { name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash' },
      ],
    };
    const d = parseCycloneDx(JSON.stringify(bom), 'bom.json');
    assert.deepEqual(brief(d), [
      '@babel/core@7.24.0 npm @babel/core 7.24.0 @ bom.json: components[0]',
      'deb/openssl@3.0.15-1~deb12u1 deb openssl 3.0.15-1~deb12u1 @ bom.json: components[1]',
      'wordpress-plugin/akismet@5.0.2 wordpress-plugin akismet 5.0.2 @ bom.json: components[2]',
      'lodash@4.17.20 npm lodash 4.17.20 @ bom.json: components[5]',
      'rpm/bash@5.1.8-9.el9 rpm bash 5.1.8-9.el9 @ bom.json: components[1].components[0]',
    ]);
    assert.deepEqual(d.notes, ['bom.json: 1 components without a readable purl: skipped', 'bom.json: 1 components of type pkg:maven: skipped (no feed mapping in mamori vuln)']);
    assert.throws(() => parseCycloneDx('{"bomFormat":"SPDX"}', 'x.json'), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY') && /not a CycloneDX SBOM/.test(e.message));
    assert.throws(() => parseCycloneDx(`{"bomFormat":"CycloneDX","components":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'deep.json'), /nested deeper/);
  });
});
