/**
 * One event as the compiled rules read it: field values as strings and in lower
 * case, each worked out at most once per event however many rules ask (Sigma
 * matches case-insensitively by default, so most rules want the lower-cased form).
 */
import type { FieldValue, LogEvent } from '../model.js';
import { DERIVED_FIELDS } from './logsources.js';

export class EventView {
  readonly event: LogEvent;
  private readonly strs = new Map<string, string | undefined>();
  private readonly lowers = new Map<string, string | undefined>();
  private texts: readonly string[] | undefined;
  private lowerTexts: readonly string[] | undefined;

  constructor(event: LogEvent) {
    this.event = event;
  }

  get(field: string): FieldValue | undefined {
    const v = this.event.fields[field];
    if (v !== undefined) return v;
    const derive = DERIVED_FIELDS[field];
    return derive ? derive((f) => this.event.fields[f]) : undefined;
  }

  str(field: string): string | undefined {
    if (this.strs.has(field)) return this.strs.get(field);
    const v = this.get(field);
    const s = v === undefined ? undefined : String(v);
    this.strs.set(field, s);
    return s;
  }

  lower(field: string): string | undefined {
    if (this.lowers.has(field)) return this.lowers.get(field);
    const s = this.str(field);
    const l = s === undefined ? undefined : s.toLowerCase();
    this.lowers.set(field, l);
    return l;
  }

  /**
   * What keywords search: the line as read, and the parsed message when the line
   * does not already hold it (a journal record's message, a JSON line's `message`).
   */
  keywordTexts(): readonly string[] {
    if (this.texts) return this.texts;
    const line = this.event.line.text;
    const msg = this.event.fields['message'];
    this.texts = typeof msg === 'string' && msg.length > 0 && !line.includes(msg) ? [line, msg] : [line];
    return this.texts;
  }

  keywordLower(): readonly string[] {
    this.lowerTexts ??= this.keywordTexts().map((t) => t.toLowerCase());
    return this.lowerTexts;
  }
}
