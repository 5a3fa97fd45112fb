import type { Transport } from '../api/transport.js'
import type { InviteInput } from '../api/types.js'

/** `--json` shape of one invitation (also a row of a bulk report). */
export interface InviteResult {
  organizationId: string
  email: string
  name: string
  roles: number[]
  invitationId: string | null
  expiresAt: string | null
  idempotencyKey: string
  replayed: boolean
}

/**
 * Sends one invitation. `invite send` uses it for a single person; the bulk engine can call it per row
 * with a key of its own so that a resumed run never invites anyone twice.
 */
export async function inviteMember(
  api: Transport,
  organizationId: string,
  input: InviteInput,
  idempotencyKey?: string,
): Promise<InviteResult> {
  const client = await import('../api/invitations.js')
  const sent = await client.inviteMember(api, organizationId, input, idempotencyKey)
  return {
    organizationId,
    email: input.email,
    name: input.name,
    roles: input.roles,
    invitationId: sent.invitation?.id ?? null,
    expiresAt: sent.invitation?.expiresAt ?? null,
    idempotencyKey: sent.idempotencyKey,
    replayed: sent.replayed,
  }
}
