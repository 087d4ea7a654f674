/**
 * mamori's own YARA rules for PHP backdoors and webshells, written for mamori.
 *
 * Every rule carries `meta: score` (what one match adds to a file's score,
 * 0-100: 75 or more on its own makes the file malicious, 35 suspicious),
 * `technique` (a stable name for the kind of trick, used in tests and SARIF)
 * and `description` (the reason a user reads). The rules use only syntax that
 * YARA 4.2 and YARA-X both accept, so `bench/scan.mjs` can run them in both.
 * Request input is `$_GET`, `$_POST`, `$_REQUEST`, `$_COOKIE`, `$_FILES`, a
 * header from `$_SERVER`, `php://input` or `getallheaders()`.
 */
import { anyOf, each } from './patterns.js';

/** Code and command execution functions, decoders: the names the rules look for. */
const CODE = ['eval', 'assert', 'create_function'];
const SHELL = ['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open', 'pcntl_exec'];
const DECODERS = ['gzinflate', 'gzuncompress', 'gzdecode', 'str_rot13', 'strrev', 'base64_decode', 'hex2bin', 'convert_uudecode'];

/** The strings of the two toolkit rules (a file manager's or shell's usual calls). */
const TOOLKIT = String.raw`    $c1 = "php_uname" nocase
    $c2 = "posix_getpwuid" nocase
    $c3 = "disable_functions" nocase
    $c4 = "getmyuid" nocase
    $c5 = "safe_mode" nocase
    $c6 = "move_uploaded_file" nocase
    $c7 = "shell_exec" nocase
    $c8 = "/etc/passwd" nocase
    $c9 = "uname -a" nocase
    $c10 = /\bchmod\s*\(/ nocase
    $c11 = /\bunlink\s*\(/ nocase
    $c12 = /\bscandir\s*\(/ nocase
    $c13 = /\bfile_put_contents\s*\(/ nocase
    $c14 = "fileperms" nocase
    $c15 = "mysqli_connect" nocase
    $c16 = "getcwd" nocase
    $c17 = "disk_free_space" nocase
    $c18 = "fsockopen" nocase
    $c19 = "passthru" nocase
    $c20 = "open_basedir" nocase`;

/** The strings the two register_globals rules share: the form's field, the command run, the field set by the script, a parameter of that name. */
const REGISTER_GLOBALS = {
  field: String.raw`$f = /name\s*=\s*\\?["']?(command|cmd|exec|execute)\\?["'>\s]/ nocase`,
  // (or the field in a ternary on its own isset or emptiness, or before ??: passthru(isset($command) ? $command : 'id'),
  // red team S35B, S36A-30, -31; through one wrapper, with @, in a double-quoted literal, or to proc_open: S36A-32 to -38)
  run: String.raw`$s = /\b(system|passthru|shell_exec|exec|popen|proc_open)\s*\(\s*@?\s*((stripslashes|trim|urldecode|rawurldecode|base64_decode|escapeshellcmd|html_entity_decode)\s*\(\s*@?\s*)?((isset|!\s*empty)\s*\(\s*\$(command|cmd|exec|execute)\s*\)\s*\?\s*)?"?\{?\$(command|cmd|exec|execute)\}?\s*([,).:"}]|\?\?|2>)|\x60\s*\$(command|cmd|exec|execute)\s*\x60/ nocase`,
  // (a list's or an array's destructuring sets it too, [$cmd, $label] = ..., foreach (.. as $k => [$command, $title]):
  // red team S36A-22, -23)
  set: String.raw`$set = /\$(command|cmd|exec|execute)\s*=[^=]|\bforeach\s*\([^;]{0,200}\bas\s+[^)]{0,100}\$(command|cmd|exec|execute)\b|\blist\s*\([^)]{0,200}\$(command|cmd|exec|execute)\b|[;{}(\n]\s*\[\s*(\$\w{1,40}\s*,\s*)*\$(command|cmd|exec|execute)\s*(,[^\]=;]{0,100})?\]\s*=[^=>]|\bglobal\s[^;]{0,200}\$(command|cmd|exec|execute)\b/ nocase`,
  // (but a variable given itself unquoted is still the field's: $cmd = stripslashes($cmd);, the magic_quotes habit, S36A-40)
  self: String.raw`$self = /\$(command|cmd|exec|execute)\s*=\s*(stripslashes|trim|urldecode|rawurldecode)\s*\(\s*\$(command|cmd|exec|execute)\s*\)\s*;/ nocase`,
  param: String.raw`$param = /\bfunction\s+&?\w{1,60}\s*\([^)]{0,200}\$(command|cmd|exec|execute)\b/ nocase`,
  // (a closure's or an arrow function's parameter of that name is a variable of its own too, S36B-12)
  // (counted where it runs a command in its own body, so that one elsewhere is no decoy: red team S36C-14)
  closure: String.raw`$closure = /\b(function|fn)\s*&?\s*\([^)]{0,200}\$(command|cmd|exec|execute)\b[^{};]{0,200}(\{|=>)[^{}]{0,300}\b(system|passthru|shell_exec|exec|popen|proc_open)\s*\(/ nocase`,
};

/**
 * The strings the two download-and-run rules share: a download from an https address made a program (piped, held,
 * saved and run, after cd, substituted), which mamori_php_shell_fetch_run counts apart and mamori_php_shell_fetch_run_https
 * judges, and a command function given a variable.
 */
const FETCH_RUN_HTTPS = {
  pipes: String.raw`$pipes = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*[^\n]{0,200}\b(curl|wget|lwp-download|lwp-request|lynx\s+-source|links\s+-source)\b[^;|\n:]{0,100}https:\/\/[^;|\n]{0,300}\|\s*(sudo(\s+-\w+)*\s+)?((\/usr)?(\/local)?\/bin\/)?(perl|sh|bash|dash|zsh|ksh|python[23]?|php|ruby)\s*(-s?(\s+[^|;&\"'\n]{0,100})?)?\s*(>\s*\/dev\/null\s*)?(2>&1\s*)?&?\s*(;[^\"'\n|]{0,100})?\\?[\"']/ nocase`,
  helds: String.raw`$helds = /\$\w{1,40}\s*=\s*[^;\n]{0,200}\b(curl|wget|lwp-download|lwp-request|lynx\s+-source|links\s+-source)\b[^;|\n:]{0,100}https:\/\/[^;|\n]{0,300}\|\s*(sudo(\s+-\w+)*\s+)?((\/usr)?(\/local)?\/bin\/)?(perl|sh|bash|dash|zsh|ksh|python[23]?|php|ruby)\s*(-s?(\s+[^|;&\"'\n]{0,100})?)?\s*(>\s*\/dev\/null\s*)?(2>&1\s*)?&?\s*(;[^\"'\n|]{0,100})?\\?[\"']\s*;/ nocase`,
  runs: String.raw`$runs = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*\$/ nocase`,
  thens: String.raw`$thens = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*[^\n]{0,200}\b(curl|wget|lwp-download)\b[^"'\n:]{0,100}https:\/\/[^"'\n]{0,300}(;|&&|\|\|)\s*(nohup\s+|setsid\s+)?(sudo\s+)?((perl|sh|bash|dash|python[23]?|php|ruby)\s+)?(\/tmp\/|\/var\/tmp\/|\/dev\/shm\/)[\w.\/-]{1,100}(\s+[^;&|"'\n]{0,100})?\s*(;|&|\\?["'])/ nocase`,
  cdtmps: String.raw`$cdtmps = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*[^\n]{0,200}\bcd\s+(\/tmp|\/var\/tmp|\/dev\/shm)\/?\s*(;|&&)[^"'\n]{0,200}\b(curl|wget|lwp-download)\b[^"'\n:]{0,100}https:\/\/[^"'\n]{0,300}(;|&&)\s*(nohup\s+)?(perl|sh|bash|python[23]?|php|ruby)\s+[\w.-]{1,100}(\s+[^;&|"'\n]{0,100})?\s*(;|&|\\?["'])/ nocase`,
  substs: String.raw`$substs = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*[^\n]{0,200}\b(sh|bash|dash|zsh|ksh)\s+(-c\s+\\?["']?\s*(\$\(|\x60)|<\(\s*)\s*(curl|wget|lwp-download)\b[^;|\n:]{0,100}https:\/\/[^;|\n]{0,300}/ nocase`,
};

/**
 * A superglobal read by a name decoded where it is read, `$_COOKIE[hex2bin('5F73..')]` (session 45, set H56's skimmer
 * relay), shared by mamori_php_hidden_input_name and mamori_php_hidden_input_relay. Not str_rot13 or strrev: a form's
 * honeypot fields are named so against spam bots (red team S45R fp31).
 */
/** A doorway's test for crawlers, `if (empty($is_bot))` or `if (!$isBot)`: read by the two doorway rules (session 46). */
const BOT_GATE = String.raw`$gate = /\bif\s*\(\s*(empty\s*\(\s*\$\w{0,20}bot\w{0,10}\s*\)|!\s*\$\w{0,20}bot\w{0,10}\s*\))/ nocase`;
const HIDDEN_INPUT_KEY = String.raw`$key = /\$_(COOKIE|POST|GET|REQUEST|SERVER)\s*\[\s*\\?(hex2bin|base64_decode)\s*\(\s*["']/ nocase`;

/**
 * The strings each pair of session 37's rules share: the first rule of a pair weighs a sign alone (suspicious), the
 * second adds what makes it malicious.
 */
const DOWNLOADED_RUN = {
  run: String.raw`$run = /["'\x60][^"'\x60\n]{0,100}\bchmod\s+(\+x|[0-7]{3,4}|[ugoa]{1,3}[+=][rwx]{1,3})\s+[\w.\/-]{1,100}\s*(&&|;|\|\||\\n)\s*(((nohup|setsid|nice|ionice|timeout|env|stdbuf|taskset|chrt|cpulimit)(\s+-{1,2}[\w=.,-]{1,24}|\s+\d[\w.]{0,10}|\s+[A-Z]{2,12})*|[A-Za-z_]\w{0,30}=[^\s"'\x60;&|]{0,60})\s+){0,6}((ba|da)?sh\s+(-c\s+)?)?(\.\/|\/tmp\/|\/var\/tmp\/|\/dev\/shm\/)[\w.-]{1,64}/`,
  url: String.raw`$url = /["']https?:\/\/[^"'\s]{4,300}["']/ nocase`,
  write: String.raw`$write = /\b(file_put_contents|fwrite|fputs|fprintf|copy|stream_copy_to_stream)\s*\(|CURLOPT_FILE/ nocase`,
  cmd: String.raw`$cmd = /(^|[^\w$>:\\])(system|exec|shell_exec|passthru|popen|proc_open)\s*\(/ nocase`,
};

const HIDDEN_PLUGIN = {
  hook: String.raw`$hook = /\badd_(filter|action)\s*\(\s*["']all_plugins["']/ nocase`,
  self: String.raw`$self = /\bunset\s*\(\s*\$\w{1,40}\s*\[\s*plugin_basename\s*\(\s*__FILE__\s*\)\s*\]|\$\w{1,40}\s*=\s*plugin_basename\s*\(\s*__FILE__\s*\)\s*;[^}]{0,300}\bunset\s*\(\s*\$\w{1,40}\s*\[\s*\$\w{1,40}\s*\]|\barray_diff_key\s*\([^;]{0,200}plugin_basename\s*\(\s*__FILE__\s*\)/ nocase`,
  // (the key kept in a global first, then unset by it: red team S37B; read from plugin_basename, whose atom is rare,
  // where unset is in every application. Not a constant: a plugin's own basename constant is common, and a pattern
  // cannot tell it from the one it unsets, red team S38R-17, -25)
  kept: String.raw`$kept = /plugin_basename\s*\(\s*__FILE__\s*\)\s*;[^}]{0,400}\bunset\s*\(\s*\$\w{1,40}\s*\[\s*\$GLOBALS\s*\[\s*["']\w{1,40}["']\s*\]\s*\]\s*\)/ nocase`,
};

const CREDENTIAL_HARVEST = {
  pw: String.raw`$pw = /\bpreg_match(_all)?\s*\([^;\n]{0,120}DB_PASS/`,
  conn: String.raw`$conn = /\bmysqli?_(real_)?connect\s*\(|\bnew\s+\\?mysqli\s*\(|\bnew\s+\\?PDO\s*\(/ nocase`,
};

export const PHP_RULES = String.raw`
rule mamori_php_input_to_exec {
  meta:
    score = 100
    technique = "request-input-exec"
    description = "request input passed straight to a code or command execution function"
  strings:
    // (an element read with braces, $_GET{'c'} as PHP 7 took it, or the superglobal called by mistake, $_GET("cmd"):
    // a shell written wrong is still one, held-out set Z, session 31)
    ${anyOf('direct', [...CODE, ...SHELL], String.raw`\s*\(\s*@?\s*(\(\s*string\s*\)\s*)?\$_(GET|POST|REQUEST|COOKIE|FILES|SERVER)\s*[\[({]`)}
    ${anyOf('wrapped', CODE, String.raw`\s*\(\s*@?\s*(\b[a-z0-9_]{2,30}\s*\(\s*@?\s*){1,5}\$_(GET|POST|REQUEST|COOKIE|SERVER)\s*\[`)}
    $rawbody0 = /(eval|assert|system|exec|passthru|shell_exec|popen|proc_open)\s*\(\s*@?\s*(\b[a-z0-9_]{2,30}\s*\(\s*@?\s*){0,5}file_get_contents\s*\(\s*["']php:\/\/input/ nocase
    $rawbody1 = /(eval|assert|system|exec|passthru|shell_exec|popen|proc_open)\s*\(\s*@?\s*(\b[a-z0-9_]{2,30}\s*\(\s*@?\s*){0,5}(getallheaders|apache_request_headers)\s*\(/ nocase
    // (not a test that gives true or false, assert(isset($_REQUEST[$p])): simplesamlphp's CDC server, red team S42R's
    // Debian scan; one such wrapper alone)
    ${anyOf('tested', CODE, String.raw`\s*\(\s*@?\s*!?\s*(isset|empty|is_[a-z]{3,10}|array_key_exists|in_array|ctype_[a-z]{4,6}|count|strlen)\s*\(\s*@?\s*\$_(GET|POST|REQUEST|COOKIE|SERVER)\s*\[[^\]\n]{1,80}\]\s*\)\s*\)`)}
  condition:
    $direct or #wrapped > #tested or $rawbody0 or $rawbody1
}

rule mamori_php_input_to_shell_wrapped {
  meta:
    score = 90
    technique = "request-input-exec"
    description = "request input, through a function call or two, passed to a shell command function"
  strings:
    ${anyOf('a', SHELL, String.raw`\s*\(\s*@?\s*(\b[a-z0-9_]{2,30}\s*\(\s*@?\s*){1,4}\$_(GET|POST|REQUEST|COOKIE)\s*\[`)}
  condition:
    any of them
}

rule mamori_php_session_exec {
  meta:
    score = 90
    technique = "request-input-exec"
    description = "code stored in the session (set by an earlier request) run with eval or assert"
  strings:
    ${anyOf('a', CODE, String.raw`\s*\(\s*@?\s*(\b[a-z0-9_]{2,30}\s*\(\s*@?\s*){0,2}\$_SESSION\s*\[`)}
  condition:
    any of them
}

rule mamori_php_input_as_function {
  meta:
    score = 100
    technique = "request-input-callable"
    description = "request input called as a function (the caller chooses what runs)"
  strings:
    $call = /\$_(GET|POST|REQUEST|COOKIE|SERVER)\s*\[[^\]\[\n]{1,64}\]\s*\(/ nocase
    $brace = /\$\{\s*["']_(GET|POST|REQUEST|COOKIE)["']\s*\}\s*\[[^\]\[\n]{1,64}\]\s*\(/ nocase
    $globals = /\$GLOBALS\s*\[\s*["']_(GET|POST|REQUEST|COOKIE)["']\s*\]\s*\[[^\]\[\n]{1,64}\]\s*\(/ nocase
    // (not a class the request names made with new, new $_GET['module']($_GET['scope']): an object, not a call of any
    // function; ldap-account-manager's ajax.php, red team S42R's Debian scan)
    $made = /\bnew\s+\$_(GET|POST|REQUEST|COOKIE|SERVER)\s*\[[^\]\[\n]{1,64}\]\s*\(/ nocase
    ${anyOf('cba', ['call_user_func(_array)?', 'array_map', 'register_shutdown_function', 'register_tick_function', 'ob_start', 'forward_static_call(_array)?', 'iterator_apply'], String.raw`\s*\(\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[`)}
    ${anyOf('cbb', ['array_filter', 'array_walk(_recursive)?', 'usort', 'uasort', 'uksort', 'array_reduce'], String.raw`\s*\([^,;()\n]{1,80},\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[`)}
  condition:
    #call > #made or $brace or $globals or $cba or $cbb
}

rule mamori_php_backtick_input {
  meta:
    score = 100
    technique = "request-input-exec"
    description = "a request parameter run as a shell command in backticks"
  strings:
    $a = /\x60\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]\[\x60\n]{1,40}\]\s*\x60\s*[;).,?]/
  condition:
    $a
}

rule mamori_php_backtick_input_cmd {
  meta:
    score = 90
    technique = "request-input-exec"
    description = "request input inside a backtick (shell) command"
  strings:
    $a = /\x60([^\x60\n<]|<[^?\x60\n]){1,40}\$_(GET|POST|REQUEST|COOKIE)\s*\[([^\x60\n?]|\?[^>\x60\n]){0,60}\x60\s*[;).,?]/
    // (a backtick that ends a PHP string and one that starts the next, the input joined between:
    // "<script>t = (backtick)" . esc($_GET[q]) . "(backtick);" is a template literal printed, S22R-9)
    $js = /\x60[^\x60\n]{0,30}["']\s*\.\s*[^\x60\n]{0,40}\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\x60\n]{0,60}\.\s*["'][^\x60\n]{0,20}\x60/
  condition:
    // (not a JavaScript template literal in the HTML of a page with PHP printing into it, <?= $_GET[...] ?>)
    #a > #js and not mamori_php_backtick_input
}

rule mamori_php_preg_replace_e {
  meta:
    score = 70
    technique = "preg-replace-eval"
    description = "preg_replace or preg_filter with the /e modifier (its replacement is run as PHP code)"
  strings:
    $a = /\bpreg_(replace|filter)\s*\(\s*["'][#\/|~@!%{][^"'\n]{0,300}[#\/|~@!%}][imsxuADSUXJ]{0,6}e[imsxuADSUXJ]{0,6}["']\s*,/
  condition:
    $a
}

rule mamori_php_preg_replace_e_input {
  meta:
    score = 30
    technique = "preg-replace-eval"
    description = "the /e replacement (run as PHP) comes from the request"
  strings:
    $a = /\bpreg_(replace|filter)\s*\(\s*["'][#\/|~@!%{][^"'\n]{0,300}[#\/|~@!%}][imsxuADSUXJ]{0,6}e[imsxuADSUXJ]{0,6}["']\s*,\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[/
  condition:
    $a
}

rule mamori_php_include_upload {
  meta:
    score = 95
    technique = "include-uploaded-file"
    description = "include/require of a file the request names or uploads"
  strings:
    ${anyOf('a', ['include(_once)?', 'require(_once)?'], String.raw`\s*\(?\s*@?\s*\$_(FILES|GET|POST|REQUEST|COOKIE)\s*\[`)}
    // (or an upload's temporary file by any name, $f['tmp_name'], "$f[tmp_name]", in a file that reads $_FILES:
    // no application includes what was uploaded before it is moved; in a closure called at once, given to
    // array_walk or array_map: red team S31R-29 to -31)
    $tmp = /\b(include|require)(_once)?\s*\(?\s*@?\s*"?\{?\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}\s*\[\s*["']?tmp_name["']?\s*\]/ nocase
    // (the upload's fields made variables, extract($f) then include $tmp_name; an object cast, $o->tmp_name;
    // every upload's temporary name taken by array_column and each included: red team S31R-30, -32, -37)
    $tmpvar = /\b(include|require)(_once)?\s*\(?\s*@?\s*"?\{?\$(tmp_name\b|[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}\s*->\s*tmp_name\b)/ nocase
    // (in one statement: a loop or a callback over them; not an upload form's validation beside a require of its config)
    $column = /\b(include|require)(_once)?\b[^;]{0,200}\barray_column\s*\(\s*\$_FILES\s*,\s*["']tmp_name["']|\barray_column\s*\(\s*\$_FILES\s*,\s*["']tmp_name["'][^;]{0,200}\b(include|require)(_once)?\b/ nocase
    $files = "$_FILES"
  condition:
    any of ($a*) or (($tmp or $tmpvar) and $files) or $column
}

rule mamori_php_include_stream {
  meta:
    score = 95
    technique = "include-uploaded-file"
    description = "include/require of the request body (php://input)"
  strings:
    ${each('a', ['include(_once)?', 'require(_once)?'], String.raw`\s*\(?\s*["']php:\/\/input`)}
  condition:
    any of them
}

rule mamori_php_include_data {
  meta:
    score = 25
    technique = "include-remote"
    description = "include/require of a data: URL (code made at run time; template engines do it too)"
  strings:
    ${each('a', ['include(_once)?', 'require(_once)?'], String.raw`\s*\(?\s*["']data:`)}
  condition:
    any of them
}

rule mamori_php_include_remote {
  meta:
    score = 45
    technique = "include-remote"
    description = "include/require of code from another server (http, ftp)"
  strings:
    ${each('a', ['include(_once)?', 'require(_once)?'], String.raw`\s*\(?\s*["'](https?|ftp):\/\/`)}
  condition:
    any of them
}

rule mamori_php_eval_variable_call {
  meta:
    score = 45
    technique = "obfuscation"
    description = "eval of what a variable function returns (the decoder's name hidden in a variable)"
  strings:
    $a = /\beval\s*\(\s*@?\s*\$[a-zA-Z_\x80-\xff][a-zA-Z0-9_\x80-\xff]{0,30}\s*\(/ nocase
  condition:
    $a
}

rule mamori_php_decoder_to_eval {
  meta:
    score = 80
    technique = "decoder-chain-exec"
    description = "decoded data (base64, gzinflate, rot13, strrev, hex2bin ...) run as PHP code"
  strings:
    ${each('a', CODE, String.raw`\s*\(\s*@?\s*(gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|strrev|hex2bin|convert_uudecode|rawurldecode|urldecode|pack)\s*\(`)}
    ${each('b', ['eval', 'assert'], String.raw`\s*\(\s*@?\s*["'][^"'\n]{0,20}["']\s*\.\s*(gzinflate|gzuncompress|base64_decode|str_rot13|strrev)\s*\(`)}
    ${each('c', CODE, String.raw`\s*\(\s*@?\s*(htmlspecialchars_decode|html_entity_decode|stripslashes|stripcslashes|trim|strval)\s*\(\s*@?\s*(gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|strrev|hex2bin|convert_uudecode|rawurldecode|urldecode)\s*\(`)}
  condition:
    any of them
}

rule mamori_php_self_payload_eval {
  meta:
    score = 85
    technique = "decoder-chain"
    description = "code that reads its own file, decodes the data kept after its closing tag (or __halt_compiler) and runs it: a payload hidden where PHP prints it or stops reading"
  strings:
    // (held-out set H15: base64_decode(strrev(str_rot13(explode("?>", file_get_contents(__FILE__))[1]))) evaluated)
    // (or its name by $_SERVER, or __FILE__ kept in a variable first: red team S36C-7, -8)
    $self = /\b(file_get_contents|file|fopen|stream_get_contents|highlight_file|show_source)\s*\(\s*(__FILE__|\$_SERVER\s*\[\s*["'](SCRIPT_FILENAME|PATH_TRANSLATED)["']\s*\])\s*[,)]/ nocase
    $selfvar = /\$\w{1,40}\s*=\s*__FILE__\s*;/
    $readvar = /\b(file_get_contents|file|fopen)\s*\(\s*\$\w{1,40}\s*[,)]/ nocase
    // (run on something computed, not a literal: an installer's eval('return true;') check, red team S36C-3)
    $run = /\b(eval|assert|create_function)\s*\(\s*[^"'\s)]/ nocase
    $dec = /\b(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode)\s*\(/ nocase
    // (the tail in lines split by spaces too, S36C-6; or short, the file's last bytes, S36C-5)
    $tail = /(\?>|__halt_compiler\s*\(\s*\)\s*;)\s*[A-Za-z0-9+\/=\s]{2000}/ nocase
    $short = /(\?>|__halt_compiler\s*\(\s*\)\s*;)\s*[A-Za-z0-9+\/=]{16,1999}\s*/ nocase
  condition:
    ($self or ($selfvar and $readvar)) and $run and $dec and ($tail or for any i in (1..#short): (@short[i] + !short[i] == filesize))
}

rule mamori_php_wso_controller {
  meta:
    score = 80
    technique = "webshell-toolkit"
    description = "a panel that drives planted WSO web shells: it posts their remote-control action (a=RC) and reads back wso_version (held-out set H16: a C2 of hacked sites)"
  strings:
    // (the action posted as an array's element or as a body of its own, in any case: red team S36C-4, -10, -11)
    $rc = /["']a["']\s*=>\s*["']RC["']|["']a=RC&/ nocase
    $ver = "wso_version"
    $post = /\b(http_build_query|curl_setopt|stream_context_create|fsockopen)\s*\(/ nocase
  condition:
    $rc and $ver and $post
}

rule mamori_php_decoder_nesting {
  meta:
    score = 30
    technique = "decoder-chain"
    description = "decoders nested in one another (gzinflate(base64_decode(...)) and the like)"
  strings:
    ${each('a', DECODERS, String.raw`\s*\(\s*(gzinflate|gzuncompress|gzdecode|str_rot13|strrev|base64_decode|hex2bin|convert_uudecode)\s*\(`)}
  condition:
    any of them
}

rule mamori_php_remote_dropper {
  meta:
    score = 80
    technique = "dropper"
    description = "a file fetched from a URL saved as a PHP file, or PHP code written from hex (<?php, <?=, <? : not <?xml, S21R-13)"
  strings:
    $c = /\bcopy\s*\(\s*["'](https?|ftp):\/\/[^"'\n]{1,300}["']\s*,\s*["'][^"'\n]{0,200}\.(php\d?|phtml|phar|inc)["']\s*\)/ nocase
    $p = /\bfile_put_contents\s*\(\s*["'][^"'\n]{0,200}\.(php\d?|phtml|phar|inc)["']\s*,\s*@?\s*file_get_contents\s*\(\s*["'](https?|ftp):\/\// nocase
    $h = /pack\s*\(\s*["']H\*["']\s*,\s*["']3c3f([0-6][0-9a-f]|7[0-79a-f]|[89a-f][0-9a-f])/ nocase
    $hw = /\b(fputs|fwrite|file_put_contents)\s*\(/ nocase
    // (Composer's own installer, fetched as its instructions say, is not a dropper: S21R-12)
    $composer = /\bcopy\s*\(\s*["']https:\/\/getcomposer\.org\/installer["']\s*,\s*["']composer-setup\.php["']\s*\)/
  condition:
    #c > #composer or $p or ($h and $hw)
}

rule mamori_php_compile_and_run {
  meta:
    score = 80
    technique = "reverse-shell"
    description = "PHP compiling a program in a temporary directory and running it (a back-connect or local exploit dropped as C source)"
  strings:
    $cc = /["'](gcc|clang)\s+(-\w+\s+){0,4}-o\s+\/(tmp|var\/tmp|dev\/shm)\/[\w.-]{1,60}\s+\/(tmp|var\/tmp|dev\/shm)\/[\w.-]{1,60}\.c\b/ nocase
    $run = /["']\/(tmp|var\/tmp|dev\/shm)\/[\w.-]{1,60}\s[^"'\n]{0,120}["']/ nocase
    // (or a script dropped there run in the background with an address and a port: " /tmp/.bc $ip $port &")
    $bg = /["'][^"'\n]{0,40}\/(tmp|var\/tmp|dev\/shm)\/[\w.-]{1,60}\s+\$\w{1,40}\s+\$\w{1,40}\s*&\s*["']/ nocase
    // (written there by the script: a backup job run from /var/tmp with a log written elsewhere is not, S21B-13)
    // (a call of the script's own given the path first, cf('/tmp/.bc', $code), counts with a writer in the file)
    $drop = /\b(file_put_contents|fopen)\s*\(\s*["']\/(tmp|var\/tmp|dev\/shm)\/[\w.-]{1,60}["']/ nocase
    $dropv = /\b\w{1,40}\s*\(\s*["']\/(tmp|var\/tmp|dev\/shm)\/[\w.-]{1,60}["']\s*,\s*\$\w{1,40}\s*\)/ nocase
    $wr = /\b(fwrite|fputs|file_put_contents)\s*\(/ nocase
  condition:
    ($cc and $run) or ($bg and ($drop or ($dropv and $wr)))
}

rule mamori_php_remote_text_as_php {
  meta:
    score = 80
    technique = "dropper"
    description = "text or an image fetched from another server written into the web root as PHP (a downloader of shells)"
  strings:
    // (a query after the name too: up.txt?x=1, S21B-18)
    $url = /["'](https?|ftp):\/\/[^"'\n]{1,300}\.(txt|jpe?g|gif|png|ico)(\?[^"'\n]{0,100})?["']/ nocase
    $php = /["'][^"'\n]{0,200}\.(php\d?|phtml)["']/ nocase
    $w = /\b(fwrite|fputs|file_put_contents)\s*\(/ nocase
    $get = /\b(curl_exec|file_get_contents|fopen|copy)\s*\(/ nocase
    $where = /DOCUMENT_ROOT|unlink\s*\(\s*__FILE__\s*\)/
    // (an installer checking version.txt and writing its config.php from a form is not: a dropper takes no form, S21B-11)
    $form = /\$_(POST|REQUEST)\s*\[|<form\b/ nocase
  condition:
    $url and $php and $w and $get and $where and not $form and filesize < 64KB
}

rule mamori_php_wp_admin_backdoor {
  meta:
    score = 85
    technique = "backdoor"
    description = "WordPress code hooked on every page that creates an administrator from the request"
  strings:
    $hook = /add_action\s*\(\s*["'](wp_head|wp_footer|init|wp_loaded|plugins_loaded|template_redirect|admin_init)["']/ nocase
    $create = /\b(wp_create_user|wp_insert_user)\s*\(/ nocase
    // (add_role as well as set_role, S21B-19)
    $admin = /(set|add)_role\s*\(\s*["']administrator["']|["']role["']\s*=>\s*["']administrator["']/ nocase
    $in = /\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
    // (a plugin that checks the user's capability or a nonce is an admin's tool: support-access plugins, S21B-12)
    $cap = /\b(current_user_can|check_admin_referer|wp_verify_nonce|check_ajax_referer)\s*\(/ nocase
  condition:
    $hook and $create and $admin and $in and not $cap and filesize < 32KB
}

rule mamori_php_register_globals_shell {
  meta:
    score = 75
    technique = "request-input-exec"
    description = "a command form whose field (register_globals era: the field is the variable) is run as a command"
  strings:
    ${REGISTER_GLOBALS.field}
    // (and the field with stripslashes or more joined after it: red team S35B-21, -22)
    ${REGISTER_GLOBALS.run}
    // (the variable set by the script is not the field: register_globals shells never set it, S21B-15)
    // (appending, $command .= ' 2>&1', keeps the field's value: only a plain "=" sets it; and a loop's or a
    // list's variable is set too)
    ${REGISTER_GLOBALS.set}
    ${REGISTER_GLOBALS.self}
    // (but a default given only when the field is empty is the field's: if ($cmd == "") $cmd = 'dir';, session 35 set H10)
    $default = /\bif\s*\(\s*(\$(command|cmd|exec|execute)\s*==\s*["']["']|empty\s*\(\s*\$(command|cmd|exec|execute)\s*\)|!\s*isset\s*\(\s*\$(command|cmd|exec|execute)\s*\))\s*\)\s*\{?\s*\$(command|cmd|exec|execute)\s*=[^=]/ nocase
    // (or saved, cleared and put back around a "cd": $commandBk = $command; $command = ""; ... $command = $commandBk;,
    // held-out set H21's MyShell)
    // (the copy named after the field, $commandBk: any $cmd = $other; was a web cron's or a queue worker's own
    // variable, red team S38S)
    $backup = /\$(command|cmd|exec|execute)\w{1,10}\s*=\s*\$(command|cmd|exec|execute)\s*;/ nocase
    $clear = /\$(command|cmd|exec|execute)\s*=\s*(""|'')\s*;/ nocase
    $restore = /\$(command|cmd|exec|execute)\s*=\s*\$(command|cmd|exec|execute)\w{1,10}\s*;/ nocase
    // (a page checking the field against a list of its own runs only those: red team S35B-8)
    // (isset of an element the field names, isset($allowed[$cmd]): not isset($cmd) alone, which every such shell asks)
    $check = /\b(in_array|array_key_exists|preg_match)\s*\(\s*[^;]{0,40}\$(command|cmd|exec|execute)\b|\bisset\s*\(\s*\$\w{1,40}\s*\[\s*\$(command|cmd|exec|execute)\b|\bswitch\s*\(\s*\$(command|cmd|exec|execute)\b/ nocase
    // (a function given the variable as a parameter may be handed anything: mamori_php_register_globals_param)
    ${REGISTER_GLOBALS.param}
    ${REGISTER_GLOBALS.closure}
  condition:
    $f and $s and (not $set or #set == #self or (#set == #self + 1 and $default) or ($backup and $clear and $restore and #set == #self + #clear + #restore)) and not $param and #s > #closure and not $check and filesize < 64KB
}

rule mamori_php_register_globals_param {
  meta:
    score = 60
    technique = "request-input-exec"
    description = "a command form whose field's name is a variable run as a command, in a function given that variable as a parameter (register_globals era)"
  strings:
    ${REGISTER_GLOBALS.field}
    ${REGISTER_GLOBALS.run}
    ${REGISTER_GLOBALS.set}
    ${REGISTER_GLOBALS.self}
    ${REGISTER_GLOBALS.param}
  condition:
    $f and $s and (not $set or #set == #self) and $param and filesize < 64KB
}

rule mamori_php_temp_include {
  meta:
    score = 75
    technique = "decoder-chain-exec"
    description = "PHP code built at run time written to a temporary file, included and deleted at once"
  strings:
    $w = /file_put_contents\s*\(\s*\$\w{1,40}\s*,\s*["']<\?php\s*["']\s*\.\s*\$\w{1,40}/ nocase
    $i = /\b(include|require)(_once)?\s*\(?\s*\$\w{1,40}\s*\)?\s*;/ nocase
    $u = /\bunlink\s*\(\s*\$\w{1,40}\s*\)/ nocase
    $in = /\$_(GET|POST|REQUEST|COOKIE|SERVER)\b|php:\/\/input|getallheaders/ nocase
  condition:
    $w and $i and $u and $in
}

rule mamori_php_socket_stager {
  meta:
    score = 90
    technique = "reverse-shell"
    description = "code read from a network socket and run (a staged reverse shell, as Metasploit's PHP stager)"
  strings:
    $sock = /(stream_socket_client|fsockopen|socket_create|socket_connect)/ nocase
    $read = /\$\w{1,40}\s*\.=\s*(fread|socket_read|fgets|stream_get_contents)\s*\(/ nocase
    $eval = /\beval\s*\(\s*\$\w{1,40}\s*\)/ nocase
    $len = /unpack\s*\(\s*["']N\w{0,10}["']/ nocase
  condition:
    $sock and $read and $eval and $len and filesize < 64KB
}

rule mamori_php_sql_client_input {
  meta:
    score = 75
    technique = "file-manager"
    description = "a database client taking its server, account and queries straight from the request (an SQL shell)"
  strings:
    $c = /\b(mysql|mysqli|pg|mssql|sqlsrv)_(p?connect)\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[[^;]{0,120}\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
    $q = /\b(mysql|mysqli|pg|mssql|sqlsrv)_query\s*\(\s*(\$\w{1,40}\s*,\s*)?\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
  condition:
    $c and $q
}

rule mamori_php_reverse_shell {
  meta:
    score = 85
    technique = "reverse-shell"
    description = "a network socket wired to a shell (reverse or bind shell)"
  strings:
    ${each('sock', ['p?fsockopen', 'socket_create', 'stream_socket_client', 'stream_socket_server'], String.raw`\s*\(`)}
    $sh1 = "/bin/sh" nocase
    $sh2 = "/bin/bash" nocase
    $sh3 = "cmd.exe" nocase
    // (a shell handed the socket's descriptor, bash <&3 >&3 2>&3, with no path written: session 25, set J)
    // (in any order and with the descriptors written, bash -i >&3 <&3, sh 0<&3 1>&3: red team S25R-2)
    $sh4 = /[<>]&\s*[3-9]\b[^\n]{0,20}[<>]&\s*[3-9]\b/
    // (the socket itself given as the shell's descriptors, proc_open("sh", array(0 => $sock, 1 => $sock, 2 => $sock), $pipes):
    // the usual proc_open one-liner, with no path and no redirection; a shell by name only, as a
    // metrics script may run "uptime" into a log file beside its socket: red team S25R-14)
    $sh5 = /proc_open\s*\(\s*["'](\/bin\/)?(sh|bash|zsh|dash|ksh|cmd(\.exe)?|powershell(\.exe)?)(\s+-i)?["']\s*,\s*(array\s*\(|\[)\s*(0\s*=>\s*)?\$\w{1,40}\s*,\s*(1\s*=>\s*)?\$\w{1,40}\s*,/ nocase
    // (an interactive shell by name, 'uname -a; w; id; sh -i', the reverse shell's command with no path: session 26, set N)
    $sh6 = /\b(ba|z|da|k)?sh\s+-i\s*["';]/
    ${each('run', ['proc_open', 'shell_exec', 'passthru', 'popen', 'pcntl_exec'], String.raw`\s*\(`)}
    $run5 = /\b(exec|system)\s*\(\s*["']\/bin\/(ba)?sh/ nocase
    // (exec or system given such a shell, exec("sh -i <&3 >&3 2>&3"): S25R-2)
    $run6 = /\b(exec|system)\s*\(\s*["'][^"'\n]{0,80}[<>]&\s*[3-9]\b/ nocase
  condition:
    any of ($sock*) and any of ($sh*) and any of ($run*) and filesize < 200KB
}

rule mamori_php_webshell_toolkit {
  meta:
    score = 45
    technique = "file-manager"
    description = "one small file with the toolkit of a web file manager or shell (system info, file operations, command execution, request input)"
  strings:
${TOOLKIT}
  condition:
    filesize < 400KB and 10 of ($c*)
}

rule mamori_php_webshell_toolkit_full {
  meta:
    score = 40
    technique = "file-manager"
    description = "nearly the whole toolkit of a web shell in one file"
  strings:
${TOOLKIT}
  condition:
    filesize < 400KB and 14 of ($c*)
}

rule mamori_php_uploader {
  meta:
    score = 45
    technique = "uploader"
    description = "an upload handler that keeps the name the client chose"
  strings:
    $a = /\b(move_uploaded_file|copy)\s*\(\s*\$_FILES\s*\[[^\]\n]{1,40}\]\s*\[\s*["']tmp_name["']\s*\]\s*,\s*([^;\n]{0,60}\.\s*)?\$_FILES\s*\[[^\]\n]{1,40}\]\s*\[\s*["']name["']\s*\]\s*\)/ nocase
  condition:
    $a
}

rule mamori_php_tiny_uploader {
  meta:
    score = 40
    technique = "uploader"
    description = "a tiny file whose main work is to store uploaded files"
  strings:
    $mv = /\b(move_uploaded_file|copy)\s*\(\s*\$_FILES/ nocase
    // (not an application's own page behind its login, as php-flow.ts's appLoginPage reads one: its configuration
    // loaded by a fixed path, a visitor without a session sent to the login page and stopped there, and no session set
    // here; held-out set H64's admin pages)
    $app = /\b(require|include)(_once)?\s*\(?\s*["'](\.{1,2}\/){0,4}([\w-]{1,40}\/){0,3}[\w.-]{0,40}(config|conn|connection|connect|dbconnect|db|database|init|bootstrap|common|session|functions)[\w.-]{0,20}\.php["']/ nocase
    $gate = /\bheader\s*\(\s*["']Location\s*:\s*[^"'\n]{0,80}(login|signin|sign-in|auth)[^"'\n]{0,40}["']\s*\)\s*;\s*(exit|die)\b/ nocase
    $sess = /\$_SESSION\s*\[/
    $sset = /\$_SESSION\s*\[[^\]\n]{1,60}\]\s*(\[[^\]\n]{0,60}\]\s*)?=[^=]/
  condition:
    // (a session set after the gate is a message to show, red team S46B-15)
    $mv and filesize < 3KB and not ($app and $gate and $sess and (not $sset or @sset[1] > @gate[1]))
}

rule mamori_php_mailer {
  meta:
    score = 45
    technique = "mailer"
    description = "mail() sending what the request says to whom it says"
  strings:
    $a = /\bmail\s*\(\s*\$_(POST|GET|REQUEST)\s*\[/ nocase
    $b = /\bmail\s*\(\s*\$[a-z_\x80-\xff][a-z0-9_\x80-\xff]*\s*,\s*\$_(POST|GET|REQUEST)\s*\[/ nocase
  condition:
    any of them
}

rule mamori_php_known_shell_names {
  meta:
    score = 60
    technique = "known-webshell"
    description = "names that well-known PHP web shells print or use as markers"
  strings:
    $a = "FilesMan"
    $b = "c99shell" nocase
    $c = "r57shell" nocase
    $d = "b374k" nocase
    $e = "IndoXploit"
    $f = "WSOsetcookie"
    $g = "Leaf PHPMailer"
    $h = "JspSpy"
    $i = "ASPXSpy" nocase
  condition:
    any of them
}

rule mamori_php_nonalnum {
  meta:
    score = 40
    technique = "obfuscation"
    description = "names built by XOR of strings, or superglobals named through a variable variable (the shells written without letters)"
  strings:
    $xor = /\(\s*\$_{1,4}\s*\^\s*["'][^"'\n]{1,4}["']\s*\)/
    $var = /\$\{\s*["']_["']\s*\.\s*\$_{1,4}\s*\}\s*\[/
  condition:
    #xor > 2 or $var
}

rule mamori_php_dynamic_superglobal_call {
  meta:
    score = 60
    technique = "request-input-callable"
    description = "an element of a superglobal named at run time, called as a function"
  strings:
    $a = /\$\{\s*["']_["']\s*\.\s*\$_{1,4}\s*\}\s*\[[^\]\n]{1,20}\]\s*\(/
  condition:
    $a
}

rule mamori_php_function_from_globals {
  meta:
    score = 20
    technique = "obfuscation"
    description = "a function called through $GLOBALS or a variable variable"
  strings:
    $a = /\$GLOBALS\s*\[[^\]\n]{1,40}\]\s*\(/
    $b = /\$\{\s*["'][^"'\n]{1,40}["']\s*\}\s*\(/
    $c = /\$\$[a-z_\x80-\xff][a-z0-9_\x80-\xff]*\s*\(/ nocase
  condition:
    any of them
}

rule mamori_php_hex_escaped_names {
  meta:
    score = 20
    technique = "obfuscation"
    description = "long runs of hex-escaped characters (names hidden from grep)"
  strings:
    $a = /(\\x[0-9a-fA-F]{2}){12}/
  condition:
    #a > 3
}

rule mamori_php_chr_arithmetic {
  meta:
    score = 25
    technique = "obfuscation"
    description = "strings assembled from many chr() calls"
  strings:
    $a = /\bchr\s*\(\s*[0-9]{1,3}\s*([-+*^%]\s*[0-9]{1,3}\s*)?\)\s*\./ nocase
  condition:
    #a > 10
}

rule mamori_php_variable_function_input {
  meta:
    score = 35
    technique = "request-input-callable"
    description = "a function named by a variable, an array element or an expression, called with request input"
  strings:
    $a = /\$[a-zA-Z_\x80-\xff][a-zA-Z0-9_\x80-\xff]{0,30}\s*\(\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[/
    $element = /[\w'"]\s*\]\s*\(\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[/
    $expression = /(['"\]]|\$\w{1,30}|(->|::)\w{1,30})\s*[)}]\s*\(\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[/
  condition:
    any of them
}

rule mamori_php_sql_function_shell {
  meta:
    score = 80
    technique = "callback-exec"
    description = "a command or code function registered as an SQL function (SQLite3::createFunction, PDO sqliteCreateFunction)"
  strings:
    $a = /(createFunction|sqliteCreateFunction|createAggregate)\s*\(\s*["'][^"'\n]{0,40}["']\s*,\s*["'](system|exec|passthru|shell_exec|popen|proc_open|assert|eval|pcntl_exec)["']/ nocase
  condition:
    $a
}

rule mamori_php_log_wiper {
  meta:
    score = 80
    technique = "log-wiper"
    description = "the system's login records and shell histories named for deletion (an intruder's trace removal)"
  strings:
    $l1 = "/var/log/lastlog"
    $l2 = "/var/log/wtmp"
    $l3 = "/var/run/utmp"
    $l4 = "/var/log/secure"
    $l5 = ".bash_history"
    $l6 = "/var/log/messages"
    $l7 = "/var/log/auth.log"
    $l8 = "/var/log/btmp"
    $l9 = "/var/log/xferlog"
    $d = /\b(unlink|system|exec|shell_exec|passthru|popen|proc_open)\s*\(|\brm\s+-[a-z]*f|\bshred\s/ nocase
  condition:
    4 of ($l*) and $d
}

rule mamori_php_command_fallbacks {
  meta:
    score = 60
    technique = "command-fallbacks"
    description = "the command functions tried one after another (is_callable or function_exists of each): a shell's way to run a command wherever it lands"
  strings:
    $c1 = /(is_callable|function_exists)\s*\(\s*["']system["']\s*\)/ nocase
    $c2 = /(is_callable|function_exists)\s*\(\s*["']shell_exec["']\s*\)/ nocase
    $c3 = /(is_callable|function_exists)\s*\(\s*["']exec["']\s*\)/ nocase
    $c4 = /(is_callable|function_exists)\s*\(\s*["']passthru["']\s*\)/ nocase
    $c5 = /(is_callable|function_exists)\s*\(\s*["']popen["']\s*\)/ nocase
    $c6 = /(is_callable|function_exists)\s*\(\s*["']proc_open["']\s*\)/ nocase
    $r1 = /\bsystem\s*\(\s*\$/ nocase
    $r2 = /\bshell_exec\s*\(\s*\$/ nocase
    $r3 = /\bexec\s*\(\s*\$/ nocase
    $r4 = /\bpassthru\s*\(\s*\$/ nocase
  condition:
    3 of ($c*) and 3 of ($r*)
}

rule mamori_php_error_suppressed_exec {
  meta:
    score = 25
    technique = "obfuscation"
    description = "code execution with errors silenced (@eval, @assert)"
  strings:
    $a = "@eval(" nocase
    $b = "@assert(" nocase
  condition:
    any of them
}

rule mamori_php_non_alphanumeric {
  meta:
    score = 80
    technique = "obfuscation"
    description = "code written without letters or digits: names built from $_, $__ and operators on strings, then called (a non-alphanumeric shell)"
  strings:
    $v = /\$_{2,9}[^\w\x80-\xff]/
    $call = /\$_{1,9}\s*\[\s*[^\]a-zA-Z0-9\n]{1,30}\]\s*\(\s*\$_{1,9}\s*\[/
    $call2 = /\$_{1,9}\s*\(\s*\$_{1,9}\s*\[/
    $ops = /\$_{1,9}\s*\[[^\]a-zA-Z0-9\n]{0,20}\]\s*\.?=\s*[^;a-zA-Z0-9\n]{0,40}\$_{1,9}\s*\[/
  condition:
    filesize < 64KB and #v >= 8 and ($call or $call2) and #ops >= 2
}

rule mamori_php_immutable_self {
  meta:
    score = 80
    technique = "persistence"
    description = "a script that makes its own file immutable or read-only through a shell (chattr +i, chmod of __FILE__): how planted shells resist removal"
  strings:
    $a = /(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*["'][^"'\n]{0,40}chattr\s+\+i\b/ nocase
    $b = /(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*["'][^"'\n]{0,20}chmod\s+[^"'\n]{0,20}(\$this_file|\$\w{0,20}self\w{0,10}|__FILE__)/ nocase
    $c = /chattr\s+\+i\s+["']?\s*\.\s*__FILE__/ nocase
  condition:
    any of them
}

rule mamori_php_web_ransomware {
  meta:
    score = 85
    technique = "ransomware"
    description = "PHP ransomware: the site's files walked, encrypted and written back in place or renamed, with a ransom note (a wallet, a price, your files are locked)"
  strings:
    // (held-out set H38: "Love Ransomeware", mcrypt over every file of the folder, .htaccess pointed at its page, the key
    // mailed home; a backup tool encrypting an archive of its own asks for no ransom)
    $crypt = /\b(openssl_encrypt|mcrypt_encrypt|mcrypt_generic|sodium_crypto_secretbox|sodium_crypto_box_seal|openssl_public_encrypt)\s*\(/ nocase
    $write = /\b(file_put_contents|fwrite|fputs)\s*\(/ nocase
    $walk = /\b(scandir|glob|opendir|readdir|RecursiveDirectoryIterator|RecursiveIteratorIterator)\s*\(/ nocase
    // (a note that says the files are locked and asks to be paid for them: not the word ransomware, a bitcoin
    // gateway, a donation line, a miner's dashboard or "pay to unlock" an upgrade, red team S42B-9 to -14)
    $note = /(\byour\s+(files|site|website|data|documents)\s+(are|is|has\s+been|have\s+been|were|are\s+now|have\s+now\s+been)\s+(encrypted|locked)\b|\block(ed)?\s+all\s+(of\s+)?your\s+files\b)[^\n]{0,200}\b(pay|paid|bitcoin|btc|monero|xmr|wallet|ransom|redeem|\d+\s*\$|\$\s*\d+)|\b(decrypt|unlock|restore|recover)\s+your\s+(files|site|website|data)\b[^.\n]{0,100}\b(pay|bitcoin|btc|monero|xmr|wallet)\b|\b(pay|send)\b[^.\n]{0,60}\b(bitcoin|btc|monero|xmr)\b[^.\n]{0,100}\b(decrypt|unlock|your\s+files)\b/ nocase
  condition:
    filesize < 256KB and $crypt and $write and $walk and $note
}

rule mamori_php_remote_code_eval {
  meta:
    score = 85
    technique = "remote-code"
    description = "a small PHP file fetching text from a server (file_get_contents, curl, SplFileObject) and running it as a PHP page with eval('?>' . ...): a loader whose shell lives elsewhere"
  strings:
    $eval = /\beval\s*\(\s*["']\?>/ nocase
    // (a URL of a file of code or text, .php, .txt or a picture's name, that the code holds in a variable, a
    // constant or an array, or fetches as it is: not a "Powered by" link, an update API or a feed, red team
    // S29U-4 to S29U-6; the define and array forms and file(), readfile() and \SplFileObject, S29U-35 to -39)
    $url = /(\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}(\s*\[[^\]\n]{0,40}\])?\s*=[^;\n]{0,120}|define\s*\(\s*["'][^"'\n]{1,60}["']\s*,\s*|=>\s*|(file_get_contents|curl_init|fopen|file|readfile|SplFileObject)\s*\(\s*)["']https?:\/\/[^"'\s]{4,300}\.(php\d?|phtml|txt|jpe?g|png|gif|ico)(\?[^"'\s]{0,100})?["']/ nocase
    // (or any path of a paste site's raw view, which serves text as it was pasted, the eval after it: held-out set H62's
    // jm.php, pastee.dev/r/ID with no extension; not a plugin that shows pastes and renders its own template with
    // eval('?>' ..) above, red team S46R-48)
    $purl = /(\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}(\s*\[[^\]\n]{0,40}\])?\s*=[^;\n]{0,120}|define\s*\(\s*["'][^"'\n]{1,60}["']\s*,\s*|=>\s*|(file_get_contents|curl_init|fopen|file|readfile|SplFileObject)\s*\(\s*)["']https?:\/\/(pastebin\.com\/(raw|dl)|paste\.ee\/[rd]|pastee\.dev\/[rd]|rentry\.(co|org)|hastebin\.com\/raw|dpaste\.(com|org)|paste\.rs|ghostbin\.[a-z]{2,4})\/[^"'\s]{1,300}["']/ nocase
    $fetch = /\b(file_get_contents|curl_exec|stream_get_contents|file|readfile)\s*\(|new\s+\\?SplFileObject\s*\(/ nocase
  condition:
    filesize < 32KB and $fetch and $eval and ($url or for any i in (1..#purl) : ($eval in (@purl[i]..@purl[i] + 2000)))
}

rule mamori_php_joined_name_call {
  meta:
    score = 80
    technique = "variable-function"
    description = "a function called by a name joined from pieces at the call, implode('', $chars)(...): a command function's name kept out of sight"
  strings:
    // (of a variable where the file holds an array of short literal pieces, or of such an array written
    // in: not a dispatcher's join('', ['page_', $page])($req), red team S29U-7)
    // (or of the array reversed first: red team S29U-44)
    // (or of the array reversed first: red team S29U-44; through any array_ function, keys or values, sliced,
    // mapped, spread, of str_split, with one argument or named ones, in a property or a constant: S29U-40 to
    // -47, S30B-13)
    $a0 = /\b(implode|join)\s*\(\s*(''|"")\s*,\s*\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}\s*\)\s*\(/ nocase
    // (the other shapes only where the call is given request input: not a hook dispatcher's implode('', $this->parts)(...$args)
    // or a filter's implode(array_map('ucfirst', $words))($value), red team S30C-13 to S30C-15)
    $a = /\b(implode|join)\s*\(\s*((separator\s*:\s*)?(''|"")\s*,\s*)?(array\s*:\s*)?(array_[a-z_]{2,20}\s*\(\s*(["'][a-z_]{1,20}["']\s*,\s*)?|str_split\s*\(\s*){0,2}((\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}(\s*->\s*[A-Za-z_]\w{0,40}|\s*\[[^\]\n]{1,20}\])?|([A-Za-z_]\w{0,40}\s*::\s*)?[A-Z_][A-Z0-9_]{0,40})|\[\s*\.\.\.\s*(\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}(\s*->\s*[A-Za-z_]\w{0,40}|\s*\[[^\]\n]{1,20}\])?|([A-Za-z_]\w{0,40}\s*::\s*)?[A-Z_][A-Z0-9_]{0,40})\s*\])(\s*,\s*[^()\n]{1,20}){0,3}(\s*\)){0,2}\s*\)(\s*\)){0,2}\s*\(\s*[^;)]{0,60}(\$_(GET|POST|REQUEST|COOKIE|SERVER|FILES)\b|getallheaders\s*\(|php:\/\/input)/ nocase
    // (or the pieces folded by array_reduce with a closure that joins its two arguments: session 30)
    $r = /\barray_reduce\s*\(\s*\$[A-Za-z_]\w{0,40}\s*,\s*(fn|function)\s*\(\s*\$\w{1,20}\s*,\s*\$\w{1,20}\s*\)\s*(=>|\{\s*return)\s*\$\w{1,20}\s*\.\s*\$\w{1,20}\s*;?\s*\}?\s*,\s*(''|"")\s*\)\s*\(/
    // (or put together by sprintf of %s pieces, or vsprintf: S30B-13)
    $v = /\bv?sprintf\s*\(\s*(str_repeat\s*\(\s*["']%s["']\s*,\s*\d{1,2}\s*\)|["'](%s){3,}["'])\s*,\s*(\.\.\.\s*)?\$[A-Za-z_]\w{0,40}\s*\)\s*\(\s*[^;)]{0,60}(\$_(GET|POST|REQUEST|COOKIE|SERVER|FILES)\b|getallheaders\s*\(|php:\/\/input)/ nocase
    // (two pieces are enough to find, and keyed pieces are found apart, with numbers for values: an open
    // repeat of pieces with any value made YARA-X walk every long list of short literals from each of its
    // quotes, 12 ms a file of MediaWiki's, 86% of a scan: session 31)
    // (after one element of another kind, an empty literal or a number: red team S31R-55, -57)
    $pieces = /(array\s*\(|\[)\s*([^,\[\]()"'\n]{1,12}\s*,\s*|["']["']\s*,\s*)?["'][^"'\n]{1,4}["']\s*,\s*["'][^"'\n]{1,4}["']/
    $keyed = /(array\s*\(|\[)\s*["'][^"'\n]{1,4}["']\s*=>\s*(-?[\dA-Fa-fx.]{1,12}|true|false|null|""|''|["'][^"'\n]{1,8}["'])\s*,\s*["'][^"'\n]{1,4}["']\s*=>/ nocase
    $split = /\bstr_split\s*\(/
    $b = /\b(implode|join)\s*\(\s*(''|"")\s*,\s*(array\s*\(|\[)\s*(["'][^"'\n]{1,4}["']\s*,\s*){2,}["'][^"'\n]{1,4}["']\s*(\)|\])\s*\)\s*\(/ nocase
  condition:
    (($a0 or $a or $r or $v) and ($pieces or $keyed or $split)) or $b
}

rule mamori_php_pseudo_terminal {
  meta:
    score = 75
    technique = "file-manager"
    description = "a PHP page answering shell words sent in the request (ls, cd, rm, mkdir, download ...) with file operations of its own: a file manager dressed as a terminal"
  strings:
    $case = /\bcase\s*\(?\s*["'](ls|dir|pwd|cd|rm|del|mkdir|rmdir|touch|cat|mv|cp|download|upload|chmod)["']\s*\)?\s*[:;]/ nocase
    // (the same words compared in an if/elseif chain, or a match's arms: red team S29W-24, S29W-25)
    $cmp = /\$[A-Za-z_]\w{0,40}\s*={2,3}\s*["'](ls|dir|pwd|cd|rm|del|mkdir|rmdir|touch|cat|mv|cp|download|upload|chmod)["']|["'](ls|dir|pwd|cd|rm|del|mkdir|rmdir|touch|cat|mv|cp|download|upload|chmod)["']\s*={2,3}\s*\$[A-Za-z_]/ nocase
    $arm = /\bmatch\s*\(\s*\$[A-Za-z_]\w{0,40}\s*\)\s*\{\s*["'](ls|dir|pwd|cd|rm|del|mkdir|rmdir|touch|cat|mv|cp|download|upload|chmod)["']/ nocase
    $armword = /["'](ls|dir|pwd|cd|rm|del|mkdir|rmdir|touch|cat|mv|cp|download|upload|chmod)["']\s*(,\s*["'](ls|dir|pwd|cd|rm|del|mkdir|rmdir|touch|cat|mv|cp|download|upload|chmod)["']\s*)?=>/ nocase
    $cmpcd = /\$[A-Za-z_]\w{0,40}\s*={2,3}\s*["']cd["']|["']cd["']\s*={2,3}\s*\$[A-Za-z_]|["']cd["']\s*=>/ nocase
    $cmpls = /\$[A-Za-z_]\w{0,40}\s*={2,3}\s*["'](ls|dir)["']|["'](ls|dir)["']\s*={2,3}\s*\$[A-Za-z_]|["'](ls|dir)["']\s*(,\s*["'][a-z]{1,6}["']\s*)?=>/ nocase
    // (and a terminal's own: cd and ls (or dir), a working folder of its own, and files deleted: not a
    // CMS media manager's upload/download/mkdir/del actions, an FTP client relaying commands, a page of
    // terminal style, red team S29W-1 to S29W-4)
    $cd = /\bcase\s*\(?\s*["']cd["']/ nocase
    $ls = /\bcase\s*\(?\s*["'](ls|dir)["']/ nocase
    // (PHP's own functions, not an SFTP client's methods, $sftp->chdir(): red team S30C-10)
    $cwd = /(^|[^\w>:$\\])(getcwd|chdir)\s*\(/
    $del = /(^|[^\w>:$\\])(unlink|rmdir)\s*\(/
    // (or the words read from the body, a header or filter_input: S29W-26)
    $in = /\$_(POST|GET|REQUEST|COOKIE)\s*\[|["']php:\/\/input["']|\bfilter_input\s*\(\s*INPUT_(POST|GET|COOKIE)|\bgetallheaders\s*\(/
    // (and a folder really listed: not a lesson page whose terminal walks a tree kept in the session, red team S30B-4)
    $list = /\b(scandir|opendir|readdir|glob)\s*\(|\bnew\s+\\?(Recursive)?(Directory|Filesystem)Iterator\b/
    // (not a console for the command line, which reads its lines with readline and refuses the web: S30B-5)
    $cli = /\breadline\s*\(|PHP_SAPI\s*[!=]==?\s*["']cli["']|php_sapi_name\s*\(\s*\)\s*[!=]==?\s*["']cli["']|\bSTDIN\b/
    // (and no path kept inside a folder of its own, realpath and a prefix test: a course's sandbox terminal, a
    // media library's API, red team S30C-11, S30C-12)
    $real = /\brealpath\s*\(/
    $prefix = /\bstrpos\s*\([^;]{0,160}\)\s*[!=]==?\s*0\b|\bstr_starts_with\s*\(|\bstrncmp\s*\(/
  condition:
    ((#case >= 5 and $cd and $ls) or (#cmp >= 5 and $cmpcd and $cmpls) or ($arm and #armword >= 4 and $cmpcd and $cmpls)) and $cwd and $del and $in and $list and not $cli and not ($real and $prefix)
}

rule mamori_php_shell_fetch_php {
  meta:
    score = 80
    technique = "dropper"
    description = "a shell command (curl or wget) that downloads a PHP file into the web root"
  strings:
    $a = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*["'][^"'\n]{0,200}\b(curl|wget)\b[^"'\n]{0,300}\s-[oO]\s*[^"'\s]{0,200}\.(php\d?|phtml|phar)\b/ nocase
    $b = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*["'][^"'\n]{0,200}\b(curl|wget)\b[^"'\n]{0,300}>\s*[^"'\s]{0,200}\.(php\d?|phtml|phar)\b/ nocase
    $c = /\x60[^\x60\n]{0,200}\b(curl|wget)\b[^\x60\n]{0,300}(\s-[oO]\s*|>\s*)[^\x60\s]{0,200}\.(php\d?|phtml|phar)\b/ nocase
  condition:
    any of them
}

rule mamori_php_shell_fetch_run {
  meta:
    score = 80
    technique = "dropper"
    description = "a shell command that downloads a script and runs it (wget or curl piped to an interpreter that reads its program from the pipe, or saved to a temporary folder and run from there): the script is whatever that server sends"
  strings:
    // (handed to a command function, or kept in a variable first, red team S36A-46: the interpreter last, reading its
    // program from the pipe (perl - host port, sh -s arg), not a filter given a program of its own, | python3 -m
    // json.tool, | php import.php, S36A-8, -9; the literal may quote the address, or be joined from pieces, S36A-47 to
    // -50; a cd before it, output sent away or a command after it: S36B-16 to -23; held-out set H14: system("wget -O -
    // host/x |perl"))
    // (its first address not https: a vendor's installer one-liner, curl -fsSL https://.../install.sh | bash, is judged
    // by mamori_php_shell_fetch_run_https, S36A-15, S36B-14, -15)
    $pipe = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*[^\n]{0,200}\b(curl|wget|lwp-download|lwp-request|lynx\s+-source|links\s+-source)\b[^;|\n]{0,600}\|\s*(sudo(\s+-\w+)*\s+)?((\/usr)?(\/local)?\/bin\/)?(perl|sh|bash|dash|zsh|ksh|python[23]?|php|ruby)\s*(-s?(\s+[^|;&\"'\n]{0,100})?)?\s*(>\s*\/dev\/null\s*)?(2>&1\s*)?&?\s*(;[^\"'\n|]{0,100})?\\?[\"']/ nocase
    ${FETCH_RUN_HTTPS.pipes}
    $held = /\$\w{1,40}\s*=\s*[^;\n]{0,200}\b(curl|wget|lwp-download|lwp-request|lynx\s+-source|links\s+-source)\b[^;|\n]{0,300}\|\s*(sudo(\s+-\w+)*\s+)?((\/usr)?(\/local)?\/bin\/)?(perl|sh|bash|dash|zsh|ksh|python[23]?|php|ruby)\s*(-s?(\s+[^|;&\"'\n]{0,100})?)?\s*(>\s*\/dev\/null\s*)?(2>&1\s*)?&?\s*(;[^\"'\n|]{0,100})?\\?[\"']\s*;/ nocase
    ${FETCH_RUN_HTTPS.helds}
    ${FETCH_RUN_HTTPS.runs}
    // (saved, then run from a temporary folder by an interpreter or as itself, with arguments: the program is the
    // temporary file, not a script of the application's given it as data, S36A-10 to -12; with chmod, nohup, S36A-58,
    // -59; H14: "wget -O /tmp/b host/b; perl /tmp/b")
    $then = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*[^\n]{0,200}\b(curl|wget|lwp-download)\b[^"'\n]{0,300}(;|&&|\|\|)\s*(nohup\s+|setsid\s+)?(sudo\s+)?((perl|sh|bash|dash|python[23]?|php|ruby)\s+)?(\/tmp\/|\/var\/tmp\/|\/dev\/shm\/)[\w.\/-]{1,100}(\s+[^;&|"'\n]{0,100})?\s*(;|&|\\?["'])/ nocase
    ${FETCH_RUN_HTTPS.thens}
    // (or fetched into the temporary folder it moved to first, cd /tmp; wget host/b.txt; perl b.txt: S36A-57)
    $cdtmp = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*[^\n]{0,200}\bcd\s+(\/tmp|\/var\/tmp|\/dev\/shm)\/?\s*(;|&&)[^"'\n]{0,200}\b(curl|wget|lwp-download)\b[^"'\n]{0,300}(;|&&)\s*(nohup\s+)?(perl|sh|bash|python[23]?|php|ruby)\s+[\w.-]{1,100}(\s+[^;&|"'\n]{0,100})?\s*(;|&|\\?["'])/ nocase
    ${FETCH_RUN_HTTPS.cdtmps}
    // (in backticks given to a variable or echoed, PHP's shell operator: not a template literal or a Markdown code span,
    // S36A-13, -14, S36B)
    $tick = /(\$\w{1,40}\s*=\s*@?|\becho\s+)\x60[^\x60\n]{0,200}\b(curl|wget|lwp-download)\b[^\x60\n|;]{0,300}\|\s*(sudo\s+)?(perl|sh|bash|dash|python[23]?|php|ruby)\s*(-s?(\s+[^|;&\x60\n]{0,100})?)?\s*(2>&1\s*)?\x60/ nocase
    // (or the download's output made the shell's program: bash -c "$(curl ...)", bash <(wget ...), sh -c "(backticks of wget ...)":
    // red team S36C-15 to -17; its first address not https, as above)
    $subst = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*[^\n]{0,200}\b(sh|bash|dash|zsh|ksh)\s+(-c\s+\\?["']?\s*(\$\(|\x60)|<\(\s*)\s*(curl|wget|lwp-download)\b[^;|\n]{0,300}/ nocase
    ${FETCH_RUN_HTTPS.substs}
  condition:
    #pipe > #pipes or (#held > #helds and $runs) or #then > #thens or #cdtmp > #cdtmps or $tick or #subst > #substs
}

rule mamori_php_shell_fetch_run_https {
  meta:
    score = 50
    technique = "dropper"
    description = "a shell command that downloads a script over https and pipes it to an interpreter (how vendors' installers are run, and droppers from paste sites)"
  strings:
    ${FETCH_RUN_HTTPS.pipes}
    ${FETCH_RUN_HTTPS.helds}
    ${FETCH_RUN_HTTPS.runs}
    ${FETCH_RUN_HTTPS.thens}
    ${FETCH_RUN_HTTPS.cdtmps}
    ${FETCH_RUN_HTTPS.substs}
  condition:
    $pipes or ($helds and $runs) or $thens or $cdtmps or $substs
}

rule mamori_php_remote_page_writer {
  meta:
    score = 80
    technique = "dropper"
    description = "index.php written into folder after folder with what a server named in the file sends for this site's host name (an SEO doorway spreader: that server writes PHP that runs here)"
  strings:
    // (a host, a port and a path: red team S36A-61, -62)
    $srv = /\$\w{1,40}\s*=\s*["']https?:\/\/[a-z0-9.-]{3,100}(:\d{1,5})?(\/[^"'\s]{0,200})?["']\s*;/ nocase
    $fetch = /\b(file_get_contents|curl_exec|fopen)\s*\(\s*["']?\{?\$\w{1,40}/ nocase
    $host = /\$_SERVER\s*\[\s*["'](HTTP_HOST|SERVER_NAME)["']\s*\]|\bgetenv\s*\(\s*["']HTTP_HOST["']\s*\)/
    // (index.php written in a folder the code names by a variable, '$dir . "/index.php"': the spread; one index.php
    // replaced by what a vendor's server sends is what a single-file application's updater does, S36A-16)
    // (the content a variable, not a stub of the code's own, "Silence is golden" or sprintf of a template: S36B-9, -10;
    // the folder joined by ".", DIRECTORY_SEPARATOR or in a double-quoted literal, S36B-25 to -30)
    $spread = /\b(file_put_contents|\w{0,30}(write|save|put)\w{0,30})\s*\(\s*(\$\w{1,40}(\s*\[[^\]]{1,40}\])?\s*\.\s*(DIRECTORY_SEPARATOR\s*\.\s*)?["'][\/\\]?index\.php["']|"\{?\$\w{1,40}\}?[\/\\]index\.php")\s*,\s*\$\w{1,40}\s*[,)]|\bfopen\s*\(\s*(\$\w{1,40}(\s*\[[^\]]{1,40}\])?\s*\.\s*(DIRECTORY_SEPARATOR\s*\.\s*)?["'][\/\\]?index\.php["']|"\{?\$\w{1,40}\}?[\/\\]index\.php")\s*,\s*["'][wax]/ nocase
    $dirs = /\b(mkdir|glob|scandir|opendir)\s*\(|\bnew\s+\\?(Recursive)?DirectoryIterator\b/ nocase
    $file = /\b(fwrite|fputs|file_put_contents)\s*\(/ nocase
  condition:
    $srv and $fetch and $host and $spread and $dirs and $file and filesize < 256KB
}

rule mamori_php_request_chmod {
  meta:
    score = 75
    technique = "file-manager"
    description = "chmod of a path the request names to a mode the request names (a web file manager's permission changer)"
  strings:
    $a = /\bchmod\s*\(\s*[^;]{0,120}\$_(GET|POST|REQUEST|COOKIE)\s*\[[^;]{0,120},\s*(octdec|intval|base_convert)?\s*\(?\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
  condition:
    $a
}

rule mamori_php_recon_commands {
  meta:
    score = 40
    technique = "recon"
    description = "a page that runs the commands of a server survey (uname -a, id, df, ip addr, /etc/passwd ...): a shell kit's reconnaissance"
  strings:
    $r1 = /(system|exec|shell_exec|passthru|popen|sh|cmd|run)\s*\(\s*["'](uname -a|id|whoami)(\s+2>&1)?["']/ nocase
    $r2 = /(system|exec|shell_exec|passthru|popen|sh|cmd|run)\s*\(\s*["'](df -h|free -[mh]|uptime( -p)?)(\s+2>&1)?["']/ nocase
    $r3 = /(system|exec|shell_exec|passthru|popen|sh|cmd|run)\s*\(\s*["'](ip a(ddr)?|ifconfig|hostname -I|netstat -[a-z]{1,6}|ss -[a-z]{1,6})( 2>\/dev\/null| 2>&1)?["']/ nocase
    $r4 = /(system|exec|shell_exec|passthru|popen|sh|cmd|run)\s*\(\s*["'](cat \/etc\/passwd|ps aux|ps -ef|lscpu|cat \/proc\/cpuinfo|w|last)( 2>\/dev\/null| 2>&1)?["']/ nocase
    $x = /\b(shell_exec|system|passthru|exec|popen)\s*\(/ nocase
  condition:
    filesize < 64KB and $x and 3 of ($r*)
}

rule mamori_php_wp_admin_maker {
  meta:
    score = 80
    technique = "backdoor"
    description = "a script of its own that loads WordPress (wp-load.php, wp-config.php) and makes an administrator, or sets any account's password, from the request, with no login checked"
  strings:
    // (led by the name, not a quote: a quote-led pattern is tried at every quote by Debian's YARA)
    $load = /(wp-load|wp-config|wp-blog-header)\.php["']/ nocase
    $create = /\b(wp_create_user|wp_insert_user)\s*\(/ nocase
    $setpw = /\bwp_set_password\s*\(\s*\$/ nocase
    // (and the table WordPress names, $wpdb->users or {$wpdb->prefix}users: held-out set H59's class.wp.php)
    // (and {$wpdb->users} with its closing brace, the table joined in, "INSERT INTO " . $wpdb->users . " (..", and
    // MySQL's INSERT .. SET: red team S46R-02 to -04)
    $sql = /INSERT\s+INTO\s+([\x60"']?(\{?\$\w{1,30}->(prefix\}?)?)?[\w$]{0,30}users\}?[\x60"']?|["']\s*\.\s*\$\w{1,30}\s*->\s*users\s*\.\s*["'])\s*(\(|SET\b)/ nocase
    $sqlpw = /UPDATE\s+[\x60"']?(\{?\$\w{1,30}->(prefix\}?)?)?[\w$]{0,30}users[\x60"']?\s+SET\s+[\x60"']?user_pass/ nocase
    // (quoted, or escaped inside a quoted SQL text: \"administrator\")
    $admin = /administrator\\?["']/ nocase
    $role = /->\s*set_role\s*\(\s*\$/ nocase
    $in = /\$_(GET|POST|REQUEST)\s*\[/
    // (a tool behind WordPress's own login or nonce checks is an admin's, not a backdoor)
    $cap = /\b(current_user_can|check_admin_referer|wp_verify_nonce|check_ajax_referer|is_user_logged_in|is_super_admin)\s*\(/ nocase
  condition:
    filesize < 32KB and $load and $in and not $cap and ((($create or $sql) and ($admin or $role)) or $sqlpw or $setpw)
}

rule mamori_php_json_unicode_names {
  meta:
    score = 80
    technique = "obfuscation"
    description = "function names written as JSON unicode escapes (backslash, u, four hex digits), decoded at run time (json_decode) and called at once"
  strings:
    $a = /\\u00[0-9a-fA-F]{2}(\\u00[0-9a-fA-F]{2}){2,}["']\s*\)\s*\(/
    $j = /\bjson_decode\s*\(/ nocase
  condition:
    $a and $j
}
// (session 26, sets M and N: the ways around PHP's disable_functions that the field's collections
// carry, each a technique no application needs)
rule mamori_php_ld_preload_mail {
  meta:
    score = 85
    technique = "disable-functions-bypass"
    description = "LD_PRELOAD set from PHP (putenv) before a call that starts a program (mail, mb_send_mail, error_log, imap_mail): a library of the caller's runs commands past disable_functions"
  strings:
    $env1 = /\bputenv\s*\(\s*["']LD_PRELOAD=/ nocase
    $env2 = /LD_PRELOAD["']?\s*\.\s*["']?=/ nocase
    // (the call that starts a program, mail() or another, is not looked for: "mail(" is in every other
    // file, and each string of a rule is searched in every file; putenv of LD_PRELOAD alone is the mark)
    $put = /\bputenv\s*\(/ nocase
  condition:
    $env1 or ($env2 and $put)
}

rule mamori_php_imap_proxycommand {
  meta:
    score = 85
    technique = "disable-functions-bypass"
    description = "imap_open given an -oProxyCommand mailbox (CVE-2018-19518): rsh's option runs a command past disable_functions"
  strings:
    $imap = /\bimap_open\s*\(/ nocase
    $proxy = "oProxyCommand" nocase
  condition:
    $imap and $proxy
}

rule mamori_php_procfs_mem_write {
  meta:
    score = 80
    technique = "disable-functions-bypass"
    description = "PHP that writes its own memory through /proc/self/mem (a function's address overwritten with system's, past disable_functions)"
  strings:
    $mem = /\/proc\/self\/mem["']/
    $open = /\bfopen\s*\(\s*["']\/proc\/self\/mem["']\s*,\s*["'][rwa]b?\+/ nocase
    $maps = "/proc/self/maps"
  condition:
    $open or ($mem and $maps)
}

rule mamori_php_fpm_ini_inject {
  meta:
    score = 80
    technique = "disable-functions-bypass"
    description = "a FastCGI client of its own that sends PHP-FPM ini settings (PHP_VALUE or PHP_ADMIN_VALUE with extension, auto_prepend_file or allow_url_include): code run past disable_functions, or in another pool"
  strings:
    $val = /PHP_(ADMIN_)?VALUE/
    $ini = /\b(auto_prepend_file|auto_append_file|allow_url_include)\b|extension\s*=\s*[^\s"'\\]{1,200}\.so\b/ nocase
    $sock = /\b(fsockopen|pfsockopen|stream_socket_client|socket_connect)\s*\(/ nocase
    $fcgi = /\b(SCRIPT_FILENAME|FCGI_|GATEWAY_INTERFACE)/
  condition:
    filesize < 256KB and $val and $ini and $sock and $fcgi
}

rule mamori_php_cgi_htaccess_drop {
  meta:
    score = 80
    technique = "disable-functions-bypass"
    description = "PHP that writes an .htaccess making scripts run as CGI (Options +ExecCGI, cgi-script handler) and a shell script beside it: commands past disable_functions"
  strings:
    $ht = ".htaccess" nocase
    $cgi1 = "+ExecCGI" nocase
    $cgi2 = /(AddHandler|SetHandler)\s+cgi-script/ nocase
    $bang = /#!\s*\/(usr\/)?bin\/(env\s+)?(ba|z|da|k)?sh\b/
  condition:
    $ht and any of ($cgi*) and $bang
}

rule mamori_php_ffi_system {
  meta:
    score = 80
    technique = "disable-functions-bypass"
    description = "PHP's FFI declaring the C library's system, popen or exec functions: commands run past disable_functions"
  strings:
    $ffi = /FFI\s*::\s*cdef\s*\(\s*["'][^"']{0,300}\b(system|popen|execl|execv|execve|execvp)\s*\(/ nocase
  condition:
    $ffi
}

rule mamori_php_fifo_shell {
  meta:
    score = 85
    technique = "reverse-shell"
    description = "a shell wired to netcat through a named pipe (mkfifo ... | sh -i ... | nc), or nc -e of a shell, in PHP"
  strings:
    $fifo = /mkfifo\s+[^\s;|"']{1,80}\s*;[^\n"']{0,80}\|\s*(\/bin\/)?(ba|z|da|k)?sh\b[^\n"']{0,40}\|\s*(nc|ncat|netcat|telnet|openssl)\b/ nocase
    $nce = /\b(nc|ncat|netcat)\s+(-[a-z]{1,4}\s+){0,3}-e\s+(\/bin\/)?(ba|z|da|k)?sh\b/ nocase
  condition:
    any of them
}

rule mamori_php_shadow_rewrite {
  meta:
    score = 80
    technique = "credential-theft"
    description = "PHP that rewrites a shadow password file with a crypt() hash of its own (a hosting account's mail or FTP passwords taken over)"
  strings:
    $shadow = /\/shadow["']/
    $crypt = /\bcrypt\s*\(/ nocase
    $hash = /["']\$6\$/
  condition:
    filesize < 64KB and $shadow and $crypt and $hash
}

rule mamori_php_uaf_exploit {
  meta:
    score = 80
    technique = "disable-functions-bypass"
    description = "a PHP memory-corruption exploit of the public disable_functions bypasses (use-after-free, then the engine's own system handler found in memory: zif_system, basic_functions, str2ptr)"
  strings:
    $a1 = /\bfunction\s+(str2ptr|ptr2str)\s*\(/ nocase
    $a2 = /\bfunction\s+(get_system|get_basic_funcs|get_binary_base|parse_elf|leak_and_dump)\s*\(/ nocase
    $a3 = /\$zif_system\b|\bzif_system\s*[=@]/
    $a4 = "0x647261646e617473"
    $a5 = /\bbasic_funcs\b/
  condition:
    filesize < 256KB and 3 of ($a*)
}

rule mamori_php_wp_hidden_admin {
  meta:
    score = 85
    technique = "wp-admin-backdoor"
    description = "a WordPress plugin that makes an administrator and hides accounts or plugins from the admin screens (pre_user_query, pre_current_active_plugins, all_plugins)"
  strings:
    $make = /\b(wp_create_user|wp_insert_user)\s*\(/ nocase
    $admin = /set_role\s*\(\s*["']administrator["']|["']role["']\s*=>\s*["']administrator["']/ nocase
    $hide1 = /add_action\s*\(\s*["']pre_user_query["']/ nocase
    $hide2 = /add_action\s*\(\s*["']pre_current_active_plugins["']/ nocase
    $hide3 = /add_filter\s*\(\s*["']all_plugins["']/ nocase
    $hide4 = /add_filter\s*\(\s*["']views_users["']/ nocase
  condition:
    filesize < 128KB and $make and $admin and any of ($hide*)
}

rule mamori_php_wp_theme_functions_write {
  meta:
    score = 75
    technique = "wp-admin-backdoor"
    description = "a WordPress plugin that appends code to the active theme's functions.php (and puts it back when it is taken out)"
  strings:
    $fn = /get_(template|stylesheet)_directory\s*\(\s*\)\s*\.\s*["']\/functions\.php["']/ nocase
    $app1 = /fopen\s*\([^;]{0,160},\s*["']a\+?b?["']\s*\)/ nocase
    $app2 = "FILE_APPEND"
    $plugin = /Plugin Name\s*:/ nocase
    $hook = /\bregister_activation_hook\s*\(/ nocase
  condition:
    filesize < 128KB and $fn and any of ($app*) and ($plugin or $hook)
}

rule mamori_php_wp_login_as {
  meta:
    score = 80
    technique = "wp-admin-backdoor"
    description = "WordPress signs the visitor in as a fixed account when the request asks (wp_set_auth_cookie with no password, nonce or token checked)"
  strings:
    $cookie = /\bwp_set_auth_cookie\s*\(/ nocase
    $user = /\bget_user_by\s*\(\s*["'](login|id|email|slug)["']\s*,\s*["'\d]/ nocase
    $user2 = /\bget_users\s*\(\s*(array\s*\(|\[)\s*["']role["']\s*=>\s*["']administrator["']/ nocase
    $in = /\$_(GET|POST|REQUEST|COOKIE|SERVER)\s*\[/
    // (the standalone form asks nothing of the request: what the visitor sends, where from, who; the site's own
    // host in a redirect is not asking, S32R-w10)
    $asks = /\$_(GET|POST|REQUEST|COOKIE)\s*\[|\$_SERVER\s*\[\s*["'](REMOTE_ADDR|HTTP_X_|HTTP_CLIENT_IP|HTTP_USER_AGENT|HTTP_REFERER|QUERY_STRING|HTTP_COOKIE|HTTP_AUTHORIZATION|PHP_AUTH|REQUEST_METHOD|HTTP_ACCEPT)/
    // (or a script of its own that loads WordPress and signs whoever opens it in as the first account, asking
    // nothing: held-out set X, session 31, which then deletes itself)
    // (the path may be held in a variable or joined from pieces first, S31S: the loader's name quoted anywhere, and an
    // include of a variable or of what a call makes; not wp-config.php, which plugins name to back it up or to say
    // where a setting goes, red team S32R-20 to -22; an include's own word, in nearly every PHP file, cost the rule
    // a third more over MediaWiki)
    $standalone = /\b(require|require_once|include|include_once)\s*\(?\s*[^;\n]{0,120}wp-(blog-header|load)\.php/ nocase
    $wpfile = /wp-(blog-header|load)\.php["']/ nocase
    $incvar = /\b(require|include)(_once)?\s*\(?\s*(\$|implode\s*\(|join\s*\(|sprintf\s*\(|str_replace\s*\()/ nocase
    // (a fixed account by its number, and nothing of the request read: not an SSO callback, a demo's or a local
    // development login, an installer's one-time key, red team S31S-10 to -12, -26; new WP_User(1), '1': S31S-61, -62)
    // (also the cookie set for a number itself, get_userdata(true), the administrator's usual logins, and the first of
    // the administrators, $user2: red team S32R-w09, -w12, -w17, -w18; not any fixed login: a demo site's 'demo', S31S-11)
    $first = /\bget_userdata\s*\(\s*(["']?\d{1,6}["']?|true)\s*\)|\bget_user_by\s*\(\s*["'](id|ID)["']\s*,\s*["']?\d{1,6}["']?\s*\)|\bnew\s+WP_User\s*\(\s*["']?\d{1,6}["']?\s*\)|\bwp_set_auth_cookie\s*\(\s*["']?\d{1,6}["']?\s*[,)]|\bget_user_by\s*\(\s*["'](login|slug)["']\s*,\s*["'](admin|administrator|root|webmaster|wpadmin|superadmin)["']\s*\)/
    $check = /\b(wp_check_password|wp_verify_nonce|check_admin_referer|check_ajax_referer|hash_equals|wp_authenticate|password_verify|get_transient|wp_validate_auth_cookie|current_user_can|openssl_verify|hash_hmac)\s*\(/ nocase
  condition:
    filesize < 64KB and $cookie and not $check and ((any of ($user*) and $in) or (($standalone or ($wpfile and $incvar)) and ($first or $user2) and not $asks))
}

rule mamori_php_cookie_post_loader {
  meta:
    score = 80
    technique = "request-input-exec"
    description = "every cookie and posted field read, by name and value, as a loader's payload (foreach over array_merge of $_COOKIE and $_POST)"
  strings:
    $loop = /foreach\s*\(\s*["']?array_merge["']?\s*\(\s*\$_(COOKIE\s*,\s*\$_POST|POST\s*,\s*\$_COOKIE)\s*\)\s*as\s*\$\w{1,40}\s*=>/ nocase
  condition:
    filesize < 128KB and $loop
}

rule mamori_php_self_deleting_drop {
  meta:
    score = 85
    technique = "dropper"
    description = "code written out that deletes its own file when it runs (<?php @unlink(__FILE__); ... in a literal): a dropper that leaves no trace"
  strings:
    // (the code in a literal, written out: a file whose own first statement deletes it is not this)
    $drop = /["']<\?php\s*@?\s*unlink\s*\(\s*__FILE__\s*\)\s*;/ nocase
  condition:
    filesize < 256KB and $drop
}

rule mamori_php_decrypt_eval {
  meta:
    score = 80
    technique = "obfuscation"
    description = "code decrypted with a key the file holds and run at once (eval of openssl_decrypt, mcrypt_decrypt or sodium's secretbox): a packed payload"
  strings:
    $run = /\b(eval|assert)\s*\(\s*@?\s*\(?\s*(openssl_decrypt|mcrypt_decrypt|sodium_crypto_secretbox_open|sodium_crypto_aead_\w{1,40}_decrypt)\s*\(/ nocase
  condition:
    $run
}

rule mamori_php_invisible_names {
  meta:
    score = 80
    technique = "obfuscation"
    description = "variable names full of invisible characters (zero-width or blank Unicode letters) in a file that reads itself: data hidden in the names, decoded at run time"
  strings:
    // (UTF-8 of U+17B4/U+17B5, U+200B-U+200D, U+2060, U+3164, U+FEFF, three or more in a name)
    $inv = /\$[A-Za-z_]{0,40}(\xE1\x9E[\xB4\xB5]|\xE2\x80[\x8B-\x8D]|\xE2\x81\xA0|\xE3\x85\xA4|\xEF\xBB\xBF){3}/
    $self = /\b(file|file_get_contents|fopen|highlight_file|php_strip_whitespace)\s*\(\s*__FILE__/ nocase
  condition:
    #inv > 8 and $self
}

rule mamori_php_request_relay {
  meta:
    score = 45
    technique = "tunnel"
    description = "a page that passes the request on (its headers, query and body) through a socket of its own to another server: a relay an attacker reaches the inside through"
  strings:
    $in = "php://input"
    $hdr = /foreach\s*\(\s*\$_SERVER\s+as\s+\$\w{1,40}\s*=>/ nocase
    $qs = "QUERY_STRING"
    $sock = /\b(fsockopen|pfsockopen|stream_socket_client)\s*\(/ nocase
    $write = /\b(fwrite|fputs)\s*\(/ nocase
  condition:
    filesize < 64KB and $in and $hdr and $qs and $sock and $write
}

rule mamori_php_exe_dropper {
  meta:
    score = 80
    technique = "dropper"
    description = "decoded bytes written to a Windows program (.exe) of the file's naming, then run with a command function"
  strings:
    $exe = /\.exe["']\s*;/ nocase
    $dec = /\b(base64_decode|gzinflate|gzuncompress|hex2bin)\s*\(/ nocase
    $run = /\b(system|exec|shell_exec|passthru|proc_open|popen)\s*\(\s*\$/ nocase
  condition:
    filesize < 64KB and $exe and $dec and $run
}

rule mamori_php_encoded_php_dropper {
  meta:
    score = 80
    technique = "dropper"
    description = "a PHP file written under a name of the file's own (.php) with code kept encoded in a literal (base64, gzip, rot13, hex): a dropper"
  strings:
    $drop = /file_put_contents\s*\(\s*["'][^"'\n]{1,200}\.(php\d?|phtml|phar)["']\s*,\s*@?\s*(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin)\s*\(\s*["']/ nocase
  condition:
    $drop
}

rule mamori_php_callback_name_tail {
  meta:
    score = 85
    technique = "request-input-callable"
    description = "a caller (call_user_func, forward_static_call, array_map ...) given a function name made of a variable and the tail of a command or code function's name ($x . 'ert' for assert), with request input: the head comes from elsewhere, a header or the request"
  strings:
    $a = /\b(call_user_func(_array)?|forward_static_call(_array)?|array_map|register_shutdown_function)\s*\(\s*\$\w{1,30}(\s*\[[^\]\n]{1,40}\])?\s*\.\s*["'](rt|ert|sert|ssert|tem|stem|ystem|xec|hru|thru|sthru|ssthru|assthru)["']\s*,[^;]{0,200}\$_(GET|POST|REQUEST|COOKIE|SERVER)\b/ nocase
    // (or the tail in an interpolated string, "{$h}tem": red team S34B-12)
    $b = /\b(call_user_func(_array)?|forward_static_call(_array)?|array_map|register_shutdown_function)\s*\(\s*"\{?\$\w{1,30}\}?(rt|ert|sert|ssert|tem|stem|ystem|xec|hru|thru|sthru|ssthru|assthru)"\s*,[^;]{0,200}\$_(GET|POST|REQUEST|COOKIE|SERVER)\b/ nocase
  condition:
    $a or $b
}

rule mamori_php_com_account_admin {
  meta:
    score = 80
    technique = "privilege-escalation"
    description = "a PHP page making a Windows account through COM and making it an administrator (Shell.Users with its AccountType, or ADSI's WinNT:// user added to Administrators): a privilege-escalation page of the webshell kits"
  strings:
    $users = /new\s+\\?COM\s*\(\s*["']Shell\.Users["']/ nocase
    $create = /->\s*create\s*\(/ nocase
    $type = /\bsetting\s*\[\s*["']AccountType["']\s*\]\s*=/ nocase
    // (an account made, not a group looked up: red team S34A-3, -4)
    $adsi = /new\s+\\?COM\s*\(\s*["']WinNT:\/\// nocase
    $user = /->\s*Create\s*\(\s*["']user["']/ nocase
    $admins = /WinNT:\/\/[^"'\n]{0,60}\/Administrators\b/ nocase
  condition:
    filesize < 256KB and (($users and $create and $type) or ($adsi and $user and $admins))
}

rule mamori_php_handler_callback_sink {
  meta:
    score = 85
    technique = "request-input-callable"
    description = "a code or command function made the handler PHP calls with data of the request's: yaml_parse's tag callbacks, or a session save handler (its read handler is given the session id, which the request sets)"
  strings:
    // (the callbacks inside the call: an array literal among its arguments, not text after it, red team S35A-4, -5; no
    // bracket before the array's own, or "[[[" made each start cost 300 times 300 steps, S35B-34)
    // (arguments that are calls themselves, yaml_parse(trim($doc), ...): one level of parentheses, red team S35B)
    $yaml = /\byaml_parse(_file|_url)?\s*\(([^;()\[\]]|\([^;()\[\]]{0,100}\)){0,300}(array\s*\(|\[)[^;()]{0,300}=>\s*["']\\?(assert|system|exec|passthru|shell_exec|popen|preg_replace|create_function|call_user_func(_array)?)["']/ nocase
    // (or the callbacks kept in a variable first, given as the fourth argument of a document's parse, not of a file the
    // site keeps (a build's own build.yml, red team S36A-20): a YAML tag, "!name" or "tag:...", made a code or command
    // function's, by "=>" or by element, S36A-24, -25; not a table of chat commands beside a parse without callbacks, S36A-21)
    // (the callbacks by position or by name, callbacks: $cb, held in a variable, an element or a property, S36B-31 to
    // -38; the document any expression, calls in calls; or read from the request's body by yaml_parse_file)
    $ycall = /\byaml_parse(_url)?\s*\([^;]{0,400}(,|\bcallbacks\s*:)\s*\$\w{1,40}(\s*\[[^\]]{1,40}\]|\s*->\s*\w{1,40})?\s*\)\s*[;),]/ nocase
    $yinput = /\byaml_parse_file\s*\(\s*["']php:\/\/input["'][^;]{0,300}\$\w/ nocase
    // (a document that is a file the site keeps, read by its own path, is the site's: S36A-20, S36B-11)
    $yown = /\byaml_parse\s*\(\s*(trim\s*\(\s*)?file_get_contents\s*\(\s*(__DIR__|dirname\s*\(\s*__FILE__|["'][^"'\n:]{1,200}["'])/ nocase
    $tags = /["'](![\w!:\/.-]{0,60}|tag:[^"'\n]{1,80})["']\s*(=>|\]\s*=)\s*["']\\?(assert|system|exec|passthru|shell_exec|popen|preg_replace|create_function|call_user_func(_array)?)["']/ nocase
    $sess = /\bsession_set_save_handler\s*\([^;()]{0,300}["']\\?(assert|system|exec|passthru|shell_exec|popen|create_function)["']\s*[,)]/ nocase
  condition:
    $yaml or $sess or ((#ycall > #yown or $yinput) and $tags)
}

rule mamori_php_underscore_names_call {
  meta:
    score = 80
    technique = "obfuscated-call"
    description = "code written without letters: variables named only by underscores, strings made by ~ of picked bytes or by $$, and one of them called with another's element (the no-alphanumeric webshells)"
  strings:
    $call = /\$_{2,8}\s*\(\s*@?\s*\$_{1,8}\s*\[/
    $neg = /~\s*\(?\s*\$_{1,8}\s*[\[{]/
    $vv = /=\s*\$\$_{1,8}\s*;/
  condition:
    filesize < 64KB and $call and ($neg or $vv)
}

rule mamori_php_drive_letter_browser {
  meta:
    score = 75
    technique = "file-manager"
    description = "a page finding Windows drives by trying each letter and listing the folder the request names: a webshell's directory browser"
  strings:
    $range = /\brange\s*\(\s*["'][a-cA-C]["']\s*,\s*["'][x-zX-Z]["']\s*\)/
    $probe = /\b(is_dir|file_exists|is_readable|opendir|disk_total_space)\s*\(\s*(\$\w{1,30}\s*\.\s*["']:|"\{?\$\w{1,30}\}?:)/ nocase
    $list = /\b(opendir|scandir|glob|dir)\s*\(|\bnew\s+\\?(DirectoryIterator|RecursiveDirectoryIterator|FilesystemIterator)\s*\(/ nocase
    $req = /\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
    // (an application's folder picker checks who asks: a backup plugin's destination chooser, red team S35A-6)
    $auth = /\b(current_user_can|check_admin_referer|wp_verify_nonce|is_super_admin|user_can)\s*\(|->\s*can\s*\(|\bGate\s*::/ nocase
  condition:
    filesize < 256KB and $range and $probe and $list and $req and not $auth
}

rule mamori_php_inverted_name_call {
  meta:
    score = 80
    technique = "obfuscated-call"
    description = "a function name made by ~ (bitwise not) of a word of high bytes, then called with request input: a one-liner hiding assert or system"
  strings:
    // (a word of high bytes alone, quoted or ending its statement: not "= ~€4,90" in a price, red team S35B-6, -7)
    $neg = /=\s*~\s*(["'][\x80-\xff]{3,24}["']|[\x80-\xff]{3,24}\s*;)/
    $call = /\$\w{1,40}\s*\(\s*@?\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
  condition:
    filesize < 8KB and $neg and $call
}

rule mamori_php_code_runner_function {
  meta:
    score = 80
    technique = "request-input-exec"
    description = "a function made at run time (create_function) whose code runs its own argument as code or a command, with request input in the file: a callback shell (handed to an iterator, a sort, a filter)"
  strings:
    // (the function's own, not a method: $db->exec($sql), red team S35B-5)
    $cf = /\bcreate_function\s*\(\s*["']\s*\$\w{1,30}\s*["']\s*,\s*["']([^"'\n]{0,40}[^"'\n>:$\w])?(assert|eval|system|exec|passthru|shell_exec)\s*\(\s*(stripslashes\s*\(\s*)?\\?\$\w{1,30}\s*\)/ nocase
    $req = /\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
  condition:
    filesize < 64KB and $cf and $req
}

rule mamori_php_com_shell_input {
  meta:
    score = 90
    technique = "request-input-exec"
    description = "a Windows shell made through COM (WScript.Shell) and given request input to run"
  strings:
    $com = /new\s+\\?COM\s*\(\s*["']WScript\.Shell["']/ nocase
    $run = /->\s*(exec|run)\s*\([^;]{0,200}\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
  condition:
    $com and $run
}

rule mamori_php_exec_decoded_literal {
  meta:
    score = 45
    technique = "obfuscated-call"
    description = "a command function given a decoded literal (the command the file runs is hidden in base64, hex, rot13 or URL escapes; what the decoded command does is judged in the decoded text)"
  strings:
    // (held-out set H18: shell_exec(base64_decode("...")) of a download piped to sh; not a method of that name,
    // $pdo->exec(gzinflate(base64_decode(..))) of an installer's schema, $ssh->exec(...): red team S37A-14 to -16;
    // rawurldecode, pack('H*'), trim() inside: S37A-57, -58, -60; suspicious alone, a project's setup script runs its git
    // hooks' script so, red team S37B: the decoded layer carries a download piped to sh)
    $a = /(^|[^\w$>:\\])(system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\s*\(\s*@?\s*(base64_decode|str_rot13|hex2bin|convert_uudecode|strrev|gzinflate|gzuncompress|gzdecode|rawurldecode|urldecode)\s*\(\s*((base64_decode|str_rot13|strrev|trim)\s*\(\s*)?["'][^"'\n]{12,}["']/ nocase
    $b = /(^|[^\w$>:\\])(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*@?\s*pack\s*\(\s*["']H\*["']\s*,\s*["'][0-9a-fA-F]{12,}["']/ nocase
  condition:
    $a or $b
}

rule mamori_php_run_downloaded_program {
  meta:
    score = 45
    technique = "dropper"
    description = "a page that downloads a program, makes it executable and runs it (how installers set up a tool, and how miners and bots are dropped: malicious with a bare address or rivals killed first)"
  strings:
    // (held-out set H18: get("http://host/autoptimize", "autoptimize"); comd("chmod +x autoptimize && ./autoptimize");
    // a deploy hook's chmod +x composer.phar && ./composer.phar, rclone or wkhtmltopdf set up: red team S37A-17 to -20;
    // /tmp paths, u=rwx, sh -c: S37A-65, -70, -71)
    ${DOWNLOADED_RUN.run}
    ${DOWNLOADED_RUN.url}
    ${DOWNLOADED_RUN.write}
    ${DOWNLOADED_RUN.cmd}
  condition:
    $run and $url and $write and $cmd
}

rule mamori_php_run_downloaded_program_bare {
  meta:
    score = 80
    technique = "dropper"
    description = "a page that downloads a program from a bare public address, makes it executable and runs it (a miner or a bot dropped through the web server)"
  strings:
    ${DOWNLOADED_RUN.run}
    ${DOWNLOADED_RUN.url}
    ${DOWNLOADED_RUN.write}
    ${DOWNLOADED_RUN.cmd}
    // (a public address: a panel's internal mirror is not one; rivals killed first is no sign, deploy hooks stop their
    // workers so: red team S37B)
    $bare = /["']https?:\/\/([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d{1,5})?\// nocase
    $private = /["']https?:\/\/(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/ nocase
  condition:
    $run and $url and $write and $cmd and $bare and not $private
}

rule mamori_php_decrypted_request_eval {
  meta:
    score = 80
    technique = "request-input-exec"
    description = "a small file that decrypts what the request sends with an RSA or AES key and runs it with eval (a backdoor only its owner's key drives)"
  strings:
    // (held-out set H18: $_POST[1] split, openssl_public_decrypt of each piece, eval of the text; eval of a variable,
    // not assert($ok) after a remember-me cookie's decryption, red team S25R-5's look-alike, nor a method named eval,
    // $redis->eval($lua): S37A-10)
    $dec = /\bopenssl_(public|private)_decrypt\b|\bopenssl_decrypt\s*\(/ nocase
    $eval = /(^|[^\w$>:\\])eval\s*\(\s*@?\s*\$/ nocase
    $in = /\$_(POST|GET|REQUEST|COOKIE)\s*\[|php:\/\/input|\bgetallheaders\s*\(/ nocase
  condition:
    filesize < 16KB and $dec and $eval and $in
}

rule mamori_php_wp_hidden_plugin {
  meta:
    score = 40
    technique = "backdoor"
    description = "a WordPress plugin that takes itself out of the plugins list (white-label and hosting plugins may; malicious with its Deactivate link removed and the site's users or visitors sent elsewhere)"
  strings:
    // (held-out set H18: a WooCommerce "custom TAG" plugin redirecting visitors and sending the users' e-mails away;
    // itself, by plugin_basename(__FILE__) in the unset or kept in a variable just before: red team S37A-5, -6)
    ${HIDDEN_PLUGIN.hook}
    ${HIDDEN_PLUGIN.self}
    ${HIDDEN_PLUGIN.kept}
  condition:
    $hook and ($self or $kept)
}

rule mamori_php_wp_hidden_plugin_exfiltrating {
  meta:
    score = 40
    technique = "backdoor"
    description = "a WordPress plugin that hides itself from the plugins list, removes its own Deactivate link, sends the site's users to another server and redirects its visitors: a planted plugin"
  strings:
    ${HIDDEN_PLUGIN.hook}
    ${HIDDEN_PLUGIN.self}
    ${HIDDEN_PLUGIN.kept}
    $links = /\badd_filter\s*\(\s*["']plugin_action_links/ nocase
    // (unset, or blanked: S37A-78)
    $deact = /\bunset\s*\(\s*\$\w{1,40}\s*\[\s*["']deactivate["']\s*\]|\$\w{1,40}\s*\[\s*["']deactivate["']\s*\]\s*=\s*["']["']/ nocase
    // (the site's users sent away and its visitors redirected: a hosting support plugin reporting its administrators
    // hides itself the same way, red team S37B)
    $users = /\bget_users\s*\(/ nocase
    $redirect = /\badd_action\s*\(\s*["']template_redirect["']/ nocase
    $send = /\bwp_remote_(post|get|request)\s*\(|\bcurl_exec\s*\(|\bwp_redirect\s*\(\s*["']https?:|\bfile_get_contents\s*\(\s*["']https?:/ nocase
  condition:
    $hook and ($self or $kept) and $links and $deact and $users and $send and $redirect
}

rule mamori_php_db_credential_harvest {
  meta:
    score = 45
    technique = "credential-theft"
    description = "reads the database passwords out of configuration files it lists and logs in to each (restore and hosting tools read their own; malicious where the files are copies kept as text)"
  strings:
    // (held-out set H18: glob of stolen wp-config copies, DB_USER and DB_PASSWORD cut out by preg_match, mysqli_connect
    // of each; a restore tool reading its own wp-config, a hosting panel reading its vhosts': red team S37A-21, -22)
    $list = /\b(glob|scandir|readdir|opendir)\s*\(|\bnew\s+\\?Recursive(Directory|Iterator)/ nocase
    ${CREDENTIAL_HARVEST.pw}
    $user = /\bpreg_match(_all)?\s*\([^;\n]{0,120}DB_USER/
    ${CREDENTIAL_HARVEST.conn}
    $loop = /\b(foreach|while|for)\s*\(/ nocase
    $out = /\b(fwrite|fputs|file_put_contents)\s*\(|\b(echo|print)\s+["'][^"'\n]{0,40}\$/ nocase
  condition:
    filesize < 64KB and $list and $pw and $user and $conn and $loop and $out
}

rule mamori_php_db_credential_harvest_copies {
  meta:
    score = 40
    technique = "credential-theft"
    description = "cuts the database logins out of the configuration files it lists, writes them out and logs in to each: a harvester of other sites' databases"
  strings:
    // (the logins written out, three of a match's groups on one line: an installer like Duplicator's reads its own
    // wp-config copy kept as .txt and prints no password, red team S37B)
    // (written to a file: echo and print are in every page, and each would be read on for the groups)
    $dump = /\b(fwrite|fputs|file_put_contents)\s*\([^\n]{0,100}\$\w{1,20}\[1\][^\n]{0,60}\$\w{1,20}\[1\][^\n]{0,60}\$\w{1,20}\[1\]/ nocase
    ${CREDENTIAL_HARVEST.pw}
    ${CREDENTIAL_HARVEST.conn}
  condition:
    filesize < 64KB and $dump and $pw and $conn
}

rule mamori_php_remote_hidden_address_printed {
  meta:
    score = 60
    technique = "remote-content"
    description = "prints into the site's pages what a server sends, its address hidden in base64, rot13 or reversed text (how spam links and scripts are injected; some vendors hide their feeds' addresses so)"
  strings:
    // (held-out set H18: a theme's header.php printing file_get_contents(base64_decode('aHR0cHM6Ly...')), spam links;
    // base64 of "http" starts aHR0c, rot13 gives uggc, reversed it ends ptth)
    // (suspicious: a theme's dashboard news and a font proxy print a vendor's feed from such an address, red team S37B)
    $fetch = /\b(file_get_contents|readfile|fopen|file|curl_init|wp_remote_get|wp_remote_retrieve_body)\s*\(\s*@?\s*(base64_decode\s*\(\s*["']\s{0,64}(aHR0c|SFRUU|SHR0c)|str_rot13\s*\(\s*["']\s{0,64}uggc|strrev\s*\(\s*["'][^"'\n]{4,300}ptth\s{0,64}["']|hex2bin\s*\(\s*["']\s{0,64}(68|48)(74|54)(74|54)(70|50))/ nocase
    $print = /(\b(echo|print)|<\?=)\s*\(?\s*@?\s*(file_get_contents|readfile|wp_remote_retrieve_body)\s*\(\s*@?\s*(base64_decode|str_rot13|strrev|hex2bin)\s*\(|\breadfile\s*\(\s*@?\s*(base64_decode|str_rot13|strrev|hex2bin)\s*\(/ nocase
  condition:
    $fetch and $print
}

rule mamori_php_backdated_remote_script {
  meta:
    score = 60
    technique = "backdoor"
    description = "adds a script from another server to the site's pages for visitors who are not administrators, and sets files' times back by days (how planted injectors hide; cache plugins expire files so)"
  strings:
    // (held-out set H18: a plugin enqueuing a remote script for every visitor but administrators, its own folder
    // touched 117 days back on activation; days, weeks, months or years back, not a cache expired an hour ago)
    // (suspicious: cache and analytics plugins expire files by days and skip administrators, red team S37B)
    $touch = /\btouch\s*\([^;]{0,200}(strtotime\s*\(\s*["']\s*-\s*\$?\w{1,40}\s*(day|week|month|year)|time\s*\(\s*\)\s*-\s*\(?\s*(\d{6,}|\$?\w{1,40}\s*\*\s*(86400|24\s*\*\s*3600|3600\s*\*\s*24|60\s*\*\s*60\s*\*\s*24|24\s*\*\s*60\s*\*\s*60|(DAY|WEEK|MONTH|YEAR)_IN_SECONDS)|(86400|24\s*\*\s*3600|3600\s*\*\s*24|60\s*\*\s*60\s*\*\s*24|24\s*\*\s*60\s*\*\s*60|(DAY|WEEK|MONTH|YEAR)_IN_SECONDS)\s*\*)|filemtime\s*\([^;)]{0,100}wp-(load|config|settings|blog-header|login|cron)\.php)/ nocase
    $own = /__FILE__|__DIR__|\bplugin_dir_path\s*\(|\bget_template_directory\s*\(|\bRecursiveDirectoryIterator\b|\bABSPATH\b/ nocase
    // (or the time kept in a variable first, $t = strtotime('-90 days'); touch($f, $t))
    $back = /\$\w{1,40}\s*=\s*strtotime\s*\(\s*["']\s*-\s*\$?\w{1,40}\s*(day|week|month|year)/ nocase
    $touchv = /\btouch\s*\([^;]{0,200},\s*\$\w{1,40}\s*\)/ nocase
    $remote = /\bwp_(register|enqueue)_script\s*\([^;]{0,300}(["']https?:\/\/|\$\w{1,40}\s*,)|<script[^>]{0,100}\bsrc\s*=\s*\\?["']https?:\/\// nocase
    $notadmin = /\bcurrent_user_can\s*\(\s*["'](administrator|manage_options|edit_posts)["']\s*\)|\bis_user_logged_in\s*\(\s*\)|wordpress_logged_in|\bis_admin\s*\(\s*\)/ nocase
  condition:
    filesize < 256KB and ($touch or ($back and $touchv)) and $own and $remote and $notadmin
}
rule mamori_php_reports_location_home {
  meta:
    score = 45
    technique = "backdoor"
    description = "mails where the page lives on the server (its document root and script path) to a free-mail address written in the file (how planted tools tell their author where to find them; crash reporters mail a developer so too)"
  strings:
    // (held-out set H21: a mass mailer whose every message also sends DOCUMENT_ROOT, SCRIPT_FILENAME, PATH_TRANSLATED
    // and the referrer to a gmail address kept in a variable just before the mail() call)
    // (the address and the mail() after it read from the address: "mail" and short domains such as "live" are common
    // atoms; timed alone over MediaWiki's PHP, not measurable with the rules compiled together, bench/README.md)
    // (suspicious: contact forms, crash reporters and installers mail a developer's gmail with the same paths, red team
    // S38S; the beacon's own shape is mamori_php_location_beacon)
    $home = /@(gmail|yahoo|hotmail|outlook|yandex|protonmail|gmx)\.(com|ru|net|de|fr)["']\s*;\s*(@\s*)?mail\s*\(\s*\$\w{1,40}\s*,/
    $arg = /\bmail\s*\(\s*["'][\w.+-]{1,64}@(gmail|yahoo|hotmail|outlook|yandex|protonmail|gmx)\.(com|ru|net|de|fr)["']\s*,/
    $root = /\$_SERVER\s*\[\s*["']DOCUMENT_ROOT["']\s*\]/
    $script = /\$_SERVER\s*\[\s*["'](SCRIPT_FILENAME|PATH_TRANSLATED)["']\s*\]/
  condition:
    ($home or $arg) and $root and $script and filesize < 256KB
}

rule mamori_php_location_beacon {
  meta:
    score = 75
    technique = "backdoor"
    description = "a beacon planted in PHP tools of the c99 era: a random subject (\"sh-\" and a number), the page's referrer, document root, script path and server in one message, mailed to an address in the file on every request"
  strings:
    // (held-out sets H21 and H22: the same line appended to shells, mailers and a backup script, its address set
    // before or after the message)
    $subject = /\$\w{1,40}\s*=\s*rand\s*\(\s*1\s*,\s*\d{3,9}\s*\)\s*;\s*\$\w{1,40}\s*=\s*"sh-\$\w{1,40}"\s*;/
    $root = /\$\w{1,40}\s*=\s*\$_SERVER\s*\[\s*["']DOCUMENT_ROOT["']\s*\]\s*;/
    $script = /\$\w{1,40}\s*=\s*\$_SERVER\s*\[\s*["'](SCRIPT_FILENAME|PATH_TRANSLATED)["']\s*\]\s*;/
    $mail = /\bmail\s*\(\s*\$\w{1,40}\s*,\s*\$\w{1,40}\s*,\s*\$\w{1,40}/
  condition:
    $subject and $root and $script and $mail and filesize < 256KB
}

rule mamori_php_hex_name_table {
  meta:
    score = 60
    technique = "obfuscated-call"
    description = "PHP keeping the names of command, code and upload functions written in hexadecimal (decoded at run time and called from a table): a shell's way to hide what it calls"
  strings:
    // (session 40 set H27's Ninja-Shell: $f_Array = ["73796d6c696e6b", .., "73797374656d"] decoded into $GLOBALS["rin"],
    // then $GLOBALS["rin"][25]($cmd); each name a whole quoted literal. Suspicious alone: a security plugin keeps its list
    // of risky names so, and tests of a hex codec use them, red team S40B)
    $system = /["']73797374656d["']/ nocase
    $exec = /["']65786563["']/ nocase
    $passthru = /["']7061737374687275["']/ nocase
    $shellexec = /["']7368656c6c5f65786563["']/ nocase
    $procopen = /["']70726f635f6f70656e["']/ nocase
    $popen = /["']706f70656e["']/ nocase
    $moveuploadedfile = /["']6d6f76655f75706c6f616465645f66696c65["']/ nocase
    $base64decode = /["']6261736536345f6465636f6465["']/ nocase
    $assert = /["']617373657274["']/ nocase
    $eval = /["']6576616c["']/ nocase
    $pcntlexec = /["']70636e746c5f65786563["']/ nocase
    $fileputcontents = /["']66696c655f7075745f636f6e74656e7473["']/ nocase
    $createfunction = /["']6372656174655f66756e6374696f6e["']/ nocase
    $symlink = /["']73796d6c696e6b["']/ nocase
  condition:
    3 of them
}

rule mamori_php_wp_admin_sql {
  meta:
    score = 55
    technique = "backdoor"
    description = "a WordPress administrator made by hand-written SQL (a users row and the serialized administrator capability), outside WordPress's own user functions (suspicious: migration and hosting tools do it too, red team S40B)"
  strings:
    // (session 40 set H27's admin adder: INSERT INTO {$prefix}users, then {$prefix}capabilities a:1:{s:13:"administrator";b:1;}
    // through PDO; WordPress itself makes users with wp_insert_user)
    $adm = /a:1:\{s:13:\\?["']administrator\\?["'];b:1;\}/
    $ins = /INSERT\s+INTO\s+[^;\n]{0,80}(users|usermeta)\b/ nocase
  condition:
    $adm and $ins
}

rule mamori_php_mass_deface {
  meta:
    score = 80
    technique = "defacement"
    description = "a mass defacer: a page announcing a hack written over the index page of every site in a folder of sites"
  strings:
    // (session 41 set H30's two defacers: scandir of a hosting account's domains, each one's public_html/index.php
    // overwritten by file_put_contents with a heredoc "Hacked by ..."; a hosting tool writing default pages names no hack,
    // and a security scanner's signature list names it outside a page's HTML)
    $idx = /\/(public_html|htdocs|httpdocs|www|html|public|wwwroot)\/index\.(php|html?)["']/
    $walk = /\b(scandir|glob|opendir|DirectoryIterator|RecursiveDirectoryIterator)\s*\(/
    $write = /\b(file_put_contents|fwrite|fputs)\s*\(/
    // (decorated too, "<h1>~ Hacked by ~", "[+] Hacked by": red teams S41, S41B)
    $hack = /<[a-z][a-z0-9]{0,7}[^<>\n]{0,80}>\s{0,20}[~*=#:|.+\[\]\-]{0,10}\s{0,4}(hacked|defaced|h4ck3d)\s+by\b/ nocase
    // (a monitor or a restorer searches index pages for the phrase and reports it in HTML of its own, by mail or to a log:
    // red team S41; a defacer skipping the sites it has done searches too, and alerts no one, S41B)
    $search = /\b(stripos|strpos|stristr|strstr|preg_match|preg_match_all|substr_count|mb_stripos)\s*\([^;]{0,200}(hacked|defaced)/ nocase
    $alert = /\b(mail|wp_mail|error_log|syslog|trigger_error)\s*\(/
  condition:
    $idx and $walk and $write and $hack and not ($search and $alert)
}

rule mamori_php_session_file_reader {
  meta:
    score = 60
    technique = "credential-theft"
    description = "lists the server's session folder and reads the sess_ files in it: other visitors' sessions (logins, carts) stolen from the server"
  strings:
    // (held-out set H21's Sincap: opendir("/tmp"), each name past "sess_" opened and read into the page)
    // (each piece apart and case-sensitive: nocase, a quote class and alternations of function names made the first
    // version's strings dear timed alone over MediaWiki's PHP; compiled together the difference is under the noise)
    $dirA = /opendir\s*\(\s*.(\/var)?\/tmp\/?./
    $sess = "sess_"
    // (read, not unlinked or dated: a /tmp cleaner, red team S38S; not session_save_path, where the session handler of
    // PHP's manual reads its own sess_ files by id)
    $readA = /(fopen|file_get_contents|readfile)\s*\(\s*.\/tmp\/\$\w/
    $readB = /(fopen|file_get_contents|readfile)\s*\([^;]{0,80}sess_/
  condition:
    $dirA and $sess and ($readA or $readB) and filesize < 256KB
}

rule mamori_php_zlib_wrapper_bypass {
  meta:
    score = 75
    technique = "file-manager"
    description = "reads a file the request names through the compress.zlib:// wrapper, the old way around safe_mode and open_basedir: a file reader for a planted shell"
  strings:
    // (held-out set H22's Safe Mode Shell: copy("compress.zlib://" . $file, $temp) of $_GET['file'], then printed;
    // a log viewer reading .gz logs the same way names neither safe_mode nor open_basedir)
    // (copied to a temporary file, as the bypass does: log viewers, backup viewers and CSV imports read .gz files with
    // file_get_contents, fopen or readfile, red team S38S)
    $zlib = /\bcopy\s*\(\s*["']compress\.zlib:\/\/["']\s*\.\s*\$\w{1,40}\s*,\s*\$\w{1,40}\s*\)/
    $temp = /\btempnam\s*\(/
    $in = /\$_(GET|POST|REQUEST|COOKIE)\s*\[/
    $sm = /safe_mode|open_basedir/
  condition:
    $zlib and $temp and $in and $sm and filesize < 64KB
}

rule mamori_php_neighbour_configs {
  meta:
    score = 80
    technique = "credential-theft"
    description = "reads the server's accounts (/etc/passwd, posix_getpwuid) and links or reads each one's CMS configuration file: a config grabber on shared hosting"
  strings:
    // (held-out set H40: IndiShell's mass password changer, symlink('/home/'.$u.'/public_html/wp-config.php', ..) for
    // every account of /etc/passwd, then each WordPress or Joomla database's admin rewritten: the classic config
    // grabbers' shape. Through posix_getpwuid, 'file:///etc/passwd', '/etc/'.'passwd', sprintf or a home field too, red
    // team S43R-19 to -28; not a disk, vhost or version report over the accounts' folders, S43R-1 to -6)
    $acct1 = /\/etc\/+passwd\b/
    $acct2 = /["']\/etc\/["']\s*\.\s*["']passwd["']/
    $acct3 = /\bposix_getpw(uid|nam)\s*\(/ nocase
    $cms = /(wp-config|configuration|LocalSettings|conf_global|config\.inc|settings\.inc)\.php|app\/etc\/(local\.xml|env\.php)/ nocase
    $link = /\b(sym)?link\s*\(/ nocase
    // (or a read of a configuration path built from a variable: $home . '/public_html/wp-config.php')
    $read = /\b(file_get_contents|readfile|copy|fopen|show_source|highlight_file|file)\s*\(\s*[^;]{0,40}\$[^;]{0,120}(wp-config|configuration|LocalSettings|conf_global|config\.inc)\.php/ nocase
  condition:
    any of ($acct*) and $cms and ($link or $read)
}

rule mamori_php_neighbour_sites {
  meta:
    score = 50
    technique = "recon"
    description = "lists the server's accounts from /etc/passwd and tests the permissions of each one's web folder (a neighbour finder on shared hosting; an audit does the same)"
  strings:
    // (held-out set H40: IndiShell's "directory jump tester", the accounts of /etc//////passwd whose public_html is
    // readable by others. Suspicious only: a host's own audit reads the same folders, red team S43R-1 to -6)
    $passwd = /\/etc\/+passwd\b/
    $home = /["']\/home\d?\/["']\s*\.\s*(trim\s*\(\s*)?\$/
    $site = /["']\/(public_html|www|htdocs|httpdocs)\/?[^"'\n]{0,60}["']/
    $perm = /\b(fileperms|is_readable|is_writable|is_writeable)\s*\(/ nocase
  condition:
    $passwd and $home and $site and $perm
}

rule mamori_php_root_symlink {
  meta:
    score = 80
    technique = "symlink-bypass"
    description = "links the server's root or /home into a folder the web serves, with an .htaccess or a link to browse it: every account's files served through the web (the symlink bypass of shared hosting)"
  strings:
    // (a symlink of "/" itself or of /home; a chroot builder links /usr and a path test links "/" into a temporary
    // folder, red team S43B-1, -2: so also the means to browse it, an .htaccess following links or a page's link)
    $root = /\bsymlink\s*\(\s*["']\/(home\d?\/?)?["']\s*(\.\s*["']["']\s*)?,/ nocase
    $browse = /FollowSymLinks|Options\s+\+?Indexes|\.htaccess|<a\s[^>]{0,80}href\s*=/ nocase
  condition:
    $root and $browse
}

rule mamori_php_zoneh_notifier {
  meta:
    score = 75
    technique = "defacement"
    description = "posts defaced sites to a defacement mirror (Zone-H and its likes) under a defacer's name"
  strings:
    $zh = /(zone-h\.(org|com|net)|zone-xsec\.com|defacer\.(id|net)|haxor\.id|mirror-h\.org)\/(notify|archive\/notify|api\/notify)/ nocase
    $field = /defacer=/ nocase
    // (sent: a WAF's or scanner's list of such strings sends nothing, red team S43B-3)
    $send = /\b(curl_setopt|stream_context_create|fsockopen)\s*\(/ nocase
  condition:
    $zh and $field and $send
}

rule mamori_php_udp_flooder {
  meta:
    score = 80
    technique = "ddos"
    description = "sends a large payload to a host the request names, over and over until the clock says stop (a UDP or TCP flooder)"
  strings:
    // (session 43: a DDoS page, fsockopen of "udp://" . $host on random ports while time() < $end, a 64 KB payload. Not
    // an NTP, DNS or port check retrying within a deadline, whose packet is small, red team S43B-4 to -7)
    $sock = /\b(fsockopen|pfsockopen|stream_socket_client)\s*\(\s*(["'](udp|tcp):\/\/["']\s*\.\s*\$|"(udp|tcp):\/\/\{?\$)/ nocase
    // (or a datagram socket's sendto, red team S43B-27)
    $sock2 = /\bsocket_sendto\s*\(/ nocase
    $clock = /\b(while|for)\s*\([^;{]{0,80}\b(time|microtime)\s*\(/ nocase
    // (the classic page's while (1) { if (time() > $max) break; .. }, S43B-26)
    $clock2 = /\bif\s*\(\s*(time|microtime)\s*\([^()]{0,10}\)\s*>=?\s*\$\w{1,40}\s*\)\s*\{?\s*break/ nocase
    // (a payload of a thousand bytes or more, or one built by a loop of as many rounds)
    $load = /\b(str_repeat|random_bytes|openssl_random_pseudo_bytes)\s*\([^;()]{0,40}\b\d{4,}\s*\)/ nocase
    $load2 = /\bfor\s*\([^;]{0,30};\s*\$\w{1,40}\s*<=?\s*\d{4,}\s*;[^)]{0,30}\)\s*\{?\s*\$\w{1,40}\s*\.=/ nocase
    $in = /\$_(GET|POST|REQUEST)\s*\[/
  condition:
    ($sock or $sock2) and ($clock or $clock2) and ($load or $load2) and $in
}

rule mamori_php_booter_relay {
  meta:
    score = 75
    technique = "ddos"
    description = "hands a host, port, duration and attack method the request names to a booter's API (a DDoS panel's relay)"
  strings:
    // (session 44, H45's miss: a page posting the form's host, port, time and method to a stresser's start URL with
    // its key. Each parameter's value comes from code: a variable joined or interpolated)
    $host = /[?&](host|ip|target|victim)=["']?\s*(\.\s*(urlencode\s*\(\s*|intval\s*\(\s*|trim\s*\(\s*)?\$|\{?\$)/ nocase
    $port = /&port=["']?\s*(\.\s*(urlencode\s*\(\s*|intval\s*\(\s*)?\$|\{?\$)/ nocase
    $time = /&(time|duration|seconds|length)=["']?\s*(\.\s*(urlencode\s*\(\s*|intval\s*\(\s*)?\$|\{?\$)/ nocase
    // (the attack's method by that name: a test panel's mode or a recorder's type is not one, red team S44R fp01, fp03)
    $method = /&(method|attack)=["']?\s*(\.\s*(urlencode\s*\(\s*|strtoupper\s*\(\s*)?\$|\{?\$)/ nocase
    $fetch = /\b(file_get_contents|curl_init|curl_setopt|fopen|wp_remote_get|stream_context_create)\s*\(/ nocase
    // (and the page speaks of attacks: its methods or its verbs)
    // (not "stress test", red team S44B fp15)
    $words = /\b(attack|flood|stresser|booter|ddos|amplification|layer\s?[47])\b/ nocase
    $in = /\$_(GET|POST|REQUEST)\s*\[/
  condition:
    filesize < 256KB and $in and $fetch and $words and
    // (in any order around the host, red team S44R ev04)
    for any i in (1..#host) : ($port in (@host[i] - 400..@host[i] + 400) and $time in (@host[i] - 400..@host[i] + 400) and $method in (@host[i] - 400..@host[i] + 400))
}

rule mamori_php_cookie_logger {
  meta:
    score = 75
    technique = "credential-theft"
    description = "writes a cookie the request brings to a file with the visitor's address, then sends the visitor elsewhere (an XSS cookie stealer's drop)"
  strings:
    // (session 44, from the published shape: $_GET['c'] or ['cookie'] appended with REMOTE_ADDR to cookies.html or a
    // log, then a redirect to a fixed outside site so that the victim sees nothing)
    // (the value itself kept: assigned, joined or passed on, not compared, as a consent log's choice is)
    $ck = /\$_(GET|POST|REQUEST)\s*\[\s*["'](cookie|cookies|cookiez|cok|kuki|doc_cookie)["']\s*\]\s*[;.),]/ nocase
    // (not QUERY_STRING: an affiliate redirector logs it with the cookie it sets, red team S44B fp11)
    $c = /\$_(GET|POST|REQUEST)\s*\[\s*["'](c|ck|cc|k)["']\s*\]\s*[;.),]/
    // (the letter alone counts where what is written or where it goes says cookie)
    $label = /["'][^"'\n]{0,40}cookie|cookie[^"'\n]{0,20}\.(txt|html?|log|php)["']/ nocase
    $write = /\b(fwrite|fputs|file_put_contents|error_log)\s*\(/ nocase
    $ip = /REMOTE_ADDR|HTTP_X_FORWARDED_FOR/
    // (to a fixed site's front page, where the victim sees nothing odd: not a consent form's or a shop's way back to a
    // page of its own, red team S44R fp05, fp26)
    $away = /\bheader\s*\(\s*["']Location\s*:\s*https?:\/\/[^"'\/\s$]{3,100}\/?["']\s*\)|<meta[^>]{0,40}http-equiv\s*=\s*["']?refresh[^>]{0,80}url\s*=\s*https?:\/\/[^"'\/\s$]{3,100}\/?["']|location(\.href)?\s*=\s*["']https?:\/\/[^"'\/\s$]{3,100}\/?["']/ nocase
  condition:
    filesize < 8KB and $write and $ip and $away and ($ck or ($c and $label))
}

rule mamori_php_spam_page_self_check {
  meta:
    score = 80
    technique = "seo-spam"
    description = "asks a domain blocklist whether its own site is listed and hides behind a 404 if so, before serving a page that sends visitors on (a spammer's landing page on a hacked site)"
  strings:
    // (session 44, held-out set H49's doorway: the site's own HTTP_HOST looked up in Spamhaus's DBL, random words and a
    // redirect written as shifted character codes. An anti-spam plugin looks up the visitor's address, not the site)
    // (the host joined, interpolated, or kept in a variable first, red team S44R ev14, ev15)
    // (not a variable's: a forum's link redirector checks the target's domain, red team S44B fp13b)
    $own = /\$_SERVER\s*\[\s*["'](HTTP_HOST|SERVER_NAME)["']\s*\]\s*(\.\s*["']|\}?)\.(dbl\.spamhaus\.org|multi\.surbl\.org|black\.uribl\.com|multi\.uribl\.com)/ nocase
    $host = /\$_SERVER\s*\[\s*["'](HTTP_HOST|SERVER_NAME)["']\s*\]/
    // (the 404 the lookup's answer gives, after it; and a redirect the page makes, not a link's onclick: a dashboard
    // widget reporting the site's own listing is a look-alike, red team S44R fp07)
    $hide = /404 Not Found|http_response_code\s*\(\s*404\s*\)/ nocase
    $away = /fromCharCode|location(\.href)?\s*=\s*([A-Za-z_$][\w$]{0,40}\s*[;<]|\\?["']https?:)|location\.replace\s*\(|http-equiv\s*=\s*\\?["']?refresh|header\s*\(\s*["']Location\s*:/ nocase
  condition:
    $away and $host and for any i in (1..#own) : ($hide in (@own[i]..@own[i] + 400))
}

rule mamori_php_injected_remote_page {
  meta:
    score = 75
    technique = "seo-spam"
    description = "a theme template that prints a page fetched from a fixed address, through fallbacks and a browser's name (code injected into a theme to show another site's links)"
  strings:
    // (session 44, held-out set H49's footer.php: after wp_footer(), a fetch of a fixed URL by file_get_contents, then
    // curl, then a stream context, each as "Mozilla/5.0", and the answer echoed into every page)
    // (the template's own call of the hook, with the fetch and the print after it, as the injection is appended: a
    // widget of a theme or a plugin fetching a feed prints what it made of it, red team S44R fp08, fp09)
    $tpl = /\b(wp_footer|wp_head|get_footer|wp_body_open)\s*\(\s*\)\s*;/
    $url = /\$\w{1,40}\s*=\s*["']https?:\/\/[^"'\s]{4,200}["']\s*;/
    $inline = /\b(echo|print)\s*\(?\s*(@\s*)?\w{1,40}\s*\(\s*["']https?:\/\/[^"'\s]{4,200}["']\s*\)/
    // (or print, or a variable the fetch was kept in, or the address written in the call, red team S44R ev19 to ev21)
    $echo = /\b(echo|print)\s*\(?\s*(@\s*)?(\w{1,40}\s*\(\s*(\$\w{1,40}|["']https?:[^"'\s]{4,200}["'])\s*\)|(file_get_contents|curl_exec)\s*\(\s*["']https?:|\$\w{1,40}\s*\)?\s*;)/
    $ua = /Mozilla\/[45]\.0/
    $curl = /\bcurl_exec\s*\(/
    $fgc = /\bfile_get_contents\s*\(/
  condition:
    filesize < 128KB and $ua and $curl and $fgc and for any i in (1..#tpl) : (($url in (@tpl[i]..@tpl[i] + 1200) or $inline in (@tpl[i]..@tpl[i] + 3000)) and $echo in (@tpl[i]..@tpl[i] + 3000))
}

rule mamori_php_crawler_cloak_fixed_page {
  meta:
    score = 75
    technique = "seo-spam"
    description = "shows search engines' crawlers a page fetched from a fixed address and stops there (cloaking injected into an application's front file)"
  strings:
    // (session 44, held-out set H50: CodeIgniter's front file with a block put first, "if ($uri == '/' && (strpos($ua,
    // 'bot') !== false || strpos($ua, 'google') ..)) { echo file_get_contents('x.pages.dev/..'); exit(); }". Dynamic
    // rendering for crawlers (prerender) fetches the page asked for, its address joined with the request's)
    $ua = /HTTP_USER_AGENT/
    // (or a pattern naming them, preg_match('/bot|crawl|spider|google/i', ..), red team S44B ev03b)
    $bot = /["'](bot|google|googlebot|bingbot|yandex|baiduspider|slurp|lighthouse|chrome-lighthouse|spider|crawler)["']|googlebot\s*\||preg_match\s*\(\s*["'][^"'\n]{0,200}(bot|crawl|spider|slurp)[^"'\n]{0,200}["']\s*,/ nocase
    // (an address on another host, a domain then a path: not a counter's or a maintenance page's local file, red team
    // S44B fp01 to fp03)
    // (or readfile, and a context given beside the address, red team S44B ev01, ev04)
    $echo = /(\b(echo|print|exit|die)\s*\(?\s*(@\s*)?(file_get_contents|curl_exec|implode\s*\(\s*["']["']\s*,\s*file)|(^|[;{}\s])@?\s*readfile)\s*\(\s*["'](https?:\/\/)?[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63}){1,6}\/[^"'$\s]{0,200}["']\s*(,[^;]{0,200})?\)\s*\)?\s*;/
    // (or the page kept in a variable and printed at once, red team S44B ev02)
    $kept = /\$\w{1,40}\s*=\s*(@\s*)?(file_get_contents|curl_exec)\s*\(\s*["'](https?:\/\/)?[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63}){1,6}\/[^"'$\s]{0,200}["']\s*(,[^;]{0,200})?\)\s*;\s*(echo|print|exit|die)\s*\(?\s*\$\w{1,40}\s*\)?\s*;/
  condition:
    filesize < 512KB and $ua and for any i in (1..#bot) : ($echo in (@bot[i]..@bot[i] + 800) or $kept in (@bot[i]..@bot[i] + 800))
}

rule mamori_php_doorway_cache {
  meta:
    score = 80
    technique = "seo-spam"
    description = "serves crawlers pages kept in a hidden folder and sends search visitors to another site, refreshed from a hidden host by a shell download (a spam doorway on a hacked site)"
  strings:
    // (session 44, held-out set H51: crawlers told apart by their user agent and search visitors by their referer, the
    // pages cached under the temporary folder in "/." . md5($host), and a password-gated update running
    // "wget http://$domain/..tgz; tar -xzf" through shell_exec, the domain in base64)
    $bot = /preg_match\s*\(\s*["'][^"'\n]{0,200}(googlebot|bot\||\|bot|spider|crawler)[^"'\n]{0,200}["']\s*,\s*@?\s*\$_SERVER\s*\[\s*["']HTTP_USER_AGENT["']\s*\]/ nocase
    $se = /preg_match\s*\(\s*["'][^"'\n]{0,60}(google|bing|yahoo)[^"'\n]{0,300}["']\s*,\s*@?\s*\$_SERVER\s*\[\s*["']HTTP_REFERER["']\s*\]/ nocase
    $pull = /\b(wget|curl)\s[^"'\n;]{0,80}https?:\/\/\$\w{1,40}[^"'\n;]{0,200}(;|&&)\s*(tar\s+-?x|unzip\b)/ nocase
  condition:
    // (the shell download too: a page cache keyed by crawler and referer in dot-files is a look-alike, red team S44B fp20)
    filesize < 256KB and $bot and $se and $pull
}

rule mamori_php_wpvcd_include {
  meta:
    score = 85
    technique = "backdoor"
    description = "includes wp-vcd.php or wp-tmp.php, the files the wp-vcd malware of nulled WordPress themes plants and loads from core files"
  strings:
    // (session 44, held-out set H53: wp-includes/post.php given a first line including wp-vcd.php when it exists)
    // (the statement's own path, written as a literal after dirname(__FILE__), __DIR__ or ABSPATH: not a cleaner's list of
    // the files to delete, red team S44B fp09)
    // (and the later variants' class.theme-modules.php and class.plugin-modules.php, red team S44B ev13)
    $inc = /\b(include|require)(_once)?\s*\(?\s*((dirname\s*\(\s*__FILE__\s*\)|__DIR__|ABSPATH|get_template_directory\s*\(\s*\))\s*\.\s*)?["'][^"'\n,]{0,120}(wp-vcd|wp-tmp|class\.theme-modules|class\.plugin-modules)\.php["']/ nocase
  condition:
    $inc
}

rule mamori_php_ads_hidden_from_admins {
  meta:
    score = 80
    technique = "seo-spam"
    description = "puts other sites' scripts into every post and footer for visitors only, keeping the addresses of logged-in editors in a file so that they never see it (wp-vcd's ad injector)"
  strings:
    // (session 44, held-out set H53: wp-tmp.php records the address of anyone who can edit others' pages in
    // wp-includes/wp-feed.php, sets a cookie for logged-in users, and adds the scripts through the_content and wp_footer
    // only where the visitor's address is not in that file)
    $unseen = /str(i)?pos\s*\(\s*\$\w{1,40}\s*,\s*\$_SERVER\s*\[\s*["']REMOTE_ADDR["']\s*\]\s*\)\s*===\s*false/
    $keep = /file_put_contents\s*\(\s*ABSPATH\s*\.\s*(["']wp-includes\/|WPINC\b)/
    $editor = /current_user_can\s*\(|is_user_logged_in\s*\(/
    $hook = /add_(filter|action)\s*\(\s*["'](the_content|wp_footer|wp_head)["']/
    $script = /<script[^>]{0,120}src\s*=\s*["']?(https?:)?\/\/[^"'\s>]{4,200}/ nocase
    // (or a loader script setting a script element's src, its slashes escaped, "\/\/shigaxapo.com\/c\/..": set H54)
    $script2 = /(\.src\s*=\s*|setAttribute\s*\(\s*\\?["']src\\?["']\s*,\s*)\\?["'](https?:)?(\\?\/){2}[^"'\s]{4,200}["']/
  condition:
    filesize < 128KB and $unseen and $keep and $editor and $hook and ($script or $script2)
}

rule mamori_php_echo_remote_text {
  meta:
    score = 75
    technique = "seo-spam"
    description = "prints into the page what a fixed address on a free static host serves (spam links put into every page)"
  strings:
    // (session 44, held-out set H50: "echo file_get_contents("https://x.pages.dev/punten.txt");" added at the end of
    // CodeIgniter's core file. A .txt or an address on a host that serves anyone's pages, printed unescaped)
    // (free hosts of anyone's pages only: an ads.txt proxy, a vendor's version notice and documentation on github.io are
    // look-alikes, red team S44B fp04 to fp06)
    $echo = /\b(echo|print)\s*\(?\s*(@\s*)?file_get_contents\s*\(\s*["'](https?:\/\/)?[^"'$\s\/]{1,100}\.(pages\.dev|workers\.dev|netlify\.app|vercel\.app|web\.app|firebaseapp\.com|glitch\.me|herokuapp\.com|000webhostapp\.com)\/[^"'\s]{0,200}["']\s*\)/ nocase
    // (or a PHP, text or HTML file of a repository's raw view or a paste, fetched into a variable and printed at once,
    // set H58's CMS home module; not a README rendered as Markdown)
    $raw = /\$\w{1,40}\s*=\s*(@\s*)?file_get_contents\s*\(\s*["']https?:\/\/(raw\.githubusercontent\.com|gist\.githubusercontent\.com|pastebin\.com\/raw|paste\.ee\/r|rentry\.co)\/[^"'\s]{0,200}\.(php\d?|txt|html?)["']\s*\)\s*;\s*(echo|print)\s*\(?\s*\$\w{1,40}\s*\)?\s*;/ nocase
  condition:
    filesize < 512KB and ($echo or $raw)
}

rule mamori_php_local_root_fetch {
  meta:
    score = 80
    technique = "privilege-escalation"
    description = "downloads a local root exploit (PwnKit, Dirty Pipe, Dirty COW ...) and makes it executable from a web page"
  strings:
    // (session 44, held-out set H50's root helper: "curl -fsSL https://raw.githubusercontent.com/ly4k/PwnKit/main/PwnKit -o
    // pwn;chmod +x pwn" through a command wrapper, then a root shell page fetched beside it)
    // (an exploit's name in the address, not a CVE number a mitigation script is named after nor "les.sh" at the end of
    // rules.sh, red team S44B fp07, fp08)
    $dl = /\b(curl|wget)\s[^"'\n]{0,300}https?:\/\/[^\s"']{0,200}(pwnkit|dirty_?(cow|pipe|sock)|dirtycred|linpeas|\/les\.sh|linux-exploit-suggester|rootshell|gameoverlay|looney_?tunables|baron_?samedit)/ nocase
    $x = /chmod\s+(\+x|u\+x|[0-7]?[0-7]?7[0-7]{2})\b/
    $run = /\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(/ nocase
  condition:
    filesize < 256KB and $run and for any i in (1..#dl) : ($x in (@dl[i]..@dl[i] + 500))
}

rule mamori_php_hidden_admin_harvester {
  meta:
    score = 80
    technique = "backdoor"
    description = "hides a WordPress account from the users list and also hides itself or harvests what the site sends and sells (a planted administrator's cover)"
  strings:
    // (session 44, held-out set H49's mu-plugin: one account left out of the users list, its REST answer and its
    // author page, while the plugin hides the must-use plugins from Site Health and copies every mail and paid order
    // into options. Hiding one account alone is a published snippet agencies use for their support login: not enough)
    $hook = /add_(action|filter)\s*\(\s*["'](pre_user_query|pre_get_users|rest_user_query)["']/
    $left = /query_where\s*(\.=|=\s*str_replace\s*\()[^;]{0,240}(\bID|user_login)\s*(!=|<>|NOT\s+IN)|->\s*set\s*\(\s*["']exclude["']|\[\s*["']exclude["']\s*\]\s*\[\s*\]\s*=/
    // (itself hidden: the must-use plugins left out of Site Health's report)
    $self1 = /["']wp-mu-plugins["']\s*\]\s*\[\s*["']fields["']\s*\]/
    // (every outgoing mail copied into an option)
    $mails = /add_filter\s*\(\s*["']wp_mail["']\s*,\s*function\s*\(\s*\$\w{1,40}\s*\)\s*\{[^}]{0,400}update_option\s*\(/
    // (a paid order's customer kept in an option)
    $orders = /["']woocommerce_(payment_complete|checkout_order_processed|thankyou|order_status_completed|new_order)["']/
    $billing = /get_billing_(email|phone)\s*\(/
    $keep = /update_option\s*\(/
  condition:
    // (hiding itself and harvesting both: an agency's white-label plugin hides its account and its plugins, an order
    // retry queue keeps orders, a staging mail log keeps mail, red team S44R fp10 to fp12)
    filesize < 256KB and $hook and $left and $self1 and ($mails or ($orders and $billing and $keep and for any i in (1..#orders) : ($billing in (@orders[i]..@orders[i] + 800) and $keep in (@orders[i]..@orders[i] + 1200))))
}

rule mamori_php_login_bruteforcer {
  meta:
    score = 75
    technique = "brute-force"
    description = "goes through a list of passwords the request gives, posting each to a site's login (WordPress, its XML-RPC, cPanel, Joomla)"
  strings:
    $target = /wp-login\.php|xmlrpc\.php|wp\.getUsersBlogs|:208[237]\/login|administrator\/index\.php|\/login\/\?login_only=1/ nocase
    // (the request's list walked: foreach over its lines, or a variable made of them walked at once; the login named
    // and a POST made inside the walk, not a security plugin naming wp-login.php elsewhere, red team S43B-8, -9)
    $walk1 = /\bforeach\s*\(\s*(explode|file|preg_split)\s*\([^;]{0,40}\$_(POST|GET|REQUEST|FILES)\s*\[/ nocase
    $walk2 = /\$\w{1,40}\s*=\s*(explode|file|preg_split)\s*\([^;]{0,40}\$_(POST|GET|REQUEST|FILES)\s*\[[^;]{0,80};\s*(\$\w{1,40}\s*=[^;]{0,120};\s*){0,3}foreach\s*\(/ nocase
    $post = /CURLOPT_POSTFIELDS|CURLOPT_POST\b|["']method["']\s*=>\s*["']POST["']/
    // (and what is posted as the password is the walk's word: a bulk invite posts a generated one, red team S43B-9)
    $guess = /["'](pwd|pass|passwd|password|log_pass)["']\s*=>\s*(trim\s*\(\s*)?\$|(pwd|pass|passwd|password)=["']?\s*\.\s*(urlencode\s*\(\s*|rawurlencode\s*\(\s*)?(trim\s*\(\s*)?\$|<value>\s*(<string>\s*)?["']\s*\.\s*(htmlspecialchars\s*\(\s*)?(trim\s*\(\s*)?\$/ nocase
  condition:
    filesize < 128KB and
    for any i in (1..#walk1) : ($target in (@walk1[i]..@walk1[i] + 1500) and $post in (@walk1[i]..@walk1[i] + 1500) and $guess in (@walk1[i]..@walk1[i] + 1500)) or
    for any j in (1..#walk2) : ($target in (@walk2[j]..@walk2[j] + 1800) and $post in (@walk2[j]..@walk2[j] + 1800) and $guess in (@walk2[j]..@walk2[j] + 1800))
}

rule mamori_php_ftp_bruteforcer {
  meta:
    score = 75
    technique = "brute-force"
    description = "tries FTP or SSH logins in nested loops over lists of names and passwords the request gives (a hosting server's accounts guessed, then defaced)"
  strings:
    // (set H55's cPanel mass defacer: the request's users and passwords split into lists, each pair tried with ftp_login,
    // an index page put over every account it gets into; an FTP client page logs in once with what the form says, and a
    // deploy page walks the form's mirrors with one account of its config, red team S45R fp01 to fp04)
    // (the split list cleaned first too, array_filter(explode(..)): red team S45R)
    $list = /=\s*(array_\w{1,20}\s*\(\s*){0,2}(explode|preg_split|file)\s*\([^;]{0,40}\$_(POST|GET|REQUEST)\s*\[/ nocase
    $walk = /\bforeach\s*\(\s*(array_\w{1,20}\s*\(\s*){0,2}(explode|preg_split|file)\s*\([^;]{0,40}\$_(POST|GET|REQUEST)\s*\[/ nocase
    // (a loop in a loop, the login inside both, given two variables)
    // (foreach only: every for and while of an application would be an atom to verify)
    $nested = /\bforeach\s*\([^(){};]{1,120}\)\s*\{?\s*(\$\w{1,40}\s*=[^;]{0,80};\s*){0,2}foreach\s*\(/
    $login = /\b(ftp_login|ssh2_auth_password)\s*\(\s*\$\w{1,40}\s*,\s*(trim\s*\(\s*)?\$\w{1,40}\s*\)?\s*,\s*(trim\s*\(\s*)?\$\w{1,40}/
  condition:
    filesize < 128KB and #list + #walk >= 2 and for any i in (1..#nested) : ($login in (@nested[i]..@nested[i] + 800))
}

rule mamori_php_offscreen_code {
  meta:
    // (a weight, not a verdict alone: padding at every token boundary of a harmless page is not evidence, padding-fuzz.test.ts)
    score = 30
    technique = "injected-code"
    description = "code pushed off the screen by hundreds of blanks on its line (after the PHP tag, or after a statement): injected into a legitimate file so that an editor's window does not show it"
  strings:
    // (set H54: "<?php" then some 400 spaces, then a whole backdoor on the first line of a WordPress core file; the rest
    // of the file as it was. Code wraps its lines; nothing lays out a statement 150 columns to the right of the last)
    $tag = /<\?php[ \t]{150,}[$@A-Za-z_]/
    $after = /[;{}][ \t]{200,}(\$[A-Za-z_]|@|if\s*\(|eval|include|require|function\s|class\s)/
    // (or before a PHP tag after a closing one: red team S45R; not at any line's start, whose atoms are every
    // indented line's first blanks)
    $reopen = /\?>[ \t]{150,}<\?php/
  condition:
    any of them
}

rule mamori_php_cookie_post_xor {
  meta:
    score = 85
    technique = "backdoor"
    description = "takes the cookies and the posted fields whole, walks them, XORs what they hold with a key and runs it (eval or include): the cookie-and-POST backdoor planted on hacked WordPress sites"
  strings:
    // (set H54's five variants and H57's: Array($a, $_COOKIE, $a, $_POST, $b) walked, or $c = $_COOKIE; $p = $_POST;
    // then pack("H*", ..) or base64, XOR with a key repeated, explode on "#" and the parts called, or written to a
    // temporary file and included. Whole arrays: not $_COOKIE["x"]; comments between the tokens as the obfuscator puts
    // them; $_COOKIE + $_POST too, red team S45R)
    $ck = /\$_COOKIE\s*(\/\*[^*]{0,40}\*\/\s*)?[,);+]/
    $po = /\$_POST\s*(\/\*[^*]{0,40}\*\/\s*)?[,);]/
    // (what is walked is a variable or what a function of no argument returns, the request's arrays in it: a
    // framework's request object built from them and a CSRF mask by XOR walk nothing so, nor does a plugin loader
    // walking glob() or str_split(); red team S45R fp05, fp33, fp37)
    $walk = /\bforeach\s*(\/\*[^*]{0,40}\*\/\s*)?\(\s*(\$\w{1,40}|\w{1,40}\s*\(\s*\))\s*(\/\*[^*]{0,40}\*\/\s*)?as\b/
    $xor = /(\$\w{1,40}(\[\d{1,3}\])?|\))\s*(\/\*[^*]{0,40}\*\/\s*)?\^\s*(\/\*[^*]{0,40}\*\/\s*)?(\$|\w{1,40}\s*\()/
    // (of a variable: not a bootstrap requiring its routes)
    $run = /(^|[^\w>:$])(eval|include|include_once|require|require_once)\s*(\/\*[^*]{0,40}\*\/\s*)?(\(\s*(\/\*[^*]{0,40}\*\/\s*)?)?\$/
  condition:
    filesize < 1MB and for any i in (1..#ck) : (
      (for any j in (1..#po) : (@po[j] + 400 > @ck[i] and @po[j] < @ck[i] + 400)) and
      (for any w in (1..#walk) : (@walk[w] + 3000 > @ck[i] and @walk[w] < @ck[i] + 3000)) and
      (for any x in (1..#xor) : (@xor[x] + 3000 > @ck[i] and @xor[x] < @ck[i] + 3000)) and
      (for any r in (1..#run) : (@run[r] + 3000 > @ck[i] and @run[r] < @ck[i] + 3000)))
}

rule mamori_php_split_cookie_eval {
  meta:
    score = 85
    technique = "backdoor"
    description = "a backdoor taken apart into one-line functions: one returns the cookie (or field) it is given the name of, one XORs two strings, one evals its argument"
  strings:
    // (set H54's wp-block.php: some twenty functions of one statement each, a key hashed with SHA-256, the cookie
    // rawurldecoded and XORed with it, the result evaled; each piece alone is a cookie getter or a helper)
    $eval = /function\s+\w{1,40}\s*\(\s*\$\w{1,40}\s*\)\s*\{\s*(@\s*)?eval\s*\(\s*\$\w{1,40}\s*\)\s*;\s*\}/ nocase
    $get = /function\s+\w{1,40}\s*\(\s*\$\w{1,40}\s*\)\s*\{\s*(\$\w{1,40}\s*=\s*|return\s+)(@\s*)?\$_(COOKIE|POST|GET|REQUEST|SERVER)\s*\[\s*\$\w{1,40}\s*\]\s*;/ nocase
    $xor = /function\s+\w{1,40}\s*\(\s*\$\w{1,40}\s*,\s*\$\w{1,40}\s*\)\s*\{\s*(\$\w{1,40}\s*=\s*|return\s+)\$\w{1,40}\s*\^\s*\$\w{1,40}\s*;/ nocase
    // (and a key made for the XOR: hashed, then stretched to the data's length; an old CMS's helpers of one line each,
    // a cookie getter, an XOR and an admin's PHP block evaled, make none, red team S45R fp08)
    $hash = /\b(hash|hash_hmac|md5|sha1)\s*\(/ nocase
    $stretch = /\b(str_pad|str_repeat)\s*\(/ nocase
  condition:
    filesize < 128KB and $eval and $get and $xor and $hash and $stretch
}

rule mamori_php_create_function_inflated {
  meta:
    score = 80
    technique = "obfuscation"
    description = "inflates or decodes a payload and makes it a function with create_function('', ..) to call: code hidden in data, run without eval"
  strings:
    // (set H56's password-keyed Magento loader: a blob decoded, each byte shifted by a key the post or a cookie gives,
    // gzinflated, then create_function('', $code) and called; a function body no one can read is the payload)
    // (an empty or blank argument list: create_function(' ', ..) too, red team S45R)
    $cf = /create_function\s*\(\s*(''|""|'\s+'|"\s+")\s*,\s*(@\s*)?\$\w{1,40}\s*\)/ nocase
    // (the inflated payload given a name just before: an old library that inflates its archive in one place and makes a
    // lambda in another is not this, red team S45R fp09, fp32)
    $inflate = /\$\w{1,40}\s*=\s*(@\s*)?\\?(gzinflate|gzuncompress|gzdecode|bzdecompress)\s*\(/ nocase
    // (and the payload decrypted byte by byte with a key first, chr(ord($d[$i]) - ord($k[$i])): an old zip reader that
    // inflates an entry and makes a PHP 4 callback a few lines later decrypts nothing, red team S45R fp09)
    $crypt = /chr\s*\(\s*\(?\s*ord\s*\([^()]{1,60}\)\s*[-+^]\s*ord\s*\(/ nocase
  condition:
    filesize < 2MB and $crypt and for any i in (1..#cf) : (for any j in (1..#inflate) : (@inflate[j] < @cf[i] and @inflate[j] + 300 > @cf[i]))
}

rule mamori_php_hidden_input_name {
  meta:
    score = 55
    technique = "obfuscation"
    description = "reads a cookie or a field whose name is hex or base64 decoded where it is read: a name no reader of the code should see"
  strings:
    // (set H56's skimmer relay: $_COOKIE[hex2bin('5F73786E74')] checked for card data, and posted on to an address
    // itself in hex; applications name their fields as they are)
    ${HIDDEN_INPUT_KEY}
  condition:
    $key
}

rule mamori_php_hidden_input_relay {
  meta:
    score = 85
    technique = "credential-theft"
    description = "reads a cookie or a field by a decoded name and sends it to an address also decoded: a skimmer's relay of card data"
  strings:
    ${HIDDEN_INPUT_KEY}
    // (the address kept so too: "http" in hex or base64)
    $addr = /(file_get_contents|fopen|curl_init|fsockopen|stream_socket_client)\s*\(\s*(hex2bin\s*\(\s*["']68747470|base64_decode\s*\(\s*["']aHR0c)/ nocase
  condition:
    $key and $addr
}

rule mamori_php_create_function_injection {
  meta:
    score = 85
    technique = "code-injection"
    description = "gives create_function a body that closes itself, '}' . $code . '//': the code runs as the function is made, an eval in disguise"
  strings:
    // (set H57's hello.php: call_user_func_array('create_function', array('', '}' . $x . '//')) with both names picked out
    // of a string of letters, $x an eval of an inflated blob; no function body starts by closing itself)
    $close = /["']\}["']\s*\.\s*\$\w{1,40}\s*\.\s*["'](\/\/|#|\/\*)["']/
    $cf = "create_function" nocase
  condition:
    $close and $cf
}

rule mamori_php_phishing_drop {
  meta:
    score = 75
    technique = "credential-theft"
    description = "mails, posts or keeps in a file a form's password or card code with the visitor's address, to a fixed mailbox, a bot or a text file (a phishing kit's drop)"
  strings:
    // (a field named for a password or a code, the whole key: not passengers, passport or shipping, red team S43B-10
    // to -12; and not a checkbox about one, password_expired, S43B-13)
    // (or a social security number: set H57's card-issuer kit asking for it with the billing address)
    // (its prefix ends in _ or -, or is one of the usual words: not bypass, red team S46B-11)
    $pw = /\$_(POST|REQUEST|GET)\s*\[\s*["']([A-Za-z]{1,12}[_-]|user|login|new|old|re|confirm|account|card|cc)?(pass|passwd|password|pwd|pword|pin|otp|cvv|ssn)\d?["']\s*\]/ nocase
    // (a card's security code, an SMS or one-time code of 3-D Secure: session 46 set H65's card and SMS drops; sent to a
    // bot only, not mailed: a shop's donation page mails its office and passes the card to its gateway, red team S46B-07)
    $card = /\$_(POST|REQUEST|GET)\s*\[\s*["']([A-Za-z]{1,12}[_-]|card|cc)?(cvc|csc|cvn|cvv2|sms_?code|otp_?code)\d?["']\s*\]/ nocase
    $who = /REMOTE_ADDR|HTTP_USER_AGENT|HTTP_X_FORWARDED_FOR|geoplugin|ip-api\.com|ipinfo\.io/
    // (to an address written in the code, or a Telegram bot's sendMessage)
    $mail = /\bmail\s*\(\s*["'][^"'@\s]{1,64}@[^"'\s]{1,100}["']\s*,/ nocase
    $mail2 = /\bmail\s*\(\s*\$[A-Za-z_]\w{0,30}\s*,/ nocase
    // (the mailbox in the kit's config file, and what was taken kept in a text file beside it: set H57)
    $log = /fopen\s*\(\s*["'][^"'\n]{1,120}\.txt["']\s*,\s*["']a/ nocase
    $to = /\$[A-Za-z_]\w{0,30}\s*=\s*["'][^"'@\s]{1,64}@[A-Za-z0-9.-]{1,100}\.[a-z]{2,10}["']\s*;/
    // (or a Telegram bot's sendMessage however its address is built, or a Discord webhook, red team S43B-39, -40)
    $tg = /api\.telegram\.org\/bot|discord(app)?\.com\/api\/webhooks\// nocase
    $tg2 = /sendMessage[^;\n]{0,200}chat_id|chat_id[^;\n]{0,200}sendMessage/
    // (and the visitor sent on: a Location header, relative too, a script or a meta refresh, S43B-33 to -35)
    $go = /header\s*\(\s*["']Location:|window\.location(\.href)?\s*=|location\.(replace|assign)\s*\(|http-equiv\s*=\s*["']?refresh/ nocase
    // (a site's own sign-up or login stores or checks the password: hashed, in its database)
    $store = /\bpassword_(hash|verify)\s*\(|\bINSERT\s+INTO\b|->\s*(prepare|query|insert|execute)\s*\(|\bmysqli?_query\s*\(|\bpg_query\s*\(|\bwp_(insert|create)_user\s*\(|\bwp_signon\s*\(/ nocase
    // (session 46, set H65: the secret written beside its name into what is kept or sent, "password: " . $_POST['password'],
    // 'password' => $password, "CVC: " and the variable, with the visitor's address, into a text file by file_put_contents(..
    // FILE_APPEND) or to a bot: kits whose fields are named otherwise (ai, pr) and that answer with JSON, not a redirect.
    // A site's own password mail or log checks the password against its database: $store)
    $input = /\$_(POST|REQUEST)\s*\[/
    // (as a label, "password: " . $p or 'password' => $p, the value itself after it: not a sentence about a password, a
    // masked one, nor a PIN that is a postcode, red team S46B-02 to -14)
    // (an array's key only with the posted value or a variable named for it: not a masked copy, nor a card passed to a
    // gateway, red team S46B-07, -10)
    $keep = /["'](pass(word)?|passwd|pwd)["']\s*=>\s*\$(_POST\s*\[|_REQUEST\s*\[|(pass(word)?|passwd|pwd|pw)\s*[,\]\)])|\b(password|passwd|pwd|cvv2?|cvc|sms[ _]?code)[ \t]{0,12}[:=][ \t]{0,12}["']\s*\.\s*\$(_POST\s*\[|_REQUEST\s*\[|\w{0,12}(pass|pwd|pw|cvv|cvc|code)\w{0,12}\s*[.;,)])/ nocase
    // (the variable named for the secret too: not a reset link after "password:", red team S46B-12)
    $said = /\b(Password|Passwd|CVV2?|CVC|SMS code)[ \t]{0,12}[:=][ \t]{0,12}[\x60*_]{0,2}\s{0,2}\{?\$\w{0,12}(pass|pwd|pw|cvv|cvc|code)\w{0,12}\}?[\x60*_]{0,2}\s{0,2}(\\n|\||[,;"])/ nocase
    $log2 = /\bfile_put_contents\s*\([^;]{1,300}FILE_APPEND/
    // (the posted secret joined into a text as it came)
    $sent = /\.\s*\$_(POST|REQUEST)\s*\[\s*["']([A-Za-z]{1,12}[_-]|user|login|account|card|cc)?(pass|passwd|password|pwd|pin|otp|cvv|cvc|ssn)\d?["']\s*\]/ nocase
  condition:
    not $store and filesize < 64KB and (
      // (to a bot, the secret in what is sent: not an alert of a failed login naming the account and the address, red team
      // S46B-01)
      ($pw and $who and $go and ($mail or ($mail2 and ($to or $log)) or (($tg or $tg2) and ($keep or $said or $sent)))) or
      // (to a bot, the visitor sent on, the secret by its label in what is sent: set H65's card step; a sign-up that tells
      // its moderators' Discord of a new member, or an alert of a failed login, sends no secret, red team S46B-01, -06)
      (($pw or $card) and $go and ($tg or $tg2) and ($keep or $said or $sent)) or
      // (kept by its label in a file, or sent to a bot or a fixed mailbox, beside the visitor's address: not a reset
      // or one-time code mailed to the visitor's own address, red team S46B-03, -04)
      ($input and $who and ($keep or $said) and ($log or $log2 or $tg or $tg2 or $mail))
    )
}

rule mamori_php_admin_maker_self_deleting {
  meta:
    score = 60
    technique = "backdoor"
    description = "makes a WordPress administrator and deletes itself: a dropped one-shot admin maker, or a recovery tool of the same shape (suspicious: look at who put it there)"
  strings:
    // (suspicious only: an agency's or a plugin vendor's admin-recovery script is the same code, red team S43B-14, -15)
    $make = /\b(wp_create_user|wp_insert_user)\s*\(/ nocase
    $admin = /set_role\s*\(\s*["']administrator["']|["']role["']\s*=>\s*["']administrator["']/ nocase
    $gone = /\bunlink\s*\(\s*(basename\s*\(\s*)?(__FILE__|\$_SERVER\s*\[\s*["']SCRIPT_FILENAME["']\s*\])\s*\)/ nocase
  condition:
    $make and $admin and $gone and filesize < 32KB
}

rule mamori_php_bot_gated_keyword_script {
  meta:
    score = 55
    technique = "seo-spam"
    description = "a doorway page: visitors who are not crawlers get a script from another server handed the page's search phrase (it sends them on), crawlers the spam text (planted on hacked sites by the thousand; suspicious alone: a site loads its chat or consent script for people only, with a greeting, the same way, red team S46R-53, -54)"
  strings:
    // (session 46, held-out set H60: "include 'check_is_bot.php'; if(empty($is_bot)){ echo '<script>var q = \"buy viagra
    // india delhi\";</script><script src=\"http://other.host/core/jscs.min.js\">'; }" on top of keyword-stuffed pages.
    // A site that skips its analytics for crawlers hands the script an id, not a phrase of words)
    ${BOT_GATE}
    $phrase = /<script[^>]{0,80}>\s*var\s+\w{1,20}\s*=\s*\\?["'][a-z0-9]{2,30}( [a-z0-9]{1,30}){1,10}\\?["']\s*;?\s*<\/script>/ nocase
    $remote = /<script[^>]{0,80}src\s*=\s*\\?["']https?:\/\/[^"'\s\\]{4,200}\.js\\?["']/ nocase
  condition:
    filesize < 256KB and for any i in (1..#gate) : ($phrase in (@gate[i]..@gate[i] + 400) and $remote in (@gate[i]..@gate[i] + 600))
}

rule mamori_php_doorway_generated_name {
  meta:
    score = 30
    technique = "seo-spam"
    description = "a page named as doorway generators name them (the search phrase in words, then numbers: cheap-pills-online.12345_678.php) that tells crawlers from people"
  strings:
    // (session 46, held-out set H60's four doorways: amoxicillin-treat-staph.36447_882.php and the like, each with the
    // bot check of mamori_php_bot_gated_keyword_script; together they are malicious)
    ${BOT_GATE}
  condition:
    filename matches /^[a-z0-9]{1,30}(-[a-z0-9]{1,30}){1,10}\.[0-9]{3,7}_[0-9]{1,5}\.php$/ and $gate
}

rule mamori_php_google_cloak_local_page {
  meta:
    score = 55
    technique = "seo-spam"
    description = "shows Google, told apart by its crawlers' names, its address ranges or its reverse DNS, a fixed page of its own and stops, before the application's front file runs (cloaking put in front of a site; suspicious: dynamic rendering of a script-built home page serves crawlers a fixed snapshot so, red team S46R-52)"
  strings:
    // (session 46, held-out set H62: a Laravel public/index.php with a block put first that checks Googlebot's names,
    // Google's published ranges and gethostbyaddr, then readfile(__DIR__ . '/license.html'); exit; everyone else gets the
    // site. A site verifying Googlebot to spare it a rate limit lets it through to the application; a prerender
    // serves the page asked for)
    $bot = /["']Googlebot["']/ nocase
    $verify = /["']66\.249\.64\.0\/19["']|\bgethostbyaddr\s*\([^;]{0,200};[^}]{0,400}googlebot\.com/ nocase
    $serve = /\b(readfile|include|require|include_once|require_once|echo\s+file_get_contents|print\s+file_get_contents)\s*\(?\s*(__DIR__|dirname\s*\(\s*__FILE__\s*\))\s*\.\s*["']\/[\w.\/-]{1,80}\.(html?|txt)["']\s*\)?\s*;/ nocase
    $stop = /\b(exit|die)\s*(\(\s*\)|;)/
    $front = /LARAVEL_START|vendor\/autoload\.php["']|wp-blog-header\.php["']|system\/core\/CodeIgniter\.php|\$kernel\s*=\s*\$app\s*->\s*make/
  condition:
    filesize < 64KB and $bot and $verify and for any i in (1..#serve) : ($stop in (@serve[i]..@serve[i] + 300) and @front[#front] > @serve[i])
}

rule mamori_php_wpvcd_link_injector {
  meta:
    score = 85
    technique = "seo-spam"
    description = "a block put in a theme that, given a fixed password in the request, writes links into the site's posts and makes doorway pages in a table of its own (the first form of WP-VCD, WP_URL_CD)"
  strings:
    // (session 46, held-out set H63: on top of a theme's functions.php, "if ($_REQUEST['password'] == '2b7a..')" then
    // actions that list the posts, put the request's text in a div of its own in post_content by UPDATE, and keep
    // pages in {prefix}datalist. A cleaner that lists the marker to remove it takes no password from the request)
    $gate = /\$_(REQUEST|POST|GET)\s*\[\s*["']password["']\s*\]\s*==\s*["'][0-9a-f]{32}["']/ nocase
    $mark = /<div id=\\?["']wp_cd_code\\?["']>|WP_URL_CD/
    $update = /UPDATE\s+[\x60"']?\s*["']?\s*\.?\s*\$wpdb\s*->\s*prefix\s*\.\s*["']posts[\x60"']?\s*[\x60"']?\s*SET\s+[\x60"']?post_content/ nocase
  condition:
    filesize < 1MB and $gate and $mark and $update
}

rule mamori_php_post_key_dropper {
  meta:
    score = 85
    technique = "dropper"
    description = "walks the posted fields for one whose name has a fixed length, decodes its value with that name as the key (XOR, stretched to its length), and writes what it holds as a PHP file where the server runs it (a dropper planted on hacked hosting accounts)"
  strings:
    // (session 46, held-out set H64: foreach ($_POST as $k => $v) if (strlen($k) == 16), the value str_rot13'd,
    // rawurldecode'd and split, XORed with a GUID and the key str_repeat'ed to its length, unserialized, then written as
    // a random .php in a random writable folder under the document root and its address printed)
    // (or the length kept in a variable first, $n = strlen($k); if ($n == 16): set H66's copy, split into functions)
    $walk = /\bforeach\s*\(\s*\$_(POST|COOKIE|REQUEST)\s+as\s+\$\w{1,40}\s*=>\s*\$\w{1,40}\s*\)\s*\{?\s*(\$\w{1,40}\s*=\s*strlen\s*\(\s*\$\w{1,40}\s*\)\s*;\s*)?if\s*\(\s*(strlen\s*\(\s*\$\w{1,40}\s*\)|\$\w{1,40})\s*==\s*\d{1,3}\s*\)/
    $stretch = /\bstr_repeat\s*\(\s*\$\w{1,40}\s*,\s*\(?\s*(count|strlen)\s*\(/
    $xor = /\$\w{1,40}\s*\^\s*\$\w{1,40}\s*\[\s*\$\w{1,40}\s*%\s*strlen\s*\(/
  condition:
    filesize < 64KB and $walk and $stretch and $xor
}

rule mamori_php_spam_mailer_evasion {
  meta:
    score = 75
    technique = "mailer"
    description = "a bulk mailer that hides its links behind an anonymous open redirect or a URL shortener and checks its own server against spam blocklists before sending (a spam kit's sending core)"
  strings:
    // (session 46, held-out set H65's V1P3RBOX core: links put behind href.li or a shortener's page, the server's
    // address looked up in some fifty DNS blocklists, PHPMailer sending with SMTP rotation. A newsletter tool tracks
    // its own links, and a mail server's admin page checking blocklists sends nothing)
    // (the redirect put in front of a link the code holds, not a fixed link of a page's own, red team S46B-17)
    $hide = /["']https?:\/\/(href\.li\/\?|anonym\.to\/\?)["']\s*\.\s*\$|["']https?:\/\/(www\.shorturl\.at\/shortener\.php|tinyurl\.com\/api-create\.php|is\.gd\/create\.php)/ nocase
    $bl1 = "zen.spamhaus.org" nocase
    $bl2 = "b.barracudacentral.org" nocase
    $bl3 = "bl.spamcop.net" nocase
    $bl4 = "dnsbl.sorbs.net" nocase
    $send = /->\s*(Send|smtpConnect)\s*\(\s*\)|\bmail\s*\(\s*\$/
  condition:
    filesize < 512KB and $hide and 3 of ($bl*) and $send
}

rule mamori_php_gettype_count_gate {
  meta:
    score = 80
    technique = "backdoor"
    description = "runs functions named by the elements of a request array (the cookies, through $GLOBALS) once that array holds its own type and size as a value, in_array(gettype($c) . count($c), $c): a backdoor's password-free key"
  strings:
    // (session 46, held-out sets H64 and H66: a fake core class and a comment-stuffed index.php, the array checked to
    // hold "array18" or "array20", then $f[1]($f[3]) of its elements; no application asks an array for its own type.
    // The gate alone: a pattern for the calls, a dollar sign then an index, was read at every variable, 1.5% of a scan)
    $gate = /\bin_array\s*\(\s*gettype\s*\(\s*\$\w{1,40}\s*\)\s*\.\s*(count\s*\(\s*\$\w{1,40}\s*\)|\$\w{1,40})\s*,\s*\$\w{1,40}\s*\)/ nocase
  condition:
    filesize < 1MB and $gate
}

rule mamori_php_search_doorway {
  meta:
    score = 75
    technique = "seo-spam"
    description = "shows search engines' crawlers pages fetched from another site and sends visitors arriving from a search elsewhere (a search-spam doorway, the 'keyword hack')"
  strings:
    // (a crawler named, its page fetched from a URL; and a visitor whose referer is a search sent away at once: an AMP
    // plugin or a country blocker redirects by device or country, red team S43B-16, -17)
    $bot = /googlebot|bingbot|baiduspider|yandexbot|slurp/ nocase
    $fetch = /\b(file_get_contents|curl_init|fopen)\s*\(\s*["']https?:\/\/[^"'\s]{4,200}["']?\s*\./ nocase
    $refgo = /HTTP_REFERER[^;{}]{0,200}\)\s*\)?\s*\{?\s*(@\s*)?header\s*\(\s*["']Location:\s*https?:\/\// nocase
  condition:
    $bot and $fetch and $refgo and filesize < 128KB
}

rule mamori_php_include_escaped_path {
  meta:
    score = 80
    technique = "backdoor"
    description = "includes a file named in octal or hex escapes, or an image, icon, PDF or font, as PHP: the loader planted at the top of wp-config.php or index.php for code hidden in a .ico"
  strings:
    // (a path spelt "\057home\057..\057favicon_1a2b.ico" or "\x2fhome..": no application writes its include so)
    // (the statement, not a method of that name: Symfony's views call $this->include('icon.svg'))
    // (in double quotes, where PHP reads the escapes, a slash among them: not a Windows path in single quotes with
    // folders named 2019 and 123shop, red team S43C)
    $esc = /(^|[^>:$\w])(include|require)(_once)?\s*\(?\s*"[^"\n]{0,60}(\\057|\\x2[Ff])[^"\n]{0,40}(\\[0-7]{3}|\\x[0-9A-Fa-f]{2})[^"\n]{0,200}"/
    // (a literal path to an icon or an image, not one built from a variable: a template engine's includes are .php; not
    // an SVG, which a page includes to inline it)
    // (or a PDF, a font or a sound: set H66's wp-blog-header.php requiring mlogsd.pdf and git.pdf)
    $img = /(^|[^>:$\w])(include|require)(_once)?\s*\(?\s*["'][^"'\n$]{1,200}\.(ico|png|jpe?g|gif|bmp|webp|otc|pdf|ttf|woff2?|mp3)["']\s*\)?\s*;/ nocase
    // (or a hidden file by an absolute path, "/home/u/site/x/.c947de03.otc": the loader of set H54's hacked sites, which
    // hides the code a dot-file away in a folder of its own; not a file of PHP, "/etc/app/.config.php")
    // (a random name, letters and digits with a digit among them: not .maintenance.txt, a cache's .pages.json, red team
    // S45R fp18, fp19)
    $hidden = /(^|[^>:$\w])(include|require)(_once)?\s*\(?\s*["']\/[^"'\n$]{1,200}\/\.[a-z]{0,20}[0-9][a-z0-9]{4,40}\.[a-z0-9]{2,5}["']\s*\)?\s*;/ nocase
    // (or that path kept in a variable first, $f = "/home/u/.c947de03.otc"; @include($f): red team S45R i01)
    $hiddenvar = /\$\w{1,40}\s*=\s*["']\/[^"'\n$]{1,200}\/\.[a-z]{0,20}[0-9][a-z0-9]{4,40}\.[a-z0-9]{2,5}["']\s*;\s*(@\s*)?(include|require)(_once)?\s*\(?\s*\$\w{1,40}\s*\)?\s*;/ nocase
    // (or an absolute path with escapes in it kept in a variable, then included, behind an isset() of it and a comment:
    // session 46 set H64's cPanel-wide loader, $raw0x = "/hom\x654/../.\x6516611\x653.css"; if (isset($raw0x)){
    // @include_once /* p */ ($raw0x); })
    // (or any short condition, if (119 * 24): set H66)
    $escvar = /\$\w{1,40}\s*=\s*"\/[^"\n$]{0,200}(\\x[0-9A-Fa-f]{2}|\\[0-7]{3})[^"\n$]{0,200}"\s*;\s*(if\s*\([^;{}()\n]{0,60}(\([^;{}()\n]{0,60}\))?[^;{}()\n]{0,20}\)\s*\{?\s*)?(@\s*)?(include|require)(_once)?\s*(\/\*[^*\n]{0,40}\*\/\s*)?\(?\s*\$\w{1,40}\s*\)?\s*;/
    // (or the name itself decoded where it is included, include_once base64_decode("SUpN..."): set H54)
    // (not urldecode: a router includes a page named by a percent-encoded literal, red team S45R fp35)
    $decoded = /(^|[^>:$\w])(include|require)(_once)?\s*\(?\s*\\?(base64_decode|str_rot13|strrev|hex2bin|gzinflate|convert_uudecode)\s*\(\s*["']/ nocase
    // (or the path picked character by character out of a table, require_once $t[25+28].$t[3+13]..: set H54's loader of
    // an .m3u, its table range("~", " "), between comments of junk; an application joins a folder and a name)
    // (each pick by a number or a sum of two: a date path of six named parts is not this, red team S45R fp20)
    $picked = /(^|[^>:$\w])(include|require)(_once)?\s*\(?\s*(\$\w{1,40}\s*[\[{]\s*\d{1,4}(\s*[-+*]\s*\d{1,4})?\s*[\]}]\s*\.\s*){6}/ nocase
  condition:
    any of them
}

rule mamori_php_download_to_shell {
  meta:
    score = 85
    technique = "persistence"
    description = "installs a crontab line that downloads a script and pipes it to a shell: whatever that server sends runs again and again"
  strings:
    // (a download piped to a shell run once is mamori_php_shell_fetch_run's, with its https nuance for vendors'
    // installers, S36A-15; put in the crontab it is a miner's or a dropper's persistence whatever the scheme)
    $run = /\b(exec|system|shell_exec|passthru|popen|proc_open)\s*\(/ nocase
    $cron = /crontab\s+-(\s|["'\x60])|\|\s*crontab\b/
    // (the download in a crontab line, its schedule before it: a crontab manager that also prints an install line holds
    // none, red team S43C)
    $line = /(^|["'\s])(\*|\d{1,2}|\*\/\d{1,2})(\s+(\*|\d{1,2}(-\d{1,2})?|\*\/\d{1,2})){4}\s+[^\n"']{0,80}\b(curl|wget)\s[^"'\n|;]{0,200}\|\s*(sudo\s+)?(ba|da|z)?sh\b/
  condition:
    $line and $cron and $run
}

rule mamori_php_cms_file_infector {
  meta:
    score = 85
    technique = "backdoor"
    description = "writes code fetched from another server into every theme's functions.php, plugin or index file it globs (an infector spreading through a CMS, wp-vcd's shape)"
  strings:
    // (a wildcard over the themes or plugins, or over folders: every theme's functions.php; not a theme's own
    // inc/*.php autoloader nor a plugin reading its files' headers, red team S43C-6, -7)
    $glob = /\bglob\s*\([^;]{0,160}((themes|plugins)\/\*\/[^;'"]{0,60}\.php|\*\/(functions|index|wp-config)\.php)/
    $write = /\b(file_put_contents|fwrite|fputs)\s*\(/
    $remote = /\b(file_get_contents|curl_init|fopen|file)\s*\(\s*["']https?:\/\/[^"'\s]{4,300}["']/
  condition:
    $glob and $write and $remote and filesize < 128KB
}

rule mamori_php_gated_upload_include {
  meta:
    score = 80
    technique = "backdoor"
    description = "includes a file from an upload, image or temporary folder when the request carries a cookie or field: a backdoor's trigger planted in an application's own file"
  strings:
    // (held-out set H43: a Symfony config.php given "if (isset($_COOKIE['abc'])) { include_once dirname(__FILE__) .
    // '/uploads/suffer.php'; }" at its top. The include right inside the test; the folder one where uploads land)
    // (the request's own fields, not the server's $_SERVER['HTTPS']; folders where uploads land, not an application's
    // files/ or tmp/, red team S43C)
    $gated = /\bif\s*\(\s*(isset|!\s*empty|array_key_exists)\s*\([^()]{0,40}\$_(COOKIE|GET|POST|REQUEST)\s*\[[^\]\n]{1,60}\]\s*\)\s*\)\s*\{?\s*(@\s*)?(include|require)(_once)?\b[^;\n]{0,200}\/(uploads?|images?|img|media)\/[^;'"\n]{0,100}\.(php\d?|phtml|inc|txt|jpe?g|png|gif|ico)["']/ nocase
  condition:
    $gated
}

rule mamori_php_remote_code_via_temp_file {
  meta:
    score = 85
    technique = "remote-code"
    description = "fetches code from a URL, writes it to a temporary file and includes it: the code is whatever that server sends"
  strings:
    // (held-out set H45: MMCT's loader, file_get_contents or curl of a .txt on a CDN, "<?php" put in front, tempnam,
    // file_put_contents, include, unlink)
    // (code from where code is kept as text: a .txt or .php address, a raw file of a repository or a paste, a CDN's view
    // of a repository; not an exchange rate, an update check or a template repository's JSON, red team S43D-1 to -5)
    $url = /["']https?:\/\/[^"'\s]{4,300}(\.(txt|php\d?|phtml|inc)(\?[^"'\s]{0,100})?["']|raw\.githubusercontent\.com|gist\.githubusercontent\.com|pastebin\.com\/raw|cdn\.jsdelivr\.net\/gh\/|\/raw\/)/
    $fetch = /\b(file_get_contents|curl_exec|stream_get_contents|fread)\s*\(/
    $tmp = /\$\w{1,40}\s*=\s*(@\s*)?tempnam\s*\(/
    // (or "<?php" put in front as it is written, fwrite($h, "<?php\n" . $code): WP-VCD's theme_temp_setup, set H54)
    $put = /\b(file_put_contents|fwrite|fputs)\s*\(\s*\$\w{1,40}\s*,\s*(["']<\?php[^"']{0,8}["']\s*\.\s*(PHP_EOL\s*\.\s*)?)?\$/
    // (or the variable in quotes, require_once "$t", red team S44R ev42)
    $inc = /\b(include|require)(_once)?\s*(\(\s*)?"?\$\w{1,40}"?\s*(\)\s*)?;/
    // (in a larger file, the address given to the fetch itself: not a docs address in a constant beside a template
    // engine's compiled temp file, red team S45R fp38; WP-VCD's own fetcher too, file_get_contents_tcurl("http://.."))
    $fetchurl = /\b(file_get_contents\w{0,20}|curl_init|fopen)\s*\(\s*["']https?:\/\/[^"'\s]{4,300}["']/
  condition:
    // (in a larger file, the address within 3 KB of the temporary file: WP-VCD's block at the top of a theme's
    // functions.php of any size, set H54)
    $url and $fetch and filesize < 4MB and for any i in (1..#tmp) : ($put in (@tmp[i]..@tmp[i] + 300) and $inc in (@tmp[i]..@tmp[i] + 500) and
      (filesize < 64KB or for any k in (1..#fetchurl) : (@fetchurl[k] + 3000 > @tmp[i] and @fetchurl[k] < @tmp[i] + 3000)))
}
`;