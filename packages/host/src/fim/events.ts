/**
 * A check's findings as SecurityEvents: one per added, removed or changed path (at most
 * `maxPerCheck`, default 100, so a deployment of thousands of files does not flood the store
 * and the webhooks), and one `fim-check-changes` summary whenever there is anything to say.
 * Besides the shared fields they carry `file.path` (ECS) and `mamori.fim.changed`.
 */
import type { EventSink, SecurityEvent } from 'mamori';
import type { CheckReport, FimEntry } from './types.js';

export type FimEvent = SecurityEvent & {
  'file.path'?: string;
  'file.hash.sha256'?: string;
  /** The attributes that changed, space-separated. */
  'mamori.fim.changed'?: string;
};

const base = (at: string, action: string, severity: number, reason: string, baseline: string): FimEvent => ({
  '@timestamp': at,
  'event.action': action,
  'event.category': 'file',
  'event.module': 'fim',
  'event.severity': severity,
  'event.reason': reason,
  'rule.name': baseline,
});

export function checkEvents(r: CheckReport, at: string, maxPerCheck = 100): FimEvent[] {
  const out: FimEvent[] = [];
  const file = (e: FimEntry, ev: FimEvent): FimEvent => (e.sha256 ? { ...ev, 'file.path': e.path, 'file.hash.sha256': e.sha256 } : { ...ev, 'file.path': e.path });
  for (const e of r.added) out.push(file(e, base(at, 'fim-file-added', 50, `${e.type} added: ${e.path}`, r.baseline)));
  for (const e of r.removed) out.push(file(e, base(at, 'fim-file-removed', 50, `${e.type} removed: ${e.path}`, r.baseline)));
  for (const c of r.changed) {
    const names = c.changes.map((x) => x.attr);
    const serious = names.some((n) => n === 'sha256' || n === 'mode' || n === 'uid' || n === 'gid' || n === 'type' || n === 'target');
    out.push({ ...file(c.new, base(at, 'fim-file-changed', serious ? 73 : 50, `${c.path} changed: ${names.join(', ')}`, r.baseline)), 'mamori.fim.changed': names.join(' ') });
  }
  const total = r.added.length + r.removed.length + r.changed.length;
  const events = out.slice(0, maxPerCheck);
  if (total > 0 || r.problems.length > 0) {
    const more = total > maxPerCheck ? ` (events for the first ${maxPerCheck})` : '';
    events.push({
      ...base(at, 'fim-check-changes', total > 0 ? 73 : 50, `${r.mode} check of "${r.baseline}": ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${r.problems.length} not checked${more}`, r.baseline),
      'mamori.count': total,
    });
  }
  return events;
}

export function tamperEvent(at: string, baseline: string, message: string): FimEvent {
  // an older signed baseline put back (generations.ts) has an action of its own
  const rollback = / older than generation \d+ recorded in | is generation \d+ but not the one recorded /.test(message);
  return base(at, rollback ? 'fim-baseline-rollback' : 'fim-baseline-invalid', 99, message, baseline);
}

export function acceptEvent(at: string, baseline: string, who: string, why: string, count: number): FimEvent {
  return { ...base(at, 'fim-changes-accepted', 20, `${count} changes taken into "${baseline}" by ${who}: ${why}`, baseline), 'mamori.count': count };
}

export function emitAll(sink: EventSink | undefined, events: readonly FimEvent[]): void {
  if (!sink) return;
  for (const e of events) sink.emit(e);
}
