/**
 * The built-in parsers, compiled once into a frozen registry per call (no process-wide
 * state), and the auto-detector `mamori replay` uses for files of unknown or mixed format.
 *
 * Example:
 *   const parsers = createParsers({ timeZone: 'utc' });
 *   const nginx = parsers.get('nginx.access');
 *   const auto = parsers.get('auto');             // per line: the last parser that read a line is tried first
 *   sniffFormat(parsers, firstLines)              // 'sshd', 'nginx.access', ... or undefined
 */
import { Registry } from 'mamori/internal';
import type { LineParser, LogEvent, RawLine } from '../model.js';
import { readPatternFile, runRules, type CompiledRule } from './grok.js';
import { makeEvent, type Fields } from './fields.js';
import { AuthLogParser } from './auth.js';
import { FortiGateParser, LogfmtParser } from './kv.js';
import { JsonParser } from './json.js';
import { BUILTIN_PATTERNS_YAML } from './patterns.js';
import type { TimeZoneMode } from './time.js';
import { VpnParser } from './vpn.js';
import { AccessLogParser, ErrorLogParser } from './web.js';

export interface ParserOptions {
  /** The zone of times written without one (syslog, nginx error log): `local` (default) or `utc`. */
  readonly timeZone?: TimeZoneMode;
  /**
   * A pattern file's text (YAML, see grok.ts): its patterns join the library, and its
   * formats replace the built-in ones of the same name (`access`, `sshd`, `pam`,
   * `nginx.error`, `apache.error`) or add new parsers named after them.
   */
  readonly patterns?: string;
  /** Where `patterns` came from, for error messages. */
  readonly patternsSource?: string;
}

/** The built-in parser names, in the order the auto-detector tries them. */
export const PARSER_NAMES = ['mamori', 'nginx.json', 'json', 'nginx.access', 'apache.access', 'nginx.error', 'apache.error', 'sshd', 'fortigate', 'vpn', 'logfmt'] as const;

/** A format a user's pattern file added: its rules, nothing more. */
class GrokParser implements LineParser {
  readonly name: string;
  readonly #rules: readonly CompiledRule[];
  readonly #zone: TimeZoneMode;
  constructor(name: string, rules: readonly CompiledRule[], zone: TimeZoneMode) {
    this.name = name;
    this.#rules = rules;
    this.#zone = zone;
  }
  parse(line: RawLine): LogEvent | null {
    const f: Fields = { 'event.dataset': this.name };
    const r = runRules(this.#rules, line.text, f, line.receivedAt, this.#zone);
    return r ? makeEvent(line, r.time, f) : null;
  }
}

/**
 * Picks a parser per line, the last winner first, then the ones `order` names for the line:
 * `candidates` (the line's shape) for `auto`; for an input that names its formats, those, in the
 * order named (a line's shape does not narrow them: a user's pattern formats and the apache and
 * JSON variants are never auto's candidates).
 */
class AutoParser implements LineParser {
  readonly name = 'auto';
  /** The parsers it may pick from (all, or the ones an input names). */
  readonly #all: ReadonlyMap<string, LineParser>;
  readonly #order: (text: string) => readonly string[];
  #last: LineParser | undefined;
  constructor(all: ReadonlyMap<string, LineParser>, order: (text: string) => readonly string[] = candidates) {
    this.#all = all;
    this.#order = order;
  }
  parse(line: RawLine): LogEvent | null {
    if (this.#last) {
      const e = this.#last.parse(line);
      if (e) return e;
    }
    for (const name of this.#order(line.text)) {
      const p = this.#all.get(name);
      if (!p || p === this.#last) continue;
      const e = p.parse(line);
      if (e) {
        // logfmt reads any key=value line, FortiGate's and SonicWall's too: it is the fallback, never tried first.
        if (name !== 'logfmt') this.#last = p;
        return e;
      }
    }
    return null;
  }
}

/** The parsers worth trying on a line, most likely first, from its first characters. */
export function candidates(text: string): readonly string[] {
  const c = text.charCodeAt(0);
  // The json parser tells mamori events and nginx's JSON log apart itself (their datasets).
  if (c === 123) return ['json'];
  if (c === 91) return ['apache.error'];
  if (text.includes('logid=') || text.includes('devid=')) return ['fortigate', 'vpn'];
  if (c >= 48 && c <= 57 && text.charCodeAt(4) === 47) return ['nginx.error', 'vpn'];
  if (text.includes(',GLOBALPROTECT,') || text.includes(' SSLVPN ') || text.includes(' AAA ') || text.includes('id=firewall')) return ['vpn'];
  if ((c >= 48 && c <= 57) || c === 58 || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) {
    // An address first: an access log; a digit may also start an RFC 3339 syslog time.
    return ['nginx.access', 'sshd', 'vpn', 'logfmt'];
  }
  return ['sshd', 'nginx.access', 'vpn', 'logfmt'];
}

export interface ParserSet {
  /** A parser by name: one of PARSER_NAMES, `auto`, or a format a pattern file added. Throws MAMORI_ERR_REGISTRY_UNKNOWN naming the choices. */
  get(name: string): LineParser;
  /**
   * A detector like `auto` (a new one each call) that picks among the parsers named only: a line
   * none of them reads is not parsed. Throws MAMORI_ERR_REGISTRY_UNKNOWN for a name it does not have.
   */
  among(names: readonly string[]): LineParser;
  has(name: string): boolean;
  names(): string[];
}

/** Compiles the built-in parsers (and a user's pattern file) into a frozen registry. */
export function createParsers(options: ParserOptions = {}): ParserSet {
  const zone = options.timeZone ?? 'local';
  const builtin = readPatternFile(BUILTIN_PATTERNS_YAML, 'built-in patterns');
  const formats = new Map(builtin.formats);
  let extra: ReadonlyMap<string, readonly CompiledRule[]> = new Map();
  if (options.patterns !== undefined) {
    // A user's patterns run on RE2: the static linearity check cannot catch every shape.
    extra = readPatternFile(options.patterns, options.patternsSource ?? 'patterns', builtin.library, true).formats;
    for (const [k, v] of extra) formats.set(k, v);
  }
  const rules = (k: string): readonly CompiledRule[] => formats.get(k) ?? [];
  const reg = new Registry<LineParser>('log parser');
  reg.register('mamori', new JsonParser('mamori', zone));
  reg.register('nginx.json', new JsonParser('nginx', zone));
  reg.register('json', new JsonParser('json', zone));
  reg.register('nginx.access', new AccessLogParser('nginx.access', rules('access'), zone));
  reg.register('apache.access', new AccessLogParser('apache.access', rules('access'), zone));
  reg.register('nginx.error', new ErrorLogParser('nginx.error', rules('nginx.error'), zone));
  reg.register('apache.error', new ErrorLogParser('apache.error', rules('apache.error'), zone));
  reg.register('sshd', new AuthLogParser(rules('sshd'), rules('pam'), zone));
  reg.register('fortigate', new FortiGateParser(zone));
  reg.register('vpn', new VpnParser(zone));
  reg.register('logfmt', new LogfmtParser(zone));
  const builtInFormats = new Set(['access', 'nginx.error', 'apache.error', 'sshd', 'pam']);
  for (const [k, v] of extra) if (!builtInFormats.has(k) && !reg.has(k)) reg.register(k, new GrokParser(k, v, zone));
  const byName = new Map(reg.names().map((n) => [n, reg.get(n)] as const));
  reg.freeze();
  return {
    // Each `auto` is a new one: it remembers the last winner, so one per input.
    get: (name: string) => (name === 'auto' ? new AutoParser(byName) : reg.get(name)),
    among: (names: readonly string[]) => {
      const list = [...names];
      return new AutoParser(new Map(list.map((n) => [n, reg.get(n)] as const)), () => list);
    },
    has: (name: string) => name === 'auto' || reg.has(name),
    names: () => [...reg.names(), 'auto'],
  };
}

/**
 * The format of a file from its first lines: the parser that reads the most of them
 * (at least half of the non-empty ones), or undefined. Ties go to the earlier name in
 * PARSER_NAMES (nginx before Apache: their access logs are the same format).
 */
export function sniffFormat(parsers: ParserSet, lines: readonly string[], input = 'sniff'): string | undefined {
  const sample = lines.filter((l) => l.trim() !== '').slice(0, 50);
  if (sample.length === 0) return undefined;
  const now = Date.now();
  let best: string | undefined;
  let bestCount = 0;
  const names = new Set<string>();
  for (const l of sample) for (const n of candidates(l)) names.add(n);
  // The json parser stands for the two JSON formats with a dataset of their own.
  if (names.has('json')) names.add('mamori').add('nginx.json');
  for (const name of PARSER_NAMES) {
    if (!names.has(name) && name !== 'logfmt') continue;
    const p = parsers.get(name);
    let count = 0;
    for (const text of sample) if (p.parse({ text, input, receivedAt: now })) count++;
    if (count > bestCount) {
      best = name;
      bestCount = count;
    }
  }
  return bestCount * 2 >= sample.length ? best : undefined;
}
