/**
 * What the WAF's events and audit log must not carry: passwords, tokens and card numbers that a
 * matched value or a request target may hold. Masked before anything is written or sent.
 */

/** Argument, cookie and header names whose values are secrets, wherever they appear in a target name. */
const SECRET_NAME = /pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|auth|session|cookie|card|cc[-_]?(?:num|number|no)|pan$|cvv|cvc|csc|otp|pin$/i;
/** A run of 13 to 19 digits, with single spaces or dashes between groups: a card number's shape. */
const CARD_SHAPE = /\d(?:[ -]?\d){12,18}/g;

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
    const digits = run.replace(/[ -]/g, '');
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
  const masked = maskCardNumbers(value.length > max * 2 ? value.slice(0, max * 2) : value);
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}

/** A request target (path and query) with secret-looking query values and card numbers masked. */
export function maskTarget(url: string, extraNames?: ReadonlySet<string>, max = 1024): string {
  const cut = url.length > max ? url.slice(0, max) : url;
  const q = cut.indexOf('?');
  let out = cut;
  if (q >= 0) {
    const parts = cut
      .slice(q + 1)
      .split('&')
      .map((p) => {
        const eq = p.indexOf('=');
        if (eq < 0) return p;
        let name: string;
        try {
          name = decodeURIComponent(p.slice(0, eq).replace(/\+/g, ' '));
        } catch {
          name = p.slice(0, eq);
        }
        return secretTarget(`ARGS:${name}`, extraNames) ? `${p.slice(0, eq)}=***` : p;
      });
    out = `${cut.slice(0, q)}?${parts.join('&')}`;
  }
  out = maskCardNumbers(out);
  return url.length > max ? `${out}…` : out;
}
