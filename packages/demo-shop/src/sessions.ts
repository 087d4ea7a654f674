/**
 * Login sessions: a random 32-byte id in an HttpOnly cookie; the database
 * keeps only a SHA-256 of it, so a leaked table does not hand out sessions.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionUser, ShopDb } from './db.js';

export const SESSION_COOKIE = 'demo_session';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function idHash(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; Max-Age=${SESSION_TTL_MS / 1000}; Path=/; HttpOnly; SameSite=Lax`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`;
}

export function createSession(db: ShopDb, userId: number, now: number): string {
  db.deleteExpiredSessions(now);
  const id = randomBytes(32).toString('base64url');
  db.insertSession(idHash(id), userId, now, now + SESSION_TTL_MS);
  return id;
}

/** The signed-in user for a cookie value, or undefined (unknown, malformed or expired). */
export function lookupSession(db: ShopDb, id: string | undefined, now: number): SessionUser | undefined {
  if (id === undefined || !ID_PATTERN.test(id)) return undefined;
  const h = idHash(id);
  const s = db.sessionUser(h);
  if (!s) return undefined;
  if (s.expires_at <= now) {
    db.deleteSession(h);
    return undefined;
  }
  return s;
}

export function endSession(db: ShopDb, id: string | undefined): void {
  if (id !== undefined && ID_PATTERN.test(id)) db.deleteSession(idHash(id));
}
