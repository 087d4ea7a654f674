/**
 * The form an account name is counted under (accountSkeleton), and the tables it cleans
 * names with. Kept apart from the login policy: what a site may treat as one account is a
 * fact about sites and databases, not a threshold.
 */
import { normalizeIdentifier } from '../core/crypto.js';
import { asciiFold } from '../core/siphash.js';

/**
 * The form an account name is counted under, merging whatever a site may treat as the same
 * account (WordPress's sanitize_user drops tags, %XX escapes and &entities;, strips accents and
 * collapses spaces): `adm%41in`, `ad<b>min`, `ad<script>1</script>min`, `admin&x;` and `àdmin`
 * all count as `admin`. Merging too much is the safe direction: it only makes counts stricter
 * (an attacker could always lock an account by typing its plain name).
 */
export function accountSkeleton(name: string): string {
  // Printable ASCII with nothing to clean (no space, %, & or <): only case folds. Most names.
  return PLAIN_NAME.test(name) ? name.toLowerCase() : cleanAccountName(name);
}

/** accountSkeleton's whole cleaning, for any name (exported for the test that holds the shortcut to it). */
export function cleanAccountName(name: string): string {
  let n = name;
  // First what a database collation ignores or folds (MariaDB's unicode collations): all marks
  // after NFKD (Latin accents, and the kana voicing marks too: there がく is かく), invisible
  // and control characters (WordPress strips NUL; the collation ignores the rest), and the Latin
  // letters WordPress's remove_accents maps without a decomposition (đ, ı, ł, ø, ß...). Before
  // the cleaning below, so that U+FEFF, which \s matches, is dropped rather than made a space.
  if (!ASCII_NAME.test(n)) {
    n = n
      .replace(COLLATION_IGNORED, '')
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(IGNORABLE, '')
      .replace(CONTROL, '')
      .replace(LATIN_LETTERS, (c) => LATIN_FOLD[c] ?? c);
  }
  if (CLEANED.test(n)) {
    n = n
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
      .replace(/<[\s\S]*>/g, '') // from the first < to the last >
      .replace(/<[\s\S]*$/, '') // and an unclosed one to the end
      .replace(/%[0-9a-f]{2}/gi, '')
      .replace(/&[^;]*;/g, '')
      .replace(/\s+/g, ' ');
  }
  return normalizeIdentifier(n);
}

/**
 * Signs MariaDB's unicode collations ignore whose compatibility forms decompose to a space and
 * a mark (Arabic presentation forms of the harakat, the Arabic ligatures with shadda, Vedic and
 * Samaritan signs): dropped before NFKD, or the space would stay.
 */
const COLLATION_IGNORED = /[\u06de\u0824\u0828\u1cd3\u1cf2\ufc5e-\ufc63\ufcf2-\ufcf4\ufe70-\ufe7f]/g;

/** C0 and C1 control characters and DEL. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Default-ignorable and format characters (Unicode's Cf and the like): invisible in a name. */
const IGNORABLE = /[\p{Cf}\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0]/gu;
/** Latin letters without a decomposition, as WordPress's remove_accents writes them. */
const LATIN_FOLD: Record<string, string> = {
  'đ': 'd', 'Đ': 'd', 'ð': 'd', 'Ð': 'd', 'ı': 'i', 'ł': 'l', 'Ł': 'l', 'ŀ': 'l', 'Ŀ': 'l', 'ø': 'o', 'Ø': 'o', 'ß': 'ss', 'ẞ': 'ss',
  'æ': 'ae', 'Æ': 'ae', 'œ': 'oe', 'Œ': 'oe', 'þ': 'th', 'Þ': 'th', 'ħ': 'h', 'Ħ': 'h', 'ŧ': 't', 'Ŧ': 't', 'ŋ': 'n', 'Ŋ': 'n', 'ĸ': 'k', 'ſ': 's',
};
const LATIN_LETTERS = new RegExp(`[${Object.keys(LATIN_FOLD).join('')}]`, 'g');

/** Characters that mean a name may need cleaning (most names have none). */
const CLEANED = /[<%&\s]/;
const ASCII_NAME = /^[\x20-\x7e]*$/;
const PLAIN_NAME = /^[!-$'-;=-~]*$/;
/**
 * The characters of a name accountSkeleton only case-folds, by code, folded (for
 * StringHasher.wordsAsciiLower, which hashes such a name in one pass).
 */
export const PLAIN_CHARS = asciiFold((c) => PLAIN_NAME.test(c));
