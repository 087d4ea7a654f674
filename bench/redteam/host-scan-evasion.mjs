#!/usr/bin/env node
// Findings H1-H5, H9 (README-host.md): webshell-shaped samples (benign code shaped like shells,
// never live malware) against `createScanner()`. Each line: the verdict, and whether the
// scanner held (anything but clean). Run: npx tsc -b && node bench/redteam/host-scan-evasion.mjs
import { host, verdict } from './host-lib.mjs';

const s = host.createScanner();
const J = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
const cases = [
  ['H1 comment between name and (', 'x.php', "<?php system/**/($_GET['c']);"],
  ['H1 comments everywhere', 'x.php', "<?php eval/*a*/(/*b*/$_POST/*c*/['c']);"],
  ['H1 # comment and newline', 'x.php', "<?php system#x\n($_GET['c']);"],
  ['H2 $GLOBALS superglobal', 'x.php', "<?php $GLOBALS['_GET']['f']($GLOBALS['_GET']['a']);"],
  ['H2 variable variable $$n', 'x.php', "<?php $n='_'.'GET'; $f=$$n; $g=$f['a']; $g($f['b']);"],
  ['H3 preg_replace_callback callback', 'x.php', "<?php preg_replace_callback('/.+/', $_GET['f'], $_GET['a']);"],
  ['H3 set_exception_handler', 'x.php', "<?php set_exception_handler($_GET['f']); throw new Exception($_GET['a']);"],
  ['H3 filter_var FILTER_CALLBACK', 'x.php', "<?php filter_var($_GET['a'], FILTER_CALLBACK, ['options' => $_GET['f']]);"],
  ['H3 ReflectionFunction', 'x.php', "<?php (new ReflectionFunction('system'))->invoke($_GET['a']);"],
  ['H3 mb_ereg_replace e', 'x.php', "<?php mb_ereg_replace('.*', $_REQUEST['c'], '', 'e');"],
  ['H4 short tag in a JPEG', 'a.jpg', Buffer.concat([J, Buffer.from("junk<? system($_GET['c']); ?>")])],
  ['H4 short tag in a .txt', 'a.txt', "notes\n<? system($_GET['c']); ?>"],
  ['H5 FilesMatch + SetHandler', '.htaccess', '<FilesMatch "\\.jpe?g$">\nSetHandler application/x-httpd-php\n</FilesMatch>'],
  ['H5 ForceType', '.htaccess', '<Files "a.jpg">\nForceType application/x-httpd-php\n</Files>'],
  ['H5 quoted AddType', '.htaccess', 'AddType "application/x-httpd-php" .jpg'],
  ['H9 closure in preg_replace_callback (open)', 'x.php', "<?php preg_replace_callback('/.*/', function($m){ return system($m[0]); }, $_GET['c']);"],
  ['H9 XOR decoder loop (open)', 'x.php', "<?php $k='abcdef'; $p=base64_decode('EhsQEAALSUZCKzg1NS0yLEQ='); $o=''; for($i=0;$i<strlen($p);$i++)$o.=$p[$i]^$k[$i%6]; eval($o);"],
  ['H9 JSP Runtime in a variable (open)', 'a.jsp', '<% String c = request.getParameter("c"); java.lang.Runtime r = java.lang.Runtime.getRuntime(); r.exec(c); %>'],
  ['H9 ASPX StartInfo fields (open)', 'a.aspx', '<%@ Page Language="C#" %><% var p = new System.Diagnostics.Process(); p.StartInfo.FileName = "cmd"; p.StartInfo.Arguments = "/c " + Request.Form["c"]; p.Start(); %>'],
  ['H9 ASP WScript.Shell Run (open)', 'a.asp', '<% Set s = CreateObject("WScript.Shell"): s.Run Request("c") %>'],
  ['H9 Python CGI os.system (open)', 'a.py', "import os,cgi\nos.system(cgi.FieldStorage().getvalue('c'))"],
  ['H9 Perl CGI system (open)', 'a.pl', "#!/usr/bin/perl\nuse CGI; my $q=CGI->new; system($q->param('c'));"],
];
for (const [label, name, body] of cases) {
  const r = s.scanBuffer(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), `/var/www/html/${name}`);
  verdict(label, r.verdict !== 'clean', `${r.verdict} ${r.score}${r.findings[0] ? `: ${r.findings[0].technique}` : ''}`);
}
