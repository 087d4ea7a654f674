/**
 * Shapes of PHP backdoors read by plain patterns, each behind a substring test of its own (session
 * 24, held-out set G's misses: shells of "bypass" collections, written to get past detectors).
 *
 * They were YARA rules first; as rules they made YARA-X's pass over MediaWiki 60% slower, since
 * their patterns begin with names every PHP file holds (eval, exec, `$`), and YARA-X looks at
 * each place one of them occurs. Here each pattern runs only in a file that holds its rare part
 * (get_defined_vars, getDocComment, a paste site's address, `$$` ...), on the file with its
 * comments blanked (stripComments: same length, so offsets hold). Every pattern is linear: no
 * nested repeats, every repeat bounded.
 */
import { stripComments, walkCode } from './php-flow.js';
import { holds, trigrams } from './text-pieces.js';

/** What phpShapes and phpVariants both make of one text, made once: its lower-cased form, its code with comments blanked. */
export interface SharedText {
  low?: string;
  code?: string;
  /** The lower-cased text's three-letter pieces (trigrams), for mayHold. */
  pieces?: Uint8Array;
}

export interface ShapeFinding {
  readonly rule: string;
  readonly technique: string;
  readonly score: number;
  readonly description: string;
  readonly offset: number;
  /** A floor, not a weight (Finding.floor). */
  readonly floor?: boolean;
}

const INPUT = /\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/;
// (a caller given what a call returns, call_user_func(decode('..'), ..), not a configured callback in a variable: S24R-15)
const NAMED_SINK = /\b(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|create_function)\s*\(|\bcall_user_func(?:_array)?\s*\(\s*[A-Za-z_]\w{0,40}\s*\(/i;
const SINK = /\b(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|create_function)\s*\(|\bcall_user_func(?:_array)?\s*\(\s*[^"'\s]/i;

// (the tag as "<?php\n" with its escapes, or the short echo tag, too: S24R-5)
const CODE_FILE = /\b(?:file_put_contents|fwrite|fputs)\s*\([^;]{0,200},\s*["']<\?(?:php|=)?(?:\s|\\[nrt]){0,4}["']\s*\.\s*(?:@\s*)?\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
// (request input inside the double-quoted tag text, "<?php {$_POST['c']}", or a sprintf of the tag: S24R-5)
const CODE_FILE_INTERPOLATED = /\b(?:file_put_contents|fwrite|fputs)\s*\([^;]{0,200},\s*(?:"<\?(?:php|=)?[^"\n]{0,200}\{?\$_(?:GET|POST|REQUEST|COOKIE)\s*\[|v?sprintf\s*\(\s*["']<\?(?:php|=)?[^"'\n]{0,200}["']\s*,[^;]{0,200}\$_(?:GET|POST|REQUEST|COOKIE)\s*\[)/i;
// (the scheme may be left out: curl and a wrapper-less fetch both take raw.githubusercontent.com/.., session 25, set L)
const PASTE = /["'](?:https?:\/\/)?(?:raw\.githubusercontent\.com|gist\.githubusercontent\.com|pastebin\.com\/raw|paste\.ee\/r\/|pastee\.dev\/r\/|rentry\.(?:co|org)\/[^"'\n/]{1,80}\/raw|hastebin\.com\/raw|ghostbin\.[a-z]{2,4}\/[^"'\n]{1,80}\/raw)[^"'\n]{0,300}["']/i;
const PASTE_HINT = /raw\.githubusercontent|gist\.githubusercontent|pastebin\.com\/raw|paste\.ee\/r\/|pastee\.dev\/r\/|rentry\.|hastebin\.com\/raw|ghostbin\./i;
const JOINS = /(["'])\s*\.\s*\1/g;
const RUN_TEXT = /\b(?:eval|assert)\s*\(\s*(?:@\s*)?["']\?>["']\s*\./i;
const WRITE = /\b(?:fwrite|fputs|file_put_contents|copy)\s*\(/i;
// (the write of code: a call that writes, opens, copies or moves to a .php name or into the web root,
// a write beside a variable given a .php name, or a write then an include of a variable; not any
// .php in the file, a page's require 'header.php', nor DOCUMENT_ROOT in a cache's path: S24R-13)
const WRITE_CODE = /\b(?:file_put_contents|fopen|copy|rename)\s*\([^;]{0,200}(?:\.(?:php\d?|phtml|phar)["']|DOCUMENT_ROOT)/i;
const PHP_VARIABLE = /\$\w{1,40}\s*=\s*[^;\n]{0,200}\.(?:php\d?|phtml|phar)["'][^;\n]{0,200};/i;
const INCLUDE_VARIABLE = /\b(?:include|require)(?:_once)?\s*(?:\(\s*)?(?:@\s*)?\$/i;
// (in the call of a sink, the same statement: a debug panel reading ['_SERVER'] beside collectors
// it calls is not one, S24R-14; or the name joined from pieces: ['_' . 'POST'])
const DEFINED_VARS = /\b(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|create_function|call_user_func(?:_array)?)\s*\([^;]{0,200}\bget_defined_vars\s*\(\s*\)\s*\[\s*(?:["']?_(?:GET|POST|REQUEST|COOKIE)\b|["']_["']\s*\.)/i;
const DEFINED_VARS_HELD = /\$([A-Za-z_]\w{0,40})\s*=\s*(?:@\s*)?get_defined_vars\s*\(\s*\)\s*;/gi;
const EVAL_FETCHED = /\b(?:eval|assert)\s*\(\s*(?:@\s*)?(?:file_get_contents|curl_exec|stream_get_contents|(?:implode|join)\s*\(\s*["'][^"'\n]{0,8}["']\s*,\s*(?:@\s*)?file)\s*\(\s*(?:@\s*)?(?:pack|hex2bin|base64_decode|str_rot13|strrev|gzinflate|urldecode|rawurldecode)\s*\(/i;
const COMPUTED_CALLEE = /\(\s*(?:@\s*)?(?:substr|str_replace|str_ireplace|strrev|str_rot13|strtolower|strtoupper|ucfirst|lcfirst|trim|ltrim|rtrim|implode|join|base64_decode|hex2bin|sprintf|preg_replace)\s*\([^;]{0,200}\)\s*\)\s*\(\s*(?:@\s*)?\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
// (pieces and chr() joined in place and called at once: (chr(115) . 'ystem')($_POST['c']), S24R-12)
const CONCAT_CALLEE = /\(\s*(?:@\s*)?(?:chr\s*\(\s*\d{1,3}\s*\)|["'][^"'\n]{0,40}["'])(?:\s*\.\s*(?:chr\s*\(\s*\d{1,3}\s*\)|["'][^"'\n]{0,40}["'])){1,16}\s*\)\s*\(\s*(?:@\s*)?\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
const SUPERGLOBAL_NAME = /\$\w{1,40}\s*=\s*["']_(?:GET|POST|REQUEST|COOKIE)["']\s*;/i;
const VARIABLE_VARIABLE = /=\s*(?:@\s*)?\$\$\w{1,40}\s*;/;
const DOC_COMMENT = /->\s*getDocComment\s*\(\s*\)/i;
// (or the name cleaned out of it whole: preg_replace('/[^a-z]/', '', $r->getDocComment()), S24R-12)
const DOC_CLEANED = /\b(?:preg_replace|str_replace|strtr|trim)\s*\([^;]{0,160}->\s*getDocComment\s*\(/i;
// (three letters at least: a router joining two matches of a pattern, $p[1] . $p[2], is not one, S24R-18)
const PICKS = /\$\w{1,40}\s*\[\s*\d{1,3}\s*\](?:\s*\.\s*\$\w{1,40}\s*\[\s*\d{1,3}\s*\]){2}/;
const VARIABLE_CALL = /(?:^|[;{}\s@])\$\w{1,40}\s*\(\s*\$/m;
const INCREMENT_INIT = /\$_{1,6}\s*=\s*["'][A-Za-z]["']\s*;/;
const INCREMENT = /\$_{1,6}\+\+/g;
const INCREMENT_CALL = /(?:\$_{1,6}|\$\w{1,40}|\})\s*\(\s*\$/;
// (an array's element too: $w = &$box['a']; $box['a'] = $_REQUEST['z'], S24R-12)
const REFERENCE = /\$\w{1,40}\s*=\s*&\s*\$\w{1,40}(?:\s*\[[^\]\n]{1,40}\])?\s*;/g;
const INPUT_ASSIGNED = /\$\w{1,40}(?:\s*\[[^\]\n]{1,40}\])?\s*=\s*(?:@\s*)?\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
// (the variable alone in a double-quoted string or a heredoc too: eval("$q"), S24R-10)
const EVAL_VARIABLE_END = /\b(?:eval|assert)\s*\([^;]{0,120}\$\w{1,40}\s*(?:(?:"|\n\s*[A-Za-z_]\w{0,40})\s*)?\)\s*;/i;
const ESCAPED_NAME = /\$\{\s*["'][^"'\n]{0,40}\\(?:x[0-9a-fA-F]{2}|[0-7]{3}|u\{[0-9a-fA-F]{1,6}\})[^"'\n]{0,80}["']\s*\}/;
const NESTED = /\$\{\s*\$\{/;

// (session 25, set J's misses)
// the request's body decrypted, and code run from a parameter (Behinder's PHP shell with its eval in
// an invokable class: call_user_func(new C(), $decrypted))
const DECRYPT = /\b(?:openssl_decrypt|mcrypt_decrypt|sodium_crypto_secretbox_open)\s*\(/i;
const BODY_INPUT = /php:\/\/input|\$_(?:POST|REQUEST|COOKIE)\s*\[|\$_(?:POST|REQUEST)\b/i;
// (not a method named eval or assert: $this->eval(...), a calculator's; red team S25R-5)
const EVAL_PARAMETER = /(?<![\w>$:\\])(?:eval|assert)\s*\(\s*(?:@\s*)?\$([A-Za-z_]\w{0,40})\s*(?:\.\s*["'][^"'\n]{0,20}["']\s*)?\)/gi;
// what a socket reads, run as a command (a bind or reverse shell without a shell's path)
const SOCKET_OPEN = /\b(?:socket_create|socket_accept|fsockopen|pfsockopen|stream_socket_server|stream_socket_client|stream_socket_accept)\s*\(/i;
// (also trimmed as it is read, $cmd = trim(fgets($c)), and socket_recv's buffer: red team S25R-4)
const SOCKET_READ = /\$([A-Za-z_]\w{0,40})\s*=\s*(?:@\s*)?(?:(?:trim|rtrim|ltrim)\s*\(\s*)?(?:socket_read|socket_recv|fread|fgets|stream_get_line|stream_get_contents|stream_socket_recvfrom)\s*\(\s*\$|\bsocket_recv\s*\(\s*\$\w{1,40}\s*,\s*\$([A-Za-z_]\w{0,40})/gi;
// the variables a command function runs (also written in a "..." string or backticks; not a method: PDO's ->exec($sql))
const SOCKET_RUN = /(?<![\w>$:\\])(?:shell_exec|system|exec|passthru|popen|proc_open)\s*\(\s*(?:@\s*)?(?:(?:trim|rtrim|escapeshellcmd)\s*\(\s*)?"?\s*\$([A-Za-z_]\w{0,40})\b|`\s*\$([A-Za-z_]\w{0,40})\b/gi;
// names picked out of a table of characters kept in $GLOBALS and called ($GLOBALS[$GLOBALS['t'][8] . $GLOBALS['t'][76] ...](...)):
// a PHP obfuscator's output; no application names its functions so (indexes in hex too: red team S25R-7)
const TABLE_PICK = String.raw`\$GLOBALS\s*\[\s*["']\w{1,40}["']\s*\]\s*[[{]\s*(?:0[xX][0-9a-fA-F]{1,3}|\d{1,3})\s*[\]}]`;
const TABLE_NAME = new RegExp(`${TABLE_PICK}(?:\\s*\\.\\s*${TABLE_PICK}){2}`, 'g');
const TABLE_CALL = new RegExp(`\\$GLOBALS\\s*\\[\\s*${TABLE_PICK}(?:\\s*\\.\\s*${TABLE_PICK}){1,40}\\s*\\]\\s*\\(`);
// eval of what a function of the file's own returns, when that function builds text with chr() from
// numbers it shifts, XORs or reads with ord() (a decoder of its own: eval(def($this->table)));
// the function also as a method ($this->def(...), self::def(...): red team S25R-6); not a method
// named eval (S25R-5)
const EVAL_OWN_CALL = /(?<![\w>$:\\])(eval|assert)\s*\(\s*(?:@\s*)?(?:["'][^"'\n]{0,80}["']\s*\.\s*){0,2}(?:\$this\s*->\s*|(?:self|static)\s*::\s*)?([A-Za-z_]\w{0,40})\s*\(/gi;
/** A list of numbers written out (the start of one), `array(67, 70, 119,` or `[67, 70, 119,`. */
const NUMBER_LIST = /^\s*(?:array\s*\(|\[)\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,/i;
/** An argument that is a variable or a property: `$t)`, `$this->table,`. */
const LIST_HELD = /^\s*(?:\$this\s*->\s*|(?:self|static)\s*::\s*\$|\$)(\w{1,64})\s*[,)]/;
/** A variable or property given such a list: `$t = array(1, 2, 3,`, `private $table = [1, 2, 3,`. */
const NUMBER_LIST_ASSIGNED = /(?:\$|->\s*)(\w{1,64})\s*=\s*(?:array\s*\(|\[)\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,/gi;
const EVAL_OWN_VARIABLE = /(?<![\w>$:\\])eval\s*\(\s*(?:@\s*)?(?:["'][^"'\n]{0,80}["']\s*\.\s*){0,2}\$([A-Za-z_]\w{0,40})\s*[).]/gi;
const OWN_ASSIGNED = /\$([A-Za-z_]\w{0,40})\s*=\s*(?:@\s*)?(?:\$this\s*->\s*|(?:self|static)\s*::\s*)?([A-Za-z_]\w{0,40})\s*\(/g;
const FUNCTION_DEF = /\bfunction\s+&?\s*([A-Za-z_]\w{0,40})\s*\(/gi;
const PHP_DECODERS = new Set(['base64_decode', 'gzinflate', 'gzuncompress', 'gzdecode', 'str_rot13', 'strrev', 'hex2bin', 'urldecode', 'rawurldecode', 'stripslashes', 'convert_uudecode', 'file_get_contents', 'trim', 'html_entity_decode', 'htmlspecialchars_decode', 'pack', 'implode', 'join', 'sprintf', 'str_replace', 'substr', 'chr']);
// a database client: the server to connect to and the query both from the request
const DB_CONNECT = /\b(?:new\s+mysqli|mysqli_connect|mysql_connect|new\s+PDO|pg_connect)\s*\(\s*(?:@\s*)?(\$_(?:GET|POST|REQUEST|COOKIE)\s*\[|\$([A-Za-z_]\w{0,40}))/i;
const DB_QUERY = /(?:->\s*(?:query|exec|multi_query|real_query)|\b(?:mysqli_query|mysql_query|pg_query|mysqli_multi_query))\s*\(\s*(?:\$[A-Za-z_]\w{0,40}\s*,\s*)?@?\s*(\$_(?:GET|POST|REQUEST|COOKIE)\s*\[|\$([A-Za-z_]\w{0,40}))/gi;
// the variables given request input (one pass: a regular expression per query made a 32 KB file of
// queries take 0.16 s, red team S25R-3)
const REQUEST_ASSIGNED = /\$([A-Za-z_]\w{0,40})\s*=\s*(?:@\s*)?(?:trim\s*\(\s*)?\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/gi;

// (anywhere in what it is given: a ternary, a default)

// (session 25, set I's misses)
// function names written as hex text in literals, decoded by the file and called ($t = ["73797374656d", ...]; $t[0](...))
const HEX_LITERAL = /["']([5-7][0-9a-fA-F](?:[0-9a-fA-F]{2}){3,39})["']/g;
const SHELL_FUNCTIONS = new Set(['system', 'exec', 'shell_exec', 'passthru', 'popen', 'proc_open', 'pcntl_exec', 'assert', 'create_function', 'call_user_func', 'call_user_func_array', 'file_put_contents', 'file_get_contents', 'fopen', 'fwrite', 'fputs', 'move_uploaded_file', 'copy', 'rename', 'unlink', 'rmdir', 'mkdir', 'chmod', 'chdir', 'getcwd', 'scandir', 'opendir', 'readdir', 'php_uname', 'phpversion', 'posix_getpwuid', 'ini_get', 'ini_set', 'set_time_limit', 'base64_decode', 'gzinflate', 'gzuncompress', 'str_rot13', 'curl_exec', 'fsockopen', 'is_writable', 'filesize', 'fileperms', 'disk_free_space', 'preg_replace', 'array_map', 'usort']);
const CALL_BY_ELEMENT = /\$[A-Za-z_]\w{0,40}\s*\[\s*[^\]\n]{1,40}\]\s*\(/;
// a file on the server read through curl's file: scheme, its path from the request
const CURL_FILE = /\bcurl_(?:setopt\s*\([^;]{0,80}CURLOPT_URL\s*,|init\s*\()\s*["']file:[^"'\n]{0,20}["']\s*\.\s*(?:\$_(?:GET|POST|REQUEST|COOKIE)\s*\[|\$([A-Za-z_]\w{0,40}))/i;
// code written after an opening tag from a variable that holds the request's text (decoded or not)
const CODE_FILE_VARIABLE_ANY = /\b(?:file_put_contents|fwrite|fputs)\s*\([^;]{0,200},\s*["']<\?(?:php|=)?(?:\s|\\[nrt]){0,4}["']\s*\.\s*\$/i;
/** The variables (lower-cased) given an expression that holds request input. */
function textGiven(code: string): Set<string> {
  const given = new Set<string>();
  for (const a of code.matchAll(REQUEST_TEXT_ASSIGNED)) given.add(a[1]!.toLowerCase());
  return given;
}
const REQUEST_TEXT_ASSIGNED = /\$([A-Za-z_]\w{0,40})\s*=[^;=]{0,200}?(?:\$_(?:GET|POST|REQUEST|COOKIE)\s*\[|php:\/\/input)/gi;
const CODE_FILE_VARIABLE = /\b(?:file_put_contents|fwrite|fputs)\s*\([^;]{0,200},\s*["']<\?(?:php|=)?(?:\s|\\[nrt]){0,4}["']\s*\.\s*\$([A-Za-z_]\w{0,40})/gi;

// (session 25, sets K and L)
// a WordPress plugin that makes an administrator on every request (an init hook), with a name it holds
// (and the hooks that run on every page or on a schedule, or the plugin's activation, which makes it once and
// again when it is turned back on: session 26, set M)
const WP_HOOK = /\badd_action\s*\(\s*["'](?:init|wp|wp_loaded|plugins_loaded|wp_head|wp_footer|admin_init|admin_head|after_setup_theme|template_redirect|shutdown|login_init)["']|\bregister_activation_hook\s*\(|\bwp_schedule_event\s*\(/i;
// (a name written there, or in a variable the file gives a literal: `$username = 'bdog'; wp_create_user($username, ..)`)
const WP_MAKE_USER = /\b(?:wp_create_user|wp_insert_user|wp_create)\s*\(\s*(?:["']|\$(\w{1,64})\s*,)/i;
const WP_ADMIN_ROLE = /->\s*(?:set_role|add_role)\s*\(\s*["']administrator["']\s*\)|["']role["']\s*=>\s*["']administrator["']/i;
// an address hidden as hex or Base64 text, decoded by the file, whose code is run
const ENCODED_LITERAL = /["']([0-9a-fA-F]{24,600}|[A-Za-z0-9+/]{20,800}={0,2})["']/g;
// code written after an opening tag from a variable (joined or in the string), then included and deleted: run once, leave nothing
// (not a parameter's: a library function running the code its caller gives it, run_generated($code), S21R-14)
const WRITE_TAG_VARIABLE = /\b(?:fwrite|fputs|file_put_contents)\s*\([^;]{0,200},\s*(?:["']<\?(?:php|=)?(?:\s|\\[nrt]){0,4}["']\s*\.\s*(?:@\s*)?\$|"<\?(?:php|=)?(?:\s|\\[nrt]){0,4}\{?\$)([A-Za-z_]\w{0,40})/gi;
const INCLUDE_ANY = /\b(?:include|require)(?:_once)?\s*[("'$]/i;
const UNLINK = /\bunlink\s*\(/i;

// The small-file net (a floor): request input, and a function named at run time.
const SMALL_INPUT = /\$_(?:GET|POST|REQUEST|COOKIE|FILES)\s*\[|\$_SERVER\s*\[\s*["']HTTP_|php:\/\/input|getallheaders\s*\(|get_defined_vars\s*\(|["']_(?:GET|POST|REQUEST|COOKIE)["']/i;
const SMALL_DYNAMIC = [
  // eval of a variable, after a few literals at most (not text built around one, as a validator's
  // eval('return (' . $e . ') ? 1 : 0;'))
  /\b(?:eval|assert)\s*\(\s*(?:@\s*)?(?:["'`][^"'`\n]{0,40}["'`]\s*\.\s*){0,4}\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}\s*\)/i,
  /\)\s*\)\s*\(\s*(?:@\s*)?\$/,
  /\bcreate_function\s*\(/i,
  /\$\{\s*\$?\{?[^}\n]{1,80}\}\s*\[[^\]\n]{1,80}\]\s*\(/,
  // a function reached by reflection or made a closure from a name, then run (S24R-11)
  /\bReflectionFunction\b[^;]{0,200};[\s\S]{0,400}?->\s*invoke(?:Args)?\s*\(/i,
  /\bClosure\s*::\s*fromCallable\s*\(\s*(?!["'])/i,
];
// $f($x), and a caller given a variable (not an invokable object called bare, $controller()), when
// the name is not the code's own (calledByName)
const VARIABLE_CALLS = /(?:^|[;{}(\s@=])\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,40})\s*\(\s*(?:@\s*)?\$|\bcall_user_func(?:_array)?\s*\(\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,40})\s*[,)]/gim;
// a caller given what a function of the file's own returns, call_user_func(decode('..'), ..)
// (and the callers that take a callback and its arguments the same way: register_shutdown_function(pick(), $_GET['c']), S24R-11)
const CALLER_OF_CALL = /\b(?:call_user_func(?:_array)?|register_shutdown_function|register_tick_function|forward_static_call(?:_array)?)\s*\(\s*([A-Za-z_]\w{0,40})\s*\(/gi;
const PARAMETERS = /\bfunction\b[^(]{0,80}\(([^)]{0,400})\)|\bfn\s*\(([^)]{0,400})\)/gi;

/**
 * Whether some function the code calls by a variable's name has a name the code did not choose
 * itself: not a parameter of a function or closure (middleware's $next($request)), not taken from
 * an array of the code's own or a foreach over one ($handlers[$event], $rules as $check), not
 * checked with function_exists or is_callable first (a front controller's action_<name>), and a
 * caller given what a call returns only when the file defines that function (get_option(..) is
 * the application's setting). (S24R-16: each of these was suspicious by the net.)
 */
/** The names of the parameters of every function and closure in `code`. */
function parameters(code: string): Set<string> {
  const params = new Set<string>();
  for (const m of code.matchAll(PARAMETERS)) for (const p of (m[1] ?? m[2] ?? '').matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,40})/g)) params.add(p[1]!);
  return params;
}

function calledByName(code: string): boolean {
  const params = parameters(code);
  let seen = 0;
  for (const m of code.matchAll(VARIABLE_CALLS)) {
    if (++seen > 64) return true;
    const name = m[1] ?? m[2]!;
    if (params.has(name) || name === 'this') continue;
    const fromMap = new RegExp(`\\$${name}\\s*=\\s*\\$(?!_(?:GET|POST|REQUEST|COOKIE|FILES|SERVER)\\b)\\w+\\s*\\[|\\bas\\s+(?:\\$\\w+\\s*=>\\s*)?\\$${name}\\s*\\)|\\b(?:function_exists|is_callable)\\s*\\(\\s*\\$${name}\\b`, 'i');
    if (!fromMap.test(code)) return true;
  }
  for (const m of code.matchAll(CALLER_OF_CALL)) if (new RegExp(`\\bfunction\\s+${m[1]}\\s*\\(`, 'i').test(code)) return true;
  return false;
}
// a template compiled to PHP and run, eval('?>' . $code): not one
const TEMPLATE = /\beval\s*\(\s*["']\?>["']\s*\./i;
const SMALL_BYTES = 3 * 1024;
const DOC_RUN = /\b(?:eval|assert)\s*\(\s*\$\w{1,40}\s*\)|\$\w{1,40}\s*\(\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
const DOC_CODE = /\/\*\*[^]{0,400}?\*[^\n]{0,40}\b(?:eval|assert|system|passthru|shell_exec)\s*\(\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i;
const INCLUDES = /\b(?:include|require)(?:_once)?\b/i;
const TEXT_MADE = /["']\s*\.|\.\s*["']|\$\w+\s*\.\s*\$|\b(?:substr|implode|join|str_replace|strrev|str_rot13|chr|base64_decode|hex2bin|strtolower|strtoupper|ucfirst|trim|sprintf)\s*\(/i;
const MADE_CALLABLE = /^\s*(?:\\?create_function\s*\(|(?:static\s+)?(?:function|fn)\s*\(|new\s|\[|array\s*\()/i;
/** `$f($_GET[..])`, or `$f($a)` with $a a parameter of the function it is in (checked below). */
const VAR_CALL_INPUT = /(?<![\w>:$])\$([A-Za-z_]\w{0,40})\s*\(\s*@?\s*(?:\$_(?:GET|POST|REQUEST|COOKIE)\s*\[[^\]\n]{0,60}\]|\$([A-Za-z_]\w{0,40}))\s*\)/g;

/**
 * The variable a tiny file calls with request input (or with a parameter of a function of its own that the file calls
 * with request input) when the file builds that variable's text at run time: it is assigned more than a literal
 * ("asser" then a "t" added by a function through a reference, letters joined in a loop, a piece cut from a longer
 * text), never only a literal.
 */
function builtNameCall(src: string): string | undefined {
  // (the file's arrays of literals and the variables of loops over them: text of the code's own)
  const arrays = new Set<string>();
  for (const m of src.matchAll(/\$(\w{1,40})\s*=\s*(?:array\s*\(|\[)\s*["']/g)) arrays.add(m[1]!);
  const own = new Set(arrays);
  for (const m of src.matchAll(/\bforeach\s*\(\s*\$(\w{1,40})\s+as\s+(?:\$\w{1,40}\s*=>\s*)?\$(\w{1,40})/g)) if (arrays.has(m[1]!)) own.add(m[2]!);
  // (a right side naming no variable but the name itself and those, indexes aside)
  const ownText = (rhs: string, self: string) => [...rhs.replace(/\[[^\]\n]{0,40}\]/g, '[]').matchAll(/\$(\w{1,40})/g)].every((m) => m[1] === self || own.has(m[1]!));
  for (const m of src.matchAll(VAR_CALL_INPUT)) {
    const v = m[1]!;
    if (v === 'this' || v.startsWith('_')) continue;
    // (a parameter given: the file must call some function with request input)
    if (m[2] !== undefined && !(new RegExp(`function\\s+\\w+\\s*\\([^)]{0,200}\\$${m[2]}\\b`).test(src) && /\b\w+\s*\(\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[/i.test(src))) continue;
    const sets = [...src.matchAll(new RegExp(`\\$${v}\\s*(\\.?=)(?![=>])\\s*([^;]{0,200})`, 'g'))];
    const byRef = new RegExp(`\\b\\w+\\s*\\(\\s*\\$${v}\\s*\\)\\s*;`).test(src) && /function\s+\w+\s*\(\s*&\s*\$/.test(src);
    if (sets.length === 0) continue;
    // (literals joined are the fold's to read: a literal's name called is what the other passes judge)
    const literalOnly = sets.every((a) => a[1] === '=' && /^\s*(?:(["'])[^"'\n]{0,80}\1\s*(?:\.\s*|$))+$/.test(a[2]!));
    // (text put together: joined, appended, cut or decoded; not a callable the code makes, create_function or a closure)
    const textMade = sets.some((a) => a[1] === '.=' || TEXT_MADE.test(a[2]!)) && !sets.some((a) => MADE_CALLABLE.test(a[2]!));
    // (made of the code's own text only: a prefix given a variable, 'export_' . $as or sprintf('render_%s', $f), is a
    // dispatcher: red team S35B-1 to -4)
    if (textMade && !sets.every((a) => ownText(a[2]!, v))) continue;
    if ((!literalOnly && textMade) || byRef) return v;
  }
  return undefined;
}
const SHAPES_25_BYTES = 64 * 1024;
/**
 * The words the shapes' gates look for, each looked for on its own, its three-letter pieces first
 * (mayHold): one pattern of all of them over the text stopped at every "include", "http" and "eval"
 * of a large file. A word inside another counts too (curl_ in curl_exec, _contents in file_put_contents).
 */
const GATE_LIST = ['file_put_contents', 'get_defined_vars', 'secretbox_open', 'administrator', 'getdoccomment', 'usercontent', 'add_action', 'pg_connect', '_contents', 'curl_exec', '_decrypt', 'paste.ee', 'include', 'rentry.', 'assert', 'fwrite', 'unlink', 'copy(', 'curl_', 'file(', 'file:', 'fopen', 'fputs', 'mysql', 'bin.', 'eval', 'http', 'sock', 'chr', 'pdo'];
function gateWords(low: string, pieces: Uint8Array): Set<string> {
  const seen = new Set<string>();
  for (const w of GATE_LIST) if (holds(low, pieces, w)) seen.add(w);
  return seen;
}
/** What SMALL_INPUT needs one of (a comment cannot split these: tested on the raw text, they spare the comments' blanking). */
const SMALL_HINTS = ['$_get', '$_post', '$_request', '$_cookie', '$_files', '$_server', 'php://', 'getallheaders', 'get_defined_vars', "'_", '"_'];

/** The doc comment shape's bound, and its patterns: the comment read, pieces of it cut (and joined), a variable called with a variable. */
const DOC_CODE_BYTES = 8 * 1024;
const DOC_READ = /\$[A-Za-z_]\w{0,40}\s*=\s*\$[A-Za-z_]\w{0,40}\s*->\s*getDocComment\s*\(\s*\)/;
// (mb_substr or mb_strcut at strpos, stripos or their mb_ forms; joined with .= or `$a = $a . substr(..)`; called as
// `$f($a)` or through call_user_func: red team S39R's variants)
const DOC_PIECE = String.raw`(?:mb_)?(?:substr|strcut)\s*\(\s*\$[A-Za-z_]\w{0,40}\s*,\s*(?:mb_)?str(?:i)?pos\s*\(\s*\$[A-Za-z_]\w{0,40}\s*,`;
const DOC_CUT = new RegExp(String.raw`\$([A-Za-z_]\w{0,40})\s*\.?=\s*(?:\$[A-Za-z_]\w{0,40}\s*\.\s*)?${DOC_PIECE}`, 'g');
const DOC_JOIN = new RegExp(String.raw`\$[A-Za-z_]\w{0,40}\s*\.=\s*${DOC_PIECE}|\$([A-Za-z_]\w{0,40})\s*=\s*\$\1\s*\.\s*${DOC_PIECE}`, 'g');
const DOC_CALL = /(?:^|[;{}\n])[ \t]*@?(?:\$([A-Za-z_]\w{0,40})\s*\(|call_user_func(?:_array)?\s*\(\s*\$([A-Za-z_]\w{0,40})\s*,)\s*\$[A-Za-z_]\w{0,40}\s*\)\s*;/;

/** The shapes `text` (a PHP file or a layer of one) holds. */
export function phpShapes(text: string, shared: SharedText = {}): ShapeFinding[] {
  const out: ShapeFinding[] = [];
  const src = (): string => (shared.code ??= stripComments(text));
  const find = (re: RegExp): number => {
    const m = re.exec(src());
    return m ? m.index : -1;
  };
  const add = (rule: string, technique: string, score: number, description: string, offset: number, floor = false): void => {
    out.push({ rule: `mamori:${rule}`, technique, score, description, offset: Math.max(0, offset), ...(floor ? { floor } : {}) });
  };
  const n = text.length;
  // (names of functions are read in any case, as PHP reads them: the hints are looked for in the lower-cased text)
  const low = (shared.low ??= text.toLowerCase());
  const words = gateWords(low, (shared.pieces ??= trigrams(low)));
  const has = (w: string): boolean => words.has(w);

  // A function's name cut out of a doc comment read at run time and called (session 39 set H23: "eva", "l($_POS",
  // "asse", "rt" in a class's doc comment, joined with substr() at strpos() and called): pieces joined with .=,
  // not an annotation reader's whole values (red team S39R-1, -5). Read here, behind its rare word: as a rule, its
  // call pattern's atoms were in every file (MediaWiki's scan 5% dearer).
  if (n < DOC_CODE_BYTES && text.includes('getDocComment') && DOC_READ.test(text)) {
    const joins = text.match(DOC_JOIN)?.length ?? 0;
    const cut = [...text.matchAll(DOC_CUT)].map((m) => m[1]!);
    const call = DOC_CALL.exec(text);
    // (the function called is one of the names cut out: an annotation registry calls a handler of its own, red team S40)
    if (joins >= 2 && cut.length >= 3 && call && cut.includes((call[1] ?? call[2])!)) add('doc-comment-code', 'obfuscated-call', 80, "a function's name cut out of a doc comment read at run time (Reflection's getDocComment) and called: code hidden where scanners skip comments", call.index);
  }
  if ((text.includes("'<?") || text.includes('"<?')) && text.includes('$_')) {
    let at = find(CODE_FILE);
    if (at < 0) at = find(CODE_FILE_INTERPOLATED);
    if (at >= 0) add('request-code-file', 'file-writer', 85, 'request input written as the code of a PHP file (an opening tag, then what the request sent)', at);
  }
  // (the address split in literals joined in place, 'https://raw.' . 'githubusercontent.com/..', S24R-6)
  // (each of PASTE_HINT's hosts holds one of these: a few scans for a substring cost less than one of the alternation;
  // pastee.dev too, red team S46R-85)
  const pasteHint = n < 256 * 1024 && (has('usercontent') || has('bin.') || has('paste.ee') || has('pastee.') || has('rentry.')) && PASTE_HINT.test(text);
  const joined =
    !pasteHint && n <= SHAPES_25_BYTES && has('http') && (has('eval') || has('fwrite') || has('fputs') || has('file_put_contents') || has('copy(') || has('fopen')) && (text.includes("' . '") || text.includes("'.'") || text.includes('" . "') || text.includes('"."'))
      ? text.replace(JOINS, '')
      : undefined;
  if (joined !== undefined && PASTE_HINT.test(joined)) {
    const m = PASTE.exec(joined);
    if (m && (RUN_TEXT.test(joined) || WRITE_CODE.test(joined) || (WRITE.test(joined) && (PHP_VARIABLE.test(joined) || INCLUDE_VARIABLE.test(joined))))) {
      add('paste-site-code', 'dropper', 85, 'code fetched from a paste site or a repository\'s raw files (its address written in pieces), run as PHP or saved into the web root (a loader or dropper of shells)', 0);
    }
  }
  if (pasteHint) {
    const at = find(PASTE);
    if (at >= 0 && (RUN_TEXT.test(src()) || WRITE_CODE.test(src()) || (WRITE.test(src()) && (PHP_VARIABLE.test(src()) || INCLUDE_VARIABLE.test(src()))))) {
      add('paste-site-code', 'dropper', 85, 'code fetched from a paste site or a repository\'s raw files, run as PHP or saved into the web root (a loader or dropper of shells)', at);
    }
  }
  if (has('get_defined_vars')) {
    let at = find(DEFINED_VARS);
    // (put in a variable first, $v = get_defined_vars(); assert($v['_POST']['x']): S24R-7)
    if (at < 0) {
      for (const m of src().matchAll(DEFINED_VARS_HELD)) {
        const sink = new RegExp(`\\b(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|create_function|call_user_func(?:_array)?)\\s*\\([^;]{0,200}\\$${m[1]}\\s*\\[\\s*["']_(?:GET|POST|REQUEST|COOKIE)["']`, 'i').exec(src());
        if (sink) {
          at = sink.index;
          break;
        }
      }
    }
    if (at >= 0) add('defined-vars-input', 'request-input-exec', 80, 'a superglobal read through get_defined_vars() and run as code or a command', at);
  }
  const runs = has('eval') || has('assert');
  if (runs && (has('_contents') || has('curl_exec') || has('file(')) && EVAL_FETCHED.test(text)) {
    const at = find(EVAL_FETCHED);
    if (at >= 0) add('eval-fetched', 'remote-code', 85, 'PHP code read from an address decoded at run time (hex, base64, pack) and run with eval', at);
  }
  if (text.includes(')(')) {
    let at = text.includes('))(') ? find(COMPUTED_CALLEE) : -1;
    if (at < 0 && text.includes('$_')) at = find(CONCAT_CALLEE);
    if (at >= 0) add('computed-callee-input', 'request-input-exec', 85, 'a function\'s name computed by string functions in place, called at once with request input', at);
  }
  if (n < 8192 && text.includes('$$')) {
    const at = find(SUPERGLOBAL_NAME);
    if (at >= 0 && VARIABLE_VARIABLE.test(src()) && NAMED_SINK.test(src())) add('superglobal-by-name', 'request-input-exec', 80, 'a superglobal taken through a variable holding its name ($$name), in a small file that calls code or a command', at);
  }
  if (n < 8192 && has('getdoccomment')) {
    const at = find(DOC_COMMENT);
    if (at >= 0 && (PICKS.test(src()) || DOC_CLEANED.test(src())) && INPUT.test(src()) && VARIABLE_CALL.test(src())) add('doc-comment-name', 'obfuscation', 80, 'a function\'s name picked letter by letter out of a doc comment read by reflection, then called with request input', at);
  }
  if (n < 64 * 1024 && text.includes('_++')) {
    const at = find(INCREMENT_INIT);
    if (at >= 0 && (src().match(INCREMENT)?.length ?? 0) >= 6 && INCREMENT_CALL.test(src())) add('string-increment-names', 'obfuscation', 80, 'names built by incrementing letters held in variables named only with underscores ($_ = \'a\'; $_++), then called', at);
  }
  if (n < 4096 && runs && text.includes('&')) {
    const at = find(INPUT_ASSIGNED);
    if (at >= 0 && (src().match(REFERENCE)?.length ?? 0) >= 2 && EVAL_VARIABLE_END.test(src())) add('reference-laundered-eval', 'request-input-exec', 80, 'request input reaching eval through variables bound by reference (=&), in a small file', at);
  }
  if (text.includes('${') && text.includes('\\')) {
    const at = find(ESCAPED_NAME);
    if (at >= 0 && NESTED.test(src()) && SINK.test(src())) add('escaped-globals-name', 'obfuscation', 85, 'a variable variable named by a string written in escapes (GLOBALS as hex), nested, beside a command or code function', at);
  }
  // (session 25's shapes read files of up to 64 KiB: a larger file's request input is read in its
  // excerpts, php-excerpts.ts, which this reads as small files of their own)
  if (n <= SHAPES_25_BYTES) {
    if (n < 16 * 1024 && runs && (has('_decrypt') || has('secretbox_open'))) {
      const at = find(DECRYPT);
      if (at >= 0 && BODY_INPUT.test(src()) && decryptedRun(src())) add('decrypted-body-eval', 'encrypted-shell', 85, 'the request decrypted, and code run with eval from a variable or parameter, in a small file (an encrypted shell\'s client sends its code so)', at);
    }
    if (has('sock') && SOCKET_OPEN.test(text)) {
      // (the variables run as commands first, in one pass: a regular expression for each read made a
      // 64 KB file of reads take 0.9 s, and a file of such layers seconds, red team S25R-3)
      const run = new Set<string>();
      for (const m of src().matchAll(SOCKET_RUN)) run.add((m[1] ?? m[2])!.toLowerCase());
      if (run.size > 0) {
        for (const m of src().matchAll(SOCKET_READ)) {
          if (run.has((m[1] ?? m[2])!.toLowerCase())) {
            add('socket-command', 'reverse-shell', 85, 'what a network socket reads run as a command (a bind or reverse shell)', m.index!);
            break;
          }
        }
      }
    }
    if (text.includes('$GLOBALS[')) {
      // (three names are enough: counting all of them in 4 MB of picks took 0.1 s, red team S25R-3)
      // (and looked for in the raw text first, which has them if the code does: the comments' blanking
      // of a large file that only uses $GLOBALS is spared)
      const three = (code: string): number => {
        TABLE_NAME.lastIndex = 0;
        let names = 0;
        let at = -1;
        for (let m = TABLE_NAME.exec(code); m !== null && names < 3; m = TABLE_NAME.exec(code)) if (names++ === 0) at = m.index;
        return names >= 3 ? at : -1;
      };
      const first = three(text) >= 0 ? three(src()) : -1;
      if (first >= 0 && TABLE_CALL.test(src())) add('globals-char-table', 'obfuscation', 85, `functions named by characters picked out of a table kept in $GLOBALS and called (three names or more built so: an obfuscator's output)`, first);
    }
    if (n < 64 * 1024 && runs && has('chr')) {
      // (the file's functions in one pass, each one's body judged once: S25R-3)
      const defs = new Map<string, number>();
      const judged = new Map<string, 0 | 1 | 2>();
      let bodies = 0;
      for (const d of src().matchAll(FUNCTION_DEF)) if (!defs.has(d[1]!.toLowerCase())) defs.set(d[1]!.toLowerCase(), d.index!);
      const levelOf = (name: string): 0 | 1 | 2 => {
        if (PHP_DECODERS.has(name)) return 0;
        let level = judged.get(name);
        if (level === undefined) {
          const at = defs.get(name);
          // (the whole function, up to 16 KB: a decoder after 2 KB of unused code in its body was
          // not seen, red team S25R-16; 512 KB read in all, then no more)
          if (at === undefined || bodies > 512 * 1024) level = 0;
          else {
            const body = functionText(src(), at, 16 * 1024);
            bodies += body.length;
            level = decoderLevel(body);
          }
          judged.set(name, level);
        }
        return level;
      };
      // (eval('?>' . f($src)) is how a template engine runs what it compiled, eval('return ' .
      // $this->compile($e) . ';') an expression engine, and a compiler reads characters with ord()
      // and chr(): after a string or of a method, only a XOR or a shift counts, S25R-13)
      const needed = (call: string): 1 | 2 => (/^[^(]*\(\s*(?:@\s*)?["']|(?:->|::)\s*\w+\s*\($/.test(call) ? 2 : 1);
      // (...unless the decoder is given a table of numbers, written there or held in a variable or property:
      // a compiler is given a template's text, not character codes, S25R-13's open variants)
      let lists: Set<string> | undefined;
      const givenNumbers = (at: number): boolean => {
        const arg = src().slice(at, at + 80);
        if (NUMBER_LIST.test(arg)) return true;
        const held = LIST_HELD.exec(arg);
        if (!held) return false;
        if (!lists) {
          lists = new Set();
          for (const a of src().matchAll(NUMBER_LIST_ASSIGNED)) if (lists.size < 64) lists.add(a[1]!.toLowerCase());
        }
        return lists.has(held[1]!.toLowerCase());
      };
      let looked = 0;
      for (const m of src().matchAll(EVAL_OWN_CALL)) {
        const level = levelOf(m[2]!.toLowerCase());
        if (level === 1 && needed(m[0]) === 2 && givenNumbers(m.index! + m[0].length)) {
          add('eval-own-decoder', 'obfuscation', 80, `code run by eval from what ${m[2]}() returns, a function of the file's own that builds text with chr() from a table of character codes given to it`, m.index!);
          break;
        }
        // (assert runs a string only when it is given one: assert(f($x) === 'y') tests a value, a
        // self-test of a UTF-8 or XOR helper: the call must be its whole argument, S25R-5)
        // (each look at most 1 KB, 256 KB in all: past that, taken as whole; 8,000 unclosed
        // assert(f( in 64 KB took 0.25 s with 4 KB each)
        if (level >= needed(m[0]) && (m[1]!.toLowerCase() === 'eval' || (looked += 1024) > 256 * 1024 || wholeArgument(src(), m.index! + m[0].length))) {
          add('eval-own-decoder', 'obfuscation', 80, `code run by eval from what ${m[2]}() returns, a function of the file's own that builds text with chr() from shifted, XORed or ord() values`, m.index!);
          break;
        }
      }
      // (and through a variable: $code = def($t); eval($code), red team S25R-6)
      if (!out.some((f) => f.rule === 'mamori:eval-own-decoder')) {
        let given: Map<string, string[]> | undefined;
        for (const m of src().matchAll(EVAL_OWN_VARIABLE)) {
          if (!given) {
            given = new Map();
            for (const a of src().matchAll(OWN_ASSIGNED)) {
              const v = a[1]!.toLowerCase();
              const list = given.get(v) ?? [];
              // (a method's result needs a XOR or a shift, as above: marked with a "->")
              if (list.length < 8) list.push(`${/(?:->|::)\s*\w+\s*\($/.test(a[0]) ? '->' : ''}${a[2]!.toLowerCase()}`);
              given.set(v, list);
            }
          }
          const need = needed(m[0]);
          const name = (given.get(m[1]!.toLowerCase()) ?? []).find((f) => (f.startsWith('->') ? levelOf(f.slice(2)) >= 2 : levelOf(f) >= need));
          if (name) {
            add('eval-own-decoder', 'obfuscation', 80, `code run by eval from what ${name}() returns (through a variable), a function of the file's own that builds text with chr() from shifted, XORed or ord() values`, m.index!);
            break;
          }
        }
      }
    }
    if (n < 32 * 1024 && text.includes('$_') && (has('mysql') || has('pdo') || has('pg_connect'))) {
      const c = DB_CONNECT.exec(src());
      if (c) {
        const given = new Set<string>();
        for (const m of src().matchAll(REQUEST_ASSIGNED)) given.add(m[1]!.toLowerCase());
        const fromRequest = (name: string | undefined): boolean => name === undefined || given.has(name.toLowerCase());
        if (fromRequest(c[2])) {
          for (const q of src().matchAll(DB_QUERY)) {
            if (fromRequest(q[2])) {
              add('db-client-input', 'file-manager', 50, 'a database client in a page: the server to connect to and the query both come from the request', c.index);
              break;
            }
          }
        }
      }
    }
    // (a name's hex text begins with 5, 6 or 7: letters and "_")
    if (n < 256 * 1024 && (text.includes('"6') || text.includes("'6") || text.includes('"7') || text.includes("'7"))) {
      const names = new Set<string>();
      let literals = 0;
      for (const m of text.matchAll(HEX_LITERAL)) {
        if (++literals > 4096) break;
        const name = Buffer.from(m[1]!, 'hex').toString('latin1').toLowerCase();
        if (SHELL_FUNCTIONS.has(name)) names.add(name);
      }
      if (names.size >= 3 && CALL_BY_ELEMENT.test(text)) add('hex-name-table', 'obfuscation', 85, `names of functions a shell uses written as hex text (${[...names].slice(0, 6).join(', ')}), decoded and called by the file`, text.search(HEX_LITERAL));
    }
    if (text.includes('$_') && has('file:') && has('curl_')) {
      const m = CURL_FILE.exec(src());
      if (m && (m[1] === undefined || textGiven(src()).has(m[1].toLowerCase()))) add('curl-file-read', 'file-manager', 80, 'a file of the server read through curl\'s file: scheme, its path from the request (a way around open_basedir)', m.index);
    }
    // (request-input code kept in a doc comment and run after reflection reads it back: the comment is the payload, which
    // the rules do not read in comments; session 35 set H13)
    if (low.includes('getdoccomment') && DOC_RUN.test(src())) {
      const m = DOC_CODE.exec(text);
      if (m) add('doc-comment-code', 'obfuscated-call', 85, 'code of request input kept in a doc comment, read back through reflection (getDocComment) and run', m.index);
    }
    if (has('administrator') && has('add_action')) {
      const made = WP_MAKE_USER.exec(src());
      const at = made && (made[1] === undefined || new RegExp(`\\$${made[1]}\\s*=\\s*["'][^"'\\n]{1,64}["']\\s*;`).test(src())) ? made.index : -1;
      if (at >= 0 && WP_ADMIN_ROLE.test(src()) && WP_HOOK.test(src())) add('wp-admin-on-hook', 'wp-admin-backdoor', 80, 'a WordPress plugin that makes an account with a name of its own an administrator, from a hook every request runs', at);
    }
    if ((runs && RUN_TEXT.test(text)) || (has('include') && (has('fwrite') || has('file_put_contents')))) {
      let literals = 0;
      for (const m of text.matchAll(ENCODED_LITERAL)) {
        if (++literals > 256) break;
        const v = m[1]!;
        const decoded = /^[0-9a-fA-F]+$/.test(v) && v.length % 2 === 0 ? Buffer.from(v, 'hex').toString('latin1') : Buffer.from(v, 'base64').toString('latin1');
        if (/^(?:https?|ftp):\/\/[\x21-\x7e]{4,}$/.test(decoded) && (RUN_TEXT.test(src()) || ((WRITE_CODE.test(src()) || PHP_VARIABLE.test(src())) && INCLUDE_VARIABLE.test(src())))) {
          add('hidden-address-code', 'remote-code', 85, `an address written as ${decoded.length * 2 === v.length ? 'hex' : 'Base64'} text (${decoded.slice(0, 80)}), decoded by the file, whose code is run or written and included`, m.index!);
          break;
        }
      }
    }
    if ((text.includes("'<?") || text.includes('"<?')) && has('unlink') && INCLUDE_ANY.test(text) && UNLINK.test(text)) {
      const params = parameters(src());
      let at = -1;
      for (const m of src().matchAll(WRITE_TAG_VARIABLE)) {
        if (!params.has(m[1]!)) {
          at = m.index!;
          break;
        }
      }
      if (at >= 0) add('code-run-and-deleted', 'dropper', 85, 'code written after an opening tag from a variable, included, and the file deleted (code run once, leaving nothing behind)', at);
    }
    if ((text.includes("'<?") || text.includes('"<?')) && SMALL_HINTS.some((h) => low.includes(h)) && CODE_FILE_VARIABLE_ANY.test(text)) {
      // (the variables given the request's text found in one pass, not a pattern for each write: S25R-3)
      const given = textGiven(src());
      for (const m of src().matchAll(CODE_FILE_VARIABLE)) {
        if (given.has(m[1]!.toLowerCase())) {
          add('request-code-file', 'file-writer', 85, 'request input (held in a variable, decoded or not) written as the code of a PHP file after an opening tag', m.index!);
          break;
        }
      }
    }
  }
  if (n < SMALL_BYTES && SMALL_HINTS.some((h) => low.includes(h))) {
    const at = find(SMALL_INPUT);
    if (at >= 0 && !TEMPLATE.test(src())) {
      const dyn = SMALL_DYNAMIC.some((re) => re.test(src())) || calledByName(src());
      if (dyn) add('small-dynamic-exec', 'request-input-callable', 40, 'a small PHP file that reads request input and runs code or calls a function it names at run time (eval of a variable, $f(...), (expr)(...), a caller given a computed name)', at, true);
      // (and in a tiny file of its own, including nothing, a function whose name the file builds at run time, from pieces,
      // in a loop or through a reference, given request input: session 35, set H12's "bypass" one-liners)
      const built = n < 1024 && dyn && !INCLUDES.test(src()) ? builtNameCall(src()) : undefined;
      if (built) add('tiny-built-name-call', 'obfuscated-call', 80, `a tiny file calling a function whose name it builds at run time ($${built}), given request input`, at);
    }
  }
  return out;
}

/**
 * Whether eval or assert runs a decrypted variable: eval any variable; assert (which runs only a
 * string) a function's parameter or what a decryption returned, not a flag it checks (assert($ok)
 * in a cookie decrypter: red team S25R-5).
 */
function decryptedRun(code: string): boolean {
  let params: Set<string> | undefined;
  let decrypted: Set<string> | undefined;
  for (const m of code.matchAll(EVAL_PARAMETER)) {
    if (/^eval/i.test(m[0])) return true;
    const v = m[1]!.toLowerCase();
    if (!params) {
      params = new Set([...parameters(code)].map((p) => p.toLowerCase()));
      decrypted = new Set();
      for (const d of code.matchAll(/\$(\w{1,40})\s*=[^;=]{0,300}?(?:_decrypt|secretbox_open)\s*\(/gi)) decrypted.add(d[1]!.toLowerCase());
    }
    if (params.has(v) || decrypted!.has(v)) return true;
  }
  return false;
}

/** Whether the call whose "(" ends at `from` is followed, when it closes, by the ")" of the call around it. */
function wholeArgument(code: string, from: number): boolean {
  const close = walkCode(code, from, 1024, 1, (_, i, depth) => (depth === 0 ? i : undefined));
  return close !== undefined && /^\s*\)/.test(code.slice(close + 1, close + 64));
}

/**
 * A function's first 2 KB that builds text with chr(): from XORed or shifted values (2), or from
 * ord() values or numbers it adds to or takes from (1: chr($n - 7), a Caesar shift of a table, red
 * team S25R-6); 0 without chr() or any of these.
 */
function decoderLevel(body: string): 0 | 1 | 2 {
  if (!/\bchr\s*\(/i.test(body)) return 0;
  if (body.includes('^') || body.includes('>>') || body.includes('<<')) return 2;
  return /\bord\s*\(|\bchr\s*\(\s*\$\w{1,40}(?:\s*\[[^\]\n]{0,20}\])?\s*[-+%]/i.test(body) ? 1 : 0;
}

/** A function's text from `at` (its `function` keyword) to the brace that closes its body, at most `max` bytes. */
function functionText(code: string, at: number, max: number): string {
  const close = walkCode(code, at, max, 0, (c, i, depth) => (c === '}' && depth === 0 ? i : undefined));
  return code.slice(at, close === undefined ? Math.min(code.length, at + max) : close + 1);
}
