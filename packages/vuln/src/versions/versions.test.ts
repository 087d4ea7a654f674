import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GRAMMARS, grammar } from './builtins.js';
import { isVersion, type Version } from './grammar.js';

function v(g: string, text: string): Version {
  const p = grammar(g).parse(text);
  assert.ok(isVersion(p), `${g} ${text}: ${'problem' in p ? p.problem : ''}`);
  return p;
}
/** Asserts a strictly ascending chain. */
function ascending(g: string, ...texts: string[]): void {
  for (let i = 1; i < texts.length; i++) {
    const c = grammar(g).compare(v(g, texts[i - 1]!), v(g, texts[i]!));
    assert.ok(c < 0, `${g}: ${texts[i - 1]} < ${texts[i]} (got ${c})`);
    assert.ok(grammar(g).compare(v(g, texts[i]!), v(g, texts[i - 1]!)) > 0);
  }
}
const same = (g: string, a: string, b: string) => assert.equal(grammar(g).compare(v(g, a), v(g, b)), 0, `${g}: ${a} = ${b}`);
const refused = (g: string, text: string) => assert.ok(!isVersion(grammar(g).parse(text)), `${g} refuses ${JSON.stringify(text)}`);

describe('version grammars', () => {
  it('FortiOS: numbers, device strings normalised', () => {
    ascending('fortios', '5.4.6', '5.4.12', '5.4.13', '6.0.4', '6.0.10', '6.2.0', '7.2.4', '7.2.10');
    same('fortios', 'v7.2.4,build1396,230131 (GA.F)', '7.2.4');
    same('fortios', 'FortiOS v7.2.4 build1396', '7.2.4');
    same('fortios', '7.2', '7.2.0');
    refused('fortios', '7.2.x');
    refused('fortios', 'seven');
  });
  it('Ivanti: GA below R1, R1.0 = R1, NVD CPE form', () => {
    ascending('ivanti', '9.1R9', '9.1R9.1', '9.1R11.4', '9.1R18', '22.2', '22.2R1', '22.4R2.1', '22.7R2.3', '22.7R2.10');
    same('ivanti', '22.7:r2.3', '22.7R2.3');
    same('ivanti', '8.2:r1.0', '8.2R1');
    same('ivanti', '22.2:-', '22.2');
    assert.equal(v('ivanti', '9.0').trainOnly, true);
    assert.equal(v('ivanti', '22.2:-').trainOnly, undefined);
    same('ivanti', '22.2 GA', '22.2:-');
    assert.equal(v('ivanti', '22.2 GA').trainOnly, undefined);
    assert.equal(grammar('ivanti').train!(v('ivanti', '9.0R3.1')), '9.0');
    refused('ivanti', '22.7.2.3');
  });
  it('NetScaler: train-build pairs, editions, train alone sorts first', () => {
    ascending('netscaler', '12.1', '12.1-55.300', '13.0-92.19', '13.1', '13.1-37.164', '13.1-49.15', '13.1-49.100', '14.1-8.50');
    same('netscaler', 'NS13.1: Build 49.15.nc', '13.1-49.15');
    assert.deepEqual(v('netscaler', '13.1-37.164 FIPS').editions, ['fips']);
    assert.deepEqual(v('netscaler', '13.1-FIPS').editions, ['fips']);
    assert.deepEqual(v('netscaler', '12.1 FIPS and NDcPP').editions, ['fips', 'ndcpp']);
    assert.equal(v('netscaler', '13.1-49.15').editions, undefined);
    assert.equal(grammar('netscaler').completeBound!(v('netscaler', '13.1'), '49.15'), '13.1-49.15');
    assert.equal(grammar('netscaler').completeBound!(v('netscaler', '13.1'), '13.1-49.15'), '13.1-49.15');
    refused('netscaler', '13.1-49.15 premium-plus-something');
  });
  it('PAN-OS: hotfixes above their base release', () => {
    ascending('panos', '10.2.0', '10.2.0-h3', '10.2.8', '10.2.8-h3', '10.2.9', '10.2.9-h1', '10.2.10', '11.0.0');
    assert.equal(grammar('panos').train!(v('panos', '10.2.8-h3')), '10.2.8');
    refused('panos', '10.2.9-hotfix');
  });
  it('WordPress: PHP version_compare', () => {
    ascending('wordpress', '1.0-dev', '1.0alpha1', '1.0a2', '1.0beta', '1.0RC1', '1.0', '1.0.0', '1.0.1', '1.0pl1', '6.8', '6.9', '9.1.1.1', '9.1.2');
    same('wordpress', '1.0-rc1', '1.0RC1');
    same('wordpress', '1.0+1', '1.0.1');
    refused('wordpress', 'trunk');
  });
  it('npm: semver with prereleases', () => {
    ascending('npm', '4.17.19', '4.17.20', '5.0.0-alpha.1', '5.0.0-alpha.2', '5.0.0-alpha.10', '5.0.0-beta', '5.0.0-beta.3', '5.0.0-rc.1', '5.0.0', '5.7.2', '7.5.2');
    same('npm', '1.2.3+build.5', '1.2.3');
    refused('npm', '1.2');
    refused('npm', '01.2.3');
  });
  it('Debian: dpkg ordering with epochs and ~', () => {
    ascending('deb', '1.0~rc1', '1.0', '1.0-1', '1.0a', '1.0+deb12u1', '1.1', '2.36.1-8+deb11u1', '2.36.1-8+deb11u2', '1:0.9');
    same('deb', '1.0-1', '1.00-1');
    refused('deb', 'abc');
  });
  it('RPM: rpmvercmp with epochs, ~ and ^', () => {
    ascending('rpm', '1.0~rc1', '1.0', '1.0^git1', '1.0a', '1.0.1', '1.1', '1.10', '2.0-1.el9', '2.0-2.el9', '2.0-10.el9', '1:0.1');
    same('rpm', '1.01', '1.1');
    same('rpm', '2.0', '2.0-5.el9');
    refused('rpm', '-1');
  });
  it('bounded and linear on hostile text', () => {
    for (const g of GRAMMARS.values()) {
      refused(g.name, '1'.repeat(10_000));
      refused(g.name, '');
      refused(g.name, '1.0\u0000');
      // long near-misses of each regex answer at once (no backtracking blow-up); no timing asserted
      assert.ok(!isVersion(g.parse(`${'1.'.repeat(60)}!`)));
    }
  });
});
