/**
 * Ruby and shell CGI command shells: a script that reads its request (Ruby's CGI.new and its params, the
 * query string or standard input from the environment; a shell script's $QUERY_STRING or the body read to
 * $CONTENT_LENGTH) and runs a field of it as a command. Red team S39S found both kinds clean: the rules read
 * Perl and Python CGIs only.
 *
 * As perl-cgi.ts does for Perl, variables are followed through assignments (three rounds, by name), and a
 * command counts only where a request value is the command or part of its text: `system("convert", file)`
 * passes a field as an argument to a fixed program, which is not a shell's way. Comments are blanked first
 * (a line's `#` outside quotes; Ruby's `#{` is interpolation, a shell's `$#` a count). Bounded: at most
 * MAX_TEXT characters, MAX_NAMES names, every pattern's repetition bounded.
 */

export interface ScriptCgiFinding {
  technique: string;
  score: number;
  description: string;
  offset: number;
}

const MAX_TEXT = 256 * 1024;
const MAX_NAMES = 64;

const RUBY_SHEBANG = /^#![^\n]{0,80}\bruby\b/;
const SHELL_SHEBANG = /^#!\s{0,4}(?:\/usr)?(?:\/local)?\/bin\/(?:env\s+)?(?:ba|da|k|z|a)?sh\b/;

/** The text with each comment blanked (same length, newlines kept): `#` at a line's start or after white space, outside quotes. */
function blankComments(text: string, ruby: boolean): string {
  const out: string[] = [];
  let last = 0;
  let quote = '';
  let nextNl = -1;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (quote) {
      if (c === '\\') k++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      // (a shell's quote in a word like it's: only after white space, "=", "(" or a line's start counts, and a
      // Ruby one the same; an unclosed one on its line is no string)
      // (the next newline kept, not looked for again at each quote: a long line of quotes stays linear)
      const before = k === 0 ? '\n' : text[k - 1]!;
      if (!/[\s=(,;|&{[+]/.test(before)) continue;
      const close = text.indexOf(c, k + 1);
      if (nextNl <= k) nextNl = text.indexOf('\n', k + 1) >>> 0;
      if (close > 0 && (c !== "'" || close < nextNl)) quote = c;
      continue;
    }
    if (c === '#' && (k === 0 || /\s|;/.test(text[k - 1]!)) && !(ruby && text[k + 1] === '{')) {
      const end = text.indexOf('\n', k);
      const stop = end < 0 ? text.length : end;
      out.push(text.slice(last, k), ' '.repeat(stop - k));
      last = stop;
      k = stop - 1;
    }
  }
  out.push(text.slice(last));
  return out.join('');
}

/** Names given a value the `tainted` test holds for, three rounds: `cmd = cgi['c']`, `c2 = "#{cmd} 2>&1"`. */
function follow(code: string, assign: RegExp, direct: (rhs: string) => boolean, ref: (names: string[]) => RegExp): Set<string> {
  const tainted = new Set<string>();
  for (const m of code.matchAll(assign)) {
    if (direct(m[2]!)) tainted.add(m[1]!);
    if (tainted.size >= MAX_NAMES) return tainted;
  }
  for (let round = 0; round < 3 && tainted.size > 0; round++) {
    const any = ref([...tainted]);
    let grew = false;
    for (const m of code.matchAll(assign)) {
      if (tainted.has(m[1]!) || !any.test(m[2]!)) continue;
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

function rubyCgi(text: string, path: string): ScriptCgiFinding[] {
  if (!(RUBY_SHEBANG.test(text) || (/\.(?:rb|rbw)$/i.test(path) && /\bCGI\s*(?:\.|::)\s*new\b|ENV\s*\[\s*["'](?:QUERY_STRING|CONTENT_LENGTH)/.test(text)))) return [];
  const code = blankComments(text, true);
  const objects = new Set<string>();
  for (const m of code.matchAll(RUBY_CGI_OBJECT)) if (objects.size < 16) objects.add(m[1]!);
  const env = String.raw`ENV\s*(?:\[\s*|\.\s*fetch\s*\(\s*)["'](?:QUERY_STRING|HTTP_[A-Z_]{1,40})["']|(?:\$stdin|STDIN)\s*\.\s*read\b|CGI\s*\.\s*parse\s*\(`;
  if (objects.size === 0 && !new RegExp(env).test(code)) return [];
  const objRead = objects.size > 0 ? String.raw`(?<![\w@])(?:${[...objects].map(escapeName).join('|')})\s*(?:\[|\.\s*(?:params|cookies)\b)|` : '';
  const read = new RegExp(String.raw`${objRead}${env}`);
  const names = follow(code, RUBY_ASSIGN, (rhs) => read.test(rhs), (ns) => new RegExp(String.raw`(?<![\w@.:])(?:${ns.map(escapeName).join('|')})(?![\w(])`));
  const nameRe = names.size > 0 ? String.raw`(?<![\w@.:"'])(?:${[...names].map(escapeName).join('|')})(?![\w(])|` : '';
  const value = new RegExp(String.raw`${nameRe}${read.source}`);
  const interpolated = (s: string): boolean => {
    for (const m of s.matchAll(/#\{([^}\n]{1,200})\}/g)) if (value.test(m[1]!)) return true;
    return false;
  };
  // Backticks and %x(..): a command text interpolating a request value.
  for (const m of code.matchAll(/`([^`\n]{1,400})`|%x\s*([([{<|!])([^\n]{1,400})/g)) {
    const body = m[1] ?? m[3]!;
    if (interpolated(body)) return [rubyFinding(m.index!, m[1] !== undefined ? 'backticks' : '%x')];
  }
  // Calls whose first argument is a request value, or a string interpolating one; open("|..") a piped open.
  const first = String.raw`\s*\(?\s*(?:"((?:[^"\\\n]|\\.){0,400})"|([^,)\n]{1,200}))`;
  const calls = new RegExp(String.raw`(?<![\w@$.])(?:(?:Kernel|Process)\s*\.\s*)?(system|exec|spawn|eval|instance_eval|IO\s*\.\s*popen|Open3\s*\.\s*(?:popen[23]e?|capture[23]e?|pipeline\w{0,10})|PTY\s*\.\s*spawn|open)(?![\w?!])${first}`, 'g');
  let seen = 0;
  for (const m of code.matchAll(calls)) {
    if (++seen > 256) break;
    const how = m[1]!.replace(/\s+/g, '');
    const str = m[2];
    const bare = m[3];
    if (how === 'open') {
      // (only a pipe: open("|#{cmd}"), open("|" + cmd))
      if ((str !== undefined && str.startsWith('|') && interpolated(str)) || (bare !== undefined && /^["']\|["']\s*\+/.test(bare) && value.test(bare))) return [rubyFinding(m.index!, 'a piped open')];
      continue;
    }
    if (str !== undefined ? interpolated(str) : bare !== undefined && value.test(bare.split(/\s+(?:if|unless)\b/)[0]!)) return [rubyFinding(m.index!, how)];
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

function shellCgi(text: string, path: string): ScriptCgiFinding[] {
  if (!SHELL_SHEBANG.test(text) && !(/\.(?:sh|bash|cgi)$/i.test(path) && /^#!/.test(text) && /\bsh\b/.test(text.slice(0, text.indexOf('\n') >>> 0)))) return [];
  const code = blankComments(text, false);
  const input = /\$\{?(?:QUERY_STRING|HTTP_[A-Z_]{1,40})\b|\$\{?CONTENT_LENGTH\b/;
  if (!input.test(code)) return [];
  const request = String.raw`\$\{?(?:QUERY_STRING|HTTP_[A-Z_]{1,40})\b`;
  const names = follow(code, SHELL_ASSIGN, (rhs) => new RegExp(request).test(rhs), (ns) => new RegExp(String.raw`\$\{?(?:${ns.join('|')})\b`));
  // (the body read from standard input to its length, and a read of the query string into names)
  for (const m of code.matchAll(SHELL_READ)) {
    const rest = m[3] ?? '';
    if (/\$\{?CONTENT_LENGTH\b/.test(m[0]) || new RegExp(request).test(rest) || (names.size > 0 && new RegExp(String.raw`<<<?\s*"?\$\{?(?:${[...names].join('|')})\b`).test(rest))) {
      names.add(m[1]!);
      for (const more of (m[2] ?? '').split(/\s+/)) if (/^[A-Za-z_]\w{0,63}$/.test(more) && names.size < MAX_NAMES) names.add(more);
    }
  }
  // (a second pass of assignments after the reads: POST=..; CMD=$(echo "$POST" | ..))
  if (names.size > 0 && names.size < MAX_NAMES) {
    const again = follow(code, SHELL_ASSIGN, (rhs) => new RegExp(String.raw`${request}|\$\{?(?:${[...names].join('|')})\b`).test(rhs), (ns) => new RegExp(String.raw`\$\{?(?:${ns.join('|')})\b`));
    for (const n of again) if (names.size < MAX_NAMES) names.add(n);
  }
  const ref = names.size > 0 ? String.raw`\$\{?(?:${[...names].join('|')})\b|${request}` : request;
  const value = new RegExp(ref);
  // eval of a request value: a command shell's way; eval of the query string made assignments
  // (`eval $(echo "$QUERY_STRING" | sed 's/&/;/g')`, an old way to parse it) is an injectable CGI, suspicious.
  for (const m of code.matchAll(/(?:^|[;&|({`]|\$\(|\b(?:then|do|else))\s*eval\s+([^\n]{1,400})/gm)) {
    const arg = firstCommand(m[1]!);
    if (!value.test(arg)) continue;
    const parses = /\$\(\s*echo\b[^\n]{0,200}\|\s*(?:sed|tr|awk)\b[^\n]{0,200}(?:&[^\n]{0,20};|\\n|;\s*\/g)/.test(arg) || /\btr\s+["']?&["']?\s+["']?(?:;|\\n)/.test(arg);
    return [shellFinding(m.index!, 'eval', parses)];
  }
  // A shell given a request value to run: sh -c "$CMD", bash -c ..; echo "$CMD" | sh
  for (const m of code.matchAll(/\b(?:ba|da|k|z|a)?sh\s+-c\s+([^\n;|&]{1,400})|\|\s*(?:\/bin\/|\/usr\/bin\/)?(?:ba|da|k|z)?sh\b(?![\w.-])/g)) {
    if (m[1] !== undefined) {
      if (value.test(m[1])) return [shellFinding(m.index!, 'sh -c', false)];
      continue;
    }
    const lineStart = code.lastIndexOf('\n', m.index!) + 1;
    const before = code.slice(lineStart, m.index!);
    if (/\b(?:echo|printf)\b/.test(before) && value.test(before)) return [shellFinding(m.index!, 'a pipe to sh', false)];
  }
  // A request value as the command itself: a line (or a command after ;, &&, ||, |, `, $(, then, do) whose first word is one.
  const commandWord = new RegExp(String.raw`(?:^|[;&|\`(]|\$\(|\b(?:then|do|else)\b)[ \t]*"?(?:${ref})`, 'gm');
  for (const m of code.matchAll(commandWord)) {
    // (not an assignment's value `X=$CMD` or `X=($Q)`, nor arithmetic `(( $N > 1 ))`, nor a test or a case word)
    const lineStart = code.lastIndexOf('\n', m.index!) + 1;
    const opener = /^[;&|`(]/.test(m[0]) ? 1 : 0;
    const before = code.slice(lineStart, m.index! + opener);
    const substituted = m[0].startsWith('$(') || m[0].startsWith('`');
    if (!substituted && /=\s*\(?$|\(\s*\($|\bcase\s*$|\[\[?\s*$|\btest\s*$|[<>]&?$/.test(before)) continue;
    return [shellFinding(m.index!, 'the command itself', false)];
  }
  return [];
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
