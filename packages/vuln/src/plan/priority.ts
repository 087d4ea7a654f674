/**
 * A finding's priority, P1 (patch now) to P4 (with the next routine update), and why, in words.
 * The rule (docs/vuln.md, "Priorities and the plan"):
 *
 * 1. By threat and reach:
 *    - in CISA's KEV catalog (exploited in the wild), or named in an urgent alert of IPA
 *      (重要なセキュリティ情報: IPA issues them for flaws exploited, or about to be, in products
 *      widely used in Japan): P1 when internet-facing, else P2;
 *    - EPSS probability at least 0.1, or CVSS at least 9.0: P2 when internet-facing, else P3;
 *    - CVSS at least 7.0: P3;
 *    - anything else: P4.
 * 2. By the asset's criticality: a critical asset moves one level up; a low one moves one level
 *    down, except a KEV or IPA-alert finding (an exploited flaw is not left for later).
 *
 * CVSS is the highest base score of version 4.0 and 3.x (3.1, 3.0) scores; 2.0 only when there
 * is nothing newer. A finding matching could not decide (`unknown`) keeps its priority, marked
 * unconfirmed: someone must look at the version by hand.
 */
import type { Asset, CvssScore, Finding } from '../model.js';
import { ASSET_DEFAULTS } from '../inventory/asset.js';

export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];

export const EPSS_LIKELY = 0.1;
export const CVSS_CRITICAL = 9.0;
export const CVSS_HIGH = 7.0;

export interface Assessment {
  readonly priority: Priority;
  /** `P1: in CISA KEV since 2024-01-10, due 2024-01-31; internet-facing; EPSS 0.97 (99.9th percentile); CVSS 3.1 9.8`. */
  readonly explanation: string;
  /** The facts behind it, each a phrase. */
  readonly reasons: readonly string[];
  /** The score the rule used. */
  readonly cvss?: CvssScore;
  readonly unconfirmed: boolean;
}

/** What the rule needs of an asset; defaults (docs) when the asset is not in the inventory. */
export type AssetFacts = Pick<Asset, 'exposure' | 'criticality'> & { readonly owner?: string | undefined };

const level = (p: Priority): number => Number(p.slice(1));
const toP = (n: number): Priority => `P${Math.min(4, Math.max(1, n))}` as Priority;

/** `99.9th`, `1st`, `42nd`: a percentile (0..1) as people say it. */
export function percentileWords(p: number): string {
  const pc = Math.round(p * 1000) / 10;
  if (!Number.isInteger(pc)) return `${pc}th`;
  const n = pc % 100;
  const suffix = n >= 11 && n <= 13 ? 'th' : pc % 10 === 1 ? 'st' : pc % 10 === 2 ? 'nd' : pc % 10 === 3 ? 'rd' : 'th';
  return `${pc}${suffix}`;
}

function probabilityWords(p: number): string {
  return String(Number(p.toPrecision(2)));
}

/** The score the rule uses: the highest 4.0 or 3.x base score; a 2.0 score only when alone. */
export function pickCvss(list: readonly CvssScore[] | undefined): { used?: CvssScore; shown: string } {
  const valid = (list ?? []).filter((s) => Number.isFinite(s.baseScore) && s.baseScore >= 0 && s.baseScore <= 10);
  const modern = valid.filter((s) => s.version.startsWith('4') || s.version.startsWith('3'));
  const pool = modern.length ? modern : valid;
  if (pool.length === 0) return { shown: '' };
  const used = pool.reduce((a, b) => (b.baseScore > a.baseScore ? b : a));
  // Each version once, highest first: `CVSS 4.0 9.3, 3.1 9.8`.
  const byVersion = new Map<string, number>();
  for (const s of pool) byVersion.set(s.version, Math.max(byVersion.get(s.version) ?? 0, s.baseScore));
  const parts = [...byVersion].sort((a, b) => b[0].localeCompare(a[0])).map(([v, s]) => `${v} ${s.toFixed(1)}`);
  return { used, shown: `CVSS ${parts.join(', ')}${modern.length ? '' : ' (only a 2.0 score)'}` };
}

export function prioritise(f: Finding, asset: AssetFacts | undefined): Assessment {
  const facts: AssetFacts = asset ?? { exposure: ASSET_DEFAULTS.exposure, criticality: ASSET_DEFAULTS.criticality };
  const internet = facts.exposure === 'internet';
  const reasons: string[] = [];
  if (f.kev) reasons.push(`in CISA KEV since ${f.kev.dateAdded}, due ${f.kev.dueDate}${f.kev.ransomware ? ', used in ransomware campaigns' : ''}`);
  const ipa = f.ipa?.[0];
  if (ipa) reasons.push(`IPA urgent security alert${ipa.date ? ` of ${ipa.date.slice(0, 10)}` : ''} (${ipa.title.slice(0, 120)}, ${ipa.link})${f.kev ? '' : ': IPA warns of exploitation, ranked as KEV is'}`);
  const exploited = f.kev !== undefined || ipa !== undefined;
  reasons.push(asset ? (internet ? 'internet-facing' : 'internal') : `not in the inventory, so taken as ${facts.exposure === 'internet' ? 'internet-facing' : 'internal'} and of ${facts.criticality} criticality`);
  if (f.epss) reasons.push(`EPSS ${probabilityWords(f.epss.probability)} (${percentileWords(f.epss.percentile)} percentile)`);
  const cvss = pickCvss(f.cvss);
  if (cvss.shown) reasons.push(cvss.shown);
  if (!exploited && !f.epss && !cvss.used) reasons.push('no KEV entry, IPA alert, EPSS or CVSS score known');

  let base: number;
  const score = cvss.used?.baseScore ?? 0;
  if (exploited) base = internet ? 1 : 2;
  else if ((f.epss && f.epss.probability >= EPSS_LIKELY) || score >= CVSS_CRITICAL) base = internet ? 2 : 3;
  else if (score >= CVSS_HIGH) base = 3;
  else base = 4;

  let final = base;
  if (facts.criticality === 'critical' && base > 1) {
    final = base - 1;
    reasons.push(`critical asset: one level up from P${base}`);
  } else if (facts.criticality === 'low' && base < 4 && !exploited) {
    final = base + 1;
    reasons.push(`low-criticality asset: one level down from P${base}`);
  } else if (asset && facts.criticality === 'critical') reasons.push('critical asset');
  else if (asset && facts.criticality !== 'medium') reasons.push(`${facts.criticality}-criticality asset`);

  const priority = toP(final);
  const unconfirmed = f.status === 'unknown';
  const explanation = `${priority}: ${unconfirmed ? `unconfirmed (matching could not decide: ${f.reason.slice(0, 300)}); ` : ''}${reasons.join('; ')}`;
  return { priority, explanation, reasons, ...(cvss.used ? { cvss: cvss.used } : {}), unconfirmed };
}

export function comparePriority(a: Priority, b: Priority): number {
  return level(a) - level(b);
}
