/** Events for the Sigma tests: a dataset, ECS fields and the line they came from. */
import type { FieldValue, LogEvent } from '../model.js';

export function ev(dataset: string, fields: Record<string, FieldValue>, text = '', time = 1_700_000_000_000): LogEvent {
  return { time, fields: { 'event.dataset': dataset, ...fields }, line: { text, input: 'test', receivedAt: time } };
}

/** An nginx access event with its combined-format line. */
export function web(path: string, opts: { query?: string; method?: string; status?: number; ua?: string; ip?: string; time?: number; extra?: Record<string, FieldValue> } = {}): LogEvent {
  const method = opts.method ?? 'GET';
  const status = opts.status ?? 200;
  const ua = opts.ua ?? 'Mozilla/5.0';
  const ip = opts.ip ?? '203.0.113.9';
  const target = opts.query !== undefined ? `${path}?${opts.query}` : path;
  const fields: Record<string, FieldValue> = {
    'source.ip': ip,
    'http.request.method': method,
    'url.original': target,
    'url.path': path,
    'http.response.status_code': status,
    'user_agent.original': ua,
    ...(opts.query !== undefined ? { 'url.query': opts.query } : {}),
    ...opts.extra,
  };
  const line = `${ip} - - [14/Nov/2023:22:13:20 +0000] "${method} ${target} HTTP/1.1" ${status} 512 "-" "${ua}"`;
  return ev('nginx.access', fields, line, opts.time);
}

/** An sshd syslog event. */
export function sshd(message: string, opts: { ip?: string; user?: string; time?: number } = {}): LogEvent {
  const fields: Record<string, FieldValue> = { message, 'process.name': 'sshd', ...(opts.ip ? { 'source.ip': opts.ip } : {}), ...(opts.user ? { 'user.name': opts.user } : {}) };
  return ev('sshd', fields, `Nov 14 22:13:20 host sshd[811]: ${message}`, opts.time);
}
