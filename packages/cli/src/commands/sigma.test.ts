import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const RULES = fileURLToPath(new URL('../../../detect/src/sigma/testdata/rules/', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'mamori-sigma-cli-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

function mamori(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, MAMORI_CONFIG: '' }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('mamori sigma check', () => {
  it('says every rule of a good folder loads, and exits 0', () => {
    const r = mamori('sigma', 'check', RULES);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Loaded 12 of 12 rule documents from .* \(7 files\): 10 rules, 2 correlations\.\nEvery rule loads\./);
  });

  it('groups the problems by reason with file:line, and exits 1', () => {
    const dir = join(cwd, 'mixed');
    const rule = (ls: string, det: string) => `title: t\nlogsource:\n  ${ls}\ndetection:\n  sel:\n    ${det}\n  condition: sel\n`;
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.yml'), rule('category: webserver', 'cs-method: GET'));
    writeFileSync(join(dir, 'win1.yml'), rule('product: windows', 'Image: x'));
    writeFileSync(join(dir, 'win2.yml'), rule('product: windows', 'Image: y'));
    writeFileSync(join(dir, 'mod.yml'), rule('category: webserver', 'c-uri|frobnicate: x'));
    writeFileSync(join(dir, 'broken.yml'), 'title: [\n');
    let r = mamori('sigma', 'check', dir);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /Loaded 1 of 4 rule documents .* \(5 files\)/);
    assert.match(r.out, /\n {7}2 {2}unsupported logsource\n {10}win1\.yml:2: logsource product: windows: mamori reads no such logs \(t\)\n/);
    assert.match(r.out, /1 {2}unknown modifier\n {10}mod\.yml:6: unknown modifier "frobnicate"/);
    assert.match(r.out, /1 {2}malformed YAML\n {10}broken\.yml:\d+: /);
    r = mamori('sigma', 'check', dir, '--json');
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.deepEqual(j.byReason, { 'unsupported logsource': 2, 'unknown modifier': 1, 'malformed YAML': 1 });
    assert.equal(j.loaded, 1);
    assert.equal(j.problemList.length, 4);
  });

  it('refuses bad arguments and a missing folder', () => {
    let r = mamori('sigma', 'check');
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_CLI_USAGE: give one folder/);
    r = mamori('sigma', 'list');
    assert.match(r.err, /MAMORI_ERR_CLI_USAGE: expected check/);
    r = mamori('sigma', 'check', join(cwd, 'nope'));
    assert.equal(r.code, 1);
    assert.match(r.err, /MAMORI_ERR_SIGMA_RULES: .*nope: cannot be read \(ENOENT\)/);
  });
});
