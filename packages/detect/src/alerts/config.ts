/**
 * The `alerts:` section of mamori.yaml: where alerts are kept, which decisions they may make,
 * the host firewall, and the notifiers. `validateAlertsConfig` checks the YAML strictly (an
 * unknown key, a wrong type or a value out of range is an error naming its key path, like
 * `alerts.notifiers[1].port`) and returns the typed, defaulted form.
 *
 *   alerts:
 *     console_url: https://mamori.example.com
 *     decisions: { never: [192.0.2.10/32], max_duration: 7d }
 *     firewall: { kind: nftables, dry_run: true }
 *     notifiers:
 *       - { kind: slack, url: https://hooks.slack.com/services/..., min_severity: high }
 *       - { kind: syslog, host: 10.0.0.5, port: 514, protocol: tcp }
 */
import { MamoriError, parseDuration } from 'mamori';
import { bad, bool, int, obj, oneOf, str, type Raw } from '../config-check.js';
import { parseCidr } from 'mamori/internal';
import type { AlertSeverity } from '../model.js';
import { ADDRESS } from './notify/smtp.js';

export interface NotifierCommon {
  /** For messages and counters; default `<kind> <n>`. */
  readonly name: string;
  readonly minSeverity: AlertSeverity;
  readonly simulated: boolean;
  readonly windowMs: number;
  readonly burst: number;
  readonly maxPerHour: number;
  readonly queue: number;
  readonly timeoutMs: number;
  readonly retries: number;
}

export type NotifierConfig = NotifierCommon &
  (
    | { readonly kind: 'webhook'; readonly url: string; readonly secret?: string }
    | { readonly kind: 'slack'; readonly url: string }
    | {
        readonly kind: 'email';
        readonly host: string;
        readonly port: number;
        readonly tls: 'starttls' | 'implicit' | 'none';
        readonly username?: string;
        readonly password?: string;
        readonly helo?: string;
        readonly from: string;
        readonly to: readonly string[];
      }
    | { readonly kind: 'syslog'; readonly host: string; readonly port: number; readonly protocol: 'udp' | 'tcp'; readonly framing: 'newline' | 'octet-counting'; readonly facility: number }
  );

export interface FirewallConfig {
  readonly kind: 'nftables';
  readonly table: string;
  readonly chain: boolean;
  readonly priority: number;
  readonly dryRun: boolean;
  readonly command: readonly string[];
}

export interface AlertsConfig {
  /** The console's address; messages link to `<console_url>/alerts/<id>`. */
  readonly consoleUrl?: string;
  /** Rows alerts.db keeps (the oldest go first). */
  readonly maxAlerts: number;
  /** `log-alert` events recorded in mamori's event store per minute at most. */
  readonly eventsPerMinute: number;
  readonly decisions: {
    readonly enabled: boolean;
    /** Loopback always, then the configured ranges. */
    readonly never: readonly string[];
    readonly minPrefix4: number;
    readonly minPrefix6: number;
    readonly maxTtlMs: number;
  };
  readonly firewall?: FirewallConfig;
  readonly notifiers: readonly NotifierConfig[];
}

function duration(v: unknown, path: string, minMs: number, maxMs: number): number {
  if (typeof v !== 'string' && typeof v !== 'number') bad(path, 'must be a duration like 5m');
  let ms: number;
  try {
    ms = parseDuration(v, path);
  } catch (err) {
    bad(path, (err as Error).message.replace(`${path}: `, ''));
  }
  if (ms < minMs || ms > maxMs) bad(path, `must be from ${minMs} ms to ${maxMs} ms`);
  return ms;
}

function url(v: unknown, path: string, https: boolean): string {
  const s = str(v, path, 2048);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    bad(path, 'must be an absolute URL');
  }
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (!https || loopback))) bad(path, https ? 'must be an https URL (http only to 127.0.0.1)' : 'must be an http or https URL');
  return s;
}

function host(v: unknown, path: string): string {
  const s = str(v, path, 253);
  if (!/^[A-Za-z0-9.:_-]+$/.test(s)) bad(path, 'must be a host name or address');
  return s;
}

const SEVERITIES: readonly AlertSeverity[] = ['low', 'medium', 'high', 'critical'];
const COMMON = ['kind', 'name', 'min_severity', 'simulated', 'window', 'burst', 'max_per_hour', 'queue', 'timeout', 'retries'] as const;

function notifier(v: unknown, path: string, i: number): NotifierConfig {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(path, 'must be a mapping');
  const kind = oneOf((v as Raw).kind, `${path}.kind`, ['webhook', 'slack', 'email', 'syslog'] as const);
  const own: Record<typeof kind, readonly string[]> = {
    webhook: ['url', 'secret'],
    slack: ['url'],
    email: ['host', 'port', 'tls', 'username', 'password', 'helo', 'from', 'to'],
    syslog: ['host', 'port', 'protocol', 'framing', 'facility'],
  };
  const r = obj(v, path, [...COMMON, ...own[kind]]);
  const common: NotifierCommon = {
    name: r.name === undefined ? `${kind} ${i + 1}` : str(r.name, `${path}.name`, 64),
    minSeverity: r.min_severity === undefined ? 'medium' : oneOf(r.min_severity, `${path}.min_severity`, SEVERITIES),
    simulated: r.simulated === undefined ? true : bool(r.simulated, `${path}.simulated`),
    windowMs: r.window === undefined ? 300_000 : duration(r.window, `${path}.window`, 1000, 86_400_000),
    burst: r.burst === undefined ? 5 : int(r.burst, `${path}.burst`, 0, 1000),
    maxPerHour: r.max_per_hour === undefined ? (kind === 'email' ? 12 : 30) : int(r.max_per_hour, `${path}.max_per_hour`, 1, 100_000),
    queue: r.queue === undefined ? 100 : int(r.queue, `${path}.queue`, 1, 100_000),
    timeoutMs: r.timeout === undefined ? 10_000 : duration(r.timeout, `${path}.timeout`, 100, 600_000),
    retries: r.retries === undefined ? 2 : int(r.retries, `${path}.retries`, 0, 10),
  };
  switch (kind) {
    case 'webhook':
      return { ...common, kind, url: url(r.url, `${path}.url`, true), ...(r.secret === undefined ? {} : { secret: secret(r.secret, `${path}.secret`) }) };
    case 'slack':
      return { ...common, kind, url: url(r.url, `${path}.url`, true) };
    case 'email': {
      const tls = r.tls === undefined ? 'starttls' : oneOf(r.tls, `${path}.tls`, ['starttls', 'implicit', 'none'] as const);
      if (r.username !== undefined && tls === 'none') bad(`${path}.username`, 'credentials are never sent without TLS: set tls to starttls or implicit');
      if (!Array.isArray(r.to) || r.to.length === 0 || r.to.length > 20) bad(`${path}.to`, 'must be a list of 1 to 20 addresses');
      return {
        ...common,
        kind,
        host: host(r.host, `${path}.host`),
        port: r.port === undefined ? (tls === 'implicit' ? 465 : 587) : int(r.port, `${path}.port`, 1, 65535),
        tls,
        ...(r.username === undefined ? {} : { username: str(r.username, `${path}.username`, 256) }),
        ...(r.password === undefined ? {} : { password: str(r.password, `${path}.password`, 1024) }),
        ...(r.helo === undefined ? {} : { helo: host(r.helo, `${path}.helo`) }),
        from: address(r.from, `${path}.from`),
        to: (r.to as unknown[]).map((a, j) => address(a, `${path}.to[${j}]`)),
      };
    }
    case 'syslog':
      return {
        ...common,
        kind,
        host: host(r.host, `${path}.host`),
        port: r.port === undefined ? 514 : int(r.port, `${path}.port`, 1, 65535),
        protocol: r.protocol === undefined ? 'udp' : oneOf(r.protocol, `${path}.protocol`, ['udp', 'tcp'] as const),
        framing: r.framing === undefined ? 'newline' : oneOf(r.framing, `${path}.framing`, ['newline', 'octet-counting'] as const),
        facility: r.facility === undefined ? 10 : int(r.facility, `${path}.facility`, 0, 23),
      };
  }
}

function secret(v: unknown, path: string): string {
  const s = str(v, path, 1024);
  if (s.length < 16) bad(path, 'must be at least 16 characters');
  return s;
}

function address(v: unknown, path: string): string {
  const s = str(v, path, 320);
  if (!ADDRESS.test(s)) bad(path, 'must be an e-mail address like alerts@example.com');
  return s;
}

export function validateAlertsConfig(raw: unknown, path = 'alerts'): AlertsConfig {
  const r = raw === undefined || raw === null ? {} : obj(raw, path, ['console_url', 'max_alerts', 'events_per_minute', 'decisions', 'firewall', 'notifiers']);
  const d = r.decisions === undefined ? {} : obj(r.decisions, `${path}.decisions`, ['enabled', 'never', 'min_prefix', 'max_duration']);
  let never: string[] = ['127.0.0.0/8', '::1/128'];
  if (d.never !== undefined) {
    if (!Array.isArray(d.never) || d.never.length > 10_000) bad(`${path}.decisions.never`, 'must be a list of CIDR ranges (10,000 at most)');
    never = [
      ...never,
      ...(d.never as unknown[]).map((c, i) => {
        const s = str(c, `${path}.decisions.never[${i}]`, 64);
        try {
          parseCidr(s);
        } catch {
          bad(`${path}.decisions.never[${i}]`, `"${s}" is not an address or CIDR range`);
        }
        return s;
      }),
    ];
  }
  const mp = d.min_prefix === undefined ? {} : obj(d.min_prefix, `${path}.decisions.min_prefix`, ['ipv4', 'ipv6']);
  let firewall: FirewallConfig | undefined;
  if (r.firewall !== undefined) {
    const f = obj(r.firewall, `${path}.firewall`, ['kind', 'table', 'chain', 'priority', 'dry_run', 'command']);
    let command: string[] = ['nft'];
    if (f.command !== undefined) {
      if (!Array.isArray(f.command) || f.command.length === 0 || f.command.length > 16) bad(`${path}.firewall.command`, 'must be a list of 1 to 16 arguments, like [nft] or [/usr/sbin/nft]');
      command = (f.command as unknown[]).map((a, i) => str(a, `${path}.firewall.command[${i}]`, 256));
    }
    const table = f.table === undefined ? 'mamori' : str(f.table, `${path}.firewall.table`, 32);
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(table)) bad(`${path}.firewall.table`, 'must be a letter then letters, digits or _');
    firewall = {
      kind: f.kind === undefined ? 'nftables' : oneOf(f.kind, `${path}.firewall.kind`, ['nftables'] as const),
      table,
      chain: f.chain === undefined ? true : bool(f.chain, `${path}.firewall.chain`),
      priority: f.priority === undefined ? -10 : int(f.priority, `${path}.firewall.priority`, -400, 400),
      dryRun: f.dry_run === undefined ? false : bool(f.dry_run, `${path}.firewall.dry_run`),
      command,
    };
  }
  let notifiers: NotifierConfig[] = [];
  if (r.notifiers !== undefined) {
    if (!Array.isArray(r.notifiers) || r.notifiers.length > 32) bad(`${path}.notifiers`, 'must be a list (32 notifiers at most)');
    notifiers = (r.notifiers as unknown[]).map((n, i) => notifier(n, `${path}.notifiers[${i}]`, i));
    const names = new Set<string>();
    notifiers.forEach((n, i) => {
      if (names.has(n.name)) bad(`${path}.notifiers[${i}].name`, `"${n.name}" is used twice`);
      names.add(n.name);
    });
  }
  return {
    ...(r.console_url === undefined ? {} : { consoleUrl: url(r.console_url, `${path}.console_url`, false).replace(/\/+$/, '') }),
    maxAlerts: r.max_alerts === undefined ? 100_000 : int(r.max_alerts, `${path}.max_alerts`, 100, 10_000_000),
    eventsPerMinute: r.events_per_minute === undefined ? 60 : int(r.events_per_minute, `${path}.events_per_minute`, 0, 100_000),
    decisions: {
      enabled: d.enabled === undefined ? true : bool(d.enabled, `${path}.decisions.enabled`),
      never,
      minPrefix4: mp.ipv4 === undefined ? 16 : int(mp.ipv4, `${path}.decisions.min_prefix.ipv4`, 0, 32),
      minPrefix6: mp.ipv6 === undefined ? 32 : int(mp.ipv6, `${path}.decisions.min_prefix.ipv6`, 0, 128),
      maxTtlMs: d.max_duration === undefined ? 30 * 86_400_000 : duration(d.max_duration, `${path}.decisions.max_duration`, 1000, 365 * 86_400_000),
    },
    ...(firewall ? { firewall } : {}),
    notifiers,
  };
}
