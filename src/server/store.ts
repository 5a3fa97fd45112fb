import { Db } from './db/connection.js'
import { IdempotencyRepository } from './repositories/idempotency.js'
import { InvitationsRepository } from './repositories/invitations.js'
import { MembersRepository } from './repositories/members.js'
import { OrganizationsRepository } from './repositories/organizations.js'
import { UsersRepository } from './repositories/users.js'
import { WalletRepository } from './repositories/wallet.js'

export { ADMIN_EMAIL, type UserRow } from './repositories/users.js'
export type { IdempotencyRow } from './repositories/idempotency.js'
export type { InvitationRow, OutboxRow } from './repositories/invitations.js'
export { ROLE, type MemberRow } from './repositories/members.js'
export type { OrganizationRow } from './repositories/organizations.js'
export type { LedgerRow } from './repositories/wallet.js'

/**
 * The sandbox's data: one connection (src/server/db) and a repository per resource, mirroring
 * src/server/routes. Every SQL statement of the server lives in a repository, parameterised.
 */
export class Store {
  readonly organizations: OrganizationsRepository
  readonly members: MembersRepository
  readonly invitations: InvitationsRepository
  readonly wallet: WalletRepository
  readonly users: UsersRepository
  readonly idempotency: IdempotencyRepository
  private readonly db: Db

  constructor(dbPath: string, outboxPath: string, now: () => Date) {
    this.db = new Db(dbPath, outboxPath)
    this.organizations = new OrganizationsRepository(this.db, now)
    this.members = new MembersRepository(this.db)
    this.invitations = new InvitationsRepository(this.db, now)
    this.wallet = new WalletRepository(this.db, now)
    this.users = new UsersRepository(this.db, now)
    this.idempotency = new IdempotencyRepository(this.db, now)
  }

  /**
   * Called once at the start of every authenticated request, before its first read: the cached reads
   * (token, organization, roles) then reflect every commit of other connections that ended before it.
   */
  refresh(): void {
    this.db.refresh()
  }

  /** Which SQLite driver the connection uses ('node:sqlite' or 'better-sqlite3'). */
  get driver(): string {
    return this.db.sqlite.driver
  }

  close(): void {
    if (this.db.sqlite.open) this.db.close()
  }
}
