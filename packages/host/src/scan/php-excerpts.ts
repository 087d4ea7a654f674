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
export const MAX_EXCERPTS = 8;
/** Bytes of one excerpt, at most (with the "<?php " put before it, within the 4 KiB the scanner reads the smallest files to). */
export const MAX_EXCERPT = 4096 - 16;
/** Files larger than this are not cut (the whole-file rules still read them). */
export const MAX_FILE = 1 << 20;

/**
 * What an excerpt is cut around: request input, content fetched from a URL, a socket, code and
 * command execution, names built in variables (`$$n`, `${...}`).
 */
const POINTS = new RegExp(`${SOURCE.source}|${REMOTE.source}|\\bstream_socket_client\\s*\\(|(?<![\\w>$:\\\\])(?:eval|assert|create_function|system|passthru|shell_exec|popen|proc_open|pcntl_exec)\\s*\\(|\\$\\$\\w|\\$\\{`, 'gi');

/**
 * The excerpts of `src` around the places POINTS finds, in order; none for a text of up to
 * `small` bytes (it is read whole) or over MAX_FILE.
 */
export function phpExcerpts(src: string, small: number): Excerpt[] {
  if (src.length <= small || src.length > MAX_FILE) return [];
  const points: number[] = [];
  POINTS.lastIndex = 0;
  for (let m = POINTS.exec(src); m && points.length < 64; m = POINTS.exec(src)) points.push(m.index);
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
    let lo = upperBound(list, at) - 1;
    let hi = lo + 1;
    let start = list[lo] ?? 0;
    let end = hi < list.length ? list[hi]! : limit;
    if (end - start > MAX_EXCERPT) continue;
    // then whole statements on either side, alternately, while the excerpt stays within bounds
    for (let grew = true; grew; ) {
      grew = false;
      if (lo > 0 && end - list[lo - 1]! <= MAX_EXCERPT) {
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
