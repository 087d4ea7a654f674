import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sharedData } from '../testing/shared-data.js';
import { crsRuleFiles, crsVersion, formatCrsSearch, locateCrs } from './crs-locate.js';

const INIT = (v: string) => `# ------\n# OWASP CRS ver.${v}\nSecComponentSignature "OWASP_CRS/${v}"\nSecRule &TX:crs_setup_version "@eq 0" "id:901001,phase:1,deny,ver:'OWASP_CRS/${v}'"\n`;

/** A folder shaped like a release (or a clone): rules/*.conf, crs-setup.conf.example. */
function release(dir: string, version = '4.28.0', extra: string[] = []): string {
  mkdirSync(join(dir, 'rules'), { recursive: true });
  writeFileSync(join(dir, 'crs-setup.conf.example'), '# setup\n');
  writeFileSync(join(dir, 'rules', 'REQUEST-901-INITIALIZATION.conf'), INIT(version));
  for (const n of ['REQUEST-949-BLOCKING-EVALUATION.conf', 'RESPONSE-980-CORRELATION.conf', 'REQUEST-911-METHOD-ENFORCEMENT.conf', 'RESPONSE-950-DATA-LEAKAGES.conf', 'REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf.example', 'RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf.example', 'sql-errors.data', ...extra]) {
    writeFileSync(join(dir, 'rules', n), '# rules\n');
  }
  return dir;
}

/** Debian bookworm's modsecurity-crs: /usr/share/modsecurity-crs/rules, /etc/modsecurity/crs. */
function debian(root: string, version = '4.0.0') {
  const shareDir = join(root, 'usr/share/modsecurity-crs');
  const etcDir = join(root, 'etc/modsecurity/crs');
  mkdirSync(join(shareDir, 'rules'), { recursive: true });
  mkdirSync(etcDir, { recursive: true });
  writeFileSync(join(shareDir, 'rules', 'REQUEST-901-INITIALIZATION.conf'), INIT(version));
  writeFileSync(join(shareDir, 'rules', 'REQUEST-949-BLOCKING-EVALUATION.conf'), '#\n');
  writeFileSync(join(shareDir, 'rules', 'RESPONSE-959-BLOCKING-EVALUATION.conf'), '#\n');
  writeFileSync(join(shareDir, 'owasp-crs.load'), '#\n');
  writeFileSync(join(etcDir, 'crs-setup.conf'), '# setup\n');
  writeFileSync(join(etcDir, 'REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf'), '#\n');
  writeFileSync(join(etcDir, 'RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf'), '#\n');
  return { shareDir, etcDir };
}

const tmp = () => realpathSync(mkdtempSync(join(tmpdir(), 'mamori-crs-')));
const none = { debian: false as const, wellKnown: [], env: {} };

describe('locateCrs', () => {
  it('an explicit path (config, then MAMORI_CRS_DIR) is the only place looked at', () => {
    const a = release(join(tmp(), 'a'), '4.1.0');
    const b = release(join(tmp(), 'b'), '4.2.0');
    const data = tmp();
    release(join(data, 'crs', '4.9.0'));
    symlinkSync('4.9.0', join(data, 'crs', 'current'));
    const fromConfig = locateCrs({ ...none, path: a, dataDir: data, env: { MAMORI_CRS_DIR: b } });
    assert.deepEqual(fromConfig.crs, { rulesDir: join(a, 'rules'), setupFile: join(a, 'crs-setup.conf.example'), version: '4.1.0', source: 'config' });
    assert.equal(locateCrs({ ...none, dataDir: data, env: { MAMORI_CRS_DIR: b } }).crs?.source, 'env');
    const wrong = locateCrs({ ...none, path: join(a, 'nope'), dataDir: data });
    assert.equal(wrong.crs, undefined, 'a wrong explicit path is reported, not replaced by the fetched copy');
    assert.deepEqual(wrong.looked, [{ place: join(a, 'nope'), source: 'config', problem: 'not there' }]);
  });

  it('finds what `mamori rules fetch crs` installed, through the current link', () => {
    const data = tmp();
    release(join(data, 'crs', '4.28.0'));
    symlinkSync('4.28.0', join(data, 'crs', 'current'));
    const s = locateCrs({ ...none, dataDir: data });
    assert.deepEqual(s.crs, { rulesDir: join(data, 'crs', '4.28.0', 'rules'), setupFile: join(data, 'crs', '4.28.0', 'crs-setup.conf.example'), version: '4.28.0', source: 'download' });
  });

  it("finds Debian's package: rules in /usr/share, setup and exclusions in /etc", () => {
    const root = tmp();
    const deb = debian(root);
    const s = locateCrs({ ...none, dataDir: join(root, 'no-data'), debian: deb });
    assert.deepEqual(s.crs, { rulesDir: join(deb.shareDir, 'rules'), setupFile: join(deb.etcDir, 'crs-setup.conf'), exclusionsDir: deb.etcDir, version: '4.0.0', source: 'debian' });
    assert.deepEqual(s.looked, [{ place: join(root, 'no-data', 'crs', 'current'), source: 'download', problem: 'not there' }]);
    assert.deepEqual(locateCrs({ ...none, debian: deb, path: deb.shareDir }).crs, { ...s.crs, source: 'config' }, 'named explicitly, the setup is still read from /etc');
    assert.deepEqual(
      crsRuleFiles(s.crs!).map((f) => f.slice(root.length)),
      [
        '/etc/modsecurity/crs/REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf',
        '/usr/share/modsecurity-crs/rules/REQUEST-901-INITIALIZATION.conf',
        '/usr/share/modsecurity-crs/rules/REQUEST-949-BLOCKING-EVALUATION.conf',
        '/usr/share/modsecurity-crs/rules/RESPONSE-959-BLOCKING-EVALUATION.conf',
        '/etc/modsecurity/crs/RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf',
      ],
      "the exclusion files around the rules, crs-setup.conf not among them (Debian's owasp-crs.load order)",
    );
  });

  it("takes CRS 3 (bookworm's package) when no CRS 4 is found, and a CRS 4 anywhere before it; refuses CRS 2", () => {
    const root = tmp();
    const deb = debian(root, '3.3.4');
    const rel = release(join(root, 'coreruleset-4.28.0'));
    const s = locateCrs({ ...none, debian: deb, searchDirs: [root] });
    assert.equal(s.crs?.rulesDir, join(rel, 'rules'), 'CRS 4 in a search folder wins over Debian\'s CRS 3');
    const only3 = locateCrs({ ...none, debian: deb });
    assert.deepEqual(only3.crs, { rulesDir: join(deb.shareDir, 'rules'), setupFile: join(deb.etcDir, 'crs-setup.conf'), exclusionsDir: deb.etcDir, version: '3.3.4', source: 'debian' });
    const explicit = locateCrs({ ...none, debian: deb, path: deb.shareDir });
    assert.equal(explicit.crs?.version, '3.3.4');
    assert.equal(explicit.crs?.source, 'config');
    const old = debian(join(root, 'old'), '2.2.9');
    const refused = locateCrs({ ...none, debian: old, path: old.shareDir });
    assert.equal(refused.crs, undefined);
    assert.match(refused.looked[0]!.problem, /holds CRS 2\.2\.9; mamori runs CRS 3 and 4/);
  });

  it('finds an unpacked release in a search folder, the highest version first, or the rules folder itself', () => {
    const dir = tmp();
    release(join(dir, 'coreruleset-4.9.0'), '4.9.0');
    release(join(dir, 'coreruleset-4.28.0'), '4.28.0');
    release(join(dir, 'coreruleset-4.10.1'), '4.10.1');
    const s = locateCrs({ ...none, searchDirs: [dir] });
    assert.equal(s.crs?.version, '4.28.0');
    assert.equal(s.crs?.source, 'release');
    const rules = locateCrs({ ...none, path: join(dir, 'coreruleset-4.9.0', 'rules') }).crs;
    assert.equal(rules?.rulesDir, join(dir, 'coreruleset-4.9.0', 'rules'));
    assert.equal(rules?.setupFile, join(dir, 'coreruleset-4.9.0', 'crs-setup.conf.example'));
  });

  it("prefers the user's crs-setup.conf to the release's example", () => {
    const dir = release(tmp());
    writeFileSync(join(dir, 'crs-setup.conf'), '# mine\n');
    assert.equal(locateCrs({ ...none, path: dir }).crs?.setupFile, join(dir, 'crs-setup.conf'));
  });

  it('says where it looked when nothing is found', () => {
    const root = tmp();
    const empty = join(root, 'empty');
    mkdirSync(empty);
    mkdirSync(join(root, 'half', 'rules'), { recursive: true });
    const s = locateCrs({ dataDir: join(root, 'data'), debian: { shareDir: join(root, 'usr/share/modsecurity-crs'), etcDir: join(root, 'etc') }, wellKnown: [join(root, 'opt')], searchDirs: [empty, join(root, 'half')], env: {} });
    assert.equal(s.crs, undefined);
    assert.deepEqual(
      s.looked.map((l) => [l.place.slice(root.length), l.source, l.problem.replace(root, '')]),
      [
        ['/data/crs/current', 'download', 'not there'],
        ['/usr/share/modsecurity-crs', 'debian', 'not there (apt-get install modsecurity-crs)'],
        ['/opt', 'release', 'not there'],
        ['/empty', 'release', 'holds no rules/ folder'],
        ['/half', 'release', '/half/rules holds no REQUEST-*.conf rule files'],
      ],
    );
    const text = formatCrsSearch(s);
    assert.match(text, /^no CRS found; looked in:\n {2}.*\/data\/crs\/current \(installed by `mamori rules fetch crs`\): not there\n/);
    assert.match(text, /mamori rules fetch crs` downloads and installs it/);
  });
});

describe('crsRuleFiles', () => {
  it('lists rules/*.conf in load order: BEFORE-CRS, REQUEST, RESPONSE, AFTER-CRS; no .example, no .data', () => {
    const dir = release(tmp(), '4.28.0', ['REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf', 'RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf', 'REQUEST-903.9002-WORDPRESS-EXCLUSION-RULES.conf', 'zz-local-BEFORE-CRS.conf', '.hidden.conf']);
    assert.deepEqual(crsRuleFiles(dir).map((f) => basename(f)), [
      'REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf',
      'zz-local-BEFORE-CRS.conf',
      'REQUEST-901-INITIALIZATION.conf',
      'REQUEST-903.9002-WORDPRESS-EXCLUSION-RULES.conf',
      'REQUEST-911-METHOD-ENFORCEMENT.conf',
      'REQUEST-949-BLOCKING-EVALUATION.conf',
      'RESPONSE-950-DATA-LEAKAGES.conf',
      'RESPONSE-980-CORRELATION.conf',
      'RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf',
    ]);
    assert.deepEqual(crsRuleFiles(join(dir, 'rules')), crsRuleFiles(dir), 'the rules folder itself, or the CRS folder');
  });

  it("lists CRS v4.28.0's 27 rule files and reads its version", (t) => {
    const crs = sharedData('crs', 'MAMORI_CRS_DIR');
    if (crs.missing) return t.skip(crs.missing);
    const files = crsRuleFiles(crs.dir).map((f) => basename(f));
    assert.equal(files.length, 27);
    assert.equal(files[0], 'REQUEST-901-INITIALIZATION.conf');
    assert.equal(files.at(-1), 'RESPONSE-980-CORRELATION.conf');
    assert.equal(crsVersion(join(crs.dir, 'rules')), '4.28.0');
    assert.equal(locateCrs({ ...none, path: crs.dir }).crs?.version, '4.28.0');
  });
});
