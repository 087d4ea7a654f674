/**
 * Virtual patches: for a finding on an internet-facing appliance or CMS whose CVE mamori's WAF
 * rule pack has rules for (the rules carry `tag:'cve/CVE-…'`), the rule ids and the mamori.yaml
 * lines that switch them on, while the patch waits. The pack is read at run time, so the ids
 * named are the ones the installed pack holds.
 */
import { dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MamoriConfig } from 'mamori';
import { MamoriError } from 'mamori';
import { loadSecLangFiles } from 'mamori/waf';
import type { AssetType } from '../model.js';
import type { PlanItem } from './plan.js';

export interface PackRule {
  readonly id: number;
  readonly msg: string;
  readonly paranoia: number;
  readonly file: string;
  readonly line: number;
}

/** CVE id → the pack's rules tagged with it. */
export type RulePackIndex = ReadonlyMap<string, readonly PackRule[]>;

/** The directory of mamori's rule pack, beside the installed `mamori` package. */
export function rulePackDir(): string {
  // mamori's entry point is <package>/dist/index.js; the pack ships in <package>/rules.
  return join(dirname(fileURLToPath(import.meta.resolve('mamori'))), '..', 'rules');
}

/** Reads the pack's rule files and indexes their rules by the CVE tags they carry. */
export function loadRulePackIndex(dir = rulePackDir()): RulePackIndex {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /^mamori-.*\.conf$/.test(f)).sort().map((f) => join(dir, f));
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_WAF_RULES', `${dir}: mamori's rule pack could not be read: ${(err as Error).message}`, { cause: err });
  }
  const loaded = loadSecLangFiles(files);
  if (!loaded.ok) throw new MamoriError('MAMORI_ERR_WAF_RULES', `mamori's rule pack did not load: ${loaded.errors.slice(0, 3).map((e) => `${e.file}:${e.line}: ${e.message}`).join('; ')}`);
  const index = new Map<string, PackRule[]>();
  for (const r of loaded.config.rules) {
    if (r.id === undefined) continue;
    const level = Number(/^paranoia-level\/(\d)$/.exec(r.tags.find((t) => t.startsWith('paranoia-level/')) ?? '')?.[1] ?? 1);
    // The CVEs a rule is for: its `cve/` tags, and those its message names (the Log4Shell rule
    // is tagged with its CWE and says `CVE-2021-44228` in its message).
    const cves = new Set<string>();
    for (const t of r.tags) {
      const m = /^cve\/(CVE-\d{4}-\d{4,})$/i.exec(t);
      if (m) cves.add(m[1]!.toUpperCase());
    }
    for (const m of (r.msg?.raw ?? '').matchAll(/\bCVE-\d{4}-\d{4,}\b/g)) cves.add(m[0]);
    for (const cve of cves) {
      const list = index.get(cve) ?? [];
      list.push({ id: r.id, msg: r.msg?.raw ?? '', paranoia: level, file: r.file, line: r.line });
      index.set(cve, list);
    }
  }
  return index;
}

/** Asset types a WAF in front of them can shield: web appliances and the CMS. */
const SHIELDABLE: ReadonlySet<AssetType> = new Set(['appliance', 'wordpress', 'wordpress-plugin', 'wordpress-theme']);

export interface VirtualPatch {
  readonly asset: string;
  readonly cve: string;
  readonly priority: PlanItem['priority'];
  readonly rules: readonly PackRule[];
}

export interface WafAdvice {
  readonly patches: readonly VirtualPatch[];
  /** Internet-facing appliance and CMS findings the pack has no rule for. */
  readonly uncovered: readonly { asset: string; cve: string }[];
  /** The mamori.yaml lines; empty when there is nothing to switch on. */
  readonly snippet: string;
  /** The rule ids to have on, sorted. */
  readonly ruleIds: readonly number[];
  /** What in the current config stands in the way (the WAF off, the pack off, a low paranoia level, an exclusion). */
  readonly problems: readonly string[];
}

export function wafAdvice(items: readonly PlanItem[], index: RulePackIndex, config?: MamoriConfig): WafAdvice {
  const patches: VirtualPatch[] = [];
  const uncovered: { asset: string; cve: string }[] = [];
  for (const it of items) {
    if (it.exposure !== 'internet' || (it.type !== undefined && !SHIELDABLE.has(it.type))) continue;
    // Without the inventory the type is unknown: the finding is shown if the pack has rules.
    const rules = index.get(it.cve.toUpperCase());
    if (rules?.length) patches.push({ asset: it.asset, cve: it.cve, priority: it.priority, rules });
    else if (it.type !== undefined) uncovered.push({ asset: it.asset, cve: it.cve });
  }
  const byId = new Map<number, { rule: PackRule; cves: Set<string>; assets: Set<string> }>();
  for (const p of patches) {
    for (const r of p.rules) {
      const e = byId.get(r.id) ?? { rule: r, cves: new Set(), assets: new Set() };
      e.cves.add(p.cve);
      e.assets.add(p.asset);
      byId.set(r.id, e);
    }
  }
  const ruleIds = [...byId.keys()].sort((a, b) => a - b);
  const paranoia = Math.max(1, ...[...byId.values()].map((e) => e.rule.paranoia));
  const problems: string[] = [];
  if (config && ruleIds.length) {
    const w = config.waf;
    if (!w) problems.push('the WAF is off in your mamori.yaml (no waf: section)');
    else {
      if (!w.ownRules) problems.push('waf.own_rules is false: the rule pack is not loaded');
      if (w.paranoia < paranoia) problems.push(`waf.paranoia is ${w.paranoia}: some of these rules run from level ${paranoia}`);
      if (w.mode === 'detect') problems.push('waf.mode is detect: the rules record the attacks but refuse none');
      for (const ex of w.exclusions) {
        const hit = ruleIds.filter((id) => ex.ruleIds.some((r) => id >= r.from && id <= r.to));
        if (hit.length) problems.push(`waf.exclusions "${ex.name}" takes out ${hit.join(', ')} on ${ex.paths.join(', ')}`);
      }
    }
  }
  let snippet = '';
  if (ruleIds.length) {
    const lines = [
      `# Virtual patches from mamori's rule pack for ${patches.length} finding${patches.length === 1 ? '' : 's'}, while the updates wait.`,
      '# Put mamori in front of these assets (mamori up, upstream: the appliance or the site) with:',
      'waf:',
      '  mode: enforce',
      '  own_rules: true',
      `  paranoia: ${paranoia}`,
      '# The rules that then run for them (keep them out of waf.exclusions):',
      ...ruleIds.map((id) => {
        const e = byId.get(id)!;
        return `#   ${id}  ${[...e.cves].join(', ')} on ${[...e.assets].join(', ')}: ${e.rule.msg}`;
      }),
    ];
    snippet = `${lines.join('\n')}\n`;
  }
  return { patches, uncovered, snippet, ruleIds, problems };
}
