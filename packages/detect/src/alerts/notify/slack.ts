/**
 * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat accept the same body):
 * `{text, blocks}` with the notice in mrkdwn and a link to the alert in mamori's console.
 *
 *   notifiers:
 *     - kind: slack
 *       url: https://hooks.slack.com/services/T000/B000/XXXX
 */
import { post, safeUrl, type HttpTarget } from './webhook.js';
import { headline, type Notice } from './notice.js';
import type { Transport } from './outbox.js';

/** Slack's mrkdwn escapes: only &, < and > (a log line's `<script>` stays text). */
export function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string | undefined, label: string): string {
  // A URL is ours (the configured console base plus an encoded id), but `|` and `>` would end it.
  return url ? `<${url.replace(/[|>]/g, encodeURIComponent)}|${mrkdwn(label)}>` : '';
}

export function slackBody(n: Notice): { text: string; blocks: unknown[] } {
  const text = `mamori ${headline(n)}`;
  const lines: string[] = [];
  if (n.kind === 'alert') {
    const a = n.alert;
    lines.push(`*${mrkdwn(a.title)}* (\`${mrkdwn(a.detector)}\`)`);
    lines.push(`severity *${a.severity}*${a.simulated ? ' (simulated: no decision)' : ''} · ${a.count} events · ${new Date(a.time).toISOString()}`);
    if (a.sourceIp) lines.push(`source \`${mrkdwn(a.sourceIp)}\``);
    if (a.remedy) lines.push(`decision: ${mrkdwn(a.remedy)}`);
  } else {
    lines.push(`*${n.alerts} more alerts* grouped from ${new Date(n.from).toISOString()} to ${new Date(n.to).toISOString()}`);
    for (const g of n.groups) lines.push(`• ${g.alerts} × ${mrkdwn(g.title)}${g.sourceIp ? ` from \`${mrkdwn(g.sourceIp)}\`` : ''} ${link(g.link, 'latest')}`);
    if (n.moreGroups > 0) lines.push(`… and ${n.moreAlerts} alerts in ${n.moreGroups} more groups`);
  }
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900) } }];
  const view = n.kind === 'alert' ? link(n.alert.link, 'View the alert in mamori') : link(n.link, 'View all alerts in mamori');
  if (view) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: view }] });
  return { text: mrkdwn(text).slice(0, 3000), blocks };
}

export class SlackTransport implements Transport {
  readonly name: string;
  readonly #t: HttpTarget;
  constructor(o: HttpTarget) {
    this.#t = o;
    this.name = `slack ${safeUrl(o.url)}`;
  }
  send(n: Notice, signal: AbortSignal): Promise<void> {
    return post(this.#t, JSON.stringify(slackBody(n)), {}, signal);
  }
}
