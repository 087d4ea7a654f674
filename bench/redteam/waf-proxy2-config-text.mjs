// Second pass on the WAF settings written into rule text from mamori.yaml (waf/product.ts:
// crs_settings values, exclusions), checked by crsSettingProblem / exclusionProblem. Run in
// process against the built package: a FINDING is a value that reaches the rule text and changes
// what the rules do beyond the one setting, or a setting that silently undoes another key.
//
//   node bench/redteam/waf-proxy2-config-text.mjs
import { loadProductWaf, productSetupText } from '../../packages/mamori/dist/waf/product.js';
import { locateCrs } from '../../packages/mamori/dist/waf/crs-locate.js';
import { CRS, LIBINJECTION, report, results } from './waf-proxy-lib.mjs';

const crs = locateCrs(CRS);
const base = { paranoia: 2, inboundThreshold: 5, outboundThreshold: 4, requestBodyLimit: 8 << 20, requestBodyNoFilesLimit: 131072, maxArguments: 1000, responseBody: false, strict: true, exclusions: [], ruleFiles: [], ownRules: true, crs, sqliDataDir: LIBINJECTION };
const line = (o) => productSetupText(o, undefined).split('\n').find((l) => l.includes('tx.blocking_paranoia_level'));
const loads = (o) => {
  try {
    loadProductWaf(o);
    return 'loaded';
  } catch (e) {
    return `refused: ${String(e.message).split('\n').pop().slice(0, 110)}`;
  }
};

// 1. A double quote is not refused by crsSettingProblem: it ends the SecAction's action string.
for (const v of ['GET POST",ctl:ruleEngine=Off,"x', 'GET"']) {
  const o = { ...base, crsSettings: { allowed_methods: v } };
  const text = line(o);
  const broke = text.includes(`${v}'"`) && text.split('"').length > 3;
  report(!broke, `crs_settings value with a double quote is refused by its own check (${JSON.stringify(v)})`, `it reached the rule text, the engine then ${loads(o)} (the error names the setup's line 14, not waf.crs_settings)`);
}
// 2. Macros: %{...} in a setvar value is expanded per request.
{
  const o = { ...base, crsSettings: { allowed_methods: 'GET POST %{REQUEST_HEADERS.x-allow}' } };
  report(loads(o) !== 'loaded', 'crs_settings value with a macro (%{REQUEST_HEADERS.x-allow}) is refused', `${loads(o)}: a request header would then extend allowed_methods per request`);
}
// 3. Settings mamori writes itself: crs_settings comes after them and wins.
for (const [k, v, what] of [
  ['blocking_paranoia_level', '1', 'waf.paranoia 2 silently becomes 1'],
  ['inbound_anomaly_score_threshold', '10000', 'waf.inbound_threshold 5 silently becomes 10000: nothing is refused'],
  ['detection_paranoia_level', '1', 'detection paranoia lowered'],
]) {
  const o = { ...base, crsSettings: { [k]: v } };
  const text = line(o);
  const later = text.lastIndexOf(`tx.${k}=${v}`) > text.indexOf(`tx.${k}=`);
  report(!(loads(o) === 'loaded' && later), `crs_settings.${k} cannot undo a key mamori writes itself`, `${loads(o)}; ${what}`);
}
// 4. Exclusion targets: a regex selector takes every argument out of a rule (by design in SecLang;
// listed as INFO so that the docs say so).
{
  const o = { ...base, exclusions: [{ name: 'x', paths: ['/api/*'], ruleIds: [{ from: 942100, to: 942100 }], tags: [], targets: ['ARGS:/.*/'], methods: [] }] };
  console.log(`INFO    exclusion target ARGS:/.*/ (a regex selector, every argument) -- ${loads(o)}`);
}
console.log(`${results.findings} finding(s)`);
