import type { Transport } from './transport.js'
import type { Envelope, OutboxMessage } from './types.js'

/** `GET /api/sandbox/outbox` (sandbox extension): messages newest first. */
export async function listOutbox(
  api: Transport,
  filter: { to?: string; organizationId?: string; limit?: number },
): Promise<OutboxMessage[]> {
  const res = await api.request<Envelope<OutboxMessage[]>>('GET', '/api/sandbox/outbox', {
    query: { to: filter.to, organizationId: filter.organizationId, limit: filter.limit },
  })
  return res.body?.data ?? []
}
