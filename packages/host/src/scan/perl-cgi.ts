/**
 * Perl CGI command shells: a script that reads its request (a ReadParse of QUERY_STRING or standard input
 * into %in, or CGI.pm's param) into variables and runs one of them, or a text made of one, as a command
 * (backticks, qx, a one-argument system or exec, a piped open, IPC::Open2/3, a string eval). The classic CGI
 * shells work so (session 38's set H21, CGI-Telnet: the command field's value joined after a `cd` and opened
 * as `"$Command |"`), and they are kept under any name, a .php among them.
 *
 * The text is read as Perl reads it first (perlLex: its strings, quote-like operators, heredocs, POD and
 * comments found), so that a word "system" in a message or a manual is no call, and a backtick in a help
 * text no command (red team S39S). Variables are followed through assignments, three rounds, by name:
 * not through a hash or array subscript (a whitelist's `$commands{$choice}`), and not a variable the script
 * also gives a regex's capture (`$host = $1`, what a script that validates its input does). A sub's own
 * parameters (`my ($x) = @_`) are not followed into it. Bounded: at most MAX_TEXT characters, MAX_NAMES names.
 */

export interface PerlFinding {
  technique: string;
  score: number;
  description: string;
  offset: number;
}

const MAX_TEXT = 1024 * 1024;
const MAX_NAMES = 64;

/** What marks Perl run as a CGI: its request read from the environment or standard input, or CGI.pm (not CGI::Session and the like). */
// (or a CGI's own header printed beside a read of standard input: the request's body, red team S39S)
const CGI_INPUT = /\$ENV\s*\{\s*["']?(?:QUERY_STRING|REQUEST_METHOD|CONTENT_LENGTH)\b|\bread\s*\(\s*STDIN\b|\bprint\b[^;\n]{0,40}Content-type:[^;]{0,400}<STDIN>|<STDIN>[^\x00]{0,400}\bprint\b[^;\n]{0,40}Content-type:|\buse\s+CGI(?:::(?:Simple|Fast))?\b(?!::)|\bCGI(?:::(?:Simple|Fast))?\s*->\s*new\b|\bnew\s+CGI(?:::(?:Simple|Fast))?\b(?!::)/;
/** A Perl script's first line, on any line (behind PHP text too). */
const SHEBANG = /^#!\S*perl\b/m;
/** The hashes a ReadParse fills (%in, %FORM, in any case of their first letter or all). */
const HASHES = 'in|IN|In|FORM|Form|form';
/** CGI.pm objects: the variables given one. */
const CGI_OBJECT = /\$([A-Za-z_]\w{0,63})\s*=\s*(?:new\s+CGI(?:::(?:Simple|Fast))?\b(?!::)|CGI(?:::(?:Simple|Fast))?\s*->\s*new\b)/g;
/** Any assignment (or `.=`), its variable and its right side to the statement's end (one line, bounded; quoted strings whole). */
const ASSIGN = /\$([A-Za-z_]\w{0,63})\s*\.?=(?![=~>])((?:"(?:[^"\\\n]|\\.){0,400}"|'(?:[^'\\\n]|\\.){0,400}'|[^;"'\n]){1,400})/g;
/** A hash or an array given a value (`%p = ..`, `@a = ..`), or one of its elements (`$h{k} = ..`): its name, and the right side. */
const CONTAINER_ASSIGN = /(?:[%@]([A-Za-z_]\w{0,63})\s*=(?![=~>])|\$([A-Za-z_]\w{0,63})\s*[{[][^}\]\n]{0,64}[}\]]\s*\.?=(?![=~>]))((?:"(?:[^"\\\n]|\\.){0,400}"|'(?:[^'\\\n]|\\.){0,400}'|[^;"'\n]){1,400})/g;
/** A list assignment: `my ($a, $b) = ...`. */
const LIST_ASSIGN = /\(\s*((?:\$[A-Za-z_]\w{0,63}\s*,\s*){0,7}\$[A-Za-z_]\w{0,63})\s*\)\s*=(?![=~>])((?:"(?:[^"\\\n]|\\.){0,400}"|'(?:[^'\\\n]|\\.){0,400}'|[^;"'\n]){1,400})/g;
/** A variable given a regex's capture: `$host = $1` (validated input). */
const CAPTURED = /\$([A-Za-z_]\w{0,63})\s*=\s*\$[1-9](?!\w)/g;
/** A sub's parameters: `my ($a, $b) = @_`, `my $a = shift`. */
const SUB_PARAMS = /\bmy\s*(?:\(\s*([^)]{0,400})\)\s*=\s*@_|\$([A-Za-z_]\w{0,63})\s*=\s*shift\b)/g;

/** The code, its literals blanked (same length, newlines kept), and each literal's span, kind and content's start and end. */
interface Lexed {
  code: string;
  literals: { kind: string; start: number; end: number; from: number; to: number }[];
}

const OPEN_CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
/** The line that ends POD. */
const POD_END = /^=cut\b[^\n]*/gm;
/** The characters after "$" that make one of Perl's punctuation variables. */
const PUNCTUATION_VARIABLE = new Set([...'`\'"&+!@/\\,;.<>()[]|?^~=-0123456789']);

/**
 * Perl text read for its literals: "..", '..', `..`, q qq qw qx qr m s tr y with any delimiter (brackets
 * nested), heredocs (<<"X", <<'X', <<X, <<~X), POD (a line opening `=word` outside a literal, to `=cut`) and
 * comments. One pass; what it cannot tell (a "/" after a name: division or a pattern) it reads as code.
 */
export function perlLex(src: string): Lexed {
  const n = src.length;
  const out: string[] = [];
  const literals: Lexed['literals'] = [];
  let last = 0;
  const blank = (from: number, to: number): void => {
    out.push(src.slice(last, from));
    out.push(src.slice(from, to).replace(/[^\n]/g, ' '));
    last = to;
  };
  /** The end (after the closing delimiter) of a literal whose content starts at `at`, closed by `close` (opened by `open` when a bracket). */
  const closeAt = (at: number, open: string, close: string): number => {
    let depth = 1;
    for (let k = at; k < n; k++) {
      const c = src[k];
      if (c === '\\') {
        k++;
        continue;
      }
      if (c === open && open !== close) depth++;
      else if (c === close && --depth === 0) return k + 1;
    }
    return n;
  };
  const heredocs: { tag: string; indent: boolean; kind: string }[] = [];
  let prev = ''; // the last significant character of code
  let prevWord = '';
  let i = 0;
  let lineStart = true;
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      i++;
      lineStart = true;
      // Heredoc bodies begin on the next line.
      while (heredocs.length > 0 && i < n) {
        const h = heredocs.shift()!;
        let k = i;
        for (;;) {
          const eol = src.indexOf('\n', k);
          const line = src.slice(k, eol < 0 ? n : eol);
          if ((h.indent ? line.trim() : line) === h.tag || eol < 0) {
            literals.push({ kind: h.kind, start: i, end: eol < 0 ? n : eol, from: i, to: k });
            blank(i, k);
            i = eol < 0 ? n : eol + 1;
            break;
          }
          k = eol + 1;
        }
      }
      continue;
    }
    if (lineStart && c === '=' && /[A-Za-z]/.test(src[i + 1] ?? '')) {
      POD_END.lastIndex = i;
      const cut = POD_END.exec(src);
      const end = cut ? cut.index + cut[0].length : n;
      blank(i, end);
      i = end;
      continue;
    }
    lineStart = false;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' && src[i - 1] !== '$') {
      const eol = src.indexOf('\n', i);
      const end = eol < 0 ? n : eol;
      blank(i, end);
      i = end;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const end = closeAt(i + 1, c, c);
      literals.push({ kind: c, start: i, end, from: i + 1, to: end - 1 });
      blank(i + 1, Math.max(i + 1, end - 1));
      i = end;
      prev = c;
      continue;
    }
    if (c === '<' && src[i + 1] === '<' && prev !== '' && /["'A-Za-z_~]/.test(src[i + 2] ?? '')) {
      const m = /^<<(~?)(?:"([^"\n]{1,64})"|'([^'\n]{1,64})'|([A-Za-z_]\w{0,63}))/.exec(src.slice(i, i + 72));
      if (m) {
        heredocs.push({ tag: (m[2] ?? m[3] ?? m[4])!, indent: m[1] === '~', kind: m[3] !== undefined ? "'" : '"' });
        i += m[0].length;
        prev = 'x';
        continue;
      }
    }
    if (/[A-Za-z_]/.test(c)) {
      let k = i + 1;
      while (k < n && /\w/.test(src[k]!)) k++;
      const word = src.slice(i, k);
      const before = src[i - 1] ?? '';
      // Quote-like operators: not a variable's name, a method, a hash key, a file test (-s), a fat comma's left side.
      if (/^(?:q|qq|qw|qx|qr|m|s|tr|y)$/.test(word) && !/[$@%&*>:\-]/.test(before)) {
        let d = k;
        while (d < n && (src[d] === ' ' || src[d] === '\t')) d++;
        const open = src[d] ?? '';
        if (open !== '' && !/[\w\s,;=)]/.test(open) && !(open === '}' && before === '{') && !src.startsWith('=>', d)) {
          const close = OPEN_CLOSE[open] ?? open;
          let end = closeAt(d + 1, open, close);
          const first = { from: d + 1, to: end - 1 };
          if (word === 's' || word === 'tr' || word === 'y') {
            if (close === open) end = closeAt(end, open, close);
            else {
              let e = end;
              while (e < n && /\s/.test(src[e]!)) e++;
              const o2 = src[e] ?? '';
              end = o2 ? closeAt(e + 1, o2, OPEN_CLOSE[o2] ?? o2) : n;
            }
          }
          literals.push({ kind: word, start: i, end, from: first.from, to: first.to });
          blank(d + 1, Math.max(d + 1, end - 1));
          i = end;
          prev = 'x';
          continue;
        }
      }
      prevWord = word;
      prev = 'w';
      i = k;
      continue;
    }
    if (c === '/' && (prev === '' || /[(,=~!{;|&?:]/.test(prev) || /^(?:split|grep|and|or|not|if|unless|return|while|until)$/.test(prevWord))) {
      const end = closeAt(i + 1, '/', '/');
      literals.push({ kind: 'm', start: i, end, from: i + 1, to: end - 1 });
      blank(i + 1, Math.max(i + 1, end - 1));
      i = end;
      prev = 'x';
      continue;
    }
    if (c === '$' || c === '@' || c === '%') {
      // a variable: its name (and $#, ${, $$) is code; Perl's punctuation variables ($\`, $', $", $&, $/ ...) are
      // one character, not a literal's start (gbrowse's \`push(@matched, $\`)\`)
      if (c === '$' && PUNCTUATION_VARIABLE.has(src[i + 1] ?? '')) {
        i += 2;
        prev = 'v';
        prevWord = '';
        continue;
      }
      i++;
      while (i < n && /[\w#$:]/.test(src[i]!)) i++;
      prev = 'v';
      prevWord = '';
      continue;
    }
    prev = c;
    prevWord = '';
    i++;
  }
  out.push(src.slice(last));
  return { code: out.join(''), literals };
}

/**
 * The command runs of `src` whose command is, or is made of, a request field. `perlPath`: the file's name
 * says Perl (.pl, .cgi, .pm) where its text may not.
 */
export function perlCgiCommand(input: string, perlPath = false): PerlFinding[] {
  const text = input.length > MAX_TEXT ? input.slice(0, MAX_TEXT) : input;
  // (the cheap test first: most files with a CGI word are PHP pages reading $_SERVER['QUERY_STRING'])
  if (!(perlPath || SHEBANG.test(text)) || !CGI_INPUT.test(text)) return [];
  const { code, literals } = perlLex(text);
  // (CGI objects and the calls are found in `code`, where literals are blanked; assignments' right sides and the
  // calls' arguments are read from the text)
  const objects = new Set<string>();
  for (const m of code.matchAll(CGI_OBJECT)) {
    objects.add(m[1]!);
    if (objects.size >= 16) break;
  }
  if (objects.size === 0 && /\buse\s+CGI\b(?!::)/.test(code)) for (const v of ['q', 'cgi', 'query', 'Q', 'CGI']) objects.add(v);
  const obj = objects.size > 0 ? String.raw`\$(?:${[...objects].join('|')})\s*->\s*(?:param|url_param|multi_param|cookie|Vars)\b|` : '';
  // A request read: a ReadParse hash's field, a CGI object's param (and the like), CGI.pm's param(), the query
  // string or a request header from the environment, standard input; one call may wrap it (lc(..), decode_base64(..)).
  const readOf = (filled: string): string =>
    String.raw`(?:[\w:]{1,64}\s*\(\s*)?(?:${filled}\$(?:${HASHES})\s*\{|${obj}(?<![\w>$])(?:CGI::)?param\s*\(|\$ENV\s*\{\s*["']?(?:QUERY_STRING|HTTP_[A-Z_]{1,40})\b|<STDIN>)`;
  // (and a hash or an array the script fills from the request itself, `%p = map {..} split /&/, $ENV{QUERY_STRING}`,
  // `@a = ($q->param('c'))`, `$h{cmd} = $q->param('c')`: its elements are request fields, red team S39S)
  const baseRe = new RegExp(readOf(''));
  const containers = new Set<string>();
  for (const m of text.matchAll(CONTAINER_ASSIGN)) {
    if (baseRe.test(m[3]!)) containers.add((m[1] ?? m[2])!);
    if (containers.size >= 16) break;
  }
  const filled = containers.size > 0 ? String.raw`\$(?:${[...containers].join('|')})\s*[{[]|` : '';
  const read0 = readOf(filled);
  // (and a sub of the script's that returns a request field: `sub cmd { return $q->param('c') }`, then
  // `system(cmd())`, red team S39S)
  const closing = braceCloser(code);
  const givers = subsReturning(code, text, new RegExp(read0), closing);
  const giverPattern = givers.length > 0 ? String.raw`(?<![\w$@%>:])&?(?:${givers.join('|')})\s*\(|(?<![\w$@%>:])&(?:${givers.join('|')})\b` : '';
  const read = giverPattern ? String.raw`(?:${read0}|${giverPattern})` : read0;
  // (a giver's name counts as a call outside quoted text only: "Confirmation email (queued)" is no call of sub email,
  // red team S40)
  const read0Re = new RegExp(read0);
  const giverCall = giverPattern ? new RegExp(giverPattern, 'g') : undefined;
  const fromRequest = {
    test(s: string): boolean {
      if (read0Re.test(s)) return true;
      if (!giverCall) return false;
      for (const g of s.matchAll(giverCall)) if (outsideQuotes(s, g.index!)) return true;
      return false;
    },
  };
  const tainted = new Set<string>();
  const validated = new Set<string>();
  for (const m of code.matchAll(CAPTURED)) validated.add(m[1]!);
  // (and a variable checked against an anchored pattern of plain characters, `$t =~ /^(?:default|dark)$/`, or cleaned
  // of all but such characters, `$f =~ s/[^\w.-]//g`: red team S40's theme and dispatch pages)
  for (const l of literals) {
    if (l.kind !== 'm' && l.kind !== 's') continue;
    const target = boundTo(text, l.start);
    if (!target) continue;
    const pat = text.slice(l.from, l.to);
    const mods = modifiers(text, l.end);
    // (anchored at both ends, with no "." outside a class, no \\S, \\s, \\D or \\W, no negated class)
    if (l.kind === 'm' && /^\^[\s\S]*\$$/.test(pat) && !/\.|\\[SsDW]|\[\^/.test(pat.replace(/\\[.\-\\]/g, '').replace(/\[(?!\^)[^\]]{0,200}\]/g, 'C'))) validated.add(target);
    if (l.kind === 's' && mods.includes('g') && /^\[\^[\w\\.\-]{1,20}\]\+?$/.test(pat) && text.slice(l.to, l.end).replace(/[^\w]/g, '') === '') validated.add(target);
  }
  // (a value looked up in a table of the script's by a request field is the table's: `$ActionDispatch{$In{action}}`,
  // BackupPC's dispatch, chooses one of its own names)
  const lookup = new RegExp(String.raw`\$(?!(?:${HASHES})\s*\{)[A-Za-z_]\w{0,63}\s*(?:->\s*)?[{[](?:[^{}[\]\n]|[{[][^{}[\]\n]{0,200}[}\]]){0,200}[}\]]`, 'g');
  const own = (rhs: string): string => rhs.replace(lookup, '');
  for (const m of text.matchAll(ASSIGN)) {
    if (fromRequest.test(own(m[2]!)) && !validated.has(m[1]!)) tainted.add(m[1]!);
    if (tainted.size >= MAX_NAMES) break;
  }
  for (const m of text.matchAll(LIST_ASSIGN)) {
    // (a match in list context gives its captures: `my ($lang) = ($q->param('l') // '') =~ /^([a-z]{2})$/`, the untaint idiom)
    if (!fromRequest.test(own(m[2]!)) || /=~/.test(m[2]!)) continue;
    const first = /\$([A-Za-z_]\w{0,63})/.exec(m[1]!)?.[1];
    if (first && !validated.has(first)) tainted.add(first);
  }
  // Three rounds of assignments: `$Command = "cd \"$Dir\"" . $Sep . $RunCommand . $Redirector`; not through a
  // subscript (`$commands{$choice}`, `$list[$n]`).
  for (let round = 0; round < 3 && tainted.size > 0 && tainted.size < MAX_NAMES; round++) {
    let grew = false;
    const any = new RegExp(String.raw`\$(?:${[...tainted].join('|')})(?![\w])`);
    for (const m of text.matchAll(ASSIGN)) {
      if (tainted.has(m[1]!) || validated.has(m[1]!)) continue;
      const rhs = m[2]!.replace(/\{[^{}\n]{0,200}\}|\[[^[\]\n]{0,200}\]/g, '');
      if (!any.test(rhs)) continue;
      tainted.add(m[1]!);
      grew = true;
      if (tainted.size >= MAX_NAMES) break;
    }
    if (!grew) break;
  }
  const names = [...tainted].join('|');
  const value = names ? String.raw`(?:\$\{?(?:${names})\b\}?(?!\s*[[{])|${read})` : read;
  const valueRe = new RegExp(value);
  // A sub's own parameters are other variables than the globals of the same name.
  // (and its own variables given a value of no request, `my $file = _ca_get_file(..)`: Sympa's custom actions required
  // a file of its own while a global $file elsewhere held a field; red team S40B)
  const params = subParameters(code, closing, text, (rhs) => !fromRequest.test(rhs) && ![...rhs.matchAll(/\$\{?([A-Za-z_]\w{0,63})/g)].some((v) => tainted.has(v[1]!)));
  const outsideParams = (name: string, at: number): boolean => !params.some((p) => p.start <= at && at < p.end && p.names.has(name));
  const taintedAt = (s: string, at: number): boolean => {
    if (fromRequest.test(s)) return true;
    for (const m of s.matchAll(/\$\{?([A-Za-z_]\w{0,63})\}?(?!\s*[[{])/g)) if (tainted.has(m[1]!) && outsideParams(m[1]!, at)) return true;
    return false;
  };
  // Backticks and qx: a command literal holding a request value.
  for (const l of literals) {
    if ((l.kind === '`' || l.kind === 'qx') && taintedAt(text.slice(l.from, l.to), l.start)) return [finding(l.start, l.kind === '`' ? 'backticks' : 'qx')];
  }
  // s///ee: the replacement run as code, twice evaluated (`$c =~ s/(.*)/$1/ee` runs the field's text)
  for (const l of literals) {
    if (l.kind !== 's') continue;
    if (!/e[a-z]*e/.test(modifiers(text, l.end))) continue;
    const target = boundTo(text, l.start);
    if (taintedAt(text.slice(l.to, l.end), l.start) || (target && tainted.has(target) && outsideParams(target, l.start))) return [finding(l.start, 's///ee')];
  }
  // Calls found in the code only (not in a string, a comment, POD or after "->").
  const arg = String.raw`\s*(?:\(\s*)?(?:"[^"\n]{0,400}"|${value}[^,;\n]{0,100}|[^;\n]{0,200}?["'](?:\/bin\/|\/usr\/bin\/)?(?:ba|da|z|k)?sh["']\s*,\s*["']-c["']\s*,\s*[^;\n]{0,200})`;
  const calls: [RegExp, string, RegExp, boolean?][] = [
    [/(?<![\w$@%>:&-])(?:CORE::)?(system|exec)\b/g, 'system', new RegExp(String.raw`${arg}\s*(?:\)\s*)?(?:;|or\b|\|\||\}|$)`, 'my')],
    [/(?<![\w$@%>:&-])(?:CORE::)?(open)\b/g, 'a piped open', new RegExp(String.raw`\s*(?:\(\s*)?(?:my\s+|local\s+)?\$?[A-Za-z_]\w{0,63}\s*,\s*(?:["'][-|]\|?-?["']\s*,\s*(?:"[^"\n]{0,400}"|${value}[^,;\n]{0,100})\s*(?:\)\s*)?(?:;|or\b|\|\|)|"(?:[^"\n]{0,400}\|\s*"|\s*\|[^"\n]{0,400}")|\$[A-Za-z_]\w{0,63}\s*\))`, 'my')],
    [/(?<![\w$@%>:&-])(open[23])\b/g, 'IPC::Open2/3', /\s*\([^;]{0,400}/my],
    [/(?<![\w$@%>:&-])(eval)\b/g, 'a string eval', new RegExp(String.raw`\s*(?:\(\s*)?(?:"[^"\n]{0,400}"|${value})`, 'my')],
    // (do or require of a file the request names: the script runs it as Perl)
    [/(?<![\w$@%>:&-])(do|require)\b/g, 'a do of a file the request names', new RegExp(String.raw`\s*(?:\(\s*)?(?:"[^"\n]{0,400}"|${value})`, 'my'), true],
  ];
  // (each call's arguments are read a bounded way, so every call is read: 256 decoy calls before the real one hid it)
  for (const [word, how, rest, include] of calls) {
    let seen = 0;
    for (const m of code.matchAll(word)) {
      if (++seen > SINK_MATCHES) break;
      rest.lastIndex = m.index! + m[0].length;
      const a = rest.exec(text);
      if (!a) continue;
      // (the piped open of a variable made a command by a "|" at its end: `$Command .= " |"`)
      if (m[1] === 'open' && /\$[A-Za-z_]\w{0,63}\s*\)$/.test(a[0])) {
        const v = /\$([A-Za-z_]\w{0,63})\s*\)$/.exec(a[0])![1]!;
        if (tainted.has(v) && outsideParams(v, m.index!) && new RegExp(String.raw`\$${v}\s*\.?=[^;\n]{0,400}\|\s*["']\s*;`).test(text)) return [finding(m.index!, how)];
        continue;
      }
      if (valueRe.test(a[0]) && taintedAt(a[0], m.index!)) return [finding(m.index!, how, include)];
    }
  }
  return [];
}

/**
 * Matches of each sink a CGI analyser reads (here and in script-cgi.ts), each read a bounded way: every call is read,
 * since a run of decoy calls before the real one must not use the count up (red team S40's x01).
 */
export const SINK_MATCHES = 200_000;

/** The variable a pattern literal starting at `start` is bound to (`$x =~ s/../../`), if any. */
function boundTo(text: string, start: number): string | undefined {
  return /\$\{?([A-Za-z_]\w{0,63})\}?\s*=~\s*$/.exec(text.slice(Math.max(0, start - 80), start))?.[1];
}

/** A pattern literal's modifiers, the letters after its end. */
function modifiers(text: string, end: number): string {
  return /^[a-z]{0,12}/.exec(text.slice(end, end + 12))![0];
}

/** Whether `at` in `s` is outside its quoted strings (an even count of unescaped quotes of each kind before it). */
function outsideQuotes(s: string, at: number): boolean {
  let dq = 0;
  let sq = 0;
  for (let k = 0; k < at; k++) {
    const c = s[k];
    if (c === '\\') k++;
    else if (c === '"' && sq % 2 === 0) dq++;
    else if (c === "'" && dq % 2 === 0) sq++;
  }
  return dq % 2 === 0 && sq % 2 === 0;
}

/** `include`: the request names a file run as Perl (do, require), not a command. */
function finding(offset: number, how: string, include = false): PerlFinding {
  // (a do or require of a file the request names runs Perl code only where the attacker can place a file; large
  // applications map actions to modules so, through lookups the analyser follows as taint: Sympa's custom actions, red
  // team S40B. Suspicious, not malicious.)
  if (include) return { technique: 'cgi-include', score: 60, description: `a Perl CGI script running a file its request names as Perl (${how})`, offset };
  return { technique: 'cgi-command', score: 85, description: `a Perl CGI script running a command made of its request's fields (${how})`, offset };
}

/**
 * Where each "{" of the code closes (the code's end when it does not), found in one pass: a file of
 * 100,000 unclosed `sub x {` cost a walk to the end from each one (9 s for 250 KB; red team S40).
 */
function braceCloser(code: string): (open: number) => number {
  let closes: Map<number, number> | undefined;
  return (open: number): number => {
    if (!closes) {
      closes = new Map();
      const stack: number[] = [];
      for (let k = 0; k < code.length; k++) {
        const c = code.charCodeAt(k);
        if (c === 123) stack.push(k);
        else if (c === 125 && stack.length > 0) closes.set(stack.pop()!, k);
      }
    }
    return closes.get(open) ?? code.length;
  };
}

/** The subs whose body returns a request read (`return $q->param('c')`, or a variable the body gives one). At most 16. */
function subsReturning(code: string, text: string, fromRequest: RegExp, closing: (open: number) => number): string[] {
  const out: string[] = [];
  const startsWithRead = new RegExp(String.raw`^\s*(?:${fromRequest.source})`);
  let seen = 0;
  for (const m of code.matchAll(/\bsub\s+([A-Za-z_]\w{0,63})\s*(?:\([^)]{0,40}\)\s*)?\{/g)) {
    if (++seen > 256 || out.length >= 16) break;
    const start = m.index! + m[0].length;
    const k = Math.min(closing(start - 1), start + 20000);
    // (the body's text, its literals whole: a request read is often written with a quoted field name)
    const body = text.slice(start, k);
    const given = new Set<string>();
    for (const a of body.matchAll(ASSIGN)) if (fromRequest.test(a[2]!)) given.add(a[1]!);
    const gives = (expr: string): boolean => fromRequest.test(expr) || [...expr.matchAll(/\$([A-Za-z_]\w{0,63})/g)].some((v) => given.has(v[1]!));
    // (what `return` gives, on its line or the next; or the body's last statement, which a sub returns without one:
    // red team S40's p01, p07)
    // (the last statement only when it is the value alone: a field read, or a variable given one)
    const last = body.trimEnd().slice(-400).split(';').filter((p) => p.trim() !== '').pop() ?? '';
    const alone = /^\s*\$([A-Za-z_]\w{0,63})\s*$/.exec(last);
    if ((alone && given.has(alone[1]!)) || startsWithRead.test(last)) {
      out.push(m[1]!);
      continue;
    }
    for (const r of code.slice(start, k).matchAll(/\breturn\b/g)) {
      const expr = /^[^;}]{0,200}/.exec(text.slice(start + r.index! + 6))![0];
      if (gives(expr)) {
        out.push(m[1]!);
        break;
      }
    }
  }
  return out;
}

/** Each sub's body span and the parameters it declares (`my (..) = @_`, `my $x = shift`). */
function subParameters(code: string, closing: (open: number) => number, text: string, clean: (rhs: string) => boolean): { start: number; end: number; names: Set<string> }[] {
  const out: { start: number; end: number; names: Set<string> }[] = [];
  let seen = 0;
  for (const m of code.matchAll(/\bsub\s+[A-Za-z_][\w:]{0,63}\s*(?:\([^)]{0,40}\)\s*)?\{/g)) {
    if (out.length >= 256 || ++seen > 1024) break;
    const start = m.index! + m[0].length;
    const k = closing(start - 1);
    // (a sub declares its parameters at its top: its first 2,000 characters are read for them)
    const body = code.slice(start, Math.min(k, start + 2000));
    const names = new Set<string>();
    for (const p of body.matchAll(SUB_PARAMS)) {
      if (p[2]) names.add(p[2]);
      else for (const v of p[1]!.matchAll(/\$([A-Za-z_]\w{0,63})/g)) names.add(v[1]!);
    }
    // (a `my $x = ..` of the body whose value is clean; each name once: a second `my` of it with a field is not a local)
    const dirty = new Set<string>();
    for (const a of text.slice(start, Math.min(k, start + 20000)).matchAll(MY_ASSIGN)) {
      if (clean(a[2]!)) names.add(a[1]!);
      else dirty.add(a[1]!);
    }
    for (const d of dirty) names.delete(d);
    if (names.size > 0) out.push({ start, end: k, names });
  }
  return out;
}

/** A variable declared and given a value: `my $x = ..` to the statement's end (one line, bounded). */
const MY_ASSIGN = /\bmy\s+\$([A-Za-z_]\w{0,63})\s*=(?![=~>])([^;\n]{1,400})/g;
