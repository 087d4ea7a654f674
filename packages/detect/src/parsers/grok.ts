/**
 * Grok-like patterns, compiled once: `%{NAME:field}` or `%{NAME:field:type}` in a pattern
 * stands for the library pattern NAME captured into the event field `field`, read as
 * `type`. The library and the patterns are YAML (see patterns.ts); a user may add their own.
 *
 * Example:
 *   '^%{NOTSPACE:source.ip:source} \[%{HTTPDATE:-:httpdate}\] "%{QSBODY:-:request}"'
 *
 * Types: str (default), int, ip (an address or nothing), source (`source.ip`, or
 * `source.address` for a host name), request (an HTTP request line: method, url.*),
 * url (url.original, url.path, url.query), esc (a string with nginx's or Apache's
 * escapes), hostport (`192.0.2.1:5000`, `[2001:db8::1]:5000`: source.ip and source.port),
 * pamkv (PAM's `logname= uid=0 ... rhost=... user=...`), and the time formats httpdate,
 * iso, syslog, ctime, slash (they set the event's time; their field name is `-`).
 *
 * The patterns run on attacker-written lines, so compile() holds them to a shape that
 * matches in linear time: anchored at the start, no capturing groups of their own (the
 * captures are the fields), no backreferences or lookarounds, no quantified group that
 * holds a quantifier (`(a+)+`), and at most one unbounded any-character run (`.*`).
 */
import { parse as parseYaml } from 'yaml';
import { RE2JS } from 're2js';
import { MamoriError } from 'mamori/internal';
import { bound, setHostPort, setIp, setPamKv, setInt, setRequestLine, setSource, setStr, setUrl, type Fields } from './fields.js';
import { parseCtime, parseHttpDate, parseIsoTime, parseSlashTime, parseSyslogTime, type TimeZoneMode } from './time.js';
import { unescapeLog } from './unescape.js';

export const CAPTURE_TYPES = ['str', 'int', 'ip', 'source', 'request', 'url', 'esc', 'httpdate', 'iso', 'syslog', 'ctime', 'slash', 'hostport', 'pamkv'] as const;
export type CaptureType = (typeof CAPTURE_TYPES)[number];

export interface Capture {
  readonly field: string;
  readonly type: CaptureType;
}

export interface CompiledPattern {
  readonly source: string;
  readonly regex: RegExp;
  readonly captures: readonly Capture[];
  /**
   * A user pattern file's patterns run on RE2 (linear in the line, whatever the pattern):
   * the static check below cannot prove every shape linear, and the line is the attacker's.
   * The match, group 0 then the captures; null when it does not match.
   */
  readonly linear?: (text: string) => readonly (string | undefined)[] | null;
}

function re2Matcher(source: string, where: string): (text: string) => readonly (string | undefined)[] | null {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (cause) {
    throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: not a regular expression RE2 can run: ${(cause as Error).message.slice(0, 160)}`, { cause });
  }
  const n = re.groupCount();
  return (text) => {
    const m = re.matcher(text);
    if (!m.lookingAt()) return null;
    const out: (string | undefined)[] = [];
    for (let i = 0; i <= n; i++) out.push(m.group(i) ?? undefined);
    return out;
  };
}

const MAX_PATTERN = 4096;
const MAX_DEPTH = 8;

/** Expands `%{NAME}` references (library patterns may use each other, a few levels deep). */
function expand(text: string, library: Readonly<Record<string, string>>, captures: Capture[] | undefined, depth: number, where: string, open = '('): string {
  if (depth > MAX_DEPTH) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: patterns refer to each other more than ${MAX_DEPTH} deep`);
  return text.replace(/%\{([A-Z0-9_]{1,40})(?::([A-Za-z0-9_.@-]{1,80}))?(?::([a-z]{1,10}))?\}/g, (_all, name: string, field: string | undefined, type: string | undefined) => {
    const body = library[name];
    if (body === undefined) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: no pattern named %{${name}}`);
    const inner = expand(body, library, undefined, depth + 1, where);
    if (field === undefined || captures === undefined) return `(?:${inner})`;
    const t = (type ?? 'str') as CaptureType;
    if (!CAPTURE_TYPES.includes(t)) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: %{${name}:${field}:${type}}: the type must be one of ${CAPTURE_TYPES.join(', ')}`);
    if (field === '-' && !t.match(/^(httpdate|iso|syslog|ctime|slash|request|hostport|pamkv)$/)) return `(?:${inner})`;
    captures.push({ field, type: t });
    return `${open}${inner})`;
  });
}

/**
 * Refuses the regex shapes that can backtrack without bound. A static check cannot
 * prove linearity in general; with delimiter-separated fields (what log formats are)
 * these rules are what matters, and the 64 KiB pathological-line test checks the rest.
 */
export function assertLinear(re: string, where: string): void {
  if (re.charCodeAt(0) !== 94) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: a pattern must be anchored at the start (^)`);
  // Per open group: does it hold an unbounded quantifier?
  const stack: boolean[] = [];
  const starts: number[] = [];
  let lastGroup = '';
  let anyRuns = 0;
  let inClass = false;
  let lastGroupUnbounded = false;
  const fail = (why: string): never => {
    throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: ${why}, which can take time exponential in the line's length`);
  };
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') {
      const n = re[i + 1];
      if (n !== undefined && /[1-9k]/.test(n)) fail('a backreference');
      i++;
      lastGroupUnbounded = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroupUnbounded = false;
      continue;
    }
    if (c === '(') {
      if (re[i + 1] !== '?') fail('a capturing group of its own (use (?:...))');
      else if (re[i + 2] !== ':') fail('a lookaround or named group');
      stack.push(false);
      starts.push(i + 3);
      continue;
    }
    if (c === ')') {
      lastGroupUnbounded = stack.pop() ?? fail('an unbalanced )');
      lastGroup = re.slice(starts.pop() ?? 0, i);
      continue;
    }
    const unbounded = c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(re.slice(i, i + 12)));
    const bounded = c === '?' || (c === '{' && !unbounded);
    if (unbounded || bounded) {
      const prev = re[i - 1];
      if (prev === ')' && lastGroupUnbounded && (unbounded || c === '{')) fail('a repeated group that holds a repeat');
      if (prev === ')' && unbounded && !disjointAlternatives(lastGroup)) fail('a repeated group whose alternatives can match the same text');
      if (unbounded) {
        if (prev === '.' && re[i - 2] !== '\\') anyRuns++;
        for (let k = 0; k < stack.length; k++) stack[k] = true;
      }
      if (c === '{') i = re.indexOf('}', i);
      lastGroupUnbounded = false;
      continue;
    }
    lastGroupUnbounded = false;
  }
  if (stack.length > 0) fail('an unclosed (');
  if (anyRuns > 1) fail('more than one .* or .+');
}

/** The top-level alternatives of a group's body. */
function alternatives(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(body.slice(from, i));
      from = i + 1;
    }
  }
  out.push(body.slice(from));
  return out;
}

/**
 * The first character an alternative must start with: a literal (`a`, `\\"`) or a
 * negated class's excluded characters (`[^"\\]`). Anything else is unknown.
 */
function firstAtom(alt: string): { literal: string } | { excluded: string } | undefined {
  const c = alt[0];
  if (c === undefined) return undefined;
  if (c === '\\') {
    const n = alt[1];
    return n !== undefined && !/[A-Za-z0-9]/.test(n) ? { literal: n } : undefined;
  }
  if (c === '[') {
    if (alt[1] !== '^') return undefined;
    let excluded = '';
    for (let i = 2; i < alt.length; i++) {
      const d = alt[i]!;
      if (d === ']') return excluded.includes('-') ? undefined : { excluded };
      if (d === '\\') {
        const n = alt[++i];
        if (n === undefined || /[A-Za-z0-9]/.test(n)) return undefined;
        excluded += n;
      } else excluded += d;
    }
    return undefined;
  }
  return /[.()|?*+{}^$]/.test(c) ? undefined : { literal: c };
}

/**
 * True when a repeated group's alternatives cannot start on the same character, so
 * the engine never has two ways to match the same text (`(?:[^"\\]|\\.)*` is fine,
 * `(?:a|a)*` and `(?:\w|\d)*` are not). One alternative: nothing to compare.
 */
function disjointAlternatives(body: string): boolean {
  const alts = alternatives(body);
  if (alts.length < 2) return true;
  const atoms = alts.map(firstAtom);
  for (let i = 0; i < atoms.length; i++) {
    for (let j = i + 1; j < atoms.length; j++) {
      const a = atoms[i];
      const b = atoms[j];
      if (!a || !b) return false;
      if ('literal' in a && 'literal' in b) {
        if (a.literal === b.literal) return false;
      } else if ('literal' in a && 'excluded' in b) {
        if (!b.excluded.includes(a.literal)) return false;
      } else if ('excluded' in a && 'literal' in b) {
        if (!a.excluded.includes(b.literal)) return false;
      } else return false;
    }
  }
  return true;
}

/** Compiles a pattern against a library. Throws a MamoriError naming `where` on a bad one. */
export function compilePattern(pattern: string, library: Readonly<Record<string, string>>, where: string, linear = false): CompiledPattern {
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_PATTERN) {
    throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: a pattern is a string of 1 to ${MAX_PATTERN} characters`);
  }
  const captures: Capture[] = [];
  const source = expand(pattern, library, captures, 0, where);
  // Checked with the field captures written as (?:...): any other capturing group is the pattern's own, refused.
  assertLinear(expand(pattern, library, [], 0, where, '(?:'), where);
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (cause) {
    throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: not a regular expression: ${(cause as Error).message}`, { cause });
  }
  return linear ? { source, regex, captures, linear: re2Matcher(source, where) } : { source, regex, captures };
}

/**
 * Applies a match's captures to an event's fields; returns the time a time capture read
 * (undefined when none did or it did not parse).
 */
export function applyCaptures(m: { readonly [i: number]: string | undefined }, captures: readonly Capture[], f: Fields, receivedAt: number, zone: TimeZoneMode): number | undefined {
  let time: number | undefined;
  for (let i = 0; i < captures.length; i++) {
    const v = m[i + 1];
    if (v === undefined) continue;
    const { field, type } = captures[i]!;
    switch (type) {
      case 'str':
        setStr(f, field, v);
        break;
      case 'esc':
        if (v !== '' && v !== '-') f[field] = bound(unescapeLog(v));
        break;
      case 'int':
        setInt(f, field, v);
        break;
      case 'ip':
        setIp(f, field, v);
        break;
      case 'source':
        setSource(f, v);
        break;
      case 'request':
        setRequestLine(f, unescapeLog(v));
        break;
      case 'url':
        setUrl(f, v);
        break;
      case 'httpdate':
        time = parseHttpDate(v, zone);
        break;
      case 'iso':
        time = parseIsoTime(v, zone);
        break;
      case 'syslog':
        time = parseSyslogTime(v, receivedAt, zone)?.time;
        break;
      case 'ctime':
        time = parseCtime(v, zone);
        break;
      case 'slash':
        time = parseSlashTime(v, zone);
        break;
      case 'hostport':
        setHostPort(f, v);
        break;
      case 'pamkv':
        setPamKv(f, v);
        break;
    }
  }
  return time;
}

export interface PatternFile {
  readonly patterns: Readonly<Record<string, string>>;
  readonly formats: Readonly<Record<string, readonly FormatRule[]>>;
}

export interface FormatRule {
  /** What this rule reads, for messages and for `log.format`. */
  readonly name: string;
  /** A fast pre-check: the message must start with this (no regex runs otherwise). */
  readonly prefix?: string;
  /** A fast pre-check: the message must contain this. */
  readonly contains?: string;
  readonly match: string;
  /** Constant fields set when the rule matches: `event.action: ssh-login`. */
  readonly set?: Readonly<Record<string, string | number | boolean>>;
}

export interface CompiledRule {
  readonly name: string;
  readonly prefix: string | undefined;
  readonly contains: string | undefined;
  readonly pattern: CompiledPattern;
  readonly set: readonly (readonly [string, string | number | boolean])[];
}

/** Reads a pattern file (YAML text): `patterns:` (the library) and `formats:` (rules per format). */
export function readPatternFile(text: string, where: string, base?: Readonly<Record<string, string>>, linear = false): { library: Readonly<Record<string, string>>; formats: ReadonlyMap<string, readonly CompiledRule[]> } {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 10 });
  } catch (cause) {
    throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: not YAML: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: a pattern file is a mapping with patterns: and formats:`);
  const d = doc as Record<string, unknown>;
  const library: Record<string, string> = { ...(base ?? {}) };
  const pats = d['patterns'] ?? {};
  if (typeof pats !== 'object' || pats === null || Array.isArray(pats)) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: patterns: is a mapping NAME: regex`);
  for (const [k, v] of Object.entries(pats)) {
    if (!/^[A-Z0-9_]{1,40}$/.test(k) || typeof v !== 'string') throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: patterns.${k.slice(0, 40)}: names are UPPER_CASE and values strings`);
    library[k] = v;
  }
  const formats = new Map<string, CompiledRule[]>();
  const fm = d['formats'] ?? {};
  if (typeof fm !== 'object' || fm === null || Array.isArray(fm)) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: formats: is a mapping name: [rules]`);
  for (const [name, rules] of Object.entries(fm)) {
    if (!Array.isArray(rules)) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${where}: formats.${name.slice(0, 40)} is a list of rules`);
    const out: CompiledRule[] = [];
    rules.forEach((r: unknown, i: number) => {
      const at = `${where}: formats.${name.slice(0, 40)}[${i}]`;
      if (r === null || typeof r !== 'object') throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${at}: a rule is a mapping with match:`);
      const rule = r as Record<string, unknown>;
      const set = rule['set'] ?? {};
      if (typeof set !== 'object' || set === null) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${at}: set: is a mapping field: value`);
      const str = (k: string) => (typeof rule[k] === 'string' ? (rule[k] as string) : undefined);
      out.push({
        name: str('name') ?? `${name}#${i}`,
        prefix: str('prefix'),
        contains: str('contains'),
        pattern: compilePattern(String(rule['match'] ?? ''), library, at, linear),
        set: Object.entries(set as Record<string, unknown>).filter((e): e is [string, string | number | boolean] => ['string', 'number', 'boolean'].includes(typeof e[1])),
      });
    });
    formats.set(name, out);
  }
  return { library, formats };
}

/**
 * Runs a format's rules on a message: the first that matches fills the fields and wins.
 * Returns false when none did, else the time a capture read (or undefined).
 */
export function runRules(rules: readonly CompiledRule[], text: string, f: Fields, receivedAt: number, zone: TimeZoneMode): { time: number | undefined; rule: CompiledRule } | undefined {
  for (const r of rules) {
    if (r.prefix !== undefined && !text.startsWith(r.prefix)) continue;
    if (r.contains !== undefined && !text.includes(r.contains)) continue;
    const m = r.pattern.linear ? r.pattern.linear(text) : r.pattern.regex.exec(text);
    if (!m) continue;
    const time = applyCaptures(m, r.pattern.captures, f, receivedAt, zone);
    for (const [k, v] of r.set) f[k] = v;
    return { time, rule: r };
  }
  return undefined;
}
