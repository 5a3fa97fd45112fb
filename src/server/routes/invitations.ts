import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'
import { caller, organizationFor } from '../auth.js'
import { hashPassword, newSecret } from '../crypto.js'
import { fieldError, HttpError, validationError } from '../errors.js'
import { idempotent } from '../idempotency.js'
import { fastifyPath, operation, routeSchema } from '../spec.js'
import type { InvitationRow } from '../store.js'

/** Invitations are valid for 7 days (DESIGN.md decision 9). */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000

/** The sandbox's invitation e-mail, written to the outbox instead of being sent. */
function invitationMessage(
  organizationName: string,
  token: string,
  invitation: InvitationRow,
): { subject: string; text: string } {
  const text = [
    `Hello ${invitation.name},`,
    '',
    `You have been invited to join ${organizationName}.`,
    `Accept with: orgctl invite accept ${token}`,
    `or POST /api/organizations/invite/${token}/accept with your password.`,
    `This invitation expires at ${invitation.expires_at}.`,
  ].join('\n')
  return { subject: `Invitation to ${organizationName}`, text }
}

/** Invite someone to an organization; accept an invitation. */
export function invitationRoutes(app: FastifyInstance, { store, now }: RouteDeps): void {
  app.post<{ Params: { organizationId: string }; Body: { email: string; name: string; roles: number[] } }>(
    fastifyPath(operation('inviteMember').path),
    { schema: routeSchema('inviteMember'), preHandler: idempotent(store) },
    async (request) => {
      const org = organizationFor(store, caller(request), request.params.organizationId, 'manage')
      const { email, name } = request.body
      const roles = [...new Set(request.body.roles)]
      const unknown = store.members.unknownRoles(request.body.roles)
      if (unknown.length > 0) {
        throw validationError(
          Object.fromEntries(unknown.map((i) => [`roles.${i}`, [`The selected roles.${i} is invalid.`]])),
        )
      }
      const token = newSecret()
      const result = store.invitations.inviteMember({
        organizationId: org.id,
        email,
        name,
        roles,
        token,
        ttlMs: INVITATION_TTL_MS,
        message: (invitation) => invitationMessage(org.name, token, invitation),
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
      const invitation = store.invitations.invitationByToken(request.params.inviteToken)
      if (!invitation) throw new HttpError(404, 'This invitation does not exist; check the token.')
      if (invitation.status === 'accepted') throw new HttpError(410, 'This invitation has already been used.')
      if (invitation.status === 'expired' || new Date(invitation.expires_at) <= now()) {
        store.invitations.expireInvitation(invitation.id)
        throw new HttpError(410, 'This invitation has expired.')
      }
      // Hash before the transaction: scrypt is slow and must not hold the write lock.
      const passwordHash = await hashPassword(password)
      const result = store.invitations.acceptInvitation(invitation.id, passwordHash)
      if (result === 'gone') throw new HttpError(410, 'This invitation has already been used or has expired.')
      if (result === 'member') throw new HttpError(409, 'You are already a member of this organization.')
      return { success: true, message: 'Password set successfully.', data: result }
    },
  )
}
