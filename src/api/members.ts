import * as shape from './shape.js'
import type { Transport } from './transport.js'
import type { Envelope, Member, MembersPage } from './types.js'

const seg = encodeURIComponent

export { MAX_PER_PAGE } from '../shared/rules.js'
import { MAX_PER_PAGE } from '../shared/rules.js'

interface Paginator {
  current_page?: number
  data?: Member[]
  per_page?: number
  total?: number
  last_page?: number
}

/**
 * `GET /api/organizations/{id}/members?page=&per_page=`. Accepts a Laravel paginator in `data`, or
 * `data` as a plain array (then the page is the whole list).
 */
export async function listMembers(
  api: Transport,
  orgId: string,
  page: number,
  perPage: number,
): Promise<MembersPage> {
  const path = `/api/organizations/${seg(orgId)}/members`
  const res = await api.request<Envelope<Paginator | Member[]> | Member[]>('GET', path, {
    query: { page, per_page: perPage },
  })
  // Refuses a body that is not a member list (a captive portal's `{}` is not "no members").
  shape.membersBody(res.body, { method: 'GET', path, status: res.status })
  return normalisePage(res.body, page, perPage)
}

/** Turns any accepted members body into a {@link MembersPage}. */
export function normalisePage(
  body: Envelope<Paginator | Member[]> | Member[] | null,
  page: number,
  perPage: number,
): MembersPage {
  const data = Array.isArray(body) ? body : body?.data
  if (Array.isArray(data)) {
    return { page: 1, perPage: data.length, total: data.length, lastPage: 1, members: data }
  }
  const members = data?.data ?? []
  const total = data?.total ?? members.length
  const size = data?.per_page ?? perPage
  return {
    page: data?.current_page ?? page,
    perPage: size,
    total,
    lastPage: data?.last_page ?? Math.max(1, Math.ceil(total / Math.max(1, size))),
    members,
  }
}

/**
 * Every page in turn, fetched only when the previous one has been consumed, so that a caller can
 * render as it goes and never holds more than one page.
 */
export async function* allMemberPages(
  api: Transport,
  orgId: string,
  perPage: number = MAX_PER_PAGE,
): AsyncGenerator<MembersPage> {
  for (let page = 1; ; page++) {
    const current = await listMembers(api, orgId, page, perPage)
    yield current
    // A plain-array server returns everything at once; a paginator tells us where it ends.
    if (current.page >= current.lastPage || current.members.length === 0) return
  }
}

/** `PUT /api/organizations/{id}/members/{memberId}`. */
export async function updateMember(
  api: Transport,
  orgId: string,
  memberId: number,
  input: { workspaces: string[]; roles: number[] },
): Promise<Member | null> {
  const res = await api.request<Envelope<Member>>(
    'PUT',
    `/api/organizations/${seg(orgId)}/members/${memberId}`,
    { json: input },
  )
  return res.body?.data ?? null
}

/** `DELETE /api/organizations/{id}/members/{memberId}`; returns the server's message. */
export async function removeMember(api: Transport, orgId: string, memberId: number): Promise<string | null> {
  const res = await api.request<Envelope<unknown>>(
    'DELETE',
    `/api/organizations/${seg(orgId)}/members/${memberId}`,
  )
  return res.body?.message ?? null
}
