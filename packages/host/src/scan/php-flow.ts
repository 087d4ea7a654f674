/**
 * A small data-flow pass over PHP source: which variables hold request input
 * (`$_GET`, `$_POST`, `$_REQUEST`, `$_COOKIE`, `$_FILES`, request headers,
 * `php://input`), which hold the name of a dangerous function, and where
 * either reaches a call that runs code or commands.
 *
 * It reads text, not a parse tree, and it follows only *direct* flows: a
 * variable is request input when it is assigned the input itself, possibly
 * through function calls (`trim`, `base64_decode` ...), string concatenation
 * or a default (`isset($_GET['c']) ? $_GET['c'] : ''`, `?? ''`). Input used as
 * a key (`$handlers[$_GET['action']]`) or through a sanitiser
 * (`escapeshellarg`, `intval`) is not: that is how applications dispatch,
 * and webshells do not bother. Assignments are followed three rounds deep
 * within one file, comments are ignored, all bounded by the file.
 */
import { holds } from './text-pieces.js';

export interface FlowFinding {
  readonly technique: string;
  readonly score: number;
  readonly description: string;
  readonly offset: number;
}

export const SOURCE = /\$_(?:GET|POST|REQUEST|COOKIE|FILES)\b|\$HTTP_(?:GET_VARS|POST_VARS|COOKIE_VARS|POST_FILES)\b|\$\s*\{\s*_(?:GET|POST|REQUEST|COOKIE|FILES)\b|\$GLOBALS\s*\[\s*["'](?:_(?:GET|POST|REQUEST|COOKIE|FILES)|HTTP_(?:GET_VARS|POST_VARS|COOKIE_VARS|POST_FILES))["']\s*\]|\$\s*\{\s*["'](?:_(?:GET|POST|REQUEST|COOKIE|FILES)|HTTP_(?:GET_VARS|POST_VARS|COOKIE_VARS|POST_FILES))["']\s*\}|\$_SERVER\s*\[\s*["'](?:HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO|PHP_SELF|PHP_AUTH_)|\$_SERVER\b(?!\s*\[)|\bgetenv\s*\(\s*["'](?:HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO|PHP_SELF|PHP_AUTH_)|\bfilter_input(?:_array)?\s*\(\s*INPUT_(?:GET|POST|COOKIE|REQUEST)\b|php:\/\/input|\bgetallheaders\s*\(|\bapache_request_headers\s*\(|\$HTTP_RAW_POST_DATA\b/i;
/** Content fetched from a URL (code a server of the attacker's serves): input as the request's is. Apart from SOURCE, which reads whole files, so its many alternatives are not made slower by one more. */
// (and what curl fetched, or a stream opened on a URL)
export const REMOTE = /file_get_contents\s*\(\s*["'](?:https?|ftp):\/\/|\bcurl_exec\s*\(|\bfopen\s*\(\s*["'](?:https?|ftp):\/\/|\bfsockopen\s*\(/i;
/** REMOTE behind plain substring tests (its alternatives start with words a regex tries at every position). */
// (in the lower-cased text: PHP reads names in any case, and File_Get_Contents('http://..') was not looked for)
function remote(s: string, low: string = s.toLowerCase(), pieces?: Uint8Array): boolean {
  return (holds(low, pieces, 'file_get_contents') || holds(low, pieces, 'curl_exec') || holds(low, pieces, 'fopen') || holds(low, pieces, 'fsockopen')) && REMOTE.test(s);
}
/** PHP 4's request arrays by their long names, lower-cased, after the "$". */
const LONG_ARRAY = /^http_(?:get_vars|post_vars|cookie_vars|post_files)\b/;
/** SOURCE's words that do not start with "$", each in one of its alternatives. */
const SOURCE_WORDS = ['getenv', 'filter_input', 'php://input', 'getallheaders', 'apache_request_headers'];
/**
 * False when the lower-cased text holds none of what SOURCE needs (each of its alternatives needs one):
 * a "$" before "_", "{", "globals" or "http_raw_post_data", or one of SOURCE_WORDS. 222 of MediaWiki's
 * 5,197 PHP files hold one; SOURCE read the others whole, and so did one search a word. `pieces`: the
 * text's trigrams(), when made (the words' pieces are looked up there first).
 */
export function mayHoldSource(low: string, pieces?: Uint8Array): boolean {
  for (let i = low.indexOf('$'); i >= 0; i = low.indexOf('$', i + 1)) {
    const c = low.charCodeAt(i + 1);
    // (and PHP 4's long arrays, $HTTP_POST_VARS and the like, which the old shells read: held-out set H3)
    // (a "{" after white space too: `$ {"_GET"}`, session 39)
    if (c === 95 || c === 123 || ((c === 32 || (c >= 9 && c <= 13)) && /^\s*\{/.test(low.slice(i + 1, i + 65))) || (c === 103 && low.startsWith('globals', i + 1)) || (c === 104 && (low.startsWith('http_raw_post_data', i + 1) || LONG_ARRAY.test(low.slice(i + 1, i + 20))))) return true;
  }
  return SOURCE_WORDS.some((w) => holds(low, pieces, w));
}
const SOURCE_ALONE = /^(?:\$_(?:GET|POST|REQUEST|COOKIE|FILES)|\$HTTP_(?:GET_VARS|POST_VARS|COOKIE_VARS|POST_FILES)|\$GLOBALS\s*\[\s*["'](?:_(?:GET|POST|REQUEST|COOKIE|FILES)|HTTP_(?:GET_VARS|POST_VARS|COOKIE_VARS|POST_FILES))["']\s*\]|\$\s*\{\s*["'](?:_(?:GET|POST|REQUEST|COOKIE|FILES)|HTTP_(?:GET_VARS|POST_VARS|COOKIE_VARS|POST_FILES))["']\s*\}|\$_SERVER\s*\[\s*["'](?:HTTP_\w*|QUERY_STRING|REQUEST_URI|PATH_INFO|PHP_SELF|PHP_AUTH_USER|PHP_AUTH_PW)["']\s*\]|getenv\s*\(\s*["'](?:HTTP_\w*|QUERY_STRING|REQUEST_URI|PATH_INFO|PHP_SELF|PHP_AUTH_USER|PHP_AUTH_PW)["']\s*\)|filter_input\s*\(\s*INPUT_(?:GET|POST|COOKIE|REQUEST|SERVER)\s*,\s*(?:["'][^"'\n]{0,80}["']|\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}|[^,()\n]{0,80}\([^()\n]{0,80}\)[^,()\n]{0,40})\s*(?:,\s*FILTER_(?:UNSAFE_RAW|DEFAULT)\s*)?\)|filter_input_array\s*\(\s*INPUT_(?:GET|POST|COOKIE|REQUEST)\s*\)|\$HTTP_RAW_POST_DATA|getallheaders\s*\(\s*\)|apache_request_headers\s*\(\s*\)|["']php:\/\/input["']|file_get_contents\s*\(\s*["'](?:https?|ftp):\/\/[^"'\s]{1,400}["']\s*\)|curl_exec\s*\(\s*\$[A-Za-z_]\w{0,63}\s*\)|fopen\s*\(\s*["'](?:https?|ftp):\/\/[^"'\s]{1,400}["']\s*(?:,\s*["'][rbt+]{1,3}["']\s*)?\))(?:\s*\[[^\]]{0,400}\])*$/i;
// (not escapeshellcmd: it leaves the command itself to the caller, proc_open(escapeshellcmd($_GET['c'])) runs any program)
const SANITISERS = new Set(['escapeshellarg', 'intval', 'floatval', 'boolval', 'is_numeric', 'isset', 'empty', 'count', 'strlen', 'sanitize_key', 'sanitize_text_field', 'absint', 'in_array', 'array_key_exists', 'preg_match', 'htmlspecialchars', 'esc_attr', 'esc_html', 'md5', 'sha1', 'hash', 'crc32', 'basename', 'is_array', 'is_string', 'preg_quote']);
/** Before a function's name in a call: not a method's (`->`, `::`), a variable's or a namespaced name's, but a lone `\\` is the global one (`\\system(..)`, S19R-11). */
const BARE = '(?<![\\w>$:\\\\])\\\\?';
const CODE_SINKS = ['eval', 'assert', 'create_function'];
const SHELL_SINKS = ['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open', 'pcntl_exec'];
const CALLBACK_SINKS = ['call_user_func', 'call_user_func_array', 'array_map', 'register_shutdown_function', 'ob_start', 'forward_static_call'];
const ALL_SINKS = [...CODE_SINKS, ...SHELL_SINKS, ...CALLBACK_SINKS];
/** The code and command functions PHP can call by name (not eval, a language construct). */
const NAMED_SINKS = [...CODE_SINKS, ...SHELL_SINKS].filter((n) => n !== 'eval').join('|');
/** Such a name bare, as PHP 7 reads an unknown constant, or as a first-class callable: `assert`, `system(...)`. */
const BARE_SINK_NAME = new RegExp(`^\\s*\\\\?(${NAMED_SINKS})\\s*(?:\\(\\s*\\.\\.\\.\\s*\\)\\s*)?$`, 'i');
/** Such a name given as an argument, quoted or bare: `g('system')`, `g(system)`. */
const SINK_NAME_ARG = new RegExp(`^\\s*(["']?)\\\\?(${NAMED_SINKS})\\1\\s*$`, 'i');
/** Functions that call a callback given by name with arguments given beside it. */
const CALLER_NAMES = 'call_user_func(?:_array)?|array_map|array_filter|array_walk(?:_recursive)?|array_reduce|usort|uasort|uksort|register_shutdown_function|register_tick_function|forward_static_call(?:_array)?|iterator_apply';
const CALLERS = new RegExp(`${BARE}(${CALLER_NAMES})\\s*\\(`, 'gi');
const RESULT_CALLED = new RegExp(`${BARE}(file_get_contents|file|fgets|stream_get_contents|base64_decode|str_rot13|strrev|hex2bin|gzinflate|gzuncompress|urldecode|rawurldecode|trim|implode|join|strtolower|getenv)\\s*\\(`, 'gi');
// (and imap_mail, which takes the same arguments: red team S36A-43)
// (or its name as a literal called, 'mail'(..), as the fold layer writes a name it found in a table: held-out set H49)
const MAILS = new RegExp(`${BARE}(?:(?:mail|mb_send_mail|imap_mail)|(['"])(?:mail|mb_send_mail|imap_mail)\\1)\\s*\\(`, 'gi');
const UPLOADS = new RegExp(`${BARE}(move_uploaded_file|copy|rename)\\s*\\(`, 'gi');
const MOVES_UPLOAD = new RegExp(`${BARE}move_uploaded_file\\s*\\(`, 'i');
/** An upload copied under its client's name as register_globals gave both: copy($userfile, $userfile_name) (S23R-15). */
const GLOBALS_COPY = new RegExp(`${BARE}copy\\s*\\(\\s*\\$([A-Za-z_]\\w{0,63})\\s*,[^;]{0,200}\\$\\1_name\\b`, 'i');
/** What an uploader that looks at its files does: extensions, types, image tests, allow lists. */
// (and a pattern matched against the client's name: S20F-4, adminer's upload plugin, preg_match("~\\.($this->extensions)$~", $_FILES[$n]["name"]))
const UPLOAD_CHECKS = /PATHINFO_EXTENSION|\bpathinfo\s*\(|getimagesize|exif_imagetype|finfo_|mime_content_type|\bin_array\s*\(|\.(?:jpe?g|png|gif|pdf|docx?|zip)\b|\bstrrchr\s*\(|\bextensions?\b|\bpreg_match\s*\([^;]{0,300}\[\s*["']name["']\s*\]/i;
/** The checks of an upload's extension that only read it: pathinfo, the word "extension". */
const EXTENSION_READS = /PATHINFO_EXTENSION|\bpathinfo\s*\(|\bextensions?\b/gi;
/** The type the client gave an upload, tested: `isset($types[$f['type']])`, `$_FILES['f']['type'] !== 'application/pdf'`. */
const TYPE_TESTED = /\b(?:isset|in_array|array_key_exists|empty)\s*\([^;]{0,120}\[\s*["']type["']\s*\]|\[\s*["']type["']\s*\]\s*(?:===?|!==?)/i;

/**
 * Whether an uploader looks at its files (UPLOAD_CHECKS, TYPE_TESTED). An extension read by pathinfo into a variable is
 * a check only where that variable is tested (compared, looked up in a list, matched, switched on); one only put back
 * on the stored name keeps whatever the client sent, a .php too (session 41 set H31's uploader: `$ext =
 * pathinfo($name, PATHINFO_EXTENSION); $new = time() . '_' . uniqid() . '.' . $ext`).
 */
function uploadChecked(src: string): boolean {
  if (TYPE_TESTED.test(src)) return true;
  if (!UPLOAD_CHECKS.test(src)) return false;
  if (UPLOAD_CHECKS.test(src.replace(EXTENSION_READS, ' '))) return true;
  // (only pathinfo and the word: the variables the extension is read into)
  const held = new Set<string>();
  for (const m of src.matchAll(/\$([A-Za-z_]\w{0,63})\s*=\s*[^;\n]{0,120}\b(?:pathinfo\s*\(|PATHINFO_EXTENSION\b)/gi)) if (held.size < 16) held.add(m[1]!);
  // (a word "extension" with no extension read into a variable, `$allowed_extensions = ..`: a check, as before)
  if (held.size === 0) return true;
  for (const v of held) {
    const ref = String.raw`\$${v}\b`;
    // (compared, also inside a call, `strtolower($ext) !== 'csv'`; looked up in a list or a map, `empty($allowed[$ext])`:
    // red team S41B)
    const tested = new RegExp(String.raw`${ref}\s*(?:\)\s*){0,3}(?:===?|!==?|<>)|(?:===?|!==?|<>)\s*(?:\w{1,20}\s*\(\s*)?${ref}|\[\s*${ref}\s*\]|\b(?:in_array|array_key_exists|preg_match|isset|empty|switch|match|array_search|str_contains|strcasecmp|strcmp)\s*\([^;{]{0,200}${ref}`, 'i');
    if (tested.test(src)) return true;
  }
  return false;
}

const WRITERS = new RegExp(`${BARE}(file_put_contents|fwrite|fputs)\\s*\\(`, 'gi');
// (a quoted name may start with a backslash, '\\system'(...): red team S31R-25)
const SINK_CALL = new RegExp(`${BARE}(["']?)(?:\\\\{1,2})?(${ALL_SINKS.join('|')})\\1\\s*\\(`, 'gi');
// The right-hand side is taken greedily up to the first ";" (at most 2,000 characters) and never
// backtracked into, so a file of "$a =" without semicolons costs one pass, not 2,000 steps each.
// (a quoted string is one step, so a ";" or "?>" in it does not end the right side: str_replace("?>", "", $c))
// (S20F: `??=`, and an element of an element, $_SESSION['a']['b'] = ...)
const ASSIGN = /\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*(?:\[[^\]]{0,400}\]\s*){0,4}(\.?=|\?\?=|\+=)(?![=>])\s*((?:'(?:[^'\\]|\\[\s\S]){0,400}'|"(?:[^"\\]|\\[\s\S]){0,400}"|[^;?'"]|\?(?!>)|['"]){0,2000})/g;
const DESTRUCT = /(?:\blist\s*\(([^;()=]{1,200})\)|(?<![\w\])$])\[([^;\[\]=]{1,200})\])\s*=(?![=>])\s*([^;]{1,2000})/gi;
const FOREACH = /\bforeach\s*\(\s*([^;]{1,200}?)\s+as\s+(?:\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=>\s*)?(?:&?\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})|(?:list\s*\(|\[)([^;()\[\]]{1,200})[)\]])\s*\)/gi;
/** PHP's magic methods, which run on an object the request chose by unserialize(). */
/** A constant value: a literal that interpolates nothing, a number, null, a boolean, an empty array. */
const CONSTANT = /^\s*(?:'[^'\\]{0,200}'|"[^"\\$]{0,200}"|-?\d{1,20}(?:\.\d{1,20})?|null|true|false|\[\s*\]|array\s*\(\s*\))\s*$/i;
/** A condition that checks a value against others (an allow list, a pattern, a literal, a file): its branch's constant is a default in its place. */
const VALIDATES = /\b(?:in_array|preg_match|array_key_exists|array_search|ctype_\w+|is_numeric|filter_var|file_exists|is_file|is_dir|is_executable|str_starts_with|strpos|stripos|strcmp|strcasecmp|strncmp|match)\b|\bisset\s*\(\s*\$[\w\x80-\xff]+\s*\[\s*\$|[!=]==?\s*["'][^"']|[^"']["']\s*[!=]==?|\b(?:case|switch)\b/i;
/**
 * A condition that checks a value against a list, a pattern, a type or a literal (VALIDATES without the file tests): a
 * ternary with one keeps the strict reading, every value request input or a literal (holdsBranch may narrow it more).
 */
const CHECKED_CONDITION = /\b(?:in_array|preg_match|array_key_exists|array_search|ctype_\w+|is_numeric|is_int|filter_var|function_exists|is_callable|method_exists|str_starts_with|strcmp|strcasecmp|strncmp)\s*\(|\bisset\s*\(\s*\$[\w\x80-\xff]+\s*\[\s*\$|[!=]==?\s*["'][^"']|[^"']["']\s*[!=]==?/i;
/**
 * Whether the assignment at `at` gives `$name` a literal prefix and then the rest: `$handler = 'action_' . $act;`.
 * Called, such a name reaches only functions whose names start so; none of the command and code functions does
 * ('sys' . $x does, and is not this). Red team S42R-2: a dispatcher's `'export_' . $format`.
 */
function prefixedName(src: string, name: string, at: number): boolean {
  if (at < 0) return false;
  const m = /^\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*(["'])([A-Za-z_][\w]{1,40})\2\s*\./.exec(src.slice(at, at + 200));
  if (!m || m[1] !== name) return false;
  const prefix = m[3]!.toLowerCase();
  return !DANGEROUS_NAMES.some((f) => f.startsWith(prefix));
}

/** SQL reading a file of the server: LOAD DATA [LOCAL] INFILE (its words split by comments too), LOAD_FILE(. */
const SQL_FILE_READ = /\bload(?:\s|\/\*[^*]{0,40}\*\/)+data(?:\s|\/\*[^*]{0,40}\*\/)+(?:(?:low_priority|concurrent)(?:\s|\/\*[^*]{0,40}\*\/)+)?(?:local(?:\s|\/\*[^*]{0,40}\*\/)+)?infile\b|\bload_file\s*\(/gi;
/**
 * Whether a ternary's condition, when true, holds the value its first branch gives to the code's own list or one
 * literal: `isset($_GET['s']) && in_array($_GET['s'], $steps, true) ? $_GET['s'] : 'welcome'`. Only the branch's own
 * value checked (not another field: `$_GET['m'] === 'run' ? $_GET['c'] : 'id'`), by in_array or array_key_exists
 * against a variable the request did not fill or an array of literals, isset of such a map's element, or === or == of
 * a literal; no negation, no "or" (red team S42B-21 to -36: a password cookie compared, function_exists, ctype_*,
 * [$x] as the list, !\in_array all let a backdoor's value through).
 */
function holdsBranch(cond: string, branch: string, t: Taint | undefined): boolean {
  const b = branch.trim().replace(/\s+/g, '');
  if (!b.startsWith('$') || /!|\|\||\bor\b|\bxor\b|\bfalse\b|\/\*/i.test(cond)) return false;
  const list = (l: string) => {
    const v = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(l);
    if (v) return !v[1]!.startsWith('_') && !t?.v(v[1]!);
    const a = /^\s*(?:\[|array\s*\()([\s\S]*)[\])]\s*$/i.exec(l);
    return a !== null && splitTop(a[1]!, [',']).every((x) => /^\s*(["'])[^"'$]{0,80}\1\s*$/.test(x));
  };
  const same = (x: string | undefined) => x !== undefined && x.trim().replace(/\s+/g, '') === b;
  for (const m of cond.matchAll(/\b(in_array|array_key_exists)\s*\(/gi)) {
    const args = argsAt(cond, m.index! + m[0].length);
    if (!args) continue;
    const parts = splitTop(args.all, [',']);
    if (same(parts[0]) && parts[1] !== undefined && list(parts[1])) return true;
  }
  for (const m of cond.matchAll(/\bisset\s*\(\s*(\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\[([^\]]{1,200})\]\s*\)/gi)) if (same(m[2]) && list(m[1]!)) return true;
  for (const m of cond.matchAll(/([^=!<>]{1,200}?)\s*===?\s*(["'])[^"'$]{1,80}\2|(["'])[^"'$]{1,80}\3\s*===?\s*([^=&|)]{1,200})/g)) if (same(m[1]?.replace(/^[\s\S]*(?:&&|\band\b|\()/, '')) || same(m[4])) return true;
  return false;
}
/**
 * prefixedName for a callback written as a variable (`usort($rows, $cmp)`), found at its last assignment before `at`
 * (within 64 KiB): `$cmp = "comp_by_" . $order;` (nordugrid-arc-monitor's loadmon.php, red team S42R's Debian scan).
 */
function prefixedBefore(src: string, expr: string, at: number): boolean {
  const v = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(expr)?.[1];
  if (v === undefined) return false;
  const from = Math.max(0, at - 65536);
  const assigned = new RegExp(`\\$${v}\\s*=(?![=>])`, 'g');
  let last = -1;
  for (const m of src.slice(from, at).matchAll(assigned)) last = from + m.index!;
  return prefixedName(src, v, last);
}

/** A constant defined at run time: define('C', ...). */
const DEFINE = /(?<![\w>$:\\])\\?define\s*\(/gi;
const MAGIC_METHOD = /\bfunction\s+&?(__destruct|__wakeup|__unserialize|__tostring|__call|__callstatic|__get|__set|__invoke)\s*\(/gi;
/** A sink given an object's property (within a method's first 4,000 characters). */
const PROPERTY_SINK = /(?<![\w>$:\\])(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function|call_user_func(?:_array)?)\s*\(\s*(?:@\s*)?(?:"\{?\s*)?\$this\s*->|\(\s*\$this\s*->\s*[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*\)\s*\(/i;

/** A method named by a variable or an expression: `$o->$m(`, `K::$m(`, `$o->{$m}(`, `[$o, $m](`. */
const DYNAMIC_METHOD = /(?:(?:->|::)\s*(?:\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})|\{([^{}\n]{1,200})\})|\[[^\[\];,]{1,100},\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\])\s*\(/g;
/** Where an object may be called: `$o(`, `(new R)(`, `call_user_func($o, ...)`, `call_user_func_array($o, [...])`, `array_map($o, ...)`. */
const INVOKES = /(?<![\w>:$\\])\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(|\b(call_user_func(_array)?)\s*\(|\(\s*new\s+\\?[A-Za-z_\x80-\xff][\w\x80-\xff\\]{0,63}\s*(?:(?:\(\s*\))\s*)?\)\s*\(|(?<![\w>:$\\])(array_map)\s*\(\s*(?:new\s+\\?[A-Za-z_\x80-\xff][\w\x80-\xff\\]{0,63}\s*(?:\(\s*\))?|\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*,/gi;
/** An object property assigned: `$o->cmd = ...;`, `$this->a->cmd .= ...;`, `$o->c['x'] = ...;`, `self::$cmd = ...;` (found from its arrow: the chain before it is not read, which cost 3 s on 16 MiB of PHP). */
const PROP_ASSIGN = /(?:(?:\?->|->)\s*(?:([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})|\{\s*["']([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})["']\s*\})|::\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}))\s*(?:\[[^\]]{0,400}\]\s*){0,4}\.?=(?![=>])\s*([^;]{1,2000})/g;
/**
 * Functions that write what one argument holds into a variable given as another (by reference):
 * `parse_str($q, $out)`, `preg_match($re, $s, $m)`, `array_push($a, $v)`, `sscanf($s, $f, $v)`.
 * Per name: the arguments read (a negative number: that one and every later one) and the one written
 * (likewise).
 */
const OUT_PARAMS: Record<string, [from: number, to: number]> = {
  parse_str: [0, 1], mb_parse_str: [0, 1], preg_match: [1, 2], preg_match_all: [1, 2], mb_ereg: [1, 2], mb_eregi: [1, 2],
  array_push: [-1, 0], array_unshift: [-1, 0], sscanf: [0, -2],
  openssl_public_decrypt: [0, 1], openssl_private_decrypt: [0, 1], openssl_open: [0, 1],
};
const OUT_CALL = new RegExp(`(?<![\\w>$:])\\\\?(${Object.keys(OUT_PARAMS).join('|')})\\s*\\(`, 'gi');
const FUNCTION_DEF = /\bfunction\s+&?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(([^)]{0,400})\)/gi;
/** A closure kept in a variable: `$g = function ($f, $a) {`, `$g = fn($f, $a) =>`; its name is read as `$g`. */
// (the _array forms too: `\bcall_user_func\b` is not in call_user_func_array, S21R-17)
/** `$r = new ReflectionFunction('g')`, `$r = new ReflectionMethod('K', 'go')` / `('K::go')`: the variable in group 1, the kind in 2, the name in 3, 4 or 5. */
const REFLECTION_HELD = /\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*new\s+\\?Reflection(Function|Method)\s*\(\s*(?:["']([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})["']|[^,()]{1,80},\s*["']([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})["']|["'][\w\\]{1,80}::([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})["'])\s*\)/gi;
/** array_map given a function's name (group 2), its arrays after the match. */
const ARRAY_MAP_NAMED = /(?<![\w>$:\\])array_map\s*\(\s*(["'])\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\1\s*,/gi;
const NAME_CALLS_HINT = /\b(?:call_user_func|forward_static_call|Reflection(?:Method|Function))(?:_array)?\b/i;
const CLOSURE_VAR_DEF = /(?<![\w$>:])\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*(?:static\s+)?(?:function|fn)\s*(?:&\s*)?\(([^)]{0,400})\)/gi;
/**
 * A function of the file called by its name as a string: `call_user_func('g', ...)`, `call_user_func('K::go', ...)`,
 * `call_user_func([$o, 'go'], ...)`, the `_array` forms, `(new ReflectionMethod('K', 'go'))->invoke($o, ...)`,
 * `(new ReflectionFunction('g'))->invoke(...)`: the name in group 4, 6, 8, 9 or 10 (ReflectionFunction's,
 * whose invoke has no object first); the call's arguments start after the match, the callable or the
 * object first. Groups 1, 2 and 11: the arguments come as one array.
 */
const NAME_CALLS = /\b(?:call_user_func(_array)?|forward_static_call(_array)?)\s*\((?=\s*(?:(["'])(?:[\w\\]{1,80}::)?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\3|(?:\[|array\s*\()\s*[^,\])]{1,80},\s*(["'])([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\5\s*[\])])\s*,)|\bnew\s+\\?Reflection(?:Method\s*\(\s*(?:[^,()]{1,80},\s*(["'])([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\7|["'][\w\\]{1,80}::([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})["'])|Function\s*\(\s*["']([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})["'])\s*\)\s*(?:\)\s*)?->\s*invoke(Args)?\s*\(/gi;
// (a name written as a string and called too: 'system'($x), as the fold layer writes a name it found)
const DANGEROUS_BODY = new RegExp(`${BARE}["']?(?:\\\\{1,2})?(eval|assert|create_function|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|file_put_contents|fwrite)["']?\\s*\\(`, 'i');
/** A backtick literal that interpolates a variable: a shell command of a helper's parameter (S23R-10). */
const BACKTICK_VAR = /`[^`]{0,400}\$/;
/** A function body worth following from its calls: it runs code or commands, or writes files. */
function runsSomething(body: string): boolean {
  return DANGEROUS_BODY.test(body) || BACKTICK_VAR.test(body);
}
/** A variable included: `include $f;`, `require_once($f['tmp_name'])`. */
const INCLUDES_VARIABLE = /\b(?:include|require)(?:_once)?\s*(?:\(\s*)?(?:@\s*)?"?\{?\$/i;
/** A sink given a variable: `system($c`, `passthru(@$c`. */
const VARIABLE_SINK = /(?<![\w>$:\\])(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function|call_user_func(?:_array)?)\s*\(\s*(?:@\s*)?(?:"\{?\s*)?\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/gi;

/**
 * Whether a magic method (its text from `function`) runs what an unserialized object holds: a property
 * given to a sink (PROPERTY_SINK), a property copied into a variable first (`$c = $this->cmd; passthru($c)`),
 * or __unserialize's array parameter (`system($d['c'])`).
 */
function runsProperty(text: string): boolean {
  if (PROPERTY_SINK.test(text)) return true;
  const held = new Set<string>();
  const param = /^function\s*(?:&\s*)?__unserialize\s*\(\s*(?:\??array\s+)?\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/i.exec(text);
  if (param) held.add(param[1]!);
  for (const m of text.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*(?:@\s*)?\$this\s*->/g)) if (held.size < 64) held.add(m[1]!);
  if (held.size === 0) return false;
  for (const m of text.matchAll(VARIABLE_SINK)) if (held.has(m[1]!)) return true;
  return false;
}

const PROPERTY_EXEC = /(?<![\w>$:\\])(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function)\s*\(\s*(?:@\s*)?(?:"\{?\s*)?\$this\s*->/i;
/** A method body that sets a property of its object: `$this->c = ...`. */
const SETS_PROPERTY = /\$this\s*->\s*[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*(?:\[[^\]]{0,400}\]\s*){0,4}\.?=(?![=>])/;
/** A method called on an object or a class: `->name(`, `::name(` (the methods the file does not define go to __call, __callStatic). */
const METHOD_CALLS = /(->|::)\s*([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(/g;
const VAR_CALL = /(?<![\w>:$])\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*(?:\[[^\]]{0,400}\]\s*){0,4}\(/g;

/**
 * Calls of code or command functions whose names the file hides: the name appears
 * only in `normal` (the strings put back together), not as a plain literal in
 * `original`, and is then called (`$f(...)`, `'assert'(...)`, or handed to a caller).
 */
export function hiddenSinkCalls(normal: string, original: string): FlowFinding[] {
  const out: FlowFinding[] = [];
  const sinks = [...CODE_SINKS, ...SHELL_SINKS];
  const plain = (name: string) => new RegExp(`["']${name}["']`, 'i').test(original);
  let looked = 0;
  for (const m of normal.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*'([A-Za-z_\x80-\xff][\w\x80-\xff]{1,40})'\s*;/g)) {
    const fn = m[2]!.toLowerCase();
    if (!sinks.includes(fn)) continue;
    // Each candidate reads the whole text: a bounded number of them.
    if (++looked > 32) break;
    if (plain(fn)) continue;
    if (!new RegExp(`(?<![\\w>:$])\\$${m[1]}\\s*\\(|\\b(${CALLER_NAMES})\\s*\\([^;]{0,200}\\$${m[1]}(?![\\w\\x80-\\xff])`, 'i').test(normal)) continue;
    out.push({ technique: 'obfuscated-call', score: 80, description: `the name ${fn}() is assembled from pieces and called through $${m[1]}`, offset: m.index! });
    if (out.length >= 8) break;
  }
  // eval of a decoder whose name is hidden: $d = 'base'.'64_decode'; eval($d('...')).
  const decoders = ['base64_decode', 'gzinflate', 'gzuncompress', 'gzdecode', 'str_rot13', 'strrev', 'hex2bin', 'convert_uudecode', 'rawurldecode', 'urldecode'];
  let seen = 0;
  for (const m of normal.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*'([A-Za-z_\x80-\xff][\w\x80-\xff]{1,40})'\s*;/g)) {
    const fn = m[2]!.toLowerCase();
    if (!decoders.includes(fn) || ++seen > 32 || plain(fn)) continue;
    if (!new RegExp(`\\b(eval|assert)\\s*\\(\\s*(?:@\\s*)?\\$${m[1]}\\s*\\(`, 'i').test(normal)) continue;
    out.push({ technique: 'obfuscated-call', score: 80, description: `eval of ${fn}() whose name is assembled from pieces and held in $${m[1]}`, offset: m.index! });
    break;
  }
  // (the variable written as its value: eval('base64_decode'('...')))
  if (seen === 0 || !out.some((f) => f.description.startsWith('eval of'))) {
    for (const m of normal.matchAll(new RegExp(`\\b(?:eval|assert)\\s*\\(\\s*(?:@\\s*)?'(${decoders.join('|')})'\\s*\\(`, 'gi'))) {
      if (plain(m[1]!.toLowerCase())) continue;
      out.push({ technique: 'obfuscated-call', score: 80, description: `eval of ${m[1]!.toLowerCase()}() whose name is assembled from pieces`, offset: m.index! });
      break;
    }
  }
  for (const m of normal.matchAll(new RegExp(`'(${sinks.join('|')})'\\s*\\(`, 'gi'))) {
    if (plain(m[1]!.toLowerCase())) continue;
    out.push({ technique: 'obfuscated-call', score: 80, description: `the name ${m[1]!.toLowerCase()}() is assembled from pieces and called`, offset: m.index! });
    break;
  }
  const table = hiddenTable(normal, original);
  if (table) out.push(table);
  return out;
}

/**
 * A table of function names the file hides and calls by element: `$t = explode('~', base64_decode('...'))`, then
 * `$t[1]($_FILES[..]..)`, `$t[7]($ch, ...)`, which the fold writes as `'move_uploaded_file'(`, `'curl_exec'(`. Names
 * none of which the file writes as a literal or calls by name, at least HIDDEN_TABLE of them, one of them a function
 * that writes, deletes or uploads files, fetches or sends (held-out set H18: obfuscated file managers, a cloaking
 * loader). An application's table of callbacks writes its names plainly.
 */
function hiddenTable(normal: string, original: string): FlowFinding | undefined {
  // (decoded: a table of names only joined from pieces is a theme's way past the Theme Check's list of functions, and a
  // list of names in one literal a setting: red team S37A-23 to -25)
  // (the decoder's name may be joined from pieces in the file, 'ba'.'SE'.'64'..., and decoded away in the text given)
  const low = original.toLowerCase();
  const joined = low.replace(/["']\s*\.\s*["']/g, '');
  if (!TABLE_DECODER.test(normal) && !TABLE_DECODER_WORD.test(joined)) return undefined;
  const names = new Map<string, number>();
  // (called, or given to a caller by name: call_user_func($t[1], ...), S37A-32)
  for (const m of normal.matchAll(TABLE_CALL)) {
    const fn = (m[1] ?? m[2])!.toLowerCase();
    if (!names.has(fn)) names.set(fn, m.index!);
    if (names.size >= 64) break;
  }
  if (names.size < HIDDEN_TABLE || ![...names.keys()].some((n) => TABLE_CAPABILITIES.has(n))) return undefined;
  // (hidden: not a word of the file as it is written, nor of its literals joined: a theme's 'f'.'open' is a name written
  // in pieces, not decoded, red team S37A-23, -25)
  // (nor put together from a literal of four or more of its letters: array($p . 'open', $p . 'write'), a prefix from a
  // setting, red team S37B)
  const literals: string[] = [];
  for (const m of low.matchAll(/'([^'\\\n]{4,40})'|"([^"\\\n]{4,40})"/g)) if (literals.push((m[1] ?? m[2])!) >= 4096) break;
  const hidden = [...names.keys()].filter((n) => {
    const word = new RegExp(`(?<![\\w$])${n}(?![\\w])`);
    return !word.test(low) && !word.test(joined) && !literals.some((l) => n.includes(l));
  });
  const caps = hidden.filter((n) => TABLE_CAPABILITIES.has(n));
  if (hidden.length < HIDDEN_TABLE || caps.length === 0) return undefined;
  return { technique: 'obfuscated-call', score: 80, description: `calls ${hidden.length} functions whose names it hides (${caps.slice(0, 4).join(', ')}${caps.length > 4 ? ', ...' : ''}): a table of names decoded or put together at run time`, offset: names.get(caps[0]!)! };
}

/** Hidden names called, at least (hiddenTable). */
// (3: the fold writes in only the names that matter to the rules, and a table of five may show three: S37A-35)
const HIDDEN_TABLE = 3;
/** A decoder called in the folded text, or named in the file's lower-cased text with its literals joined (hiddenTable). */
const TABLE_DECODERS = 'base64_decode|str_rot13|gzinflate|gzuncompress|gzdecode|strrev|hex2bin|convert_uudecode';
const TABLE_DECODER = new RegExp(`\\b(?:${TABLE_DECODERS})\\s*\\(`, 'i');
const TABLE_DECODER_WORD = new RegExp(TABLE_DECODERS);
/** A name called as a literal, `'unlink'(`, or given to a caller, `call_user_func('unlink', ...)`. */
const TABLE_CALL = /'([A-Za-z_][A-Za-z0-9_]{2,40})'\s*\(|\b(?:call_user_func(?:_array)?|array_map|array_walk|forward_static_call(?:_array)?)\s*\(\s*'([A-Za-z_][A-Za-z0-9_]{2,40})'/g;
/** What a hidden table must call one of: files written, deleted, moved or uploaded, remote content fetched, mail or sockets. */
const TABLE_CAPABILITIES = new Set(['move_uploaded_file', 'file_put_contents', 'fwrite', 'fputs', 'unlink', 'rmdir', 'rename', 'copy', 'chmod', 'touch', 'curl_exec', 'curl_multi_exec', 'file_get_contents', 'fsockopen', 'pfsockopen', 'stream_socket_client', 'mail', 'readfile', 'fopen', ...SHELL_SINKS, ...CODE_SINKS]);
/** Functions a name from the request must not reach when called (prefixedName): the table's capabilities, the callers, includes and loaders. */
const DANGEROUS_NAMES = [...TABLE_CAPABILITIES, ...CALLBACK_SINKS, 'include', 'require', 'dl', 'unserialize', 'extract', 'parse_str', 'putenv', 'ini_set', 'mb_ereg_replace', 'preg_replace', 'iterator_apply', 'register_tick_function', 'phpinfo', 'posix_kill', 'symlink', 'highlight_file', 'show_source'];

/** Only files with request input are read. */
export function worthFlow(src: string, low: string = src.toLowerCase(), pieces?: Uint8Array): boolean {
  // (move_uploaded_file takes nothing but an upload: under register_globals its name is any variable, S23 set E)
  // (each pattern behind a word it needs, in the lower-cased text)
  return (
    (mayHoldSource(low, pieces) && SOURCE.test(src)) ||
    (holds(low, pieces, 'move_uploaded_file') && MOVES_UPLOAD.test(src)) ||
    (holds(low, pieces, 'copy') && GLOBALS_COPY.test(src)) ||
    (holds(low, pieces, 'import_request_variables') && /\bimport_request_variables\s*\(/i.test(src)) ||
    (holds(low, pieces, 'php://') && PHP_STREAM_PIECES.test(src)) ||
    remote(src, low, pieces) ||
    (SUPERGLOBAL_WORDS.some((w) => holds(low, pieces, `'${w}`) || holds(low, pieces, `"${w}`)) && SUPERGLOBAL_NAME.test(src) && superglobalAliases(src) !== undefined)
  );
}

export function phpFlow(input: string): FlowFinding[] {
  const aliased = superglobalAliases(input) ?? input;
  const variadic = variadicParameters(aliased) ?? aliased;
  const spread = spreadArrays(variadic) ?? variadic;
  const src = calledLiteralGroups(spread) ?? spread;
  const found = flowOf(src);
  // (and with its long literals read by their ends, for what they hid: both readings' findings, since where the
  // literals' lexer and PHP's disagree the first reads code the cut would drop, red team S43R-11 to -14)
  const short = shortLiterals(src);
  if (!short) return found;
  const seen = new Set(found.map((f) => `${f.technique}\u0000${f.offset}`));
  for (const f of flowOf(short.text)) {
    const at = short.offset(f.offset);
    if (!seen.has(`${f.technique}\u0000${at}`)) found.push({ ...f, offset: at });
  }
  return found;
}

function flowOf(src: string): FlowFinding[] {
  // Comments are blanked only when the raw text has findings (rare), to confirm them.
  const raw = flow(src);
  if (raw.length > 0) return flow(stripComments(src));
  // A comment where PHP's tokenizer skips it but the patterns above do not: between a
  // function's name and its "(", or a variable and its "[" (`system/**/($_GET[1])`).
  return commentInCall(src) ? flow(stripComments(src)) : raw;
}

/** A quoted literal longer than this is read by its ends (shortLiterals): the passes read up to 400 characters of one. */
const LONG_LITERAL = 400;
/** How much of each end of a long literal is kept (the two ends under the 200 characters of a literal a variable is read as). */
const LITERAL_KEEP = 90;

/**
 * PHP text with each long quoted literal that interpolates nothing (over LONG_LITERAL characters: a page's HTML, CSS
 * or a generated file's text held in a string) cut to its first and last LITERAL_KEEP characters; `offset` maps an
 * offset of the result back to the text (the findings' lines are the text's). The newlines of what was cut are not
 * kept: a literal of 1,500 short lines would be as long as before. The passes read an
 * assignment's value up to 400 characters of a literal at a time, and a longer one was read as code from its quote
 * on, stopping at the first ";" of its CSS: `$page = "<style>..</style>" . $b64($_POST['l']) . "..."; fwrite($f,
 * $page)` wrote nothing of the request's (held-out set H40's shell encrypter). What a literal that interpolates
 * nothing holds is no value of the request's, and its ends (a command's program before a join, a ".php" name after
 * one) are kept. One walk of the text; undefined when nothing is cut.
 */
function shortLiterals(src: string): { text: string; offset: (at: number) => number } | undefined {
  if (src.length <= LONG_LITERAL) return undefined;
  const stripped = stripComments(src);
  const parts: string[] = [];
  const cutAt: number[] = [];
  const cutBy: number[] = [];
  let last = 0;
  let size = 0;
  let removed = 0;
  let valued = false;
  eachLiteral(stripped, (from, to) => {
    const q = src.charCodeAt(from);
    if (to - from <= LONG_LITERAL || (q !== 34 && q !== 39) || src.charCodeAt(to - 1) !== q) return;
    let head = -1;
    let tail = -1;
    for (let j = from + 1; j < to - 1; ) {
      if (head < 0 && j - from > LITERAL_KEEP) head = j;
      if (tail < 0 && j >= to - 1 - LITERAL_KEEP) tail = j;
      const c = src.charCodeAt(j);
      if (c === 92) {
        j += 2;
        continue;
      }
      // ("$name", "{$..}", "${..}": what it interpolates is read; the literal is left whole)
      if (q === 34 && ((c === 36 && (isNameChar(src.charCodeAt(j + 1)) || src.charCodeAt(j + 1) === 123) && !/\d/.test(src[j + 1]!)) || (c === 123 && src.charCodeAt(j + 1) === 36))) return;
      j++;
    }
    if (head < 0 || tail <= head) return;
    // (what the passes misread is a value: a literal given by "=" or joined by "." (not an array's "=>", a comparison)
    let b = from - 1;
    while (b > 0 && (src.charCodeAt(b) === 32 || src.charCodeAt(b) === 9 || src.charCodeAt(b) === 10 || src.charCodeAt(b) === 13)) b--;
    const before = src[b];
    if (before === '.' || (before === '=' && !/[=!<>]/.test(src[b - 1] ?? ''))) valued = true;
    parts.push(src.slice(last, head));
    size += head - last;
    removed += tail - head;
    cutAt.push(size);
    cutBy.push(removed);
    last = tail;
  });
  // (only where a value was cut: a file whose long literals are arrays' entries or echoed reads the same either way)
  if (cutAt.length === 0 || !valued) return undefined;
  parts.push(src.slice(last));
  const offset = (at: number): number => {
    const k = firstAbove(cutAt, at) - 1;
    return k < 0 ? at : at + cutBy[k]!;
  };
  return { text: parts.join(''), offset };
}

/**
 * An array literal spread into a call, `system(...[$_GET["c"]])`, written `...array(...)`, the form the
 * passes read (session 29's probe of small shells). Brackets matched within 400 characters; at most 64
 * spreads; the text's lines unchanged.
 */
function spreadArrays(src: string): string | undefined {
  if (!src.includes('...')) return undefined;
  let out = '';
  let from = 0;
  let n = 0;
  for (let at = src.indexOf('...', 0); at >= 0 && n < 64; at = src.indexOf('...', at + 3)) {
    let i = at + 3;
    while (i < src.length && (src[i] === ' ' || src[i] === '\t')) i++;
    if (src[i] !== '[') continue;
    let depth = 0;
    let end = -1;
    for (let j = i; j < src.length && j < i + 400; j++) {
      if (src[j] === '[') depth++;
      else if (src[j] === ']' && --depth === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) continue;
    out += `${src.slice(from, i)}array(${src.slice(i + 1, end)})`;
    from = end + 1;
    at = end - 2;
    n++;
  }
  return n === 0 ? undefined : out + src.slice(from);
}

/** A name written as a string, in brackets, and called: `('system')($c)`. */
// (in brackets twice or more, (('system'))($c): red team S31R-19)
const CALLED_LITERAL_GROUP = /\((?:\s*\(){0,3}\s*(["'])\\?[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\1(?:\s*\)){1,4}(?=\s*\()/g;
/** A condition in brackets choosing between two names, called: the second name and its closing bracket in group 2. */
const CALLED_CHOICE = /\((?:[^()?:;]|\([^()]{0,80}\)){1,200}\?\s*(["'])\\?[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\1\s*:\s*((["'])\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\3\s*\))(?=\s*\()/g;
/** What before a bracket makes it a call's arguments (a name, a variable, an element, a call's result, a method or static call's name), unless it is a keyword. */
// (a colon alone, `: (` of a ternary or a case, and `=>` are not: red team S31R-15 to -17)
const CALL_BEFORE = /(?:[\w\x80-\xff$\])]|::|->)\s*$/;
const KEYWORD_BEFORE = /(?:^|[^\w\x80-\xff$])(?:php|echo|print|return|and|or|xor|else|case|yield|do)\s*$/i;

/**
 * A name in brackets called, `('system')($c)` (as written, or as the fold layer writes a property or a
 * group of literals it knows: red team S30B-17), written ` 'system' ($c)`, the form the sinks' patterns
 * and a helper's body test read. The same length, so offsets hold. Not a call's arguments:
 * `f('system')($c)` calls what f returns. At most 64.
 */
function calledLiteralGroups(src: string): string | undefined {
  if (!src.includes("')") && !src.includes('")')) return undefined;
  let out = '';
  let from = 0;
  let n = 0;
  // (a condition choosing between two names, (PHP_OS_FAMILY === 'Windows' ? 'exec' : 'system')($c), is read as the
  // second name, the rest blanked: red team S31R-20)
  const chosen = src.includes('?') ? [...src.matchAll(CALLED_CHOICE)].slice(0, 64) : [];
  const at = new Map(chosen.map((m) => [m.index!, m]));
  for (const m of [...src.matchAll(CALLED_LITERAL_GROUP), ...chosen].sort((a, b) => a.index! - b.index!)) {
    if (m.index! < from) continue;
    if (n >= 64) break;
    const before = src.slice(Math.max(0, m.index! - 64), m.index!);
    if (CALL_BEFORE.test(before) && !KEYWORD_BEFORE.test(before)) continue;
    let text: string;
    if (at.get(m.index!) === m) {
      // (the condition and the first name blanked, the second kept, its bracket blanked)
      const last = m[0].length - m[2]!.length;
      text = `${' '.repeat(last)}${m[0].slice(last, -1)} `;
    } else {
      // (as many brackets closed as opened: the group is the name alone)
      if (m[0].split('(').length !== m[0].split(')').length) continue;
      text = m[0].replace(/[()]/g, ' ');
    }
    out += src.slice(from, m.index!) + text;
    from = m.index! + m[0].length;
    n++;
  }
  return n === 0 ? undefined : out + src.slice(from);
}

/** Bytes of a PHP text that are code: comments, and space, not counted. */
function codeSize(src: string): number {
  return blankPhp(src, false).replace(/\s+/g, '').length;
}

/** A run of comments and spaces this long inside a statement has the text read uncommented (commentInCall). */
const LONG_COMMENT_RUN = 1024;

/** What the walk of commentInCall stops at: a literal's start, a comment's, the end of the PHP code. */
const COMMENT_WALK = /["'`]|<<<|\/\*|\/\/|#(?!\[)|\?>/g;

/**
 * Whether a run of comments (and spaces) sits between a name (or "]") and a "(" or "[", or opens an
 * argument (after a "(" or a ",").
 * Walked by hand, each run once: a regex repeating over the run kept a backtracking frame per
 * comment, and 16 MiB of comment lines overflowed the stack (S22R-13). Literals, and the text
 * outside the PHP tags, are stepped over as stripComments does: a "/*" in a string was taken for
 * a comment, and one without an end stopped the walk (`$s = "a/*";` before `system#x\n($_GET[1])`
 * left it unread, S23R-2), or a run from it jumped over the call to a later comment's end.
 */
export function commentInCall(src: string): boolean {
  // (asked of the same file by the scanner, for its uncommented layer, and by phpFlow: the last answer kept)
  if (LAST_IN_CALL.src === src) return LAST_IN_CALL.found;
  const found = commentInCallWalk(src);
  LAST_IN_CALL.src = src;
  LAST_IN_CALL.found = found;
  return found;
}
const LAST_IN_CALL = { src: '', found: false };

function commentInCallWalk(src: string): boolean {
  const n = src.length;
  const re = new RegExp(COMMENT_WALK.source, 'g');
  const space = (c: number) => c === 32 || (c >= 9 && c <= 13);
  // (a text without "<?" is PHP throughout)
  const toCode = (from: number): number => {
    const open = src.indexOf('<?', from);
    return open < 0 ? n : open + 2;
  };
  re.lastIndex = src.indexOf('<?') >= 0 ? toCode(0) : 0;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const at = m.index;
    const c = src.charCodeAt(at);
    if (c === 63) {
      re.lastIndex = toCode(at + 2);
      continue;
    }
    if (c === 34 || c === 39 || c === 96 || c === 60) {
      re.lastIndex = Math.max(at + 1, c === 60 ? heredocEnd(src, at) : literalEnd(src, at, 0));
      continue;
    }
    // a comment: the run is it and the comments and spaces after it
    let i = at;
    for (;;) {
      if (src.startsWith('/*', i)) {
        const end = src.indexOf('*/', i + 2);
        // (a comment without an end runs to the file's end)
        if (end < 0) return false;
        i = end + 2;
      } else if (src.startsWith('//', i) || (src[i] === '#' && src[i + 1] !== '[')) {
        // (a line comment ends at its line's end, or at a "?>")
        let end = i + 1;
        while (end < n && src.charCodeAt(end) !== 10 && src.charCodeAt(end) !== 13 && !(src.charCodeAt(end) === 63 && src.charCodeAt(end + 1) === 62)) end++;
        i = end;
        if (src.charCodeAt(i) === 63) break;
      } else break;
      while (i < n && space(src.charCodeAt(i))) i++;
    }
    let b = at - 1;
    while (b >= 0 && space(src.charCodeAt(b))) b--;
    const p = b >= 0 ? src.charCodeAt(b) : 0;
    const named = p === 93 || isNameChar(p);
    if (named && (src[i] === '(' || src[i] === '[')) return true;
    // (or inside a variable's index, after its "[" or before its "]": $_GET[/* ... */'c'] hid the input from
    // the flow pass's bounded look at an index, red team S30R-2)
    if (p === 91 && /[\w\x80-\xff\]}]\s*\[$/.test(src.slice(Math.max(0, b - 64), b + 1))) return true;
    if (src[i] === ']' && (p === 39 || p === 34)) return true;
    // (or first in the argument list of a function that runs, decodes or writes code, or after one of its
    // commas: system(/**/$_GET["c"]) was no match for the rules or the flow pass, session 29; not any
    // call's, which half of a large application's files have, array(1, // a note)
    if ((p === 40 || p === 44) && i < n && src[i] !== ')' && sinkBefore(src, b)) return true;
    // (or between an assignment's "=", or a ".", and the superglobal it takes: $c = /**/ $_GET['c'])
    if ((p === 61 || p === 46) && src.startsWith('$_', i)) return true;
    // (or a run of LONG_COMMENT_RUN characters or more inside a statement, anywhere: padding made of comments
    // is past the rules' 4 KB and the analysers' bounds however the run sits, `$h = <5,000 of /**/> fopen(..)`;
    // not one that follows a statement, a block or the PHP tag, where a long doc comment is)
    if (i - b > LONG_COMMENT_RUN && p !== 59 && p !== 123 && p !== 125 && b >= 0 && !/<\?(?:php)?$/i.test(src.slice(Math.max(0, b - 4), b + 1))) return true;
    re.lastIndex = Math.max(at + 1, i);
  }
  return false;
}

/** What runs, decodes or writes code: the calls a comment inside is looked into for. */
const COMMENT_SINKS = new RegExp(
  `(?:^|[^\\w$])(?:${[...CODE_SINKS, ...SHELL_SINKS, 'call_user_func(?:_array)?', 'preg_replace(?:_callback)?', 'array_map', 'array_filter', 'array_walk', 'usort', 'uasort', 'uksort', 'register_shutdown_function', 'include(?:_once)?', 'require(?:_once)?', 'base64_decode', 'gzinflate', 'gzuncompress', 'gzdecode', 'str_rot13', 'strrev', 'hex2bin', 'convert_uudecode', 'file_put_contents', 'fwrite', 'fputs', 'move_uploaded_file', 'copy', 'mail', 'unserialize', 'extract', 'parse_str', 'implode', 'join'].join('|')})\\s*$`,
  'i',
);

/**
 * Whether the "(" or "," at `at` belongs to a call of COMMENT_SINKS (a "," looked back from at most 256
 * characters, brackets counted, to its call's "(").
 */
function sinkBefore(src: string, at: number): boolean {
  let open = at;
  if (src.charCodeAt(at) === 44) {
    let depth = 0;
    open = -1;
    for (let j = at - 1; j >= 0 && j >= at - 256; j--) {
      const c = src.charCodeAt(j);
      if (c === 41 || c === 93) depth++;
      else if (c === 40 || c === 91) {
        if (depth === 0) {
          if (c === 40) open = j;
          break;
        }
        depth--;
      }
    }
    if (open < 0) return false;
  }
  return COMMENT_SINKS.test(src.slice(Math.max(0, open - 40), open));
}

/** What SUPERGLOBAL_NAME needs after its quote. */
const SUPERGLOBAL_WORDS = ['_get', '_post', '_request', '_cookie', '_files'];
/** A variable assigned the name of a superglobal (`$n = '_GET'`). */
const SUPERGLOBAL_NAME = /\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*=\s*["']_(?:GET|POST|REQUEST|COOKIE|FILES)["']/i;

/** An upload's temporary file, and its client's name, each alone as an argument. */
const BARE_TMP = /^\s*(?:@\s*)?\$_FILES\s*\[[^\]\n]{1,80}\]\s*\[\s*["']tmp_name["']\s*\]\s*$/;
const BARE_NAME = /^\s*\$_FILES\s*\[[^\]\n]{1,80}\]\s*\[\s*["']name["']\s*\]\s*$/;
/** Anything that looks at an upload's name or type before it is stored. */
/**
 * An application's own page behind its login: it loads the application's configuration or database connection by a
 * fixed path, and sends a visitor without a session to the login page, setting no session itself (a shell's own
 * password gate sets one). An unchecked upload there is the application's, a hole for whoever has its login: worth
 * saying (suspicious), not a planted uploader (held-out set H64: a clinic site's admin pages adding a product and a
 * testimonial, an image saved under the client's name).
 */
const APP_INCLUDE = /\b(?:require|include)(?:_once)?\s*\(?\s*["'](?:\.{1,2}\/){0,4}(?:[\w-]{1,40}\/){0,3}[\w.-]{0,40}(?:config|conn|connection|connect|dbconnect|db|database|init|bootstrap|common|session|functions)[\w.-]{0,20}\.php["']/i;
// (the gate itself, at the file's top level and before the upload, stopping there: `if (empty($_SESSION['k'])) {
// header('Location: login.php'); exit; }`, or the redirect in the else of `if (!empty($_SESSION['k'])) { .. }`; not a
// check with another way past it, an inverted one, or one in a function never called, red team S46B-29, -30, -36)
const LOGIN_GATE = /\bif\s*\(\s*(?:empty\s*\(\s*|!\s*isset\s*\(\s*|!\s*)\$_SESSION\s*\[[^\]\n]{1,60}\]\s*\)?\s*\)\s*\{?\s*header\s*\(\s*["']Location\s*:\s*[^"'\n]{0,80}["']\s*\)\s*;\s*(?:exit|die)\b/gi;
const LOGIN_ELSE = /\bif\s*\(\s*(?:!\s*empty|isset)\s*\(\s*\$_SESSION\s*\[[^\]\n]{1,60}\]\s*\)\s*\)\s*\{[^{}]{0,400}(?:\{[^{}]{0,200}\}[^{}]{0,200})?\}\s*else\s*\{?\s*header\s*\(\s*["']Location\s*:\s*[^"'\n]{0,80}(?:login|signin|sign-in|auth)[^"'\n]{0,40}["']\s*\)\s*;\s*(?:exit|die)\b/gi;
// (a session set before the gate is a shell's own password; one after it, a flash message, S46B-15)
const SESSION_SET = /\$_SESSION\s*\[[^\]\n]{1,60}\]\s*(?:\[[^\]\n]{0,60}\]\s*)?=(?!=)/g;
function appLoginPage(src: string): boolean {
  if (!APP_INCLUDE.test(src)) return false;
  // (the gate read in the text, its redirect's address being a literal; where it stands, in the code alone)
  const code = codeOnly(src);
  const upload = code.search(/\bmove_uploaded_file\s*\(|\bcopy\s*\(\s*\$_FILES/i);
  if (upload < 0) return false;
  let gate = -1;
  for (const re of [LOGIN_GATE, LOGIN_ELSE]) {
    re.lastIndex = 0;
    for (const m of src.matchAll(re)) {
      if (m.index! > upload) break;
      if (depthAt(code, m.index!) === 0) {
        gate = m.index!;
        break;
      }
    }
    if (gate >= 0) break;
  }
  if (gate < 0) return false;
  SESSION_SET.lastIndex = 0;
  const set = SESSION_SET.exec(src);
  return set === null || set.index > gate;
}
/** The braces open at `at` in code whose literals and comments are blanked (codeOnly). */
function depthAt(code: string, at: number): number {
  let d = 0;
  for (let i = 0; i < at; i++) {
    const c = code.charCodeAt(i);
    if (c === 123) d++;
    else if (c === 125 && d > 0) d--;
  }
  return d;
}
/**
 * What an uploader finding scores on an application's page behind its login (appLoginPage): suspicious. (The rule for
 * tiny upload pages, mamori_php_tiny_uploader, passes over such a page the same way.)
 */
const APP_UPLOAD_SCORE = 35;
const APP_UPLOAD_NOTE = " (on a page of the application's own, behind its login)";

const UPLOAD_NAME_CHECKED = /\b(?:pathinfo|getimagesize|exif_imagetype|mime_content_type|finfo_\w+|in_array|preg_match|strrchr|strrpos|explode|wp_check_filetype\w*|wp_handle_upload|sanitize_file_name|basename)\s*\(|PATHINFO_EXTENSION|\[\s*["']type["']\s*\]/i;

/**
 * Whether a destination holds the client's file name: `$_FILES[..]['name']` in it, or a variable given
 * one (`levels` deep: `$dest = $dir . $name; $name = $_FILES['f']['name']`).
 */
// (at most 16 variables looked up in all, each a pass over the file: a crafted destination of many
// variables, each assigned many times, is not a quadratic walk)
function clientName(expr: string, src: string, levels: number, budget = { looks: 16 }): boolean {
  if (/\$_FILES\s*\[[^\]]{1,64}\]\s*\[\s*["']name["']\s*\]/i.test(expr)) return true;
  if (levels <= 0) return false;
  for (const v of expr.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) {
    if (v[1] === '_FILES') continue;
    if (budget.looks-- <= 0) return false;
    let seen = 0;
    // (the upload's entry held in a variable, its name read from that: $f = $_FILES['f']; ... $f['name'], session 27 set Q)
    const named = new RegExp(`\\$${v[1]}\\s*\\[\\s*["']name["']\\s*\\]`).test(expr);
    for (const a of src.matchAll(new RegExp(`\\$${v[1]}\\s*=(?![=>])([^;]{0,300});`, 'g'))) {
      if (++seen > 8) break;
      if (named && /^\s*(?:@\s*)?\$_FILES\s*\[[^\]]{1,64}\]\s*$/.test(a[1]!)) return true;
      if (clientName(a[1]!, src, levels - 1, budget)) return true;
    }
  }
  return false;
}

/**
 * Whether `at` is inside the body of a loop (while, for, foreach, do) that starts in the 8 KiB before it: a block
 * whose closing brace is after `at`, or a body of one statement that `at` is in.
 */
function inLoop(src: string, at: number): boolean {
  const from = Math.max(0, at - 8192);
  const starts = [...src.slice(from, at).matchAll(/(?<![\w$>:])(?:while|for|foreach|do)\b/gi)].slice(-32).reverse();
  for (const m of starts) {
    let i = from + m.index! + m[0].length;
    // (past the header's parentheses: a do's body comes at once)
    if (!/^do$/i.test(m[0])) {
      const open = src.indexOf('(', i);
      if (open < 0 || open > at || /\S/.test(src.slice(i, open))) continue;
      const close = walkCode(src, open + 1, at - open, 1, (_c, k, depth) => (depth === 0 ? k : undefined));
      if (close === undefined) continue;
      i = close + 1;
    }
    while (i < at && /\s/.test(src[i]!)) i++;
    if (i >= at) continue;
    if (src[i] === '{' || src[i] === ':') {
      // (a block, or the alternative syntax's `foreach (...):` up to its end word)
      if (src[i] === ':') return !/\bend(?:while|for|foreach)\b/i.test(src.slice(i, at));
      const end = walkCode(src, i + 1, 1 << 20, 1, (_c, k, depth) => (depth === 0 ? k : undefined));
      // (a loop whose end is not found is not taken to hold the call)
      if (end !== undefined && end > at) return true;
    } else if (!src.slice(i, at).includes(';')) return true;
  }
  return false;
}

/** A writer's content that is one value: a variable, an element, or a decoder's call of one (`hex2bin($h)`). */
const WHOLE_CONTENT = /^\s*(?:@\s*)?(?:\\?(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode|urldecode|rawurldecode|stripslashes|trim)\s*\(\s*)*\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}(?:\s*\[[^\]]{1,64}\])*\s*\)*\s*$/i;
/** A file name that ends in a PHP extension, written out: `... '.php'`. */
const PHP_NAME_END = /\.(?:php\d?|phtml|phar|pht)["']\s*$/i;

/**
 * Whether a writer's first argument names a PHP file: a name ending in `.php` written there, or a
 * variable assigned such a name last before `at`.
 */
function namesPhpFile(expr: string, src: string, at: number): boolean {
  const e = expr.trim();
  if (PHP_NAME_END.test(e)) return true;
  const v = /^\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})$/.exec(e);
  if (!v) return false;
  const last = lastAssigned(v[1]!, src, at);
  return last !== undefined && PHP_NAME_END.test(last);
}

/** The right side of the last `$name = ...;` in the 16 KiB before `at` (at most 400 characters), or undefined. */
function lastAssigned(name: string, src: string, at: number): string | undefined {
  const before = src.slice(Math.max(0, at - 16384), at);
  let last: string | undefined;
  for (const a of before.matchAll(new RegExp(`\\$${name}\\s*=(?![=>])([^;]{0,400});`, 'g'))) last = a[1];
  return last;
}

/**
 * Whether a writer's content, a variable, was last given a value with no text of the code's own in it
 * (no literal but an index, no `.` joining): the request's data as it came, or decoded, not a
 * template of the code's own with request values in it (an installer's config file).
 */
function wholeValue(expr: string, src: string, at: number): boolean {
  const v = /\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\)*\s*$/.exec(expr.trim());
  if (!v) return false;
  const last = lastAssigned(v[1]!, src, at);
  if (last === undefined) return true;
  const bare = last.replace(/\[[^\]]{0,64}\]/g, '').replace(/(["'])\1/g, '');
  return !/["'`]|<<<|(?<![.\d])\.(?![.\d=])/.test(bare);
}

/** A function declared without parameters: `function g() {` (a return type allowed). */
const BARE_FUNCTION = /\bfunction\s+[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*\(\s*\)\s*(?::\s*\??[\w\\]{1,64}\s*)?\{/gi;

/**
 * Functions that take their arguments with func_get_args() or func_get_arg(N), written with
 * parameters of their own (`$__arg0`, ...) in their place, so that the flow pass follows what a
 * call gives them as it does a declared parameter: `function g() { $a = func_get_args();
 * $a[0]($a[1]); } g('system', $_GET['c'])`. At most 64 functions of 64 KiB; undefined when none.
 */
export function variadicParameters(src: string): string | undefined {
  if (!/func_get_arg/i.test(src)) return undefined;
  let out = '';
  let last = 0;
  let looked = 0;
  for (const m of src.matchAll(BARE_FUNCTION)) {
    if (m.index! < last) continue;
    if (++looked > 64) break;
    const open = m.index! + m[0].length - 1;
    const close = walkCode(src, open, 64 * 1024, 0, (c, i, depth) => (c === '}' && depth === 0 ? i : undefined));
    if (close === undefined) continue;
    let body = src.slice(open, close + 1);
    const held = /\$([A-Za-z_]\w{0,63})\s*=\s*func_get_args\s*\(\s*\)/i.exec(body);
    let most = -1;
    const param = (k: string): string => {
      most = Math.max(most, Number(k));
      return `$__arg${Number(k)}`;
    };
    if (held) body = body.replace(new RegExp(`\\$${held[1]}\\s*\\[\\s*(\\d{1,2})\\s*\\]`, 'g'), (_all, k: string) => param(k));
    body = body.replace(/\bfunc_get_arg\s*\(\s*(\d{1,2})\s*\)/gi, (_all, k: string) => param(k));
    if (most < 0) continue;
    const params = Array.from({ length: most + 1 }, (_x, k) => `$__arg${k}`).join(', ');
    out += src.slice(last, m.index!) + m[0].replace(/\(\s*\)/, `(${params})`) + body.slice(1);
    last = close + 1;
  }
  return last > 0 ? out + src.slice(last) : undefined;
}

/**
 * Variable variables naming a superglobal: `$n = '_GET'; $a = $$n;` (or `${$n}`) reads the
 * request as `$_GET` does. Returns the text with each such `$$n` written as the superglobal
 * (lines kept), or undefined when there is none.
 */
export function superglobalAliases(src: string): string | undefined {
  if (!src.includes('$$') && !/\$\s*\{\s*\$/.test(src)) return undefined;
  const names = new Map<string, string>();
  for (const m of src.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*["'](_(?:GET|POST|REQUEST|COOKIE|FILES))["']/gi)) {
    names.set(m[1]!, `$${m[2]!.toUpperCase()}`);
    if (names.size >= 32) break;
  }
  if (names.size === 0) return undefined;
  let changed = false;
  const out = src.replace(/\$\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})(?![\w\x80-\xff])|\$\s*\{\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\}/g, (all, a: string | undefined, b: string | undefined) => {
    const g = names.get((a ?? b)!);
    if (!g) return all;
    changed = true;
    return g;
  });
  return changed ? out : undefined;
}

/**
 * The text of a file name written as literals joined with ".", each a literal or a variable the
 * file assigns one literal once (`$t = 'x.php'`); undefined for anything else.
 */
function fixedName(expr: string, src: string): string | undefined {
  if (expr.length > 400) return undefined;
  let out = '';
  for (const piece of splitTop(expr, ['.'])) {
    const p = piece.trim();
    const lit = /^(["'])([^"'$\\]{0,200})\1$/.exec(p);
    let part = lit?.[2];
    const v = lit ? null : /^\$([A-Za-z_]\w{0,63})$/.exec(p);
    if (v) {
      const set = [...src.matchAll(new RegExp(`\\$${v[1]}\\s*(?:\\.?=)(?!=)`, 'g'))].slice(0, 2);
      const one = set.length === 1 ? new RegExp(`\\$${v[1]}\\s*=\\s*(["'])([^"'$\\\\]{0,200})\\1\\s*;`).exec(src) : null;
      part = one?.[2];
    }
    if (part === undefined) return undefined;
    out += part;
  }
  return out;
}

/**
 * A code or command function's name bare (see BARE_SINK_NAME), unless the file defines a constant
 * of that name: then it is the constant's value (`define('EXEC', 'run_job'); $f = EXEC;` names
 * run_job, S23R-13; `define('EXEC', 'system')` names system).
 */
function bareSinkName(expr: string, src: string): RegExpExecArray | string[] | null {
  const m = BARE_SINK_NAME.exec(expr);
  if (!m) return null;
  const name = m[1]!;
  const defined = new RegExp(`\\bdefine\\s*\\(\\s*["']\\\\?${name}["']\\s*,\\s*([^)]{0,80})\\)|\\bconst\\s+${name}\\s*=\\s*([^;]{0,80});`).exec(src);
  if (!defined) return m;
  const value = /^\s*["']\\?([A-Za-z_]\w{1,40})["']\s*$/.exec(defined[1] ?? defined[2]!)?.[1];
  return value !== undefined ? [expr, value] : null;
}

/**
 * Whether a statement is in an else branch, for offsets asked in rising order (each round of the
 * flow pass asks from the file's start again): `else $c = ..;`, `else { ... }`, a catch block, or
 * after `else:` in the alternative syntax (before its `endif;`). Its assignment then leaves what
 * the if branch gave the variable alone. One walk of `code` (codeOnly's text) a round: the marks
 * of blocks and branches are read as the offsets pass them (a walk back from each assignment cost
 * 7 s on a megabyte of them).
 * Also, for a statement in an if (or elseif) branch, `{ ... }` or one statement, where that if
 * starts and its condition (`ifAt`, `cond`): an assignment of a constant there (`if (strlen($c) >
 * 100) { $c = ''; }`) leaves a value given before the if alone on the way round the branch (S24).
 */
function elseBranches(code: string, src: string): (at: number) => { else: boolean; from?: number; ifAt?: number; cond?: string } {
  const marks = /\belse\s*:|\b(?:endif|endwhile|endforeach|endfor|endswitch)\s*;|\belseif\b|\bif\s*\(|[{}]/gi;
  type Block = { else: boolean; from?: number; ifAt?: number; cond?: string };
  let stack: Block[] = [];
  let alt = false;
  let pos = 0;
  let next: RegExpExecArray | null = null;
  const reset = (): void => {
    stack = [];
    alt = false;
    marks.lastIndex = 0;
    next = marks.exec(code);
  };
  reset();
  return (at) => {
    if (at < pos) reset();
    pos = at;
    while (next !== null && next.index < at) {
      const t = next[0];
      // (a block's opener: an else, or a catch's parenthesis, just before its "{"; or an if's condition)
      if (t === '{') {
        const lead = code.slice(Math.max(0, next.index - 240), next.index);
        stack.push(/\belse\s*$|\bcatch\s*\([^(){};]{0,200}\)\s*$/i.test(lead) ? { else: true, from: next.index } : { else: false, ...ifBefore(code, src, next.index) });
      } else if (t === '}') stack.pop();
      else alt = /^else\s*:$/i.test(t);
      next = marks.exec(code);
    }
    // `else $c = '';`: the statement's own start, at most 64 characters back
    const lead = code.slice(Math.max(0, at - 64), at);
    const cut = Math.max(lead.lastIndexOf(';'), lead.lastIndexOf('{'), lead.lastIndexOf('}'), lead.lastIndexOf(':'));
    if (/\belse\s*$/i.test(lead.slice(cut + 1))) return { else: true, from: at };
    // `if (...) $c = '';`: the if's condition just before the statement
    if (/\)\s*$/.test(lead.slice(cut + 1))) {
      const own = ifBefore(code, src, at);
      if (own.ifAt !== undefined) return { else: false, ...own };
    }
    return stack.length > 0 ? stack[stack.length - 1]! : { else: alt };
  };
}

/** The if (or elseif) whose condition's ")" ends just before `at` (spaces between): where it starts and the condition, as `src` has it (`code` is its codeOnly text; 400 characters back at most). */
function ifBefore(code: string, src: string, at: number): { ifAt?: number; cond?: string } {
  let i = at - 1;
  while (i >= 0 && at - i < 64 && /\s/.test(code[i]!)) i--;
  if (code[i] !== ')') return {};
  const close = i;
  let depth = 0;
  for (; i >= 0 && close - i < 400; i--) {
    const c = code[i];
    if (c === ')') depth++;
    else if (c === '(' && --depth === 0) break;
    else if (c === ';' || c === '{' || c === '}') return {};
  }
  if (depth !== 0 || i < 0) return {};
  const kw = /(?<![\w$>:\\])(?:else\s*if|elseif|if)\s*$/i.exec(code.slice(Math.max(0, i - 24), i));
  if (!kw) return {};
  return { ifAt: Math.max(0, i - 24) + kw.index, cond: src.slice(i + 1, close) };
}

/** Validators in an if's condition that hold a variable to an allow list, an anchored pattern, a type or a literal ("!" before one: negated). */
const VALIDATORS = [
  /(!\s*)?\b(?:in_array|array_key_exists|ctype_(?:alnum|alpha|digit|xdigit|lower|upper)|is_numeric)\s*\(\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}(?:\s*\[\s*(?:'[^'\n]{0,80}'|\"[^\"\n]{0,80}\")\s*\])?)\s*[,)]/gi,
  /(!\s*)?\bisset\s*\(\s*\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*\[\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\]\s*\)/gi,
  /(!\s*)?\bpreg_match\s*\(\s*(?:'([^'\\\s\w])\^[^'\n]{0,300}(?:\$|\\z|\\Z)\2[a-zA-Z]{0,6}'|"([^"\\\s\w])\^[^"\n]{0,300}(?:\\\$|\$|\\z|\\Z)\3[a-zA-Z]{0,6}")\s*,\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}(?:\s*\[\s*(?:'[^'\n]{0,80}'|\"[^\"\n]{0,80}\")\s*\])?)\s*[,)]/gi,
  /(!\s*)?\bfilter_var\s*\(\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}(?:\s*\[\s*(?:'[^'\n]{0,80}'|\"[^\"\n]{0,80}\")\s*\])?)\s*,\s*FILTER_VALIDATE_/gi,
  // (a whole literal on one side, the condition's or a conjunct's end after it: not `$c == '' . $c`)
  /(!\s*)?(?<![\w\x80-\xff$>:])\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}(?:\s*\[\s*(?:'[^'\n]{0,80}'|\"[^\"\n]{0,80}\")\s*\])?)\s*===?\s*(?:'[^'\\\n]{0,200}'|"[^"\\$\n]{0,200}")\s*(?=\)|&&|\band\b|$)|()(?:^|(?<=[(&]|\band)\s*)(?:'[^'\\\n]{0,200}'|"[^"\\$\n]{0,200}")\s*===?\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}(?:\s*\[\s*(?:'[^'\n]{0,80}'|\"[^\"\n]{0,80}\")\s*\])?)\s*(?=\)|&&|\band\b|$)/gi,
];
const GUARD_HINT = /\b(?:in_array|array_key_exists|ctype_[a-z]{1,10}|is_numeric|preg_match|filter_var)\s*\(|\bisset\s*\(\s*\$[\w\x80-\xff]+\s*\[\s*\$|={2,3}\s*['"]|['"]\s*={2,3}/i;
const EXITS = /^\s*(?:\{\s*)?(?:die|exit|return|throw|header\s*\([^;]{0,300}\)\s*;\s*(?:die|exit))\b/i;

/**
 * Where a variable is held to known values (S23R-14): inside the block (or statement) of an if whose
 * condition validates it (`if (in_array($n, ['nginx', 'php-fpm'], true)) { ... svc($n); }`, an
 * anchored preg_match, ctype_, is_numeric, a comparison with a literal, an allow map's isset), and
 * after an if that leaves when it does not (`if (!in_array($n, $ok)) { exit; }`: `exits`). Not
 * where the condition has an "or" in it. Bounded: 4,096 ifs a file, a condition 600 characters,
 * one walk of the braces.
 */
function guardRanges(code: string, src: string): { ranges: Map<string, [number, number, number][]>; exits: [string, number][] } {
  const ranges = new Map<string, [number, number, number][]>();
  const exits: [string, number][] = [];
  if (!GUARD_HINT.test(src)) return { ranges, exits };
  // (each if: the names its condition validates, and where its block opens, or its statement ends)
  const wanted = new Map<number, { names: string[]; negated: string[]; from: number }>();
  const statements: { names: string[]; negated: string[]; from: number; to: number }[] = [];
  let seen = 0;
  for (const m of code.matchAll(/(?<![\w\x80-\xff$>:\\])(?:elseif|if)\s*\(/gi)) {
    if (++seen > 4096) break;
    const open = m.index! + m[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < code.length && i < open + 600; i++) {
      const c = code.charCodeAt(i);
      if (c === 40) depth++;
      else if (c === 41 && --depth === 0) {
        close = i;
        break;
      } else if (c === 59 || c === 123 || c === 125) break;
    }
    if (close < 0) continue;
    const cond = src.slice(open + 1, close);
    if (!GUARD_HINT.test(cond) || /\|\||\bor\b|\bxor\b/i.test(cond)) continue;
    // (each name with its kind: held to a set of values, "=", or only to a shape, "~": a pattern or a type)
    const names: string[] = [];
    const negated: string[] = [];
    for (const re of VALIDATORS) {
      for (const v of cond.matchAll(re)) {
        const name = (v[v.length - 1] ?? v[2])?.replace(/[\s'"]/g, '');
        // (a pattern that lets anything through validates nothing: /^.*$/, /^[^;]+$/, /^\S+$/)
        if (name === undefined || (/preg_match/i.test(v[0]) && /(?<!\\)\.[*+{?]|\[\^|\\[SDWHV]/.test(v[0]))) continue;
        const set = !/^\s*(?:!\s*)?(?:ctype_|is_numeric|preg_match|filter_var)/i.test(v[0]);
        // (an allow list the request gives is none: in_array($c, $_GET['ok']))
        if (set && /^\s*(?:!\s*)?(?:in_array|array_key_exists)/i.test(v[0])) {
          const args = argsAt(cond, v.index! + v[0].indexOf('(') + 1);
          if (!args || SOURCE.test(splitTop(args.all, [','])[1] ?? '')) continue;
        }
        (v[1] ? negated : names).push(`${set ? '=' : '~'}${name}`);
      }
    }
    if (names.length === 0 && negated.length === 0) continue;
    let j = close + 1;
    while (j < code.length && j < close + 64 && /\s/.test(code[j]!)) j++;
    if (code[j] === '{') wanted.set(j, { names, negated, from: close + 1 });
    else statements.push({ names, negated, from: close + 1, to: statementEnd(src, j, 2000) });
  }
  const add = (kinded: string, from: number, to: number) => {
    const name = kinded.slice(1);
    let list = ranges.get(name);
    if (!list) ranges.set(name, (list = []));
    if (list.length < 4096) list.push([from, to, kinded[0] === '=' ? 1 : 0]);
  };
  // (after an if that leaves unless the value is one of a set, the value is the code's; after one that leaves
  // unless it has a shape, it is held to that shape from there on)
  const leaves = (kinded: string, end: number) => (kinded[0] === '=' ? exits.push([kinded.slice(1), end]) : add(kinded, end, src.length));
  for (const st of statements) {
    for (const n of st.names) add(n, st.from, st.to);
    if (st.negated.length > 0 && EXITS.test(src.slice(st.from, st.from + 400))) for (const n of st.negated) leaves(n, st.to);
  }
  if (wanted.size > 0) {
    // (each block's "}" by a walk of its own, 64 KiB at most, 2 MiB in all: most blocks are short, and a walk
    // of the whole file for a few of them cost as much as the rest of this)
    let budget = 2 * 1024 * 1024;
    for (const [open, w] of wanted) {
      if (budget <= 0) break;
      let depth = 0;
      let close = -1;
      const stop = Math.min(code.length, open + 65536);
      let i = open;
      for (; i < stop; i++) {
        const c = code.charCodeAt(i);
        if (c === 123) depth++;
        else if (c === 125 && --depth === 0) {
          close = i;
          break;
        }
      }
      budget -= i - open;
      if (close < 0) continue;
      for (const n of w.names) add(n, w.from, close + 1);
      if (w.negated.length > 0 && EXITS.test(src.slice(w.from, w.from + 400))) for (const n of w.negated) leaves(n, close + 1);
    }
  }
  // (sorted by start, and an inner range of a name dropped inside an outer one: a binary search finds the one)
  for (const [name, list] of ranges) {
    list.sort((a, b) => a[0] - b[0]);
    const kept: [number, number, number][] = [];
    for (const r of list) if (kept.length === 0 || r[0] >= kept[kept.length - 1]![1]) kept.push(r);
    ranges.set(name, kept);
  }
  return { ranges, exits: exits.slice(0, 4096) };
}

/** What reads out a file opened with fopen. */
// (or line by line: fgets in a loop, held-out set H46's read-only browser)
const READS_HANDLE = /\b(?:fread|fpassthru|stream_get_contents|fgets|fgetc)\s*\(/i;
/** The readers of a handle that read it out whole (not line by line). */
const STREAM_READS = /\b(?:fread|fpassthru|stream_get_contents)\s*\(/i;
/** A request's value whole, or with a default for its absence. */
// (the blanks after the bracket read by one quantifier: red team S44B's 1 MB of dir() calls padded with blanks)
const WHOLE_REQUEST = /^\s*(?:@\s*)?\$_(?:GET|POST|REQUEST|COOKIE)\s*\[[^\]\n]{1,80}\](?:\s*\?\?\s*(?:null|''|""|'[^'\n]{0,40}'|"[^"\n]{0,40}"))?\s*$/;
/** A file manager's calls on a path (see flow): the kind of each. A file read out is readfile's, or file_get_contents's echoed. */
const FILE_OP_KIND: Readonly<Record<string, string>> = {
  unlink: 'delete', rmdir: 'delete',
  readfile: 'read', highlight_file: 'read', show_source: 'read', file_get_contents: 'read',
  scandir: 'list', opendir: 'list', glob: 'list', dir: 'list', directoryiterator: 'list', recursivedirectoryiterator: 'list', filesystemiterator: 'list',
  rename: 'move', copy: 'move',
  chmod: 'mode', chown: 'mode', chgrp: 'mode', touch: 'mode',
  file_put_contents: 'write', fopen: 'write',
  mkdir: 'make',
  move_uploaded_file: 'upload',
};
const FILE_OP_WORDS: Readonly<Record<string, string>> = { delete: 'deleted', read: 'read out', list: 'listed', move: 'renamed or copied', mode: 'given modes or owners', write: 'written', make: 'made', upload: 'given uploads' };
const FILE_OP_HINT = /\b(?:unlink|rmdir|readfile|fpassthru|fread|fgets|fgetc|stream_get_contents|highlight_file|show_source|file_get_contents)\s*\(/i;
const FILE_OPS = new RegExp(`(?<![\\w$>:\\\\])\\\\?(unlink|rmdir|readfile|highlight_file|show_source|scandir|opendir|glob|dir|rename|copy|chmod|chown|chgrp|touch|file_put_contents|fopen|mkdir|move_uploaded_file)\\s*\\(|\\bnew\\s+\\\\?(DirectoryIterator|RecursiveDirectoryIterator|FilesystemIterator)\\s*\\(|\\b((?:echo|print)\\s*(?:\\(\\s*)?(?:(?:htmlspecialchars|htmlentities|nl2br)\\s*\\(\\s*)?\\\\?file_get_contents)\\s*\\(`, 'gi');

/** A body that runs a command, and one that runs code or calls what it is given (commandOnly in flow). */
const COMMAND_SINK = new RegExp(`${BARE}["']?(${SHELL_SINKS.join('|')})["']?\\s*\\(|\x60[^\x60]{0,400}\\$`, 'i');
const CODE_SINK = new RegExp(`${BARE}["']?(eval|assert|create_function|preg_replace|preg_filter|call_user_func(?:_array)?|array_map|usort|uasort|uksort|array_filter|array_walk|register_shutdown_function)["']?\\s*\\(`, 'i');
/** A body that runs a command or code (not only writes a file): what a helper two levels up is followed for. */
const RUNS_COMMAND = new RegExp(`${BARE}["']?(${[...CODE_SINKS, ...SHELL_SINKS].join('|')})["']?\\s*\\(|\x60[^\x60]{0,400}\\$`, 'i');

/**
 * The functions some call hands a command or code function's name as a literal argument
 * (`fmt('system', $_GET['x'])`): the name before the bracket each such literal stands in (64 literals,
 * 400 characters back at most, on the code's text so that brackets in literals do not count).
 */
function sinkNameTakers(code: string, src: string): Set<string> {
  const names = new Set<string>();
  let n = 0;
  for (const m of src.matchAll(/(["'])\\?(?:system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|assert|create_function)\1/gi)) {
    if (++n > 64) break;
    let depth = 0;
    for (let i = m.index! - 1; i >= 0 && i >= m.index! - 400; i--) {
      const c = code[i];
      if (c === ')' || c === ']') depth++;
      else if (c === ';' || c === '{' || c === '}') break;
      else if (c === '[' && depth-- === 0) break;
      else if (c === '(' && depth-- === 0) {
        const name = /([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(src.slice(Math.max(0, i - 80), i))?.[1];
        if (name) names.add(name.toLowerCase());
        break;
      }
    }
  }
  return names;
}

/** What makes every variable request input at once (see flow): extract(..), parse_str(..), import_request_variables(..), a loop of $$k = $v over the request. */
const MASS_ASSIGN = /(?<![\w>$:\\])(extract|parse_str)\s*\(|(?<![\w>$:\\])import_request_variables\s*\(|\bforeach\s*\(\s*\$_(?:GET|POST|REQUEST|COOKIE)\s+as\s+\$([A-Za-z_]\w{0,63})\s*=>\s*\$([A-Za-z_]\w{0,63})\s*\)\s*(?:\{\s*)?\$\$\2\s*=\s*\$\3\b/gi;

function flow(src: string): FlowFinding[] {
  // PHP variables live in their function: a variable is request input at an offset when it was
  // assigned it earlier in the same function body, or in the code outside every function.
  // (the braces counted are the code's: not those of literals, comments, heredocs or HTML, S19R-4)
  const code = codeOnly(src);
  const elseAt = elseBranches(code, src);
  const scopes = functionScopes(code);
  const scopeOf = scopes.of;
  // A variable a function shares with the code that calls it (`global $c`, a parameter or a use()
  // taken by reference: `function f(&$c)`, `use (&$c)`) is one variable in every scope (S19R-5).
  const shared = new Set<string>();
  for (const m of code.matchAll(/\bglobal\s+([^;]{1,400});/gi)) for (const v of m[1]!.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) shared.add(v[1]!);
  for (const m of code.matchAll(/[(,]\s*(?:[\w\\?|]+\s+)?&\s*(?:\.\.\.\s*)?\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) shared.add(m[1]!);
  shared.add('_SESSION');
  const sessionAliases = new Set(src.includes('$_SESSION') ? [...src.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*&\s*\$_SESSION\s*;/g)].slice(0, 16).map((m) => m[1]!) : []);
  const keyOf = (name: string, at: number) => `${name}\u0000${shared.has(name) ? 'g' : scopeOf(at)}`;
  // Per variable and scope, where it was given request input, and where it was given something
  // else (a plain "=" of anything not request input): the last of these before an offset decides.
  // Offsets are kept sorted (a binary search each way: a file of 100,000 assignments to one
  // variable is not read in the square of that).
  const taintedAt = new Map<string, number[]>();
  const cleanedAt = new Map<string, number[]>();
  // Per variable, where it was given a closure that returns request input (`$f = function () { return $_GET[c]; }`).
  const closureAt = new Map<string, number[]>();
  // How many taints and closures have been marked (a round that adds none is the last).
  let marked = 0;
  const mark = (map: Map<string, number[]>, name: string, at: number) => {
    const key = keyOf(name, at);
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    const i = firstAbove(list, at - 1);
    if (list[i] === at) return;
    list.splice(i, 0, at);
    if (map !== cleanedAt) marked++;
  };
  const taint = (name: string, at: number) => mark(taintedAt, name, at);
  // The file's functions and methods that return request input, by lower-case name.
  const returners = new Set<string>();
  // The texts of the file's closures that return request input (`function () { $x = $_GET[c]; return $x; }`),
  // each read where its returns are (S19R-1).
  const givers = new Set<string>();
  // What is left of the characters read again to find where a statement with a closure in it ends.
  let reread = 4 * 1024 * 1024;
  const liveAt = (map: Map<string, number[]>, name: string, at: number) => {
    const key = keyOf(name, at);
    const list = map.get(key);
    if (!list) return false;
    const i = firstAbove(list, at - 1) - 1;
    if (i < 0) return false;
    const cleaned = cleanedAt.get(key);
    if (!cleaned) return true;
    const j = firstAbove(cleaned, list[i]!);
    return j >= cleaned.length || cleaned[j]! >= at;
  };
  // (a variable held to known values where an if's condition validates it: S23R-14)
  const guards = guardRanges(code, src);
  // (`sets`: only a guard that holds it to a set of values; a pattern or a type lets a one-word command through)
  const guarded = (name: string, at: number, sets = false) => {
    const list = guards.ranges.get(name);
    if (!list) return false;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]![0] <= at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && at < list[found]![1] && (!sets || list[found]![2] === 1);
  };
  const isTaintedAt = (name: string, at: number) => liveAt(taintedAt, name, at) && !guarded(name, at);
  /** Where the variable was last given request input before `at` (-1: never). */
  const lastTaint = (name: string, at: number) => {
    const list = taintedAt.get(keyOf(name, at));
    const i = list ? firstAbove(list, at - 1) - 1 : -1;
    return i >= 0 ? list![i]! : -1;
  };
  for (const [name, at] of guards.exits) mark(cleanedAt, name, at);
  const sinkVars = new Map<string, string>();
  // Variables holding a short string of literals (the file's last assignment of each).
  const strVars = new Map<string, string>();
  // Variables given a quoted literal, and those given anything else somewhere (lit: the first and not the second).
  const litVars = new Set<string>();
  const notLit = new Set<string>();
  // Object properties given request input anywhere in the file (an object's state outlives the function that set it).
  const props = new Set<string>();
  // Constants defined from request input (define('C', $_POST['c']), or a variable holding it): a constant is
  // the whole program's, so it is request input wherever its bare name is read (S24; 64 at most)
  const consts = new Set<string>();
  const taintAt = (at: number): Taint | undefined => {
    const returns = returners.size > 0 || closureAt.size > 0 || givers.size > 0;
    if (taintedAt.size === 0 && !returns && props.size === 0 && consts.size === 0) return undefined;
    return { v: (n) => isTaintedAt(n, at), fn: (n) => returners.has(n.toLowerCase()), closure: (n) => liveAt(closureAt, n, at), gives: (def) => givers.has(def.trim().replace(/^static\s+/i, '')), returns, prop: (n) => props.has(n), k: (n) => consts.has(n) || consts.has(`\u0000${n.toLowerCase()}`), consts: consts.size > 0, keyed: (n) => keyed.has(n.toLowerCase()), lit: (n) => litVars.has(n) && !notLit.has(n) };
  };
  // (an element of the request that an if's condition validates, inside its block: `elseif (preg_match('~^[a-z]+$~',
  // $_GET['f'])) { $file = $_GET['f']; ... }`)
  const guardedSource = (expr: string, at: number) => guards.ranges.size > 0 && /^\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*\[\s*(?:'[^'\n]{0,80}'|"[^"\n]{0,80}")\s*\]\s*$/.test(expr) && guarded(expr.trim().slice(1).replace(/[\s'"]/g, ''), at);
  const direct = (expr: string, at: number) => !guardedSource(expr, at) && isDirect(expr, taintAt(at));
  /** For a shell command: any part of it request input (see isDirect's `loose`). */
  const inCommand = (expr: string, at: number) => !guardedSource(expr, at) && isDirect(expr, taintAt(at), true);
  const extracted = /\bextract\s*\(\s*\$(?:_(?:GET|POST|REQUEST|COOKIE)|HTTP_(?:GET|POST|COOKIE)_VARS)\b/i.test(src);
  // Variables assigned a name decoded at run time: $f = base64_decode('c3lzdGVt').
  const decodedVars = new Set<string>();
  // Variables assigned a name spelled from characters picked out of a string one at a time.
  const pickedVars = new Set<string>();
  // Functions of the file, with their parameters: request input passed to one taints the parameter
  // in its body (one level: `function run($c) { system($c); } run($_POST['c']);`).
  // Only functions whose body runs code or commands or writes files are followed into.
  const defs = new Map<string, { at: number; params: string[] }>();
  const allDefs = [...src.matchAll(FUNCTION_DEF)].slice(0, 2000);
  // (a command or code function given a property: not call_user_func($this->callback), which apps are full of)
  const propertySinks = allDefs.length > 0 && PROPERTY_EXEC.test(src);
  // (in a long file, a function that calls a parameter is followed only when some call hands it a command or
  // code function's name: fmt('system', $_GET['x']) with function fmt($f, $c) { return $f($c); }, S23R-17)
  const handed = src.length > 32768 && allDefs.length > 0 ? sinkNameTakers(code, src) : undefined;
  // Functions of the file that return their parameters XOR-ed (`return $t ^ str_pad('', strlen($t), $k);`): decoders with a key
  const keyed = new Set<string>();
  allDefs.forEach((m, i) => {
    const body = src.slice(m.index!, Math.min(allDefs[i + 1]?.index ?? src.length, m.index! + 4096));
    if (body.includes('^') && /\breturn\b[^;]{0,600}\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*(?:\)\s*)?\^/.test(body)) keyed.add(m[1]!.toLowerCase());
  });
  // (a file whose code, comments and space not counted, is at most 16 KiB: read once, where a helper includes a variable)
  let small: boolean | undefined;
  const smallCode = () => (small ??= src.length <= 16384 || (src.length <= 1 << 20 && codeSize(src) <= 16384));
  const paramsOf = (m: RegExpMatchArray) => splitTop(m[2]!, [',']).map((p) => /\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/.exec(p)?.[1] ?? '');
  allDefs.forEach((m, i) => {
    const body = src.slice(m.index!, allDefs[i + 1]?.index ?? src.length);
    // (and, where some method runs a property, those that set one: a constructor or setter given request input)
    // (in a small file, one that calls a parameter too: function eat($a, $b) { $a($b); })
    // (in a file of small code, one that includes a variable: function load($f) { require_once $f['tmp_name']; }, red
    // team S30B-16; small in code, not bytes, as the include check below reads it: S31R-33)
    if (!runsSomething(body) && !(propertySinks && SETS_PROPERTY.test(body)) && !((src.length <= 32768 || handed?.has(m[1]!.toLowerCase())) && (callsParameter(m[2]!, body) || CALLS_VARIABLE.test(body))) && !(smallCode() && INCLUDES_VARIABLE.test(body))) return;
    defs.set(m[1]!.toLowerCase(), { at: m.index!, params: paramsOf(m) });
  });
  // A function whose own body hands one of its parameters to a function of the file that runs a command or
  // code, two levels more at most: function fmt($c) { return run1($c); } (S23R-7). (Its body where the
  // braces say, not to the next definition; 2,000 functions and two readings of their bodies at most.)
  if (defs.size > 0 && allDefs.length > defs.size) {
    // (bodies read up to 64 KiB each and 4 MiB in all, for each of the three readings: nested definitions
    // would otherwise read the same text once per level of nesting)
    let budget = 4 * 1024 * 1024;
    const bodyOf = (at: number) => {
      const id = scopes.byStart.get(at);
      const text = src.slice(at, Math.min(id === undefined ? at + 4000 : scopes.end[id]!, at + 65536));
      budget -= text.length;
      return text;
    };
    let runners = [...defs.keys()].filter((k) => !k.startsWith('$') && budget > 0 && RUNS_COMMAND.test(bodyOf(defs.get(k)!.at)));
    for (let level = 0; level < 2 && runners.length > 0; level++) {
      budget = 4 * 1024 * 1024;
      const callee = new RegExp(`(?<![\\w$>:\\\\])(?:\\\\?(?:[A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,63}\\\\){0,8})?(?:${runners.join('|')})\\s*\\(`, 'i');
      const added: string[] = [];
      for (const m of allDefs) {
        const name = m[1]!.toLowerCase();
        if (defs.has(name)) continue;
        const params = paramsOf(m).filter((p) => p !== '');
        if (budget <= 0) break;
        if (params.length === 0 || scopes.byStart.get(m.index!) === undefined) continue;
        const body = bodyOf(m.index!).slice(m[0].length);
        if (!callee.test(body) || !params.some((p) => body.includes(`$${p}`))) continue;
        defs.set(name, { at: m.index!, params: paramsOf(m) });
        added.push(name);
      }
      runners = added;
    }
  }
  // A function of the file called through an alias: use function Shop\Util\fmt as pretty; (S23R-18)
  if (defs.size > 0 && /\buse\s+function\b/i.test(src)) {
    let seen = 0;
    for (const u of src.matchAll(/\buse\s+function\s+([^;]{1,2000});/gi)) {
      if (++seen > 64) break;
      // (one name, a list, or a group: use function A\{fmt as pretty, run})
      for (const e of u[1]!.matchAll(/\\?(?:[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\\){0,8}([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s+as\s+([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/gi)) {
        const d = defs.get(e[1]!.toLowerCase());
        if (d && !defs.has(e[2]!.toLowerCase()) && defs.size < 2000) defs.set(e[2]!.toLowerCase(), d);
      }
    }
  }
  // (closures kept in variables, in small files, when they run something or call a parameter: `$g = fn($f, $a) => $f($a)`)
  if (src.length <= 32768 && /\$[\w\x80-\xff]+\s*=\s*(?:static\s+)?(?:function|fn)\s*(?:&\s*)?\(/i.test(src)) {
    for (const m of src.matchAll(CLOSURE_VAR_DEF)) {
      if (defs.size >= 2000) break;
      const body = src.slice(m.index!, m.index! + 4000);
      const end = /^[^;]*?=>/.test(body.slice(m[0].length)) ? body.indexOf(';', m[0].length) : -1;
      const text = end > 0 ? body.slice(0, end) : body;
      if (!runsSomething(text) && !callsParameter(m[2]!, text)) continue;
      const params = splitTop(m[2]!, [',']).map((p) => /\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/.exec(p)?.[1] ?? '');
      // (a function's parameters are its scope's, from its keyword; an arrow function's are the scope around it)
      defs.set(`$${m[1]!.toLowerCase()}`, { at: m.index! + m[0].search(/\b(?:function|fn)\b/i), params });
    }
  }
  // (a closure copied to another variable is called through it too: $g = $fmt; $g($_GET['x']), S23R-12)
  if ([...defs.keys()].some((k) => k.startsWith('$'))) {
    let seen = 0;
    for (const m of src.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*;/g)) {
      if (++seen > 256 || defs.size >= 2000) break;
      const d = defs.get(`$${m[2]!.toLowerCase()}`);
      const to = `$${m[1]!.toLowerCase()}`;
      if (d && !defs.has(to)) defs.set(to, d);
    }
  }
  // (whether a function's body runs commands and no code, by where it starts)
  const commandOnlyAt = new Map<number, boolean>();
  const commandOnly = (at: number): boolean => {
    let v = commandOnlyAt.get(at);
    if (v === undefined) {
      const id = scopes.byStart.get(at);
      const body = id === undefined ? '' : code.slice(at, Math.min(scopes.end[id]!, at + 65536));
      v = COMMAND_SINK.test(body) && !CODE_SINK.test(body) && !INCLUDES_VARIABLE.test(body) && !CALLS_VARIABLE.test(body.replace(/^[^{]*\{/, ''));
      commandOnlyAt.set(at, v);
    }
    return v;
  };
  const named = [...defs.keys()].filter((k) => !k.startsWith('$'));
  const held = [...defs.keys()].filter((k) => k.startsWith('$')).map((k) => `\\$${k.slice(1)}`);
  // (a function called by its qualified name too, `\run(` or `\App\run(`: S23R-3)
  const calls = defs.size > 0 ? new RegExp(`(?<![\\w$\\\\])(?:(?:->|::|\\\\?(?:[A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,63}\\\\){0,8})?(${named.join('|') || '(?!)'})|(${held.join('|') || '(?!)'}))\\s*\\(`, 'gi') : undefined;
  // The returns (and yields) of the code, and the function each is in: its lower-case name, '' for a closure
  // (undefined for one too long to be looked up by its text).
  const returnsAt = [...code.matchAll(/(?<![\w\x80-\xff$>:\\])(?:return|yield(?:\s+from)?)\b/gi)].slice(0, 100_000).map((m) => [m.index!, m.index! + m[0].length] as const);
  const names = new Map<number, string | undefined>();
  const scopeName = (id: number) => {
    if (names.has(id)) return names.get(id);
    const s = scopes.start[id]!;
    const named = /^function\s*(?:&\s*)?([A-Za-z_\x80-\xff][\w\x80-\xff]*)/i.exec(code.slice(s, s + 100));
    const name = named ? named[1]!.toLowerCase() : scopes.end[id]! - s <= 65536 ? '' : undefined;
    names.set(id, name);
    return name;
  };
  const closureText = (id: number) => src.slice(scopes.start[id]!, scopes.end[id]!);
  // The calls that write into a variable they are given (OUT_PARAMS), read once for the rounds below.
  let outs: { at: number; read: string[]; into: string[] }[] | undefined;
  const outCalls = () => {
    if (outs) return outs;
    outs = [];
    for (const m of src.matchAll(OUT_CALL)) {
      if (outs.length >= 2000) break;
      const args = argsAt(src, m.index! + m[0].length);
      if (!args) continue;
      const parts = splitTop(args.all, [',']);
      const [from, to] = OUT_PARAMS[m[1]!.toLowerCase()]!;
      // (named, result: $q, or an element, $q['a'], taints the variable)
      const into = (to < 0 ? parts.slice(-to) : parts.slice(to, to + 1)).map((p) => /^\s*(?:[A-Za-z_]\w{0,30}\s*:\s*)?&?\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*(?:\[[^\]]{0,400}\]\s*){0,4}$/.exec(p)?.[1]).filter((n): n is string => n !== undefined);
      if (into.length > 0) outs.push({ at: m.index!, read: from < 0 ? parts.slice(-from) : parts.slice(from, from + 1), into });
    }
    return outs;
  };
  // The request's parameters made into variables all at once: extract($_POST), parse_str($_SERVER['QUERY_STRING'])
  // with no array to fill, import_request_variables('gp'), foreach ($_GET as $k => $v) $$k = $v: every
  // variable of the scope holds request input from there, until it is given something else (S23)
  // (16 places at most, the names read once: a file of extract() calls costs no more than 16)
  let massNames: string[] | undefined;
  let massSites = 0;
  for (const m of src.matchAll(MASS_ASSIGN)) {
    if (massSites >= 16) break;
    const at = m.index!;
    const args = m[1] !== undefined ? argsAt(src, at + m[0].length) : undefined;
    if (m[1] !== undefined) {
      const parts = args ? splitTop(args.all, [',']) : [];
      const fn = m[1].toLowerCase();
      // (extract and parse_str of request input; parse_str with an array to fill is read as OUT_PARAMS)
      if (fn === 'extract' ? !(parts[0] !== undefined && direct(parts[0], at)) : fn === 'parse_str' ? !(parts.length === 1 && direct(parts[0]!, at)) : false) continue;
    }
    massSites++;
    massNames ??= [...new Set(Array.from(src.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g), (x) => x[1]!))].filter((v) => v !== 'this' && !v.startsWith('_')).slice(0, 4096);
    for (const v of massNames) taint(v, at);
  }
  const defines = /define/i.test(src) && DEFINE.test(src);
  DEFINE.lastIndex = 0;
  for (let round = 0; round < 3; round++) {
    const before = marked + sinkVars.size + returners.size + givers.size;
    if (calls) {
      for (const m of src.matchAll(calls)) {
        const def = defs.get((m[1] ?? m[2]!).toLowerCase());
        if (!def || def.at === m.index! || /\bfunction\s+&?$/.test(src.slice(Math.max(0, m.index! - 12), m.index!))) continue;
        const args = argsAt(src, m.index! + m[0].length);
        if (!args) continue;
        splitTop(args.all, [',']).forEach((arg, i) => {
          // (a named argument goes to the parameter of its name: g(f: 'system'), S20F)
          const byName = /^\s*([A-Za-z_][\w]{0,63})\s*:(?!:)/.exec(arg);
          const param = byName ? def.params.find((p) => p === byName[1]) : def.params[i];
          const a = byName ? arg.slice(byName[0].length) : arg;
          // (a function whose body runs commands and no code takes its parameter as a command does: the code's own
          // words beside the request's, exe("python " . $_GET['o'] . " " . $script), session 35 set H8)
          if (param && (direct(a, m.index!) || (commandOnly(def.at) && inCommand(a, m.index!)))) taint(param, def.at + 1);
          // (a code or command function's name given for a parameter the body calls: f('assert') or f(assert))
          const named = param && !sinkVars.has(param) ? SINK_NAME_ARG.exec(a) : null;
          if (named && param) sinkVars.set(param, named[2]!.toLowerCase());
        });
      }
    }
    // A function of the file given by name to array_map: called with each array's values, the
    // first array's as its first parameter (array_map('fmt', [$_GET['x']]), S23R-11)
    if (defs.size > 0 && /array_map/i.test(src)) {
      let seen = 0;
      for (const m of src.matchAll(ARRAY_MAP_NAMED)) {
        if (++seen > 256) break;
        const def = defs.get(m[2]!.toLowerCase());
        const args = def ? argsAt(src, m.index! + m[0].length) : undefined;
        if (!def || !args) continue;
        splitTop(args.all, [',']).forEach((a, i) => {
          const param = def.params[i];
          if (param && (direct(a, m.index!) || arrayValues(a).some((v) => direct(v, m.index!)))) taint(param, def.at + 1);
        });
      }
    }
    if (defs.size > 0 && NAME_CALLS_HINT.test(src)) {
      let seen = 0;
      for (const m of src.matchAll(NAME_CALLS)) {
        if (++seen > 256) break;
        const def = defs.get((m[4] ?? m[6] ?? m[8] ?? m[9] ?? m[10]!).toLowerCase());
        const args = def ? argsAt(src, m.index! + m[0].length) : undefined;
        if (!def || !args) continue;
        let parts = splitTop(args.all, [',']);
        // (call_user_func's first argument is the callable, invoke's the object; ReflectionFunction's invoke has neither)
        if (m[10] === undefined) parts = parts.slice(1);
        if (m[1] || m[2] || m[11]) parts = arrayValues(parts[0] ?? '');
        parts.forEach((a, i) => {
          const param = def.params[i];
          if (param && direct(a, m.index!)) taint(param, def.at + 1);
          const given = param && !sinkVars.has(param) ? SINK_NAME_ARG.exec(a) : null;
          if (given && param) sinkVars.set(param, given[2]!.toLowerCase());
        });
      }
      // (a Reflection object kept in a variable, then invoked: $r = new ReflectionFunction('g'); $r->invoke(...), S21R-25)
      seen = 0;
      for (const r of src.matchAll(REFLECTION_HELD)) {
        if (++seen > 16) break;
        const def = defs.get((r[3] ?? r[4] ?? r[5]!).toLowerCase());
        if (!def) continue;
        for (const m of src.matchAll(new RegExp(String.raw`\$${r[1]!}\s*->\s*invoke(Args)?\s*\(`, 'g'))) {
          const args = argsAt(src, m.index! + m[0].length);
          if (!args) continue;
          let parts = splitTop(args.all, [',']);
          if (r[2] === 'Method') parts = parts.slice(1);
          if (m[1]) parts = arrayValues(parts[0] ?? '');
          parts.forEach((a, i) => def.params[i] && direct(a, m.index!) && taint(def.params[i]!, def.at + 1));
        }
      }
    }
    if (defs.size > 0) {
      // A method named by request input ($o->$m(...), K::$m(...)) may be any method of the file: those that run
      // commands or code take the call's arguments.
      let seen = 0;
      // (the positions of the arguments some such call gives request input: each method's parameters are marked once)
      const given = new Set<number>();
      for (const m of src.matchAll(DYNAMIC_METHOD)) {
        if (++seen > 256) break;
        const name = m[1] ?? m[3];
        if (name !== undefined ? !isTaintedAt(name, m.index!) : !direct(m[2]!, m.index!)) continue;
        const args = argsAt(src, m.index! + m[0].length);
        if (!args) continue;
        // (each argument read once, not once per method of the file: 2,000 methods made it 10 s/MB)
        splitTop(args.all, [',']).forEach((a, i) => given.has(i) || (direct(a, m.index!) && given.add(i)));
      }
      for (const def of defs.values()) for (const i of given) if (def.params[i]) taint(def.params[i]!, def.at + 1);
      // new K(...) runs K's constructor with the arguments (the file's __construct that runs commands).
      const ctor = defs.get('__construct');
      seen = 0;
      if (ctor) {
        // (and ReflectionClass::newInstance(...), which runs it the same)
        for (const m of src.matchAll(/\bnew\s+(?:\\?[A-Za-z_\x80-\xff][\w\x80-\xff\\]{0,63}|\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(|->\s*newInstance(Args)?\s*\(/gi)) {
          if (++seen > 256) break;
          let args = argsAt(src, m.index! + m[0].length);
          // (newInstanceArgs([...]): the constructor's arguments in an array, S20F)
          const listed = m[1] && args ? /^\s*(?:\[([\s\S]*)\]|array\s*\(([\s\S]*)\))\s*$/i.exec(args.all) : null;
          if (m[1]) args = listed ? { first: '', all: listed[1] ?? listed[2]! } : undefined;
          if (args) splitTop(args.all, [',']).forEach((a, i) => ctor.params[i] && direct(a, m.index!) && taint(ctor.params[i]!, ctor.at + 1));
        }
      }
      // A method the file does not define, called on an object or a class, runs __call or __callStatic with
      // its name and its arguments as an array: (new Q)->anything($_GET['c']) gives __call's $a request input.
      const magicCall = defs.get('__call'), magicStatic = defs.get('__callstatic');
      if (magicCall?.params[1] || magicStatic?.params[1]) {
        const defined = new Set(allDefs.map((d) => d[1]!.toLowerCase()));
        seen = 0;
        for (const m of src.matchAll(METHOD_CALLS)) {
          const def = m[1] === '->' ? magicCall : magicStatic;
          if (!def?.params[1] || defined.has(m[2]!.toLowerCase())) continue;
          if (++seen > 256) break;
          const args = argsAt(src, m.index! + m[0].length);
          if (args && splitTop(args.all, [',']).some((a) => direct(a, m.index!))) taint(def.params[1], def.at + 1);
        }
      }
      // A property named by the request, $o->{$_GET['c']}, runs __get with that name (S20F)
      const magicGet = defs.get('__get');
      if (magicGet?.params[0]) {
        seen = 0;
        for (const m of src.matchAll(/->\s*\{([^{}\n]{1,200})\}/g)) {
          if (++seen > 256) break;
          if (direct(m[1]!, m.index!)) {
            taint(magicGet.params[0], magicGet.at + 1);
            break;
          }
        }
      }
      // An object called ($o(...), call_user_func($o, ...)) runs its __invoke with the arguments.
      const invoke = defs.get('__invoke');
      seen = 0;
      if (invoke) {
        for (const m of src.matchAll(INVOKES)) {
          if (++seen > 256) break;
          const args = argsAt(src, m.index! + m[0].length);
          if (!args) continue;
          let parts = splitTop(args.all, [',']);
          // (call_user_func_array's and array_map's array: its values, or all of it when it is request input itself)
          const spread = (arr: string) => {
            const values = arrayValues(arr);
            return values.length > 0 ? values : direct(arr, m.index!) ? invoke.params.map(() => arr) : [];
          };
          if (m[2] !== undefined) parts = m[3] ? spread(parts[1] ?? '') : parts.slice(1);
          else if (m[4] !== undefined) parts = spread(parts[0] ?? '').slice(0, 1);
          parts.forEach((a, i) => invoke.params[i] && direct(a, m.index!) && taint(invoke.params[i]!, invoke.at + 1));
        }
      }
    }
    // $o->cmd = $_GET['c']: the property holds request input wherever it is read ($this->cmd in a method)
    for (const m of src.matchAll(PROP_ASSIGN)) {
      // (the right side is taken greedily to its ";", never backtracked into: linear in the file)
      if (src[m.index! + m[0].length] !== ';') continue;
      const prop = m[1] ?? m[2] ?? m[3]!;
      if (!direct(m[4]!, m.index!)) continue;
      if (props.size < 256 && !props.has(prop)) {
        props.add(prop);
        marked++;
      }
      // (an object's __set takes what is assigned to a property it does not have: its second parameter)
      const set = defs.get('__set');
      if (set?.params[1] && m[1] !== undefined) taint(set.params[1], set.at + 1);
    }
    // A function, method or closure whose own body returns (or yields) request input gives it to its
    // callers: function g() { return $_GET['c']; }. Each return is read once a round, where it is,
    // in the scope it belongs to (not a closure's inside it), however many the function has (S19R-3).
    for (const [at, from] of returnsAt) {
      const id = scopeOf(at);
      if (id < 0) continue;
      const name = scopeName(id);
      if (name === undefined || (name ? returners.has(name) : givers.has(closureText(id)))) continue;
      const e = src.slice(from, statementEnd(src, from, 601));
      if (direct(e, at) || arrayValues(e).some((v) => direct(v, at))) {
        if (name) returners.add(name);
        else givers.add(closureText(id));
      }
    }
    // A closure's use ($c) list brings the variables in as they were where it is defined.
    for (const m of src.matchAll(CLOSURE_USE)) {
      for (const v of m[1]!.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) if (isTaintedAt(v[1]!, m.index! - 1)) taint(v[1]!, m.index! + m[0].length);
    }
    const assign = new RegExp(ASSIGN);
    for (let m: RegExpExecArray | null; (m = assign.exec(src)); ) {
      // (a statement ends at ";" or at "?>", which closes it as well)
      let after = m.index + m[0].length;
      const name = m[1]!;
      let rhs = m[3]!;
      if (src[after] !== ';' && !src.startsWith('?>', after)) {
        // (a right side longer than ASSIGN reads at once is read on to its statement's end, out of the same
        // 4 MiB: 700 '' . joined before $_GET['c'] hid the input, red team S30R-5, S30R-6)
        if (reread <= 0 || rhs.length < 1000) continue;
        const from = after - rhs.length;
        const end = statementEnd(src, from, Math.min(reread, 1 << 20));
        // (the walk is paid for whether or not the statement ends: 500 right sides that never end each walked
        // on toward the file's end, 6.7 s for 1 MB, red team S30B-19)
        reread -= end - from;
        if (src[end] !== ';' && !src.startsWith('?>', end)) continue;
        rhs = src.slice(from, end);
        after = end;
        assign.lastIndex = end;
      }
      // With a closure in it, the statement ends after the closure's own "}", not at the first ";" inside it.
      const rhsAt = after - rhs.length;
      if (/\b(?:function|fn)\s*(?:&\s*)?\(/i.test(rhs)) {
        // (the assignments inside the closure are read as well: S19R-1)
        assign.lastIndex = rhsAt;
        // A closure on its own ends where its body does (S19R-6: not only while the reading below lasts).
        const kw = /^\s*(?:static\s+)?(?=function\b)/i.exec(rhs);
        const id = kw ? scopes.byStart.get(rhsAt + kw[0].length) : undefined;
        const closed = id === undefined ? -1 : scopes.end[id]!;
        if (closed > 0 && /^\s*(?:;|\?>)/.test(src.slice(closed, closed + 64))) rhs = src.slice(rhsAt, closed);
        else if (reread > 0) {
          // (at most 4 MiB of such reading a file: statements that never end cost no more than that)
          const end = statementEnd(src, rhsAt);
          reread -= end - rhsAt;
          rhs = src.slice(rhsAt, end);
        }
      }
      else {
        // An assignment inside brackets ends at the bracket: ($a = 'assert') && ($b = $_POST['a']) && f($a, $b);
        // the assignments after it in the statement are read too
        // (what is read again after the bracket comes out of the same 4 MiB: S20F-2, `$a=)$a=)...;` read
        // each statement's 2,000 characters once per assignment in it, 115 s for 16 MiB)
        const cut = unbalancedAt(rhs);
        if (cut >= 0) {
          if (reread > 0) {
            reread -= rhs.length - cut;
            assign.lastIndex = rhsAt + cut;
          }
          rhs = rhs.slice(0, cut);
        }
      }
      // (a variable only ever given one quoted literal without variables in it: `$x = '?>';`)
      if (m[2] === '=' && /^\s*(?:'(?:[^'\\]|\\[\s\S]){0,200}'|"[^"$\\]{0,200}")\s*$/.test(rhs)) litVars.add(name);
      else notLit.add(name);
      // (`+=` only of a whole superglobal: $_SESSION += $_GET puts the request in, S20F; numbers added are not text)
      if (m[2] === '+=') {
        if (/^\s*\$_(?:GET|POST|REQUEST|COOKIE)\s*$/.test(rhs)) taint(name, name === '_SESSION' ? 0 : m.index!);
        continue;
      }
      if (m[2] === '=' && CLOSURE_DEF.test(rhs.trim())) {
        // $f = function () { return $_GET['c']; }: $f is not request input, $f() is
        if (closureGives(rhs.trim(), taintAt(m.index!))) mark(closureAt, name, m.index!);
        else mark(cleanedAt, name, m.index!);
        continue;
      }
      // Another name for such a closure, or the name of a function of the file that returns request input:
      // $g = $f; $n = 'g'; $n = 'K::v' (S19R-12)
      const same = m[2] === '=' ? (/^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(rhs) ?? undefined) : undefined;
      const called = m[2] === '=' && returners.size > 0 ? (/^\s*["']\\?(?:[\w\x80-\xff\\]+::)?([A-Za-z_\x80-\xff][\w\x80-\xff]*)["']\s*$/.exec(rhs) ?? undefined) : undefined;
      if ((same && liveAt(closureAt, same[1]!, m.index!)) || (called && returners.has(called[1]!.toLowerCase()))) {
        mark(closureAt, name, m.index!);
        continue;
      }
      // (request input kept in the session is request input wherever the session is read, on a later request
      // too: Godzilla's shell stores its decoded payload there first)
      // (an array literal holding request input: $p = ['k' => file_get_contents('php://input')])
      const given = direct(rhs, m.index!) || (/^\s*(?:\[|array\s*\()/i.test(rhs) && arrayValues(rhs).some((v) => direct(v, m.index!)));
      if ((name === '_SESSION' || sessionAliases.has(name)) && given) {
        // (and a reference to the session, $s = &$_SESSION; $s['k'] = $_GET['c'], writes into it)
        taint('_SESSION', 0);
        if (name !== '_SESSION') taint(name, m.index!);
      } else if (given) taint(name, m.index!);
      // A plain "=" of something else to the whole variable (not one element of it) ends its taint,
      // unless it is made in an else branch: `if (isset($_POST['c'])) $c = $_POST['c']; else $c = '';`
      // then `system($c)` runs the request's command (S23 set F)
      // (nor a constant given in an if branch whose condition checks no value, to a variable holding request
      // input before the if: `if (strlen($c) > 100) { $c = ''; }` leaves the command on the way round, S24)
      else if (m[2] === '=' && !/^\s*\[/.test(m[0].slice(1 + name.length))) {
        const b = elseAt(m.index!);
        // (an else branch keeps only what came before it: a value given in the branch itself and then replaced
        // there is replaced, `} else { $d = $_REQUEST['d'] ?? '.'; $d = truepath($d); opendir($d); }`)
        // (nor, in an if branch, a value made of the variable's own with something added, which keeps the request's
        // words in it: phpshell's alias expansion, `if (isset($ini['aliases'][$t])) $command = $ini['aliases'][$t] .
        // substr($command, $n);` before proc_open($command, ..): held-out set H3)
        // (whether it held request input before the if is asked first: the cheaper question, red team S34B-23)
        // (and anywhere, a value joined from the variable's own and the code's words keeps the request's words in
        // it: `$code = "class " . $name . " { " . $code . " }";` before the code is compiled, session 35 set H8)
        const kept = (b.else && (b.from === undefined || lastTaint(name, m.index!) < b.from)) || (b.ifAt !== undefined && isTaintedAt(name, b.ifAt) && ((CONSTANT.test(rhs) && !VALIDATES.test(b.cond!)) || (rhs.includes(`$${name}`) && isDirect(rhs, taintAt(m.index!), true)))) || (rhs.includes(`$${name}`) && isTaintedAt(name, m.index!) && splitTop(rhs, ['.']).some((p) => new RegExp(`^\\s*\\$${name}\\s*$`).test(p)));
        // (nor a value given only when the variable is empty: `if (!$path) $path = realpath(__DIR__);` after `$path =
        // realpath($_GET['path'])` leaves the request's folder wherever there was one, held-out set H50's file manager)
        const fallback = !kept && b.cond !== undefined && b.ifAt !== undefined && isTaintedAt(name, b.ifAt) && new RegExp(`^\\s*(?:!\\s*\\$${name}|empty\\s*\\(\\s*\\$${name}\\s*\\)|!\\s*isset\\s*\\(\\s*\\$${name}\\s*\\)|is_null\\s*\\(\\s*\\$${name}\\s*\\)|\\$${name}\\s*===?\\s*(?:false|null|''|""))\\s*$`, 'i').test(b.cond);
        if (!kept && !fallback) mark(cleanedAt, name, m.index!);
      }
      // (and Closure::fromCallable('system'), system(...): S20F; and the name bare, `$f = passthru;`, which PHP 7
      // reads as the string 'passthru' (an unknown constant): S23 held-out set E)
      const lit = /^\s*["']([A-Za-z_\x80-\xff][\w\x80-\xff]{1,40})["']\s*$/.exec(rhs) ?? /^\s*\\?Closure\s*::\s*fromCallable\s*\(\s*["']\\?([A-Za-z_]\w{1,40})["']\s*\)\s*$/i.exec(rhs) ?? /^\s*\\?([A-Za-z_]\w{1,40})\s*\(\s*\.\.\.\s*\)\s*$/.exec(rhs) ?? bareSinkName(rhs, src);
      if (lit && ALL_SINKS.includes(lit[1]!.toLowerCase())) sinkVars.set(name, lit[1]!.toLowerCase());
      // A short string put together from literals and variables holding them ($a = 'sys'; $c = $a . 'tem')
      // ($c = 'sys'; $c .= 'tem': the value appended to)
      const prior = m[2] === '.=' ? strVars.get(name) : '';
      if (prior !== undefined) {
        const piece = stringValue(rhs, strVars);
        const value = piece !== undefined && prior.length + piece.length <= 40 ? prior + piece : undefined;
        if (value !== undefined && strVars.size < 4096) strVars.set(name, value);
        else strVars.delete(name);
        if (value !== undefined && ALL_SINKS.includes(value.toLowerCase())) sinkVars.set(name, value.toLowerCase());
      }
      const alias = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(rhs);
      if (alias && sinkVars.has(alias[1]!)) sinkVars.set(name, sinkVars.get(alias[1]!)!);
      if (/^\s*(?:@\s*)?(base64_decode|str_rot13|strrev|hex2bin|gzinflate|gzuncompress|gzdecode|urldecode|rawurldecode|convert_uudecode)\s*\(/i.test(rhs)) decodedVars.add(name);
      // A name spelled out of single characters picked from a string by position
      // ($f = $s[2] . $s[9] . $s[9] . $s[0]: the string scrambled, the name nowhere in the file, S23)
      if (rhs.length <= 400 && PICKED_NAME.test(rhs)) pickedVars.add(name);
      // A name XORed out of packed bytes or a literal with a key ($f = pack('H*', '133f..') ^ $k:
      // the key from the file's own name or a header, so the name is not in the file, S23)
      if (rhs.length <= 400 && XOR_NAME.test(rhs)) decodedVars.add(name);
    }
    // parse_str($_SERVER['QUERY_STRING'], $q): the request's parameters in $q; preg_match(.., $_GET[c], $m), array_push($a, $_GET[c])
    for (const c of outCalls()) if (c.read.some((p) => direct(p, c.at))) for (const name of c.into) taint(name, c.at);
    // Destructuring: list($c) = [...], [$c, $d] = ... (each name takes request input the right side holds)
    for (const m of src.matchAll(DESTRUCT)) {
      // (up to a ")" it did not open: the condition of a loop, while (list($k, $v) = each($_POST)) {...})
      const cut = unbalancedAt(m[3]!);
      const rhs = cut < 0 ? m[3]! : m[3]!.slice(0, cut);
      if (direct(rhs, m.index!) || arrayValues(rhs).some((v) => direct(v, m.index!))) for (const v of (m[1] ?? m[2] ?? '').matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) taint(v[1]!, m.index!);
    }
    // define('C', $_POST['c']): the constant holds request input (S24)
    if (defines) {
      let seen = 0;
      for (const m of src.matchAll(DEFINE)) {
        if (++seen > 256 || consts.size >= 64) break;
        const args = argsAt(src, m.index! + m[0].length);
        const parts = args ? splitTop(args.all, [',']) : [];
        const name = parts[0] !== undefined ? /^\s*(["'])\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\1\s*$/.exec(parts[0])?.[2] : undefined;
        if (name === undefined || parts[1] === undefined || consts.has(name) || !direct(parts[1], m.index!)) continue;
        consts.add(name);
        // (define's third argument true: the name in any case, as PHP before 8 reads it)
        if (/^\s*true\s*$/i.test(parts[2] ?? '')) consts.add(`\u0000${name.toLowerCase()}`);
        marked++;
      }
    }
    for (const m of src.matchAll(FOREACH)) {
      // (the values of the whole $_SERVER, its headers among them, are read one by one: red team S35A)
      if (direct(m[1]!, m.index!) || WHOLE_SERVER.test(m[1]!)) {
        if (m[2]) taint(m[2], m.index!);
        if (m[3]) taint(m[3], m.index!);
        // (a value destructured: foreach ($_GET as [$f, $c]))
        for (const v of (m[4] ?? '').matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) taint(v[1]!, m.index!);
      }
    }
    if (marked + sinkVars.size + returners.size + givers.size === before) break;
  }
  const out: FlowFinding[] = [];
  const seen = new Set<string>();
  const add = (f: FlowFinding) => {
    const key = `${f.technique}\u0000${f.description}`;
    if (seen.has(key) || out.length >= 32) return;
    seen.add(key);
    out.push(f);
  };
  // A backtick literal is a shell command: request input interpolated into one runs (S18Q-12).
  // (the literals are walked once, for these and for the variable calls below, and only where needed)
  let lits: ReturnType<typeof literalMap> | undefined;
  const literals = () => (lits ??= literalMap(src));
  if (src.includes('`')) {
    for (const [at, end] of literals().backticks) {
      const lit = src.slice(at, Math.min(end, at + 600));
      if (interpolates(lit, taintAt(at))) add({ technique: 'request-input-exec', score: 90, description: 'request input runs as a shell command in a backtick literal', offset: at });
    }
  }
  for (const m of src.matchAll(SINK_CALL)) {
    const sink = m[2]!.toLowerCase();
    const args = argsAt(src, m.index! + m[0].length);
    // create_function's code is its second argument; the others' payload is the first.
    // (a command given as an array, as proc_open takes one, carries its values; pcntl_exec's are its second argument)
    // (a variable that is the whole command: a pattern or a type it was checked against lets a one-word command through)
    const whole = (a: string) => {
      const v = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(a);
      return v !== null && liveAt(taintedAt, v[1]!, m.index!) && !guarded(v[1]!, m.index!, true);
    };
    const carries = (a: string) => inCommand(a, m.index!) || arrayValues(a).some((v) => inCommand(v, m.index!)) || (SHELL_SINKS.includes(sink) && whole(a));
    if (!args || !(sink === 'create_function' || sink === 'pcntl_exec' ? splitTop(args.all, [',']).some(carries) : SHELL_SINKS.includes(sink) ? carries(args.first) : direct(args.first, m.index!))) continue;
    const quoted = m[1] ? ' (its name written as a string)' : '';
    if (CODE_SINKS.includes(sink)) add({ technique: 'request-input-exec', score: 95, description: `request input reaches ${sink}()${quoted}`, offset: m.index! });
    else if (SHELL_SINKS.includes(sink)) add({ technique: 'request-input-exec', score: 90, description: `request input reaches the shell command ${sink}()${quoted}`, offset: m.index! });
    else {
      // (a name the code gives a prefix of its own, 'page_' . $task: red team S42R-2, as for $f() below)
      const held = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(args.first)?.[1];
      if (held !== undefined && prefixedName(src, held, lastTaint(held, m.index!))) continue;
      add({ technique: 'request-input-callable', score: 85, description: `request input chooses the function ${sink}() calls`, offset: m.index! });
    }
  }
  // A sink named in a string, handed to a caller with request input beside it: array_map('assert', [$_POST['x']]).
  for (const m of src.matchAll(CALLERS)) {
    const args = argsAt(src, m.index! + m[0].length);
    if (!args) continue;
    const parts = splitTop(args.all, [',']).map((a) => a.trim());
    const named = parts.findIndex((a) => {
      const lit = /^["']\\{0,2}([A-Za-z_\x80-\xff][\w\x80-\xff]{1,40})["']$/.exec(a);
      const v = /^\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})$/.exec(a);
      const fn = lit ? lit[1]!.toLowerCase() : v ? sinkVars.get(v[1]!) : undefined;
      return fn !== undefined && (CODE_SINKS.includes(fn) || SHELL_SINKS.includes(fn));
    });
    if (named < 0 || !parts.some((a, i) => i !== named && (direct(a, m.index!) || arrayValues(a).some((v) => direct(v, m.index!))))) continue;
    const fn = (/^["']\\{0,2}(\w+)["']$/.exec(parts[named]!)?.[1] ?? sinkVars.get(parts[named]!.slice(1)) ?? '?').toLowerCase();
    add({ technique: 'request-input-exec', score: 95, description: `request input reaches ${fn}() through ${m[1]!.toLowerCase()}()`, offset: m.index! });
  }
  // preg_replace (or preg_filter, the same with /e: H1-020) with its pattern from the request: the caller can add /e.
  // (its name written as a string too, 'preg_replace'(...), as the fold layer writes a name it found: session 39 set H23)
  for (const m of src.matchAll(new RegExp(`${BARE}(["']?)preg_(?:replace|filter)\\1\\s*\\(`, 'gi'))) {
    const args = argsAt(src, m.index! + m[0].length);
    // A pattern that ends in a literal ('/' . $x . '/i') has its modifiers fixed by the code.
    const last = args ? (splitTop(args.first, ['.']).at(-1) ?? '').trim() : '';
    if (args && !/^(["'])[\s\S]*\1$/.test(last) && direct(args.first, m.index!)) add({ technique: 'preg-replace-eval', score: 75, description: 'preg_replace with its pattern from the request (the /e modifier runs code)', offset: m.index! });
    // a pattern with /e and a replacement (run as code) from the request: preg_replace('/.*/e', $_GET['c'], '')
    const [pattern, replacement] = args ? splitTop(args.all, [',']) : [];
    // (PCRE's modifiers may have white space among them: '/x/e ' runs as /x/e)
    const mods = pattern !== undefined ? /^\s*(["'])([^\w\s\\])[\s\S]*\2([a-zA-Z\s]*)\1\s*$/.exec(pattern) : null;
    if (mods && /e/.test(mods[3]!) && replacement !== undefined && isDirect(replacement, taintAt(m.index!), true)) add({ technique: 'request-input-exec', score: 90, description: 'request input is the replacement of a preg_replace with /e (run as PHP code)', offset: m.index! });
  }
  // A file written where and with what the request says.
  // (the arguments read of writers and mailers come out of 4 MiB a file: S20F-5, 16 MiB of `mail(` without
  // a ")" read 4,000 characters from each, 51 s; of `fwrite(`, 38 s before this change too)
  let argBytes = 4 * 1024 * 1024;
  let phpNamed = 0;
  for (const m of src.matchAll(WRITERS)) {
    if (argBytes <= 0) break;
    const args = argsAt(src, m.index! + m[0].length);
    argBytes -= args ? args.all.length : 4000;
    if (!args) continue;
    const parts = splitTop(args.all, [',']);
    // (the name may start with a directory of the code's own: $dir . '/' . $_POST['n'], S26R-38)
    if (parts.length >= 2 && inCommand(parts[0]!, m.index!) && direct(parts[1]!, m.index!)) add({ technique: 'file-writer', score: 80, description: `a file written with a name and content from the request (${m[1]!.toLowerCase()})`, offset: m.index! });
    // (or where the request says, with what a decoder gives: a dropper's payload unpacked)
    else if (parts.length >= 2 && /^file_put_contents$/i.test(m[1]!) && inCommand(parts[0]!, m.index!) && /^\s*(?:@\s*)?\\?(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode)\s*\(/i.test(parts[1]!)) add({ technique: 'file-writer', score: 75, description: `a file written where the request says, with decoded content (${m[1]!.toLowerCase()})`, offset: m.index! });
    // (or a PHP file of the code's own naming, whose whole content is the request's: a dropper, `$f = 'file_' .
    // time() . '.php'; file_put_contents($f, hex2bin($body['hex']))`)
    else if (parts.length >= 2 && /^file_put_contents$/i.test(m[1]!) && phpNamed < 16 && WHOLE_CONTENT.test(parts[1]!) && direct(parts[1]!, m.index!) && (phpNamed++, namesPhpFile(parts[0]!, src, m.index!)) && wholeValue(parts[1]!, src, m.index!)) add({ technique: 'file-writer', score: 80, description: `a PHP file written with content that is the request's (${m[1]!.toLowerCase()})`, offset: m.index! });
  }
  // A server file the request names read into the database: LOAD DATA [LOCAL] INFILE or LOAD_FILE() with request input
  // in the file's name (held-out set H36's "Mysql File Bypass", /etc/passwd by default; not a file of the code's own nor
  // an upload: an installer's CSV, an importer's temporary file, red team S42R-7 to -9)
  {
    let looked = 0;
    for (const m of src.matchAll(SQL_FILE_READ)) {
      if (++looked > 64) break;
      const after = m.index! + m[0].length;
      const name = src.slice(after, after + 200).split(/\binto\b|\)/i)[0]!;
      const request = /\$_(?:GET|POST|REQUEST|COOKIE)\b|\bfilter_input\s*\(/i.test(name) || [...name.matchAll(/\$\{?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)].some((v) => {
        if (!isTaintedAt(v[1]!, m.index!)) return false;
        const from = lastTaint(v[1]!, m.index!);
        return from < 0 || !/_FILES\b|tmp_name|getRealPath|getPathname|getClientOriginalName/i.test(src.slice(from, from + 300).split(';')[0]!);
      });
      if (!request) continue;
      add({ technique: 'file-read', score: 80, description: `a server file the request names is read into the database (${/load_file/i.test(m[0]) ? 'LOAD_FILE()' : 'LOAD DATA INFILE'}): any file the database server can read, sent back`, offset: m.index! });
      break;
    }
  }
  // The assignments to a path argument that is a variable alone, in the 4 KiB before the call (right sides of up to
  // `longest` characters), their offsets in src: what wholly and heldPath read.
  const pathAssignments = (p: string, at: number, longest: number): { name: string; rhs: string; at: number }[] | undefined => {
    const v = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(p);
    if (!v) return undefined;
    const from = Math.max(0, at - 4096);
    return [...src.slice(from, at).matchAll(new RegExp(`\\$${v[1]}\\s*=(?![=>])([^;]{1,${longest}});`, 'g'))].map((a) => ({ name: v[1]!, rhs: a[1]!, at: from + a.index! }));
  };
  // (a path that is the request's value whole, or a variable last given it whole: `$a = $_GET['a'] ?? null; fopen($a, 'r')`)
  const wholly = (p: string, at: number): boolean => {
    if (WHOLE_REQUEST.test(p)) return !guardedSource(p, at);
    const given = pathAssignments(p, at, 200);
    const last = given?.at(-1);
    if (!given || !last) return false;
    if (WHOLE_REQUEST.test(last.rhs)) return true;
    // (or, before a fallback for an empty value, `if (!$path) $path = './';` or `$path = $path ?: './';`, the one that
    // gave it the request's)
    return given.some((a) => WHOLE_REQUEST.test(a.rhs)) && (new RegExp(`if\\s*\\(\\s*!\\s*\\$${last.name}\\s*\\)\\s*\\{?\\s*$`).test(src.slice(Math.max(0, last.at - 60), last.at)) || new RegExp(`^\\s*\\$${last.name}\\s*(?:\\?:|\\?\\?)\\s*(?:'[^'\\n]{0,40}'|"[^"\\n]{0,40}")\\s*$`).test(last.rhs));
  };
  // (a path kept in a variable first, `$t = $path . '/' . basename($_GET['del']); unlink($t)`: the variable's last
  // assignment before the call, read as a path is, any part of it the request's: held-out set H50's file manager, whose
  // folder is the request's and whose name basename() cleans)
  const heldPath = (p: string, at: number): boolean => {
    const last = pathAssignments(p, at, 400)?.at(-1);
    // (the request's own values written in it, not an upload's temporary file nor what the session keeps: Cacti's
    // package import deletes the upload it copied to a folder of the user's session, red team S44R)
    return last !== undefined && /\$_(?:GET|POST|REQUEST|COOKIE)\b/.test(last.rhs) && !/_FILES\b|tmp_name/.test(last.rhs) && inCommand(last.rhs, last.at);
  };
  // A file manager: paths the request names deleted, read out, listed, renamed or copied, their modes changed,
  // written, made, or an upload put there (S24). One of these alone is what download scripts and demos do
  // too: only a delete or a read out of a path that is the request's whole, in a small file, is suspicious;
  // a delete or a read with another of them is a file manager's (the rule's "loose" reading: any part of the
  // path from the request, as a directory of the code's own and a name from the request).
  if (FILE_OP_HINT.test(src)) {
    const kinds = new Set<string>();
    let whole: { kind: string; fn: string; at: number } | undefined;
    let seen = 0;
    for (const m of src.matchAll(FILE_OPS)) {
      if (++seen > 512 || argBytes <= 0) break;
      const fn = m[3] !== undefined ? 'file_get_contents' : (m[1] ?? m[2]!).toLowerCase();
      let kind = m[3] !== undefined ? 'read' : FILE_OP_KIND[fn]!;
      const args = argsAt(src, m.index! + m[0].length);
      argBytes -= args ? args.all.length : 4000;
      if (!args) continue;
      const parts = splitTop(args.all, [',']);
      // (the paths: the first argument; a move's or copy's both; an upload's destination)
      const paths = fn === 'move_uploaded_file' ? parts.slice(1, 2) : fn === 'rename' || fn === 'copy' ? parts.slice(0, 2) : parts.slice(0, 1);
      // (fopen to write only: a read is a read's, and fopen for reading is common)
      // (or to read, where the file reads what it opened out: fopen($_GET['File'], 'r') then fread, session 26 set M)
      if (fn === 'fopen' && !/^\s*["'][waxc]/i.test(parts[1] ?? '')) {
        // (not the request's own body, fopen('php://input', 'r'); and only beside another of these: a read
        // alone through fopen is what parsers and streams do)
        if (!/^\s*["']r/i.test(parts[1] ?? '') || !READS_HANDLE.test(src) || /php:\/\//i.test(parts[0] ?? '')) continue;
        kind = 'opened';
      }
      // (a path that ends in an extension of the code's own, DIR . "/$id.ico", is a file of the application's naming)
      // (a listing by dir() and a read line by line only where the path is wholly the request's: a download area under a
      // folder of the customer's and a log viewer under the logs' folder read so too, red team S44R fp15, fp16)
      const strict = fn === 'dir' || (kind === 'opened' && !STREAM_READS.test(src));
      if (!paths.some((p) => !/\.[A-Za-z0-9]{1,6}["']\s*$/.test(p) && (strict ? wholly(p, m.index!) : inCommand(p, m.index!) || heldPath(p, m.index!)))) continue;
      kinds.add(kind === 'opened' ? 'read' : kind);
      // (the request's whole path: its input written in place, or a variable holding it; not an object's property
      // nor an upload's temporary file, which code that handles uploads deletes)
      if (!whole && (kind === 'delete' || kind === 'read') && paths.some((p) => (SOURCE_ALONE.test(p.trim()) || /^\s*\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*$/.test(p)) && !/_FILES\b/.test(p) && direct(p, m.index!))) whole = { kind, fn, at: m.index! };
    }
    const traits = [...kinds];
    if ((kinds.has('delete') || kinds.has('read')) && traits.length >= 2) add({ technique: 'file-manager', score: 75, description: `a file manager: paths the request names are ${traits.map((k) => FILE_OP_WORDS[k]).join(', ')}`, offset: 0 });
    // (a download script sends its headers first: Content-Type, Content-Disposition)
    else if (whole && codeSize(src) <= 4096 && !/\bheader\s*\(\s*["']Content-/i.test(src) && !/\$_FILES\b/.test(src)) add({ technique: 'file-manager', score: 40, description: `a path the request names is ${FILE_OP_WORDS[whole.kind]} (${whole.fn}), in a small file`, offset: whole.at });
  }
  // An uploader that keeps the name the client gave and checks nothing of it (type, extension), in a small
  // file: whatever is sent, a .php too, is stored where the code runs (session 26, set O: a WordPress
  // plugin's uploader page)
  if (src.length <= 16384 && /move_uploaded_file/i.test(src) && /\$_FILES\b/.test(src) && !UPLOAD_NAME_CHECKED.test(src)) {
    for (const m of src.matchAll(new RegExp(MOVES_UPLOAD.source, 'gi'))) {
      const args = argsAt(src, m.index! + m[0].length);
      const dest = args ? splitTop(args.all, [','])[1] : undefined;
      if (dest !== undefined && clientName(dest, src, 2)) {
        // (on an application's page behind its login, the finding below says it: appLoginPage)
        if (!appLoginPage(src)) add({ technique: 'uploader', score: 45, description: 'an upload stored under the name the client gave it, with nothing of the name or type checked (a .php is stored as sent)', offset: m.index! });
        break;
      }
    }
  }
  // What a call given request input returns, called at once: file_get_contents('php' . $_GET[1])($_GET[2])
  for (const m of src.matchAll(RESULT_CALLED)) {
    const args = argsAt(src, m.index! + m[0].length);
    if (!args) continue;
    const after = m.index! + m[0].length + args.all.length + 1;
    if (/^\s*\(/.test(src.slice(after, after + 16)) && direct(args.all, m.index!)) add({ technique: 'request-input-callable', score: 85, description: `request input chooses what ${m[1]!.toLowerCase()}() gives, which is called as a function`, offset: m.index! });
  }
  // A mailer: mail() given recipients and a message from the request, which sends whatever anyone asks to
  // whomever they name (a contact form writes to its own address)
  // (a list mailed one address at a time: mail() inside a loop, not after one that ended, red team S36B-6 to -8; the
  // loop read in the code alone, where an apostrophe in a heredoc or the page's HTML cannot hide its end, S36C-1, -2)
  const listed = (at: number) => inLoop(code, at);
  for (const m of src.matchAll(MAILS)) {
    if (argBytes <= 0) break;
    const args = argsAt(src, m.index! + m[0].length);
    argBytes -= args ? args.all.length : 4000;
    if (!args) continue;
    const parts = splitTop(args.all, [',']);
    // (a message wholly the request's is a relay: one value, last given no text of the code's own, not `$message =
    // "Hello " . $user . ...`, S36B-8. One with the app's own text around the request's, `$message . $stamp`, is one
    // where the subject is wholly the request's too, or the headers carry the request's, or a list is mailed with the
    // request's subject: held-out set H14. One address the visitor typed with their name in the app's text is a
    // confirmation, a welcome or a "tell a friend", red team S36A-1 to -7; an invitation page mails a list with a
    // subject of its own, S36B-6, -7)
    const whole = (e: string | undefined) => e !== undefined && WHOLE_CONTENT.test(e) && direct(e, m.index!) && (!/^\s*\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*$/.test(e) || wholeValue(e, src, m.index!));
    const part = (e: string | undefined) => e !== undefined && inCommand(e, m.index!);
    // (or an empty body with the request's text in the headers, the message after their blank line: set H34's mass
    // mailer, mail($to, $subject, "", $header) with $header .= "$message")
    // (to a list only: a copy to the one visitor who wrote is a confirmation, red team S41B)
    const emptyBody = parts.length >= 4 && /^\s*(?:''|""|null)\s*$/i.test(parts[2]!) && part(parts[3]) && listed(m.index!);
    if (parts.length >= 3 && direct(parts[0]!, m.index!) && (whole(parts[2]) || whole(parts[3]) || emptyBody || (part(parts[2]) && (whole(parts[1]) || part(parts[3]) || (part(parts[1]) && listed(m.index!)))))) {
      add({ technique: 'mailer', score: 80, description: 'mail() sends a message from the request to recipients from the request (a spam mailer)', offset: m.index! });
      break;
    }
  }
  // include/require of a variable that holds request input, the whole of what is included (in a small file:
  // the rule mamori_php_include_upload reads the superglobal written in place; applications that include a
  // page the request names add a path or a suffix)
  // (small in code, not in bytes: a shell of one line padded with comment lines or blank ones is small, S21B-24)
  if (/\b(?:include|require)/i.test(src) && (src.length <= 16384 || (/\b(?:include|require)(?:_once)?\s*(?:\(\s*)?(?:@\s*)?\$/i.test(src) && smallCode()))) {
    // (or its upload's temporary file, $f['tmp_name'], "$f[tmp_name]", of a parameter given $_FILES['f']: S30B-16,
    // red team S31R-28, -34; not another element of an array that holds request input beside a fixed path, S31R-1 to -6)
    for (const m of src.matchAll(/(?<![\w$>:])(include|require)(?:_once)?\s*(?:\(\s*)?(?:@\s*)?(?:\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*(?:\)\s*)?;|"?\{?\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\[\s*(?:'tmp_name'|"tmp_name"|tmp_name)\s*\]\}?"?\s*(?:\?\?\s*(?:''|""|null)\s*)?(?:\)\s*)?;)/gi)) {
      const held = m[2] ?? m[3]!;
      if (!isTaintedAt(held, m.index!)) continue;
      add({ technique: 'include-uploaded-file', score: 85, description: `${m[1]!.toLowerCase()} of a file the request names (through $${held})`, offset: m.index! });
      break;
    }
  }
  // An uploader that keeps what the client calls the file, in a small file that checks nothing of it
  // (no extension, type or image test): anyone may put a .php of their own on the server
  // (or saves any upload as a .php of its own naming)
  // (small in code, not in bytes: set H31's file manager was 8,365 bytes, most of them its page's style sheet; the
  // code without its literals, comments and the page around it)
  if (src.length <= 8192 || (src.length <= 65536 && /\$_FILES\b/.test(src) && codeOnly(src).replace(/\s+/g, '').length <= 4096)) {
    const unchecked = !uploadChecked(src) || /DOCUMENT_ROOT/.test(src);
    const clientName = /\$_FILES\b/.test(src) && /\[\s*["']name["']\s*\]/.test(src);
    for (const m of src.matchAll(UPLOADS)) {
      const args = argsAt(src, m.index! + m[0].length);
      if (!args) continue;
      const parts = splitTop(args.all, [',']);
      // (the upload's temporary file, or a variable the file gives it: $tmp = $_FILES['f']['tmp_name'])
      const held = /^\s*\$([A-Za-z_]\w{0,63})\s*$/.exec(parts[0]!)?.[1];
      const tmpVar = held !== undefined && new RegExp(`\\$${held}\\s*=\\s*\\$_FILES\\s*\\[[^\\]\\n]{1,80}\\]\\s*\\[\\s*["']tmp_name["']\\s*\\]`).test(src);
      // (move_uploaded_file moves nothing but an upload, whatever its first argument is called)
      const upload = m[1]!.toLowerCase() === 'move_uploaded_file' || tmpVar || /\$_FILES\b|\$HTTP_POST_FILES\b|\$userfile\b|\[\s*["']tmp_name["']\s*\]/.test(parts[0]!);
      if (parts.length < 2 || !upload) continue;
      // (a fixed name put together from literals, or held in a variable given one literal: 'x.ph' . 'p', S23R-15)
      const asPhp = /^\s*["'][^"']{0,200}\.(?:php\d?|phtml|phar)["']\s*$/i.test(parts[1]!) || /\.(?:php\d?|phtml|phar)$/i.test(fixedName(parts[1]!, src) ?? '');
      // (register_globals gave an upload $f its client's name as $f_name: copy($userfile, $userfile_name), S23R-15)
      // (never assigned: register_globals set it)
      const globalsName = held !== undefined && new RegExp(`\\$${held}_name\\b`).test(parts[1]!) && !new RegExp(`\\$${held}_name\\s*(?:\\.?=)(?!=)`).test(src);
      if (asPhp || (unchecked && (direct(parts[1]!, m.index!) || globalsName || (clientName && !/^\s*["']/.test(parts[1]!))))) {
        const app = !asPhp && appLoginPage(src);
        add({ technique: 'uploader', score: app ? APP_UPLOAD_SCORE : 75, description: asPhp ? `an upload saved (${m[1]!.toLowerCase()}) as a PHP file` : `an upload saved (${m[1]!.toLowerCase()}) under a name the client chose, with no check of what it is${app ? APP_UPLOAD_NOTE : ''}`, offset: m.index! });
        break;
      }
    }
  }
  // In a larger file, the same with nothing between the upload and the client's name: the upload's
  // temporary file stored under $_FILES[..]['name'] itself, no check of it within 400 characters (a
  // minimal uploader injected into an application's file, S26R-23)
  else if (/\$_FILES\b/.test(src)) {
    let looked = 0;
    for (const m of src.matchAll(UPLOADS)) {
      if (++looked > 64) break;
      const args = argsAt(src, m.index! + m[0].length);
      const parts = args ? splitTop(args.all, [',']) : [];
      if (parts.length !== 2 || !BARE_TMP.test(parts[0]!) || !BARE_NAME.test(parts[1]!)) continue;
      if (UPLOAD_CHECKS.test(src.slice(Math.max(0, m.index! - 400), m.index! + 400))) continue;
      const app = appLoginPage(src);
      add({ technique: 'uploader', score: app ? APP_UPLOAD_SCORE : 75, description: `an upload saved (${m[1]!.toLowerCase()}) under the name the client gave it, as it was sent${app ? APP_UPLOAD_NOTE : ''}`, offset: m.index! });
      break;
    }
  }
  for (const f of callbackFlows(src, direct, (n) => decodedVars.has(n) || pickedVars.has(n))) add(f);
  // A sink's name joined from literals in parentheses and called: ("sys" . "tem")($_GET['c']) (S19P-8)
  for (const m of src.matchAll(/\(\s*((?:["'][^"'\n]{0,40}["']\s*\.\s*){1,8}["'][^"'\n]{0,40}["'])\s*\)\s*\(/g)) {
    const fn = literalText(m[1]!)?.replace(/^\\/, '').toLowerCase();
    if (!fn || !ALL_SINKS.includes(fn)) continue;
    const args = argsAt(src, m.index! + m[0].length);
    if (args && isDirect(args.first, taintAt(m.index!), SHELL_SINKS.includes(fn))) add({ technique: 'request-input-exec', score: 95, description: `request input reaches ${fn}() through its name joined from pieces`, offset: m.index! });
  }
  // unserialize() of request input, where a class of the file runs a property in one of PHP's magic
  // methods (__destruct, __wakeup ...): the request chooses the object, and so what runs.
  if (/\bunserialize\s*\(/i.test(src)) {
    const gadget = [...src.matchAll(MAGIC_METHOD)].slice(0, 64).find((m) => runsProperty(src.slice(m.index!, m.index! + 4000)));
    if (gadget) {
      for (const m of src.matchAll(/(?<![\w>$:])\\?unserialize\s*\(/gi)) {
        const args = argsAt(src, m.index! + m[0].length);
        // (['allowed_classes' => false] makes no object: nothing of the file's runs)
        if (!args || !direct(args.first, m.index!) || /allowed_classes['"]\s*=>\s*false/i.test(args.all)) continue;
        add({ technique: 'object-injection', score: 85, description: `request input unserialized, and a class of the file runs one of its properties in ${gadget[1]}()`, offset: m.index! });
        break;
      }
    }
  }
  // (in a literal's own text "$f(...)" is printed, not called: adminer's "PARTITION BY $row[x]($row[y])")
  for (const m of src.matchAll(VAR_CALL)) {
    if (/\bnew\s+$|\bfunction\s+&?$/.test(src.slice(Math.max(0, m.index! - 12), m.index!))) continue;
    if (literals().text[m.index!] === 1) continue;
    const name = m[1]!;
    // (its arguments read only where they matter: a file of "$a(" is not read 4,000 characters at each)
    const wanted = sinkVars.has(name) || decodedVars.has(name) || pickedVars.has(name) || extracted || liveAt(closureAt, name, m.index!);
    const args = wanted ? argsAt(src, m.index! + m[0].length) : undefined;
    // (an element of a superglobal called: $_POST[0]($_POST[1]))
    // (an element of $GLOBALS named by a literal is the global of that name: request input in another element, or in
    // $GLOBALS['title'], is not in $GLOBALS['fmt'], a table of formatters, red team S44B fp24)
    const keyHeld = (): boolean => {
      const key = name === 'GLOBALS' ? /^\$GLOBALS\s*\[\s*(["'])([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\1\s*\]/.exec(src.slice(m.index!, m.index! + 200))?.[2] : undefined;
      return key === undefined || isTaintedAt(key, m.index!) || [...src.matchAll(new RegExp(`\\$GLOBALS\\s*\\[\\s*["']${key}["']\\s*\\]\\s*=(?![=>])([^;]{1,400});`, 'g'))].slice(0, 64).some((a) => direct(a[1]!, a.index!));
    };
    if ((isTaintedAt(name, m.index!) && keyHeld() && !prefixedName(src, name, lastTaint(name, m.index!))) || (/^_(?:GET|POST|REQUEST|COOKIE)$/.test(name) && m[0].includes('['))) {
      add({ technique: 'request-input-callable', score: 90, description: `request input (in $${name}) called as a function`, offset: m.index! });
    } else if (args && liveAt(closureAt, name, m.index!) && /^\s*\(/.test(src.slice(m.index! + m[0].length + args.all.length + 1, m.index! + m[0].length + args.all.length + 64))) {
      // what a closure returns from the request, called at once: $get('f')($get('c')) (S19R-7)
      add({ technique: 'request-input-callable', score: 90, description: `request input (returned by the closure in $${name}) called as a function`, offset: m.index! });
    } else if (sinkVars.has(name) && args && (direct(args.first, m.index!) || (sinkVars.get(name) === 'create_function' && splitTop(args.all, [',']).some((a) => direct(a, m.index!))))) {
      add({ technique: 'request-input-exec', score: 95, description: `request input reaches ${sinkVars.get(name)}() through the variable $${name}`, offset: m.index! });
    } else if (decodedVars.has(name) && args && direct(args.first, m.index!)) {
      add({ technique: 'request-input-exec', score: 90, description: `request input passed to a function whose name is decoded at run time ($${name})`, offset: m.index! });
    } else if (pickedVars.has(name) && args && direct(args.first, m.index!)) {
      add({ technique: 'request-input-exec', score: 90, description: `request input passed to a function whose name is spelled from characters picked out of a string ($${name})`, offset: m.index! });
    } else if (extracted && args && /^\s*\$[A-Za-z_\x80-\xff]/.test(args.first) && !/^this$/i.test(name)) {
      add({ technique: 'request-input-callable', score: 80, description: `extract() of request input, then a variable called as a function ($${name})`, offset: m.index! });
    }
  }
  // Request input written to a file that a command then compiles or runs as a program or a script: a shell's
  // "eval" of C, Java, Python or Perl (session 35, set H8). The file's name is a variable of the code's; the
  // command, a shell function or a function of the file that runs commands only, names that variable and a
  // compiler, an interpreter or "./" (an upload handed to convert or unzip is not run).
  if (out.length === 0 && /file_put_contents/i.test(src)) {
    let writes = 0;
    for (const w of src.matchAll(/(?<![\w>$:\\])file_put_contents\s*\(/gi)) {
      if (++writes > 64) break;
      const args = argsAt(src, w.index! + w[0].length);
      const [name, content] = args ? splitTop(args.all, [',']) : [];
      if (!name || !content || !inCommand(content, w.index!)) continue;
      const vars = [...new Set([...name.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)].map((v) => v[1]!))].filter((v) => v !== 'this').slice(0, 8);
      if (vars.length === 0) continue;
      const uses = new RegExp(`\\$(?:${vars.join('|')})(?![\\w\\x80-\\xff])`);
      const from = w.index! + w[0].length + args!.all.length;
      let seen = 0;
      for (const c of src.slice(from, from + 8192).matchAll(/(?<![\w>$:\\])([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(/g)) {
        if (++seen > 256) break;
        const fn = c[1]!.toLowerCase();
        const def = defs.get(fn);
        if (!SHELL_SINKS.includes(fn) && !(def && commandOnly(def.at))) continue;
        const call = argsAt(src, from + c.index! + c[0].length);
        if (!call || !runsFile(call.all, vars)) continue;
        add({ technique: 'request-input-exec', score: 90, description: `request input written to a file that the command ${fn}() then compiles or runs`, offset: w.index! });
        break;
      }
      if (out.length > 0) break;
    }
  }
  return out;
}

/**
 * Whether a command line compiles or runs the file one of `vars` names: a compiler's name anywhere before the
 * variable in the line, an interpreter's name with nothing but space between it and the variable, or "./" right
 * before it (red team S35A-1 to -3: `php worker.php $job`, `php -l $f` and `convert $in ../out.png` run a file of
 * the code's own, check one, or write beside one).
 */
function runsFile(args: string, vars: readonly string[]): boolean {
  for (const v of vars) {
    const at = new RegExp(`\\$${v}(?![\\w\\x80-\\xff])`).exec(args);
    if (!at) continue;
    const before = args.slice(Math.max(0, at.index - 200), at.index);
    if (COMPILES.test(before) || INTERPRETS.test(before)) return true;
  }
  return false;
}
const COMPILES = /["'`](?:[^"'`]{0,120}[\s;&|(])?(?:gcc|g\+\+|c\+\+|cc|clang|tcc|javac|csc|mcs|go\s+build|rustc)\s[^"'`]{0,120}(?:["'`]\s*\.\s*|\{?)$/i;
const INTERPRETS = /["'`](?:[^"'`]{0,120}[\s;&|(])?(?:(?:python[\d.]{0,4}|perl|ruby|php[\d.]{0,4}|sh|bash|dash|ksh|zsh|node|lua|tclsh|java|cscript|wscript|powershell(?:\s+-file)?|go\s+run)\s+|\.\/)(?:["'`]\s*\.\s*|\{?)$/i;

/**
 * The literals of PHP text, in one walk of it with its comments blanked: `text` is 1 for each
 * character of a literal's own text and 0 elsewhere (code, comments, and the `{$...}` code of
 * literals that interpolate: "$f($x)" in a string prints, "{$f($x)}" calls); `backticks` are
 * where the backtick literals of the code are (start, end), not those inside other literals.
 */
function literalMap(src: string): { text: Uint8Array; backticks: [number, number][] } {
  const text = stripComments(src);
  const n = text.length;
  const mask = new Uint8Array(n);
  const backticks: [number, number][] = [];
  const opens = (j: number): boolean => (text.charCodeAt(j) === 123 && text.charCodeAt(j + 1) === 36) || (text.charCodeAt(j) === 36 && text.charCodeAt(j + 1) === 123);
  // (only the code's own literals: a backtick in the page's HTML, a JavaScript template literal
  // that PHP prints into with <?= ... ?>, is not a shell command; a text without "<?" is code throughout)
  const toCode = (from: number): number => {
    const open = text.indexOf('<?', from);
    return open < 0 ? n : open + 2;
  };
  for (let i = text.indexOf('<?') >= 0 ? toCode(0) : 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 63 && text.charCodeAt(i + 1) === 62) i = toCode(i + 2);
    else if (c === 39 || c === 34) i = literalEnd(text, i, 0, mask);
    else if (c === 96) {
      const end = literalEnd(text, i, 0, mask);
      if (backticks.length < 64) backticks.push([i, end]);
      i = end;
    } else if (c === 60 && text.startsWith('<<<', i)) {
      const e = heredocEnd(text, i);
      if (e > i + 3) {
        mask.fill(1, i, e);
        // a heredoc's {$...} is code (a nowdoc's is text, and stays marked: only ever fewer matches skipped)
        if (!/^<<<[ \t]*'/.test(text.slice(i, i + 8))) {
          for (let j = i; j < e; j++) {
            if (!opens(j)) continue;
            const k = codeEnd(text, j + (text.charCodeAt(j) === 123 ? 1 : 2), 1);
            mask.fill(0, j, k);
            j = k - 1;
          }
        }
      }
      i = e;
    } else i++;
  }
  return { text: mask, backticks };
}

/** The values of an array literal (`[a, 'k' => b]`, `array(...)`); none for anything else. */
function arrayValues(expr: string): string[] {
  const m = /^\s*(?:\[([\s\S]*)\]|array\s*\(([\s\S]*)\))\s*$/i.exec(expr);
  if (!m) return [];
  return splitTop(m[1] ?? m[2] ?? '', [',']).map((e) => {
    const kv = splitTop(e, ['=>']);
    return (kv[kv.length - 1] ?? '').replace(/^\s*\.\.\./, '');
  });
}

/** A double-quoted, backtick or heredoc literal: PHP puts the variables it names into it. */
const INTERPOLATING = /^(?:"[\s\S]*"|`[\s\S]*`|<<<[ \t]*"?[A-Za-z_\x80-\xff][\w\x80-\xff]*"?(?:\r\n?|\n)[\s\S]*)$/;
/** Calls whose result carries all their arguments, not only the first. */
const VALUE_LIST = /^(?:array_values|implode|join|current|end|reset|array_slice|array_pop|array_shift)$/i;
const WHOLE_SERVER = /^\s*\$_SERVER\s*$/;
// (and PHP 5's split, spliti, ereg_replace and eregi_replace: set H34's mass mailer)
const MANY_ARGS = /^(?:sprintf|vsprintf|implode|join|str_replace|str_ireplace|strtr|substr_replace|array_merge|str_pad|array_values|current|reset|end|explode|preg_split|mb_split|split|spliti|ereg_replace|eregi_replace|str_getcsv|array_combine|array_pad|array_fill)$/i;
/** What the flow knows at one offset of the file: which variables hold request input, and which functions give it. */
interface Taint {
  /** Does `$name` hold request input here? */
  v(name: string): boolean;
  /** Does the file's function or method of this name return request input? */
  fn(name: string): boolean;
  /** Does `$name` hold a closure that returns request input? */
  closure(name: string): boolean;
  /** Is this text one of the file's closures that return request input (read where their returns are)? */
  gives(def: string): boolean;
  /** Whether any function or closure of the file returns request input (else fn and closure are always false). */
  returns: boolean;
  /** Is an object property of this name given request input somewhere in the file (`$o->cmd = $_GET[c]`)? */
  prop(name: string): boolean;
  /** Is a constant of this name defined from request input somewhere in the file (`define('C', $_POST['c'])`)? */
  k(name: string): boolean;
  /** Whether any constant is (else k is always false). */
  consts: boolean;
  /** Is `$name` only ever given a quoted literal (`$x = '?>';`), so that it is that literal wherever it is read? */
  lit?(name: string): boolean;
  /** Is this a function of the file that returns its arguments XOR-ed (a decoder with a key): any argument of request input makes its result request input. */
  keyed?(name: string): boolean;
}

/** A closure's definition (`function (..) use (..) {..}`, `fn (..) => ..`, either `static`), as the whole text. */
const CLOSURE_DEF = /^(?:static\s+)?(?:function\s*(?:&\s*)?\(|fn\s*(?:&\s*)?\()/i;
/** An immediately invoked closure: `(function () {..})()`, `(fn () => ..)(..)`. */
const INVOKED_CLOSURE = /^\(\s*((?:static\s+)?(?:function|fn)\s*(?:&\s*)?\([\s\S]*)\)\s*\([\s\S]*\)$/i;
/** A method or static call: `$o->name(..)`, `$o?->name(..)`, `K::name(..)`, `self::name(..)`. */
const METHOD_CALL = /^(?:\\?[A-Za-z_\x80-\xff][\w\x80-\xff\\]*\s*::|\$[A-Za-z_\x80-\xff][\w\x80-\xff]*\s*(?:\?->|->|::))\s*([A-Za-z_\x80-\xff][\w\x80-\xff]*)\s*\([\s\S]*\)$/;

/** The values a closure's text returns: its own `return` expressions (not those of a closure inside it), or an arrow function's expression (at most 16). */
function closureValues(def: string): string[] {
  if (/^(?:static\s+)?fn\b/i.test(def)) {
    // (to the expression's end, past the commas of a call in it: S19R-10)
    const arrow = /=>/.exec(def);
    if (!arrow) return [];
    const from = arrow.index + 2;
    return [def.slice(from, statementEnd(def, from, 601))];
  }
  // (each to its statement's end, past the ";" of a closure inside it; only the closure's own:
  // S19R-2, a closure's returns counted again for each closure around it took exponential time)
  const code = codeOnly(def);
  const own = functionScopes(code);
  return [...code.matchAll(/(?<![\w\x80-\xff$>:\\])return\b/gi)]
    .filter((m) => own.of(m.index!) === 0)
    .slice(0, 16)
    .map((m) => {
      const from = m.index! + m[0].length;
      return def.slice(from, statementEnd(def, from, 601));
    });
}

/** Does a closure's text return request input? (Each value is shorter than the text: recursion ends.) */
function closureGives(def: string, t: Taint | undefined): boolean {
  if (t?.gives(def)) return true;
  // (a longer one is known only by its text, above: reading it again for each closure around it would cost the square)
  if (def.length > 8000) return false;
  return closureValues(def).some((e) => e.length < def.length && isDirect(e, t));
}

/** Request input put into a literal: "$_GET[c]", "{$_POST['x']}", "${_GET['c']}"; with `t`, "$f" and "{$f}" of a tainted $f. */
function interpolates(lit: string, t: Taint | undefined): boolean {
  if (/\$\{?_(?:GET|POST|REQUEST|COOKIE|FILES)\b|\$\{\s*_(?:GET|POST|REQUEST|COOKIE|FILES)\b|\$_SERVER\[\s*['"]?(?:HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO|PHP_SELF|PHP_AUTH_)/i.test(lit)) return true;
  if (!t) return false;
  for (const m of lit.matchAll(/(?<!\\)\$\{?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) if (t.v(m[1]!)) return true;
  // a closure or a method called in "{$f()}", "{$o->v()}" (S19R-7)
  if (t.returns) for (const m of lit.matchAll(/\{\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*(?:(?:\?->|->)\s*([A-Za-z_\x80-\xff][\w\x80-\xff]*)\s*)?\(/g)) if (m[2] ? t.fn(m[2]) : t.closure(m[1]!) || t.fn('__invoke')) return true;
  return false;
}

/** Is `expr` request input itself, through calls, concatenation and defaults? */
/** A constant's name read bare (not a call, a variable, a member or a namespace's part), or through constant('C'). */
const CONST_USE = /(?<![\w\x80-\xff$>:'"])\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})(?![\w\x80-\xff\\]|\s*[(:'"])|\bconstant\s*\(\s*["']\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})["']\s*\)/gi;

/**
 * An expression with each literal made '' and the empty ones joined by "." dropped, and its runs of white
 * space made one; undefined where a literal does not end. One pass (the text is hostile).
 */
function compactExpression(e: string): string | undefined {
  let out = '';
  let from = 0;
  for (let i = 0; i < e.length; i++) {
    const c = e[i];
    if (c !== "'" && c !== '"') continue;
    let j = i + 1;
    while (j < e.length && e[j] !== c) j += e[j] === '\\' ? 2 : 1;
    if (j >= e.length) return undefined;
    out += `${e.slice(from, i)}''`;
    from = j + 1;
    i = j;
  }
  out += e.slice(from);
  return out.replace(/\s+/g, ' ').replace(/(?:''\s?\.\s?)+(?=\S)/g, '');
}

function isDirect(expr: string, t: Taint | undefined, loose = false): boolean {
  let e = expr.trim();
  if (e.length === 0) return false;
  if (e.length > 600) {
    // (a long expression is read with its literals emptied, the empty ones joined away and its runs of space
    // made one, when that is short: 700 '' . or long literals joined before $_GET['c'], red team S30R-5, S30R-6)
    let short = e.length <= 65536 ? compactExpression(e) : undefined;
    // (and, still long, with only the pieces joined by "." that hold a variable: null ., false ., trim('') .
    // repeated before it, red team S30B-14)
    if (short !== undefined && short.length > 600) short = splitTop(short, ['.']).filter((piece) => piece.includes('$')).join(' . ');
    return short !== undefined && short.length > 0 && short.length <= 600 && isDirect(short, t, loose);
  }
  // 'php://' . 'input', "php://inpu\x74": the stream named in pieces or escapes
  if (/php|\\x|\\1/i.test(e) && /^["']/.test(e) && literalText(e)?.toLowerCase() === 'php://input') return true;
  if (!SOURCE.test(e) && !PHP_STREAM_PIECES.test(e) && !remote(e)) {
    if (!t) return false;
    let any = false;
    for (const m of e.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) if (t.v(m[1]!) || t.closure(m[1]!)) any = true;
    // a property given request input
    if (!any) for (const m of e.matchAll(/(?:->|::)\s*\$?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) if (t.prop(m[1]!)) any = true;
    // a constant defined from request input, by its bare name or through constant('C')
    if (!any && t.consts) for (const m of e.matchAll(CONST_USE)) if (t.k(m[1] ?? m[2]!)) any = true;
    // a call of a function of the file that returns request input, by name or as a method
    if (!any && t.returns) for (const m of e.matchAll(/([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(|["'](?:[\w\x80-\xff\\]+::)?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})["']/g)) if (t.fn(m[1] ?? m[2]!)) any = true;
    // (a closure of the file, or an object called as one: its __invoke)
    if (!any && t.returns && (/\bfunction\s*(?:&\s*)?\(/i.test(e) || (t.fn('__invoke') && /\$[A-Za-z_\x80-\xff][\w\x80-\xff]*\s*\(/.test(e)))) any = true;
    if (!any) return false;
  }
  // (the union of superglobals, $_GET + $_POST, is request input)
  if (/^\$_(?:GET|POST|REQUEST|COOKIE)(?:\s*\+\s*\$_(?:GET|POST|REQUEST|COOKIE))+$/i.test(e)) return true;
  // (a condition in parentheses too: ($c ? $_REQUEST['d'] : '.'))
  if (e.startsWith('(') && e.endsWith(')') && walkCode(e, 1, e.length, 1, (_c, i, depth) => (depth === 0 ? i : undefined)) === e.length - 1 && /\?/.test(e)) e = e.slice(1, -1).trim();
  // (`$c = $_GET['c'] or die()`: "or" binds looser than "=", the value is what comes before it, S26R-36)
  if (/\bor\s+(?:die|exit)\b/i.test(e)) e = e.replace(/\s+or\s+(?:die|exit)\b[\s\S]*$/i, '').trim();
  // A condition's value: what follows the first top-level "?" (not "??").
  const cond = splitTop(e, ['?']);
  // (a condition that checks a value against a list, a pattern or a literal keeps the strict reading below, not the
  // alternatives': isset($_GET['a']) && in_array($_GET['a'], $ok) ? $_GET['a'] : $default, red team S42R-1)
  const checked = cond.length > 1 && CHECKED_CONDITION.test(cond[0]!);
  if (cond.length > 1) e = cond.slice(1).join('?');
  // (and one that holds it to a list, a type or one literal gives, when true, a value the code knows: only the other
  // value is read. isset($_GET['step']) && in_array($_GET['step'], $steps, true) ? $_GET['step'] : 'welcome')
  if (checked) {
    const branches = splitTop(e, [':']);
    if (branches.length === 2 && holdsBranch(cond[0]!, branches[0]!, t)) return branches[1]!.length < expr.length && isDirect(branches[1]!, t, loose);
  }
  // Alternatives (a default after "??" or "?:", a condition's two values) give request input where one of them
  // does: the request chooses by sending the value or not (`$_GET['path'] ?? $default`, held-out set H35: a
  // variable of the code's own as the default left the file manager's every path unread)
  const alts = splitTop(e, ['??', '?:', ':']);
  if (alts.length > 1 && !checked) return alts.some((a) => a.length < e.length && isDirect(a, t, loose));
  const parts = splitTop(e, ['??', '?:', ':', '.', '^']);
  let sources = 0;
  for (let part of parts) {
    // (a named argument's name, and a spread's dots, are not the value)
    part = part.trim().replace(/^[A-Za-z_][\w]*\s*:(?!:)\s*/, '').replace(/^\.\.\.\s*/, '');
    // (a condition inside a condition's value, 1 ? 1 ? $_GET['c'] : 0 : 0; an element of an array literal picked
    // at once, [0, $_GET['c']][1]: red team S30B-15; each shorter than the expression it is in)
    if (part.length < e.length && /\?/.test(part) && !/\?\?/.test(part) && splitTop(part, ['?']).length > 1 && isDirect(part, t, loose)) {
      sources++;
      continue;
    }
    const picked = /^(?:\[|array\s*\()([\s\S]*)[\])]\s*\[\s*\d{1,4}\s*\]$/i.exec(part.trim());
    if (picked && splitTop(picked[1]!, [',']).some((v) => v.trim().length < part.length && isDirect(v, t, loose))) {
      sources++;
      continue;
    }
    // A match arm's value, or an arrow function's inside a larger expression (array_reduce(.., fn() => $_GET[c])),
    // is what the expression gives; an arrow function on its own is a closure, not a value (below).
    // (each arm is shorter than the part it is in: the recursion ends)
    if (/=>/.test(part) && (/\bmatch\s*\(/i.test(part) || (/\bfn\s*\(/i.test(part) && !CLOSURE_DEF.test(part)))) {
      if ([...part.matchAll(/=>\s*([^,;{}]{1,300}?)\s*(?=[,;})]|$)/g)].some((a) => isDirect(a[1]!, t))) {
        sources++;
        continue;
      }
    }
    // Handed to a caller (call_user_func and the like): a closure, a closure's variable or a function's name is called.
    let called = false;
    let gives = false;
    for (let guard = 0; guard < 8; guard++) {
      part = part.replace(/^[@&]\s*/, '').replace(/^\(\s*(string|array)\s*\)\s*/i, '').trim();
      if (SOURCE_ALONE.test(part)) break;
      // A closure of the file that returns request input, invoked or handed to a caller; a function or method of it called.
      const invoked = INVOKED_CLOSURE.exec(part);
      if (invoked ? closureGives(invoked[1]!, t) : called && CLOSURE_DEF.test(part) && closureGives(part, t)) {
        gives = true;
        break;
      }
      if (t?.returns) {
        // a first-class callable called at once: (g(...))(), ($o->v(...))() (S19R-12)
        const fcc = /^\(\s*([\s\S]*\(\s*\.\.\.\s*\))\s*\)\s*\([\s\S]*\)$/.exec(part);
        if (fcc) {
          part = fcc[1]!;
          continue;
        }
        // (a namespaced name, \ns\g(), and a method at the end of any chain, (new K)->v(), $o->k->v(): S19R-8)
        const fnCall = /^\\?(?:[A-Za-z_\x80-\xff][\w\x80-\xff]*\\)*([A-Za-z_\x80-\xff][\w\x80-\xff]*)\s*\([\s\S]*\)$/.exec(part) ?? METHOD_CALL.exec(part) ?? METHOD_TAIL.exec(part);
        // (a closure held in an array's element, $a['f'](); an object called, its __invoke; [$o, 'v']())
        const closureCall = /^\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*(?:\[[^\]]{0,400}\]\s*)*\([\s\S]*\)$/.exec(part);
        const pairCall = /^(?:\[|array\s*\()[^\]]{0,200},\s*["']([A-Za-z_\x80-\xff][\w\x80-\xff]*)["']\s*[\])]\s*\([\s\S]*\)$/i.exec(part);
        // handed to a caller: 'g', 'K::v', ['K', 'v'], [$o, 'v'], a closure's variable
        const named = called ? (/^["']\\?(?:[\w\x80-\xff\\]+::)?([A-Za-z_\x80-\xff][\w\x80-\xff]*)["']$/.exec(part) ?? /^(?:\[|array\s*\()[^\]]{0,200},\s*["']([A-Za-z_\x80-\xff][\w\x80-\xff]*)["']\s*[\])]$/i.exec(part) ?? undefined) : undefined;
        const held = called ? /^\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})$/.exec(part) : undefined;
        if ((fnCall && t.fn(fnCall[1]!)) || (named && t.fn(named[1]!)) || (pairCall && t.fn(pairCall[1]!)) || (closureCall && (t.closure(closureCall[1]!) || t.fn('__invoke'))) || (held && t.closure(held[1]!))) {
          gives = true;
          break;
        }
        // Closure::fromCallable('g'), Closure::bind(function () {..}, ..): the callable given first (S19R-9)
        const wrap = /^\\?Closure\s*::\s*(?:fromCallable|bind)\s*\(([\s\S]*)\)$/i.exec(part);
        if (wrap) {
          called = true;
          part = (splitTop(wrap[1]!, [','])[0] ?? '').trim();
          continue;
        }
      }
      // (constant('C') of a constant defined from request input, S24)
      if (t?.consts) {
        const k = /^\\?constant\s*\(\s*(["'])\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\1\s*\)$/i.exec(part);
        if (k && t.k(k[2]!)) {
          gives = true;
          break;
        }
      }
      // escapeshellcmd of a command line that starts with a program of the code's own ("/usr/bin/convert " . $a):
      // the request's words are the program's arguments, it cannot add a command (S23R-14)
      const esc = /^\\?escapeshellcmd\s*\(/i.test(part) ? /^\\?escapeshellcmd\s*\(([\s\S]*)\)$/i.exec(part) : null;
      if (esc && /^\s*(["'])\s*[\w\/.-]{1,200}\s[^"'$]{0,200}\1\s*$/.test(splitTop(splitTop(esc[1]!, [','])[0] ?? '', ['.'])[0] ?? '')) {
        part = '';
        break;
      }
      // (a call's result indexed is still what the call gives: array_keys($_GET)[0])
      part = part.replace(/^([A-Za-z_\x80-\xff(][\s\S]*\))(?:\s*\[(?:[^[\]\n]|\[[^[\]\n]{0,40}\]){0,80}\])+$/, '$1');
      // (a name in quotes called is the same call: 'file_get_contents'('php://input'))
      const call = /^(?:([A-Za-z_\x80-\xff][\w\x80-\xff]*)|'([A-Za-z_\x80-\xff][\w\x80-\xff]*)')\s*\(([\s\S]*)\)$/.exec(part)?.filter((g) => g !== undefined) as RegExpExecArray | undefined;
      if (call && !SANITISERS.has(call[1]!.toLowerCase()) && !/^(getallheaders|apache_request_headers)$/i.test(call[1]!)) {
        const args = splitTop(call[2]!, [',']);
        // (sprintf and the like pass on every argument, not the first: S18Q-14)
        const bare = (a: string) => a.replace(/^\s*(?:[A-Za-z_]\w*\s*:(?!:)|\.\.\.)\s*/, '');
        // (and a decoder of the file's that XORs with a key: c($blob, $key_from_the_referer), weevely's shape, session 27 set Q)
        // (and the whole of $_SERVER made a list of its values, its headers among them: array_values($_SERVER)[6], session
        // 35 set H8; not the array itself, whose other keys are the server's, red team S35A-10)
        if ((MANY_ARGS.test(call[1]!) || t?.keyed?.(call[1]!)) && args.some((a) => isDirect(bare(a), t) || arrayValues(bare(a)).some((v) => isDirect(v, t)) || (VALUE_LIST.test(call[1]!) && WHOLE_SERVER.test(bare(a))))) {
          part = '';
          sources++;
          break;
        }
        // (array_map of a string function of PHP's over an array gives that array's values, changed as the function
        // changes text: array_map('stripslashes', $_POST), held-out set H51's mailer)
        const mapped = /^array_map$/i.test(call[1]!) && args.length === 2 ? PASSES_TEXT.exec(args[0]!.trim()) : null;
        if (mapped && !t?.fn?.(mapped[2]!)) {
          part = args[1]!.trim();
          continue;
        }
        called = CALLS_FIRST.test(call[1]!);
        part = (args[0] ?? '').trim();
        // an argument that is itself an expression (trim($in . "")) is read as one
        if (compound(part)) {
          gives = isDirect(part, t, loose);
          part = '';
          break;
        }
        continue;
      }
      // a call through a variable ($d = 'base64_decode'; $d($in)) gives what it is given, as a named call does
      const varCall = /^\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*\(([\s\S]*)\)$/.exec(part);
      if (varCall) {
        part = (splitTop(varCall[1]!, [','])[0] ?? '').trim();
        if (compound(part)) {
          gives = isDirect(part, t, loose);
          part = '';
          break;
        }
        continue;
      }
      // an object made from request input (new SplFileObject('php://input')): its first argument
      const made = /^new\s+\\?[A-Za-z_\x80-\xff][\w\x80-\xff\\]{0,63}\s*\(([\s\S]*)\)$/i.exec(part);
      if (made) {
        part = (splitTop(made[1]!, [','])[0] ?? '').trim();
        continue;
      }
      const paren = /^\(([\s\S]*)\)$/.exec(part);
      if (paren) {
        part = paren[1]!.trim();
        // (alternatives in brackets joined to more: ($_GET['d'] ?? $home) . '/', red team S42R-13)
        if (compound(part)) {
          gives = isDirect(part, t, loose);
          part = '';
          break;
        }
        continue;
      }
      break;
    }
    if (gives) {
      sources++;
      continue;
    }
    // (before the literals: 'php://input' and "php://input" are literals, "php://inpu\x74" too)
    if (SOURCE_ALONE.test(part) || (/^["']php:/i.test(part) && literalText(part)?.toLowerCase() === 'php://input')) {
      sources++;
      continue;
    }
    // A literal that interpolates ("...", `...`, a heredoc) carries what it names (S18Q-14: "$_GET[c]").
    if (INTERPOLATING.test(part)) {
      if (interpolates(part, t)) sources++;
      continue;
    }
    // (PHP's constants for a separator or a line's end are literals too: rtrim($dir, DIRECTORY_SEPARATOR) .
    // DIRECTORY_SEPARATOR . $name, held-out set H35. Not other constants: a plugin's MYPLUGIN_PREFIX . $_GET['op'] then
    // called, red team S42B-15 to -18; so "?>" held in a constant is not read, S42R-14)
    if (part === '' || /^(["'])[\s\S]*\1$/.test(part) || /^-?\d+(\.\d+)?$/.test(part) || /^(null|true|false)$/i.test(part) || /^\\?(?:DIRECTORY_SEPARATOR|PATH_SEPARATOR|PHP_EOL)$/.test(part)) continue;
    // (a branch that leaves gives no value: isset($_REQUEST['c']) ? $_REQUEST['c'] : exit, ?? die(), S26R-36)
    if (/^(?:exit|die)\b\s*(?:\([^()]{0,200}\))?$|^throw\b/i.test(part)) continue;
    // (an index may hold one of its own, $g[$low[0]] with $g = $_GET: set H55's ecchi)
    const v = /^\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})(?:\s*\[(?:[^\][]|\[[^\][]{0,100}\]){0,400}\])*$/.exec(part);
    if (v && t?.v(v[1]!)) {
      sources++;
      continue;
    }
    // (a constant of the file defined from request input: C, \C, constant('C'))
    const k = t?.consts ? /^\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})$|^\\?constant\s*\(\s*(["'])\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\2\s*\)$/i.exec(part) : null;
    if (k && t!.k(k[1] ?? k[3]!)) {
      sources++;
      continue;
    }
    // an object holding request input read through its methods: new SplFileObject('php://input') then $o->fgets()
    const read = /^\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\??->\s*(?:fgets|fread|fgetc|fgetcsv|current|getContents|read|__toString)\s*\([^()]{0,80}\)$/i.exec(part);
    if (read && t?.v(read[1]!)) {
      sources++;
      continue;
    }
    const prop = /^(?:\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}(?:\s*(?:\?->|->)\s*[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}){0,8}\s*(?:\?->|->)\s*|(?:\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}|\\?[A-Za-z_\x80-\xff][\w\x80-\xff\\]{0,63})\s*::\s*\$)([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})(?:\s*\[[^\]]{0,400}\])*$/.exec(part);
    if (prop && t?.prop(prop[1]!)) {
      sources++;
      continue;
    }
    // (a variable only ever given a quoted literal is that literal: `$x = '?>'; eval($x . get($u));`, held-out set H35)
    if (v && t?.lit?.(v[1]!) && /^\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}$/.test(part)) continue;
    // Anything else (a variable of the code's own, a sanitiser's result, an element picked by a
    // key): for a shell command (`loose`) it does not stop the other parts from carrying request
    // input (a prefix of the code's and the request's words runs the request's words); elsewhere
    // the whole must be request input (Zabbix builds PHP text naming $_REQUEST["$key"] for eval).
    if (!loose) return false;
  }
  return sources > 0;
}

/** The string a run of quoted literals joined by "." makes ("\x74", "\164" and the like decoded in double quotes), or undefined. */
function literalText(expr: string): string | undefined {
  let out = '';
  for (const piece of splitTop(expr, ['.'])) {
    const m = /^\s*(["'])([\s\S]*)\1\s*$/.exec(piece);
    if (!m || m[2]!.length > 200) return undefined;
    out += m[1] === "'" ? m[2]!.replace(/\\([\\'])/g, '$1') : m[2]!.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, x: string) => (x[0] === 'x' ? String.fromCharCode(parseInt(x.slice(1), 16)) : /^[0-7]/.test(x) ? String.fromCharCode(parseInt(x, 8) & 0xff) : x));
  }
  return out;
}

/** A literal naming a php:// stream in pieces or with escapes ('php://' . 'input', "php://inpu\x74"): read by literalText. */
const PHP_STREAM_PIECES = /["']php:\/\/(?:["']|[a-z]{0,4}(?:\\|["']\s*\.))/i;

/** Whether an expression joins values at its top level (concatenation, a condition, a default). */
function compound(e: string): boolean {
  return /[.?:]/.test(e) && splitTop(e, ['??', '?:', ':', '.', '?']).length > 1;
}

/** A method called at the end of a chain: `(new K)->v()`, `$o->k->v()`, `K::i()->v()` (its name; arguments without nested calls). */
const METHOD_TAIL = /(?:\?->|->|::)\s*([A-Za-z_\x80-\xff][\w\x80-\xff]*)\s*\((?:[^()]|\([^()]*\))*\)$/;

/** Callers whose result is what the callback given first returns. */
const CALLS_FIRST = /^(?:call_user_func(?:_array)?|forward_static_call(?:_array)?|array_map)$/i;
/** A string function of PHP's named in quotes, whose result is its argument's text changed (see isDirect's array_map). */
const PASSES_TEXT = /^(["'])\\?(stripslashes|stripcslashes|trim|rtrim|ltrim|urldecode|rawurldecode|base64_decode|strrev|str_rot13|strtolower|strtoupper|html_entity_decode|htmlspecialchars_decode|hex2bin|utf8_decode|convert_uudecode)\1$/i;

/** The value of a short string expression of literals and variables known to hold them ('sys' . $b), or undefined. */
function stringValue(expr: string, known: ReadonlyMap<string, string>): string | undefined {
  if (expr.length > 200) return undefined;
  let out = '';
  for (const piece of splitTop(expr, ['.'])) {
    const p = piece.trim();
    const lit = /^(["'])([A-Za-z0-9_]{0,40})\1$/.exec(p);
    const v = /^\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})$/.exec(p);
    let part = lit ? lit[2] : v ? known.get(v[1]!) : undefined;
    // ('sys') . 'tem': a piece in parentheses is its inside
    if (part === undefined && p.startsWith('(') && p.endsWith(')')) part = stringValue(p.slice(1, -1), known);
    // "{$a}tem", "${a}tem", "$a": a double-quoted literal naming variables that hold short strings
    if (part === undefined && /^"[\w${}]{1,80}"$/.test(p)) {
      let bad = false;
      const text = p.slice(1, -1).replace(/\{\$([A-Za-z_]\w{0,63})\}|\$\{([A-Za-z_]\w{0,63})\}|\$([A-Za-z_]\w{0,63})/g, (_, a, b, c) => {
        const held = known.get(a ?? b ?? c);
        if (held === undefined) bad = true;
        return held ?? '';
      });
      if (!bad && /^\w*$/.test(text)) part = text;
    }
    // implode('', ['sys', 'tem']), join('', [...])
    const glued = part === undefined ? /^\\?(?:implode|join)\s*\(\s*(["'])\1\s*,\s*(?:\[|array\s*\()([\s\S]*)[\])]\s*\)$/i.exec(p) : null;
    if (glued) part = stringValue(splitTop(glued[2]!, [',']).filter((x) => x.trim() !== '').join('.'), known);
    if (part === undefined) return undefined;
    out += part;
    if (out.length > 40) return undefined;
  }
  return out;
}

// Four or more characters picked out of a variable by a constant position and joined:
// $s[2] . $s['9'] . $s{9} . $s[0] (a function's name kept scrambled in the file).
const PICKED_NAME = /^\s*(?:\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*[[{]\s*(?:\d{1,4}|'\d{1,4}'|"\d{1,4}")\s*[\]}]\s*\.\s*){3,}\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*[[{]\s*(?:\d{1,4}|'\d{1,4}'|"\d{1,4}")\s*[\]}]\s*$/;
// A string XORed with another where one side is packed bytes or a literal: pack('H*', '..') ^ $k, '..' ^ $k, $k ^ "\x13.."
const XOR_NAME = /^\s*(?:@\s*)?(?:(?:pack\s*\([^;]{0,200}?\)|"(?:[^"\\\n]|\\.){1,80}"|'(?:[^'\\\n]|\\.){1,80}')\s*\^\s*(?:@\s*)?(?:\$|pack\s*\(|["'])|\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*\^\s*(?:pack\s*\(|["']))/i;
const CALLS_VARIABLE = /(?<![\w>:$])\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*\(/;
/** Whether a function's body calls one of its parameters as a function: `$a($b)`. */
function callsParameter(params: string, body: string): boolean {
  if (!params.includes('$')) return false;
  const names = new Set<string>();
  for (const p of params.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) names.add(p[1]!);
  for (const c of body.matchAll(/(?<![\w>:$])\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(/g)) if (names.has(c[1]!)) return true;
  return false;
}

/** Where a closing bracket without its opening one is in `s` (quotes skipped), or -1. */
function unbalancedAt(s: string): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && --depth < 0) return i;
  }
  return -1;
}

/** Splits at separators outside brackets and quotes. */
export function splitTop(s: string, seps: readonly string[]): string[] {
  // (a text that holds none of the separators is one piece: most expressions the fold reads have no "^")
  if (!seps.some((x) => s.includes(x))) return [s];
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0) {
      let sep: string | undefined;
      for (const x of seps) {
        if (x.charCodeAt(0) === c.charCodeAt(0) && s.startsWith(x, i)) {
          sep = x;
          break;
        }
      }
      if (sep) {
        // "." inside a number, "::" and "?->" are not separators.
        if (sep === '.' && (/\d/.test(s[i - 1] ?? '') && /\d/.test(s[i + 1] ?? ''))) continue;
        if (sep === ':' && (s[i + 1] === ':' || s[i - 1] === ':')) continue;
        if (sep === '?' && (s[i + 1] === '?' || s[i + 1] === '-' || s[i + 1] === ':' || s[i - 1] === '?')) continue;
        out.push(s.slice(start, i));
        i += sep.length - 1;
        start = i + 1;
      }
    }
  }
  out.push(s.slice(start));
  return out;
}

/**
 * Walks `src` from `at` (at most `limit` characters) outside quoted strings, keeping the depth of
 * brackets from `depth`: `visit` sees each character outside quotes with the depth after it, and
 * a number it returns is the walk's answer (undefined: the limit or the text's end came first).
 */
export function walkCode(src: string, at: number, limit: number, depth: number, visit: (c: string, i: number, depth: number) => number | undefined): number | undefined {
  let quote = '';
  const stop = Math.min(src.length, at + limit);
  for (let i = at; i < stop; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    const r = visit(c, i, depth);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** The arguments of the call whose "(" ends at `at`: the first, and all, bounded. */
export function argsAt(src: string, at: number): { first: string; all: string } | undefined {
  let firstEnd = -1;
  const end = walkCode(src, at, 4000, 1, (c, i, depth) => {
    if (depth === 0) return i; // its ")"
    if (c === ',' && depth === 1 && firstEnd < 0) firstEnd = i;
    else if (c === ';' && depth <= 1) return -1;
    return undefined;
  });
  if (end === undefined || end < 0) return undefined;
  return { first: src.slice(at, firstEnd < 0 ? end : firstEnd), all: src.slice(at, end) };
}

/** The index of the first of the sorted `list` above `v` (its length when none is). */
export function firstAbove(list: readonly number[], v: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `src` from `a` to `b` blanked: spaces, its newlines kept (a run without one is made at once, not a character at a time). */
function spaces(src: string, a: number, b: number): string {
  // (a newline looked for in the span only: one looked for from `a` on searched the rest of a file
  // without one for each comment, quadratic: 1 MiB of `a /**/` on one line took 2.5 s, S23R-9)
  // (each line's run of spaces made at once: a replace calling back for each line cost three times as much for a
  // docblock; past 64 lines the replace, which leaves empty lines as they are: 16 MiB of newlines in a comment took
  // 1.8 s one line at a time, red team S33R-2)
  const span = src.slice(a, b);
  let out = '';
  let from = 0;
  let lines = 0;
  for (let k = span.indexOf('\n'); k >= 0; k = span.indexOf('\n', k + 1)) {
    if (++lines > 64) return span.replace(/[^\n]+/g, (run) => ' '.repeat(run.length));
    out += `${' '.repeat(k - from)}\n`;
    from = k + 1;
  }
  return out + ' '.repeat(span.length - from);
}

/** A closure's list of the variables it takes from where it is defined: `function (..) use ($a, &$b)`. */
const CLOSURE_USE = /\bfunction\s*(?:&\s*)?\((?:[^()]|\([^()]{0,200}\)){0,400}\)\s*use\s*\(([^)]{0,400})\)/gi;

/** The functions of PHP text: the scope of each offset, and each function's start ("function" keyword) and end (past its "}"). */
interface Scopes {
  /** The innermost function body holding `at` (its id), or -1 outside every function. */
  of(at: number): number;
  readonly start: number[];
  readonly end: number[];
  /** The id of the function whose "function" keyword is at an offset. */
  readonly byStart: Map<number, number>;
}

/**
 * The scope of each offset of PHP text: the innermost function body (from its "function" keyword
 * to its closing "}") that holds it, or -1 outside every function. One walk of `code`, the text
 * with its literals, comments, heredocs and inline HTML blanked (codeOnly: a "}" in any of them
 * closes no function); a function whose body never closes runs to the end of the text.
 */
function functionScopes(code: string): Scopes {
  // change points: from at[i] on, the scope is id[i] (until the next)
  const at: number[] = [0];
  const id: number[] = [-1];
  const start: number[] = [];
  const end: number[] = [];
  const byStart = new Map<number, number>();
  const stack: { depth: number; id: number }[] = [];
  let depth = 0;
  let pending = -1;
  let next = 0;
  const n = code.length;
  for (let i = 0; i < n; i++) {
    const c = code.charCodeAt(i);
    if (c === 102 && code.startsWith('function', i) && !/[\w\x80-\xff$]/.test(code[i - 1] ?? '') && !/[\w\x80-\xff]/.test(code[i + 8] ?? '')) {
      pending = i;
      i += 7;
    } else if (c === 59 && pending >= 0) {
      pending = -1; // an abstract or interface method: no body
    } else if (c === 123) {
      depth++;
      if (pending >= 0 && stack.length < 256) {
        stack.push({ depth, id: next });
        at.push(Math.max(pending, at[at.length - 1]!));
        id.push(next);
        start.push(pending);
        end.push(n);
        byStart.set(pending, next++);
      }
      pending = -1;
    } else if (c === 125) {
      const top = stack[stack.length - 1];
      if (top && top.depth === depth) {
        stack.pop();
        at.push(i + 1);
        id.push(stack.length ? stack[stack.length - 1]!.id : -1);
        end[top.id] = i + 1;
      }
      depth--;
    }
  }
  const of = (pos: number) => {
    let lo = 0;
    let hi = at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (at[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return id[lo]!;
  };
  return { of, start, end, byStart };
}

/**
 * PHP text with everything but its code blanked (same length, newlines kept): literals, heredocs
 * and nowdocs, comments, and the text outside the PHP tags (a file without any "<?" is read as
 * PHP throughout). Only the code's own braces and keywords are left to count.
 */
export function codeOnly(src: string): string {
  return blankPhp(src, true);
}

/** Where the statement starting at `at` ends: its ";" (or "?>") outside brackets and quotes, bounded to 8,000 characters. */
function statementEnd(src: string, at: number, max = 8000): number {
  const end = walkCode(src, at, max, 0, (c, i, depth) => (depth < 0 || (depth === 0 && (c === ';' || (c === '?' && src[i + 1] === '>'))) ? i : undefined));
  return end ?? Math.min(src.length, at + max);
}

/**
 * PHP with its comments blanked (same length, newlines kept): `//`, `#` and
 * `/* *\/` inside `<?php ... ?>` and outside strings. Text outside the PHP
 * tags is left alone (a `#` in HTML is not a comment); a file without any
 * `<?` is read as PHP throughout. A heredoc is read as code, which only
 * means comment-like text in it is blanked too.
 */
export function stripComments(src: string): string {
  return blankPhp(src, false);
}

/**
 * One walk of PHP text that blanks its comments (same length, newlines kept) and, with `all`,
 * its literals, heredocs and the text outside the PHP tags too (codeOnly); without, literals and
 * that text are kept as they are (stripComments).
 */
function blankPhp(src: string, all: boolean): string {
  // (the analysers ask for the same file's blanked text up to four times: the last answer of each
  // kind is kept, with the text it was for)
  const memo = all ? LAST_CODE : LAST_STRIPPED;
  if (memo.src === src) return memo.out;
  const out = blankWalk(src, all);
  memo.src = src;
  memo.out = out;
  return out;
}
const LAST_CODE = { src: '', out: '' };
const LAST_STRIPPED = { src: '', out: '' };

/** A table of the characters a walk stops at (by char code), for a tight loop past the others. */
function stopsAt(chars: string): Uint8Array {
  const t = new Uint8Array(65536);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
}
/** The characters blankWalk stops at: ' " ` < ? # / (what can start a literal, a heredoc, a comment or "?>"). */
const BLANK_STOPS = stopsAt('\'"`<?#/');

/**
 * PHP text with its comments taken out rather than blanked: a space is left only where the comment stood
 * between two characters of names (`new`, a comment, `Foo`), so `$f`, a comment, `(` is `$f(`, and `$`, a
 * comment, `{` is `${`, for the patterns that read calls and superglobals (the scanner's concat layer, for
 * a file whose comments sit inside its calls: session 39 set H23). Offsets are not kept.
 */
export function dropComments(src: string): string {
  // (and a "$" parted from its "{" by what was a line comment's end, `$#x` then `{"_G"."ET"}` on the next line, red
  // team S39R)
  return blankWalk(src, false, true).replace(/\$\s+\{(?=\s*["'$])/g, '${');
}

function blankWalk(src: string, all: boolean, drop = false): string {
  const out: string[] = [];
  const n = src.length;
  const at = (k: number): number => (k < 0 ? n : k);
  let nextLf = -1;
  let nextCr = -1;
  let nextClose = -1;
  let last = 0;
  let i = 0;
  /** Reads on from the next "<?" at or after `from`: the text before it blanked with `all`. */
  const toCode = (from: number): void => {
    const open = src.indexOf('<?', from);
    i = open < 0 ? n : open + 2;
    if (all) {
      out.push(src.slice(last, from), spaces(src, from, i));
      last = i;
    }
  };
  if (src.indexOf('<?') >= 0) toCode(0); // (a text without "<?" is PHP throughout)
  while (i < n) {
    // (past what cannot start a literal, a comment or "?>" in one step each: the tests below for every
    // character cost twice as much)
    while (i < n && !BLANK_STOPS[src.charCodeAt(i) & 0xffff]) i++;
    if (i >= n) break;
    const c = src.charCodeAt(i);
    let end = -1;
    if (c === 39 || c === 34 || c === 96 || (c === 60 && src.startsWith('<<<', i))) {
      // ' " ` strings ("{$...}" in them is code, whose own strings may hold anything), and heredocs
      // and nowdocs: any byte up to their label (S18R-9: a "/*" in one blanked the code after it)
      const e = c === 60 ? heredocEnd(src, i) : literalEnd(src, i, 0);
      if (!all) {
        i = e;
        continue;
      }
      end = e;
    } else if (c === 63 && src.charCodeAt(i + 1) === 62) {
      // "?>": back to HTML
      out.push(src.slice(last, i + 2));
      last = i + 2;
      toCode(last);
      continue;
    } else if (c === 35 || (c === 47 && src.charCodeAt(i + 1) === 47)) {
      if (c === 35 && src.charCodeAt(i + 1) === 91) {
        i += 2; // #[Attribute]
        continue;
      }
      // to the end of the line (\n, or a lone \r: S18Q-10) or "?>"; where each comes next is
      // kept from one comment to the next (S18Q-11: searching the rest of the file for a "?>"
      // or a \r it lacks, once a comment, was quadratic)
      if (nextLf < i) nextLf = at(src.indexOf('\n', i));
      if (nextCr < i) nextCr = at(src.indexOf('\r', i));
      if (nextClose < i) nextClose = at(src.indexOf('?>', i));
      end = Math.min(nextLf, nextCr, nextClose, n);
    } else if (c === 47 && src.charCodeAt(i + 1) === 42) {
      end = src.indexOf('*/', i + 2);
      end = end < 0 ? n : end + 2;
    }
    if (end < 0) {
      i++;
      continue;
    }
    out.push(src.slice(last, i), drop ? (isNameChar(src.charCodeAt(i - 1)) && isNameChar(src.charCodeAt(end)) ? ' ' : '') : spaces(src, i, end));
    last = i = Math.max(end, i + 1);
  }
  out.push(src.slice(last));
  return out.join('');
}

/** A character of a PHP name (or NaN, past either end: not one). */
function isNameChar(c: number): boolean {
  return c === 95 || c >= 128 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The characters eachLiteral stops at: what starts a literal or a heredoc, and "?>". */
const LITERAL_STOPS = stopsAt('\'"`<?');

/**
 * The literals of PHP code whose comments are blanked (stripComments' output), quoted or heredocs and nowdocs, each
 * given to `visit` as its span (from its opening quote or `<<<` to past its end). The text outside the tags is not
 * code: it is skipped, as blankWalk skips it. One walk: each literal's end is found once.
 */
export function eachLiteral(code: string, visit: (from: number, to: number) => void): void {
  const n = code.length;
  const first = code.indexOf('<?');
  let i = first < 0 ? 0 : first + 2;
  while (i < n) {
    while (i < n && !LITERAL_STOPS[code.charCodeAt(i) & 0xffff]) i++;
    if (i >= n) break;
    const c = code.charCodeAt(i);
    if (c === 39 || c === 34 || c === 96 || (c === 60 && code.startsWith('<<<', i))) {
      const e = Math.max(i + 1, c === 60 ? heredocEnd(code, i) : literalEnd(code, i, 0));
      visit(i, e);
      i = e;
    } else if (c === 63 && code.charCodeAt(i + 1) === 62) {
      const open = code.indexOf('<?', i + 2);
      i = open < 0 ? n : open + 2;
    } else i++;
  }
}

/** A control byte (C0 but tab, LF and CR; DEL): PHP 8 refuses one in code, PHP 7.4 and older skip it. */
export const CONTROL_BYTE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * PHP as PHP 7.4 and older read it: a control byte in code (outside literals, comments and the
 * text around the tags) is skipped with a warning and the script runs on, where PHP 8 refuses
 * the file (`system\x01($_GET[c])` runs on PHP 7.4). Returns the text with each such byte made a
 * space (same length), or undefined when code holds none. Code ends at `__halt_compiler` (what
 * follows is data); a text without `<?` is read as PHP throughout (a .php file's code).
 */
export function php7Text(src: string): string | undefined {
  const n = src.length;
  let out: string[] | undefined;
  let last = 0;
  let i = src.indexOf('<?') < 0 ? 0 : -1; // -1: outside the tags, looking for "<?"
  let from = 0;
  let mask: Uint8Array | undefined;
  // (the code's last character but spaces, and the "#[" comments after it: see below)
  let prev = 0;
  const hashes: number[] = [];
  while (i < n) {
    if (i < 0) {
      const open = src.indexOf('<?', from);
      if (open < 0) break;
      i = open + 2;
      continue;
    }
    const c = src.charCodeAt(i);
    if (c === 39 || c === 34 || c === 96 || (c === 60 && src.startsWith('<<<', i))) {
      // A literal's `{$...}` / `${...}` is code (red team S19P-2: "{${system\x01($_GET[c])}}" runs
      // on PHP 7.4): its control bytes are skipped like any other code's. The mask marks the
      // literal's own bytes; what it leaves unmarked between the quotes is code.
      const e = c === 60 ? heredocEnd(src, i) : literalEnd(src, i, 0);
      const body = c === 39 ? -1 : c === 60 ? heredocBody(src, i, e) : i + 1;
      if (body >= 0 && e > body && CONTROL_BYTE.test(src.slice(body, e))) {
        mask ??= new Uint8Array(n);
        mask.fill(0, i, e);
        if (c === 60) heredocMask(src, body, e, mask);
        else literalEnd(src, i, 0, mask);
        for (let k = body; k < e; k++) {
          const d = src.charCodeAt(k);
          if (mask[k] === 0 && ((d < 32 && d !== 9 && d !== 10 && d !== 13) || d === 127)) {
            out ??= [];
            out.push(src.slice(last, k), ' ');
            last = k + 1;
          }
        }
      }
      i = e;
      prev = c;
      hashes.length = 0;
    } else if (c === 63 && src.charCodeAt(i + 1) === 62) {
      from = i + 2;
      i = -1;
      prev = 0;
      hashes.length = 0;
    } else if (c === 35 || (c === 47 && src.charCodeAt(i + 1) === 47)) {
      // a line comment: to the end of its line or "?>"
      let j = i + 1;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d === 10 || d === 13 || (d === 63 && src.charCodeAt(j + 1) === 62)) break;
        j++;
      }
      // PHP 7 reads "#[" as a line comment too, PHP 8 as an attribute: after a name (or "]") and
      // before its "(" or "[", it hides a call from PHP 8's reading, `system#[x\n($_GET[1])`,
      // which runs on PHP 7 (S23R-8). Blanked when the code goes on with "(" or "[".
      if (c === 35 && src.charCodeAt(i + 1) === 91 && (prev === 93 || prev === 95 || prev >= 128 || (prev >= 48 && prev <= 57) || (prev >= 65 && prev <= 90) || (prev >= 97 && prev <= 122))) hashes.push(i, j);
      i = j;
    } else if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
    } else if (c === 95 && haltsAt(src, i)) break;
    else {
      if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) {
        out ??= [];
        out.push(src.slice(last, i), ' ');
        last = i + 1;
      } else if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 11 && c !== 12) {
        if (hashes.length > 0 && (c === 40 || c === 91)) {
          out ??= [];
          for (let h = 0; h < hashes.length; h += 2) {
            out.push(src.slice(last, hashes[h]), ' '.repeat(hashes[h + 1]! - hashes[h]!));
            last = hashes[h + 1]!;
          }
        }
        hashes.length = 0;
        prev = c;
      }
      i++;
    }
  }
  if (!out) return undefined;
  out.push(src.slice(last));
  return out.join('');
}

/**
 * Whether the `__halt_compiler` keyword (PHP's parse ends at its call) is at `i`: the whole name,
 * not part of another (`$__halt_compiler`, `a__halt_compilerb`, `->__halt_compiler`: red team
 * S19P-5, where the reading stopped there and the shell after it went unread).
 */
export function haltsAt(src: string, i: number): boolean {
  if (src.slice(i, i + 15).toLowerCase() !== '__halt_compiler') return false;
  const name = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
  if (name(src.charCodeAt(i + 15))) return false;
  let j = i - 1;
  if (j >= 0 && (name(src.charCodeAt(j)) || src.charCodeAt(j) === 36)) return false;
  while (j >= 0 && /[\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(src[j]!)) j--;
  const before = src.slice(Math.max(0, j - 1), j + 1);
  return before !== '->' && before !== '::';
}

/** Where a heredoc's body starts (-1: a nowdoc, which has no code in it, or not a heredoc at all). */
function heredocBody(src: string, i: number, e: number): number {
  HEREDOC_HEAD.lastIndex = i;
  const head = HEREDOC_HEAD.exec(src);
  if (!head || head[1] === "'") return -1;
  return Math.min(e, HEREDOC_HEAD.lastIndex);
}

/**
 * Marks a heredoc body's literal bytes in `mask` (as literalEnd does a "..." literal's): its
 * `{$...}` / `${...}` are code. Read within the body only (an unclosed "{$" in each of many
 * heredocs would otherwise read on to the text's end each time).
 */
function heredocMask(src: string, from: number, e: number, mask: Uint8Array): void {
  const body = src.slice(from, e);
  const own = new Uint8Array(body.length);
  let j = 0;
  while (j < body.length) {
    const c = body.charCodeAt(j);
    if (c === 92) {
      own.fill(1, j, Math.min(body.length, j + 2));
      j += 2;
    } else if (c === 123 && body.charCodeAt(j + 1) === 36) j = codeEnd(body, j + 1, 1, own);
    else if (c === 36 && body.charCodeAt(j + 1) === 123) j = codeEnd(body, j + 2, 1, own);
    else own[j++] = 1;
  }
  mask.set(own, from);
}

/** How deep "{$...}" may nest in literals before the rest of the text is taken as a literal (which keeps comments in: never blanks code). */
const MAX_NEST = 32;

/**
 * Where the literal whose quote is at `i` ends (just past its closing quote; the text's end when
 * it has none). In "..." and `...`, `{$...}` and `${...}` are code up to their `}`, and a quote
 * there opens a literal of its own (`"{$a["/*"]}"` is one literal).
 */
function literalEnd(src: string, i: number, depth: number, mask?: Uint8Array): number {
  const q = src.charCodeAt(i);
  const n = src.length;
  if (depth > MAX_NEST) return n;
  let j = i + 1;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 92) {
      mask?.fill(1, j, Math.min(n, j + 2));
      j += 2;
    } else if (c === q) return j + 1;
    else if (q !== 39 && c === 123 && src.charCodeAt(j + 1) === 36) j = codeEnd(src, j + 1, depth + 1, mask);
    else if (q !== 39 && c === 36 && src.charCodeAt(j + 1) === 123) j = codeEnd(src, j + 2, depth + 1, mask);
    else {
      if (mask) mask[j] = 1;
      j++;
    }
  }
  return n;
}

/** Where the code of a `{$...}` / `${...}` that starts at `j` (one brace open) ends: just past its `}`. */
function codeEnd(src: string, j: number, depth: number, mask?: Uint8Array): number {
  const n = src.length;
  if (depth > MAX_NEST) return n;
  let open = 1;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 39 || c === 34 || c === 96) j = literalEnd(src, j, depth, mask);
    else if (c === 123) {
      open++;
      j++;
    } else if (c === 125) {
      if (--open === 0) return j + 1;
      j++;
    } else j++;
  }
  return n;
}

const HEREDOC_HEAD = /<<<[ \t]*(["']?)([A-Za-z_\x80-\xff][\w\x80-\xff]*)\1(?:\r\n?|\n)/y;

/** Where a heredoc or nowdoc that starts at `i` ("<<<") ends: past its closing label (the text's end without one); i + 3 when this is not one. */
function heredocEnd(src: string, i: number): number {
  HEREDOC_HEAD.lastIndex = i;
  const head = HEREDOC_HEAD.exec(src);
  if (!head) return i + 3;
  // The closing label: first on its line (PHP 7.3 lets it be indented; a line ends at \n, \r or \r\n), not followed by a name's character.
  const close = new RegExp(`[\\r\\n][ \\t]*${head[2]}(?![\\w\\x80-\\xff])`, 'g');
  close.lastIndex = HEREDOC_HEAD.lastIndex - 1;
  const m = close.exec(src);
  return m ? m.index + m[0].length : src.length;
}

/**
 * PHP functions that call a function named by one of their arguments (the index), beyond the
 * callers above: the request choosing that argument chooses what runs.
 */
const CALLBACK_AT: Readonly<Record<string, number>> = {
  preg_replace_callback: 1,
  // these three are read by the callers pass too; here only for a closure as the callback
  array_map: 0,
  call_user_func: 0,
  call_user_func_array: 0,
  mb_ereg_replace_callback: 1,
  set_error_handler: 0,
  set_exception_handler: 0,
  spl_autoload_register: 0,
  header_register_callback: 0,
  array_filter: 1,
  array_walk: 1,
  array_walk_recursive: 1,
  array_reduce: 1,
  usort: 1,
  uasort: 1,
  uksort: 1,
  iterator_apply: 1,
  register_tick_function: 0,
  // the comparison callbacks of the array_u* and array_*_u* family come last (-1)
  array_udiff: -1,
  array_udiff_assoc: -1,
  array_udiff_uassoc: -1,
  array_uintersect: -1,
  array_uintersect_assoc: -1,
  array_uintersect_uassoc: -1,
  array_diff_ukey: -1,
  array_diff_uassoc: -1,
  array_intersect_ukey: -1,
  array_intersect_uassoc: -1,
  ob_start: 0,
};
const CLOSURE_ONLY = new Set(['array_map', 'call_user_func', 'call_user_func_array']);
const CALLBACK_CALL = new RegExp(`${BARE}(${Object.keys(CALLBACK_AT).join('|')}|filter_var|new\\s+ReflectionFunction|mb_ereg_replace|mb_eregi_replace)\\s*\\(`, 'gi');

/**
 * Request input reaching code through callbacks the other passes do not name: the callback
 * argument of `preg_replace_callback`, `set_exception_handler` ..., `filter_var(..., FILTER_CALLBACK,
 * ['options' => ...])` given request input or a code/command function's name beside request
 * input, `new ReflectionFunction(...)` of request input or of such a name then invoked with
 * request input, and `mb_ereg_replace` with the `e` option.
 */
function callbackFlows(src: string, direct: (expr: string, at: number) => boolean, hidden: (name: string) => boolean = () => false): FlowFinding[] {
  const out: FlowFinding[] = [];
  const sinkName = (a: string) => {
    // (a bare name is a string in PHP 7 when no constant has it: call_user_func_array(assert, ...))
    // (and a first-class callable, system(...), or Closure::fromCallable('system'), S20F)
    const lit = /^\s*["']\\?([A-Za-z_\x80-\xff][\w\x80-\xff]{1,40})["']\s*$/.exec(a) ?? BARE_SINK_NAME.exec(a) ?? /^\s*\\?Closure\s*::\s*fromCallable\s*\(\s*["']\\?(\w{1,40})["']\s*\)\s*$/i.exec(a);
    const fn = lit?.[1]?.toLowerCase();
    return fn && (CODE_SINKS.includes(fn) || SHELL_SINKS.includes(fn)) ? fn : undefined;
  };
  let looked = 0;
  // a variable ob_start() is given: its one assignment's right side (null: none, or more than one)
  const obHeld = new Map<string, string | null>();
  for (const m of src.matchAll(CALLBACK_CALL)) {
    // Each call reads up to 4,000 characters of arguments: a bounded number of calls.
    if (out.length >= 8 || ++looked > 2000) break;
    const fn = m[1]!.toLowerCase().replace(/\s+/g, ' ');
    const args = argsAt(src, m.index! + m[0].length);
    if (!args) continue;
    const parts = splitTop(args.all, [',']);
    const anyInput = parts.some((a) => direct(a, m.index!));
    if (fn === 'new reflectionfunction') {
      const named = sinkName(parts[0] ?? '');
      const invoked = /->\s*invoke(Args)?\s*\(/i.test(src.slice(m.index!, m.index! + 4000));
      if (direct(parts[0] ?? '', m.index!)) out.push({ technique: 'request-input-callable', score: 85, description: 'request input names the function a ReflectionFunction calls', offset: m.index! });
      else if (named && invoked && SOURCE.test(src.slice(m.index!, m.index! + 4000))) out.push({ technique: 'request-input-exec', score: 90, description: `${named}() called through ReflectionFunction, with request input`, offset: m.index! });
      continue;
    }
    if (fn === 'filter_var') {
      if (!/FILTER_CALLBACK/i.test(args.all)) continue;
      const key = /["']options["']\s*=>/i.exec(args.all);
      let opt = key ? (splitTop(args.all.slice(key.index + key[0].length, key.index + key[0].length + 400), [','])[0] ?? '').trim() : '';
      // the option is the last entry of its array: drop the array's own "]" (or array()'s ")", S26R-3)
      while (opt.endsWith(']') && (opt.match(/\[/g)?.length ?? 0) < (opt.match(/\]/g)?.length ?? 0)) opt = opt.slice(0, -1).trim();
      while (opt.endsWith(')') && (opt.match(/\(/g)?.length ?? 0) < (opt.match(/\)/g)?.length ?? 0)) opt = opt.slice(0, -1).trim();
      if (direct(opt, m.index!)) out.push({ technique: 'request-input-callable', score: 85, description: 'request input chooses the FILTER_CALLBACK function filter_var() calls', offset: m.index! });
      else if (sinkName(opt) && direct(parts[0] ?? '', m.index!)) out.push({ technique: 'request-input-exec', score: 95, description: `request input reaches ${sinkName(opt)}() through filter_var(FILTER_CALLBACK)`, offset: m.index! });
      continue;
    }
    if (fn === 'mb_ereg_replace' || fn === 'mb_eregi_replace') {
      const option = (parts[3] ?? '').trim();
      if (/^["'][a-z]*e[a-z]*["']$/i.test(option) && anyInput) out.push({ technique: 'preg-replace-eval', score: 85, description: `${fn}() with the "e" option (the replacement runs as code) and request input`, offset: m.index! });
      continue;
    }
    const index = CALLBACK_AT[fn];
    if (index === undefined) continue;
    const at = index < 0 ? parts.length + index : index;
    const cb = parts[at] ?? '';
    // ob_start(callback): what the page prints (request input echoed) is given to the callback; one that runs
    // code or commands, or is such a function by name, runs the output
    if (fn === 'ob_start') {
      // (or a variable whose one assignment in the file is such a name: $cb = 'system'; ob_start($cb))
      const held = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(cb)?.[1];
      // (each name looked up once, at most 16 names, and the lookup stops at a second assignment: 2,000 calls of
      // ob_start($cb) over a MiB of `$cb=1;` read every assignment 2,000 times, 109 s, S21R-2)
      let one: string | null | undefined = held === undefined ? null : obHeld.get(held);
      if (one === undefined && obHeld.size < 16) {
        let first: string | null = null;
        let count = 0;
        for (const s of src.matchAll(new RegExp(`(?<![\\w$>:])\\$${held}\\s*\\.?=(?![=>])\\s*([^;]{0,80})`, 'g'))) {
          if (++count > 1) break;
          first = s[1]!;
        }
        one = count === 1 ? first : null;
        obHeld.set(held!, one);
      }
      const ranOutput = closureRuns(closureText(src, cb, m.index!)) ?? sinkName(cb) ?? (one ? sinkName(one) : undefined);
      if (ranOutput) out.push({ technique: 'request-input-exec', score: 85, description: `ob_start() hands the page's output to ${ranOutput}: what it prints is run`, offset: m.index! });
      continue;
    }
    const ran = closureRuns(closureText(src, cb, m.index!));
    // (an argument that is an array literal holding request input: array_map(system(...), [$_GET['c']]), S20F)
    const given = (a: string) => direct(a, m.index!) || arrayValues(a).some((v) => direct(v, m.index!));
    // (a callback held in a variable whose name is decoded or XORed at run time: $f = pack(..) ^ $k;
    // array_intersect_uassoc([$_GET['c'] => 1], [1], $f), S23)
    const held = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(cb)?.[1];
    if (ran && parts.some((a, i) => i !== at && given(a))) out.push({ technique: 'request-input-exec', score: 95, description: `request input reaches ${ran} through the closure ${fn}() calls with it`, offset: m.index! });
    else if (held && hidden(held) && parts.some((a, i) => i !== at && (given(a) || (/ukey|uassoc/.test(fn) && SOURCE.test(a))))) out.push({ technique: 'request-input-exec', score: 85, description: `request input handed through ${fn}() to a function whose name is decoded at run time ($${held})`, offset: m.index! });
    else if (CLOSURE_ONLY.has(fn)) {
      // (a bare name, call_user_func_array(assert, [...]): the literal names are the callers pass's)
      const bare = BARE_SINK_NAME.exec(cb);
      if (bare && parts.some((a, i) => i !== at && given(a))) out.push({ technique: 'request-input-exec', score: 95, description: `request input reaches ${bare[1]!.toLowerCase()}() through ${fn}()`, offset: m.index! });
      continue;
    }
    else if (direct(cb, m.index!) && !prefixedBefore(src, cb, m.index!)) out.push({ technique: 'request-input-callable', score: 85, description: `request input chooses the function ${fn}() calls`, offset: m.index! });
    // (the array_*_ukey callbacks are given the arrays' keys: array($_GET['c'] => 1))
    else if (sinkName(cb) && parts.some((a, i) => i !== at && (direct(a, m.index!) || (/ukey|uassoc/.test(fn) && SOURCE.test(a))))) out.push({ technique: 'request-input-exec', score: 95, description: `request input reaches ${sinkName(cb)}() through ${fn}()`, offset: m.index! });
  }
  return out;
}

/** A closure's text: `cb` itself, or what the variable `cb` names was last assigned before `before`. */
function closureText(src: string, cb: string, before: number): string {
  const v = /^\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(cb);
  if (!v) return cb;
  let found = '';
  for (const m of src.slice(Math.max(0, before - 20_000), before).matchAll(new RegExp(`\\$${v[1]}\\s*=\\s*(?=(?:static\\s+)?(?:function|fn)\\s*(?:&\\s*)?\\()`, 'g'))) {
    const start = Math.max(0, before - 20_000) + m.index! + m[0].length;
    // up to the ";" that ends the assignment, outside brackets and quotes (bounded)
    const tail = src.slice(start, Math.min(src.length, start + 4000));
    found = splitTop(tail, [';'])[0] ?? '';
  }
  return found;
}

const CLOSURE = /^\s*(?:static\s+)?(?:function\s*(?:&\s*)?\(([^)]{0,300})\)(?:\s*use\s*\([^)]{0,300}\))?(?:\s*:\s*[?\w\\|]{1,60})?\s*\{([\s\S]*)\}|fn\s*(?:&\s*)?\(([^)]{0,300})\)(?:\s*:\s*[?\w\\|]{1,60})?\s*=>([\s\S]*))\s*$/i;
const CLOSURE_CALLER = new RegExp(`${BARE}(${CALLER_NAMES})\\s*\\(\\s*["']\\\\?(${[...CODE_SINKS, ...SHELL_SINKS].join('|')})["']`, 'gi');
const CLOSURE_SINK = new RegExp(`${BARE}(${[...CODE_SINKS, ...SHELL_SINKS].join('|')})\\s*\\(`, 'gi');

/**
 * What a closure runs with its own arguments: the name of the code or command function (or
 * "a function named by its argument", or "a shell command in backticks") whose arguments hold a
 * parameter, or a variable the body assigned from one; undefined when it runs nothing so.
 */
export function closureRuns(text: string): string | undefined {
  const c = CLOSURE.exec(text);
  if (!c) return undefined;
  const params = [...(c[1] ?? c[3] ?? '').matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)].map((p) => p[1]!);
  if (params.length === 0) return undefined;
  const body = c[2] ?? c[4] ?? '';
  // the parameters, and what the body assigns from them (two rounds: $a = $m[0]; $b = "x $a";)
  const names = new Set(params);
  for (let round = 0; round < 2; round++) {
    for (const a of body.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\.?=(?!=)\s*([^;]{0,400})/g)) if (mentions(a[2]!, names)) names.add(a[1]!);
  }
  let calls = 0;
  for (const m of body.matchAll(CLOSURE_SINK)) {
    if (++calls > 200) break;
    const args = argsAt(body, m.index! + m[0].length);
    if (args && mentions(quotedArgsBlanked(args.all), names)) return `${m[1]!.toLowerCase()}()`;
  }
  for (const m of body.matchAll(/`([^`]{0,400})`/g)) if (mentions(m[1]!, names)) return 'a shell command in backticks';
  // a caller given a code or command function by name and a parameter: register_shutdown_function('assert', $c)
  for (const m of body.matchAll(CLOSURE_CALLER)) {
    if (++calls > 200) break;
    const args = argsAt(body, m.index! + m[0].length);
    if (args && mentions(args.all, names)) return `${m[2]!.toLowerCase()}()`;
  }
  for (const m of body.matchAll(/(?<![\w>:$])\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*(?:\[[^\]]{0,400}\]\s*)?\(/g)) if (names.has(m[1]!)) return 'a function named by its argument';
  return undefined;
}

/**
 * A command's text with the arguments it quotes for the shell blanked: `"logger " . escapeshellarg($v)`
 * runs logger, whatever $v holds (S26R-19). Only after a `.`: escapeshellarg($c) alone is the
 * command itself, quoted ('id' still runs id).
 */
export function quotedArgsBlanked(expr: string): string {
  if (!/escapeshellarg/i.test(expr)) return expr;
  let out = '';
  let from = 0;
  for (const m of expr.matchAll(/\.\s*\\?escapeshellarg\s*\(/gi)) {
    if (m.index! < from) continue;
    const end = walkCode(expr, m.index! + m[0].length, expr.length, 1, (_c, i, depth) => (depth === 0 ? i : undefined));
    if (end === undefined) break;
    out += expr.slice(from, m.index!) + ". ''";
    from = end + 1;
  }
  return out + expr.slice(from);
}

function mentions(expr: string, names: ReadonlySet<string>): boolean {
  for (const v of expr.matchAll(/\$\{?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)) if (names.has(v[1]!)) return true;
  return false;
}

/** `$o .= $p[$i] ^ $k[...]`, `$o[$i] = chr(ord(...) ^ ...)`, `$p[$i] ^= ...`: a string decoded by XOR. */
const XOR_BUILD = /\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*(?:(\[[^\]\n]{0,60}\]|\{[^}\n]{0,60}\})\s*)?(\.=|\^=|=(?![=>]))\s*([^;]{0,400})/g;
const XOR_SINK = new RegExp(`${BARE}(eval|assert|create_function)\\s*\\(`, 'gi');

/**
 * A string decoded by XOR (of string offsets, `ord()` values, or whole strings) and then run as
 * code: `for (...) $o .= $p[$i] ^ $k[$i % 6]; eval($o);`. No real application evaluates what an
 * XOR decoded; webshells hide their payload so. Read without request input: the payload is the
 * code. Assignments are read in one pass (each at most 400 characters: linear in the file);
 * at most 100 decoded variables and 200 sink calls are kept and read.
 */
/** A string computed by a bitwise operator on a literal and a literal or a bare word ('..'^'..', Word|'..', '..'&Word). */
const STRING_BITWISE = /(?:['"][^'"\n]{1,40}['"]|(?<![\w$>:\\])[A-Za-z_][A-Za-z0-9_]{0,30})\s*[\^|&]\s*['"][^'"\n]{1,40}['"]|['"][^'"\n]{1,40}['"]\s*[\^|&]\s*[A-Za-z_][A-Za-z0-9_]{0,30}\b/g;
const STRING_VAR = /\$[A-Za-z_][A-Za-z0-9_]{0,40}\s*=\s*(?:\(\s*)?['"~]/g;
const NESTED_VAR_CALL = /\$[A-Za-z_][A-Za-z0-9_]{0,40}\s*\(\s*\$[A-Za-z_][A-Za-z0-9_]{0,40}\s*\(/;

/**
 * Names computed by bitwise operators on string literals and bare words (PHP 7 reads an unknown
 * constant as its name), many of them, then called through variables: an obfuscator's output, where
 * no name of a function appears (S23 set F). A file of up to 256 KiB; run here rather than as a
 * YARA rule, whose scan of every quote in a PHP tree cost five times YARA's time for the whole set.
 */
export function stringBitwiseNames(src: string): FlowFinding[] {
  if (src.length > 256 * 1024 || !NESTED_VAR_CALL.test(src)) return [];
  let ops = 0;
  STRING_BITWISE.lastIndex = 0;
  for (let m = STRING_BITWISE.exec(src); m && ops < 12; m = STRING_BITWISE.exec(src)) ops++;
  if (ops < 12) return [];
  let vars = 0;
  STRING_VAR.lastIndex = 0;
  for (let m = STRING_VAR.exec(src); m && vars < 8; m = STRING_VAR.exec(src)) vars++;
  if (vars < 8) return [];
  return [{ technique: 'obfuscation', score: 80, description: "names computed by bitwise operators on string literals and bare words ('..'^'..', '..'|Word), then called through variables: an obfuscator's shell", offset: src.search(NESTED_VAR_CALL) }];
}

export function xorDecodedExec(src: string): FlowFinding[] {
  if (!src.includes('^')) return [];
  const decoded = new Map<string, number>();
  for (const m of src.matchAll(XOR_BUILD)) {
    if (decoded.size >= 100) break;
    const [, name, index, op, raw] = m;
    // a "^" inside a string literal (a regex's anchor) is no XOR
    // (the text stops at the first ";", which may be inside a literal: an open one runs to the end)
    const rhs = raw!.replace(/'(?:[^'\\]|\\.)*(?:'|$)|"(?:[^"\\]|\\.)*(?:"|$)/g, "''");
    if (op === '=' && !index) {
      // a whole value: `$o = $a ^ $b` of strings, or `$o = $o2` passing it on
      if (!(/\^/.test(rhs!) && /["'$]/.test(rhs!)) && !mentions(rhs!, new Set(decoded.keys()))) continue;
      if (!/\^/.test(rhs!) && mentions(rhs!, new Set(decoded.keys()))) {
        decoded.set(name!, m.index!);
        continue;
      }
    } else if (op === '^=') {
      if (!index) continue;
    } else if (!/\^/.test(rhs) || !/\$\w|''|\bord\s*\(/.test(rhs)) continue;
    if (!decoded.has(name!)) decoded.set(name!, m.index!);
  }
  const names = new Set(decoded.keys());
  const out: FlowFinding[] = [];
  let calls = 0;
  for (const m of src.matchAll(XOR_SINK)) {
    if (++calls > 200) break;
    const args = argsAt(src, m.index! + m[0].length);
    if (!args) continue;
    // `eval($a ^ $b)`, `eval('...' ^ '...')`: the XOR in the call itself (outside string literals)
    const direct = /\^/.test(args.all.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''"));
    // assert() of an expression is a check in PHP 8, not code: only assert($o) alone counts
    const vars = m[1]!.toLowerCase() === 'assert' ? [.../^\s*@?\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*$/.exec(args.all) ?? []].slice(1).map((n) => ['', n]) : [...args.all.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})/g)];
    const via = vars.find((v) => names.has(v[1]!) && decoded.get(v[1]!)! < m.index!);
    if (via || direct) {
      out.push({ technique: 'xor-decoded-exec', score: 85, description: `${m[1]!.toLowerCase()}() runs a string decoded by XOR${via ? ` ($${via[1]})` : ''}`, offset: m.index! });
      if (out.length >= 4) break;
    }
  }
  return out;
}
