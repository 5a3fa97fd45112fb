import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sha256 } from './crypto.js'

/** The seeded IAM roles. */
export const ROLE = { owner: 1, admin: 2, member: 3, billing: 4 } as const

export interface UserRow {
  id: string
  email: string
  name: string
  password_hash: string | null
  is_platform_admin: number
  created_at: string
}

export interface OrganizationRow {
  id: string
  name: string
  country_code: string
  status: string
  status_reason: string | null
  type: string | null
  owner_id: string
  avatar_url: string | null
  avatar_media: string | null
  created_at: string
  updated_at: string
}

/** A member as the API shows it. */
export interface Member {
  id: number
  name: string
  email: string
  roles: number[]
  workspaces: string[]
  joinedAt: string
}

export interface InvitationRow {
  id: string
  organization_id: string
  email: string
  name: string
  roles: string
  token_hash: string
  status: 'pending' | 'accepted' | 'expired'
  expires_at: string
  created_at: string
  accepted_at: string | null
}

/** A wallet ledger entry as the API shows it. */
export interface LedgerEntry {
  id: number
  organizationId: string
  amount: number
  service: string
  smsPoints: number
  reason: string | null
  createdAt: string
}

/** A sandbox outbox message as the API shows it. */
export interface OutboxMessage {
  id: number
  to: string
  subject: string
  text: string
  inviteToken: string
  organizationId: string
  createdAt: string
}

export interface IdempotencyRow {
  fingerprint: string
  status: number
  headers: string
  body: string
  created_at: string
}

const MIGRATIONS = new URL('./migrations/', import.meta.url)

export const ADMIN_EMAIL = 'admin@sandbox.local'

/**
 * The sandbox's repository: every SQL statement of the server lives here, parameterised, and each
 * change of more than one row runs in one IMMEDIATE transaction so that processes sharing the
 * file serialise instead of interleaving.
 */
export class Store {
  readonly db: Database.Database
  private readonly statements = new Map<string, Database.Statement>()

  constructor(
    dbPath: string,
    outboxPath: string,
    private readonly now: () => Date,
  ) {
    mkdirSync(dirname(dbPath), { recursive: true })
    // Both files hold secrets' hashes, and the outbox holds invite tokens: owner-only, whatever the
    // umask. SQLite gives the -wal and -shm files the main file's mode.
    for (const file of [dbPath, outboxPath]) privateFile(file)
    this.db = new Database(dbPath)
    this.db.pragma('busy_timeout = 5000')
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('foreign_keys = ON')
    this.db.prepare('ATTACH DATABASE ? AS outbox').run(outboxPath)
    this.db.pragma('outbox.journal_mode = WAL')
    this.db.pragma('outbox.synchronous = NORMAL')
    this.migrate()
  }

  private migrate(): void {
    const dir = fileURLToPath(MIGRATIONS)
    const files = readdirSync(dir)
      .filter((f) => /^\d+_.+\.sql$/.test(f))
      .sort()
    for (const file of files) {
      const version = Number.parseInt(file, 10)
      this.db
        .transaction(() => {
          // Re-read inside the lock: another process may have migrated while we waited.
          const current = this.db.pragma('user_version', { simple: true }) as number
          if (current >= version) return
          this.db.exec(readFileSync(`${dir}/${file}`, 'utf8'))
          this.db.pragma(`user_version = ${version}`)
        })
        .immediate()
    }
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  /**
   * The prepared statement for `sql`, prepared once per Store: preparing costs more than running
   * most of these queries. None is used through `.iterate()`, so sharing one is never re-entrant.
   * The few texts built at run time are bounded: the SET lists of updateOrganization, and the IN
   * lists of hydrate (at most MAX_PER_PAGE, 100, marks).
   */
  private stmt<P extends unknown[] | object = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement as Database.Statement<P, R>
  }

  private iso(): string {
    return this.now().toISOString()
  }

  // --- users and tokens ---

  /** The user holding this bearer token, looked up by the token's hash. */
  /** The user a bearer token belongs to, looked up by the token's SHA-256 (the caller hashes it once). */
  userByTokenHash(tokenHash: string): UserRow | undefined {
    return this.stmt<[string], UserRow>(
      'SELECT u.* FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?',
    ).get(tokenHash)
  }

  userById(id: string): UserRow | undefined {
    return this.stmt<[string], UserRow>('SELECT * FROM users WHERE id = ?').get(id)
  }

  private userByEmail(email: string): UserRow | undefined {
    return this.stmt<[string], UserRow>('SELECT * FROM users WHERE email = ?').get(email)
  }

  private insertUser(email: string, name: string, admin = false): UserRow {
    const row: UserRow = {
      id: randomUUID(),
      email,
      name,
      password_hash: null,
      is_platform_admin: admin ? 1 : 0,
      created_at: this.iso(),
    }
    this.stmt(
      `INSERT INTO users (id, email, name, password_hash, is_platform_admin, created_at)
         VALUES (@id, @email, @name, @password_hash, @is_platform_admin, @created_at)`,
    ).run(row)
    return row
  }

  /** The platform admin (admin@sandbox.local), created on first use. */
  ensureAdmin(): UserRow {
    return this.db
      .transaction(() => {
        const existing = this.userByEmail(ADMIN_EMAIL)
        if (existing) {
          if (!existing.is_platform_admin) {
            this.stmt('UPDATE users SET is_platform_admin = 1 WHERE id = ?').run(existing.id)
          }
          return { ...existing, is_platform_admin: 1 }
        }
        return this.insertUser(ADMIN_EMAIL, 'Sandbox Admin', true)
      })
      .immediate()
  }

  /** Stores the hash of `token` for `userId`; storing the same token twice is harmless. */
  addToken(userId: string, token: string, label: string): void {
    this.stmt(
      'INSERT OR IGNORE INTO tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)',
    ).run(userId, sha256(token), label, this.iso())
  }

  /** The user with this email (created with `name` if missing) and a new token for them. */
  mintToken(email: string, name: string | undefined, token: string): UserRow {
    return this.db
      .transaction(() => {
        const user = this.userByEmail(email) ?? this.insertUser(email, name ?? email.split('@')[0] ?? email)
        this.addToken(user.id, token, 'sandbox')
        return user
      })
      .immediate()
  }

  // --- organizations ---

  organization(id: string): OrganizationRow | undefined {
    return this.stmt<[string], OrganizationRow>('SELECT * FROM organizations WHERE id = ?').get(id)
  }

  /** Creates the organization, its Default workspace and its owner's membership. */
  createOrganization(input: { name: string; countryCode: string; type?: string }, ownerId: string): string {
    const id = randomUUID()
    const now = this.iso()
    this.db
      .transaction(() => {
        this.stmt(
          `INSERT INTO organizations (id, name, country_code, type, owner_id, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, input.name, input.countryCode, input.type ?? null, ownerId, now, now)
        const workspace = randomUUID()
        this.stmt("INSERT INTO workspaces (id, organization_id, name) VALUES (?, ?, 'Default')").run(
          workspace,
          id,
        )
        this.addMember(id, ownerId, [ROLE.owner], [workspace], now)
      })
      .immediate()
    return id
  }

  /** Applies the given fields; `avatarUrl` replaces an uploaded avatar. */
  updateOrganization(
    id: string,
    patch: { name?: string; avatarUrl?: string | null; status?: string; statusReason?: string | null },
  ): void {
    const sets: string[] = []
    const values: Record<string, unknown> = { id, updated_at: this.iso() }
    if (patch.name !== undefined) {
      sets.push('name = @name')
      values.name = patch.name
    }
    if (patch.avatarUrl !== undefined) {
      sets.push('avatar_url = @avatar_url', 'avatar_media = NULL')
      values.avatar_url = patch.avatarUrl
    }
    if (patch.status !== undefined) {
      sets.push('status = @status')
      values.status = patch.status
    }
    if (patch.statusReason !== undefined) {
      sets.push('status_reason = @status_reason')
      values.status_reason = patch.statusReason
    }
    sets.push('updated_at = @updated_at')
    this.stmt(`UPDATE organizations SET ${sets.join(', ')} WHERE id = @id`).run(values)
  }

  setAvatarMedia(id: string, media: string): void {
    this.stmt(
      'UPDATE organizations SET avatar_media = ?, avatar_url = NULL, updated_at = ? WHERE id = ?',
    ).run(media, this.iso(), id)
  }

  // --- members ---

  /** The caller's role IDs in the organization, or undefined when not a member. */
  membershipRoles(organizationId: string, userId: string): number[] | undefined {
    const member = this.stmt<[string, string], { id: number }>(
      'SELECT id FROM members WHERE organization_id = ? AND user_id = ?',
    ).get(organizationId, userId)
    if (!member) return undefined
    return this.stmt<[number], { role_id: number }>('SELECT role_id FROM member_roles WHERE member_id = ?')
      .all(member.id)
      .map((r) => r.role_id)
  }

  private addMember(
    organizationId: string,
    userId: string,
    roles: number[],
    workspaces: string[],
    at: string,
  ): number {
    const result = this.stmt(
      'INSERT INTO members (organization_id, user_id, joined_at) VALUES (?, ?, ?)',
    ).run(organizationId, userId, at)
    const memberId = Number(result.lastInsertRowid)
    const role = this.stmt('INSERT OR IGNORE INTO member_roles (member_id, role_id) VALUES (?, ?)')
    for (const r of roles) role.run(memberId, r)
    const ws = this.stmt('INSERT OR IGNORE INTO member_workspaces (member_id, workspace_id) VALUES (?, ?)')
    for (const w of workspaces) ws.run(memberId, w)
    return memberId
  }

  private hydrate(rows: { id: number; name: string; email: string; joined_at: string }[]): Member[] {
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const marks = ids.map(() => '?').join(',')
    const roles = this.stmt<number[], { member_id: number; role_id: number }>(
      `SELECT member_id, role_id FROM member_roles WHERE member_id IN (${marks}) ORDER BY role_id`,
    ).all(...ids)
    const workspaces = this.stmt<number[], { member_id: number; workspace_id: string }>(
      `SELECT mw.member_id, mw.workspace_id FROM member_workspaces mw JOIN workspaces w ON w.id = mw.workspace_id
         WHERE mw.member_id IN (${marks}) ORDER BY w.name, w.id`,
    ).all(...ids)
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      roles: roles.filter((x) => x.member_id === r.id).map((x) => x.role_id),
      workspaces: workspaces.filter((x) => x.member_id === r.id).map((x) => x.workspace_id),
      joinedAt: r.joined_at,
    }))
  }

  /** One page of members ordered by member ID, and the total. */
  listMembers(organizationId: string, page: number, perPage: number): { members: Member[]; total: number } {
    const total = this.stmt<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM members WHERE organization_id = ?',
    ).get(organizationId)!.n
    const offset = (page - 1) * perPage
    // A page past the end is empty, however far past: SQLite cannot bind an offset beyond 2^63.
    if (!Number.isSafeInteger(offset) || offset >= total) return { members: [], total }
    const rows = this.stmt<
      [string, number, number],
      { id: number; name: string; email: string; joined_at: string }
    >(
      // The page's IDs come from the (organization_id, id) index alone (migration 002), so OFFSET
      // skips index entries rather than joined rows.
      `SELECT m.id, u.name, u.email, m.joined_at FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.id IN (SELECT id FROM members WHERE organization_id = ? ORDER BY id LIMIT ? OFFSET ?)
         ORDER BY m.id`,
    ).all(organizationId, perPage, offset)
    return { members: this.hydrate(rows), total }
  }

  member(organizationId: string, memberId: number): Member | undefined {
    const rows = this.stmt<[string, number], { id: number; name: string; email: string; joined_at: string }>(
      `SELECT m.id, u.name, u.email, m.joined_at FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = ? AND m.id = ?`,
    ).all(organizationId, memberId)
    return this.hydrate(rows)[0]
  }

  /** The roles of `ids` that do not exist, by their index in `ids`. */
  unknownRoles(ids: number[]): number[] {
    const known = new Set(
      this.stmt<[], { id: number }>('SELECT id FROM roles')
        .all()
        .map((r) => r.id),
    )
    return ids.flatMap((id, i) => (known.has(id) ? [] : [i]))
  }

  /** The workspaces of `ids` that are not the organization's, by their index in `ids`. */
  foreignWorkspaces(organizationId: string, ids: string[]): number[] {
    const own = new Set(
      this.stmt<[string], { id: string }>('SELECT id FROM workspaces WHERE organization_id = ?')
        .all(organizationId)
        .map((r) => r.id.toLowerCase()),
    )
    return ids.flatMap((id, i) => (own.has(id.toLowerCase()) ? [] : [i]))
  }

  private ownerCount(organizationId: string): number {
    return this.stmt<[string, number], { n: number }>(
      `SELECT COUNT(*) AS n FROM member_roles mr JOIN members m ON m.id = mr.member_id
         WHERE m.organization_id = ? AND mr.role_id = ?`,
    ).get(organizationId, ROLE.owner)!.n
  }

  /**
   * Replaces a member's roles and workspaces. Returns 'last-owner' when this would leave the
   * organization without an Owner, 'not-found' when there is no such member.
   */
  updateMember(
    organizationId: string,
    memberId: number,
    roles: number[],
    workspaces: string[],
  ): 'ok' | 'not-found' | 'last-owner' {
    return this.db
      .transaction(() => {
        const membership = this.membership(organizationId, memberId)
        if (!membership) return 'not-found' as const
        if (membership.isOwner && !roles.includes(ROLE.owner) && this.ownerCount(organizationId) <= 1)
          return 'last-owner' as const
        this.stmt('DELETE FROM member_roles WHERE member_id = ?').run(memberId)
        this.stmt('DELETE FROM member_workspaces WHERE member_id = ?').run(memberId)
        const role = this.stmt('INSERT OR IGNORE INTO member_roles (member_id, role_id) VALUES (?, ?)')
        for (const r of roles) role.run(memberId, r)
        const ws = this.stmt(
          'INSERT OR IGNORE INTO member_workspaces (member_id, workspace_id) SELECT ?, id FROM workspaces WHERE organization_id = ? AND id = ? COLLATE NOCASE',
        )
        for (const w of workspaces) ws.run(memberId, organizationId, w)
        return 'ok' as const
      })
      .immediate()
  }

  /** Whether `memberId` is a member of the organization, and whether it holds the Owner role. */
  private membership(organizationId: string, memberId: number): { isOwner: boolean } | undefined {
    const row = this.stmt<[number, string, number], { isOwner: number }>(
      `SELECT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role_id = ?) AS isOwner
         FROM members m WHERE m.organization_id = ? AND m.id = ?`,
    ).get(ROLE.owner, organizationId, memberId)
    return row && { isOwner: row.isOwner === 1 }
  }

  /** Removes a member unless it is the organization's last Owner. */
  removeMember(organizationId: string, memberId: number): 'ok' | 'not-found' | 'last-owner' {
    return this.db
      .transaction(() => {
        const membership = this.membership(organizationId, memberId)
        if (!membership) return 'not-found' as const
        if (membership.isOwner && this.ownerCount(organizationId) <= 1) return 'last-owner' as const
        this.stmt('DELETE FROM members WHERE id = ?').run(memberId)
        return 'ok' as const
      })
      .immediate()
  }

  // --- invitations and the outbox ---

  /**
   * Records an invitation and its outbox message in one transaction. 'member' or 'pending' when
   * the person is already in, or already invited (an expired pending invitation is retired first).
   */
  createInvitation(input: {
    organizationId: string
    organizationName: string
    email: string
    name: string
    roles: number[]
    token: string
    ttlMs: number
  }): InvitationRow | 'member' | 'pending' {
    return this.db
      .transaction(() => {
        const now = this.now()
        const isMember = this.stmt(
          'SELECT 1 FROM members m JOIN users u ON u.id = m.user_id WHERE m.organization_id = ? AND u.email = ?',
        ).get(input.organizationId, input.email)
        if (isMember) return 'member' as const
        const pending = this.stmt<[string, string], InvitationRow>(
          "SELECT * FROM invitations WHERE organization_id = ? AND email = ? AND status = 'pending'",
        ).all(input.organizationId, input.email)
        for (const p of pending) {
          if (new Date(p.expires_at) > now) return 'pending' as const
          this.stmt("UPDATE invitations SET status = 'expired' WHERE id = ?").run(p.id)
        }
        const row: InvitationRow = {
          id: randomUUID(),
          organization_id: input.organizationId,
          email: input.email,
          name: input.name,
          roles: JSON.stringify(input.roles),
          token_hash: sha256(input.token),
          status: 'pending',
          expires_at: new Date(now.getTime() + input.ttlMs).toISOString(),
          created_at: now.toISOString(),
          accepted_at: null,
        }
        this.stmt(
          `INSERT INTO invitations (id, organization_id, email, name, roles, token_hash, status, expires_at, created_at)
             VALUES (@id, @organization_id, @email, @name, @roles, @token_hash, @status, @expires_at, @created_at)`,
        ).run(row)
        const text = [
          `Hello ${input.name},`,
          '',
          `You have been invited to join ${input.organizationName}.`,
          `Accept with: orgctl invite accept ${input.token}`,
          `or POST /api/organizations/invite/${input.token}/accept with your password.`,
          `This invitation expires at ${row.expires_at}.`,
        ].join('\n')
        this.stmt(
          `INSERT INTO outbox.messages (to_email, subject, text, invite_token, organization_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(
          input.email,
          `Invitation to ${input.organizationName}`,
          text,
          input.token,
          input.organizationId,
          row.created_at,
        )
        return row
      })
      .immediate()
  }

  invitationByToken(token: string): InvitationRow | undefined {
    return this.stmt<[string], InvitationRow>('SELECT * FROM invitations WHERE token_hash = ?').get(
      sha256(token),
    )
  }

  expireInvitation(id: string): void {
    this.stmt("UPDATE invitations SET status = 'expired' WHERE id = ? AND status = 'pending'").run(id)
  }

  /**
   * Uses a pending invitation: the user (new, or the one with that email) and the membership with
   * the invited roles and the Default workspace. Re-checks the invitation inside the transaction so
   * that two concurrent accepts cannot both succeed.
   */
  acceptInvitation(
    invitationId: string,
    passwordHash: string,
  ): { organizationId: string; memberId: number } | 'gone' | 'member' {
    return this.db
      .transaction(() => {
        const now = this.now()
        const inv = this.stmt<[string], InvitationRow>('SELECT * FROM invitations WHERE id = ?').get(
          invitationId,
        )
        if (!inv || inv.status !== 'pending' || new Date(inv.expires_at) <= now) return 'gone' as const
        let user = this.userByEmail(inv.email)
        if (!user) {
          user = this.insertUser(inv.email, inv.name)
          this.stmt('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, user.id)
        } else if (user.password_hash === null) {
          // An existing account keeps its password; an invitation never resets it.
          this.stmt('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, user.id)
        }
        const already = this.stmt('SELECT 1 FROM members WHERE organization_id = ? AND user_id = ?').get(
          inv.organization_id,
          user.id,
        )
        if (already) return 'member' as const
        const roles = (JSON.parse(inv.roles) as number[]).filter((r) => this.unknownRoles([r]).length === 0)
        const defaults = this.stmt<[string], { id: string }>(
          "SELECT id FROM workspaces WHERE organization_id = ? AND name = 'Default'",
        )
          .all(inv.organization_id)
          .map((w) => w.id)
        const memberId = this.addMember(inv.organization_id, user.id, roles, defaults, now.toISOString())
        this.stmt("UPDATE invitations SET status = 'accepted', accepted_at = ? WHERE id = ?").run(
          now.toISOString(),
          inv.id,
        )
        return { organizationId: inv.organization_id, memberId }
      })
      .immediate()
  }

  outbox(filter: { to?: string; organizationId?: string; limit: number }): OutboxMessage[] {
    const rows = this.stmt<
      { to: string | null; org: string | null; limit: number },
      {
        id: number
        to_email: string
        subject: string
        text: string
        invite_token: string
        organization_id: string
        created_at: string
      }
    >(
      `SELECT * FROM outbox.messages
         WHERE (@to IS NULL OR to_email = @to COLLATE NOCASE) AND (@org IS NULL OR organization_id = @org COLLATE NOCASE)
         ORDER BY id DESC LIMIT @limit`,
    ).all({ to: filter.to ?? null, org: filter.organizationId ?? null, limit: filter.limit })
    return rows.map((r) => ({
      id: r.id,
      to: r.to_email,
      subject: r.subject,
      text: r.text,
      inviteToken: r.invite_token,
      organizationId: r.organization_id,
      createdAt: r.created_at,
    }))
  }

  // --- wallet ---

  charge(input: {
    organizationId: string
    amount: number
    service: string
    smsPoints: number
    reason: string | null
    createdBy: string
  }): LedgerEntry {
    const createdAt = this.iso()
    const result = this.stmt(
      `INSERT INTO ledger (organization_id, amount, service, sms_points, reason, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      input.organizationId,
      input.amount,
      input.service,
      input.smsPoints,
      input.reason,
      input.createdBy,
      createdAt,
    )
    return {
      id: Number(result.lastInsertRowid),
      organizationId: input.organizationId,
      amount: input.amount,
      service: input.service,
      smsPoints: input.smsPoints,
      reason: input.reason,
      createdAt,
    }
  }

  wallet(
    organizationId: string,
    limit: number,
  ): { amount: number; smsPoints: number; ledger: LedgerEntry[] } {
    const sums = this.stmt<[string], { amount: number; sms: number }>(
      'SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(sms_points), 0) AS sms FROM ledger WHERE organization_id = ?',
    ).get(organizationId)!
    const ledger = this.stmt<
      [string, number],
      {
        id: number
        organization_id: string
        amount: number
        service: string
        sms_points: number
        reason: string | null
        created_at: string
      }
    >('SELECT * FROM ledger WHERE organization_id = ? ORDER BY id DESC LIMIT ?')
      .all(organizationId, limit)
      .map((r) => ({
        id: r.id,
        organizationId: r.organization_id,
        amount: r.amount,
        service: r.service,
        smsPoints: r.sms_points,
        reason: r.reason,
        createdAt: r.created_at,
      }))
    return { amount: sums.amount, smsPoints: sums.sms, ledger }
  }

  // --- idempotency ---

  /**
   * Claims (scope, key) for a request about to run. Returns the earlier record when there is one
   * younger than `maxAgeMs` (status 0: still running); otherwise claims it and returns undefined.
   */
  claimIdempotencyKey(
    scope: string,
    key: string,
    fingerprint: string,
    maxAgeMs: number,
  ): IdempotencyRow | undefined {
    return this.db
      .transaction(() => {
        const now = this.now()
        const cutoff = new Date(now.getTime() - maxAgeMs).toISOString()
        this.stmt('DELETE FROM idempotency_keys WHERE created_at < ?').run(cutoff)
        // A claim whose request never finished (the process died) must not block retries for a day.
        const abandoned = new Date(now.getTime() - 60_000).toISOString()
        this.stmt('DELETE FROM idempotency_keys WHERE status = 0 AND created_at < ?').run(abandoned)
        const existing = this.stmt<[string, string], IdempotencyRow>(
          'SELECT fingerprint, status, headers, body, created_at FROM idempotency_keys WHERE scope = ? AND key = ?',
        ).get(scope, key)
        if (existing) return existing
        this.stmt(
          'INSERT INTO idempotency_keys (scope, key, fingerprint, status, created_at) VALUES (?, ?, ?, 0, ?)',
        ).run(scope, key, fingerprint, now.toISOString())
        return undefined
      })
      .immediate()
  }

  completeIdempotencyKey(
    scope: string,
    key: string,
    status: number,
    headers: Record<string, string>,
    body: string,
  ): void {
    this.stmt(
      'UPDATE idempotency_keys SET status = ?, headers = ?, body = ? WHERE scope = ? AND key = ? AND status = 0',
    ).run(status, JSON.stringify(headers), body, scope, key)
  }

  releaseIdempotencyKey(scope: string, key: string): void {
    this.stmt('DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND status = 0').run(scope, key)
  }
}

/** Creates `file` if missing and makes it readable and writable by its owner only. */
function privateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600))
  chmodSync(file, 0o600)
}
