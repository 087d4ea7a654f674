// S23R: benign large PHP files where the definition linking might make a verdict malicious.
// node bench/redteam/rt23-excerpt-benign.mjs
import { createScanner } from '../../packages/host/dist/scan/scanner.js';
import { longFile } from '../../packages/host/dist/scan/scan-test-kit.js';

const host = longFile(120);
const atTop = (def) => host.replace('<?php\n', `<?php\n${def}\n`);
export const cases = [
  ['escapeshellarg at the call', atTop('function run_cmd($c) { exec($c, $out); return $out; }') + '\n$log = run_cmd("git log --oneline " . escapeshellarg($_GET["branch"] ?? "main"));\n'],
  ['escapeshellarg into a variable first', atTop('function run_cmd($c) { return shell_exec($c); }') + '\n$b = escapeshellarg($_GET["branch"] ?? "main");\necho htmlspecialchars(run_cmd("git log " . $b));\n'],
  ['(int) cast at the call', atTop('function tail_log($n) { return shell_exec("tail -n " . $n . " /var/log/app.log"); }') + '\necho htmlspecialchars(tail_log((int) $_GET["n"]));\n'],
  ['admin action switch, fixed commands', atTop('function backup_db() { return shell_exec("mysqldump shop > /tmp/shop.sql"); }\nfunction clear_cache() { exec("rm -rf /var/cache/shop/*"); }') + '\nif (($_POST["action"] ?? "") === "backup") { echo backup_db(); } elseif (($_POST["action"] ?? "") === "clear") { clear_cache(); }\n'],
  ['helper with escapeshellarg inside, input at call', atTop('function ping_host($h) { return shell_exec("ping -c 1 " . escapeshellarg($h)); }') + '\necho htmlspecialchars(ping_host($_GET["host"]));\n'],
  ['helper with escapeshellcmd inside', atTop('function run_tool($a) { return shell_exec(escapeshellcmd("/usr/bin/convert " . $a)); }') + '\necho run_tool($_GET["size"]);\n'],
  ['whitelist at the call', atTop('function svc($n) { return shell_exec("systemctl status " . $n); }') + '\n$n = $_GET["svc"]; if (in_array($n, ["nginx", "php-fpm"], true)) { echo htmlspecialchars(svc($n)); }\n'],
  ['closure logger called with input', atTop('$say = function ($m) { error_log($m); exec("logger -t shop ok"); };') + '\n$say("visit from " . $_SERVER["REMOTE_ADDR"]);\n'],
  ['method named like the runner', atTop('class Git { public function run($a) { return shell_exec("git " . escapeshellarg($a)); } }\nfunction run($a) { return strtoupper($a); }') + '\necho htmlspecialchars(run($_GET["x"]));\n'],
  ['preg_match validated', atTop('function conv($f) { return shell_exec("convert " . $f . " out.png"); }') + '\n$f = $_GET["f"] ?? ""; if (preg_match("/^[a-z0-9]+\\.jpg$/", $f)) { echo conv($f); }\n'],
];
if (import.meta.url === `file://${process.argv[1]}`) {
  const scanner = createScanner({});
  for (const [name, src] of cases) {
    const r = await scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/shop/util.php');
    console.log(`${r.verdict.padEnd(10)} ${name}  ${r.findings.map((f) => f.rule + ':' + f.description.slice(0, 120)).join(' | ')}`);
  }
}
