/**
 * What mamori keeps of an alert: the detector's Alert with its samples bounded and the
 * account names in them replaced by mamori's keyed hash (the same `userHash` the login
 * protection stores), so alerts.db never holds an account name, even inside a log line.
 */
import { formatIp, tryParseIp } from 'mamori/internal';
import type { Alert, AlertSeverity, FieldValue, LogEvent } from '../model.js';

/** One sample event as stored: fields bounded, `user.name` replaced by `user.id` (a keyed hash). */
export interface StoredSample {
  readonly time: number;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** The line, cut to MAX_TEXT, with the account name replaced by `[user:<hash>]`. */
  readonly text: string;
  readonly input: string;
  readonly truncated?: true;
}

/** What an alert's decision became. */
export type DecisionRecord =
  | { readonly state: 'added'; readonly id: string; readonly action: 'block' | 'challenge'; readonly scope: 'ip' | 'range'; readonly value: string; readonly expiresAt: number }
  | { readonly state: 'skipped'; readonly reason: string }
  | { readonly state: 'failed'; readonly reason: string };

export interface StoredAlert {
  readonly id: string;
  readonly detector: string;
  readonly kind: 'scenario' | 'sigma';
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly time: number;
  readonly firstTime: number;
  readonly count: number;
  /** The group's key values; an account name in it is replaced by its hash (key `user.id`). */
  readonly group: Readonly<Record<string, FieldValue>>;
  /** The source the alert is about, when it names one (group, remedy or first sample). */
  readonly sourceIp?: string;
  readonly samples: readonly StoredSample[];
  readonly remedy?: Alert['remedy'];
  readonly simulated: boolean;
  readonly mitre: readonly string[];
  /** When this mamori recorded it (its clock), ms since epoch. */
  readonly recordedAt: number;
  readonly decision?: DecisionRecord;
}

export const LIMITS = {
  samples: 5,
  fields: 64,
  key: 64,
  value: 1024,
  text: 2048,
  id: 128,
  detector: 256,
  title: 512,
  mitre: 16,
} as const;

const SEVERITIES: readonly AlertSeverity[] = ['low', 'medium', 'high', 'critical'];

/** Replaces every whole-token occurrence of `name` in `text` (linear: indexOf steps). */
export function redactName(text: string, name: string, mark: string): string {
  if (name.length === 0 || text.length < name.length) return text;
  let out = '';
  let from = 0;
  let at = text.indexOf(name);
  while (at >= 0) {
    const end = at + name.length;
    if (!tokenChar(text.charCodeAt(at - 1)) && !tokenChar(text.charCodeAt(end))) {
      out += text.slice(from, at) + mark;
      from = end;
      at = text.indexOf(name, end);
    } else {
      at = text.indexOf(name, at + 1);
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Characters an account name runs on with: letters, digits, `_ . @ -`. NaN (outside the text) is not one. */
function tokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 64 || c === 45 || c > 127;
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function str(v: unknown, n: number, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new TypeError(`alert ${what} must be a non-empty string`);
  return cut(v, n);
}

function time(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`alert ${what} must be a time (ms since epoch)`);
  return Math.trunc(v);
}

/**
 * The stored form of a detector's alert. Throws a TypeError naming the field when the alert
 * breaks the contract (a detector's bug, not an attacker's input: parsers bound what comes in).
 */
export function toStored(alert: Alert, userHash: (name: string) => string, recordedAt: number): StoredAlert {
  const id = str(alert.id, LIMITS.id, 'id');
  if (!/^[\x21-\x7e]+$/.test(id)) throw new TypeError('alert id must be printable ASCII without spaces');
  const severity = SEVERITIES.includes(alert.severity) ? alert.severity : 'medium';
  const names = new Map<string, string>();
  const hashOf = (name: string): string => {
    let h = names.get(name);
    if (h === undefined) {
      h = userHash(name);
      names.set(name, h);
    }
    return h;
  };
  // Every account name the alert carries, so each sample's text loses all of them (a sample
  // may mention the group's account and its own).
  const allNames = new Set<string>();
  const note = (v: FieldValue | undefined): void => {
    if (typeof v === 'string' && v !== '') allNames.add(v.slice(0, LIMITS.value));
  };
  note(alert.group?.['user.name']);
  const samples = Array.isArray(alert.samples) ? alert.samples.slice(0, LIMITS.samples) : [];
  for (const s of samples) note(s?.fields?.['user.name']);
  const scrub = (text: string): string => {
    let t = text;
    for (const n of allNames) t = redactName(t, n, `[user:${hashOf(n).slice(0, 12)}]`);
    return t;
  };
  const fields = (f: Readonly<Record<string, FieldValue>> | undefined): Record<string, FieldValue> => {
    const out: Record<string, FieldValue> = {};
    let n = 0;
    for (const [k, v] of Object.entries(f ?? {})) {
      if (n++ >= LIMITS.fields) break;
      const key = cut(k, LIMITS.key);
      if (key === 'user.name') {
        if (typeof v === 'string' && v !== '') out['user.id'] = hashOf(v.slice(0, LIMITS.value));
        continue;
      }
      if (typeof v === 'string') out[key] = scrub(cut(v, LIMITS.value));
      else if (typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    }
    return out;
  };
  const stored: StoredSample[] = samples.map((s: LogEvent) => {
    const raw = typeof s?.line?.text === 'string' ? s.line.text : '';
    return {
      time: typeof s?.time === 'number' && Number.isFinite(s.time) ? s.time : 0,
      fields: fields(s?.fields),
      text: scrub(cut(raw, LIMITS.text)),
      input: cut(typeof s?.line?.input === 'string' ? s.line.input : '', 256),
      ...(s?.line?.truncated === true || raw.length > LIMITS.text ? { truncated: true as const } : {}),
    };
  });
  const group = fields(alert.group);
  const sourceIp = pickSource(alert, group, stored);
  return {
    id,
    detector: str(alert.detector, LIMITS.detector, 'detector'),
    kind: alert.kind === 'sigma' ? 'sigma' : 'scenario',
    title: cut(typeof alert.title === 'string' ? alert.title : alert.detector, LIMITS.title),
    severity,
    time: time(alert.time, 'time'),
    firstTime: typeof alert.firstTime === 'number' && Number.isFinite(alert.firstTime) ? Math.trunc(alert.firstTime) : time(alert.time, 'time'),
    count: typeof alert.count === 'number' && Number.isFinite(alert.count) && alert.count >= 0 ? Math.trunc(alert.count) : 0,
    group,
    ...(sourceIp ? { sourceIp } : {}),
    samples: stored,
    ...(alert.remedy ? { remedy: { action: alert.remedy.action, scope: alert.remedy.scope, value: cut(String(alert.remedy.value), 64), ttlMs: alert.remedy.ttlMs } } : {}),
    simulated: alert.simulated === true,
    mitre: Array.isArray(alert.mitre) ? alert.mitre.slice(0, LIMITS.mitre).map((m) => cut(String(m), 64)) : [],
    recordedAt,
  };
}

/** The source address, canonical (so `mamori alerts list --ip` finds it however it was logged); only an address. */
function pickSource(alert: Alert, group: Record<string, FieldValue>, samples: readonly StoredSample[]): string | undefined {
  for (const v of [group['source.ip'], alert.remedy?.scope === 'ip' ? alert.remedy.value : undefined, samples[0]?.fields['source.ip']]) {
    const ip = typeof v === 'string' && v.length <= 64 ? tryParseIp(v) : undefined;
    if (ip) return formatIp(ip);
  }
  return undefined;
}

/** The console's page for one alert. */
export function alertLink(consoleUrl: string | undefined, id: string): string | undefined {
  return consoleUrl ? `${consoleUrl.replace(/\/+$/, '')}/alerts/${encodeURIComponent(id)}` : undefined;
}
