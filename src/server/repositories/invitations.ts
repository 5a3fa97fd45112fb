import { randomUUID } from 'node:crypto'
import { sha256 } from '../crypto.js'
import type { Db } from '../db/connection.js'
import { insertMember, unknownRoles } from './members.js'
import { insertUser, userByEmail } from './users.js'

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

/** A message of the sandbox's outbox (the ATTACHed `outbox` database). */
export interface OutboxRow {
  id: number
  to_email: string
  subject: string
  text: string
  invite_token: string
  organization_id: string
  created_at: string
}

/** Invitations, and the outbox the sandbox "sends" them to. */
export class InvitationsRepository {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /**
   * inviteMember: records an invitation and its outbox message (worded by `message`) in one
   * transaction. 'member' or 'pending' when the person is already in, or already invited (an expired
   * pending invitation is retired first).
   */
  inviteMember(input: {
    organizationId: string
    email: string
    name: string
    roles: number[]
    token: string
    ttlMs: number
    message: (invitation: InvitationRow) => { subject: string; text: string }
  }): InvitationRow | 'member' | 'pending' {
    return this.db.immediate(() => {
      const now = this.now()
      const isMember = this.db.get(
        'SELECT 1 FROM members m JOIN users u ON u.id = m.user_id WHERE m.organization_id = ? AND u.email = ?',
        input.organizationId,
        input.email,
      )
      if (isMember) return 'member' as const
      const pending = this.db.all<InvitationRow>(
        "SELECT * FROM invitations WHERE organization_id = ? AND email = ? AND status = 'pending'",
        input.organizationId,
        input.email,
      )
      for (const p of pending) {
        if (new Date(p.expires_at) > now) return 'pending' as const
        this.db.run("UPDATE invitations SET status = 'expired' WHERE id = ?", p.id)
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
      this.db.run(
        `INSERT INTO invitations (id, organization_id, email, name, roles, token_hash, status, expires_at, created_at)
           VALUES (@id, @organization_id, @email, @name, @roles, @token_hash, @status, @expires_at, @created_at)`,
        row,
      )
      const { subject, text } = input.message(row)
      this.db.run(
        `INSERT INTO outbox.messages (to_email, subject, text, invite_token, organization_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        input.email,
        subject,
        text,
        input.token,
        input.organizationId,
        row.created_at,
      )
      return row
    })
  }

  invitationByToken(token: string): InvitationRow | undefined {
    return this.db.get<InvitationRow>('SELECT * FROM invitations WHERE token_hash = ?', sha256(token))
  }

  expireInvitation(id: string): void {
    this.db.run("UPDATE invitations SET status = 'expired' WHERE id = ? AND status = 'pending'", id)
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
    return this.db.immediate(() => {
      const now = this.now()
      const inv = this.db.get<InvitationRow>('SELECT * FROM invitations WHERE id = ?', invitationId)
      if (!inv || inv.status !== 'pending' || new Date(inv.expires_at) <= now) return 'gone' as const
      let user = userByEmail(this.db, inv.email)
      if (!user) {
        user = insertUser(this.db, now.toISOString(), inv.email, inv.name)
        this.db.run('UPDATE users SET password_hash = ? WHERE id = ?', passwordHash, user.id)
      } else if (user.password_hash === null) {
        // An existing account keeps its password; an invitation never resets it.
        this.db.run('UPDATE users SET password_hash = ? WHERE id = ?', passwordHash, user.id)
      }
      const already = this.db.get(
        'SELECT 1 FROM members WHERE organization_id = ? AND user_id = ?',
        inv.organization_id,
        user.id,
      )
      if (already) return 'member' as const
      const roles = (JSON.parse(inv.roles) as number[]).filter((r) => unknownRoles(this.db, [r]).length === 0)
      const defaults = this.db
        .all<{ id: string }>(
          "SELECT id FROM workspaces WHERE organization_id = ? AND name = 'Default'",
          inv.organization_id,
        )
        .map((w) => w.id)
      const memberId = insertMember(this.db, inv.organization_id, user.id, roles, defaults, now.toISOString())
      this.db.run(
        "UPDATE invitations SET status = 'accepted', accepted_at = ? WHERE id = ?",
        now.toISOString(),
        inv.id,
      )
      return { organizationId: inv.organization_id, memberId }
    })
  }

  /** listOutbox: the newest messages first, optionally to one address or of one organization. */
  listOutbox(filter: { to?: string; organizationId?: string; limit: number }): OutboxRow[] {
    return this.db.all<OutboxRow>(
      `SELECT * FROM outbox.messages
         WHERE (@to IS NULL OR to_email = @to COLLATE NOCASE) AND (@org IS NULL OR organization_id = @org COLLATE NOCASE)
         ORDER BY id DESC LIMIT @limit`,
      { to: filter.to ?? null, org: filter.organizationId ?? null, limit: filter.limit },
    )
  }
}
