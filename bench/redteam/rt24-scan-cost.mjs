// Cost of session 24's flow reading on hostile shapes (2 MiB PHP, 500 KiB ASPX), in process, for one build:
//   node bench/redteam/rt24-scan-cost.mjs [ROOT]   (ROOT: a checkout with packages/host/dist built; default this one)
const root = process.argv[2] ?? new URL("../..", import.meta.url).pathname;
const { createScanner } = await import(`${root}/packages/host/dist/scan/scanner.js`);
const s = createScanner({});
const MIB = 1 << 20;
const head = "<?php $c = $_GET['c']; function r($c) { return shell_exec($c); }\n";
const units = ["if (in_array($c, [1])) { $c = ''; }\n", 'if ((((((((((((((((((((', "if (strlen($c)) $c = '';\n", "define('K', $_GET['k']); echo K;\n", 'function a($c) { return r($c); ', 'unlink($c); scandir($c); ', "use function a\\b as c;\n", "if (!is_numeric($c)) { exit; }\n", "if($c)$c=1;", "function a($c){function b($c){r($c);", "if (in_array($c, [1])) r($c);\n", "$x = fmt('system', $c);\n"];
for (const unit of units) {
  const src = head + unit.repeat(Math.floor((2 * MIB) / unit.length));
  const t = performance.now();
  const r = await s.scanBuffer(Buffer.from(src, 'latin1'), '/www/x.php');
  console.log(((performance.now() - t) / 1000).toFixed(2).padStart(7), r.verdict.padEnd(10), JSON.stringify(unit));
}
const asp = ['var r = Request;\n', 'Dim r = Request\n', 'HttpRequest r = HttpContext.Current.Request; r["c"];\n', 'var q = Request.Form; Process.Start("cmd.exe", q["c"]);\n'];
for (const unit of asp) {
  const src = '<%@ Page Language="C#" %>\n<script runat="server">\n' + unit.repeat(Math.floor((500 * 1024) / unit.length));
  const t = performance.now();
  const r = await s.scanBuffer(Buffer.from(src, 'latin1'), '/www/a.aspx');
  console.log(((performance.now() - t) / 1000).toFixed(2).padStart(7), r.verdict.padEnd(10), 'aspx', JSON.stringify(unit));
}
