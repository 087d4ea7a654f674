/**
 * Syslog headers: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`) and the
 * BSD format RFC 3164 describes (`<PRI>Mmm dd hh:mm:ss HOST TAG[pid]: MSG`, with the
 * variants senders really use: no host, a year after the day, an RFC 3339 time). What
 * the header says goes to `RawLine.meta`; the line's text is the message alone.
 *
 * A header that does not parse is not fatal: what could be read is kept, the rest of the
 * text becomes the message, and `malformed` says so. Every pattern here is anchored and
 * free of nested quantifiers (linear on any input); fields are cut to RFC 5424's lengths.
 */
import type { RawLine } from '../model.js';

type Meta = NonNullable<RawLine['meta']>;

export interface ParsedSyslog {
  readonly message: string;
  readonly meta: Meta;
  readonly malformed: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const BSD_TIME = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?= |$)/;
const TAG = /^([^\s[\]:]{1,48})(?:\[([^\]\s]{1,32})\])?:(?: |$)/;
const MAX_SD_PARAMS = 64;

/** Parses one syslog message (already without its framing). `receivedAt` places a year-less time. */
export function parseSyslog(text: string, receivedAt: number): ParsedSyslog {
  const pri = /^<(\d{1,3})>/.exec(text);
  if (!pri || Number(pri[1]) > 191) return { message: text, meta: {}, malformed: true };
  const p = Number(pri[1]);
  const base = { facility: p >> 3, severity: p & 7 };
  const rest = text.slice(pri[0].length);
  if (rest.startsWith('1 ')) return parse5424(rest.slice(2), base);
  return parse3164(rest, base, receivedAt);
}

function nil(v: string | undefined, max: number): string | undefined {
  return v === undefined || v === '-' || v === '' ? undefined : v.slice(0, max);
}

function pidOf(v: string | undefined): number | undefined {
  return v !== undefined && /^\d{1,10}$/.test(v) ? Number(v) : undefined;
}

function parse5424(s: string, base: Meta): ParsedSyslog {
  let i = 0;
  const next = (): string | undefined => {
    if (i > s.length) return undefined;
    const sp = s.indexOf(' ', i);
    const tok = sp === -1 ? s.slice(i) : s.slice(i, sp);
    i = sp === -1 ? s.length + 1 : sp + 1;
    return tok;
  };
  const ts = next();
  const host = next();
  const app = next();
  const procid = next();
  const msgid = next();
  let malformed = msgid === undefined;
  const meta: Record<string, unknown> = { ...base };
  if (ts !== undefined && ts !== '-') {
    const t = RFC3339.test(ts) ? Date.parse(ts) : NaN;
    if (Number.isFinite(t)) meta.time = t;
    else malformed = true;
  }
  const hostname = nil(host, 255);
  const program = nil(app, 48);
  const pid = pidOf(procid);
  if (hostname !== undefined) meta.hostname = hostname;
  if (program !== undefined) meta.program = program;
  if (pid !== undefined) meta.pid = pid;
  if (malformed) return { message: i <= s.length ? s.slice(i) : '', meta: meta as Meta, malformed };
  // STRUCTURED-DATA: `-` or one or more [ID param="value" ...].
  let msgStart: number;
  if (s[i] === '-') msgStart = i + 1;
  else if (s[i] === '[') {
    const sd = parseSd(s, i);
    if (!sd) return { message: s.slice(i), meta: meta as Meta, malformed: true };
    if (Object.keys(sd.values).length) meta.structured = sd.values;
    msgStart = sd.end;
  } else return { message: s.slice(i), meta: meta as Meta, malformed: true };
  let message = s[msgStart] === ' ' ? s.slice(msgStart + 1) : s.slice(msgStart);
  if (message.startsWith('\uFEFF')) message = message.slice(1);
  return { message, meta: meta as Meta, malformed: false };
}

/** Structured data from `s[at] === '['`: flattened `sdid.param` → value, and where it ended. */
function parseSd(s: string, at: number): { values: Record<string, string>; end: number } | undefined {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = at;
  let n = 0;
  while (s[i] === '[') {
    i++;
    const idEnd = scanName(s, i);
    if (idEnd === i) return undefined;
    const id = s.slice(i, idEnd);
    i = idEnd;
    while (s[i] === ' ') {
      i++;
      const nameEnd = scanName(s, i);
      if (nameEnd === i || s[nameEnd] !== '=' || s[nameEnd + 1] !== '"') return undefined;
      const name = s.slice(i, nameEnd);
      i = nameEnd + 2;
      let v = '';
      for (;;) {
        if (i >= s.length) return undefined;
        const ch = s[i]!;
        if (ch === '"') break;
        if (ch === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === ']')) {
          v += s[i + 1];
          i += 2;
          continue;
        }
        v += ch;
        i++;
      }
      i++;
      if (++n <= MAX_SD_PARAMS) values[`${id}.${name}`] = v;
    }
    if (s[i] !== ']') return undefined;
    i++;
  }
  return { values: { ...values }, end: i };
}

/** SD-NAME: printable ASCII except `= ] "` and space, up to 32 characters. */
function scanName(s: string, i: number): number {
  const start = i;
  while (i < s.length && i - start < 32) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 61 || c === 93 || c === 34) break;
    i++;
  }
  return i;
}

function parse3164(s: string, base: Meta, receivedAt: number): ParsedSyslog {
  const meta: Record<string, unknown> = { ...base };
  let i = 0;
  let malformed = false;
  const bsd = BSD_TIME.exec(s);
  if (bsd) {
    const t = bsdTime(bsd, receivedAt);
    if (t === undefined) malformed = true;
    else meta.time = t;
    i = bsd[0].length;
  } else {
    const sp = s.indexOf(' ');
    const tok = sp === -1 ? s : s.slice(0, sp);
    if (RFC3339.test(tok)) {
      meta.time = Date.parse(tok);
      i = tok.length;
    } else if (/^[A-Z][a-z]{2} /.test(s)) malformed = true; // a month, then a time that is not one
  }
  if (i > 0) {
    if (s[i] === ' ') i++;
    // HOSTNAME, unless the next token is already the tag (senders on the host itself omit it).
    const sp = s.indexOf(' ', i);
    const tok = sp === -1 ? s.slice(i) : s.slice(i, sp);
    if (tok !== '' && !TAG.test(tok.endsWith(':') ? `${tok} ` : tok) && sp !== -1) {
      meta.hostname = tok.slice(0, 255);
      i = sp + 1;
    }
  }
  const tag = TAG.exec(s.slice(i, i + 100));
  if (tag) {
    meta.program = tag[1];
    const pid = pidOf(tag[2]);
    if (pid !== undefined) meta.pid = pid;
    i += tag[0].length;
  }
  return { message: s.slice(i), meta: meta as Meta, malformed };
}

/**
 * A BSD time has no year (and no zone: it is taken as this host's local time). The year
 * is the one that puts the time nearest the receive time, so a line of 31 Dec received
 * just after midnight on 1 Jan is last year's, and a sender's clock a little ahead on 31
 * Dec does not make it next year's.
 */
function bsdTime(m: RegExpExecArray, receivedAt: number): number | undefined {
  const month = MONTHS.indexOf(m[1]!);
  const day = Number(m[2]);
  const [h, mi, sec] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (month < 0 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60) return undefined;
  const at = (y: number): number | undefined => {
    const d = new Date(y, month, day, h, mi, Math.min(sec, 59));
    return d.getMonth() === month && d.getDate() === day ? d.getTime() : undefined;
  };
  if (m[3] !== undefined) return at(Number(m[3]));
  const y = new Date(receivedAt).getFullYear();
  let best: number | undefined;
  for (const year of [y - 1, y, y + 1]) {
    const t = at(year);
    if (t !== undefined && (best === undefined || Math.abs(t - receivedAt) < Math.abs(best - receivedAt))) best = t;
  }
  return best;
}
