/**
 * Excerpts of a large PHP file, read on their own.
 *
 * The scanner's deeper passes (names folded from constants, class members, closures and loops;
 * the flow pass's bounds on includes, uploads and closures) run on files of up to 32 KiB: where
 * the one-liners, droppers and small shells are, and not every file of an application. A shell
 * injected into a long legitimate file (the reports' supply-chain case) is as small as ever, but
 * it sits in a file those passes skip. So in a large file the statements around each place that
 * reads request input, fetches from a URL or opens a socket are cut out, whole statements of one
 * block, and read as if they were a small file of their own: the injected code is a run of
 * statements, and its definitions and its use travel together.
 *
 * Bounded: at most MAX_EXCERPTS excerpts of at most MAX_EXCERPT bytes a file, and only in files of
 * up to MAX_FILE bytes; one walk of the code finds every block and statement end.
 */
import { codeOnly, firstAbove, REMOTE, SOURCE, stripComments } from './php-flow.js';

export interface Excerpt {
  /** Where it starts and ends in the text (whole statements). */
  readonly start: number;
  readonly end: number;
  /**
   * Definitions elsewhere in the file of what the excerpt calls, which run code or commands (a
   * function, a closure held in a variable): read with it, before it. A shell split in two, its
   * helper defined at the file's top and called with input at its end, is read whole (S22R-11).
   */
  readonly defs?: readonly { start: number; end: number }[];
}

/** A definition that runs code or a command: where it is, and how a call of it reads. */
interface Runner {
  start: number;
  end: number;
  /** `name` for a function, `$name` for a variable holding a closure. */
  name: string;
  /** For a copy of a closure (`$g = $fmt;`, its span): the closure's definition, read before it. */
  of?: Runner;
}

/** Excerpts per file, at most. */
/**
 * (was 256, read within the file's budget of 64 payloads, so 64 in fact, S22R-2; with a budget of
 * their own, 128 keeps a 1 MiB file of points near 1.2 s, and a file with more places than that is
 * suspicious, S22R-5: the benign trees' most is 29)
 */
export const MAX_EXCERPTS = 128;
/** Bytes of one excerpt, at most (with the "<?php " put before it, within the 4 KiB the scanner reads the smallest files to). */
export const MAX_EXCERPT = 4096 - 16;
/**
 * Files larger than this are not cut (the whole-file rules still read them). (was 1 MiB: a shell
 * appended after a comment that pads the file just past it was never cut out, S22R-3; the cut of
 * a 4 MiB file of nested blocks takes about 1.8 s, of 16 MiB 5.5 s, so past 4 MiB stays open, S22R-6)
 */
export const MAX_FILE = 4 << 20;

/**
 * Where an excerpt is cut: around what a planted shell needs and an application seldom has, code
 * run from text, content fetched from a URL, a socket (STRONG); or around a command function, a
 * callback, a variable or expression called, an include of a variable, a name built in a variable
 * (`$$n`, `${...}`) with request input within an excerpt's length of it (NEAR_INPUT). An
 * application reads its input in many places; a point of the first kind with input beside it is
 * rarer, and it is what every injected shell of the tests has.
 */
// (a socket opened or accepted, as REMOTE's fsockopen: a bind shell padded past the 64 KiB the
// socket shape reads, red team S25R-9)
const STRONG = new RegExp(`${REMOTE.source}|\\b(?:stream_socket_client|stream_socket_server|pfsockopen|socket_create|socket_accept)\\s*\\(|(?<![\\w>$:\\\\])(?:eval|assert|create_function)\\s*\\(`, 'gi');
const NEAR_INPUT = /(?<![\w>$:\\])(?:system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|ob_start|call_user_func(?:_array)?|array_map|array_filter|array_walk|usort|uasort|uksort|register_shutdown_function|move_uploaded_file|copy|rename|file_put_contents|mysqli?_connect|wp_create_user|wp_insert_user|set_role|add_role)\s*\(|(?<![\w>:$\\])\$\w{1,64}\s*\(|[)\]}'"]\s*\(\s*[$@]|\b(?:include|require)(?:_once)?\s*(?:\(\s*)?\$|\$\$\w|\$\{/gi;
// (and a superglobal's name as a string, '_GET', or $GLOBALS indexed by a variable: how shells reach input without naming it)
const INPUT = new RegExp(`${SOURCE.source}|["']_(?:GET|POST|REQUEST|COOKIE|FILES|SERVER)["']|\\$GLOBALS\\s*\\[\\s*\\$|["']_G["']\\s*\\.|["']_P["']\\s*\\.`, 'gi');
/**
 * Points looked at per kind, at most. (Was 4,096 counted in comments too: one comment at a file's
 * top of "eval( $x( $_GET" 4,200 times used every point before the shell's, S22R-1. Comments are
 * not read now, and the bound is one a 16 MiB file of points does not reach before it is cut.)
 */
const MAX_POINTS = 1 << 20;

/**
 * What makes a definition worth reading with its callers: it runs code or a command. (Not a
 * backtick literal: in this text, with its strings, SQL's backticks are as many, and adminer's
 * functions all took one; the whole-file flow pass follows a function that runs one, S23R-10.)
 */
const RUNS = /(?<![\w>$:\\])(?:eval|assert|create_function|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec)\s*\(/gi;
/**
 * A function declared, or a closure assigned to a variable (its "{" or "=>" found after). (An
 * arrow function that returns by reference too, `fn&($c) => system($c)`: S23R-4.)
 */
const DEFINES = /(?<![\w>$:\\])function\s+&?\s*([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(|\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*(?:static\s+)?(?:function\b|fn\s*(?:&\s*)?\()/gi;
/**
 * A call of a name or of a variable, `name(` (a fully qualified one too, `\\ns\\name(`: S23R-3) or
 * `$name(`: looked up among the definitions by name, so that their count costs nothing here (was
 * one pattern of their names, and only the first 32 definitions were taken: 33 decoys that run a
 * fixed command before the shell's closure kept it unlinked, S23R-5). Group 1: a declaration's
 * keyword (not a call).
 */
const CALL = /(?<![\w>$:\\])(?:(function\s{1,16}&?\s{0,16})?(?:\\?(?:[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\\){0,8})([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})|\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}))\s*\(/gi;
/** A variable given another's value, alone: `$g = $fmt;`. */
const COPY = /\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*;/g;
/** Definitions linked per file (was 32, S23R-5), and per reading of an excerpt, at most. */
const MAX_RUNNERS = 4096;
const MAX_DEFS = 4;
/**
 * Readings of one excerpt, each with up to MAX_DEFS of the definitions it calls (and an excerpt's
 * length of them): four decoys called before the shell's closure took the one reading, S23R-6.
 * An excerpt that calls more than this is reported (info.capped).
 */
const MAX_READINGS = 4;

const TAGS = /<\?(?:php\b|=)?|\?>/gi;
/** `code` (codeOnly of `src`) with PHP's opening and closing tags blanked too (the same length). */
function withoutTags(code: string, src: string): string {
  let out = '';
  let last = 0;
  for (const m of src.matchAll(TAGS)) {
    out += code.slice(last, m.index) + ' '.repeat(m[0].length);
    last = m.index! + m[0].length;
  }
  return last === 0 ? code : out + code.slice(last);
}

function positions(re: RegExp, src: string): number[] {
  const out: number[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(src); m && out.length < MAX_POINTS; m = re.exec(src)) {
    out.push(m.index);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

/**
 * The excerpts of `src` around the places STRONG and NEAR_INPUT find, in order; none for a text
 * of up to `small` bytes (it is read whole) or over MAX_FILE.
 */
export function phpExcerpts(src: string, small: number, info?: { capped?: boolean }): Excerpt[] {
  if (src.length <= small || src.length > MAX_FILE) return [];
  // (points and input in comments are not points: decoys there are free to write, S22R-1)
  const bare = stripComments(src);
  const inputs = positions(INPUT, bare);
  const near = inputs.length === 0 ? [] : positions(NEAR_INPUT, bare).filter((p) => {
    const k = firstAbove(inputs, p);
    return (k > 0 && p - inputs[k - 1]! <= MAX_EXCERPT) || (k < inputs.length && inputs[k]! - p <= MAX_EXCERPT);
  });
  const points = [...positions(STRONG, bare), ...near].sort((a, b) => a - b);
  if (points.length === 0) return [];
  // (the tags are no code either: "php" of a "<?php" began the first statement, so a shell after a
  // 70 KiB comment at the top of a file was one statement with it, too long to excerpt, S25R-9)
  const code = withoutTags(codeOnly(src), src);
  // (a named function's call with input is read by the whole file's flow pass, which follows named
  // functions at any distance; a closure in a variable is called as `$h(`, a point of its own)
  // (looked up by name, built once a file: every excerpt asks)
  const names = byName(inputs.length === 0 ? [] : runnersOf(bare, code));
  // One walk: for each point, the block it is in (the index of its "{", -1 for the file's top
  // level); for each block, where its statements end (after a ";" or a "}" at its own depth).
  const stack: number[] = [-1];
  const ends = new Map<number, number[]>([[-1, [0]]]);
  // where the statement after each end starts: its first character of code (a long comment or
  // page of HTML before a statement is not part of it: a 4 KiB comment before a shell's first
  // statement kept that statement out of its excerpt, S22R-3)
  const starts = new Map<number, number[]>([[-1, []]]);
  const pending: number[][] = [starts.get(-1)!];
  const closes = new Map<number, number>();
  const parent = new Map<number, number>();
  const blockOf: number[] = [];
  let p = 0;
  const end = (block: number, at: number): void => {
    ends.get(block)!.push(at);
    pending.push(starts.get(block)!);
  };
  for (let i = 0; i < code.length; i++) {
    while (p < points.length && points[p]! <= i) {
      blockOf.push(stack[stack.length - 1]!);
      p++;
    }
    const c = code.charCodeAt(i);
    if (c > 32 && pending.length > 0) {
      for (const list of pending) list.push(i);
      pending.length = 0;
    }
    if (c === 123) {
      if (stack.length >= 256) continue;
      parent.set(i, stack[stack.length - 1]!);
      stack.push(i);
      ends.set(i, []);
      starts.set(i, []);
      end(i, i + 1);
    } else if (c === 125 && stack.length > 1) {
      const open = stack.pop()!;
      closes.set(open, i);
      end(stack[stack.length - 1]!, i + 1);
    } else if (c === 59) end(stack[stack.length - 1]!, i + 1);
  }
  for (const list of pending) list.push(code.length);
  while (p++ < points.length) blockOf.push(stack[stack.length - 1]!);
  const out: Excerpt[] = [];
  const more: Excerpt[] = [];
  let cut = 0;
  for (let k = 0; k < points.length && cut < MAX_EXCERPTS; k++) {
    const point = points[k]!;
    // (points are in order and each excerpt starts at or before its point: only the last one can hold it)
    const prev = out[out.length - 1];
    if (prev && prev.start <= point && point < prev.end) continue;
    // out of every block that fits whole (a function, a class, an if): the excerpt starts from the
    // outermost statement that does; where that statement is too long (a closure in a long array,
    // S22R-4), from a statement of a block further in, down to the point's own
    const tries: [number, number][] = [[point, blockOf[k]!]];
    for (let b = blockOf[k]!; b >= 0 && (closes.get(b) ?? src.length) - b < MAX_EXCERPT; b = parent.get(b)!) tries.push([b, parent.get(b)!]);
    // (never back over the excerpt before: they are cut in the file's order, and read once each)
    const floor = prev ? prev.end : 0;
    let found: { list: number[]; first: number[]; limit: number; lo: number; hi: number; start: number; end: number } | undefined;
    for (let t = tries.length - 1; t >= 0 && !found; t--) {
      const [at, block] = tries[t]!;
      const list = ends.get(block)!;
      const first = starts.get(block)!;
      const limit = block < 0 ? src.length : (closes.get(block) ?? src.length);
      // the statement holding the point: from the last end at or before it to the first after it
      const lo = firstAbove(list, at) - 1;
      const hi = lo + 1;
      const start = Math.max(Math.min(first[lo] ?? 0, at), floor);
      const end = hi < list.length ? list[hi]! : limit;
      if (end - start <= MAX_EXCERPT) found = { list, first, limit, lo, hi, start, end };
    }
    if (!found) continue;
    const { list, first, limit } = found;
    let { lo, hi, start, end } = found;
    // then whole statements on either side, alternately, while the excerpt stays within bounds
    for (let grew = true; grew; ) {
      grew = false;
      // (never back over the excerpt before: they are cut in the file's order, and read once each)
      if (lo > 0 && end - first[lo - 1]! <= MAX_EXCERPT && first[lo - 1]! >= floor) {
        start = first[--lo]!;
        grew = true;
      }
      const next = hi + 1 < list.length ? list[hi + 1]! : hi < list.length ? limit : -1;
      if (next > end && next - start <= MAX_EXCERPT) {
        hi++;
        end = next;
        grew = true;
      }
    }
    cut++;
    const groups = linked(names, bare, start, end, info);
    out.push(groups.length === 0 ? { start, end } : { start, end, defs: groups[0]! });
    // (one reading per group of definitions, the same statements each time: those after the first
    // are read after every excerpt's first, so that decoys calling many definitions spend no
    // reading of the excerpts after them)
    for (const defs of groups.slice(1)) more.push({ start, end, defs });
    // (points left past the last excerpt a file may have: MAX_EXCERPTS decoys before a shell keep it
    // unread, S22R-5)
    if (cut === MAX_EXCERPTS && info && points.some((q, j) => j > k && q >= end)) info.capped = true;
  }
  // (in order already: each starts at or past the end of the one before; then the further readings)
  return more.length > 0 ? [...out, ...more] : out;
}

/**
 * The file's definitions (up to MAX_RUNNERS, each of at most MAX_EXCERPT bytes) that run code or a
 * command: functions, and closures assigned to a variable, whole (to the "}" of their body, and a
 * closure to its ";"). `bare`: the text without comments; `code`: with only its code. In order,
 * and apart (a definition's end is where the next is looked for).
 *
 * Linear: each "{" is matched once, and the next "{", ";" and "=>" after a definition are found
 * from where the last search ended (S23R-1: a search of the rest of the file per definition, for an
 * "=>" a 4 MiB file of `$a=fn(` never has, was quadratic: 0.5 MiB took 17 s).
 */
function runnersOf(bare: string, code: string): Runner[] {
  const runs = positions(RUNS, bare);
  if (runs.length === 0) return [];
  const n = code.length;
  // the "}" each "{" closes (-1: none), one walk
  const closer = new Int32Array(n).fill(-1);
  const open: number[] = [];
  for (let i = code.indexOf('{'); i >= 0 && i < n; i++) {
    const c = code.charCodeAt(i);
    if (c === 123) open.push(i);
    else if (c === 125 && open.length > 0) closer[open.pop()!] = i;
  }
  // the next of each at or after a position, asked for at positions that only grow: a search
  // starts only past the last one found (n: none)
  const cursor = (needle: string) => {
    let at = -1;
    return (i: number): number => {
      if (at < i) {
        const f = code.indexOf(needle, i);
        at = f < 0 ? n : f;
      }
      return at;
    };
  };
  const nextBrace = cursor('{');
  const nextSemi = cursor(';');
  const nextArrow = cursor('=>');
  const semiAfterArrow = cursor(';');
  const out: Runner[] = [];
  DEFINES.lastIndex = 0;
  for (let m = DEFINES.exec(code); m && out.length < MAX_RUNNERS; m = DEFINES.exec(code)) {
    const start = m.index;
    // the body: from the first "{" (a closure's "use (...)" before it), or an arrow function's expression, to its end
    let end = -1;
    const brace = nextBrace(start);
    const arrow = m[2] !== undefined && /fn\s*(?:&\s*)?\($/i.test(m[0]) ? nextArrow(start) : n;
    if (arrow < n && arrow < brace) {
      const semi = semiAfterArrow(arrow);
      end = semi < n ? semi : -1;
    }
    // (not a declaration without a body, an interface's or an abstract one: a ";" before any "{")
    else if (brace < n && brace - start < 512 && nextSemi(start) > brace) {
      const close = closer[brace]!;
      if (close >= 0 && close - start <= MAX_EXCERPT) end = close + 1;
      // (a closure's statement ends at its ";")
      if (end > 0 && m[2] !== undefined) {
        // (looked for in the 64 characters after it only: a search to the file's end for each closure
        // of a file without a ";" would be quadratic)
        const semi = code.slice(end, end + 64).indexOf(';');
        end = semi >= 0 ? end + semi + 1 : end;
      }
    }
    if (end < 0 || end - start > MAX_EXCERPT) continue;
    // (a place that runs something within it)
    const r = firstAbove(runs, start - 1);
    if (r >= runs.length || runs[r]! >= end) continue;
    out.push({ start, end, name: m[1] !== undefined ? m[1].toLowerCase() : `$${m[2]!}` });
    DEFINES.lastIndex = end;
  }
  // (copies of a closure, `$g = $fmt;`: called as `$g(`, read with the closure before them, S23R-12)
  const closures = new Map(out.filter((r) => r.name.startsWith('$')).map((r) => [r.name, r]));
  if (closures.size > 0) {
    const copies: Runner[] = [];
    COPY.lastIndex = 0;
    for (let m = COPY.exec(code); m && copies.length < MAX_RUNNERS; m = COPY.exec(code)) {
      const of = closures.get(`$${m[2]!}`);
      if (of && m.index >= of.end) copies.push({ start: m.index, end: m.index + m[0].length, name: `$${m[1]!}`, of });
    }
    if (copies.length > 0) return [...out, ...copies].sort((a, b) => a.start - b.start);
  }
  return out;
}

/** The definitions by how a call reads: a function's name in lower case (PHP's are not case-sensitive), a variable's `$name`. */
function byName(runners: readonly Runner[]): Map<string, Runner[]> {
  const map = new Map<string, Runner[]>();
  for (const r of runners) {
    const list = map.get(r.name);
    if (list) list.push(r);
    else map.set(r.name, [r]);
  }
  return map;
}

/** The calls in `text` of a definition, found by name: each call's place in `text` and what it calls. */
function callsIn(text: string, names: ReadonlyMap<string, Runner[]>, each: (at: number, rs: Runner[]) => boolean | void): void {
  const re = new RegExp(CALL.source, 'gi');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) continue;
    const rs = names.get(m[2] !== undefined ? m[2].toLowerCase() : `$${m[3]!}`);
    if (rs && each(m.index, rs) === false) return;
  }
}

/**
 * The definitions an excerpt calls and does not hold, in groups of up to MAX_DEFS and an excerpt's
 * length: one reading of the excerpt each, up to MAX_READINGS (more: `info.capped`).
 */
function linked(names: ReadonlyMap<string, Runner[]>, bare: string, start: number, end: number, info?: { capped?: boolean }): { start: number; end: number }[][] {
  if (names.size === 0) return [];
  const seen = new Set<Runner>();
  const called: Runner[] = [];
  const take = (r: Runner): void => {
    // (a copy's closure first, in the same reading, wherever the copy is)
    if (r.of) take(r.of);
    if (seen.has(r) || (r.start >= start && r.end <= end)) return;
    seen.add(r);
    called.push(r);
  };
  // (past what the readings hold, the rest only says so: a name given to thousands of copies is looked at no further)
  const most = MAX_DEFS * MAX_READINGS;
  callsIn(bare.slice(start, end), names, (_, rs) => {
    for (const r of rs) {
      if (called.length > most) return false;
      take(r);
    }
  });
  const groups: { start: number; end: number }[][] = [];
  let group: { start: number; end: number }[] = [];
  let bytes = 0;
  for (let i = 0; i < called.length; i++) {
    const r = called[i]!;
    // (a closure and its copy after it go together: the copy counted with it)
    const withCopy = called[i + 1]?.of === r;
    const joined = r.of !== undefined && called[i - 1] === r.of;
    const size = joined ? 0 : r.end - r.start + (withCopy ? called[i + 1]!.end - called[i + 1]!.start : 0);
    if (!joined && (group.length >= MAX_DEFS - (withCopy ? 1 : 0) || (group.length > 0 && bytes + size > MAX_EXCERPT))) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    if (groups.length >= MAX_READINGS) {
      if (info) info.capped = true;
      return groups;
    }
    bytes += size;
    group.push({ start: r.start, end: r.end });
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
