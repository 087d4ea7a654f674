// Shared harness for the WAF red-team scripts: CRS v4.28.0 blocking at paranoia level 1.
import { crsSetup, loadWaf, parseRawRequest } from 'mamori/waf';
import { join } from 'node:path';
export const CRS = process.env.CRS_DIR ?? '/work/shared/data/crs';
export function blockingSetup(crsDir = CRS, pl = 1) {
  // WAF_STRICT=1: ModSecurity's recommended refusals (modsecurity.conf-recommended 200002/200003), which CRS does not carry.
  const strict = process.env.WAF_STRICT === '1' ? [
    'SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:400,msg:\'Failed to parse request body\'"',
    'SecRule MULTIPART_STRICT_ERROR "!@eq 0" "id:200003,phase:2,t:none,log,deny,status:400,msg:\'Multipart strict error\'"',
  ] : [];
  return crsSetup(crsDir, { engine: 'On', paranoia: pl, before: strict });
}
let waf;
export function getWaf() {
  waf ??= loadWaf({ text: blockingSetup(), file: join(CRS, 'mamori-redteam-setup.conf'), sqliDataDir: '/work/shared/data/libinjection' });
  return waf;
}
/** Run one raw request; returns {status, ids, cpuMs, error, problem}. */
export function run(raw) {
  const w = getWaf();
  const p = parseRawRequest(raw);
  if (!p.request) return { problem: p.problem, status: 400, ids: [], cpuMs: 0 };
  const t0 = process.cpuUsage(); const w0 = performance.now();
  let it, error, tx;
  try {
    tx = w.transaction(p.request);
    it = tx.processRequestHeaders() ?? tx.processRequestBody();
  } catch (e) { error = e; }
  const d = process.cpuUsage(t0);
  return { status: it?.status ?? (it ? 403 : 200), ids: tx ? tx.matched.filter((m) => m.logged).map((m) => m.id) : [], matched: tx?.matched, cpuMs: (d.user + d.system) / 1000, wallMs: performance.now() - w0, error, tx };
}
export function req({ method = 'POST', path = '/', headers = {}, body = '' } = {}) {
  const h = { Host: 'localhost', 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', Accept: 'text/html', ...headers };
  if (body !== '' || method === 'POST') h['Content-Length'] ??= String(Buffer.byteLength(body, 'latin1'));
  return `${method} ${path} HTTP/1.1\r\n` + Object.entries(h).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\n' + body;
}
export const form = (body, extra = {}) => req({ headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...extra }, body });
