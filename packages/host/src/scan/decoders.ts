/**
 * The decoders PHP webshells wrap their code in, as PHP runs them, each with a
 * bound on its output: zlib is given `maxOutputLength`, so a deflate bomb stops
 * at the bound (`TooLarge`) instead of filling memory.
 */
import { inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';

export const DECODERS = ['gzinflate', 'gzuncompress', 'gzdecode', 'base64_decode', 'str_rot13', 'strrev', 'hex2bin', 'rawurldecode', 'urldecode', 'stripslashes', 'convert_uudecode'] as const;
export type Decoder = (typeof DECODERS)[number];

/** A decoded output over the bound. */
export class TooLarge extends Error {}
export function decode(name: Decoder, input: Buffer, limit: number): Buffer {
  let out: Buffer;
  switch (name) {
    case 'base64_decode':
      // PHP's base64_decode skips characters outside the alphabet; so does Buffer.
      out = Buffer.from(input.toString('latin1').replace(/[^A-Za-z0-9+/=_-]/g, ''), 'base64');
      break;
    case 'gzinflate':
      out = inflateRawSync(input, { maxOutputLength: limit });
      break;
    case 'gzuncompress':
      out = inflateSync(input, { maxOutputLength: limit });
      break;
    case 'gzdecode':
      out = gunzipSync(input, { maxOutputLength: limit });
      break;
    case 'str_rot13':
      out = Buffer.from(input.toString('latin1').replace(/[a-zA-Z]/g, (c) => {
        const b = c <= 'Z' ? 65 : 97;
        return String.fromCharCode(((c.charCodeAt(0) - b + 13) % 26) + b);
      }), 'latin1');
      break;
    case 'strrev':
      out = Buffer.from(input).reverse();
      break;
    case 'hex2bin': {
      const s = input.toString('latin1').replace(/\s+/g, '');
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) throw new Error('hex2bin: not hex');
      out = Buffer.from(s, 'hex');
      break;
    }
    case 'rawurldecode':
    case 'urldecode': {
      let s = input.toString('latin1');
      if (name === 'urldecode') s = s.replace(/\+/g, ' ');
      out = Buffer.from(s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      break;
    }
    case 'stripslashes':
      out = Buffer.from(input.toString('latin1').replace(/\\(.)/gs, '$1'), 'latin1');
      break;
    case 'convert_uudecode':
      out = uudecode(input.toString('latin1'));
      break;
  }
  if (out.length > limit) throw new TooLarge(`${name}: output over ${limit} bytes`);
  return out;
}

function uudecode(s: string): Buffer {
  const out: number[] = [];
  for (const line of s.split('\n')) {
    if (line.length === 0) continue;
    const n = (line.charCodeAt(0) - 32) & 63;
    if (n === 0) break;
    const bytes: number[] = [];
    for (let i = 1; i + 3 < line.length + 3 && bytes.length < n; i += 4) {
      const c = [0, 1, 2, 3].map((k) => ((line.charCodeAt(i + k) || 32) - 32) & 63);
      bytes.push(((c[0]! << 2) | (c[1]! >> 4)) & 255, ((c[1]! << 4) | (c[2]! >> 2)) & 255, ((c[2]! << 6) | c[3]!) & 255);
    }
    out.push(...bytes.slice(0, n));
  }
  return Buffer.from(out);
}
