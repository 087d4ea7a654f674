/**
 * MISP event JSON (the MISP core format, draft-dulaunoy-misp-core-format): the
 * attributes of `Event.Attribute[]` and of `Event.Object[].Attribute[]`, from
 * one event (`{"Event": {...}}`), a list of them, or a REST search answer
 * (`{"response": [...]}`).
 *
 * Taken, by attribute type: `ip-src`, `ip-dst` (addresses and CIDRs),
 * `ip-src|port`, `ip-dst|port`, `domain`, `hostname`, `domain|ip`,
 * `hostname|port`, `url`, `md5`, `sha1`, `sha256`, `filename` (a name, or a
 * path when it holds a slash or backslash), `filename|md5`, `filename|sha1`,
 * `filename|sha256`. Skipped with a counted reason: attributes with `to_ids`
 * false (MISP's "not for detection"), deleted ones, and other types.
 * `first_seen` (else the attribute's `timestamp`) is the first-seen time.
 */
import type { IndicatorKind, ParseResult } from './indicator.js';
import { isRecord, parseBoundedJson, parseError, parseTime, ResultCollector } from './parse-common.js';

/** The kinds each part of a MISP type (split at `|`) holds; `port` parts are dropped. */
const TYPES: Record<string, readonly (IndicatorKind | 'name-or-path' | 'port')[]> = {
  'ip-src': ['ip'],
  'ip-dst': ['ip'],
  'ip-src|port': ['ip', 'port'],
  'ip-dst|port': ['ip', 'port'],
  domain: ['domain'],
  hostname: ['domain'],
  'domain|ip': ['domain', 'ip'],
  'hostname|port': ['domain', 'port'],
  url: ['url'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  filename: ['name-or-path'],
  'filename|md5': ['name-or-path', 'md5'],
  'filename|sha1': ['name-or-path', 'sha1'],
  'filename|sha256': ['name-or-path', 'sha256'],
};

export interface MispOptions {
  /** Take attributes whose `to_ids` is false too (default false: MISP marks them as context, not detection). */
  readonly includeNonIds?: boolean;
}

export function parseMisp(text: string, name: string, options: MispOptions = {}): ParseResult {
  const doc = parseBoundedJson(text, name);
  let events: unknown[];
  if (Array.isArray(doc)) events = doc;
  else if (isRecord(doc) && Array.isArray(doc.response)) events = doc.response;
  else if (isRecord(doc) && isRecord(doc.Event)) events = [doc];
  else throw parseError(name, 'not a MISP event (no "Event" object)');
  const c = new ResultCollector();
  events.forEach((wrapped, e) => {
    const ev = isRecord(wrapped) && isRecord(wrapped.Event) ? wrapped.Event : wrapped;
    const evWhere = events.length === 1 ? `${name}: Event` : `${name}: [${e}].Event`;
    if (!isRecord(ev)) return c.skip(evWhere, 'not an event object');
    const note = typeof ev.info === 'string' ? ev.info.slice(0, 200) : undefined;
    const eventTime = parseTime(ev.timestamp) ?? parseTime(ev.date);
    const take = (list: unknown, where: string) => {
      if (list === undefined) return;
      if (!Array.isArray(list)) return c.skip(where, 'Attribute is not an array');
      list.forEach((a, i) => attribute(c, a, `${where}[${i}]`, note, eventTime, options));
    };
    take(ev.Attribute, `${evWhere}.Attribute`);
    if (ev.Object !== undefined) {
      if (!Array.isArray(ev.Object)) return c.skip(`${evWhere}.Object`, 'Object is not an array');
      ev.Object.forEach((o, j) => {
        if (!isRecord(o)) return c.skip(`${evWhere}.Object[${j}]`, 'not an object');
        if (o.deleted === true) return c.skip(`${evWhere}.Object[${j}]`, 'deleted');
        take(o.Attribute, `${evWhere}.Object[${j}].Attribute`);
      });
    }
  });
  return c.result();
}

function attribute(c: ResultCollector, a: unknown, where: string, eventNote: string | undefined, eventTime: number | undefined, options: MispOptions): void {
  if (!isRecord(a)) return c.skip(where, 'not an object');
  if (a.deleted === true) return c.skip(where, 'deleted');
  const type = typeof a.type === 'string' ? a.type : '';
  const parts = TYPES[type];
  if (!parts) return c.skip(where, `type ${type.slice(0, 40) || '(none)'}`);
  const ids = a.to_ids === true || a.to_ids === 1 || a.to_ids === '1' || a.to_ids === 'true';
  if (!ids && !options.includeNonIds) return c.skip(where, 'to_ids is false');
  if (typeof a.value !== 'string') return c.skip(where, 'value is not a string');
  const values = parts.length === 1 ? [a.value] : a.value.split('|');
  if (values.length !== parts.length) return c.skip(where, `${type}: value is not ${parts.length} parts joined by |`);
  const firstSeen = parseTime(a.first_seen) ?? parseTime(a.timestamp) ?? eventTime;
  // MISP's last_seen is when the value was last observed, not an expiry: MISP has none per attribute.
  const note = typeof a.comment === 'string' && a.comment ? a.comment.slice(0, 200) : eventNote;
  parts.forEach((kind, k) => {
    if (kind === 'port') return;
    const v = values[k]!;
    if (kind === 'name-or-path') return c.add(/[\\/]/.test(v) ? 'file-path' : 'file-name', v, where, { firstSeen, note });
    c.add(kind, v, where, { firstSeen, note });
  });
}
