import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'
import { caller, requireAdmin } from '../auth.js'
import { newSecret } from '../crypto.js'
import { idempotent } from '../idempotency.js'
import { fastifyPath, operation, routeSchema } from '../spec.js'
import type { OutboxRow } from '../store.js'

/** An outbox message as the API shows it. */
function outboxMessageJson(row: OutboxRow): Record<string, unknown> {
  return {
    id: row.id,
    to: row.to_email,
    subject: row.subject,
    text: row.text,
    inviteToken: row.invite_token,
    organizationId: row.organization_id,
    createdAt: row.created_at,
  }
}

/** Sandbox-only extensions: read the outbox, mint tokens. */
export function sandboxRoutes(app: FastifyInstance, { store }: RouteDeps): void {
  app.get<{ Querystring: { to?: string; organizationId?: string; limit?: number } }>(
    fastifyPath(operation('listOutbox').path),
    { schema: routeSchema('listOutbox') },
    async (request) => {
      requireAdmin(caller(request))
      const { to, organizationId, limit } = request.query
      return {
        success: true,
        data: store.invitations.listOutbox({ to, organizationId, limit: limit ?? 20 }).map(outboxMessageJson),
      }
    },
  )

  app.post<{ Body: { email: string; name?: string } }>(
    fastifyPath(operation('createToken').path),
    {
      schema: routeSchema('createToken'),
      // The answer holds a token, which must never be stored in plain text for a replay.
      preHandler: [async (request) => requireAdmin(caller(request)), idempotent(store, { record: false })],
    },
    async (request, reply) => {
      const token = newSecret()
      const user = store.users.createToken(request.body.email, request.body.name, token)
      return reply.code(201).send({ success: true, data: { token, userId: user.id, email: user.email } })
    },
  )
}
