/**
 * `key=value` lines: FortiGate's syslog (`date=2026-12-03 time=14:00:00 logid="0101039426"
 * type="event" subtype="vpn" action="ssl-login-fail" user="jdoe" remip=203.0.113.9 ...`) and
 * logfmt (`time=... level=warn msg="login failed" user=jdoe ip=203.0.113.9`).
 * The tokenizer is a hand-written scan: at most MAX_PAIRS pairs, values in double quotes
 * may hold spaces and `\"`.
 */
import type { LineParser, LogEvent, RawLine } from '../model.js';
import { mapConventional } from './conventional.js';
import { makeEvent, setInt, setIp, setSource, setStr, type Fields } from './fields.js';
import { parseEpoch, parseIsoTime, type TimeZoneMode } from './time.js';

export const MAX_PAIRS = 256;

/** The pairs of a `key=value` text from `start`; undefined when there is not one pair. */
export function parseKv(s: string, start = 0): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const n = s.length;
  let i = start;
  while (i < n && out.size < MAX_PAIRS) {
    while (i < n && s.charCodeAt(i) === 32) i++;
    const keyStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 61 || c === 32) break;
      i++;
    }
    if (i >= n || s.charCodeAt(i) !== 61 || i === keyStart || i - keyStart > 64) {
      // A word without `=` (logfmt's bare key, or junk): skip it.
      while (i < n && s.charCodeAt(i) !== 32) i++;
      continue;
    }
    const key = s.slice(keyStart, i);
    i++;
    let value: string;
    if (s.charCodeAt(i) === 34) {
      i++;
      const parts: string[] = [];
      let from = i;
      // Where the next quote and backslash are, found again only once passed: linear however many escapes.
      let q = s.indexOf('"', i);
      let b = s.indexOf('\\', i);
      for (;;) {
        if (q >= 0 && q < i) q = s.indexOf('"', i);
        if (b >= 0 && b < i) b = s.indexOf('\\', i);
        if (q < 0) {
          parts.push(s.slice(from));
          i = n;
          break;
        }
        if (b >= 0 && b < q) {
          parts.push(s.slice(from, b), s[b + 1] ?? '');
          i = b + 2;
          from = i;
          continue;
        }
        parts.push(s.slice(from, q));
        i = q + 1;
        break;
      }
      value = parts.length === 1 ? parts[0]! : parts.join('');
    } else {
      const sp = s.indexOf(' ', i);
      const end = sp < 0 ? n : sp;
      value = s.slice(i, end);
      i = end;
    }
    if (!out.has(key)) out.set(key, value);
  }
  return out.size > 0 ? out : undefined;
}

/** Where a `key=value` body starts after an optional syslog prefix (`<190>`, a time, a host, a tag). */
export function kvStart(s: string, firstKey: string): number {
  if (s.startsWith(firstKey)) return 0;
  let at = s.indexOf(firstKey);
  while (at > 0 && at < 200) {
    const c = s.charCodeAt(at - 1);
    if (c === 32 || c === 62) return at;
    at = s.indexOf(firstKey, at + 1);
  }
  return -1;
}

const FORTI_LOGIDS: Readonly<Record<string, { action: string; outcome: 'success' | 'failure' }>> = {
  // FortiOS log message reference: SSL-VPN login fail, tunnel up (a user authenticated), admin logins.
  '0101039426': { action: 'vpn-login', outcome: 'failure' },
  '0101039424': { action: 'vpn-login', outcome: 'success' },
  '0101039947': { action: 'vpn-login', outcome: 'success' },
  '0100032001': { action: 'admin-login', outcome: 'success' },
  '0100032002': { action: 'admin-login', outcome: 'failure' },
};

function kebab(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 64);
}

export class FortiGateParser implements LineParser {
  readonly name = 'fortigate';
  readonly #zone: TimeZoneMode;
  constructor(zone: TimeZoneMode) {
    this.#zone = zone;
  }
  parse(line: RawLine): LogEvent | null {
    const s = line.text;
    let start = kvStart(s, 'date=');
    if (start < 0) start = kvStart(s, 'logver=');
    if (start < 0) return null;
    const kv = parseKv(s, start);
    if (!kv || !kv.has('type') || (!kv.has('logid') && !kv.has('devid'))) return null;
    const f: Fields = { 'event.dataset': 'fortigate', 'observer.vendor': 'Fortinet', 'observer.product': 'FortiGate' };
    const type = kv.get('type') ?? '';
    const subtype = kv.get('subtype') ?? '';
    setStr(f, 'fortinet.type', type);
    setStr(f, 'fortinet.subtype', subtype);
    setStr(f, 'event.code', kv.get('logid'));
    setSource(f, kv.get('srcip') ?? kv.get('remip'));
    setInt(f, 'source.port', kv.get('srcport'));
    setIp(f, 'destination.ip', kv.get('dstip'));
    setInt(f, 'destination.port', kv.get('dstport'));
    const user = kv.get('user') ?? kv.get('srcuser');
    if (user !== undefined && user !== 'N/A') setStr(f, 'user.name', user);
    setStr(f, 'log.level', kv.get('level'));
    setStr(f, 'host.hostname', kv.get('devname'));
    setStr(f, 'event.reason', kv.get('reason'));
    setStr(f, 'message', kv.get('msg') ?? kv.get('logdesc'));
    setStr(f, 'fortinet.logdesc', kv.get('logdesc'));
    const action = kv.get('action') ?? '';
    const status = (kv.get('status') ?? '').toLowerCase();
    const known = FORTI_LOGIDS[kv.get('logid') ?? ''];
    if (known) {
      f['event.action'] = known.action;
      f['event.outcome'] = known.outcome;
    } else if (action === 'ssl-login-fail') {
      f['event.action'] = 'vpn-login';
      f['event.outcome'] = 'failure';
    } else {
      if (action !== '') f['event.action'] = kebab(action);
      f['event.outcome'] = status === 'success' ? 'success' : status === 'failed' || status === 'failure' ? 'failure' : action === 'deny' || action === 'blocked' ? 'failure' : 'unknown';
    }
    f['event.category'] = subtype === 'vpn' ? 'authentication' : type === 'traffic' ? 'network' : subtype === 'system' && action === 'login' ? 'authentication' : type || 'network';
    return makeEvent(line, this.#time(kv), f);
  }

  #time(kv: Map<string, string>): number | undefined {
    const et = kv.get('eventtime');
    if (et !== undefined) {
      const t = parseEpoch(et);
      if (t !== undefined) return t;
    }
    const date = kv.get('date');
    const time = kv.get('time');
    if (date === undefined || time === undefined) return undefined;
    const tz = kv.get('tz');
    const zone = tz !== undefined && /^[+-]\d{4}$/.test(tz) ? `${tz.slice(0, 3)}:${tz.slice(3)}` : '';
    return parseIsoTime(`${date}T${time}${zone}`, this.#zone);
  }
}

export class LogfmtParser implements LineParser {
  readonly name = 'logfmt';
  readonly #zone: TimeZoneMode;
  constructor(zone: TimeZoneMode) {
    this.#zone = zone;
  }
  parse(line: RawLine): LogEvent | null {
    const kv = parseKv(line.text);
    // Two pairs at least: one `a=b` in a sentence is not logfmt.
    if (!kv || kv.size < 2) return null;
    const f: Fields = { 'event.dataset': 'logfmt' };
    const time = mapConventional(kv, f, this.#zone);
    return makeEvent(line, time, f);
  }
}
