import type { Db } from '../db/connection.js'

/** The seeded IAM roles. */
export const ROLE = { owner: 1, admin: 2, member: 3, billing: 4 } as const

/** A member with the IDs of its roles and workspaces (the routes shape the API's JSON from it). */
export interface MemberRow {
  id: number
  name: string
  email: string
  roles: number[]
  workspaces: string[]
  joined_at: string
}

type MemberBase = { id: number; name: string; email: string; joined_at: string }

/** Adds `userId` to the organization with these roles and workspaces; the new member's ID. */
export function insertMember(
  db: Db,
  organizationId: string,
  userId: string,
  roles: number[],
  workspaces: string[],
  at: string,
): number {
  const result = db.run(
    'INSERT INTO members (organization_id, user_id, joined_at) VALUES (?, ?, ?)',
    organizationId,
    userId,
    at,
  )
  const memberId = result.lastInsertRowid
  const role = db.stmt('INSERT OR IGNORE INTO member_roles (member_id, role_id) VALUES (?, ?)')
  for (const r of roles) role.run(memberId, r)
  const ws = db.stmt('INSERT OR IGNORE INTO member_workspaces (member_id, workspace_id) VALUES (?, ?)')
  for (const w of workspaces) ws.run(memberId, w)
  return memberId
}

/** The roles of `ids` that do not exist, by their index in `ids`. */
export function unknownRoles(db: Db, ids: number[]): number[] {
  const known = new Set(db.all<{ id: number }>('SELECT id FROM roles').map((r) => r.id))
  return ids.flatMap((id, i) => (known.has(id) ? [] : [i]))
}

/** Memberships: members, their roles and their workspaces. */
export class MembersRepository {
  constructor(private readonly db: Db) {}

  /**
   * The caller's role IDs in the organization, or undefined when not a member. Every request of a
   * member asks it: cached until the database changes (Db.cached).
   */
  membershipRoles(organizationId: string, userId: string): readonly number[] | undefined {
    return this.db.cached(`roles:${organizationId}:${userId}`, () => {
      const member = this.db.get<{ id: number }>(
        'SELECT id FROM members WHERE organization_id = ? AND user_id = ?',
        organizationId,
        userId,
      )
      if (!member) return undefined
      return this.db
        .all<{ role_id: number }>('SELECT role_id FROM member_roles WHERE member_id = ?', member.id)
        .map((r) => r.role_id)
    })
  }

  private hydrate(rows: MemberBase[]): MemberRow[] {
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const marks = ids.map(() => '?').join(',')
    const roles = this.db.all<{ member_id: number; role_id: number }>(
      `SELECT member_id, role_id FROM member_roles WHERE member_id IN (${marks}) ORDER BY role_id`,
      ...ids,
    )
    const workspaces = this.db.all<{ member_id: number; workspace_id: string }>(
      `SELECT mw.member_id, mw.workspace_id FROM member_workspaces mw JOIN workspaces w ON w.id = mw.workspace_id
         WHERE mw.member_id IN (${marks}) ORDER BY w.name, w.id`,
      ...ids,
    )
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      roles: roles.filter((x) => x.member_id === r.id).map((x) => x.role_id),
      workspaces: workspaces.filter((x) => x.member_id === r.id).map((x) => x.workspace_id),
      joined_at: r.joined_at,
    }))
  }

  /** One page of members ordered by member ID, and the total. */
  listMembers(
    organizationId: string,
    page: number,
    perPage: number,
  ): { members: MemberRow[]; total: number } {
    const total = this.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM members WHERE organization_id = ?',
      organizationId,
    )!.n
    const offset = (page - 1) * perPage
    // A page past the end is empty, however far past: SQLite cannot bind an offset beyond 2^63.
    if (!Number.isSafeInteger(offset) || offset >= total) return { members: [], total }
    const rows = this.db.all<MemberBase>(
      // The page's IDs come from the (organization_id, id) index alone (migration 002), so OFFSET
      // skips index entries rather than joined rows.
      `SELECT m.id, u.name, u.email, m.joined_at FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.id IN (SELECT id FROM members WHERE organization_id = ? ORDER BY id LIMIT ? OFFSET ?)
         ORDER BY m.id`,
      organizationId,
      perPage,
      offset,
    )
    return { members: this.hydrate(rows), total }
  }

  getMember(organizationId: string, memberId: number): MemberRow | undefined {
    const rows = this.db.all<MemberBase>(
      `SELECT m.id, u.name, u.email, m.joined_at FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = ? AND m.id = ?`,
      organizationId,
      memberId,
    )
    return this.hydrate(rows)[0]
  }

  /** The roles of `ids` that do not exist, by their index in `ids`. */
  unknownRoles(ids: number[]): number[] {
    return unknownRoles(this.db, ids)
  }

  /** The workspaces of `ids` that are not the organization's, by their index in `ids`. */
  foreignWorkspaces(organizationId: string, ids: string[]): number[] {
    const own = new Set(
      this.db
        .all<{ id: string }>('SELECT id FROM workspaces WHERE organization_id = ?', organizationId)
        .map((r) => r.id.toLowerCase()),
    )
    return ids.flatMap((id, i) => (own.has(id.toLowerCase()) ? [] : [i]))
  }

  private ownerCount(organizationId: string): number {
    return this.db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM member_roles mr JOIN members m ON m.id = mr.member_id
         WHERE m.organization_id = ? AND mr.role_id = ?`,
      organizationId,
      ROLE.owner,
    )!.n
  }

  /** Whether `memberId` is a member of the organization, and whether it holds the Owner role. */
  private membership(organizationId: string, memberId: number): { isOwner: boolean } | undefined {
    const row = this.db.get<{ isOwner: number }>(
      `SELECT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role_id = ?) AS isOwner
         FROM members m WHERE m.organization_id = ? AND m.id = ?`,
      ROLE.owner,
      organizationId,
      memberId,
    )
    return row && { isOwner: row.isOwner === 1 }
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
    return this.db.immediate(() => {
      const membership = this.membership(organizationId, memberId)
      if (!membership) return 'not-found' as const
      if (membership.isOwner && !roles.includes(ROLE.owner) && this.ownerCount(organizationId) <= 1)
        return 'last-owner' as const
      this.db.run('DELETE FROM member_roles WHERE member_id = ?', memberId)
      this.db.run('DELETE FROM member_workspaces WHERE member_id = ?', memberId)
      const role = this.db.stmt('INSERT OR IGNORE INTO member_roles (member_id, role_id) VALUES (?, ?)')
      for (const r of roles) role.run(memberId, r)
      const ws = this.db.stmt(
        'INSERT OR IGNORE INTO member_workspaces (member_id, workspace_id) SELECT ?, id FROM workspaces WHERE organization_id = ? AND id = ? COLLATE NOCASE',
      )
      for (const w of workspaces) ws.run(memberId, organizationId, w)
      return 'ok' as const
    })
  }

  /** Removes a member unless it is the organization's last Owner. */
  removeMember(organizationId: string, memberId: number): 'ok' | 'not-found' | 'last-owner' {
    return this.db.immediate(() => {
      const membership = this.membership(organizationId, memberId)
      if (!membership) return 'not-found' as const
      if (membership.isOwner && this.ownerCount(organizationId) <= 1) return 'last-owner' as const
      this.db.run('DELETE FROM members WHERE id = ?', memberId)
      return 'ok' as const
    })
  }
}
