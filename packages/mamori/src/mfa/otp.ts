/**
 * One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238), the codes authenticator apps show,
 * with the Base32 secrets (RFC 4648) and `otpauth://` enrolment URIs those apps read.
 *
 * Only the arithmetic lives here. Which codes a verifier accepts (drift, replay, attempt limits)
 * is `totp-verifier.ts`'s policy.
 */
import { createHmac } from 'node:crypto';
import { MamoriError } from '../core/errors.js';

export type OtpAlgorithm = 'sha1' | 'sha256' | 'sha512';
export const OTP_ALGORITHMS: readonly OtpAlgorithm[] = ['sha1', 'sha256', 'sha512'];

export interface TotpParams {
  /** HMAC hash (RFC 6238 §1.2). Default sha1: the only one every authenticator app supports. */
  algorithm?: OtpAlgorithm;
  /** Code length, 6 to 8 (RFC 4226 §5.3 asks for at least 6). Default 6. */
  digits?: number;
  /** Time step in seconds (RFC 6238's X). Default 30. */
  period?: number;
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) {
    throw new MamoriError('MAMORI_ERR_MFA_PARAMS', `an OTP has 6 to 8 digits, not ${String(digits)}`);
  }
}

function checkPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1 || period > 3600) {
    throw new MamoriError('MAMORI_ERR_MFA_PARAMS', `a TOTP period is a whole number of seconds from 1 to 3600, not ${String(period)}`);
  }
}

function checkAlgorithm(algorithm: string): asserts algorithm is OtpAlgorithm {
  if (!(OTP_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new MamoriError('MAMORI_ERR_MFA_PARAMS', `an OTP algorithm is one of ${OTP_ALGORITHMS.join(', ')}, not ${JSON.stringify(String(algorithm).slice(0, 20))}`);
  }
}

/**
 * The HOTP value of `counter` under `secret` (RFC 4226 §5.3): HMAC of the 8-byte big-endian
 * counter, dynamic truncation to 31 bits, the last `digits` decimal digits, zero-padded.
 */
export function hotp(secret: Uint8Array, counter: number | bigint, opts: { algorithm?: OtpAlgorithm; digits?: number } = {}): string {
  const algorithm = opts.algorithm ?? 'sha1';
  const digits = opts.digits ?? 6;
  checkAlgorithm(algorithm);
  checkDigits(digits);
  const c = BigInt(counter);
  if (c < 0n || c > 0xffff_ffff_ffff_ffffn) throw new MamoriError('MAMORI_ERR_MFA_PARAMS', 'an HOTP counter is an unsigned 64-bit number');
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(c);
  const mac = createHmac(algorithm, secret).update(msg).digest();
  // Dynamic truncation: the low 4 bits of the last byte say where the 4 bytes start.
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(bin % POW10[digits]!).padStart(digits, '0');
}

/** The TOTP time step of a moment (RFC 6238 §4.2: T = floor((Unix time - T0) / X), T0 = 0). */
export function totpStep(timeMs: number, period = 30): number {
  checkPeriod(period);
  return Math.floor(Math.floor(timeMs / 1000) / period);
}

/** The TOTP code for a moment (ms since the epoch). */
export function totp(secret: Uint8Array, timeMs: number, params: TotpParams = {}): string {
  return hotp(secret, totpStep(timeMs, params.period ?? 30), params);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 (RFC 4648 §6), without padding: how authenticator apps take secrets. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * Base32 to bytes: case, spaces, hyphens and `=` padding are ignored (secrets are typed by
 * hand, in groups). Anything else, or trailing bits that are not zero, is an error naming
 * the position; `what` names the value in it.
 */
export function base32Decode(text: string, what = 'the secret'): Buffer {
  if (text.length > 1024) throw new MamoriError('MAMORI_ERR_MFA_SECRET', `${what} is longer than 1024 characters`);
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '-' || ch === '=') continue;
    const v = B32.indexOf(ch.toUpperCase());
    if (v < 0) throw new MamoriError('MAMORI_ERR_MFA_SECRET', `${what} is not Base32: ${JSON.stringify(ch)} at position ${i + 1}`);
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) throw new MamoriError('MAMORI_ERR_MFA_SECRET', `${what} does not end on a whole byte (a character missing or extra)`);
  return Buffer.from(out);
}

export interface OtpauthParams extends TotpParams {
  /** The service's name, shown by the app (and the label's prefix). */
  issuer: string;
  /** The account's name as the person knows it. */
  account: string;
  secret: Uint8Array;
}

/**
 * The `otpauth://totp/...` URI an authenticator app enrols from (the QR code's content), in the
 * format Google Authenticator's key-URI documentation describes: label `issuer:account`,
 * parameters secret, issuer, algorithm, digits, period. Parameters at their defaults are still
 * written: some apps ignore a missing one and some mis-read it.
 */
export function otpauthUri(p: OtpauthParams): string {
  const algorithm = p.algorithm ?? 'sha1';
  const digits = p.digits ?? 6;
  const period = p.period ?? 30;
  checkAlgorithm(algorithm);
  checkDigits(digits);
  checkPeriod(period);
  for (const [name, v] of [['issuer', p.issuer], ['account', p.account]] as const) {
    // A colon in either would move the label's split; control characters have no place in a label.
    if (typeof v !== 'string' || v.length === 0 || v.length > 200 || v.includes(':') || /[\x00-\x1f\x7f]/.test(v)) {
      throw new MamoriError('MAMORI_ERR_MFA_PARAMS', `the ${name} of an otpauth URI is 1 to 200 characters, without ":" or control characters`);
    }
  }
  if (p.secret.length < 16) throw new MamoriError('MAMORI_ERR_MFA_SECRET', 'a TOTP secret is at least 16 bytes (RFC 4226 §4 asks for 128 bits, recommends 160)');
  const label = `${encodeURIComponent(p.issuer)}:${encodeURIComponent(p.account)}`;
  const q = [
    `secret=${base32Encode(p.secret)}`,
    `issuer=${encodeURIComponent(p.issuer)}`,
    `algorithm=${algorithm.toUpperCase()}`,
    `digits=${digits}`,
    `period=${period}`,
  ];
  return `otpauth://totp/${label}?${q.join('&')}`;
}

/** What an `otpauth://totp/` URI says (an enrolment moved from another system). Errors name the part that is wrong. */
export function parseOtpauthUri(uri: string): OtpauthParams & { algorithm: OtpAlgorithm; digits: number; period: number } {
  if (uri.length > 2048) throw new MamoriError('MAMORI_ERR_MFA_PARAMS', 'the otpauth URI is longer than 2048 characters');
  let u: URL;
  try {
    u = new URL(uri);
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_MFA_PARAMS', 'not a URI', { cause: err });
  }
  if (u.protocol !== 'otpauth:' || u.host !== 'totp') throw new MamoriError('MAMORI_ERR_MFA_PARAMS', `not an otpauth://totp/ URI (${u.protocol}//${u.host})`);
  let label: string;
  try {
    label = decodeURIComponent(u.pathname.replace(/^\//, ''));
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_MFA_PARAMS', 'the label is not valid percent-encoding', { cause: err });
  }
  const colon = label.indexOf(':');
  const labelIssuer = colon >= 0 ? label.slice(0, colon).trim() : undefined;
  const account = (colon >= 0 ? label.slice(colon + 1) : label).trim();
  const issuer = u.searchParams.get('issuer') ?? labelIssuer ?? '';
  if (labelIssuer !== undefined && u.searchParams.has('issuer') && labelIssuer !== issuer) {
    throw new MamoriError('MAMORI_ERR_MFA_PARAMS', `the label's issuer ${JSON.stringify(labelIssuer)} differs from the issuer parameter ${JSON.stringify(issuer)}`);
  }
  const secretText = u.searchParams.get('secret');
  if (!secretText) throw new MamoriError('MAMORI_ERR_MFA_SECRET', 'the otpauth URI has no secret');
  const algorithm = (u.searchParams.get('algorithm') ?? 'SHA1').toLowerCase();
  checkAlgorithm(algorithm);
  const digits = Number(u.searchParams.get('digits') ?? '6');
  checkDigits(digits);
  const period = Number(u.searchParams.get('period') ?? '30');
  checkPeriod(period);
  const secret = base32Decode(secretText, 'the secret parameter');
  if (secret.length < 10) throw new MamoriError('MAMORI_ERR_MFA_SECRET', `the secret is ${secret.length} bytes: too short to be safe (at least 10, 80 bits)`);
  return { issuer, account, secret, algorithm, digits, period };
}
