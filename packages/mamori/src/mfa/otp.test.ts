import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode, hotp, otpauthUri, parseOtpauthUri, totp, totpStep } from './otp.js';
import { isMamoriError } from '../core/errors.js';

// RFC 4226, Appendix D: the secret "12345678901234567890" and the HOTP values of counts 0 to 9.
const RFC4226_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

// RFC 6238, Appendix B: 8-digit TOTP values, T0 = 0, X = 30, for each hash's seed.
const SEEDS = {
  sha1: Buffer.from('12345678901234567890', 'ascii'),
  sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
} as const;
const RFC6238: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('HOTP (RFC 4226)', () => {
  it('gives every value of Appendix D', () => {
    let n = 0;
    for (let c = 0; c < RFC4226.length; c++, n++) assert.equal(hotp(RFC4226_SECRET, c), RFC4226[c], `count ${c}`);
    assert.equal(n, 10);
  });

  it('refuses a digit count outside 6 to 8, an unknown hash, and a negative counter', () => {
    for (const digits of [5, 9, 6.5]) assert.throws(() => hotp(RFC4226_SECRET, 0, { digits }), (e) => isMamoriError(e) && e.code === 'MAMORI_ERR_MFA_PARAMS');
    assert.throws(() => hotp(RFC4226_SECRET, 0, { algorithm: 'md5' as never }), (e) => isMamoriError(e) && e.code === 'MAMORI_ERR_MFA_PARAMS');
    assert.throws(() => hotp(RFC4226_SECRET, -1), (e) => isMamoriError(e) && e.code === 'MAMORI_ERR_MFA_PARAMS');
  });
});

describe('TOTP (RFC 6238)', () => {
  it('gives every value of Appendix B, for SHA-1, SHA-256 and SHA-512', () => {
    let n = 0;
    for (const [t, s1, s256, s512] of RFC6238) {
      assert.equal(totp(SEEDS.sha1, t * 1000, { digits: 8 }), s1, `SHA-1 at ${t}`);
      assert.equal(totp(SEEDS.sha256, t * 1000, { digits: 8, algorithm: 'sha256' }), s256, `SHA-256 at ${t}`);
      assert.equal(totp(SEEDS.sha512, t * 1000, { digits: 8, algorithm: 'sha512' }), s512, `SHA-512 at ${t}`);
      n += 3;
    }
    assert.equal(n, 18);
  });

  it('numbers time steps from the epoch in whole periods', () => {
    assert.equal(totpStep(59_999), 1);
    assert.equal(totpStep(60_000), 2);
    assert.equal(totpStep(60_000, 60), 1);
    assert.equal(totpStep(20_000_000_000_000), 666_666_666);
  });
});

describe('Base32 (RFC 4648)', () => {
  it('encodes the RFC 4648 §10 vectors (without padding) and decodes them back', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, enc] of vectors) {
      assert.equal(base32Encode(Buffer.from(plain)), enc);
      assert.equal(base32Decode(enc).toString(), plain);
      assert.equal(base32Decode(`${enc.toLowerCase()}======`).toString(), plain, 'case and padding do not matter');
    }
  });

  it('reads a secret typed in groups, and names the position of a character that is not Base32', () => {
    assert.equal(base32Decode('mzxw 6ytb-oi').toString(), 'foobar');
    assert.throws(() => base32Decode('MZXW1YTB'), /"1" at position 5/);
    assert.throws(() => base32Decode('MZXW6YTBO'), /whole byte/, 'a character left over');
  });
});

describe('otpauth URIs', () => {
  const secret = Buffer.from('0123456789abcdef0123', 'ascii');

  it('writes every parameter, and parses back what it wrote', () => {
    const uri = otpauthUri({ issuer: 'Example Shop', account: 'alice@example.com', secret, algorithm: 'sha256', digits: 8, period: 60 });
    assert.equal(uri, `otpauth://totp/Example%20Shop:alice%40example.com?secret=${base32Encode(secret)}&issuer=Example%20Shop&algorithm=SHA256&digits=8&period=60`);
    const back = parseOtpauthUri(uri);
    assert.deepEqual({ ...back, secret: Buffer.from(back.secret).toString() }, { issuer: 'Example Shop', account: 'alice@example.com', secret: secret.toString(), algorithm: 'sha256', digits: 8, period: 60 });
  });

  it('takes the defaults of a URI that leaves parameters out', () => {
    const p = parseOtpauthUri(`otpauth://totp/alice?secret=${base32Encode(secret)}`);
    assert.equal(p.algorithm, 'sha1');
    assert.equal(p.digits, 6);
    assert.equal(p.period, 30);
    assert.equal(p.account, 'alice');
  });

  it('refuses labels that would move the split, short secrets, and other URIs', () => {
    assert.throws(() => otpauthUri({ issuer: 'a:b', account: 'x', secret }), /issuer/);
    assert.throws(() => otpauthUri({ issuer: 'a', account: 'x\n', secret }), /account/);
    assert.throws(() => otpauthUri({ issuer: 'a', account: 'x', secret: secret.subarray(0, 8) }), (e) => isMamoriError(e) && e.code === 'MAMORI_ERR_MFA_SECRET');
    assert.throws(() => parseOtpauthUri('otpauth://hotp/x?secret=MZXW6YTB'), /otpauth:\/\/totp/);
    assert.throws(() => parseOtpauthUri('otpauth://totp/x?secret=MZXW6YTB'), /too short/);
    assert.throws(() => parseOtpauthUri('otpauth://totp/A:x?secret=MZXW6YTBMZXW6YTB&issuer=B'), /differs/);
    assert.throws(() => parseOtpauthUri(`otpauth://totp/x?secret=${base32Encode(secret)}&digits=10`), /6 to 8 digits/);
  });
});
