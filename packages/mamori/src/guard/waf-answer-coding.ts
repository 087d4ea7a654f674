/**
 * A compressed answer as phase 4 reads it: mamori asks the site (or the app) for no compression,
 * but one may compress all the same; then what the client will read is inflated, at most the
 * WAF's response limit of it. Shared by `mamori up` and `mamoriWafHandler`.
 */
import { brotliDecompressSync, constants, gunzipSync, inflateSync } from 'node:zlib';

/** A Content-Encoding of one coding phase 4 reads through: gzip, deflate or br; undefined for none, several or another. */
export function codingOf(encoding: string | string[] | undefined): 'gzip' | 'deflate' | 'br' | undefined {
  const e = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  return e === 'gzip' || e === 'x-gzip' ? 'gzip' : e === 'deflate' || e === 'br' ? e : undefined;
}

/**
 * What a compressed body (or its start) inflates to, at most `max` bytes, for phase 4: the app
 * was asked for no compression, but may compress all the same. Synchronous, so each try is
 * bounded by `max`; a body that inflates to more is cut to the longest start of it that inflates
 * to at most `max` (a binary search over its length: about 20 tries at most), so phase 4 reads
 * the first `max` bytes as the proxy does. What does not inflate is read as sent.
 */
export function inflatedStart(body: Buffer, coding: 'gzip' | 'deflate' | 'br', max: number): Buffer {
  const run = (input: Buffer): Buffer =>
    coding === 'br'
      ? brotliDecompressSync(input, { finishFlush: constants.BROTLI_OPERATION_FLUSH, maxOutputLength: max })
      : (coding === 'gzip' ? gunzipSync : inflateSync)(input, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: max });
  const tooLarge = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
  try {
    const out = run(body);
    return out.length === 0 ? body : out;
  } catch (err) {
    if (!tooLarge(err)) return body;
  }
  // [0, fits] inflates within max, [0, over] past it.
  let fits = 0;
  let over = body.length;
  let best: Buffer | undefined;
  while (over - fits > 1) {
    const mid = fits + Math.floor((over - fits) / 2);
    try {
      best = run(body.subarray(0, mid));
      fits = mid;
    } catch (err) {
      if (!tooLarge(err)) break;
      over = mid;
    }
  }
  return best !== undefined && best.length > 0 ? best : body;
}

