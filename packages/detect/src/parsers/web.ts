/**
 * nginx and Apache: access logs (combined, common, vhost_combined), error logs. The line
 * shapes are the `access`, `nginx.error` and `apache.error` formats of the pattern file
 * (patterns.ts); here they become events. The JSON access log is json.ts's.
 */
import type { LineParser, LogEvent, RawLine } from '../model.js';
import type { CompiledRule } from './grok.js';
import { runRules } from './grok.js';
import { bound, httpOutcome, makeEvent, setHostPort, setRequestLine, setStr, type Fields } from './fields.js';
import type { TimeZoneMode } from './time.js';
import { unescapeLog } from './unescape.js';

export class AccessLogParser implements LineParser {
  readonly name: string;
  readonly #rules: readonly CompiledRule[];
  readonly #zone: TimeZoneMode;
  constructor(name: 'nginx.access' | 'apache.access', rules: readonly CompiledRule[], zone: TimeZoneMode) {
    this.name = name;
    this.#rules = rules;
    this.#zone = zone;
  }
  parse(line: RawLine): LogEvent | null {
    const f: Fields = { 'event.dataset': this.name };
    const r = runRules(this.#rules, line.text, f, line.receivedAt, this.#zone);
    if (!r || (f['source.ip'] === undefined && f['source.address'] === undefined)) return null;
    f['event.category'] = 'web';
    f['event.action'] = 'web-request';
    f['event.outcome'] = httpOutcome(f['http.response.status_code'] as number | undefined);
    return makeEvent(line, r.time, f);
  }
}

/**
 * The tail nginx appends to an error about a request:
 * `, client: 192.0.2.1, server: example.com, request: "GET / HTTP/1.1", upstream: "...", host: "example.com"`.
 * Read from the known keys; the message before it may hold anything.
 */
function nginxErrorTail(f: Fields, message: string): string {
  const at = message.lastIndexOf(', client: ');
  if (at < 0) return message;
  const tail = message.slice(at + 2);
  const re = /(client|server|request|upstream|host|referrer): (?:"((?:[^"\\]|\\.)*)"|([^,]*))(?:, |$)/y;
  let i = 0;
  while (i < tail.length) {
    re.lastIndex = i;
    const m = re.exec(tail);
    if (!m) break;
    const key = m[1]!;
    const v = m[2] !== undefined ? unescapeLog(m[2]) : m[3]!;
    if (key === 'client') setHostPort(f, v);
    else if (key === 'server') setStr(f, 'destination.domain', v);
    else if (key === 'request') setRequestLine(f, v);
    else if (key === 'host') setStr(f, 'url.domain', v);
    else if (key === 'referrer') setStr(f, 'http.request.referrer', v);
    i = re.lastIndex;
  }
  return message.slice(0, at);
}

export class ErrorLogParser implements LineParser {
  readonly name: string;
  readonly #rules: readonly CompiledRule[];
  readonly #zone: TimeZoneMode;
  constructor(name: 'nginx.error' | 'apache.error', rules: readonly CompiledRule[], zone: TimeZoneMode) {
    this.name = name;
    this.#rules = rules;
    this.#zone = zone;
  }
  parse(line: RawLine): LogEvent | null {
    const f: Fields = { 'event.dataset': this.name };
    const r = runRules(this.#rules, line.text, f, line.receivedAt, this.#zone);
    if (!r || r.time === undefined) return null;
    if (this.name === 'nginx.error' && typeof f['message'] === 'string') f['message'] = bound(nginxErrorTail(f, f['message']));
    f['event.category'] = 'web';
    f['event.action'] = 'web-error';
    f['event.outcome'] = 'unknown';
    return makeEvent(line, r.time, f);
  }
}
