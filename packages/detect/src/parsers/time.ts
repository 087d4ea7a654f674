/**
 * The time formats log lines carry, read by hand (no Date.parse on attacker text
 * except for ISO 8601, which it reads strictly):
 *   - HTTP date, nginx and Apache access logs: `03/Dec/2026:14:00:00 +0000`
 *   - traditional syslog, no year: `Dec  3 14:00:00` (the year inferred from the receive time)
 *   - ISO 8601 / RFC 3339: `2026-12-03T14:00:00.123456+09:00`
 *   - nginx error log: `2026/12/03 14:00:00`; Apache error log: `Thu Dec 03 14:00:00.123456 2026`
 * A time written without a zone is local time of the machine that wrote it: the parsers
 * read it in the zone their options name (`local`, the default, or `utc`).
 */

export type TimeZoneMode = 'local' | 'utc';

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

export function monthIndex(s: string): number | undefined {
  return MONTHS[s];
}

function num(s: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

function compose(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, zone: TimeZoneMode): number | undefined {
  if (!(mo >= 0 && mo <= 11 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60 && y >= 1970 && y <= 9999)) return undefined;
  if (zone === 'utc') {
    const t = Date.UTC(y, mo, d, h, mi, s, ms);
    // Feb 30 would roll over into March: a date that does not exist is no date.
    return Number.isFinite(t) && new Date(t).getUTCDate() === d ? t : undefined;
  }
  const local = new Date(y, mo, d, h, mi, s, ms);
  return Number.isFinite(local.getTime()) && local.getDate() === d ? local.getTime() : undefined;
}

/** `03/Dec/2026:14:00:00 +0000` (the offset may be missing: then the zone mode applies). */
export function parseHttpDate(s: string, zone: TimeZoneMode = 'local'): number | undefined {
  if (s.length < 20 || s.charCodeAt(2) !== 47 || s.charCodeAt(6) !== 47 || s.charCodeAt(11) !== 58) return undefined;
  const d = num(s, 0, 2);
  const mo = MONTHS[s.slice(3, 6)];
  const y = num(s, 7, 4);
  const h = num(s, 12, 2);
  const mi = num(s, 15, 2);
  const sec = num(s, 18, 2);
  if (mo === undefined) return undefined;
  if (s.length >= 26 && s.charCodeAt(20) === 32) {
    const sign = s.charCodeAt(21);
    const oh = num(s, 22, 2);
    const om = num(s, 24, 2);
    if ((sign === 43 || sign === 45) && oh <= 23 && om <= 59) {
      const base = compose(y, mo, d, h, mi, sec, 0, 'utc');
      if (base === undefined) return undefined;
      const off = (oh * 60 + om) * 60_000;
      return sign === 43 ? base - off : base + off;
    }
    return undefined;
  }
  return compose(y, mo, d, h, mi, sec, 0, zone);
}

/**
 * The year a syslog time without one was written in: the latest of the receive time's
 * year and its neighbours that does not put the line more than a week after it was
 * received (a `Dec 31` line read on Jan 1 is last year's; a `Jan 1` line read a few
 * seconds before midnight on Dec 31, by a clock a little behind, is next year's).
 */
export function inferYear(mo: number, d: number, receivedAt: number, zone: TimeZoneMode): number {
  const r = new Date(receivedAt);
  const y = zone === 'utc' ? r.getUTCFullYear() : r.getFullYear();
  const limit = receivedAt + 7 * 86_400_000;
  for (const year of [y + 1, y, y - 1]) {
    const t = compose(year, mo, d, 0, 0, 0, 0, zone);
    if (t !== undefined && t <= limit) return year;
  }
  return y;
}

/**
 * `Dec  3 14:00:00` or `Dec 03 14:00:00.123` at the start of `s`: the time and how many
 * characters it took, or undefined.
 */
export function parseSyslogTime(s: string, receivedAt: number, zone: TimeZoneMode = 'local'): { readonly time: number; readonly length: number } | undefined {
  // The lines of one second share their time: the last answer is kept for the next line (to the
  // second, with the same receive time and zone, since the year depends on both).
  const last = lastSyslog;
  if (last !== undefined && last.receivedAt === receivedAt && last.zone === zone && s.charCodeAt(15) !== 46 && s.startsWith(last.text)) return last.result;
  const r = readSyslogTime(s, receivedAt, zone);
  if (r !== undefined && r.length === 15) lastSyslog = { text: s.slice(0, 15), receivedAt, zone, result: r };
  return r;
}

/** parseSyslogTime's last whole-second answer (a memo of a pure function: the same input gives the same answer). */
let lastSyslog: { text: string; receivedAt: number; zone: TimeZoneMode; result: { readonly time: number; readonly length: number } } | undefined;

function readSyslogTime(s: string, receivedAt: number, zone: TimeZoneMode): { time: number; length: number } | undefined {
  if (s.length < 15 || s.charCodeAt(3) !== 32 || s.charCodeAt(9) !== 58 || s.charCodeAt(12) !== 58) return undefined;
  const mo = MONTHS[s.slice(0, 3)];
  if (mo === undefined) return undefined;
  const d = s.charCodeAt(4) === 32 ? num(s, 5, 1) : num(s, 4, 2);
  const h = num(s, 7, 2);
  const mi = num(s, 10, 2);
  const sec = num(s, 13, 2);
  let length = 15;
  let ms = 0;
  if (s.charCodeAt(15) === 46) {
    let i = 16;
    let frac = '';
    while (i < s.length && i < 26 && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) frac += s[i++];
    ms = frac === '' ? 0 : Math.trunc(Number(`0.${frac}`) * 1000);
    length = i;
  }
  if (!Number.isFinite(d + h + mi + sec)) return undefined;
  const y = inferYear(mo, d, receivedAt, zone);
  const time = compose(y, mo, d, h, mi, sec, ms, zone);
  return time === undefined ? undefined : { time, length };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601 / RFC 3339 with or without fraction and zone (none: the zone mode). */
export function parseIsoTime(s: string, zone: TimeZoneMode = 'local'): number | undefined {
  if (s.length < 19 || s.length > 40) return undefined;
  const m = ISO.exec(s);
  if (!m) return undefined;
  const ms = m[7] ? Math.trunc(Number(`0.${m[7]}`) * 1000) : 0;
  const tz = m[8];
  const local = compose(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms, tz ? 'utc' : zone);
  if (local === undefined || !tz || tz === 'Z') return local;
  const sign = tz.charCodeAt(0) === 43 ? 1 : -1;
  const digits = tz.replace(':', '');
  const off = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
  return local - sign * off;
}

/** nginx error log: `2026/12/03 14:00:00`. */
export function parseSlashTime(s: string, zone: TimeZoneMode = 'local'): number | undefined {
  if (s.length !== 19 || s.charCodeAt(4) !== 47 || s.charCodeAt(7) !== 47 || s.charCodeAt(10) !== 32) return undefined;
  return compose(num(s, 0, 4), num(s, 5, 2) - 1, num(s, 8, 2), num(s, 11, 2), num(s, 14, 2), num(s, 17, 2), 0, zone);
}

/** Apache error log: `Thu Dec 03 14:00:00.123456 2026` or `Thu Dec 03 14:00:00 2026`. */
export function parseCtime(s: string, zone: TimeZoneMode = 'local'): number | undefined {
  const m = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\d{4})$/.exec(s);
  if (!m) return undefined;
  const mo = MONTHS[m[1]!];
  if (mo === undefined) return undefined;
  const ms = m[6] ? Math.trunc(Number(`0.${m[6]}`) * 1000) : 0;
  return compose(Number(m[7]), mo, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), ms, zone);
}

/**
 * A number of seconds, milliseconds, microseconds or nanoseconds since the epoch
 * (FortiGate's `eventtime` is in ns or µs), told apart by size: within 1990–2200.
 */
export function parseEpoch(v: number | string): number | undefined {
  const n = typeof v === 'number' ? v : /^\d{9,19}(?:\.\d{1,9})?$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  for (const scale of [1000, 1, 1e-3, 1e-6]) {
    const ms = n * scale;
    if (ms >= 631_152_000_000 && ms < 7_258_118_400_000) return Math.trunc(ms);
  }
  return undefined;
}

/** Any of the formats above that a JSON or key=value log may hold in its time field. */
export function parseAnyTime(v: FieldLike, zone: TimeZoneMode = 'local'): number | undefined {
  if (typeof v === 'number') return parseEpoch(v);
  if (typeof v !== 'string') return undefined;
  const c = v.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    if (v.length >= 19 && v.charCodeAt(4) === 45) return parseIsoTime(v, zone);
    if (v.length === 19 && v.charCodeAt(4) === 47) return parseSlashTime(v, zone);
    if (v.length >= 20 && v.charCodeAt(2) === 47) return parseHttpDate(v, zone);
    return parseEpoch(v);
  }
  return undefined;
}

type FieldLike = string | number | boolean | null | undefined | object;
