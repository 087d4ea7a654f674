/**
 * What notifiers send: one alert, or a digest of the alerts that were grouped or held back
 * by the rate cap. Every alert a channel is offered is in exactly one notice (by itself or
 * counted in a digest), so the counts add up even when a million alerts arrive.
 */
import type { AlertSeverity } from '../../model.js';

export interface NoticeAlert {
  readonly id: string;
  readonly detector: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  /** Event time, ms since epoch. */
  readonly time: number;
  readonly count: number;
  readonly sourceIp?: string;
  readonly simulated: boolean;
  /** What the detector asked for, in words: `block ip 203.0.113.9 for 4h`. */
  readonly remedy?: string;
  readonly link?: string;
}

export interface AlertNotice {
  readonly kind: 'alert';
  readonly alert: NoticeAlert;
}

export interface DigestGroup {
  readonly detector: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly sourceIp?: string;
  /** Alerts of this group in the digest. */
  readonly alerts: number;
  /** The newest of them, and its page. */
  readonly lastId: string;
  readonly link?: string;
}

export interface DigestNotice {
  readonly kind: 'digest';
  /** The wall-clock span the digest covers. */
  readonly from: number;
  readonly to: number;
  /** Alerts in the digest (not sent one by one). */
  readonly alerts: number;
  /** The largest groups, most alerts first. */
  readonly groups: readonly DigestGroup[];
  /** Groups left out of `groups` and their alerts. */
  readonly moreGroups: number;
  readonly moreAlerts: number;
  /** The console's alert list. */
  readonly link?: string;
}

export type Notice = AlertNotice | DigestNotice;

const RANK: Record<AlertSeverity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export function severityAtLeast(s: AlertSeverity, min: AlertSeverity): boolean {
  return RANK[s] >= RANK[min];
}

export function higher(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A notice's one-line summary, for a subject line, a Slack message's text or a syslog name. */
export function headline(n: Notice): string {
  if (n.kind === 'alert') {
    const a = n.alert;
    return `${a.simulated ? '[simulated] ' : ''}${a.severity}: ${a.title}${a.sourceIp ? ` from ${a.sourceIp}` : ''}`;
  }
  return `digest: ${n.alerts} more alert${n.alerts === 1 ? '' : 's'} in ${n.groups.length + n.moreGroups} group${n.groups.length + n.moreGroups === 1 ? '' : 's'}`;
}

/** The notice as plain text lines (e-mail bodies, Slack fallbacks). */
export function bodyLines(n: Notice): string[] {
  if (n.kind === 'alert') {
    const a = n.alert;
    return [
      `${a.title} (${a.detector})`,
      `severity: ${a.severity}${a.simulated ? ' (simulated: detect-only, no decision)' : ''}`,
      `time: ${new Date(a.time).toISOString()}`,
      ...(a.sourceIp ? [`source: ${a.sourceIp}`] : []),
      `events: ${a.count}`,
      ...(a.remedy ? [`decision: ${a.remedy}`] : []),
      `alert id: ${a.id}`,
      ...(a.link ? [`details: ${a.link}`] : []),
    ];
  }
  const lines = [`${n.alerts} alerts from ${new Date(n.from).toISOString()} to ${new Date(n.to).toISOString()} were grouped:`];
  for (const g of n.groups) lines.push(`  ${g.alerts} x ${g.title} (${g.detector}, ${g.severity})${g.sourceIp ? ` from ${g.sourceIp}` : ''}${g.link ? ` ${g.link}` : ''}`);
  if (n.moreGroups > 0 || n.moreAlerts > 0) lines.push(`  and ${n.moreAlerts} alerts in ${n.moreGroups} more groups`);
  if (n.link) lines.push(`all alerts: ${n.link}`);
  return lines;
}
