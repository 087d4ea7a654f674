/** The seeded demo accounts and the login check. */
import type { Role, ShopDb, UserRow } from './db.js';
import { hashPassword, verifyPassword, scryptKdf, type Kdf } from './passwords.js';

export interface DemoUser {
  readonly email: string;
  readonly password: string;
  readonly role: Role;
}

/** Accounts created at start (once per database). The passwords are public: this is a demo. */
export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  Object.freeze({ email: 'alice@example.com', password: 'alice-demo-password', role: 'customer' as const }),
  Object.freeze({ email: 'bob@example.com', password: 'bob-demo-password', role: 'customer' as const }),
  Object.freeze({ email: 'admin@example.com', password: 'admin-demo-password', role: 'admin' as const }),
]);

/** Longest email and password the login form considers; longer input simply fails. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_PASSWORD_LENGTH = 1024;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Adds any missing demo user; existing rows (and their hashes) are left alone. */
export async function seedDemoUsers(db: ShopDb, now: number, kdf: Kdf = scryptKdf): Promise<number> {
  let added = 0;
  for (const u of DEMO_USERS) {
    if (db.userByEmail(u.email)) continue;
    const hash = await hashPassword(u.password, kdf);
    if (db.insertUser(u.email, hash, u.role, now)) added++;
  }
  return added;
}

/**
 * The user when the credentials match, else undefined. Unknown emails and
 * over-long input still pay for one key derivation, so the response time
 * does not tell which accounts exist.
 */
export async function authenticate(db: ShopDb, email: string, password: string, kdf: Kdf = scryptKdf): Promise<UserRow | undefined> {
  const tooLong = email.length > MAX_EMAIL_LENGTH || password.length > MAX_PASSWORD_LENGTH;
  const user = tooLong ? undefined : db.userByEmail(normalizeEmail(email));
  const ok = await verifyPassword(user?.password_hash, tooLong ? '' : password, kdf);
  return ok ? user : undefined;
}
