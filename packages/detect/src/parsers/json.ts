/**
 * JSON lines: generic application logs (flat or nested), nginx's JSON access log
 * (`log_format ... escape=json`, keys named after nginx variables), and mamori's own
 * events (SecurityEvent, packages/mamori/src/core/events.ts: flat ECS keys).
 * Objects are flattened with dots, at most MAX_DEPTH deep and MAX_KEYS keys; arrays are
 * skipped. JSON.parse is linear; the line's length is the source's bound.
 */
import type { FieldValue, LineParser, LogEvent, RawLine } from '../model.js';
import { ENRICHED_FIELDS, mapConventional } from './conventional.js';
import { bound, httpOutcome, makeEvent, type Fields } from './fields.js';
import { parseIsoTime, type TimeZoneMode } from './time.js';

const MAX_DEPTH = 4;
const MAX_KEYS = 256;

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const c = text.charCodeAt(0);
  if (c !== 123) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A JSON line cut at the source's bound, closed again: the cut string value ends in `…`
 * and the open objects and arrays are closed. An attacker who pads one field (a User-Agent
 * of quotes, each escaped to two bytes) past the bound would otherwise make the whole
 * event, address and request included, unreadable. Only a cut inside a string value is
 * mended; anything else stays unreadable. One linear pass.
 */
export function closeCutJson(text: string): string | undefined {
  const stack: number[] = [];
  let inString = false;
  let escapeAt = -1; // index of the backslash of an escape still being read
  let isKey = false; // the open string is an object key
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escapeAt >= 0) {
        // `\uXXXX` is six characters; any other escape is two.
        if (text.charCodeAt(escapeAt + 1) !== 117 || i - escapeAt >= 5) escapeAt = -1;
      } else if (c === 92) escapeAt = i;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      isKey = expectKey;
      expectKey = false;
    } else if (c === 123 || c === 91) {
      if (stack.length >= 64) return undefined;
      stack.push(c === 123 ? 125 : 93);
      expectKey = c === 123;
    } else if (c === 125 || c === 93) stack.pop();
    else if (c === 44) expectKey = stack[stack.length - 1] === 125;
  }
  if (!inString || isKey || stack.length === 0) return undefined;
  const kept = escapeAt >= 0 ? text.slice(0, escapeAt) : text;
  let out = `${kept}…"`;
  for (let i = stack.length - 1; i >= 0; i--) out += String.fromCharCode(stack[i]!);
  return out;
}

/** Scalar leaves as `[dotted.key, value]`. */
export function flatten(obj: Record<string, unknown>): [string, FieldValue | null][] {
  const out: [string, FieldValue | null][] = [];
  const walk = (o: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const k in o) {
      if (out.length >= MAX_KEYS) return;
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      const v = o[k];
      const key = prefix === '' ? k : `${prefix}.${k}`;
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push([key, v]);
      else if (typeof v === 'object' && !Array.isArray(v) && depth < MAX_DEPTH) walk(v as Record<string, unknown>, key, depth + 1);
    }
  };
  walk(obj, '', 0);
  return out;
}

/** nginx's JSON access log: the keys its variables have. */
function looksNginx(o: Record<string, unknown>): boolean {
  return 'remote_addr' in o && ('request' in o || 'request_uri' in o || 'uri' in o) && ('status' in o);
}

/** A mamori SecurityEvent: `@timestamp` and `event.action` as flat keys. */
function looksMamori(o: Record<string, unknown>): boolean {
  return typeof o['@timestamp'] === 'string' && typeof o['event.action'] === 'string' && typeof o['event.category'] === 'string';
}

function webDefaults(f: Fields): void {
  f['event.category'] ??= 'web';
  f['event.action'] ??= 'web-request';
  f['event.outcome'] ??= httpOutcome(f['http.response.status_code'] as number | undefined);
}

/** Datasets an ECS JSON document may declare for itself (see JsonParser.parse). */
const DECLARED_DATASETS: ReadonlySet<string> = new Set(['sshd', 'pam', 'nginx.access', 'nginx.error', 'apache.access', 'apache.error', 'fortigate', 'vpn']);

/** Generic JSON; nginx JSON access lines and mamori events get their own dataset. */
export class JsonParser implements LineParser {
  readonly name: string;
  readonly #zone: TimeZoneMode;
  readonly #mode: 'json' | 'nginx' | 'mamori';
  constructor(mode: 'json' | 'nginx' | 'mamori', zone: TimeZoneMode) {
    this.#mode = mode;
    this.name = mode === 'json' ? 'json' : mode === 'nginx' ? 'nginx.json' : 'mamori';
    this.#zone = zone;
  }
  parse(line: RawLine): LogEvent | null {
    let o = parseJsonObject(line.text);
    if (!o && line.truncated) {
      const closed = closeCutJson(line.text);
      if (closed !== undefined) o = parseJsonObject(closed);
    }
    if (!o) return null;
    const isNginx = looksNginx(o);
    const isMamori = !isNginx && looksMamori(o);
    if (this.#mode === 'nginx' && !isNginx) return null;
    if (this.#mode === 'mamori' && !isMamori) return null;
    const f: Fields = { 'event.dataset': isNginx ? 'nginx.access' : isMamori ? 'mamori' : 'json' };
    const entries = flatten(o);
    let time = mapConventional(entries, f, this.#zone);
    if (isMamori) {
      // mamori's own fields (mamori.*, rule.*, user.id) are ECS-shaped already: kept as they are.
      for (const [k, v] of entries) {
        if (v === null || k === '@timestamp' || k === 'event.dataset' || k === 'source.ip' || ENRICHED_FIELDS.has(k) || f[k] !== undefined || !/^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){0,4}$/.test(k)) continue;
        f[k] = typeof v === 'string' ? bound(v) : v;
      }
      time = parseIsoTime(o['@timestamp'] as string, 'utc') ?? time;
    }
    if (isNginx) webDefaults(f);
    else if (f['http.response.status_code'] !== undefined && f['url.path'] !== undefined) webDefaults(f);
    if (!isNginx && !isMamori) {
      // An ECS document that names its dataset (a log shipper's output, an earlier replay's
      // events) keeps it, when it is one mamori reads itself: the detectors for that source
      // apply. Any other name stays `json` (its fields are what the line says either way).
      for (const [k, v] of entries) {
        if (k === 'event.dataset' && typeof v === 'string' && DECLARED_DATASETS.has(v)) f['event.dataset'] = v;
      }
    }
    return makeEvent(line, time, f);
  }
}
