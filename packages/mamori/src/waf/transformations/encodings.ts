/**
 * Encodings and digests:
 *
 *   t:base64Decode      standard Base64, decoded up to the first character outside its alphabet
 *   t:base64DecodeExt   forgiving: characters outside the alphabet are skipped, `-` and `_` read as `+` and `/`
 *   t:base64Encode      standard Base64 with padding
 *   t:hexDecode         pairs of hex digits to bytes (a character that starts no pair is kept)
 *   t:hexEncode         each byte as two lower-case hex digits
 *   t:sqlHexDecode      SQL hex literals (`0x414243`) to their bytes
 *   t:length            the length in bytes, as decimal text
 *   t:md5, t:sha1       the binary digest
 *
 *   SecRule ARGS "@rx <\?php" "t:base64Decode"
 */
import { createHash } from 'node:crypto';
import { hexValue, type Transformation } from './bytes.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

function base64(input: string, forgiving: boolean): string {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < input.length; i++) {
    let c = input.charCodeAt(i);
    if (forgiving) c = c === 45 ? 43 : c === 95 ? 47 : c;
    const v = c < 256 ? VALUE[c]! : -1;
    if (v < 0) {
      if (forgiving) continue;
      break;
    }
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  let s = '';
  for (let i = 0; i < out.length; i += 8192) s += String.fromCharCode.apply(null, out.slice(i, i + 8192));
  return s;
}

export const base64Decode: Transformation = (s) => base64(s, false);
export const base64DecodeExt: Transformation = (s) => base64(s, true);
export const base64Encode: Transformation = (s) => Buffer.from(s, 'latin1').toString('base64');
export const hexEncode: Transformation = (s) => Buffer.from(s, 'latin1').toString('hex');

export const hexDecode: Transformation = (input) => {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const hi = hexValue(input.charCodeAt(i));
    const lo = i + 1 < input.length ? hexValue(input.charCodeAt(i + 1)) : -1;
    if (hi >= 0 && lo >= 0) {
      out += String.fromCharCode((hi << 4) | lo);
      i++;
    } else {
      out += input[i];
    }
  }
  return out;
};

export const sqlHexDecode: Transformation = (input) => {
  let out = '';
  let at = 0;
  for (let i = 0; i + 3 < input.length; i++) {
    if (input.charCodeAt(i) !== 48 || (input.charCodeAt(i + 1) | 0x20) !== 120) continue;
    let j = i + 2;
    let bytes = '';
    while (j + 1 < input.length && hexValue(input.charCodeAt(j)) >= 0 && hexValue(input.charCodeAt(j + 1)) >= 0) {
      bytes += String.fromCharCode((hexValue(input.charCodeAt(j)) << 4) | hexValue(input.charCodeAt(j + 1)));
      j += 2;
    }
    if (j === i + 2) continue;
    out += input.slice(at, i) + bytes;
    at = j;
    i = j - 1;
  }
  return at === 0 ? input : out + input.slice(at);
};

export const length: Transformation = (s) => String(s.length);
export const md5: Transformation = (s) => createHash('md5').update(s, 'latin1').digest().toString('latin1');
export const sha1: Transformation = (s) => createHash('sha1').update(s, 'latin1').digest().toString('latin1');
