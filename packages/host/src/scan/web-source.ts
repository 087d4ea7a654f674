/**
 * JSP and ASP/ASP.NET source as its runtime reads it, for the rules (rules/web.ts): the layers
 * the scanner gives YARA besides the file's bytes.
 *
 * - `joinedSource`: Java's \uXXXX escapes (anywhere in the source) and C#'s (in names) made
 *   characters, and runs of string literals joined into one ("Run" + "time").
 * - `webFlowSource`: that, then block comments blanked (JScript, C#, Java), \xHH escapes, literals
 *   decoded where the page names the decoder (unescape, StrReverse, a Chr(... - k) loop, UTF-7
 *   pages, new String(new byte[]{...}), Base64 of a literal), the implicit request reached another
 *   way (pageContext.getRequest(), a servlet's own request parameter) written `request`, a
 *   JScript function that only evals its parameter written `eval`, and a variable (or a Session
 *   slot) that holds request input replaced by that input where it is read. The rules then see
 *   `x = Request("a") ... eval x` as `eval Request("a")`.
 *
 * Every pattern here is bounded (no unbounded repetition inside a repetition): the text is
 * hostile. Files over MAX_FLOW bytes get only the joined layer.
 */
import { splitTop } from './php-flow.js';

/** A run of string literals joined by + (Java, C#, JScript) or & (VB): "java.lang." + "Run" + "time" (C#'s verbatim @"..." too, a char 't', a comment between). */
// (a literal's \" and \\ escapes kept as they are: "<%eval(Request.Item" + "[\"x\"])%>", a page a handler writes)
const JOINED = /@?"(?:[^"\\\n]|\\.){0,200}"(?:(?:\s|\/\*[^*\n]{0,80}\*\/)*[+&](?:\s|\/\*[^*\n]{0,80}\*\/)*(?:@?"(?:[^"\\\n]|\\.){0,200}"|'[^'\\\n]')){1,64}/g;

function joinRuns(src: string): string {
  return src.includes('"') ? src.replace(JOINED, (run) => `"${[...run.replace(/\/\*[^*\n]{0,80}\*\//g, '').matchAll(/"((?:[^"\\\n]|\\.)*)"|'([^'\\\n])'/g)].map((m) => m[1] ?? m[2]).join('')}"`) : src;
}

/**
 * JSP or ASP.NET source as its compiler reads it, where that differs from its bytes: Java's
 * \uXXXX escapes (anywhere in the source, one or more u's) and C#'s (in names) made characters,
 * and runs of string literals joined into one. Undefined when there is neither.
 */
export function joinedSource(src: string): string | undefined {
  let out = src;
  if (out.includes('\\u')) out = out.replace(/\\u+([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16) & 0xff));
  out = joinRuns(out);
  return out === src ? undefined : out;
}

/** Text larger than this gets no flow layer (the joined one only). */
const MAX_FLOW = 512 * 1024;
/** Variables followed, at most, per round (three rounds: x1 = Request(..), x2 = x1, eval x2). */
const MAX_VARS = 64;

/** Block comments blanked (a linear walk; a comment longer than 16 KiB is left). */
function stripBlockComments(src: string): string {
  if (!src.includes('/*')) return src;
  let out = '';
  let at = 0;
  for (;;) {
    const open = src.indexOf('/*', at);
    if (open < 0) break;
    const close = src.indexOf('*/', open + 2);
    if (close < 0 || close - open > 16384) break;
    out += src.slice(at, open) + ' ';
    at = close + 2;
  }
  return out + src.slice(at);
}

/**
 * A char-array literal's items, 'a', 'b' ... (at most 200), each item's spaces read one way only:
 * `\s{0,4}'a'\s{0,4}` side by side split a gap five ways, and a list of 200 left open backtracked
 * for ever (S21R-1, C#; Java's `new String(new char[]{...})` had the same pattern).
 */
const CHAR_ITEMS = String.raw`(?:'[^'\\\n]'(?:\s*,)?\s*){1,200}`;
/** The characters of a char-array literal's items ('a', 'b' ...), in order. */
const charListText = (list: string) => [...list.matchAll(/'([^'\\\n])'/g)].map((m) => m[1]).join('');
const printable = (s: string) => s.length > 0 && /^[\t\n\r\x20-\x7e]*$/.test(s);
const quoted = (s: string) => `"${s.replace(/"/g, "'")}"`;

/** The request as the page's code names it: Request, Request.Form, Request.Item[...] (ASP), request.getParameter(...) (JSP). */
// (the context by any name, `hc.Request`, and a collection's Get: `Request.Form.Get("q")`, S21B-8, S21B-9)
const REQ_ASP = String.raw`(?:(?:HttpContext\s*\.\s*Current|[A-Za-z_]\w{0,30})\s*\.\s*)?Request\s*(?:\.\s*Unvalidated\s*)?(?:\.\s*(?:Item|Form|QueryString|Params|Cookies|ServerVariables|Headers)\s*)?(?:\.\s*Get(?:Values)?\s*)?(?:\((?:[^()\n]|\([^()\n]{0,40}\)){0,400}\)|\[[^\]\n]{0,400}\])`;
const REQ_JSP = String.raw`request\s*\.\s*(?:(?:getParameter|getHeader)\s*\((?:[^()\n]|\([^()\n]{0,40}\)){0,120}\)|getReader\s*\(\s*\)\s*\.\s*readLine\s*\(\s*\))`;
/** An ASP.NET control's posted text: Name.Text (not a property written: Name.Text = ...). */
// (a control's own, not a list's chosen item, SelectedItem.Text, nor the namespace System.Text, S21B-21)
const REQ_TEXT = String.raw`(?<![\w.])(?:(?:this|Page)\s*\.\s*)?(?!(?:SelectedItem|System)\b)[A-Za-z_]\w{0,40}\s*\.\s*Text\b(?!\s*=[^=])`;
const TEXTBOX = /<asp:TextBox\b/i;
const NOT_NAMES = /^(request|response|session|server|application|var|dim|set|string|object|new|return|if|then|and|or|not|out|page|this|true|false|null|nothing)$/i;

/** An array's element at a constant index, a(0) or a[0], or an entry by a literal key, d("k") or d.Item("k"): the name, bracket, index, bracket. */
const ELEMENT = /^([A-Za-z_][\w$]{0,40})(?:\s*\.\s*Item)?\s*([([])\s*(\d{1,4}|"[\w.-]{1,40}"|'[\w.-]{1,40}')\s*([)\]])$/;
/** A followed name as a key: ASP's in lower case, without spaces, d.Item("k") as d("k"). */
const keyOf = (name: string, kind: 'jsp' | 'asp') => (kind === 'asp' ? name.toLowerCase() : name).replace(/\s+/g, '').replace(/^([A-Za-z_][\w$]{0,40})\.item(?=[([])/i, '$1');

/** A followed name as a pattern: an element's spaces may be any (a( 0 ) is a(0)). */
function namePattern(key: string): string {
  const e = ELEMENT.exec(key);
  return e ? `${escapeRe(e[1]!)}(?:[ \\t]*\\.[ \\t]*Item)?[ \\t]*${escapeRe(e[2]!)}[ \\t]*${escapeRe(e[3]!)}[ \\t]*${escapeRe(e[4]!)}` : escapeRe(key);
}

/** Variables and Session slots assigned request input, replaced by that input where they are read (rounds: chains of copies). */
function followInput(src: string, kind: 'jsp' | 'asp'): string {
  // (an ASP.NET page's TextBox is the request's too: its Text is what the form posted)
  const req = kind === 'asp' ? (TEXTBOX.test(src) ? `(?:${REQ_ASP}|${REQ_TEXT})` : REQ_ASP) : REQ_JSP;
  const flags = kind === 'asp' ? 'gi' : 'g';
  // a name (JScript's `v:String`, VB's `v As String` typed), or a Session / Application slot, given
  // the input or the input inside up to three calls (Trim(Request("a")), a decoder of it)
  // (or an array's element at a constant index: a(0) = Request("c") ... Execute(a(0)), S24 set G)
  // (or an entry by a literal key: d("k") = Request("c") ... Execute d("k"); Session and Application slots are read first, as slots)
  const assign = new RegExp(String.raw`(?:^|[^\w.$])((?:Session|Application)\s*(?:\(\s*"[^"\n]{1,40}"\s*\)|\[\s*"[^"\n]{1,40}"\s*\])|(?:[A-Za-z_][\w$]{0,40}(?:(?:[ \t]*\.[ \t]*Item)?[ \t]*\([ \t]*(?:\d{1,4}|"[\w.-]{1,40}")[ \t]*\)|[ \t]*\[[ \t]*(?:\d{1,4}|"[\w.-]{1,40}"|'[\w.-]{1,40}')[ \t]*\])?))(?:\s*:\s*\w{1,20}|\s+As\s+[\w.]{1,40})?\s*=\s*((?:(?:new\s+[A-Za-z_][\w.]{0,60}\s*\(\s*\)\s*\.\s*)?(?:new\s+)?[A-Za-z_][\w.]{0,60}\s*\(\s*|\(\s*string\s*\)\s*){0,3}${req}(?:\s*\)){0,3})`, flags);
  let out = src;
  const done = new Set<string>();
  for (let round = 0; round < 3; round++) {
    const seen = new Map<string, { input: string; from: number }>();
    for (const m of out.matchAll(assign)) {
      const name = m[1]!;
      if (NOT_NAMES.test(/^(?:session|application)\s*[([]/i.test(name) ? name : (ELEMENT.exec(name)?.[1] ?? name))) continue;
      const key = keyOf(name, kind);
      if (/^as$/i.test(key) || done.has(key) || seen.has(key)) continue;
      // a writer, stream, file or socket made over the input is not the input
      if (/^(?:new\s+)?[\w.]{0,60}(?:Writer|Stream|File|Socket|Channel|Connection)\s*\(/i.test(m[2]!)) continue;
      // (JSP's new String(request.getParameter("a")...), a copy of the input, is the input)
      const input = kind === 'jsp' ? m[2]!.replace(/^new\s+String\s*\(\s*(?=request\b)/, '') : m[2]!;
      seen.set(key, { input: input.replace(/\s+/g, ' '), from: m.index! + m[0].length });
      done.add(key);
      if (seen.size >= MAX_VARS) break;
    }
    if (seen.size === 0) break;
    const before = out;
    // one pass for the variables (each replaced only past its assignment), one for the Session slots
    const isSlot = (k: string) => /^(session|application)[([]/i.test(k);
    const vars = [...seen.keys()].filter((k) => !isSlot(k));
    const slots = [...seen.keys()].filter(isSlot);
    if (vars.length) {
      const use = new RegExp(String.raw`(?<![\w.$"'])(${vars.map(namePattern).join('|')})(?![\w$"'])(?!\s*=[^=])`, flags);
      out = out.replace(use, (name: string, _n: string, at: number) => {
        const v = seen.get(keyOf(name, kind));
        return v && at >= v.from ? v.input : name;
      });
    }
    for (const key of slots) {
      const slot = new RegExp(String.raw`${key.startsWith('s') ? 'Session' : 'Application'}\s*[(\[]\s*"${escapeRe(/"([^"]*)"/.exec(key)![1]!)}"\s*[)\]](?!\s*=[^=])`, 'gi');
      // (a function, not a replacement string: `$'` in the input is not the rest of the page, S21B-2)
      const input = seen.get(key)!.input;
      out = out.replace(slot, () => input);
    }
    if (out === before) break;
  }
  return out;
}

/**
 * C#: request input given to a method of the page written in for that method's parameter in its body
 * (`RunCmd(cmdpath.Text, ...)` and `string RunCmd(string path, ...) { p.StartInfo.FileName = path; }`),
 * one level, at most 16 methods and 8 calls each.
 */
function followParameters(src: string): string {
  if (src.length > MAX_FLOW || !/Request|\.Text\b/.test(src)) return src;
  // (a control's Text only where the page has a TextBox, as in followInput, S21B-21)
  const input = new RegExp(TEXTBOX.test(src) ? `${REQ_ASP}|${REQ_TEXT}` : REQ_ASP, 'i');
  // (only the methods some call gives input: 64 others defined first hid the rest, S21B-7)
  const called = calledWithInput(src, input);
  if (called.size === 0) return src;
  const defs = [...src.matchAll(/\b(?:public\s+|private\s+|protected\s+|internal\s+|static\s+){0,3}[\w.<>[\]]{1,40}\s+([A-Za-z_]\w{0,40})\s*\(([^()]{1,300})\)\s*(?:\{|=>)/g)].filter((d) => called.has(d[1]!)).slice(0, 64);
  let out = src;
  let methods = 0;
  // (how far the bodies written so far moved what follows them: a definition's place in `out`, S21B-4)
  let shift = 0;
  for (const d of defs) {
    if (methods >= 16 || out.length > 2 * MAX_FLOW) break;
    const name = d[1]!;
    if (/^(if|while|for|foreach|switch|catch|using|lock|return|new)$/.test(name)) continue;
    const params = d[2]!.split(',').map((p) => /([A-Za-z_]\w{0,40})\s*(?:=[^,]*)?$/.exec(p.trim())?.[1]);
    // the calls of the method (not its definition), with what each argument is
    const given = new Map<number, string>();
    let calls = 0;
    for (const c of out.matchAll(new RegExp(String.raw`(?:(?<![\w.])|(?<=(?<![\w.])(?:this|[A-Z]\w{0,40})\s*\.\s*))${escapeRe(name)}\s*\(([^()]{0,400}(?:\([^()]{0,200}\)[^()]{0,200}){0,4})\)`, 'g'))) {
      if (++calls > 8) break;
      if (/\{\s*$/.test(out.slice(c.index! + c[0].length, c.index! + c[0].length + 4))) continue;
      splitTop(c[1]!, [',']).forEach((a, i) => {
        if (!given.has(i) && input.test(a) && a.trim().length <= 200) given.set(i, a.trim().replace(/\s+/g, ' '));
      });
    }
    if (given.size === 0) continue;
    // the method's body: from its "{" to the one that closes it
    const at = out.indexOf(d[0], Math.max(0, d.index! + shift - 1));
    if (at < 0) continue;
    const open = at + d[0].length - 1;
    let depth = 0;
    let close = -1;
    // (an expression-bodied method, `string Run(string x) => ...;`, to its `;`, S21B-22)
    const arrow = d[0].endsWith('>');
    for (let i = open; i < out.length && i < open + 65536; i++) {
      if (arrow) {
        if (out[i] === '(' || out[i] === '{') depth++;
        else if (out[i] === ')' || out[i] === '}') depth--;
        else if (out[i] === ';' && depth <= 0) {
          close = i;
          break;
        }
      } else if (out[i] === '{') depth++;
      else if (out[i] === '}' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) continue;
    let body = out.slice(open, close);
    for (const [i, a] of given) {
      const p = params[i];
      if (!p || NOT_NAMES.test(p)) continue;
      // (a function, not a replacement string: `$'` in the argument is not the rest of the body, S21B-1)
      body = body.replace(new RegExp(String.raw`(?<![\w.$"])${escapeRe(p)}(?![\w$"])(?!\s*=[^=])`, 'g'), () => a);
      if (body.length > MAX_FLOW) break;
    }
    shift = at - d.index! + body.length - (close - open);
    out = out.slice(0, open) + body + out.slice(close);
    methods++;
  }
  return out;
}

/** Names of calls given request input: the name before the bracket each input stands in (at most 256 inputs, 400 bytes back). */
function calledWithInput(src: string, input: RegExp): Set<string> {
  const names = new Set<string>();
  const all = new RegExp(input.source, 'gi');
  let n = 0;
  for (const m of src.matchAll(all)) {
    if (++n > 256) break;
    let depth = 0;
    for (let i = m.index! - 1; i >= 0 && i >= m.index! - 400; i--) {
      const c = src[i]!;
      if (c === ')' || c === ']') depth++;
      else if (c === '[' || c === '{' || c === ';') {
        if (depth === 0) break;
        depth--;
      } else if (c === '(' && depth-- === 0) {
        const name = /([A-Za-z_]\w{0,40})\s*$/.exec(src.slice(Math.max(0, i - 60), i))?.[1];
        if (name) names.add(name);
        depth = 0;
      }
    }
  }
  return names;
}

/**
 * Another name for the request, or for one of its collections, written back as the request where it
 * is read (8 names): C#'s `var r = HttpContext.Current.Request;` (or `HttpRequest r = Page.Request;`,
 * `HttpRequestBase r = new HttpRequestWrapper(Request);`) makes `r["a"]`, `r.Form[...]` the request's
 * (S21B-20); `var q = Request.QueryString;` (or `NameValueCollection f = Request.Form;`) makes `q["a"]`
 * `Request.QueryString["a"]`; and the same in JScript (`var r : HttpRequest = Request;`) and VB
 * (`Dim r As HttpRequest = Request`, `Set f = Request.Form`, where `r("a")` is read too) (S24).
 */
const ALIAS_RHS = String.raw`(?:new\s+HttpRequestWrapper\s*\(\s*)?(?:(?:(?:System\s*\.\s*Web\s*\.\s*)?HttpContext\s*\.\s*Current|[A-Za-z_]\w{0,30})\s*\.\s*)?Request(?:\s*\.\s*(Form|QueryString|Params|Cookies|ServerVariables|Headers|Item|Query|Unvalidated))?(?:\s*\))?`;
const REQUEST_ALIAS = new RegExp(String.raw`(?:\b(?:var|HttpRequest(?:Base|Wrapper)?|dynamic|NameValueCollection|HttpCookieCollection|IQueryCollection|IFormCollection)\s+([A-Za-z_]\w{0,30})\s*=\s*${ALIAS_RHS}\s*;|\bvar\s+([A-Za-z_]\w{0,30})\s*:\s*[\w.]{1,60}\s*=\s*${ALIAS_RHS}\s*;?|(?:^|[\r\n:])[ \t]*(?:Dim|Set|Private|Public)[ \t]+([A-Za-z_]\w{0,30})(?:[ \t]+As[ \t]+(?:New[ \t]+)?[\w.]{1,60})?[ \t]*=[ \t]*${ALIAS_RHS}[ \t]*(?=[\r\n:']|%>|$))`, 'gi');

function requestAliases(src: string, vb: boolean): string {
  if (!/Request\b/.test(src)) return src;
  const names: { name: string; what: string }[] = [];
  for (const m of src.matchAll(REQUEST_ALIAS)) {
    const name = m[1] ?? m[3] ?? m[5];
    const coll = m[2] ?? m[4] ?? m[6];
    if (name === undefined || NOT_NAMES.test(name) || names.some((n) => n.name.toLowerCase() === name.toLowerCase())) continue;
    // (the request's Unvalidated view is the request: Request.Unvalidated.Form)
    names.push({ name, what: coll === undefined || /^Unvalidated$/i.test(coll) ? '' : coll });
    if (names.length >= 8) break;
  }
  let out = src;
  for (const { name, what } of names) {
    // (the whole request: read by index, or as its collections; a collection: by index, or its Get)
    const read = what === '' ? String.raw`\s*(?:\[|\.\s*(?:Item|Form|QueryString|Params|Cookies|ServerVariables|Headers|Query)\b${vb ? String.raw`|\(` : ''})` : String.raw`\s*(?:\[|\.\s*Get(?:Values)?\s*\(${vb ? String.raw`|\(` : ''})`;
    out = out.replace(new RegExp(String.raw`(?<![\w.$])${escapeRe(name)}(?=${read})`, vb ? 'gi' : 'g'), () => (what === '' ? 'Request' : `Request.${what}`));
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** %uXXXX and %XX escapes, as unescape() reads them. */
function unescapeText(s: string): string {
  return s.replace(/%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})/g, (_, u: string | undefined, x: string | undefined) => String.fromCharCode(parseInt(u ?? x!, 16) & 0xff));
}

/** A classic ASP page's directive saying it is read as UTF-7: codepage 65000, with any number of leading zeros (`<%@codepage=0000065000%>`, S24). */
const UTF7_PAGE = /<%@[^%]{0,200}?codepage\s*=\s*(?:"\s*)?0*65000\b/i;
/** UTF-7 runs decoded a page, at most, and characters they give (the page is at most MAX_FLOW bytes too). */
const UTF7_MAX_RUNS = 4096;
const UTF7_MAX_CHARS = 256 * 1024;

/**
 * A UTF-7 page's text: its +<base64 of UTF-16BE>- runs decoded, `+-` a plus sign; a character
 * that is not printable ASCII read as a space (a NUL or a CJK character in a run does not keep the
 * run's code from being read). Bounded by the caps above: past them, runs are left as they are.
 */
function utf7Text(src: string): string {
  let runs = 0;
  let chars = 0;
  return src.replace(/\+(-|[A-Za-z0-9+/]{1,4000}-?)/g, (run, b64: string) => {
    if (b64 === '-') return '+';
    if (runs >= UTF7_MAX_RUNS || chars >= UTF7_MAX_CHARS) return run;
    runs++;
    const bytes = Buffer.from(b64.replace(/-$/, ''), 'base64');
    let s = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      const c = (bytes[i]! << 8) | bytes[i + 1]!;
      s += c === 9 || c === 10 || c === 13 || (c >= 0x20 && c <= 0x7e) ? String.fromCharCode(c) : ' ';
    }
    chars += s.length;
    return s;
  });
}

/** VBScript: a Chr(n) (ChrW, ChrB; n decimal or &H hexadecimal), or a literal of VB read whole (an atomic group: its `""` pairs are never given back). `n`: the group's number. */
const chrItem = (n: number) => String.raw`(?:Chr[WB]?\s*\(\s*(?:\d{1,5}|&H[0-9A-F]{1,4})\s*\)|"(?=((?:[^"\n]|""){0,200}))` + `\\${n}")`;
/** A run of Chr(n) calls and literals joined by + or & (at most 256 joins). */
// (a run starts after no name, dot or quote: MyChr(1) is not Chr, and a run of quotes is not tried at each of them)
const CHR_RUN = new RegExp(String.raw`(?<![\w."])${chrItem(1)}(?:[ \t]*[+&][ \t]*${chrItem(2)}){1,256}`, 'gi');

/**
 * VBScript: runs of Chr(n) and literals joined by + or & written as the one literal they make
 * (`chr(114)+chr(101)+...` is "re..."), where the text is printable, and JScript's String.fromCharCode(...) likewise; then Eval of a literal that
 * names the request (`Eval("request")("c")`, `Eval("Request.Form")`) is that request (S24 set G).
 */
function foldChrRuns(src: string): string {
  let out = src;
  // JScript: String.fromCharCode(82, 101, ...) is its literal, and literals joined by + one literal
  if (/fromCharCode/i.test(out)) {
    const before = out;
    out = out.replace(/\bString\s*\.\s*fromCharCode\s*\(\s*(\d{1,5}(?:\s*,\s*\d{1,5}){0,255})\s*\)/g, (all, list: string) => {
      const t = list.split(',').map((n) => String.fromCharCode(Number(n))).join('');
      return printable(t) ? quoted(t) : all;
    });
    if (out !== before) out = joinRuns(out);
  }
  if (/\bchr[wb]?\s*\(\s*(?:\d|&h)/i.test(out)) {
    out = out.replace(CHR_RUN, (run) => {
      if (!/chr/i.test(run)) return run;
      let t = '';
      for (const m of run.matchAll(/Chr[WB]?\s*\(\s*(?:(\d{1,5})|&H([0-9A-F]{1,4}))\s*\)|"((?:[^"\n]|""){0,200})"/gi)) t += m[3] !== undefined ? vbText(m[3]) : String.fromCharCode(m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16));
      return printable(t) ? vbQuoted(t) : run;
    });
  }
  if (/\beval\s*\(\s*"\s*request/i.test(out)) out = out.replace(/\beval\s*\(\s*"\s*(request(?:\s*\.\s*(?:form|querystring|item|cookies|servervariables))?)\s*"\s*\)/gi, (_, r: string) => r);
  return out;
}

/** ASP: literals decoded where the page names the decoder. */
function decodeAspLiterals(src: string): string {
  let out = src;
  // A page read as UTF-7 (codepage 65000): +<base64 of UTF-16BE>- runs are its text.
  if (UTF7_PAGE.test(out)) out = utf7Text(out);
  out = foldChrRuns(out);
  if (/unescape/i.test(out)) out = out.replace(/unescape\s*\(\s*"([^"\n]{1,4000})"\s*\)/gi, (_, s: string) => quoted(unescapeText(s)));
  if (/strreverse/i.test(out)) {
    out = out.replace(/StrReverse\s*\(\s*"([^"\n]{1,4000})"\s*\)/gi, (_, s: string) => quoted([...s].reverse().join('')));
    // "request" written backwards in a literal, for a reversing decoder of the page's own
    out = out.replace(/"([^"\n]{0,400}tseuqer[^"\n]{0,400})"/gi, (_, s: string) => quoted([...s].reverse().join('')));
  }
  // Chr(Str(i) - k) over "%n%n%n...": each number less k is a character
  const off = /\bchr\s*\(\s*\w{1,20}\s*\(\s*\w{1,20}\s*\)\s*-\s*(\d{1,3})\s*\)/i.exec(out);
  if (off) {
    const k = Number(off[1]);
    out = out.replace(/"((?:%\d{1,3}){4,2000})"/g, (lit, s: string) => {
      const t = s.split('%').slice(1).map((n) => String.fromCharCode((Number(n) - k) & 0xff)).join('');
      return printable(t) ? quoted(t) : lit;
    });
  }
  // Chr(Asc(c) - k) over a literal: a Caesar shift
  const shift = /\bchr[wb]?\s*\(\s*asc[wb]?\s*\((?:[^\n()]|\([^\n()]{0,40}\)){0,60}\)\s*([-+])\s*(\d{1,3})\s*\)/i.exec(out);
  if (shift) {
    const k = Number(shift[2]) * (shift[1] === '-' ? -1 : 1);
    out = out.replace(/"([^"\n]{12,4000})"/g, (lit, s: string) => {
      const t = [...s].map((c) => String.fromCharCode((c.charCodeAt(0) + k) & 0xff)).join('');
      return printable(t) ? quoted(t) : lit;
    });
  }
  return out;
}

/** C#: names built from chars or Base64 literals (new string(new char[]{'L','o'}), Encoding.UTF8.GetString(Convert.FromBase64String("TG9hZA=="))). */
function decodeCsLiterals(src: string): string {
  let out = src;
  if (/new\s+string\s*\(\s*new\s*(?:char|\[)/i.test(out)) {
    out = out.replace(new RegExp(String.raw`new\s+string\s*\(\s*new\s*(?:char\s*)?\[\s*\]\s*\{\s*(${CHAR_ITEMS})\}\s*\)`, 'gi'), (_, list: string) => quoted(charListText(list)));
  }
  // string.Join("", new char[]{...}), new string("daoL".ToCharArray().Reverse().ToArray()), new string(new char[]{(char)76})
  out = out.replace(new RegExp(String.raw`string\s*\.\s*(?:Join|Concat)\s*\(\s*(?:""\s*,\s*)?new\s*(?:char\s*)?\[\s*\]\s*\{\s*(${CHAR_ITEMS})\}\s*\)`, 'gi'), (_, list: string) => quoted(charListText(list)));
  out = out.replace(/new\s+string\s*\(\s*"([^"\\\n]{1,400})"\s*\.\s*ToCharArray\s*\(\s*\)\s*\.\s*Reverse\s*\(\s*\)\s*\.\s*ToArray\s*\(\s*\)\s*\)/gi, (_, t: string) => quoted([...t].reverse().join('')));
  out = out.replace(/new\s+string\s*\(\s*new\s+char\s*\[\s*\]\s*\{\s*((?:\(\s*char\s*\)\s*\d{1,5}(?:\s*,)?\s*){1,200})\}\s*\)/gi, (all, list: string) => {
    const t = [...list.matchAll(/\d{1,5}/g)].map((m) => String.fromCharCode(Number(m[0]) & 0xffff)).join('');
    return printable(t) ? quoted(t) : all;
  });
  if (/FromBase64String/i.test(out)) {
    out = out.replace(/(?:System\s*\.\s*)?(?:Text\s*\.\s*)?Encoding\s*\.\s*(?:UTF8|ASCII|Default|Unicode)\s*\.\s*GetString\s*\(\s*(?:System\s*\.\s*)?Convert\s*\.\s*FromBase64String\s*\(\s*"([A-Za-z0-9+/]{4,4000}={0,2})"\s*\)\s*\)/gi, (all, b64: string) => {
      const t = Buffer.from(b64, 'base64').toString('latin1');
      return printable(t) ? quoted(t) : all;
    });
  }
  return out;
}

/**
 * Java and C#: strings of literals put together as the compiler or the runtime would, so the joins
 * and the rules read them: String.valueOf("a"), "a".concat("b"), string.Concat("a", "b"), octal
 * escapes ("R\165ntime"), and a variable assigned one literal once in the page (`String n = "exec";`)
 * written as that literal where it is read; `Req q = request;` makes q the request.
 */
function foldCStrings(src: string): string {
  let out = src;
  if (/valueOf|concat|Concat/.test(out)) {
    out = out.replace(/\bString\s*\.\s*valueOf\s*\(\s*("(?:[^"\\\n]|\\.){0,400}")\s*\)/g, '$1');
    out = out.replace(/\b[Ss]tring\s*\.\s*Concat\s*\(\s*((?:"(?:[^"\\\n]|\\.){0,200}"\s*,\s*){1,16}"(?:[^"\\\n]|\\.){0,200}")\s*\)/g, (_, list: string) => list.replace(/"\s*,\s*"/g, '" + "'));
    for (let k = 0; k < 4 && /"\s*\.\s*concat\s*\(\s*"/.test(out); k++) out = out.replace(/("(?:[^"\\\n]|\\.){0,400}")\s*\.\s*concat\s*\(\s*("(?:[^"\\\n]|\\.){0,400}")\s*\)/g, '$1 + $2');
  }
  // octal escapes in a literal (Java): "\165" is "u"
  if (/"[^"\n]{0,400}\\[0-3]?[0-7]{1,2}/.test(out)) out = out.replace(/"((?:[^"\\\n]|\\.){0,400})"/g, (lit, body: string) => (/\\[0-7]/.test(body) ? `"${body.replace(/\\(\\|[0-3]?[0-7]{1,2})/g, (e: string, o: string) => (o === '\\' ? e : String.fromCharCode(parseInt(o, 8))))}"` : lit));
  // one-literal variables, assigned once
  const decl = /\b(?:final\s+)?(?:String|string|var|const\s+string)\s+([A-Za-z_]\w{0,40})\s*=\s*("(?:[^"\\\n]|\\.){0,400}")\s*;/g;
  const names = new Map<string, string>();
  let counts: Map<string, number> | undefined;
  let looked = 0;
  for (const m of out.matchAll(decl)) {
    if (names.size >= 64 || ++looked > 256) break;
    const n = m[1]!;
    if (NOT_NAMES.test(n)) continue;
    // (assigned anywhere else, or declared twice, it has no one value; every name's assignments counted in one pass)
    if (!counts) {
      counts = new Map();
      for (const a of out.matchAll(/(?<![\w.$])([A-Za-z_]\w{0,40})\s*[+-]?=(?!=)/g)) counts.set(a[1]!, (counts.get(a[1]!) ?? 0) + 1);
    }
    if (counts.get(n) === 1) names.set(n, m[2]!);
  }
  if (names.size > 0) {
    const use = new RegExp(String.raw`"(?:[^"\\\n]|\\.)*"|(?<![\w.$])(${[...names.keys()].map(escapeRe).join('|')})(?![\w$])(?!\s*=[^=])`, 'g');
    out = out.replace(use, (all: string, n: string | undefined) => (n ? names.get(n)! : all));
  }
  // another name for the request
  const alias = [...out.matchAll(/\b[A-Za-z_][\w.<>]{0,60}\s+([A-Za-z_]\w{0,30})\s*=\s*(?:\([\w.]{1,60}\)\s*)?request\s*;/g)].map((m) => m[1]!).filter((n) => n !== 'request').slice(0, 8);
  for (const n of alias) out = out.replace(new RegExp(String.raw`(?<![\w.$])${escapeRe(n)}\s*\.\s*(?=get(?:Parameter|Header|InputStream|Reader|QueryString)\b)`, 'g'), 'request.');
  return out === src ? src : joinRuns(out);
}

/** JSP: names built from bytes, chars or Base64 literals; the request reached through the page context or a servlet's parameter. */
function decodeJspLiterals(src: string): string {
  let out = src;
  out = out.replace(/new\s+String\s*\(\s*new\s+byte\s*\[\s*\]\s*\{([\d\s,]{1,4000})\}\s*\)/g, (lit, list: string) => {
    const t = list.split(',').map((n) => n.trim()).filter((n) => n !== '').map((n) => String.fromCharCode(Number(n) & 0xff)).join('');
    return printable(t) ? quoted(t) : lit;
  });
  out = out.replace(new RegExp(String.raw`new\s+String\s*\(\s*new\s+char\s*\[\s*\]\s*\{\s*(${CHAR_ITEMS})\}\s*\)`, 'g'), (_, list: string) => quoted(charListText(list)));
  if (/decode|base64/i.test(out)) {
    out = out.replace(/(new\s+String\s*\(\s*)?((?:[\w$]{1,40}\s*(?:(?:\(\s*\))\s*)?\.\s*){0,4})(?:decodeBuffer|decode|decodeBase64|parseBase64Binary)\s*\(\s*"([A-Za-z0-9+/]{4,4000}={0,2})"\s*\)(\s*\))?/g, (all, wrap: string | undefined, _p: string, b64: string, close: string | undefined) => {
      const t = Buffer.from(b64, 'base64').toString('latin1');
      if (!printable(t)) return all;
      return wrap && close ? quoted(t) : `${wrap ?? ''}${quoted(t)}${close ?? ''}`;
    });
  }
  // new String("exec", "utf-8"): the literal (what a decoded literal given a charset leaves: session 26, set N)
  out = out.replace(/new\s+String\s*\(\s*("(?:[^"\\\n]|\\.){1,400}")\s*(?:(?:,\s*(?:"[\w-]{1,20}"|(?:StandardCharsets\s*\.\s*)?[A-Z][\w]{0,20}))\s*)?\)/g, '$1');
  // new StringBuilder("emitnuR.gnal.avaj").reverse().toString()
  out = out.replace(/new\s+StringB(?:uilder|uffer)\s*\(\s*"([^"\\\n]{1,400})"\s*\)\s*\.\s*reverse\s*\(\s*\)(?:\s*\.\s*toString\s*\(\s*\))?/g, (_, t: string) => quoted([...t].reverse().join('')));
  out = out.replace(/\b(?:pageContext|_jspx_page_context)\s*\.\s*getRequest\s*\(\s*\)/g, 'request');
  const names = new Set([...out.matchAll(/HttpServletRequest\s+([A-Za-z_]\w{0,30})\b/g)].map((m) => m[1]!).filter((n) => n !== 'request'));
  for (const n of [...names].slice(0, 8)) out = out.replace(new RegExp(String.raw`(?<![\w.$])${escapeRe(n)}\s*\.\s*(?=get(?:Parameter|Header|InputStream|Reader|QueryString)\b)`, 'g'), 'request.');
  return out;
}

/** JSPX (a JSP in XML syntax): the text the XML parser gives the compiler, character references and CDATA sections read. */
export function xmlText(src: string): string {
  return src
    .replace(/<!\[CDATA\[|\]\]>/g, '')
    .replace(/&#x([0-9a-fA-F]{1,6});|&#(\d{1,7});|&(lt|gt|amp|quot|apos);/g, (_, hex?: string, dec?: string, named?: string) =>
      named ? ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[named]! : String.fromCharCode(parseInt(hex ?? dec!, hex ? 16 : 10) & 0xffff),
    );
}

/** VBScript: a literal of VB ("" is a quote inside). */
const VB_LITERAL = /^"((?:[^"\n]|""){0,4000})"$/;
/** A VB literal's text: its "" are quotes. */
const vbText = (s: string) => s.replace(/""/g, '"');
const vbQuoted = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * VBScript: variables and Scripting.Dictionary entries holding strings built of literals, written as
 * those literals where they are read (`a = "ev" & "al"`, `d.Add "A", "ev"`, `x = d.Item("A") & "(request(""c""))"`,
 * then `Execute x` reads `Execute "eval(request(""c""))"`). One pass in text order, statements by
 * line or `:`; a name assigned anything else is forgotten. At most 256 names, values of 4 KiB.
 */
function foldVbStrings(src: string): string {
  if (src.length > 65536 || !/=\s*(?:"|(?:Replace|StrReverse|LCase|UCase|Trim|Join|Array|Chr[WB]?)\s*\()|\.Add\b/i.test(src)) return src;
  const vars = new Map<string, string>();
  // each name's values in text order: [where it holds from, the value or undefined]
  const held = new Map<string, [number, string | undefined][]>();
  const dicts = new Map<string, Map<string, string>>();
  const arrays = new Map<string, string[]>();
  const requested = new Set<string>();
  // where names are given something other than the request (read against requested at the end)
  const given: [string, number][] = [];
  /** An array of literals: a name holding one, or Array("a", "b"). */
  const list = (expr: string): string[] | undefined => {
    const e = expr.trim();
    if (/^[A-Za-z_]\w{0,40}$/.test(e)) return arrays.get(e.toLowerCase());
    const a = /^Array\s*\(([\s\S]{0,8000})\)$/i.exec(e);
    if (!a) return undefined;
    const out: string[] = [];
    for (const item of splitVb(a[1]!, ',')) {
      const lit = VB_LITERAL.exec(item.trim());
      if (!lit || out.length >= 512) return undefined;
      out.push(vbText(lit[1]!));
    }
    return out;
  };
  const value = (expr: string): string | undefined => {
    let out = '';
    for (const piece of splitVb(expr.trim(), '&+')) {
      const p = piece.trim();
      const lit = VB_LITERAL.exec(p);
      let v: string | undefined;
      if (lit) v = vbText(lit[1]!);
      else if (/^[A-Za-z_]\w{0,40}$/.test(p)) v = vars.get(p.toLowerCase());
      else {
        const item = /^([A-Za-z_]\w{0,40})\s*(?:\.\s*Item\s*)?\(\s*"([^"\n]{0,80})"\s*\)$/i.exec(p);
        const chr = /^Chr[WB]?\s*\(\s*(\d{1,5})\s*\)$/i.exec(p);
        // Join(parts, ""), Join(Array("e", "v"), "")
        const join = /^Join\s*\(\s*([\s\S]{1,4000}?)\s*,\s*"((?:[^"\n]|""){0,20})"\s*\)$/i.exec(p);
        // Replace(x, "a", "b"), StrReverse(x), LCase(x), UCase(x) of what is known (S21R-27)
        const rep = /^Replace\s*\(\s*([\s\S]{1,4000}?)\s*,\s*"((?:[^"\n]|""){1,40})"\s*,\s*"((?:[^"\n]|""){0,40})"\s*\)$/i.exec(p);
        const one = /^(StrReverse|LCase|UCase|Trim)\s*\(\s*([\s\S]{1,4000})\s*\)$/i.exec(p);
        if (item) v = dicts.get(item[1]!.toLowerCase())?.get(item[2]!);
        else if (chr) v = String.fromCharCode(Number(chr[1]) & 0xffff);
        else if (join) v = list(join[1]!)?.join(vbText(join[2]!));
        else if (rep) {
          const x = value(rep[1]!);
          v = x === undefined ? undefined : x.split(vbText(rep[2]!)).join(vbText(rep[3]!));
        } else if (one) {
          const x = value(one[2]!);
          const f = one[1]!.toLowerCase();
          v = x === undefined ? undefined : f === 'strreverse' ? [...x].reverse().join('') : f === 'lcase' ? x.toLowerCase() : f === 'ucase' ? x.toUpperCase() : x.trim();
        }
      }
      if (v === undefined || out.length + v.length > 4096) return undefined;
      out += v;
    }
    return out;
  };
  // (the right side is read to the statement's end by statementEnd: a linear walk, quotes skipped)
  const STATEMENT = /(^|[\r\n:])[ \t]*(?:(?:Dim|Const|Set)[ \t]+)?([A-Za-z_]\w{0,40})(?:[ \t]*(=)(?!=)[ \t]*|[ \t]*\.[ \t]*Add[ \t]*\(?[ \t]*"([^"\n]{0,80})"[ \t]*,[ \t]*("(?:[^"\n]|""){0,4000}")[ \t]*\)?|[ \t]*(?:\.[ \t]*Item[ \t]*)?\([ \t]*"([^"\n]{0,80})"[ \t]*\)[ \t]*=(?!=)[ \t]*("(?:[^"\n]|""){0,4000}"))/gi;
  for (const m of src.matchAll(STATEMENT)) {
    const name = m[2]!.toLowerCase();
    // d("k") = "v", d.Item("k") = "v": an entry of a Dictionary set (S21R-11)
    if (m[6] !== undefined) {
      dicts.get(name)?.set(m[6], vbText(m[7]!.slice(1, -1)));
      continue;
    }
    if (m[4] !== undefined) {
      // d.Add "k", "v"
      let d = dicts.get(name);
      if (!d && dicts.size < 256) dicts.set(name, (d = new Map()));
      d?.set(m[4], vbText(m[5]!.slice(1, -1)));
      continue;
    }
    const from = m.index! + m[0].length;
    const rhs = src.slice(from, statementEnd(src, from));
    const items = /^Array\s*\(/i.test(rhs.trim()) ? list(rhs) : undefined;
    if (items) {
      arrays.set(name, items);
      continue;
    }
    arrays.delete(name);
    if (/^CreateObject\s*\(\s*"Scripting\.Dictionary"\s*\)/i.test(rhs.trim())) {
      dicts.set(name, new Map());
      continue;
    }
    // (a name given request input is left to followInput when each literal it is given is a default for an empty
    // input, `If file = "" Then file = "c:\"`: the request's value is what it holds when there is one; held-out set
    // X, session 31. Anything given it in any other place, a whitelist's reset, has it folded as before: red team
    // S31S-5, -18, -19)
    // (read outside its literals: a literal of code that names the request is folded, Execute s)
    if (/\brequest\b/i.test(rhs) && requested.size < 256 && /\brequest\b/i.test(rhs.replace(/"(?:[^"\n]|"")*"/g, '""'))) requested.add(name);
    else if (given.length < 4096) given.push([name, m.index! + m[1]!.length]);
    // (what the right side reads is what the names held before it)
    const v = vars.size > 0 || dicts.size > 0 || /"/.test(rhs) ? value(rhs) : undefined;
    if (v === undefined) vars.delete(name);
    else if (vars.size < 256) vars.set(name, v);
    const seq = held.get(name) ?? [];
    if (seq.length < 256 && (v !== undefined || seq.length > 0)) held.set(name, [...seq, [from + rhs.length, vars.get(name)]]);
  }
  if (vars.size === 0 && ![...held.values()].some((l) => l.some(([, v]) => v !== undefined))) return src;
  // the uses: a name read (not assigned, not a member, not in a literal) written as its literal
  // (a name given the request and something else than an empty input's default is folded as any other)
  const others = new Set(given.filter(([n, at]) => requested.has(n) && !emptyDefault(src, at, n)).map(([n]) => n));
  const names = [...held.keys()].filter((n) => !/^(?:request|response|server|session|application)$/.test(n) && !(requested.has(n) && !others.has(n)));
  if (names.length === 0) return src;
  const use = new RegExp(String.raw`"(?:[^"\n]|"")*"|(?<![\w.])(${names.map(escapeRe).join('|')})(?![\w.(])(?![ \t]*=(?!=))`, 'gi');
  return src.replace(use, (all: string, name: string | undefined, at: number) => {
    if (!name) return all;
    const values = held.get(name.toLowerCase()) ?? [];
    let v: string | undefined;
    for (const [from, x] of values) if (from <= at) v = x;
    // (what Execute or Eval runs may be set in any branch of a Select or If before it: the value that reads the request)
    if (/\b(?:Execute(?:Global)?|Eval)[ \t]*\(?[ \t]*$/i.test(src.slice(Math.max(0, at - 24), at))) v = values.find(([from, x]) => from <= at && x !== undefined && /\brequest\b/i.test(x))?.[1] ?? v;
    return v === undefined ? all : vbQuoted(v);
  });
}

/** Whether the statement at `at` follows `If name = "" Then` (or `If Len(name) = 0 Then`, `If IsEmpty(name) Then`) on its line or the line before. */
function emptyDefault(src: string, at: number, name: string): boolean {
  const before = src.slice(Math.max(0, at - 160), at);
  const n = escapeRe(name);
  return new RegExp(`\\bIf\\s+(?:${n}\\s*=\\s*""|Len\\s*\\(\\s*(?:Trim\\s*\\(\\s*)?${n}\\s*\\)?\\s*\\)\\s*=\\s*0|IsEmpty\\s*\\(\\s*${n}\\s*\\))\\s*Then\\s*(?:\\r?\\n\\s*)?$`, 'i').test(before);
}

/** Where a VBScript statement that starts at `from` ends: its line's end or a `:` outside literals (at most 8 KiB on). */
function statementEnd(src: string, from: number): number {
  let q = false;
  const stop = Math.min(src.length, from + 8192);
  for (let i = from; i < stop; i++) {
    const c = src[i]!;
    if (c === '"') q = !q;
    else if (c === '\n' || c === '\r' || (c === ':' && !q)) return i;
  }
  return stop;
}

/** A VB expression split at top-level operators of `ops` (outside literals and brackets). */
function splitVb(s: string, ops: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') q = !q;
    else if (q) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && ops.includes(c)) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** JScript: a function that evals its one parameter (function f(s){ ... eval(s ...) }) is eval wherever it is called. */
function evalWrappers(src: string): string {
  let out = src;
  const wrappers = [...src.matchAll(/function\s+([A-Za-z_$][\w$]{0,30})\s*\(\s*([A-Za-z_$][\w$]{0,30})\s*\)\s*\{([^{}]{0,400})\}/g)].filter((m) => new RegExp(String.raw`\beval\s*\(\s*${escapeRe(m[2]!)}\b`).test(m[3]!));
  for (const w of wrappers.slice(0, 8)) out = out.replace(new RegExp(String.raw`(?<![\w.$])(?<!function\s{1,8})${escapeRe(w[1]!)}\s*\(`, 'g'), 'eval(');
  return out;
}

/**
 * VBScript: a Sub, Function or Property Let (a class's too) of one parameter whose body runs that
 * parameter (`Execute p`, `ExecuteGlobal(p)`, `f = Eval(p)`), and does not assign it first, is
 * Execute wherever it is called or, for a Property Let, assigned: `Run Request("c")`,
 * `o.Run(Request("c"))` and `o.Code = Request("c")` read `Execute Request("c")` (S24 set G). At
 * most 16 such definitions, bodies of 2 KiB.
 */
function vbExecWrappers(src: string): string {
  if (!/\bexecute|\beval\b/i.test(src) || !/\b(?:sub|function|property)\b/i.test(src)) return src;
  const DEF = /(^|[\r\n:])[ \t]*(?:(?:Public|Private)[ \t]+)?(?:Default[ \t]+)?(Sub|Function|Property[ \t]+Let)[ \t]+([A-Za-z_]\w{0,40})[ \t]*\([ \t]*(?:(?:ByVal|ByRef)[ \t]+)?([A-Za-z_]\w{0,40})[ \t]*\)/gi;
  const lower = src.toLowerCase();
  /** Whether `text` runs the name of pattern `p` (Execute p, ExecuteGlobal(p), Eval(Me.p)). */
  const runs = (text: string, p: string) => new RegExp(String.raw`(?:^|[^.\w])(?:Execute(?:Global)?|Eval)[ \t]*\(?[ \t]*(?:Me[ \t]*\.[ \t]*)?${p}(?![\w.(])`, 'i').test(text);
  /**
   * A Property Let that stores its value in a field (`m = v`) which its class runs elsewhere (a
   * method, Class_Terminate): the class is looked for 16 KiB either side of the property at most.
   */
  const runsStored = (at: number, to: number, body: string, p: string): boolean => {
    const field = new RegExp(String.raw`(?:^|[\r\n:])[ \t]*(?:Me[ \t]*\.[ \t]*)?([A-Za-z_]\w{0,40})[ \t]*=[ \t]*${p}[ \t]*(?=$|[\r\n:'])`, 'i').exec(body)?.[1];
    if (!field) return false;
    const head = lower.slice(Math.max(0, at - 16384), at);
    // (the last Class head before the property, with no End Class between them)
    let open = -1;
    for (const m of head.matchAll(/(?:^|[\r\n:])[ \t]*class[ \t]+[a-z_]/g)) open = m.index!;
    const close = lower.slice(to, to + 16384).indexOf('end class');
    if (open < 0 || close < 0 || head.includes('end class', open)) return false;
    return runs(src.slice(at - head.length + open, to + close), escapeRe(field));
  };
  const wrappers: { name: string; let: boolean; from: number; to: number }[] = [];
  let defs = 0;
  for (const d of src.matchAll(DEF)) {
    if (wrappers.length >= 16 || ++defs > 256) break;
    const kind = d[2]!.toLowerCase().startsWith('property') ? 'property' : d[2]!.toLowerCase();
    const from = d.index! + d[0].length;
    // (the body's end looked for in the 2 KiB after the head only: a page of heads without ends is not read to its end once per head)
    const end = lower.slice(from, from + 2048 + kind.length + 4).indexOf(`end ${kind}`);
    if (end < 0) continue;
    const to = from + end;
    const body = src.slice(from, to);
    const p = escapeRe(d[4]!);
    if (!runs(body, p) && !(kind === 'property' && runsStored(d.index!, to, body, p))) continue;
    if (new RegExp(String.raw`(?:^|[\r\n:])[ \t]*(?:Set[ \t]+)?${p}[ \t]*=`, 'i').test(body)) continue;
    wrappers.push({ name: d[3]!, let: kind === 'property', from: d.index!, to: to + kind.length + 4 });
  }
  if (wrappers.length === 0) return src;
  const lets = wrappers.filter((w) => w.let).map((w) => escapeRe(w.name));
  const calls = wrappers.filter((w) => !w.let).map((w) => escapeRe(w.name));
  const alts: string[] = [];
  // o.Code = x (a With block's .Code = x too)
  if (lets.length) alts.push(String.raw`(?:[A-Za-z_]\w{0,40}[ \t]*)?\.[ \t]*(?:${lets.join('|')})[ \t]*=(?!=)`);
  // Run x, Run(x), Call Run(x), o.Run x (not the function's own name assigned its result)
  if (calls.length) alts.push(String.raw`(?<![\w.])(?:[A-Za-z_]\w{0,40}[ \t]*\.[ \t]*)?(?:${calls.join('|')})(?![\w.])(?![ \t]*=)`);
  const inside = (at: number) => wrappers.some((w) => at >= w.from && at < w.to);
  return src.replace(new RegExp(alts.join('|'), 'gi'), (all: string, at: number) => (inside(at) ? all : ' Execute '));
}

/**
 * The flow layer (see the top of the file), undefined when it is the same as the joined layer
 * or the bytes. `ext`: the file's extension, lower case (classic .asp pages are VBScript unless
 * they say JScript; ASP.NET pages are C# unless they say VB); `joinedLayer`: joinedSource(src)
 * when the caller has it already.
 */
export function webFlowSource(kind: 'jsp' | 'asp', ext: string, src: string, joinedLayer?: string): string | undefined {
  if (src.length > MAX_FLOW) return undefined;
  const joined = joinedLayer ?? joinedSource(src) ?? src;
  let out = joined;
  const lang = /language\s*=\s*(?:["']\s*)?(jscript|javascript|c#|csharp|cs|vb|vbscript)\b/i.exec(out)?.[1]?.toLowerCase();
  const cLike = kind === 'jsp' || (lang !== undefined ? !lang.startsWith('vb') : ext !== 'asp' && ext !== 'asa' && ext !== 'cer' && ext !== 'vb' && ext !== 'vbhtml');
  if (cLike) out = stripBlockComments(out);
  // (C# and JScript read Unicode's space separators as white space, the rules' \s does not: a no-break space,
  // U+2000 to U+200A and U+3000, written here in UTF-8, made spaces; red team S29W-9 to S29W-11)
  if (kind === 'asp' && cLike && /\xc2\xa0|\xe2\x80[\x80-\x8a]|\xe3\x80\x80/.test(out)) out = out.replace(/\xc2\xa0|\xe2\x80[\x80-\x8a]|\xe3\x80\x80/g, ' ');
  // (a byte-order mark is white space to JScript, and C# drops it and the zero-width marks inside a name,
  // U+200B to U+200D and U+2060: a name they split is joined, and between tokens they are a space; red team S29W-10)
  if (kind === 'asp' && cLike && /\xef\xbb\xbf|\xe2\x80[\x8b-\x8d]|\xe2\x81\xa0/.test(out)) {
    out = out.replace(/(?<=\w)(?:\xef\xbb\xbf|\xe2\x80[\x8b-\x8d]|\xe2\x81\xa0)+(?=\w)/g, '').replace(/\xef\xbb\xbf|\xe2\x80[\x8b-\x8d]|\xe2\x81\xa0/g, ' ');
  }
  // (VBScript's line continuation, a "_" ending a line, joins it to the next: a call spread over many
  // such lines is one line to the rules; red team S29W-12)
  if (kind === 'asp' && !cLike && /_[ \t]*\r?\n/.test(out)) out = out.replace(/(?<![\w"])_[ \t]*\r?\n/g, ' ');
  if (kind === 'asp' && out.includes('\\x')) out = out.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  if (out !== joined) out = joinRuns(out);
  out = kind === 'asp' ? decodeAspLiterals(out) : decodeJspLiterals(out);
  if (kind === 'asp' && cLike) out = decodeCsLiterals(out);
  if (cLike) out = foldCStrings(out);
  if (kind === 'asp' && /\beval\b/.test(out)) out = evalWrappers(out);
  // (wrappers first: a parameter's name given a literal elsewhere in the page is not that literal in the body, S24)
  if (kind === 'asp' && !cLike) out = vbExecWrappers(out);
  if (kind === 'asp' && !cLike) out = foldVbStrings(out);
  // (C#'s global:: and VB's Global. before a namespace: global::System.Diagnostics.Process is System.Diagnostics.Process, S24 set G)
  if (kind === 'asp' && /\bglobal\b/i.test(out)) out = out.replace(/\bglobal\s*::\s*|\bGlobal\s*\.\s*(?=System\b)/gi, '');
  // (a JSPX's namespace may have any prefix: xmlns:j="http://java.sun.com/JSP/Page", S21R-8)
  if (kind === 'jsp' && /&#|<!\[CDATA\[/.test(out) && /<jsp:|xmlns:jsp|xmlns:[\w.-]{1,40}\s*=\s*["']http:\/\/java\.sun\.com\/JSP\/Page["']/.test(out)) out = xmlText(out);
  // C#: another name for the request (var r = HttpContext.Current.Request; r["c"]), S21B-20
  // (and VB's and classic ASP's, Dim r As HttpRequest = Request, Set f = Request.Form: S24)
  if (kind === 'asp') out = requestAliases(out, !cLike);
  out = followInput(out, kind);
  // (a second round: input a method's parameter took, copied into a local there, given to another method)
  if (kind === 'asp' && cLike) {
    // (and a third: a method calling one that calls one, defined callee first, S21B-6)
    for (let round = 0; round < 3; round++) {
      const next = followParameters(round === 0 ? out : followInput(out, kind));
      if (next === out) break;
      out = next;
    }
  }
  return out === joined ? undefined : out;
}
