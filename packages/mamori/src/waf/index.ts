/**
 * The WAF, loaded: rule files (or SecLang text) parsed, compiled with mamori's linear-time
 * regular expressions and SQL-injection and XSS detectors, and ready to open a transaction per
 * request. The pieces are exported for tools (the CLI's `waf` command, tests).
 */
import { MamoriError } from '../core/errors.js';
import { compileSecLang } from './engine/compile.js';
import { Transaction, type CompiledRules } from './engine/transaction.js';
import type { WafRequest } from './request/request.js';
import { compilePattern } from './regex.js';
import { formatErrors, loadSecLangFiles, parseSecLang } from './seclang/index.js';
import type { Rule, SecLangConfig } from './seclang/ast.js';
import { detectSqli, loadSqliData, type SqliData } from './sqli/sqli.js';
import { detectXss } from './xss/xss.js';
import { openCountryDatabase } from '../guard/geo.js';
import { isAbsolute, join, dirname } from 'node:path';

export interface WafLoadOptions {
  /** Rule files (globs are not expanded here; `Include` inside them is). */
  readonly files?: readonly string[];
  /** SecLang text instead of files (`file` names it in errors; its Includes are relative to it). */
  readonly text?: string;
  readonly file?: string;
  /**
   * libinjection's data directory, for @detectSQLi (default: $MAMORI_LIBINJECTION_DIR, then
   * the shared data beside a clone). Rules that use @detectSQLi are refused when it is missing.
   */
  readonly sqliDataDir?: string;
  /**
   * Without libinjection's data: refuse rules that use @detectSQLi (the default), or drop them
   * (whole chains) and list their ids in `Waf.dropped`, for a product that says so at start.
   */
  readonly withoutSqliData?: 'refuse' | 'drop';
  /**
   * Rules that use an operator mamori does not run (`@rbl`: a DNS query per request; see
   * NOT_RUN): refuse them (the default), or drop them (whole chains), listed in `Waf.left`,
   * for a product loading a third party's rule set (CRS 3's IP-reputation rules use @rbl).
   */
  readonly unrunnable?: 'refuse' | 'drop';
}

/** Operators SecLang has that mamori does not run, and why. */
const NOT_RUN: Readonly<Record<string, string>> = {
  rbl: '@rbl asks a DNS block list about every client, a network query on each request that mamori does not make',
};

/** A rule left out at load, and why. */
export interface LeftOutRule {
  readonly id: number;
  readonly file: string;
  readonly line: number;
  readonly why: string;
}

export class Waf {
  readonly rules: CompiledRules;
  /** Ids of the rules left out at load (see WafLoadOptions.withoutSqliData and unrunnable). */
  readonly dropped: readonly number[];
  /** The rules left out at load, with where they are and why. */
  readonly left: readonly LeftOutRule[];
  #next = 0;

  constructor(rules: CompiledRules, left: readonly LeftOutRule[] = []) {
    this.rules = rules;
    this.left = left;
    this.dropped = left.map((r) => r.id);
  }

  /** A transaction for one request; run its phases in order. */
  transaction(req: WafRequest): Transaction {
    this.#next = (this.#next + 1) % Number.MAX_SAFE_INTEGER;
    return new Transaction(this.rules, req, `${Date.now().toString(36)}-${this.#next.toString(36)}`);
  }
}

export function loadWaf(options: WafLoadOptions): Waf {
  const loaded = options.text !== undefined ? parseSecLang(options.text, options.file ?? '<inline>') : loadSecLangFiles(options.files ?? []);
  if (!loaded.ok) throw new MamoriError('MAMORI_ERR_WAF_RULES', `the rules could not be read:\n${formatErrors(loaded.errors)}`, { location: `${loaded.errors[0]?.file}:${loaded.errors[0]?.line}` });
  let sqli: SqliData | undefined;
  let sqliProblem: string | undefined;
  try {
    sqli = loadSqliData(options.sqliDataDir);
  } catch (err) {
    sqliProblem = (err as Error).message;
  }
  const left: LeftOutRule[] = [];
  if (!sqli && options.withoutSqliData === 'drop') left.push(...dropRules(loaded.config, (r) => (r.operator?.name === 'detectSQLi' ? `@detectSQLi needs libinjection's data (${sqliProblem ?? 'missing'})` : undefined)));
  if (options.unrunnable === 'drop') left.push(...dropRules(loaded.config, (r) => (r.operator ? NOT_RUN[r.operator.name] : undefined)));
  // @geoLookup: the last SecGeoLookupDb's file (relative to the file that names it), else the database mamori ships; opened once, when a rule needs it.
  const geoDb = loaded.config.directives.filter((d) => d.kind === 'setting' && d.name === 'SecGeoLookupDb').pop();
  let geo: ReturnType<typeof openCountryDatabase> | undefined;
  const geoLookup = () => {
    if (geo) return geo;
    const arg = geoDb?.kind === 'setting' ? geoDb.args[0] : undefined;
    const path = arg === undefined ? undefined : isAbsolute(arg) ? arg : join(dirname(geoDb!.file), arg);
    geo = openCountryDatabase(path);
    return geo;
  };
  try {
    const rules = compileSecLang(loaded.config, {
      geo: geoLookup,
      compileRegex: (source) => compilePattern(source, { backtracking: true }),
      detectors: {
        // A match carries the fingerprint: with `capture`, TX:0 holds it, as ModSecurity logs it (CRS's 942100).
        ...(sqli
          ? {
              sqli: (v: string) => {
                const r = detectSqli(v, sqli);
                return r.sqli ? [r.fingerprint] : false;
              },
            }
          : {}),
        xss: (v: string) => detectXss(v),
      },
    });
    return new Waf(rules, left);
  } catch (err) {
    // Rules that use @detectSQLi without its data: say why the data is missing.
    if (sqliProblem !== undefined && err instanceof MamoriError) throw new MamoriError(err.code, `${err.message}
  (${sqliProblem})`, { cause: err });
    throw err;
  }
}

/** Takes out of a loaded configuration every rule (whole chain) for one of whose links `why` gives a reason. */
function dropRules(config: SecLangConfig, why: (r: Rule) => string | undefined): LeftOutRule[] {
  const gone = new Map<Rule, string>();
  for (const r of config.rules) {
    const reason = [r, ...r.chain].map(why).find((w) => w !== undefined);
    if (reason !== undefined) gone.set(r, reason);
  }
  if (gone.size === 0) return [];
  config.rules = config.rules.filter((r) => !gone.has(r));
  config.directives = config.directives.filter((d) => !(d.kind === 'rule' && gone.has(d)));
  return [...gone].map(([r, reason]) => ({ id: r.id ?? 0, file: r.file, line: r.line, why: reason }));
}

export { compilePattern, type CompiledPattern } from './regex.js';
export { crsSetup, crsTestSetup, type CrsSetupOptions } from './ftw/crs-setup.js';
export { crsRuleFiles, crsVersion, formatCrsSearch, locateCrs, type CrsLocation, type CrsLook, type CrsSearch, type CrsSource, type LocateCrsOptions } from './crs-locate.js';
export { ftwTestFiles, parseFtwFile, requestBytes, type FtwFile, type FtwTest } from './ftw/ftw.js';
export { runFtwTests, runStage, logLine, type FtwResult } from './ftw/runner.js';
export { ftwBackend, runFtwTestsOverHttp, TransactionFeed, type HttpRunOptions } from './ftw/http.js';
export { parseRawRequest } from './request/raw.js';
export type { WafRequest } from './request/request.js';
export type { CompiledRules, Interruption, MatchedRule, Transaction } from './engine/transaction.js';
export { countUsage, formatErrors, loadSecLangFiles, supportMatrix } from './seclang/index.js';
