/**
 * A software authenticator for tests (a .case file: not shipped): an EC P-256 key from
 * node:crypto, authenticator data, clientDataJSON and a 'none' attestation object in CBOR, and
 * ES256 assertions, laid out as WebAuthn Level 2 §6.1 and §6.5 describe them.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// --- a minimal CBOR encoder (RFC 8949: the major types a 'none' attestation needs) ---
export type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
export function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v, 'utf8')]);
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
}

export const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();
export const UP = 0x01;
export const UV = 0x04;
const AT = 0x40;

/** One credential of a software authenticator. */
export class SoftKey {
  readonly id = randomBytes(16);
  readonly priv: KeyObject;
  readonly cose: Buffer;
  counter = 0;
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.priv = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    this.cose = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
  }
}

export interface Opts {
  origin?: string;
  rpId?: string;
  flags?: number;
  type?: string;
}

function authData(rpId: string, flags: number, counter: number, attested?: SoftKey): Buffer {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(counter);
  const parts: Buffer[] = [sha256(rpId), Buffer.from([flags]), c];
  if (attested) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(attested.id.length);
    parts.push(Buffer.alloc(16), len, attested.id, attested.cose);
  }
  return Buffer.concat(parts);
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

/** navigator.credentials.create, in software: a registration response's JSON. */
export function create(key: SoftKey, options: { challenge: string }, o: Opts = {}): string {
  const ad = authData(o.rpId ?? 'localhost', (o.flags ?? UP | UV) | AT, key.counter, key);
  const att = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', ad]]));
  const cd = clientData(o.type ?? 'webauthn.create', options.challenge, o.origin ?? 'http://localhost:8080');
  return JSON.stringify({ id: b64u(key.id), rawId: b64u(key.id), type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: b64u(cd), attestationObject: b64u(att), transports: ['internal'] } });
}

/** navigator.credentials.get, in software: an assertion's JSON (the counter counts up first). */
export function get(key: SoftKey, options: { challenge: string }, o: Opts & { counter?: number } = {}): string {
  key.counter = o.counter ?? key.counter + 1;
  const ad = authData(o.rpId ?? 'localhost', o.flags ?? UP | UV, key.counter);
  const cd = clientData(o.type ?? 'webauthn.get', options.challenge, o.origin ?? 'http://localhost:8080');
  const sig = sign('sha256', Buffer.concat([ad, sha256(cd)]), key.priv);
  return JSON.stringify({ id: b64u(key.id), rawId: b64u(key.id), type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: b64u(cd), authenticatorData: b64u(ad), signature: b64u(sig) } });
}

