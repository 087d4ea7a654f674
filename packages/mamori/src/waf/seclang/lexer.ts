// The configuration reader: file text to directives with their arguments.
//
// SecLang lives inside Apache httpd's configuration syntax, and ModSecurity v2
// (the engine CRS is written against and the one we measure against) receives
// its arguments after httpd has read them. So this follows httpd's rules:
// - A physical line whose last character is a backslash (nothing after it but
//   the newline, or CR LF) continues on the next line: the backslash goes, the
//   next line is appended as it is. A backslash followed by blanks is text.
// - A logical line whose first non-blank character is `#` is a comment (the
//   whole logical line, continuations included). There are no trailing comments.
// - Arguments are separated by blanks. An argument that starts with `"` or `'`
//   runs to the matching unescaped quote; inside it `\"` (or `\'`) stands for the
//   quote and `\\` for one backslash; any other backslash is kept as written.
//   Outside quotes a backslash is an ordinary character. Adjacent quoted
//   strings are separate arguments, not joined. (httpd's manual, "Configuration
//   Files"; CRS writes a literal backslash as \x5c to stay clear of this.)
// We differ from httpd in one way on purpose: httpd quietly takes an unterminated
// quote to the end of the line; we refuse it, since it is almost always a missing
// quote that would otherwise swallow part of the rule.
//
// Text is handled as latin1 (one character per byte), so rule patterns keep the
// exact bytes that were written, which is what ModSecurity matches against.

export interface RawDirective {
  line: number;
  name: string;
  args: string[];
}

export interface LexProblem {
  line: number;
  message: string;
}

export interface LexLimits {
  /** Longest logical line (continuations joined), in bytes. */
  maxLineBytes: number;
  /** Most arguments on one directive line. */
  maxArgs: number;
}

export const DEFAULT_LEX_LIMITS: LexLimits = { maxLineBytes: 1 << 20, maxArgs: 64 };

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;

/**
 * Reads directives from one file's text, one at a time, so that a caller who
 * stops at an error limit never holds more than it has looked at. Problems come
 * in line order with the directives; a caller that gets any problem must refuse
 * the file.
 */
export function* lexIter(text: string, limits: LexLimits = DEFAULT_LEX_LIMITS): Generator<RawDirective | (LexProblem & { problem: true })> {
  const n = text.length;
  let pos = 0;
  let lineNo = 0;
  while (pos < n) {
    // Gather one logical line. `parts` are the physical pieces; `size` bounds memory.
    const startLine = lineNo + 1;
    const parts: string[] = [];
    let size = 0;
    let tooLong = false;
    for (;;) {
      if (pos >= n) break;
      let end = text.indexOf('\n', pos);
      if (end < 0) end = n;
      lineNo++;
      // httpd continues a line only when the backslash is the very last
      // character before the newline (a CR may sit between them).
      let last = end;
      if (last > pos && text.charCodeAt(last - 1) === 0x0d) last--;
      const continues = end < n && last > pos && text.charCodeAt(last - 1) === 0x5c;
      const pieceEnd = continues ? last - 1 : last;
      size += pieceEnd - pos;
      if (size > limits.maxLineBytes) tooLong = true;
      else parts.push(text.slice(pos, pieceEnd));
      pos = end + 1;
      if (!continues) break;
    }
    if (tooLong) {
      yield { problem: true, line: startLine, message: `line longer than ${limits.maxLineBytes} bytes` };
      continue;
    }
    const logical = parts.join('');
    let i = 0;
    while (i < logical.length && isBlank(logical.charCodeAt(i))) i++;
    if (i >= logical.length || logical.charCodeAt(i) === 0x23 /* # */) continue;
    if (logical.indexOf('\0') >= 0) {
      yield { problem: true, line: startLine, message: 'NUL byte in the line (is this a binary file?)' };
      continue;
    }
    const words = splitWords(logical, i, limits.maxArgs + 1);
    if (typeof words === 'string') {
      yield { problem: true, line: startLine, message: words };
      continue;
    }
    const [name, ...args] = words;
    if (name === undefined) continue;
    yield { line: startLine, name, args };
  }
}

/** All of lexIter at once, for tests and small inputs. */
export function lex(text: string, limits: LexLimits = DEFAULT_LEX_LIMITS): { directives: RawDirective[]; problems: LexProblem[] } {
  const directives: RawDirective[] = [];
  const problems: LexProblem[] = [];
  for (const x of lexIter(text, limits)) {
    if ('problem' in x) problems.push({ line: x.line, message: x.message });
    else directives.push(x);
  }
  return { directives, problems };
}

/** Splits a logical line into httpd arguments; returns a message string on error. */
export function splitWords(s: string, from = 0, maxWords = Infinity): string[] | string {
  const words: string[] = [];
  let i = from;
  const n = s.length;
  for (;;) {
    while (i < n && isBlank(s.charCodeAt(i))) i++;
    if (i >= n) return words;
    if (words.length >= maxWords) return `more than ${maxWords - 1} arguments on one line`;
    const q = s[i];
    if (q === '"' || q === "'") {
      let j = i + 1;
      let out = '';
      let chunk = j;
      for (;;) {
        if (j >= n) return `unterminated ${q === '"' ? 'double' : 'single'} quote (opened at column ${i + 1})`;
        const c = s[j];
        if (c === '\\' && j + 1 < n && (s[j + 1] === q || s[j + 1] === '\\')) {
          out += s.slice(chunk, j) + s[j + 1];
          j += 2;
          chunk = j;
          continue;
        }
        if (c === q) break;
        j++;
      }
      out += s.slice(chunk, j);
      words.push(out);
      i = j + 1;
    } else {
      let j = i;
      while (j < n && !isBlank(s.charCodeAt(j))) j++;
      words.push(s.slice(i, j));
      i = j;
    }
  }
}

/** A directive name or value made safe to show in a message: bounded, control bytes escaped. */
export function printable(s: string, max = 60): string {
  const cut = s.length > max ? s.slice(0, max) + '...' : s;
  return cut.replace(/[\x00-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
