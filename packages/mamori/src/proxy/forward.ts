/**
 * One plain (non-upgrade) exchange: refuse what is malformed, consult the
 * hooks, forward the request streaming (or the buffered body), pass the
 * upstream's answer back through the response hooks, and report the end.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { sourceKey } from '../core/net.js';
import type { RenderedResponse } from '../guard/verdict.js';
import { LARGE_BODY_BYTES } from './limits.js';
import type { ResolvedAddress } from './client-ip.js';
import { applyChange, makeExchange, reportDone } from './exchange.js';
import { checkRequest, hasRequestBody } from './framing.js';
import { HOP_BY_HOP, type HeaderMap } from './hop-by-hop.js';
import type { ProxyContext, ProxyExchange, UpstreamAnswer } from './http-proxy.js';
import { bodyAllowedFor, isClosing, lingerClose, plainError, rawResponse, sendRendered } from './respond.js';
import { answerHeaders, dispatchServername, upstreamHeaders } from './upstream.js';

export function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
  const { ex, addr } = makeExchange(ctx, req);
  new Exchange(ctx, req, res, ex, addr, expectsContinue).start();
}

/** Requests one client connection may have in flight (pipelined) before it is dropped. */
export const MAX_IN_FLIGHT_PER_CONNECTION = 32;
/** A body being read for inspection must bring, in each window of this length... */
export const BODY_RATE_WINDOW_MS = 5_000;
/** ...at least this many bytes a second (a slow mobile upload does 50 KiB/s). */
export const MIN_BODY_RATE = 8 * 1024;

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** For the 'error' events handled elsewhere: one function for every exchange rather than a closure each. */
function ignore(): void {
  // A client abort or a write after the client left: the response's 'close' has it.
}

function isTimeout(err: Error | undefined): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && TIMEOUT_CODES.has(code);
}

/**
 * undici's callback handler for one upstream request: passes each event on
 * to the exchange. Informational (1xx) answers are not passed on, as node:http
 * did not either.
 */
class UpstreamHandler implements Dispatcher.DispatchHandler {
  constructor(private readonly x: Exchange) {}

  onConnect(abort: (err?: Error) => void): void {
    this.x.upConnect(abort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) {
      this.x.upInformational();
      return true;
    }
    return this.x.upHeaders(statusCode, rawHeaders, resume);
  }

  onData(chunk: Buffer): boolean {
    return this.x.upData(chunk);
  }

  onComplete(): void {
    this.x.upComplete();
  }

  onError(err: Error): void {
    this.x.upError(err);
  }
}

class Exchange {
  readonly #started: number;
  #status: number | undefined;
  #error: string | undefined;
  #bytes = 0;
  #answered = false;
  /** Bytes of this request's body counted in ctx.buffered until the exchange ends. */
  #held = 0;
  /** Of #held, the bytes of a body past LARGE_BODY_BYTES (counted in buffered.large). */
  #heldLarge = 0;
  #deadline: NodeJS.Timeout | undefined;
  #onSocketClose: (() => void) | undefined;
  /** Whose share held bodies count against: the client address, IPv6 by /64. */
  get #client(): string {
    return (this.addr.clientKey ??= sourceKey(this.addr.fwd.clientIp));
  }
  #closed = false;
  /** Where the upstream request stands: not sent, waiting for the head, head received, or ended. */
  #upstream: 'none' | 'connecting' | 'head' | 'complete' | 'failed' = 'none';
  #upError: Error | undefined;
  /** The upstream's status, once its head came. */
  #upStatus: number | undefined;
  /** When the request went upstream, and whether the wait for its head ran out (see upInformational). */
  #dispatchedAt = 0;
  #headTimedOut = false;
  /** Bounds a wait for a client that does not read (see #waitForClient). */
  #stallTimer: NodeJS.Timeout | undefined;
  #abortUpstream: ((err?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  /** The upstream is paused: we returned false from onHeaders/onData. */
  #paused = false;
  /** The response head is sent: upstream chunks are written to the client as they come. */
  #streaming = false;
  /** Chunks received before the head was sent (response hooks running), at most about maxResponseSniffBytes. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Wakes #settled when the state of the upstream answer changes. */
  #wake: (() => void) | undefined;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly ex: ProxyExchange,
    private readonly addr: ResolvedAddress,
    private readonly expectsContinue: boolean,
  ) {
    this.#started = ctx.clock.now();
  }

  start(): void {
    const socket = this.req.socket;
    let set = this.ctx.inflight.get(socket);
    if (!set) this.ctx.inflight.set(socket, (set = new Set()));
    set.add(this.res);
    // (on, not once: 'close' comes once, and #onClose runs once anyway; once wraps each listener.)
    this.res.on('close', () => this.#onClose());
    // A pipelined response still queued behind an earlier one never emits 'close' when the
    // socket dies: the socket's own 'close' ends this exchange too (and gives back its bytes).
    // One listener per socket, whatever the number of exchanges queued on it.
    let closers = this.ctx.closers.get(socket);
    if (!closers) {
      const fresh = new Set<() => void>();
      this.ctx.closers.set(socket, (closers = fresh));
      socket.once('close', () => {
        for (const close of [...fresh]) close();
      });
    }
    this.#onSocketClose = () => this.#onClose();
    closers.add(this.#onSocketClose);
    this.res.on('error', ignore);
    this.req.on('error', ignore);
    if (isClosing(socket)) {
      // A request pipelined behind one we refused: never answered.
      socket.destroy();
      return;
    }
    if (set.size > MAX_IN_FLIGHT_PER_CONNECTION) {
      // Each pipelined request would go upstream at once, on a connection of its own: one client
      // socket could open hundreds. No browser pipelines; past the cap the connection is dropped.
      this.#refuse(429, 'too many pipelined requests');
      return;
    }
    const refusal = checkRequest(this.req, this.ctx.limits.maxHeaders);
    if (refusal) {
      this.#refuse(refusal.status, refusal.reason);
      return;
    }
    this.#run().catch((err: unknown) => this.#hookFailed(err));
  }

  async #run(): Promise<void> {
    const hooks = this.ctx.hooks;
    const decision = await hooks.onRequest(this.ex);
    if (this.#closed || this.#answered) return;
    if (decision !== undefined && decision !== 'buffer') {
      this.#answer(decision);
      return;
    }
    let body: Buffer | undefined;
    if (decision === 'buffer') {
      const read = this.#readBody();
      body = read instanceof Promise ? await read : read;
      if (body === undefined || this.#closed || this.#answered) return;
      if (hooks.onBody) {
        const r = await hooks.onBody(this.ex, body);
        if (this.#closed || this.#answered) return;
        if (r) {
          this.#answer(r);
          return;
        }
      }
    }
    this.#forward(body);
  }

  /** Refuses a request the proxy will not handle: raw answer and a graceful close of the connection. */
  #refuse(status: number, reason: string): void {
    this.#answered = true;
    this.#status = status;
    this.#error = reason;
    this.req.resume();
    const socket = this.req.socket;
    const set = this.ctx.inflight.get(socket);
    // A raw answer is only safe when this is the one response on the socket and nothing was written.
    const alone = this.res.socket === socket && (set?.size ?? 0) <= 1 && !this.res.headersSent;
    lingerClose(socket, alone ? rawResponse(plainError(status)) : undefined, this.ctx.limits.lingerMs);
  }

  #answer(r: RenderedResponse): void {
    if (this.#answered || this.res.headersSent || this.#closed) return;
    // Throws before writing anything when the response is invalid (bad status or header).
    this.#bytes = sendRendered(this.res, r, this.ex.req.method);
    this.#answered = true;
    this.#status = r.status;
  }

  #hookFailed(err: unknown): void {
    this.ctx.reportError(err);
    this.#error ??= 'hook or internal error';
    if (this.#upstream === 'connecting' || this.#upstream === 'head') this.#abortUpstream?.(new Error('hook or internal error'));
    if (this.#closed) return;
    if (this.#answered || this.res.headersSent) {
      this.res.destroy();
      return;
    }
    try {
      this.#answer(plainError(500));
    } catch (e) {
      this.ctx.reportError(e);
      this.res.destroy();
    }
  }

  /** The request's body (undefined when it was refused or the client left), now or once it has come. */
  #readBody(): Buffer | undefined | Promise<Buffer | undefined> {
    const { req } = this;
    const max = this.ctx.limits.maxBufferedBodyBytes;
    if (!hasRequestBody(req)) return Buffer.alloc(0);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > max) {
      this.#refuse(413, 'request body too large to inspect');
      return undefined;
    }
    if (this.expectsContinue) this.res.writeContinue();
    const here = this.#bodyAlreadyHere();
    if (here !== undefined) return here;
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let slow: NodeJS.Timeout | undefined;
      const done = (v: Buffer | undefined): void => {
        clearTimeout(this.#deadline);
        clearInterval(slow);
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onGone);
        this.res.off('close', onGone);
        resolve(v);
      };
      const { buffered, limits } = this.ctx;
      const client = this.#client;
      // A body held for inspection holds memory others need. When the bodies held together pass
      // half of what all clients may hold, one that brought less than MIN_BODY_RATE bytes a second
      // (or what it still owed, when less) in two windows of BODY_RATE_WINDOW_MS running is cut
      // (408): a stalled or trickled upload then frees its bytes in seconds, not at the whole
      // deadline (a minute for 8 MiB). Without that pressure a slow client is left alone.
      const declared = Number(req.headers['content-length']);
      let before = 0;
      let slowWindows = 0;
      slow = setInterval(() => {
        const owed = Number.isFinite(declared) && declared > 0 ? declared - size : Infinity;
        const want = Math.min((BODY_RATE_WINDOW_MS / 1000) * MIN_BODY_RATE, owed);
        slowWindows = size - before < want ? slowWindows + 1 : 0;
        before = size;
        if (slowWindows >= 2 && buffered.bytes > limits.maxBufferedTotalBytes / 2) {
          done(undefined);
          this.#refuse(408, 'request body too slow');
        }
      }, BODY_RATE_WINDOW_MS);
      slow.unref();
      const onData = (c: Buffer): void => {
        size += c.length;
        this.#held += c.length;
        buffered.bytes += c.length;
        const mine = (buffered.byClient.get(client) ?? 0) + c.length;
        buffered.byClient.set(client, mine);
        if (size > max) {
          done(undefined);
          this.#refuse(413, 'request body too large to inspect');
          return;
        }
        if (mine > limits.maxBufferedPerClientBytes) {
          // One client holding many bodies at once (stalled uploads): its own share is spent.
          done(undefined);
          this.#refuse(429, 'this client holds too many request bodies');
          return;
        }
        if (size > LARGE_BODY_BYTES) {
          // Large bodies (uploads) together hold at most half of what all may hold (or one body at
          // the limit, when that is more): stalled or slow uploads cannot take the room forms and
          // API calls need.
          const large = c.length + (this.#heldLarge === 0 ? size - c.length : 0);
          this.#heldLarge += large;
          buffered.large += large;
          if (buffered.large > Math.max(limits.maxBufferedTotalBytes / 2, limits.maxBufferedBodyBytes)) {
            done(undefined);
            this.#refuse(503, 'too many large request bodies held for inspection');
            return;
          }
        }
        if (buffered.bytes > limits.maxBufferedTotalBytes) {
          // Many clients holding bodies at once: a memory-exhaustion attempt, or a surge. Shed this one.
          done(undefined);
          this.#refuse(503, 'too many request bodies held for inspection');
          return;
        }
        chunks.push(c);
      };
      // A body being inspected must arrive promptly: a slow one holds memory for others.
      const deadline = setTimeout(() => {
        done(undefined);
        this.#refuse(408, 'request body too slow');
      }, limits.bufferedBodyTimeoutMs);
      deadline.unref();
      this.#deadline = deadline;
      const onEnd = (): void => done(Buffer.concat(chunks, size));
      const onGone = (): void => done(undefined);
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('error', onGone);
      this.res.once('close', onGone);
    });
  }

  /**
   * The whole body when it came with the head, as a login form's does, and is within every
   * limit: taken from the request's buffer at once. The listeners, promise and timer of the
   * general case above were a visible part of the time a login costs the proxy. Otherwise
   * undefined, and the body is read as it comes. (Within the limits at its full size, it is
   * within them at each of its chunks too: the general case would have refused none of them.)
   */
  #bodyAlreadyHere(): Buffer | undefined {
    const { req } = this;
    if (req.destroyed || req.readableFlowing !== null) return undefined;
    const size = req.readableLength;
    // Node marks the request complete a little later than it hands over the last bytes: a
    // declared length all held counts as complete (the parser never passes on more than it).
    const declared = req.headers['content-length'];
    if (!req.complete && (declared === undefined || Number(declared) !== size)) return undefined;
    const { buffered, limits } = this.ctx;
    const client = this.#client;
    const mine = (buffered.byClient.get(client) ?? 0) + size;
    if (size > limits.maxBufferedBodyBytes || mine > limits.maxBufferedPerClientBytes || buffered.bytes + size > limits.maxBufferedTotalBytes) return undefined;
    // (All of it: read() without a size gives every byte held, or null when there is none.)
    const body = req.read() as Buffer | null;
    if (body !== null && body.length !== size) throw new Error('request body read short');
    if (size === 0) return Buffer.alloc(0);
    this.#held += size;
    buffered.bytes += size;
    buffered.byClient.set(client, mine);
    return body ?? Buffer.alloc(0);
  }

  #forward(body: Buffer | undefined): void {
    const { ctx, req, res } = this;
    const t = ctx.target;
    const headers = upstreamHeaders(req, this.addr.fwd);
    ctx.hooks.onForward?.(this.ex, headers);
    // The framing is ours alone, whatever the client or a hook wrote; undici sets it from the body.
    // (Looked up before deleting: deleting a name that is not there costs several times more.)
    for (const name of HOP_BY_HOP) if (name in headers) delete headers[name];
    if ('content-length' in headers) delete headers['content-length'];
    if ('expect' in headers) delete headers['expect'];
    const declared = req.headers['content-length'];
    const streaming = body === undefined && hasRequestBody(req);
    let upBody: Buffer | PassThrough | null = null;
    if (body !== undefined) {
      if (body.length > 0 || declared !== undefined) headers['content-length'] = String(body.length);
      upBody = body;
    } else if (streaming) {
      // A declared length is sent as is (undici checks the body against it); without one, chunked.
      if (declared !== undefined && req.headers['transfer-encoding'] === undefined) headers['content-length'] = declared;
      // undici destroys the stream it is given when the request ends or fails; the client's own
      // request must outlive that (its socket carries the answer), so it gets a stand-in.
      const pass = new PassThrough();
      pass.on('error', () => {
        // The upstream request failed: seen through the handler's onError.
      });
      upBody = pass;
    } else if (declared !== undefined) {
      headers['content-length'] = declared;
    }
    const options: Dispatcher.DispatchOptions & { servername: string } = {
      path: t.basePath + (req.url ?? '/'),
      method: req.method ?? 'GET',
      headers,
      body: upBody,
      servername: dispatchServername(t),
    };
    this.#upstream = 'connecting';
    this.#dispatchedAt = Date.now();
    ctx.pool.dispatch(options, new UpstreamHandler(this));
    // (Unless the dispatch already failed and was answered.)
    if (upBody instanceof PassThrough && this.#upstream === 'connecting' && !this.#closed) {
      if (this.expectsContinue) res.writeContinue();
      req.pipe(upBody);
    }
  }

  /** The upstream request could not be made, or failed before its answer started. */
  #upstreamFailed(err: Error | undefined): void {
    if (this.#closed) return;
    this.#releaseRequestBody();
    const timedOut = this.#headTimedOut || isTimeout(err);
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    this.#error ??= timedOut ? 'upstream timeout' : `upstream failed${code ? `: ${code}` : ''}`;
    if (this.#answered || this.res.headersSent) {
      // The answer had started: cut it so the client sees it incomplete.
      this.res.destroy();
      return;
    }
    this.#answer(plainError(timedOut ? 504 : 502));
  }

  /** Stops feeding the client's request body upstream and drops the rest of it (bounded by requestTimeoutMs). */
  #releaseRequestBody(): void {
    const { req } = this;
    if (req.complete) return;
    req.unpipe();
    req.resume();
  }

  // ---- The upstream's answer, as undici delivers it (see UpstreamHandler). ----

  /** Called once the upstream connection is about to carry the request; `abort` cancels it. */
  upConnect(abort: (err?: Error) => void): void {
    this.#abortUpstream = abort;
    if (this.#closed) abort(new Error('client closed the connection'));
  }

  /**
   * A 1xx answer: not passed on. undici restarts its head timer on each one, so an upstream
   * sending 102 every few seconds would hold the exchange for ever; past upstreamTimeoutMs
   * since the request went out, the next one ends it (504).
   */
  upInformational(): void {
    if (this.#closed || Date.now() - this.#dispatchedAt <= this.ctx.limits.upstreamTimeoutMs) return;
    this.#headTimedOut = true;
    this.#abortUpstream?.(new Error('upstream timeout'));
  }

  upHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (this.#closed) return false;
    this.#upStatus = status;
    this.#resume = resume;
    this.#upstream = 'head';
    const headers = answerHeaders(raw);
    this.#respond(status, headers).catch((err: unknown) => this.#hookFailed(err));
    return !this.#paused;
  }

  upData(chunk: Buffer): boolean {
    if (this.#closed) return false;
    if (this.#streaming) {
      this.#bytes += chunk.length;
      if (this.res.write(chunk)) return true;
      this.#paused = true;
      this.#waitForClient();
      return false;
    }
    // The head is not sent yet (response hooks at work): hold a bounded amount, then pause the upstream.
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#wake?.();
    if (this.#pendingBytes <= this.ctx.limits.maxResponseSniffBytes) return true;
    this.#paused = true;
    return false;
  }

  upComplete(): void {
    this.#upstream = 'complete';
    if (this.#closed) return;
    this.#releaseRequestBody();
    if (this.#streaming) this.res.end();
    else this.#wake?.();
  }

  upError(err: Error): void {
    // A 204 or 304 (or the answer to a HEAD) with a Content-Length: legal (RFC 9110 8.6), and complete
    // without a body; undici still counts the missing bytes as an error.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' && this.#upStatus !== undefined && !bodyAllowedFor(this.ex.req.method, this.#upStatus)) {
      this.upComplete();
      return;
    }
    const before = this.#upstream;
    this.#upstream = 'failed';
    this.#upError = err;
    if (this.#closed) return;
    if (before === 'connecting') {
      this.#upstreamFailed(err);
      return;
    }
    if (this.#streaming) {
      this.#releaseRequestBody();
      this.#error ??= isTimeout(err) ? 'upstream timeout' : 'upstream aborted its answer';
      this.res.destroy();
      return;
    }
    // The response hooks are running: #respond sees the failure when they are done.
    this.#wake?.();
  }

  /**
   * The client's side is full: wait for it to drain, but not for ever. A client that stops
   * reading would otherwise hold its upstream connection (undici stops its body timer while
   * paused): after upstreamTimeoutMs the exchange is cut and the upstream request aborted.
   */
  #waitForClient(): void {
    this.res.once('drain', this.#onDrain);
    clearTimeout(this.#stallTimer);
    this.#stallTimer = setTimeout(() => {
      if (this.#closed || !this.#paused) return;
      this.#error ??= 'client stopped reading';
      this.#abortUpstream?.(new Error('client stopped reading'));
      this.res.destroy();
    }, this.ctx.limits.upstreamTimeoutMs);
  }

  readonly #onDrain = (): void => {
    clearTimeout(this.#stallTimer);
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    this.#resume?.();
  };

  /** Resolves when the answer is complete or failed, or more than maxResponseSniffBytes of it are held. */
  #settled(): Promise<void> {
    const max = this.ctx.limits.maxResponseSniffBytes;
    const ready = (): boolean => this.#closed || this.#upstream === 'complete' || this.#upstream === 'failed' || this.#pendingBytes > max;
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = () => {
        if (!ready()) return;
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async #respond(status: number, headers: HeaderMap): Promise<void> {
    const { ctx, res, ex } = this;
    const hooks = ctx.hooks;
    let body: Buffer | undefined;
    if (hooks.onResponse) {
      // An answer larger than the sniff limit: its start, held (and still sent after the hook).
      let start: Buffer | undefined;
      if (hooks.wantsResponseBody?.(ex, status, headers)) {
        await this.#settled();
        if (this.#closed) return;
        if (this.#upstream === 'failed') {
          this.#upstreamFailed(this.#upError);
          return;
        }
        if (this.#upstream === 'complete') {
          body = Buffer.concat(this.#pending, this.#pendingBytes);
          this.#pending = [];
          this.#pendingBytes = 0;
        } else start = Buffer.concat(this.#pending, this.#pendingBytes);
      }
      const answer: UpstreamAnswer = body !== undefined ? { status, headers, body } : start !== undefined ? { status, headers, body: start, partial: true } : { status, headers };
      const change = await hooks.onResponse(ex, answer);
      if (this.#closed || this.#answered) return;
      if (change?.replace) {
        if (this.#upstream !== 'complete') this.#abortUpstream?.(new Error('answer replaced'));
        this.#answer(change.replace);
        return;
      }
      applyChange(headers, change);
    }
    if (this.#closed || this.#answered) return;
    if (this.#upstream === 'failed') {
      this.#upstreamFailed(this.#upError);
      return;
    }
    const method = this.ex.req.method;
    const bodyAllowed = bodyAllowedFor(method, status);
    if (body !== undefined && bodyAllowed) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    res.writeHead(status, headers);
    this.#answered = true;
    this.#status = status;
    if (body !== undefined || !bodyAllowed) {
      // (Without a body: whatever else the upstream sends is not passed on; see upData.)
      this.#bytes = body !== undefined && bodyAllowed ? body.length : 0;
      this.#pending = [];
      this.#pendingBytes = 0;
      res.end(body !== undefined && bodyAllowed ? body : undefined);
      return;
    }
    // From here on the upstream's chunks go straight to the client (upData).
    this.#streaming = true;
    const held = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const last = this.#upstream === 'complete' ? held.pop() : undefined;
    let full = false;
    for (const c of held) {
      this.#bytes += c.length;
      full = !res.write(c);
    }
    if (this.#upstream === 'complete') {
      if (last !== undefined) this.#bytes += last.length;
      res.end(last);
      return;
    }
    if (!this.#paused) return;
    if (full) this.#waitForClient();
    else this.#onDrain();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#onSocketClose) this.ctx.closers.get(this.req.socket)?.delete(this.#onSocketClose);
    clearTimeout(this.#deadline);
    clearTimeout(this.#stallTimer);
    if (this.#held > 0) {
      const b = this.ctx.buffered;
      b.bytes -= this.#held;
      b.large -= this.#heldLarge;
      this.#heldLarge = 0;
      const left = (b.byClient.get(this.#client) ?? 0) - this.#held;
      if (left > 0) b.byClient.set(this.#client, left);
      else b.byClient.delete(this.#client);
      this.#held = 0;
    }
    this.ctx.inflight.get(this.req.socket)?.delete(this.res);
    const complete = this.res.writableFinished;
    if (!complete) {
      // The client left (or we cut the answer): stop the upstream work.
      if (this.#upstream === 'connecting' || this.#upstream === 'head') this.#abortUpstream?.(new Error('client closed the connection'));
      this.#error ??= 'client closed the connection';
    }
    const status = this.#status ?? (this.res.headersSent ? this.res.statusCode : 499);
    reportDone(this.ctx, this.ex, this.#started, status, this.#bytes, this.#error);
  }
}
