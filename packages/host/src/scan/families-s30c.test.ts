import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 30's third red team (bench/redteam/README-s30.md, S30C): harmless pages the widened upload,
// socket-shell, pseudo-terminal and joined-call rules called malicious, as it wrote them; and the upload into
// a folder the request names through Path.Combine (S30C-E1).
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

// [what, path, the file]
const BENIGN: [string, string, string][] = [
  ['S30C-1: an avatar upload saved where a helper of the page builds the path from the user id', '/www/avatar-upload.aspx', `<%@ Page Language="C#" AutoEventWireup="true" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    // Member profile: upload a new avatar picture. The user id comes from the query string but is
    // checked against the logged-in member; the file name is always <id>.jpg under ~/App_Data/avatars.
    static string AvatarPath(string userId)
    {
        int id = int.Parse(userId);
        return HttpContext.Current.Server.MapPath("~/App_Data/avatars/" + id.ToString() + ".jpg");
    }

    protected void Upload_Click(object sender, EventArgs e)
    {
        if (!User.Identity.IsAuthenticated || Profile.UserName != Request.QueryString["uid"]) { Response.StatusCode = 403; return; }
        if (!AvatarFile.HasFile) return;
        string ext = Path.GetExtension(AvatarFile.FileName).ToLowerInvariant();
        if (ext != ".jpg" && ext != ".jpeg") { Msg.Text = "JPEG only"; return; }
        AvatarFile.PostedFile.SaveAs(AvatarPath(Request.QueryString["uid"]));
        Msg.Text = "Saved.";
    }
</script>
<html><body><form runat="server">
<asp:FileUpload ID="AvatarFile" runat="server" />
<asp:Button ID="Go" runat="server" Text="Upload" OnClick="Upload_Click" />
<asp:Label ID="Msg" runat="server" />
</form></body></html>
`],
  ['S30C-2: a CMS media endpoint whose FileInfo of a request path is only read', '/www/MediaHandler.ashx', `<%@ WebHandler Language="C#" Class="MediaHandler" %>
using System;
using System.IO;
using System.Web;
using System.Web.SessionState;

// Media library endpoint for the back office: GET ?action=info&path=... returns size/date of a media item,
// POST action=upload stores a new item in the media root under a generated name.
public class MediaHandler : IHttpHandler, IRequiresSessionState
{
    static readonly string MediaRoot = HttpContext.Current.Server.MapPath("~/media");

    static string ResolveMediaPath(string relative)
    {
        string full = Path.GetFullPath(Path.Combine(MediaRoot, (relative ?? "").TrimStart('/', '\\\\')));
        if (!full.StartsWith(MediaRoot, StringComparison.OrdinalIgnoreCase)) throw new HttpException(403, "outside media root");
        return full;
    }

    public void ProcessRequest(HttpContext context)
    {
        if (!context.User.IsInRole("Editors")) { context.Response.StatusCode = 403; return; }
        context.Response.ContentType = "application/json";
        string action = context.Request.QueryString["action"];
        if (action == "info")
        {
            FileInfo fi = new FileInfo(ResolveMediaPath(context.Request.QueryString["path"]));
            if (!fi.Exists) { context.Response.StatusCode = 404; return; }
            context.Response.Write("{\\"size\\":" + fi.Length + ",\\"modified\\":\\"" + fi.LastWriteTimeUtc.ToString("o") + "\\"}");
        }
        else if (action == "upload" && context.Request.Files.Count > 0)
        {
            HttpPostedFile f = context.Request.Files[0];
            string ext = Path.GetExtension(f.FileName).ToLowerInvariant();
            if (Array.IndexOf(new[] { ".jpg", ".png", ".gif", ".pdf" }, ext) < 0) { context.Response.StatusCode = 415; return; }
            string name = Guid.NewGuid().ToString("N") + ext;
            f.SaveAs(Path.Combine(MediaRoot, name));
            context.Response.Write("{\\"path\\":\\"/media/" + name + "\\"}");
        }
    }

    public bool IsReusable { get { return false; } }
}
`],
  ['S30C-3: helpdesk attachments, the path a number in a fixed folder', '/www/DownloadUpload.ashx', `<%@ WebHandler Language="C#" Class="Attachments" %>
using System;
using System.IO;
using System.Web;

// Helpdesk ticket attachments: download an attachment by its id, or attach an upload to a ticket.
public class Attachments : IHttpHandler
{
    static string AttachmentPath(string id)
    {
        int n = int.Parse(id);
        return Path.Combine(HttpContext.Current.Server.MapPath("~/App_Data/attachments"), n.ToString("D8") + ".dat");
    }

    public void ProcessRequest(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (request.HttpMethod == "GET")
        {
            var fi = new FileInfo(AttachmentPath(request.QueryString["id"]));
            if (!fi.Exists) { context.Response.StatusCode = 404; return; }
            context.Response.ContentType = "application/octet-stream";
            context.Response.AddHeader("Content-Length", fi.Length.ToString());
            context.Response.TransmitFile(fi.FullName);
            return;
        }
        int ticket = int.Parse(request.Form["ticket"]);
        int id = Tickets.NewAttachmentId(ticket);
        request.Files[0].SaveAs(AttachmentPath(id.ToString()));
        context.Response.Write(id);
    }
    public bool IsReusable { get { return true; } }
}
`],
  ['S30C-4: a chunk upload appended to a file named by a checked GUID', '/www/ChunkUpload2.ashx', `<%@ WebHandler Language="C#" Class="ChunkUpload2" %>
using System;
using System.IO;
using System.Web;

public class ChunkUpload2 : IHttpHandler
{
    static string TempPathFor(string token)
    {
        Guid g;
        if (!Guid.TryParse(token, out g)) throw new HttpException(400, "bad token");
        return Path.Combine(HttpContext.Current.Server.MapPath("~/App_Data/chunks"), g.ToString("N") + ".part");
    }

    public void ProcessRequest(HttpContext context)
    {
        HttpPostedFile part = context.Request.Files[0];
        using (var fs = new FileStream(TempPathFor(context.Request["token"]), FileMode.Append))
        {
            part.InputStream.CopyTo(fs);
        }
        context.Response.Write("ok");
    }
    public bool IsReusable { get { return true; } }
}
`],
  ['S30C-5: a WOPI PutFile endpoint writing the body to its document store', '/www/WopiContents.ashx', `<%@ WebHandler Language="C#" Class="WopiContents" %>
using System;
using System.IO;
using System.Web;

// WOPI host, PutFile: Office Online posts the edited document body to /wopi/contents.ashx?file_id=..&access_token=..
public class WopiContents : IHttpHandler
{
    static string DocumentPath(string fileId)
    {
        Guid id;
        if (!Guid.TryParse(fileId, out id)) throw new HttpException(404, "no such document");
        return Path.Combine(@"E:\\DocStore", id.ToString("N") + ".docx");
    }

    public void ProcessRequest(HttpContext context)
    {
        if (!WopiToken.Validate(context.Request.QueryString["access_token"], context.Request.QueryString["file_id"]))
        { context.Response.StatusCode = 401; return; }
        if (context.Request.HttpMethod == "POST" && context.Request.Headers["X-WOPI-Override"] == "PUT")
        {
            using (var fs = new FileStream(DocumentPath(context.Request.QueryString["file_id"]), FileMode.Truncate))
                context.Request.InputStream.CopyTo(fs);
            context.Response.StatusCode = 200;
            return;
        }
        context.Response.ContentType = "application/octet-stream";
        context.Response.TransmitFile(DocumentPath(context.Request.QueryString["file_id"]));
    }
    public bool IsReusable { get { return true; } }
}
`],
  ['S30C-6: an Excel import and an export to a report path from an allow list', '/www/excel-import-export.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<%@ Import Namespace="OfficeOpenXml" %>
<script runat="server">
    // Back office: import the price list from an uploaded workbook, export a report to the reports share.
    static readonly string ReportDir = @"D:\\Reports\\Shop";
    static string ReportPath(string report)
    {
        switch (report) {
            case "prices": return Path.Combine(ReportDir, "prices.xlsx");
            case "stock":  return Path.Combine(ReportDir, "stock.xlsx");
            default: throw new ArgumentException("unknown report");
        }
    }

    protected void Import_Click(object sender, EventArgs e)
    {
        using (var pkg = new ExcelPackage(ImportFile.PostedFile.InputStream))
        {
            var ws = pkg.Workbook.Worksheets[1];
            PriceList.Import(ws);
        }
    }

    protected void Export_Click(object sender, EventArgs e)
    {
        using (var pkg = new ExcelPackage())
        {
            var ws = pkg.Workbook.Worksheets.Add("Report");
            PriceList.Fill(ws, Request.Form["report"]);
            pkg.SaveAs(new FileInfo(ReportPath(Request.Form["report"])));
        }
    }
</script>
<form runat="server">
<asp:FileUpload ID="ImportFile" runat="server" /><asp:Button runat="server" Text="Import" OnClick="Import_Click" />
<select name="report"><option>prices</option><option>stock</option></select>
<asp:Button runat="server" Text="Export" OnClick="Export_Click" />
</form>
`],
  ['S30C-7: an admin page copying the site backup where a form field says', '/www/backup-admin.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    // Site settings > Backup. An administrator picks the folder on the server where the nightly
    // database backup is copied (e.g. a mapped backup share). Admins only.
    protected void Page_Load(object sender, EventArgs e)
    {
        if (!User.IsInRole("Administrators")) { Response.Redirect("~/login.aspx"); return; }
        if (IsPostBack && Request.Form["backupTarget"] != null)
        {
            string latest = Directory.GetFiles(Server.MapPath("~/App_Data/backups"), "*.bak")[0];
            File.Copy(latest, Request.Form["backupTarget"], true);
            Status.Text = "Backup copied.";
        }
        if (IsPostBack && RestoreFile.HasFile)
        {
            RestoreFile.PostedFile.InputStream.CopyTo(Stream.Null);
        }
    }
</script>
<form runat="server">
Copy latest backup to: <input name="backupTarget" value="\\\\nas01\\backups\\site.bak" />
<asp:FileUpload ID="RestoreFile" runat="server" />
<asp:Button runat="server" Text="Go" /><asp:Label ID="Status" runat="server" />
</form>
`],
  ['S30C-8: a dashboard pinging each host of a file, then reading an SMTP greeting', '/www/health-dashboard3.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<%@ Import Namespace="System.Net.Sockets" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
    // Ops dashboard: pings every host listed in App_Data\\hosts.txt and checks that the SMTP relay answers.
    protected void Page_Load(object sender, EventArgs e)
    {
        if (!User.IsInRole("Operators")) { Response.StatusCode = 403; return; }

        using (var reader = new StreamReader(Server.MapPath("~/App_Data/hosts.txt")))
        {
            string host;
            while ((host = reader.ReadLine()) != null)
            {
                host = host.Trim();
                var psi = new ProcessStartInfo("ping");
                string pingArgs = "-n 1 -w 500 " + host;
                psi.Arguments = pingArgs;
                psi.UseShellExecute = false;
                psi.RedirectStandardOutput = true;
                psi.CreateNoWindow = true;
                using (var p = Process.Start(psi))
                {
                    string output = p.StandardOutput.ReadToEnd();
                    p.WaitForExit();
                    Response.Write("<pre>" + Server.HtmlEncode(output) + "</pre>");
                }
            }
        }

        using (var client = new TcpClient())
        {
            client.Connect("smtp.internal.example", 25);
            using (var banner = new StreamReader(client.GetStream()))
            {
                Response.Write("<p>SMTP: " + Server.HtmlEncode(banner.ReadLine()) + "</p>");
            }
        }
    }
</script>
`],
  ['S30C-9: the same running fixed check scripts through cmd.exe', '/www/health-dashboard2.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<%@ Import Namespace="System.Net.Sockets" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
    // Ops dashboard: runs each check script listed in App_Data\\checks.txt through cmd and checks the SMTP relay.
    protected void Page_Load(object sender, EventArgs e)
    {
        if (!User.IsInRole("Operators")) { Response.StatusCode = 403; return; }

        using (var reader = new StreamReader(Server.MapPath("~/App_Data/checks.txt")))
        {
            string check;
            while ((check = reader.ReadLine()) != null)
            {
                var psi = new ProcessStartInfo("cmd.exe", "/c " + Path.Combine(@"C:\\ops\\checks", Path.GetFileName(check)));
                psi.UseShellExecute = false;
                psi.RedirectStandardOutput = true;
                using (var p = Process.Start(psi))
                {
                    string output = p.StandardOutput.ReadToEnd();
                    Response.Write(output);
                }
            }
        }

        var client = new TcpClient();
        client.Connect("smtp.internal.example", 25);
        var banner = new StreamReader(client.GetStream());
        Response.Write(banner.ReadLine());
        client.Close();
    }
</script>
`],
  ['S30C-10: a staff SFTP console whose chdir and rmdir are the methods of its client', '/www/sftp-console.php', `<?php
/**
 * Deploy tool: a small SFTP console for the release servers (phpseclib). Staff only.
 * Commands are relayed to the remote server; nothing is run locally.
 */
require __DIR__ . '/vendor/autoload.php';
require __DIR__ . '/auth.php';
require_staff();

use phpseclib3\\Net\\SFTP;

session_start();
$sftp = new SFTP($_SESSION['deploy_host']);
if (!$sftp->login($_SESSION['deploy_user'], $_SESSION['deploy_key'])) {
    http_response_code(502);
    exit('login failed');
}
if (isset($_SESSION['remote_cwd'])) {
    $sftp->chdir($_SESSION['remote_cwd']);
}

$line = trim($_POST['cmd'] ?? '');
[$verb, $arg] = array_pad(preg_split('/\\s+/', $line, 2), 2, '');
$out = '';
switch ($verb) {
    case 'ls':
        $out = implode("\\n", $sftp->nlist('.') ?: []);
        break;
    case 'cd':
        $out = $sftp->chdir($arg) ? '' : "no such directory: $arg";
        break;
    case 'pwd':
        $out = $sftp->pwd();
        break;
    case 'mkdir':
        $out = $sftp->mkdir($arg) ? '' : 'mkdir failed';
        break;
    case 'rmdir':
        $out = $sftp->rmdir($arg) ? '' : 'rmdir failed';
        break;
    case 'rm':
        $out = $sftp->delete($arg, false) ? '' : 'rm failed';
        break;
    case 'upload':
        // push a build artefact from the local release folder
        $releases = __DIR__ . '/releases';
        $local = $releases . '/' . basename($arg);
        $out = in_array(basename($arg), scandir($releases), true) && $sftp->put(basename($arg), $local, SFTP::SOURCE_LOCAL_FILE) ? 'uploaded' : 'upload failed';
        break;
    default:
        $out = "unknown command: $verb";
}
$_SESSION['remote_cwd'] = $sftp->pwd();
header('Content-Type: application/json');
echo json_encode(['cwd' => $sftp->pwd(), 'out' => $out]);
`],
  ['S30C-11: the sandbox terminal of a course, kept inside the folder of each student', '/www/sandbox-terminal.php', `<?php
/**
 * "Learn the command line" course, lesson 3: a pretend terminal. Each student gets a private folder
 * under /var/lib/course/sandboxes; the commands are implemented in PHP and can never leave it.
 */
require __DIR__ . '/../lib/bootstrap.php';
$student = Course::currentStudent() ?? exit(header('Location: /login'));

$jail = realpath('/var/lib/course/sandboxes/' . $student->id);
session_start();
$cwd = $_SESSION['cwd'] ?? $jail;

function inside(string $jail, string $path): ?string {
    $real = realpath($path);
    return ($real !== false && strpos($real . '/', $jail . '/') === 0) ? $real : null;
}

chdir($cwd);
$input = json_decode(file_get_contents('php://input'), true);
$parts = preg_split('/\\s+/', trim($input['line'] ?? ''));
$cmd = array_shift($parts);
$arg = $parts[0] ?? '';
$reply = '';

switch ($cmd) {
    case 'pwd':
        $reply = '/home/student' . substr(getcwd(), strlen($jail));
        break;
    case 'ls':
        $reply = implode('  ', array_diff(scandir('.'), ['.', '..']));
        break;
    case 'cd':
        $to = inside($jail, $arg === '' ? $jail : $arg);
        if ($to && is_dir($to)) { $_SESSION['cwd'] = $to; } else { $reply = "cd: $arg: No such file or directory"; }
        break;
    case 'mkdir':
        if (preg_match('/^[\\w.-]{1,40}$/', $arg)) mkdir($arg); else $reply = 'mkdir: invalid name';
        break;
    case 'touch':
        if (preg_match('/^[\\w.-]{1,40}$/', $arg)) touch($arg); else $reply = 'touch: invalid name';
        break;
    case 'cat':
        $f = inside($jail, $arg);
        $reply = $f && is_file($f) ? htmlspecialchars(file_get_contents($f, false, null, 0, 4096)) : "cat: $arg: No such file";
        break;
    case 'rm':
        $f = inside($jail, $arg);
        if ($f && is_file($f)) unlink($f); else $reply = "rm: cannot remove '$arg'";
        break;
    case 'rmdir':
        $f = inside($jail, $arg);
        if ($f && $f !== $jail && is_dir($f)) @rmdir($f); else $reply = "rmdir: failed to remove '$arg'";
        break;
    default:
        $reply = "$cmd: command not found (try ls, cd, pwd, mkdir, touch, cat, rm, rmdir)";
}
Course::recordProgress($student, 3, $cmd);
header('Content-Type: application/json');
echo json_encode(['out' => $reply, 'prompt' => 'student@course:~' . substr($_SESSION['cwd'] ?? $cwd, strlen($jail)) . '$ ']);
`],
  ['S30C-12: a media library API with ls, cd, rm actions kept inside uploads/', '/www/media-api.php', `<?php
// Admin media library JSON API (used by the editor's "Insert image" dialog). Editors only.
require_once __DIR__ . '/../admin/bootstrap.php';
Auth::requireCapability('manage_media');

$root = realpath(__DIR__ . '/../uploads');
$rel  = trim(str_replace('..', '', $_POST['path'] ?? ''), '/');
$dir  = realpath($root . '/' . $rel) ?: $root;
if (strpos($dir, $root) !== 0) { $dir = $root; }

$action = $_POST['action'] ?? 'ls';
$result = match ($action) {
    'ls'       => array_values(array_diff(scandir($dir), ['.', '..'])),
    'cd'       => ['path' => substr($dir, strlen($root))],
    'mkdir'    => mkdir($dir . '/' . basename($_POST['name'])),
    'rm'       => unlink($dir . '/' . basename($_POST['name'])),
    'rmdir'    => rmdir($dir . '/' . basename($_POST['name'])),
    'upload'   => MediaLibrary::store($_FILES['file'], $dir),
    'download' => MediaLibrary::send($dir . '/' . basename($_POST['name'])),
    default    => ['error' => 'unknown action'],
};
header('Content-Type: application/json');
echo json_encode(['cwd' => getcwd(), 'result' => $result]);
`],
  ['S30C-13: a theme hook dispatcher calling a joined name with its arguments', '/www/hook-dispatch.php', `<?php
// Theme hook dispatcher: mytheme_<hook>() is called when the theme defines it, else the module's.
final class HookDispatcher
{
    private const PREFIXES = ['mytheme', 'core'];
    public const TYPES = ['action', 'filter'];
    private array $parts = [];

    public function dispatch(string $hook, array $args)
    {
        foreach (self::PREFIXES as $prefix) {
            $this->parts = [$prefix, '_', $hook];
            if (function_exists(implode('', $this->parts))) {
                return implode('', $this->parts)(...$args);
            }
        }
        return null;
    }
}
`],
  ['S30C-14: a template filter called by a name joined from words', '/www/studly-call.php', `<?php
// Template filters: {{ value|to_upper }} calls filter_toUpper($value). Filter names are checked against
// the registered list first.
$filters = ['trim', 'upper', 'lower', 'nl2br', 'escape'];

function apply_filter(string $name, $value)
{
    global $filters;
    if (!in_array($name, $filters, true)) {
        throw new InvalidArgumentException("unknown filter $name");
    }
    $words = explode('_', $name);
    return implode(array_map('ucfirst', $words))($value);
}
`],
  ['S30C-15: the same with a prefix', '/www/studly-call2.php', `<?php
// Template filters: {{ value|to_upper }} calls filter_ToUpper($value), defined in filters.php.
// Filter names are checked against the registered list first.
require __DIR__ . '/filters.php';
const FILTERS = ['trim', 'upper', 'lower', 'nl2br', 'escape'];

function apply_filter(string $name, $value)
{
    if (!in_array($name, FILTERS, true)) {
        throw new InvalidArgumentException("unknown filter $name");
    }
    $words = explode('_', $name);
    return ('filter_' . implode('', array_map('ucfirst', $words)))($value);
}
`],
];

describe('scan: session 30\'s third red team (S30C)', () => {
  for (const [name, path, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('malicious: S30C-E1, an upload saved into the folder a request field names (Path.Combine)', () => {
    const src = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count > 0) Request.Files[0].SaveAs(Path.Combine(Request["d"], Request.Files[0].FileName));
}
</script>`;
    const r = scan(src, '/www/up4.aspx');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
  it('ran every case', () => {
    assert.equal(BENIGN.length, 15);
  });
});
