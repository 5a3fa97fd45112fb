import type { Transport } from './transport.js'
import type { CreateOrganizationInput, Envelope, Organization, UpdateOrganizationInput } from './types.js'

/** What a create returned: the organization when an ID came back (Location or body), else only the fact. */
export interface CreatedOrganization {
  id: string | null
  organization: Organization | null
}

const seg = encodeURIComponent

/** `GET /api/organizations/{id}`. Accepts a bare organization or one wrapped in `data`. */
export async function getOrganization(api: Transport, id: string): Promise<Organization> {
  const res = await api.request<Organization | Envelope<Organization>>('GET', `/api/organizations/${seg(id)}`)
  return unwrap(res.body)
}

/**
 * `POST /api/organizations`. The API answers 201 with no body; the new ID comes from `Location`
 * (or a body `id`, which some servers send), and is then read back so the caller can show it.
 */
export async function createOrganization(
  api: Transport,
  input: CreateOrganizationInput,
): Promise<CreatedOrganization> {
  const res = await api.request<unknown>('POST', '/api/organizations', { json: input })
  const id = idFromLocation(res.headers.location) ?? idFromBody(res.body)
  if (!id) return { id: null, organization: null }
  return { id, organization: await getOrganization(api, id) }
}

/** `PATCH /api/organizations/{id}`. */
export async function updateOrganization(
  api: Transport,
  id: string,
  input: UpdateOrganizationInput,
): Promise<Organization> {
  const res = await api.request<Organization | Envelope<Organization>>(
    'PATCH',
    `/api/organizations/${seg(id)}`,
    { json: input },
  )
  // Servers that answer 200 with no body (or an envelope without data) still updated; read it back.
  if (res.body === null || (typeof res.body === 'object' && !('id' in res.body) && !('data' in res.body)))
    return getOrganization(api, id)
  return unwrap(res.body)
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

function unwrap(body: Organization | Envelope<Organization>): Organization {
  if (body && typeof body === 'object' && 'data' in body && body.data && typeof body.data === 'object')
    return normalizeOrganization(body.data)
  return normalizeOrganization(body as Organization)
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

/** The last path segment of a `Location` header, if it looks like an ID. */
export function idFromLocation(location: string | undefined): string | null {
  if (!location) return null
  const path = location.replace(/[?#].*$/, '').replace(/\/+$/, '')
  const last = path.slice(path.lastIndexOf('/') + 1)
  return last ? decodeURIComponent(last) : null
}

function idFromBody(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null
  const b = body as { id?: unknown; data?: { id?: unknown } }
  const id = b.id ?? b.data?.id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null
}
