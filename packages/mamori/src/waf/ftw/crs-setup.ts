/**
 * The engine setup CRS's regression tests are written against, as mamori runs them: the engine
 * in detection mode (every phase runs, so every rule that should log does), request and
 * response bodies read, JSON and XML bodies given their processors by Content-Type, and CRS's
 * test settings: paranoia level 4 (every rule live), UTF-8 validation on, bodies without a Content-Type read as forms (enforce_bodyproc_urlencoded), and the argument and
 * file limits its tests for rules 920360 to 920410 probe. Rule 910000 (IP reputation, which
 * needs a persistent collection) is left out. Our own text; the settings are CRS's documented
 * variables.
 */
export function crsTestSetup(crsDir: string): string {
  return crsSetup(crsDir, {
    engine: 'DetectionOnly',
    paranoia: 4,
    settings: ['tx.crs_validate_utf8_encoding=1', 'tx.enforce_bodyproc_urlencoded=1', 'tx.arg_name_length=100', 'tx.arg_length=400', 'tx.total_arg_length=64000', 'tx.max_num_args=255', 'tx.max_file_size=64100', 'tx.combined_file_sizes=65535'],
  });
}

export interface CrsSetupOptions {
  readonly engine: 'On' | 'DetectionOnly';
  /** CRS's blocking and detection paranoia level (1 to 4). */
  readonly paranoia: number;
  /** More CRS settings, as `setvar` values (`tx.name=value`). */
  readonly settings?: readonly string[];
  /** SecLang lines placed after CRS's setup and before its rules. */
  readonly before?: readonly string[];
}

/**
 * CRS loaded from a release directory under an engine setup: bodies read (a response body over
 * its limit read in part), JSON and XML bodies
 * given their processors by Content-Type, rule 910000 (IP reputation, which needs a persistent
 * collection) left out, the paranoia level and settings given.
 */
export function crsSetup(crsDir: string, o: CrsSetupOptions): string {
  const q = (p: string) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  const vars = [`tx.blocking_paranoia_level=${o.paranoia}`, `tx.detection_paranoia_level=${o.paranoia}`, ...(o.settings ?? [])].map((v) => `setvar:${v}`);
  return [
    `SecRuleEngine ${o.engine}`,
    'SecRequestBodyAccess On',
    'SecResponseBodyAccess On',
    'SecResponseBodyMimeType text/plain text/html text/xml application/json',
    // As ModSecurity's recommended configuration: a response over SecResponseBodyLimit is
    // inspected up to the limit and passed, not answered with 500 (v2's default, Reject).
    'SecResponseBodyLimitAction ProcessPartial',
    'SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\\+|/)|text/)xml" "id:9000001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"',
    'SecRule REQUEST_HEADERS:Content-Type "@rx ^application/(?:.+\\+)?json" "id:9000002,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"',
    `Include ${q(`${crsDir}/crs-setup.conf.example`)}`,
    `SecAction "id:9000003,phase:1,pass,nolog,ctl:ruleRemoveById=910000,${vars.join(',')}"`,
    ...(o.before ?? []),
    `Include ${q(`${crsDir}/rules/*.conf`)}`,
    '',
  ].join('\n');
}
