/**
 * Perl CGI command shells: a script that reads its request (a ReadParse of QUERY_STRING or standard input
 * into %in, or CGI.pm's param) into variables and runs one of them, or a text made of one, as a command
 * (backticks, qx, system, exec, or a piped open). The classic CGI shells work so (session 38's set H21,
 * CGI-Telnet: the command field's value joined after a `cd` and opened as `"$Command |"`), and they are
 * kept under any name, a .php among them.
 *
 * Variables are followed through assignments and concatenations, two rounds, in bounded text: at most
 * MAX_TEXT characters are read, MAX_NAMES names followed, and each pattern is bounded.
 */

export interface PerlFinding {
  technique: string;
  score: number;
  description: string;
  offset: number;
}

const MAX_TEXT = 256 * 1024;
const MAX_NAMES = 64;

/** What marks Perl run as a CGI: its request read from the environment or standard input, or CGI.pm. */
const CGI_INPUT = /\$ENV\s*\{\s*["']?(?:QUERY_STRING|REQUEST_METHOD|CONTENT_LENGTH)\b|\bread\s*\(\s*STDIN\b|\buse\s+CGI\b|\bCGI\s*->\s*new\b|\bnew\s+CGI\b/;
/** Perl, not PHP or shell: its first line, or a `sub name {`, or a `my $x` / `local (` declaration. */
const PERL = /^#!\S*perl\b|\bsub\s+[A-Za-z_]\w{0,63}\s*\{|\bmy\s+[$@%][A-Za-z_]|\blocal\s*\(/m;
/** A variable given a request field: `$c = $in{'c'}`, `$c = $q->param('c')`, `$c = param('c')`. */
const FROM_REQUEST = /\$([A-Za-z_]\w{0,63})\s*=\s*(?:\$(?:in|FORM|form|input|params?|INPUT|query)\s*\{|\$[A-Za-z_]\w{0,63}\s*->\s*param\s*\(|param\s*\(|\$ENV\s*\{\s*["']?QUERY_STRING\b)/g;
/** Any assignment (or `.=`), its variable and its right side (one line, bounded). */
// (its quoted strings read whole: "cd /tmp; " holds a ";")
const ASSIGN = /\$([A-Za-z_]\w{0,63})\s*\.?=(?![=~])\s*((?:"(?:[^"\\\n]|\\.){0,400}"|'(?:[^'\\\n]|\\.){0,400}'|[^;"'\n]){1,400})/g;
/** A file handle as open is given one: a bareword, `$fh`, `my $fh`. */
const HANDLE = String.raw`(?:my\s+|local\s+)?\$?[A-Za-z_]\w{0,63}`;
/** A request field read in place, in a command: `$in{'c'}`, `$q->param('c')`. */
const FIELD = String.raw`\$(?:in|FORM|form|input|params?|INPUT|query)\s*\{|\$[A-Za-z_]\w{0,63}\s*->\s*param\s*\(|\bparam\s*\(`;

/**
 * The command runs of `src` whose command is, or is made of, a request field. `perlPath`: the file's name
 * says Perl (.pl, .cgi) where its text may not.
 */
export function perlCgiCommand(input: string, perlPath = false): PerlFinding[] {
  const text = input.length > MAX_TEXT ? input.slice(0, MAX_TEXT) : input;
  if (!CGI_INPUT.test(text) || !(perlPath || PERL.test(text))) return [];
  const src = perlCode(text);
  const tainted = new Set<string>();
  for (const m of src.matchAll(FROM_REQUEST)) {
    tainted.add(m[1]!);
    if (tainted.size >= MAX_NAMES) break;
  }
  // Two rounds of assignments: `$Command = "cd \"$Dir\"" . $Sep . $RunCommand . $Redirector`.
  for (let round = 0; round < 2 && tainted.size > 0 && tainted.size < MAX_NAMES; round++) {
    let grew = false;
    const any = new RegExp(String.raw`\$(?:${[...tainted].join('|')})(?![\w])`);
    for (const m of src.matchAll(ASSIGN)) {
      if (tainted.has(m[1]!) || !any.test(m[2]!)) continue;
      tainted.add(m[1]!);
      grew = true;
      if (tainted.size >= MAX_NAMES) break;
    }
    if (!grew) break;
  }
  const names = [...tainted].join('|');
  const value = names ? String.raw`(?:\$(?:${names})(?![\w])|${FIELD})` : `(?:${FIELD})`;
  // (a variable made a command to read from by a "|" at its end: `$Command .= " |"`, then open(H, $Command))
  const piped = new Set<string>();
  for (const m of src.matchAll(/\$([A-Za-z_]\w{0,63})\s*\.?=[^;\n]{0,400}\|\s*["']\s*;/g)) {
    if (tainted.has(m[1]!)) piped.add(m[1]!);
  }
  const sinks: [RegExp, string][] = [
    // (a command in backticks closed on its line; system and exec given it as their one argument, the form a
    // shell runs: exec($prog, @args) runs the program itself, its arguments never a command)
    [new RegExp(String.raw`\x60[^\x60\n]{0,400}${value}[^\x60\n]{0,400}\x60`), 'backticks'],
    [new RegExp(String.raw`\bqx\s*[{(\/|!'"][^\n]{0,400}${value}`), 'qx'],
    [new RegExp(String.raw`\b(?:system|exec)\b\s*(?:\(\s*)?(?:"[^"\n]{0,400}${value}[^"\n]{0,400}"|${value}[^,;\n]{0,100})\s*\)?\s*(?:;|or\b|\|\||$)`, 'm'), 'system'],
    // (a piped open of one command text; the list form, open($fh, "-|", $prog, @args), runs no shell)
    [new RegExp(String.raw`\bopen\s*(?:\(\s*)?${HANDLE}\s*,\s*"[^"\n]{0,400}${value}[^"\n]{0,200}\|\s*"`), 'a piped open'],
    [new RegExp(String.raw`\bopen\s*(?:\(\s*)?${HANDLE}\s*,\s*["']-\|["']\s*,\s*(?:"[^"\n]{0,400}${value}[^"\n]{0,400}"|${value}[^,;\n]{0,100})\s*\)?\s*(?:;|or\b|\|\|)`), 'a piped open'],
  ];
  if (piped.size > 0) sinks.push([new RegExp(String.raw`\bopen\s*(?:\(\s*)?${HANDLE}\s*,\s*\$(?:${[...piped].join('|')})(?![\w])`), 'a piped open']);
  for (const [re, how] of sinks) {
    const m = re.exec(src);
    if (m) return [{ technique: 'cgi-command', score: 85, description: `a Perl CGI script running a command made of its request's fields (${how})`, offset: m.index }];
  }
  return [];
}

/**
 * Perl text with its POD (from a line opening `=word` to `=cut`) and its comments blanked, its length and
 * lines kept: a comment or a manual page may quote a command or a param() call. A "#" opens a comment at a
 * line's start or after white space where the line before it holds no open quote (an approximation: a "#"
 * inside a quoted string is left alone).
 */
function perlCode(src: string): string {
  const lines = src.split('\n');
  let pod = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (pod || (/^=[a-zA-Z]/.test(line) && i > 0)) {
      pod = !/^=cut\b/.test(line);
      lines[i] = ' '.repeat(line.length);
      continue;
    }
    if (i === 0 && line.startsWith('#!')) continue;
    for (let k = line.indexOf('#'); k >= 0; k = line.indexOf('#', k + 1)) {
      if (k > 0 && !/\s/.test(line[k - 1]!)) continue;
      const before = line.slice(0, k);
      if ((before.split('"').length - 1) % 2 === 0 && (before.split("'").length - 1) % 2 === 0) {
        lines[i] = before + ' '.repeat(line.length - k);
        break;
      }
    }
  }
  return lines.join('\n');
}
