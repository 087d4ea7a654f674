/**
 * Constant folding through variables, as obfuscated PHP needs it undone:
 *
 *     $a = 'lave'; $a = strrev($a); @assert($a . '($_POST[h])');
 *     $b = '_' . 'P' . 'O' . 'S' . 'T'; $c = $$b; $a($c['x']);
 *     foreach (array('_POST') as $r) foreach ($$r as $k => $v) ...
 *
 * Each assignment whose right side is made of literals, known variables and string functions of
 * them (strrev, str_replace, base64_decode, chr, XOR of strings, pack('H*'), substr, implode,
 * explode(...)[i] ...) gives its variable a value from there on; the uses of such a variable are
 * then written as the literal (`$$b` as `${'_POST'}`), so the rules and the flow pass read
 * `@assert('eval' . '($_POST[h])')`. Read in text order, one pass: a variable set in a loop or a
 * branch is taken as its last assignment before the use. A heuristic layer for the scanner, not
 * PHP's semantics; bounded: 4,096 assignments, values of 4 KiB, expressions of 2,000 characters,
 * 16 levels of nesting.
 */
import { decode, type Decoder } from './decoders.js';
import { quote, readPhpString } from './php-strings.js';
import { codeOnly, splitTop, walkCode } from './php-flow.js';

const NAME = '[A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,63}';
/** A text that is a name of PHP's, whole (made once: it is tried at every use of a variable). */
const WHOLE_NAME = new RegExp(`^${NAME}$`);
const MAX_VALUE = 4096;
const MAX_EVENTS = 4096;
const MAX_EXPR = 2000;

/** A list of strings; an array literal's string keys ('x' => 'system') in `keyed`. */
type List = string[] & { keyed?: ReadonlyMap<string, string> };
type Value = string | List;

/**
 * The names of known value at a point: variables by their name, and, under keys no variable name
 * can have, constants (`#F`), class constants and static properties (`::F`, `::$f`), properties'
 * defaults (`->f`) and functions of one `return` (`()g`: the parameters, then the expression).
 * A function's frame sees its parameters, and its parent's names other than variables. Calls into
 * functions of the file share one budget.
 */
class Env extends Map<string, Value> {
  /** an unknown bare name is its own text, as PHP 7 reads an undefined constant (`(sy.(st).(em))(...)`) */
  bare = false;
  constructor(
    readonly parent?: Env,
    readonly budget: Budget = parent?.budget ?? { calls: 256, generation: 0, memo: new Map() },
  ) {
    super();
  }
  override get(key: string): Value | undefined {
    const own = super.get(key);
    if (own !== undefined || !this.parent || /^[\w\x80-\xff]/.test(key)) return own;
    return this.parent.get(key);
  }
}

/**
 * The calls into the file's functions one fold may make, and what each call of a function with the same arguments gave
 * while no name changed (`generation` moves at each assignment read): a table of 200 `g()` calls, each a strtr of 4 KB,
 * looked up again and again, took a 3 KB file 40 s (red team S37B).
 */
interface Budget {
  calls: number;
  generation: number;
  readonly memo: Map<string, Value | undefined>;
}
/** Arguments longer than this (together) are not remembered (Budget.memo). */
const MEMO_ARGS = 256;
const MEMO_SIZE = 1024;

/**
 * PHP's range() of two letters (or two whole numbers), as the strings it holds; at most 256 of
 * them. Undefined for what it does otherwise (floats, a letter and a number, a step of 0).
 */
function rangeOf(a: string | undefined, b: string | undefined, step: number | undefined): List | undefined {
  if (a === undefined || b === undefined || step === undefined) return undefined;
  const by = Math.abs(Math.trunc(step));
  let from: number;
  let to: number;
  let letters = false;
  if (/^-?\d{1,6}$/.test(a) && /^-?\d{1,6}$/.test(b)) [from, to] = [Number(a), Number(b)];
  else if (a.length === 1 && b.length === 1 && !/\d/.test(a + b)) [from, to, letters] = [a.charCodeAt(0), b.charCodeAt(0), true];
  else return undefined;
  if (by === 0) return undefined;
  const out: string[] = [];
  for (let x = from; (from <= to ? x <= to : x >= to) && out.length < 256; x += from <= to ? by : -by) out.push(letters ? String.fromCharCode(x) : String(x));
  return out;
}

/** An element of a value: a list's item by number or key, a string's character. */
function element(v: Value | undefined, key: string): string | undefined {
  if (v === undefined) return undefined;
  if (/^\d{1,4}$/.test(key)) return typeof v === 'string' ? v[Number(key)] : (v[Number(key)] ?? v.keyed?.get(key));
  return typeof v === 'string' ? undefined : v.keyed?.get(key);
}
interface Event {
  /** where the assignment starts, and where its right side ends (the value holds from there) */
  at: number;
  end: number;
  name: string;
  value: Value | undefined;
}

/** A right side that may fold: a literal, a variable, brackets, or a call of a function evaluate() knows. */
const FOLDABLE_START = /^[\s@(]*(?:["'$[\d-]|<<<|array\s*\(|array_map\s*\(|\\?(?:chr|substr|substr_replace|str_replace|str_ireplace|strtr|implode|join|explode|str_split|range|array_reverse|str_repeat|sprintf|vsprintf|str_pad|pack|strtolower|strtoupper|ucfirst|lcfirst|ucwords|trim|ltrim|rtrim|strval|htmlspecialchars_decode|str_rot13|strrev|base64_decode|hex2bin|urldecode|rawurldecode|gzinflate|gzuncompress|gzdecode|stripslashes|convert_uudecode|mb_substr)\s*\()/i;
/** An assignment's start: `$a =`, `$a .=`, `${'a'} =`, not `==`, `=>`, nor `$a[..] =` (an element). */
// (and `$$n =` with $n of known value, S20F: $n = 'f'; $$n = 'system'; $f(...))
const ASSIGN = new RegExp(`(?<![\\w$>:\\\\])\\$(?:(${NAME})|\\{\\s*(["'])(${NAME})\\2\\s*\\}|\\$(${NAME}))\\s*(\\.?=)(?![=>])`, 'g');
/** Destructuring: `list($a, $b) =`, `[$a, $b] =` (not an element's `$x[..] =`). */
const DESTRUCT = /(?:\blist\s*\(([^;()=]{1,200})\)|(?<![\w\])$'"])\[([^;\[\]=]{1,200})\])\s*=(?![=>])/gi;

/** The matches of several patterns over one text, in the order of their positions (each read lazily), with the pattern's number. */
function* byIndex(...its: IterableIterator<RegExpMatchArray>[]): Generator<[RegExpMatchArray, number]> {
  const heads = its.map((it) => it.next());
  for (;;) {
    let best = -1;
    heads.forEach((h, k) => {
      if (!h.done && (best < 0 || h.value.index! < heads[best]!.value!.index!)) best = k;
    });
    if (best < 0) return;
    yield [heads[best]!.value as RegExpMatchArray, best];
    heads[best] = its[best]!.next();
  }
}

/** `foreach (array('_POST') as $r)`, `foreach (['_GET', '_POST'] as $r)`: the variable takes the first value. */
const FOREACH_LITERAL = new RegExp(`\\bforeach\\s*\\(\\s*(?:array\\s*\\(|\\[)\\s*(["'])(${NAME})\\1[^)\\]]{0,200}[)\\]]\\s*as\\s*\\$(${NAME})\\s*\\)`, 'gi');
/** A loop over a literal list appending to one variable: `foreach ([115, 121] as $n) $f .= chr($n);` */
// (or prepending, `$n = $ch . $n;`, over str_split() or explode() of a literal too: S21R-23)
const FOREACH_APPEND = new RegExp(`\\bforeach\\s*\\(\\s*((?:array\\s*\\(|\\[|str_split\\s*\\(|explode\\s*\\()[^;]{0,2000}?[)\\]])\\s*as\\s*\\$(${NAME})\\s*\\)\\s*(\\{\\s*)?(?=\\$(${NAME})\\s*\\.=\\s*([^;{}]{1,300});\\s*(\\})?|\\$(${NAME})\\s*=\\s*([^;{}]{1,300}?)\\s*\\.\\s*\\$\\7\\s*;\\s*(\\})?)`, 'gi');
/** Names of a value: `define('F', ...)`, `const F = ...` (a class's too), a property's default (`public static $f = ...`, `var $f = ...`). */
const DEFINE = new RegExp(`\\bdefine\\s*\\(\\s*(["'])(${NAME})\\1\\s*,`, 'gi');
// (an enum's backed case too, `case Run = 'system';`, read as its value, `Fn::Run->value`: S31R-22)
const CONST = new RegExp(`\\b(?:const|case)\\s+(${NAME})\\s*=(?![=>])`, 'gi');
// (a typed one too, `public string $h = ...`, `private static ?string $f = ...`, S21R-4)
const PROPERTY = new RegExp(`\\b(?:(?:public|private|protected|var|static|readonly)\\s+){1,3}(?:\\??[A-Za-z_\\\\][\\w\\\\|]{0,63}\\s+)?\\$(${NAME})\\s*=(?![=>])`, 'gi');
/** `$this->f = ...`: a property given its value in a method (a constructor's, most often). */
const THIS_ASSIGN = new RegExp(`(?:\\$this\\s*->\\s*|\\b(?:self|static)\\s*::\\s*\\$)(${NAME})\\s*=(?![=>])`, 'g');
/** `$nm = fn($s) => base64_decode($s);` */
const ARROW_VAR = new RegExp(`(?<![\\w$>:])\\$(${NAME})\\s*=\\s*(?:static\\s+)?fn\\s*\\(([^()]{0,300})\\)\\s*=>\\s*([^;{}]{1,${MAX_EXPR}});`, 'gi');
/** An assignment to a property: `$o->f =`, `K::$f =`, `$this->f['k'] .=` (the name in group 1). */
const PROPERTY_SET = new RegExp(`(?:->\\s*|::\\$)(${NAME})\\s*(?:\\[[^\\]]{0,80}\\]\\s*)?\\.?=(?![=>])`, 'g');
/** `extract([...])`: each key a variable. */
const EXTRACT = /\bextract\s*\(/gi;
/** `$a['k'] = ...`, `$a[] = ...`: an element of a list of known value. */
const ELEMENT = new RegExp(`(?<![\\w$>:\\\\])\\$(${NAME})\\s*\\[\\s*(?:(?:(["'])([^"'\\\\\\n]{1,64})\\2|(\\d{1,4}))\\s*)?\\]\\s*=(?![=>])`, 'g');
/** `function f($a) { $t = 'table'; $r = ''; foreach ($a as $i) { $r .= $t[$i]; } return $r; }` */
const PICKER = new RegExp(`\\bfunction\\s+(${NAME})\\s*\\(\\s*\\$(${NAME})\\s*\\)\\s*\\{\\s*\\$(${NAME})\\s*=`, 'gi');
/** ...its loop and return after the table's `;` (sticky): the name of the list, the table's and the result's are checked by the caller. */
const PICKER_TAIL = new RegExp(`;\\s*\\$(${NAME})\\s*=\\s*(?:''|"")\\s*;\\s*foreach\\s*\\(\\s*\\$(${NAME})\\s+as\\s+\\$(${NAME})\\s*\\)\\s*(?:\\{\\s*)?\\$(${NAME})\\s*\\.=\\s*\\$(${NAME})\\s*[\\[{]\\s*\\$(${NAME})\\s*[\\]}]\\s*;\\s*(?:\\}\\s*)?return\\s+\\$(${NAME})\\s*;\\s*\\}`, 'y');
/** `$a++;`, `++$a;` (a statement of its own). */
const INCREMENT = new RegExp(`(?<![\\w$>:\\\\])(?:\\$(${NAME})\\s*\\+\\+|\\+\\+\\s*\\$(${NAME}))\\s*;`, 'g');
/** A counted loop whose body is one increment: `for ($i = 0; $i < 18; $i++) $a++;` (braces or not). */
const FOR_INCREMENT = new RegExp(
  `\\bfor\\s*\\(\\s*\\$(${NAME})\\s*=\\s*(\\d{1,4})\\s*;\\s*\\$\\1\\s*(<=?)\\s*(\\d{1,4})\\s*;\\s*(?:\\$\\1\\s*\\+\\+|\\+\\+\\s*\\$\\1)\\s*\\)\\s*(?:\\{\\s*)?(?:\\$(${NAME})\\s*\\+\\+|\\+\\+\\s*\\$(${NAME}))\\s*;(?:\\s*\\})?`,
  'gi',
);

/** A string of letters (then digits) stepped once, as PHP's `++` steps it: 'a' to 'b', 'Az' to 'Ba', 'z' to 'aa', 'a9' to 'b0'. */
function stepString(s: string): string | undefined {
  const c = s.split('');
  for (let i = c.length - 1; i >= 0; i--) {
    const ch = c[i]!;
    if (ch === 'z' || ch === 'Z' || ch === '9') {
      c[i] = ch === 'z' ? 'a' : ch === 'Z' ? 'A' : '0';
      if (i === 0) return (ch === '9' ? '1' : ch === 'z' ? 'a' : 'A') + c.join('');
      continue;
    }
    c[i] = String.fromCharCode(ch.charCodeAt(0) + 1);
    return c.join('');
  }
  return undefined;
}

/**
 * `${expr}` whose expression is made of literals alone and gives a name, written as that variable:
 * `${'_' . ('{{{' ^ '<>/')}` is `$_GET`. At most 256 of them, of 2,000 characters each.
 */
function bracedNames(code: string): string {
  let out = '';
  let last = 0;
  let looked = 0;
  for (let i = code.indexOf('${'); i >= 0 && looked < 256; i = code.indexOf('${', i + 2)) {
    looked++;
    const close = walkCode(code, i + 1, MAX_EXPR, 0, (c, j, depth) => (c === '}' && depth === 0 ? j : undefined));
    if (close === undefined) continue;
    const inner = code.slice(i + 2, close);
    // (a plain literal or variable is read as it is elsewhere)
    // (but one written with escapes is read here, so that ${"\x47\x4c..."}['k'] = .. sets an element of $GLOBALS: session 35 set H12)
    if ((!/[.^(]/.test(inner) && !/^\s*"[^"]*\\[x0-7]/.test(inner)) || /^\s*\$/.test(inner)) continue;
    const v = evaluate(inner, new Env(), 0);
    if (typeof v !== 'string' || !WHOLE_NAME.test(v)) continue;
    out += code.slice(last, i) + `$${v}`;
    last = close + 1;
    i = close - 1;
  }
  return last > 0 ? out + code.slice(last) : code;
}

/** `$g = $GLOBALS;`: a name for the whole of the globals. */
const GLOBALS_ALIAS = new RegExp(`\\$(${NAME})\\s*=\\s*&?\\s*\\(?\\s*\\$GLOBALS\\s*\\)?\\s*;`, 'g');
/** `${name}(`: a bare word braced, called (see foldVariables). */
const BARE_BRACED_CALL = new RegExp(`\\$\\{\\s*(${NAME})\\s*\\}\\s*\\(`, 'g');
/** `$GLOBALS["k"]`, an element named by a literal, and one that holds a table of names called by index. */
const GLOBALS_ELEMENT = new RegExp(`\\$GLOBALS\\s*\\[\\s*(["'])(${NAME})\\1\\s*\\]`, 'g');
const GLOBALS_TABLE = new RegExp(`\\$GLOBALS\\s*\\[\\s*(["'])${NAME}\\1\\s*\\]\\s*\\[[^\\]\\n]{1,40}\\]\\s*\\(`);
/** `${$GLOBALS["k"]}`, and `$GLOBALS["k"] =` (not `==`): see foldVariables. */
const GLOBALS_NAME_USE = new RegExp(`\\$\\{\\s*\\$GLOBALS\\s*\\[\\s*(["'])(${NAME})\\1\\s*\\]\\s*\\}`, 'g');
const GLOBALS_NAME_SET = new RegExp(`\\$GLOBALS\\s*\\[\\s*(["'])(${NAME})\\1\\s*\\]\\s*=(?![=>])`, 'g');
/** `${$g}`: the variable named by $g's value, as `$$g` is. */
const BRACED_VARIABLE = new RegExp(`\\$\\{\\s*\\$(${NAME})\\s*\\}`, 'g');
/** A function whose body is one `return`: `function d($s) { return base64_decode($s); }` */
/**
 * A hex2bin of the file's own: a loop over pairs of hex digits, each made a character with chr(hexdec(..)), the string
 * returned (set H56's Magento skimmer, `pallete("737472726576")` for strrev). Read as hex2bin of its parameter. Found
 * from each `chr(hexdec(` (at most 64), reading the 400 characters before it for the function's head and the 200 after
 * for its return: one pattern over the whole file backtracked for a second a pass over 32 KB of such pieces (red team
 * S45R, 100 s for a file of 951 KB).
 */
const HEX_HEAD = new RegExp(`\\bfunction\\s+(${NAME})\\s*\\(\\s*\\$(${NAME})\\s*\\)\\s*\\{[^{}]{0,200}\\b(?:for|while)\\s*\\([^{}]{0,160}$`, 'i');
const HEX_TAIL = /^[^{}]{0,120}(?:\}\s*)?return\s+\$\w{1,64}\s*;\s*\}/;
function hexLoops(code: string): [string, string][] {
  const out: [string, string][] = [];
  const low = code.toLowerCase();
  for (let at = low.indexOf('hexdec'), n = 0; at >= 0 && n < 64; at = low.indexOf('hexdec', at + 6), n++) {
    const site = /chr\s*\(\s*$/.exec(low.slice(Math.max(0, at - 20), at));
    if (!site) continue;
    const from = at - 20 + site.index;
    // (the loop's own brace may stand between its head and the site: cut the text before the site at its last "{")
    const before = code.slice(Math.max(0, from - 400), from);
    const brace = before.lastIndexOf('{');
    const head = HEX_HEAD.exec(brace >= 0 && /\b(?:for|while)\s*\([^{}]*$/.test(before.slice(0, brace)) ? before.slice(0, brace) : before);
    if (!head || !HEX_TAIL.test(code.slice(from, from + 240).replace(/^[^;]*;/, ''))) continue;
    out.push([head[1]!, head[2]!]);
  }
  return out;
}
const RETURNS = new RegExp(`\\bfunction\\s+(${NAME})\\s*\\(([^()]{0,300})\\)\\s*(?::\\s*\\??\\w+\\s*)?\\{\\s*return\\s+([^;{}]{1,${MAX_EXPR}});\\s*\\}`, 'gi');
/** A function of one local and a return: `function f($i) { $t = array(...); return $t[$i]; }` (held-out set H18). */
// (each expression from a character that is not a space: the spaces before it are the \\s*'s alone, red team S37A-1)
const RETURNS_LOCAL = new RegExp(`\\bfunction\\s+(${NAME})\\s*\\(([^()]{0,300})\\)\\s*(?::\\s*\\??\\w+\\s*)?\\{\\s*\\$(${NAME})\\s*=\\s*([^;{}\\s][^;{}]{0,${MAX_EXPR}});\\s*return\\s+([^;{}\\s][^;{}]{0,${MAX_EXPR}});\\s*\\}`, 'gi');
/** What evaluate() and foldVariables() match whole: made once (they run for every assignment of a file). */
const VARIABLE_ALONE = new RegExp(`^\\$(${NAME})(?:\\s*(?:\\[|\\{)\\s*(?:(\\d{1,4})|(["'])([^"'\\\\\\n]{1,64})\\3)\\s*(?:\\]|\\}))?$`);
const VARIABLE_COMPUTED = new RegExp(`^\\$(${NAME})\\s*(?:\\[([^\\[\\]{}'"]{1,80})\\]|\\{([^\\[\\]{}'"]{1,80})\\})$`);
const PROPERTY_ELEMENT_ALONE = new RegExp(`^\\$this\\s*->\\s*(${NAME})\\s*\\[\\s*(?:(\\d{1,4})|(["'])([^"'\\\\\\n]{1,64})\\3)\\s*\\]$`);
const ENUM_VALUE_ALONE = new RegExp(`^\\\\?${NAME}::(${NAME})\\s*->\\s*value$`);
const MEMBER_ALONE = new RegExp(`^(?:constant\\s*\\(\\s*(["'])(?:\\\\?(${NAME}::))?(${NAME})\\1\\s*\\)|\\\\?${NAME}::(\\$?)(${NAME})|\\$this\\s*->\\s*(${NAME})|(${NAME})|\\\\?(?:${NAME}\\\\){1,8}(${NAME}))$`);
const CALL_ALONE = new RegExp(`^(?:\\\\?(${NAME})|(["'])(${NAME})\\2|\\$(${NAME})|(?:\\$this\\s*->|\\b(?:self|static)\\s*::)\\s*(${NAME}))\\s*\\(([\\s\\S]*)\\)$`);
const PARAMETER = new RegExp(`^\\s*(?:\\??\\w+\\s+)?\\$(${NAME})\\s*(?:=[^,]*)?$`);
const NAME_ALONE = new RegExp(`^\\s*\\$(${NAME})\\s*$`);

/**
 * The code with every use of a variable of known value written as that value, or undefined when
 * no variable of the code has one (nothing to fold).
 */
export function foldVariables(input: string): string | undefined {
  // ($this->{'p'} is $this->p: S21R-26)
  let code = input.includes('->{') ? input.replace(new RegExp(`->\\s*\\{\\s*(["'])(${NAME})\\1\\s*\\}`, 'g'), '->$2') : input;
  // (a table of names kept in $GLOBALS, `$GLOBALS["k"] = "a"; ... ${$GLOBALS["k"]} = ..`: each element is the global of
  // its name, so `${$GLOBALS["k"]}` is `$$k`, the variable $k names; session 40 set H27's obfuscated loader)
  if (code.includes('${$GLOBALS')) {
    code = code
      .replace(GLOBALS_NAME_USE, '$$$$$2')
      .replace(GLOBALS_NAME_SET, (all: string, _q: string, name: string) => (name === 'GLOBALS' ? all : `$${name} =`));
  }
  // (${$g} is $$g: S24R-9, `$g = "\x47\x4c..."; ${$g}["k"] = ...`)
  if (code.includes('${$')) code = code.replace(BRACED_VARIABLE, '$$$$$1');
  // (${'_' . ('{{{' ^ '<>/')} of literals alone is $_GET: a one-liner's whole disguise)
  if (code.includes('${')) code = bracedNames(code);
  // (a name the code made the whole of $GLOBALS, `$g = $GLOBALS;`, is $GLOBALS where it is indexed: session 35 set H12)
  if (code.includes('$GLOBALS')) {
    const aliases = new Set<string>();
    for (const g of code.matchAll(GLOBALS_ALIAS)) if (aliases.size < 16 && g[1] !== 'GLOBALS') aliases.add(g[1]!);
    // (and a name given such a name: $h = $g;, red team S35B-18)
    for (let round = 0; round < 2 && aliases.size > 0 && aliases.size < 16; round++) {
      const of = new RegExp(`\\$(${NAME})\\s*=\\s*&?\\s*\\$(?:${[...aliases].join('|')})\\s*;`, 'g');
      for (const g of code.matchAll(of)) if (aliases.size < 16 && g[1] !== 'GLOBALS') aliases.add(g[1]!);
    }
    if (aliases.size > 0) code = code.replace(new RegExp(`\\$(?:${[...aliases].join('|')})(?![\\w\\x80-\\xff])(?=\\s*\\[)`, 'g'), '$$GLOBALS');
    // ($GLOBALS['k'] is the global $k: a table of names kept there and called by index, `$GLOBALS['_7694_'] =
    // Array('base64_decode', .., 'mail'); .. $GLOBALS['_7694_'][4](..)`, held-out set H49's mailer)
    if (GLOBALS_TABLE.test(code)) code = code.replace(GLOBALS_ELEMENT, (all: string, _q: string, name: string) => (name === 'GLOBALS' ? all : `$${name}`));
  }
  const events: Event[] = [];
  const env = new Env();
  for (const m of code.matchAll(FOREACH_LITERAL)) {
    if (events.length >= MAX_EVENTS) break;
    events.push({ at: m.index!, end: m.index! + m[0].length, name: m[3]!, value: m[2]! });
  }
  const fns = new Set<string>();
  // a function of one return, `()name` (an arrow function kept in a variable: `()$nm`, called as $nm(...), S21R-22)
  const addFunction = (key: string, paramText: string, expr: string, local?: readonly [string, string]) => {
    const params = splitTop(paramText, [',']).map((p) => PARAMETER.exec(p)?.[1]);
    if (params.some((p) => p === undefined) && paramText.trim() !== '') return;
    // (a local given a value first, then returned or indexed: `{ $t = array(...); return $t[$i]; }`, its name and expression after)
    if (local && params.includes(local[0])) return;
    const value: Value = [paramText.trim() === '' ? '' : params.join(','), expr, ...(local ?? [])];
    fns.add(key);
    env.set(`()${key}`, value);
    events.push({ at: 0, end: 0, name: `()${key}`, value });
  };
  for (const m of code.matchAll(RETURNS)) {
    if (events.length >= MAX_EVENTS || fns.size >= 64) break;
    addFunction(m[1]!.toLowerCase(), m[2]!, m[3]!);
  }
  for (const m of code.matchAll(RETURNS_LOCAL)) {
    if (events.length >= MAX_EVENTS || fns.size >= 64) break;
    if (!fns.has(m[1]!.toLowerCase())) addFunction(m[1]!.toLowerCase(), m[2]!, m[5]!, [m[3]!, m[4]!]);
  }
  if (/hexdec/i.test(code)) {
    for (const [name, param] of hexLoops(code)) {
      if (events.length >= MAX_EVENTS || fns.size >= 64) break;
      if (!fns.has(name.toLowerCase())) addFunction(name.toLowerCase(), `$${param}`, `hex2bin($${param})`);
    }
  }
  for (const m of code.matchAll(ARROW_VAR)) {
    if (events.length >= MAX_EVENTS || fns.size >= 64) break;
    addFunction(`$${m[1]!.toLowerCase()}`, m[2]!, m[3]!);
  }
  // (a function that picks characters out of a table of its own by the numbers it is given: `pz1(Array(38, 45, ..))`)
  if (/\bforeach\b/i.test(code) && /\bfunction\b/i.test(code)) {
    for (const m of code.matchAll(PICKER)) {
      if (events.length >= MAX_EVENTS || fns.size >= 64) break;
      const from = m.index! + m[0].length;
      const end = rhsEnd(code, from);
      PICKER_TAIL.lastIndex = end;
      const t = PICKER_TAIL.exec(code);
      // ($r = ''; foreach ($list as $i) $r .= $table[$i]; return $r;)
      if (!t || t[2] !== m[2] || t[4] !== t[1] || t[5] !== m[3] || t[6] !== t[3] || t[7] !== t[1]) continue;
      const table = evaluate(code.slice(from, end), env, 0);
      if (typeof table !== 'string' || table.length < 8) continue;
      const key = m[1]!.toLowerCase();
      fns.add(key);
      env.set(`(pick)${key}`, table);
      events.push({ at: 0, end: 0, name: `(pick)${key}`, value: table });
    }
  }
  // the loops that append, by where their assignment starts
  const appends = new Map<number, RegExpMatchArray>();
  if (/\bforeach\b/i.test(code)) {
    for (const m of code.matchAll(FOREACH_APPEND)) {
      if (appends.size >= 64) break;
      if (m[3] !== undefined && (m[6] ?? m[9]) === undefined) continue;
      appends.set(m.index! + m[0].length, m);
    }
  }
  // (a right side that starts as a constant, a member or a call of a function of the file may fold too)
  const foldable = (rhs: string) =>
    FOLDABLE_START.test(rhs) ||
    /^[\s@(]*(?:constant\s*\(|\\?[A-Za-z_][\w\\]*\s*::|\$this\s*->|\\?(?:[A-Za-z_]\w*\\){0,8}[A-Za-z_]\w*\s*(?:[.^|&;,)]|$))/.test(rhs) ||
    (fns.size > 0 && fns.has(/^[\s@(]*\\?([A-Za-z_]\w*)\s*\(/.exec(rhs)?.[1]?.toLowerCase() ?? ''));
  // How many times each property is assigned in the file (`->f =`, `::$f =`, an element of it), counted once
  let sets: Map<string, number> | undefined;
  const setsOf = () => {
    if (sets) return sets;
    sets = new Map();
    for (const p of code.matchAll(PROPERTY_SET)) sets.set(p[1]!, (sets.get(p[1]!) ?? 0) + 1);
    return sets;
  };
  // (the names assigned so far, in the order of the code)
  const assigned = new Set<string>();
  const set = (name: string, at: number, end: number, value: Value | undefined) => {
    env.budget.generation++;
    if (value === undefined) env.delete(name);
    else env.set(name, value);
    events.push({ at, end, name, value });
    assigned.add(name);
  };
  // (increments only where the code has any: `$a = 'r'; $a++;` is 's', S24R-12)
  const increments = code.includes('++') ? [code.matchAll(FOR_INCREMENT), code.matchAll(INCREMENT)] : [];
  let skipTo = 0;
  for (const [m, kind] of byIndex(code.matchAll(ASSIGN), code.matchAll(DESTRUCT), code.matchAll(DEFINE), code.matchAll(CONST), code.matchAll(PROPERTY), code.matchAll(EXTRACT), code.matchAll(ELEMENT), code.matchAll(THIS_ASSIGN), ...increments)) {
    if (events.length >= MAX_EVENTS) break;
    if (m.index! < skipTo) continue;
    if (kind === 8 || kind === 9) {
      // `$a++`, `++$a`, and a counted loop of one increment, `for ($i = 0; $i < 18; $i++) $a++;`:
      // a string of letters (and digits after them) stepped as PHP steps it ('z' to 'aa')
      const name = kind === 8 ? (m[5] ?? m[6])! : (m[1] ?? m[2])!;
      const times = kind === 8 ? Math.max(0, Number(m[4]) - Number(m[2]) + (m[3] === '<=' ? 1 : 0)) : 1;
      if (kind === 8) skipTo = m.index! + m[0].length;
      const prior = env.get(name);
      if (typeof prior !== 'string' || !/^[A-Za-z]{1,64}\d{0,8}$/.test(prior)) continue;
      let v: string | undefined = times > 256 ? undefined : prior;
      for (let k = 0; k < times && v !== undefined; k++) v = stepString(v);
      set(name, m.index!, m.index! + m[0].length, v);
      continue;
    }
    // (an assignment in a line comment is not one: `$__ .= ("." ^ "~"); // $__ = _P`, when the code is read
    // with its comments)
    const before = code.slice(Math.max(0, m.index! - 200), m.index!);
    const line = before.slice(before.lastIndexOf('\n') + 1);
    if (/(?:^|[^:'"\\])\/\/|^\s*#|^\s*\*/.test(line)) continue;
    const from = m.index! + m[0].length;
    const end = rhsEnd(code, from);
    const rhs = code.slice(from, end);
    const known = () => (rhs.length <= MAX_EXPR && foldable(rhs) ? evaluate(rhs, env, 0) : undefined);
    if (kind === 2) {
      set(`#${m[2]!}`, m.index!, end, known());
      continue;
    }
    if (kind === 3) {
      // (a class's constant is read as K::F, self::F; one outside a class as F)
      const v = known();
      set(`::${m[1]!}`, m.index!, end, v);
      set(`#${m[1]!}`, m.index!, end, v);
      continue;
    }
    if (kind === 4) {
      // (a property set elsewhere, `->f =` or `::$f =`, has no one value)
      const v = (setsOf().get(m[1]!) ?? 0) > 0 ? undefined : known();
      set(`::$${m[1]!}`, m.index!, end, v);
      set(`->${m[1]!}`, m.index!, end, v);
      continue;
    }
    if (kind === 5) {
      const v = known();
      if (typeof v !== 'string' && v?.keyed) for (const [k, x] of v.keyed) if (WHOLE_NAME.test(k) && events.length < MAX_EVENTS) set(k, m.index!, end, x);
      continue;
    }
    if (kind === 6) {
      // $a['k'] = 'x': a copy of the list with the element set; $a[] = 'x' appends
      const prior = env.get(m[1]!);
      const v = known();
      if (typeof v !== 'string' || (prior !== undefined && typeof prior === 'string')) {
        set(m[1]!, m.index!, end, undefined);
        continue;
      }
      const list: List = [...(prior ?? [])];
      const keyed = new Map(prior?.keyed ?? []);
      const key = m[3] ?? m[4] ?? (m[0].includes('[]') || /\[\s*\]/.test(m[0]) ? String(list.length) : undefined);
      if (key === undefined || list.length >= 256 || keyed.size >= 256) {
        set(m[1]!, m.index!, end, undefined);
        continue;
      }
      if (/^\d{1,4}$/.test(key) && Number(key) <= list.length) list[Number(key)] = v;
      else keyed.set(key, v);
      list.keyed = keyed;
      set(m[1]!, m.index!, end, list);
      // ($GLOBALS['k'] = ... is $k = ...: S24R-9)
      if (m[1] === 'GLOBALS' && WHOLE_NAME.test(key)) set(key, m.index!, end, v);
      continue;
    }
    if (kind === 7) {
      // (set once in the file, and not declared with another value, the property holds it in every method: a
      // constructor runs before the methods that read it, wherever they are written)
      const only = setsOf().get(m[1]!) === 1;
      const v = only && env.get(m[0].includes('::') ? `::$${m[1]!}` : `->${m[1]!}`) === undefined ? known() : undefined;
      if (v !== undefined) {
        // (a static one, self::$h = ..., is read as self::$h; an object's as ->h)
        for (const key of m[0].includes('::') ? [`::$${m[1]!}`] : [`->${m[1]!}`]) {
          env.set(key, v);
          events.push({ at: 0, end: 0, name: key, value: v });
        }
      }
      continue;
    }
    if (kind === 1) {
      // [$a, $b] = ['sys', 'tem'], list($a, $b) = explode(...): each name its element (S20F-16)
      const value = rhs.length <= MAX_EXPR && foldable(rhs) ? evaluate(rhs, env, 0) : undefined;
      splitTop(m[1] ?? m[2]!, [',']).slice(0, 64).forEach((item, i) => {
        const v = NAME_ALONE.exec(item);
        if (!v) return;
        set(v[1]!, m.index!, end, Array.isArray(value) ? value[i] : undefined);
      });
      continue;
    }
    const held = m[4] === undefined ? undefined : env.get(m[4]);
    const name = m[1] ?? m[3] ?? (typeof held === 'string' && WHOLE_NAME.test(held) ? held : undefined);
    if (name === undefined) continue;
    let value: Value | undefined;
    const loop = appends.get(m.index!);
    const prepends = loop !== undefined && loop[7] === name && m[5] === '=';
    if (loop && ((loop[4] === name && m[5] === '.=') || prepends)) {
      // the loop's whole appending (or prepending): its expression for each item of the list
      const list = evaluate(loop[1]!, env, 0);
      const prior = env.get(name);
      value = undefined;
      if (Array.isArray(list) && (!prepends || typeof prior === 'string')) {
        let s = '';
        for (const item of list) {
          env.set(loop[2]!, item);
          const x = evaluate(prepends ? loop[8]! : loop[5]!, env, 0);
          if (typeof x !== 'string' || s.length + x.length > MAX_VALUE) {
            s = '';
            break;
          }
          s = prepends ? x + s : s + x;
        }
        env.delete(loop[2]!);
        value = s === '' ? undefined : prepends ? s + (prior as string) : s;
      }
    } else {
      value = rhs.length <= MAX_EXPR && foldable(rhs) ? evaluate(rhs, env, 0) : undefined;
      // (a name's first assignment joining its own value to more, `$a = $a . substr(..)`: PHP reads the unset name
      // as "" there, and the packers' junk-padded builders start so: session 35, set H9)
      if (value === undefined && m[5] === '=' && rhs.length <= MAX_EXPR && selfJoined(rhs, name) && !assigned.has(name)) {
        env.set(name, '');
        value = evaluate(rhs, env, 0);
        env.delete(name);
      }
    }
    if (m[5] === '.=') {
      const prior = env.get(name);
      value = typeof prior === 'string' && typeof value === 'string' && prior.length + value.length <= MAX_VALUE ? prior + value : undefined;
    }
    set(name, m.index!, end, value);
    // ($GLOBALS = array('k' => ...) sets the globals it names, as an element each would: PHP before 8.1, held-out set H3's 404super)
    if (name === 'GLOBALS' && m[5] === '=' && value !== undefined && typeof value !== 'string' && value.keyed) for (const [k, x] of value.keyed) if (WHOLE_NAME.test(k) && events.length < MAX_EVENTS) set(k, m.index!, end, x);
  }
  if (!events.some((e) => e.value !== undefined)) {
    // (nothing held; a called group of bare words may still fold)
    const groups = /\)\s*\(/.test(code) ? foldCalledGroups(code, events) : code;
    return groups !== input ? groups : undefined;
  }
  events.sort((a, b) => a.end - b.end);
  // The value of each name at a point: the last event of it that ended before.
  const byName = new Map<string, Event[]>();
  for (const e of events) {
    const list = byName.get(e.name);
    if (list) list.push(e);
    else byName.set(e.name, [e]);
  }
  // (a binary search in the name's events, sorted by end: S20F-1, 4,096 assignments of $a and then
  // millions of uses of it read the whole list at each use, minutes for a file of 16 MiB)
  const valueAt = (name: string, at: number): Value | undefined => {
    const list = byName.get(name);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.end > at) hi = mid;
      else lo = mid + 1;
    }
    return lo > 0 ? list[lo - 1]!.value : undefined;
  };
  let out = '';
  let last = 0;
  let changed = false;
  // ($s[4], $s{4} as PHP 7 reads it, $a['k']; $GLOBALS['f'] is $f)
  // ($a[$k] with $k of known value too: S21R-21)
  const USE = new RegExp(`(\\$\\$?)(${NAME})(?:\\s*(?:\\[|\\{)\\s*(?:(\\d{1,4})|(["'])([^"'\\\\\\n]{1,64})\\4|\\$(${NAME}))\\s*(?:\\]|\\}))?`, 'y');
  // ($this->f, and $o->f of an object whose class gives f its only value: S21R-20)
  const THIS = new RegExp(`\\$${NAME}\\s*->\\s*(${NAME})(?![\\w\\x80-\\xff]|\\s*(?:\\(|\\.?=(?![=>])|->))`, 'y');
  // (an element of one, $t->fns['run'], called or given: S31R-23)
  const THIS_ELEMENT = new RegExp(`\\$${NAME}\\s*->\\s*(${NAME})\\s*\\[\\s*(?:(\\d{1,4})|(["'])([^"'\\\\\\n]{1,64})\\3)\\s*\\](?!\\s*(?:\\[|\\.?=(?![=>])|->))`, 'y');
  const members = events.some((e) => e.value !== undefined && (e.name[0] === '#' || e.name[0] === ':'));
  // (every value written in below is interesting(), or an element of a list holding one: where no name holds such a
  // value, the walk would write nothing, and is not made: most files of an application)
  // (or a variable's variable, $$k, where a name holds a name: written as the variable it names)
  const anyInteresting =
    events.some((e) => e.value !== undefined && (typeof e.value === 'string' ? interesting(e.value) : e.value.some(interesting) || [...(e.value.keyed?.values() ?? [])].some(interesting))) ||
    (code.includes('$$') && events.some((e) => typeof e.value === 'string' && WHOLE_NAME.test(e.value)));
  for (let i = 0; anyInteresting && i < code.length; i++) {
    const c = code[i]!;
    if (c === "'" || c === '"') {
      const lit = readPhpString(code, i);
      if (!lit) break;
      // "$t", "{$t}", "$J[0]": a literal that is only a variable is the variable
      const only = c === '"' ? ONLY_VARIABLE.exec(code.slice(i, lit.end)) : null;
      const held = only ? valueAt(only[1]!, i) : undefined;
      const v = only?.[2] !== undefined ? (Array.isArray(held) ? held[Number(only[2])] : undefined) : typeof held === 'string' ? held : undefined;
      if (v !== undefined && interesting(v)) {
        out += code.slice(last, i) + quote(v);
        last = lit.end;
        changed = true;
      }
      i = lit.end - 1;
      continue;
    }
    // end($f), reset($f), current($f) of an array of known values
    if ((c === 'e' || c === 'r' || c === 'c') && (i === 0 || !/[\w$>:]/.test(code[i - 1]!))) {
      PICK.lastIndex = i;
      const p = PICK.exec(code);
      const arr = p ? valueAt(p[2]!, i) : undefined;
      const v = Array.isArray(arr) ? (p![1]!.toLowerCase() === 'end' ? arr[arr.length - 1] : arr[0]) : undefined;
      if (p && v !== undefined && interesting(v)) {
        out += code.slice(last, i) + quote(v);
        last = i + p[0].length;
        changed = true;
        i = last - 1;
        continue;
      }
    }
    // constants, class constants and static properties: F, constant('F'), K::F, self::$f
    if (members && /[A-Za-z_\\\x80-\xff]/.test(c) && (i === 0 || !/[\w$\\>:]/.test(code[i - 1]!))) {
      MEMBER.lastIndex = i;
      const p = MEMBER.exec(code);
      if (p) {
        // (a namespaced constant, \\App\\RUN, by its last name, S21R-7)
        const key = p[3] !== undefined ? `${p[2] ? '::' : '#'}${p[3]}` : p[5] !== undefined ? `::${p[4]!}${p[5]}` : `#${p[6] ?? p[7]!}`;
        const v = valueAt(key, i);
        if (typeof v === 'string' && interesting(v)) {
          out += code.slice(last, i) + quote(v);
          last = i + p[0].length;
          changed = true;
        }
        i += p[0].length - 1;
        continue;
      }
    }
    // (not a property, $o->$p, nor a static one, K::$p; `=> $f` is a use)
    if (c !== '$' || (i > 0 && (/[\w$\\]/.test(code[i - 1]!) || (code[i - 1] === '>' && code[i - 2] === '-') || (code[i - 1] === ':' && code[i - 2] === ':')))) continue;
    USE.lastIndex = i;
    const m = USE.exec(code);
    if (!m) continue;
    const end = i + m[0].length;
    // (an assignment's own left side stays: `$a = ...`; not an element of a variable's variable, `$$g['k'] = ...`
    // with $g = 'GLOBALS' is `$GLOBALS['k'] = ...`, S24R-9)
    // (nor $$k = .. with $k a name: the assignment of the variable it names, `$a = ..`)
    const namesOne = m[1] === '$$' && typeof valueAt(m[2]!, i) === 'string' && (m[3] !== undefined || m[5] !== undefined || WHOLE_NAME.test(valueAt(m[2]!, i) as string));
    if (/^\s*\.?=(?![=>])/.test(code.slice(end, end + 4)) && !namesOne) {
      i = end - 1;
      continue;
    }
    if (m[2] === 'this' || (m[1] === '$' && m[3] === undefined && m[5] === undefined && /^\s*->/.test(code.slice(end, end + 4)) && valueAt(m[2]!, i) === undefined)) {
      // $this->f of a property whose default is its only value
      THIS_ELEMENT.lastIndex = i;
      const el = THIS_ELEMENT.exec(code);
      const ev = el ? element(valueAt(`->${el[1]!}`, i), (el[2] ?? el[4])!) : undefined;
      if (ev !== undefined && interesting(ev)) {
        out += code.slice(last, i) + quote(ev);
        last = i + el![0].length;
        changed = true;
        i = last - 1;
        continue;
      }
      THIS.lastIndex = i;
      const p = THIS.exec(code);
      const v = p ? valueAt(`->${p[1]!}`, i) : undefined;
      if (typeof v === 'string' && interesting(v)) {
        out += code.slice(last, i) + quote(v);
        last = i + p![0].length;
        changed = true;
        i = last - 1;
      } else i = end - 1;
      continue;
    }
    // $GLOBALS['f'] is the global $f
    const global = m[1] === '$' && m[2] === 'GLOBALS' && m[5] !== undefined && WHOLE_NAME.test(m[5]);
    const held = global ? valueAt(m[5]!, i) : valueAt(m[2]!, i);
    if (global) {
      if (typeof held === 'string' && interesting(held)) {
        out += code.slice(last, i) + quote(held);
        last = end;
        changed = true;
      }
      i = end - 1;
      continue;
    }
    // (only values that matter to the rules are written in: a benign file's variables stay as they are,
    // and it has no layer of its own to scan)
    const value = typeof held === 'string' ? (interesting(held) ? held : undefined) : held && (held.some(interesting) || [...(held.keyed?.values() ?? [])].some(interesting)) ? held : undefined;
    let text: string | undefined;
    const keyHeld = m[6] === undefined ? undefined : valueAt(m[6], i);
    const index = m[3] ?? m[5] ?? (typeof keyHeld === 'string' ? keyHeld : undefined);
    if (m[1] === '$$') {
      // $$b with $b = '_POST': ${'_POST'}
      // (and any name: $$k with $k = 'a' is $a, a table of names' way to hide which variable holds the code; session 40
      // set H27)
      const named = typeof held === 'string' && WHOLE_NAME.test(held) ? held : undefined;
      if (named !== undefined) text = `\${${quote(named)}}${code.slice(i + m[1]!.length + m[2]!.length, end)}`;
    } else if (index !== undefined) {
      const v = element(value, index);
      if (v !== undefined) text = quote(v);
    } else if (typeof value === 'string') {
      // (a decoder's or a reader's name called, $f($x) with $f = 'gzinflate', is written as the plain call, the way
      // the rules read decoder chains: eval(gzinflate(...)))
      // (not where eval runs it at once: eval('base64_decode'(...)) is a finding of its own, which the literal
      // decoded in the next layer would hide)
      // (getenv always plain: what it reads is request input to the flow pass, eval(getenv('HTTP_X')), held-out set H17)
      const plain = PLAIN_CALL.has(value.toLowerCase()) && /^\s*\(/.test(code.slice(end, end + 8)) && (value.toLowerCase() === 'getenv' || !/\b(?:eval|assert)\s*\(\s*(?:@\s*)?$/i.test(code.slice(Math.max(0, i - 24), i)));
      text = plain ? value : quote(value);
    }
    if (text === undefined) {
      // (an element of an unknown array is not the array's value: keep the index)
      i = i + m[1]!.length + m[2]!.length - 1;
      continue;
    }
    out += code.slice(last, i) + text;
    last = end;
    changed = true;
    i = end - 1;
    if (out.length > code.length * 4 + 65536) return undefined;
  }
  let text = changed ? out + code.slice(last) : code;
  // ${$t[31].$t[59]..}: a variable named by characters picked out of a list, range('~', ' '), by numbers or sums of
  // them, written as the superglobal it names (session 46 set H64's cookie backdoor: $i = ${$LXSf[13+18].$LXSf[56+3]..},
  // then $i[61]($i[88])). Each pick is read where it stands in the code (at the end of the file where the walk above
  // wrote values in before it).
  if (text.includes('${')) {
    const whereAt = text === code;
    // (the first 64 such names: each builds the variables' values where it stands, red team S46B-40)
    let left = 64;
    text = text.replace(PICKED_NAME, (all: string, inner: string, at: number) => {
      if (--left < 0) return all;
      const v = evaluate(inner, envAt(events, whereAt ? at : code.length), 0);
      return typeof v === 'string' && SUPERGLOBAL_NAME.test(v) ? `\${${quote(v)}}` : all;
    });
  }
  // ${'name'} is $name: written so (outside literals), so the flow pass reads ${"k"} = $_SERVER[...] as an assignment
  const named = new RegExp(`\\$\\{\\s*(["'])(${NAME})\\1\\s*\\}`, 'g');
  if (text.includes('${')) text = text.replace(named, (_all, _q: string, name: string) => `$${name}`);
  // ${c}( is $c( too: a bare word in the braces is its own name's text where no constant is defined
  // (PHP before 8), the call of the variable of that name (H1-017: `$c = 'ass'.'ert'; ${c}($_POST[4]);`)
  // (in code, not inside a literal, where "${name}(s)" is the variable's value and a bracket: red team S34A-13)
  if (text.includes('${')) {
    let code: string | undefined;
    text = text.replace(BARE_BRACED_CALL, (all: string, name: string, at: number, whole: string) => ((code ??= codeOnly(whole))[at] === '$' ? `$${name}(` : all));
  }
  let folded = foldSinkArguments(text, events);
  if (/\)\s*\(/.test(folded)) folded = foldCalledGroups(folded, events);
  if (fns.size > 0) folded = foldCalls(folded, events, fns);
  return folded !== input ? folded : undefined;
}

/** A constant or a class's member: `constant('F')`, `constant('K::F')`, `K::F`, `K::$f`, a bare `F` (not a call, a class or an assignment's left side). */
const MEMBER = new RegExp(
  `constant\\s*\\(\\s*(["'])(?:\\\\?(${NAME}::))?(${NAME})\\1\\s*\\)|\\\\?${NAME}::(\\$?)(${NAME})(?![\\w\\x80-\\xff]|\\s*\\()|(${NAME})(?![\\w\\x80-\\xff\\\\]|\\s*(?:\\(|::|=(?![=>])))|\\\\?(?:${NAME}\\\\){1,8}(${NAME})(?![\\w\\x80-\\xff\\\\]|\\s*(?:\\(|::|=(?![=>])))`,
  'y',
);

/**
 * A bracketed expression that is called, written as its value when that is known and matters:
 * `(sy.(st).(em))($_GET['c'])` becomes `('system')($_GET['c'])` (bare words are strings to PHP 7),
 * `(K::F . 'x')(...)` the same. At most 64 calls, expressions of 200 characters.
 */
function foldCalledGroups(code: string, events: readonly Event[]): string {
  let out = '';
  let last = 0;
  let looked = 0;
  for (const m of code.matchAll(/\)\s*\(/g)) {
    if (++looked > 64) break;
    const close = m.index!;
    let depth = 0;
    let open = -1;
    for (let i = close; i >= Math.max(last, close - 200); i--) {
      const c = code[i];
      if (c === ')') depth++;
      else if (c === '(' && --depth === 0) {
        open = i;
        break;
      }
    }
    const inner = open < 0 ? '' : code.slice(open + 1, close);
    // (a group, not a call's arguments: nothing of a name before its bracket)
    // (`<?php (`, `echo (`, `return (`: a keyword before the bracket is not a function's name)
    const before = /([\w\x80-\xff$>:\]])\s*$/.exec(code.slice(Math.max(0, open - 64), open));
    const keyword = before ? /(?:^|[^\w\x80-\xff$])(?:php|echo|print|return|and|or|xor|else|case|yield)\s*$/i.test(code.slice(Math.max(0, open - 64), open)) : false;
    if (open < 0 || !/[.^]/.test(inner) || !/^[\w\s.^()'":$[\]]+$/.test(inner) || (before && !keyword)) continue;
    const env = envAt(events, open);
    env.bare = true;
    const v = evaluate(inner, env, 0);
    if (typeof v === 'string' && interesting(v)) {
      out += `${code.slice(last, open)}(${quote(v)})`;
      last = close + 1;
    }
  }
  return out + code.slice(last);
}

/** The scope at a point of the code: each name's last value before it. */
function envAt(events: readonly Event[], at: number): Env {
  const env = new Env();
  for (const e of events) {
    if (e.end > at) continue;
    if (e.value === undefined) env.delete(e.name);
    else env.set(e.name, e.value);
  }
  return env;
}

/**
 * Calls of the file's functions of one `return` whose value is known and matters, written as the
 * value: `function g($f) { return $f; } g('system')($_GET['c'])` becomes `'system'($_GET['c'])`.
 * At most 64 calls.
 */
function foldCalls(code: string, events: readonly Event[], fns: ReadonlySet<string>): string {
  // (a static method's call too, K::nm(...), self::nm(...): RETURNS reads methods of one return as well, S21R-18)
  // ($nm(...) of an arrow function kept in $nm)
  const names = [...fns].map((f) => (f.startsWith('$') ? `\\$${f.slice(1).replace(/[^\w\x80-\xff]/g, '')}` : f.replace(/[^\w\x80-\xff]/g, '')));
  const call = new RegExp(`(?<![\\w$>:\\\\])(\\\\?[A-Za-z_][\\w\\\\]{0,63}\\s*::\\s*)?\\\\?(${names.join('|')})\\s*\\(`, 'gi');
  let out = '';
  let last = 0;
  let looked = 0;
  for (const m of code.matchAll(call)) {
    if (m.index! < last || /\bfunction\s+$/i.test(code.slice(Math.max(0, m.index! - 40), m.index!))) continue;
    if (++looked > 64) break;
    const open = m.index! + m[0].length - 1;
    const close = closes(code, open);
    if (close < 0 || close - m.index! > MAX_EXPR) continue;
    const v = evaluate(code.slice(m.index! + (m[1]?.length ?? 0), close + 1), envAt(events, m.index!), 0);
    if (typeof v === 'string' && interesting(v)) {
      out += code.slice(last, m.index!) + quote(v);
      last = close + 1;
    }
  }
  return out + code.slice(last);
}

/** What runs its first argument as code, or names a function with it. */
const SINK_ARGUMENT = /(?<![\w$>:\\])(eval|assert|create_function|preg_replace|system|exec|passthru|shell_exec|popen|proc_open|call_user_func(?:_array)?|array_map|array_filter|array_walk|array_reduce|u[ak]?sort|register_shutdown_function|ob_start|array_u\w{0,16}|array_(?:diff|intersect)_u\w{0,8})\s*\(/gi;

/**
 * The first argument of eval, assert and the other sinks, where the variables in it are all of known
 * value, written as the value: `eval($p . $q)` with `$p = 'sys'` becomes `eval('system(...)')`, which
 * a variable of no interest alone (`$p`) was not written in for. At most 64 calls; the variables as
 * they were at each call.
 */
function foldSinkArguments(code: string, events: readonly Event[]): string {
  let out = '';
  let last = 0;
  let looked = 0;
  for (const m of code.matchAll(SINK_ARGUMENT)) {
    if (++looked > 64) break;
    let env: Env | undefined;
    // each argument (at most 8)
    for (let from = m.index! + m[0].length, k = 0; k < 8 && from < code.length; k++) {
      const end = rhsEnd(code, from);
      const arg = code.slice(from, end);
      if (code[end] !== ')' && code[end] !== ',') break;
      if (/\$/.test(arg)) {
        env ??= envAt(events, m.index!);
        const v = evaluate(arg, env, 0);
        if (typeof v === 'string' && interesting(v)) {
          out += code.slice(last, from) + quote(v);
          last = end;
        }
      }
      if (code[end] === ')') break;
      from = end + 1;
    }
  }
  return out + code.slice(last);
}

const ONLY_VARIABLE = new RegExp(`^"\\{?\\$(${NAME})(?:\\[(\\d{1,4})\\])?\\}?"$`);
const PICK = new RegExp(`(end|reset|current)\\s*\\(\\s*\\$(${NAME})\\s*\\)`, 'iy');
/** A name or text the rules look for: a function that runs code or commands or decodes, a caller, a superglobal, request input. */
// (and the readers of the request's headers, and a header's name: eval(getenv('HTTP_X')) built by bits, held-out set H17)
// (and the fetchers and sockets, called from a table of hidden names: held-out set H18's cloaking loader)
// (and a download piped to a shell or made executable, kept decoded in a variable before a command function: red team
// S37A-56)
const INTERESTING = /\b(?:curl|wget|lwp-download)\s[^\n]{0,300}(?:\|\s*(?:ba|da|z|k)?sh\b|\bchmod\s)|^GLOBALS$|^(?:getenv|getallheaders|apache_request_headers)$|^HTTP_[A-Z0-9_]{1,64}$|\/dev\/(?:tcp|udp)\/|\/bin\/(?:ba|z|da|k)?sh\b|\bsh\s+-i\b|^(?:https?|ftp):\/\/|^php:\/\/input$|^file_get_contents$|^_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES|SESSION)$|\$_|\b(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function|call_user_func(?:_array)?|array_map|array_filter|array_walk|usort|uasort|uksort|register_shutdown_function|ob_start|preg_replace|base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|file_put_contents|fwrite|move_uploaded_file|curl_exec|fsockopen|stream_socket_client|include|require)\b/i;

/** Whether a right side starts with the name's own value joined to more: `$a . ...` (not `$ab`, not `$a .= `). */
function selfJoined(rhs: string, name: string): boolean {
  // (an "@" before it changes nothing: red team S35A-24)
  const t = rhs.trimStart().replace(/^@\s*/, '');
  if (t[0] !== '$' || !t.startsWith(name, 1)) return false;
  const rest = t.slice(1 + name.length).trimStart();
  return rest[0] === '.' && rest[1] !== '=' && !/[\w\x80-\xff]/.test(t[1 + name.length] ?? '');
}

/** `${$t[1].$t[2+3]..}`: a variable's name joined from two to 64 picks of list elements (see foldVariables). */
const PICKED_NAME = new RegExp(`\\$\\{\\s*((?:\\$${NAME}\\s*\\[[^\\]\\n$]{1,20}\\]\\s*(?:\\.\\s*)?){2,64})\\}`, 'g');
/** The superglobals, by name. */
const SUPERGLOBAL_NAME = /^(?:_GET|_POST|_COOKIE|_REQUEST|_SERVER|_FILES|_ENV|_SESSION|GLOBALS)$/;

function interesting(value: string): boolean {
  return value.length <= MAX_VALUE && INTERESTING.test(value);
}

const HEREDOC = /<<<[ \t]*(["']?)([A-Za-z_]\w{0,63})\1\r?\n/y;

/** Where an assignment's right side ends: its `;`, or a bracket or comma it is inside (`($a = 'x') &&`). */
function rhsEnd(code: string, from: number): number {
  let depth = 0;
  const stop = Math.min(code.length, from + MAX_EXPR + 1);
  for (let i = from; i < stop; i++) {
    const c = code[i]!;
    if (c === "'" || c === '"') {
      const lit = readPhpString(code, i, MAX_EXPR);
      if (!lit) return stop;
      i = lit.end - 1;
    } else if (c === '<' && code.startsWith('<<<', i)) {
      // a heredoc or nowdoc: to its closing marker (its body's ; and brackets are text)
      HEREDOC.lastIndex = i;
      const h = HEREDOC.exec(code);
      if (!h) continue;
      const close = new RegExp(`\\n[ \\t]*${h[2]!}(?![\\w\\x80-\\xff])`, 'g');
      close.lastIndex = i + h[0].length - 1;
      const e = close.exec(code.slice(0, stop));
      if (!e) return stop;
      i = e.index + e[0].length - 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth < 0) return i;
    } else if (depth === 0 && (c === ';' || c === ',' || (c === '?' && code[i + 1] === '>'))) return i;
    else if (depth === 0 && (c === '&' || c === '|') && code[i + 1] === c) return i;
  }
  return stop;
}


const FOLDED: Readonly<Record<string, (x: string) => string>> = {
  strtolower: (x) => x.toLowerCase(),
  strtoupper: (x) => x.toUpperCase(),
  ucfirst: (x) => x.charAt(0).toUpperCase() + x.slice(1),
  lcfirst: (x) => x.charAt(0).toLowerCase() + x.slice(1),
  ucwords: (x) => x.replace(/(^|\s)(\S)/g, (_a, s: string, c: string) => s + c.toUpperCase()),
  strval: (x) => x,
  htmlspecialchars_decode: (x) => x.replace(/&(?:quot|#0*39|lt|gt);/g, (e) => ({ '&quot;': '"', '&lt;': '<', '&gt;': '>' })[e] ?? "'").replace(/&amp;/g, '&'),
};
/** The string operators of bits, loosest first (PHP: & binds tighter than ^, ^ than |). */
const BITWISE_OPS = ['|', '^', '&'] as const;

/** Two strings joined bit by bit as PHP does: | keeps the longer's length (its tail as it is), ^ and & the shorter's. */
function bitwise(a: string, b: string, op: (typeof BITWISE_OPS)[number]): string {
  const n = op === '|' ? Math.max(a.length, b.length) : Math.min(a.length, b.length);
  let r = '';
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    r += String.fromCharCode((op === '|' ? (Number.isNaN(x) ? y : Number.isNaN(y) ? x : x | y) : op === '^' ? x ^ y : x & y) & 255);
  }
  return r;
}

/** A bare word of up to 16 characters, a piece of a joined name: `Y . X . N . z`. */
const BARE_PIECE = /^\s*[A-Za-z_][A-Za-z0-9_]{0,15}\s*$/;
/** Lower-case words that are PHP's own constants or keywords, not strings. */
const PHP_WORDS = /^(?:true|false|null|array|list|new|clone|print|echo|return|and|or|xor|as|fn|function|static|self|parent|isset|empty|unset|eval|exit|die|include|require|include_once|require_once|instanceof|insteadof|yield|match|default|case)$/;
/** Names written bare where they are called: decoders and file_get_contents. */
const PLAIN_CALL = new Set(['getenv', 'str_rot13', 'strrev', 'base64_decode', 'hex2bin', 'urldecode', 'rawurldecode', 'gzinflate', 'gzuncompress', 'gzdecode', 'convert_uudecode', 'file_get_contents', 'file_put_contents', 'fwrite', 'fputs', 'move_uploaded_file']);
const DECODED = new Set<string>(['str_rot13', 'strrev', 'base64_decode', 'hex2bin', 'urldecode', 'rawurldecode', 'gzinflate', 'gzuncompress', 'gzdecode', 'stripslashes', 'convert_uudecode']);

/** `read()` with unknown bare names read as their own text (env.bare) when `on`; as it was after. */
function withBare<T>(env: Env, on: boolean, read: () => T): T {
  if (!on || env.bare) return read();
  env.bare = true;
  try {
    return read();
  } finally {
    env.bare = false;
  }
}

/**
 * What a PHP expression of strings gives, its variables those of `vars` (each name's one right side, read in order),
 * or undefined when it is not made of what is known: `sprintf('/%s/%s', '.*', 'e')`, `join('', $parts)`.
 */
export function evaluateExpression(expr: string, vars: ReadonlyMap<string, string> = new Map()): string | undefined {
  const env = new Env();
  for (const [name, rhs] of vars) {
    const v = rhs.length <= MAX_EXPR ? evaluate(rhs, env, 0) : undefined;
    if (v !== undefined) env.set(name, v);
  }
  const r = evaluate(expr, env, 0);
  return typeof r === 'string' ? r : undefined;
}

/** What a PHP expression of strings gives, or undefined when it is not made of what is known. */
function evaluate(expr: string, env: Env, depth: number): Value | undefined {
  if (depth > 16) return undefined;
  let e = expr.trim().replace(/^@\s*/, '');
  if (e === '' || e.length > MAX_EXPR) return undefined;
  // (string) casts and whole-expression parentheses (and (int) before a number worked out: red team S35B-19)
  e = e.replace(/^\(\s*string\s*\)\s*/i, '').replace(/^\(\s*int(?:eger)?\s*\)\s*(?=\()/i, '');
  // Strings joined bit by bit, by |, ^ and & (in PHP's order: | binds loosest): `'W2vzV' ^ SJJs`, `"\$0b" | '84l'`.
  // (| and & only where no || or && is: those are logic; a bare word beside a literal is its own text, as PHP 7 reads
  // an undefined constant: held-out set H17)
  for (const op of BITWISE_OPS) {
    if (op !== '^' && (e.includes('||') || e.includes('&&') || !e.includes(op))) continue;
    const pieces = splitTop(e, [op]);
    if (pieces.length < 2) continue;
    return withBare(env, pieces.some((p) => /^[\s(@]*["']/.test(p)), () => {
      const parts = pieces.map((p) => evaluate(p, env, depth + 1));
      if (parts.some((p) => typeof p !== 'string')) return undefined;
      return (parts as string[]).reduce((a, b) => bitwise(a, b, op));
    });
  }
  const cat = splitTop(e, ['.']).filter((p, i, all) => !(p.trim() === '' && all.length > 1 && /^\d*$/.test(all[i - 1]?.trim() ?? 'x')));
  if (cat.length > 1 && !/^\d+\.\d+$/.test(e)) {
    // (three or more bare words joined, Y.X.N.z.Z.X.J01: PHP 7 reads each undefined constant as its own text, whatever
    // its case; held-out set H16)
    return withBare(env, cat.length >= 3 && cat.every((p) => BARE_PIECE.test(p) && !PHP_WORDS.test(p.trim())), () => {
      let s = '';
      for (const p of cat) {
        const v = evaluate(p, env, depth + 1);
        if (typeof v !== 'string') return undefined;
        s += v;
        if (s.length > MAX_VALUE) return undefined;
      }
      return s;
    });
  }
  if (e.startsWith('(') && closes(e, 0) === e.length - 1) return evaluate(e.slice(1, -1), env, depth + 1);
  // whole numbers worked on by + - * / %: 'base' . (128/2) . '_decode' (session 35, set H12)
  // (a sum of several, 60 + 2 + 2, left to right)
  if (/^-?\d{1,9}(?:\s*[-+]\s*\d{1,9}){2,8}$/.test(e)) {
    let r = 0;
    for (const t of e.replace(/\s+/g, '').match(/[-+]?\d+/g)!) r += Number(t);
    return String(r);
  }
  const arith = /^(-?\d{1,9})\s*(\*\*|[-+*/%])\s*(-?\d{1,9})$/.exec(e);
  if (arith) {
    const a = Number(arith[1]);
    const b = Number(arith[3]);
    const r = arith[2] === '+' ? a + b : arith[2] === '-' ? a - b : arith[2] === '*' ? a * b : arith[2] === '**' ? (b >= 0 && b <= 64 ? a ** b : NaN) : b === 0 ? NaN : arith[2] === '/' ? a / b : a % b;
    return Number.isSafeInteger(r) ? String(r) : undefined;
  }
  // (and one of brackets, ((1 * 4) + 2), (73 - 69) / 4: held-out set H18)
  if (/^(?:[\d\s()+\-*/%]|>>|<<)+$/.test(e) && (e.includes('(') || e.includes('>>') || e.includes('<<'))) {
    const r = integer(e, env);
    return r === undefined ? undefined : String(r);
  }
  // a heredoc or nowdoc without variables or escapes (S20F): its lines less the closing marker's indentation
  const doc = /^<<<[ \t]*(["']?)([A-Za-z_]\w{0,63})\1\r?\n([\s\S]*?)\r?\n([ \t]*)\2$/.exec(e);
  if (doc) {
    const body = doc[3]!.split(/\r?\n/).map((l) => (l.startsWith(doc[4]!) ? l.slice(doc[4]!.length) : l)).join('\n');
    if (doc[1] === "'" || !/[$\\]/.test(body)) return body;
    // (a heredoc's escapes are a double-quoted string's: `\$_ = 'system';` is code with a dollar; one that
    // interpolates a variable is not known)
    // (one naming variables of known value, and no escaped dollar, is their values put in: `{$p}tem`, S21R-6)
    const named = /(?<!\\)\$[A-Za-z_\x80-\xff{]/.test(body);
    if (named && /\\\$/.test(body)) return undefined;
    const lit = readPhpString(`"${body.replace(/(?<!\\)"/g, '\\"')}"`, 0, MAX_VALUE);
    return lit && named ? interpolate(lit.value, env) : lit?.value;
  }
  if (e[0] === "'" || e[0] === '"') {
    const lit = readPhpString(e, 0, MAX_VALUE);
    if (!lit || lit.end !== e.length) return undefined;
    // ("\$x" is the text $x: only a "$" no backslash escapes interpolates; with both, the value is not read here, session 35 set H9)
    if (e[0] === '"' && /\$[A-Za-z_{]/.test(e)) {
      const escaped = /\\\$/.test(e);
      if (/(?:^|[^\\])(?:\\\\)*\$[A-Za-z_{]/.test(e)) return escaped ? undefined : interpolate(lit.value, env);
    }
    return lit.value;
  }
  if (/^-?\d{1,9}$/.test(e)) return e;
  if (/^0x[0-9a-f]{1,7}$/i.test(e)) return String(parseInt(e, 16));
  const v = VARIABLE_ALONE.exec(e);
  if (v) {
    const held = env.get(v[1]!);
    const key = v[2] ?? v[4];
    return key === undefined ? held : element(held, key);
  }
  // an element by an index computed from integers and known variables, $t[(0 * 6) + 3], $t[$i] (held-out set H18)
  const computed = VARIABLE_COMPUTED.exec(e);
  if (computed) {
    const held = env.get(computed[1]!);
    const named = (computed[2] ?? computed[3])!.trim();
    const key = /^\$[A-Za-z_\x80-\xff][\w\x80-\xff]*$/.test(named) ? env.get(named.slice(1)) : undefined;
    // (or a call that gives a number, intdiv(54, 3): red team S37A-43)
    const worked = typeof key === 'string' ? key : integer(named, env);
    const called = worked === undefined && /^\\?intdiv\s*\(/i.test(named) ? evaluate(named, env, depth + 1) : undefined;
    const at = worked ?? (typeof called === 'string' && /^-?\d{1,9}$/.test(called) ? called : undefined);
    return held === undefined || at === undefined ? undefined : element(held, String(at));
  }
  // an element of a property: $this->fns['run'] (S31R-23)
  const prop = PROPERTY_ELEMENT_ALONE.exec(e);
  if (prop) return element(env.get(`->${prop[1]!}`), (prop[2] ?? prop[4])!);
  // an enum's case read through ->value: Fn::Run->value (S31R-22)
  const cased = ENUM_VALUE_ALONE.exec(e);
  if (cased) return env.get(`::${cased[1]!}`);
  // constants and members: F, constant('F'), K::F, K::$f, $this->f
  const member = MEMBER_ALONE.exec(e);
  if (member) {
    if (member[3] !== undefined) return env.get(`${member[2] ? '::' : '#'}${member[3]}`);
    if (member[5] !== undefined) return env.get(`::${member[4]!}${member[5]}`);
    if (member[6] !== undefined) return env.get(`->${member[6]}`);
    // (a namespaced one is never its own text: PHP throws for an undefined one)
    if (member[8] !== undefined) return env.get(`#${member[8]}`);
    // (a short lower-case word no constant has is its own text to PHP 7, as `str_replace(x, '', 'axsxsexrxt')` uses it)
    return env.get(`#${member[7]!}`) ?? (env.bare || (/^[a-z_]{1,16}$/.test(member[7]!) && !PHP_WORDS.test(member[7]!)) ? member[7] : undefined);
  }
  // array literals: ['a', 'b'], array('a', 'b')
  const arr = /^(?:\[([\s\S]*)\]|array\s*\(([\s\S]*)\))$/i.exec(e);
  if (arr) {
    const inner = arr[1] ?? arr[2]!;
    if (inner.trim() === '') return [];
    const items = splitTop(inner, [',']).filter((x) => x.trim() !== '');
    if (items.length > 256) return undefined;
    const out: List = [];
    let keyed: Map<string, string> | undefined;
    for (const item of items) {
      // 'k' => 'v': the value under its key (a number's in the list too)
      const pair = splitTop(item, ['=>']);
      if (pair.length > 2) return undefined;
      const k = pair.length === 2 ? evaluate(pair[0]!, env, depth + 1) : undefined;
      const x = evaluate(pair[pair.length - 1]!, env, depth + 1);
      if (typeof x !== 'string' || (pair.length === 2 && typeof k !== 'string')) return undefined;
      if (k === undefined || k === String(out.length)) out.push(x);
      else (keyed ??= new Map()).set(k as string, x);
    }
    if (keyed) out.keyed = keyed;
    return out;
  }
  // an element of what an expression gives: explode('.', $s)[1], (array_keys(...))[0]
  const indexed = /^([\s\S]+?)\s*\[\s*(\d{1,4})\s*\]$/.exec(e);
  if (indexed && /[)\]]$/.test(indexed[1]!.trim())) {
    const whole = evaluate(indexed[1]!, env, depth + 1);
    const at = Number(indexed[2]);
    return Array.isArray(whole) ? whole[at] : typeof whole === 'string' ? whole[at] : undefined;
  }
  // a call: name(...), 'name'(...), $f(...) with $f a known name
  // (a method of the file's called on $this or its class, `$this->fn()`, `self::fn()`, as the function: S31R-27)
  const call = CALL_ALONE.exec(e);
  if (!call || closes(e, e.indexOf('(')) !== e.length - 1) return undefined;
  const arrow = call[4] !== undefined ? env.get(`()$${call[4].toLowerCase()}`) : undefined;
  const named = call[1] ?? call[3] ?? call[5] ?? (arrow !== undefined ? `$${call[4]!}` : call[4] !== undefined ? env.get(call[4]) : undefined);
  if (typeof named !== 'string') return undefined;
  const fn = named.toLowerCase();
  const rawArgs = call[6]!.trim() === '' ? [] : splitTop(call[6]!, [',']);
  // (pack's character codes one an argument: 'file_get_contents' is 17 of them)
  if (rawArgs.length > (fn === 'pack' ? 256 : 16)) return undefined;
  const args = rawArgs.map((a) => evaluate(a, env, depth + 1));
  const s = (i: number) => (typeof args[i] === 'string' ? (args[i] as string) : undefined);
  const n = (i: number) => (i < rawArgs.length ? integer(rawArgs[i]!, env) : undefined);
  if (fn === 'intdiv') {
    const [a, b] = [n(0), n(1)];
    return a === undefined || b === undefined || b === 0 ? undefined : String(Math.trunc(a / b));
  }
  if (fn === 'chr') {
    const code = n(0);
    return code === undefined ? undefined : String.fromCharCode(((code % 256) + 256) % 256);
  }
  if (fn === 'substr' || fn === 'mb_substr') {
    const x = s(0);
    const start = n(1);
    if (x === undefined || start === undefined) return undefined;
    const from = start < 0 ? Math.max(0, x.length + start) : start;
    if (rawArgs.length < 3) return x.slice(from);
    const len = n(2);
    if (len === undefined) return undefined;
    return len < 0 ? x.slice(from, x.length + len) : x.slice(from, from + len);
  }
  if (fn === 'str_replace' || fn === 'str_ireplace') {
    const [from, to, subject] = [args[0], args[1], s(2)];
    if (subject === undefined) return undefined;
    const froms = typeof from === 'string' ? [from] : from;
    if (!froms || froms.some((f) => f === '')) return undefined;
    let r = subject;
    froms.forEach((f, i) => {
      const t = typeof to === 'string' ? to : (to?.[i] ?? '');
      r = fn === 'str_ireplace' ? r.replace(new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), () => t) : r.split(f).join(t);
    });
    return r.length <= MAX_VALUE ? r : undefined;
  }
  if (fn === 'substr_replace') {
    const [x, by, start] = [s(0), s(1), n(2)];
    if (x === undefined || by === undefined || start === undefined) return undefined;
    const from = start < 0 ? Math.max(0, x.length + start) : Math.min(start, x.length);
    const len = rawArgs.length > 3 ? n(3) : x.length;
    if (len === undefined) return undefined;
    const to = len < 0 ? Math.max(from, x.length + len) : Math.min(x.length, from + len);
    return x.slice(0, from) + by + x.slice(to);
  }
  if (fn === 'strtr' && rawArgs.length === 3) {
    const [x, from, to] = [s(0), s(1), s(2)];
    if (x === undefined || from === undefined || to === undefined) return undefined;
    let r = '';
    for (const ch of x) {
      const at = from.indexOf(ch);
      r += at >= 0 && at < to.length ? to[at] : ch;
    }
    return r;
  }
  if (fn === 'implode' || fn === 'join') {
    const [a, b] = [args[0], args[1]];
    if (typeof a === 'string' && Array.isArray(b)) return b.join(a);
    if (Array.isArray(a) && (b === undefined || typeof b === 'string')) return a.join(b ?? '');
    return undefined;
  }
  if (fn === 'explode') {
    const [sep, x] = [s(0), s(1)];
    return sep === undefined || sep === '' || x === undefined ? undefined : x.split(sep).slice(0, 256);
  }
  if (fn === 'str_split') {
    const x = s(0);
    return x === undefined ? undefined : [...x].slice(0, 256);
  }
  // range('a', 'z'): an alphabet to pick a name's letters from, as a string is (set H55's ecchi)
  if (fn === 'range' && (rawArgs.length === 2 || rawArgs.length === 3)) return rangeOf(s(0), s(1), rawArgs.length === 3 ? n(2) : 1);
  // array_map('chr', [115, ...]) and the other functions of one string above, over an array (S20F)
  if (fn === 'array_map' && rawArgs.length === 2) {
    const f = s(0)?.toLowerCase();
    const list = args[1];
    if (f === undefined || !Array.isArray(list) || !(f === 'chr' || FOLDED[f] || DECODED.has(f) || f === 'trim')) return undefined;
    const out: string[] = [];
    for (const x of list) {
      const v = evaluate(`${f}(${/^-?\d{1,9}$/.test(x) ? x : quote(x)})`, env, depth + 1);
      if (typeof v !== 'string') return undefined;
      out.push(v);
    }
    return out;
  }
  if (fn === 'array_reverse') return Array.isArray(args[0]) ? [...args[0]].reverse() : undefined;
  if (fn === 'str_repeat') {
    const [x, k] = [s(0), n(1)];
    return x === undefined || k === undefined || k < 0 || x.length * k > MAX_VALUE ? undefined : x.repeat(k);
  }
  // (pack('c*', 0x70, 0x61, 99, 107) is 'pack': character codes, held-out set H3's 404super)
  // (and c<n>, C<n>: the first n codes, red team S34B-20)
  const codes = fn === 'pack' ? /^[cC](\*|\d{1,3})$/.exec(s(0) ?? '') : null;
  if (codes && rawArgs.length > 1) {
    const count = codes[1] === '*' ? rawArgs.length - 1 : Math.min(Number(codes[1]), rawArgs.length - 1);
    let out = '';
    for (let i = 1; i <= count; i++) {
      const k = n(i);
      if (k === undefined) return undefined;
      out += String.fromCharCode(k & 255);
    }
    return out;
  }
  if (fn === 'pack') {
    const [f, x] = [s(0), s(1)];
    // (H* and H<n>, the first n digits: pack('H12', '73797374656d'), S21R-5)
    const len = f === undefined ? undefined : /^H(\*|\d{1,5})$/.exec(f)?.[1];
    if (len === undefined || x === undefined || !/^[0-9a-f]*$/i.test(x)) return undefined;
    const hex = len === '*' ? x : x.slice(0, Number(len));
    return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex').toString('latin1');
  }
  // (S20F: trim, ltrim and rtrim given the characters to take off; str_pad; strtr given an array; vsprintf and %c)
  if ((fn === 'trim' || fn === 'ltrim' || fn === 'rtrim') && rawArgs.length <= 2) {
    const x = s(0);
    const set = rawArgs.length === 2 ? s(1) : ' \t\n\r\0\x0B';
    if (x === undefined || set === undefined || /\.\./.test(set)) return undefined;
    let a = 0;
    let b = x.length;
    if (fn !== 'rtrim') while (a < b && set.includes(x[a]!)) a++;
    if (fn !== 'ltrim') while (b > a && set.includes(x[b - 1]!)) b--;
    return x.slice(a, b);
  }
  if (fn === 'str_pad') {
    const [x, len, pad] = [s(0), n(1), rawArgs.length > 2 ? s(2) : ' '];
    if (x === undefined || len === undefined || pad === undefined || pad === '' || len > MAX_VALUE || rawArgs.length > 3) return undefined;
    let r = x;
    while (r.length < len) r += pad;
    return r.slice(0, Math.max(len, x.length));
  }
  if (fn === 'strtr' && rawArgs.length === 2) {
    const [x, pairs] = [s(0), /^\s*(?:\[([\s\S]*)\]|array\s*\(([\s\S]*)\))\s*$/i.exec(rawArgs[1]!)];
    if (x === undefined || !pairs) return undefined;
    const map: [string, string][] = [];
    for (const item of splitTop(pairs[1] ?? pairs[2]!, [',']).filter((t) => t.trim() !== '')) {
      const kv = splitTop(item, ['=>']);
      const [k, v] = kv.length === 2 ? [evaluate(kv[0]!, env, depth + 1), evaluate(kv[1]!, env, depth + 1)] : [undefined, undefined];
      if (typeof k !== 'string' || typeof v !== 'string' || k === '' || map.length >= 64) return undefined;
      map.push([k, v]);
    }
    map.sort((p, q) => q[0].length - p[0].length);
    let r = '';
    for (let i = 0; i < x.length; ) {
      const hit = map.find(([k]) => x.startsWith(k, i));
      if (hit) {
        r += hit[1];
        i += hit[0].length;
      } else r += x[i++];
      if (r.length > MAX_VALUE) return undefined;
    }
    return r;
  }
  if (fn === 'sprintf' || fn === 'vsprintf') {
    const f = s(0);
    const list = fn === 'vsprintf' ? args[1] : undefined;
    if (f === undefined || (fn === 'vsprintf' && !Array.isArray(list)) || !/^(?:[^%]|%[sc%])*$/.test(f)) return undefined;
    const arg = (k: number): string | undefined => (fn === 'vsprintf' ? (list as string[])[k - 1] : s(k));
    const num = (k: number): number | undefined => (fn === 'vsprintf' ? (/^-?\d{1,9}$/.test((list as string[])[k - 1] ?? '') ? Number((list as string[])[k - 1]) : undefined) : n(k));
    let k = 1;
    let bad = false;
    const r = f.replace(/%[sc%]/g, (t) => {
      if (t === '%%') return '%';
      if (t === '%c') {
        const c = num(k++);
        if (c === undefined) bad = true;
        return c === undefined ? '' : String.fromCharCode(((c % 256) + 256) % 256);
      }
      const x = arg(k++);
      if (x === undefined) bad = true;
      return x ?? '';
    });
    return bad ? undefined : r;
  }
  const folded = FOLDED[fn];
  if (folded) {
    const x = s(0);
    return x === undefined ? undefined : folded(x);
  }
  if (DECODED.has(fn)) {
    const x = s(0);
    if (x === undefined) return undefined;
    try {
      const r = decode(fn as Decoder, Buffer.from(x, 'latin1'), MAX_VALUE).toString('latin1');
      return r.length <= MAX_VALUE ? r : undefined;
    } catch {
      return undefined;
    }
  }
  // a function of the file that picks characters of its table by number
  const picks = env.get(`(pick)${fn}`);
  if (typeof picks === 'string') {
    const list = args[0];
    if (!Array.isArray(list) || list.length > MAX_VALUE) return undefined;
    let r = '';
    for (const i of list) {
      const c = /^\d{1,5}$/.test(i) ? picks[Number(i)] : undefined;
      if (c === undefined) return undefined;
      r += c;
    }
    return r;
  }
  // a function of the file whose body is one return, its parameters given the arguments
  const user = env.get(`()${fn}`);
  if (!Array.isArray(user)) return undefined;
  const budget = env.budget;
  const plain = args.every((a) => typeof a === 'string') && args.reduce((n, a) => n + (a as string).length, 0) <= MEMO_ARGS;
  const key = plain ? `${budget.generation}\u0000${fn}\u0000${(args as string[]).join('\u0000')}` : undefined;
  if (key !== undefined && budget.memo.has(key)) return budget.memo.get(key);
  const value = userCall(user, args, env, depth);
  if (key !== undefined) {
    if (budget.memo.size >= MEMO_SIZE) budget.memo.clear();
    budget.memo.set(key, value);
  }
  return value;
}

/** A call of the file's function of one return (`()name`: its parameters, its expression, and a local's name and expression). */
function userCall(user: List, args: readonly (Value | undefined)[], env: Env, depth: number): Value | undefined {
  if (env.budget.calls-- > 0) {
    const frame = new Env(env);
    const params = user[0] === '' ? [] : user[0]!.split(',');
    params.forEach((p, i) => {
      const a = args[i];
      if (a !== undefined) frame.set(p, a);
    });
    if (user.length === 4) {
      const held = evaluate(user[3]!, frame, depth + 1);
      if (held === undefined) return undefined;
      frame.set(user[2]!, held);
    }
    return evaluate(user[1]!, frame, depth + 1);
  }
  return undefined;
}

/** An integer expression: digits, known variables holding digits, and + - * ^ % between them. */
function integer(expr: string, env: Env): number | undefined {
  const e = expr.trim();
  if (e.length > 80) return undefined;
  let bad = false;
  // (ord('s') is 115, 0x1 is 1)
  const text = e
    .replace(/\bord\s*\(\s*'([^'\\])'\s*\)|\bord\s*\(\s*"([^"\\$])"\s*\)/gi, (_a, a?: string, b?: string) => String((a ?? b)!.charCodeAt(0)))
    .replace(/\b0x([0-9a-f]{1,7})\b/gi, (_a, h: string) => String(parseInt(h, 16)))
    .replace(new RegExp(`\\$(${NAME})`, 'g'), (_a, name: string) => {
      const v = env.get(name);
      if (typeof v !== 'string' || !/^-?\d{1,9}$/.test(v)) bad = true;
      return typeof v === 'string' ? `(${v})` : '0';
    });
  if (bad || !/^(?:[\d\s()+\-*/^%]|>>|<<)+$/.test(text)) return undefined;
  // a small expression of integers, read left to right with PHP's precedence of * / and % over + and -, and ^ lowest
  // (a division only where it is exact, (73 - 69) / 4: PHP's other quotients are fractions; held-out set H18)
  const tokens = text.match(/\d+|>>|<<|[()+\-*/^%]/g) ?? [];
  let pos = 0;
  const primary = (): number | undefined => {
    const t = tokens[pos++];
    if (t === '(') {
      const v = xorExpr();
      if (tokens[pos++] !== ')') return undefined;
      return v;
    }
    if (t === '-') {
      const v = primary();
      return v === undefined ? undefined : -v;
    }
    return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
  };
  const term = (): number | undefined => {
    let v = primary();
    while (v !== undefined && (tokens[pos] === '*' || tokens[pos] === '%' || tokens[pos] === '/')) {
      const op = tokens[pos++];
      const r = primary();
      if (r === undefined || (op !== '*' && r === 0) || (op === '/' && v % r !== 0)) return undefined;
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = term();
    while (v !== undefined && (tokens[pos] === '+' || tokens[pos] === '-')) {
      const op = tokens[pos++];
      const r = term();
      if (r === undefined) return undefined;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  // (shifts below + and -, as PHP orders them: red team S37A-42)
  const shift = (): number | undefined => {
    let v = sum();
    while (v !== undefined && (tokens[pos] === '>>' || tokens[pos] === '<<')) {
      const op = tokens[pos++];
      const r = sum();
      if (r === undefined || r < 0 || r > 30 || Math.abs(v) > 0x3fffffff) return undefined;
      v = op === '>>' ? v >> r : v << r;
    }
    return v;
  };
  const xorExpr = (): number | undefined => {
    let v = shift();
    while (v !== undefined && tokens[pos] === '^') {
      pos++;
      const r = shift();
      if (r === undefined) return undefined;
      v ^= r;
    }
    return v;
  };
  const v = xorExpr();
  return pos === tokens.length && v !== undefined && Number.isSafeInteger(v) ? v : undefined;
}

/** A double-quoted literal's value with the known variables it names put in ("{$a}tem", "${a}", "$a"). */
function interpolate(value: string, env: Env): string | undefined {
  let bad = false;
  // ("$s[0]$s[1]", "{$s[2]}", "$a[k]": an element of a list of known values, as PHP's simple and complex syntax read it)
  const out = value.replace(
    new RegExp(`\\{\\$(${NAME})(?:\\[\\s*(?:(\\d{1,4})|'([^'\\\\\\n]{1,64})')\\s*\\])?\\}|\\$\\{(${NAME})\\}|\\$(${NAME})(?:\\[(?:(\\d{1,4})|([A-Za-z_]\\w{0,63}))\\])?`, 'g'),
    (_a, a?: string, ai?: string, ak?: string, b?: string, c?: string, ci?: string, ck?: string) => {
      const held = env.get((a ?? b ?? c)!);
      const key = ai ?? ak ?? ci ?? ck;
      const v = key === undefined ? held : element(held, key);
      if (typeof v !== 'string') bad = true;
      return typeof v === 'string' ? v : '';
    },
  );
  return bad ? undefined : out;
}

/** The index of the bracket that closes the one at `open` (quotes skipped), or -1. */
function closes(e: string, open: number): number {
  let depth = 0;
  for (let i = open; i < e.length; i++) {
    const c = e[i]!;
    if (c === "'" || c === '"') {
      const lit = readPhpString(e, i, MAX_EXPR);
      if (!lit) return -1;
      i = lit.end - 1;
    } else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      if (--depth === 0) return i;
    }
  }
  return -1;
}
