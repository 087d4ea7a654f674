/**
 * ASP.NET (C# and VB): a file opened on a path, its FileMode written as one of two names, `FileMode.Open` where the
 * page provably only reads and `FileMode.Create` where it may write, so that the rules read one form of the
 * mode (`mamori_aspx_upload_to_request_path`) however the page spells it.
 *
 * The opens folded: `new FileStream(path, mode, ...)`, `File.Open(path, mode, ...)` and `new FileInfo(path).Open(mode, ...)`
 * (a FileInfo held in a name, `fi = new FileInfo(path)` ... `fi.Open(mode)`, is written out where it is opened);
 * named arguments are put in their places (`new FileStream(mode: m, path: p)` is `new FileStream(p, m)`).
 *
 * Read-only is what a list of reading forms proves, not a list of writing ones: `FileAccess.Read` given, or the mode
 * `FileMode.Open` or the number 3 (cast, in brackets, hexadecimal, VB's CType or DirectCast,
 * `Enum.Parse(typeof(FileMode), "Open")`), or a name every assignment of which, or a method's parameter every call of
 * which, gives such a mode. Anything else may write: `(FileMode)(2)`, `default(FileMode) + 2`, a property, the
 * request's number (red team S31R-38 to -48).
 */
import { splitTop } from './php-flow.js';

/** An open's head: the constructor or method and its opening bracket. */
const OPEN = /\bnew\s+(?:System\s*\.\s*IO\s*\.\s*)?FileStream\s*\(|\bFile\s*\.\s*Open\s*\(|\bnew\s+(?:System\s*\.\s*IO\s*\.\s*)?FileInfo\s*\(/gi;
/** Opens looked at per page, at most. */
const MAX_OPENS = 64;
/** A FileInfo held in a name: `fi = new FileInfo(`. */
const FILEINFO_NAME = /\b([A-Za-z_]\w{0,40})(?:[ \t]+As[ \t]+(?:New[ \t]+)?(?:System\.IO\.)?FileInfo)?\s*=\s*(?=new\s+(?:System\s*\.\s*IO\s*\.\s*)?FileInfo\s*\()/gi;

/** Where the bracket opened at `open` closes (literals skipped), or -1 within 2 KiB. */
function closeOf(src: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < src.length && i < open + 2048; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === '\\' && quote === "'") i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && --depth === 0) return i;
  }
  return -1;
}

/** The arguments in their places: named ones (`mode: x`, VB's `mode:=x`) put where `order` says. */
function placed(args: string[], order: readonly string[]): string[] {
  const out: string[] = [];
  const named: [string, string][] = [];
  for (const a of args) {
    const n = /^\s*([A-Za-z_]\w{0,20})\s*:=?(?!:)\s*([\s\S]*)$/.exec(a);
    if (n && order.includes(n[1]!.toLowerCase())) named.push([n[1]!.toLowerCase(), n[2]!]);
    else out.push(a.trim());
  }
  for (const [name, value] of named) out[order.indexOf(name)] = value.trim();
  return out;
}

const bare = (e: string) => {
  let s = e.trim().replace(/\s+/g, '');
  while (/^\((.*)\)$/.test(s) && closeOf(s, 0) === s.length - 1) s = s.slice(1, -1);
  return s;
};

/** Names judged on a page (each looked up once; one being looked up is not proved) and how many lookups are left. */
interface Judged {
  names: Map<string, boolean>;
  left: number;
}

/**
 * Whether a mode is provably one that only reads (Open, 3), with names looked up `depth` times more.
 * `src`: the page, for names' assignments and methods' calls.
 */
function readOnlyMode(expr: string, src: string, depth: number, judged: Judged): boolean {
  const e = bare(expr).replace(/^System\.IO\./i, '');
  if (/^FileMode\.Open$/i.test(e)) return true;
  if (/^FileMode\.\w+$/i.test(e)) return false;
  const num = /^(?:0x([0-9a-f]{1,8})|&H([0-9a-f]{1,8})|(\d{1,9}))$/i.exec(e);
  if (num) return (num[1] ? parseInt(num[1], 16) : num[2] ? parseInt(num[2], 16) : Number(num[3])) === 3;
  const cast = /^\((?:System\.IO\.)?FileMode\)([\s\S]+)$/i.exec(e) ?? /^(?:CType|DirectCast|TryCast)\(([\s\S]+),(?:System\.IO\.)?FileMode\)$/i.exec(e);
  if (cast) return readOnlyMode(cast[1]!, src, depth, judged);
  if (/^(?:\((?:System\.IO\.)?FileMode\))?(?:System\.)?Enum\.Parse\((?:typeof|GetType)\((?:System\.IO\.)?FileMode\),"Open"(?:,(?:true|false))?\)$/i.test(e)) return true;
  if (!/^[A-Za-z_]\w{0,40}$/.test(e) || depth <= 0) return false;
  const known = judged.names.get(e.toLowerCase());
  if (known !== undefined) return known;
  // (each name's lookup reads the page twice: 32 per page at most)
  if (--judged.left < 0) return false;
  judged.names.set(e.toLowerCase(), false);
  const proved = nameReadOnly(e, src, depth, judged);
  judged.names.set(e.toLowerCase(), proved);
  return proved;
}

/** A name's values (assignments, or a parameter's arguments at each call), each provably a reading mode. */
function nameReadOnly(e: string, src: string, depth: number, judged: Judged): boolean {
  // a name: each value it is given (C# `m = x;`, VB's `m = x` to the line's end), at most 16
  const given = [...src.matchAll(new RegExp(String.raw`(?<![\w.])${e}(?:[ \t]+As[ \t]+[\w.]{1,40})?\s*=(?![=>])\s*([^;\r\n]{1,200})`, 'gi'))].slice(0, 16).map((m) => m[1]!);
  if (given.length > 0) return given.every((v) => readOnlyMode(v, src, depth - 1, judged));
  // or a method's parameter: each call's argument in its place
  let defs = 0;
  for (const d of src.matchAll(/\b([A-Za-z_]\w{0,40})\s*\(([^()]{0,300})\)\s*(?:\{|=>|As\b|[\r\n])/gi)) {
    if (!/\bFileMode\b/i.test(d[2]!)) continue;
    if (++defs > 16) break;
    const params = splitTop(d[2]!, [',']);
    const at = params.findIndex((p) => new RegExp(String.raw`(?:^|\s)${e}(?:\s|$)`).test(p.trim().replace(/^(?:ByVal|ByRef)\s+/i, '')));
    if (at < 0) continue;
    const args: string[] = [];
    for (const c of src.matchAll(new RegExp(String.raw`(?<![\w.])${d[1]!}\s*\(`, 'g'))) {
      if (c.index === d.index || args.length >= 16) continue;
      const open = c.index! + c[0].length - 1;
      const close = closeOf(src, open);
      if (close < 0) return false;
      const a = splitTop(src.slice(open + 1, close), [','])[at];
      if (a === undefined) return false;
      args.push(a);
    }
    return args.length > 0 && args.every((a) => readOnlyMode(a, src, depth - 1, judged));
  }
  return false;
}

/** Whether a FileAccess argument says reading only. */
const readsOnly = (access: string | undefined) => access !== undefined && /^(?:System\.IO\.)?FileAccess\.Read$/i.test(bare(access));

/** A path's empty pieces dropped: `p + ""`, `"" + p`, `p + string.Empty` are `p`. */
const pathOf = (p: string) => p.replace(/\s*\+\s*(?:""|String\s*\.\s*Empty)(?=\s*$)|^\s*(?:""|String\s*\.\s*Empty)\s*\+\s*/gi, '').trim();

/** The fold (see the top of the file); the page as it was where it opens no file. */
export function foldFileModes(src: string): string {
  if (!/FileStream|File\s*\.\s*Open\b|FileInfo/i.test(src)) return src;
  let out = src;
  // a FileInfo held in a name written out where it is opened or written (at most 16 names)
  let names = 0;
  for (const m of src.matchAll(FILEINFO_NAME)) {
    if (++names > 16) break;
    const from = m.index! + m[0].length;
    const open = src.indexOf('(', from);
    const close = closeOf(src, open);
    if (close < 0) continue;
    const made = src.slice(from, close + 1);
    out = out.replace(new RegExp(String.raw`(?<![\w.])${m[1]!}(?=\s*\.\s*(?:Open|OpenWrite|Create|CreateText|AppendText)\s*\()`, 'g'), (n: string, at: number) => (at > m.index! ? made : n));
  }
  const edits: [number, number, string][] = [];
  const judged: Judged = { names: new Map(), left: 32 };
  let opens = 0;
  for (const m of out.matchAll(OPEN)) {
    if (++opens > MAX_OPENS) break;
    const open = m.index! + m[0].length - 1;
    const close = closeOf(out, open);
    if (close < 0) continue;
    const args = splitTop(out.slice(open + 1, close), [',']);
    if (/FileInfo/i.test(m[0])) {
      // new FileInfo(path).Open(mode, access ...)
      const tail = /^\s*\.\s*Open\s*\(/i.exec(out.slice(close + 1, close + 64));
      if (!tail || args.length !== 1) continue;
      const o = close + tail[0].length;
      const c = closeOf(out, o);
      if (c < 0) continue;
      const a = placed(splitTop(out.slice(o + 1, c), [',']), ['mode', 'access', 'share']);
      if (a[0] === undefined) continue;
      const mode = readsOnly(a[1]) || readOnlyMode(a[0], out, 3, judged) ? 'FileMode.Open' : 'FileMode.Create';
      edits.push([open + 1, c, `${pathOf(args[0]!)}).Open(${[mode, ...a.slice(1)].join(', ')}`]);
      continue;
    }
    const a = placed(args, ['path', 'mode', 'access', 'share', 'buffersize', 'options', 'useasync']);
    if (a[0] === undefined || a[1] === undefined) continue;
    const mode = readsOnly(a[2]) || readOnlyMode(a[1], out, 3, judged) ? 'FileMode.Open' : 'FileMode.Create';
    edits.push([open + 1, close, [pathOf(a[0]), mode, ...a.slice(2).map((x) => x ?? 'null')].join(', ')]);
  }
  for (const [from, to, text] of edits.reverse()) out = out.slice(0, from) + text + out.slice(to);
  return out;
}
