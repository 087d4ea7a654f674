/**
 * One plain (non-upgrade) exchange: refuse what is malformed, consult the
 * hooks, forward the request streaming (or the buffered body), pass the
 * upstream's answer back through the response hooks, and report the end.
 */
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { sourceKey } from '../core/net.js';
import type { RenderedResponse } from '../guard/verdict.js';
import type { Forwarding } from './client-ip.js';
import { applyChange, makeExchange, reportDone } from './exchange.js';
import { checkRequest, hasRequestBody } from './framing.js';
import { HOP_BY_HOP, addVia, stripHopByHop } from './hop-by-hop.js';
import type { ProxyContext, ProxyExchange, UpstreamAnswer } from './http-proxy.js';
import { isClosing, lingerClose, plainError, rawResponse, sendRendered } from './respond.js';
import { openUpstreamRequest, upstreamHeaders } from './upstream.js';

export function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
  const { ex, fwd } = makeExchange(ctx, req);
  new Exchange(ctx, req, res, ex, fwd, expectsContinue).start();
}

interface Sniffed {
  body?: Buffer;
  /** Chunks read before the body proved too large to sniff. */
  chunks: Buffer[];
  failed: boolean;
}

class Exchange {
  readonly #started: number;
  #status: number | undefined;
  #error: string | undefined;
  #bytes = 0;
  #answered = false;
  /** Bytes of this request's body counted in ctx.buffered until the exchange ends. */
  #held = 0;
  #deadline: NodeJS.Timeout | undefined;
  #onSocketClose: (() => void) | undefined;
  /** Whose share held bodies count against: the client address, IPv6 by /64. */
  get #client(): string {
    return sourceKey(this.ex.req.ip);
  }
  #closed = false;
  #timedOut = false;
  #upReq: ClientRequest | undefined;
  #upRes: IncomingMessage | undefined;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly ex: ProxyExchange,
    private readonly fwd: Forwarding,
    private readonly expectsContinue: boolean,
  ) {
    this.#started = ctx.clock.now();
  }

  start(): void {
    const socket = this.req.socket;
    let set = this.ctx.inflight.get(socket);
    if (!set) this.ctx.inflight.set(socket, (set = new Set()));
    set.add(this.res);
    this.res.once('close', () => this.#onClose());
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
    this.res.on('error', () => {
      // A write after the client left: the 'close' above has it.
    });
    this.req.on('error', () => {
      // A client abort: handled through the response's 'close'.
    });
    if (isClosing(socket)) {
      // A request pipelined behind one we refused: never answered.
      socket.destroy();
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
      body = await this.#readBody();
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
    if (this.#upRes && !this.#upRes.complete) this.#upRes.destroy();
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

  #readBody(): Promise<Buffer | undefined> {
    const { req } = this;
    const max = this.ctx.limits.maxBufferedBodyBytes;
    if (!hasRequestBody(req)) return Promise.resolve(Buffer.alloc(0));
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > max) {
      this.#refuse(413, 'request body too large to inspect');
      return Promise.resolve(undefined);
    }
    if (this.expectsContinue) this.res.writeContinue();
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (v: Buffer | undefined): void => {
        clearTimeout(this.#deadline);
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onGone);
        this.res.off('close', onGone);
        resolve(v);
      };
      const { buffered, limits } = this.ctx;
      const client = this.#client;
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

  #forward(body: Buffer | undefined): void {
    const { ctx, req, res } = this;
    const t = ctx.target;
    const headers = upstreamHeaders(req, this.fwd);
    ctx.hooks.onForward?.(this.ex, headers);
    // The framing is ours alone, whatever the client or a hook wrote.
    for (const name of HOP_BY_HOP) delete headers[name];
    delete headers['content-length'];
    const declared = req.headers['content-length'];
    const streaming = body === undefined && hasRequestBody(req);
    if (body !== undefined) {
      if (body.length > 0 || declared !== undefined) headers['content-length'] = String(body.length);
    } else if (streaming && req.headers['transfer-encoding'] !== undefined) {
      // Set explicitly: Node would otherwise send a GET/DELETE body unframed.
      headers['transfer-encoding'] = 'chunked';
    } else if (declared !== undefined) {
      headers['content-length'] = declared;
    }
    const upReq = openUpstreamRequest(t, ctx.agent, req, headers);
    this.#upReq = upReq;
    upReq.setTimeout(ctx.limits.upstreamTimeoutMs, () => {
      this.#timedOut = true;
      upReq.destroy(new Error('upstream timeout'));
    });
    upReq.on('error', (err: NodeJS.ErrnoException) => this.#upstreamFailed(err));
    upReq.on('response', (upRes: IncomingMessage) => {
      this.#upRes = upRes;
      upRes.on('error', () => {
        // Seen through 'close' without 'complete'.
      });
      this.#respond(upRes).catch((err: unknown) => this.#hookFailed(err));
    });
    if (body !== undefined) upReq.end(body);
    else if (streaming) {
      if (this.expectsContinue) res.writeContinue();
      req.pipe(upReq);
    } else upReq.end();
  }

  #upstreamFailed(err: NodeJS.ErrnoException | undefined): void {
    if (this.#closed) return;
    if (!this.req.complete) {
      this.req.unpipe();
      this.req.resume();
    }
    this.#error ??= this.#timedOut ? 'upstream timeout' : `upstream failed${err?.code ? `: ${err.code}` : ''}`;
    if (this.#answered || this.res.headersSent) {
      // The answer had started: cut it so the client sees it incomplete.
      this.res.destroy();
      return;
    }
    this.#answer(plainError(this.#timedOut ? 504 : 502));
  }

  async #respond(upRes: IncomingMessage): Promise<void> {
    const { ctx, res, ex } = this;
    const hooks = ctx.hooks;
    const status = upRes.statusCode ?? 502;
    const headers = stripHopByHop(upRes.headers);
    addVia(headers);
    let pending: Buffer[] = [];
    let body: Buffer | undefined;
    if (hooks.onResponse) {
      if (hooks.wantsResponseBody?.(ex, status, headers)) {
        const s = await this.#sniff(upRes);
        if (this.#closed) return;
        if (s.failed) {
          this.#upstreamFailed(undefined);
          return;
        }
        body = s.body;
        pending = s.chunks;
      }
      const answer: UpstreamAnswer = body === undefined ? { status, headers } : { status, headers, body };
      const change = await hooks.onResponse(ex, answer);
      if (this.#closed || this.#answered) return;
      if (change?.replace) {
        if (!upRes.complete) upRes.destroy();
        this.#answer(change.replace);
        return;
      }
      applyChange(headers, change);
    }
    if (this.#closed || this.#answered) return;
    if (upRes.destroyed && !upRes.complete) {
      this.#upstreamFailed(undefined);
      return;
    }
    const method = this.ex.req.method;
    const bodyAllowed = method !== 'HEAD' && status !== 204 && status !== 304 && status >= 200;
    if (body !== undefined && bodyAllowed) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    res.writeHead(status, headers);
    this.#answered = true;
    this.#status = status;
    if (body !== undefined) {
      this.#bytes = bodyAllowed ? body.length : 0;
      res.end(bodyAllowed ? body : undefined);
      return;
    }
    upRes.once('close', () => {
      if (!upRes.complete) {
        this.#error ??= 'upstream aborted its answer';
        res.destroy();
      }
    });
    for (const c of pending) {
      this.#bytes += c.length;
      res.write(c);
    }
    upRes.on('data', (c: Buffer) => {
      this.#bytes += c.length;
    });
    upRes.pipe(res);
  }

  #sniff(upRes: IncomingMessage): Promise<Sniffed> {
    const max = this.ctx.limits.maxResponseSniffBytes;
    const declared = Number(upRes.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) return Promise.resolve({ chunks: [], failed: false });
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (r: Sniffed): void => {
        upRes.off('data', onData);
        upRes.off('end', onEnd);
        upRes.off('close', onClose);
        resolve(r);
      };
      const onData = (c: Buffer): void => {
        chunks.push(c);
        size += c.length;
        if (size > max) {
          upRes.pause();
          done({ chunks, failed: false });
        }
      };
      const onEnd = (): void => done({ body: Buffer.concat(chunks, size), chunks: [], failed: false });
      const onClose = (): void => done({ chunks, failed: !upRes.complete });
      upRes.on('data', onData);
      upRes.once('end', onEnd);
      upRes.once('close', onClose);
    });
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#onSocketClose) this.ctx.closers.get(this.req.socket)?.delete(this.#onSocketClose);
    clearTimeout(this.#deadline);
    if (this.#held > 0) {
      const b = this.ctx.buffered;
      b.bytes -= this.#held;
      const left = (b.byClient.get(this.#client) ?? 0) - this.#held;
      if (left > 0) b.byClient.set(this.#client, left);
      else b.byClient.delete(this.#client);
      this.#held = 0;
    }
    this.ctx.inflight.get(this.req.socket)?.delete(this.res);
    const complete = this.res.writableFinished;
    if (!complete) {
      // The client left (or we cut the answer): stop the upstream work.
      this.#upReq?.destroy();
      this.#upRes?.destroy();
      this.#error ??= 'client closed the connection';
    }
    const status = this.#status ?? (this.res.headersSent ? this.res.statusCode : 499);
    const info = { status, bytes: this.#bytes, ...(this.#error === undefined ? {} : { error: this.#error }) };
    reportDone(this.ctx, this.ex, this.#started, info);
  }
}
