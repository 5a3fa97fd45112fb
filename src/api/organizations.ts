import * as shape from './shape.js'
import type { Transport } from './transport.js'
import type { CreateOrganizationInput, Envelope, Organization, UpdateOrganizationInput } from './types.js'

/** What a create returned: the organization when an ID came back (Location or body), else only the fact. */
export interface CreatedOrganization {
  id: string | null
  organization: Organization | null
  /** Why the organization is not shown although it was created (no usable ID, or reading it back failed). */
  note?: string
}

const seg = encodeURIComponent

/** `GET /api/organizations/{id}`. Accepts a bare organization or one wrapped in `data`. */
export async function getOrganization(api: Transport, id: string): Promise<Organization> {
  const path = `/api/organizations/${seg(id)}`
  const res = await api.request<Organization | Envelope<Organization>>('GET', path)
  return normalizeOrganization(shape.organization(res.body, { method: 'GET', path, status: res.status }))
}

/**
 * `POST /api/organizations`. The API answers 201 with no body; the new ID comes from `Location`
 * (or a body `id`, which some servers send), and is then read back so the caller can show it.
 */
export async function createOrganization(
  api: Transport,
  input: CreateOrganizationInput,
): Promise<CreatedOrganization> {
  // Created is created: an unusable Location or body must not turn a success into an error, or a
  // re-run would create a duplicate.
  const res = await api.request<unknown>('POST', '/api/organizations', { json: input, lenientBody: true })
  const id = idFromLocation(res.headers.location) ?? idFromBody(res.body)
  if (!id) return { id: null, organization: null, note: 'created, but the server returned no usable ID' }
  try {
    return { id, organization: await getOrganization(api, id) }
  } catch (error) {
    if ((error as { name?: string }).name === 'InterruptedError') throw error
    const why = error instanceof Error ? error.message : String(error)
    return { id, organization: null, note: `created, but reading it back failed: ${why}` }
  }
}

/** `PATCH /api/organizations/{id}`. */
export async function updateOrganization(
  api: Transport,
  id: string,
  input: UpdateOrganizationInput,
): Promise<Organization> {
  const path = `/api/organizations/${seg(id)}`
  const res = await api.request<Organization | Envelope<Organization>>('PATCH', path, { json: input })
  // Servers that answer 200 with no body (or an envelope without data) still updated; read it back.
  if (res.body === null || (typeof res.body === 'object' && !('id' in res.body) && !('data' in res.body)))
    return getOrganization(api, id)
  return normalizeOrganization(shape.organization(res.body, { method: 'PATCH', path, status: res.status }))
}

/**
 * `POST /api/organizations/{id}/upload-avatar` (multipart field `file`). Returns the avatar URL: the
 * sandbox sends it in `data.avatarUrl`; for a server that sends no content it is read back from the organization.
 */
export async function uploadAvatar(
  api: Transport,
  id: string,
  file: { filename: string; contentType: string; data: Uint8Array },
): Promise<string | null> {
  const res = await api.request<Envelope<{ avatarUrl?: string }> | null>(
    'POST',
    `/api/organizations/${seg(id)}/upload-avatar`,
    { file: { field: 'file', ...file } },
  )
  const url = res.body && typeof res.body === 'object' ? res.body.data?.avatarUrl : undefined
  if (url) return url
  return (await getOrganization(api, id)).avatarUrl ?? null
}

/** The organization fields orgctl always shows, in this order (README, "Stable JSON shapes"). */
const ORGANIZATION_FIELDS = [
  'id',
  'name',
  'countryCode',
  'avatarUrl',
  'status',
  'statusReason',
  'type',
  'owner',
  'createdAt',
  'updatedAt',
] as const

/**
 * An organization with every field orgctl documents present, `null` where the server sent none. The
 * reference lets a server leave optional fields out (`type`) or send them as null (`avatarUrl`), and
 * servers drift; either way `--json` keeps one shape. Fields a server adds beyond these follow them.
 */
export function normalizeOrganization(raw: Organization): Organization {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw
  const out: Record<string, unknown> = {}
  for (const field of ORGANIZATION_FIELDS) out[field] = raw[field] ?? null
  for (const [key, value] of Object.entries(raw)) {
    // `__proto__` from JSON.parse is an own key; assigning it would set the prototype instead.
    if (!Object.hasOwn(out, key) && key !== '__proto__') out[key] = value
  }
  return out as unknown as Organization
}

// An ID we are willing to put back in a path and show: a UUID or a plain token of letters, digits, - and _.
const USABLE_ID = /^[A-Za-z0-9_-]{1,128}$/

/** The last path segment of a `Location` header, if it looks like an ID. */
export function idFromLocation(location: string | undefined): string | null {
  if (!location) return null
  const path = location.replace(/[?#].*$/, '').replace(/\/+$/, '')
  const last = path.slice(path.lastIndexOf('/') + 1)
  let id: string
  try {
    id = decodeURIComponent(last)
  } catch {
    return null
  }
  return USABLE_ID.test(id) ? id : null
}

function idFromBody(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null
  const b = body as { id?: unknown; data?: { id?: unknown } }
  const id = b.id ?? b.data?.id
  const text = typeof id === 'string' || typeof id === 'number' ? String(id) : null
  return text !== null && USABLE_ID.test(text) ? text : null
}
