/**
 * Field names applications commonly log under, mapped to ECS: for generic JSON (flat or
 * nested, flattened with dots), logfmt, and nginx's JSON access log (whose keys are the
 * nginx variables users put in `log_format ... escape=json`). Keys already in ECS form
 * (`source.ip`, `user.name`) are taken as they are. Unknown keys are dropped: an event
 * holds what detectors can rely on, not whatever an attacker put in a JSON body.
 */
import type { FieldValue } from '../model.js';
import { FIELDS } from '../model.js';
import { bound, setInt, setIp, setRequestLine, setSource, setStr, setUrl, setDecodedQuery, type Fields } from './fields.js';
import { parseAnyTime, type TimeZoneMode } from './time.js';

type Kind = 'source' | 'user' | 'status' | 'method' | 'url' | 'path' | 'query' | 'request' | 'ua' | 'referrer' | 'bytes' | 'message' | 'level' | 'time' | 'host' | 'action' | 'outcome' | 'dest' | 'port' | 'dport' | 'domain';

const NAMES: Readonly<Record<string, Kind>> = {
  ip: 'source', client_ip: 'source', clientip: 'source', remote_addr: 'source', remote_ip: 'source', remoteaddr: 'source', remoteaddress: 'source',
  src_ip: 'source', srcip: 'source', source_ip: 'source', sourceip: 'source', 'client.ip': 'source', 'client.address': 'source', 'source.address': 'source', 'request.ip': 'source', 'req.ip': 'source', addr: 'source',
  src_port: 'port', srcport: 'port', remote_port: 'port', client_port: 'port', 'client.port': 'port',
  dst_ip: 'dest', dest_ip: 'dest', dstip: 'dest', server_addr: 'dest', 'server.ip': 'dest',
  dst_port: 'dport', dest_port: 'dport', dstport: 'dport', server_port: 'dport', 'server.port': 'dport',
  user: 'user', username: 'user', user_name: 'user', login: 'user', account: 'user', remote_user: 'user', 'user.username': 'user', 'user.login': 'user', usr: 'user',
  status: 'status', status_code: 'status', statuscode: 'status', http_status: 'status', 'response.status': 'status', 'res.statuscode': 'status', 'res.status': 'status', 'http.status_code': 'status', 'response.status_code': 'status',
  method: 'method', request_method: 'method', http_method: 'method', 'req.method': 'method', 'request.method': 'method', 'http.method': 'method',
  url: 'url', uri: 'path', request_uri: 'url', 'req.url': 'url', 'request.url': 'url', 'http.url': 'url', path: 'path', request_path: 'path', 'request.path': 'path', 'req.path': 'path',
  args: 'query', query_string: 'query', querystring: 'query', query: 'query',
  request: 'request',
  user_agent: 'ua', useragent: 'ua', http_user_agent: 'ua', ua: 'ua', agent: 'ua', 'req.headers.user-agent': 'ua', 'request.headers.user-agent': 'ua', 'http.user_agent': 'ua',
  referer: 'referrer', referrer: 'referrer', http_referer: 'referrer', 'req.headers.referer': 'referrer', 'request.headers.referer': 'referrer',
  bytes: 'bytes', body_bytes_sent: 'bytes', bytes_sent: 'bytes', response_size: 'bytes', size: 'bytes', 'res.size': 'bytes', content_length: 'bytes', 'response.bytes': 'bytes',
  msg: 'message', message: 'message',
  level: 'level', severity: 'level', lvl: 'level', loglevel: 'level', log_level: 'level', levelname: 'level',
  time: 'time', timestamp: 'time', ts: 'time', '@timestamp': 'time', time_local: 'time', time_iso8601: 'time', datetime: 'time', date: 'time', msec: 'time', eventtime: 'time',
  host: 'domain', hostname: 'host', server_name: 'domain', 'host.name': 'host',
  action: 'action', event: 'action', event_type: 'action', eventtype: 'action',
  outcome: 'outcome', result: 'outcome', success: 'outcome',
};

/**
 * Fields only the enricher sets (enrich/): a line that carries them itself (a JSON log of an
 * attacker's request body) must not pass for already decided, matched or placed.
 */
export const ENRICHED_FIELDS: ReadonlySet<string> = new Set(['mamori.decided', 'mamori.ioc', 'mamori.ioc.kind', 'mamori.ioc.source', 'source.geo.country_iso_code']);

const ECS = new Set(Object.keys(FIELDS).filter((k) => !ENRICHED_FIELDS.has(k)));
/** ECS fields a log may carry itself that are numbers. */
const ECS_INTS = new Set(['source.port', 'destination.port', 'http.response.status_code', 'http.response.body.bytes', 'process.pid']);

/** pino's numeric levels. */
const PINO_LEVELS: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function outcomeOf(v: FieldValue): 'success' | 'failure' | 'unknown' | undefined {
  if (typeof v === 'boolean') return v ? 'success' : 'failure';
  if (typeof v !== 'string') return undefined;
  const s = v.toLowerCase();
  if (s === 'success' || s === 'succeeded' || s === 'ok' || s === 'allowed' || s === 'accepted' || s === 'true') return 'success';
  if (s === 'failure' || s === 'failed' || s === 'fail' || s === 'denied' || s === 'rejected' || s === 'error' || s === 'false') return 'failure';
  return undefined;
}

/**
 * Maps conventional keys to ECS fields in `f`; returns the event time when a time key
 * held one. `entries` are flattened (dotted) keys with scalar values.
 */
export function mapConventional(entries: Iterable<readonly [string, FieldValue | null]>, f: Fields, zone: TimeZoneMode): number | undefined {
  let time: number | undefined;
  for (const [rawKey, v] of entries) {
    if (v === null) continue;
    if (ECS.has(rawKey) && rawKey !== 'message') {
      if (rawKey === 'event.dataset') continue;
      if (rawKey === 'source.ip') setSource(f, String(v));
      else if (rawKey === 'destination.ip') setIp(f, rawKey, String(v));
      else if (ECS_INTS.has(rawKey)) setInt(f, rawKey, typeof v === 'number' ? String(Math.trunc(v)) : String(v));
      else if (typeof v === 'string') setStr(f, rawKey, v);
      else f[rawKey] = v;
      continue;
    }
    const kind = NAMES[rawKey.toLowerCase()];
    if (kind === undefined) continue;
    const s = typeof v === 'string' ? v : String(v);
    switch (kind) {
      case 'source':
        if (f['source.ip'] === undefined) setSource(f, s);
        break;
      case 'port':
        setInt(f, 'source.port', s);
        break;
      case 'dest':
        setIp(f, 'destination.ip', s);
        break;
      case 'dport':
        setInt(f, 'destination.port', s);
        break;
      case 'user':
        if (typeof v === 'string') setStr(f, 'user.name', v);
        break;
      case 'status':
        setInt(f, 'http.response.status_code', s);
        break;
      case 'method':
        if (/^[A-Za-z]{1,16}$/.test(s)) f['http.request.method'] = s.toUpperCase();
        break;
      case 'url':
        setUrl(f, s);
        break;
      case 'path':
        if (f['url.path'] === undefined) setUrl(f, s);
        break;
      case 'query':
        setStr(f, 'url.query', s);
        setDecodedQuery(f, bound(s));
        break;
      case 'request':
        if (typeof v === 'string') setRequestLine(f, v);
        break;
      case 'ua':
        setStr(f, 'user_agent.original', s);
        break;
      case 'referrer':
        setStr(f, 'http.request.referrer', s);
        break;
      case 'bytes':
        setInt(f, 'http.response.body.bytes', s);
        break;
      case 'message':
        setStr(f, 'message', s);
        break;
      case 'level':
        f['log.level'] = typeof v === 'number' ? PINO_LEVELS[v] ?? String(v) : bound(s.toLowerCase());
        break;
      case 'time':
        if (time === undefined) time = parseAnyTime(v, zone);
        break;
      case 'host':
        setStr(f, 'host.hostname', s);
        break;
      case 'domain':
        setStr(f, 'url.domain', s);
        break;
      case 'action':
        if (/^[A-Za-z0-9_. -]{1,64}$/.test(s)) f['event.action'] = s.toLowerCase().replace(/[_. ]+/g, '-');
        break;
      case 'outcome': {
        const o = outcomeOf(v);
        if (o !== undefined) f['event.outcome'] = o;
        break;
      }
    }
  }
  return time;
}
