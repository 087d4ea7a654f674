// red-team harness: scans a text with the base (663b3b4) and this worktree's scanner, in process.
import { readFileSync } from 'node:fs';
const base = await import('/work/wt-base/packages/host/dist/scan/scanner.js');
const cur = await import('/work/wt-rt22/packages/host/dist/scan/scanner.js');
const main = await import('/work/main/packages/host/dist/scan/scanner.js');
const sm = main.createScanner({});
const sb = base.createScanner({}), sc = cur.createScanner({});
export function both(text, path = '/www/x.php') {
  const buf = Buffer.from(text, 'latin1');
  let t = performance.now(); const rb = sb.scanBuffer(buf, path); const tb = performance.now() - t;
  t = performance.now(); const rc = sc.scanBuffer(buf, path); const tc = performance.now() - t;
  const rm = sm.scanBuffer(buf, path);
  return { main: rm.verdict, base: rb.verdict, cur: rc.verdict, tb: Math.round(tb), tc: Math.round(tc), rules: rc.findings.map((f) => f.rule + '@' + f.line) };
}
export const WP = readFileSync('/var/cache/mamori-ci/wordpress/usr/share/wordpress/wp-includes/formatting.php', 'latin1').replace(/\s*$/, '');
