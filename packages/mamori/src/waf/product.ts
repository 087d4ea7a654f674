/**
 * The WAF as mamori runs it in front of a site: the engine setup written from mamori's config
 * (blocking or detection, paranoia level, anomaly thresholds, body limits, the refusals of what
 * mamori cannot read as the upstream would, per-route exclusions), then CRS when one is found,
 * then mamori's own rule pack, then the user's rule files. One SecLang text, loaded once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MamoriError } from '../core/errors.js';
import { loadWaf, type Waf } from './index.js';
import { crsRuleFiles, type CrsLocation } from './crs-locate.js';

/** Rule ids of the setup written here: in mamori's own range (see rules/README.md), above the pack's files. */
export const SETUP_IDS = {
  xmlProcessor: 36_190_001,
  jsonProcessor: 36_190_002,
  crsSettings: 36_190_003,
  packSettings: 36_190_004,
  bodyError: 36_190_010,
  multipartStrict: 36_190_011,
  /** With CRS 3: CRS 4's restricted headers. */
  crs3Headers: 36_190_005,
  /** A regex ran out of backtracking steps: refused at the end of phase 2, and of phase 4. */
  regexLimits: 36_190_020,
  regexLimitsResponse: 36_190_021,
  /** Exclusions: one rule each from here. */
  exclusions: 36_191_000,
} as const;

export interface WafExclusion {
  readonly name: string;
  /** Exact paths, or prefixes written with a trailing `*` (`/wp-admin/*`), as the upstream routes them. */
  readonly paths: readonly string[];
  /** Upper-case methods; empty for any. */
  readonly methods: readonly string[];
  /** Rule ids or ranges to take out (all of them, or only `targets` of them). */
  readonly ruleIds: readonly { readonly from: number; readonly to: number }[];
  /** Rule tags (`attack-xss`) to take out (all of them, or only `targets` of them). */
  readonly tags: readonly string[];
  /** `ARGS:content`, `REQUEST_COOKIES:session`...: only these targets are taken out of the rules. */
  readonly targets: readonly string[];
  /**
   * Only when each of these parameters (query or body) is given exactly once with one of the
   * values listed (`action: [edit, editpost]`); such an exclusion takes out rules of phase 2 (the
   * body phase) only, since the body's parameters are known then.
   */
  readonly args?: Readonly<Record<string, readonly string[]>> | undefined;
}

export interface WafProductOptions {
  /** enforce: the first disruptive rule refuses the request; detect: rules run, nothing is refused. */
  readonly mode: 'enforce' | 'detect';
  /** A CRS release directory (holding `rules/`), or undefined for none. */
  readonly crs?: CrsLocation | undefined;
  /** mamori's own rule pack (default: the one shipped with the package). */
  readonly ownRules: boolean;
  /** More rule files, loaded last (globs allowed, as in `Include`). */
  readonly ruleFiles: readonly string[];
  readonly paranoia: number;
  readonly inboundThreshold: number;
  readonly outboundThreshold: number;
  /** Largest request body read (files included); larger ones are refused (413). */
  readonly requestBodyLimit: number;
  /** Largest request body not counting multipart file contents. */
  readonly requestBodyNoFilesLimit: number;
  /** Arguments (query and body together) read; a request with more is a body error, refused when strict. */
  readonly maxArguments: number;
  /** Whether response bodies (text, HTML, XML, JSON) are inspected in phase 4. */
  readonly responseBody: boolean;
  /** Refuse bodies mamori cannot read as the upstream would (REQBODY_ERROR, MULTIPART_STRICT_ERROR). */
  readonly strict: boolean;
  readonly exclusions: readonly WafExclusion[];
  /** More of CRS's settings (`tx.<name>`), as crs-setup.conf sets them: allowed_methods, restricted_headers_extended... */
  readonly crsSettings?: Readonly<Record<string, string>> | undefined;
  /** libinjection's data directory, for @detectSQLi (CRS's 942100). */
  readonly sqliDataDir?: string | undefined;
}

export interface LoadedProductWaf {
  readonly waf: Waf;
  readonly crs: CrsLocation | undefined;
  readonly ownRules: string | undefined;
  /** What was left out and why (printed at start). */
  readonly warnings: readonly string[];
}

/** The directory of mamori's own rule pack, as shipped in the package. */
export function ownRulesDir(): string {
  return fileURLToPath(new URL('../../rules/', import.meta.url));
}

const q = (p: string) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`;
/** What a path in an exclusion may hold: no quotes, spaces, backslashes or control bytes reach the rule text. */
const EXCLUSION_PATH = /^\/[A-Za-z0-9._~!$&'()+,;=:@%/-]*\*?$/;
const EXCLUSION_TARGET = /^!?(?:ARGS|ARGS_GET|ARGS_POST|ARGS_NAMES|ARGS_GET_NAMES|ARGS_POST_NAMES|REQUEST_COOKIES|REQUEST_COOKIES_NAMES|REQUEST_HEADERS|FILES|FILES_NAMES|XML|REQUEST_BODY|REQUEST_URI|REQUEST_FILENAME|QUERY_STRING)(?::[A-Za-z0-9_.\-[\]/*]{1,128})?$/;
const EXCLUSION_TAG = /^[A-Za-z0-9_.\-/]{1,128}$/;
const EXCLUSION_ARG = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a CRS setting can be written into rule text; the problem, or undefined. */
export function crsSettingProblem(name: string, value: string): string | undefined {
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) return 'a setting name is lower-case letters, digits and _ (as crs-setup.conf names them: allowed_methods)';
  if (MAMORI_SETS.has(name)) return `mamori sets ${name} itself: use waf.paranoia and waf.anomaly_threshold`;
  if (typeof value !== 'string' || value.length > 4096 || !/^[A-Za-z0-9 _./+*=:;|(),!#&@?<>\[\]-]*$/.test(value) || value.includes('%{')) {
    return "a setting's value is letters, digits, spaces and _ . / + * = : ; | ( ) , ! # & @ ? < > [ ] - (no quotes, backslashes, macros or control characters), 4096 characters at most";
  }
  return undefined;
}
/** CRS's settings that mamori writes from its own keys. */
const MAMORI_SETS = new Set(['blocking_paranoia_level', 'detection_paranoia_level', 'paranoia_level', 'executing_paranoia_level', 'inbound_anomaly_score_threshold', 'outbound_anomaly_score_threshold']);

/** Checks an exclusion's parts can be written into rule text; the problem, or undefined. */
export function exclusionProblem(e: WafExclusion): string | undefined {
  for (const p of e.paths) if (!EXCLUSION_PATH.test(p) || p.indexOf('*') !== p.length - 1 && p.includes('*')) return `path ${JSON.stringify(p.slice(0, 80))} must start with / and hold no quotes, spaces or backslashes (a * only at the end)`;
  for (const t of e.targets) if (!EXCLUSION_TARGET.test(t)) return `target ${JSON.stringify(t.slice(0, 80))} must be a request collection such as ARGS:content or REQUEST_COOKIES:session`;
  for (const t of e.tags) if (!EXCLUSION_TAG.test(t)) return `tag ${JSON.stringify(t.slice(0, 80))} must be letters, digits, _ . - /`;
  for (const m of e.methods) if (!/^[A-Z]{1,16}$/.test(m)) return `method ${JSON.stringify(m.slice(0, 20))} must be upper-case letters`;
  for (const [name, values] of Object.entries(e.args ?? {})) {
    if (!EXCLUSION_ARG.test(name)) return `args: the name ${JSON.stringify(name.slice(0, 80))} must be letters, digits, _ . -`;
    if (!Array.isArray(values) || values.length === 0) return `args.${name}: give the values for which the exclusion applies`;
    for (const v of values) if (typeof v !== 'string' || !EXCLUSION_ARG.test(v)) return `args.${name}: the value ${JSON.stringify(String(v).slice(0, 80))} must be letters, digits, _ . -`;
  }
  if (e.ruleIds.length === 0 && e.tags.length === 0) return 'names no rules: give rules (ids or ranges) or tags';
  if (e.paths.length === 0) return 'names no paths';
  return undefined;
}

/**
 * One exclusion as rules: for each path, a phase-1 rule that takes the rules (or their targets)
 * out of this transaction. Only a path without `.`/`..` segments, `//` or backslashes takes an
 * exclusion: a path the upstream would resolve to another route never borrows this one's.
 */
function exclusionRules(e: WafExclusion, firstId: number): string[] {
  const ctls: string[] = [];
  const ids = e.ruleIds.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  if (e.targets.length === 0) {
    for (const id of ids) ctls.push(`ctl:ruleRemoveById=${id}`);
    for (const t of e.tags) ctls.push(`ctl:ruleRemoveByTag=${t}`);
  } else {
    for (const target of e.targets) {
      for (const id of ids) ctls.push(`ctl:ruleRemoveTargetById=${id};${target}`);
      for (const t of e.tags) ctls.push(`ctl:ruleRemoveTargetByTag=${t};${target}`);
    }
  }
  const out: string[] = [];
  e.paths.forEach((p, i) => {
    const prefix = p.endsWith('*');
    const op = prefix ? `@beginsWith ${p.slice(0, -1)}` : `@streq ${p}`;
    const links = [`SecRule REQUEST_FILENAME "!@rx (?:^|/)\\.\\.?(?:/|$)|//|\\x5c" "chain"`];
    if (e.methods.length) links.push(`SecRule REQUEST_METHOD "@within ${e.methods.join(' ')}" "chain"`);
    // Each parameter the exclusion depends on: given once in all (query and body together, as an
    // app reading either may), and with one of the values, exactly (names match in any case, so
    // ?ACTION=edit&action=x counts twice and takes nothing out).
    const args = Object.entries(e.args ?? {});
    for (const [name, values] of args) {
      links.push(`SecRule &ARGS:${name} "@eq 1" "chain"`);
      links.push(`SecRule ARGS:${name} "@rx ^(?:${values.map((v) => v.replace(/[.-]/g, '\\$&')).join('|')})$" "chain"`);
    }
    const chainLinks = links.map((l, j) => (j === links.length - 1 ? l.replace('"chain"', `"${ctls.join(',')}"`) : l));
    out.push(`# exclusion ${e.name}`, `SecRule REQUEST_FILENAME "${op}" "id:${firstId + i},phase:${args.length ? 2 : 1},pass,nolog,t:none,chain"`, ...chainLinks);
  });
  return out;
}

/** The headers CRS 4 restricts (920450), for CRS 3, whose list has the first four only. */
const CRS4_RESTRICTED_HEADERS = '/content-encoding/ /proxy/ /lock-token/ /content-range/ /if/ /x-http-method-override/ /x-http-method/ /x-method-override/ /x-middleware-subrequest/';

/** CRS's major version (4 when its rules do not say). */
function crsMajor(crs: CrsLocation): number {
  const major = Number((crs.version ?? '4').split('.')[0]);
  return Number.isInteger(major) ? major : 4;
}

/** The engine setup and what to include, as one SecLang text. */
export function productSetupText(o: WafProductOptions, ownRules: string | undefined): string {
  if (!Number.isInteger(o.paranoia) || o.paranoia < 1 || o.paranoia > 4) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `waf.paranoia must be 1 to 4, not ${o.paranoia}`);
  const lines = [
    '# mamori: the WAF setup written from mamori.yaml',
    // On in detect mode too: the first disruptive rule still ends the transaction, so that mamori
    // can record what would have been refused; mamori's mode decides whether it is.
    'SecRuleEngine On',
    'SecRequestBodyAccess On',
    `SecRequestBodyLimit ${o.requestBodyLimit}`,
    `SecRequestBodyNoFilesLimit ${o.requestBodyNoFilesLimit}`,
    `SecArgumentsLimit ${o.maxArguments}`,
    'SecRequestBodyLimitAction Reject',
    `SecResponseBodyAccess ${o.responseBody ? 'On' : 'Off'}`,
    // Answers larger than the limit (512 KiB) are inspected in their first 512 KiB, not refused.
    'SecResponseBodyLimitAction ProcessPartial',
    'SecResponseBodyMimeType text/plain text/html text/xml application/json application/xhtml+xml application/xml',
    `SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\\+|/)|text/)xml" "id:${SETUP_IDS.xmlProcessor},phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"`,
    `SecRule REQUEST_HEADERS:Content-Type "@rx ^application/(?:.+\\+)?json" "id:${SETUP_IDS.jsonProcessor},phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"`,
  ];
  if (o.strict) {
    lines.push(
      `SecRule REQBODY_ERROR "!@eq 0" "id:${SETUP_IDS.bodyError},phase:2,t:none,log,deny,status:400,msg:'Request body not readable as the upstream would read it',logdata:'%{REQBODY_ERROR_MSG}',tag:'mamori',tag:'mamori/strict-body'"`,
      `SecRule MULTIPART_STRICT_ERROR "!@eq 0" "id:${SETUP_IDS.multipartStrict},phase:2,t:none,log,deny,status:400,msg:'Multipart body ambiguous: readers may disagree on its parts',tag:'mamori',tag:'mamori/strict-body'"`,
    );
  }
  let id = SETUP_IDS.exclusions;
  for (const e of o.exclusions) {
    const problem = exclusionProblem(e);
    if (problem) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `waf.exclusions ${e.name}: ${problem}`);
    lines.push(...exclusionRules(e, id));
    id += e.paths.length;
  }
  // CRS's setup first, then mamori's pack (before CRS's rules, where CRS's plugins go, so that
  // CRS's 949110 decides on both), then CRS's rules; without CRS the pack decides itself.
  // CRS 3 names the paranoia levels otherwise and sums its scores in other variables than the
  // pack adds to: with CRS 3 the pack decides on its own scores (as when loaded after CRS).
  const crs3 = o.crs !== undefined && crsMajor(o.crs) === 3;
  if (o.crs) {
    if (o.crs.setupFile) lines.push(`Include ${q(o.crs.setupFile)}`);
    const vars = [
      ...(crs3 ? [`tx.paranoia_level=${o.paranoia}`, `tx.executing_paranoia_level=${o.paranoia}`] : [`tx.blocking_paranoia_level=${o.paranoia}`, `tx.detection_paranoia_level=${o.paranoia}`]),
      `tx.inbound_anomaly_score_threshold=${o.inboundThreshold}`,
      `tx.outbound_anomaly_score_threshold=${o.outboundThreshold}`,
      ...Object.entries(o.crsSettings ?? {}).map(([k, v]) => {
        const problem = crsSettingProblem(k, v);
        if (problem) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `waf.crs_settings.${k.slice(0, 64)}: ${problem}`);
        return `tx.${k}=${v}`;
      }),
    ].map((v) => `setvar:'${v}'`);
    // Rule 910000 (IP reputation) needs a persistent collection: mamori's decisions do that job.
    lines.push(`SecAction "id:${SETUP_IDS.crsSettings},phase:1,pass,nolog,ctl:ruleRemoveById=910000,${vars.join(',')}"`);
  }
  if (crs3 && !Object.hasOwn(o.crsSettings ?? {}, 'restricted_headers')) {
    // CRS 3.3.4 restricts four headers; CRS 4 also the method overrides and Next.js's middleware
    // header (CVE-2025-29927). Unless crs-setup.conf or waf.crs_settings says otherwise, CRS 4's list.
    lines.push(`SecRule &TX:restricted_headers "@eq 0" "id:${SETUP_IDS.crs3Headers},phase:1,pass,nolog,setvar:'tx.restricted_headers=${CRS4_RESTRICTED_HEADERS}'"`);
  }
  if (ownRules && crs3) {
    lines.push(`SecAction "id:${SETUP_IDS.packSettings},phase:1,pass,nolog,setvar:tx.mamori_paranoia_level=${o.paranoia},setvar:tx.mamori_inbound_threshold=${o.inboundThreshold},setvar:tx.mamori_after_crs=1"`);
  } else if (ownRules && !o.crs) {
    lines.push(`SecAction "id:${SETUP_IDS.packSettings},phase:1,pass,nolog,setvar:tx.mamori_paranoia_level=${o.paranoia},setvar:tx.mamori_inbound_threshold=${o.inboundThreshold}"`);
  }
  if (ownRules) lines.push(`Include ${q(join(ownRules, 'mamori-*.conf'))}`);
  if (o.crs) for (const f of crsRuleFiles(o.crs)) lines.push(`Include ${q(f)}`);
  for (const f of o.ruleFiles) lines.push(`Include ${q(f)}`);
  // Last: a pattern that needs backtracking (CRS 3, users' rules) and ran out of steps did not
  // match, as in PCRE; what the rules could not finish reading is refused rather than passed.
  lines.push(
    `SecRule TX:MSC_PCRE_LIMITS_EXCEEDED "@eq 1" "id:${SETUP_IDS.regexLimits},phase:2,t:none,log,deny,status:403,msg:'A regular expression ran out of steps: the request was not read to the end',tag:'mamori',tag:'mamori/regex-limits'"`,
    `SecRule TX:MSC_PCRE_LIMITS_EXCEEDED "@eq 1" "id:${SETUP_IDS.regexLimitsResponse},phase:4,t:none,log,deny,status:403,msg:'A regular expression ran out of steps: the answer was not read to the end',tag:'mamori',tag:'mamori/regex-limits'"`,
  );
  return `${lines.join('\n')}\n`;
}

/** Loads the WAF mamori runs: setup, CRS, own pack, user rules. */
export function loadProductWaf(o: WafProductOptions): LoadedProductWaf {
  const warnings: string[] = [];
  const own = o.ownRules ? ownRulesDir() : undefined;
  if (own !== undefined && !existsSync(own)) throw new MamoriError('MAMORI_ERR_WAF_RULES', `mamori's own rule pack is missing from ${own}: the package is incomplete`);
  const text = productSetupText(o, own);
  const waf = loadWaf({ text, file: '<the WAF setup from mamori.yaml>', sqliDataDir: o.sqliDataDir, withoutSqliData: 'drop', unrunnable: 'drop' });
  // One warning per reason, naming the rules (most rule sets leave out none or a few).
  const byWhy = new Map<string, string[]>();
  for (const r of waf.left) byWhy.set(r.why, [...(byWhy.get(r.why) ?? []), `${r.id} (${r.file}:${r.line})`]);
  if (o.crs && crsMajor(o.crs) === 3) {
    warnings.push("CRS 3 keeps per-address state in persistent collections (initcol: the IP collection), which mamori does not keep: its DoS protection (912) and reputation flags (910) never fire; use mamori's rate_limits and decisions for those");
  }
  for (const [why, rules] of byWhy) {
    const hint = why.startsWith('@detectSQLi') ? ': set waf.libinjection or MAMORI_LIBINJECTION_DIR' : '';
    warnings.push(`${rules.length === 1 ? 'rule' : 'rules'} ${rules.slice(0, 12).join(', ')}${rules.length > 12 ? ` and ${rules.length - 12} more` : ''} left out: ${why}${hint}`);
  }
  return { waf, crs: o.crs, ownRules: own, warnings };
}
