/**
 * Syslog to a SIEM, each notice as one CEF event (ArcSight Common Event Format, version 0)
 * behind an RFC 5424 header, over UDP (one datagram each) or TCP (one connection kept open,
 * messages ended by a newline, or octet-counted as RFC 6587 describes).
 *
 *   <PRI>1 2026-12-03T15:00:00.000Z host mamori - alert - CEF:0|mamori|mamori|0.1.0|ssh-bruteforce|SSH brute force|8|rt=... src=203.0.113.9 cnt=12 ...
 *
 *   notifiers:
 *     - kind: syslog
 *       host: siem.example.net
 *       port: 514
 *       protocol: tcp
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { hostname } from 'node:os';
import type { AlertSeverity } from '../../model.js';
import { bodyLines, headline, higher, type Notice } from './notice.js';
import type { Transport } from './outbox.js';

export const CEF_VERSION = '0.1.0';

/** A CEF header field: `\` and `|` escaped; line ends, which the format forbids there, become spaces. */
export function cefHeader(s: string): string {
  return s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** A CEF extension value: `\` and `=` escaped, line ends written `\n` and `\r`. */
export function cefValue(s: string): string {
  return s.replace(/[\\=\r\n]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
}

const CEF_SEVERITY: Record<AlertSeverity, number> = { low: 3, medium: 5, high: 8, critical: 10 };
/** Syslog severities: crit, err, warning, notice. */
const SYSLOG_SEVERITY: Record<AlertSeverity, number> = { critical: 2, high: 3, medium: 4, low: 5 };

export function cef(n: Notice): { line: string; severity: AlertSeverity } {
  const ext: [string, string | number][] = [];
  let sig: string;
  let name: string;
  let sev: AlertSeverity;
  if (n.kind === 'alert') {
    const a = n.alert;
    sig = a.detector;
    name = a.title;
    sev = a.severity;
    ext.push(['rt', a.time], ['cnt', a.count]);
    if (a.sourceIp) ext.push(['src', a.sourceIp]);
    ext.push(['cs1Label', 'alertId'], ['cs1', a.id], ['cs2Label', 'detector'], ['cs2', a.detector]);
    if (a.link) ext.push(['cs3Label', 'link'], ['cs3', a.link]);
    if (a.remedy) ext.push(['act', a.remedy]);
    ext.push(['cs4Label', 'simulated'], ['cs4', String(a.simulated)]);
    ext.push(['msg', headline(n)]);
  } else {
    sig = 'digest';
    name = `mamori alert digest (${n.alerts} alerts)`;
    sev = n.groups.reduce<AlertSeverity>((s, g) => higher(s, g.severity), 'low');
    ext.push(['start', n.from], ['end', n.to], ['cnt', n.alerts]);
    if (n.link) ext.push(['cs3Label', 'link'], ['cs3', n.link]);
    ext.push(['msg', bodyLines(n).join('\n')]);
  }
  const head = ['CEF:0', 'mamori', 'mamori', CEF_VERSION, sig, name, String(CEF_SEVERITY[sev])].map((f, i) => (i === 0 ? f : cefHeader(f))).join('|');
  return { line: `${head}|${ext.map(([k, v]) => `${k}=${typeof v === 'number' ? v : cefValue(v)}`).join(' ')}`, severity: sev };
}

export interface SyslogOptions {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
  /** TCP framing: a newline after each message (default), or RFC 6587 octet counting. */
  framing?: 'newline' | 'octet-counting';
  /** Syslog facility number (default 10, authpriv). */
  facility?: number;
  /** The HOSTNAME field (default this host's name). */
  hostname?: string;
  now?: () => number;
  /** Longest message; longer ones are cut (UDP default 2048 bytes, TCP 8192). */
  maxBytes?: number;
}

export class SyslogTransport implements Transport {
  readonly name: string;
  readonly #o: SyslogOptions;
  readonly #host: string;
  #udp: dgram.Socket | undefined;
  #tcp: net.Socket | undefined;

  constructor(o: SyslogOptions) {
    this.#o = o;
    this.#host = (o.hostname ?? hostname()).replace(/[^\x21-\x7e]/g, '').slice(0, 255) || '-';
    this.name = `syslog ${o.protocol}://${o.host}:${o.port}`;
  }

  /** The whole syslog message for a notice (without TCP framing). */
  format(n: Notice): Buffer {
    const { line, severity } = cef(n);
    const pri = (this.#o.facility ?? 10) * 8 + SYSLOG_SEVERITY[severity];
    const ts = new Date((this.#o.now ?? Date.now)()).toISOString();
    const msg = Buffer.from(`<${pri}>1 ${ts} ${this.#host} mamori - ${n.kind} - ${line}`, 'utf8');
    const max = this.#o.maxBytes ?? (this.#o.protocol === 'udp' ? 2048 : 8192);
    return msg.length > max ? msg.subarray(0, max) : msg;
  }

  async send(n: Notice, signal: AbortSignal): Promise<void> {
    const msg = this.format(n);
    if (this.#o.protocol === 'udp') {
      const sock = (this.#udp ??= dgram.createSocket(net.isIPv6(this.#o.host) ? 'udp6' : 'udp4').unref());
      await new Promise<void>((resolve, reject) => sock.send(msg, this.#o.port, this.#o.host, (err) => (err ? reject(err) : resolve())));
      return;
    }
    const framed = this.#o.framing === 'octet-counting' ? Buffer.concat([Buffer.from(`${msg.length} `), msg]) : Buffer.concat([msg, Buffer.from('\n')]);
    const sock = await this.#connect(signal);
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        sock.destroy();
        reject(new Error('timed out writing to the syslog receiver'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      sock.write(framed, (err) => {
        signal.removeEventListener('abort', onAbort);
        if (err) {
          sock.destroy();
          reject(err);
        } else resolve();
      });
    });
  }

  #connect(signal: AbortSignal): Promise<net.Socket> {
    const cur = this.#tcp;
    if (cur && !cur.destroyed && !cur.connecting) return Promise.resolve(cur);
    cur?.destroy();
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: this.#o.host, port: this.#o.port });
      const fail = (err: Error): void => {
        signal.removeEventListener('abort', onAbort);
        sock.destroy();
        reject(err);
      };
      const onAbort = (): void => fail(new Error('timed out connecting to the syslog receiver'));
      signal.addEventListener('abort', onAbort, { once: true });
      sock.once('error', fail);
      sock.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        sock.off('error', fail);
        // Later errors end the connection; the next send opens a new one.
        sock.on('error', () => sock.destroy());
        // Whatever a receiver sends back is read and dropped (it must not fill memory).
        sock.on('data', () => {});
        sock.unref();
        this.#tcp = sock;
        resolve(sock);
      });
    });
  }

  close(): void {
    this.#udp?.close();
    this.#udp = undefined;
    this.#tcp?.end();
    this.#tcp = undefined;
  }
}
