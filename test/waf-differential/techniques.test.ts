/**
 * Each published parsing-differential technique (techniques.ts, catalogued in
 * docs/waf-parsing-differentials.md) against CRS blocking with mamori's refusals: the attack
 * is detected or flagged as the catalogue says, its control passes, and where the body is
 * PHP's to read, every value PHP reads was inspected by the WAF (or the request was flagged).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRawRequest } from 'mamori/waf';
import { FORM, missing, phpMissing, phpReads, request, run, unseenByWaf } from './harness.js';
import { TECHNIQUES, UE01 } from './techniques.js';

/** The Content-Type, query and body of a raw request, as PHP would be given them. */
function cgiParts(raw: string): { ct: string | undefined; query: string; body: string } {
  const r = parseRawRequest(raw).request!;
  const ct = r.headers.filter(([n]) => n.toLowerCase() === 'content-type').map(([, v]) => v);
  const q = r.uri.indexOf('?');
  // Of two Content-Type headers, a server hands PHP one: the last (nginx's $content_type keeps the first, Apache joins them); the test takes the last, where the other reading would hide the body.
  return { ct: ct.at(-1), query: q < 0 ? '' : r.uri.slice(q + 1).replace(/#.*$/, ''), body: r.body?.toString('latin1') ?? '' };
}

describe('WAF parsing differentials: every technique detected or flagged, every control through', { skip: missing }, () => {
  it('the catalogue lists every technique the tests run, and no other', () => {
    const doc = readFileSync(new URL('../../../docs/waf-parsing-differentials.md', import.meta.url), 'utf8');
    const inDoc = new Set([...doc.matchAll(/^\| (\w\w-\d\d) \|/gm)].map((m) => m[1]!));
    const inTests = new Set(TECHNIQUES.map((t) => t.id));
    assert.equal(inTests.size, TECHNIQUES.length, 'technique ids are unique');
    assert.deepEqual([...inDoc].filter((id) => !inTests.has(id)), [], 'in the catalogue, not tested');
    assert.deepEqual([...inTests].filter((id) => !inDoc.has(id)), [], 'tested, not in the catalogue');
    assert.equal(TECHNIQUES.length, 83, 'the count docs/waf.md and the catalogue give');
  });

  for (const t of TECHNIQUES) {
    it(`${t.id} ${t.name}: ${t.expect} at paranoia level ${t.paranoia ?? 1}`, () => {
      const attack = run(t.attack, t.paranoia ?? 1);
      assert.equal(attack.verdict, t.expect, `attack: rule ${attack.ruleId}, flags ${attack.flags.join('; ') || '(none)'}`);
      const control = run(t.control, t.paranoia ?? 1);
      assert.equal(control.verdict, 'passed', `control: rule ${control.ruleId} ${control.tx?.matched.filter((m) => m.logged).map((m) => m.id).join(',')}, flags ${control.flags.join('; ') || '(none)'}`);
      assert.deepEqual(control.flags, [], 'the control raises no flag');
    });
  }

  it('UE-01 at paranoia level 1 is a known gap: each value of a repeated parameter is inspected, their join (ASP.NET) is not', () => {
    for (const pl of [1]) assert.equal(run(request({ headers: { 'Content-Type': FORM }, body: UE01 }), pl).verdict, 'passed', `paranoia level ${pl}: if this is refused now, update docs/waf-parsing-differentials.md`);
    assert.equal(run(request({ headers: { 'Content-Type': FORM }, body: `q=${encodeURIComponent('1 union,select pass from users')}` }), 1).verdict, 'detected', 'the joined value is detected');
  });

  it('PHP reads nothing the WAF did not inspect, for every technique (or the WAF flagged it)', { skip: phpMissing }, () => {
    let compared = 0;
    let flagged = 0;
    const problems: string[] = [];
    for (const t of TECHNIQUES.filter((x) => x.php)) {
      for (const [which, raw] of [['attack', t.attack], ['control', t.control]] as const) {
        const waf = run(raw, t.paranoia ?? 1);
        const { ct, query, body } = cgiParts(raw);
        const php = phpReads(ct, body, query);
        compared++;
        if (waf.flags.length > 0) {
          flagged++;
          continue;
        }
        for (const u of unseenByWaf(php, waf)) problems.push(`${t.id} ${which}: ${u}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.equal(compared, TECHNIQUES.filter((x) => x.php).length * 2);
    console.log(`# PHP differential: ${compared} requests, ${flagged} flagged by mamori, the rest inspected as PHP reads them`);
  });
});
