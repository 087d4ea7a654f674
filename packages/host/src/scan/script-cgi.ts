/**
 * Ruby and shell CGI command shells: a script that reads its request (Ruby's CGI.new and its params, the
 * query string or standard input from the environment; a shell script's $QUERY_STRING or the body read to
 * $CONTENT_LENGTH) and runs a field of it as a command. Red team S39S found both kinds clean: the rules read
 * Perl and Python CGIs only.
 *
 * As perl-cgi.ts does for Perl, variables are followed through assignments (three rounds, by name), and a
 * command counts only where a request value is the command or part of its text: `system("convert", file)`
 * passes a field as an argument to a fixed program, which is not a shell's way. Each language is lexed first
 * (shellLex, rubyLex: quoted text, here-documents, comments, command literals), so that a sink counts only in code
 * (red team S40's false positives came from `;`, `(` and backticks inside strings). Bounded: at most MAX_TEXT
 * characters, MAX_NAMES names, SINK_MATCHES matches of a sink (perl-cgi.ts), every pattern's repetition bounded, the text before
 * a match read at most 400 characters back.
 */

import { type PerlFinding, SINK_MATCHES } from './perl-cgi.js';

/** A finding of the Ruby and shell analysers: as the Perl analyser's. */
export type ScriptCgiFinding = PerlFinding;

const MAX_TEXT = 1024 * 1024;
const MAX_NAMES = 64;

const RUBY_SHEBANG = /^#![^\n]{0,80}\bruby\b/;
const SHELL_SHEBANG = /^#!\s{0,4}(?:\/usr)?(?:\/local)?\/bin\/(?:env\s+)?(?:ba|da|k|z|a)?sh\b/;

/** Names given a value the `tainted` test holds for, three rounds: `cmd = cgi['c']`, `c2 = "#{cmd} 2>&1"`. */
function follow(code: string, assign: RegExp, direct: (rhs: string) => boolean, ref: (names: string[]) => RegExp, clean: (rhs: string) => string = (r) => r): Set<string> {
  const tainted = new Set<string>();
  for (const m of code.matchAll(assign)) {
    if (direct(clean(m[2]!))) tainted.add(m[1]!);
    if (tainted.size >= MAX_NAMES) return tainted;
  }
  for (let round = 0; round < 3 && tainted.size > 0; round++) {
    const any = ref([...tainted]);
    let grew = false;
    for (const m of code.matchAll(assign)) {
      if (tainted.has(m[1]!) || !any.test(clean(m[2]!))) continue;
      tainted.add(m[1]!);
      grew = true;
      if (tainted.size >= MAX_NAMES) return tainted;
    }
    if (!grew) break;
  }
  return tainted;
}

const escapeName = (n: string): string => n.replace(/[$@]/g, '\\$&');

// Ruby
/** A CGI object: `cgi = CGI.new`, `@c = CGI::new("html4")`. */
const RUBY_CGI_OBJECT = /(@{0,2}[A-Za-z_]\w{0,63})\s*=\s*CGI\s*(?:\.|::)\s*new\b/g;
/** An assignment (`=`, `||=`, `+=`, `<<` is not one), its name and its right side to the line's end. */
const RUBY_ASSIGN = /(?<![\w@$.:])(@{0,2}[A-Za-z_]\w{0,63})\s*(?:\|\||\+)?=(?![=~>])([^\n]{1,400})/g;

/** `text` with the characters `mask` marks `mark` made spaces (newlines kept): same length, so offsets hold. */
function blankedAt(text: string, mask: Uint8Array, mark: number): string {
  const parts: string[] = [];
  let from = 0;
  for (let k = mask.indexOf(mark); k >= 0; k = mask.indexOf(mark, k)) {
    let e = k;
    while (e < text.length && mask[e] === mark) e++;
    parts.push(text.slice(from, k), text.slice(k, e).replace(/[^\n]/g, ' '));
    from = e;
    k = e;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/**
 * Here-documents whose bodies start at `at`: each body's lines marked 2 in `mask`, up to the line `ends` says closes it
 * (the next tag's body follows). Returns where the text after the last body starts.
 */
function maskHereDocs<T>(text: string, mask: Uint8Array, at: number, docs: readonly T[], ends: (line: string, doc: T) => boolean): number {
  const n = text.length;
  for (const d of docs) {
    while (at < n) {
      const eol = text.indexOf('\n', at);
      const stop = eol < 0 ? n : eol;
      const line = text.slice(at, stop);
      mask.fill(2, at, stop);
      at = stop + 1;
      if (ends(line, d)) break;
    }
  }
  return at;
}

/**
 * Ruby text read for its literals: each character's place, code (0), a string's text (1), a comment, =begin block or
 * here-document body (2); and the command literals (backticks, %x) opened in code, with their contents' spans. A
 * double-quoted string's or a command literal's `#{..}` is code. One pass, linear; what it cannot tell (a "/" as a
 * regex or a division) it reads as code.
 */
function rubyLex(text: string): { mask: Uint8Array; commands: { start: number; from: number; to: number }[] } {
  const n = text.length;
  const mask = new Uint8Array(n);
  const commands: { start: number; from: number; to: number }[] = [];
  const docs: string[] = [];
  const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
  /** A literal from `at` (after its opening) closed by `close` (nested when `open`), interpolating when `interp`; its end (after the closing). */
  const literal = (at: number, open: string, close: string, interp: boolean): number => {
    let depth = 1;
    let k = at;
    for (; k < n; k++) {
      const c = text[k]!;
      if (c === '\\') { mask[k] = 1; if (k + 1 < n) mask[k + 1] = 1; k++; continue; }
      if (interp && c === '#' && text[k + 1] === '{') {
        // (code to the matching brace)
        // (a command literal inside it is one too: "<pre>#{`#{cmd}`}</pre>")
        let d = 1;
        k += 2;
        for (; k < n && d > 0; k++) {
          if (text[k] === '{') d++;
          else if (text[k] === '}') d--;
          else if (text[k] === '`' && commands.length < SINK_MATCHES) {
            const close = text.indexOf('`', k + 1);
            if (close < 0) break;
            commands.push({ start: k, from: k + 1, to: close });
            k = close;
          }
        }
        k--;
        continue;
      }
      if (open && c === open && open !== close) depth++;
      else if (c === close && --depth === 0) return k + 1;
      mask[k] = 1;
    }
    return n;
  };
  let lineStart = true;
  for (let k = 0; k < n; k++) {
    const c = text[k]!;
    if (c === '\n') {
      lineStart = true;
      if (docs.length > 0) {
        const at = maskHereDocs(text, mask, k + 1, docs, (line, tag) => line.trim() === tag);
        docs.length = 0;
        k = at - 2;
      }
      continue;
    }
    if (lineStart && c === '=' && text.startsWith('=begin', k)) {
      const end = text.indexOf('\n=end', k);
      const stop = end < 0 ? n : end + 5;
      mask.fill(2, k, stop);
      k = stop - 1;
      continue;
    }
    if (c !== ' ' && c !== '\t') lineStart = false;
    if (c === '#') {
      const eol = text.indexOf('\n', k);
      const stop = eol < 0 ? n : eol;
      mask.fill(2, k, stop);
      k = stop - 1;
      continue;
    }
    // ($" $' $` are globals; ?# ?' ?" are character literals: red team S40B)
    if ((c === "'" || c === '"' || c === '`') && text[k - 1] === '$') continue;
    if (c === '?' && /[\s(,=[{]/.test(text[k - 1] ?? '\n') && k + 1 < n && !/\s/.test(text[k + 1]!)) {
      const len = text[k + 1] === '\\' ? 2 : 1;
      if (!/\w/.test(text[k + 1 + len] ?? '')) {
        mask.fill(1, k + 1, k + 1 + len);
        k += len;
        continue;
      }
    }
    if (c === "'") { k = literal(k + 1, '', "'", false) - 1; continue; }
    if (c === '"') { k = literal(k + 1, '', '"', true) - 1; continue; }
    if (c === '`' && !/[\w:]/.test(text[k - 1] ?? '')) {
      const end = literal(k + 1, '', '`', true);
      commands.push({ start: k, from: k + 1, to: end - 1 });
      k = end - 1;
      continue;
    }
    if (c === '%') {
      const m = /^%([qQwWiIrsx]?)([^\w\s])/.exec(text.slice(k, k + 3));
      // (a % after a value, `"%s" % id` or `a % (b)`, is the operator)
      const prev = /\S/.exec(text.slice(Math.max(0, k - 4), k).split('').reverse().join(''))?.[0] ?? '';
      if (m && !(m[1] === '' && /[\w)\]"'}]/.test(prev)) && !(text[k + 1] === ' ')) {
        const d = m[2]!;
        const close = OPEN[d] ?? d;
        const from = k + m[0].length;
        const end = literal(from, OPEN[d] ? d : '', close, m[1] === '' || /[QWIrx]/.test(m[1]!));
        if (m[1] === 'x') commands.push({ start: k, from, to: end - 1 });
        k = end - 1;
        continue;
      }
    }
    if (c === '<' && text[k + 1] === '<' && docs.length < 8) {
      const m = /^<<([~-]?)(["'`]?)([A-Z_][A-Z0-9_]{0,63})\2/.exec(text.slice(k, k + 80));
      if (m) {
        docs.push(m[3]!);
        k += m[0].length - 1;
      }
    }
  }
  return { mask, commands };
}

/** What makes a value safe for a shell: Shellwords' escaping (a basename alone is not). */
// (nor a number: cgi['size'].to_i)
const RUBY_ESCAPED = /\bShellwords\s*\.\s*(?:escape|shellescape|join|shelljoin)\b|\.\s*(?:shellescape|shelljoin|to_i|to_f)\b|\b(?:Integer|Float)\s*\(/;

/** A right side less what it escapes for the shell: `#{Shellwords.escape(name)}`, `Shellwords.join(..)`, `x.to_i`. */
function rubyUnescaped(input: string): string {
  // (a value looked up in a table of the script's own by a field is the table's: REPORTS.fetch(name), red team S40B)
  const rhs = /[A-Z][A-Z0-9_]{0,63}\s*(?:\[|\.\s*fetch\b)/.test(input) ? input.replace(/(?<![\w@$.:])(?!ENV\b)[A-Z][A-Z0-9_]{0,63}\s*(?:\[[^\]\n]{0,200}\]|\.\s*fetch\s*\([^)\n]{0,200}\))/g, '') : input;
  if (!RUBY_ESCAPED.test(rhs)) return rhs;
  return rhs
    .replace(/#\{[^}\n]{0,200}\}/g, (seg) => (RUBY_ESCAPED.test(seg) ? '' : seg))
    .replace(/\bShellwords\s*\.\s*\w{1,20}\s*\([^()\n]{0,200}\)/g, '')
    .replace(/[\w@.[\]'"]{1,200}\.\s*(?:shellescape|shelljoin|to_i|to_f)\b/g, '')
    .replace(/\b(?:Integer|Float)\s*\([^()\n]{0,200}\)/g, '');
}

function rubyCgi(text: string, path: string): ScriptCgiFinding[] {
  if (!(RUBY_SHEBANG.test(text) || (/\.(?:rb|rbw)$/i.test(path) && /\bCGI\s*(?:\.|::)\s*new\b|ENV\s*\[\s*["'](?:QUERY_STRING|CONTENT_LENGTH)/.test(text)))) return [];
  const { mask, commands } = rubyLex(text);
  // the text with comments, =begin blocks and here-documents blanked (strings kept: a value's interpolations are read)
  const code = blankedAt(text, mask, 2);
  const isCode = (at: number): boolean => mask[at] === 0;
  const objects = new Set<string>();
  for (const m of code.matchAll(RUBY_CGI_OBJECT)) if (objects.size < 16 && isCode(m.index!)) objects.add(m[1]!);
  // (not a proxy setting a script reads for its own downloads, ENV['HTTP_PROXY']; and standard input only in a script that
  // is a CGI, not a git hook's or a filter's: red team S41)
  const cgiLike = /\bCGI\b|QUERY_STRING|REQUEST_METHOD|CONTENT_LENGTH|content-type:/i.test(code);
  const env = String.raw`ENV\s*(?:\[\s*|\.\s*fetch\s*\(\s*)["'](?:QUERY_STRING|HTTP_(?!PROXY["'])[A-Z_]{1,40})["']|${cgiLike ? String.raw`(?:\$stdin|STDIN)\s*\.\s*read\b|` : ''}CGI\s*\.\s*parse\s*\(`;
  if (objects.size === 0 && !new RegExp(env).test(code)) return [];
  const objRead = objects.size > 0 ? String.raw`(?<![\w@])(?:${[...objects].map(escapeName).join('|')})\s*(?:\[|\.\s*(?:params|cookies)\b)|` : '';
  const read = new RegExp(String.raw`${objRead}${env}`);
  // (not a value escaped for the shell, nor a hash: `clean = { 'QUERY_STRING' => ENV[..] }` is an environment given to spawn)
  const names = follow(code, RUBY_ASSIGN, (rhs) => read.test(rhs) && !RUBY_ESCAPED.test(rhs) && !/^\s*\{/.test(rhs), (ns) => new RegExp(String.raw`(?<![\w@.:])(?:${ns.map(escapeName).join('|')})(?![\w(])`), rubyUnescaped);
  const nameRe = names.size > 0 ? String.raw`(?<![\w@.:"'])(?:${[...names].map(escapeName).join('|')})(?![\w(])|` : '';
  const value = new RegExp(String.raw`${nameRe}${read.source}`);
  const interpolated = (s: string): boolean => {
    for (const m of s.matchAll(/#\{([^}\n]{1,200})\}/g)) if (value.test(m[1]!) && !RUBY_ESCAPED.test(m[1]!)) return true;
    return false;
  };
  // Backticks and %x(..) opened in code: a command text interpolating a request value.
  for (const l of commands) {
    if (interpolated(text.slice(l.from, l.to))) return [rubyFinding(l.start, text[l.start] === '`' ? 'backticks' : '%x')];
  }
  // Calls in code whose first argument is a request value, or a string interpolating one; open("|..") a piped open.
  // (an environment hash first, spawn({..}, cmd) or system(env, cmd), is skipped)
  const first = String.raw`\s*\(?\s*(?:\{[^{}\n]{0,400}\}\s*,\s*)?(?:"((?:[^"\\\n]|\\.){0,400})"|([^,)\n]{1,200}))`;
  const calls = new RegExp(String.raw`(?<![\w@$.])(?:(?:Kernel|Process)\s*\.\s*)?(system|exec|spawn|eval|instance_eval|IO\s*\.\s*popen|Open3\s*\.\s*(?:popen[23]e?|capture[23]e?|pipeline\w{0,10})|PTY\s*\.\s*spawn|open)(?![\w?!])${first}`, 'g');
  let seen = 0;
  for (const m of code.matchAll(calls)) {
    if (++seen > SINK_MATCHES) break;
    if (!isCode(m.index!)) continue;
    const how = m[1]!.replace(/\s+/g, '');
    const str = m[2];
    const bare = m[3];
    if (how === 'open') {
      // (only a pipe: open("|#{cmd}"), open("|" + cmd))
      if ((str !== undefined && str.startsWith('|') && interpolated(str)) || (bare !== undefined && /^["']\|["']\s*\+/.test(bare) && value.test(bare))) return [rubyFinding(m.index!, 'a piped open')];
      continue;
    }
    if (str !== undefined ? interpolated(str) : bare !== undefined && !RUBY_ESCAPED.test(bare) && value.test(bare.split(/\s+(?:if|unless)\b/)[0]!)) return [rubyFinding(m.index!, how)];
  }
  // (each space a bounded run of blanks: `\s*` runs side by side were cubic over a blanked =begin block, red team S41)
  // The same sinks reached by name (red team S40): `send(:system, c)`, `Kernel.public_send("exec", c)`,
  // `method(:system).call(c)`, `.(c)` or `[c]`; and a shell given the value in a list, `system("sh", "-c", c)`,
  // `Open3.capture2e("bash", "-lc", c)`, `spawn(["sh", "sh"], "-c", c)`; a shell under any path, after env or busybox,
  // PTY.spawn and Open3's pipelines (red team S41).
  /** Whether the first argument of `args` is a request value, or a string interpolating one. */
  const firstIsValue = (args: string): boolean => {
    const str = /^\s*"((?:[^"\\\n]|\\.){0,400})"/.exec(args);
    const bare = args.split(/[,)\]]|\s+(?:if|unless)\b/)[0]!;
    return str !== null ? interpolated(str[1]!) : !RUBY_ESCAPED.test(bare) && value.test(bare);
  };
  const byName = new RegExp(
    String.raw`(?<![\w@$])(?:(?:send|public_send|__send__)[ \t]{0,20}\(?[ \t]{0,20}(?::["']?|["'])?(system|exec|spawn|eval|instance_eval|popen[23]?e?|capture[23]e?|\`)["']?[ \t]{0,20},|method[ \t]{0,20}\([ \t]{0,20}[:"']?(system|exec|spawn|eval|instance_eval|\`)["']?[ \t]{0,20}\)[ \t]{0,20}(?:\.[ \t]{0,20}(?:call[ \t]{0,20})?\(|\[))([^\n]{1,400})`,
    'g',
  );
  seen = 0;
  for (const m of code.matchAll(byName)) {
    if (++seen > SINK_MATCHES) break;
    if (!isCode(m.index!)) continue;
    if (firstIsValue(m[3]!)) return [rubyFinding(m.index!, `${(m[1] ?? m[2])!} by name`)];
  }
  const shellList = new RegExp(
    String.raw`(?<![\w@$.])(?:(?:Kernel|Process)[ \t]{0,20}\.[ \t]{0,20})?(system|exec|spawn|IO[ \t]{0,20}\.[ \t]{0,20}popen|PTY[ \t]{0,20}\.[ \t]{0,20}spawn|Open3[ \t]{0,20}\.[ \t]{0,20}(?:popen[23]e?|capture[23]e?|pipeline\w{0,10}))[ \t]{0,20}\(?[ \t]{0,20}(?:\{[^{}\n]{0,400}\}[ \t]{0,20},[ \t]{0,20})?\[?[ \t]{0,20}(?:["'](?:(?:\/usr)?\/bin\/)?(?:env|busybox)["'][ \t]{0,20},[ \t]{0,20})?["'](?:(?:\/[\w.-]{1,40}){0,4}\/)?(?:ba|da|z|k)?sh["'][ \t]{0,20}(?:,[ \t]{0,20}["'](?:\/(?:usr\/)?bin\/)?(?:ba|da|z|k)?sh["'][ \t]{0,20}\])?[ \t]{0,20},[ \t]{0,20}(?:["']-[a-z]{1,4}["'][ \t]{0,20},[ \t]{0,20}){0,3}["']-[a-z]{0,3}c[a-z]{0,3}["'][ \t]{0,20},[ \t]{0,20}([^\n]{1,400})`,
    'g',
  );
  seen = 0;
  for (const m of code.matchAll(shellList)) {
    if (++seen > SINK_MATCHES) break;
    if (!isCode(m.index!)) continue;
    if (firstIsValue(m[2]!)) return [rubyFinding(m.index!, `${m[1]!.replace(/\s+/g, '')} of sh -c`)];
  }
  return [];
}

function rubyFinding(offset: number, how: string): ScriptCgiFinding {
  return { technique: 'cgi-command', score: 85, description: `a Ruby CGI script running a command made of its request's fields (${how})`, offset };
}

// Shell
/** An assignment `NAME=..` at a command's start (after `export`, `local`, `readonly` too), its name and value to the line's end. */
const SHELL_ASSIGN = /(?:^|[;&|({]\s*|\b(?:export|local|readonly|declare)\s+(?:-\w\s+)?|\b(?:then|do|else)\s+)([A-Za-z_]\w{0,63})=([^\n]{0,400})/gm;
/** A `read` into names from the request: `read -n $CONTENT_LENGTH POST`, `read VAR <<< "$QUERY_STRING"`. */
const SHELL_READ = /\bread\s+(?:-[a-zA-Z]+\s+(?:\S+\s+)?){0,3}([A-Za-z_]\w{0,63})(?:\s+([A-Za-z_][\w ]{0,200}))?([^\n]{0,200})/g;

/**
 * A shell script read as the shell reads it: each character's place, code (0), the text of a quoted string (1), a
 * here-document's body or a comment (2); and where backtick substitutions open. Double quotes hold code again inside
 * `$(..)` and backticks; a here-document starts at the line after `<<TAG` (`<<-`, quoted tags) and ends at TAG's line.
 * One pass, linear.
 */
function shellLex(text: string): { mask: Uint8Array; ticks: Set<number> } {
  const n = text.length;
  const mask = new Uint8Array(n);
  const ticks = new Set<number>();
  // the contexts: c code, d double quotes, b backticks, s $( .. ) (with its parentheses' depth)
  const stack: { kind: 'c' | 'd' | 'b' | 's'; depth: number }[] = [{ kind: 'c', depth: 0 }];
  const docs: { tag: string; strip: boolean }[] = [];
  for (let k = 0; k < n; k++) {
    const c = text[k]!;
    const top = stack[stack.length - 1]!;
    if (c === '\n' && docs.length > 0 && top.kind === 'c') {
      // here-documents: their bodies follow this line, each to its tag's line
      const at = maskHereDocs(text, mask, k + 1, docs, (line, d) => (d.strip ? line.replace(/^\t+/, '') : line) === d.tag);
      docs.length = 0;
      k = at - 1;
      continue;
    }
    if (top.kind === 'd') {
      if (c === '\\') { mask[k] = 1; if (k + 1 < n) mask[k + 1] = 1; k++; continue; }
      if (c === '"') { stack.pop(); continue; }
      if (c === '$' && text[k + 1] === '(') { stack.push({ kind: 's', depth: 0 }); k++; continue; }
      if (c === '`') { ticks.add(k); stack.push({ kind: 'b', depth: 0 }); continue; }
      mask[k] = 1;
      continue;
    }
    if (c === '\\') { k++; continue; }
    if (top.kind === 'b' && c === '`') { stack.pop(); continue; }
    if (top.kind === 's') {
      if (c === '(') top.depth++;
      else if (c === ')') {
        if (top.depth === 0) { stack.pop(); continue; }
        top.depth--;
      }
    }
    if (c === "'") {
      // ($'..' takes backslash escapes, $'\'' among them: red team S40B)
      let close = text.indexOf("'", k + 1);
      if (text[k - 1] === '$') for (let e = k + 1; e < n; e++) {
        if (text[e] === '\\') e++;
        else if (text[e] === "'") { close = e; break; }
      }
      const stop = close < 0 ? n : close;
      mask.fill(1, k + 1, stop);
      k = stop;
      continue;
    }
    if (c === '"') { stack.push({ kind: 'd', depth: 0 }); continue; }
    if (c === '`') { ticks.add(k); stack.push({ kind: 'b', depth: 0 }); continue; }
    if (c === '$' && text[k + 1] === '(') { stack.push({ kind: 's', depth: 0 }); k++; continue; }
    if (c === '#' && (k === 0 || /[\s;&|(]/.test(text[k - 1]!)) && text[k - 1] !== '$') {
      const eol = text.indexOf('\n', k);
      const stop = eol < 0 ? n : eol;
      mask.fill(2, k, stop);
      k = stop - 1;
      continue;
    }
    // (the tag quoted in any part or escaped, <<\EOF, <<E"OF"; not a shift, $((1<<EOF)), red team S40B)
    if (c === '<' && text[k + 1] === '<' && text[k + 2] !== '<' && docs.length < 8 && !/\d/.test(text[k - 1] ?? '')) {
      const m = /^<<(-?)[ \t]*((?:\\?["']?[A-Za-z_][\w.-]{0,63}["']?){1,3})(?![\w"'])[ \t]*(?!\))/.exec(text.slice(k, k + 200));
      if (m) {
        docs.push({ tag: m[2]!.replace(/[\\"']/g, ''), strip: m[1] === '-' });
        k += m[0].length - 1;
      }
    }
  }
  return { mask, ticks };
}

/** Request values a CGI's environment holds (not HTTP_PROXY and the like, which a script sets for its own tools). */
const SHELL_REQUEST = String.raw`\$\{?(?:QUERY_STRING|PATH_INFO|REQUEST_URI|HTTP_(?!PROXY\b|PROXY_|S_PROXY)[A-Z_]{1,40})\b`;

/** A CGI's header printed by the script at a line's start: `echo "Content-type: text/html"`, `printf 'Status: 200\\n'`. */
// (any case, with no space after the colon, through a printf format or a here-document: red team S41)
// (Status and Location as a CGI writes them: `Status: 403`, `Location: /x` or `http..`; a script's own "Status: ok" is no
// header, red team S41B)
const CGI_HEADER = /^[ \t]*(?:(?:echo|printf)[ \t]+(?:-[a-zA-Z]{1,3}[ \t]+)?(?:["']%s[^"'\n]{0,12}["'][ \t]+)?["']?|cat[ \t]*<<-?[ \t]*["']?\w{1,32}["']?[ \t]*\n[ \t]*)(?:[Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Tt][Yy][Pp][Ee]:|Status: [1-5]\d\d\b|Location: (?:\/|https?:))/m;

function shellCgi(text: string, path: string): ScriptCgiFinding[] {
  if (!SHELL_SHEBANG.test(text) && !(/\.(?:sh|bash|cgi)$/i.test(path) && /^#!/.test(text) && /\bsh\b/.test(text.slice(0, text.indexOf('\n') >>> 0)))) return [];
  // (a CGI: one that reads what only a CGI is given, not a build script's $HTTP_CODE or $HTTP_PROXY; red team S40's
  // s01 and s20 read PATH_INFO and REQUEST_URI)
  // (or one that prints a CGI's header first and reads its body itself: `echo "Content-type: text/plain"; echo; C=$(cat)`)
  if (!/\$\{?(?:QUERY_STRING|REQUEST_METHOD|CONTENT_LENGTH|PATH_INFO|REQUEST_URI)\b/.test(text) && !CGI_HEADER.test(text)) return [];
  const { mask, ticks } = shellLex(text);
  // the code with comments and here-documents blanked; quoted text kept (an assignment's value is read whole)
  const code = unquoteWords(blankedAt(text, mask, 2));
  const isCode = (at: number): boolean => mask[at] === 0;
  // (names the script gives a value itself are its own: HTTP_CODE=$(curl ..))
  const own = new Set<string>();
  for (const m of code.matchAll(/(?:^|[\s;&|(])(HTTP_[A-Z_]{1,40})=/gm)) if (own.size < 64) own.add(m[1]!);
  const request = own.size > 0 ? SHELL_REQUEST.replace('HTTP_(?!', `HTTP_(?!(?:${[...own].map((o) => o.slice(5)).join('|')})\\b|`) : SHELL_REQUEST;
  const requestRe = new RegExp(request);
  // (and the body read by a command, $(cat), $(head -c ..), dd; a variable printenv gives or ${!v} names: red team S40)
  // (and $(cat /dev/stdin), $(</dev/stdin), $(head -n 1): red team S41)
  const bodyRead = /\$\(\s*(?:cat\s*(?:-\s*|\/dev\/stdin\s*)?|<\s*\/dev\/stdin\s*|head\s+(?:-[cn]\s*(?:\d{1,12}|"?\$\{?[A-Za-z_]\w{0,63}\}?"?)|-\d{1,12})\s*|dd\b[^)\n]{0,120})\)|\bprintenv\s+(?:QUERY_STRING|PATH_INFO|REQUEST_URI|HTTP_[A-Z_]{1,40})\b|\$\{!\w{1,64}\}/;
  const names = follow(code, SHELL_ASSIGN, (rhs) => requestRe.test(rhs) || bodyRead.test(rhs), (ns) => new RegExp(String.raw`\$\{?(?:${ns.join('|')})\b`));
  // (the body read from standard input to its length, and a read of the query string into names)
  for (const m of code.matchAll(SHELL_READ)) {
    const rest = m[3] ?? '';
    if (/\$\{?CONTENT_LENGTH\b/.test(m[0]) || requestRe.test(rest) || (names.size > 0 && new RegExp(String.raw`<<<?\s*"?\$\{?(?:${[...names].join('|')})\b`).test(rest))) {
      if (names.size < MAX_NAMES) names.add(m[1]!);
      for (const more of (m[2] ?? '').split(/\s+/)) if (/^[A-Za-z_]\w{0,63}$/.test(more) && names.size < MAX_NAMES) names.add(more);
    }
  }
  // (a second pass of assignments after the reads: POST=..; CMD=$(echo "$POST" | ..))
  if (names.size > 0 && names.size < MAX_NAMES) {
    const again = follow(code, SHELL_ASSIGN, (rhs) => new RegExp(String.raw`${request}|\$\{?(?:${[...names].join('|')})\b`).test(rhs), (ns) => new RegExp(String.raw`\$\{?(?:${ns.join('|')})\b`));
    for (const n of again) if (names.size < MAX_NAMES) names.add(n);
  }
  // Names that hold a request value in a part of the script only (red team S40, S41):
  // - a loop's variable inside the loop, when the loop runs over a request value: `for c in $Q; do $c; done`;
  // - a function's positional parameters inside its body, when a call gives it one: `run "$C"` with `run() { eval
  //   "$1"; }`, and the names its body gives them (`local cmd="$1"`). `$@` and `$*` run as a command only where the
  //   first argument is the value (`run "$C"`, not `run grep -- "$WORD"`, a logging wrapper); as an argument of eval or
  //   sh -c, where any is.
  const named = names.size > 0 ? String.raw`\$\{?(?:${[...names].join('|')})\b|` : '';
  const requestValue = new RegExp(`${named}${request}`);
  const scoped = scopedValues(code, isCode, requestValue);
  const scopedRef = scoped.length > 0 ? `${[...new Set(scoped.map((sc) => sc.ref))].join('|')}|` : '';
  const ref = `${named}${scopedRef}${request}`;
  /** A request value in `s`, the text of a sink at `at` (as the command itself, or an argument of eval and the like). */
  const valueAt = (s: string, at: number, command = false): boolean => requestValue.test(s) || scoped.some((sc) => at >= sc.from && at < sc.to && (!command || !sc.argOnly) && sc.re.test(s));
  /** The text before `at` on its line, at most 400 characters of it (bounded: a long line is not read again per match). */
  const lineBefore = (at: number): string => {
    const from = Math.max(0, at - 400);
    const chunk = code.slice(from, at);
    return chunk.slice(chunk.lastIndexOf('\n') + 1);
  };
  /** `eval "FORM_$pair"` with $pair a loop's variable over the query string's fields: a name prefix, then the field. */
  const formField = (arg: string, at: number): boolean => {
    const f = /^\s*["']?[A-Za-z][A-Za-z0-9]{0,30}_\$\{?([A-Za-z_]\w{0,63})\}?["']?\s*$/.exec(arg);
    return f !== null && !requestValue.test(arg) && scoped.some((sc) => sc.loop && at >= sc.from && at < sc.to && sc.re.test(`$${f[1]}`));
  };
  // eval of a request value: a command shell's way; eval of the query string made assignments
  // (`eval $(echo "$QUERY_STRING" | sed 's/&/;/g')`, an old way to parse it) is an injectable CGI, suspicious.
  let seen = 0;
  for (const m of code.matchAll(/(?<![\w$-])eval\s+([^\n]{1,400})/g)) {
    if (++seen > SINK_MATCHES) break;
    if (!isCode(m.index!)) continue;
    const arg = firstCommand(m[1]!);
    if (!valueAt(arg, m.index!)) continue;
    // (and a field's text made a variable's assignment by a prefix, the loop form: `for p in $(echo "$QUERY_STRING" | tr
    // '&' ' '); do eval "FORM_$p"; done`, red team S41)
    const parses = /\$\(\s*echo\b[^\n]{0,200}\|\s*(?:sed|tr|awk)\b[^\n]{0,200}(?:&[^\n]{0,20};|\\n|;\s*\/g)/.test(arg) || /\btr\s+["']?&["']?\s+["']?(?:;|\\n)/.test(arg) || formField(arg, m.index!);
    return [shellFinding(m.index!, 'eval', parses)];
  }
  // A shell given a request value to run: sh -c "$CMD", bash -c ..; echo "$CMD" | sh
  seen = 0;
  // (any flags with c among them, sh -e -c, bash -lc; a here-string to a shell, sh <<< "$C"; source /dev/stdin; xargs sh -c)
  // (and $SHELL -c, busybox sh: red team S41; "$SHELL" -c, mksh: S41B)
  for (const m of code.matchAll(/(?:(?<![\w$.-])(?:busybox\s+)?(?:ba|da|k|z|a|mk)?sh|"?\$\{?SHELL(?::-[^}\s"]{0,40})?\}?"?)\s+(?:-[a-zA-Z]+\s+){0,3}-[a-zA-Z]*c[a-zA-Z]*\s+([^\n;|&]{1,400})|(?<![\w$.-])(?:(?:ba|da|k|z|a)?sh(?:\s+-[a-zA-Z]+){0,3}|(?:source|\.)\s+\/dev\/stdin)\s*<<<\s*([^\n;|&]{1,400})|\|\s*(?:xargs\b[^\n|;]{0,40}\s)?(?:\/bin\/|\/usr\/bin\/)?(?:busybox\s+)?(?:ba|da|k|z)?sh\b(?![\w.-])/g)) {
    if (++seen > SINK_MATCHES) break;
    if (!isCode(m.index!)) continue;
    if (m[1] !== undefined || m[2] !== undefined) {
      if (valueAt((m[1] ?? m[2])!, m.index!)) return [shellFinding(m.index!, m[1] !== undefined ? 'sh -c' : 'a here-string to sh', false)];
      continue;
    }
    const before = lineBefore(m.index!);
    if (/\b(?:echo|printf|cat)\b/.test(before) && valueAt(before, m.index!)) return [shellFinding(m.index!, 'a pipe to sh', false)];
  }
  // A request value as the command itself: a line (or a command after ;, &&, ||, |, `, $(, then, do) whose first word is one.
  // (after a command that runs its arguments: exec, timeout N, env [-i] [X=y], nohup, nice, command, builtin)
  // (in a brace group, after !, time or setsid too: red team S41; time -p, stdbuf: S41B)
  const commandWord = new RegExp(String.raw`(?:^|[;&|\`({]|\$\(|\b(?:then|do|else)\b)[ \t]*(?:(?:exec|nohup|command|builtin|time(?:[ \t]+-p)?|setsid|stdbuf(?:[ \t]+-\S{1,12}){0,3}|!|nice(?:[ \t]+-n[ \t]*-?\d{1,2})?|timeout[ \t]+\S{1,20}|env(?:[ \t]+(?:-\S{1,20}|[A-Za-z_]\w{0,63}=\S{0,200})){0,4})[ \t]+){0,2}"?(?:${ref})`, 'gm');
  seen = 0;
  for (const m of code.matchAll(commandWord)) {
    if (++seen > SINK_MATCHES) break;
    const at = m.index!;
    const opener = /^[;&|`({]/.test(m[0]) ? 1 : 0;
    const substituted = m[0].startsWith('$(') || m[0].startsWith('`');
    // (the separator or the line's start must be code: not a ";" or "(" in a quoted string or a here-document, not a
    // closing backtick)
    const head = at + m[0].search(/"?\$\{?[A-Za-z_1-9@*]/);
    // (a name of a part of the script only there, as the command: a loop's variable in its loop, a function's
    // parameters in its body)
    if (!valueAt(m[0].slice(head - at), at, true)) continue;
    if (!isCode(head) || (m[0].startsWith('`') ? !ticks.has(at) : (opener === 1 || substituted) && !isCode(at))) continue;
    // (not an assignment's value `X=$CMD` or `X=($Q)`, nor arithmetic `(( $N > 1 ))`, nor a test or a case word)
    const before = lineBefore(at + opener);
    if (!substituted && /=\s*\(?$|\(\s*\($|\bcase\s*$|\[\[?\s*$|\btest\s*$|[<>]&?$/.test(before)) continue;
    return [shellFinding(at, 'the command itself', false)];
  }
  return [];
}

/** A name holding a request value in a part of the script only, [from, to). */
interface Scoped {
  readonly ref: string;
  readonly re: RegExp;
  readonly from: number;
  readonly to: number;
  /** Only as an argument of eval, sh -c and the like, not as the command word. */
  readonly argOnly: boolean;
  /** A loop's variable. */
  readonly loop: boolean;
}

/** The end of a block opened at `open` (a `{` or a `do`), in code: its closing `}` or `done`, at most 64 KiB on. */
function blockEnd(code: string, isCode: (at: number) => boolean, open: number, opener: RegExp): number {
  const end = Math.min(code.length, open + 65536);
  let depth = 0;
  opener.lastIndex = open;
  for (let m = opener.exec(code); m !== null && m.index < end; m = opener.exec(code)) {
    if (!isCode(m.index)) continue;
    if (m[1] !== undefined) depth++;
    else if (--depth === 0) return m.index;
  }
  return end;
}

const BRACES = /(\{)|\}/g;
// (words in a command's place only: not `state=done`, not a case pattern's `do=status)`: red team S41B)
const DO_DONE = /(?<=^|[\s;&|(){}])(?:(do)|done)(?=$|[\s;&|)}])/gm;

const nameRef = (name: string): string => (name === '@' || name === '*' ? `\\$\\{?\\${name}` : /^[1-9]$/.test(name) ? `\\$\\{?${name}(?!\\d)` : `\\$\\{?${name}\\b`);

/**
 * The names that hold a request value (`known`) in a part of the script only: loops over one (their variable, in the
 * loop), and the functions a call gives one (their positional parameters and the names they give them, in the body).
 * At most 64 functions, SINK_MATCHES loops and calls, each block read to 64 KiB.
 */
function scopedValues(code: string, isCode: (at: number) => boolean, known: RegExp): Scoped[] {
  const out: Scoped[] = [];
  const add = (name: string, from: number, to: number, argOnly: boolean, loop = false): void => {
    if (out.length >= MAX_NAMES) return;
    const ref = nameRef(name);
    out.push({ ref, re: new RegExp(ref), from, to, argOnly, loop });
  };
  let loops = 0;
  let tried = 0;
  for (const m of code.matchAll(/\b(?:for|select)[ \t]+([A-Za-z_]\w{0,63})[ \t]+in[ \t]+([^;\n]{1,400})/g)) {
    // (at most MAX_NAMES loops, each one's `do` looked for within 1 KiB: a megabyte of loops without one, or of nested
    // ones, was 17 to 35 s, red team S41B)
    if (++loops > SINK_MATCHES || out.length >= MAX_NAMES) break;
    if (!isCode(m.index!) || !known.test(m[2]!) || ++tried > 4 * MAX_NAMES) continue;
    const after = m.index! + m[0].length;
    const d = /(?:^|[;\s])(do)(?=$|[\s;&|)}])/m.exec(code.slice(after, after + 1024));
    if (d === null) continue;
    const open = after + d.index + d[0].length - 2;
    if (!isCode(open)) continue;
    add(m[1]!, open, blockEnd(code, isCode, open, DO_DONE), false, true);
  }
  const defs = new Map<string, number>();
  for (const m of code.matchAll(/(?:^|[;&|{}][ \t]*)(?:function[ \t]+)?([A-Za-z_][\w-]{0,63})[ \t]*\([ \t]*\)|\bfunction[ \t]+([A-Za-z_][\w-]{0,63})/gm)) {
    if (defs.size >= 64) break;
    const name = (m[1] ?? m[2])!;
    if (!defs.has(name) && isCode(m.index! + m[0].search(/[A-Za-z_]/))) defs.set(name, m.index! + m[0].length);
  }
  if (defs.size === 0) return out;
  // (the positions, from 1, of the arguments a call gives a request value, per function)
  const given = new Map<string, Set<number>>();
  const call = new RegExp(String.raw`(?:^|[;&|(\`{]|\$\(|\b(?:then|do|else)\b)[ \t]*(${[...defs.keys()].map((f) => f.replace(/-/g, '\\-')).join('|')})[ \t]+([^\n;|&]{1,400})`, 'gm');
  let calls = 0;
  for (const m of code.matchAll(call)) {
    if (++calls > SINK_MATCHES) break;
    if (!isCode(m.index!) || !known.test(m[2]!)) continue;
    const args = shellWords(m[2]!);
    for (let k = 0; k < args.length && k < 9; k++) {
      if (!known.test(args[k]!)) continue;
      const set = given.get(m[1]!) ?? new Set<number>();
      set.add(k + 1);
      given.set(m[1]!, set);
    }
  }
  for (const [name, positions] of given) {
    const from = defs.get(name)!;
    // (a body in braces, or in brackets: a subshell)
    const brace = /^[ \t\n]*([{(])/.exec(code.slice(from, from + 200));
    if (brace === null) continue;
    const open = from + brace.index + brace[0].length - 1;
    const to = brace[1] === '{' ? blockEnd(code, isCode, open, BRACES) : blockEnd(code, isCode, open, /(\()|\)/g);
    // (a body that shifts its arguments moves them down: `run() { shift; "$@"; }` called `run -- "$C"` runs the value,
    // `cached "$Q" render-page` with `shift` before `"$@"` runs render-page: red team S41B)
    const shifts = Math.min(8, [...code.slice(open, to).matchAll(/(?<=^|[\s;&|{(])shift(?:[ \t]+(\d))?(?=$|[\s;&|)}])/gm)].reduce((n, m) => n + Number(m[1] ?? 1), 0));
    const moved = new Set([...positions].map((k) => k - shifts).filter((k) => k >= 1));
    for (const k of new Set([...positions, ...moved])) add(String(k), open, to, false);
    add('@', open, to, !moved.has(1));
    add('*', open, to, !moved.has(1));
    // (and the names the body gives them: local cmd="$1", c=$1)
    const param = new RegExp([...new Set([...positions, ...moved])].map((k) => nameRef(String(k))).concat(moved.has(1) ? [nameRef('@'), nameRef('*')] : []).join('|'));
    for (const m of code.slice(open, to).matchAll(SHELL_ASSIGN)) if (param.test(m[2]!)) add(m[1]!, open, to, false);
  }
  return out;
}

/** A command line's words, split at blanks outside quotes (each word kept with its quotes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (quote) {
      word += c;
      if (c === '\\' && quote === '"' && k + 1 < line.length) word += line[++k];
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
      word += c;
    } else if (c === ' ' || c === '\t') {
      if (word !== '') words.push(word);
      word = '';
    } else word += c;
  }
  if (word !== '') words.push(word);
  return words;
}

/** The words a shell CGI's sinks and body reads are, which the shell still reads when quoted or escaped in pieces. */
const SHELL_WORDS = new Set(['eval', 'sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'exec', 'source', 'xargs', 'env', 'timeout', 'nohup', 'command', 'builtin', 'nice', 'cat', 'head', 'dd', 'printenv']);

/** bash's $'..' quoting of letters and escapes, `$'\x65val'`. */
const ANSI_QUOTED = String.raw`\$'(?:[A-Za-z]|\\x[0-9a-fA-F]{2}|\\[0-7]{3}){1,12}'`;
const WORD_PIECE = String.raw`[A-Za-z]|'[A-Za-z]{0,12}'|"[A-Za-z]{0,12}"|${ANSI_QUOTED}|\\\n|\\(?=[A-Za-z])`;
const PIECED_WORD = new RegExp(String.raw`(?<![\w$\\'"])(?:${WORD_PIECE}){3,40}(?![\w'"\\])`, 'g');
const ANSI_WORD = new RegExp(String.raw`(?<![\w$\\'"])(?:(?:${WORD_PIECE}){3,40}|(?:${WORD_PIECE}){0,39}${ANSI_QUOTED}(?:${WORD_PIECE}){0,39})(?![\w'"\\])`, 'g');

/**
 * The shell's quote removal for such words, in place and at the same length (the lexer's mask stays aligned): `e''val`,
 * `"ev"al`, `e\val` and `ev\<newline>al` are `eval` to the shell, padded with spaces (red team S40). Words of other
 * names are left as written.
 */
function unquoteWords(code: string): string {
  if (!/['"\\]/.test(code)) return code;
  // (and bash's $'..' quoting with its escapes, `$'\x65val'`: red team S41; a word of one such token is read only where
  // the text holds one: every word of a script was a call of the callback)
  return code.replace(code.includes("$'") ? ANSI_WORD : PIECED_WORD, (w) => {
    // (not one quoted string, `echo "eval"`: an argument's text, not a word in pieces)
    if (!/['"\\]/.test(w) || /^(['"])[A-Za-z]*\1$/.test(w)) return w;
    const plain = w
      .replace(/\$'([^']*)'/g, (_all, body: string) => body.replace(/\\x([0-9a-fA-F]{2})|\\([0-7]{3})/g, (_e, hex?: string, oct?: string) => String.fromCharCode(hex !== undefined ? parseInt(hex, 16) : parseInt(oct!, 8))))
      .replace(/['"]|\\\n?/g, '');
    return SHELL_WORDS.has(plain) ? plain.padEnd(w.length, ' ') : w;
  });
}

/** A command line's first command: up to its first `;`, `&&`, `||` or `|` outside quotes and brackets. */
function firstCommand(line: string): string {
  let depth = 0;
  let quote = '';
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (quote) {
      if (c === '\\') k++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth <= 0 && (c === ';' || c === '&' || c === '|')) return line.slice(0, k);
  }
  return line;
}

function shellFinding(offset: number, how: string, parses: boolean): ScriptCgiFinding {
  return parses
    ? { technique: 'cgi-injection', score: 60, description: `a shell CGI script evaluating its query string as shell assignments (${how}): any request runs commands`, offset }
    : { technique: 'cgi-command', score: 85, description: `a shell CGI script running a command made of its request (${how})`, offset };
}

/** Ruby and shell CGI scripts running a command made of their request (`path` for the extension). */
export function scriptCgiCommand(input: string, path: string): ScriptCgiFinding[] {
  const text = input.length > MAX_TEXT ? input.slice(0, MAX_TEXT) : input;
  if (!text.startsWith('#!') && !/\.(?:rb|rbw|sh|bash|cgi)$/i.test(path)) return [];
  return rubyCgi(text, path).concat(shellCgi(text, path));
}
