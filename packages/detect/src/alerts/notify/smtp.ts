/**
 * A small SMTP client (RFC 5321) on node:net and node:tls, for alert e-mail: EHLO, STARTTLS
 * (RFC 3207) or TLS from the first byte (port 465), AUTH PLAIN or LOGIN (RFC 4954), one
 * plain-text UTF-8 message (base64 body) to a few recipients. Credentials are never sent
 * over a connection that is not encrypted: with `tls: starttls` a server that does not offer
 * STARTTLS is an error, and `tls: none` refuses credentials.
 *
 * What a server sends is bounded: a reply line of 2,048 bytes, a reply of 100 lines; every
 * exchange ends with the caller's AbortSignal (the outbox's timeout).
 *
 * Why not nodemailer: it would do, but it is a whole mail framework (pools, DKIM, OAuth2,
 * attachments, templates: version 10.6.1 unpacks to 1.8 MB in 165 files, 78 of them
 * JavaScript) for one plain-text message; this is under 300 lines we can read whole, with no
 * dependency to keep patched.
 */
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export interface SmtpOptions {
  host: string;
  port: number;
  /** starttls (default): upgrade with STARTTLS, which must be offered; implicit: TLS at once (465); none: no TLS. */
  tls: 'starttls' | 'implicit' | 'none';
  username?: string | undefined;
  password?: string | undefined;
  /** The EHLO name (default this host's name). */
  helo?: string | undefined;
  /** Extra trusted certificates (PEM), e.g. a private CA. */
  ca?: string | Buffer | undefined;
  /** The name the certificate must hold (default `host`). */
  servername?: string | undefined;
}

export interface MailMessage {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
}

/** An address as SMTP and headers take it: no spaces, brackets, quotes or line ends; one @. */
export const ADDRESS = /^[^\s<>()[\],;:"@\\]{1,64}@[A-Za-z0-9.-]{1,253}$/;

const MAX_LINE = 2048;
const MAX_LINES = 100;

interface Reply {
  code: number;
  lines: string[];
}

/** Thrown for a reply the server will give again (5xx): no point retrying. */
export class SmtpRefused extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

class Session {
  #sock: net.Socket;
  #buf = '';
  #lines: string[] = [];
  #replies: Reply[] = [];
  #waiter: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  #error: Error | undefined;
  readonly #onData = (chunk: Buffer): void => this.#feed(chunk);
  readonly #onError = (err: Error): void => this.#fail(err);
  readonly #onClose = (): void => this.#fail(new Error('the SMTP server closed the connection'));

  constructor(sock: net.Socket) {
    this.#sock = sock;
    this.#attach(sock);
  }

  #attach(s: net.Socket): void {
    s.on('data', this.#onData);
    s.on('error', this.#onError);
    s.on('close', this.#onClose);
  }

  #detach(s: net.Socket): void {
    s.off('data', this.#onData);
    s.off('error', this.#onError);
    s.off('close', this.#onClose);
  }

  get encrypted(): boolean {
    return this.#sock instanceof tls.TLSSocket;
  }

  #fail(err: Error): void {
    this.#error ??= err;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(this.#error);
  }

  #feed(chunk: Buffer): void {
    this.#buf += chunk.toString('latin1');
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      const line = this.#buf.slice(0, nl).replace(/\r$/, '');
      this.#buf = this.#buf.slice(nl + 1);
      if (line.length > MAX_LINE) return this.#abort('a reply line longer than 2048 bytes');
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) return this.#abort(`a malformed reply line: ${JSON.stringify(line.slice(0, 80))}`);
      this.#lines.push(m[3]!);
      if (this.#lines.length > MAX_LINES) return this.#abort('a reply of more than 100 lines');
      if (m[2] !== '-') {
        this.#replies.push({ code: Number(m[1]), lines: this.#lines });
        this.#lines = [];
        // Pipelining is not used: more than a few replies waiting means a misbehaving server.
        if (this.#replies.length > 4) return this.#abort('replies nobody asked for');
      }
    }
    if (this.#buf.length > MAX_LINE) return this.#abort('a reply line longer than 2048 bytes');
    this.#deliver();
  }

  #abort(why: string): void {
    this.#sock.destroy();
    this.#fail(new Error(`the SMTP server sent ${why}`));
  }

  #deliver(): void {
    if (this.#waiter && this.#replies.length) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.resolve(this.#replies.shift()!);
    }
  }

  read(): Promise<Reply> {
    if (this.#replies.length) return Promise.resolve(this.#replies.shift()!);
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Sends a command (or data) and reads the reply; `expect` lists the codes that mean go on. */
  async cmd(line: string | undefined, expect: readonly number[], shown = line): Promise<Reply> {
    if (line !== undefined) this.#sock.write(`${line}\r\n`, 'utf8');
    const r = await this.read();
    if (!expect.includes(r.code)) {
      const text = `${r.code} ${r.lines.join(' ').slice(0, 200)}`;
      const what = shown === undefined ? 'the greeting' : (shown.split(' ')[0] ?? shown);
      if (r.code >= 500) throw new SmtpRefused(r.code, `the SMTP server refused ${what}: ${text}`);
      throw new Error(`the SMTP server answered ${what} with ${text}`);
    }
    return r;
  }

  writeRaw(data: string): void {
    this.#sock.write(data, 'utf8');
  }

  async startTls(o: SmtpOptions): Promise<void> {
    const raw = this.#sock;
    this.#detach(raw);
    const secure = tls.connect({ socket: raw, host: o.host, ...tlsNames(o) });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.#sock = secure;
    this.#buf = '';
    this.#attach(secure);
  }

  destroy(): void {
    this.#sock.destroy();
  }

  end(): void {
    this.#sock.end();
  }
}

/** SNI (a name, never an address) and the extra trusted certificates. */
function tlsNames(o: SmtpOptions): tls.ConnectionOptions {
  const name = o.servername ?? (net.isIP(o.host) ? undefined : o.host);
  return { ...(name ? { servername: name } : {}), ...(o.ca ? { ca: [...tls.rootCertificates, o.ca.toString()] } : {}) };
}

function connect(o: SmtpOptions, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock =
      o.tls === 'implicit'
        ? tls.connect({ host: o.host, port: o.port, ...tlsNames(o) })
        : net.connect({ host: o.host, port: o.port });
    const ready = o.tls === 'implicit' ? 'secureConnect' : 'connect';
    // A server that never answers the connection is given up when the signal aborts.
    const onAbort = (): void => {
      sock.destroy();
      reject(new Error(`timed out connecting to ${o.host}:${o.port}`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    sock.once(ready, () => {
      signal.removeEventListener('abort', onAbort);
      sock.removeAllListeners('error');
      resolve(sock);
    });
  });
}

/** Dot-stuffing (RFC 5321 4.5.2) and CRLF line ends. */
export function dotStuff(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => (l.startsWith('.') ? `.${l}` : l))
    .join('\r\n');
}

/** A header value: line ends removed (no header injection), non-ASCII as an RFC 2047 encoded word. */
export function headerValue(s: string): string {
  const flat = s.replace(/[\r\n\t]+/g, ' ').slice(0, 400);
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(flat)) return flat;
  return `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

export function formatMessage(m: MailMessage, now: Date, domain: string): string {
  const body = Buffer.from(m.text.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `From: mamori <${m.from}>`,
    `To: ${m.to.join(', ')}`,
    `Subject: ${headerValue(m.subject)}`,
    `Date: ${now.toUTCString()}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    'Auto-Submitted: auto-generated',
    '',
    body,
  ].join('\r\n');
}

/** Sends one message; rejects with the server's words, or when `signal` aborts. */
export async function sendMail(o: SmtpOptions, m: MailMessage, signal: AbortSignal): Promise<void> {
  for (const a of [m.from, ...m.to]) if (!ADDRESS.test(a)) throw new SmtpRefused(0, `"${a.slice(0, 80)}" is not an e-mail address mamori sends to`);
  if (o.username !== undefined && o.tls === 'none') throw new SmtpRefused(0, 'refusing to send SMTP credentials without TLS (tls: none)');
  signal.throwIfAborted();
  const sock = await connect(o, signal);
  const s = new Session(sock);
  const onAbort = (): void => s.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const helo = (o.helo ?? hostname()).replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';
    await s.cmd(undefined, [220]);
    let ehlo = await s.cmd(`EHLO ${helo}`, [250]);
    if (o.tls === 'starttls') {
      if (!ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) throw new Error(`${o.host} does not offer STARTTLS (set tls: implicit for port 465, or tls: none to send in the clear)`);
      await s.cmd('STARTTLS', [220]);
      await s.startTls(o);
      ehlo = await s.cmd(`EHLO ${helo}`, [250]);
    }
    if (o.username !== undefined) {
      if (!s.encrypted) throw new SmtpRefused(0, 'refusing to send SMTP credentials without TLS');
      const auth = ehlo.lines.find((l) => /^AUTH[ =]/i.test(l))?.slice(5).toUpperCase().split(/\s+/) ?? [];
      const user = o.username;
      const pass = o.password ?? '';
      if (auth.includes('PLAIN')) {
        await s.cmd(`AUTH PLAIN ${Buffer.from(`\u0000${user}\u0000${pass}`, 'utf8').toString('base64')}`, [235], 'AUTH PLAIN');
      } else if (auth.includes('LOGIN')) {
        await s.cmd('AUTH LOGIN', [334]);
        await s.cmd(Buffer.from(user, 'utf8').toString('base64'), [334], 'AUTH LOGIN (user)');
        await s.cmd(Buffer.from(pass, 'utf8').toString('base64'), [235], 'AUTH LOGIN (password)');
      } else {
        throw new SmtpRefused(0, `${o.host} offers neither AUTH PLAIN nor AUTH LOGIN (it offers: ${auth.join(' ').slice(0, 80) || 'none'})`);
      }
    }
    await s.cmd(`MAIL FROM:<${m.from}>`, [250]);
    for (const to of m.to) await s.cmd(`RCPT TO:<${to}>`, [250, 251]);
    await s.cmd('DATA', [354]);
    const domain = m.from.slice(m.from.indexOf('@') + 1);
    s.writeRaw(`${dotStuff(formatMessage(m, new Date(), domain))}\r\n.\r\n`);
    await s.cmd(undefined, [250], 'the message');
    // The mail is accepted: QUIT is sent, its answer not waited for.
    s.writeRaw('QUIT\r\n');
  } finally {
    signal.removeEventListener('abort', onAbort);
    s.end();
    s.destroy();
  }
}
