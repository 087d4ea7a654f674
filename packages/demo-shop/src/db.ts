/**
 * The shop's SQLite database: schema, and every statement prepared once.
 * A file database keeps users and sessions across restarts; the default
 * `:memory:` database lives as long as the server.
 */
import Database from 'better-sqlite3';

export type Role = 'customer' | 'admin';

export interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  role: Role;
}

export interface SessionUser {
  user_id: number;
  email: string;
  role: Role;
  expires_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('customer', 'admin')),
  created_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  id_hash    TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions(expires_at);
`;

export interface ShopDb {
  userByEmail(email: string): UserRow | undefined;
  /** Inserts unless the email exists; returns true when a row was added. */
  insertUser(email: string, passwordHash: string, role: Role, now: number): boolean;
  countUsers(): number;
  insertSession(idHash: string, userId: number, now: number, expiresAt: number): void;
  sessionUser(idHash: string): SessionUser | undefined;
  deleteSession(idHash: string): void;
  deleteExpiredSessions(now: number): void;
  close(): void;
}

export function openShopDb(path: string): ShopDb {
  const db = new Database(path);
  try {
    if (path !== ':memory:' && path !== '') db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
  } catch (err) {
    db.close();
    throw err;
  }
  const userByEmail = db.prepare<[string], UserRow>('SELECT id, email, password_hash, role FROM users WHERE email = ?');
  const insertUser = db.prepare<[string, string, string, number]>(
    'INSERT OR IGNORE INTO users (email, password_hash, role, created_at) VALUES (?, ?, ?, ?)',
  );
  const countUsers = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
  const insertSession = db.prepare<[string, number, number, number]>(
    'INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  );
  const sessionUser = db.prepare<[string], SessionUser>(
    `SELECT s.user_id, u.email, u.role, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id_hash = ?`,
  );
  const deleteSession = db.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?');
  const deleteExpired = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');

  return {
    userByEmail: (email) => userByEmail.get(email),
    insertUser: (email, hash, role, now) => insertUser.run(email, hash, role, now).changes === 1,
    countUsers: () => countUsers.get()?.n ?? 0,
    insertSession: (idHash, userId, now, expiresAt) => void insertSession.run(idHash, userId, now, expiresAt),
    sessionUser: (idHash) => sessionUser.get(idHash),
    deleteSession: (idHash) => void deleteSession.run(idHash),
    deleteExpiredSessions: (now) => void deleteExpired.run(now),
    close: () => db.close(),
  };
}
