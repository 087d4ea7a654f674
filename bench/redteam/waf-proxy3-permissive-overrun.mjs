// Third pass: "out of steps counts as a match" is fail-closed for a rule that refuses, and
// fail-OPEN for a rule whose match lets something through: an exclusion (ctl:ruleRemove*,
// ctl:ruleEngine=Off), an allow, a skipAfter over checks. docs/waf-regex.md says users' rules may
// use look-around and back-references; such a pattern runs in the bounded backtracker, and an
// attacker who makes it run out of steps gets its permissive action.
//
// The rule here is an editor's exclusion as one would write it (`waf.rules`, loaded last):
//   drafts are saved with ?action=save-<words>, never ending in _, and hold HTML, so the XSS rules
//   are taken off for them:
//   SecRule ARGS_GET:action "@rx ^(?:save|autosave)-(?:[a-z]+_?)+(?<!_)$" "...ctl:ruleRemoveByTag=attack-xss"
// `save-aaaa...a_` passes the linear prefilter (the look-behind removed, the pattern matches) and then
// backtracks through every split of the letters before the look-behind says no: out of steps, the
// rule "matches" and the XSS rules are gone for the request. PCRE2 stops at its match limit
// (ModSecurity: an error, the rule does not match, the XSS rules stay). Works with CRS 3 or CRS 4.
// node bench/redteam/waf-proxy3-permissive-overrun.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CRS3, pcre2 } from './waf-proxy3-lib.mjs';
import { CRS, startUpstream, startMamori, raw, rawReq, report, results, reached } from './waf-proxy-lib.mjs';

const PATTERN = '^(?:save|autosave)-(?:[a-z]+_?)+(?<!_)$';
const ruleFile = join(tmpdir(), `mamori-rt3-editor-${process.pid}.conf`);
writeFileSync(ruleFile, `# Drafts hold HTML: no XSS rules for the editor's save actions.
SecRule ARGS_GET:action "@rx ${PATTERN}" \\
    "id:1000010,phase:1,pass,nolog,t:none,ctl:ruleRemoveByTag=attack-xss"
`);

const XSS = '<script>alert(document.cookie)</script>';
const enc = encodeURIComponent;
const up = await startUpstream();
for (const [name, crs] of [['CRS 3.3.4', CRS3], ['CRS 4', CRS]]) {
  const m = await startMamori(up.url, { waf: { crs, paranoia: 1, block_sources: { after: 0 }, rules: [ruleFile] } });
  try {
    const get = async (action) => {
      const since = up.seen.length;
      const st = (await raw(m.port, rawReq({ target: `/editor?action=${enc(action)}&content=${enc(XSS)}` }), { timeoutMs: 10_000 })).statuses[0];
      return { st, through: reached(up, 'alert', since) };
    };
    const legit = await get('save-draft');
    const other = await get('publish');
    const bomb = `save-${'a'.repeat(40)}_`;
    const attack = await get(bomb);
    const pc = pcre2(PATTERN, ['save-draft', 'publish', bomb]);
    const pcLimit = pcre2(PATTERN, [bomb], { matchLimit: 1000 });
    console.log(`INFO    ${name}: action=save-draft (the exclusion applies, as meant): ${legit.st}; action=publish (XSS rules on): ${other.st}; PCRE2 on save-draft / publish / the attack: ${pc.join(' / ')} (with ModSecurity 2's match limit 1000: ${pcLimit[0]})`);
    report(!(attack.st === 200 && attack.through), `${name}: action=${bomb.slice(0, 14)}...a_ (out of steps) does not take the XSS rules off`, `status ${attack.st}, XSS reached the upstream: ${attack.through}`);
  } finally {
    await m.stop();
  }
}
await up.close();
console.log(`\n${results.findings} finding(s)`);
