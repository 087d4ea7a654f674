/**
 * The size limits a configuration sets on what a transaction reads, applied as ModSecurity v2
 * documents them (defaults are v2's):
 *
 * - SecRequestBodyLimit: the largest request body. Over it, with SecRequestBodyLimitAction
 *   Reject and the engine On, the request is refused with 413 before any phase 2 rule runs;
 *   with ProcessPartial (or in DetectionOnly, which never refuses) the first `limit` bytes are
 *   read and the rest is not inspected. Either way INBOUND_DATA_ERROR is 1.
 * - SecRequestBodyNoFilesLimit: the same, for the body less the content of uploaded files (the
 *   whole body unless it is multipart).
 * - SecResponseBodyLimit / SecResponseBodyLimitAction: the largest response body phase 4 reads;
 *   over it, Reject answers 500 (engine On), ProcessPartial reads the first `limit` bytes;
 *   OUTBOUND_DATA_ERROR is 1.
 * - SecArgumentsLimit, SecUploadFileLimit, SecRequestBodyJsonDepthLimit: ArgumentLimits
 *   (request-variables.ts); past them the body is a body error (REQBODY_ERROR).
 *
 * SecRequestBodyInMemoryLimit is read and has no effect: mamori holds a body in memory, and
 * SecRequestBodyLimit bounds it. SecPcreMatchLimit and SecPcreMatchLimitRecursion are read and
 * have no effect: rules' regular expressions run in a linear-time engine (regex.ts), which
 * has no backtracking to limit.
 */
import type { EngineMode } from './transaction.js';

export type LimitAction = 'Reject' | 'ProcessPartial';

export interface BodyLimits {
  /** SecRequestBodyLimit, bytes. */
  readonly requestBody: number;
  /** SecRequestBodyNoFilesLimit, bytes. */
  readonly requestBodyNoFiles: number;
  /** SecRequestBodyLimitAction. */
  readonly requestBodyAction: LimitAction;
  /** SecResponseBodyLimit, bytes. */
  readonly responseBody: number;
  /** SecResponseBodyLimitAction. */
  readonly responseBodyAction: LimitAction;
}

/** ModSecurity v2's defaults: 12.5 MiB, 128 KiB, Reject; 512 KiB, Reject. */
export const DEFAULT_BODY_LIMITS: BodyLimits = {
  requestBody: 13_107_200,
  requestBodyNoFiles: 131_072,
  requestBodyAction: 'Reject',
  responseBody: 524_288,
  responseBodyAction: 'Reject',
};

/** What a limit does to a body: how much of it is read, and whether the transaction is refused. */
export interface LimitVerdict {
  /** The bytes read (the body, or its first `limit` bytes). */
  readonly read: string;
  /** Over the limit. */
  readonly over: boolean;
  /** The status to refuse with (413 request, 500 response), when the limit refuses. */
  readonly refuse: number | undefined;
  readonly message: string | undefined;
}

/**
 * `body` against `limit`: Reject with the engine On refuses with `status`; otherwise (or with
 * ProcessPartial) the first `limit` bytes are read.
 */
export function applyLimit(body: string, limit: number, action: LimitAction, mode: EngineMode, status: number, what: string): LimitVerdict {
  if (body.length <= limit) return { read: body, over: false, refuse: undefined, message: undefined };
  const message = `${what} is larger than the configured limit (${limit})`;
  if (action === 'Reject' && mode === 'On') return { read: '', over: true, refuse: status, message };
  return { read: body.slice(0, limit), over: true, refuse: undefined, message };
}

/** A limit directive's number: a positive integer (as ModSecurity requires), or an error. */
export function limitValue(name: string, arg: string): number | string {
  if (!/^\d{1,15}$/.test(arg.trim()) || Number(arg) <= 0) return `${name} takes a positive number of bytes (or arguments), not ${JSON.stringify(arg.slice(0, 40))}`;
  return Number(arg);
}
