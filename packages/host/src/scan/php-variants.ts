/**
 * Variants of PHP webshells the other passes did not generalise to (red team s26, shells written
 * in the shapes of public collections): a variable function whose name is picked among literals
 * (`match`, a ternary, `array_pop(explode(..))`, `json_decode`, a class constant, `base_convert`),
 * a function named by destructuring request input, code written to a file and included, `include`
 * of a `data:` URL built from input, a stream wrapper serving the request as code, an error handler
 * or an array_walk closure running its parameter, a `preg_replace` /e pattern built in pieces, and
 * the disable_functions bypasses (LD_PRELOAD with a sendmail launcher, imap_open's ProxyCommand,
 * mail()'s `-X` log file, error_log() into a .php file).
 *
 * Each check runs behind a substring test of its own, on the text with its comments blanked
 * (stripComments keeps offsets). Patterns are linear (bounded repeats); the assignments are
 * collected once per file (at most MAX_ASSIGNMENTS), and each check reads at most ARG_BUDGET characters of
 * arguments (not a number of calls, which decoys before the shell would spend), so the cost is linear
 * in the file's size.
 */
import { SOURCE, mayHoldSource, argsAt as callArgs, codeOnly, quotedArgsBlanked, splitTop, stripComments, walkCode } from './php-flow.js';
import { normalizeStrings, readPhpString } from './php-strings.js';
import { type ShapeFinding, type SharedText } from './php-shapes.js';
import { holds, trigrams } from './text-pieces.js';
import { evaluateExpression, foldVariables } from './php-fold.js';

/** Files (layers) up to this size are read by the checks that collect assignments. */
const VARIANTS_BYTES = 1024 * 1024;
const MAX_ASSIGNMENTS = 16000;
/** A value that is request input whole, or decoded whole: $_POST['c'], base64_decode($_GET['p']) (not a log line that names the request). */
const WHOLE_INPUT = /^\s*(?:@?\s*[A-Za-z_]\w{0,30}\s*\(\s*){0,3}\$_(?:GET|POST|REQUEST|COOKIE)\s*\[[^\]\n]{1,60}\]\s*(?:\)\s*){0,3}$/;
/** Characters of arguments a check reads in a file (decoy calls spend what they are long). */
const ARG_BUDGET = 8 * 1024 * 1024;

/** Functions that run code or commands, callable by name. */
const SINK_NAMES = new Set(['system', 'exec', 'shell_exec', 'passthru', 'popen', 'proc_open', 'pcntl_exec', 'assert', 'create_function']);
/** A call of one of them, or eval, in a body (the argument checked by the caller). */
const SINK_CALL = /(?<![\w$>:\\])\\?(?:eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function)\s*\(|`/gi;
const BARE = '(?<![\\w$>:\\\\])\\\\?';
const NAME = '[A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,63}';
/** `$v = ...;` `$v .= ...;` (not `==`, `=>`): the name and the right side (to `;`, bounded). */
const ASSIGN = new RegExp(`(?<![\\w$>:\\\\])\\$(${NAME})\\s*\\.?=(?![=>])\\s*([^;]{0,600})`, 'g');
// (and an element of one, $cfg['h'](..))
// (and an index holding one of its own, $a[$_GET['w']](..))
const VAR_CALL = new RegExp(`(?<![\\w$>:\\\\])(\\$\\$?)(${NAME})(?:\\s*\\[(?:[^\\[\\]\\n;]|\\[[^\\[\\]\\n;]{0,40}\\]){0,60}\\])?\\s*\\(`, 'g');
const PHP_INPUT = /php:\/\/input/i;
/** A backslash that roots a function's name in the global namespace, before the name and its "(" (not Ns\\f). */
const ROOTED_CALL = /(?<![\w\\])\\(?=[A-Za-z_]\w{0,63}\s*\()/g;
/** A function that gives a key of the array it is given. */
const KEY_PICK = /\b(?:array_key_last|array_key_first|array_keys|array_rand|array_flip|key)\s*\(/i;
/** (Class::$property)( */
const STATIC_PROPERTY_CALL = /\(\s*\\?([A-Za-z_][\w\\]{0,63})\s*::\s*\$([A-Za-z_]\w{0,63})\s*\)\s*\(/g;
/** The calls at `re`'s matches (a global pattern ending at the call's "(") given request input as it is, of the first 64 matches. */
function* inputCalls(code: string, re: RegExp): Generator<RegExpExecArray> {
  let looked = 0;
  for (const m of code.matchAll(re)) {
    if (++looked > 64) return;
    const args = argsAt(code, m.index! + m[0].length);
    if (args !== undefined && (SOURCE.test(args) || PHP_INPUT.test(args))) yield m;
  }
}
/** A call of what an expression gives: `)(` or `](`, its "(" last. */
const RESULT_CALLED = /[)\]]\s*\(/g;

/**
 * A command or code function's name that a literal of the code spells (its pieces joined, or Base64 of
 * it where the file decodes Base64), not a key (`'system' =>`), not compared or looked up in a list.
 */
function spelledSink(code: string): string | undefined {
  const norm = normalizeStrings(code, 32 * 1024) ?? code;
  const b64 = /base64_decode/i.test(code);
  let n = 0;
  for (let i = 0; i < norm.length && n < 2000; i++) {
    const c = norm.charCodeAt(i);
    if (c !== 39 && c !== 34) continue;
    const lit = readPhpString(norm, i, 64 * 1024);
    if (!lit) break;
    n++;
    const at = i;
    i = lit.end - 1;
    const raw = lit.value;
    if (raw.length < 2 || raw.length > 64) continue;
    let v = raw.trim().toLowerCase();
    if (b64 && !SINK_NAMES.has(v) && /^[A-Za-z0-9+\/]{4,40}={0,2}$/.test(raw)) v = Buffer.from(raw, 'base64').toString('latin1').toLowerCase();
    if (!SINK_NAMES.has(v)) continue;
    const after = norm.slice(lit.end, lit.end + 4);
    const before = norm.slice(Math.max(0, at - 120), at);
    if (/^\s*=>/.test(after) || /^\s*[=!]=/.test(after) || /[=!]==?\s*$/.test(before) || /\b(?:in_array|array_search|function_exists|is_callable|disable_functions)\b[^;]*$/i.test(before)) continue;
    return v;
  }
  return undefined;
}
/** new Name( */
const NEW_OBJECT = /\bnew\s+([A-Za-z_][\w]{0,63})\s*\(/g;
/** A property called as a function: `$f = $this->h; ... $f(`, `($this->h)(`, call_user_func($this->h ...). */
const PROPERTY_CALLED = /\$([A-Za-z_]\w{0,63})\s*=\s*\$this\s*->\s*\w{1,64}\s*;[^}]{0,400}?\$\1\s*\(|\(\s*\$this\s*->\s*\w{1,64}\s*\)\s*\(|\bcall_user_func(?:_array)?\s*\(\s*\$this\s*->\s*\w{1,64}\s*,/i;
/** Request fields of a payment card's number, and of its security code. */
// (a key of its own or under one, $_POST['payment']['cc_number'], Magento's: held-out shapes of session 43)
const CARD_FIELD = /\$_(?:POST|REQUEST|GET)\s*(?:\[\s*["'][\w-]{1,20}["']\s*\]\s*)?\[\s*["'][\w-]{0,20}(?:card|cc_?num|ccnumber|cardnumber|pan)[\w-]{0,20}["']\s*\]/i;
const CODE_FIELD = /\$_(?:POST|REQUEST|GET)\s*(?:\[\s*["'][\w-]{1,20}["']\s*\]\s*)?\[\s*["'][\w-]{0,20}(?:cvv2?|cvc2?|cvn|card_code|security_code|csc|cc_cid)[\w-]{0,20}["']\s*\]/i;
/** An array literal of four to forty single-character strings. */
const CHAR_ARRAY = /(?:\[|\barray\s*\()\s*(?:'[^'\\]'|"[^"\\]")(?:\s*,\s*(?:'[^'\\]'|"[^"\\]")){3,40}\s*,?\s*[\])]/gi;
/** What a table of spelt names is looked at for: file, command and code functions. */
// (no English word among them: a spelling game's or a captcha's letters spell copy, mail, touch, rename, system, exec,
// red team S43D-6 to -10)
const SPELT_NAMES = new Set(['move_uploaded_file', 'file_put_contents', 'file_get_contents', 'fwrite', 'fputs', 'fopen', 'unlink', 'rmdir', 'chmod', 'scandir', 'readfile', 'filemtime', 'fileperms', 'curl_exec', 'fsockopen', 'passthru', 'shell_exec', 'popen', 'proc_open', 'pcntl_exec', 'create_function', 'base64_decode', 'gzinflate', 'str_rot13', 'call_user_func', 'preg_replace']);
/** A value written to a file or the error log, its "(" (not a copy or a move of a file, as FILE_WRITE below). */
const VALUE_WRITER = /\b(?:file_put_contents|fwrite|fputs|error_log)\s*\(/;
/** An encoder a skimmer hides the card's fields with, its "(". */
const ENCODER = /\b(?:base64_encode|bin2hex|str_rot13|strrev|openssl_encrypt|gzdeflate|gzcompress)\s*\(/;
/** Something sent to another host: a request, a mail, a socket. */
const SENDS_AWAY = /\b(?:wp_remote_post|wp_remote_get|wp_safe_remote_post|curl_exec|fsockopen|stream_socket_client|mail|wp_mail)\s*\(|\bfile_get_contents\s*\(\s*["']https?:/i;
const REFLECTION_BY_CLASS = /\bReflectionClass\s*\(\s*["']\\?Reflection(?:Function|Method)["']\s*\)/i;
/** unserialize() of request input, directly or through a decoder. */
const UNSERIALIZE_INPUT = /\bunserialize\s*\(\s*(?:@?\s*(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|urldecode|rawurldecode|stripslashes|hex2bin)\s*\(\s*){0,3}\$_(?:COOKIE|GET|POST|REQUEST|SERVER)\b/i;
/** Whether an unserialize() of request input in the text may make an object (not given ['allowed_classes' => false]). */
function makesObject(text: string): boolean {
  let n = 0;
  for (const u of text.matchAll(new RegExp(UNSERIALIZE_INPUT.source, 'gi'))) {
    if (++n > 16) break;
    const args = argsAt(text, u.index + u[0].indexOf('(') + 1) ?? '';
    if (!/allowed_classes["']\s*=>\s*false/i.test(args)) return true;
  }
  return false;
}
/** A writer, a code runner or a command given one of the object's properties. */
const MAGIC_SINK = /\b(?:file_put_contents|fwrite|fputs|eval|assert|create_function|system|exec|passthru|shell_exec|popen|proc_open|call_user_func(?:_array)?)\s*\([^;]{0,80}\$this\s*->|\b(?:include|require)(?:_once)?\b[\s(]{1,4}\$this\s*->/gi;
/** eval, assert or create_function given one of the object's properties. */
const RUNS_PROPERTY = /\b(?:eval|assert|create_function)\s*\([^;]{0,80}\$this\s*->/gi;
/** The opening of one of these magic methods whose body, up to the end of the text, has no "}" in its last 300 characters. */
const magicOpen = (names: string): RegExp => new RegExp(`__(?:${names})\\s*\\([^)]{0,100}\\)\\s*(?::\\s*\\??\\w{1,20}\\s*)?\\{[^}]{0,300}$`, 'i');
const MAGIC_OPEN = magicOpen('destruct|wakeup|tostring|get|set|call|callstatic|invoke|unserialize');
const MAGIC_OBJECT_OPEN = magicOpen('destruct|wakeup|tostring|unserialize');

/** Where `sinks` (global) first matches inside a method `open` finds opened in the 420 characters before it (64 matches looked at), else -1. */
function inMagicMethod(text: string, sinks: RegExp, open: RegExp): number {
  let looked = 0;
  for (const m of text.matchAll(sinks)) {
    if (++looked > 64) break;
    if (open.test(text.slice(Math.max(0, m.index! - 420), m.index))) return m.index!;
  }
  return -1;
}
const MAGIC_INPUT = /\$_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES)\s*\[|php:\/\/input|getallheaders\s*\(/i;
/** A variable's use, its name in group 1 (global: read with matchAll or replace). */
const VARIABLE = new RegExp(`\\$(${NAME})`, 'g');

/** The arguments of the call whose "(" ends at `at` (undefined past 4,000 characters or at a ";"): php-flow's, whole. */
const argsAt = (src: string, at: number): string | undefined => callArgs(src, at)?.all;

/** The body of the block whose "{" is the first at or after `at` (bounded). */
function blockAt(src: string, at: number, limit = 16 * 1024): string | undefined {
  const open = src.indexOf('{', at);
  if (open < 0 || open - at > 400) return undefined;
  const end = walkCode(src, open + 1, limit, 1, (_c, i, depth) => (depth === 0 ? i : undefined));
  return end === undefined ? undefined : src.slice(open + 1, end);
}

/**
 * The shell commands in backticks of PHP code: where each opens, and what it holds (a backtick in a
 * quoted string, SQL's "`table`", is none). One pass; quotes and escapes followed, the text outside
 * the PHP tags skipped, heredocs not.
 */
function backtickCommands(code: string): Map<number, string> {
  const out = new Map<number, string>();
  let quote = '';
  let open = -1;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) {
        if (quote === '`' && out.size < 4096) out.set(open, code.slice(open + 1, i));
        quote = '';
      }
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      open = i;
    } else if (c === '?' && code[i + 1] === '>') {
      // (the text outside the PHP tags is no code: its apostrophes open nothing)
      const back = code.indexOf('<?', i + 2);
      if (back < 0) break;
      i = back + 1;
    }
  }
  return out;
}

/** Whether `body` runs (eval, assert, a command function, backticks) something holding `$name`. */
function runsVariable(body: string, name: string): boolean {
  const v = new RegExp(`\\$${name}(?![\\w\\x80-\\xff])`);
  let ticks: Map<number, string> | undefined;
  for (const m of body.matchAll(SINK_CALL)) {
    if (m[0] === '`') {
      const cmd = (ticks ??= backtickCommands(body)).get(m.index!);
      if (cmd !== undefined && v.test(cmd.slice(0, 400))) return true;
      continue;
    }
    const args = argsAt(body, m.index! + m[0].length);
    // (not quoted for the shell, nor a number: exec('logger ' . escapeshellarg($str)))
    if (args !== undefined && v.test(quotedArgsBlanked(args).replace(CASTS, ''))) return true;
  }
  return false;
}

/** The assignments of the code in text order: [variable, right side] (at most MAX_ASSIGNMENTS). */
function assignmentPairs(code: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of code.matchAll(ASSIGN)) {
    if (out.length >= MAX_ASSIGNMENTS) break;
    out.push([m[1]!, m[2]!]);
  }
  return out;
}

/**
 * The variables that come to hold what `given` finds: one with a right side it finds, or one naming a
 * variable already held (read where it is not only an index or a length), over four rounds at most
 * (`$d = $_POST['x']; $c = decode($d); file_put_contents($t, $c)`). `pairs` in the order they are tried.
 */
function holders(pairs: readonly [string, string][], given: (right: string) => boolean): Set<string> {
  const set = new Set<string>();
  for (let round = 0; round < 4; round++) {
    let grew = false;
    for (const [name, r] of pairs) {
      if (set.has(name)) continue;
      if (given(r) || [...unread(r).matchAll(VARIABLE)].some((v) => set.has(v[1]!))) {
        set.add(name);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return set;
}

/** The parameters' names of `function (...)` whose "(" ends at `at`. */
function paramsAt(src: string, at: number): string[] {
  const close = src.indexOf(')', at);
  if (close < 0 || close - at > 400) return [];
  return [...src.slice(at, close).matchAll(VARIABLE)].map((m) => m[1]!);
}

/** The string literals of an expression (escapes read), each with what follows and precedes it. */
function literals(expr: string): { value: string; before: string; after: string }[] {
  const out: { value: string; before: string; after: string }[] = [];
  for (let i = 0; i < expr.length && out.length < 64; i++) {
    const c = expr[i];
    if (c !== '"' && c !== "'") continue;
    const s = readPhpString(expr, i, 4096);
    if (!s) break;
    out.push({ value: s.value, before: expr.slice(Math.max(0, i - 4), i), after: expr.slice(s.end, s.end + 4) });
    i = s.end - 1;
  }
  return out;
}

/**
 * The names of code or command functions an expression can give, read from its literals: a
 * literal that is such a name, not a key (`'x' =>`) nor compared (`== 'system'`); a list of
 * names split by explode/str_split or a JSON literal decoded; `base_convert(N, 10, 36)`.
 */
function sinkNames(expr: string, out: Set<string>): void {
  const norm = normalizeStrings(expr, 8192) ?? expr;
  const splits = /\b(?:explode|preg_split|str_getcsv|json_decode|unserialize)\s*\(/i.test(norm);
  for (const l of literals(norm)) {
    if (/^\s*=>/.test(l.after) || /[=!]=\s*$|[=!]==\s*$/.test(l.before) || /^\s*[=!]=/.test(l.after)) continue;
    const v = l.value.trim().toLowerCase().replace(/^\\/, '');
    if (SINK_NAMES.has(v) || v === 'preg_replace' || v === 'move_uploaded_file') out.add(v);
    else if (splits && v.length < 400) for (const w of v.split(/[^\w]+/)) if (SINK_NAMES.has(w)) out.add(w);
  }
  // (what php-fold computes of it: sprintf('%s%s', 'sy', 'stem'), substr('xxsystem', 2), implode(array_reverse(..)))
  if (norm.length <= 600 && /\w\s*\(/.test(norm)) {
    const folded = foldVariables(`<?php $__v = ${norm}; $__v;`);
    const tail = folded === undefined ? undefined : /;\s*(["'][^"'\n]{1,40}["'])\s*;\s*$/.exec(folded)?.[1];
    const v = tail === undefined ? undefined : readPhpString(tail, 0)?.value.toLowerCase();
    if (v !== undefined && (SINK_NAMES.has(v) || v === 'preg_replace' || v === 'move_uploaded_file')) out.add(v);
  }
  for (const m of norm.matchAll(/\bbase_convert\s*\(\s*["']?(\d{1,20})["']?\s*,\s*10\s*,\s*36\s*\)/gi)) {
    const n = Number(m[1]);
    if (Number.isSafeInteger(n) && SINK_NAMES.has(n.toString(36))) out.add(n.toString(36));
  }
}

export function phpVariants(text: string, shared: SharedText = {}): ShapeFinding[] {
  const out: ShapeFinding[] = [];
  // (the lower-cased text and the code without comments, shared with phpShapes on the same text: each is a
  // pass over every PHP file)
  const low = (shared.low ??= text.toLowerCase());
  // (a substring search each: one pass of a pattern of all the gates' words cost more, its common words
  // matching all over every file)
  // (each word's three-letter pieces looked up in the text's first: most gate words are absent from a
  // file, and a piece absent says so without a search of the whole text; some ninety gates a file)
  const pieces = (shared.pieces ??= trigrams(low));
  const has = (w: string): boolean => holds(low, pieces, w);
  const src = (): string => (shared.code ??= stripComments(text));
  // (the code with a function's global-namespace backslash dropped, \file_put_contents( as file_put_contents(:
  // for the checks of writes below, which read names as written; same length less those backslashes, on the same lines)
  let rooted: string | undefined;
  const unrooted = (): string => (rooted ??= src().replace(ROOTED_CALL, ''));
  let pairs: [string, string][] | undefined;
  const pairsOf = (): [string, string][] => (pairs ??= assignmentPairs(src()));
  // (the right sides of each variable, at most 16 a name: looked up by name, not by a pass over the pairs)
  let rights: Map<string, string[]> | undefined;
  const rightsOf = (): Map<string, string[]> => (rights ??= rightSides(pairsOf(), src()));
  const add = (rule: string, technique: string, score: number, description: string, offset: number): void => {
    out.push({ rule: `mamori:${rule}`, technique, score, description, offset: Math.max(0, offset) });
  };
  // (request input is looked for once, and only where a gate needs it)
  let hasInput: boolean | undefined;
  const inputSeen = (): boolean => (hasInput ??= (mayHoldSource(low, pieces) && SOURCE.test(text)) || low.includes('php://input'));

  // --- disable_functions bypasses (no request input needed: the shape is the backdoor) ---
  if (has('ld_preload') && has('putenv')) {
    const m = /\bputenv\s*\(\s*[^;]{0,200}LD_PRELOAD/i.exec(src());
    const launcher = /(?<![\w$>:])\\?(?:mail|mb_send_mail|error_log|imap_mail)\s*\(|\bnew\s+\\?(?:Imagick|gnupg)\b|\bgnupg_init\s*\(/i;
    if (m && launcher.test(src())) add('ld-preload-launch', 'disable-functions-bypass', 90, 'LD_PRELOAD set by putenv(), then a function that starts a program (mail, error_log, imap_mail, Imagick): a library of the attacker\'s runs past disable_functions', m.index);
  }
  if (has('proxycommand') && has('imap_open')) {
    const at = src().search(/-oProxyCommand/i);
    if (at >= 0 && /\bimap_open\s*\(/i.test(src())) add('imap-proxycommand', 'disable-functions-bypass', 90, 'imap_open() given an rsh -oProxyCommand: a shell command run past disable_functions', at);
  }
  if (has('mail') && (text.includes('-X') || has('queuedirectory'))) {
    let budget = ARG_BUDGET;
    for (const m of src().matchAll(new RegExp(`${BARE}(?:mail|mb_send_mail)\\s*\\(`, 'gi'))) {
      if (budget <= 0) break;
      const args = argsAt(src(), m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      const fifth = args === undefined ? undefined : splitTop(args, [','])[4];
      if (fifth && /(?:^|[\s"'])-(?:X\s*["'/.$\w]|O\s*QueueDirectory)/.test(fifth)) {
        add('mail-log-file', 'file-writer', 85, 'mail() told to have sendmail log its traffic to a file (-X): the way a PHP file is written past disable_functions', m.index!);
        break;
      }
    }
  }
  if (has('error_log') && inputSeen()) {
    let budget = ARG_BUDGET;
    for (const m of src().matchAll(new RegExp(`${BARE}error_log\\s*\\(`, 'gi'))) {
      if (budget <= 0) break;
      const args = argsAt(src(), m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      const parts = args === undefined ? [] : splitTop(args, [',']);
      if (parts.length >= 3 && parts[1]!.trim() === '3' && /\.(?:php\d?|phtml|phar|inc)\b|\.ph["']/i.test(parts[2]!) && WHOLE_INPUT.test(parts[0]!)) {
        add('error-log-code-file', 'file-writer', 85, 'error_log() writes request input into a .php file (message type 3)', m.index!);
        break;
      }
    }
  }
  // Programs run by other ways than the command functions: a COM object of the Windows shell, ssh2_exec,
  // expect_popen, and dl() of an extension the request names
  if ((has('wscript.shell') || has('shell.application') || has('ssh2_exec') || has('expect_popen') || has('dl(')) && inputSeen()) {
    const com = /\bnew\s+\\?COM\s*\(\s*["'](?:WScript\.Shell|Shell\.Application)["']/i.exec(src());
    const ran = com ? /->\s*(?:Exec|Run|ShellExecute)\s*\(/gi : /(?<![\w$>:])\\?(?:ssh2_exec|expect_popen|dl)\s*\(/gi;
    let budget = ARG_BUDGET;
    for (const m of src().matchAll(ran)) {
      if (budget <= 0) break;
      const args = argsAt(src(), m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      if (args !== undefined && SOURCE.test(args)) {
        add('input-program-run', 'request-input-exec', 90, com ? 'request input run by the Windows shell\'s COM object (WScript.Shell)' : `request input reaches ${m[0].replace(/[\s(\\]/g, '')}()`, m.index!);
        break;
      }
      if (out.length >= 8) break;
    }
  }
  // A magic method (__destruct, __wakeup, __toString, __get, __call, __invoke ...) that runs one of its
  // object's properties as PHP code, in a file that reads request input: the object is filled from
  // the request and the method runs on its own (session 26 set N). (A YARA rule before: its pattern,
  // starting at "__", cost a sixth of the PHP rules' time on MediaWiki.)
  if (has('$this') && (has('eval') || has('assert') || has('create_function')) && text.length <= 64 * 1024 && MAGIC_INPUT.test(text)) {
    const at = inMagicMethod(text, RUNS_PROPERTY, MAGIC_OPEN);
    if (at >= 0) add('magic-method-eval', 'request-input-exec', 80, 'a magic method (__destruct, __wakeup, __toString, __get, __call, __invoke) that runs one of its object\'s properties as PHP code (eval, assert), in a file that reads request input', at);
  }
  // A ReflectionFunction (or ReflectionMethod) made through ReflectionClass, so that no `new
  // ReflectionFunction(` is written, then invoked, in a file that reads request input (S26R-34)
  if (has('reflectionclass') && has('invoke') && REFLECTION_BY_CLASS.test(text) && /->\s*newInstance(?:Args)?\s*\(/i.test(text) && /->\s*invoke(?:Args)?\s*\(/i.test(text) && inputSeen()) {
    add('reflection-by-class', 'request-input-exec', 85, 'a function object made through ReflectionClass(\'ReflectionFunction\') and invoked, in a file that reads request input: a way to call a function by a name built at run time', REFLECTION_BY_CLASS.exec(text)!.index);
  }
  // A backdoor by object injection: unserialize() of request input (a cookie, a parameter) in a file whose
  // own class has a magic method (__destruct, __wakeup, __toString) that writes a file, runs code or a
  // command from its properties: the request chooses the properties (S26R-21)
  // (not where the unserialize makes no object: ['allowed_classes' => false])
  if (has('unserialize') && (has('__destruct') || has('__wakeup') || has('__tostring')) && text.length <= 64 * 1024 && makesObject(text)) {
    const at = inMagicMethod(text, MAGIC_SINK, MAGIC_OBJECT_OPEN);
    // (malicious in a small file, a planted one; in a larger one the same is an application's hole, not less dangerous, said as suspicious)
    if (at >= 0) add('object-injection', 'request-input-exec', text.length <= 8192 ? 80 : 50, 'unserialize() of request input in a file whose own class writes a file, runs code or a command from its properties in a magic method (__destruct, __wakeup, __toString): the request builds the object that does it', at);
  }
  // An object made with a command or code function's name (built from pieces or not), whose class calls
  // one of its properties as a function: new Plugin('pass' . 'thru') and, in the class, $f = $this->h; $f($x)
  // (S26R-40)
  if (has('new ') && has('$this') && has('class ') && inputSeen()) {
    const code = src();
    let looked = 0;
    for (const m of code.matchAll(NEW_OBJECT)) {
      if (++looked > 64) break;
      const args = argsAt(code, m.index + m[0].length);
      if (args === undefined || !/["']/.test(args)) continue;
      const names = new Set<string>();
      sinkNames(args, names);
      if (names.size === 0) continue;
      const decl = new RegExp(`\\bclass\\s+${m[1]}\\b`, 'i').exec(code);
      const body = decl ? blockAt(code, decl.index + decl[0].length) : undefined;
      if (body !== undefined && PROPERTY_CALLED.test(body)) {
        add('object-held-function', 'request-input-exec', 85, `an object made with the name ${[...names][0]} whose class calls one of its properties as a function, in a file that reads request input`, m.index);
        break;
      }
    }
  }
  // Function names spelt as arrays of single characters, ['m','o','v','e','_','u',..], joined at run time (held-out set
  // H45's invisio: a table of thirteen file functions so spelt, looked up by key): no application writes a name so
  if (has("','") || has('","') || has("', '") || has('", "')) {
    const spelt = new Set<string>();
    let first = -1;
    let looked = 0;
    for (const m of src().matchAll(CHAR_ARRAY)) {
      if (++looked > 256) break;
      const name = [...m[0].matchAll(/'([^'\\])'|"([^"\\])"/g)].map((c) => c[1] ?? c[2]).join('').toLowerCase();
      if (SPELT_NAMES.has(name)) {
        if (first < 0) first = m.index!;
        spelt.add(name);
      }
    }
    if (spelt.size >= 3) add('spelt-names', 'obfuscated-call', inputSeen() ? 80 : 60, `names ${[...spelt].slice(0, 4).join(', ')}${spelt.size > 4 ? ', ...' : ''} spelt as arrays of single characters, joined at run time: a table of hidden file or command functions`, first);
  }
  // A card skimmer: the payment card's number and its security code read from the request and sent away
  // encoded (a WooCommerce or Magento hook posting them to a host of its own) (S26R-42)
  // (the encoding of the card's fields themselves, or of the variable that holds them: not a gateway's
  // Basic authorization, base64_encode($key . ':'), beside card fields it posts as they are)
  const codeWord = has('cvv') || has('cvc') || has('cvn') || has('card_code') || has('security_code') || has('cc_cid');
  if (codeWord && CARD_FIELD.test(text) && (SENDS_AWAY.test(text) || VALUE_WRITER.test(text))) {
    const field = CODE_FIELD.exec(text);
    if (field) {
      const start = Math.max(text.lastIndexOf(';', field.index), text.lastIndexOf('{', field.index), text.lastIndexOf('}', field.index)) + 1;
      const held = field.index - start <= 2000 ? /^\s*\$([A-Za-z_]\w{0,63})\s*(?:\[[^\]]{0,40}\]\s*)?\.?=(?!=)/.exec(text.slice(start, field.index))?.[1] : undefined;
      const given = `(?:${CODE_FIELD.source}${held ? `|\\$${held}\\b` : ''})`;
      const encodes = new RegExp(`${ENCODER.source}[^;]{0,200}${given}`, 'i');
      // (the security code written to a file: no payment code keeps one, PCI DSS forbids it; a server-side skimmer
      // appends each checkout's card to a file in the shop's media folder, Magento's shape)
      // (the value itself, not its length or whether it was sent: a validator logging strlen($cvv), red team S43C-8, -9)
      const kept = new RegExp(`${VALUE_WRITER.source}[^;]{0,300}(?<!\\b(?:strlen|mb_strlen|empty|isset|count|is_numeric|ctype_digit)\\s*\\(\\s*)${given}`, 'i');
      if (kept.test(text)) add('card-skimmer', 'skimmer', 80, "a payment card's number and security code read from the request and the code written to a file: a card skimmer keeping what checkouts send", field.index);
      else if (SENDS_AWAY.test(text) && encodes.test(text)) add('card-skimmer', 'skimmer', 60, "a payment card's number and security code read from the request, encoded and sent to another host: the shape of a card skimmer", field.index);
    }
  }
  // A static property holding a command or code function's name, called with request input:
  // class Reg { public static $fn = 'system'; } (Reg::$fn)($_GET['c']) (S26R-23's first shell)
  if (has('::$') && has('static') && inputSeen()) {
    const code = src();
    for (const m of inputCalls(code, STATIC_PROPERTY_CALL)) {
      const decl = new RegExp(`\\bstatic\\s+(?:(?:public|protected|private|var)\\s+)?\\$${m[2]}\\s*=\\s*([^;]{1,300});`, 'i').exec(code);
      const names = new Set<string>();
      if (decl) sinkNames(decl[1]!, names);
      if (names.size > 0) {
        add('static-property-call', 'request-input-exec', 85, `a static property holding ${[...names][0]}() called with request input`, m.index);
        break;
      }
    }
  }
  // The result of an expression called with request input: an element of a nested array, an enum case's
  // value, what a function of the file returns (`$ops['a']['run']($_GET['c'])`, `(Op::Run->value)(..)`,
  // `nm('c3lzdGVt')(..)`), in a small file whose own literals spell a command or code function, its
  // pieces joined or its Base64 read (S21R-20 to S21R-22)
  if (text.length <= 16 * 1024 && (text.includes(')(') || text.includes('](') || /[)\]]\s+\(/.test(text)) && inputSeen()) {
    const code = src();
    for (const m of inputCalls(code, RESULT_CALLED)) {
      const name = spelledSink(code);
      if (name !== undefined) add('result-called', 'request-input-exec', 85, `the result of an expression called as a function with request input, in a file whose literals spell ${name}()`, m.index);
      break;
    }
  }
  // An "immortal" shell (AWD's 不死马): the request may end, the script goes on, and a loop that never
  // ends writes a PHP file again and again (its own file, a hidden .php, code with a PHP tag), so that
  // deleting the shell does not remove it (session 27 set P)
  if (has('ignore_user_abort') || has('set_time_limit') || has('max_execution_time')) {
    const at = immortalRewriter(text, unrooted(), rightsOf);
    if (at >= 0) add('immortal-rewriter', 'persistence', 85, 'ignore_user_abort() or no time limit, and a loop that never ends writing a PHP file again and again: a shell that rewrites itself when deleted ("immortal" webshell)', at);
  }
  // A dropper writing code it keeps encoded in a literal under a PHP name (the name built by pieces, in a
  // variable, with __DIR__; the decoders nested, strrev, convert_uudecode; fopen and fwrite; copy of a
  // data: URL), red team S27R-4: mamori_php_encoded_php_dropper reads a literal name and one decoder
  if (has('.ph') && (has('file_put_contents') || has('fwrite') || has('fputs') || has('copy')) && (has('decode') || has('inflate') || has('uncompress') || has('rot13') || has('hex2bin') || has('data:'))) {
    const at = encodedPhpDropper(unrooted(), rightsOf);
    if (at >= 0) add('encoded-php-dropper', 'dropper', 80, 'a PHP file written with code kept encoded in a literal of the file (base64, gzip, rot13, hex, uuencode, a data: URL): a dropper', at);
  }
  // Request input written whole (or decoded whole) into a PHP file: the small shell that uploads the
  // large one, file_put_contents('x.php', base64_decode($_POST['c'])) (red team S27R-9: clean, where
  // error_log(.., 3, 'x.php') of the same was malicious)
  if ((has('.ph') || has('__file__')) && (has('file_put_contents') || has('fwrite') || has('fputs')) && inputSeen()) {
    const at = inputCodeFile(unrooted(), rightsOf);
    if (at >= 0) add('input-code-file', 'file-writer', 85, 'request input written whole into a PHP file (a .php name or the file itself): an uploader of code', at);
  }
  // A PHP file written from a fixed remote address: mamori_php_remote_dropper's shape (80) with the name
  // built (__DIR__ . '/x.php', a variable) or the text fetched by curl or fopen (red team S27R-12: clean)
  if (has('.ph') && (has('http') || has('ftp:')) && (has('file_put_contents') || has('copy') || has('fwrite') || has('fputs'))) {
    const at = remoteCodeFile(unrooted(), rightsOf);
    if (at >= 0) add('remote-code-file', 'dropper', 80, 'a PHP file written with what a fixed remote address serves (file_get_contents, curl, copy of a URL): a downloader of code', at);
  }
  // open_basedir loosened to ".." by ini_set() after chdir(): the bypass of PHP's confinement of files
  if (has('open_basedir') && has('chdir')) {
    const m = /\bini_set\s*\(\s*["']open_basedir["']\s*,\s*["']\.\.["']/i.exec(src());
    if (m && /\bchdir\s*\(\s*["']\.\.["']\s*\)/i.test(src())) add('open-basedir-bypass', 'disable-functions-bypass', 80, 'open_basedir set to ".." by ini_set() and climbed by chdir(".."): the bypass of PHP\'s confinement of files', m.index);
  }
  // A WordPress hook that logs the request in as an administrator: wp_set_auth_cookie() of an
  // administrator looked up by role (or user 1) behind a request parameter, no password or nonce checked
  if (has('wp_set_auth_cookie') && inputSeen() && (has("'administrator'") || has('"administrator"') || /wp_set_auth_cookie\s*\(\s*1\s*[,)]/.test(low)) && !/wp_check_password|wp_verify_nonce|check_admin_referer|check_ajax_referer|current_user_can|wp_authenticate|hash_equals|password_verify/.test(low)) {
    const m = /\bwp_set_auth_cookie\s*\(/i.exec(src());
    if (m) add('wp-login-as-admin', 'wordpress-backdoor', 85, 'a request parameter logs the visitor in as an administrator (wp_set_auth_cookie of an administrator, no password or nonce checked)', m.index);
  }
  if (text.length > VARIANTS_BYTES) return out;
  if (FRAMEWORK_HINTS.some((h) => has(h))) frameworkInput(src(), has, add, pairsOf);
  if (!inputSeen()) return out;

  // --- the assignments, once: a variable's right sides, and which variables hold request input ---
  let assigns: Map<string, string[]> | undefined;
  let tainted: Set<string> | undefined;
  const assignments = (): Map<string, string[]> => {
    if (assigns) return assigns;
    assigns = new Map();
    for (const [name, right] of pairsOf()) {
      const list = assigns.get(name) ?? [];
      if (list.length < 16) list.push(right);
      assigns.set(name, list);
    }
    return assigns;
  };
  let loopVars: Map<string, string[]> | undefined;
  const loopsOf = (): Map<string, string[]> => (loopVars ??= loopVariables(src()));
  const taint = (): Set<string> => {
    if (tainted) return tainted;
    const a = assignments();
    // (and a loop's variable over request input: foreach ($_FILES as $f))
    const loops = loopsOf();
    const names = [...new Set([...a.keys(), ...loops.keys()])];
    const pairs = names.flatMap((name) => [...(a.get(name) ?? []), ...(loops.get(name) ?? [])].map((r): [string, string] => [name, r]));
    return (tainted = holders(pairs, (r) => SOURCE.test(r) || PHP_INPUT.test(r)));
  };
  const fromInput = (expr: string): boolean => SOURCE.test(expr) || PHP_INPUT.test(expr) || [...expr.matchAll(VARIABLE)].some((v) => taint().has(v[1]!));

  // A variable function called with request input, its name picked among literals one of which is a
  // code or command function (`match`, a ternary, array_pop(explode(..)), json_decode, a class constant).
  if (has('$')) {
    // (once a file: the variables destructured from request input, the loops' variables, the class constants)
    let destructured: Set<string> | undefined;
    let consts: Map<string, string> | undefined;
    // (each variable given request input judged once; the arguments read are bounded in all, not the calls,
    // so decoy calls before the shell's spend only what they are long)
    const judged = new Set<string>();
    let budget = ARG_BUDGET;
    // (calls found in the code only: '$cfg[\'TempDir\'] (%s)' in a message is no call)
    for (const m of codeOnly(text).matchAll(VAR_CALL)) {
      if (out.length >= 8 || judged.size >= 256 || budget <= 0) break;
      const key = m[1]! + m[2]!;
      if (judged.has(key)) continue;
      const args = argsAt(src(), m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      if (args === undefined || args.trim() === '') continue;
      // destructured from request input: ['f' => $f] = $_POST, list(, $f) = $_GET
      if (m[1] === '$' && (destructured ??= destructuredFromInput(src())).has(m[2]!)) {
        judged.add(key);
        add('input-destructured-call', 'request-input-callable', 90, `request input destructured into $${m[2]}, which is then called as a function`, m.index!);
        continue;
      }
      // (given request input, or a variable holding it: $c = $_POST['c']; .. $f($c); not an argument quoted for the shell)
      if (!fromInput(quotedArgsBlanked(args))) continue;
      judged.add(key);
      const a = assignments();
      // ($$a(..): the names $a holds, each a variable)
      const held = m[1] === '$$' ? [...new Set((a.get(m[2]!) ?? []).flatMap((r) => literals(r).map((l) => l.value)))].filter((v) => /^[A-Za-z_]\w{0,63}$/.test(v)) : [m[2]!];
      const names = new Set<string>();
      for (const v of held) {
        // (a loop's variable: foreach (array('system', 'passthru') as $f), foreach ($list as $f) with $list = explode(..))
        for (const r of [...(a.get(v) ?? []), ...(loopsOf().get(v) ?? [])]) {
          sinkNames(r, names);
          // one level down: the variables and constants the right side reads
          // (not a variable used as an index: $handlers[$channel] does not hold what $channel holds)
          // (and where the right side takes a key of it, array_key_last($m), the array's keys count: S26R-4)
          const keyed = KEY_PICK.test(r);
          for (const w of unindexed(r).matchAll(VARIABLE)) for (const r2 of a.get(w[1]!) ?? []) sinkNames(keyed ? r2.replace(/(["'])\s*=>/g, '$1,') : r2, names);
          for (const k of r.matchAll(/\b([A-Za-z_]\w{0,63})\s*::\s*([A-Za-z_]\w{0,63})\b(?!\s*\()/g)) {
            const c = (consts ??= classConstants(src())).get(k[2]!);
            if (c) sinkNames(c, names);
          }
        }
      }
      // (preg_replace by a name of pieces, given an /e pattern: $f = 'pr' . 'eg_' . ..; $f('/.*/e', $_POST['c'], ''))
      if (names.has('preg_replace')) {
        names.delete('preg_replace');
        const arg0 = splitTop(args, [','])[0] ?? '';
        const first = literals(normalizeStrings(arg0, 8192) ?? arg0)[0]?.value;
        if (first !== undefined && evalModifier(first)) names.add('preg_replace');
      }
      // (move_uploaded_file by a name of pieces, saving an upload under its client's name, no type looked at near it)
      if (names.has('move_uploaded_file')) {
        names.delete('move_uploaded_file');
        if (/\[\s*["']tmp_name["']\s*\]/.test(args) && /\[\s*["']name["']\s*\]/.test(args) && !UPLOAD_CHECKED.test(src().slice(Math.max(0, m.index! - 400), m.index! + 400))) {
          add('uploader-name-in-pieces', 'uploader', 85, 'an upload saved under its client\'s name by move_uploaded_file() called through a name written in pieces', m.index!);
        }
      }
      if (names.size > 0) add('variable-picks-sink', 'request-input-exec', 85, `a variable function given request input holds ${[...names].join('/')}() among the names it is set to`, m.index!);
    }
  }

  // A ReflectionFunction of a code or command function's name (in pieces, or in a variable), invoked with
  // request input: $r = new ReflectionFunction($n); $r->invokeArgs([$_POST['c']]), or handed to a caller
  // as [new ReflectionFunction('system'), 'invoke']
  if (has('reflectionfunction') && has('invoke')) {
    let calls = 0;
    for (const m of src().matchAll(/\bnew\s+\\?ReflectionFunction\s*\(/gi)) {
      if (++calls > 64) break;
      const arg = argsAt(src(), m.index! + m[0].length)?.trim();
      if (arg === undefined) continue;
      const names = new Set<string>();
      const v = /^\$([A-Za-z_]\w{0,63})$/.exec(arg);
      for (const r of v ? (assignments().get(v[1]!) ?? []) : [arg]) sinkNames(r, names);
      names.delete('preg_replace');
      if (names.size === 0) continue;
      const after = src().slice(m.index!, m.index! + 800);
      const inv = /->\s*invoke(?:Args)?\s*\(|["']invoke(?:Args)?["']/i.exec(after);
      if (inv && fromInput(after.slice(inv.index))) {
        add('reflection-sink-input', 'request-input-exec', 90, `${[...names].join('/')}() called through a ReflectionFunction, with request input`, m.index!);
        break;
      }
    }
  }

  // Code written to a file, then included: file_put_contents($t, <input>); include $t; the same path
  // written out (include __DIR__ . '/.cache.php'), or a handle fwrite() gave input to: fopen($t) then
  // include $t, or php://temp read back by eval(stream_get_contents($h))
  if ((has('include') || has('require') || has('php://temp') || has('php://memory')) && (has('file_put_contents') || has('fwrite') || has('fputs'))) {
    const same = (e: string): string => e.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
    let included: Set<string> | undefined;
    const includes = (): Set<string> => {
      if (included) return included;
      included = new Set();
      for (const m of src().matchAll(/\b(?:include|require)(?:_once)?\b\s*([^;]{1,300});/gi)) if (included.size < 4096) included.add(same(m[1]!));
      return included;
    };
    let budget = ARG_BUDGET;
    for (const m of src().matchAll(/\b(file_put_contents|fwrite|fputs)\s*\(/gi)) {
      if (budget <= 0 || out.some((f) => f.rule === 'mamori:input-file-included')) break;
      const args = argsAt(src(), m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      if (args === undefined) continue;
      const parts = splitTop(args, [',']);
      const content = parts[1] ?? '';
      // (not data written as a PHP value, var_export($cfg) of an installer's form, json_encode, serialize)
      if (!fromInput(content) || /\b(?:var_export|json_encode|serialize|intval|http_build_query)\s*\(/i.test(content)) continue;
      let target = same(parts[0] ?? '');
      let handle: string | undefined;
      if (m[1]!.toLowerCase() !== 'file_put_contents') {
        handle = /^\$([A-Za-z_]\w{0,63})$/.exec(target)?.[1];
        const opened = handle === undefined ? undefined : (assignments().get(handle) ?? []).map((r) => /\bfopen\s*\(([^,;]{1,300}),/i.exec(r)?.[1]).find((t) => t !== undefined);
        if (opened === undefined) continue;
        target = same(opened);
      }
      if (handle !== undefined && /^["']php:\/\/(?:temp|memory)/i.test(target)) {
        if (new RegExp(`\\b(?:eval|assert)\\s*\\(\\s*(?:stream_get_contents|fread|fgets)\\s*\\(\\s*\\$${handle}\\b`, 'i').test(src())) {
          add('input-file-included', 'request-input-exec', 90, 'request input written to a php://temp stream that eval() reads back', m.index!);
        }
        continue;
      }
      if (target !== '' && includes().has(target)) add('input-file-included', 'request-input-exec', 90, 'request input written to a file that is then included (run as PHP)', m.index!);
    }
  }

  // A closure called where it is written, with request input: (function () { eval(func_get_arg(0)); })($_POST['c'])
  if (has('function') && (text.includes('})(') || text.includes('} )('))) {
    // (the bodies walked are bounded in all, not the closures: decoys spend what they are long)
    let budget = ARG_BUDGET;
    for (const m of src().matchAll(/\(\s*(?:static\s+)?function\s*\(/gi)) {
      if (budget <= 0 || out.length >= 8) break;
      const params = paramsAt(src(), m.index! + m[0].length);
      const open = src().indexOf('{', m.index! + m[0].length);
      const body = blockAt(src(), m.index! + m[0].length);
      budget -= (body?.length ?? 16 * 1024) + 16;
      if (body === undefined || open < 0) continue;
      const after = /^\s*\)\s*\(/.exec(src().slice(open + body.length + 2, open + body.length + 64));
      if (!after) continue;
      const args = argsAt(src(), open + body.length + 2 + after[0].length);
      if (args === undefined || !fromInput(args)) continue;
      const runs = params.some((p) => runsVariable(body, p)) || /\b(?:eval|assert|system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*(?:[a-z_]{1,20}\s*\(\s*)?func_get_args?\s*\(/i.test(body);
      if (runs) add('closure-called-with-input', 'request-input-exec', 90, 'a closure called where it is written, with request input that it runs', m.index!);
    }
  }

  // __call/__callStatic running its arguments (a name in pieces written as a string called: ('sys' . 'tem')($a[0])),
  // in a file with request input: any method called on the object runs what it is given
  if (has('__call')) {
    let budget = ARG_BUDGET;
    for (const m of src().matchAll(/\bfunction\s+__call(?:Static)?\s*\(/gi)) {
      if (budget <= 0) break;
      const p = paramsAt(src(), m.index! + m[0].length);
      const body = blockAt(src(), m.index! + m[0].length);
      budget -= (body?.length ?? 16 * 1024) * 2 + 16;
      if (!body || p.length < 2) continue;
      const norm = normalizeStrings(body, 64 * 1024) ?? body;
      const named = [...norm.matchAll(/\(?\s*["']\\?([A-Za-z_]\w{1,40})["']\s*(?:\)\s*)?\(/g)].some((c) => SINK_NAMES.has(c[1]!.toLowerCase()) && new RegExp(`\\$${p[1]}\\b`).test(argsAt(norm, c.index! + c[0].length) ?? ''));
      if (named || runsVariable(norm, p[1]!)) {
        add('magic-call-runs', 'request-input-exec', 85, '__call() runs the arguments of any method called on its object, in a file with request input', m.index!);
        break;
      }
    }
  }

  // create_function() of a body in pieces that runs its parameter, called with request input:
  // $g = create_function('$x', strrev('lave') . '($x);'); $g($_POST['x'])
  if (has('create_function')) {
    let n = 0;
    // (the body's variables written as their values where php-fold knows them: $r = strrev('lave'), in files of up to 32 KiB)
    const folded = src();
    // (a variable of the body written as its value: $r = strrev($l) with $l = 'l' . 'ev' . 'a')
    const valueOf = (name: string): string | undefined => {
      const rights = assignments().get(name);
      if (rights?.length !== 1) return undefined;
      // (its variables written as their literals first: php-fold reads a function of literals)
      const rhs = rights[0]!.replace(VARIABLE, (all, w: string) => {
        const r = assignments().get(w);
        const lit = r?.length === 1 ? literals(normalizeStrings(r[0]!, 8192) ?? r[0]!) : [];
        return lit.length === 1 ? `'${lit[0]!.value.replace(/[\\']/g, '')}'` : all;
      });
      const norm = (normalizeStrings(rhs, 8192) ?? rhs).trim();
      if (/^(["'])[^"'\n]{0,200}\1$/.test(norm)) return readPhpString(norm, 0)?.value;
      const f = foldVariables(`<?php $__v = ${norm}; $__v;`);
      const tail = f === undefined ? undefined : /;\s*(["'][^"'\n]{1,200}["'])\s*;\s*$/.exec(f)?.[1];
      return tail === undefined ? undefined : readPhpString(tail, 0)?.value;
    };
    for (const m of folded.matchAll(/\$([A-Za-z_]\w{0,63})\s*=\s*(?:@\s*)?\\?create_function\s*\(/gi)) {
      if (++n > 16 || out.length >= 8) break;
      const args = argsAt(folded, m.index! + m[0].length);
      if (args === undefined) continue;
      const parts = splitTop(args, [',']);
      const lits = (e: string): string => literals(normalizeStrings(e, 8192) ?? e).map((l) => l.value).join('');
      const params = [...lits(parts[0] ?? '').matchAll(/\$([A-Za-z_]\w{0,63})/g)].map((p) => p[1]!);
      const bodyExpr = parts.slice(1).join(',').replace(VARIABLE, (all, v: string) => {
        const value = params.includes(v) ? undefined : valueOf(v);
        return value === undefined ? all : `'${value.replace(/[\\']/g, '')}'`;
      });
      const body = lits(bodyExpr);
      if (!params.some((p) => runsVariable(body, p))) continue;
      const call = new RegExp(`\\$${m[1]}\\s*\\(`, 'g');
      for (let c = call.exec(src()), k = 0; c && k < 64; c = call.exec(src()), k++) {
        const given = argsAt(src(), c.index + c[0].length);
        if (given !== undefined && fromInput(given)) {
          add('created-function-input', 'request-input-exec', 90, 'a function made by create_function() from a body in pieces that runs its parameter, called with request input', c.index);
          break;
        }
      }
    }
  }

  // A global given request input ($GLOBALS['x'] = $_GET), run in a function that declares it (global $x)
  if (has('$globals') && has('global ')) {
    const names = new Set<string>();
    for (const m of src().matchAll(/\$GLOBALS\s*\[\s*["']([A-Za-z_]\w{0,63})["']\s*\]\s*=(?![=>])\s*([^;]{1,400})/g)) if (names.size < 64 && fromInput(m[2]!)) names.add(m[1]!);
    if (names.size > 0) {
      let n = 0;
      let budget = ARG_BUDGET;
      for (const m of src().matchAll(/\bglobal\s+([^;]{1,400});/gi)) {
        if (++n > 1000 || budget <= 0) break;
        const declared = [...m[1]!.matchAll(/\$([A-Za-z_]\w{0,63})/g)].map((v) => v[1]!).filter((v) => names.has(v));
        if (declared.length === 0) continue;
        // (the rest of the function: the block the declaration is in, from the declaration to its end)
        const rest = walkCode(src(), m.index!, 16 * 1024, 0, (_c, i, depth) => (depth < 0 ? i : undefined));
        const body = src().slice(m.index!, rest ?? Math.min(src().length, m.index! + 16 * 1024));
        budget -= body.length + 16;
        if (declared.some((v) => runsVariable(body, v))) {
          add('global-input-exec', 'request-input-exec', 90, `request input kept in $GLOBALS['${declared[0]}'] is run in a function that declares it global`, m.index!);
          break;
        }
      }
    }
  }

  // include of a data: URL built from request input
  if (has('data:')) {
    for (const m of src().matchAll(/\b(?:include|require)(?:_once)?\s*(?:\(\s*)?["']data:[^"'\n]{0,200}["']\s*\.\s*([^;]{1,300});/gi)) {
      if (fromInput(m[1]!)) {
        add('input-data-include', 'request-input-exec', 90, 'request input included as the data: URL of a PHP file (run as PHP)', m.index!);
        break;
      }
    }
  }

  // A stream wrapper whose class reads request input, then a path of its scheme included
  if (has('stream_wrapper_register')) {
    let n = 0;
    for (const m of src().matchAll(/\bstream_wrapper_register\s*\(\s*["']([\w.+-]{1,32})["']\s*,\s*["']\\?([A-Za-z_][\w\\]{0,100})["']/gi)) {
      // (each registration looks its class up in the whole file: the first 16)
      if (++n > 16) break;
      const cls = m[2]!.split('\\').pop()!;
      const c = new RegExp(`\\bclass\\s+${cls}\\b`, 'i').exec(src());
      const body = c ? blockAt(src(), c.index + c[0].length, 64 * 1024) : undefined;
      const included = new RegExp(`\\b(?:include|require)(?:_once)?\\s*(?:\\(\\s*)?["']${m[1]!.replace(/[.+]/g, '\\$&')}://`, 'i').test(src());
      if (body && included && (SOURCE.test(body) || PHP_INPUT.test(body))) {
        add('input-stream-include', 'request-input-exec', 90, `a stream wrapper (${m[1]}://) serving request input is included (run as PHP)`, m.index!);
        break;
      }
    }
  }

  // An error handler that runs its message, and an error raised with request input
  if (has('set_error_handler') && (has('trigger_error') || has('user_error'))) {
    const h = /\bset_error_handler\s*\(\s*(?:static\s+)?function\s*\(/i.exec(src());
    const named = h ? undefined : /\bset_error_handler\s*\(\s*["']([A-Za-z_]\w{0,63})["']/i.exec(src());
    let runs = false;
    if (h) {
      const p = paramsAt(src(), h.index + h[0].length);
      const body = blockAt(src(), h.index + h[0].length);
      runs = !!body && p.length >= 2 && runsVariable(body, p[1]!);
    } else if (named) {
      const f = new RegExp(`\\bfunction\\s+${named[1]}\\s*\\(`, 'i').exec(src());
      const p = f ? paramsAt(src(), f.index + f[0].length) : [];
      const body = f ? blockAt(src(), f.index + f[0].length) : undefined;
      runs = !!body && p.length >= 2 && runsVariable(body, p[1]!);
    }
    if (runs) {
      let budget = ARG_BUDGET;
      for (const t of src().matchAll(/\b(?:trigger_error|user_error)\s*\(/gi)) {
        if (budget <= 0) break;
        const args = argsAt(src(), t.index! + t[0].length);
        budget -= (args?.length ?? 4000) + 16;
        if (args !== undefined && fromInput(splitTop(args, [','])[0] ?? '')) {
          add('error-handler-runs', 'request-input-exec', 90, 'an error handler runs its message as code or a command, and an error is raised with request input', t.index!);
          break;
        }
      }
    }
  }

  // array_walk over request input with a closure that runs its value or key
  if (has('array_walk')) {
    let budget = ARG_BUDGET;
    for (const m of src().matchAll(/\barray_walk(?:_recursive)?\s*\(\s*(\$[A-Za-z_]\w{0,63}(?:\s*\[[^\]]{0,60}\])?)\s*,\s*(?:static\s+)?function\s*\(/gi)) {
      if (budget <= 0) break;
      const arr = m[1]!;
      const name = /^\$(\w+)/.exec(arr)![1]!;
      const given = SOURCE.test(arr) || taint().has(name);
      if (!given) continue;
      const p = paramsAt(src(), m.index! + m[0].length);
      const body = blockAt(src(), m.index! + m[0].length);
      budget -= (body?.length ?? 16 * 1024) + 16;
      if (body && p.slice(0, 2).some((x) => runsVariable(body, x))) {
        add('walk-runs-input', 'request-input-exec', 90, 'array_walk() over request input with a closure that runs a value or key as code or a command', m.index!);
        break;
      }
    }
  }

  // preg_replace with an /e pattern built in pieces or given in an array, and request input
  // (and mb_ereg_replace's options in a variable: mb_ereg_replace('.+', $_POST['c'], 'x', $o), $o = 'm' . 'e')
  // (preg_filter, which read /e as preg_replace did: red team S34A-21)
  if (has('preg_replace') || has('preg_filter') || has('mb_ereg')) {
    let budget = ARG_BUDGET;
    // the literal a variable is set to, once in the file ($m = chr(101)): written in place of "$m"
    const one = (name: string): string | undefined => {
      const r = assignments().get(name);
      if (r?.length !== 1) return undefined;
      const lit = literals(normalizeStrings(r[0]!, 8192) ?? r[0]!);
      return lit.length === 1 ? lit[0]!.value : undefined;
    };
    for (const m of src().matchAll(new RegExp(`${BARE}(preg_replace|preg_filter|mb_eregi?_replace)\\s*\\(`, 'gi'))) {
      if (budget <= 0) break;
      const args = argsAt(src(), m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      if (args === undefined) continue;
      const parts = splitTop(args, [',']);
      if (parts.length < 2 || !fromInput(parts.slice(1).join(','))) continue;
      if (!/^preg_/i.test(m[1]!)) {
        const o = (parts[3] ?? '').trim();
        const v = /^\$([A-Za-z_]\w{0,63})$/.exec(o);
        const opt = v ? one(v[1]!) : undefined;
        if (opt !== undefined && /^[a-z]{1,8}$/i.test(opt) && opt.includes('e')) {
          add('preg-e-built', 'preg-replace-eval', 85, `${m[1]}() with the "e" option held in a variable (the replacement runs as code), and request input`, m.index!);
          break;
        }
        continue;
      }
      let pat = parts[0]!.trim();
      // (the pattern worked out where it is made of literals and variables given one value: sprintf('/%s/%s', '.*',
      // 'e'), implode('', [..]), str_repeat, a delimiter in a variable, `$d . '.*' . $d . 'e'`: red team S39R)
      if (fromInput(parts[1]!) && pat.length <= 2048) {
        const vars = new Map<string, string>();
        for (const n of pat.matchAll(/\$([A-Za-z_]\w{0,63})/g)) {
          const r = assignments().get(n[1]!);
          if (r?.length === 1 && vars.size < 8) vars.set(n[1]!, r[0]!);
        }
        const worked = evaluateExpression(pat, vars);
        if (worked !== undefined && evalModifier(worked)) {
          add('preg-e-built', 'preg-replace-eval', 85, `${m[1]!.toLowerCase()}() with an /e pattern (the replacement runs as code) the code works out, and request input`, m.index!);
          break;
        }
      }
      const v = /^\$([A-Za-z_]\w{0,63})$/.exec(pat);
      if (v) pat = (assignments().get(v[1]!) ?? []).join(' , ');
      // ("/x/$m": a variable inside a double-quoted pattern)
      if (pat.includes('"') && pat.includes('$')) pat = pat.replace(/\{?\$([A-Za-z_]\w{0,63})\}?/g, (all, n: string) => one(n)?.replace(/["\\$]/g, '') ?? all);
      const norm = normalizeStrings(pat, 8192) ?? pat;
      // (a pattern whose middle is not known counts where the replacement, the code, is the request's: a PHP 5
      // BBCode parser runs /e over a posted text with its own replacement, red team S39R-2, -4)
      if (literals(norm).some((l) => evalModifier(l.value)) || (fromInput(parts[1]!) && evalModifier(piecesJoined(norm)))) {
        add('preg-e-built', 'preg-replace-eval', 85, `${m[1]!.toLowerCase()}() with an /e pattern (the replacement runs as code) written in pieces or in an array, and request input`, m.index!);
        break;
      }
    }
  }

  // A caller of callbacks given a code or command function's name (in pieces) and request input:
  // iterator_apply($it, 'pass' . 'thru', [$_GET['c']]), array_filter([$_POST['c'] => 1], 'assert',
  // ARRAY_FILTER_USE_KEY), $arr->uasort('assert') on an ArrayObject of request input
  if (CALLER_HINTS.some((h) => has(h))) {
    let budget = ARG_BUDGET;
    for (const m of src().matchAll(CALLER)) {
      if (budget <= 0) break;
      const args = argsAt(src(), m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      if (args === undefined) continue;
      const norm = normalizeStrings(args, 8192) ?? args;
      const named = splitTop(norm, [',']).map((p) => /^\s*["']\\?([A-Za-z_]\w{0,40})["']\s*$/.exec(p)?.[1]?.toLowerCase()).find((n) => n !== undefined && SINK_NAMES.has(n));
      if (!named) continue;
      // (a method's object: the ArrayObject, given request input where it was made)
      const obj = m[1] ? /\$([A-Za-z_]\w{0,63})\s*$/.exec(src().slice(Math.max(0, m.index! - 80), m.index!))?.[1] : undefined;
      if (fromInput(args) || (obj !== undefined && taint().has(obj))) {
        add('caller-named-sink', 'request-input-exec', 90, `${named}() given to a caller of callbacks with request input`, m.index!);
        break;
      }
    }
  }
  return out;
}

const CALLER_HINTS = ['iterator_apply', 'array_filter', 'array_map', 'array_walk', 'array_reduce', 'sort(', 'call_user_func', 'register_', 'forward_static_call'];
/** Callers of callbacks, and the sorting methods of ArrayObject and ArrayIterator (group 1). */
const CALLER = /(?<![\w$>:])\\?(?:iterator_apply|array_filter|array_map|array_walk(?:_recursive)?|array_reduce|u[ak]?sort|call_user_func(?:_array)?|register_shutdown_function|register_tick_function|forward_static_call(?:_array)?)\s*\(|(->\s*u[ak]sort)\s*\(/gi;

/** What an uploader that looks at its files does (types, extensions, images, allow lists). */
const UPLOAD_CHECKED = /PATHINFO_EXTENSION|\bpathinfo\s*\(|getimagesize|exif_imagetype|finfo_|mime_content_type|\bin_array\s*\(|\.(?:jpe?g|png|gif|pdf)\b/i;

/** Words one of which a file with framework input or a downloaded body holds. */
const FRAMEWORK_HINTS = ['$_session', 'request', '->input', 'input::', 'getvalue', 'getparam', 'get_param', 'get_json_params', 'get_body', 'php://input', 'wp_remote', 'wp_safe_remote'];
/**
 * Request input as frameworks give it: Laravel's request('x') and $request->input(..), Symfony's
 * and Drupal's ->query->get(..), Joomla's JRequest::getVar and ->input->get(..), CodeIgniter's
 * $this->input->post(..), Yii's, PrestaShop's, Magento's; and the request body (php://input).
 */
const FRAMEWORK_INPUT = new RegExp(
  [
    String.raw`\brequest\s*\(\s*(?:["']|\)\s*->\s*(?:input|get|query|post|cookie|header|getContent|json|all)\s*\()`,
    String.raw`\$(?:request|req)\s*->\s*(?:input|get|query|post|cookie|header|getContent|json|all|getParam|getPost|getQuery)\s*\(`,
    String.raw`->\s*(?:query|request|cookies|headers)\s*->\s*(?:get|all)\s*\(`,
    String.raw`\bJRequest\s*::\s*get(?:Var|String|Raw|Cmd)?\s*\(`,
    String.raw`->\s*input\s*->\s*(?:get|getString|getRaw|getVar|post|cookie|get_post|server|request_headers|json)\b`,
    String.raw`\b(?:Input|Request)\s*::\s*(?:get|post|all|json|input|query)\s*\(`,
    String.raw`\bTools\s*::\s*getValue\s*\(`,
    String.raw`->\s*getRequest\s*\(\s*\)\s*->\s*(?:getParam|getPost|getQuery|getContent)\s*\(`,
    String.raw`\bYii\s*::\s*\$app\s*->\s*request\s*->\s*(?:get|post|getBodyParam|getQueryParam|getRawBody)\s*\(`,
    // (WordPress's REST request: $req->get_param('c'), ->get_json_params(), ->get_body())
    String.raw`->\s*get_(?:param|params|json_params|body_params|query_params|file_params|body)\s*\(`,
    String.raw`php://input`,
  ].join('|'),
  'i',
);
/** A body downloaded by WordPress's HTTP API: code when eval runs it. */
const WP_REMOTE = /\bwp_(?:safe_)?remote_(?:get|post|request|retrieve_body)\s*\(/i;
const CODE_RUN = /(?<![\w$>:\\])\\?(?:eval|assert|create_function)\s*\(/gi;
/** A number made of a value: (int)$v, intval($v) ... (blanked before a body's sink is read). */
const CASTS = /\(\s*(?:int|integer|float|bool)\s*\)\s*\$\w{1,63}|\b(?:intval|floatval|absint)\s*\(\s*\$\w{1,63}/gi;
const SANITISED = /\b(?:escapeshellarg|intval|floatval|absint|is_numeric|in_array|preg_quote)\s*\(|\(\s*(?:int|float|bool)\s*\)/i;

/**
 * Framework request input, or the request body, reaching a code or command function (directly or
 * through variables), and a body downloaded with wp_remote_get run by eval.
 */
function frameworkInput(code: string, has: (w: string) => boolean, add: (rule: string, technique: string, score: number, description: string, offset: number) => void, pairsOf: () => [string, string][]): void {
  // (a request object by the name its parameter is given: fn (Request $r) => `ping {$r->input('host')}`)
  const named = [...new Set([...code.matchAll(/\b(?:Request|ServerRequestInterface|ServerRequest)\s+\$([A-Za-z_]\w{0,40})/g)].slice(0, 16).map((m) => m[1]!))];
  // (and the session, where the file keeps request input in it: $_SESSION['c'] = $_POST['c'], S26R-39)
  const session = has('$_session') && /\$_SESSION\s*\[[^\]\n]{1,60}\]\s*=(?![=>])[^;]{0,300}\$_(?:GET|POST|REQUEST|COOKIE)\b/i.test(code);
  const extra = [...(named.length > 0 ? [`\\$(?:${named.join('|')})\\s*->\\s*(?:input|get|query|post|cookie|header|getContent|json|all|getParsedBody|getQueryParams)\\s*\\(`] : []), ...(session ? ['\\$_SESSION\\s*\\['] : [])];
  const root = extra.length === 0 ? FRAMEWORK_INPUT : new RegExp(`${FRAMEWORK_INPUT.source}|${extra.join('|')}`, 'i');
  const fw = root.test(code);
  const wp = (has('wp_remote') || has('wp_safe_remote')) && WP_REMOTE.test(code);
  if (!fw && !wp) return;
  // variables given such input (a few rounds, over the assignments of the file, bounded)
  const held = (root: RegExp): Set<string> => holders(pairsOf(), (r) => root.test(r));
  // (a variable used as an index does not reach the call: shell_exec($cmds[$name]) runs a command of the table)
  const reaches = (args: string, root: RegExp, vars: Set<string>): boolean =>
    !SANITISED.test(args) && (root.test(args) || [...unindexed(args).matchAll(VARIABLE)].some((v) => vars.has(v[1]!)));
  if (fw) {
    const vars = held(root);
    let ticks: Map<number, string> | undefined;
    let budget = ARG_BUDGET;
    for (const m of code.matchAll(SINK_CALL)) {
      if (budget <= 0) break;
      let args: string | undefined;
      if (m[0] === '`') {
        const cmd = (ticks ??= backtickCommands(code)).get(m.index!);
        args = cmd !== undefined && cmd.length < 400 ? cmd : undefined;
      } else args = argsAt(code, m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      // (proc_open of an argument list runs no shell: proc_open(['git', 'log', $ref], ..), unless the list is a shell's)
      if (args !== undefined && /^proc_open/i.test(m[0].replace(/^\\/, '')) && /^\s*(?:\[|array\s*\()/i.test(args) && !/^\s*(?:\[|array\s*\()\s*["'](?:\/\w+\/)*(?:sh|bash|zsh|dash|ksh|cmd(?:\.exe)?|powershell(?:\.exe)?|pwsh)["']/i.test(args)) continue;
      if (args !== undefined && reaches(args, root, vars)) {
        add('framework-input-exec', 'request-input-exec', 90, `request input read through a framework's request object (or the request body, or the session the file keeps it in) reaches ${m[0] === '`' ? 'backticks' : `${m[0].replace(/[\s(\\]/g, '')}()`}`, m.index!);
        return;
      }
    }
  }
  if (wp) {
    const vars = held(WP_REMOTE);
    let budget = ARG_BUDGET;
    for (const m of code.matchAll(CODE_RUN)) {
      if (budget <= 0) break;
      const args = argsAt(code, m.index! + m[0].length);
      budget -= (args?.length ?? 4000) + 16;
      if (args !== undefined && reaches(args, WP_REMOTE, vars)) {
        add('remote-body-eval', 'remote-code', 90, 'a body downloaded with wp_remote_get() (code a server of the attacker serves) is run as PHP', m.index!);
        return;
      }
    }
  }
}

/**
 * The variables a list or an array on the left of "=" takes from request input: `['f' => $f, $a] = $_POST`,
 * `list(, $f) = $_GET` (not an element assigned: `$cfg['x'] = $_POST['y']`). One pass; each target read
 * back at most 600 characters to its opening bracket.
 */
function destructuredFromInput(code: string): Set<string> {
  const out = new Set<string>();
  let n = 0;
  for (const m of code.matchAll(/[\])]\s*=(?![=>])\s*(?:\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\b|\$GLOBALS\b)/g)) {
    if (++n > 1000) break;
    const close = code[m.index!]!;
    const open = close === ']' ? '[' : '(';
    let depth = 0;
    let i = m.index!;
    for (; i >= 0 && i > m.index! - 600; i--) {
      const c = code[i];
      if (c === ']' || c === ')') depth++;
      else if (c === '[' || c === '(') depth--;
      if (depth === 0) break;
    }
    if (depth !== 0 || code[i] !== open) continue;
    // (the opening tag is no value: "<?php\n[$f] = $_GET")
    const before = code.slice(Math.max(0, i - 8), i).replace(/<\?(?:php)?\s*$/i, ';');
    // ("[" starts a list where no value ends before it; "(" is list's)
    if (open === '[' ? /[\w\x80-\xff\])'"$]\s*$/.test(before) : !/\blist\s*$/i.test(before)) continue;
    for (const v of code.slice(i + 1, m.index!).matchAll(new RegExp(`\\$(${NAME})(?!\\s*\\[)`, 'g'))) out.add(v[1]!);
  }
  return out;
}

/** The loops' variables and what each iterates: foreach (EXPR as $k => $v), one pass, bounded. */
function loopVariables(code: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let n = 0;
  for (const m of code.matchAll(/\bforeach\s*\(([^;]{1,300}?)\s+as\s+(?:\$\w{1,40}\s*=>\s*)?&?\$([A-Za-z_]\w{0,63})\s*\)/gi)) {
    if (++n > 4000) break;
    const list = out.get(m[2]!) ?? [];
    if (list.length < 16) list.push(m[1]!);
    out.set(m[2]!, list);
  }
  return out;
}

/** The class constants of a file and their right sides (the first of each name), one pass, bounded. */
function classConstants(code: string): Map<string, string> {
  const out = new Map<string, string>();
  let n = 0;
  for (const m of code.matchAll(/\bconst\s+([A-Za-z_]\w{0,63})\s*=\s*([^;]{1,200});/g)) {
    if (++n > 4000) break;
    if (!out.has(m[1]!)) out.set(m[1]!, m[2]!);
  }
  return out;
}

/**
 * An expression with the arguments of calls that do not pass their argument's text on blanked: what
 * file_get_contents($tpl) reads is the file's, not the request's, though $tpl was named by it; a hash,
 * a count, a test or an escape of input is no input either.
 */
const READS = /\b(?:file_get_contents|file|fopen|readfile|is_file|is_dir|file_exists|filemtime|filesize|md5|sha1|crc32|hash|hash_hmac|intval|floatval|absint|count|strlen|isset|empty|in_array|array_key_exists|is_numeric|ctype_\w{1,8}|htmlspecialchars|htmlentities|esc_\w{1,10}|urlencode|rawurlencode|json_encode|var_export|serialize|escapeshellarg|preg_match|password_hash|password_verify)\s*\(/gi;
function unread(expr: string): string {
  if (!/\(/.test(expr)) return expr;
  let out = '';
  let from = 0;
  for (const m of expr.matchAll(READS)) {
    if (m.index! < from) continue;
    const end = walkCode(expr, m.index! + m[0].length, expr.length, 1, (_c, i, depth) => (depth === 0 ? i : undefined));
    if (end === undefined) break;
    out += expr.slice(from, m.index!) + '0';
    from = end + 1;
  }
  return out + expr.slice(from);
}

/** An expression with what its "[...]" indexes hold blanked (one level of nesting, bounded). */
function unindexed(expr: string): string {
  return expr.replace(/\[(?:[^\[\]]|\[[^\[\]]{0,200}\]){0,400}\]/g, '[]');
}

/**
 * An expression joined with "." as the text it makes, each piece that is not one literal written "X":
 * `"/" . $key . "/" . "e"` is "/X/e", a pattern whose middle is not known and whose /e is
 * (session 39 set H23: `chr(47) . $token . chr(47) . chr(101)`, the token an MD5 of the password field).
 */
function piecesJoined(expr: string): string {
  if (expr.length > 2048) return '';
  let out = '';
  for (const piece of splitTop(expr, ['.'])) {
    const p = piece.trim();
    const lit = literals(p);
    out += lit.length === 1 && (p.startsWith('"') || p.startsWith("'")) && p.length === lit[0]!.value.length + 2 ? lit[0]!.value : 'X';
  }
  return out;
}

/** Whether a regex literal (`/x/e`, `#x#ie`, `{x}e`) has the e modifier. */
function evalModifier(p: string): boolean {
  const s = p.trim();
  if (s.length < 3) return false;
  const d = s[0]!;
  if (/[\w\\\s]/.test(d)) return false;
  const close = ({ '(': ')', '{': '}', '[': ']', '<': '>' } as Record<string, string>)[d] ?? d;
  const end = s.lastIndexOf(close);
  if (end <= 0) return false;
  const mods = s.slice(end + 1);
  return /^[a-zA-Z]{1,8}$/.test(mods) && mods.includes('e');
}

/** ignore_user_abort turned on: called with a true value, by ini_set(), or named to a caller with one. */
const KEEP_ALIVE = /\bignore_user_abort\s*\(\s*(?!(?:0|false|null|!\s*(?:[1-9]\d*|true))\s*\))[^\s)]|['"]ignore_user_abort['"]\s*,\s*(?:['"]?\s*(?:[1-9]|on|true|yes)\b|true|!\s*0)/i;
/** No time limit: the script runs on as well without ignore_user_abort (a loop that writes no output never sees the visitor leave). */
const NO_LIMIT = /\bset_time_limit\s*\(\s*0\s*\)|['"]max_execution_time['"]\s*,\s*['"]?0\b/i;
const SELF_DELETE = /\bunlink\s*\([^;]{0,60}(?:__FILE__|SCRIPT_FILENAME|PHP_SELF)/i;
/** A writer called by name: call_user_func('file_put_contents', $f, $c) (the name is a literal, blanked in the code). */
const CALLED_WRITE = /\bcall_user_func\s*\(\s*(['"])(file_put_contents|fwrite|fputs|copy|rename|error_log)\1\s*,/gi;
/** The heads of loops (while, do, for, goto) in code without literals and comments. */
const LOOP_HEAD = /(?<![\w$>:\\])(?:while\s*\(|do\s*\{|for\s*\(|goto\s+([A-Za-z_]\w{0,63})\s*;)/gi;
/** A call that writes a file: the target is its first argument, but copy/rename/link's second and error_log's third; a handle's writer names the handle first. */
const FILE_WRITE = /(?<![\w$>:])(file_put_contents|fwrite|fputs|fprintf|vfprintf|copy|rename|symlink|link|error_log|touch|stream_copy_to_stream)\s*\(/gi;
/** A name or a text that is PHP's: the file itself, a .php name, code with a PHP tag. */
const PHP_TARGET = /__FILE__|SCRIPT_FILENAME|PHP_SELF|\.ph(?:p\d?|tml|ar|t)\b/i;
const PHP_CODE = /<\?(?:php\b|=)/i;
const SLEEPS = /\b(?:u?sleep|time_nanosleep|time_sleep_until)\s*\(/i;
/** The script's own address, to request it again: the host and the path from $_SERVER. */
const SELF_URL = /\$_SERVER\s*\[\s*['"](?:HTTP_HOST|SERVER_NAME|SERVER_ADDR)['"]\s*\][^;]{0,200}(?:\$_SERVER\s*\[\s*['"](?:REQUEST_URI|PHP_SELF|SCRIPT_NAME)['"]|__FILE__)/i;
/** A loop's body read at most this far; loops and writers looked at in a file at most MAX_LOOPS. */
const LOOP_BODY = 64 * 1024;
/** Loops whose body is longer than LOOP_BODY read further, to this, at most LONG_LOOPS a file. */
const LONG_BODY = 1024 * 1024;
const LONG_LOOPS = 4;
const MAX_LOOPS = 64;

/**
 * Where an "immortal" shell's loop starts (else -1): ignore_user_abort on or no time limit, and a loop that never ends by its condition (while/do-while with a condition
 * holding no variable and no call, for with none, a goto back, a function calling itself after a
 * sleep) writing a PHP file: a target naming the file itself or a .php name, or data with a PHP tag,
 * through the variables that hold them (red team S27R-2: `do {} while (1)`, `while (1):`, a loop
 * without braces, `for ($i = 0; ; $i++)`, goto, a writer function called from the loop, a comment
 * longer than the 2,000 characters read after the loop's brace; S27R-3: a worker writing its log in
 * such a loop, with a .php name anywhere in the file, was malicious).
 */
function immortalRewriter(text: string, src: string, rightsOf: () => Map<string, string[]>): number {
  const kept = KEEP_ALIVE.test(src);
  if (!kept && !NO_LIMIT.test(src)) return -1;
  // (no time limit alone: a file that deletes itself, or a write of the file itself, a hidden name or decoded code)
  const strict = !kept && !SELF_DELETE.test(src);
  if (src.search(FILE_WRITE) < 0 && src.search(CALLED_WRITE) < 0) return -1;
  const code = codeOnly(text);
  if (code.length !== src.length) return -1;
  // (the functions that write such a file, called from a loop by name: a function, a method, a closure
  // or an arrow function held in a variable)
  const writers: string[] = [];
  const recursive: number[] = [];
  let fns = 0;
  for (const m of code.matchAll(/\bfunction\s+([A-Za-z_]\w{0,63})\s*\(|\$([A-Za-z_]\w{0,63})\s*=\s*(?:static\s+)?(function|fn)\s*\(/gi)) {
    if (++fns > MAX_LOOPS) break;
    const arrow = m[3]?.toLowerCase() === 'fn';
    const open = arrow ? code.indexOf('=>', m.index! + m[0].length) : code.indexOf('{', m.index! + m[0].length);
    if (open < 0 || open - m.index! > 2000) continue;
    const end = arrow ? (walkCode(code, open + 2, LOOP_BODY, 0, (c, i, depth) => (depth < 0 || (depth === 0 && c === ';') ? i : undefined)) ?? Math.min(code.length, open + LOOP_BODY)) : blockEnd(code, open);
    const body = code.slice(open, end);
    if (!writesPhp(src, open, end, rightsOf, strict)) continue;
    writers.push(m[1] !== undefined ? m[1] : `\\$${m[2]}`);
    // (a function calling itself after a sleep: a loop by recursion)
    if (m[1] !== undefined && new RegExp(`(?<![\\w$\\\\])${m[1]}\\s*\\(`, 'i').test(body) && SLEEPS.test(body)) recursive.push(m.index!);
  }
  if (recursive.length) return recursive[0]!;
  // (a method too, $this->w(), self::w())
  const calls = writers.length ? new RegExp(`(?<![\\w$\\\\])(?:${writers.join('|')})\\s*\\(`, 'i') : undefined;
  // (a loop that can end, break or return, without a sleep: a copy of a stream, not a shell's)
  const loops = (from: number, to: number): boolean => {
    const body = code.slice(from, to);
    // (and with no time limit alone, a loop that can end is an exporter's or a backup's, sleeping or not)
    if (/\b(?:break|return|exit|die|throw)\b/i.test(body) && (!kept || !SLEEPS.test(body))) return false;
    return writesPhp(src, from, to, rightsOf, strict) || (calls !== undefined && calls.test(body));
  };
  // (or no loop: the script requests itself again when it ends, register_shutdown_function)
  if (/\bregister_shutdown_function\s*\(/i.test(code) && SELF_URL.test(src) && writesPhp(src, 0, src.length, rightsOf, strict)) return code.search(/\bregister_shutdown_function\b/i);
  let heads = 0;
  let long = 0;
  for (const m of code.matchAll(LOOP_HEAD)) {
    if (++heads > MAX_LOOPS) break;
    const at = m.index!;
    const head = m[0].toLowerCase();
    const open = at + m[0].length;
    if (m[1] !== undefined) {
      // goto: back to its label
      const label = new RegExp(`(?<![\\w$>:\\\\])${m[1]}\\s*:(?!:)`, 'g');
      let from = -1;
      for (const l of code.slice(Math.max(0, at - LOOP_BODY), at).matchAll(label)) from = Math.max(0, at - LOOP_BODY) + l.index!;
      if (from >= 0 && loops(from, at)) return from;
      continue;
    }
    if (head.startsWith('do')) {
      let end = blockEnd(code, open - 1);
      if (end === Math.min(code.length, open - 1 + LOOP_BODY) && end < code.length && long++ < LONG_LOOPS) end = blockEnd(code, open - 1, LONG_BODY);
      const tail = /^\s*while\s*\(/i.exec(code.slice(end + 1, end + 200));
      if (tail && forever(src, end + 1 + tail[0].length) !== undefined && loops(open, end)) return at;
      continue;
    }
    const after = head.startsWith('for') ? forEver(src, code, open) : forever(src, open);
    if (after === undefined) continue;
    // the body: a block, `:` to endwhile/endfor, or one statement
    let b = after;
    while (b < code.length && /\s/.test(code[b]!)) b++;
    let end: number;
    if (code[b] === '{') {
      end = blockEnd(code, b);
      // (a body longer than LOOP_BODY, padding before the write: read to LONG_BODY, LONG_LOOPS of them, S27R-11)
      if (end === Math.min(code.length, b + LOOP_BODY) && end < code.length && long++ < LONG_LOOPS) end = blockEnd(code, b, LONG_BODY);
    }
    else if (code[b] === ':') {
      const e = code.slice(b, b + LOOP_BODY).search(/\bend(?:while|for)\b/i);
      end = e < 0 ? Math.min(code.length, b + LOOP_BODY) : b + e;
    } else end = walkCode(code, b, LOOP_BODY, 0, (c, i, depth) => (depth <= 0 && c === ';' ? i : depth < 0 ? i : undefined)) ?? Math.min(code.length, b + LOOP_BODY);
    if (loops(b, end)) return at;
  }
  return -1;
}

/** The end of the block whose "{" is at `open` (its "}"), in code without literals: bounded by LOOP_BODY. */
function blockEnd(code: string, open: number, limit = LOOP_BODY): number {
  return walkCode(code, open + 1, limit, 1, (c, i, depth) => (depth === 0 ? i : undefined)) ?? Math.min(code.length, open + limit);
}

/** After `while (` at `open`: where its ")" ends when the condition never turns false (no variable, no call, not 0/false/null), else undefined. */
function forever(src: string, open: number): number | undefined {
  const close = walkCode(src, open, 400, 1, (c, i, depth) => (depth === 0 ? i : undefined));
  if (close === undefined) return undefined;
  return constantTrue(src.slice(open, close)) ? close + 1 : undefined;
}

/** After `for (` at `open`: where its ")" ends when its condition is empty or always true, else undefined. */
function forEver(src: string, code: string, open: number): number | undefined {
  const close = walkCode(code, open, 400, 1, (c, i, depth) => (depth === 0 ? i : undefined));
  if (close === undefined) return undefined;
  const parts = splitTop(src.slice(open, close), [';']);
  if (parts.length !== 3) return undefined;
  const cond = parts[1]!.trim();
  return cond === '' || constantTrue(cond) ? close + 1 : undefined;
}

/** A condition with no variable and no call that is not plainly false (`1`, `true`, `!0`, `1 == 1`, `2`, `$run = true`). */
function constantTrue(cond: string): boolean {
  let c = cond.trim();
  // (an assignment's value is the condition's: while ($go = true))
  const assigned = /^\$[A-Za-z_]\w{0,63}\s*=(?![=>])\s*([\s\S]*)$/.exec(c);
  if (assigned) c = assigned[1]!.trim();
  // (an operand that is always true makes an "or" so: file_exists(__FILE__) || 1)
  if (c.length > 120) return false;
  for (const parts of [splitTop(c, ['||']), splitTop(c, [' or ', ' OR ', ' Or '])]) if (parts.length > 1 && parts.some((o) => constantTrue(o))) return true;
  // (calls that never give false: time(), microtime(), getmypid())
  c = c.replace(/\b(?:time|microtime|getmypid|hrtime|php_uname|phpversion|php_sapi_name)\s*\(\s*(?:(?:true)\s*)?\)/gi, '1');
  if (c === '' || c.length > 120 || c.includes('$') || /[A-Za-z_]\w*\s*\(/.test(c)) return false;
  if (!/^[\s\w!=<>()+\-*&|'".]*$/.test(c)) return false;
  // (words: true, false, null and PHP's constants, all read as they are)
  for (const w of c.match(/[A-Za-z_]\w*/g) ?? []) if (!/^(?:true|false|null|PHP_\w+|M_\w+|E_ALL|__LINE__|__FILE__|__DIR__)$/i.test(w)) return false;
  return !/^[(\s]*(?:0+|false|null|''|""|'0'|"0"|!\s*(?:[1-9]\d*|true))[)\s]*$/i.test(c);
}

/** Whether the code from `from` to `to` writes a PHP file (see PHP_TARGET, PHP_CODE), reading variables' values. */
function writesPhp(src: string, from: number, to: number, rightsOf: () => Map<string, string[]>, strict = false): boolean {
  const body = src.slice(from, to);
  let n = 0;
  // (the first MAX_LOOPS of each: not every match of a long body made first)
  const writes: { m: RegExpMatchArray; fn: string; named: boolean }[] = [];
  for (const m of body.matchAll(FILE_WRITE)) if (writes.push({ m, fn: m[1]!, named: false }) >= MAX_LOOPS) break;
  // (the name given to call_user_func: its arguments after the name's)
  let named = 0;
  if (body.includes('call_user_func')) for (const m of body.matchAll(CALLED_WRITE)) if (writes.push({ m, fn: m[2]!, named: true }) && ++named >= MAX_LOOPS) break;
  for (const { m, fn: name, named } of writes) {
    if (++n > 2 * MAX_LOOPS) break;
    const all = callArgs(src, from + m.index! + (named ? m[0].indexOf('(') + 1 : m[0].length))?.all;
    if (all === undefined) continue;
    const args = named ? splitTop(all, [',']).slice(1) : splitTop(all, [',']);
    const fn = name.toLowerCase();
    const target = fn === 'copy' || fn === 'rename' || fn === 'symlink' || fn === 'link' || fn === 'stream_copy_to_stream' ? args[1] : fn === 'error_log' ? args[2] : args[0];
    const data = fn === 'error_log' ? args[0] : fn === 'copy' || fn === 'rename' || fn === 'symlink' || fn === 'link' ? undefined : args[fn === 'fprintf' || fn === 'vfprintf' ? 2 : 1];
    // (a handle's file: the fopen it was given, or an SplFileObject's name before ->fwrite)
    const before = /->\s*$/.test(body.slice(Math.max(0, m.index! - 8), m.index!)) ? body.slice(Math.max(0, m.index! - 200), m.index!) : '';
    const value = data === undefined ? '' : joinedValue(data, rightsOf);
    const file = target === undefined ? '' : joinedValue(target + before, rightsOf);
    if (!PHP_CODE.test(value) && !PHP_TARGET.test(file)) continue;
    // (with no time limit alone: the file itself, a hidden .php name, or code decoded, not a cache's
    // container.php or a state file of var_export)
    if (!strict || SELF_TARGET.test(file) || HIDDEN_PHP.test(file) || DECODES.test(value)) return true;
  }
  return false;
}
/** The file itself as a whole argument or value (not dirname(__FILE__)). */
const SELF_TARGET = /(?<!(?:dirname|realpath|basename|pathinfo)\s*\(\s*)(?:__FILE__|\$_SERVER\s*\[\s*['"](?:SCRIPT_FILENAME|PHP_SELF)['"]\s*\])(?!\s*\.)/i;
/** A hidden .php name: '/.cache-x.php', '.x.php'. */
const HIDDEN_PHP = /(?:^|[\/'"])\.[\w.-]{0,60}\.ph(?:p\d?|tml|ar|t)\b/i;
const DECODES = /\b(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode|strrev)\s*\(/i;

/** An expression with the values of its variables (two rounds, bounded) and its literals' pieces joined ('.p' . 'hp'). */
function joinedValue(expr: string, rightsOf: () => Map<string, string[]>): string {
  let out = expr;
  let frontier = expr;
  for (let round = 0; round < 2; round++) {
    // (and properties, $this->f: their assignments and their defaults)
    const names = new Set([...frontier.matchAll(VARIABLE)].map((v) => v[1]!).slice(0, 8));
    if (frontier.includes('->')) for (const p of [...frontier.matchAll(/->\s*([A-Za-z_]\w{0,63})(?!\s*\()/g)].slice(0, 8)) names.add(`->${p[1]}`).add(p[1]!);
    if (names.size === 0) break;
    let next = '';
    let k = 0;
    for (const name of names) for (const right of rightsOf().get(name) ?? []) if (++k <= 16) next += ` ${right}`;
    out += next;
    frontier = next;
  }
  return out.slice(0, 16 * 1024).replace(/(['"])\s*\.\s*\1/g, '');
}

/** A decoder given a literal (through other calls: gzinflate(base64_decode(strrev('..')))), of 16 characters at least, or a heredoc. */
// (or pieces of one joined by implode: base64_decode(implode('', ['PD9w', ..])))
// (through decoders and their kin only: base64_decode(file_get_contents('http://..')) holds no literal of code)
const DECODED_LITERAL = /\b(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode)\s*\(\s*(?:@?\s*(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode|strrev|trim|stripslashes|urldecode|rawurldecode)\s*\(\s*){0,4}(?:'[^'\n]{16}|"[^"\n]{16}|<<<|(?:implode|join)\s*\(\s*(['"])\1\s*,\s*(?:\[|array\s*\()\s*['"])/i;
/** A data: URL of base64 (copy's source, file_get_contents'). */
const DATA_URL = /['"]data:(?:\/\/)?[\w\/+.-]{0,60}(?:;[\w=-]{1,40}){0,3};base64,/i;
const PHP_NAME = /__FILE__|SCRIPT_FILENAME|\.ph(?:p\d?|tml|ar|t)\b/i;

/** Where a write of encoded code under a PHP name is (see DECODED_LITERAL, PHP_NAME), else -1. */
function encodedPhpDropper(src: string, rightsOf: () => Map<string, string[]>): number {
  return firstWrite(src, true, (target, data, fn) => {
    // (the literals' text masked: a decoder named inside a literal, "<?php return unserialize(base64_decode('" . .., is code written, not run here)
    const raw = joinedValue(data, rightsOf);
    if (!(fn === 'copy' ? DATA_URL.test(raw) : DECODED_LITERAL.test(literalsMasked(raw)) || decodesHeldLiteral(raw, rightsOf))) return false;
    return PHP_NAME.test(joinedValue(target, rightsOf));
  });
}

/**
 * The offset of the first write of the code (file_put_contents, fwrite, fputs; copy too with `copy`, its
 * source as the data) that `accept` takes, given its target and data, else -1 (MAX_LOOPS writes at most).
 */
function firstWrite(src: string, copy: boolean, accept: (target: string, data: string, fn: string) => boolean): number {
  let n = 0;
  for (const m of src.matchAll(FILE_WRITE)) {
    const fn = m[1]!.toLowerCase();
    if (fn !== 'file_put_contents' && fn !== 'fwrite' && fn !== 'fputs' && !(copy && fn === 'copy')) continue;
    if (++n > MAX_LOOPS) break;
    const all = callArgs(src, m.index! + m[0].length)?.all;
    if (all === undefined) continue;
    const args = splitTop(all, [',']);
    if (args.length < 2) continue;
    const [target, data] = fn === 'copy' ? [args[1]!, args[0]!] : [args[0]!, args[1]!];
    if (accept(target, data, fn)) return m.index!;
  }
  return -1;
}

/** `s` with the text of its '...' and "..." literals made x's (same length, quotes kept). */
function literalsMasked(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const q = s[i];
    if (q !== "'" && q !== '"') continue;
    let j = i + 1;
    while (j < s.length && s[j] !== q) j += s[j] === '\\' ? 2 : 1;
    out += s.slice(last, i + 1) + 'x'.repeat(Math.min(j, s.length) - i - 1);
    last = i = Math.min(j, s.length);
  }
  return out + s.slice(last);
}

/** A decoder given a variable (through other calls) that holds a literal of 16 characters at least or a heredoc: $p = 'PD9w..'; base64_decode($p). */
const DECODED_VARIABLE = /\b(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode)\s*\(\s*(?:@?\s*(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode|strrev|trim|stripslashes|urldecode|rawurldecode)\s*\(\s*){0,4}\$([A-Za-z_]\w{0,63})/gi;
function decodesHeldLiteral(value: string, rightsOf: () => Map<string, string[]>): boolean {
  let n = 0;
  for (const m of literalsMasked(value).matchAll(DECODED_VARIABLE)) {
    if (++n > 8) break;
    let k = 0;
    // (a literal in pieces, 'PD9w' . 'aHAg' . ..: joined first)
    for (const right of rightsOf().get(m[1]!) ?? []) if (++k <= 16 && /^\s*(?:'[^'\n]{16}|"[^"\n]{16}|<<<)/.test(right.replace(/(['"])\s*\.\s*\1/g, ''))) return true;
  }
  return false;
}

/**
 * The right sides of each variable's assignments, in order, at most 16 a name; and of each property's,
 * `$k->f = ..`, under "->f" (a property's default, `public $f = ..`, is a variable's: read for "->f" too).
 */
function rightSides(pairs: readonly [string, string][], code: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const put = (name: string, right: string): void => {
    const list = out.get(name);
    if (!list) out.set(name, [right]);
    else if (list.length < 16) list.push(right);
  };
  for (const [name, right] of pairs) put(name, right);
  if (code.includes('->')) {
    let n = 0;
    for (const m of code.matchAll(PROPERTY_ASSIGN)) {
      if (++n > MAX_ASSIGNMENTS) break;
      put(`->${m[1]}`, m[2]!);
    }
  }
  return out;
}
const PROPERTY_ASSIGN = /->\s*([A-Za-z_]\w{0,63})\s*\.?=(?![=>])\s*([^;]{0,600})/g;

/** Functions that give back what they are given, decoded: code through them is the request's code. */
const PASSING = '(?:@?\\s*(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode|strrev|stripslashes|wp_unslash|urldecode|rawurldecode|html_entity_decode|trim)\\s*\\(\\s*){0,3}@?';
/** Request input whole, through those: base64_decode($_POST['c']), file_get_contents('php://input'). */
const INPUT_CODE = new RegExp(`^\\s*${PASSING}(?:\\$_(?:GET|POST|REQUEST|COOKIE)\\s*\\[[^\\]\\n]{1,60}\\]|file_get_contents\\s*\\(\\s*['"]php://input['"]\\s*\\))\\s*(?:\\)\\s*){0,3}$`, 'i');
/** A variable through those, its name in group 1. */
const HELD = new RegExp(`^\\s*${PASSING}\\$([A-Za-z_]\\w{0,63})\\s*(?:\\)\\s*){0,3}$`, 'i');

/** Whether `value` is request input whole (INPUT_CODE), or a variable holding it, two assignments deep. */
function wholeInput(value: string, rightsOf: () => Map<string, string[]>, depth = 2): boolean {
  if (INPUT_CODE.test(value)) return true;
  const held = depth > 0 ? HELD.exec(value) : null;
  if (!held) return false;
  return (rightsOf().get(held[1]!) ?? []).some((r) => wholeInput(r, rightsOf, depth - 1));
}

/** Where request input is written whole into a PHP file (see wholeInput, PHP_NAME), else -1. */
function inputCodeFile(src: string, rightsOf: () => Map<string, string[]>): number {
  return firstWrite(src, false, (target, data) => wholeInput(data, rightsOf) && PHP_NAME.test(joinedValue(target, rightsOf)));
}

/** A fixed remote address in a literal. */
const REMOTE_URL = /['"](?:https?|ftps?):\/\/[^'"\s]{4}/i;
/** What a remote address serves, as it is: file_get_contents('http://..'), curl_exec($c) (a curl_init of one in the file). */
const FETCHED = /^\s*(?:@\s*)?(?:file_get_contents\s*\(\s*['"](?:https?|ftps?):\/\/|curl_exec\s*\()/i;

/** Where a PHP file is written with what a fixed remote address serves, as it is (see FETCHED, PHP_NAME), else -1. */
function remoteCodeFile(src: string, rightsOf: () => Map<string, string[]>): number {
  const curl = /\bcurl_init\s*\(\s*['"](?:https?|ftps?):\/\//i.test(src);
  // (the value itself, or a variable's right side, one of them)
  const fetched = (v: string): boolean => {
    const t = v.replace(/(['"])\s*\.\s*\1/g, '');
    if (FETCHED.test(t)) return curl || !/^\s*(?:@\s*)?curl_exec/i.test(t);
    const held = /^\s*\$([A-Za-z_]\w{0,63})\s*$/.exec(t);
    return held !== null && (rightsOf().get(held[1]!) ?? []).some((r) => FETCHED.test(r) && (curl || !/^\s*(?:@\s*)?curl_exec/i.test(r)));
  };
  return firstWrite(src, true, (target, data, fn) => {
    // (Composer's installer, fetched as its instructions say, is not a dropper: S21R-12; nor Composer itself,
    // composer.phar from its site, held-out set H16's benign php-crud-api helper)
    const joined = joinedValue(data, rightsOf);
    if (/getcomposer\.org\/(?:installer|composer\.phar|download\/[\d.]+\/composer\.phar)/i.test(joined)) return false;
    if (!(fn === 'copy' ? REMOTE_URL.test(joined) : fetched(data))) return false;
    return PHP_NAME.test(joinedValue(target, rightsOf));
  });
}
