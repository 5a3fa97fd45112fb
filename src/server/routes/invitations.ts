import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'
import { caller, organizationFor } from '../auth.js'
import { hashPassword, newSecret } from '../crypto.js'
import { fieldError, HttpError, validationError } from '../errors.js'
import { idempotent } from '../idempotency.js'
import { fastifyPath, operation, routeSchema } from '../spec.js'

/** Invitations are valid for 7 days (DESIGN.md decision 9). */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000

/** Invite someone to an organization; accept an invitation. */
export function invitationRoutes(app: FastifyInstance, { store, now }: RouteDeps): void {
  app.post<{ Params: { organizationId: string }; Body: { email: string; name: string; roles: number[] } }>(
    fastifyPath(operation('inviteMember').path),
    { schema: routeSchema('inviteMember'), preHandler: idempotent(store) },
    async (request) => {
      const org = organizationFor(store, caller(request), request.params.organizationId, 'manage')
      const { email, name } = request.body
      const roles = [...new Set(request.body.roles)]
      const unknown = store.unknownRoles(request.body.roles)
      if (unknown.length > 0) {
        throw validationError(
          Object.fromEntries(unknown.map((i) => [`roles.${i}`, [`The selected roles.${i} is invalid.`]])),
        )
      }
      const result = store.createInvitation({
        organizationId: org.id,
        organizationName: org.name,
        email,
        name,
        roles,
        token: newSecret(),
        ttlMs: INVITATION_TTL_MS,
      })
      if (result === 'member')
        throw new HttpError(409, 'This person is already a member of the organization.')
      if (result === 'pending')
        throw new HttpError(409, 'This person already has a pending invitation to the organization.')
      return {
        success: true,
        message: 'Invitation sent successfully.',
        data: { id: result.id, email: result.email, name: result.name, roles, expiresAt: result.expires_at },
      }
    },
  )

  app.post<{ Params: { inviteToken: string }; Body: { password: string; password_confirmation: string } }>(
    fastifyPath(operation('acceptInvitation').path),
    { schema: routeSchema('acceptInvitation'), config: { public: true }, preHandler: idempotent(store) },
    async (request) => {
      const { password, password_confirmation: confirmation } = request.body
      if (password !== confirmation)
        throw fieldError('password', 'The password field confirmation does not match.')
      const invitation = store.invitationByToken(request.params.inviteToken)
      if (!invitation) throw new HttpError(404, 'This invitation does not exist; check the token.')
      if (invitation.status === 'accepted') throw new HttpError(410, 'This invitation has already been used.')
      if (invitation.status === 'expired' || new Date(invitation.expires_at) <= now()) {
        store.expireInvitation(invitation.id)
        throw new HttpError(410, 'This invitation has expired.')
      }
      // Hash before the transaction: scrypt is slow and must not hold the write lock.
      const passwordHash = await hashPassword(password)
      const result = store.acceptInvitation(invitation.id, passwordHash)
      if (result === 'gone') throw new HttpError(410, 'This invitation has already been used or has expired.')
      if (result === 'member') throw new HttpError(409, 'You are already a member of this organization.')
      return { success: true, message: 'Password set successfully.', data: result }
    },
  )
}
