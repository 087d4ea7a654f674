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
import { codeOnly, REMOTE, SOURCE } from './php-flow.js';

export interface Excerpt {
  /** Where it starts and ends in the text (whole statements). */
  readonly start: number;
  readonly end: number;
}

/** Excerpts per file, at most. */
export const MAX_EXCERPTS = 256;
/** Bytes of one excerpt, at most (with the "<?php " put before it, within the 4 KiB the scanner reads the smallest files to). */
export const MAX_EXCERPT = 4096 - 16;
/** Files larger than this are not cut (the whole-file rules still read them). */
export const MAX_FILE = 1 << 20;

/**
 * Where an excerpt is cut: around what a planted shell needs and an application seldom has, code
 * run from text, content fetched from a URL, a socket (STRONG); or around a command function, a
 * callback, a variable or expression called, an include of a variable, a name built in a variable
 * (`$$n`, `${...}`) with request input within an excerpt's length of it (NEAR_INPUT). An
 * application reads its input in many places; a point of the first kind with input beside it is
 * rarer, and it is what every injected shell of the tests has.
 */
const STRONG = new RegExp(`${REMOTE.source}|\\bstream_socket_client\\s*\\(|(?<![\\w>$:\\\\])(?:eval|assert|create_function)\\s*\\(`, 'gi');
const NEAR_INPUT = /(?<![\w>$:\\])(?:system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|ob_start|call_user_func(?:_array)?|array_map|array_filter|array_walk|usort|uasort|uksort|register_shutdown_function|move_uploaded_file|copy|rename|file_put_contents|mysqli?_connect|wp_create_user|wp_insert_user|set_role|add_role)\s*\(|(?<![\w>:$\\])\$\w{1,64}\s*\(|[)\]}'"]\s*\(\s*[$@]|\b(?:include|require)(?:_once)?\s*\(?\s*\$|\$\$\w|\$\{/gi;
// (and a superglobal's name as a string, '_GET', or $GLOBALS indexed by a variable: how shells reach input without naming it)
const INPUT = new RegExp(`${SOURCE.source}|["']_(?:GET|POST|REQUEST|COOKIE|FILES|SERVER)["']|\\$GLOBALS\\s*\\[\\s*\\$|["']_G["']\\s*\\.|["']_P["']\\s*\\.`, 'gi');
/** Points looked at per kind, at most. */
const MAX_POINTS = 4096;

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
export function phpExcerpts(src: string, small: number): Excerpt[] {
  if (src.length <= small || src.length > MAX_FILE) return [];
  const inputs = positions(INPUT, src);
  const near = inputs.length === 0 ? [] : positions(NEAR_INPUT, src).filter((p) => {
    const k = upperBound(inputs, p);
    return (k > 0 && p - inputs[k - 1]! <= MAX_EXCERPT) || (k < inputs.length && inputs[k]! - p <= MAX_EXCERPT);
  });
  const points = [...positions(STRONG, src), ...near].sort((a, b) => a - b);
  if (points.length === 0) return [];
  const code = codeOnly(src);
  // One walk: for each point, the block it is in (the index of its "{", -1 for the file's top
  // level); for each block, where its statements end (after a ";" or a "}" at its own depth).
  const stack: number[] = [-1];
  const ends = new Map<number, number[]>([[-1, [0]]]);
  const closes = new Map<number, number>();
  const parent = new Map<number, number>();
  const blockOf: number[] = [];
  let p = 0;
  for (let i = 0; i < code.length; i++) {
    while (p < points.length && points[p]! <= i) {
      blockOf.push(stack[stack.length - 1]!);
      p++;
    }
    const c = code.charCodeAt(i);
    if (c === 123) {
      if (stack.length >= 256) continue;
      parent.set(i, stack[stack.length - 1]!);
      stack.push(i);
      ends.set(i, [i + 1]);
    } else if (c === 125 && stack.length > 1) {
      const open = stack.pop()!;
      closes.set(open, i);
      ends.get(stack[stack.length - 1]!)!.push(i + 1);
    } else if (c === 59) ends.get(stack[stack.length - 1]!)!.push(i + 1);
  }
  while (p++ < points.length) blockOf.push(stack[stack.length - 1]!);
  const out: Excerpt[] = [];
  for (let k = 0; k < points.length && out.length < MAX_EXCERPTS; k++) {
    let at = points[k]!;
    if (out.some((e) => e.start <= at && at < e.end)) continue;
    let block = blockOf[k]!;
    // out of every block that fits whole (a function, a class, an if): the excerpt starts from the
    // outermost statement that does
    while (block >= 0 && (closes.get(block) ?? src.length) - block < MAX_EXCERPT) {
      at = block;
      block = parent.get(block)!;
    }
    const list = ends.get(block)!;
    const limit = block < 0 ? src.length : (closes.get(block) ?? src.length);
    // the statement holding the point: from the last end at or before it to the first after it
    const floor = out.length > 0 ? out[out.length - 1]!.end : 0;
    let lo = upperBound(list, at) - 1;
    let hi = lo + 1;
    let start = list[lo] ?? 0;
    let end = hi < list.length ? list[hi]! : limit;
    if (end - start > MAX_EXCERPT) continue;
    // then whole statements on either side, alternately, while the excerpt stays within bounds
    for (let grew = true; grew; ) {
      grew = false;
      // (never back over the excerpt before: they are cut in the file's order, and read once each)
      if (lo > 0 && end - list[lo - 1]! <= MAX_EXCERPT && list[lo - 1]! >= floor) {
        start = list[--lo]!;
        grew = true;
      }
      const next = hi + 1 < list.length ? list[hi + 1]! : hi < list.length ? limit : -1;
      if (next > end && next - start <= MAX_EXCERPT) {
        hi++;
        end = next;
        grew = true;
      }
    }
    out.push({ start, end });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The first index of a sorted list whose value is above `v`. */
function upperBound(list: readonly number[], v: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
