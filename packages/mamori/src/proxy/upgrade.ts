/**
 * Upgrade requests (WebSocket and others). The hooks are consulted as for
 * any request (a body is never read: onBody, if asked for, gets an empty
 * one). When allowed, the request goes upstream; on 101 the two sockets are
 * piped both ways, any other answer is passed on and the connection closed.
 */
import { createHash } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RenderedResponse } from '../guard/verdict.js';
import { applyChange, makeExchange, reportDone } from './exchange.js';
import { checkRequest, hasRequestBody } from './framing.js';
import { HOP_BY_HOP, addVia, stripHopByHop } from './hop-by-hop.js';
import type { ProxyContext, ResponseChange } from './http-proxy.js';
import { lingerClose, plainError, rawHead, rawResponse } from './respond.js';
import { openUpstreamRequest, upstreamHeaders } from './upstream.js';

/** RFC 6455's GUID: Sec-WebSocket-Accept is base64(SHA-1(key + GUID)). */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A client's Sec-WebSocket-Key: base64 of 16 bytes (RFC 6455 4.1). */
function validKey(key: string | string[] | undefined): key is string {
  return typeof key === 'string' && /^[A-Za-z0-9+/]{22}==$/.test(key);
}

/**
 * Whether an upstream's 101 is the WebSocket handshake the client asked for: Upgrade: websocket
 * and the Sec-WebSocket-Accept its key calls for. Anything else (a route that relays a status and
 * headers the client chose) would open a tunnel carrying plain HTTP no hook ever reads.
 */
function isWebSocketSwitch(upRes: IncomingMessage, key: string): boolean {
  const proto = String(upRes.headers['upgrade'] ?? '').trim().toLowerCase();
  const accept = upRes.headers['sec-websocket-accept'];
  return proto === 'websocket' && typeof accept === 'string' && accept.trim() === createHash('sha1').update(key + WS_GUID).digest('base64');
}

/**
 * Pipes the client's bytes into the tunnel once its first frame shows the mask bit every client
 * frame carries (RFC 6455 5.1; a plain `GET / HTTP/1.1` never has it); else closes both sides.
 */
function pipeClientFrames(socket: Duplex, upgraded: Duplex, head: Buffer): void {
  let seen = head;
  const start = (): boolean => {
    if (seen.length < 2) return false;
    if ((seen[1]! & 0x80) === 0) {
      socket.destroy();
      upgraded.destroy();
      return true;
    }
    if (!upgraded.write(seen)) {
      socket.pause();
      upgraded.once('drain', () => socket.resume());
    }
    socket.pipe(upgraded);
    return true;
  };
  if (start()) return;
  const onData = (c: Buffer): void => {
    seen = Buffer.concat([seen, c]);
    if (seen.length > 64 * 1024) return void socket.destroy(); // (cannot happen with two bytes wanted; a bound all the same)
    socket.off('data', onData);
    if (!start()) socket.on('data', onData);
  };
  socket.on('data', onData);
}

export function handleUpgrade(ctx: ProxyContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const started = ctx.clock.now();
  const { ex, addr } = makeExchange(ctx, req);
  const fwd = addr.fwd;
  const hooks = ctx.hooks;
  ctx.tunnels.add(socket);
  let status: number | undefined;
  let error: string | undefined;
  let bytes = 0;
  let done = false;
  let timedOut = false;
  let upReq: ClientRequest | undefined;
  let upSocket: Duplex | undefined;

  const finish = (): void => {
    if (done) return;
    done = true;
    ctx.tunnels.delete(socket);
    upReq?.destroy();
    upSocket?.destroy();
    reportDone(ctx, ex, started, status ?? 499, bytes, error);
  };
  socket.on('error', () => socket.destroy());
  socket.once('close', finish);

  const refuse = (r: RenderedResponse, why?: string): void => {
    if (status !== undefined) return;
    const answer = rawResponse(r); // throws on an invalid response, before anything is sent
    status = r.status;
    if (why !== undefined) error ??= why;
    bytes = Buffer.byteLength(r.body);
    upSocket?.destroy();
    lingerClose(socket, answer, ctx.limits.lingerMs);
  };
  const failed = (err: unknown): void => {
    ctx.reportError(err);
    if (done) return;
    if (status === undefined) refuse(plainError(500), 'hook or internal error');
    else socket.destroy();
  };

  const onUpstreamAnswer = async (upRes: IncomingMessage, upgraded: Duplex | undefined, upHead: Buffer): Promise<void> => {
    if (upgraded && !isWebSocketSwitch(upRes, String(req.headers['sec-websocket-key']))) {
      upgraded.destroy();
      refuse(plainError(502), 'upstream answered 101 without a WebSocket handshake');
      return;
    }
    const code = upRes.statusCode ?? 502;
    const headers = stripHopByHop(upRes.headers);
    addVia(headers);
    if (upgraded) {
      headers['connection'] = 'Upgrade';
      const proto = upRes.headers['upgrade'];
      if (proto !== undefined) headers['upgrade'] = proto;
    } else {
      headers['connection'] = 'close';
    }
    const change: ResponseChange | undefined = hooks.onResponse ? await hooks.onResponse(ex, { status: code, headers }) : undefined;
    if (done) return;
    if (change?.replace) {
      upRes.destroy();
      refuse(change.replace);
      return;
    }
    applyChange(headers, change);
    socket.write(rawHead(code, headers));
    status = code;
    if (!upgraded) {
      // Passed on as is; the body ends with the connection.
      upRes.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      upRes.once('end', () => lingerClose(socket, Buffer.alloc(0), ctx.limits.lingerMs));
      upRes.pipe(socket, { end: false });
      return;
    }
    if (upHead.length > 0) socket.write(upHead);
    upgraded.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    upgraded.pipe(socket);
    pipeClientFrames(socket, upgraded, head);
  };

  const connect = (): void => {
    const t = ctx.target;
    const headers = upstreamHeaders(req, fwd);
    hooks.onForward?.(ex, headers);
    for (const name of HOP_BY_HOP) delete headers[name];
    delete headers['content-length'];
    headers['connection'] = 'Upgrade';
    const proto = req.headers['upgrade'];
    if (proto !== undefined) headers['upgrade'] = proto;
    const r = openUpstreamRequest(t, ctx.agent, req, headers);
    upReq = r;
    r.setTimeout(ctx.limits.upstreamTimeoutMs, () => {
      timedOut = true;
      r.destroy(new Error('upstream timeout'));
    });
    r.on('error', (err: NodeJS.ErrnoException) => {
      if (done || upSocket) return;
      if (status === undefined) refuse(plainError(timedOut ? 504 : 502), timedOut ? 'upstream timeout' : `upstream failed${err.code ? `: ${err.code}` : ''}`);
      else socket.destroy();
    });
    r.on('response', (upRes: IncomingMessage) => {
      upRes.on('error', () => socket.destroy());
      upRes.once('close', () => {
        if (!upRes.complete) socket.destroy();
      });
      onUpstreamAnswer(upRes, undefined, Buffer.alloc(0)).catch(failed);
    });
    r.on('upgrade', (upRes: IncomingMessage, s: Duplex, upHead: Buffer) => {
      upSocket = s;
      s.on('error', () => s.destroy());
      s.once('close', () => socket.destroy());
      (s as Duplex & { setTimeout?: (ms: number) => void }).setTimeout?.(0);
      if (done) {
        s.destroy();
        return;
      }
      onUpstreamAnswer(upRes, s, upHead).catch(failed);
    });
    r.end();
  };

  const refusal = checkRequest(req, ctx.limits.maxHeaders);
  if (refusal) {
    refuse(plainError(refusal.status), refusal.reason);
    return;
  }
  // Only WebSocket is tunnelled: after any other upgrade (h2c above all) the connection would
  // carry requests to the upstream that neither the guard nor the WAF ever sees.
  const wanted = String(req.headers['upgrade'] ?? '').split(',').map((p) => p.trim().toLowerCase());
  if (wanted.length !== 1 || wanted[0] !== 'websocket') {
    refuse(plainError(400), 'upgrade to a protocol other than WebSocket');
    return;
  }
  if (hasRequestBody(req)) {
    // Its bytes would be indistinguishable from the upgraded protocol's.
    refuse(plainError(400), 'upgrade request with a body');
    return;
  }
  if (!validKey(req.headers['sec-websocket-key'])) {
    refuse(plainError(400), 'WebSocket upgrade without a valid Sec-WebSocket-Key');
    return;
  }
  const run = async (): Promise<void> => {
    let decision = await hooks.onRequest(ex);
    if (done) return;
    if (decision === 'buffer') decision = hooks.onBody ? await hooks.onBody(ex, Buffer.alloc(0)) : undefined;
    if (done) return;
    if (decision) {
      refuse(decision);
      return;
    }
    connect();
  };
  run().catch(failed);
}
