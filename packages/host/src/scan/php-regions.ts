/**
 * The PHP a file runs past the part of it that is scanned (a large file: the first
 * `--max-file-size` bytes are scanned, the rest only hashed). An include runs the whole file, so
 * 40 MiB of holes or of picture data and a web shell after them (S17H-4) must not pass as clean.
 *
 * Every "<?" is taken for an open tag (short_open_tag is PHP's built-in default; "<?php" and "<?="
 * are "<?" and code), and the bytes after it are read as PHP's lexer reads them, as they stream
 * past (parts of any size, in order), up to where the code ends:
 * - "?>" outside a literal or comment ends it (and `__halt_compiler`: the parse ends there);
 * - a control byte outside a literal or comment is a parse error in PHP 8: the file would not
 *   run, so this "<?" did not open code (random data: almost every one of them);
 * - literals ('...', "...", `...`, heredocs, nowdocs) take any byte, and "{$...}" / "${...}" in
 *   those that interpolate are code again; comments take any byte and are left out of what is
 *   kept (a megabyte of comment in front of a shell costs the attacker nothing, and the rules
 *   need not see it).
 * What the code of a region that reaches past the scanned part holds is kept (at most
 * REGION_BYTES of it) for the scanner's rules, which judge all the regions together as one PHP
 * file (a shell split over two tags shares its variables: S18R-2). A region that runs on past
 * REGION_BYTES of code or literal is `long` (padding a shell past what is read: S18R-1); more
 * regions, tags or open regions than are followed is `overflow`. Both are suspicious.
 *
 * Cost: the search for "<?" is Buffer.indexOf; a region in random data dies within a few bytes;
 * at most MAX_OPEN regions are read at once and at most TAGS_PER_16K tags a 16 KiB (random data
 * has one "<?" in 64 KiB): past either, the look stops (`overflow`).
 */

/** Bytes after "<?" that decide whether it opens code plainly (opensCode). */
export const TAG_WINDOW = 24;

/** Code and literal bytes of a region kept for the rules, at most; a region with more is `long`. */
export const REGION_BYTES = 256 * 1024;
/** Bytes a region past the scanned part is read, comments included, at most (more: `long`; S18Q-7: 16 regions in comments to the end of a GiB). */
const READ_LIMIT = 4 * 1024 * 1024;
/** Regions past the scanned part kept for the rules, at most (more: `overflow`). */
export const MAX_REGIONS = 64;
/** Regions being read at once, at most (more: `overflow`). */
const MAX_OPEN = 16;
/** Tags looked at, at most this many a 16 KiB of the file (and 4,096 whatever its size). */
const TAGS_PER_16K = 1;
/** Bytes from a tag that PHP 7.4 reads on past a control byte, taken for the rules (as the scanned part's CODE_SPAN). */
export const SPAN7 = 8192;
/** Such windows kept, at most. */
export const MAX_SEVEN = 16;
/** What a shell's code calls (a control byte may stand between a name and its "(" in PHP 7.4): a window without any is not kept. */
const SHELL_CALL = /\b(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function|base64_decode|gzinflate|gzuncompress|str_rot13|include|require|include_once|require_once|call_user_func(?:_array)?|file_put_contents|move_uploaded_file|preg_replace)[\x00-\x20\x7f]*\(|\$_(?:GET|POST|REQUEST|COOKIE|FILES|SERVER)\b/i;

/** "{$...}" nested this deep in literals is `long` (PHP takes it; nothing legitimate does). */
const MAX_NEST = 32;

/**
 * Whether the "<?" at `i` opens code plainly: "<?php", or "<?=" / "<? " before a short run of
 * printable text with a $, ( or ` in it. Such a tag past the scanned part makes the file
 * suspicious whatever the rules find in its code.
 */
export function opensCode(b: Buffer, i: number): boolean {
  if ((b[i + 2]! | 0x20) === 0x70 && (b[i + 3]! | 0x20) === 0x68 && (b[i + 4]! | 0x20) === 0x70) return true;
  const c = b[i + 2];
  if (c !== 0x3d && c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return false;
  let code = false;
  for (let k = i + 3; k < Math.min(b.length, i + 2 + TAG_WINDOW); k++) {
    const x = b[k]!;
    if (x === 0x24 || x === 0x28 || x === 0x60) code = true;
    else if ((x < 0x20 || x > 0x7e) && x !== 0x0a && x !== 0x0d && x !== 0x09) return false;
  }
  return code;
}

/** A region reported: where its "<?" is, the code and literals kept from it, and how it ended. */
export interface PhpRegion {
  at: number;
  bytes: Buffer;
  /** "<?php" or plain code after "<?=" / "<? " (opensCode). */
  plain: boolean;
  /** It ran on past REGION_BYTES, or nested literals past MAX_NEST: not all of it was read. */
  long: boolean;
}

export interface PastTags {
  feed(bytes: Buffer, at: number): void;
  end(): void;
  /** The regions that reach past the scanned part (at most MAX_REGIONS), in the order they ended. */
  readonly regions: readonly PhpRegion[];
  /**
   * The bytes from a "<?" whose code PHP 8 refuses at a control byte but PHP 7.4 and older skip it
   * and run on (at most SPAN7 of them from the tag, MAX_SEVEN windows), where they reach past the
   * scanned part and call something a shell calls: for the rules, as PHP 7.4 reads them.
   */
  readonly seven: readonly Buffer[];
  /** More such windows than MAX_SEVEN: the rest were not looked at (decoys can fill the windows). */
  readonly sevenOverflow: boolean;
  /** More regions, tags or open regions than are followed: the rest of the file was not looked at. */
  readonly overflow: boolean;
}

// The lexer's modes.
const CODE = 0;
const SQ = 1; // '...'
const DQ = 2; // "..."
const BT = 3; // `...`
const LINE = 4; // # or // comment
const BLOCK = 5; // /* */ comment
const HEAD = 6; // after "<<<": the heredoc's label
const HEREDOC = 7;
const NOWDOC = 8;

const HALT = Buffer.from('__halt_compiler');

const isLabel = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c >= 0x80;

const isControl = (c: number): boolean => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f;

/** What Region.step says: the region is not code (a parse error), or goes on past these bytes. */
const DEAD = -1;
const OPEN = -2;

/** One "<?" being read: its lexer's state, and what is kept of it. */
class Region {
  readonly at: number;
  /** Bytes read after the "<?" (code, literals and comments). */
  read = 0;
  /** What is kept: the tag, code and literals (a comment as one space), at most REGION_BYTES. */
  readonly kept: Buffer[] = [Buffer.from('<?')];
  keptBytes = 2;
  /** The first bytes after "<?", for opensCode. */
  head: Buffer = Buffer.alloc(0);
  mode = CODE;
  prev = 0;
  escaped = false;
  /** Braces open in the current "{$...}". */
  depth = 0;
  /** For each open "{$...}": the literal's mode, the braces and the heredoc label to go back to. */
  readonly stack: { mode: number; depth: number; label: string }[] = [];
  /** The last two bytes of code that are not blanks (for "->" and "::" before a name). */
  sig = 0;
  sig2 = 0;
  lts = 0; // "<" in a row in code
  halt = 0; // bytes of "__halt_compiler" matched, as a name of its own
  fresh = false; // a block comment's "*" that opened it (its "/*" cannot close it)
  hashOpened = false; // a line comment opened by "#" at the byte before ("#[" is an attribute)
  label = ''; // a heredoc's
  labelAt = -1; // bytes of the label matched at a line's start (-1: not at one)
  headState = 0; // in HEAD: 0 blanks and quote, 1 label, 2 after it
  headQuote = 0;
  long = false;

  constructor(at: number) {
    this.at = at;
  }

  /** Reads `b` from `i`: DEAD, OPEN, or where the region ended (just past it, in `b`). */
  step(b: Buffer, i: number): number {
    const start = i;
    if (this.head.length < TAG_WINDOW) this.head = Buffer.concat([this.head, b.subarray(i, i + TAG_WINDOW - this.head.length)]);
    // the run of bytes to keep: from keepFrom to where a comment opens or the read ends
    let keepFrom = this.mode === LINE || this.mode === BLOCK ? b.length : i;
    const keep = (to: number): void => {
      if (to > keepFrom && this.keptBytes < REGION_BYTES) {
        const n = Math.min(to - keepFrom, REGION_BYTES - this.keptBytes);
        this.kept.push(Buffer.from(b.subarray(keepFrom, keepFrom + n)));
        this.keptBytes += n;
        if (this.keptBytes >= REGION_BYTES) this.long = true;
      }
      keepFrom = Math.max(keepFrom, to);
    };
    const done = (end: number): number => {
      keep(end);
      this.read += end - start;
      return end;
    };
    const comment = (mode: number, open: number): void => {
      keep(Math.max(open, keepFrom));
      if (this.keptBytes < REGION_BYTES) {
        this.kept.push(Buffer.from(' '));
        this.keptBytes++;
      }
      keepFrom = b.length; // nothing kept until it closes
      this.mode = mode;
    };
    for (; i < b.length; i++) {
      const c = b[i]!;
      const prev = this.prev;
      this.prev = c;
      switch (this.mode) {
        case CODE: {
          if (c === 0x3e && prev === 0x3f) return done(i + 1); // "?>"
          if (this.halt === HALT.length) {
            // "__halt_compiler" as a name of its own: the parse ends there, whatever follows
            if (!isLabel(c)) return done(i);
            this.halt = 0;
          }
          if (isControl(c)) return DEAD;
          // (a name of its own: not the end of another name, nor a variable's $__halt_compiler)
          // (nor a property's or a constant's: $a->__halt_compiler is a name, S18Q-6)
          const want = HALT[this.halt]!;
          const member = (this.sig === 0x3e && this.sig2 === 0x2d) || (this.sig === 0x3a && this.sig2 === 0x3a);
          const starts = !isLabel(prev) && prev !== 0x24 && prev !== 0x5c && !member;
          if ((c === want || (want >= 0x61 && (c | 0x20) === want)) && (this.halt > 0 || starts)) this.halt++;
          else this.halt = c === 0x5f && starts ? 1 : 0;
          this.lts = c === 0x3c ? this.lts + 1 : 0;
          if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && !isLabel(c)) {
            this.sig2 = this.sig;
            this.sig = c;
          } else if (isLabel(c)) this.sig = this.sig2 = 0;
          if (c === 0x27) this.mode = SQ;
          else if (c === 0x22) this.mode = DQ;
          else if (c === 0x60) this.mode = BT;
          else if (c === 0x23) {
            comment(LINE, i);
            this.hashOpened = true;
            continue;
          } else if (c === 0x2f && prev === 0x2f) comment(LINE, i - 1);
          else if (c === 0x2a && prev === 0x2f) {
            comment(BLOCK, i - 1);
            this.fresh = true;
            continue;
          } else if (this.lts === 3) {
            this.mode = HEAD;
            this.headState = 0;
            this.headQuote = 0;
            this.label = '';
            this.lts = 0;
          } else if (c === 0x7b) this.depth++;
          else if (c === 0x7d) {
            if (this.depth > 0) this.depth--;
            else if (this.stack.length) {
              const back = this.stack.pop()!;
              this.depth = back.depth;
              this.mode = back.mode;
              this.label = back.label;
            }
          }
          break;
        }
        case SQ:
          if (this.escaped) this.escaped = false;
          else if (c === 0x5c) this.escaped = true;
          else if (c === 0x27) this.mode = CODE;
          break;
        case DQ:
        case BT:
        case HEREDOC:
        case NOWDOC: {
          // A heredoc's closing label is looked for in every byte, escapes or not (S18Q-3/4).
          if (this.mode === HEREDOC || this.mode === NOWDOC) {
            const closed = this.#closes(c);
            if (closed) {
              // the byte after the label is code again: read it as such (S18Q-8: "A#" opens a comment)
              this.mode = CODE;
              this.escaped = false;
              this.prev = 0;
              i--;
              continue;
            }
            if (this.mode === NOWDOC) break;
          }
          if (this.escaped) {
            // an escaped byte starts nothing ("\{$" is not "{$")
            this.escaped = false;
            this.prev = 0;
          } else if (c === 0x5c) this.escaped = true;
          else if ((this.mode === DQ && c === 0x22) || (this.mode === BT && c === 0x60)) this.mode = CODE;
          else if ((c === 0x24 && prev === 0x7b) || (c === 0x7b && prev === 0x24)) {
            if (this.stack.length >= MAX_NEST) {
              this.long = true;
              done(i + 1);
              return OPEN;
            }
            this.stack.push({ mode: this.mode, depth: this.depth, label: this.label });
            this.mode = CODE;
            this.depth = 0;
            this.prev = 0;
          }
          break;
        }
        case LINE:
          if (c === 0x0a || c === 0x0d) {
            this.mode = CODE;
            keepFrom = i;
          } else if (c === 0x3e && prev === 0x3f) {
            keepFrom = i - 1;
            return done(i + 1); // "?>" ends the code from a line comment too
          } else if (c === 0x5b && this.hashOpened) {
            this.mode = CODE; // "#[": an attribute (PHP 8), not a comment
            keepFrom = i;
          }
          this.hashOpened = false;
          break;
        case BLOCK:
          if (c === 0x2f && prev === 0x2a && !this.fresh) {
            this.mode = CODE;
            this.prev = 0;
            keepFrom = i + 1;
          }
          this.fresh = false;
          break;
        case HEAD:
          if (!this.#head(c)) {
            this.mode = CODE; // not a heredoc: read on as code (PHP refuses it anyway)
            if (isControl(c)) return DEAD;
          }
          break;
      }
    }
    keep(b.length);
    this.read += b.length - start;
    return OPEN;
  }

  /** In HEAD: takes one byte of "<<<" [blanks] ["'] label ["'] newline; false when this is no heredoc. */
  #head(c: number): boolean {
    if (this.headState === 0) {
      if (this.headQuote === 0 && (c === 0x20 || c === 0x09)) return true;
      if ((c === 0x22 || c === 0x27) && this.headQuote === 0) {
        this.headQuote = c;
        return true;
      }
      if (!isLabel(c) || (c >= 0x30 && c <= 0x39)) return false;
      this.headState = 1;
    }
    if (this.headState === 1) {
      if (isLabel(c)) {
        // (PHP has no limit on a label; past 64 KiB of one the region is long: suspicious, S18Q-2)
        if (this.label.length >= 65536) {
          this.long = true;
          return true;
        }
        this.label += String.fromCharCode(c);
        return true;
      }
      this.headState = 2;
      if (this.headQuote !== 0) return c === this.headQuote;
    }
    // (PHP's newline is \n, \r or \r\n: a \n after the \r is the body's first line start again)
    if (c === 0x0a || c === 0x0d) {
      this.mode = this.headQuote === 0x27 ? NOWDOC : HEREDOC;
      this.labelAt = 0;
      return true;
    }
    return false;
  }

  /** In a heredoc or nowdoc: whether `c` ends its closing label (first on a line but for blanks, then a byte no label has). */
  #closes(c: number): boolean {
    if (c === 0x0a || c === 0x0d) {
      this.labelAt = 0;
      return false;
    }
    if (this.labelAt < 0) return false;
    if (this.labelAt === this.label.length) {
      this.labelAt = -1;
      if (isLabel(c)) return false;
      this.prev = c;
      return true;
    }
    if (this.labelAt === 0 && (c === 0x20 || c === 0x09)) return false;
    if (c === this.label.charCodeAt(this.labelAt)) this.labelAt++;
    else this.labelAt = -1;
    return false;
  }

  report(): PhpRegion {
    // "<?=" always opens code, and this one's code ran on without a parse error: plain, whatever
    // its first bytes hold (a high byte in a comment kept opensCode from saying so: S18Q-13);
    // opensCode takes "<?php" as it is
    const plain = this.head[0] === 0x3d || opensCode(Buffer.concat([Buffer.from('<?'), this.head]), 0);
    return { at: this.at, bytes: Buffer.concat(this.kept), plain, long: this.long };
  }
}

/**
 * Finds the regions of PHP a file's bytes open whose code reaches past `bound` (the end of the
 * scanned part), fed from the file's start in order (see the module's comment).
 */
export function phpTagPast(bound: number): PastTags {
  const regions: PhpRegion[] = [];
  const seven: Buffer[] = [];
  let sevenOverflow = false;
  // PHP 7.4 windows still being read: their bytes so far, and where the window ends (absolute)
  let pending7: { parts: Buffer[]; end: number }[] = [];
  let open: Region[] = [];
  let overflow = false;
  let tags = 0;
  let last = -1; // the byte before this part, and where it is
  let lastAt = -1;
  let seen = 0;
  const stop = (): void => {
    overflow = true;
    open = [];
  };
  /** A region has ended at absolute `end` (undefined: the file ended in it). */
  const ended = (r: Region, end: number | undefined): void => {
    if (end !== undefined && end <= bound) return; // all of it in the scanned part
    if (regions.length >= MAX_REGIONS) return stop();
    regions.push(r.report());
  };
  /** A PHP 7.4 window read to its end: kept when it calls something a shell calls. */
  const settle7 = (parts: Buffer[]): void => {
    const bytes = Buffer.concat(parts);
    if (!SHELL_CALL.test(bytes.toString('latin1'))) return;
    if (seven.length < MAX_SEVEN) seven.push(bytes);
    else sevenOverflow = true;
  };
  /**
   * The region died at a control byte in code, which PHP 7.4 skips: the bytes from its tag (the
   * code it kept, when the tag was in an earlier part), SPAN7 in all, are read as PHP 7.4 reads them.
   */
  const window7 = (r: Region, b: Buffer, at: number): void => {
    if (r.at + SPAN7 <= bound || sevenOverflow || pending7.length >= MAX_SEVEN) return;
    const head = r.at >= at ? [] : r.kept;
    const have = head.reduce((n, x) => n + x.length, 0);
    const from = r.at >= at ? r.at - at : 0;
    const to = Math.min(b.length, from + SPAN7 - have);
    const parts = [...head, Buffer.from(b.subarray(from, to))];
    const end = at + from + SPAN7 - have;
    if (to === b.length && end > at + b.length) pending7.push({ parts, end });
    else settle7(parts);
  };
  /** Reads `b` (from `at`) into a region from `i`: whether it is still open. */
  const run = (r: Region, b: Buffer, i: number, at: number): boolean => {
    const e = r.step(b, i);
    if (e === DEAD) {
      window7(r, b, at);
      return false;
    }
    if (e >= 0) {
      ended(r, at + e);
      return false;
    }
    // Still open: once past the scanned part, a region with more than REGION_BYTES kept (or
    // literals nested too deep) is reported as far as it was read.
    if ((r.long || r.read > READ_LIMIT) && at + b.length > bound) {
      r.long = true;
      ended(r, undefined);
      return false;
    }
    return true;
  };
  /** A "<?" at `i` of `b` (-1: its "<" ended the last part) opens a region. */
  const begin = (b: Buffer, i: number, at: number): void => {
    if (overflow) return;
    tags++;
    if (tags > 4096 && tags > ((seen / 16384) | 0) * TAGS_PER_16K) return stop();
    if (open.length >= MAX_OPEN) return stop();
    const r = new Region(at + i);
    if (run(r, b, i + 2, at)) open.push(r);
  };
  return {
    feed(bytes, at) {
      if (overflow || bytes.length === 0) return;
      seen = at + bytes.length;
      // PHP 7.4 windows begun in earlier parts take what they still lack
      if (pending7.length) {
        const still: typeof pending7 = [];
        for (const w of pending7) {
          w.parts.push(Buffer.from(bytes.subarray(0, Math.min(bytes.length, w.end - at))));
          if (w.end > at + bytes.length) still.push(w);
          else settle7(w.parts);
        }
        pending7 = still;
      }
      // the regions open from earlier parts read on
      if (open.length) open = open.filter((r) => run(r, bytes, 0, at));
      // a "<?" split over the two parts: its region starts with this part's second byte
      if (last === 0x3c && lastAt === at - 1 && bytes[0] === 0x3f) begin(bytes, -1, at);
      for (let i = bytes.indexOf('<?'); i >= 0 && !overflow; i = bytes.indexOf('<?', i + 2)) begin(bytes, i, at);
      last = bytes[bytes.length - 1]!;
      lastAt = at + bytes.length - 1;
    },
    end() {
      // the file ended inside these: their code runs to its end
      for (const r of open) if (!overflow && r.at + 2 + r.read > bound) ended(r, undefined);
      open = [];
      for (const w of pending7) settle7(w.parts);
      pending7 = [];
    },
    get regions() {
      return regions;
    },
    get seven() {
      return seven;
    },
    get sevenOverflow() {
      return sevenOverflow;
    },
    get overflow() {
      return overflow;
    },
  };
}
