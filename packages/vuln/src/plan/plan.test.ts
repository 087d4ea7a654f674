import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from 'mamori';
import type { Asset, Finding } from '../model.js';
import { asset, finding } from './fixtures.case.js';
import { percentileWords, pickCvss, prioritise } from './priority.js';
import { DEFAULT_DEADLINES, buildPlan, parseDeadlines } from './plan.js';
import { parseFindings } from './findings-input.js';

const DAY = 86_400_000;
const NOW = Date.parse('2024-01-15T09:00:00Z');

const cvss = (baseScore: number, version = '3.1') => ({ version, baseScore, vector: `CVSS:${version}/AV:N` });

describe('priorities', () => {
  it("the brief's example, word for word", () => {
    const a = prioritise(
      finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev: { dateAdded: '2024-01-10', dueDate: '2024-01-31' }, epss: { probability: 0.97, percentile: 0.999 } }),
      asset('vpn'),
    );
    assert.equal(a.explanation, 'P1: in CISA KEV since 2024-01-10, due 2024-01-31; internet-facing; EPSS 0.97 (99.9th percentile)');
  });

  it('the rule, case by case (a table of 16)', () => {
    const kev = { dateAdded: '2024-01-10', dueDate: '2024-01-31' };
    const cases: [string, Partial<Finding>, Partial<Asset> | undefined, string][] = [
      ['KEV, internet', { kev }, {}, 'P1'],
      ['KEV, internal', { kev }, { exposure: 'internal' }, 'P2'],
      ['KEV, internal, critical asset', { kev }, { exposure: 'internal', criticality: 'critical' }, 'P1'],
      ['KEV, internet, low asset: never lowered', { kev }, { criticality: 'low' }, 'P1'],
      ['KEV, internal, low asset: never lowered', { kev }, { exposure: 'internal', criticality: 'low' }, 'P2'],
      ['EPSS 0.1, internet', { epss: { probability: 0.1, percentile: 0.95 } }, {}, 'P2'],
      ['EPSS 0.09, internet, CVSS 5', { epss: { probability: 0.09, percentile: 0.9 }, cvss: [cvss(5)] }, {}, 'P4'],
      ['EPSS 0.5, internal', { epss: { probability: 0.5, percentile: 0.99 } }, { exposure: 'internal' }, 'P3'],
      ['CVSS 9.8, internet', { cvss: [cvss(9.8)] }, {}, 'P2'],
      ['CVSS 9.8, internet, critical', { cvss: [cvss(9.8)] }, { criticality: 'critical' }, 'P1'],
      ['CVSS 9.8, internal', { cvss: [cvss(9.8)] }, { exposure: 'internal' }, 'P3'],
      ['CVSS 7.5', { cvss: [cvss(7.5)] }, { exposure: 'internal' }, 'P3'],
      ['CVSS 7.5, low', { cvss: [cvss(7.5)] }, { criticality: 'low' }, 'P4'],
      ['CVSS 4.0 9.3 over 3.1 6.1', { cvss: [cvss(6.1), cvss(9.3, '4.0')] }, {}, 'P2'],
      ['CVSS 2.0 10 only', { cvss: [cvss(10, '2.0')] }, {}, 'P2'],
      ['nothing known', {}, {}, 'P4'],
    ];
    for (const [what, f, a, want] of cases) {
      const got = prioritise(finding({ asset: 'x', cve: 'CVE-2024-0001', ...f }), a ? asset('x', a) : undefined);
      assert.equal(got.priority, want, `${what}: ${got.explanation}`);
      assert.match(got.explanation, new RegExp(`^${want}: \\S`), what);
    }
    assert.equal(cases.length, 16);
  });

  it('explanations say why in words: criticality moves, unknown status, missing scores, assets not in the inventory', () => {
    assert.equal(prioritise(finding({ asset: 'x', cve: 'CVE-1-1'.replace('1-1', '2024-1'), cvss: [cvss(9.8)] }), asset('x', { criticality: 'critical' })).explanation, 'P1: internet-facing; CVSS 3.1 9.8; critical asset: one level up from P2');
    assert.equal(prioritise(finding({ asset: 'x', cve: 'CVE-2024-1', cvss: [cvss(7.5)] }), asset('x', { criticality: 'low', exposure: 'internal' })).explanation, 'P4: internal; CVSS 3.1 7.5; low-criticality asset: one level down from P3');
    assert.equal(prioritise(finding({ asset: 'x', cve: 'CVE-2024-1' }), asset('x', { criticality: 'high' })).explanation, 'P4: internet-facing; no KEV entry, IPA alert, EPSS or CVSS score known; high-criticality asset');
    assert.equal(
      prioritise(finding({ asset: 'x', cve: 'CVE-2024-1', status: 'unknown', reason: 'the version 7.2.x is not in a grammar', kev: { dateAdded: '2023-06-13', dueDate: '2023-07-04', ransomware: true } }), undefined).explanation,
      'P1: unconfirmed (matching could not decide: the version 7.2.x is not in a grammar); in CISA KEV since 2023-06-13, due 2023-07-04, used in ransomware campaigns; not in the inventory, so taken as internet-facing and of medium criticality',
    );
    assert.equal(pickCvss([cvss(9.8), cvss(9.3, '4.0'), cvss(7.5, '2.0'), cvss(11)]).shown, 'CVSS 4.0 9.3, 3.1 9.8');
    assert.equal(pickCvss([cvss(Number.NaN)]).used, undefined);
    assert.deepEqual([0.999, 0.5, 0.01, 0.02, 0.03, 0.11, 0.12, 0.13, 0.21, 1, 0.8765].map(percentileWords), ['99.9th', '50th', '1st', '2nd', '3rd', '11th', '12th', '13th', '21st', '100th', '87.7th']);
  });
});

describe('the plan', () => {
  const assets = new Map([
    ['vpn', asset('vpn', { owner: 'netops', criticality: 'critical' })],
    ['blog', asset('blog', { type: 'wordpress-plugin', owner: 'web' })],
    ['build', asset('build', { type: 'npm', exposure: 'internal', owner: 'dev' })],
  ]);
  const inputs = [
    { finding: finding({ asset: 'build', cve: 'CVE-2021-23337', cvss: [cvss(7.2)] }), firstSeen: NOW - 10 * DAY },
    { finding: finding({ asset: 'vpn', cve: 'CVE-2023-46805', kev: { dateAdded: '2024-01-10', dueDate: '2024-01-31' }, epss: { probability: 0.96, percentile: 0.995 } }), firstSeen: NOW },
    { finding: finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev: { dateAdded: '2024-01-10', dueDate: '2024-01-20' }, epss: { probability: 0.97, percentile: 0.999 } }), firstSeen: NOW },
    { finding: finding({ asset: 'blog', cve: 'CVE-2020-25213', cvss: [cvss(9.8)] }), firstSeen: NOW - 40 * DAY },
    { finding: finding({ asset: 'blog', cve: 'CVE-2020-25213', status: 'unknown', cvss: [cvss(9.8)] }) },
    { finding: finding({ asset: 'blog', cve: 'CVE-2099-0001', status: 'not_affected' }) },
    { finding: finding({ asset: 'ghost', cve: 'CVE-2024-9999', epss: { probability: 0.2, percentile: 0.97 } }), firstSeen: NOW },
  ];

  it('order, due dates (deadline from first seen, or the KEV date when earlier), owners; not_affected left out, duplicates once', () => {
    const plan = buildPlan(inputs, assets, { now: NOW });
    assert.deepEqual(
      plan.items.map((i) => [i.priority, i.asset, i.cve, i.due, i.dueBy, i.overdue, i.owner]),
      [
        ['P1', 'vpn', 'CVE-2024-21887', '2024-01-20', 'kev', false, 'netops'],
        ['P1', 'vpn', 'CVE-2023-46805', '2024-01-22', 'deadline', false, 'netops'],
        ['P2', 'blog', 'CVE-2020-25213', '2024-01-05', 'deadline', true, 'web'],
        ['P2', 'ghost', 'CVE-2024-9999', '2024-02-14', 'deadline', false, 'unassigned'],
        ['P3', 'build', 'CVE-2021-23337', '2024-04-04', 'deadline', false, 'dev'],
      ],
    );
    assert.equal(plan.items[2]!.status, 'affected', 'affected wins over unknown');
    assert.deepEqual(plan.counts, { P1: 2, P2: 2, P3: 1, P4: 0 });
    assert.deepEqual(
      plan.byAsset.map((a) => [a.asset, a.priority, a.due, a.cves.join(' ')]),
      [
        ['vpn', 'P1', '2024-01-20', 'CVE-2024-21887 CVE-2023-46805'],
        ['blog', 'P2', '2024-01-05', 'CVE-2020-25213'],
        ['ghost', 'P2', '2024-02-14', 'CVE-2024-9999'],
        ['build', 'P3', '2024-04-04', 'CVE-2021-23337'],
      ],
    );
    assert.equal(plan.items.find((i) => i.asset === 'ghost')!.inInventory, false);
  });

  it('deadlines are configurable; nonsense is refused', () => {
    const d = parseDeadlines('P1=2d, P2=14d');
    assert.deepEqual(d, { ...DEFAULT_DEADLINES, P1: 2 * DAY, P2: 14 * DAY });
    const plan = buildPlan(inputs, assets, { now: NOW, deadlines: d });
    assert.deepEqual(plan.items.slice(0, 2).map((i) => [i.cve, i.due, i.dueBy]), [['CVE-2024-21887', '2024-01-17', 'deadline'], ['CVE-2023-46805', '2024-01-17', 'deadline']]);
    for (const bad of ['P5=1d', 'P1', 'P1=soon', 'P1=0d', 'P2=1d', 'P1=5000d']) assert.throws(() => parseDeadlines(bad), (e) => isMamoriError(e), bad);
  });
});

describe('findings input', () => {
  const line = (f: object) => JSON.stringify(f);
  const good = finding({ asset: 'vpn', cve: 'CVE-2024-21887', kev: { dateAdded: '2024-01-10', dueDate: '2024-01-31' }, cvss: [cvss(9.1)], epss: { probability: 0.97, percentile: 0.999, date: '2024-01-14' } });

  it('JSON lines and a JSON array; unknown fields dropped, matching\'s evidence kept', () => {
    assert.deepEqual(parseFindings(`${line({ ...good, extra: 'x' })}\n\n${line(good)}\n`, 'f.jsonl'), [good, good]);
    const evidence = [{ status: 'affected', reason: '22.7R2.3 < 22.7R2.5', source: { feed: 'nvd', id: 'CVE-2024-21887', path: 'configurations[0].nodes[0].cpeMatch[3]' } }];
    assert.deepEqual(parseFindings(line({ ...good, evidence }), 'f'), [{ ...good, evidence }]);
    assert.throws(() => parseFindings(line({ ...good, evidence: [{ status: 'x', reason: 'r', source: { feed: 'nvd', id: 'a' } }] }), 'f'), /^.*f:1: evidence\[0\]\.status must be/);
    assert.deepEqual(parseFindings(JSON.stringify([good]), 'f.json'), [good]);
    assert.deepEqual(parseFindings(JSON.stringify({ generatedAt: '2024-01-15', findings: [good, good] }, null, 2), 'f.json'), [good, good]);
    assert.deepEqual(parseFindings(JSON.stringify(good, null, 2), 'f.json'), [good]);
    assert.throws(() => parseFindings('{\n"a": 1}', 'f.json'), /not a list of findings/);
  });

  it('each bad line is an error naming it', () => {
    const cases: [string, RegExp][] = [
      ['{"asset":', /^f: not valid JSON/],
      [`${line(good)}\n{"asset":`, /^f:2: not valid JSON/],
      [line({ ...good, cve: 'CVE 2024' }), /^f:1: cve "CVE 2024" is not a CVE id/],
      [line({ ...good, status: 'maybe' }), /^f:1: status must be one of affected, not_affected, unknown/],
      [line({ ...good, epss: { probability: 2, percentile: 0.5 } }), /^f:1: probability must be a number from 0 to 1/],
      [line({ ...good, cvss: [{ version: '3.1', baseScore: 'high', vector: 'x' }] }), /^f:1: baseScore must be a number from 0 to 10/],
      [line({ ...good, kev: { dateAdded: 'yesterday', dueDate: '2024-01-31' } }), /^f:1: dateAdded must be a date/],
      [line({ ...good, asset: 'a\u001b[2J' }), /^f:1: asset holds a control character/],
      [line({ ...good, reason: 'fine\n1. forged: line' }), /^f:1: reason holds a control character/],
      [`\n${line({ ...good, reason: 'x'.repeat(5000) })}`, /^f:2: reason is longer than 4000 characters/],
      [`${'['.repeat(50)}${']'.repeat(50)}`, /^f: nested deeper than 16 levels/],
      [line([1]), /^f: finding 1: a finding is a JSON object/],
    ];
    for (const [text, re] of cases) {
      assert.throws(
        () => parseFindings(text, 'f'),
        (e) => isMamoriError(e, 'MAMORI_ERR_VULN_FINDINGS') && re.test(e.message),
        `${text.slice(0, 60)} → ${re}`,
      );
    }
    assert.equal(cases.length, 12);
  });
});
