/**
 * The shapes the parts of `mamori watch` and `mamori replay` hand each other:
 * sources give lines, parsers turn lines into events, detectors (scenarios, Sigma)
 * turn events into alerts. The sources, the parsers, the scenario engine and the
 * Sigma engine are built separately; this file is their contract.
 */

/** One line as a source read it, before any parsing. */
export interface RawLine {
  /** The line without its end-of-line, already cut to the source's bound. */
  readonly text: string;
  /** Which input: a file path, `stdin`, `syslog-udp`, `syslog-tcp`, `journal`, `http`, `mamori`. */
  readonly input: string;
  /** When mamori received it, ms since epoch. */
  readonly receivedAt: number;
  /** A file source's byte offset of the line's start (what checkpoints record). */
  readonly offset?: number;
  /** True when the source cut the line at its bound. */
  readonly truncated?: boolean;
  /**
   * What the transport already told: a syslog header or a journal record's fields. A
   * parser prefers these to guessing from the text.
   */
  readonly meta?: {
    /** The message's own time, ms since epoch, when the transport carried one. */
    readonly time?: number;
    readonly hostname?: string;
    /** Syslog APP-NAME / TAG, journal SYSLOG_IDENTIFIER: `sshd`, `nginx`, `FortiGate`. */
    readonly program?: string;
    readonly pid?: number;
    readonly facility?: number;
    readonly severity?: number;
    /** RFC 5424 structured data, flattened `sdid.param` → value. */
    readonly structured?: Readonly<Record<string, string>>;
    /** The sender's address for network sources. */
    readonly peer?: string;
    /**
     * The journal only: what journald recorded about the sending process from the kernel
     * (its credentials and /proc), not from the message: `_UID`, `_COMM` (missing when the
     * sender exited before journald looked), `_SYSTEMD_UNIT`, `_TRANSPORT` (how the line came:
     * `syslog` through /dev/log, `journal` the native API, `stdout` a service's output,
     * `kernel`...). A sender cannot choose these,
     * unlike SYSLOG_IDENTIFIER. When it is given, the line's text is the message alone and is
     * never read as a syslog line of its own.
     */
    readonly sender?: { readonly uid?: number; readonly comm?: string; readonly unit?: string; readonly transport?: string };
  };
}

export type FieldValue = string | number | boolean;

/**
 * One parsed event. Field names follow the Elastic Common Schema (see FIELDS):
 * `source.ip`, `user.name`, `url.path`, `http.response.status_code`, `event.outcome`.
 * Account names stay in memory only; what mamori stores of them is a keyed hash.
 */
export interface LogEvent {
  /** Event time, ms since epoch: the line's own time; the receive time when the line has none. */
  readonly time: number;
  /** ECS fields. `event.dataset` is always set: `nginx.access`, `sshd`, `fortigate`, `json`. */
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** The line it came from (bounded), for an alert's evidence. */
  readonly line: RawLine;
}

/** The ECS fields parsers fill and detectors may rely on, with what each holds. */
export const FIELDS = {
  'event.dataset': 'which parser read it: nginx.access, nginx.error, apache.access, apache.error, sshd, pam, fortigate, vpn, json, logfmt, mamori',
  'event.action': 'what happened, kebab-case: ssh-login, web-request, vpn-login, login-failure',
  'event.category': 'authentication, web, network, process',
  'event.outcome': 'success, failure or unknown',
  'event.reason': 'why, in the log\'s words (invalid user, wrong password)',
  'source.ip': 'the client address, normalised (IPv4-mapped IPv6 folded)',
  'source.port': 'the client port',
  'source.address': 'the client as logged when it is not an address (a host name from rhost=)',
  'source.geo.country_iso_code': 'the client\'s country, from mamori\'s country database',
  'destination.ip': 'the server address or the address a connection went to',
  'destination.port': 'the server port',
  'destination.domain': 'a host name the event went to (a DNS query, a proxy CONNECT)',
  'user.name': 'the account as typed (memory only)',
  'url.original': 'the request target as logged',
  'url.path': 'the path, percent-decoded once',
  'url.query': 'the query string without ?',
  'mamori.query': 'the query string percent-decoded once, + as a space (only when that changes it)',
  'http.request.method': 'GET, POST, ...',
  'http.request.referrer': 'the Referer',
  'http.response.status_code': 'the status the server answered',
  'http.response.body.bytes': 'the bytes of the answer',
  'user_agent.original': 'the User-Agent',
  'host.hostname': 'the host that wrote the log',
  'process.name': 'the program: sshd, nginx, sudo',
  'process.pid': 'its pid',
  'log.level': 'the log\'s severity word: error, warn, notice, info',
  message: 'the free-text part of the line',
  'observer.vendor': 'an appliance\'s maker: Fortinet, Ivanti, Citrix, Palo Alto Networks',
  'observer.product': 'FortiGate, Connect Secure, NetScaler',
  'mamori.ioc': 'the indicator the event matched, when the IoC matcher is present',
  'mamori.decided': 'true when the source is already under a decision',
  'http.version': 'the HTTP version of the request line: 1.1, 2.0',
  'url.domain': 'the Host the request named',
  'error.code': 'a server\'s own message id: AH00126',
  'log.logger': 'the module that wrote the line: Apache\'s core, authz_core',
  'ssh.method': 'the SSH authentication method: password, publickey, keyboard-interactive/pam',
  'event.code': 'an appliance\'s message id: a FortiGate logid, an Ivanti AUT code, a GlobalProtect event id',
  'fortinet.type': 'FortiGate log type: traffic, event, utm',
  'fortinet.subtype': 'FortiGate log subtype: vpn, system, forward',
  'fortinet.logdesc': 'FortiGate log description: SSL VPN login fail',
  'mamori.count': 'how many the line stands for: PAM\'s "2 more authentication failures", a mamori event\'s count',
  'mamori.ioc.kind': 'the kind of indicator matched: ip, cidr, domain',
  'mamori.ioc.source': 'the feed the matched indicator came from',
} as const;

/** Turns lines of one format into events. `null`: not this format's line (counted, skipped). */
export interface LineParser {
  /** `nginx.access`, `sshd`, ...: what `event.dataset` it sets. */
  readonly name: string;
  parse(line: RawLine): LogEvent | null;
}

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

/** What a detector raises: one per (scenario or rule, group) and blackout. */
export interface Alert {
  /** Stable across runs for the same input: a hash of detector, group key and first event's time. */
  readonly id: string;
  /** The scenario's or Sigma rule's id: `ssh-bruteforce`, a Sigma rule's UUID. */
  readonly detector: string;
  readonly kind: 'scenario' | 'sigma';
  readonly title: string;
  readonly severity: AlertSeverity;
  /** Event time of the event that fired it, ms since epoch. */
  readonly time: number;
  /** The group's key values: `{ 'source.ip': '203.0.113.9' }`. */
  readonly group: Readonly<Record<string, FieldValue>>;
  /** How many events the bucket held when it fired. */
  readonly count: number;
  /** Event time of the first event in the bucket. */
  readonly firstTime: number;
  /** A few of the events (bounded), for the evidence. */
  readonly samples: readonly LogEvent[];
  /** What the detector asks for: a decision on the source for a while, or nothing (detect-only). */
  readonly remedy?: { readonly action: 'block' | 'challenge'; readonly scope: 'ip' | 'range'; readonly value: string; readonly ttlMs: number };
  /** True when the scenario is in simulation (detect-only): alert, no decision. */
  readonly simulated?: boolean;
  readonly mitre?: readonly string[];
}

/** A scenario engine or a Sigma engine: takes events in event-time order, gives alerts. */
export interface Detector {
  onEvent(event: LogEvent): readonly Alert[];
  /** The end of input (replay) or a tick (follow mode): time-based buckets may fire or expire. */
  advance(now: number): readonly Alert[];
}
