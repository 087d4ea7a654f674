/**
 * VPN appliances' login events (dataset `vpn`), as their public log references show them.
 * FortiGate's are kv.ts's (dataset `fortigate`). Each line may carry a syslog prefix; the
 * body is found by its signature:
 *   - Ivanti / Pulse Connect Secure, standard format:
 *     `2026-12-03 14:00:00 - ive - [203.0.113.9] jdoe(Users)[] - Login failed using auth server LDAP (LDAP). Reason: Failed`
 *     with an optional message ID (`AUT23457: Login failed ...`); and the WELF format
 *     (`id=firewall ... vpn=ive user=jdoe ... src=203.0.113.9 ... msg="AUT24414: Agent login succeeded for jdoe/Users from 203.0.113.9 ..."`).
 *   - Citrix NetScaler Gateway (ns.log): `SSLVPN LOGIN 36493 0 : Context jdoe@203.0.113.9 - SessionId: 17 - User jdoe - Client_ip 203.0.113.9 - ...`,
 *     `SSLVPN LOGOUT ...`, `AAA LOGIN_FAILED 207028 0 : User jdoe - Client_ip 203.0.113.9 - Failure_reason "..." - Browser ...`.
 *   - Palo Alto Networks GlobalProtect (PAN-OS syslog, CSV): `1,2026/12/03 14:00:00,SERIAL,GLOBALPROTECT,...,gateway-auth,login,LDAP,,jdoe,...,203.0.113.9,...,failure,...`.
 *   - SonicWall (SonicOS syslog, `id=firewall sn=... m=... msg="..." usr="jdoe" src=203.0.113.9:51000:X1 ...`).
 * A line of these appliances that is not a login or logout is null.
 */
import type { LineParser, LogEvent, RawLine } from '../model.js';
import { kvStart, parseKv } from './kv.js';
import { makeEvent, setSource, setStr, type Fields } from './fields.js';
import { parseIsoTime, parseSlashTime, parseSyslogTime, type TimeZoneMode } from './time.js';

/** Connect Secure message IDs with a known meaning (the message's words decide the rest). */
const IVANTI_CODES: Readonly<Record<string, { action: string; outcome: 'success' | 'failure' | 'unknown' }>> = {
  AUT24326: { action: 'vpn-login', outcome: 'success' }, // Primary authentication successful
  AUT24414: { action: 'vpn-login', outcome: 'success' }, // Agent login succeeded
  AUT23457: { action: 'vpn-login', outcome: 'failure' }, // Login failed using auth server
  AUT22673: { action: 'vpn-logout', outcome: 'success' }, // Logout
};

function outcomeFromWords(msg: string): 'success' | 'failure' | undefined {
  if (/\b(?:fail|failed|failure|denied|rejected|invalid|bad credential)/i.test(msg)) return 'failure';
  if (/\b(?:succeeded|successful|success|allowed|accepted)\b/i.test(msg)) return 'success';
  return undefined;
}

function isLoginWords(msg: string): boolean {
  return /\blog(?:in|on|ged in)\b|\bauthenticat/i.test(msg);
}

/** The time of a syslog prefix at the line's start, if it has one. */
function prefixTime(line: RawLine, zone: TimeZoneMode): number | undefined {
  const s = line.text;
  let i = 0;
  if (s.charCodeAt(0) === 60) {
    const close = s.indexOf('>');
    if (close < 2 || close > 4) return line.meta?.time;
    i = close + 1;
  }
  const rest = s.slice(i, i + 40);
  const t = parseSyslogTime(rest, line.receivedAt, zone)?.time;
  if (t !== undefined) return t;
  const sp = rest.indexOf(' ');
  return (sp > 0 ? parseIsoTime(rest.slice(0, sp), zone) : undefined) ?? line.meta?.time;
}

function base(vendor: string, product: string): Fields {
  return { 'event.dataset': 'vpn', 'event.category': 'authentication', 'observer.vendor': vendor, 'observer.product': product };
}

const IVANTI_STD = /(?:^|\s)(?:(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) )?- \S+ - \[([0-9A-Fa-f:.]{2,45})\] (\S*?)\(([^)\s]*)\)\[[^\]\s]*\] - (?:([A-Z]{3}\d{5}): )?([^\n]*)$/;
const NETSCALER = / (SSLVPN|AAA|AAATM) (LOGIN|LOGOUT|LOGIN_FAILED|TM_LOGIN|TM_LOGOUT) \d+ \d+ : /;
const NS_FIELD = /(?:^|- ?)(User|Client_ip|Failure_reason|Browser_type|Context) (?:"([^"]*)"|(\S+))/g;
const PAN_GP = /(?:^|\s)\d+,(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}),[^,]*,GLOBALPROTECT,/;

/** A CSV record (PAN-OS quotes fields with commas), at most 80 fields. */
function csv(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= s.length && out.length < 80) {
    if (s.charCodeAt(i) === 34) {
      let v = '';
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q < 0) {
          v += s.slice(i);
          i = s.length;
          break;
        }
        v += s.slice(i, q);
        if (s.charCodeAt(q + 1) === 34) {
          v += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(v);
      i++; // the comma
    } else {
      const c = s.indexOf(',', i);
      const end = c < 0 ? s.length : c;
      out.push(s.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

export class VpnParser implements LineParser {
  readonly name = 'vpn';
  readonly #zone: TimeZoneMode;
  constructor(zone: TimeZoneMode) {
    this.#zone = zone;
  }

  parse(line: RawLine): LogEvent | null {
    const s = line.text;
    if (s.includes(',GLOBALPROTECT,')) return this.#globalProtect(line);
    if (s.includes('SSLVPN ') || s.includes('AAA ')) {
      const r = this.#netscaler(line);
      if (r) return r;
    }
    const welf = kvStart(s, 'id=');
    if (welf >= 0) return this.#welf(line, welf);
    if (s.includes('] - ')) return this.#ivantiStandard(line);
    return null;
  }

  #ivantiStandard(line: RawLine): LogEvent | null {
    const m = IVANTI_STD.exec(line.text);
    if (!m) return null;
    const msg = m[6]!;
    const code = m[5];
    const known = code ? IVANTI_CODES[code] : undefined;
    if (!known && !isLoginWords(msg)) return null;
    const f = base('Ivanti', 'Connect Secure');
    setSource(f, m[2]);
    setStr(f, 'user.name', m[3]);
    setStr(f, 'event.code', code);
    setStr(f, 'message', msg);
    f['event.action'] = known?.action ?? (/logout|logged out/i.test(msg) ? 'vpn-logout' : 'vpn-login');
    f['event.outcome'] = known?.outcome ?? outcomeFromWords(msg) ?? 'unknown';
    const t = m[1] ? parseIsoTime(m[1].replace(' ', 'T'), this.#zone) : undefined;
    return makeEvent(line, t ?? prefixTime(line, this.#zone), f);
  }

  #welf(line: RawLine, start: number): LogEvent | null {
    const kv = parseKv(line.text, start);
    if (!kv || kv.get('id') !== 'firewall') return null;
    const msg = kv.get('msg') ?? '';
    const ivanti = kv.get('vpn') !== undefined || /^[A-Z]{3}\d{5}: /.test(msg);
    const code = ivanti ? /^([A-Z]{3}\d{5}): /.exec(msg)?.[1] : kv.get('m');
    const known = ivanti && code ? IVANTI_CODES[code] : undefined;
    if (!known && !isLoginWords(msg)) return null;
    const f = ivanti ? base('Ivanti', 'Connect Secure') : base('SonicWall', 'SonicOS');
    // SonicOS writes src=ADDRESS:PORT:INTERFACE; Connect Secure src=ADDRESS.
    const src = kv.get('src') ?? '';
    const parts = src.split(':');
    setSource(f, parts.length === 3 ? parts[0] : src);
    const user = kv.get('usr') ?? kv.get('user');
    if (user !== undefined && user !== 'System') setStr(f, 'user.name', user);
    setStr(f, 'event.code', code);
    setStr(f, 'message', msg);
    f['event.action'] = known?.action ?? (/logout|logged out/i.test(msg) ? 'vpn-logout' : 'vpn-login');
    f['event.outcome'] = known?.outcome ?? outcomeFromWords(msg) ?? 'unknown';
    const t = kv.get('time');
    const time = t !== undefined ? parseIsoTime(t.replace(' ', 'T'), this.#zone) : undefined;
    return makeEvent(line, time ?? prefixTime(line, this.#zone), f);
  }

  #netscaler(line: RawLine): LogEvent | null {
    const s = line.text;
    const m = NETSCALER.exec(s);
    if (!m) return null;
    const body = s.slice(m.index + m[0].length);
    const f = base('Citrix', 'NetScaler');
    const kind = m[2]!;
    f['event.action'] = kind.endsWith('LOGOUT') ? 'vpn-logout' : 'vpn-login';
    f['event.outcome'] = kind === 'LOGIN_FAILED' ? 'failure' : 'success';
    f['event.code'] = `${m[1]} ${kind}`;
    NS_FIELD.lastIndex = 0;
    let fm: RegExpExecArray | null;
    let fields = 0;
    while ((fm = NS_FIELD.exec(body)) !== null && fields++ < 16) {
      const v = fm[2] ?? fm[3]!;
      if (fm[1] === 'User') setStr(f, 'user.name', v);
      else if (fm[1] === 'Client_ip') setSource(f, v);
      else if (fm[1] === 'Failure_reason') setStr(f, 'event.reason', v);
      else if (fm[1] === 'Browser_type') setStr(f, 'user_agent.original', v);
    }
    // ns.log's own time: `12/03/2026:14:00:00` before the host.
    const t = /(\d{2})\/(\d{2})\/(\d{4}):(\d{2}:\d{2}:\d{2})(?: GMT)? /.exec(s.slice(0, m.index));
    const time = t ? parseIsoTime(`${t[3]}-${t[1]}-${t[2]}T${t[4]}${s.slice(0, m.index).includes(' GMT ') ? 'Z' : ''}`, this.#zone) : undefined;
    return makeEvent(line, time ?? prefixTime(line, this.#zone), f);
  }

  #globalProtect(line: RawLine): LogEvent | null {
    const s = line.text;
    const m = PAN_GP.exec(s);
    if (!m) return null;
    const start = m.index + (m[0].charCodeAt(0) === 32 ? 1 : 0);
    const c = csv(s.slice(start));
    if (c.length < 29 || c[3] !== 'GLOBALPROTECT') return null;
    const eventId = c[8] ?? '';
    const f = base('Palo Alto Networks', 'GlobalProtect');
    f['event.action'] = /auth|login/.test(eventId) || c[9] === 'login' ? 'vpn-login' : /logout/.test(eventId) || c[9] === 'logout' ? 'vpn-logout' : 'vpn-session';
    setStr(f, 'event.code', eventId);
    setStr(f, 'user.name', c[12]);
    setSource(f, c[15] && c[15] !== '0.0.0.0' ? c[15] : c[16] && c[16] !== '::' ? c[16] : undefined);
    const status = (c[28] ?? '').toLowerCase();
    f['event.outcome'] = status === 'success' ? 'success' : status === 'failure' ? 'failure' : 'unknown';
    setStr(f, 'event.reason', c[26] || c[25]);
    setStr(f, 'message', c[27]);
    const time = parseSlashTime(c[6] ?? '', this.#zone) ?? parseSlashTime(m[1]!, this.#zone);
    return makeEvent(line, time ?? prefixTime(line, this.#zone), f);
  }
}
