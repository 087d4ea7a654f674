/**
 * The syslog prefix of a line, read by hand (it comes first on every auth.log line, so it
 * must be cheap):
 *   - an optional `<PRI>` (lines straight off the network),
 *   - a time: traditional `Dec  3 14:00:00` (no year), or RFC 3339
 *     `2026-12-03T14:00:00.123456+00:00` as newer Debian rsyslog writes,
 *   - the host name, then `program[pid]: ` or `program: ` (the tag);
 * or an RFC 5424 header: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`.
 * Journal lines come without a prefix: the source gives program, pid and time in
 * RawLine.meta, and the text is the message alone.
 */
import type { RawLine } from '../model.js';
import { parseIsoTime, parseSyslogTime, type TimeZoneMode } from './time.js';

export interface SyslogParts {
  time: number | undefined;
  host: string | undefined;
  program: string | undefined;
  pid: number | undefined;
  /** Where the message starts in the line's text. */
  messageStart: number;
}

const MAX_TAG = 64;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The prefix's parts, or undefined when the line has no syslog prefix and no metadata
 * gives the program (then it is not a syslog line).
 */
export function parseSyslogPrefix(line: RawLine, zone: TimeZoneMode): SyslogParts | undefined {
  const s = line.text;
  const meta = line.meta;
  // A journal record's text is its MESSAGE, which the sender wrote: a message that itself
  // looks like an auth.log line (`logger "Dec  1 ... sshd[1]: Failed password ..."` by any
  // user) is not read as one. The program is journald's (meta), or there is none.
  if (meta?.sender !== undefined) return meta.program === undefined ? undefined : { time: meta.time, host: meta.hostname, program: meta.program, pid: meta.pid, messageStart: 0 };
  let i = 0;
  if (s.charCodeAt(0) === 60) {
    // <PRI>, 1 to 3 digits; an RFC 5424 version digit may follow (`<34>1 `), which this reader does not take.
    const close = s.indexOf('>');
    if (close < 2 || close > 4) return undefined;
    i = close + 1;
  }
  if (i > 0 && s.charCodeAt(i) === 49 && s.charCodeAt(i + 1) === 32) return rfc5424(s, i + 2, zone);
  let time: number | undefined;
  const c0 = s.charCodeAt(i);
  if (isDigit(c0) && s.charCodeAt(i + 4) === 45 && s.charCodeAt(i + 10) === 84) {
    const sp = s.indexOf(' ', i);
    if (sp < 0 || sp - i > 40) return undefined;
    time = parseIsoTime(s.slice(i, sp), zone);
    if (time === undefined) return undefined;
    i = sp + 1;
  } else if (c0 >= 65 && c0 <= 90 && s.charCodeAt(i + 3) === 32) {
    const t = parseSyslogTime(i === 0 ? s : s.slice(i, i + 32), line.receivedAt, zone);
    if (t === undefined) return undefined;
    time = t.time;
    i += t.length;
    if (s.charCodeAt(i) !== 32) return undefined;
    i++;
  } else {
    // No prefix: a syslog message whose header the source took off.
    if (meta?.program === undefined) return undefined;
    return { time: meta.time, host: meta.hostname, program: meta.program, pid: meta.pid, messageStart: 0 };
  }
  const hostEnd = s.indexOf(' ', i);
  if (hostEnd <= i || hostEnd - i > 255) return undefined;
  const host = s.slice(i, hostEnd);
  i = hostEnd + 1;
  // The tag: program, then [pid], then ':'. Old PAM writes `sshd(pam_unix)[123]:`.
  const tagStart = i;
  const limit = Math.min(s.length, i + MAX_TAG);
  while (i < limit) {
    const c = s.charCodeAt(i);
    if (c === 91 || c === 58 || c === 32) break;
    i++;
  }
  if (i === tagStart) return undefined;
  const program = s.slice(tagStart, i);
  let pid: number | undefined;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close < 0 || close - i > 12) return undefined;
    let n = 0;
    for (let k = i + 1; k < close; k++) {
      const d = s.charCodeAt(k) - 48;
      if (d < 0 || d > 9) return undefined;
      n = n * 10 + d;
    }
    pid = n;
    i = close + 1;
  }
  if (s.charCodeAt(i) !== 58) return undefined;
  i++;
  if (s.charCodeAt(i) === 32) i++;
  return { time, host, program, pid, messageStart: i };
}

/** `1 2026-12-03T14:00:00Z host sshd 123 - - message` (from after `<PRI>1 `); `-` is a nil value. */
function rfc5424(s: string, start: number, zone: TimeZoneMode): SyslogParts | undefined {
  const fields: string[] = [];
  let i = start;
  for (let k = 0; k < 5; k++) {
    const sp = s.indexOf(' ', i);
    if (sp < 0 || sp - i > 255) return undefined;
    fields.push(s.slice(i, sp));
    i = sp + 1;
  }
  const [ts, host, app, procid] = fields as [string, string, string, string, string];
  // Structured data: `-`, or `[id k="v" ...]...` where `]` and `"` inside values are escaped.
  if (s.charCodeAt(i) === 45) i++;
  else if (s.charCodeAt(i) !== 91) return undefined;
  else {
    let inQuote = false;
    let depth = 0;
    const limit = Math.min(s.length, i + 8192);
    for (; i < limit; i++) {
      const c = s.charCodeAt(i);
      if (c === 92) {
        i++;
        continue;
      }
      if (c === 34) inQuote = !inQuote;
      else if (!inQuote && c === 91) depth++;
      else if (!inQuote && c === 93) {
        depth--;
        if (depth === 0 && s.charCodeAt(i + 1) !== 91) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return undefined;
  }
  if (s.charCodeAt(i) === 32) i++;
  // A message may start with a UTF-8 byte order mark.
  if (s.charCodeAt(i) === 0xfeff) i++;
  const pid = /^\d{1,10}$/.test(procid) ? Number(procid) : undefined;
  return {
    time: ts === '-' ? undefined : parseIsoTime(ts, zone),
    host: host === '-' ? undefined : host,
    program: app === '-' ? undefined : app,
    pid,
    messageStart: i,
  };
}
