/**
 * The notification channels of one mamori: each with its own grouping and rate cap
 * (grouper.ts) and its own delivery queue (outbox.ts). `offer` costs a map look-up and a
 * queue push per channel; nothing here waits for a receiver.
 */
import type { Clock } from 'mamori';
import type { AlertsConfig, NotifierConfig } from '../config.js';
import { Grouper } from './grouper.js';
import { Outbox, type Transport } from './outbox.js';
import type { NoticeAlert } from './notice.js';
import { WebhookTransport } from './webhook.js';
import { SlackTransport } from './slack.js';
import { EmailTransport } from './email.js';
import { SyslogTransport } from './syslog.js';

export interface Channel {
  readonly name: string;
  readonly grouper: Grouper;
  readonly outbox: Outbox;
}

export interface ChannelStats {
  name: string;
  offered: number;
  sentAlone: number;
  digests: number;
  digested: number;
  delivered: number;
  failed: number;
  dropped: number;
  queued: number;
}

export interface HubDeps {
  clock: Clock;
  onError?: ((err: unknown) => void) | undefined;
  /** Injected for tests. */
  fetch?: typeof fetch | undefined;
  /** Extra trusted certificates for SMTP (tests). */
  smtpCa?: string | undefined;
  /** Pauses between retries (default 1 s, doubling). */
  retryDelayMs?: number | undefined;
}

export function transportFor(n: NotifierConfig, d: HubDeps): Transport {
  switch (n.kind) {
    case 'webhook':
      return new WebhookTransport({ url: n.url, secret: n.secret, fetch: d.fetch, now: () => d.clock.now() });
    case 'slack':
      return new SlackTransport({ url: n.url, fetch: d.fetch });
    case 'email':
      return new EmailTransport({ host: n.host, port: n.port, tls: n.tls, username: n.username, password: n.password, helo: n.helo, from: n.from, to: n.to, ca: d.smtpCa });
    case 'syslog':
      return new SyslogTransport({ host: n.host, port: n.port, protocol: n.protocol, framing: n.framing, facility: n.facility });
  }
}

export class NotifierHub {
  readonly channels: readonly Channel[];

  constructor(channels: readonly Channel[]) {
    this.channels = channels;
  }

  static fromConfig(c: AlertsConfig, d: HubDeps): NotifierHub {
    const list = c.consoleUrl ? `${c.consoleUrl}/alerts` : undefined;
    return new NotifierHub(
      c.notifiers.map((n) => ({
        name: n.name,
        grouper: new Grouper({ windowMs: n.windowMs, burst: n.burst, maxPerHour: n.maxPerHour, minSeverity: n.minSeverity, simulated: n.simulated, listLink: list, clock: d.clock }),
        outbox: new Outbox(transportFor(n, d), { maxQueue: n.queue, timeoutMs: n.timeoutMs, retries: n.retries, retryDelayMs: d.retryDelayMs, onError: d.onError }),
      })),
    );
  }

  offer(a: NoticeAlert): void {
    for (const c of this.channels) for (const n of c.grouper.offer(a)) c.outbox.push(n);
  }

  /** Ends windows that are over (call every few seconds). */
  tick(): void {
    for (const c of this.channels) for (const n of c.grouper.tick()) c.outbox.push(n);
  }

  stats(): ChannelStats[] {
    return this.channels.map((c) => ({
      name: c.name,
      offered: c.grouper.offered,
      sentAlone: c.grouper.sentAlone,
      digests: c.grouper.digests,
      digested: c.grouper.digested,
      delivered: c.outbox.delivered,
      failed: c.outbox.failed,
      dropped: c.outbox.dropped,
      queued: c.outbox.queued,
    }));
  }

  /** Sends each channel's pending digest, then gives the queues `timeoutMs` to go out. */
  async close(timeoutMs = 5000): Promise<void> {
    for (const c of this.channels) for (const n of c.grouper.flush()) c.outbox.push(n);
    await Promise.all(this.channels.map((c) => c.outbox.close(timeoutMs)));
  }
}
