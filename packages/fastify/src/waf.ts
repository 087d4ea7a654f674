/**
 * The WAF's view of a Fastify request: its target, protocol and header lines as sent (from the
 * node request), and its body read whole, within the WAF's limit, before any content-type
 * parser sees it. The bytes read are handed on twice: as a new payload stream for Fastify's
 * parsers, and back into `request.raw` for plugins that read the node request themselves
 * (@fastify/multipart does), so that whoever parses the body parses what the WAF read.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { nodeRequestParts, type WafRequestParts } from 'mamori/internal';

export type { WafExchange, WafGuard, WafRequestParts } from 'mamori/internal';
export { announcesBody } from 'mamori/internal';

/** What the WAF reads of the request beyond RequestInfo. */
export function wafParts(req: FastifyRequest): WafRequestParts {
  return nodeRequestParts(req.raw, req.url);
}

/** The request's body was longer than the limit: nothing more of it is read. */
export const TOO_LARGE = Symbol('too large');

/** An error Fastify answers with its status (the client's body was cut short). */
function cutShort(): Error {
  return Object.assign(new Error('the request body ended before it was complete'), { statusCode: 400 });
}

/**
 * Reads the node request's body whole, at most `limit` bytes, without letting the stream end:
 * once the message is complete, the bytes go back to the front of the stream (`unshift`), for
 * whoever reads `request.raw` after us.
 */
/** Counts bytes held against the WAF's body pool: 429 or 503 when past it. */
export type Take = (n: number) => 429 | 503 | undefined;
type Read = Buffer | typeof TOO_LARGE | 429 | 503;

function readNodeBody(raw: IncomingMessage, limit: number, take: Take): Promise<Read> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: Read | Error) => {
      raw.off('readable', onReadable);
      raw.off('end', onEnd);
      raw.off('error', onError);
      raw.off('close', onClose);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    function onReadable() {
      let chunk: Buffer | null;
      while ((chunk = raw.read() as Buffer | null) !== null) {
        size += chunk.length;
        if (size > limit) return settle(TOO_LARGE);
        const over = take(chunk.length);
        if (over) return settle(over);
        chunks.push(chunk);
      }
      if (!raw.complete) return;
      const body = Buffer.concat(chunks, size);
      // Back in front, in this same tick: the stream has not announced its end, and will once
      // these bytes are read again.
      if (body.length > 0 && !raw.readableEnded) raw.unshift(body);
      settle(body);
    }
    // (Only when the message was over before we looked: nothing is left to give back.)
    function onEnd() {
      settle(Buffer.concat(chunks, size));
    }
    function onError(err: Error) {
      settle(err);
    }
    function onClose() {
      if (!raw.complete) settle(cutShort());
    }
    raw.on('readable', onReadable);
    raw.on('end', onEnd);
    raw.on('error', onError);
    raw.on('close', onClose);
  });
}

/** Reads a stream another preParsing hook put in front of the node request. */
async function readStream(payload: NodeJS.ReadableStream, limit: number, take: Take): Promise<Read> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of payload) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += chunk.length;
    const over = size > limit ? TOO_LARGE : take(chunk.length);
    if (over) {
      (payload as Readable).destroy?.();
      return over;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** The request body, at most `limit` bytes (TOO_LARGE past it; a longer Content-Length is not read at all). */
export function readBody(req: FastifyRequest, payload: NodeJS.ReadableStream, limit: number, take: Take): Promise<Read> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(TOO_LARGE);
  return payload === (req.raw as unknown) ? readNodeBody(req.raw, limit, take) : readStream(payload, limit, take);
}

/**
 * A payload stream of the bytes read, for Fastify's content-type parsers. It says how many
 * bytes were received (Fastify's `receivedEncodedLength`), which Fastify compares with the
 * Content-Length and its own bodyLimit.
 */
export function replay(body: Buffer, from: NodeJS.ReadableStream): Readable {
  let sent = false;
  const s = new Readable({
    read() {
      if (!sent && body.length > 0) this.push(body);
      sent = true;
      this.push(null);
    },
  });
  const received = (from as { receivedEncodedLength?: number }).receivedEncodedLength;
  return Object.assign(s, { receivedEncodedLength: received ?? body.length });
}

/** A Fastify reply's headers as the WAF reads them (values as strings). */
export function answerHeaders(headers: Record<string, number | string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = typeof v === 'number' ? String(v) : v;
  return out;
}
