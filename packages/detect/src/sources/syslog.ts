/**
 * Syslog over UDP (a datagram is a message), TCP (RFC 6587: octet counting
 * `LEN SP MSG`, or messages ended by LF, told apart by each message's first byte) and
 * TLS (RFC 5425: the same framing inside TLS 1.2 or later; with `tls.ca`, only senders
 * whose client certificate that CA signed are let in), listening on 127.0.0.1 unless
 * told otherwise. Messages pass the serial queue
 * (outbox.ts): a UDP sender cannot be slowed, so lines over the queue or the rate are
 * dropped and counted; TCP connections are paused while the queue is full.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { MamoriError, systemClock, type Clock } from 'mamori';
import { cidrContains, parseCidr, tryParseIp, type Cidr } from 'mamori/internal';
import { normalizeIp } from '../parsers/fields.js';
import type { RawLine } from '../model.js';
import { cutUtf8, decodeLine } from './lines.js';
import { Outbox } from './outbox.js';
import { parseSyslog } from './syslog-parse.js';
import { batchBound, bucketFor, lineBound, newCounters, type BatchConsumer, type LogSource, type SourceCounters, type SourceLimits } from './source.js';

/** Syslog over TLS (RFC 5425): files in PEM. */
export interface SyslogTlsOptions {
  /** The server's certificate chain. */
  cert: string;
  /** Its private key. */
  key: string;
  /**
   * CA certificates that sign the senders' client certificates: when given, a sender must
   * present one (mutual TLS), which is what lets a syslog listener tell who sends.
   */
  ca?: string;
}

export interface SyslogSourceOptions extends SourceLimits {
  transport: 'udp' | 'tcp' | 'tls';
  /** With transport `tls`: the certificate, key and (for client certificates) CA files. */
  tls?: SyslogTlsOptions;
  /** Default 127.0.0.1: listening on other interfaces is a choice to make explicitly. */
  host?: string;
  /** Default 5514 (514 needs privileges); 0 picks a free port (tests). */
  port?: number;
  /** Lines waiting for the consumer at most (default 10,000). */
  maxQueued?: number;
  /** TCP: connections at once (default 64); more are refused. */
  maxConnections?: number;
  /** TCP: a connection silent this long is closed, ms (default 300,000). */
  idleTimeoutMs?: number;
  /**
   * Addresses and CIDR ranges allowed to send (default: anyone who reaches the port).
   * Syslog has no authentication: on an interface others reach, anyone may send
   * `sshd[1]: Failed password for root from VICTIM` and have the victim blocked. Datagrams
   * from elsewhere are skipped and counted; TCP connections from elsewhere are closed.
   */
  senders?: readonly string[];
}

/** The senders as ranges; a bare address is its own /32 or /128. */
function senderRanges(senders: readonly string[] | undefined): Cidr[] | undefined {
  if (senders === undefined) return undefined;
  return senders.map((t) => {
    try {
      if (typeof t !== 'string') throw new Error('not a string');
      return parseCidr(t.includes('/') ? t : `${t}/${t.includes(':') ? 128 : 32}`);
    } catch {
      throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `syslog senders: ${JSON.stringify(String(t).slice(0, 60))} is not an address or a CIDR range`);
    }
  });
}

const DIGIT = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;

export class SyslogSource implements LogSource {
  readonly input: string;
  readonly counters: SourceCounters = newCounters();
  readonly done: Promise<void>;
  readonly #opts: SyslogSourceOptions;
  readonly #clock: Clock;
  readonly #maxLine: number;
  readonly #senders: Cidr[] | undefined;
  #outbox: Outbox | undefined;
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;
  /** TLS: the key material, read when the source is made (a bad file fails there, with its path). */
  readonly #tls: { cert: Buffer; key: Buffer; ca?: Buffer } | undefined;
  readonly #sockets = new Set<Socket>();
  /** TCP connections paused while the queue is full, each with what resumes it. */
  readonly #paused = new Set<() => void>();
  #address: { host: string; port: number } | undefined;
  #resolveDone!: () => void;

  constructor(opts: SyslogSourceOptions) {
    if (opts.transport !== 'udp' && opts.transport !== 'tcp' && opts.transport !== 'tls') throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'a syslog source listens on udp, tcp or tls');
    if (opts.transport === 'tls' && opts.tls === undefined) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'syslog over tls needs tls.cert and tls.key');
    this.#tls = opts.transport === 'tls' ? readTls(opts.tls!) : undefined;
    const port = opts.port ?? 5514;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `syslog port ${String(port)} is out of range`);
    this.#opts = opts;
    this.input = `syslog-${opts.transport}`;
    this.#clock = opts.clock ?? systemClock;
    this.#maxLine = lineBound(opts);
    this.#senders = senderRanges(opts.senders);
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  /** May this peer send? (An IPv4-mapped IPv6 peer is its IPv4 address.) */
  #allowed(peer: string | undefined): boolean {
    if (!this.#senders) return true;
    const text = peer === undefined ? undefined : normalizeIp(peer);
    const ip = text === undefined ? undefined : tryParseIp(text);
    return ip !== undefined && this.#senders.some((r) => cidrContains(r, ip));
  }

  /** Where it listens, once started. */
  address(): { host: string; port: number } {
    if (!this.#address) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `${this.input} is not listening`);
    return this.#address;
  }

  async start(consumer: BatchConsumer): Promise<void> {
    if (this.#outbox) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `${this.input} was started twice`);
    this.#outbox = new Outbox(consumer, this.counters, {
      maxBatch: batchBound(this.#opts),
      maxQueued: Math.max(1, this.#opts.maxQueued ?? 10_000),
      bucket: bucketFor(this.#opts, this.#clock),
    });
    const host = this.#opts.host ?? '127.0.0.1';
    const port = this.#opts.port ?? 5514;
    try {
      if (this.#opts.transport === 'udp') await this.#listenUdp(host, port);
      else await this.#listenTcp(host, port);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `${this.input} could not listen on ${host}:${port}: ${(err as Error).message}`, { cause: err });
    }
  }

  async stop(): Promise<void> {
    if (this.#udp) {
      const u = this.#udp;
      this.#udp = undefined;
      await new Promise<void>((r) => u.close(() => r()));
    }
    if (this.#tcp) {
      const t = this.#tcp;
      this.#tcp = undefined;
      for (const s of this.#sockets) s.destroy();
      await new Promise<void>((r) => t.close(() => r()));
    }
    await this.#outbox?.close();
    this.#resolveDone();
  }

  #listenUdp(host: string, port: number): Promise<void> {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.#udp = sock;
    sock.on('message', (msg, rinfo) => {
      this.counters.bytes += msg.length;
      if (!this.#allowed(rinfo.address)) {
        this.counters.skipped++;
        return;
      }
      // A datagram is one message; a trailing LF or NUL some senders add is not part of it.
      let end = msg.length;
      while (end > 0 && (msg[end - 1] === 10 || msg[end - 1] === 13 || msg[end - 1] === 0)) end--;
      this.#message(msg.subarray(0, end), end, rinfo.address);
    });
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, host, () => {
        sock.off('error', reject);
        sock.on('error', () => this.counters.errors++);
        const a = sock.address();
        this.#address = { host: a.address, port: a.port };
        resolve();
      });
    });
  }

  #listenTcp(host: string, port: number): Promise<void> {
    const t = this.#tls;
    const server = t
      ? createTlsServer(
          {
            cert: t.cert,
            key: t.key,
            minVersion: 'TLSv1.2',
            handshakeTimeout: 10_000,
            ...(t.ca ? { ca: t.ca, requestCert: true, rejectUnauthorized: true } : {}),
          },
          (sock: TLSSocket) => this.#connection(sock),
        )
      : createServer((sock) => this.#connection(sock));
    // A handshake that fails (no or a wrong client certificate, plain TCP on the TLS port).
    if (t) server.on('tlsClientError', () => this.counters.errors++);
    server.maxConnections = this.#opts.maxConnections ?? 64;
    this.#tcp = server;
    this.#outbox!.onDrain(() => {
      // A copy: a connection that fills the queue again pauses again, for the next drain.
      const waiting = [...this.#paused];
      this.#paused.clear();
      for (const resume of waiting) resume();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', () => this.counters.errors++);
        const a = server.address();
        if (a && typeof a === 'object') this.#address = { host: a.address, port: a.port };
        resolve();
      });
    });
  }

  #connection(sock: Socket): void {
    if (!this.#allowed(sock.remoteAddress)) {
      this.counters.skipped++;
      sock.destroy();
      return;
    }
    this.#sockets.add(sock);
    sock.setTimeout(this.#opts.idleTimeoutMs ?? 300_000, () => sock.destroy());
    sock.on('close', () => this.#sockets.delete(sock));
    sock.on('error', () => {});
    const peer = sock.remoteAddress ?? '';
    const outbox = this.#outbox!;
    const framer = new TcpFramer(this.#maxLine, (frame, full) => {
      this.#message(frame, full, peer);
      // Stop framing while the queue is full: the rest waits in the framer, the socket is paused.
      return !outbox.full;
    });
    let ended = false;
    // What the framer holds is framed on even after the sender closed the connection.
    const resume = (): void => {
      if (feed(Buffer.alloc(0)) !== 'paused' && !sock.destroyed) sock.resume();
    };
    const feed = (chunk: Buffer): 'ok' | 'bad' | 'paused' => {
      const r = framer.push(chunk);
      if (r === 'bad') {
        // Octet counting gone wrong (a length that is not one): no way to find the next message.
        this.counters.skipped++;
        sock.destroy();
      } else if (r === 'paused') {
        sock.pause();
        this.#paused.add(resume);
      } else if (ended) {
        framer.end();
        if (!sock.destroyed) sock.end();
      }
      return r;
    };
    sock.on('data', (chunk: Buffer) => {
      this.counters.bytes += chunk.length;
      feed(chunk);
    });
    sock.on('end', () => {
      ended = true;
      feed(Buffer.alloc(0));
    });
  }

  /** One message's bytes (cut to the bound already, or not); `full` is its length before any cut. */
  #message(bytes: Buffer, full: number, peer: string): void {
    const cut = full > this.#maxLine;
    const d = decodeLine(cut ? cutUtf8(bytes, this.#maxLine) : bytes);
    if (d === null || d.text === '') {
      this.counters.skipped++;
      return;
    }
    const receivedAt = this.#clock.now();
    const p = parseSyslog(d.text, receivedAt);
    if (d.malformed || p.malformed) this.counters.malformed++;
    const line: RawLine = {
      text: p.message,
      input: this.input,
      receivedAt,
      meta: peer ? { ...p.meta, peer } : p.meta,
      ...(cut ? { truncated: true } : {}),
    };
    this.#outbox!.offer(line);
  }
}

/** Reads the TLS files, each failure naming its file. */
function readTls(o: SyslogTlsOptions): { cert: Buffer; key: Buffer; ca?: Buffer } {
  const read = (what: string, path: unknown): Buffer => {
    if (typeof path !== 'string' || path === '') throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `syslog tls.${what}: give the path of a PEM file`);
    let b: Buffer;
    try {
      b = readFileSync(path);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `syslog tls.${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    if (!b.includes('-----BEGIN ')) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `syslog tls.${what}: ${path} holds no PEM block`);
    return b;
  };
  return { cert: read('cert', o.cert), key: read('key', o.key), ...(o.ca !== undefined ? { ca: read('ca', o.ca) } : {}) };
}

/**
 * Splits a TCP stream into syslog messages. A message starting with a digit is octet
 * counted (`LEN SP MSG`); otherwise it ends at LF. Holds at most the line bound (plus a
 * length prefix) of any message: the rest of a longer one is skipped as it streams by.
 */
export class TcpFramer {
  readonly #max: number;
  readonly #emit: (frame: Buffer, full: number) => boolean;
  #pending: Buffer = Buffer.alloc(0);
  /** Octet counting: bytes of the current message still to come, and what is kept of it. */
  #remaining = 0;
  #kept: Buffer[] = [];
  #keptLen = 0;
  #frameLen = 0;
  /** LF framing: the current message passed the bound; skip to its LF. */
  #skipping = false;
  #skipKept: Buffer | undefined;
  #skipFull = 0;

  /** `emit` returns false to stop framing for now: `push` answers `paused` and keeps the rest. */
  constructor(maxBytes: number, emit: (frame: Buffer, full: number) => boolean) {
    this.#max = maxBytes;
    this.#emit = emit;
  }

  /**
   * Frames what it can; `bad` when the stream cannot be framed any more (a length that is
   * not one), `paused` when `emit` asked to stop (call again with an empty chunk to go on).
   */
  push(chunk: Buffer): 'ok' | 'bad' | 'paused' {
    let b = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    let go = true;
    while (b.length > 0) {
      if (!go) {
        this.#pending = Buffer.from(b);
        return 'paused';
      }
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, b.length);
        const room = this.#max + 1 - this.#keptLen;
        if (room > 0) {
          const k = b.subarray(0, Math.min(take, room));
          this.#kept.push(Buffer.from(k));
          this.#keptLen += k.length;
        }
        this.#remaining -= take;
        b = b.subarray(take);
        if (this.#remaining === 0) {
          const frame = Buffer.concat(this.#kept);
          this.#kept = [];
          this.#keptLen = 0;
          go = this.#emit(trimEnd(frame), this.#frameLen);
        }
        continue;
      }
      if (this.#skipping) {
        const nl = b.indexOf(10);
        this.#skipFull += nl === -1 ? b.length : nl;
        if (nl === -1) return 'ok';
        this.#skipping = false;
        go = this.#emit(this.#skipKept!, this.#skipFull);
        this.#skipKept = undefined;
        b = b.subarray(nl + 1);
        continue;
      }
      // Between messages: LFs (and NULs) separating octet-counted frames are not messages.
      if (b[0] === 10 || b[0] === 13 || b[0] === 0) {
        b = b.subarray(1);
        continue;
      }
      if (DIGIT(b[0])) {
        const sp = b.indexOf(32);
        const head = sp === -1 ? b.subarray(0, 8) : b.subarray(0, sp);
        if (sp === -1 && b.length < 8 && head.every((c) => DIGIT(c))) break; // the length is still coming
        if (sp === -1 || sp > 7 || !head.every((c) => DIGIT(c))) return 'bad';
        const len = Number(head.toString('latin1'));
        if (len === 0) {
          b = b.subarray(sp + 1);
          continue;
        }
        this.#remaining = len;
        this.#frameLen = len;
        b = b.subarray(sp + 1);
        continue;
      }
      const nl = b.indexOf(10);
      if (nl === -1) {
        if (b.length > this.#max) {
          this.#skipping = true;
          this.#skipKept = Buffer.from(b.subarray(0, this.#max + 1));
          this.#skipFull = b.length;
          return 'ok';
        }
        break;
      }
      go = this.#emit(b.subarray(0, nl), nl);
      b = b.subarray(nl + 1);
    }
    this.#pending = b.length ? Buffer.from(b) : Buffer.alloc(0);
    return go ? 'ok' : 'paused';
  }

  /** The connection ended: a message without its LF is still a message. */
  end(): void {
    if (this.#skipping) this.#emit(this.#skipKept!, this.#skipFull);
    else if (this.#pending.length && !DIGIT(this.#pending[0])) this.#emit(this.#pending, this.#pending.length);
    this.#pending = Buffer.alloc(0);
    this.#skipping = false;
  }
}

function trimEnd(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 10 || b[end - 1] === 13)) end--;
  return b.subarray(0, end);
}
