/**
 * Which Sigma log sources mamori can feed, from which parsers (`event.dataset`),
 * and how each source's field names map to the ECS names mamori's events carry.
 *
 * A rule's `logsource` (category, product, service) must equal one entry's
 * exactly; anything else is reported as an unsupported log source rather than run
 * against events it was not written for. The choices, and why:
 * - `category: webserver`: the access logs (nginx, Apache) and mamori's own
 *   request log hold what the Sigma web taxonomy names (method, URI, query,
 *   status, client address, User-Agent, referrer).
 * - `category: proxy`: the same datasets. nginx and Apache often run as the proxy
 *   in front of an application, and their access logs carry the fields the proxy
 *   taxonomy names (`c-uri`, `cs-host`, `c-useragent`); a rule about outbound
 *   traffic simply does not match inbound lines. A deployment that disagrees
 *   drops or narrows the entry through the loader's `logsources` option.
 * - `product: linux` with `service: auth`: auth.log holds sshd and PAM lines.
 *   `service: sshd`: sshd's lines. `product: linux` alone (the generic syslog
 *   keyword rules) and `service: syslog`: every Linux dataset mamori parses
 *   (syslog holds more, but these are the lines mamori reads).
 * - `category: application` without a product: structured application logs
 *   (JSON, logfmt). With a product (django, spring, ...) mamori cannot tell which
 *   application wrote a JSON line, so those need an explicit entry.
 * - `category: firewall`: FortiGate's traffic logs.
 *
 * Field names a rule writes in ECS form (`source.ip`, `url.path`) are accepted
 * for every source: they are what the events carry.
 */
import { FIELDS } from '../model.js';

export interface LogsourceEntry {
  readonly category?: string;
  readonly product?: string;
  readonly service?: string;
  /** The `event.dataset` values this source's rules run on. */
  readonly datasets: readonly string[];
  /** Sigma field name (lower-cased) → ECS field name. */
  readonly fields: Readonly<Record<string, string>>;
}

/** The Sigma web taxonomy (W3C extended log names) as ECS. */
export const WEB_FIELDS: Readonly<Record<string, string>> = {
  'cs-method': 'http.request.method',
  'cs-uri-stem': 'url.path',
  'cs-uri-query': 'url.query',
  'cs-uri': 'url.original',
  'c-uri': 'url.original',
  'c-uri-stem': 'url.path',
  'c-uri-query': 'url.query',
  'c-uri-extension': 'url.extension',
  'sc-status': 'http.response.status_code',
  'c-ip': 'source.ip',
  'src_ip': 'source.ip',
  'clientip': 'source.ip',
  'c-useragent': 'user_agent.original',
  'cs-user-agent': 'user_agent.original',
  'cs-referrer': 'http.request.referrer',
  'cs-referer': 'http.request.referrer',
  'cs-host': 'url.domain',
  'r-dns': 'url.domain',
  'cs-bytes': 'http.request.bytes',
  'sc-bytes': 'http.response.body.bytes',
  'cs-version': 'http.version',
  'cs-username': 'user.name',
  's-ip': 'destination.ip',
  'dst_ip': 'destination.ip',
  's-port': 'destination.port',
  'dst_port': 'destination.port',
};

/** Linux syslog (auth.log, sshd, PAM): mostly keyword rules; these few fields. */
export const LINUX_FIELDS: Readonly<Record<string, string>> = {
  user: 'user.name',
  username: 'user.name',
  user_name: 'user.name',
  pam_user: 'user.name',
  src_ip: 'source.ip',
  srcip: 'source.ip',
  client_ip: 'source.ip',
  // rhost= is an address in almost every line; a host name lands in source.address.
  rhost: 'source.ip',
  pam_rhost: 'source.ip',
  pam_message: 'message',
  deviceprocessname: 'process.name',
  src_port: 'source.port',
  pid: 'process.pid',
  host: 'host.hostname',
  hostname: 'host.hostname',
  program: 'process.name',
  process: 'process.name',
  msg: 'message',
};

export const FIREWALL_FIELDS: Readonly<Record<string, string>> = {
  src_ip: 'source.ip',
  dst_ip: 'destination.ip',
  src_port: 'source.port',
  dst_port: 'destination.port',
  dst_host: 'destination.domain',
  username: 'user.name',
};

const WEB_DATASETS = ['nginx.access', 'apache.access', 'mamori'] as const;
const LINUX_DATASETS = ['sshd', 'pam'] as const;

export const DEFAULT_LOGSOURCES: readonly LogsourceEntry[] = [
  { category: 'webserver', datasets: WEB_DATASETS, fields: WEB_FIELDS },
  { category: 'webserver', product: 'nginx', datasets: ['nginx.access'], fields: WEB_FIELDS },
  { category: 'webserver', product: 'apache', datasets: ['apache.access'], fields: WEB_FIELDS },
  { category: 'proxy', datasets: WEB_DATASETS, fields: WEB_FIELDS },
  { product: 'linux', service: 'auth', datasets: LINUX_DATASETS, fields: LINUX_FIELDS },
  { product: 'linux', service: 'sshd', datasets: ['sshd'], fields: LINUX_FIELDS },
  { product: 'linux', datasets: LINUX_DATASETS, fields: LINUX_FIELDS },
  { product: 'linux', service: 'syslog', datasets: LINUX_DATASETS, fields: LINUX_FIELDS },
  { category: 'application', datasets: ['json', 'logfmt'], fields: {} },
  { category: 'firewall', datasets: ['fortigate'], fields: FIREWALL_FIELDS },
];

/**
 * ECS names a rule may use directly: the ones mamori's parsers fill (FIELDS)
 * and a few more ECS names the web mapping targets.
 */
export const ECS_FIELDS: ReadonlySet<string> = new Set([
  ...Object.keys(FIELDS),
  'url.domain',
  'url.extension',
  'http.version',
  'http.request.bytes',
  'event.type',
  'event.module',
  'user_agent.name',
  'source.domain',
]);

/**
 * Fields an event may lack that mamori works out from others when a rule asks
 * (the W3C `c-uri-extension`: the last path segment's extension, without the dot).
 */
export const DERIVED_FIELDS: Readonly<Record<string, (get: (f: string) => unknown) => string | undefined>> = {
  'url.extension': (get) => {
    const path = get('url.path');
    if (typeof path !== 'string') return undefined;
    const slash = path.lastIndexOf('/');
    const dot = path.lastIndexOf('.');
    return dot > slash && dot < path.length - 1 ? path.slice(dot + 1) : undefined;
  },
};

export interface RuleLogsource {
  readonly category?: string;
  readonly product?: string;
  readonly service?: string;
}

/** The entry for a rule's logsource, or undefined when mamori does not read that source. */
export function findLogsource(entries: readonly LogsourceEntry[], ls: RuleLogsource): LogsourceEntry | undefined {
  const norm = (s: string | undefined) => (s === undefined ? undefined : s.toLowerCase());
  return entries.find((e) => norm(e.category) === norm(ls.category) && norm(e.product) === norm(ls.product) && norm(e.service) === norm(ls.service));
}

/** The ECS field a rule's field name stands for in this source, or undefined when it has none. */
export function mapField(entry: LogsourceEntry, name: string): string | undefined {
  const mapped = entry.fields[name.toLowerCase()];
  if (mapped !== undefined) return mapped;
  return ECS_FIELDS.has(name) ? name : undefined;
}

export function describeLogsource(ls: RuleLogsource): string {
  const parts = (['category', 'product', 'service'] as const).filter((k) => ls[k] !== undefined).map((k) => `${k}: ${ls[k]}`);
  return parts.length ? parts.join(', ') : '(none)';
}
