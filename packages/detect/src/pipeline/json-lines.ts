/**
 * A minimal parser for ECS JSON lines (one object a line, nested or with
 * dotted keys): the default of `mamori replay` until the format-detecting
 * parsers are plugged in. Leaves that are text, numbers or booleans become
 * fields; arrays and nulls are left out. Bounded: the line's length, the
 * number of fields and their depth.
 */
import type { FieldValue, LogEvent, RawLine } from '../model.js';

const MAX_LINE = 64 * 1024;
const MAX_FIELDS = 200;
const MAX_DEPTH = 8;
const MAX_VALUE = 8192;
/** Dotted names already built (`source` + `ip` -> `source.ip`), so each is made once, not per line. */
const NAMES = new Map<string, Map<string, string>>();
const MAX_NAMES = 4096;
let names = 0;

function dotted(prefix: string, k: string): string {
  let m = NAMES.get(prefix);
  const hit = m?.get(k);
  if (hit !== undefined) return hit;
  const name = `${prefix}.${k}`;
  // Bounded: hostile lines with ever-new keys stop being cached, they still parse.
  if (names < MAX_NAMES) {
    if (!m) NAMES.set(prefix, (m = new Map()));
    m.set(k, name);
    names++;
  }
  return name;
}

export function parseJsonLine(raw: RawLine): LogEvent | null {
  const text = raw.text;
  if (text.length > MAX_LINE || text.length < 2 || text.charCodeAt(0) !== 123 /* { */) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null;
  const fields: Record<string, FieldValue> = {};
  let n = 0;
  const walk = (o: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const k of Object.keys(o)) {
      if (n >= MAX_FIELDS) return;
      const v = o[k];
      const name = prefix ? dotted(prefix, k) : k;
      if (typeof v === 'string') {
        fields[name] = v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) : v;
        n++;
      } else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') {
        fields[name] = v;
        n++;
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && depth < MAX_DEPTH) walk(v as Record<string, unknown>, name, depth + 1);
    }
  };
  walk(obj as Record<string, unknown>, '', 0);
  const time = eventTime(fields['@timestamp'] ?? fields['timestamp'] ?? fields['time']) ?? raw.meta?.time ?? raw.receivedAt;
  if (fields['event.dataset'] === undefined) fields['event.dataset'] = 'json';
  return { time, fields, line: raw };
}

function eventTime(v: FieldValue | undefined): number | undefined {
  if (typeof v === 'number') return v > 1e11 ? v : v * 1000; // ms or seconds since the epoch
  if (typeof v !== 'string' || v.length > 64) return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}
