/**
 * The `watch:` section of mamori.yaml: what `mamori watch` reads and runs. Checked here
 * (mamori's own config loader passes the section through as written); every problem
 * names its key path, `watch.inputs[2].syslog.port`.
 *
 *   watch:
 *     inputs:
 *       - file: /var/log/nginx/access.log      # followed across rotation, offsets checkpointed
 *         format: nginx.access                 # a parser's name, or auto (default)
 *       - file: /var/log/auth.log              # sshd from a file: warned about (no sender); prefer the journal
 *       - syslog: { transport: udp, port: 5514 }  # 127.0.0.1 unless host says otherwise
 *         format: [fortigate, vpn]             # a list: only these formats are read from it (others skipped)
 *       - journal: { filters: [_SYSTEMD_UNIT=ssh.service, _SYSTEMD_UNIT=sshd.service] }   # sshd (Debian's, Red Hat's unit): only uid 0's lines are sshd's
 *       - http: { port: 5515, token_env: MAMORI_LOG_TOKEN }
 *       - stdin: true
 *       - mamori: true                       # mamori's own events (the proxy's), from its SQLite store
 *     scenarios: [/etc/mamori/scenarios]       # added to the built-in set
 *     builtin: true
 *     sigma: [/etc/mamori/sigma]
 *     simulate: false                          # alerts only, no decisions
 *     allow: [192.0.2.0/24]                    # never alert on these
 *     max_line_bytes: 16384
 *     lines_per_second: 0                      # per input; 0: no bound
 */
import { bad, bool, int, obj, str } from '../config-check.js';
import { PARSER_NAMES } from '../parsers/registry.js';

export type WatchInput =
  | { readonly kind: 'file'; readonly path: string; readonly format: InputFormat; readonly startAt: 'start' | 'end' }
  | { readonly kind: 'syslog'; readonly transport: 'udp' | 'tcp' | 'tls'; readonly host: string; readonly port: number; readonly format: InputFormat; readonly senders?: readonly string[]; readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string } }
  | { readonly kind: 'journal'; readonly filters: readonly string[]; readonly journalctl?: string; readonly format: InputFormat }
  | { readonly kind: 'http'; readonly host: string; readonly port: number; readonly path: string; readonly tokenEnv: string; readonly format: InputFormat }
  | { readonly kind: 'stdin'; readonly format: InputFormat }
  | { readonly kind: 'mamori'; readonly startAt: 'start' | 'end' };

/**
 * What an input's lines are read as: `auto` (every format, recognised line by line), one
 * parser's name, or a list of names (recognised line by line among these only: a line of any
 * other format is skipped, so an input meant for a VPN appliance cannot be used to forge sshd's lines).
 */
export type InputFormat = string | readonly string[];

export interface WatchConfig {
  readonly inputs: readonly WatchInput[];
  readonly scenarios: readonly string[];
  readonly builtin: boolean;
  readonly sigma: readonly string[];
  readonly simulate: boolean;
  readonly allow: readonly string[];
  readonly maxLineBytes: number;
  readonly linesPerSecond: number;
}

function list(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v) || v.length > max) bad(path, `must be a list (${max} at most)`);
  return v;
}

function format(v: unknown, path: string): InputFormat {
  if (v === undefined) return 'auto';
  const known = (f: string, at: string): string => {
    if (!(PARSER_NAMES as readonly string[]).includes(f)) bad(at, `"${f}" is not a log format mamori reads (${PARSER_NAMES.join(', ')})`);
    return f;
  };
  if (Array.isArray(v)) {
    if (v.length === 0) bad(path, 'names at least one format (or leave it out: auto)');
    const names = list(v, path, PARSER_NAMES.length).map((x, i) => known(str(x, `${path}[${i}]`, 64), `${path}[${i}]`));
    if (new Set(names).size !== names.length) bad(path, 'names a format twice');
    return names.length === 1 ? names[0]! : Object.freeze(names);
  }
  const f = str(v, path, 64);
  if (f !== 'auto' && !(PARSER_NAMES as readonly string[]).includes(f)) bad(path, `"${f}" is not a log format mamori reads (auto, ${PARSER_NAMES.join(', ')}, or a list of them)`);
  return f;
}

function host(v: unknown, path: string): string {
  if (v === undefined) return '127.0.0.1';
  return str(v, path, 255);
}

function input(v: unknown, path: string): WatchInput {
  const r = obj(v, path, ['file', 'syslog', 'journal', 'http', 'stdin', 'mamori', 'format', 'start_at']);
  const kinds = ['file', 'syslog', 'journal', 'http', 'stdin', 'mamori'].filter((k) => r[k] !== undefined);
  if (kinds.length !== 1) bad(path, 'give one of file, syslog, journal, http, stdin or mamori');
  const fmt = format(r.format, `${path}.format`);
  if (r.start_at !== undefined && kinds[0] !== 'file' && kinds[0] !== 'mamori') bad(`${path}.start_at`, 'is for file and mamori inputs');
  if (kinds[0] === 'mamori') {
    if (r.mamori !== true) bad(`${path}.mamori`, 'is true when given');
    if (r.format !== undefined) bad(`${path}.format`, "mamori's own events are read as such");
    const startAt = r.start_at === undefined ? 'end' : r.start_at;
    if (startAt !== 'start' && startAt !== 'end') bad(`${path}.start_at`, 'is start or end');
    return { kind: 'mamori', startAt };
  }
  switch (kinds[0]) {
    case 'file': {
      const p = str(r.file, `${path}.file`, 4096);
      if (!p.startsWith('/')) bad(`${path}.file`, 'must be an absolute path');
      const startAt = r.start_at === undefined ? 'end' : r.start_at;
      if (startAt !== 'start' && startAt !== 'end') bad(`${path}.start_at`, 'is start or end');
      return { kind: 'file', path: p, format: fmt, startAt };
    }
    case 'syslog': {
      const s = obj(r.syslog, `${path}.syslog`, ['transport', 'host', 'port', 'senders', 'tls']);
      const transport = s.transport ?? 'udp';
      if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') bad(`${path}.syslog.transport`, 'is udp, tcp or tls');
      let tls: { cert: string; key: string; ca?: string } | undefined;
      if (transport === 'tls') {
        const t = obj(s.tls, `${path}.syslog.tls`, ['cert', 'key', 'ca']);
        const file = (k: string): string => {
          const f = str(t[k], `${path}.syslog.tls.${k}`, 4096);
          if (!f.startsWith('/')) bad(`${path}.syslog.tls.${k}`, 'must be an absolute path');
          return f;
        };
        tls = { cert: file('cert'), key: file('key'), ...(t.ca !== undefined ? { ca: file('ca') } : {}) };
      } else if (s.tls !== undefined) bad(`${path}.syslog.tls`, 'is for transport tls');
      // Who may send (addresses, CIDR ranges): syslog has no authentication of its own.
      const senders = s.senders === undefined ? undefined : list(s.senders, `${path}.syslog.senders`, 256).map((x, i) => str(x, `${path}.syslog.senders[${i}]`, 64));
      const port = s.port === undefined ? (transport === 'tls' ? 6514 : 5514) : int(s.port, `${path}.syslog.port`, 1, 65535);
      return { kind: 'syslog', transport, host: host(s.host, `${path}.syslog.host`), port, format: fmt, ...(senders ? { senders } : {}), ...(tls ? { tls } : {}) };
    }
    case 'journal': {
      const j = r.journal === true ? {} : obj(r.journal, `${path}.journal`, ['filters', 'journalctl']);
      const filters = j.filters === undefined ? [] : list(j.filters, `${path}.journal.filters`, 32).map((f, i) => str(f, `${path}.journal.filters[${i}]`, 256));
      return { kind: 'journal', filters, ...(j.journalctl !== undefined ? { journalctl: str(j.journalctl, `${path}.journal.journalctl`) } : {}), format: fmt };
    }
    case 'http': {
      const h = obj(r.http, `${path}.http`, ['host', 'port', 'path', 'token_env']);
      const tokenEnv = str(h.token_env, `${path}.http.token_env`, 128);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) bad(`${path}.http.token_env`, 'must name an environment variable');
      const p = h.path === undefined ? '/events' : str(h.path, `${path}.http.path`, 256);
      if (!p.startsWith('/')) bad(`${path}.http.path`, 'must start with /');
      return { kind: 'http', host: host(h.host, `${path}.http.host`), port: h.port === undefined ? 5515 : int(h.port, `${path}.http.port`, 1, 65535), path: p, tokenEnv, format: fmt };
    }
    default:
      if (r.stdin !== true) bad(`${path}.stdin`, 'is true when given');
      return { kind: 'stdin', format: fmt };
  }
}

/** The `watch:` section, checked; defaults where it is silent. */
export function validateWatchConfig(raw: unknown, path = 'watch'): WatchConfig {
  const r = raw === undefined || raw === null ? {} : obj(raw, path, ['inputs', 'scenarios', 'builtin', 'sigma', 'simulate', 'allow', 'max_line_bytes', 'lines_per_second']);
  const inputs = r.inputs === undefined ? [] : list(r.inputs, `${path}.inputs`, 256).map((v, i) => input(v, `${path}.inputs[${i}]`));
  const files = new Set<string>();
  inputs.forEach((x, i) => {
    if (x.kind !== 'file') return;
    if (files.has(x.path)) bad(`${path}.inputs[${i}].file`, `${x.path} is given twice`);
    files.add(x.path);
  });
  if (inputs.filter((x) => x.kind === 'stdin').length > 1) bad(`${path}.inputs`, 'stdin can be read once');
  if (inputs.filter((x) => x.kind === 'mamori').length > 1) bad(`${path}.inputs`, "mamori's events are read once");
  const paths = (key: string): string[] => (r[key] === undefined ? [] : list(r[key], `${path}.${key}`, 100).map((v, i) => str(v, `${path}.${key}[${i}]`)));
  return {
    inputs,
    scenarios: paths('scenarios'),
    builtin: r.builtin === undefined ? true : bool(r.builtin, `${path}.builtin`),
    sigma: paths('sigma'),
    simulate: r.simulate === undefined ? false : bool(r.simulate, `${path}.simulate`),
    allow: r.allow === undefined ? [] : list(r.allow, `${path}.allow`, 10_000).map((v, i) => str(v, `${path}.allow[${i}]`, 64)),
    maxLineBytes: r.max_line_bytes === undefined ? 16 * 1024 : int(r.max_line_bytes, `${path}.max_line_bytes`, 256, 1024 * 1024),
    linesPerSecond: r.lines_per_second === undefined ? 0 : int(r.lines_per_second, `${path}.lines_per_second`, 0, 10_000_000),
  };
}
