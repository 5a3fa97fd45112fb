import { BadResponseError } from './errors.js'
import type { Member, Organization } from './types.js'

/**
 * Minimal shape checks of what each operation needs from a success body. A body that fails one is a
 * server error (exit 7), never an empty or half-filled result: a captive portal's `{}` or a proxy's
 * `[]` must not read as "no members".
 */

/** What a request answered, for messages. */
export interface Answered {
  method: string
  path: string
  status: number
}

function wrong(at: Answered, what: string): BadResponseError {
  return new BadResponseError(
    at.status,
    `The API answered ${at.method} ${at.path} (HTTP ${at.status}) with ${what}; this is a server error`,
    at.path,
  )
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** An organization (bare, or in `data`) with a string `id` and `name`. */
export function organization(body: unknown, at: Answered): Organization {
  if (body === null || body === undefined) throw wrong(at, 'an empty body where an organization was expected')
  const candidate = isObject(body) && isObject(body.data) ? body.data : body
  if (!isObject(candidate) || typeof candidate.id !== 'string' || candidate.id === '')
    throw wrong(at, 'a body that is not an organization (no string "id")')
  if (typeof candidate.name !== 'string') throw wrong(at, 'an organization without a string "name"')
  return candidate as unknown as Organization
}

/** Members: every entry an object with a numeric `id`. */
export function members(list: unknown[], at: Answered): Member[] {
  for (const [i, m] of list.entries()) {
    if (!isObject(m) || typeof m.id !== 'number')
      throw wrong(at, `a member list whose entry ${i} is not a member (no numeric "id")`)
  }
  return list as Member[]
}

/**
 * A members body: `data` a Laravel paginator (with a `data` array) or a plain array, or the body itself
 * an array. Returns the members and the paginator fields, if any.
 */
export function membersBody(
  body: unknown,
  at: Answered,
): { list: Member[]; paginator: Record<string, unknown> | null } {
  if (Array.isArray(body)) return { list: members(body, at), paginator: null }
  if (!isObject(body)) throw wrong(at, 'an empty or non-object body where a member list was expected')
  const data = body.data
  if (Array.isArray(data)) return { list: members(data, at), paginator: null }
  if (!isObject(data) || !Array.isArray(data.data))
    throw wrong(at, 'a body that is neither a paginator of members (no "data.data" array) nor a list')
  return { list: members(data.data, at), paginator: data }
}
