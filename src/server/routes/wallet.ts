import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'
import { caller, requireAdmin } from '../auth.js'
import { notFound } from '../errors.js'
import { idempotent } from '../idempotency.js'
import { fastifyPath, operation, routeSchema } from '../spec.js'
import type { LedgerRow } from '../store.js'

type ChargeBody = { amount: number; service: 'sms'; sms_point?: number; reason?: string | null }

/** A ledger entry as the API sends it: `reason` is optional, not nullable, so it is left out when unset. */
export function ledgerJson(row: LedgerRow): Record<string, unknown> {
  return {
    id: row.id,
    organizationId: row.organization_id,
    amount: row.amount,
    service: row.service,
    smsPoints: row.sms_points,
    ...(row.reason === null ? {} : { reason: row.reason }),
    createdAt: row.created_at,
  }
}

/** Charge a wallet (a top-up recorded in the ledger) and read a wallet (extension). */
export function walletRoutes(app: FastifyInstance, { store }: RouteDeps): void {
  app.post<{ Params: { organization: string }; Body: ChargeBody }>(
    fastifyPath(operation('chargeWallet').path),
    {
      schema: routeSchema('chargeWallet'),
      // Admin check before the key is claimed: a refused caller must not consume it.
      preHandler: [async (request) => requireAdmin(caller(request)), idempotent(store)],
    },
    async (request) => {
      const user = caller(request)
      const org = store.organizations.getOrganization(request.params.organization)
      if (!org) throw notFound()
      const entry = store.wallet.chargeWallet({
        organizationId: org.id,
        amount: request.body.amount,
        service: request.body.service,
        smsPoints: request.body.sms_point ?? 0,
        reason: request.body.reason ?? null,
        createdBy: user.id,
      })
      return { success: true, message: 'Charge processed successfully', data: ledgerJson(entry) }
    },
  )

  app.get<{ Params: { organization: string }; Querystring: { limit?: number } }>(
    fastifyPath(operation('getWallet').path),
    { schema: routeSchema('getWallet') },
    async (request) => {
      requireAdmin(caller(request))
      const org = store.organizations.getOrganization(request.params.organization)
      if (!org) throw notFound()
      const wallet = store.wallet.getWallet(org.id, request.query.limit ?? 20)
      return {
        success: true,
        data: {
          organizationId: org.id,
          balance: { amount: wallet.amount, smsPoints: wallet.smsPoints },
          ledger: wallet.ledger.map(ledgerJson),
        },
      }
    },
  )
}
