import type { FastifyRequest } from 'fastify'
import { forbidden, notFound, unauthenticated } from './errors.js'
import { ROLE, type OrganizationRow, type Store, type UserRow } from './store.js'
import { sha256 } from './crypto.js'

/** The bearer token of a request, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/** The authenticated caller; every non-public route has one (the auth hook saw to it). */
export function caller(request: FastifyRequest): UserRow {
  if (!request.user) throw unauthenticated()
  return request.user
}

/**
 * Resolves a bearer token to a user: ephemeral admin tokens (compared by hash, held only in
 * memory) first, then the tokens table. The first step of every authenticated request, so it is
 * where the store learns of other connections' commits (Store.refresh) before the request reads.
 */
export function authenticate(
  store: Store,
  ephemeralHashes: ReadonlySet<string>,
  ephemeralAdmin: () => UserRow,
  token: string | undefined,
): UserRow | undefined {
  if (!token) return undefined
  store.refresh()
  const hash = sha256(token)
  if (ephemeralHashes.has(hash)) return ephemeralAdmin()
  return store.users.userByTokenHash(hash)
}

/**
 * docs/DESIGN.md decision 12: platform admins may do everything; Owners and Admins manage; any member
 * reads; to anyone else the organization does not exist.
 */
export function organizationFor(
  store: Store,
  user: UserRow,
  organizationId: string,
  need: 'read' | 'manage',
): OrganizationRow {
  const org = store.organizations.getOrganization(organizationId)
  if (!org) throw notFound()
  if (user.is_platform_admin) return org
  const roles = store.members.membershipRoles(org.id, user.id)
  if (!roles) throw notFound()
  if (need === 'manage' && !roles.includes(ROLE.owner) && !roles.includes(ROLE.admin)) throw forbidden()
  return org
}

/** Only platform admins pass. */
export function requireAdmin(user: UserRow): void {
  if (!user.is_platform_admin) throw forbidden()
}
