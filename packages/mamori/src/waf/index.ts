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
}

export class Waf {
  readonly rules: CompiledRules;
  /** Rules left out at load (see WafLoadOptions.withoutSqliData). */
  readonly dropped: readonly number[];
  #next = 0;

  constructor(rules: CompiledRules, dropped: readonly number[] = []) {
    this.rules = rules;
    this.dropped = dropped;
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
  let dropped: number[] = [];
  if (!sqli && options.withoutSqliData === 'drop') dropped = dropRules(loaded.config, (r) => r.operator?.name === 'detectSQLi');
  try {
    const rules = compileSecLang(loaded.config, {
      compileRegex: (source) => compilePattern(source),
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
    return new Waf(rules, dropped);
  } catch (err) {
    // Rules that use @detectSQLi without its data: say why the data is missing.
    if (sqliProblem !== undefined && err instanceof MamoriError) throw new MamoriError(err.code, `${err.message}
  (${sqliProblem})`, { cause: err });
    throw err;
  }
}

/** Takes out of a loaded configuration every rule (whole chain) one of whose links `bad` picks; their ids. */
function dropRules(config: SecLangConfig, bad: (r: Rule) => boolean): number[] {
  const gone = new Set<Rule>(config.rules.filter((r) => bad(r) || r.chain.some(bad)));
  if (gone.size === 0) return [];
  config.rules = config.rules.filter((r) => !gone.has(r));
  config.directives = config.directives.filter((d) => !(d.kind === 'rule' && gone.has(d)));
  return [...gone].map((r) => r.id ?? 0);
}

export { crsSetup, crsTestSetup, type CrsSetupOptions } from './ftw/crs-setup.js';
export { crsRuleFiles, crsVersion, formatCrsSearch, locateCrs, type CrsLocation, type CrsLook, type CrsSearch, type CrsSource, type LocateCrsOptions } from './crs-locate.js';
export { ftwTestFiles, parseFtwFile, requestBytes, type FtwFile, type FtwTest } from './ftw/ftw.js';
export { runFtwTests, runStage, logLine, type FtwResult } from './ftw/runner.js';
export { ftwBackend, runFtwTestsOverHttp, TransactionFeed, type HttpRunOptions } from './ftw/http.js';
export { parseRawRequest } from './request/raw.js';
export type { WafRequest } from './request/request.js';
export type { CompiledRules, Interruption, MatchedRule, Transaction } from './engine/transaction.js';
export { countUsage, formatErrors, loadSecLangFiles, supportMatrix } from './seclang/index.js';
