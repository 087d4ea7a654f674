/**
 * What the WAF's events and audit log must not carry: passwords, tokens and card numbers that a
 * matched value or a request target may hold. Masked before anything is written or sent.
 */

/** Argument, cookie and header names whose values are secrets, wherever they appear in a target name. */
const SECRET_NAME = /pass(?:word|wd|phrase)?|pwd|kennwort|senha|contrase|mot_?de_?passe|secret|token|jwt|refresh|assertion|dpop|signature|^sig$|credential|logged_in|remember|api[-_]?key|[-_.]key$|^key$|authoriz|^auth$|[-_.]auth$|sess|(?:^|[-_.])sid$|cookie|card|cc[-_]?(?:num|number|no)|pan$|cvv|cvc|csc|otp|pin$/i;
/** Between a card number's groups: up to two of space, dash, dot, plus or an encoded space. */
const CARD_GAP = /[ .+-]|%20/gi;
/** A run of 13 to 19 digits, with separators between groups: a card number's shape. */
const CARD_SHAPE = /\d(?:(?:[ .+-]|%20){0,2}\d){12,18}/gi;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * A byte string (one character a byte) as text fit for a log line or a terminal: read as UTF-8
 * when it is valid UTF-8 (so Japanese reads as Japanese), else each byte above 0x7F as \xHH; then
 * every control character, C0 and C1 (ESC, CSI 0x9B...), as \xHH, so that nothing written can
 * move a terminal's cursor or start an escape sequence.
 */
export function printable(value: string): string {
  let text = value;
  if (/[\x80-\xff]/.test(value)) {
    try {
      text = UTF8.decode(Buffer.from(value, 'latin1'));
    } catch {
      text = value.replace(/[\x80-\xff]/g, hex);
    }
  }
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, hex);
}

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Card numbers (digit runs that pass the Luhn check) masked but for their last four digits. */
export function maskCardNumbers(text: string): string {
  if (!/\d{4}/.test(text)) return text;
  return text.replace(CARD_SHAPE, (run) => {
    const digits = run.replace(CARD_GAP, '');
    return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? `****${digits.slice(-4)}` : run;
  });
}

/** Whether a target (`ARGS:password`, `REQUEST_COOKIES:session`, `REQUEST_HEADERS:Authorization`) holds a secret. */
export function secretTarget(name: string, extraNames: ReadonlySet<string> = EMPTY): boolean {
  const colon = name.indexOf(':');
  const key = colon < 0 ? '' : name.slice(colon + 1);
  if (key === '') return false;
  // JSON paths (json.user.password) and bracketed names (user[password]): the last part counts too.
  const last = key.split(/[.[\]]/).filter(Boolean).pop() ?? key;
  return SECRET_NAME.test(key) || extraNames.has(key.toLowerCase()) || extraNames.has(last.toLowerCase());
}
const EMPTY: ReadonlySet<string> = new Set();

/** A matched value as it may be written: a secret target's value hidden, card numbers masked, cut to `max`. */
export function maskMatched(target: string, value: string, extraNames?: ReadonlySet<string>, max = 256): string {
  if (secretTarget(target, extraNames)) return `[${value.length} bytes hidden]`;
  const masked = printable(maskCardNumbers(value.length > max * 2 ? value.slice(0, max * 2) : value));
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}

/** A request target (path and query) with secret-looking query values and card numbers masked. */
export function maskTarget(url: string, extraNames?: ReadonlySet<string>, max = 1024): string {
  const cut = url.length > max ? url.slice(0, max) : url;
  // name=value pairs, split on & and ; (path parameters such as ;jsessionid=, and queries some
  // servers split on ;): a secret-looking name keeps its name and loses its value.
  const masked = (pairs: string, value: RegExp) =>
    pairs.replace(value, (whole, rawName: string) => {
      let name: string;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        name = rawName;
      }
      return secretTarget(`ARGS:${name}`, extraNames) ? `${rawName}=***` : whole;
    });
  // user:password@ in an absolute-form target or a URL carried in it.
  const q = cut.indexOf('?');
  const path = q < 0 ? cut : cut.slice(0, q);
  // (In the path a value ends at the next segment; in the query at the next pair.)
  let out = masked(path, /([^?&;=/]*)=([^;/?#]*)/g) + (q < 0 ? '' : `?${masked(cut.slice(q + 1), /([^?&;=/]*)=([^&;#]*)/g)}`);
  out = out.replace(/(\/\/[^/@?#:]*):[^/@?#]*@/g, '$1:***@');
  out = printable(maskCardNumbers(out));
  return url.length > max ? `${out}…` : out;
}
