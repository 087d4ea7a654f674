import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from 'mamori';
import { loadInventoryFile, parseInventoryYaml, MAX_INVENTORY_BYTES } from './inventory-file.js';
import { checkAsset } from './asset.js';

const GOOD = `# the edge
assets:
  - name: edge-vpn
    type: appliance
    product: Ivanti Connect Secure
    version: 22.7R2.3
    exposure: internet-facing
    owner: netops
    criticality: critical
  - name: fw
    type: appliance
    product: FortiOS
    version: "v7.2.4,build1396,230131 (GA.F)"
    exposure: internal
  - { name: shop/wp-file-manager, type: wordpress-plugin, product: wp-file-manager, version: "6.8", criticality: high }
`;

function errors(text: string): string[] {
  const r = parseInventoryYaml(text, 'inv.yaml');
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors.map((e) => `${e.where}: ${e.message}`);
}

describe('inventory files', () => {
  it('reads assets with their origin (file:line), internet-facing as internet, defaults for what is left out', () => {
    const r = parseInventoryYaml(GOOD, 'inv.yaml');
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.assets, [
      { name: 'edge-vpn', type: 'appliance', product: 'Ivanti Connect Secure', version: '22.7R2.3', exposure: 'internet', criticality: 'critical', owner: 'netops', origin: 'inv.yaml:3' },
      { name: 'fw', type: 'appliance', product: 'FortiOS', version: 'v7.2.4,build1396,230131 (GA.F)', exposure: 'internal', criticality: 'medium', owner: 'unassigned', origin: 'inv.yaml:10' },
      { name: 'shop/wp-file-manager', type: 'wordpress-plugin', product: 'wp-file-manager', version: '6.8', exposure: 'internet', criticality: 'high', owner: 'unassigned', origin: 'inv.yaml:15' },
    ]);
  });

  it('an empty file, or assets: with nothing, is an empty inventory', () => {
    assert.deepEqual(parseInventoryYaml('', 'x'), { ok: true, assets: [] });
    assert.deepEqual(parseInventoryYaml('assets:\n', 'x'), { ok: true, assets: [] });
  });

  it('every problem is reported with file:line:column: unknown keys, duplicate names, bad values, missing fields, numbers for versions', () => {
    const text = [
      'assets:', //                                   1
      '  - name: a', //                               2
      '    type: router', //                          3
      '    product: X', //                            4
      '    version: "1"', //                          5
      '    exposur: internet', //                     6
      '  - name: a', //                               7
      '    type: npm', //                             8
      '    product: lodash', //                       9
      '    version: "4.17.20"', //                    10
      '  - name: b', //                               11
      '    type: deb', //                             12
      '    product: openssl', //                      13
      '    version: 7.20', //                         14
      '    criticality: urgent', //                   15
      '    exposure: [internet]', //                  16
      '  - name: c', //                               17
      '    type: npm', //                             18
      '  - name: a', //                               19
      '    type: npm', //                             20
      '    product: lodash', //                       21
      '    version: "4.17.21"', //                    22
      'extra: 1', //                                  23
    ].join('\n');
    assert.deepEqual(errors(text), [
      'inv.yaml:23:1: unknown key "extra": an inventory has only assets:',
      'inv.yaml:6:5: unknown key "exposur": an asset has name, type, product, version, exposure, owner, criticality, distro, source',
      'inv.yaml:3:11: type must be one of appliance, wordpress, wordpress-plugin, wordpress-theme, npm, deb, rpm, not "router"',
      'inv.yaml:14:14: version must be text: quote it (version: "7.20") so that YAML keeps it as written',
      'inv.yaml:16:15: exposure must be a single value, not a list or a mapping',
      'inv.yaml:15:18: criticality must be one of low, medium, high, critical, not "urgent"',
      'inv.yaml:17:5: product is missing',
      'inv.yaml:17:5: version is missing',
      'inv.yaml:19:11: the name "a" is already used by the asset at inv.yaml:7',
    ]);
  });

  it('YAML errors, duplicate keys, aliases, the wrong shapes', () => {
    assert.match(errors('assets:\n  - name: a\n    name: b\n')[0]!, /^inv\.yaml:3:5: Map keys must be unique/);
    assert.match(errors('assets: [\n')[0]!, /^inv\.yaml:\d+:\d+: /);
    assert.deepEqual(errors('- a\n- b\n'), ['inv.yaml:1:1: an inventory is a mapping with one key, assets: (a list of assets)']);
    assert.deepEqual(errors('assets: {a: 1}\n'), ['inv.yaml:1:9: assets: must be a list']);
    assert.deepEqual(errors('assets:\n  - just a string\n'), ['inv.yaml:2:5: each asset is a mapping: { name, type, product, version, exposure, owner, criticality }']);
    const alias = errors('x: &v "1.0"\nassets:\n  - {name: a, type: npm, product: p, version: *v}\n');
    assert.deepEqual(alias, ['inv.yaml:1:1: unknown key "x": an inventory has only assets:', 'inv.yaml:3:47: version must be a single value, not an alias: write the value itself']);
  });

  it('a billion-laughs file costs nothing: aliases are never expanded', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    lines.push('assets: []');
    const r = parseInventoryYaml(lines.join('\n'), 'bomb.yaml');
    assert.ok(!r.ok);
    assert.equal(r.errors.length, 12, 'one unknown key per line, nothing expanded');
  });

  it('YAML nested deeper than the parser can take is refused before it parses (a million brackets, deep indentation)', () => {
    const r = parseInventoryYaml(`assets: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`, 'deep.yaml');
    assert.deepEqual(r, { ok: false, errors: [{ where: 'deep.yaml:1:73', message: 'not read: collections nested deeper than 64 levels' }] });
    const lines = ['assets:'];
    for (let i = 1; i <= 300; i++) lines.push(`${' '.repeat(i)}- `);
    assert.deepEqual(parseInventoryYaml(lines.join('\n'), 'indent.yaml'), { ok: false, errors: [{ where: 'indent.yaml:258:257', message: 'not read: a line indented more than 256 columns' }] });
    // Brackets in quotes and comments are text, not nesting.
    const quoted = parseInventoryYaml(`assets: # ${'['.repeat(100)}\n  - {name: "${'['.repeat(100)}", type: npm, product: p, version: "1"}\n`, 'q.yaml');
    assert.ok(quoted.ok, JSON.stringify(quoted));
  });

  it('control characters, over-long values and oversized files are refused', () => {
    assert.match(errors('assets:\n  - {name: "a\\u001b[31m", type: npm, product: p, version: "1"}\n')[0]!, /name holds a control character/);
    assert.match(errors(`assets:\n  - {name: a, type: npm, product: p, version: "${'1'.repeat(200)}"}\n`)[0]!, /version is longer than 128 characters/);
    const big = parseInventoryYaml('#'.repeat(MAX_INVENTORY_BYTES + 1), 'big.yaml');
    assert.deepEqual(big, { ok: false, errors: [{ where: 'big.yaml:1:1', message: `the file is larger than ${MAX_INVENTORY_BYTES} bytes` }] });
  });

  it('loadInventoryFile throws MAMORI_ERR_VULN_INVENTORY listing every problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-vuln-inv-'));
    const f = join(dir, 'inv.yaml');
    writeFileSync(f, 'assets:\n  - name: a\n    color: red\n');
    assert.throws(
      () => loadInventoryFile(f),
      (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY') && e.message.includes(`${f}:3:5: unknown key "color"`) && e.message.includes(`${f}:2:5: type`),
    );
    assert.throws(() => loadInventoryFile(join(dir, 'none.yaml')), (e) => isMamoriError(e, 'MAMORI_ERR_VULN_INVENTORY'));
    writeFileSync(f, GOOD);
    assert.equal(loadInventoryFile(f).length, 3);
  });

  it('checkAsset names each bad field', () => {
    const r = checkAsset({ name: '', type: 'npm', product: 'x', version: 1 });
    assert.deepEqual(r.problems, [
      { field: 'name', message: 'name is empty' },
      { field: 'version', message: 'version must be text, not number' },
    ]);
  });
});
