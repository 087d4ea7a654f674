/**
 * Phases 3 and 4 of mamoriWafHandler, on the app's answer.
 *
 * Blocking mode: the answer is held in the response's own writeHead, write and end (wrapped on
 * this one response): its head (writeHead, or the head the first write or end implies) until
 * phase 3 has run on it, and, when phase 4 reads bodies of its Content-Type, its body up to
 * SecResponseBodyLimit. A refusal replaces the answer whole (none of the app's headers is kept);
 * otherwise the app's own calls are made on the response, in the order it made them, so that its
 * status, headers, framing and bytes are what they would have been. Past the limit, phase 4 runs
 * on what is held (SecResponseBodyLimitAction decides: ProcessPartial reads the first part,
 * Reject refuses) and the rest streams. Answers phase 4 does not read (another type, HEAD, 204,
 * 304) stream as soon as phase 3 has passed their head. A compressed answer (gzip, deflate, br)
 * is read inflated, as the proxy reads it.
 *
 * Detect mode: nothing is held or changed; phase 3 runs on the head as it goes, phase 4 on a copy
 * of the body (up to the limit), and both only record.
 */
import { STATUS_CODES, validateHeaderName, validateHeaderValue, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { codingOf, inflatedStart } from './waf-answer-coding.js';
import { bodyAllowedFor, plainError, renderedHeaders } from '../proxy/respond.js';
import type { RenderedResponse, Verdict } from './verdict.js';
import type { WafExchange } from './waf-guard.js';

export interface ResponseGuardOptions {
  /** Blocking mode (waf.mode enforce): hold the answer until the phases have passed it. */
  readonly enforce: boolean;
  /** The request's method (HEAD has no body). */
  readonly method: string;
  /** The answer for a verdict phase 3 or 4 returned; undefined when it is not enforced. */
  readonly refusal: (v: Verdict) => RenderedResponse | undefined;
  /** Called with the status of a refusal once it is sent. */
  readonly refused: (status: number) => void;
  readonly onError: (err: unknown) => void;
}

type Callback = (err?: Error | null) => void;
type Chunk = string | Uint8Array;

/** One of the app's calls, held: made on the response once the phases have passed the answer. */
type Held = { kind: 'head'; args: unknown[] } | { kind: 'write'; chunk: Chunk; encoding: BufferEncoding | undefined; cb: Callback | undefined } | { kind: 'end'; chunk: Chunk | undefined; encoding: BufferEncoding | undefined; cb: Callback | undefined };

/** open: no head yet; holding: head (and body) held; passing: the app's calls go through; replaced: a refusal was sent. */
type State = 'open' | 'holding' | 'passing' | 'replaced';

const isChunk = (c: unknown): c is Chunk => typeof c === 'string' || c instanceof Uint8Array;

function bytesOf(chunk: Chunk, encoding: BufferEncoding | undefined): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding && Buffer.isEncoding(encoding) ? encoding : 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The headers an answer will carry: those set with setHeader, and those given to writeHead (which win, as in node). */
function headHeaders(set: OutgoingHttpHeaders, given: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const put = (k: string, v: unknown) => {
    if (v === undefined) return;
    out[k.toLowerCase()] = Array.isArray(v) ? v.map(String) : String(v);
  };
  for (const [k, v] of Object.entries(set)) put(k, v);
  if (Array.isArray(given)) {
    // [name, value, name, value...] or [[name, value], ...]: repeats kept.
    const pairs: [string, unknown][] = [];
    if (given.length && Array.isArray(given[0])) for (const p of given as unknown[][]) pairs.push([String(p[0]), p[1]]);
    else for (let i = 0; i + 1 < given.length; i += 2) pairs.push([String(given[i]), given[i + 1]]);
    const grouped = new Map<string, string[]>();
    for (const [k, v] of pairs) {
      const name = k.toLowerCase();
      const list = grouped.get(name) ?? [];
      list.push(...(Array.isArray(v) ? v.map(String) : [String(v)]));
      grouped.set(name, list);
    }
    for (const [k, list] of grouped) out[k] = list.length === 1 ? list[0]! : list;
  } else if (given && typeof given === 'object') {
    for (const [k, v] of Object.entries(given)) put(k, v);
  }
  return out;
}

/** Throws node's own error for a header node would refuse (so that the app sees it where it would without the WAF). */
function validateGiven(given: unknown): void {
  const check = (k: unknown, v: unknown) => {
    validateHeaderName(String(k));
    for (const x of Array.isArray(v) ? v : [v]) validateHeaderValue(String(k), x);
  };
  if (Array.isArray(given)) {
    if (given.length && Array.isArray(given[0])) for (const p of given as unknown[][]) check(p[0], p[1]);
    else for (let i = 0; i + 1 < given.length; i += 2) check(given[i], given[i + 1]);
  } else if (given && typeof given === 'object') {
    for (const [k, v] of Object.entries(given)) check(k, v);
  }
}

/** A getter the object inherits (ServerResponse's headersSent, wherever Express put the prototype). */
function protoGetter(o: object, name: string): (() => unknown) | undefined {
  for (let p = Object.getPrototypeOf(o) as object | null; p; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) return d.get;
  }
  return undefined;
}

/** Wraps this response's writeHead, write and end (own properties of `res`; nothing global) to run phases 3 and 4 on the answer. */
export function guardResponse(res: ServerResponse, x: WafExchange, o: ResponseGuardOptions): void {
  const writeHead = res.writeHead as (...a: unknown[]) => ServerResponse;
  const write = res.write as (...a: unknown[]) => boolean;
  const end = res.end as (...a: unknown[]) => ServerResponse;
  const sentGetter = protoGetter(res, 'headersSent');

  let state: State = 'open';
  let held: Held[] = [];
  let body: Buffer[] = [];
  let size = 0;
  /** The bytes phase 4 reads at most (SecResponseBodyLimit, as the transaction has it). */
  let limit = 0;
  /** Detect mode: a copy of the body is kept for phase 4, which has not run yet. */
  let copying = false;
  /** The coding of a compressed answer phase 4 reads (inflated first). */
  let coding: ReturnType<typeof codingOf>;

  // An answer held is, to the app, an answer whose head is on its way (finalhandler and others look).
  if (sentGetter) {
    Object.defineProperty(res, 'headersSent', {
      configurable: true,
      enumerable: true,
      get(this: ServerResponse) {
        return state === 'holding' || sentGetter.call(this) === true;
      },
    });
  }

  const settleCallbacks = (list: Held[]) => {
    for (const h of list) {
      if (h.kind === 'write' && h.cb) process.nextTick(h.cb);
      else if (h.kind === 'end' && h.cb) {
        const cb = h.cb;
        if (res.writableFinished) process.nextTick(cb);
        else res.once('finish', () => cb());
      }
    }
  };

  /** Sends the WAF's answer instead of the app's; whatever the app writes next is dropped. */
  const replace = (answer: RenderedResponse) => {
    const pending = held;
    held = [];
    body = [];
    state = 'replaced';
    try {
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      const bytes = Buffer.from(answer.body, 'utf8');
      writeHead.call(res, answer.status, STATUS_CODES[answer.status] ?? 'unknown', renderedHeaders(answer, bytes.length));
      end.call(res, bodyAllowedFor(o.method, answer.status) ? bytes : undefined);
    } catch (err) {
      o.onError(err);
      res.destroy();
    }
    settleCallbacks(pending);
    try {
      o.refused(answer.status);
    } catch (err) {
      o.onError(err);
    }
  };

  /** An error inside the WAF: as the proxy, 500 while nothing went out, else the answer is cut; in detect mode nothing changes. */
  const failed = (err: unknown) => {
    o.onError(err);
    copying = false;
    if (!o.enforce) {
      if (state !== 'replaced') state = 'passing';
      return;
    }
    if (state === 'passing') res.destroy();
    else if (state !== 'replaced') replace(plainError(500));
  };

  /** Whether a verdict replaced the answer. */
  const stopped = (v: Verdict | undefined): boolean => {
    if (!v) return false;
    const r = o.refusal(v);
    if (!r) return false;
    replace(r);
    return true;
  };

  /** Phase 3 on the head, then what to do with the body. */
  const onHead = (status: number, headers: Record<string, string | string[]>) => {
    try {
      // A compressed answer whose body phase 4 reads is judged as inflated, without its
      // Content-Encoding (CRS passes over the bodies of compressed answers), as in the proxy.
      coding = bodyAllowedFor(o.method, status) && x.wantsResponseBodyOf(headers['content-type']) ? codingOf(headers['content-encoding']) : undefined;
      const judged = coding ? Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'content-encoding')) : headers;
      if (stopped(x.responseHead(status, judged))) return;
      const reads = bodyAllowedFor(o.method, status) && x.wantsResponseBody();
      limit = x.tx.responseBodyLimit;
      if (reads && o.enforce) state = 'holding';
      else {
        state = 'passing';
        copying = reads;
      }
    } catch (err) {
      failed(err);
    }
  };

  /** Phase 4 on what is held (or copied); true when the answer was replaced. */
  const inspectBody = (): boolean => {
    const b = Buffer.concat(body, size);
    body = [];
    copying = false;
    try {
      return stopped(x.responseBody(coding ? inflatedStart(b, coding, limit + 1) : b));
    } catch (err) {
      failed(err);
      return state === 'replaced';
    }
  };

  /** The app's held calls, made on the response in order; the last one's result. */
  const release = (): unknown => {
    const list = held;
    held = [];
    body = [];
    state = 'passing';
    let last: unknown;
    for (const h of list) {
      if (h.kind === 'head') last = writeHead.apply(res, h.args);
      else if (h.kind === 'write') last = write.call(res, h.chunk, h.encoding, h.cb);
      else last = end.call(res, h.chunk, h.encoding, h.cb);
    }
    return last;
  };

  /** Keeps a copy of a chunk for phase 4 (up to just past the limit). */
  const keep = (chunk: Chunk | undefined, encoding: BufferEncoding | undefined) => {
    if (chunk === undefined || size > limit) return;
    const b = bytesOf(chunk, encoding);
    body.push(b);
    size += b.length;
  };

  /** A chunk held (blocking mode, a body phase 4 reads): phase 4 at the end or past the limit, else held on. */
  const hold = (h: Held & { kind: 'write' | 'end' }): unknown => {
    held.push(h);
    keep(h.chunk, h.encoding);
    if (h.kind === 'end' || size > limit) {
      if (inspectBody()) return h.kind === 'end' ? res : false;
      return release();
    }
    // Held: the app may go on writing (its callback is called now, not when the bytes leave).
    if (h.cb) {
      process.nextTick(h.cb);
      h.cb = undefined;
    }
    return true;
  };

  /** Detect mode: phase 4 on the copy, once it is past the limit or at the end (records only). */
  const copyThrough = (chunk: Chunk | undefined, encoding: BufferEncoding | undefined, last: boolean) => {
    if (!copying) return;
    keep(chunk, encoding);
    if (last || size > limit) inspectBody();
  };

  /** Set while a write or end asks for the head, as node's _implicitHeader does. */
  let implicit = false;

  const wrappedWriteHead = function (this: ServerResponse, ...args: unknown[]) {
    const fromWrite = implicit;
    implicit = false;
    if (state === 'passing') return writeHead.apply(this, args);
    if (state === 'replaced') return this;
    const code = (args[0] as number) | 0;
    if (state === 'holding') {
      // The head asked for again by a write (res._implicitHeader(), as compression does): already held.
      if (args.length === 1 && code === this.statusCode) return this;
      const err = new Error('Cannot write headers after they are sent to the client') as NodeJS.ErrnoException;
      err.code = 'ERR_HTTP_HEADERS_SENT';
      throw err;
    }
    // Node's own errors for a status or header it refuses, thrown here as they would be without the WAF.
    if (code < 100 || code > 999) return writeHead.apply(this, args);
    const reason = typeof args[1] === 'string' ? args[1] : undefined;
    // writeHead(status, reason, headers) or writeHead(status, headers), as node reads them.
    const given = reason === undefined ? (args[2] ?? args[1]) : args[2];
    if (!fromWrite) validateGiven(given);
    this.statusCode = code;
    if (reason !== undefined) this.statusMessage = reason;
    held.push({ kind: 'head', args });
    onHead(code, headHeaders(this.getHeaders(), given));
    if ((state as State) === 'passing') release();
    return this;
  } as ServerResponse['writeHead'];

  /**
   * The head a first write or end implies, asked for as node asks for it (res.writeHead(statusCode)
   * through whatever wraps it above: express-session, on-headers and the like add their headers
   * now), so that phase 3 sees them; straight to our own when something above does not pass it on.
   */
  const impliedHead = (r: ServerResponse) => {
    implicit = true;
    try {
      r.writeHead(r.statusCode);
    } finally {
      implicit = false;
    }
    if (state === 'open') wrappedWriteHead.call(r, r.statusCode);
  };

  res.writeHead = wrappedWriteHead;

  res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown) {
    if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    // Node's own error for what is not a chunk (thrown before anything is written).
    if (state !== 'passing' && !isChunk(chunk)) return write.call(this, chunk, encoding, cb);
    const callback = typeof cb === 'function' ? (cb as Callback) : undefined;
    const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined;
    if (state === 'open') impliedHead(this);
    if (state === 'passing') {
      if (isChunk(chunk)) copyThrough(chunk, enc, false);
      return write.call(this, chunk, encoding, cb);
    }
    if (state === 'replaced') {
      if (callback) process.nextTick(callback);
      return false;
    }
    return hold({ kind: 'write', chunk: chunk as Chunk, encoding: enc, cb: callback }) as boolean;
  } as ServerResponse['write'];

  res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) {
    if (typeof chunk === 'function') {
      cb = chunk;
      chunk = undefined;
    } else if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    const callback = typeof cb === 'function' ? (cb as Callback) : undefined;
    const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined;
    const last = isChunk(chunk) ? chunk : undefined;
    if (state === 'open') {
      // Node's own error for what is not a chunk.
      if (chunk !== undefined && chunk !== null && last === undefined) return end.call(this, chunk, encoding, cb);
      // The length node gives an answer whose only body is end's (an implied head, no framing set).
      if (bodyAllowedFor(o.method, this.statusCode) && !this.hasHeader('content-length') && !this.hasHeader('transfer-encoding') && !this.hasHeader('trailer')) {
        this.setHeader('content-length', last === undefined ? 0 : typeof last === 'string' ? Buffer.byteLength(last, enc && Buffer.isEncoding(enc) ? enc : 'utf8') : last.byteLength);
      }
      impliedHead(this);
    }
    if (state === 'passing') {
      copyThrough(last, enc, true);
      return end.call(this, chunk, encoding, cb);
    }
    if (state === 'replaced') {
      if (callback) settleCallbacks([{ kind: 'end', chunk: undefined, encoding: undefined, cb: callback }]);
      return this;
    }
    if (chunk !== undefined && chunk !== null && last === undefined) return end.call(this, chunk, encoding, cb);
    return hold({ kind: 'end', chunk: last, encoding: enc, cb: callback });
  } as ServerResponse['end'];
}
