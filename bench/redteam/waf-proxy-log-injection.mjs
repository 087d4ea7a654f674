// Log injection through what the WAF writes. Matched values are byte strings (one character per
// byte); JSON.stringify escapes C0 controls (ESC, CR, LF) but not C1 ones (0x80-0x9f), so a
// request byte 0x9b (CSI, a terminal's escape-and-bracket in one) lands in waf-audit.jsonl and in
// `mamori events --json` as U+009B, which terminals that honour C1 controls (xterm) execute: `cat`
// the audit log and the screen clears or the colours change. The same byte-for-character writing
// shows UTF-8 text (a Japanese comment that tripped a rule) as mojibake in the log. The events
// table strips control characters (OK).
//
//   node bench/redteam/waf-proxy-log-injection.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUpstream, startMamori, raw, rawReq, report, results, CLI, sleep } from './waf-proxy-lib.mjs';

const up = await startUpstream();
const m = await startMamori(up.url);
try {
  // An XSS (to be matched) followed by ESC [2J, LF, and C1 CSI 31m, percent-encoded in the query.
  await raw(m.port, rawReq({ target: '/x?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%1b%5b2J%0aFAKE%c2%9b2J%c2%9b31mRED', headers: { 'X-Forwarded-For': '203.0.113.90' } }));
  // UTF-8 text in a matched value.
  await raw(m.port, rawReq({ target: `/x?q=${encodeURIComponent('<script>alert("日本語")</script>')}`, headers: { 'X-Forwarded-For': '203.0.113.91' } }));
  await sleep(1000);
} finally {
  await m.stop({ keep: true });
  await up.close();
}
const audit = readFileSync(join(m.dataDir, 'waf-audit.jsonl'));
report(!audit.includes(0x1b) && !audit.toString('latin1').includes('\nFAKE'), 'no raw ESC or line break from the request in the audit log');
report(!audit.includes(Buffer.from([0xc2, 0x9b])), 'no C1 control (U+009B, CSI) in the audit log', audit.includes(Buffer.from([0xc2, 0x9b])) ? 'U+009B written as is' : '');
const json = spawnSync(process.execPath, [CLI, 'events', '--json', '-c', join(m.dir, 'mamori.yaml')], { cwd: m.dir }).stdout;
report(!json.includes(Buffer.from([0xc2, 0x9b])), 'no C1 control in `mamori events --json`', json.includes(Buffer.from([0xc2, 0x9b])) ? 'U+009B printed as is' : '');
const table = spawnSync(process.execPath, [CLI, 'events', '--each', '-c', join(m.dir, 'mamori.yaml')], { cwd: m.dir }).stdout;
report(!table.includes(0x1b) && !table.includes(Buffer.from([0xc2, 0x9b])), 'no control characters in the `mamori events` table');
const text = audit.toString('utf8');
const line = text.split('\n').find((l) => l.includes('203.0.113.91')) ?? '';
const data = line ? (JSON.parse(line).matched ?? []).map((x) => x.data).find((d) => d.includes('alert')) ?? '' : '';
const shown = data.slice(data.indexOf('alert(') + 6, data.indexOf('alert(') + 20);
report(data.includes('日本語'), 'UTF-8 text in a matched value reads as written in the audit log', `written as ${JSON.stringify(shown)}`);
console.log(`${results.findings} finding(s)`);
