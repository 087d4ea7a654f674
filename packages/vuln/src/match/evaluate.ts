/**
 * What each feed's record says about one installed product, as statements with the path of
 * the fact: NVD configurations (cpeMatch ranges, AND with platform CPEs, editions,
 * target_sw), CVE 5 affected[] (version, lessThan / lessThanOrEqual, changes, status and
 * defaultStatus), OSV events (introduced / fixed / last_affected), and the feeds that name a
 * product without versions (KEV, JVN). A record that says nothing about the product gives no
 * statement; a record that cannot be read for it gives `unknown` with the reason.
 */
import type { FindingStatus, SourceRef } from '../model.js';
import { cpeKey } from '../feeds/cpe.js';
import { cve5Key, isNa, type Cve5Affected, type Cve5Record } from '../feeds/cve5.js';
import type { JvnRecord } from '../feeds/jvn.js';
import { kevKey, type KevEntry } from '../feeds/kev.js';
import type { NvdConfig, NvdMatch, NvdNode, NvdRecord } from '../feeds/nvd.js';
import { osvKey, type OsvAffected, type OsvRecord } from '../feeds/osv.js';
import { distAnyKey, distKey, distroName, osvEcosystemRelease } from '../feeds/distro.js';
import type { DebianTrackerRecord } from '../feeds/debian-tracker.js';
import type { Version } from '../versions/grammar.js';
import { compareInstalled, describeBounds, parseIn, sameVersion, trainWords, withinBounds, type Answer, type Tri } from './ranges.js';
import type { ResolvedProduct } from './resolve.js';

export interface Statement {
  readonly status: FindingStatus;
  readonly reason: string;
  readonly source: SourceRef;
}

export interface Installed {
  readonly product: ResolvedProduct;
  /** The parsed version, or why it is not comparable. */
  readonly version: Version | string;
  readonly text: string;
  /** NetScaler and other editioned products: `-` standard, `fips`, `ndcpp`. */
  readonly edition: string;
}

const ref = (feed: string, id: string, path?: string): SourceRef => (path === undefined ? { feed, id } : { feed, id, path });
const notComparable = (it: Installed) => `the installed version is not comparable (${it.version as string})`;

// ---- NVD ----

function nvdMatch(it: Installed, m: NvdMatch): Answer | null {
  const spec = it.product.spec;
  const g = it.product.grammar;
  const key = `${m.cpe.vendor}:${m.cpe.product}`;
  if (!m.vulnerable) {
    if (spec.platforms?.includes(key)) return { res: true, why: `${m.criteria} is this product's hardware` };
    if (!spec.cpe.includes(key)) return { res: 'unknown', why: `applies only with ${m.criteria}, which the inventory does not say` };
  } else if (!spec.cpe.includes(key)) return null;
  const ed = m.cpe.swEdition;
  if (ed !== '*' && ed !== '' && ed !== it.edition) return null;
  if (spec.targetSw && !['*', '-', ''].includes(m.cpe.targetSw) && m.cpe.targetSw !== spec.targetSw) return null;
  if (typeof it.version === 'string') return { res: 'unknown', why: notComparable(it) };
  const b = { startIncluding: m.startIncluding, startExcluding: m.startExcluding, endIncluding: m.endIncluding, endExcluding: m.endExcluding };
  const hasRange = Object.values(b).some((x) => x !== undefined);
  const version = m.cpe.version;
  if (hasRange) return withinBounds(g, it.version, b as never);
  if (version === '*' || version === '') return { res: true, why: 'every version is listed (version *)' };
  if (version === '-') return { res: 'unknown', why: `${m.criteria} gives no version` };
  const u = m.cpe.update;
  const text = u && u !== '*' && (u !== '-' || g.name === 'ivanti') ? `${version}:${u}` : version;
  const listed = parseIn(g, text);
  if (typeof listed === 'string') return { res: 'unknown', why: `the listed version ${JSON.stringify(text)} is not comparable (${listed})` };
  return sameVersion(g, it.version, listed);
}

interface Located extends Answer {
  readonly path: string;
}

function nvdNode(it: Installed, n: NvdNode): { answer: Located; vulnerableHere: boolean } | null {
  const results: Located[] = [];
  let vulnerableHere = false;
  for (const m of n.matches) {
    const a = nvdMatch(it, m);
    if (a) {
      results.push({ ...a, path: m.path });
      if (m.vulnerable) vulnerableHere = true;
    } else if (n.operator === 'AND') results.push({ res: false, why: `${m.criteria} is another product`, path: m.path });
  }
  if (results.length === 0) return null;
  let answer: Located;
  if (n.operator === 'OR') answer = results.find((r) => r.res === true) ?? results.find((r) => r.res === 'unknown') ?? results[0]!;
  else answer = results.find((r) => r.res === false) ?? results.find((r) => r.res === 'unknown') ?? results[0]!;
  if (n.negate && answer.res !== 'unknown') answer = { ...answer, res: !answer.res, why: `not (${answer.why})` };
  return { answer, vulnerableHere };
}

function nvdConfig(it: Installed, c: NvdConfig): Located | null {
  const nodes = c.nodes.map((n) => nvdNode(it, n));
  if (!nodes.some((n) => n?.vulnerableHere)) return null;
  const answers = nodes.map((n, i): Located => n?.answer ?? { res: false, why: 'another product', path: c.nodes[i]!.path });
  let a: Located;
  if (c.operator === 'AND') {
    const bad = answers.find((x) => x.res === false) ?? answers.find((x) => x.res === 'unknown');
    a = bad ?? { ...answers.find((_, i) => nodes[i]?.vulnerableHere)!, why: answers.map((x) => x.why).join(', and ') };
  } else a = answers.find((x) => x.res === true) ?? answers.find((x) => x.res === 'unknown') ?? answers[0]!;
  if (c.negate && a.res !== 'unknown') a = { ...a, res: !a.res };
  return a;
}

export function evalNvd(it: Installed, rec: NvdRecord): Statement[] {
  if (rec.configurations.length === 0) {
    return [{ status: 'unknown', reason: `the NVD record is "${rec.status}" and has no configurations yet: no product data`, source: ref('nvd', rec.id, 'configurations') }];
  }
  const found = rec.configurations.map((c) => nvdConfig(it, c)).filter((x): x is Located => x !== null);
  if (found.length === 0) return [];
  const yes = found.find((f) => f.res === true);
  if (yes) return [{ status: 'affected', reason: `${yes.why} (NVD)`, source: ref('nvd', rec.id, yes.path) }];
  const maybe = found.filter((f) => f.res === 'unknown');
  if (maybe.length > 0) return maybe.map((m) => ({ status: 'unknown', reason: `${m.why} (NVD)`, source: ref('nvd', rec.id, m.path) }));
  return [{ status: 'not_affected', reason: `${it.text} is in none of the ranges NVD lists for ${it.product.spec.name}`, source: ref('nvd', rec.id, 'configurations') }];
}

// ---- CVE 5 ----

function entryConcerns(it: Installed, a: Cve5Affected): 'yes' | 'only-on' | 'no' {
  const spec = it.product.spec;
  const key = cve5Key(a.vendor, a.product).slice(5);
  if (spec.cve5OnlyOn?.[key]) return 'only-on';
  if (spec.cve5.includes(key)) return 'yes';
  for (const c of a.cpes) {
    const m = /^cpe:2\.3:[aoh]:([^:]+):([^:]+):/.exec(c);
    if (m && spec.cpe.includes(`${m[1]}:${m[2]}`)) return 'yes';
  }
  return 'no';
}

const ALL = new Set(['*', 'all', 'all versions']);

function cve5Entry(it: Installed, a: Cve5Affected, id: string): Statement {
  const g = it.product.grammar;
  const src = (path: string) => ref('cve5', id, path);
  const who = a.by === 'cna' ? 'CVE record' : `CVE record (${a.by})`;
  if (typeof it.version === 'string') return { status: 'unknown', reason: notComparable(it), source: src(a.path) };
  const v = it.version;
  const parsedStarts = a.versions.map((x) => parseIn(g, x.version));
  const unknowns: Statement[] = [];
  let unaffected: Statement | undefined;
  for (const [i, item] of a.versions.entries()) {
    const start = parsedStarts[i]!;
    const status = item.status === 'affected' ? 'affected' : item.status === 'unaffected' ? 'not_affected' : 'unknown';
    const bound = item.lessThan ?? item.lessThanOrEqual;
    let ans: Answer;
    if (ALL.has(item.version.trim().toLowerCase()) && bound === undefined) ans = { res: true, why: `every version ("${item.version}")` };
    else if (typeof start === 'string' && !(item.version.trim() === '0' && bound !== undefined)) {
      unknowns.push({ status: 'unknown', reason: `${who} version ${JSON.stringify(item.version.slice(0, 120))} is not comparable (${start})`, source: src(item.path) });
      continue;
    } else {
      // A version naming no edition is the standard edition's: FIPS builds are numbered on their own track.
      if (typeof start !== 'string' && !(start.editions ?? ['-']).includes(it.edition)) continue;
      if (bound !== undefined) {
        const full = typeof start !== 'string' && g.completeBound ? g.completeBound(start, bound) : bound;
        const lo = typeof start === 'string' ? '0' : start.text.replace(/[- ](fips|ndcpp).*$/i, '');
        ans = withinBounds(g, v, item.lessThan !== undefined ? { startIncluding: lo, endExcluding: full } : { startIncluding: lo, endIncluding: full });
        if (full !== bound) ans = { ...ans, why: `${ans.why} (the record writes the bound as ${JSON.stringify(bound)}, a build of train ${g.train ? g.train(start as Version) : (start as Version).text})` };
      } else ans = sameVersion(g, v, start as Version);
    }
    if (ans.res === 'unknown') {
      unknowns.push({ status: 'unknown', reason: `${ans.why} (${who})`, source: src(item.path) });
      continue;
    }
    if (!ans.res) {
      // `version: 9.1R18, lessThanOrEqual: 9.1R18` names one release as written; the releases below it are not stated either way,
      // in its own train and in earlier ones (Ivanti's 22.6R2 entry for CVE-2023-46805 stands for 22.x, and 22.5R1 was affected).
      const below = typeof start !== 'string' ? compareInstalled(g, v, start) : 0;
      if (item.lessThanOrEqual !== undefined && item.lessThanOrEqual === item.version && typeof start !== 'string' && g.train && below !== 'unknown' && below < 0) {
        unknowns.push({ status: 'unknown', reason: `the ${who} writes the range ${item.version} <= v <= ${item.lessThanOrEqual}, a single release as written; whether earlier releases such as ${v.text} are affected is not stated`, source: src(item.path) });
      }
      continue;
    }
    let st: FindingStatus = status;
    let why = ans.why;
    for (const [ci, c] of (item.changes ?? []).entries()) {
      const at = parseIn(g, c.at);
      if (typeof at === 'string') {
        unknowns.push({ status: 'unknown', reason: `${who} change at ${JSON.stringify(c.at)} is not comparable (${at})`, source: src(`${item.path}.changes[${ci}]`) });
        continue;
      }
      const cmp = compareInstalled(g, v, at);
      if (cmp === 'unknown') {
        st = 'unknown';
        why = `${trainWords(g, v)}: the status changes at ${at.text}, inside the train`;
        continue;
      }
      if (cmp >= 0) {
        st = c.status === 'affected' ? 'affected' : c.status === 'unaffected' ? 'not_affected' : 'unknown';
        why = `${v.text} is at or above ${c.at}, from which the status is ${c.status}`;
      }
    }
    const s: Statement = { status: st, reason: `${why} (${who}: ${item.status})`, source: src(item.path) };
    if (st === 'affected') return s;
    if (st === 'not_affected') unaffected ??= s;
    else unknowns.push(s);
  }
  if (unaffected) return unaffected;
  if (unknowns.length > 0) return unknowns[0]!;
  if (a.defaultStatus === 'unaffected') return { status: 'not_affected', reason: `${v.text} is outside every version the ${who} lists for ${a.vendor} ${a.product} (defaultStatus unaffected)`, source: src(a.path) };
  if (a.defaultStatus === 'affected') return { status: 'affected', reason: `${v.text} is outside the listed versions and the ${who} says every other version is affected (defaultStatus affected)`, source: src(a.path) };
  return { status: 'unknown', reason: `${v.text} is outside the versions the ${who} lists for ${a.vendor} ${a.product}, and it sets no defaultStatus`, source: src(a.path) };
}

export function evalCve5(it: Installed, rec: Cve5Record): Statement[] {
  const out: Statement[] = [];
  for (const a of rec.affected) {
    const c = entryConcerns(it, a);
    if (c === 'no') continue;
    const s = cve5Entry(it, a, rec.id);
    if (c === 'only-on') {
      if (s.status === 'affected') out.push({ status: 'unknown', reason: `${s.reason}, but "${a.product}" is ${it.product.spec.name} on ${it.product.spec.cve5OnlyOn![cve5Key(a.vendor, a.product).slice(5)]} only, and the inventory does not say the model`, source: s.source });
      continue;
    }
    out.push(s);
  }
  if (out.length === 0 && rec.affected.length > 0 && rec.affected.every((a) => isNa(a.vendor) && isNa(a.product))) {
    out.push({ status: 'unknown', reason: 'the CVE record gives vendor, product and version as "n/a": no product data', source: ref('cve5', rec.id, rec.affected[0]!.path) });
  }
  return out;
}

// ---- OSV ----

/** Whether an OSV affected[] entry is about this installed product: its package, in its release for a distribution's package. */
function osvConcerns(it: Installed, a: OsvAffected, keys: ReadonlySet<string>): 'yes' | 'no-release' | 'no' {
  const d = osvEcosystemRelease(a.ecosystem);
  const dist = it.product.dist;
  if (!d) return !dist && keys.has(osvKey(a.ecosystem, a.name)) ? 'yes' : 'no';
  if (!dist || d.family !== dist.family) return 'no';
  if (!dist.distro) return keys.has(distAnyKey(d.family, a.name)) ? 'no-release' : 'no';
  return keys.has(distKey(d.key, a.name)) && d.key === dist.distro.key ? 'yes' : 'no';
}

/** The version a distribution's record compares: the source package's when the record names the source and dpkg gave its version. */
function versionFor(it: Installed, name: string): Installed {
  const dist = it.product.dist;
  if (!dist?.sourceVersion || name !== dist.source) return it;
  return { ...it, version: dist.sourceVersion, text: `${dist.sourceVersion.text} (source ${dist.source})` };
}

export function evalOsv(it0: Installed, rec: OsvRecord): Statement[] {
  const g = it0.product.grammar;
  const out: Statement[] = [];
  const keys = new Set([...(it0.product.spec.osv ?? []).map((o) => `osv:${o}`), ...it0.product.keys]);
  for (const a of rec.affected) {
    const concerns = osvConcerns(it0, a, keys);
    if (concerns === 'no') continue;
    const src = (path: string) => ref('osv', rec.id, path);
    if (concerns === 'no-release') {
      out.push({ status: 'unknown', reason: `${it0.product.dist!.noRelease}: the advisory lists ${a.name} for ${a.ecosystem}`, source: src(a.path) });
      continue;
    }
    const it = versionFor(it0, a.name);
    if (rec.withdrawn) {
      out.push({ status: 'not_affected', reason: `the advisory was withdrawn on ${rec.withdrawn}`, source: src('withdrawn') });
      continue;
    }
    if (typeof it.version === 'string') {
      out.push({ status: 'unknown', reason: notComparable(it), source: src(a.path) });
      continue;
    }
    const v = it.version;
    if (a.versions.includes(v.text)) {
      out.push({ status: 'affected', reason: `${v.text} is listed among the affected versions`, source: src(`${a.path}.versions`) });
      continue;
    }
    let decided: Statement | undefined;
    let unknown: Statement | undefined;
    for (const r of a.ranges) {
      if (r.type !== 'ECOSYSTEM' && r.type !== 'SEMVER') continue;
      // Walk the events in version order: introduced opens, fixed closes (exclusive), last_affected closes after itself.
      const evs: { kind: string; text: string; v: Version | null; i: number }[] = [];
      let bad: string | undefined;
      r.events.forEach((e, i) => {
        const [kind, text] = Object.entries(e)[0] as [string, string];
        if (kind === 'limit') return;
        if (kind === 'introduced' && text === '0') return evs.push({ kind, text, v: null, i });
        const p = parseIn(g, text);
        if (typeof p === 'string') bad ??= `${r.path}.events[${i}] ${kind} ${JSON.stringify(text)} is not comparable (${p})`;
        else evs.push({ kind, text, v: p, i });
      });
      if (bad) {
        unknown ??= { status: 'unknown', reason: bad, source: src(r.path) };
        continue;
      }
      evs.sort((x, y) => (x.v === null ? -1 : y.v === null ? 1 : g.compare(x.v, y.v)));
      let open: (typeof evs)[number] | undefined;
      let closedBy: (typeof evs)[number] | undefined;
      for (const e of evs) {
        const c = e.v === null ? 1 : g.compare(v, e.v);
        if (e.kind === 'introduced' && c >= 0) {
          open = e;
          closedBy = undefined;
        } else if (e.kind === 'fixed' && c >= 0 && open) {
          open = undefined;
          closedBy = e;
        } else if (e.kind === 'last_affected' && c > 0 && open) {
          open = undefined;
          closedBy = e;
        }
      }
      if (open) {
        const end = evs.find((e) => e.i > open!.i && e.kind !== 'introduced');
        decided = { status: 'affected', reason: `${v.text} is at or above introduced ${open.text}${end ? ` and below ${end.kind === 'fixed' ? 'the fix' : 'past last_affected'} ${end.text}` : ', with no fix'} (OSV ${r.type})`, source: src(`${r.path}.events[${open.i}]`) };
        break;
      }
      decided ??= { status: 'not_affected', reason: closedBy ? `${v.text} is at or above ${closedBy.kind === 'fixed' ? 'the fix' : 'beyond last_affected'} ${closedBy.text}` : `${v.text} is below every introduced version`, source: src(r.path) };
      if (decided.status === 'not_affected' && closedBy) decided = { ...decided, source: src(`${r.path}.events[${closedBy.i}]`) };
    }
    // Ranges mamori cannot walk (GIT commits) still say the package is concerned: unknown, never silence.
    unknown ??= !decided && a.ranges.length > 0 ? { status: 'unknown', reason: `the advisory gives ${[...new Set(a.ranges.map((r) => r.type))].join(', ').slice(0, 80)} ranges only, which name no ${g.name} versions`, source: src(a.path) } : undefined;
    // A distribution's entry without ranges or versions lists the package as affected with no fix (Debian's unfixed, end-of-life).
    if (!decided && !unknown && it.product.dist && a.ranges.length === 0 && a.versions.length === 0) decided = { status: 'affected', reason: `the advisory lists ${a.name} for ${a.ecosystem} with no fixed version: affected, no fix available yet`, source: src(a.path) };
    if (decided && it.product.dist && it !== it0) decided = { ...decided, reason: `${decided.reason} (compared as the source package ${it.product.dist.source}'s version)` };
    const s = decided?.status === 'affected' ? decided : (unknown ?? decided);
    if (s) out.push(s);
  }
  // One advisory often lists a package twice (one entry per release line): it is affected when any entry says so.
  const best = out.find((s) => s.status === 'affected') ?? out.find((s) => s.status === 'unknown') ?? out[0];
  return best ? [best] : [];
}

// ---- the Debian security tracker ----

export function evalDebian(it0: Installed, rec: DebianTrackerRecord): Statement[] {
  const dist = it0.product.dist;
  if (!dist || dist.family !== 'deb' || (rec.package !== dist.binary && rec.package !== dist.source)) return [];
  const src = (path: string) => ref('debian', rec.cve, path);
  if (!dist.distro) return [{ status: 'unknown', reason: `${dist.noRelease}: the Debian security tracker lists source package ${rec.package} for ${rec.releases.map((r) => r.codename).join(', ').slice(0, 120)}`, source: src(rec.path) }];
  if (dist.distro.id !== 'debian' || !dist.distro.codename) return [];
  const rel = rec.releases.find((r) => r.codename === dist.distro!.codename);
  if (!rel) return [];
  const it = versionFor(it0, rec.package);
  const where = `${distroName(dist.distro)} (${rel.codename})`;
  const tracker = `Debian security tracker, ${rec.package}${rec.package !== dist.binary ? `, the source package of ${dist.binary}` : ''}`;
  const urgency = rel.urgency && rel.urgency !== 'not yet assigned' ? `, urgency ${rel.urgency}` : '';
  if (rel.status === 'resolved') {
    if (rel.fixedVersion === '0') return [{ status: 'not_affected', reason: `the ${tracker} marks ${where} as not affected (<not-affected>: the flaw was never in that release's package)`, source: src(rel.path) }];
    if (rel.fixedVersion === undefined) return [{ status: 'unknown', reason: `the ${tracker} says resolved in ${where} without a fixed version`, source: src(rel.path) }];
    if (typeof it.version === 'string') return [{ status: 'unknown', reason: notComparable(it), source: src(rel.path) }];
    const fix = parseIn(it.product.grammar, rel.fixedVersion);
    if (typeof fix === 'string') return [{ status: 'unknown', reason: `the ${tracker} fixed version ${JSON.stringify(rel.fixedVersion)} is not comparable (${fix})`, source: src(rel.path) }];
    return it.product.grammar.compare(it.version, fix) < 0
      ? [{ status: 'affected', reason: `${it.text} is below ${rel.fixedVersion}, the fix in ${where} (${tracker}${urgency})`, source: src(rel.path) }]
      : [{ status: 'not_affected', reason: `${it.text} is at or above ${rel.fixedVersion}, the fix in ${where} (${tracker})`, source: src(rel.path) }];
  }
  if (rel.status === 'open') {
    if (rel.urgency === 'end-of-life') return [{ status: 'affected', reason: `the ${tracker} marks ${rec.package} end-of-life in ${where}: no security support there, and no fix will come; every version is affected (replace the package or upgrade the release)`, source: src(rel.path) }];
    const nodsa = rel.nodsa ? `; the security team issues no advisory for it (${rel.nodsa})` : '';
    return [{ status: 'affected', reason: `the ${tracker} has no fix for ${where} yet (<unfixed>${urgency}): every version is affected until a fixed version is released${nodsa}`, source: src(rel.path) }];
  }
  return [{ status: 'unknown', reason: `the ${tracker} says "${rel.status}" for ${where}: not yet known`, source: src(rel.path) }];
}

// ---- feeds without versions ----

export function evalKev(it: Installed, e: KevEntry): Statement[] {
  const named = it.product.spec.kev.includes(kevKey(e.vendorProject, e.product).slice(4));
  return [{ status: 'unknown', reason: `in CISA KEV${named ? '' : ' (for another product name)'} as "${e.vendorProject} ${e.product}"; KEV gives no versions`, source: ref('kev', e.cve, e.path) }];
}

export function evalJvn(it: Installed, r: JvnRecord): Statement[] {
  const keys = new Set(it.product.spec.cpe.map((c) => cpeKey(c.split(':')[0]!, c.split(':')[1]!)));
  const hit = r.cpes.findIndex((c) => {
    const m = /^cpe:2\.3:[aoh]:([^:]+):([^:]+):/.exec(c);
    return m !== null && keys.has(cpeKey(m[1]!, m[2]!));
  });
  if (hit < 0) return [];
  const versions = r.products[hit]?.versions;
  return [{ status: 'unknown', reason: `JVN ${r.id} lists ${it.product.spec.name}${versions ? ` with versions given as text: ${JSON.stringify(versions.slice(0, 200))}` : ''}`, source: ref('jvn', r.id, r.path) }];
}

export { describeBounds };
export type { Tri };
