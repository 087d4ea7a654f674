import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from 'mamori';
import { loadRulePackIndex, rulePackDir, wafAdvice } from './waf.js';
import { buildPlan } from './plan.js';
import { asset, finding } from './fixtures.case.js';

const NOW = Date.parse('2024-01-15T09:00:00Z');

describe('virtual patches from the WAF rule pack', () => {
  const index = loadRulePackIndex();

  it('the index holds every CVE the pack tags or names in a message, and each rule id named exists in the pack with that tag', () => {
    const dir = rulePackDir();
    const text = readdirSync(dir).filter((f) => /^mamori-.*\.conf$/.test(f)).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const tagged = new Set([...text.matchAll(/tag:'cve\/(CVE-\d{4}-\d+)'/g), ...text.matchAll(/msg:'[^'\n]*\b(CVE-\d{4}-\d+)\b[^'\n]*'/g)].map((m) => m[1]!));
    assert.ok(tagged.size >= 10, `${tagged.size} CVEs tagged in the pack`);
    assert.deepEqual(new Set(index.keys()), tagged);
    let rules = 0;
    for (const [cve, list] of index) {
      for (const r of list) {
        rules++;
        // The rule's own text, from its id to the end of its action list, carries the CVE tag.
        const at = text.indexOf(`id:${r.id},`);
        assert.ok(at >= 0, `rule ${r.id} is in the pack`);
        const block = text.slice(at, text.indexOf('"\n', at));
        assert.ok(block.includes(`tag:'cve/${cve}'`) || new RegExp(`msg:'[^']*${cve}`).test(block), `${r.id} carries cve/${cve} or names it`);
        assert.ok(r.paranoia >= 1 && r.paranoia <= 4);
      }
    }
    process.stdout.write(`# rule pack: ${index.size} CVEs, ${rules} rules\n`);
    // The pack's README names these; each has rules.
    for (const cve of ['CVE-2018-13379', 'CVE-2023-27997', 'CVE-2019-11510', 'CVE-2023-46805', 'CVE-2024-21887', 'CVE-2019-19781', 'CVE-2023-3519', 'CVE-2023-4966', 'CVE-2024-3400', 'CVE-2020-25213', 'CVE-2021-44228']) {
      assert.ok(index.get(cve)?.length, `${cve} has rules`);
    }
  });

  it('internet-facing appliance and CMS findings get their rules and the mamori.yaml lines; internal ones and packages do not', () => {
    const assets = new Map([
      ['vpn', asset('vpn', { product: 'Ivanti Connect Secure' })],
      ['blog', asset('blog', { type: 'wordpress-plugin' })],
      ['inside-vpn', asset('inside-vpn', { exposure: 'internal' })],
      ['app', asset('app', { type: 'npm' })],
      ['fw', asset('fw')],
    ]);
    const plan = buildPlan(
      [
        { finding: finding({ asset: 'vpn', cve: 'CVE-2024-21887' }) },
        { finding: finding({ asset: 'vpn', cve: 'CVE-2023-46805' }) },
        { finding: finding({ asset: 'blog', cve: 'CVE-2020-25213' }) },
        { finding: finding({ asset: 'inside-vpn', cve: 'CVE-2019-11510' }) },
        { finding: finding({ asset: 'app', cve: 'CVE-2021-44228' }) },
        { finding: finding({ asset: 'fw', cve: 'CVE-2022-42475' }) },
      ],
      assets,
      { now: NOW },
    );
    const a = wafAdvice(plan.items, index);
    assert.deepEqual(a.patches.map((p) => [p.asset, p.cve]).sort(), [['blog', 'CVE-2020-25213'], ['vpn', 'CVE-2023-46805'], ['vpn', 'CVE-2024-21887']]);
    const expectIds = [...index.get('CVE-2020-25213')!, ...index.get('CVE-2023-46805')!, ...index.get('CVE-2024-21887')!].map((r) => r.id).sort((x, y) => x - y);
    assert.deepEqual(a.ruleIds, expectIds);
    assert.deepEqual(a.uncovered, [{ asset: 'fw', cve: 'CVE-2022-42475' }], "the pack's README says it has no rule for CVE-2022-42475");
    assert.match(a.snippet, /^waf:\n  mode: enforce\n  own_rules: true\n  paranoia: 1\n/m);
    for (const id of a.ruleIds) assert.match(a.snippet, new RegExp(`^#   ${id}  CVE-`, 'm'));
    assert.deepEqual(a.problems, []);
  });

  it("says what in the current config stands in the way", () => {
    const plan = buildPlan([{ finding: finding({ asset: 'vpn', cve: 'CVE-2024-3400' }) }], new Map([['vpn', asset('vpn')]]), { now: NOW });
    const id = index.get('CVE-2024-3400')![0]!.id;
    assert.deepEqual(wafAdvice(plan.items, index, defaultConfig()).problems, ['the WAF is off in your mamori.yaml (no waf: section)']);
    const cfg = defaultConfig({ waf: { mode: 'detect', own_rules: false, exclusions: [{ name: 'gp', paths: ['/global-protect/*'], rules: [`${id}`] }] } });
    assert.deepEqual(wafAdvice(plan.items, index, cfg).problems, [
      'waf.own_rules is false: the rule pack is not loaded',
      'waf.mode is detect: the rules record the attacks but refuse none',
      `waf.exclusions "gp" takes out ${id} on /global-protect/*`,
    ]);
  });
});
