/**
 * Word lists the scenarios draw on: the kind of guesses real attack tools
 * make, generated rather than shipped. None of them is a demo password.
 */

export const COMMON_PASSWORDS: readonly string[] = Object.freeze([
  '123456', 'password', '123456789', 'qwerty', '12345678', '111111', '1234567', 'letmein', 'welcome', 'iloveyou',
  'admin', 'abc123', 'monkey', 'dragon', 'sunshine', 'football', 'princess', 'baseball', 'shadow', 'master',
]);

/** The passwords a sprayer tries: ones that pass a typical complexity rule. */
export const SPRAY_PASSWORDS: readonly string[] = Object.freeze(['Password1', 'Welcome1!', 'Summer2025!', 'Winter2025', 'Qwerty123!', 'Spring2026!']);

const SUFFIXES = ['', '1', '123', '!', '2024', '2025', '2026', '@1', '01', '!!'];

/** The n-th guess of a dictionary attack on one account: common words, the name, then variations. */
export function guess(n: number, username: string): string {
  const name = username.split('@')[0]!.replace(/[^a-z0-9]/gi, '') || 'user';
  const bases = [...COMMON_PASSWORDS, name, `${name}pass`, 'shop', 'example'];
  const i = Math.abs(Math.trunc(n));
  const base = bases[i % bases.length]!;
  const round = Math.floor(i / bases.length);
  const suffix = SUFFIXES[round % SUFFIXES.length]!;
  const cap = Math.floor(round / SUFFIXES.length) % 2 === 1;
  const word = cap ? base.charAt(0).toUpperCase() + base.slice(1) : base;
  const extra = round >= 2 * SUFFIXES.length ? String(round) : '';
  return `${word}${suffix}${extra}`;
}

const FIRST = ['yuki', 'haruto', 'sakura', 'ren', 'mei', 'sota', 'aoi', 'riku', 'hina', 'kaito', 'emma', 'liam', 'olivia', 'noah', 'ava', 'lucas'];
const DOMAINS = ['example.com', 'example.net'];

/** The n-th synthetic account (user names at example.com / example.net, reserved for documentation). */
export function account(n: number): string {
  const i = Math.abs(Math.trunc(n));
  return `${FIRST[i % FIRST.length]}.${String(Math.floor(i / FIRST.length) + 1).padStart(3, '0')}@${DOMAINS[Math.floor(i / 3) % 2]}`;
}

/** The n-th leaked password of a credential dump: reused, lightly varied passwords. */
export function leakedPassword(n: number): string {
  const i = Math.abs(Math.trunc(n));
  const base = COMMON_PASSWORDS[(i * 7) % COMMON_PASSWORDS.length]!;
  return `${base}${(i * 37) % 1000}`;
}
