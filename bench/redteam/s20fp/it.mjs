// usage: node it.mjs BUILD_ROOT file...   in-process scanBuffer timing
import fs from 'node:fs';
const [root, ...files] = process.argv.slice(2);
const { createScanner } = await import(`${root}/packages/host/dist/scan/scanner.js`);
const sc = createScanner({});
sc.scanBuffer(Buffer.from('<?php echo 1;'), '/w/x.php');
for (const f of files) {
  const b = fs.readFileSync(f);
  const t = process.cpuUsage(); const t0 = Date.now();
  const r = sc.scanBuffer(b, '/www/x.php');
  const u = process.cpuUsage(t);
  console.log(`${f.split('/').pop()} ${root.split('/').pop()} ${((u.user + u.system) / 1e6).toFixed(2)}s cpu ${((Date.now() - t0) / 1000).toFixed(2)}s wall ${r.verdict} ${r.findings.map((x) => x.technique ?? x.rule).join(',')}`);
}
