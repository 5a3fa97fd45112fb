import type { Transport } from './transport.js'
import type { ChargeInput, Envelope, LedgerEntry, WalletSummary } from './types.js'

const seg = encodeURIComponent

const LEDGER_FIELDS = [
  'id',
  'organizationId',
  'amount',
  'service',
  'smsPoints',
  'reason',
  'createdAt',
] as const

/**
 * A ledger entry with every field present (README, "Stable JSON shapes"): the sandbox leaves `reason`
 * out when a charge had none, as the reference's optional, non-nullable fields are; orgctl shows null.
 */
function normalizeEntry(entry: LedgerEntry): LedgerEntry {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return entry
  const out: Record<string, unknown> = {}
  for (const field of LEDGER_FIELDS) out[field] = entry[field] ?? null
  for (const [key, value] of Object.entries(entry)) {
    if (!Object.hasOwn(out, key) && key !== '__proto__') out[key] = value
  }
  return out as unknown as LedgerEntry
}

/** Result of a charge request. */
export interface ChargeResponse {
  /** The ledger row (sandbox); null when the server answers `data: null` as the reference does. */
  entry: LedgerEntry | null
  message: string | null
  /** The server replayed an earlier response for this key: nothing was charged again. */
  replayed: boolean
  idempotencyKey: string
}

/** `POST /api/admin/organizations/{id}/charge` with the given idempotency key. */
export async function chargeWallet(
  api: Transport,
  orgId: string,
  input: ChargeInput,
  idempotencyKey: string,
): Promise<ChargeResponse> {
  const res = await api.request<Envelope<LedgerEntry | null> | null>(
    'POST',
    `/api/admin/organizations/${seg(orgId)}/charge`,
    { json: input, idempotencyKey },
  )
  return {
    entry: res.body?.data ? normalizeEntry(res.body.data) : null,
    message: res.body?.message ?? null,
    replayed: res.headers['idempotent-replayed'] === 'true',
    idempotencyKey,
  }
}

/**
 * `GET /api/admin/organizations/{id}/wallet?limit=` (sandbox extension). Resolves to null when the API
 * answers 404/405 for the route itself, i.e. does not offer the extension; the caller tells that apart
 * from an unknown organization.
 */
export async function getWallet(api: Transport, orgId: string, limit: number): Promise<WalletSummary | null> {
  const res = await api.request<Envelope<WalletSummary> | null>(
    'GET',
    `/api/admin/organizations/${seg(orgId)}/wallet`,
    { query: { limit }, accept: [404, 405] },
  )
  if (res.status === 404 || res.status === 405) return null
  const wallet = res.body?.data ?? null
  if (wallet && Array.isArray(wallet.ledger)) return { ...wallet, ledger: wallet.ledger.map(normalizeEntry) }
  return wallet
}
