import { randomUUID } from 'node:crypto'
import { sha256 } from '../crypto.js'
import type { Db } from '../db/connection.js'

export const ADMIN_EMAIL = 'admin@sandbox.local'

export interface UserRow {
  id: string
  email: string
  name: string
  password_hash: string | null
  is_platform_admin: number
  created_at: string
}

/** The user with this e-mail (case-insensitive), or undefined. */
export function userByEmail(db: Db, email: string): UserRow | undefined {
  return db.get<UserRow>('SELECT * FROM users WHERE email = ?', email)
}

/** Inserts a user without a password. */
export function insertUser(db: Db, at: string, email: string, name: string, admin = false): UserRow {
  const row: UserRow = {
    id: randomUUID(),
    email,
    name,
    password_hash: null,
    is_platform_admin: admin ? 1 : 0,
    created_at: at,
  }
  db.run(
    `INSERT INTO users (id, email, name, password_hash, is_platform_admin, created_at)
       VALUES (@id, @email, @name, @password_hash, @is_platform_admin, @created_at)`,
    row,
  )
  return row
}

/** Users and their bearer tokens (stored only as SHA-256 hashes). */
export class UsersRepository {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /**
   * The user a bearer token belongs to, looked up by the token's SHA-256 (the caller hashes it once).
   * Every request asks this first: the answer is cached until the database changes (Db.cached).
   */
  userByTokenHash(tokenHash: string): UserRow | undefined {
    return this.db.cached(`token:${tokenHash}`, () =>
      this.db.get<UserRow>(
        'SELECT u.* FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?',
        tokenHash,
      ),
    )
  }

  userById(id: string): UserRow | undefined {
    return this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', id)
  }

  /** The platform admin (admin@sandbox.local), created on first use. */
  ensureAdmin(): UserRow {
    return this.db.immediate(() => {
      const existing = userByEmail(this.db, ADMIN_EMAIL)
      if (existing) {
        if (!existing.is_platform_admin) {
          this.db.run('UPDATE users SET is_platform_admin = 1 WHERE id = ?', existing.id)
        }
        return { ...existing, is_platform_admin: 1 }
      }
      return insertUser(this.db, this.now().toISOString(), ADMIN_EMAIL, 'Sandbox Admin', true)
    })
  }

  /** Stores the hash of `token` for `userId`; storing the same token twice is harmless. */
  addToken(userId: string, token: string, label: string): void {
    this.db.run(
      'INSERT OR IGNORE INTO tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)',
      userId,
      sha256(token),
      label,
      this.now().toISOString(),
    )
  }

  /** createToken: the user with this email (created with `name` if missing) and a new token for them. */
  createToken(email: string, name: string | undefined, token: string): UserRow {
    return this.db.immediate(() => {
      const user =
        userByEmail(this.db, email) ??
        insertUser(this.db, this.now().toISOString(), email, name ?? email.split('@')[0] ?? email)
      this.addToken(user.id, token, 'sandbox')
      return user
    })
  }
}
