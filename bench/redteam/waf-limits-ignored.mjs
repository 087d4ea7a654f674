// Red team finding (issue 11): SecArgumentsLimit, SecRequestBodyLimit (and NoFiles) and
// SecRequestBodyJsonDepthLimit were accepted by the parser but changed nothing: arguments past
// 10,000 were dropped without a flag, and a 1 MB body was read whole. Now applied (docs/waf.md,
// "Limits"): each line below shows one limit at work. node bench/redteam/waf-limits-ignored.mjs
import { loadWaf, parseRawRequest } from 'mamori/waf';
import { blockingSetup, CRS, form, req } from './waf-lib.mjs';
import { join } from 'node:path';
const wafWith = (limits) => loadWaf({ text: limits.join('\n') + '\n' + blockingSetup(), file: join(CRS, 'x.conf'), sqliDataDir: '/work/shared/data/libinjection' });
const show = (waf, label, raw) => {
  const tx = waf.transaction(parseRawRequest(raw).request);
  const t0 = process.cpuUsage();
  const it = tx.processRequestHeaders() ?? tx.processRequestBody();
  const d = process.cpuUsage(t0);
  const g = (n) => tx.vars.get(n)?.entries.map((e) => e.value).join('|');
  console.log(label.padEnd(44), 'status', it?.status ?? 200, 'ARGS', tx.vars.get('ARGS')?.entries.length, 'INBOUND_DATA_ERROR', g('INBOUND_DATA_ERROR') ?? '-', 'REQBODY_ERROR', g('REQBODY_ERROR') ?? '-', 'cpu', ((d.user + d.system) / 1000).toFixed(0), 'ms', it?.reason ?? g('REQBODY_ERROR_MSG') ?? '');
};
const args = wafWith(['SecArgumentsLimit 100']);
show(args, '500 args (SecArgumentsLimit 100)', form(Array.from({ length: 500 }, (_, i) => `a${i}=1`).join('&')));
const reject = wafWith(['SecRequestBodyNoFilesLimit 1024', 'SecRequestBodyLimit 1024', 'SecRequestBodyLimitAction Reject']);
show(reject, '1 MB body (limit 1024, Reject)', form('a=' + 'x'.repeat(1 << 20)));
const partial = wafWith(['SecRequestBodyNoFilesLimit 1024', 'SecRequestBodyLimit 1024', 'SecRequestBodyLimitAction ProcessPartial']);
show(partial, '1 MB body (limit 1024, ProcessPartial)', form('a=' + 'x'.repeat(1 << 20)));
const json = wafWith(['SecRequestBodyJsonDepthLimit 4']);
show(json, 'JSON depth 10 (SecRequestBodyJsonDepthLimit 4)', req({ headers: { 'Content-Type': 'application/json' }, body: '['.repeat(10) + '1' + ']'.repeat(10) }));
