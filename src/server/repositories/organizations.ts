import { randomUUID } from 'node:crypto'
import type { Db } from '../db/connection.js'
import { insertMember, ROLE } from './members.js'

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

/** Organizations and their workspaces. */
export class OrganizationsRepository {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /** Read by every organization-scoped request: cached until the database changes (Db.cached). */
  getOrganization(id: string): OrganizationRow | undefined {
    return this.db.cached(`organization:${id}`, () =>
      this.db.get<OrganizationRow>('SELECT * FROM organizations WHERE id = ?', id),
    )
  }

  /** Creates the organization, its Default workspace and its owner's membership. */
  createOrganization(input: { name: string; countryCode: string; type?: string }, ownerId: string): string {
    const id = randomUUID()
    const now = this.now().toISOString()
    this.db.immediate(() => {
      this.db.run(
        `INSERT INTO organizations (id, name, country_code, type, owner_id, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        id,
        input.name,
        input.countryCode,
        input.type ?? null,
        ownerId,
        now,
        now,
      )
      const workspace = randomUUID()
      this.db.run(
        "INSERT INTO workspaces (id, organization_id, name) VALUES (?, ?, 'Default')",
        workspace,
        id,
      )
      insertMember(this.db, id, ownerId, [ROLE.owner], [workspace], now)
    })
    return id
  }

  /** Applies the given fields; `avatarUrl` replaces an uploaded avatar. */
  updateOrganization(
    id: string,
    patch: { name?: string; avatarUrl?: string | null; status?: string; statusReason?: string | null },
  ): void {
    const sets: string[] = []
    const values: Record<string, unknown> = { id, updated_at: this.now().toISOString() }
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
    this.db.run(`UPDATE organizations SET ${sets.join(', ')} WHERE id = @id`, values)
  }

  /** uploadAvatar: the organization's avatar becomes the stored file `media` (replacing any avatarUrl). */
  uploadAvatar(id: string, media: string): void {
    this.db.run(
      'UPDATE organizations SET avatar_media = ?, avatar_url = NULL, updated_at = ? WHERE id = ?',
      media,
      this.now().toISOString(),
      id,
    )
  }
}
