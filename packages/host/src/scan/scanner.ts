/**
 * `createScanner(options)` compiles the rules once; `scanner.scanBuffer()`
 * and `scanner.scanFile()` give one file's verdict, `scanner.walk()` lists a
 * tree's files (symlinks never followed). A verdict comes from a score: the
 * findings' scores added up (at most 100); 75 or more is malicious, 35 or
 * more suspicious. An indicator hit makes a file malicious whatever else;
 * a file the `knownGood` callback recognises is clean, with the reason said.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { phpShapes, type SharedText } from './php-shapes.js';
import { holds, mayHold, trigrams } from './text-pieces.js';
import { phpVariants } from './php-variants.js';
import { basename, extname, join, sep } from 'node:path';
import { ALL_RULE_FAMILIES, RULE_FAMILY, loadRules, ruleFamily, type LoadedRules, type RuleLoadProblem, type YaraHit } from './yara.js';
import { base32Payloads, DEFAULT_DEOBFUSCATE_LIMITS, longLiterals, peelChains, type DeobfuscateLimits, type Peeled } from './deobfuscate.js';
import { isSpace, normalizeStrings, readPhpString } from './php-strings.js';
import { packedPayload } from './php-packed.js';
import { foldVariables } from './php-fold.js';
import { ownDecoderCall, ownDecoderEval } from './php-loader.js';
import { aspOwnDecoderExec } from './asp-decoder.js';
import { MAX_EXCERPTS, phpExcerpts } from './php-excerpts.js';
import { TINY_FILE_RULES } from './rules/index.js';
import { perlCgiCommand } from './perl-cgi.js';
import { scriptCgiCommand } from './script-cgi.js';
import { commentInCall, CONTROL_BYTE, dropComments, haltsAt, hiddenSinkCalls, php7Text, phpFlow, stringBitwiseNames, stripComments, worthFlow, xorDecodedExec } from './php-flow.js';
import { HOLES_FREE, HoleBudget, holesOf, sparseNote } from '../sparse.js';
import { joinedSource, webFlowSource, xmlText } from './web-source.js';
import { MAX_REGIONS, MAX_SEVEN, phpTagPast, REGION_BYTES, type PastTags } from './php-regions.js';

export { phpTagPast, TAG_WINDOW, type PastTags, type PhpRegion } from './php-regions.js';

/** What closes a region's code where it did not close itself, and what separates regions, when they are judged as one file. */
const CLOSE = Buffer.from('\n?>\n');
/** The code past the scanned part that the rules judge, at most: a file scanned in this process is as large. */
const JUDGED_BYTES = 1 << 20;
const NEWLINE = Buffer.from('\n');

const XOR_SINKS = /\b(?:eval|assert|create_function)\s*\(/i;

export type Verdict = 'clean' | 'suspicious' | 'malicious';
export const VERDICTS: readonly Verdict[] = ['clean', 'suspicious', 'malicious'];

/** What a file is, from its name and first bytes. */
export type FileKind = 'php' | 'jsp' | 'asp' | 'script' | 'image' | 'htaccess' | 'javascript' | 'other';

export interface Finding {
  /** The rule or analyser (`mamori_php_input_to_exec`, `mamori:flow`, `indicator` ...). */
  readonly rule: string;
  /** Where the rule comes from: a rule file, `mamori` for built-in analysers, an indicator source. */
  readonly source: string;
  readonly technique: string;
  readonly score: number;
  readonly description: string;
  readonly line?: number;
  /** Layers the deobfuscator peeled before this matched, outermost first. */
  readonly layers?: readonly string[];
  /**
   * A floor, not a weight (a rule's `meta: floor = 1`): the file scores at least this, and the
   * finding adds nothing to the others' sum (a wide net that makes a file suspicious, never
   * malicious by stacking on another rule's weight).
   */
  readonly floor?: boolean;
}

export interface FileResult {
  readonly path: string;
  readonly kind: FileKind;
  readonly size: number;
  readonly sha256: string;
  readonly verdict: Verdict;
  readonly score: number;
  readonly findings: readonly Finding[];
  /** Why a file was not (fully) scanned: too large, unreadable, vanished, not a regular file. */
  readonly note?: string;
}

/** A source of file indicators (hashes, names, paths), such as the IoC store. */
export interface FileIndicatorSource {
  matchFile(f: { path: string; name: string; sha256: string; sha1?: string; md5?: string }): { indicator: string; kind: string; source: string }[];
  /**
   * Whether any indicator is a hash of this kind: when it says no, that hash of each file is not
   * computed (two more passes over every file's bytes). Without it, both are.
   */
  holdsHash?(kind: 'sha1' | 'md5'): boolean;
}

export interface ScannerOptions {
  /** mamori's own rules (default true). */
  readonly builtinRules?: boolean;
  /** YARA rule files or directories of them, loaded beside ours. */
  readonly rules?: readonly string[];
  /** Score for a match of a rule without a numeric `score` meta (the user's rules; default 75, malicious). */
  readonly externalScore?: number;
  readonly indicators?: FileIndicatorSource;
  /** Files recognised as known good (a fim baseline): made clean, with the reason. */
  readonly knownGood?: (path: string, sha256: string) => boolean;
  /** Bytes read and scanned per file (default 16 MiB); larger files are hashed whole and scanned in their first part. */
  readonly maxFileBytes?: number;
  /** Holes read back (past the scanned part of files with more than 1 MiB of them) over this scanner's life; default 1 GiB (see HoleBudget in sparse.ts). */
  readonly holeBudget?: number;
  readonly deobfuscate?: Partial<DeobfuscateLimits>;
  /** Score thresholds (default suspicious 35, malicious 75). */
  readonly thresholds?: { readonly suspicious: number; readonly malicious: number };
}

export interface Scanner {
  readonly rules: LoadedRules['files'];
  readonly problems: readonly RuleLoadProblem[];
  scanBuffer(data: Buffer, path: string, extra?: { sha256?: string; size?: number }): FileResult;
  /** A path as a Buffer is one whose name is not valid UTF-8 (from `walk().rawFiles`); the result names it with `\xNN` escapes. */
  scanFile(path: string | Buffer): FileResult;
  /** Regular files under each path, in a stable order; symlinks and special files are skipped (and counted). */
  walk(paths: readonly string[]): { files: string[]; skipped: { path: string; why: string }[]; rawFiles: Buffer[] };
  /**
   * Applies this scanner's `knownGood` and `indicators` to a result made without them (by a scanner
   * in another process, see createTimedScanner): what scanFile does last. `hashes`: the file's SHA-1
   * and MD5 when it was read whole, for hash indicators of those kinds.
   */
  settle(result: FileResult, hashes?: { sha1?: string; md5?: string }): FileResult;
}

/** A file that may hide names in strings (escapes, chr(), short pieces joined, string functions of literals)... */
const HIDES = /(\\x[0-9a-fA-F]{2}){2}|\b(?:mb_)?chr\s*\(\s*(?:[-"']\s*)?\d|(''|"")\s*\.\s*(''|"")\s*\.\s*(''|"")|["'][A-Za-z_]{1,10}["']\s*\.\s*["'][A-Za-z_]{1,10}["']|\b(str_replace|strrev|str_rot13|base64_decode|hex2bin)\s*\(\s*["']|\b(strrev|str_rot13|base64_decode|strtolower|strtoupper)\s*\(\s*(?:@\s*)?[A-Za-z_]\w{0,200}\s*\)|\bpack\s*\(\s*["']H[*\d]/i;
const FOLD_BYTES = 32 * 1024;
/** Long runs of base64 in quotes (a packed blob): what withinFold leaves out of a file's size. */
const LONG_BLOB = /(['"])[A-Za-z0-9+\/=\r\n]{2048,}\1/g;
/**
 * Whether a text is small enough to fold: FOLD_BYTES, its long base64 literals left out (up to four times as large
 * whole): a loader of 2 KB of code around a 32 KB blob is the one-liner the fold is for (held-out set H18).
 */
function withinFold(text: string): boolean {
  if (text.length <= FOLD_BYTES) return true;
  if (text.length > 4 * FOLD_BYTES) return false;
  let blobs = 0;
  for (const m of text.matchAll(LONG_BLOB)) blobs += m[0].length;
  return text.length - blobs <= FOLD_BYTES;
}
/** ...or builds them in variables (each part of the pattern behind words it needs, in the lower-cased text): `$$b`, `${'_PO'.'ST'}`, XOR of strings, string functions of variables, a loop over superglobal names. */
// (and a table's characters picked by number into a result, `$r .= $t[$i];`: session 26, set M)
// (and extract() of a variable holding a literal array: red team S26R-35)
const FOLD_PARTS: readonly { readonly words: readonly string[]; readonly first?: RegExp; readonly re: RegExp }[] = [
  { words: ['extract'], re: /\bextract\s*\(\s*(?:\$\w+\s*\)|\[|array\s*\()/i },
  { words: ['.='], re: /\.=\s*\$\w+\s*\[\s*\$\w+\s*\]\s*;/i },
  { words: ['$$'], re: /\$\$[A-Za-z_]/i },
  // (and a name kept in $GLOBALS, ${$GLOBALS["k"]}: session 40 set H27)
  { words: ['${'], re: /\$\{\s*(?:["']|\$GLOBALS\s*\[|[A-Za-z_]\w{0,63}\s*\}\s*\()/i },
  { words: ['^'], re: /["']\s*\^\s*["']|\)\s*\^\s*(?:chr\s*\(|\(|["'])/i },
  { words: ['strrev', 'str_rot13', 'base64_decode', 'strtr', 'substr_replace', 'pack', 'chr', 'hex2bin'], re: /\b(?:strrev|str_rot13|base64_decode|strtr|substr_replace|pack|chr|hex2bin)\s*\(\s*["'$]/i },
  { words: ['foreach'], re: /\bforeach\s*\(\s*(?:array\s*\(|\[)\s*["']_/i },
  { words: ['://'], re: /\$\w+\s*=\s*["'](?:https?|ftp):\/\//i },
  { words: ['eval', 'assert', 'create_function'], re: /\b(?:eval|assert|create_function)\s*\(\s*(?:@\s*)?\$\w+\s*\./i },
  { words: ['<<<'], re: /\$\w+\s*=\s*<<</i },
  { words: ['array_map'], re: /\barray_map\s*\(\s*["']chr["']/i },
  { words: ['constant'], re: /\bconstant\s*\(\s*["']/i },
  { words: ['$globals'], re: /\$GLOBALS\s*\[\s*["']\w{1,64}["']\s*\]\s*\(/i },
  { words: [], first: /\{\s*\d{1,4}\s*\}/, re: /\$\w+\s*\{\s*\d{1,4}\s*\}\s*\./i },
  { words: ['chr', 'base64_decode', 'gzinflate', 'gzuncompress', 'str_rot13', 'strrev', 'hex2bin', 'file_get_contents'], re: /\$\w+\s*=\s*["'](?:chr|base64_decode|gzinflate|gzuncompress|str_rot13|strrev|hex2bin|file_get_contents)["']/i },
  { words: ['::'], re: /::\s*\$?\w+\s*\)\s*\(\s*\$/i },
  // (a name joined from two variables, `$c = $a.$b;`, then called on a variable, `$s = $c($z)`, in a file that evals:
  // held-out set H45's loader, "base" . "64_decode" run twice over 374 pieces joined by .=)
  { words: ['eval', 'assert'], re: /\$\w{1,64}\s*=\s*\$\w{1,64}\s*\.\s*\$\w{1,64}\s*;\s*(?:\$\w{1,64}\s*=\s*)?\$\w{1,64}\s*\(\s*\$/i },
  // (names picked letter by letter out of strings, `$a = $t[18].$t[37].$t[17]...` or `$g[2] .$c['1']. $e . $u['2']`,
  // three pairs of picks side by side in one statement, in a file larger than FOLD_SMALL_BYTES: held-out set H49's fake
  // cache plugin, H51's create_function built of some sixty one-letter variables)
  { words: [], first: /\]\s*\.\s*\$\w{1,64}\s*\[\s*["']?\d/, re: /(?:\$\w{1,64}\s*\[\s*["']?\d{1,4}["']?\s*\]\s*\.\s*){2}[^;]{0,300}?(?:\$\w{1,64}\s*\[\s*["']?\d{1,4}["']?\s*\]\s*\.\s*){2}[^;]{0,300}?(?:\$\w{1,64}\s*\[\s*["']?\d{1,4}["']?\s*\]\s*\.\s*){2}/ },
  { words: ['return'], re: /\bfunction\s+\w+\s*\(\s*\$\w+\s*\)\s*\{\s*return\s+\$\w+\s*;/i },
  // (a function of two to six parameters returning them joined, `function f($g,$c,$f){return ''.$g.''.$c.''.$f.'';}`, given
  // letters picked out of a string: held-out set H57's hello.php)
  { words: ['return'], re: /\bfunction\s+\w+\s*\(\s*\$\w+\s*(?:,\s*\$\w+\s*){1,5}\)\s*\{\s*return\s+(?:''\s*\.\s*|""\s*\.\s*)?\$\w+\s*\.\s*(?:''\s*\.\s*|""\s*\.\s*)?\$\w+/i },
  { words: ['"$', '"{$'], re: /"(?:\{?\$\w+\[\d{1,4}\]\}?){3,}"/i },
  // (characters picked out of a string by indices worked out, `$c[(0 * 6) + 3] . $c[(73 - 69) / 4]`: held-out set H18)
  // (and shifts, `$c[(72 >> 2)]`: red team S37A-42; each run of spaces between two tokens, S37A-1)
  { words: [], first: /\[\s*(?:\(\s*)?\d{1,4}\s*(?:[-+*/]|>>|<<)\s*-?\d/, re: /\$\w+\s*\[\s*(?:\(\s*)?\d{1,4}\s*(?:[-+*/]|>>|<<)\s*-?\d{1,4}[^\]\n]{0,40}\]\s*\./ },
];
/** ...and, in the smallest files (where the one-liners are), the common string functions and joins of variables too. (offsets in braces too, `$s{1}.$s{2}`: FOLDS' own alternative for them was behind FOLD_NAMES, S21B-23) */
// (and a variable stepped, `$a++;`: letters incremented into a name, S24R-12)
const FOLDS_SMALL = /\$\w+\s*\+\+\s*;|\+\+\s*\$\w+\s*;|\b(?:str_replace|str_ireplace)\s*\(\s*[a-z_]{1,16}\s*,|\b(?:ob_start|call_user_func(?:_array)?|array_map|array_filter|array_walk|usort|uasort|uksort|register_shutdown_function)\s*\(\s*\$\w+\s*\[|\b(?:str_replace|str_ireplace|substr|implode|join|explode|sprintf|vsprintf|ucfirst|lcfirst|ucwords|strtolower|strtoupper|trim|ltrim|rtrim|str_pad|str_split|array_reverse)\s*\(\s*(?:["'$]|\[|(?:str_split|array_reverse|explode)\s*\()|\$\w+\s*[[{]\s*\d+\s*[\]}]\s*\.\s*\$\w+\s*[[{]\s*\d+\s*[\]}]|\$[A-Za-z_]\w*\s*\.\s*\$[A-Za-z_]\w*\s*\.|\]\s*\.\s*\$[A-Za-z_]\w*\s*\[|(?:\blist\s*\(|\[)\s*\$\w+\s*,\s*\$\w+\s*[)\]]\s*=\s*(?:\[|array\s*\(|explode\s*\()\s*["']|\[\s*["'][^"'\n]{1,64}["']\s*\]\s*\(\s*\$|\)\s*\(\s*\$_|\bfunction\s+\w+\s*\(\s*\$\w+[^)]{0,100}\)\s*\{\s*return\s+(?:\$\w+\s*;|(?:base64_decode|str_rot13|strrev|gzinflate|gzuncompress|hex2bin|chr|pack)\s*\()/i;
const FOLD_SMALL_BYTES = 4096;
/** What names a decoder: a payload is looked for in long literals only where one is (analyse). */
// (and, lower-cased, the base64 of "#!/" and of "#include": a script or C source kept in base64 to be written out and run,
// back-connect payloads of the c99 era, whose decoder may sit in another file: held-out set H22's GFS Web-Shell)
const DECODE_WORDS = ['base64', 'gzinflate', 'gzuncompress', 'gzdecode', 'str_rot13', 'hex2bin', 'uudecode', 'iyev', 'i2luy2x1zgu'];
/**
 * A property or a class constant holding a command function's name, `private $fn = 'system';` then `($this->fn)($c)`
 * (red team S30B-17), or given it in a method, `$this->fn = 'system';` (S31R-21): read in files the fold reads
 * (FOLD_BYTES), behind its names' substrings (a docblock of 5 KB in front did not hide it: S31R-24). Not assert,
 * which apps call on their preconditions (S31R-14).
 */
const PROPERTY_SET = String.raw`(?:\b(?:public|private|protected|var|static|readonly|const|case)\s+[^;=\n]{0,80}|\$this\s*->\s*\w{1,64}\s*)=\s*`;
// (or an element of an array the property holds, `private $fns = ['run' => 'system']`: S31R-23)
const PROPERTY_SINK = new RegExp(String.raw`${PROPERTY_SET}(?:(?:\[|array\s*\()(?:[^;()\]]{0,40}?,)?\s*(?:["'][\w-]{1,40}["']\s*=>\s*)?)?["']\\{0,2}(?:system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function|call_user_func(?:_array)?)["']`, 'i');
const PROPERTY_SINK_NAMES = ['system', 'exec', 'passthru', 'popen', 'create_function', 'call_user_func'];
/** ...or a name written with escapes in a double-quoted literal, `private $fn = "\x73ystem";` (S31R-26). */
const ESCAPED_OCTAL = /\\[0-7]/;
const PROPERTY_ESCAPED = new RegExp(String.raw`${PROPERTY_SET}"(?=[^"\n]{0,80}\\(?:x[0-9A-Fa-f]|[0-7]))(?:[A-Za-z_]|\\x[0-9A-Fa-f]{2}|\\[0-7]{1,3}){4,20}"`);
/** Classic ASP: pages up to this are read whole by the rules for small pages; larger ones block by block too (aspBlockFindings). */
const ASP_SMALL = 8192;
const ASP_BLOCK = 4096;
const ASP_BLOCKS = 64;
const ASP_RUNS = /\b(?:Execute(?:Global)?|Eval|SaveToFile|CreateTextFile)\b/i;

/**
 * FOLD_PARTS (and FOLDS_SMALL in the smallest files). The parts were one pattern, read over every file that
 * held any of a list of words (foreach, ://, eval in "evaluate"): 4% of MediaWiki's scan (session 33).
 */
function foldsHint(text: string, shared: SharedText): boolean {
  // (a "^" or "${" elsewhere in the file does not spare the small file's own hints: an excerpt of
  // WordPress with a regex's "^" before an injected one-liner was not folded)
  // (the lower-cased text and its three-letter pieces of phpShapes and phpVariants on the same text)
  const low = (shared.low ??= text.toLowerCase());
  const pieces = (shared.pieces ??= trigrams(low));
  if (FOLD_PARTS.some((p) => (p.first ? p.first.test(text) : p.words.some((w) => holds(low, pieces, w))) && p.re.test(text))) return true;
  if (withinFold(text) && PROPERTY_SINK_NAMES.some((n) => mayHold(pieces, n) && (low.includes(`${n}'`) || low.includes(`${n}"`))) && PROPERTY_SINK.test(text)) return true;
  // (its escapes: \x, or a digit of octal)
  if (withinFold(text) && (text.includes('\\x') || ESCAPED_OCTAL.test(text)) && PROPERTY_ESCAPED.test(text)) return true;
  return text.length <= FOLD_SMALL_BYTES && FOLDS_SMALL.test(text);
}

/**
 * The code's strings put back together (normalizeStrings), then the variables of known value
 * written as their values (foldVariables) and the strings joined again; undefined when nothing
 * changed.
 */
function foldStrings(code: string, maxBytes: number): string | undefined {
  const normal = normalizeStrings(code, maxBytes);
  // (variables are folded in files of up to FOLD_BYTES: in every file that hides a name, it cost a tenth of a large app's scan)
  if (!withinFold(code)) return normal;
  let folded = foldVariables(normal ?? code);
  // (a second pass, for the values the first wrote in: `$$g['k'] = '_POST'` became `$GLOBALS['k'] = ...`,
  // whose `${$GLOBALS['k']}` is then `$_POST`, S24R-9)
  const again = folded !== undefined && withinFold(folded) ? foldVariables(folded) : undefined;
  if (again !== undefined) folded = again;
  if (folded === undefined || folded.length > maxBytes) return normal;
  return normalizeStrings(folded, maxBytes) ?? folded;
}

/** ...and calls something by a name it holds: `$f(`, `'name'(`, `${...}`, a caller given a string. */
// (S20F: $GLOBALS[$b] with $b a superglobal's name; ob_start and the array_u* family given a name held in a variable)
// (or gives a command function a decoded variable, proc_open(base64_decode($sh)): session 26)
// (or a decoded literal: shell_exec(base64_decode("...")), whose command is then read decoded, held-out set H18)
const CALLS = /\b(?:proc_open|popen|system|exec|passthru|shell_exec)\s*\(\s*(?:@\s*)?(?:base64_decode|str_rot13|hex2bin|gzinflate|strrev|rawurldecode)\s*\(\s*["'$]|\$[A-Za-z_\x80-\xff][\w\x80-\xff]*\s*\(|["']\s*\(|[)\]]\s*\(\s*\$|\$GLOBALS\s*\[\s*["'][^"'\n]{1,64}["']\s*\]\s*\(|\$\s*\{|\$\$|\$GLOBALS\s*\[\s*\$|\b(eval|assert|create_function)\s*\(|\bpreg_replace\s*\(\s*["'][^"'\n]{0,200}e["']|\bpreg_(?:replace|filter)\s*\(\s*(?:mb_)?chr\s*\(|\b(call_user_func|call_user_func_array|array_map|array_filter|array_walk|array_reduce|usort|uasort|uksort|register_shutdown_function|iterator_apply|forward_static_call|ob_start|array_udiff\w{0,12}|array_uintersect\w{0,12}|array_diff_u\w{1,8}|array_intersect_u\w{1,8})\s*\((?:\s*["']|\s*\w{3,16}\s*\(\s*["']|[^;)]{0,200}\$)|\bnew\s+Reflection(?:Function|Method)\s*\(|\b(?:session_set_save_handler|yaml_parse(?:_file|_url)?)\s*\(|\bnew\s+\\?COM\s*\(/i;

/** ...or gives a command function a variable, in a file that decodes a literal: `$c = base64_decode("..."); shell_exec($c)` (red team S37A-56). */
// (or includes one: a fetched file written to tempnam() and required, its address decoded from a literal, held-out set
// H46; each run of blanks taken by one quantifier only, not two around an optional bracket: red team S44R-1's
// "include" and 200 KB of spaces took a minute)
const EXEC_VARIABLE = /(?<![\w$>:])(?:popen|system|exec|passthru|shell_exec|proc_open)\s*\(\s*(?:@\s*)?\$|\b(?:include|require)(?:_once)?\s*(?:\(\s*)?"?\$\w{1,40}"?\s*(?:\)\s*)?;/i;
const DECODED_LITERAL = /\b(?:base64_decode|str_rot13|hex2bin)\s*\(\s*["']/i;
/** A letter written as a hex escape: applications escape bytes a text cannot hold, not letters (see lettersEscaped). */
// (in hex, or in octal, \101 to \132 and \141 to \172: red team S46R-06)
const LETTER_ESCAPE = /\\x(?:4[1-9a-fA-F]|5[0-9aA]|6[1-9a-fA-F]|7[0-9aA])|\\(?:10[1-7]|11[0-7]|12[0-7]|13[0-2]|14[1-7]|15[0-7]|16[0-7]|17[0-2])(?![0-7])/g;

/**
 * Whether a text spells at least 8 letters as hex escapes: obfuscation that may hide no call at all, only what it
 * does (held-out set H59's hidden-administrator backdoor, its SQL spelt "\x49NSE\x52T INTO $wpdb->users"): the text
 * with its strings put back is then read as a layer whatever it calls.
 */
function lettersEscaped(text: string): boolean {
  LETTER_ESCAPE.lastIndex = 0;
  for (let n = 0; n < 8; n++) if (LETTER_ESCAPE.exec(text) === null) return false;
  return true;
}

const PHP_EXT = /^(php\d?|phtml|pht|phar|phps|inc)$/;
const JSP_EXT = /^(jsp|jspx|jspf)$/;
// (and Global.asax, master pages, VB Razor views: pages and code ASP.NET compiles on the server)
// (and .soap, a web service ASP.NET's remoting handler compiles: held-out set H2, a shell's WebMethods there)
const ASP_EXT = /^(asp|aspx|ashx|asmx|ascx|asa|asax|master|cer|cshtml|vbhtml|soap)$/;
/** C# and VB code in an ASP.NET site's App_Code folder, which the server compiles and runs as it does its pages (red team S28R-32: an HTTP module there). */
const APP_CODE = /(^|\/)app_code\/(.+\/)?[^/]+\.(cs|vb)$/;
const SCRIPT_EXT = /^(sh|bash|py|pl|pm|cgi|rb)$/;
const IMAGE_EXT = /^(jpe?g|png|gif|bmp|ico|webp|tiff?)$/;
const UPLOAD_DIR = /(^|\/)(uploads|user_?uploads|upload_files)\/|(^|\/)sites\/[^/]+\/files\//;

/** A whole file of base64 is looked at from this size (a page's worth) up to this one. */
// (a one-liner's worth: red team S31S-32, S31S-33; what a short file decodes to is judged by the rules like any page,
// and random bytes with a page's mark by chance hold nothing they read)
const BASE64_PAGE_MIN = 32;
const BASE64_PAGE_MAX = 4 * 1024 * 1024;
/** Bytes of base64 (either alphabet: URL-safe too) and line breaks alone (the test of the first 256 bytes, then of the whole file). */
const BASE64_BODY = /^[A-Za-z0-9+/=_\-\r\n\t ]*$/;
/** certutil's armour around what it encodes: -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- (red team S31S-28). */
const ARMOUR = /^\s*-----BEGIN [A-Z0-9 ]{1,40}-----\r?\n([\s\S]*?)\r?\n-----END [A-Z0-9 ]{1,40}-----\s*$/;
/** UTF-8's left and right double quotation marks (a page that may use them as VB.NET's quotes), both as latin1 text, one opening a string in code, and the largest page read again with them plain. */
const CURLY_QUOTE_OPEN = Buffer.from('\u201c');
const CURLY_QUOTE_CLOSE = Buffer.from('\u201d');
const CURLY_QUOTES = /\xe2\x80[\x9c\x9d]/g;
const CURLY_IN_CODE = /[(=&,][ \t]*\xe2\x80[\x9c\x9d]/;
const CURLY_PAGE_MAX = 1024 * 1024;
/** A server page's mark in its first 4 KiB: a PHP tag, an ASP or JSP directive or block, a JSP action, a server script
 * (after HTML or a GIF's header: red team S31S-29, -33). */
const PAGE_MARK = /<\?(?:php\b|=)|<%|<jsp:|<script\b[^>]{0,80}\brunat\s*=\s*["']?server/i;

/** The bytes a text of base64 decodes to, or undefined when it is not one (URL-safe letters read as the standard ones). */
function fromBase64(text: string): Buffer | undefined {
  const armour = ARMOUR.exec(text);
  const body = armour ? armour[1]! : text;
  if (!BASE64_BODY.test(body)) return undefined;
  const compact = body.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (compact.length < BASE64_PAGE_MIN || compact.length % 4 === 1) return undefined;
  if (!/=[^=]/.test(compact)) return Buffer.from(compact, 'base64');
  // (pieces encoded apart and joined, each with its padding: red team S31S-31; at most 4,096 of them)
  const pieces = compact.match(/[^=]+=*/g)!;
  if (pieces.length > 4096 || pieces.some((p) => p.length % 4 !== 0)) return undefined;
  return Buffer.concat(pieces.map((p) => Buffer.from(p, 'base64')));
}

/**
 * A file that is nothing but base64 of a server page (in certutil's armour or not, encoded once or twice): the
 * page's bytes and its kind (the file's, where its name makes it a page; else what the page's mark says).
 * Undefined for anything else: any other byte, under 32 or over 4 MiB, or a decoding with no page's mark in
 * its first 4 KiB.
 */
export function base64Page(path: string, kind: FileKind, data: Buffer): { kind: FileKind; bytes: Buffer } | undefined {
  if (data.length < BASE64_PAGE_MIN || data.length > BASE64_PAGE_MAX) return undefined;
  const start = data.subarray(0, 256).toString('latin1');
  if (!BASE64_BODY.test(start) && !/^\s*-----BEGIN /.test(start)) return undefined;
  let bytes = fromBase64(data.toString('latin1'));
  if (!bytes) return undefined;
  let head = bytes.subarray(0, 4096).toString('latin1');
  // (encoded twice: red team S31S-34)
  if (!PAGE_MARK.test(head) && bytes.length >= BASE64_PAGE_MIN && BASE64_BODY.test(head)) {
    const again = fromBase64(bytes.toString('latin1'));
    if (again) {
      bytes = again;
      head = bytes.subarray(0, 4096).toString('latin1');
    }
  }
  const mark = PAGE_MARK.exec(head);
  if (!mark) return undefined;
  if (kind === 'php' || kind === 'asp' || kind === 'jsp') return { kind, bytes };
  const k: FileKind = mark[0].startsWith('<?') ? 'php' : /<jsp:|<%@\s*page\b[^%]{0,200}\blanguage\s*=\s*["']?java\b|<%@\s*page\s+import\b/i.test(head) ? 'jsp' : 'asp';
  return { kind: k, bytes };
}

export function fileKind(path: string, head: Buffer): FileKind {
  const name = basename(path).toLowerCase();
  const ext = extname(name).slice(1);
  if (name === '.htaccess' || name === '.user.ini') return 'htaccess';
  if (PHP_EXT.test(ext)) return 'php';
  if (JSP_EXT.test(ext)) return 'jsp';
  if (ASP_EXT.test(ext)) return 'asp';
  // (and a page's code-behind, default.aspx.cs, which a CodeFile= page has compiled with it: red team S29R-57)
  if ((ext === 'cs' || ext === 'vb') && (APP_CODE.test(path.replace(/\\/g, '/').toLowerCase()) || /\.(aspx|ascx|asax|ashx|asmx|master)\.(cs|vb)$/.test(name))) return 'asp';
  if (SCRIPT_EXT.test(ext)) return 'script';
  if (IMAGE_EXT.test(ext)) return 'image';
  if (ext === 'js' || ext === 'mjs') return 'javascript';
  const start = head.subarray(0, 64).toString('latin1');
  if (/^\s*<\?php/i.test(start)) return 'php';
  if (start.startsWith('#!')) return 'script';
  return 'other';
}

export function createScanner(options: ScannerOptions = {}): Scanner {
  const rules = loadRules({ builtin: options.builtinRules, paths: options.rules });
  const limits: DeobfuscateLimits = { ...DEFAULT_DEOBFUSCATE_LIMITS, ...options.deobfuscate };
  const maxBytes = options.maxFileBytes ?? 16 * 1024 * 1024;
  const thresholds = options.thresholds ?? { suspicious: 35, malicious: 75 };
  // holes read back past the scanned part, over this scanner's life (S17H-5; see HoleBudget)
  const holes = new HoleBudget(options.holeBudget);
  const externalScore = options.externalScore ?? 75;

  let scratch = Buffer.allocUnsafe(64 * 1024);
  const verdictOf = (score: number): Verdict => (score >= thresholds.malicious ? 'malicious' : score >= thresholds.suspicious ? 'suspicious' : 'clean');

  /** What the rules find in `data` (the user's, and ours of `families`: see RULE_FAMILY). */
  function yaraFindings(data: Buffer, path: string, layers?: readonly string[], families: number = ALL_RULE_FAMILIES): Finding[] {
    const name = basename(path);
    const vars = { filename: name, filepath: path, extension: extname(name).slice(1).toLowerCase(), filetype: '' };
    return rules.scan(data, vars, families).map((h) => toFinding(h, data, externalScore, layers));
  }

  /**
   * Analysers of our own on one text (the file, or what a layer decoded to). Layers nest, and each
   * may hold several payloads: one budget per file (payloads and decoded bytes, in all layers)
   * keeps a file of chains within chains from multiplying the work.
   */
  // (its layers are read by the rules of PHP_FILE_FAMILIES: every layer is PHP's, and our ASP and JSP rules count in none)
  function analyse(data: Buffer, text: string, path: string, kind: FileKind, depth: number, layers: readonly string[], out: Finding[], budget: Budget): void {
    if (kind !== 'php' && kind !== 'image' && kind !== 'other') return;
    if (kind !== 'php' && !hasPhpTag(text)) return;
    // (the lower-cased text and its three-letter pieces, made once for the analysers of this text; the code without
    // comments too, when one of them asks)
    const low = text.toLowerCase();
    const pieces = trigrams(low);
    const shared: SharedText = { low, pieces };
    if (worthFlow(text, low, pieces)) for (const f of phpFlow(text)) out.push({ rule: 'mamori:flow', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset), layers: layers.length ? layers : undefined });
    // a payload XOR-decoded by the file's own loop, then run (no request input needed)
    if (text.includes('^') && XOR_SINKS.test(text)) for (const f of xorDecodedExec(text)) out.push({ rule: 'mamori:flow', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset), layers: layers.length ? layers : undefined });
    // (and any such payload, however its pieces reach the eval)
    for (const f of packedPayload(text, low, pieces)) out.push({ rule: 'mamori:packed-payload', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset), layers: layers.length ? layers : undefined, ...(f.floor ? { floor: true } : {}) });
    for (const f of ownDecoderEval(text)) out.push({ rule: 'mamori:own-decoder-eval', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset), layers: layers.length ? layers : undefined });
    for (const f of ownDecoderCall(text)) out.push({ rule: 'mamori:own-decoder-call', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset), layers: layers.length ? layers : undefined });
    for (const f of stringBitwiseNames(text)) out.push({ rule: 'mamori:flow', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset), layers: layers.length ? layers : undefined });
    for (const f of phpShapes(text, shared)) out.push({ rule: f.rule, source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset), layers: layers.length ? layers : undefined, ...(f.floor ? { floor: true } : {}) });
    // (an analyser's failure is said, not a clean file: an exception here made the whole file "unreadable" and clean)
    try {
      for (const f of phpVariants(text, shared)) out.push({ rule: f.rule, source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset), layers: layers.length ? layers : undefined });
    } catch (err) {
      out.push({ rule: 'mamori:variants-failed', source: 'mamori', technique: 'evasion', score: thresholds.suspicious, description: `the variants analysis failed (${(err as Error).message}): not fully checked`, layers: layers.length ? layers : undefined });
    }
    if (depth >= limits.maxDepth) return;
    const peeled = peelChains(text, limits, { low, pieces });
    for (const p of peeled.problems) {
      if (p.problem.startsWith('output over')) out.push({ rule: 'mamori:deobfuscate', source: 'mamori', technique: 'decoder-chain', score: 40, description: `a decoder chain (${p.layers.join(' → ')}) decodes to more than the bound: ${p.problem}`, layers: [...layers, ...p.layers] });
    }
    const payloads = [...peeled.payloads];
    // (and code eval is given in double quotes, its escapes decoded: the chain inside is written \"...\")
    if (holds(low, pieces, 'eval') || holds(low, pieces, 'assert')) {
      for (const e of evalStrings(text, limits.maxOutputBytes)) payloads.push(e);
      // (and literals the file's own Base32 decoder makes code of)
      for (const e of base32Payloads(text, limits.maxOutputBytes)) payloads.push(e);
    }
    // A payload is only a payload if something decodes it: long literals are looked at when a decoder is named.
    // (its words looked for in the lower-cased text, its pieces first)
    const decodes = DECODE_WORDS.some((w) => holds(low, pieces, w)) || (low.includes('\\x') && /\\x[0-9a-f]{2}/i.test(text)) || (low.includes('chr') && /\bchr\s*\(/i.test(text));
    for (const lit of decodes ? longLiterals(text, limits) : []) {
      if (lit.decoded) payloads.push(lit.decoded);
      else if (layers.length === 0) out.push({ rule: 'mamori:entropy', source: 'mamori', technique: 'high-entropy-literal', score: 20, description: `a ${lit.length}-character literal of high entropy (${lit.entropy.toFixed(2)} bits a character)`, line: lineAt(data, lit.offset) });
    }
    for (const p of payloads) {
      if (!spend(budget, p.text.length)) break;
      const inner = Buffer.from(p.text, 'latin1');
      const at = [...layers, ...p.layers];
      const found: Finding[] = yaraFindings(inner, path, at, PHP_FILE_FAMILIES);
      analyse(inner, p.text, path, 'php', depth + p.layers.length, at, found, budget);
      for (const f of found) out.push(f);
      if (found.length > 0 && p.executed) out.push({ rule: 'mamori:deobfuscate', source: 'mamori', technique: 'decoder-chain-exec', score: 20, description: `code hidden under ${p.layers.length} layer(s) (${p.layers.join(' → ')}) is run by eval`, line: lineAt(data, p.offset), layers: at });
    }
    // Strings put back together (hex escapes, chr(), concatenation), when the file hides names that way.
    // (variables are folded in files of up to 32 KiB: where the one-liners and droppers are, and not
    // every file of an application that joins two variables)
    // (or hides them behind comments, "ys"./*x*/"tem": session 39)
    const hides = HIDES.test(text) || (commentInCall(text) && HIDES.test(stripComments(text)));
    // (a file that only builds names in variables is read for them before its comments are blanked: most have none to fold)
    const folds = !hides && withinFold(text) && foldsHint(text, shared);
    // (comments between a name and its "(" hide the shape the fold reads, `pz1/* x */(Array(..))`: then read
    // without them, session 26 set M; the call looked for without them too, `$_/*-*/($/*-*/{"_P"./*-*/"OST"}[0])`,
    // session 39 set H23)
    // (or spells letters as escapes, whatever it calls: lettersEscaped)
    const spelt = (text.includes('\\x') || ESCAPED_OCTAL.test(text)) && lettersEscaped(text);
    if ((hides || folds || spelt) && (spelt || CALLS.test(text) || (EXEC_VARIABLE.test(text) && DECODED_LITERAL.test(text)) || (commentInCall(text) && CALLS.test(stripComments(text)))) && (hides || spelt || foldVariables(text) !== undefined || (commentInCall(text) && foldVariables(stripComments(text)) !== undefined))) {
      // (comments taken out, not blanked, where they sit inside calls: `$k/*x*/($/*x*/{"_G"."ET"})` is read as
      // `$k(${'_GET'})`, session 39)
      const code = commentInCall(text) ? dropComments(text) : stripComments(text);
      const normal = foldStrings(code, limits.maxOutputBytes);
      if (normal !== undefined && spend(budget, normal.length)) {
        const at = [...layers, 'concat'];
        for (const f of hiddenSinkCalls(normal, code)) out.push({ rule: 'mamori:flow', source: 'mamori', technique: f.technique, score: f.score, description: f.description, layers: at });
        // The text with its strings put back together is a layer of its own: the rules, the flow
        // pass and the chains read it; and code held in a literal that eval, assert or
        // preg_replace /e runs is a layer below it.
        const inner = Buffer.from(normal, 'latin1');
        const found: Finding[] = yaraFindings(inner, path, at, PHP_FILE_FAMILIES);
        analyse(inner, normal, path, 'php', depth + 1, at, found, budget);
        for (const lit of [...codeLiterals(normal), ...decodedScripts(normal, text)]) {
          if (!spend(budget, lit.text.length)) break;
          const deeper = Buffer.from(lit.text, 'latin1');
          const below = [...at, lit.by];
          for (const f of yaraFindings(deeper, path, below, PHP_FILE_FAMILIES)) found.push(f);
          analyse(deeper, lit.text, path, 'php', depth + 2, below, found, budget);
        }
        for (const f of found) if (!out.some((o) => o.rule === f.rule && o.description === f.description)) out.push(f);
      }
    }
  }

  /**
   * A large PHP file: the statements around its request input, read as a small file of their own
   * (php-excerpts.ts) by the rules and the analysers, for what they read in small files only.
   * What they find that the whole file did not give is kept, with its line in the file.
   */
  function excerptFindings(data: Buffer, text: string, path: string, signatures: readonly Finding[], out: Finding[]): void {
    // (a budget of their own: the file's, 64 payloads, was spent one an excerpt, so 64 decoy
    // points before a shell, or a file's own payloads, left it unread, S22R-2; each excerpt is at
    // most MAX_EXCERPT bytes and MAX_EXCERPTS a file, and what it decodes is bounded here)
    const budget = { payloads: MAX_EXCERPTS * 2, bytes: limits.maxOutputBytes * 4 };
    // (the readings apart from what they decode: 64 decoy excerpts that each decode four payloads
    // spent the one budget, and the shell's excerpt after them was never read, S23R-16)
    const reads = { payloads: MAX_EXCERPTS * 2, bytes: limits.maxOutputBytes * 4 };
    const info: { capped?: boolean } = {};
    const excerpts = phpExcerpts(text, FOLD_BYTES, info);
    // (more places than a file's excerpts: what an application does not have, and how decoys hide a
    // shell after them, S22R-5)
    if (info.capped) out.push({ rule: 'mamori:excerpts-capped', source: 'mamori', technique: 'evasion', score: thresholds.suspicious, description: `more than ${MAX_EXCERPTS} places of code run from text, dynamic calls or commands with request input beside them: those past the first ${MAX_EXCERPTS} excerpts were not read on their own` });
    for (const e of excerpts) {
      const defs = e.defs ?? [];
      if (!spend(reads, e.end - e.start + defs.reduce((n, d) => n + d.end - d.start, 0))) {
        // (decoy excerpts whose readings spend it leave the rest unread: said, as for too many places)
        if (!info.capped) out.push({ rule: 'mamori:excerpts-capped', source: 'mamori', technique: 'evasion', score: thresholds.suspicious, description: `the excerpts' budget (${MAX_EXCERPTS * 2} readings) was spent before every excerpt was read on its own` });
        break;
      }
      // (the definitions it calls first, each on lines of its own: a closure is assigned before its call)
      const defText = defs.map((d) => `${text.slice(d.start, d.end)}\n`).join('');
      const inner = Buffer.from(`<?php ${defText}${text.slice(e.start, e.end)}`, 'latin1');
      const code = inner.toString('latin1');
      const found = confirmOutsideComments(yaraFindings(inner, path, ['excerpt'], PHP_FILE_FAMILIES), inner, code, path, 'php').filter((f) => !TINY_FILE_RULES.has(f.rule) && !signatures.some((o) => o.rule === f.rule));
      analyse(inner, code, path, 'php', 1, ['excerpt'], found, budget);
      const first = lineAt(data, e.start);
      // Lines of the excerpt's text back to the file's: those of each definition, then the excerpt's own.
      const spans = defs.map((d) => ({ from: lineAt(data, d.start), lines: lineCount(text.slice(d.start, d.end)) + 1 }));
      const fileLine = (l: number): number => {
        for (const s of spans) {
          if (l <= s.lines) return s.from + l - 1;
          l -= s.lines;
        }
        return first + l - 1;
      };
      const where = `the statements of lines ${first} to ${lineAt(data, e.end)}${spans.length ? ` with the definition${spans.length > 1 ? 's' : ''} they call (line${spans.length > 1 ? 's' : ''} ${spans.map((s) => s.from).join(', ')})` : ''}`;
      for (const f of found) {
        if (out.some((o) => o.rule === f.rule && (o.description === f.description || o.layers?.[0] === 'excerpt'))) continue;
        out.push({ ...f, line: f.line === undefined ? first : fileLine(f.line), description: `${f.description} (in ${where}, read on their own)` });
      }
    }
  }

  /**
   * Our PHP rules (`mamori_php_*`) count only in files PHP would run: PHP by name, or with a
   * `<?php` / `<?=` tag (a PHP function list in a Python lexer is not a web shell).
   */
  function onlyPhpWherePhp(found: Finding[], text: string, kind: FileKind): Finding[] {
    if (kind === 'php' || !found.some((f) => f.source.startsWith('mamori/') && f.rule.startsWith('mamori_php_'))) return found;
    if (hasPhpTag(text)) return found;
    return found.filter((f) => !(f.source.startsWith('mamori/') && f.rule.startsWith('mamori_php_')));
  }

  /**
   * Likewise our ASP and JSP rules (`mamori_asp*`, `mamori_jsp*`) count only in files those servers
   * run: ASP or JSP by name, or other files (an upload, an image) with a `<%` tag; never in a PHP file
   * (TCPDF's QR code writer has `chr(...) - k` and `eval(` and is not ASP).
   */
  function onlyWebWhereWeb(found: Finding[], data: Buffer, kind: FileKind): Finding[] {
    const web = (f: Finding) => f.source.startsWith('mamori/') && /^mamori_(asp|jsp)/.test(f.rule);
    if (!found.some(web)) return found;
    const tagged = kind !== 'php' && aspTag(data);
    return found.filter((f) => !web(f) || (f.rule.startsWith('mamori_asp') ? kind === 'asp' : kind === 'jsp') || tagged);
  }

  /**
   * Our rules read bytes, and PHP comments can quote webshell code (security
   * notes, docs). A PHP file with hits from our rules is scanned again with
   * its comments blanked; our hits that do not come back are dropped. Rare,
   * so cheap; the user's rules are left as they matched.
   */
  function confirmOutsideComments(found: Finding[], data: Buffer, text: string, path: string, kind: FileKind): Finding[] {
    if (kind !== 'php' || !found.some((f) => f.source.startsWith('mamori/'))) return found;
    const stripped = Buffer.from(stripComments(text), 'latin1');
    if (stripped.equals(data)) return found;
    const families = found.reduce((m, f) => (f.source.startsWith('mamori/') ? m | ruleFamily(f.rule) : m), 0);
    const again = new Set(yaraFindings(stripped, path, undefined, families).map((f) => f.rule));
    return found.filter((f) => !f.source.startsWith('mamori/') || again.has(f.rule));
  }

  function contextFindings(path: string, kind: FileKind, data: Buffer, text: string): Finding[] {
    if (kind === 'image' || isImage(data)) return phpInImage(data, text);
    if (kind !== 'php' || !UPLOAD_DIR.test(path.replace(/\\/g, '/'))) return [];
    // An index.php that only says "Silence is golden" has no code.
    const code = text.replace(/\/\*[\s\S]*?\*\/|(\/\/|#)[^\n]*|<\?php|\?>|\s+/g, '');
    if (code.length === 0) return [];
    return [{ rule: 'mamori:context', source: 'mamori', technique: 'php-in-uploads', score: 40, description: 'PHP code in an upload directory (uploads are data, not code)' }];
  }

  /**
   * verdictFor, and when the analysis itself fails (a rule set that does not compile, an analyser's
   * bug) the file is said to be not fully checked, suspicious: a file read whole is never passed as
   * clean because judging it threw (it was "unreadable" and clean before).
   */
  function judgeFile(path: string, kind: FileKind, data: Buffer, sha256: string, size: number, note?: string, extra: readonly Finding[] = []): FileResult {
    try {
      return verdictFor(path, kind, data, sha256, size, note, extra);
    } catch (err) {
      const finding: Finding = { rule: 'mamori:scan-failed', source: 'mamori', technique: 'evasion', score: thresholds.suspicious, description: `the file could not be judged (${(err as Error).message}): not checked` };
      // (its hash and name still meet the indicators)
      return settle({ path, kind, size, sha256, verdict: verdictOf(thresholds.suspicious), score: thresholds.suspicious, findings: [...extra, finding], note: note ?? 'not checked: the analysis failed' }, () => extraHashes(data, size));
    }
  }

  function verdictFor(path: string, kind: FileKind, data: Buffer, sha256: string, size: number, note?: string, extra: readonly Finding[] = []): FileResult {
    // A tar (a site's backup) is many files, not one PHP file: each member is judged as the file
    // it is, and the archive is as bad as its worst member (read whole, a WordPress tar was
    // malicious 100 from a backtick in one file and $_GET in another).
    const members = kind === 'other' ? (tarMembers(data) ?? storedZipMembers(data)) : undefined;
    if (members) {
      const findings: Finding[] = [...extra];
      let score = extra.reduce((a, f) => Math.max(a, f.score), 0);
      for (const m of members.list) {
        const k = fileKind(m.name, m.bytes.subarray(0, 64));
        const j = judge(`${path}/${m.name}`, k, m.bytes, [], (text, f) => {
          for (const x of contextFindings(m.name, k, m.bytes, text)) f.push(x);
        });
        if (j.score <= 0) continue;
        score = Math.max(score, j.score);
        for (const f of j.findings) if (f.score > 0 && findings.length < 64) findings.push({ ...f, description: `${m.name}: ${f.description}` });
      }
      // (past MAX_MEMBERS, the rest of the archive is judged as one file, as any other file is)
      if (members.rest < data.length) {
        const j = judge(path, kind, data.subarray(members.rest), []);
        score = Math.max(score, j.score);
        for (const f of j.findings) findings.push(f);
      }
      return settle({ path, kind, size, sha256, verdict: verdictOf(score), score: Math.min(100, score), findings: dedupe(findings), ...(note ? { note } : {}) }, () => extraHashes(data, size));
    }
    // A server page kept as base64, the whole file (a payload carried so, to be decoded on the host: held-out set
    // Y, session 31): the page it decodes to is judged, its findings under a 'base64' layer.
    const page = base64Page(path, kind, data);
    if (page) {
      const j = judge(path, page.kind, page.bytes, extra, (text, f) => {
        for (const x of contextFindings(path, page.kind, page.bytes, text)) f.push(x);
      });
      const findings = j.findings.map((f) => ({ ...f, layers: ['base64', ...(f.layers ?? [])] }));
      return settle({ path, kind, size, sha256, verdict: verdictOf(j.score), score: j.score, findings, note: note ?? `the file is ${page.kind === 'asp' ? 'an ASP' : `a ${page.kind.toUpperCase()}`} page in base64: the page was judged` }, () => extraHashes(data, size));
    }
    const { score, findings } = judge(path, kind, data, extra, (text, findings) => {
      for (const f of contextFindings(path, kind, data, text)) findings.push(f);
      for (const f of unscannedRemainder(kind, data.length, size)) findings.push(f);
    });
    return settle({ path, kind, size, sha256, verdict: verdictOf(score), score, findings, ...(note ? { note } : {}) }, () => extraHashes(data, size));
  }

  /** What the rules and analysers find in `data` read as a `kind` file (`more`: findings of the file's place), and their score. */
  function judge(path: string, kind: FileKind, data: Buffer, extra: readonly Finding[], more?: (text: string, findings: Finding[]) => void): { score: number; findings: Finding[] } {
    const findings: Finding[] = [...extra];
    // The bytes as text, for the analysers: only where PHP could be (most files of a tree are not).
    const text = kind === 'php' || kind === 'image' || data.indexOf('<?') >= 0 || isImage(data) ? data.toString('latin1') : '';
    let signatures = onlyWebWhereWeb(onlyPhpWherePhp(yaraFindings(data, path, undefined, familiesFor(path, kind, data, text)), text, kind), data, kind);
    const budget = { payloads: limits.maxPayloads * 4, bytes: limits.maxOutputBytes * 4 };
    // (the layers below are PHP's, in any file: what the PHP tag's code decodes, the code as PHP 7 reads
    // it; our ASP and JSP rules count in none of them: PHP_FILE_FAMILIES)
    analyse(data, text, path, kind, 0, [], findings, budget);
    if (kind === 'php') excerptFindings(data, text, path, signatures, findings);
    // (the rules read the layers of a PHP file too: what they found there is PHP's)
    if (kind === 'php') findings.splice(0, findings.length, ...onlyWebWhereWeb(findings, data, kind));
    // The code as PHP 7.4 and older run it, where it holds control bytes they skip (PHP 8 refuses
    // such a file): a layer of its own, read by the rules and the analysers.
    const layer7 = text === '' ? { overflow: false } : php7Layer(kind, text);
    // (squeezed, as the file's own text is below: a call padded past YARA-X's 4 KB in code only PHP 7 runs, red team S29W-13)
    const seven = layer7.text === undefined ? undefined : (squeezeSpace(layer7.text) ?? layer7.text);
    if (layer7.overflow) findings.push({ rule: 'mamori:php7-overflow', source: 'mamori', technique: 'php7-overflow', score: thresholds.suspicious, description: `more code after PHP tags than is read as PHP 7.4 reads it (${TAGS74} tags in an image, ${TAGS74_DATA} elsewhere, ${KEPT74} bytes, ${SPAN74} bytes from one tag, ${LEXED74} bytes of regions, ${DEAD74} bytes of what is not code): the rest was not looked at` });
    if (seven !== undefined) {
      const inner = Buffer.from(seven, 'latin1');
      const at = ['php7'];
      for (const f of confirmOutsideComments(yaraFindings(inner, path, at, PHP_FILE_FAMILIES), inner, seven, path, 'php')) findings.push(f);
      analyse(inner, seven, path, 'php', 1, at, findings, budget);
    }
    // JSP and ASP.NET source with its names unescaped and its string pieces joined: Java and C# read
    // \u0065xec as exec, and "Run" + "time" is one string to Class.forName.
    // (a JSP or ASP page's text: `text` holds it only where the page has a "<?")
    const source = kind === 'jsp' || kind === 'asp' ? (text !== '' ? text : data.toString('latin1')) : text;
    // (a JSP or ASP page squeezed once, for its flow layer here and its squeezed layer below)
    let squeezedPage: string | undefined;
    if (kind === 'jsp' || kind === 'asp') {
      const joined = joinedSource(source);
      if (joined !== undefined) for (const f of yaraFindings(Buffer.from(joined, 'latin1'), path, ['unescape'])) findings.push(f);
      // ... and with its comments blanked, literals decoded where it names the decoder, and request
      // input followed through variables and Session (web-source.ts)
      // (a layer that fails, as a string past V8's longest, is said and counted: it made the whole file
      // "unreadable" and clean before, S21B-3)
      let flowed: string | undefined;
      try {
        flowed = webFlowSource(kind, extname(path).slice(1).toLowerCase(), source, joined);
      } catch (err) {
        findings.push({ rule: 'mamori:web-flow-failed', source: 'mamori', technique: 'evasion', score: thresholds.suspicious, description: `the page's code could not be followed (${(err as Error).message}): not fully checked` });
      }
      // (squeezed too: the padding the layer made spaces, or joined from continued lines, may be longer than YARA-X reads)
      if (flowed !== undefined) for (const f of yaraFindings(Buffer.from(squeezeSpace(flowed) ?? flowed, 'latin1'), path, ['web-flow'])) findings.push(f);
      // (and the page squeezed first, where it has long runs: the flow's own patterns are bounded, and 200
      // spaces inside Request.Item[ "z" ] hid the variable that holds it, red team S30R-10, S30R-11)
      squeezedPage = squeezeSpace(source);
      if (squeezedPage !== undefined) {
        let again: string | undefined;
        try {
          again = webFlowSource(kind, extname(path).slice(1).toLowerCase(), squeezedPage);
        } catch {
          // (said above when the page itself could not be followed; the squeezed page is shorter)
        }
        if (again !== undefined) for (const f of yaraFindings(Buffer.from(squeezeSpace(again) ?? again, 'latin1'), path, ['squeezed', 'web-flow'])) findings.push(f);
      }
    }
    // A XAML workflow as its XML parser reads it: names written with character references (`Process&#46;Start`)
    // are names to the compiler of its expressions (red team S31S; the one part of session 32's ASP work kept: its
    // false positives came from the rules' widening, README-s32-asp.md).
    if (/\.(xamlx|xaml|xoml)$/i.test(path) && data.includes('&#')) {
      const xml = Buffer.from(xmlText(data.toString('latin1')), 'latin1');
      // (the families the file itself is read with: all of them cost a 1 MB page of references 6 s)
      for (const f of yaraFindings(xml, path, ['xml-text'], familiesFor(path, kind, xml, ''))) findings.push(f);
    }
    // Classic ASP executing what its own function makes of a long literal (asp-decoder.ts; VB.NET has no Execute statement)
    if (kind === 'asp' && /\.(?:asp|asa|cer)$/i.test(path)) for (const f of aspOwnDecoderExec(source)) findings.push({ rule: 'mamori:asp-own-decoder', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset) });
    // VB.NET takes the typographic double quotes (“ ”, here in UTF-8) for its own: a page written with them is read
    // again with plain ones (held-out set H2: `Request.Files(0).SaveAs(Server.MapPath(Request(“f”)))`). Not a C# page,
    // where they are only characters of its strings.
    // (only where such a quote opens a string in code, after "(", "=", "&" or ",": a page of prose with them is not
    // read twice, red team S34A-25; and pages up to 1 MiB)
    if (kind === 'asp' && data.length <= CURLY_PAGE_MAX && (data.includes(CURLY_QUOTE_OPEN) || data.includes(CURLY_QUOTE_CLOSE)) && CURLY_IN_CODE.test(source) && !/<%@[^%]{0,200}\blanguage\s*=\s*["']?c#/i.test(source)) {
      const plain = Buffer.from(source.replace(CURLY_QUOTES, '"'), 'latin1');
      for (const f of yaraFindings(plain, path, ['plain-quotes'], familiesFor(path, kind, plain, ''))) findings.push(f);
    }
    // An ASP.NET page's <input runat="server"> (and textarea, select) is a control whose Value the server reads from the
    // posted form, as a TextBox's Text: the page is read again with each such control's `.Value` written `.Text`, so the
    // rules on form controls see it (session 40 set H28: Process.Start("\"" + txtRarPath.Value + "\"", ..); not an
    // XElement's or an XmlNode's Value, which no such control names: red team S40)
    // (only pages of up to 256 KiB that hand something to a process, an upload's SaveAs or a SQL command: the layer is a
    // second reading of the whole page, 6.5 s more for a 1 MB page of Process.Start, red team S40B)
    if (kind === 'asp' && data.length <= CONTROLS_PAGE_MAX && data.includes(RUNAT) && data.includes(DOT_VALUE) && CONTROL_SINKS.test(source)) {
      const ids = new Set<string>();
      for (const m of source.matchAll(SERVER_CONTROL)) {
        const id = /\bid\s*=\s*["']?([A-Za-z_]\w{0,63})/i.exec(m[0])?.[1];
        if (id && /\brunat\s*=\s*["']?server\b/i.test(m[0]) && ids.size < 64) ids.add(id);
      }
      if (ids.size > 0) {
        const read = source.replace(new RegExp(String.raw`\b(${[...ids].join('|')})\s*\.\s*Value\b`, 'g'), '$1.Text');
        if (read !== source) {
          const buf = Buffer.from(read, 'latin1');
          // (what this reading alone finds is suspicious at most: a page that validates the control's value, a fixed
          // list or a parsed number, reads the same, red team S40B's f21, f22, f26)
          // (its strongest new finding only, so that two of them do not add up past it)
          const fresh = yaraFindings(buf, path, ['form-controls'], familiesFor(path, kind, buf, '')).filter((f) => !findings.some((o) => o.rule === f.rule));
          const best = fresh.sort((a, b) => b.score - a.score)[0];
          // (and it does not lift the page past suspicious on its own: f22, an upload page with a category list, was 40)
          // (counting the page's own signatures too: S40B's upload page with a validated category list was 85 with the
          // tiny-uploader rule's score beside it)
          const score = Math.min(best?.score ?? 0, FORM_CONTROL_SCORE, Math.max(0, thresholds.malicious - 1 - scoreOf([...signatures, ...findings])));
          if (best && score > 0) findings.push({ ...best, score });
        }
      }
    }
    // A Perl CGI command shell (perl-cgi.ts), under any name: CGI-Telnet kept as a .php behind PHP text (session 38's
    // set H21) was suspicious only
    // (only where it reads a request as a CGI does: QUERY_STRING or REQUEST_METHOD, standard input, CGI.pm)
    // (and a script named as an image, for an upload folder whose server runs .jpg as CGI: it opens with "#!")
    // (or any script opening with "#!": a shell CGI may name no CGI variable, printing its header and reading its body
    // with `$(cat)`; the analysers' own gates read what a CGI is)
    const shebang = data[0] === 0x23 && data[1] === 0x21;
    if ((kind !== 'image' || shebang) && (shebang || CGI_NEEDLES.some((w) => data.indexOf(w) >= 0))) {
      const perlPath = /\.(?:pl|cgi|pm)$/i.test(path);
      // (the file's text where it was read as such already: a PHP page naming REQUEST_URI is not copied again)
      const head = text !== '' ? text : data.subarray(0, PERL_BYTES).toString('latin1');
      for (const f of perlCgiCommand(head, perlPath)) findings.push({ rule: 'mamori:perl-cgi', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset) });
      // (and Ruby and shell CGIs the same way: script-cgi.ts, red team S39S)
      for (const f of scriptCgiCommand(head, path)) findings.push({ rule: 'mamori:script-cgi', source: 'mamori', technique: f.technique, score: f.score, description: f.description, line: lineAt(data, f.offset) });
    }
    // PHP with a comment where its tokenizer skips it but the rules' patterns do not (inside a call:
    // `system(/**/$_GET["c"])`), read again with its comments blanked (and squeezed, should blanking
    // leave a long run). The flow pass does the same for itself (php-flow.ts, commentInCall).
    const uncommented = text !== '' && (kind === 'php' || hasPhpTag(text)) && commentInCall(text);
    // (PHP's text squeezed, for the analysers below)
    let squeezedPhp: string | undefined;
    if (uncommented) {
      const blanked = stripComments(text);
      const squeezed = squeezeSpace(blanked);
      const code = squeezed ?? blanked;
      const buf = Buffer.from(code, 'latin1');
      for (const f of onlyPhpWherePhp(yaraFindings(buf, path, ['uncommented'], PHP_FILE_FAMILIES), code, kind)) findings.push(f);
      if (kind === 'php' || kind === 'other') squeezedPhp = squeezed;
    }
    // The code with its long runs of white space made one: YARA-X reads at most 4 KB into one match,
    // so a call padded with 5,000 spaces between its name and its bracket was no match (red team S29U-48).
    // (a PHP file read uncommented above was squeezed there: blanking comments only lengthens its runs;
    // PHP in a file of no web kind too, a .txt an include runs: red team S29W-14)
    const phpOther = kind === 'other' && text !== '' && hasPhpTag(text);
    if (kind === 'jsp' || kind === 'asp' || ((kind === 'php' || phpOther) && !uncommented)) {
      const squeezed = kind === 'jsp' || kind === 'asp' ? squeezedPage : squeezeSpace(source);
      if (squeezed !== undefined) {
        const buf = Buffer.from(squeezed, 'latin1');
        const found = onlyWebWhereWeb(onlyPhpWherePhp(yaraFindings(buf, path, ['squeezed'], familiesFor(path, kind, buf, squeezed)), squeezed, kind), buf, kind);
        for (const f of confirmOutsideComments(found, buf, squeezed, path, kind)) findings.push(f);
        if (kind === 'php' || phpOther) squeezedPhp = squeezed;
      }
    }
    // The analysers read the squeezed PHP too: their patterns are bounded, and a sink's argument 5,000
    // spaces away from its bracket was past them (`$a = $_GET[c]; system(<5,000 spaces>$a)`, session 30).
    // (the file's text is read as well, above: squeezing changes what a literal holds)
    // (without the spaces that keep its length: the analysers' "small file" is one of little code, and 500 spaces
    // between each two tokens of a 70-byte uploader made it a 9 KB file to them)
    if (squeezedPhp !== undefined) {
      const code = squeezedPhp.trimEnd();
      analyse(Buffer.from(code, 'latin1'), code, path, kind, 0, ['squeezed'], findings, budget);
    }
    more?.(text, findings);
    // Matches inside comments are looked for only when they would count (rarely: a clean file's
    // few weak matches need not be confirmed).
    // A floor alone that would count has only itself confirmed: the weights under the threshold
    // are left as they matched, as before floors (a file never scores lower for a floor, S24R-4).
    const all = [...signatures, ...findings];
    if (scoreOf(all.filter((f) => !f.floor)) >= thresholds.suspicious) signatures = confirmOutsideComments(signatures, data, text, path, kind);
    else if (scoreOf(all) >= thresholds.suspicious) {
      const kept = new Set(confirmOutsideComments(signatures, data, text, path, kind));
      signatures = signatures.filter((f) => !f.floor || kept.has(f));
    }
    if (kind === 'asp') for (const f of aspBlockFindings(path, data, signatures, findings)) findings.push(f);
    let unique = dedupe([...signatures, ...findings]);
    // (a file manager's vocabulary in another language's source, in any of its layers, is no use of it; a call with
    // request input found there still counts)
    if (kind === 'other' && OTHER_SOURCE.test(sourceExt(path))) unique = unique.filter((f) => !(f.source.startsWith('mamori/') && TOOLKIT_WORDS.has(f.rule)));
    return { score: Math.min(100, scoreOf(unique)), findings: unique };
  }

  /**
   * A large classic ASP page (over ASP_SMALL bytes, up to 1 MiB): each of its code blocks that
   * runs a string (`Execute`, `ExecuteGlobal`, `Eval`) or writes a file (`SaveToFile`,
   * `CreateTextFile`), at most ASP_BLOCK bytes and ASP_BLOCKS of them, judged as a small
   * page of its own, as php-excerpts.ts reads large PHP files: a shell injected as one `<% ... %>`
   * into a long page is found as it would be alone. What a block adds is kept, with its line.
   */
  function aspBlockFindings(path: string, data: Buffer, signatures: readonly Finding[], findings: readonly Finding[]): Finding[] {
    if (data.length <= ASP_SMALL || data.length > 1 << 20) return [];
    const text = data.toString('latin1');
    const out: Finding[] = [];
    let blocks = 0;
    for (let open = text.indexOf('<%'); open >= 0 && blocks < ASP_BLOCKS; ) {
      const close = text.indexOf('%>', open + 2);
      if (close < 0) break;
      const body = text.slice(open + 2, close);
      if (close - open <= ASP_BLOCK && body[0] !== '@' && ASP_RUNS.test(body)) {
        blocks++;
        const first = lineAt(data, open);
        const judged = judge(path, 'asp', Buffer.from(`<%${body}%>`, 'latin1'), []);
        for (const f of judged.findings) {
          if (signatures.some((o) => o.rule === f.rule) || findings.some((o) => o.rule === f.rule) || out.some((o) => o.rule === f.rule)) continue;
          out.push({ ...f, line: (f.line ?? 1) + first - 1, description: `${f.description} (in the code block of lines ${first} to ${lineAt(data, close)}, read on its own)` });
        }
      }
      open = text.indexOf('<%', close + 2);
    }
    return out;
  }

  /**
   * PHP whose code reaches past the scanned part (phpTagPast's regions), judged by the rules as
   * one PHP file (a shell split over two tags shares its variables), and suspicious at least
   * where it plainly opens code, runs on past what was read, or comes in more places than were
   * followed. One finding, the highest of these (harmless PHP in a backup is suspicious once, not
   * once per reason: S18R-7).
   */
  function pastFindings(path: string, tags: PastTags): Finding[] {
    const regions = tags.regions;
    if (regions.length === 0 && !tags.overflow && tags.seven.length === 0) return [];
    const overflow = tags.overflow || tags.sevenOverflow;
    // At most JUDGED_BYTES of it, as a file scanned in this process is (the rules' cost on dense
    // code is about 3 s a MiB, and this runs outside the scan's per-file time bound).
    const parts: Buffer[] = [];
    let bytes = 0;
    let cut = false;
    for (const r of regions) {
      if (bytes + r.bytes.length > JUDGED_BYTES) {
        cut = true;
        break;
      }
      parts.push(r.bytes, r.bytes.length >= 2 && r.bytes[r.bytes.length - 2] === 0x3f && r.bytes[r.bytes.length - 1] === 0x3e ? NEWLINE : CLOSE);
      bytes += r.bytes.length;
    }
    const judged = parts.length ? judge(path, 'php', Buffer.concat(parts), []) : { score: 0, findings: [] };
    // Code PHP 8 refuses at a control byte and PHP 7.4 runs: each window judged on its own (judge
    // reads a PHP file as PHP 7.4 does too), at most MAX_SEVEN of SPAN7 bytes.
    for (const w of tags.seven) {
      const j = judge(path, 'php', w, []);
      if (j.score > judged.score) judged.score = j.score;
      for (const f of j.findings) judged.findings.push(f);
    }
    const what = [...new Set(judged.findings.filter((f) => f.score > 0).map((f) => f.technique))].join(', ');
    const plain = regions.find((r) => r.plain);
    const long = regions.find((r) => r.long);
    // (A long region that is not plain is not suspicious by itself: a large JSON, CSV or SQL file
    // with a "<?" in one of its strings reads as code to its end, and is text, not PHP. A "<?php"
    // or "<?=" one is: padding a shell past what is read is an attacker's move.)
    const floor = plain || cut || overflow ? thresholds.suspicious : 0;
    const score = Math.min(100, Math.max(judged.score, floor));
    if (score < thresholds.suspicious) return [];
    const first = regions[0];
    const why = [
      !first && tags.seven.length ? 'PHP that PHP 7.4 and older run (they skip the control bytes PHP 8 refuses)' : '',
      first ? `PHP from byte ${first.at}${regions.length > 1 ? ` (and ${regions.length - 1} more place${regions.length > 2 ? 's' : ''})` : ''} runs past the first ${maxBytes} bytes, which were all that was scanned` : `past the first ${maxBytes} bytes, which were all that was scanned`,
      what ? `the rules find there: ${what}` : plain ? 'plain PHP code there runs when the file is included (the rules found nothing to name in it)' : '',
      long ? `its code runs on for more than ${REGION_BYTES} bytes, which were all that was read` : '',
      cut ? `more code than the ${JUDGED_BYTES} bytes the rules were given` : '',
      tags.overflow ? `more PHP tags or places than are followed (${MAX_REGIONS} places): the rest was not looked at` : '',
      tags.sevenOverflow ? `more than ${MAX_SEVEN} places where PHP 7.4 runs on past a control byte and calls something: the rest was not looked at` : '',
    ].filter((x) => x !== '');
    return [{ rule: 'mamori:php-past-scan', source: 'mamori', technique: 'php-past-scan', score, description: why.join('; ') }];
  }

  /** Known good (a fim baseline), then indicators (which win over everything). */
  function settle(r: FileResult, hashes: () => { sha1?: string; md5?: string }): FileResult {
    const { path, sha256 } = r;
    const unique = [...r.findings];
    let { score, verdict } = r;
    if (verdict !== 'clean' && sha256 !== '' && options.knownGood?.(path, sha256)) {
      unique.push({ rule: 'mamori:known-good', source: 'fim', technique: 'known-good', score: 0, description: `known good: this content (sha256 ${sha256.slice(0, 12)}…) is in the integrity baseline; ${verdict} without it` });
      score = 0;
      verdict = 'clean';
    }
    if (options.indicators) {
      const hits = options.indicators.matchFile({ path, name: basename(path), sha256, ...hashes() });
      for (const h of hits) unique.push({ rule: 'indicator', source: h.source, technique: 'indicator', score: 100, description: `matches the ${h.kind} indicator ${h.indicator} from ${h.source}` });
      if (hits.length > 0) {
        score = 100;
        verdict = 'malicious';
      }
    }
    return { ...r, verdict, score, findings: unique };
  }

  // (asked of the indicators once: a file's SHA-1 and MD5 only where some indicator is one; the proxyware
  // set mamori scan always loads has none, and the two cost MediaWiki's scan 7% more CPU)
  const wantSha1 = options.indicators?.holdsHash?.('sha1') ?? true;
  const wantMd5 = options.indicators?.holdsHash?.('md5') ?? true;
  function extraHashes(data: Buffer, size: number): { sha1?: string; md5?: string } {
    if (data.length !== size) return {};
    return { ...(wantSha1 ? { sha1: createHash('sha1').update(data).digest('hex') } : {}), ...(wantMd5 ? { md5: createHash('md5').update(data).digest('hex') } : {}) };
  }

  /** scanFile, with the choices of scanFileWith. */
  function scanPath(at: string | Buffer, o: ScanFileChoices = {}): FileResult | undefined {
    const path = typeof at === 'string' ? at : displayPath(at);
    let fd: number;
    try {
      fd = openSync(at, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as { code?: string }).code;
      return empty(path, code === 'ENOENT' ? 'vanished before it was read' : code === 'ELOOP' ? 'a symlink, not followed' : `unreadable: ${(err as Error).message}`);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return empty(path, 'not a regular file');
      if (o.expect !== undefined && fileIdentity(fd) !== o.expect) return undefined;
      const size = st.size;
      const want = Math.min(size, maxBytes);
      if (want > (o.ifAtMost ?? Infinity)) {
        if (o.takeDescriptor) {
          const given = fd;
          fd = -1;
          o.takeDescriptor(given);
        }
        return undefined;
      }
      // The scanned part of a file with holes is read within the run's allowance too (S17H-5: a
      // directory of 16 MiB files of nothing but holes cost no disk, and each was read and
      // scanned whole); past it, nothing of such a file is read, and it is not passed as clean.
      const h = holesOf(st);
      const headHoles = Math.min(h, want);
      if (h > HOLES_FREE && !holes.charge(headHoles)) {
        const why = `${sparseNote(st)}: not read, since this run has read back its allowance of holes`;
        const finding: Finding = { rule: 'mamori:sparse', source: 'mamori', technique: 'sparse-file', score: thresholds.suspicious, description: `${why}; its content was not checked` };
        return settle({ path, kind: fileKind(path, Buffer.alloc(0)), size, sha256: '', verdict: verdictOf(thresholds.suspicious), score: thresholds.suspicious, findings: [finding], note: why }, () => ({}));
      }
      // One buffer, reused from file to file and grown to the largest read: no allocation per file.
      if (scratch.length < want) scratch = Buffer.allocUnsafe(Math.max(want, Math.min(maxBytes, scratch.length * 2)));
      const data = scratch;
      let got = 0;
      while (got < want) {
        const n = readSync(fd, data, got, want - got, got);
        if (n === 0) break;
        got += n;
      }
      const body = data.subarray(0, got);
      let sha256: string;
      let note: string | undefined;
      let tag: ReturnType<typeof phpTagPast> | undefined;
      // A sparse file's holes are not read back (sparse.ts): not hashed, and not passed as clean.
      const sparse = size > maxBytes && holes.sparse(st, headHoles);
      if (sparse) {
        sha256 = '';
        note = `${sparseNote(st)}: only its first ${maxBytes} bytes were scanned, and it was not hashed`;
      } else if (size > maxBytes && o.hashRemainder === false) {
        sha256 = '';
        note = `larger than ${maxBytes} bytes: only its first ${maxBytes} bytes were scanned`;
      } else if (size > maxBytes) {
        // Hash the whole file in bounded memory; scan the first part, and look for PHP in the rest.
        const h = createHash('sha256').update(body);
        // (the look reads the scanned part too: a region that opens there may run on past it)
        tag = phpTagPast(got);
        tag.feed(body, 0);
        hashFrom(fd, got, [h], undefined, size, tag.feed);
        tag.end();
        sha256 = h.digest('hex');
        note = `larger than ${maxBytes} bytes: only its first ${maxBytes} bytes were scanned`;
      } else sha256 = createHash('sha256').update(body).digest('hex');
      const extra: Finding[] = tag ? pastFindings(path, tag) : [];
      if (sparse) extra.push({ rule: 'mamori:sparse', source: 'mamori', technique: 'sparse-file', score: thresholds.suspicious, description: `${sparseNote(st)}: reading back its holes would cost far more than its disk, so it was not hashed, and no hash indicator or baseline could be checked against it` });
      return judgeFile(path, fileKind(path, body), body, sha256, size, note, extra);
    } catch (err) {
      return empty(path, `unreadable: ${(err as Error).message}`);
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }

  const scanner: Scanner = {
    rules: rules.files,
    problems: rules.problems,
    settle: (result, hashes) => settle(result, () => hashes ?? {}),
    scanBuffer(data, path, extra) {
      const sha256 = extra?.sha256 ?? createHash('sha256').update(data).digest('hex');
      return judgeFile(path, fileKind(path, data), data, sha256, extra?.size ?? data.length);
    },
    scanFile: (at) => scanPath(at)!,
    walk(paths) {
      const files: string[] = [];
      const skipped: { path: string; why: string }[] = [];
      const linked = new Set<string>();
      const rawFiles: Buffer[] = [];
      const rawDone = new Set<string>();
      const visit = (dir: string) => {
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch (err) {
          skipped.push({ path: dir, why: `cannot list: ${(err as Error).message}` });
          return;
        }
        names.sort();
        // (an lstat a name, not the directory's types: readdir's Dirent objects saved 2% of a scan of
        // MediaWiki's CPU and cost 15 to 20 MB more at the peak, session 27)
        for (const n of names) {
          const p = join(dir, n);
          const st = lstatOrNote(p, skipped);
          if (st === null) continue;
          if (!st) {
            // A name that is not valid UTF-8 reads back with U+FFFD, a path that does not exist.
            if (n.includes('\uFFFD') && !rawDone.has(dir)) {
              rawDone.add(dir);
              walkRawNames(dir, rawFiles, skipped);
            } else if (!n.includes('\uFFFD')) skipped.push({ path: p, why: 'vanished' });
          } else if (st.isSymbolicLink()) {
            const out = linkedCodeOutside(p, paths);
            if (out && !linked.has(out)) {
              linked.add(out);
              skipped.push({ path: p, why: `a symlink to ${out}, outside the scanned paths: its target is scanned (a web server follows it)` });
              files.push(out);
            } else skipped.push({ path: p, why: 'a symlink, not followed' });
          }
          else if (st.isDirectory()) visit(p);
          else if (st.isFile()) files.push(p);
          else skipped.push({ path: p, why: 'not a regular file' });
        }
      };
      for (const root of paths) {
        // A path the user names is followed once; inside it, nothing is.
        const st = statSync(root, { throwIfNoEntry: false });
        if (!st) skipped.push({ path: root, why: 'no such file or directory' });
        else if (st.isDirectory()) visit(root);
        else if (st.isFile()) files.push(root);
        else skipped.push({ path: root, why: 'not a regular file' });
      }
      return { files, skipped, rawFiles };
    },
  };
  SCAN_WITH.set(scanner, scanPath);
  PAST_WITH.set(scanner, pastFindings);
  return scanner;
}

/** For createTimedScanner (not exported from @mamori/host). */
export interface ScanFileChoices {
  /**
   * Scan only when the bytes to scan (the file's size as its descriptor says, up to maxFileBytes)
   * are at most this many; else undefined, with nothing read. The size is the descriptor's, so a
   * file that grows after a first look cannot bring a larger body in.
   */
  readonly ifAtMost?: number;
  /**
   * false: a file larger than maxFileBytes is not hashed past what is scanned (sha256 left empty,
   * for the caller to fill): hashing gigabytes is not the rules' time, and must not count in it.
   */
  readonly hashRemainder?: boolean;
  /**
   * With ifAtMost: a file declined for its size hands its open descriptor here (the callee closes
   * it), so that the caller checks and hashes the very file the decision was made on, not whatever
   * the name holds later.
   */
  readonly takeDescriptor?: (fd: number) => void;
  /** Scan only the file of this fileIdentity (else undefined): the name may have been given a new file since. */
  readonly expect?: string;
}

/** Device and inode of an open file, as a string (the inode may not fit a double). */
export function fileIdentity(fd: number): string {
  const st = fstatSync(fd, { bigint: true });
  return `${st.dev}:${st.ino}`;
}

const SCAN_WITH = new WeakMap<Scanner, (at: string | Buffer, o: ScanFileChoices) => FileResult | undefined>();
const PAST_WITH = new WeakMap<Scanner, (path: string, tags: PastTags) => Finding[]>();

/** What a scanner made by createScanner finds in what phpTagPast saw past the scanned part of `path` (not exported from @mamori/host). */
export function pastScanFindings(s: Scanner, path: string, tags: PastTags): Finding[] {
  const f = PAST_WITH.get(s);
  if (!f) throw new TypeError('not a scanner made by createScanner');
  return f(path, tags);
}

/** scanner.scanFile with the choices above (not exported from @mamori/host). */
/**
 * Feeds an open file's bytes from `pos` up to `end` (the size fstat gave) to each hash, in 1 MiB
 * reads (bounded memory, any size); `first` sees the first read's bytes, `each` every read's (and
 * where it starts). Returns where it stopped. Never on to the file's end: one that grows after
 * fstat (a hole added the moment it is opened, S17H-1) would be read for hours past the sparse test.
 */
export function hashFrom(fd: number, pos: number, hashes: readonly Hash[], first: ((bytes: Buffer) => void) | undefined, end: number, each?: (bytes: Buffer, at: number) => void): number {
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  while (pos < end) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
    if (n === 0) return pos;
    if (first && pos === 0) first(chunk.subarray(0, n));
    for (const h of hashes) h.update(chunk.subarray(0, n));
    each?.(chunk.subarray(0, n), pos);
    pos += n;
  }
  return pos;
}


export function scanFileWith(s: Scanner, at: string | Buffer, o: ScanFileChoices): FileResult | undefined {
  const f = SCAN_WITH.get(s);
  if (!f) throw new TypeError('not a scanner made by createScanner');
  return f(at, o);
}

/**
 * A symlink inside a scanned tree whose target is a regular file outside every scanned path,
 * where the link's or the target's name is one a web server runs (PHP, JSP, ASP, scripts,
 * .htaccess): the target's real path, else undefined. Web servers follow links (Apache's
 * FollowSymLinks is the default), so `shell.php -> /tmp/.x` runs what the tree does not hold.
 * Only files are taken, never directories: nothing is walked outside the paths given.
 */
function linkedCodeOutside(link: string, roots: readonly string[]): string | undefined {
  let target: string;
  try {
    target = realpathSync(link);
  } catch {
    return undefined; // dangling, or a loop
  }
  const st = statSync(target, { throwIfNoEntry: false });
  if (!st?.isFile()) return undefined;
  const runs = (p: string) => ['php', 'jsp', 'asp', 'script', 'htaccess'].includes(fileKind(p, Buffer.alloc(0)));
  if (!runs(link) && !runs(target)) return undefined;
  for (const r of roots) {
    let real: string;
    try {
      real = realpathSync(r);
    } catch {
      continue;
    }
    if (target === real || target.startsWith(real.endsWith(sep) ? real : real + sep)) return undefined;
  }
  return target;
}

/**
 * lstat that reports rather than throws: undefined when the path is gone, null (with a
 * `skipped` line) when it cannot be looked at: a tree nested past PATH_MAX (`mkdir a; cd a`
 * 2,500 times) gave ENAMETOOLONG, which ended the whole scan.
 */
function lstatOrNote(p: string, skipped: { path: string; why: string }[]): ReturnType<typeof lstatSync> | null {
  try {
    return lstatSync(p, { throwIfNoEntry: false });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    skipped.push({ path: p.length > 300 ? `${p.slice(0, 140)}…${p.slice(-140)}` : p, why: code === 'ENAMETOOLONG' ? `a path longer than the system allows (${Buffer.byteLength(p)} bytes): not scanned` : `cannot be looked at: ${code ?? (err as Error).message}` });
    return null;
  }
}

/**
 * The entries of `dir` whose names are not valid UTF-8 (a web server serves them all the same:
 * `/%FF%FE.php`), and everything under those that are directories, as Buffer paths. Bounded:
 * at most 100,000 paths, 64 levels.
 */
function walkRawNames(dir: string, rawFiles: Buffer[], skipped: { path: string; why: string }[]): void {
  const slash = Buffer.from('/');
  let budget = 100_000;
  const visit = (d: Buffer, depth: number, onlyInvalid: boolean) => {
    let names: Buffer[];
    try {
      names = readdirSync(d, { encoding: 'buffer' });
    } catch (err) {
      skipped.push({ path: displayPath(d), why: `cannot list: ${(err as Error).message}` });
      return;
    }
    for (const n of names) {
      if (onlyInvalid && isUtf8(n)) continue;
      if (--budget < 0) return;
      const p = Buffer.concat([d, slash, n]);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) skipped.push({ path: displayPath(p), why: 'vanished' });
      else if (st.isDirectory()) {
        if (depth < 64) visit(p, depth + 1, false);
        else skipped.push({ path: displayPath(p), why: 'deeper than 64 directories under a name that is not valid UTF-8' });
      } else if (st.isFile()) rawFiles.push(p);
      else skipped.push({ path: displayPath(p), why: st.isSymbolicLink() ? 'a symlink, not followed' : 'not a regular file' });
    }
  };
  visit(Buffer.from(dir), 0, true);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(b: Buffer): boolean {
  try {
    UTF8.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** A path for people: valid UTF-8 as it is, each byte of an invalid sequence as `\xNN`. */
export function displayPath(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len > 0 && i + len <= b.length && isUtf8(b.subarray(i, i + len))) {
      out += b.subarray(i, i + len).toString('utf8');
      i += len;
    } else {
      out += `\\x${c.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** What is left to decode and scan for one file, in all its layers. */
interface Budget {
  payloads: number;
  bytes: number;
}

function spend(b: Budget, bytes: number): boolean {
  if (b.payloads <= 0 || b.bytes < bytes) return false;
  b.payloads--;
  b.bytes -= bytes;
  return true;
}

/**
 * Code that eval or assert is given as a double-quoted literal, or as literals joined with `.`, with its escapes
 * decoded (held-out set H3: b374k's `eval("\$x=gzin"."flate(base"."64_de"."code(\"...\"));")`, whose decoder
 * chain is written with escaped quotes). Only where decoding or joining changed the text (else the file's own
 * reading has it); at most 8, of 16 characters or more.
 */
const EVAL_STRING = /\b(?:eval|assert)\s*\(\s*(?=")/gi;
function evalStrings(text: string, maxBytes: number): Peeled[] {
  const out: Peeled[] = [];
  for (const m of text.matchAll(EVAL_STRING)) {
    let at = m.index! + m[0].length;
    let value = '';
    let joined = false;
    for (;;) {
      const lit = readPhpString(text, at, maxBytes);
      if (!lit) break;
      value += lit.value;
      if (value.length > maxBytes || lit.value.length !== lit.end - at - 2) joined = true;
      if (value.length > maxBytes) break;
      const next = /^\s*\.\s*(?=["'])/.exec(text.slice(lit.end, lit.end + 256));
      if (!next) break;
      joined = true;
      at = lit.end + next[0].length;
    }
    if (joined && value.length >= 16) out.push({ layers: ['eval-string'], text: value.slice(0, maxBytes), executed: true, offset: m.index! });
    if (out.length >= 8) break;
  }
  return out;
}

/** String literals that eval / assert / preg_replace with /e run as code (at most 8). */
function codeLiterals(normal: string): { by: string; text: string }[] {
  const out: { by: string; text: string }[] = [];
  for (const m of normal.matchAll(/\b(eval|assert)\s*\(\s*'|\b(preg_(?:replace|filter))\s*\(\s*'(?:[^'\\\n]|\\.){0,300}[imsxuADSUXJ]{0,6}e[imsxuADSUXJ]{0,6}'\s*,\s*'/gi)) {
    const lit = readPhpString(normal, m.index! + m[0].length - 1);
    if (lit && lit.value.length >= 8) out.push({ by: m[1] ? m[1].toLowerCase() : 'preg_replace/e', text: lit.value });
    if (out.length >= 8) break;
  }
  return out;
}

/**
 * A PHP script that folding decoded into a literal (`$s = base64_decode(base64_decode($z))`, written
 * in as its value): code whatever runs it later (token_get_all and eval of what it rebuilt). Only
 * literals of 256 characters or more that open with `<?php` and are not in the file as written, at
 * most 4.
 */
function decodedScripts(normal: string, original: string): { by: string; text: string }[] {
  const out: { by: string; text: string }[] = [];
  let looked = 0;
  for (const m of normal.matchAll(/'\s*<\?php\b/gi)) {
    // (at most 32 looked at: each read runs to its literal's end)
    if (++looked > 32) break;
    const lit = readPhpString(normal, m.index!);
    if (!lit || lit.value.length < 256 || original.includes(lit.value.slice(0, 128))) continue;
    out.push({ by: 'decoded', text: lit.value });
    if (out.length >= 4) break;
  }
  return out;
}

/** Image magic: GIF, PNG, JPEG, BMP, WebP (RIFF....WEBP), ICO. */
/** A compressed file or archive by its magic: gzip, bzip2, xz, zstd, zip, 7-Zip. */
function binaryMagic(b: Buffer): boolean {
  const a = b[0];
  return (a === 0x1f && b[1] === 0x8b) || (a === 0x42 && b[1] === 0x5a && b[2] === 0x68) || (a === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58) || (a === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) || (a === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) || (a === 0x37 && b[1] === 0x7a && b[2] === 0xbc && b[3] === 0xaf);
}

function isImage(b: Buffer): boolean {
  return (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) || (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) || (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) || (b[0] === 0x42 && b[1] === 0x4d && b.length > 14) || (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP');
}

/** PHP code inside an image (by name or by magic): the trick that makes an upload run. */
function phpInImage(data: Buffer, text: string): Finding[] {
  const at = phpTagAt(text);
  if (at < 0) return [];
  const line = lineAt(data, at);
  const out: Finding[] = [{ rule: 'mamori:image', source: 'mamori', technique: 'code-in-image', score: 60, description: 'PHP code inside an image file', line }];
  if (/\b(eval|assert|system|exec|passthru|shell_exec|popen|proc_open|base64_decode|gzinflate)\s*\(/i.test(text.slice(at, at + 65536))) {
    out.push({ rule: 'mamori:image', source: 'mamori', technique: 'code-in-image', score: 40, description: 'the PHP code inside the image runs commands or decoded code', line });
  }
  return out;
}

/**
 * PHP's open tags: `<?php`, `<?=`, and the short `<?` (PHP's built-in default for
 * short_open_tag is On) when what follows reads as a statement or a comment, or, right after
 * the `<?`, as a call (`<?system(...)`, S18R-4), so that the `<?xpacket` of an image's XMP and
 * random bytes of binary data do not count.
 */
// (and, after the short tag, with or without a space, a parenthesis, a namespace's backslash, a "["
// or `new`: `<? ("sys"."tem")($_GET[c])`, `<?\system(..)`, `<? [$f] = [..]` run with short tags on
// and were read by none of our PHP rules in a .txt, a .json or a GIF: red team S25R-12)
const PHP_TAG = /<\?(?:php\b|=|[ \t\r\n]*[(\\[]|[ \t\r\n]+(?:[$@]|\/\*|\/\/|#|new\s+[\\A-Za-z_]|[A-Za-z_\x80-\xff][\w\x80-\xff]{0,40}\s*[($=;'"`])|[A-Za-z_][A-Za-z0-9_]{1,40}\s*\()/gi;

/** Bytes of code (outside literals and comments) after a tag that must read as text (no control byte) up to its `?>`, where there is none sooner. */
const CODE_RUN = 64;

/**
 * Where the first PHP open tag that is followed by text starts (-1: none). In random or compressed
 * bytes (a camera photo's picture data) `<?=` comes about once in 16 MiB, and made 16 MiB JPEGs
 * suspicious or malicious (red team S17H-7); code is text up to its `?>` or `__halt_compiler`
 * (PHP parses the whole file before it runs any of it, so code in an image ends before the binary
 * resumes), which the bytes after a tag in random data are about once in 1,500 (measured, 2M samples). `<?php` is taken as it is. `text` is
 * the bytes as latin1 (one character a byte).
 */
function phpTagAt(text: string): number {
  PHP_TAG.lastIndex = 0;
  for (let m = PHP_TAG.exec(text); m !== null; m = PHP_TAG.exec(text)) {
    // "<?php" itself is once in 2^40 random bytes, and code after it may hold raw binary in a string
    // literal (eval(gzinflate("...")) with the bytes as they are): taken as it is
    // (the whole word: a "<?p" alone is a short tag and a call, `<?pyc(` in random bytes, read as code like any other)
    if (text.slice(m.index + 2, m.index + 5).toLowerCase() === 'php' || readsAsText(text, m.index + 2)) return m.index;
    PHP_TAG.lastIndex = m.index + 2;
  }
  return -1;
}

/** How far past a tag a string literal or comment is followed (its bytes are not counted in CODE_RUN). */
const CODE_SPAN = 8192;

/**
 * Whether the bytes after a tag read as PHP code, read as PHP's lexer does: outside string
 * literals and comments a control byte (C0 but tab/CR/LF, or 0x7f) is a parse error, so the file
 * would not run and the tag is not code; inside a '...', "...", `...` literal, a heredoc or a
 * comment PHP takes any byte, so there they are skipped (an attacker's `<?="\0";system(...)?>` in a
 * picture runs: red team S17I-1). `{$...}` and `${...}` in a "..." or `...` literal are code again
 * up to their `}` (S17I-2: `"{$a["\0"]}"`). True at `?>` or `__halt_compiler` outside a literal,
 * after CODE_RUN bytes of code, or when a literal or comment runs past CODE_SPAN bytes.
 */
function readsAsText(text: string, from: number): boolean {
  return lexFrom(text, from) !== 0;
}

/** readsAsText's answer: 1 code, 0 not code, -1 `text` ended before CODE_SPAN bytes and before an answer (a longer text may tell). */
function lexFrom(text: string, from: number): 1 | 0 | -1 {
  const end = Math.min(text.length, from + CODE_SPAN);
  const cut = end < from + CODE_SPAN ? -1 : 1;
  const outer: number[] = []; // for each open "{$...}": the literal's quote and the brace depth to go back to
  let quote = 0; // in a literal: its quote; 0: in code
  let depth = 0; // braces open in the current "{$...}"
  let code = 0;
  for (let k = from; k < end; k++) {
    const c = text.charCodeAt(k);
    if (quote !== 0) {
      if (c === 0x5c) k++; // a backslash escapes the next byte
      else if (c === quote) quote = 0;
      else if (quote !== 0x27 && ((c === 0x7b && text.charCodeAt(k + 1) === 0x24) || (c === 0x24 && text.charCodeAt(k + 1) === 0x7b))) {
        outer.push(quote, depth);
        quote = 0;
        depth = 0;
        k++;
      }
      continue;
    }
    if (c === 0x3f && text.charCodeAt(k + 1) === 0x3e) return 1; // "?>"
    // __halt_compiler(); ends the parse too: the binary after it is never read as code
    if (c === 0x5f && text.charCodeAt(k + 1) === 0x5f && text.slice(k, k + 15).toLowerCase() === '__halt_compiler') return 1;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return 0;
    if (c === 0x27 || c === 0x22 || c === 0x60) {
      quote = c;
    } else if (c === 0x7b) {
      depth++;
    } else if (c === 0x7d && depth > 0) {
      depth--;
    } else if (c === 0x7d && outer.length > 0) {
      depth = outer.pop() as number;
      quote = outer.pop() as number;
    } else if (c === 0x3c && text.startsWith('<<<', k)) {
      return 1; // a heredoc or nowdoc: any byte up to its label (three bytes once in 2^24 at random)
    } else if (c === 0x2f && text.charCodeAt(k + 1) === 0x2a) {
      const close = text.indexOf('*/', k + 2);
      if (close < 0 || close >= end) return cut;
      k = close + 1;
    } else if (c === 0x23 || (c === 0x2f && text.charCodeAt(k + 1) === 0x2f)) {
      // a line comment (and "#[", one before PHP 8): any byte up to a newline, or "?>", which ends the code
      for (k++; k < end; k++) {
        const d = text.charCodeAt(k);
        if (d === 0x0a || d === 0x0d) break;
        if (d === 0x3f && text.charCodeAt(k + 1) === 0x3e) return 1;
      }
    } else if (++code >= CODE_RUN) {
      return 1;
    }
  }
  return cut;
}

/**
 * Every "<?" is a tag to PHP 7.4 with short tags on, whatever follows it: `<?\x01("sys"."tem")(...)`,
 * `<?\x01\\system(...)`, `<?\x01[$a] = ...` run (a pattern of what may follow a tag missed them:
 * S19P-6). Random bytes after one are not code, which php7RegionEnd tells within a few hundred
 * bytes (a bracket that closes nothing open), so each is cheap to look at.
 */
const PHP7_TAG = /<\?/g;

/** A call, request input or a backtick: what makes a region worth reading as PHP 7.4 reads it. */
const RUNS_SOMETHING = /[\w\x80-\xff]\s*\(|\$_(?:GET|POST|REQUEST|COOKIE|FILES|SERVER)\b|`/i;

/** How far the code after a tag in an image or data is followed as PHP 7.4 reads it (past CODE_SPAN: S19P-4). */
const SPAN74 = 1 << 20;
/** Tags looked at in one file for the PHP 7.4 reading (random bytes have about one "<?" in 64 KiB). */
const TAGS74 = 4096;
/**
 * The same in a file that is not an image (S19P-9: 4,096 harmless tags before the shell in a notes file
 * hid it): many more, their regions' bytes bounded in all instead; past either bound the file is
 * suspicious, as an image is past TAGS74.
 */
const TAGS74_DATA = 64 * 1024;
const LEXED74 = 16 << 20;
/**
 * Bytes read in regions that turned out not to be code, at most: the tags inside such a region are
 * read again (`<?(` a hundred thousand times and one `]` at the end: 39 s for 800 KB without it).
 */
const DEAD74 = 4 << 20;
/** Bytes of such code handed to the rules and analysers, at most. */
const KEPT74 = 256 * 1024;

/**
 * Where the code after the tag at `from` ends as PHP 7.4 reads it: just past its `?>` (or at
 * `__halt_compiler`), read as the lexer reads it (a `?>` in a literal, a comment or a heredoc
 * does not end it: S19P-3), and -1 when PHP could not parse it: a `)`, `]` or `}` that closes
 * nothing open or another kind of bracket (random picture bytes after a tag nearly always do so
 * within a few hundred bytes; PHP then refuses the whole file; `dead`: where). At most `span`
 * bytes: then the text's end or `from + span`, marked by `cut`.
 */
function php7RegionEnd(text: string, from: number, span: number): { end: number; cut: boolean; dead?: number } {
  const limit = Math.min(text.length, from + span);
  const open: number[] = []; // brackets open: their closing character, or -quote for a literal's "{$" / "${"
  /** From `j` in a literal of quote `q`: past its quote (back in code), or into a "{$" / "${" (pushed). -1: cut. */
  const literal = (j: number, q: number): number => {
    for (; j < limit; j++) {
      const d = text.charCodeAt(j);
      if (d === 0x5c) j++;
      else if (d === q) return j + 1;
      else if (q !== 0x27 && ((d === 0x7b && text.charCodeAt(j + 1) === 0x24) || (d === 0x24 && text.charCodeAt(j + 1) === 0x7b))) {
        open.push(-q);
        return j + 2;
      }
    }
    return -1;
  };
  let k = from + 2;
  while (k < limit) {
    const c = text.charCodeAt(k);
    if (c === 0x27 || c === 0x22 || c === 0x60) {
      k = literal(k + 1, c);
      if (k < 0) return { end: limit, cut: true };
    } else if (c === 0x7d && open.length && open[open.length - 1]! < 0) {
      // back in the literal the "{$" opened
      k = literal(k + 1, -open.pop()!);
      if (k < 0) return { end: limit, cut: true };
    } else if (c === 0x28 || c === 0x5b || c === 0x7b) {
      open.push(c === 0x28 ? 0x29 : c + 2);
      k++;
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (open.pop() !== c) return { end: -1, cut: false, dead: k };
      k++;
    } else if (c === 0x3f && text.charCodeAt(k + 1) === 0x3e) {
      return { end: k + 2, cut: false };
    } else if (c === 0x5f && haltsAt(text, k)) {
      return { end: k, cut: false };
    } else if (c === 0x3c && text.startsWith('<<<', k)) {
      // a heredoc or nowdoc: to its closing label (taken whole, as a literal)
      HEREDOC74.lastIndex = k;
      const h = HEREDOC74.exec(text);
      if (!h) {
        k += 3;
        continue;
      }
      const close = new RegExp(`[\\r\\n][ \\t]*${h[2]}(?![\\w\\x80-\\xff])`, 'g');
      close.lastIndex = HEREDOC74.lastIndex - 1;
      const m = close.exec(text);
      if (!m || m.index >= limit) return { end: limit, cut: true };
      k = m.index + m[0].length;
    } else if (c === 0x2f && text.charCodeAt(k + 1) === 0x2a) {
      const e = text.indexOf('*/', k + 2);
      if (e < 0 || e >= limit) return { end: limit, cut: true };
      k = e + 2;
    } else if (c === 0x23 || (c === 0x2f && text.charCodeAt(k + 1) === 0x2f)) {
      // a line comment ("#[" too: PHP 7.4 has no attributes): to its line's end, or "?>", which ends the code
      let j = k + 1;
      for (; j < limit; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x0a || d === 0x0d || (d === 0x3f && text.charCodeAt(j + 1) === 0x3e)) break;
      }
      k = j;
    } else k++;
  }
  return { end: limit, cut: true };
}

const HEREDOC74 = /<<<[ \t]*(["']?)([A-Za-z_\x80-\xff][\w\x80-\xff]*)\1(?:\r\n?|\n)/y;

/**
 * The text the rules read again as PHP 7.4 and older read it (php7Text), or undefined when it
 * is the same. A PHP file is read whole. In any other file (an image, data) only the code after
 * each open tag is, to its `?>` as PHP's lexer finds it (php7RegionEnd: code PHP could not parse
 * is dropped), and only the code that calls something: there PHP 8 refuses a tag followed by a
 * control byte in code, which random picture data nearly always is, and PHP 7.4 runs it
 * (`<?=\x01system($_GET[c])?>` in a GIF). Every tag is looked at (TAGS74, KEPT74; a cap on
 * tags let 16 harmless decoys hide the shell after them: S19P-1). `overflow`, in an image: more
 * tags or code than that, or code that runs on past SPAN74 bytes: not all was read.
 */
function php7Layer(kind: FileKind, text: string): { text?: string; overflow: boolean } {
  // (and "#[", a line comment to PHP 7 that can sit between a name and its "(": S23R-8)
  const control = CONTROL_BYTE.test(text);
  if (kind === 'php' && (control || text.includes('#['))) return { text: php7Text(text), overflow: false };
  if (!control) return { overflow: false };
  if (text.indexOf('<?') < 0) return { overflow: false };
  const parts: string[] = [];
  let kept = 0;
  let lexed = 0;
  let overflow = false;
  let spanned = 0;
  const maxTags = kind === 'image' ? TAGS74 : TAGS74_DATA;
  PHP7_TAG.lastIndex = 0;
  for (let m = PHP7_TAG.exec(text), tags = 0; m !== null; m = PHP7_TAG.exec(text), tags++) {
    if (tags >= maxTags || kept >= KEPT74 || lexed >= DEAD74 || spanned >= LEXED74) {
      // (a picture holds no such amount of PHP; an archive or a database of PHP sources does: there the look
      // stops, as the PHP 8 reading reads all of it, but past the many tags a data file may hold, or the
      // bytes of their regions, that file is said to be not fully read)
      overflow = kind === 'image' || tags >= maxTags || spanned >= LEXED74;
      break;
    }
    const { end, cut, dead } = php7RegionEnd(text, m.index, SPAN74);
    if (end < 0) {
      lexed += dead! - m.index;
      PHP7_TAG.lastIndex = m.index + 2;
      continue;
    }
    if (cut && kind === 'image' && end === m.index + SPAN74) overflow = true;
    spanned += end - m.index;
    const region = text.slice(m.index, end);
    const read = php7Text(region);
    if (read !== undefined && RUNS_SOMETHING.test(read)) {
      parts.push(read.endsWith('?>') ? read : `${read}\n?>`);
      kept += read.length;
    }
    PHP7_TAG.lastIndex = Math.max(m.index + 2, end);
  }
  return { text: parts.length ? parts.join('\n') : undefined, overflow };
}

/** Tar members judged one by one, at most (the rest of the archive is judged as one file). */
const MAX_MEMBERS = 20_000;

/** A NUL-ended string field of a tar header. */
function field(h: Buffer, from: number, len: number): string {
  const end = h.indexOf(0, from);
  return h.toString('latin1', from, end < 0 || end > from + len ? from + len : end);
}

/**
 * The regular files of a tar archive (ustar, GNU or pax headers) within `data`, with their names
 * and bytes (the last one cut where `data` ends); undefined when `data` is not a tar or its
 * headers stop making sense (then it is judged as one file). `rest`: where the members judged end.
 */
export function tarMembers(data: Buffer): { list: { name: string; bytes: Buffer }[]; rest: number } | undefined {
  if (data.length < 512 || data.toString('latin1', 257, 262) !== 'ustar') return undefined;
  const list: { name: string; bytes: Buffer }[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= data.length) {
    const h = data.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return { list, rest: data.length };
    if (h.toString('latin1', 257, 262) !== 'ustar') return list.length ? { list, rest: off } : undefined;
    const sizeText = field(h, 124, 12).trim();
    if (!/^[0-7]{1,12}$/.test(sizeText)) return list.length ? { list, rest: off } : undefined;
    const size = parseInt(sizeText, 8);
    const type = String.fromCharCode(h[156]!);
    const start = off + 512;
    const bytes = data.subarray(start, Math.min(data.length, start + size));
    const prefix = field(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    if (type === 'L') longName = field(bytes, 0, bytes.length);
    else if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(bytes.toString('latin1'));
      if (path) longName = path[1];
    } else if (type === '0' || type === '\0' || type === '7') {
      if (list.length >= MAX_MEMBERS) return { list, rest: off };
      list.push({ name, bytes });
    }
    off = start + Math.ceil(size / 512) * 512;
  }
  return { list, rest: data.length };
}

/**
 * The files a zip archive stores uncompressed (method 0), read from their local headers in
 * order; a compressed member is skipped (its bytes are not text a PHP tag could be in). Undefined
 * when `data` is not a zip, or a header uses a data descriptor (its sizes come after the data:
 * judged as one file), or stops making sense before any member.
 */
export function storedZipMembers(data: Buffer): { list: { name: string; bytes: Buffer }[]; rest: number } | undefined {
  if (data.length < 30 || data.readUInt32LE(0) !== 0x04034b50) return undefined;
  const list: { name: string; bytes: Buffer }[] = [];
  let off = 0;
  let stored = 0;
  while (off + 30 <= data.length && data.readUInt32LE(off) === 0x04034b50) {
    const flags = data.readUInt16LE(off + 6);
    const method = data.readUInt16LE(off + 8);
    const size = data.readUInt32LE(off + 18);
    const nameLen = data.readUInt16LE(off + 26);
    const extraLen = data.readUInt16LE(off + 28);
    // (a data descriptor leaves the sizes to after the data; zip64 marks them 0xffffffff)
    if (flags & 0x08 || size === 0xffffffff) return list.length ? { list, rest: off } : undefined;
    const start = off + 30 + nameLen + extraLen;
    if (start > data.length) break;
    const name = data.toString('latin1', off + 30, off + 30 + nameLen);
    if (method === 0 && !name.endsWith('/')) {
      if (list.length >= MAX_MEMBERS) return { list, rest: off };
      list.push({ name, bytes: data.subarray(start, Math.min(data.length, start + size)) });
      stored++;
    }
    off = start + size;
  }
  // (a zip that stores nothing is judged as one file, as before)
  return stored ? { list, rest: Math.min(off, data.length) } : undefined;
}

function hasPhpTag(text: string): boolean {
  return phpTagAt(text) >= 0;
}

/**
 * Whether `data` holds an ASP or JSP tag: a `<%` followed by text (code, a directive, an expression,
 * a comment in any script: an ASCII byte first, then 31 bytes with no control byte). A PNG or a gzip
 * holds `<%` by chance about once in 64 KiB, followed by binary bytes (about one such `<%` in 140
 * passes): such a file is no page, and reading it with the ASP and JSP rules made a scan of
 * MediaWiki compile them (0.3 s) for its images. (ASP_LOOKS `<%` are looked at, and a file with more
 * has a tag.)
 */
function aspTag(data: Buffer): boolean {
  let looked = 0;
  // (in a compressed file or an image, a tag's text is ASCII: its bytes over 0x7f are the compressed
  // stream's, which passed the test above once in a few hundred `<%` (one of MediaWiki's gzip files).
  // A page elsewhere may write Shift_JIS or UTF-8 right after its `<%`.)
  let binary: boolean | undefined;
  let blocks = 0;
  for (let at = data.indexOf('<%'); at >= 0; at = data.indexOf('<%', at + 2), looked++) {
    // (more `<%` than a picture holds by chance, one in 64 KiB: a file of 16 MiB has 256; past
    // ASP_LOOKS they are decoys before a page's tag, red team S27R-10: the first 256 looked at, 256
    // `<%\x01` before the shell made a JSP in a GIF or a text file clean)
    if (looked >= ASP_LOOKS) return true;
    const first = at + 2 < data.length ? data[at + 2]! : 0x0a;
    if (!(first === 0x09 || first === 0x0a || first === 0x0d || (first >= 0x20 && first <= 0x7e))) continue;
    let text = true;
    for (let k = at + 3, end = Math.min(data.length, at + 34); k < end; k++) {
      const c = data[k]!;
      if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) {
        text = false;
        break;
      }
      if (c > 0x7f && (binary ??= isImage(data) || binaryMagic(data))) {
        // (a page's comment or string in UTF-8 or GBK right after its `<%`, in a picture: `<%//执行`,
        // red team S27R-1: the block up to its `%>` is read instead)
        text = blocks++ < TEXT_BLOCKS && textBlock(data, at);
        break;
      }
    }
    if (text) return true;
  }
  return false;
}

/** The `<%` aspTag looks at (each at most 32 bytes): past them a file has a tag. */
const ASP_LOOKS = 4096;
/** The `<%` blocks of a compressed file or an image read to their `%>` (each at most TEXT_BLOCK bytes). */
const TEXT_BLOCKS = 64;
/** How far a `<%` block in a compressed file or an image is followed to its `%>` (textBlock). */
const TEXT_BLOCK = 16 * 1024;

/**
 * In a compressed file or an image, whether the `<%` at `at` opens a block of text: its `%>` within
 * TEXT_BLOCK bytes, no control byte before it, and the bytes valid UTF-8 or GBK, or at least half of
 * them ASCII. The compressed stream's bytes have a control byte every 9 bytes or so, and a `%>` once
 * in 64 KiB: its `<%` is no such block.
 */
function textBlock(data: Buffer, at: number): boolean {
  // (searched within the bound: 256 such `<%` in a large picture without a `%>` each read it to its end)
  const found = data.subarray(at + 2, Math.min(data.length, at + 2 + TEXT_BLOCK)).indexOf('%>');
  if (found < 0) return false;
  const close = at + 2 + found;
  let ascii = 0;
  let utf8 = true;
  let more = 0;
  let gbk = true;
  let trail = false;
  for (let k = at + 2; k < close; k++) {
    const c = data[k]!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
    // (GBK: a lead byte 0x81-0xfe, then a trail byte 0x40-0xfe)
    if (trail) trail = false;
    else if (c >= 0x81 && c <= 0xfe) {
      if (k + 1 >= close || data[k + 1]! < 0x40 || data[k + 1] === 0xff) gbk = false;
      trail = true;
    } else if (c > 0x7f) gbk = false;
    if (c < 0x80) {
      ascii++;
      if (more > 0) utf8 = false;
      more = 0;
    } else if (more > 0) {
      if (c > 0xbf) utf8 = false;
      more--;
    } else if (c >= 0xc2 && c <= 0xf4) more = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    else utf8 = false;
  }
  return (utf8 && more === 0) || gbk || ascii * 2 >= close - at - 2;
}

/** Our rule families read in a PHP file and its layers: our ASP and JSP rules never count there. */
const PHP_FILE_FAMILIES = RULE_FAMILY.php | RULE_FAMILY.other;

/**
 * Source files of other languages and editors, which name PHP's functions and tags as words: a file manager's
 * vocabulary there (the toolkit rules) is no use of it (Vim's PHP completion, /usr/share/vim/vim90/autoload/phpcomplete.vim).
 */
const OTHER_SOURCE = /^(vim|el|elc|py|rb|pm|lua|tcl|c|h|cc|cpp|hpp|java|go|rs|kt|scala|swift|hs|ml|scm|kak|sql|xml|dtd|xsd|nanorc|lang|sublime-syntax|tmlanguage|snippets|dict|tags)$/;
/** A file's extension, under a package manager's backup suffix (phpcomplete.vim.dpkg-old is a .vim: red team S41). */
const sourceExt = (path: string): string => extname(path.replace(/\.(?:dpkg-(?:old|dist|new|bak)|ucf-(?:old|dist|new)|rpm(?:save|new|orig))$/i, '')).slice(1).toLowerCase();
const TOOLKIT_WORDS = new Set(['mamori_php_webshell_toolkit', 'mamori_php_webshell_toolkit_full']);

/**
 * Files that are data to every server and interpreter (translations, stylesheets, JSON, fonts,
 * Markdown, source maps): without a PHP tag or a `<%`, none of our rules is read in them (the
 * user's rules still are). A large application is mostly such files (MediaWiki: 12,071 JSON files
 * of 23,192).
 */
const DATA_EXT = /^(json|css|less|scss|sass|map|md|markdown|rst|po|pot|mo|csv|tsv|svg|woff2?|ttf|otf|eot|lock)$/;

/**
 * The families of our rules whose findings can count in a file, as onlyPhpWherePhp and
 * onlyWebWhereWeb decide it: PHP's where PHP runs (a PHP file, or a PHP tag), ASP's and JSP's in
 * their pages or behind a `<%` (never in a PHP file), the rest (.htaccess, scripts, tunnels) in
 * any file that is not data.
 */
function familiesFor(path: string, kind: FileKind, data: Buffer, text: string): number {
  const php = kind === 'php' || hasPhpTag(text);
  const tagged = kind !== 'php' && aspTag(data);
  let families = 0;
  if (php) families |= RULE_FAMILY.php;
  if (kind === 'asp' || tagged) families |= RULE_FAMILY.asp;
  if (kind === 'jsp' || tagged) families |= RULE_FAMILY.jsp;
  if (php || tagged || kind !== 'other' || !DATA_EXT.test(extname(path).slice(1).toLowerCase()) || (data.length <= DATA_HINT_BYTES && DATA_SCRIPT_HINT.test(data.toString('latin1')))) families |= RULE_FAMILY.other;
  return families;
}

/**
 * What the rest of our rules (scripts, CGI, tunnels) look for, in a data file: a script kept under a
 * data file's name (app.map, notes.md, style.css) is run all the same by `python3 app.map` from a
 * crontab, or by a handler (mod_perl's ModPerl::Registry, mod_wsgi) that needs no "#!" (red team
 * S25R-1: such files were malicious before the families and clean after). A JSON, CSS or font file
 * has none of these (not `system-ui`, not `;base64,`), and is read by no rule of ours.
 */
// (in a data file of up to 64 KiB: a script is small, and MediaWiki's 15,200 data files, 150 MB,
// cost this pattern 0.54 s read whole and 0.15 s so)
const DATA_HINT_BYTES = 64 * 1024;
const DATA_SCRIPT_HINT = /\b(?:exec|system|qx|popen|dup2|spawn)\s*\(|\bsubprocess\b|\b(?:b64decode|decode_base64)\b|\bsh\s+-i\b|-e\s+\/bin\/|\bbase64\s+-(?:d|-decode)\b|"CONNECT"/;

/**
 * A file of a kind the web server runs that is larger than the bytes scanned: what lies past
 * them was not read, and padding a shell past the bound is the cheapest way to hide it.
 */
function unscannedRemainder(kind: FileKind, scanned: number, size: number): Finding[] {
  if (scanned >= size || !(kind === 'php' || kind === 'jsp' || kind === 'asp' || kind === 'htaccess' || kind === 'script')) return [];
  return [{ rule: 'mamori:size', source: 'mamori', technique: 'unscanned-remainder', score: 35, description: `a ${kind} file of ${size} bytes: only its first ${scanned} bytes were scanned (a web server or an interpreter runs all of it)` }];
}

/** An ASP.NET page's HTML server controls (the control layer above). */
const RUNAT = Buffer.from('runat', 'latin1');
const DOT_VALUE = Buffer.from('.Value', 'latin1');
const SERVER_CONTROL = /<(?:input|textarea|select)\b[^<>]{0,600}>/gi;
const CONTROLS_PAGE_MAX = 256 * 1024;
const FORM_CONTROL_SCORE = 60;
const CONTROL_SINKS = /Process\s*\.\s*Start|ProcessStartInfo|\.\s*SaveAs\s*\(|SqlCommand|CommandText/i;

/** What a CGI reads its request from, as bytes (a Buffer's indexOf of a string encodes it on every call). */
const CGI_NEEDLES = ['QUERY_STRING', 'REQUEST_METHOD', 'CONTENT_LENGTH', 'PATH_INFO', 'REQUEST_URI', 'STDIN', 'CGI'].map((w) => Buffer.from(w, 'latin1'));
/** The bytes of a file read for a Perl, Ruby or shell CGI command shell (perl-cgi.ts and script-cgi.ts read no more either). */
const PERL_BYTES = 1024 * 1024;

/** A run of white space at least this long makes a squeezed layer (squeezeSpace). */
const LONG_SPACE = 1024;
/**
 * ... and one this long inside a statement (after anything but ";", "{" or "}"): the analysers' patterns are
 * bounded, and 100 spaces inside `$_GET[ 'c' ]` hid the input from them (red team S30R-1). No file of the
 * 20,386 PHP, JSP and ASP files of the benign corpus has one of 112 (two of 96).
 */
const INNER_SPACE = 96;
/** A run of INNER_SPACE white space characters or more, from its first (isSpace's: space, \\t to \\r), up to LONG_SPACE of it. */
// (at most LONG_SPACE of it: an open repeat ran out of the regex stack on a run of 5.6 million, and the file's scan failed,
// red team S33R-1)
const SPACE_RUN = new RegExp(`(?<![\\t\\n\\v\\f\\r ])[\\t\\n\\v\\f\\r ]{${INNER_SPACE},${LONG_SPACE}}`, 'g');

/**
 * `text` with each of its runs of white space made one character (a newline where the run held one), or
 * undefined when no run reaches LONG_SPACE, nor INNER_SPACE inside a statement (most files). What the runs
 * held is put back as spaces at the end, so the text keeps its length and a rule's `filesize` sees the
 * file's (a 3.7 KB page with an indented blank block was a tiny uploader's size once squeezed, red team
 * S29W-7, S29W-8). Every run, not only the long ones: many runs each under the bound, 700 spaces between
 * each two tokens of a JSP exec, reached past the 4 KB YARA-X reads of one match (S30R-8). One linear pass
 * each way: the text is hostile, and a pattern such as /\s{1024}/ tried at each position of many runs of
 * 1,023 is quadratic.
 */
export function squeezeSpace(text: string): string | undefined {
  let long = false;
  // (the runs found by a pattern that starts only where one starts: a loop over every character cost twice as
  // much, session 33)
  SPACE_RUN.lastIndex = 0;
  for (let m = SPACE_RUN.exec(text); m !== null; m = SPACE_RUN.exec(text)) {
    const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 59;
    if (m[0].length >= LONG_SPACE || (before !== 59 && before !== 123 && before !== 125)) {
      long = true;
      break;
    }
  }
  if (!long) return undefined;
  const parts: string[] = [];
  let from = 0;
  let start = -1;
  let newline = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : -1;
    if (isSpace(c)) {
      if (start < 0) {
        start = i;
        newline = false;
      }
      if (c === 10) newline = true;
      continue;
    }
    if (start >= 0 && i - start >= 2) {
      parts.push(text.slice(from, start), newline ? '\n' : ' ');
      from = i;
    }
    start = -1;
  }
  parts.push(text.slice(from));
  const squeezed = parts.join('');
  return squeezed + ' '.repeat(text.length - squeezed.length);
}

function empty(path: string, note: string): FileResult {
  return { path, kind: 'other', size: 0, sha256: '', verdict: 'clean', score: 0, findings: [], note };
}

/** Findings' score: their weights added, or the highest floor among them if that is more. */
function scoreOf(list: readonly Finding[]): number {
  let sum = 0;
  let floor = 0;
  for (const f of list) {
    if (f.floor) floor = Math.max(floor, f.score);
    else sum += f.score;
  }
  return Math.max(sum, floor);
}

function toFinding(h: YaraHit, data: Buffer, externalScore: number, layers?: readonly string[]): Finding {
  const meta = h.meta;
  const n = typeof meta['score'] === 'number' ? meta['score'] : Number(meta['score']);
  const score = Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : externalScore;
  const description = String(meta['description'] ?? meta['desc'] ?? meta['info'] ?? h.rule).slice(0, 300);
  const technique = String(meta['technique'] ?? (h.builtin ? 'signature' : 'external-rule'));
  // (YARA-X gives a boolean meta as "unknown": a floor is written `floor = 1`)
  const floor = meta['floor'] === 1 || meta['floor'] === true;
  return { rule: h.rule, source: h.source, technique, score, description, ...(h.offset !== undefined ? { line: lineAt(data, h.offset) } : {}), ...(layers && layers.length ? { layers } : {}), ...(floor ? { floor } : {}) };
}

/** 1-based line of an offset; inside a decoded layer, lines are the layer's. */
function lineAt(data: Buffer, offset: number): number {
  let line = 1;
  let i = data.indexOf(10);
  while (i >= 0 && i < offset) {
    line++;
    i = data.indexOf(10, i + 1);
  }
  return line;
}

/** The newlines in a text. */
function lineCount(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** One finding per rule and description (the same rule in two layers counts once, the outermost kept). */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of findings) {
    const k = `${f.source}\u0000${f.rule}\u0000${f.description}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(f);
  }
  return out;
}
