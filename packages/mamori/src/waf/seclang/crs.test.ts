// The parser against the OWASP Core Rule Set itself. CRS is not part of the
// repository; testing/shared-data.ts says where it is found.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSecLangFiles, parseSecLang } from './parser.js';
import { printDirective, printRule } from './printer.js';
import { countUsage, supportMatrix } from './support.js';
import type { Rule, SecLangConfig } from './ast.js';
import { sharedData } from '../../testing/shared-data.js';
import { lookupAction, lookupCtl, lookupDirective, lookupOperator, lookupTransformation, lookupVariable } from './registry.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../../../..');
const docPath = join(repoRoot, 'docs/seclang-support.md');
// MAMORI_CRS_DIR, else $MAMORI_SHARED_DATA/crs, else ../shared/data/crs beside the clone;
// skipped with the reason printed when absent (a failure in CI instead).
const shared = sharedData('crs', 'MAMORI_CRS_DIR');
const CRS_DIR = shared.dir;
const skip = shared.missing ?? (existsSync(join(CRS_DIR, 'rules')) ? false : `${CRS_DIR} has no rules/`);

/** crs-setup.conf.example, then rules/*.conf in name order: the order a server includes them. */
function crsFiles(): string[] {
  const rules = readdirSync(join(CRS_DIR, 'rules'))
    .filter((f) => f.endsWith('.conf'))
    .sort()
    .map((f) => join(CRS_DIR, 'rules', f));
  return [join(CRS_DIR, 'crs-setup.conf.example'), ...rules];
}

let cached: SecLangConfig | undefined;
function crs(): SecLangConfig {
  if (cached) return cached;
  const r = loadSecLangFiles(crsFiles());
  if (!r.ok) assert.fail(r.errors.slice(0, 20).map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  cached = r.config;
  return cached;
}

/** Non-comment logical lines of a file, joined the simple way (backslash-newline removed): an independent view for cross-checks. */
function logicalLines(file: string): string[] {
  return readFileSync(file, 'latin1')
    .replace(/\\[ \t]*\r?\n/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

function allRules(c: SecLangConfig): Rule[] {
  return c.rules.flatMap((r) => [r, ...r.chain]);
}

function ruleById(c: SecLangConfig, id: number): Rule {
  const r = c.rules.find((x) => x.id === id);
  assert.ok(r, `rule ${id} present`);
  return r;
}

/** The AST without locations and raw text, for comparing a parse with the parse of its printout. */
function shape(r: Rule): unknown {
  return JSON.parse(
    JSON.stringify(r, (k, v) => (k === 'file' || k === 'line' || k === 'raw' ? undefined : v)),
  );
}

describe('SecLang parser on CRS', { skip }, () => {
  it('parses crs-setup.conf.example and every rules/*.conf with zero errors', () => {
    const c = crs();
    const links = c.rules.reduce((n, r) => n + r.chain.length, 0);
    const secRules = c.rules.filter((r) => r.directive === 'SecRule').length;
    const secActions = c.rules.filter((r) => r.directive === 'SecAction').length;
    console.log(
      `# CRS: ${c.files.length} files, ${c.directives.length} top-level directives, ${secRules} SecRule chain starters or single rules, ` +
        `${secActions} SecAction, ${links} chained rules, ${c.markers.length} SecMarker`,
    );
    // Cross-check with a plain count of directive lines.
    let grepRules = 0;
    let grepActions = 0;
    let grepMarkers = 0;
    for (const f of crsFiles()) {
      for (const l of logicalLines(f)) {
        if (/^\s*SecRule\s/.test(l)) grepRules++;
        if (/^\s*SecAction\s/.test(l)) grepActions++;
        if (/^\s*SecMarker\s/.test(l)) grepMarkers++;
      }
    }
    assert.equal(secRules + links, grepRules);
    assert.equal(secActions, grepActions);
    assert.equal(c.markers.length, grepMarkers);
    const sig = c.directives.find((d) => d.kind === 'setting' && d.name === 'SecComponentSignature');
    if (sig && sig.kind === 'setting' && sig.args[0] === 'OWASP_CRS/4.28.0') {
      assert.equal(secRules, 622);
      assert.equal(secActions, 8);
      assert.equal(links, 73);
      assert.equal(c.markers.length, 30);
    }
  });

  it('has every rule id that a grep for id:NNN finds, each once', () => {
    const c = crs();
    const grepIds = new Set<number>();
    for (const f of crsFiles()) for (const l of logicalLines(f)) for (const m of l.matchAll(/\bid:'?(\d+)/g)) grepIds.add(Number(m[1]));
    const ids = c.rules.map((r) => r.id!);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    for (const id of grepIds) assert.ok(ids.includes(id), `rule ${id} parsed`);
    assert.equal(ids.length, grepIds.size);
    console.log(`# CRS: ${grepIds.size} rule ids, all parsed`);
  });

  it('prints every rule back to text that parses to the same tree', () => {
    const c = crs();
    for (const r of c.rules) {
      const text = printRule(r);
      const again = parseSecLang(text, r.file, { checkDataFiles: false });
      if (!again.ok) assert.fail(`rule ${r.id}: ${again.errors.map((e) => e.message).join('; ')}\n${text}`);
      assert.deepEqual(shape(again.config.rules[0]!), shape(r), `rule ${r.id} round trip`);
    }
  });

  it('prints the whole configuration back to one text that parses to the same directives', () => {
    const c = crs();
    const text = c.directives.map(printDirective).join('\n');
    const again = parseSecLang(text, join(CRS_DIR, 'rules', 'printed.conf'));
    if (!again.ok) assert.fail(again.errors.slice(0, 5).map((e) => `${e.line}: ${e.message}`).join('\n'));
    const strip = (d: unknown) => JSON.parse(JSON.stringify(d, (k, v) => (k === 'file' || k === 'line' || k === 'raw' ? undefined : v)));
    assert.equal(again.config.directives.length, c.directives.length);
    assert.deepEqual(again.config.directives.map(strip), c.directives.map(strip));
    // Quotes inside quoted values come back escaped the way ModSecurity reads them.
    assert.match(printRule(ruleById(c, 955220)), /msg:'lama\\'s\\'hell web shell'/);
    assert.match(printRule(ruleById(c, 941340)), /^SecRule "REQUEST_COOKIES\|REQUEST_COOKIES_NAMES\|ARGS_NAMES\|ARGS\|REQUEST_FILENAME\|XML:\/\*\|XML:\/\/@\*" "@rx \(\?i\)\[\\"\\'\]/);
  });

  it('reads 20 hard CRS rules exactly', () => {
    const c = crs();
    const setvars = (r: Rule) => r.actions.filter((a) => a.setvar).map((a) => a.value);

    // 1. A count target and a long single-quoted msg.
    const r901001 = ruleById(c, 901001);
    assert.deepEqual(r901001.variables, [{ name: 'TX', selector: { kind: 'key', value: 'crs_setup_version' }, exclude: false, count: true }]);
    assert.equal(r901001.operator!.name, 'eq');
    assert.equal(r901001.operator!.argument.raw, '0');
    assert.ok(r901001.msg!.raw.startsWith('CRS is deployed without configuration! Please copy'));
    // 2. Two macros side by side in a setvar value, upper-case collection name.
    const r901410 = ruleById(c, 901410);
    assert.deepEqual(r901410.transformations, ['sha1', 'hexEncode']);
    const sv = r901410.actions.find((a) => a.name === 'setvar')!.setvar!;
    assert.equal(sv.collection, 'TX');
    assert.equal(sv.name.raw, 'sampling_rnd100');
    assert.deepEqual(sv.value!.parts.map((p) => (p.kind === 'macro' ? `${p.variable}.${p.key}` : p.text)), ['TX.1', 'TX.2']);
    // 3. ctl:ruleRemoveByTag.
    const r901450 = ruleById(c, 901450);
    assert.ok(r901450.actions.some((a) => a.ctl?.option === 'ruleRemoveByTag' && a.ctl.value === 'OWASP_CRS'));
    // 4. A chain whose link reads a regex selector and an @within with a macro; a setvar whose name holds a macro.
    const r920450 = ruleById(c, 920450);
    assert.equal(r920450.chain.length, 1);
    assert.ok(setvars(r920450).includes('tx.header_name_920450_%{tx.0}=/%{tx.0}/'));
    const link = r920450.chain[0]!;
    assert.deepEqual(link.variables, [{ name: 'TX', selector: { kind: 'regex', pattern: '^header_name_920450_' }, exclude: false, count: false }]);
    assert.equal(link.operator!.name, 'within');
    assert.deepEqual(link.operator!.argument.parts, [{ kind: 'macro', variable: 'TX', key: 'restricted_headers_basic', raw: '%{tx.restricted_headers_basic}' }]);
    assert.equal(link.phase, r920450.phase);
    assert.equal(link.chainParentId, 920450);
    assert.deepEqual(setvars(link), ['tx.inbound_anomaly_score_pl1=+%{tx.critical_anomaly_score}']);
    assert.equal(link.actions[0]!.setvar!.op, 'add');
    // 5. XPath selectors next to ordinary ones.
    const r921110 = ruleById(c, 921110);
    assert.deepEqual(
      r921110.variables.map((v) => `${v.name}${v.selector ? ':' + (v.selector.kind === 'regex' ? v.selector.pattern : v.selector.value) : ''}`),
      ['ARGS_NAMES', 'ARGS', 'REQUEST_BODY', 'XML:/*', 'XML://@*'],
    );
    assert.equal(r921110.variables[3]!.selector!.kind, 'xpath');
    // 6. An operator with escaped pipes and parentheses, left exactly as written.
    const r921200 = ruleById(c, 921200);
    assert.ok(r921200.operator!.argument.raw.startsWith('^[^!&\\(\\):<>\\|~]*\\)'));
    // 7. A regex selector with \x escapes.
    assert.deepEqual(ruleById(c, 921250).variables[0]!.selector, { kind: 'regex', pattern: '\\x22?\\x24Version' });
    // 8. A setvar that adds to a variable named by a macro, then a regex selector with .* reading those variables.
    const sv921170 = ruleById(c, 921170).actions.find((a) => a.setvar)!.setvar!;
    assert.equal(sv921170.op, 'add');
    assert.equal(sv921170.value!.raw, '1');
    assert.equal(sv921170.name.raw, 'paramcounter_%{MATCHED_VAR_NAME}');
    const r921180 = ruleById(c, 921180);
    assert.deepEqual(r921180.variables[0]!.selector, { kind: 'regex', pattern: 'paramcounter_.*' });
    assert.equal(r921180.operator!.name, 'gt');
    // 9. \' inside a quoted msg is a quote.
    assert.equal(ruleById(c, 920490).msg!.raw, "Request header x-up-devcap-post-charset detected in combination with prefix 'UP' to User-Agent");
    // 10. Two \' in one msg; the operator has bare quotes inside double quotes.
    const r955220 = ruleById(c, 955220);
    assert.equal(r955220.msg!.raw, "lama's'hell web shell");
    assert.equal(r955220.operator!.argument.raw, "<title>lama's'hell v. [0-9.]+</title>");
    // 11. ctl:ruleRemoveTargetByTag with its target parsed.
    const ctl941010 = ruleById(c, 941010).actions.find((a) => a.ctl)!.ctl!;
    assert.equal(ctl941010.option, 'ruleRemoveTargetByTag');
    assert.deepEqual(ctl941010.targets, [{ name: 'REQUEST_FILENAME', exclude: false, count: false }]);
    // 12. A macro in a setvar name and a literal dot before a macro in the value.
    const sv931130 = ruleById(c, 931130).actions.find((a) => a.setvar?.name.hasMacros)!.setvar!;
    assert.deepEqual(sv931130.name.parts, [{ kind: 'text', text: 'rfi_parameter_' }, { kind: 'macro', variable: 'MATCHED_VAR_NAME', raw: '%{MATCHED_VAR_NAME}' }]);
    assert.deepEqual(sv931130.value!.parts[0], { kind: 'text', text: '.' });
    // 13. A setvar name built from a macro in a multipart rule.
    assert.ok(setvars(ruleById(c, 922150)).some((v) => v === 'tx.multipart_headers_content_types_%{tx.multipart_headers_content_counter}=%{tx.1}'));
    // 14. ctl:ruleRemoveById with its id parsed.
    const ctl920539 = ruleById(c, 920539).actions.find((a) => a.ctl)!.ctl!;
    assert.deepEqual(ctl920539.ids, [{ from: 920540, to: 920540 }]);
    // 15. A three-rule chain: ctl actions on the last link.
    const r905110 = ruleById(c, 905110);
    assert.equal(r905110.chain.length, 2);
    assert.equal(r905110.chain[0]!.chained, true);
    assert.equal(r905110.chain[1]!.chained, false);
    assert.deepEqual(r905110.chain[1]!.actions.filter((a) => a.ctl).map((a) => a.ctl!.option), ['ruleRemoveByTag', 'auditEngine']);
    assert.equal(r905110.chain[0]!.operator!.argument.raw, '(internal dummy connection)');
    // 16. A negated operator in a chain link, with \' kept (httpd only unescapes \" and \\ inside double quotes).
    const r932240 = ruleById(c, 932240);
    const neg = r932240.chain.find((l) => l.operator?.negated)!;
    assert.equal(neg.operator!.name, 'rx');
    assert.equal(neg.operator!.argument.raw, "[0-9]\\s*\\'\\s*[0-9]");
    // 17. \" inside a double-quoted operator becomes a plain quote; \' stays.
    assert.ok(ruleById(c, 941340).operator!.argument.raw.startsWith('(?i)["\\\'][ ]*(?:[^a-z0-9~_:\\\' ]|in)'));
    // 18. @validateByteRange with a list of ranges.
    const vbr = c.rules.find((r) => r.operator?.name === 'validateByteRange' && r.operator.argument.raw === '9,10,13,32-126,128-255');
    assert.ok(vbr, 'the 9,10,13,32-126,128-255 byte range rule');
    // 19. @pmFromFile resolved next to the rule file.
    const r913100 = ruleById(c, 913100);
    assert.equal(r913100.operator!.name, 'pmFromFile');
    assert.deepEqual(r913100.operator!.files, [join(CRS_DIR, 'rules', 'scanners-user-agents.data')]);
    assert.deepEqual(r913100.variables[0]!.selector, { kind: 'key', value: 'User-Agent' });
    // 20. Phase names, skipAfter to markers, and SecAction.
    const skips = c.rules.filter((r) => r.actions.some((a) => a.name === 'skipAfter'));
    assert.ok(skips.length > 0);
    const markers = new Set(c.markers.map((m) => m.name));
    for (const r of skips) for (const a of r.actions) if (a.name === 'skipAfter') assert.ok(markers.has(a.value!), `skipAfter:${a.value} names a marker`);
    assert.ok(c.rules.some((r) => r.directive === 'SecAction' && r.variables.length === 0 && r.operator === undefined));
    // And every rule has a phase from 1 to 5, chain links sharing their starter's.
    for (const r of c.rules) for (const l of r.chain) assert.equal(l.phase, r.phase);
  });

  it('knows every name CRS uses (registry coverage), and counts them', () => {
    // An independent scan of the text, not the parser: the parser would refuse unknown names anyway.
    const found = {
      directives: new Map<string, number>(),
      variables: new Map<string, number>(),
      operators: new Map<string, number>(),
      transformations: new Map<string, number>(),
      actions: new Map<string, number>(),
      ctl: new Map<string, number>(),
      macros: new Map<string, number>(),
    };
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    for (const f of crsFiles()) {
      for (const l of logicalLines(f)) {
        const dir = /^\s*(\S+)/.exec(l)![1]!;
        bump(found.directives, dir);
        if (dir === 'SecRule') {
          const targets = /^\s*SecRule\s+(\S+)/.exec(l)![1]!;
          for (const t of targets.split('|')) {
            const m = /^[!&]?([A-Za-z_0-9]+)/.exec(t);
            if (m && /^[A-Z]/.test(m[1]!)) bump(found.variables, m[1]!);
          }
        }
        for (const m of l.matchAll(/"!?@([A-Za-z0-9]+)/g)) bump(found.operators, m[1]!);
        for (const m of l.matchAll(/[",\s]t:([A-Za-z0-9]+)/g)) bump(found.transformations, m[1]!);
        for (const m of l.matchAll(/ctl:([A-Za-z]+)=/g)) bump(found.ctl, m[1]!);
        for (const m of l.matchAll(/%\{([A-Za-z_]+)/g)) bump(found.macros, m[1]!.toUpperCase());
        if (dir === 'SecRule' || dir === 'SecAction' || dir === 'SecDefaultAction') {
          // The action list is the last double-quoted argument; names follow its start or a comma.
          const q = l.lastIndexOf('"', l.lastIndexOf('"') - 1);
          const list = l.slice(q + 1, l.lastIndexOf('"'));
          for (const m of list.matchAll(/(?:^|,)\s*([A-Za-z]+)(?=[:,]|\s*$)/g)) bump(found.actions, m[1]!);
        }
      }
    }
    const check = (kind: string, m: Map<string, number>, has: (n: string) => boolean) => {
      const missing = [...m.keys()].filter((n) => !has(n));
      assert.deepEqual(missing, [], `${kind} used by CRS but not in the registry`);
    };
    check('directives', found.directives, (n) => !!lookupDirective(n));
    check('variables', found.variables, (n) => !!lookupVariable(n));
    check('operators', found.operators, (n) => !!lookupOperator(n));
    check('transformations', found.transformations, (n) => !!lookupTransformation(n));
    check('actions', found.actions, (n) => !!lookupAction(n));
    check('ctl options', found.ctl, (n) => !!lookupCtl(n));
    check('macro variables', found.macros, (n) => !!lookupVariable(n));

    // The parser's own count must name the same sets.
    const u = countUsage(crs());
    const names = (m: Map<string, number>) => [...m.keys()].sort();
    assert.deepEqual(names(u.operators), names(found.operators).map((n) => lookupOperator(n)!.name).sort());
    assert.deepEqual(names(u.transformations), [...new Set(names(found.transformations).map((n) => lookupTransformation(n)!.name))].sort());
    assert.deepEqual(names(u.ctl), names(found.ctl));
    assert.deepEqual(names(u.actions), names(found.actions).map((n) => lookupAction(n)!.name).sort());
    const line = (kind: string, m: Map<string, number>) =>
      `# CRS uses ${m.size} ${kind}: ${[...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => `${k}=${v}`).join(' ')}`;
    console.log(line('directives', u.directives));
    console.log(line('variables', u.variables));
    console.log(line('macro variables', u.macros));
    console.log(line('operators', u.operators));
    console.log(line('transformations', u.transformations));
    console.log(line('actions', u.actions));
    console.log(line('ctl options', u.ctl));
  });

  it('parses the SecLang examples CRS gives in its comments (what users copy)', () => {
    const files = [join(CRS_DIR, 'crs-setup.conf.example'), ...readdirSync(join(CRS_DIR, 'rules')).filter((f) => /\.conf(\.example)?$/.test(f)).map((f) => join(CRS_DIR, 'rules', f))];
    const uncomment = (l: string) => l.replace(/^#\s?/, '');
    const continues = (l: string) => l.trimEnd().endsWith('\\');
    let count = 0;
    const refused: string[] = [];
    for (const f of files) {
      const lines = readFileSync(f, 'latin1').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const m = /^#\s?(\S+)\s+(\S)/.exec(lines[i]!);
        // A commented directive, not prose that mentions one ("SecRuleRemoveById -> place in ...").
        if (!m || !m[1]!.startsWith('Sec') || !lookupDirective(m[1]!) || m[2] === '-') continue;
        const start = i + 1;
        const block = [uncomment(lines[i]!)];
        const take = () => {
          while (continues(block[block.length - 1]!) && i + 1 < lines.length && lines[i + 1]!.startsWith('#')) block.push(uncomment(lines[++i]!));
        };
        take();
        // A chained example continues with the next commented SecRule.
        while (/chain["']?\s*$/.test(block[block.length - 1]!) && i + 1 < lines.length && /^#\s*SecRule\s/.test(lines[i + 1]!)) {
          block.push(uncomment(lines[++i]!));
          take();
        }
        count++;
        const r = parseSecLang(block.join('\n'), `${f}:${start}`, { checkDataFiles: false });
        if (!r.ok) refused.push(`${f}:${start}: ${r.errors[0]!.message}\n${block.join('\n')}`);
      }
    }
    assert.deepEqual(refused, []);
    assert.ok(count >= 50, `${count} examples found`);
    console.log(`# CRS: ${count} commented SecLang examples, all parsed`);
  });

  it('docs/seclang-support.md is the support matrix generated with these counts', (t) => {
    const c = crs();
    const sig = c.directives.find((d) => d.kind === 'setting' && d.name === 'SecComponentSignature');
    if (!sig || sig.kind !== 'setting' || sig.args[0] !== 'OWASP_CRS/4.28.0') {
      t.skip('the CRS found is not v4.28.0, which the doc was generated from');
      return;
    }
    const want = supportMatrix({ usage: countUsage(c), usageLabel: 'CRS v4.28.0' }) + '\n';
    assert.equal(readFileSync(docPath, 'utf8'), want, 'regenerate docs/seclang-support.md with supportMatrix');
  });
});
