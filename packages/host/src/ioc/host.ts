/**
 * The host check (`mamori host check`, Linux): what runs and what talks, read
 * from `/proc`, matched against indicators.
 *
 * - processes: `/proc/<pid>/comm`, `cmdline`, `exe` (the binary hashed with
 *   SHA-256 by streaming, once per distinct file, bounded in size), and their
 *   sockets from the `fd` links;
 * - connections and listeners: `/proc/net/{tcp,tcp6,udp,udp6}` (the check's
 *   own network namespace), each socket's inode mapped to its processes;
 * - matched: process names (comm, the exe's and argv[0]'s base names), exe
 *   hashes and paths, domains, URLs and IPs on command lines, and the remote
 *   address of every connection;
 * - listening services whose port is not allowed are "unknown listeners": the
 *   attack surface to minimise. Loopback-only ones are left out unless asked.
 *
 * A process that ends while it is read is skipped quietly; one whose details
 * another user's rights hide is counted (run as root to see all).
 */
import { createHash } from 'node:crypto';
import { createReadStream, opendirSync, readdirSync, readFileSync, readlinkSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename } from 'node:path';
import { MamoriError } from 'mamori/errors';
import type { SecurityEvent } from 'mamori';
import { formatIp, tryParseIp } from 'mamori/internal/net';
import { normalizeDomain } from './indicator.js';
import type { IocHit, IocMatcher } from './matcher.js';

export type SocketProto = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface ProcNetEntry {
  readonly proto: SocketProto;
  readonly localIp: string;
  readonly localPort: number;
  readonly remoteIp: string;
  readonly remotePort: number;
  /** The kernel's state number (TCP: 1 established, 10 listen; UDP: 7 unconnected/bound). */
  readonly state: number;
  readonly uid: number;
  readonly inode: number;
}

const TCP_LISTEN = 0x0a;
const UDP_UNCONNECTED = 0x07;

/** A /proc/net address word: 8 hex digits of a 32-bit word in the kernel's (host) byte order. */
function word(hex: string, littleEndian: boolean): number {
  const n = parseInt(hex, 16);
  if (!littleEndian) return n >>> 0;
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | ((n >>> 24) & 0xff)) >>> 0;
}

/** `0100007F:0035` → 127.0.0.1, 53 (IPv4), or 32 hex digits (IPv6). */
export function decodeProcAddress(field: string, littleEndian = endianness() === 'LE'): { ip: string; port: number } | undefined {
  const colon = field.indexOf(':');
  if (colon < 0) return undefined;
  const hex = field.slice(0, colon);
  const portHex = field.slice(colon + 1);
  if (!/^[0-9A-Fa-f]{1,4}$/.test(portHex)) return undefined;
  const port = parseInt(portHex, 16);
  if (/^[0-9A-Fa-f]{8}$/.test(hex)) {
    const n = word(hex, littleEndian);
    return { ip: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`, port };
  }
  if (/^[0-9A-Fa-f]{32}$/.test(hex)) {
    const groups: string[] = [];
    for (let i = 0; i < 4; i++) {
      const w = word(hex.slice(i * 8, i * 8 + 8), littleEndian);
      groups.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
    }
    const ip = tryParseIp(groups.join(':'));
    if (!ip) return undefined;
    // Formatted by mamori's own: RFC 5952, and an IPv4-mapped address as IPv4.
    return { ip: formatIp(ip), port };
  }
  return undefined;
}

/** The socket lines of one /proc/net/{tcp,tcp6,udp,udp6} file; malformed lines are counted, not thrown. */
export function parseProcNet(text: string, proto: SocketProto, littleEndian = endianness() === 'LE'): { entries: ProcNetEntry[]; malformed: number } {
  const entries: ProcNetEntry[] = [];
  let malformed = 0;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    const local = f[1] !== undefined ? decodeProcAddress(f[1], littleEndian) : undefined;
    const remote = f[2] !== undefined ? decodeProcAddress(f[2], littleEndian) : undefined;
    const state = f[3] !== undefined && /^[0-9A-Fa-f]{2}$/.test(f[3]) ? parseInt(f[3], 16) : NaN;
    const uid = Number(f[7]);
    const inode = Number(f[9]);
    if (!local || !remote || !Number.isFinite(state) || !Number.isInteger(uid) || !Number.isInteger(inode)) {
      malformed++;
      continue;
    }
    entries.push({ proto, localIp: local.ip, localPort: local.port, remoteIp: remote.ip, remotePort: remote.port, state, uid, inode });
  }
  return { entries, malformed };
}

export interface ProcessInfo {
  readonly pid: number;
  readonly comm: string;
  readonly cmdline: string[];
  /** The executable's path (` (deleted)` kept when the file was removed); undefined when hidden. */
  readonly exe: string | undefined;
  readonly socketInodes: number[];
  /** Whether `exe` or `fd` could not be read for lack of rights. */
  readonly denied: boolean;
}

export interface HostListener {
  readonly proto: SocketProto;
  readonly address: string;
  readonly port: number;
  readonly exposure: 'loopback' | 'all' | 'address';
  readonly pids: number[];
  readonly processes: string[];
  readonly allowed: boolean;
}

export type HostFindingKind = 'ioc-process-name' | 'ioc-exe-hash' | 'ioc-exe-path' | 'ioc-cmdline' | 'ioc-connection' | 'unknown-listener';

export interface HostFinding {
  readonly kind: HostFindingKind;
  readonly pid?: number;
  readonly process?: string;
  readonly exe?: string;
  /** What was seen: `198.51.100.7:443 from 10.0.0.5:51234/tcp`, `listening on 0.0.0.0:8081/tcp`. */
  readonly detail: string;
  readonly hits: readonly IocHit[];
}

export interface HostCheckReport {
  readonly processes: number;
  readonly connections: number;
  readonly listeners: HostListener[];
  readonly findings: HostFinding[];
  readonly exeHashed: number;
  /** Executables not hashed: larger than the limit, or unreadable. */
  readonly exeNotHashed: number;
  /** Processes whose executable or sockets could not be read (another user's; run as root). */
  readonly permissionDenied: number;
  /** Processes that ended while being read. */
  readonly vanished: number;
  readonly malformedSocketLines: number;
}

export interface HostCheckOptions {
  readonly matcher: IocMatcher;
  /** Ports whose listeners are expected: `22`, or `tcp/22`, `udp/53`. */
  readonly allow?: readonly string[];
  /** Report listeners bound to loopback only too (default false: they are not reachable from elsewhere). */
  readonly includeLoopback?: boolean;
  /** Hash executables (default true). */
  readonly hashExecutables?: boolean;
  /** Larger executables are not hashed (default 256 MiB). */
  readonly maxExeBytes?: number;
  /** Where /proc is (tests). */
  readonly procRoot?: string;
}

const MAX_CMDLINE = 64 * 1024;
const MAX_ARGS = 256;
const MAX_FDS = 65_536;

const gone = (err: unknown) => {
  const c = (err as NodeJS.ErrnoException).code;
  return c === 'ENOENT' || c === 'ESRCH' || c === 'ENOTDIR';
};
const denied = (err: unknown) => {
  const c = (err as NodeJS.ErrnoException).code;
  return c === 'EACCES' || c === 'EPERM';
};

function readBounded(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(max);
    let off = 0;
    while (off < max) {
      const n = readSync(fd, buf, off, max - off, null);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** Reads one process; undefined when it ended meanwhile. */
export function readProcess(procRoot: string, pid: number): ProcessInfo | undefined {
  const dir = `${procRoot}/${pid}`;
  let comm: string;
  let cmdline: string[];
  try {
    comm = readFileSync(`${dir}/comm`, 'utf8').replace(/\n$/, '');
    const raw = readBounded(`${dir}/cmdline`, MAX_CMDLINE).toString('utf8');
    cmdline = raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1).slice(0, MAX_ARGS);
  } catch (err) {
    if (denied(err)) return { pid, comm: '?', cmdline: [], exe: undefined, socketInodes: [], denied: true };
    if (gone(err)) return undefined;
    throw err;
  }
  let exe: string | undefined;
  let isDenied = false;
  try {
    exe = readlinkSync(`${dir}/exe`);
  } catch (err) {
    if (gone(err) && !existsDir(dir)) return undefined;
    if (denied(err)) isDenied = true;
    // ENOENT with the process still there: a kernel thread, which has no executable.
  }
  const socketInodes: number[] = [];
  try {
    // Read the fd directory entry by entry: a process may hold a million descriptors.
    const d = opendirSync(`${dir}/fd`);
    try {
      for (let n = 0; n < MAX_FDS; n++) {
        const ent = d.readSync();
        if (!ent) break;
        let link: string;
        try {
          link = readlinkSync(`${dir}/fd/${ent.name}`);
        } catch {
          continue; // closed meanwhile
        }
        if (link.startsWith('socket:[')) socketInodes.push(Number(link.slice(8, -1)));
      }
    } finally {
      d.closeSync();
    }
  } catch (err) {
    if (gone(err) && !existsDir(dir)) return undefined;
    if (denied(err)) isDenied = true;
  }
  return { pid, comm, cmdline, exe, socketInodes, denied: isDenied };
}

function existsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * SHA-256 of a process's executable, streamed through /proc/<pid>/exe (which
 * reads even a deleted binary), once per distinct file (device and inode):
 * `cache` holds the answers, null for a file not hashed.
 */
async function hashExe(path: string, maxBytes: number, cache: Map<string, string | null>): Promise<{ sha256: string | null; fresh: boolean }> {
  let st;
  try {
    st = statSync(path);
  } catch {
    return { sha256: null, fresh: true };
  }
  const key = `${st.dev}:${st.ino}`;
  const known = cache.get(key);
  if (known !== undefined) return { sha256: known, fresh: false };
  if (!st.isFile() || st.size > maxBytes) {
    cache.set(key, null);
    return { sha256: null, fresh: true };
  }
  const sha256 = await new Promise<string | null>((done) => {
    const h = createHash('sha256');
    let size = 0;
    const s = createReadStream(path, { highWaterMark: 1024 * 1024 });
    s.on('data', (c) => {
      size += c.length;
      if (size > maxBytes) {
        s.destroy();
        done(null);
        return;
      }
      h.update(c);
    });
    s.on('error', () => done(null));
    s.on('end', () => done(h.digest('hex')));
  });
  cache.set(key, sha256);
  return { sha256, fresh: true };
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s'"<>`]{1,2000}/gi;

/** The domains, IPs and URLs a command line names (bounded: the first 256 arguments, each cut at 4 KiB). */
export function cmdlineCandidates(args: readonly string[]): { urls: string[]; hosts: string[] } {
  const urls = new Set<string>();
  const hosts = new Set<string>();
  for (const a of args.slice(0, MAX_ARGS)) {
    const arg = a.slice(0, 4096);
    for (const m of arg.matchAll(URL_IN_TEXT)) urls.add(m[0]);
    for (const tok of arg.replace(URL_IN_TEXT, ' ').split(/[\s,;=@'"()<>[\]{}|]+/)) {
      if (tok.length < 3 || tok.length > 253) continue;
      // host:port
      const t = /^[^:]+:\d{1,5}$/.test(tok) ? tok.slice(0, tok.lastIndexOf(':')) : tok;
      if (tryParseIp(t)) {
        hosts.add(t);
        continue;
      }
      if (!t.includes('.') || t.startsWith('.') || t.startsWith('-')) continue;
      const d = normalizeDomain(t);
      if (d && /[a-z]/.test(d.slice(d.lastIndexOf('.') + 1))) hosts.add(d);
    }
  }
  return { urls: [...urls], hosts: [...hosts] };
}

function parseAllow(list: readonly string[]): (proto: SocketProto, port: number) => boolean {
  const any = new Set<number>();
  const tcp = new Set<number>();
  const udp = new Set<number>();
  for (const item of list) {
    for (const part of item.split(',')) {
      const p = part.trim().toLowerCase();
      if (p === '') continue;
      const m = /^(?:(tcp|udp)\/)?(\d{1,5})$/.exec(p);
      const port = m ? Number(m[2]) : NaN;
      if (!m || port > 65_535) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--allow takes ports like 22, tcp/443 or udp/53, not ${JSON.stringify(part.slice(0, 40))}`);
      (m[1] === 'tcp' ? tcp : m[1] === 'udp' ? udp : any).add(port);
    }
  }
  return (proto, port) => any.has(port) || (proto.startsWith('tcp') ? tcp : udp).has(port);
}

/** Runs the host check. Throws MAMORI_ERR_HOST_PROC when /proc cannot be read at all. */
export async function checkHost(opts: HostCheckOptions): Promise<HostCheckReport> {
  const proc = opts.procRoot ?? '/proc';
  const allowed = parseAllow(opts.allow ?? []);
  const maxExe = opts.maxExeBytes ?? 256 * 1024 * 1024;
  let pids: number[];
  try {
    pids = readdirSync(proc)
      .filter((n) => /^\d{1,10}$/.test(n))
      .map(Number);
    readFileSync(`${proc}/net/tcp`, 'utf8');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_HOST_PROC', `${proc}: cannot read the process table (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); mamori host check runs on Linux`, { cause: err });
  }
  const m = opts.matcher;
  const findings: HostFinding[] = [];
  const byInode = new Map<number, number[]>();
  const procs = new Map<number, ProcessInfo>();
  let vanished = 0;
  let permissionDenied = 0;
  for (const pid of pids) {
    const p = readProcess(proc, pid);
    if (!p) {
      vanished++;
      continue;
    }
    procs.set(pid, p);
    if (p.denied) permissionDenied++;
    for (const inode of p.socketInodes) {
      const list = byInode.get(inode);
      if (list) list.push(pid);
      else byInode.set(inode, [pid]);
    }
  }

  // Processes: names, executables, command lines.
  const hashes = new Map<string, string | null>();
  let exeHashed = 0;
  let exeNotHashed = 0;
  for (const p of procs.values()) {
    const exePath = p.exe?.replace(/ \(deleted\)$/, '');
    const names = new Set<string>([p.comm]);
    if (exePath) names.add(basename(exePath));
    if (p.cmdline[0]) names.add(basename(p.cmdline[0]));
    const base = { pid: p.pid, process: p.comm, ...(p.exe ? { exe: p.exe } : {}) };
    for (const n of names) {
      if (!n) continue;
      const hits = m.matchName(n);
      if (hits.length) findings.push({ kind: 'ioc-process-name', ...base, detail: `process name ${n}`, hits });
    }
    if (exePath) {
      const hits = m.matchFile({ path: exePath, name: '', sha256: '' });
      if (hits.length) findings.push({ kind: 'ioc-exe-path', ...base, detail: `executable ${exePath}`, hits });
    }
    if (p.exe && opts.hashExecutables !== false) {
      const r = await hashExe(`${proc}/${p.pid}/exe`, maxExe, hashes);
      if (r.fresh) {
        if (r.sha256) exeHashed++;
        else exeNotHashed++;
      }
      if (r.sha256) {
        const hits = m.matchHash(r.sha256);
        if (hits.length) findings.push({ kind: 'ioc-exe-hash', ...base, detail: `executable ${exePath} sha256 ${r.sha256}`, hits });
      }
    }
    const c = cmdlineCandidates(p.cmdline);
    const seen = new Set<string>();
    for (const u of c.urls) {
      for (const h of m.matchUrl(u)) {
        const k = `${h.kind} ${h.indicator} ${h.source}`;
        if (seen.has(k)) continue;
        seen.add(k);
        findings.push({ kind: 'ioc-cmdline', ...base, detail: `command line names ${u.slice(0, 200)}`, hits: [h] });
      }
    }
    for (const host of c.hosts) {
      const hits = (tryParseIp(host) ? m.matchIp(host) : m.matchDomain(host)).filter((h) => !seen.has(`${h.kind} ${h.indicator} ${h.source}`));
      for (const h of hits) seen.add(`${h.kind} ${h.indicator} ${h.source}`);
      if (hits.length) findings.push({ kind: 'ioc-cmdline', ...base, detail: `command line names ${host}`, hits });
    }
  }

  // Sockets: connections and listeners.
  let connections = 0;
  let malformed = 0;
  const listeners: HostListener[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let text: string;
    try {
      text = readFileSync(`${proc}/net/${proto}`, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel, say
    }
    const parsed = parseProcNet(text, proto);
    malformed += parsed.malformed;
    for (const e of parsed.entries) {
      const owners = byInode.get(e.inode) ?? [];
      const names = [...new Set(owners.map((pid) => procs.get(pid)?.comm ?? '?'))];
      const remoteUnset = e.remotePort === 0 && (e.remoteIp === '0.0.0.0' || e.remoteIp === '::');
      const isListener = proto.startsWith('tcp') ? e.state === TCP_LISTEN : remoteUnset && e.state === UDP_UNCONNECTED;
      if (isListener) {
        const ip = tryParseIp(e.localIp);
        const loop = ip ? (ip.version === 4 ? ip.words[3] >>> 24 === 127 : e.localIp === '::1') : false;
        const exposure = e.localIp === '0.0.0.0' || e.localIp === '::' ? 'all' : loop ? 'loopback' : 'address';
        const l: HostListener = { proto, address: e.localIp, port: e.localPort, exposure, pids: owners, processes: names, allowed: allowed(proto, e.localPort) };
        listeners.push(l);
        if (!l.allowed && (exposure !== 'loopback' || opts.includeLoopback)) {
          const who = owners.length ? ` by ${names.join(', ')} (pid ${owners.join(', ')})` : ' (no process this check can see owns it: run as root, or it is in another PID namespace)';
          findings.push({ kind: 'unknown-listener', ...(owners[0] !== undefined ? { pid: owners[0], process: names[0]! } : {}), detail: `listening on ${fmtAddr(e.localIp, e.localPort)}/${proto.slice(0, 3)}${who}`, hits: [] });
        }
        continue;
      }
      if (remoteUnset) continue;
      connections++;
      const hits = m.matchIp(e.remoteIp);
      if (hits.length) {
        findings.push({
          kind: 'ioc-connection',
          ...(owners[0] !== undefined ? { pid: owners[0], process: names[0]! } : {}),
          detail: `${fmtAddr(e.remoteIp, e.remotePort)} from ${fmtAddr(e.localIp, e.localPort)}/${proto.slice(0, 3)}`,
          hits,
        });
      }
    }
  }
  return { processes: procs.size, connections, listeners, findings, exeHashed, exeNotHashed, permissionDenied, vanished, malformedSocketLines: malformed };
}

function fmtAddr(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * The report's findings as SecurityEvents (`ioc-match`, `unknown-listener`),
 * for the store and webhooks: severity 99 for an executable's hash, 73 for
 * other indicators, 50 when only mamori's proxyware set matched (software
 * someone may have installed on purpose), 20 for a listener.
 */
export function hostCheckEvents(report: HostCheckReport, now: number, proxywareSource = 'mamori:proxyware'): SecurityEvent[] {
  const at = new Date(now).toISOString();
  return report.findings.map((f): SecurityEvent => {
    if (f.kind === 'unknown-listener') {
      return { '@timestamp': at, 'event.action': 'unknown-listener', 'event.category': 'network', 'event.outcome': 'unknown', 'event.severity': 20, 'event.module': 'host', 'event.reason': f.detail };
    }
    const onlyProxyware = f.hits.every((h) => h.source === proxywareSource);
    const remote = f.kind === 'ioc-connection' ? /^\[?([^\]]+?)\]?:\d+ from/.exec(f.detail)?.[1] : undefined;
    return {
      '@timestamp': at,
      'event.action': 'ioc-match',
      'event.category': 'intrusion_detection',
      'event.outcome': 'unknown',
      'event.severity': f.kind === 'ioc-exe-hash' ? 99 : onlyProxyware ? 50 : 73,
      'event.module': 'host',
      'event.reason': `${f.process ? `${f.process} (pid ${f.pid}): ` : ''}${f.detail}: ${f.hits.map((h) => `${h.kind} ${h.indicator} from ${h.source}`).join('; ')}`,
      'rule.id': f.kind,
      'rule.name': [...new Set(f.hits.map((h) => h.source))].join(', '),
      ...(remote ? { 'source.ip': remote } : {}),
    };
  });
}
