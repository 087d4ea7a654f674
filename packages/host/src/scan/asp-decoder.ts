/**
 * Classic ASP running, with Execute, what a function of the page's own makes of a long literal held in a variable:
 * `hu = "...": Execute(UnEncode(hu))`, where `Function UnEncode(cc)` walks its text with Mid in a loop (a page kept
 * reversed: held-out set H2). The three are tied by name, so that a dynamic include (`ExecuteGlobal StripTags(code)`
 * beside an encoder and a long HTML footer) is not read as one (red team S34A-7).
 */
import type { FlowFinding } from './php-flow.js';

const EXECUTE_CALL = /\bExecute(?:Global)?\b[ \t]*\(?[ \t]*([A-Za-z_]\w{0,40})[ \t]*\([ \t]*([A-Za-z_]\w{0,40})[ \t]*(?:&[ \t]*""[ \t]*)?\)/gi;
/** A literal of the page's, in pieces joined by `&` over continued lines: its characters are counted, not read. */
const LITERAL_RUN = String.raw`"(?:[^"\r\n]|""){0,65536}"(?:[ \t]*&[ \t]*(?:_[ \t]*\r?\n[ \t]*)?"(?:[^"\r\n]|""){0,65536}"){0,64}`;
const MIN_LITERAL = 400;
/** A function's body is read up to its end, at most this much. */
const MAX_BODY = 4096;

/** Words of a page's code that a scrambled literal holds backwards, and a readable one (a template's text) as written. */
const CODE_WORDS = ['response.write', 'request', 'createobject', 'execute', 'server.', 'wscript', 'filesystemobject', 'eval(', 'set '];
/**
 * A literal that is not the page's text as written: its code words read backwards more than twice as often as forwards
 * (a reversed "test" is "tset", which holds "set " forwards), or one run of letters and digits with no space (an
 * encoding). A template compiled and executed (red team S34B-2) reads forwards.
 */
function scrambled(text: string): boolean {
  const low = text.toLowerCase();
  const back = [...low].reverse().join('');
  const count = (t: string) => CODE_WORDS.reduce((n, w) => n + t.split(w).length - 1, 0);
  const backwards = count(back);
  if (backwards > 0 && backwards > 2 * count(low)) return true;
  return !/\s/.test(text) && /^[A-Za-z0-9+/=_-]+$/.test(text);
}

export function aspOwnDecoderExec(src: string): FlowFinding[] {
  if (!/execute/i.test(src) || !/\b(?:mid|left|right)\s*\(/i.test(src)) return [];
  const out: FlowFinding[] = [];
  let looked = 0;
  for (const m of src.matchAll(EXECUTE_CALL)) {
    if (++looked > 16 || out.length > 0) break;
    // (the statement, not a method of that name: conn.Execute(FixSql(sql)), red team S34B-1)
    if (m.index! > 0 && /[.\w]/.test(src[m.index! - 1]!)) continue;
    const [, fn, arg] = m as unknown as [string, string, string];
    const def = new RegExp(String.raw`\bFunction[ \t]+${fn}[ \t]*\([ \t]*(?:ByVal[ \t]+|ByRef[ \t]+)?([A-Za-z_]\w{0,40})`, 'i').exec(src);
    if (!def) continue;
    const from = def.index + def[0].length;
    const endAt = src.slice(from, from + MAX_BODY).search(/\bEnd[ \t]+Function\b/i);
    if (endAt < 0) continue;
    const body = src.slice(from, from + endAt);
    const param = def[1]!;
    // (a loop walking the parameter a character or a few at a time, and the function's value set)
    if (!/\b(?:For|Do|While)\b/i.test(body)) continue;
    if (!new RegExp(String.raw`\b(?:Mid|Left|Right)[ \t]*\([ \t]*${param}\b`, 'i').test(body)) continue;
    if (!new RegExp(String.raw`\b${fn}[ \t]*=`, 'i').test(body)) continue;
    const lit = new RegExp(String.raw`(?:^|[\r\n:])[ \t]*${arg}[ \t]*=[ \t]*(${LITERAL_RUN})`, 'i').exec(src);
    if (!lit) continue;
    let text = '';
    for (const piece of lit[1]!.matchAll(/"((?:[^"\r\n]|"")*)"/g)) text += piece[1]!.replace(/""/g, '"');
    const chars = text.length;
    if (chars < MIN_LITERAL || !scrambled(text)) continue;
    out.push({ technique: 'asp-eval', score: 80, description: `classic ASP running, with Execute, what its own function ${fn}() makes (a loop over the text with Mid, Left or Right) of a ${chars}-character literal held in ${arg}: a page whose code is kept scrambled`, offset: m.index! });
  }
  return out;
}
