import type { Transport } from '../api/transport.js'
import type { Member } from '../api/types.js'
import type { MemberRef } from './args.js'
import { CliError, ExitCode } from './errors.js'
import { visible } from './names.js'

/*
 * Members by e-mail (README "Working by name"). The API cannot search members, so an address is found
 * by reading the members list, 100 members a page, stopping at the first page that has it: one request
 * per 100 members in front of it. Matching is exact and ignores case, as e-mail providers do.
 */

/** The members on the first page that has `email`, reading pages of 100 in turn; empty when none does. */
export async function findMembersByEmail(api: Transport, orgId: string, email: string): Promise<Member[]> {
  const { allMemberPages, MAX_PER_PAGE } = await import('../api/members.js')
  const wanted = email.toLowerCase()
  for await (const page of allMemberPages(api, orgId, MAX_PER_PAGE)) {
    const found = page.members.filter((m) => typeof m.email === 'string' && m.email.toLowerCase() === wanted)
    if (found.length) return found
  }
  return []
}

/**
 * Every member's ID by lower-case e-mail, from one reading of the whole list: for resolving many
 * addresses at once (a bulk file) with one listing instead of one per address.
 */
export async function memberIdsByEmail(api: Transport, orgId: string): Promise<Map<string, number[]>> {
  const { allMemberPages, MAX_PER_PAGE } = await import('../api/members.js')
  const index = new Map<string, number[]>()
  for await (const page of allMemberPages(api, orgId, MAX_PER_PAGE))
    for (const m of page.members) {
      if (typeof m.email !== 'string') continue
      const key = m.email.toLowerCase()
      index.set(key, [...(index.get(key) ?? []), m.id])
    }
  return index
}

/** No member has the address: exit 4, naming it. */
export function noMemberWithEmail(email: string): CliError {
  return new CliError(
    `No member of this organization has the e-mail address ${visible(email)}; nothing was sent`,
    ExitCode.NotFound,
    404,
  )
}

/** Several members share the address: exit 5, listing their IDs so that one can be given. */
export function ambiguousEmail(email: string, ids: readonly number[]): CliError {
  return new CliError(
    `${ids.length} members have the e-mail address ${visible(email)} (IDs ${ids.join(', ')}); ` +
      'give the member ID instead; nothing was sent',
    ExitCode.Rejected,
    null,
  )
}

/** What {@link resolveMember} needs from the command. */
export interface MemberContext {
  api: Transport
  orgId: string
  /** Whether a picker may be shown (stdin and stderr are terminals). */
  interactive: boolean
  note: (line: string) => void
}

/**
 * The member ID a command acts on: an ID as given; an e-mail address looked up (exit 4 when nobody has
 * it, exit 5 when several do, unless a terminal lets the person pick one); omitted, on a terminal, a
 * searchable list of the organization's members, else a usage error at once. What was looked up is
 * said on stderr.
 */
export async function resolveMember(given: MemberRef | undefined, ctx: MemberContext): Promise<number> {
  if (given?.id !== undefined) return given.id
  if (given === undefined) {
    if (!ctx.interactive)
      throw new CliError(
        "Missing required argument MEMBER: give a member ID or the member's e-mail address (no terminal to ask on)",
        ExitCode.Usage,
      )
    const { pickMember } = await import('./interactive.js')
    const member = await pickMember(ctx.api, ctx.orgId)
    return member.id
  }
  const found = await findMembersByEmail(ctx.api, ctx.orgId, given.email)
  if (found.length === 0) throw noMemberWithEmail(given.email)
  let member = found[0]!
  if (found.length > 1) {
    if (!ctx.interactive)
      throw ambiguousEmail(
        given.email,
        found.map((m) => m.id),
      )
    const { pickAmong } = await import('./interactive.js')
    member = await pickAmong(`${found.length} members have ${visible(given.email)}; which one?`, found)
  }
  ctx.note(`Member ${visible(given.email)} is ${visible(String(member.name))} (member ${member.id}).`)
  return member.id
}
