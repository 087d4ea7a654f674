/**
 * The transformations mamori's WAF knows, by their SecLang names. Names are matched without
 * regard to case (CRS writes both `t:base64Decode` and `t:base64decode`). `t:none` is not a
 * transformation: it clears the ones inherited before it, and the rule compiler handles it.
 */
import { Registry } from '../../core/registry.js';
import type { Transformation } from './bytes.js';
import { cmdLine } from './cmd-line.js';
import { removeComments, removeCommentsChar, replaceComments } from './comments.js';
import { base64Decode, base64DecodeExt, base64Encode, hexDecode, hexEncode, length, md5, sha1, sqlHexDecode } from './encodings.js';
import { cssDecode, escapeSeqDecode, jsDecode } from './escapes.js';
import { htmlEntityDecode } from './html.js';
import { normalizePath, normalizePathWin } from './path.js';
import { compressWhitespace, lowercase, removeNulls, removeWhitespace, replaceNulls, trim, trimLeft, trimRight, uppercase } from './text.js';
import { urlDecode, urlDecodeUni, urlEncode } from './url.js';
import { utf8toUnicode } from './utf8.js';

export type { Transformation } from './bytes.js';

/** Every built-in transformation under its SecLang name (as the ModSecurity reference spells it). */
export const BUILTIN_TRANSFORMATIONS: Readonly<Record<string, Transformation>> = Object.freeze({
  base64Decode,
  base64DecodeExt,
  base64Encode,
  cmdLine,
  compressWhitespace,
  cssDecode,
  escapeSeqDecode,
  hexDecode,
  hexEncode,
  htmlEntityDecode,
  jsDecode,
  length,
  lowercase,
  md5,
  normalisePath: normalizePath,
  normalisePathWin: normalizePathWin,
  normalizePath,
  normalizePathWin,
  removeComments,
  removeCommentsChar,
  removeNulls,
  removeWhitespace,
  replaceComments,
  replaceNulls,
  sha1,
  sqlHexDecode,
  trim,
  trimLeft,
  trimRight,
  uppercase,
  urlDecode,
  urlDecodeUni,
  urlEncode,
  utf8toUnicode,
});

/** The name `t:none` clears the transformations before it with. */
export const NONE = 'none';

/** A registry of the built-in transformations, keyed by lower-case name; add your own, then freeze. */
export function transformationRegistry(): Registry<Transformation> {
  const r = new Registry<Transformation>('transformation');
  for (const [name, t] of Object.entries(BUILTIN_TRANSFORMATIONS)) r.register(name.toLowerCase(), t);
  return r;
}
