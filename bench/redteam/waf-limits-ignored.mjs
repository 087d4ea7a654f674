// SecArgumentsLimit, SecRequestBodyNoFilesLimit and SecRequestBodyJsonDepthLimit are accepted by the
// parser but change nothing: arguments past 10,000 are still dropped without a flag, and a 1 MB
// body is read whole. node bench/redteam/waf-limits-ignored.mjs
import { loadWaf, parseRawRequest } from 'mamori/waf';
import { blockingSetup, CRS, form, req } from './waf-lib.mjs';
import { join } from 'node:path';
const limits = ['SecArgumentsLimit 100', 'SecRequestBodyNoFilesLimit 1024', 'SecRequestBodyLimit 1024', 'SecRequestBodyLimitAction Reject', 'SecRequestBodyJsonDepthLimit 4'];
const waf = loadWaf({ text: limits.join('\n') + '\n' + blockingSetup(), file: join(CRS, 'x.conf'), sqliDataDir: '/work/shared/data/libinjection' });
const show = (label, raw) => {
  const tx = waf.transaction(parseRawRequest(raw).request);
  const t0 = process.cpuUsage();
  const it = tx.processRequestHeaders() ?? tx.processRequestBody();
  const d = process.cpuUsage(t0);
  const g = (n) => tx.vars.get(n)?.entries.map((e) => e.value).join('|');
  console.log(label.padEnd(34), 'status', it?.status ?? 200, 'ARGS', tx.vars.get('ARGS')?.entries.length, 'REQBODY_ERROR', g('REQBODY_ERROR'), 'cpu', ((d.user + d.system) / 1000).toFixed(0), 'ms');
};
show('500 args (limit 100)', form(Array.from({ length: 500 }, (_, i) => `a${i}=1`).join('&')));
show('1 MB body (limit 1024)', form('a=' + 'x'.repeat(1 << 20)));
show('JSON depth 10 (limit 4)', req({ headers: { 'Content-Type': 'application/json' }, body: '['.repeat(10) + '1' + ']'.repeat(10) }));
