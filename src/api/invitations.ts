import type { Transport } from './transport.js'
import type { Envelope, Invitation, InviteInput } from './types.js'

const seg = encodeURIComponent

/** Result of one invitation: what the server echoed (sandbox extension) and the key used. */
export interface SentInvitation {
  invitation: Invitation | null
  message: string | null
  idempotencyKey: string
  replayed: boolean
}

/** `POST /api/organizations/{id}/invite`, with an idempotency key (one per invitation). */
export async function inviteMember(
  api: Transport,
  orgId: string,
  input: InviteInput,
  idempotencyKey?: string,
): Promise<SentInvitation> {
  const res = await api.request<Envelope<Invitation> | null>(
    'POST',
    `/api/organizations/${seg(orgId)}/invite`,
    {
      json: input,
      idempotencyKey,
    },
  )
  return {
    invitation: res.body?.data ?? null,
    message: res.body?.message ?? null,
    idempotencyKey: res.idempotencyKey ?? '',
    replayed: res.headers['idempotent-replayed'] === 'true',
  }
}

/** `POST /api/organizations/invite/{token}/accept` (no authorization). */
export async function acceptInvitation(
  api: Transport,
  token: string,
  password: string,
): Promise<{ organizationId: string | null; memberId: number | null; message: string | null }> {
  const res = await api.request<Envelope<{ organizationId?: string; memberId?: number }> | null>(
    'POST',
    `/api/organizations/invite/${seg(token)}/accept`,
    { json: { password, password_confirmation: password }, auth: false, secrets: [password, token] },
  )
  return {
    organizationId: res.body?.data?.organizationId ?? null,
    memberId: res.body?.data?.memberId ?? null,
    message: res.body?.message ?? null,
  }
}
