import { Args, Flags } from '@oclif/core'

import { UsageError } from './errors.js'
import * as validate from './validate.js'

/*
 * The shared argument and flag definitions (issue 13): ORG, MEMBER, roles and whole numbers are parsed
 * and checked here, once, so that no command re-validates them in run(). Parsing has no side effect
 * beyond reading orgctl's own config for an alias; what needs the network (a member's e-mail, the
 * default organization's name, a role name against the target's map) is resolved after parsing by
 * src/core/names.ts and src/core/member-lookup.ts.
 */

/** An organization as given: an ID, or an alias already turned into its ID. */
export interface OrgRef {
  id: string
  /** The alias it was written as, so that the command can say what it resolved. */
  alias?: string
}

/** A member as given: an ID, or an e-mail address still to be looked up in the organization. */
export type MemberRef = { id: number; email?: undefined } | { email: string; id?: undefined }

/** A role as given: an IAM role ID, or a name still to be looked up in the target's role map. */
export type RoleRef = number | string

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** What an alias may be: a word people type (a letter first, then letters, digits, `.`, `_`, `-`). */
export const ALIAS_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/i

/**
 * An organization ID or alias, for an argument, a flag or `ORGCTL_ORG` (`name` says which, in messages).
 * Aliases are matched without regard to case; an unknown one is a usage error listing the known ones.
 */
export async function parseOrg(input: string, name: string): Promise<OrgRef> {
  const value = input.trim()
  if (UUID.test(value)) return { id: value.toLowerCase() }
  if (!ALIAS_PATTERN.test(value))
    throw new UsageError(
      `${name} must be an organization ID (a UUID like 123e4567-e89b-12d3-a456-426614174000) or an alias, got "${input}"`,
    )
  const { readNames } = await import('./config.js')
  const { aliases } = await readNames()
  const id = aliases[value.toLowerCase()]
  if (id) return { id, alias: value.toLowerCase() }
  const known = Object.keys(aliases).sort()
  throw new UsageError(
    `${name}: no alias "${value}" (${known.length ? `known aliases: ${known.join(', ')}` : 'no aliases yet'}); ` +
      'add one with `orgctl org alias set NAME ORG`, or give the organization ID',
  )
}

/**
 * The ORG argument: a UUID or an alias. Optional on the command line: when omitted, the command takes
 * `ORGCTL_ORG`, then the default set with `orgctl org use`, then (on a terminal) a picker.
 */
export const orgArg = Args.custom<OrgRef>({
  description: 'Organization ID (UUID) or alias (default: ORGCTL_ORG, then `orgctl org use`)',
  required: false,
  parse: (input) => parseOrg(input, 'ORG'),
})()

/** A member ID (positive whole number) or e-mail address (a value with `@`). */
export function parseMember(input: string, name: string): MemberRef {
  const value = input.trim()
  if (value.includes('@')) return { email: validate.email(value, name) }
  if (/^\d+$/.test(value)) return { id: validate.positiveInt(value, name) }
  throw new UsageError(
    `${name} must be a member ID (a positive whole number) or the member's e-mail address, got "${input}"`,
  )
}

/**
 * ORG then MEMBER, where ORG may be omitted (`members remove bob@example.com` with a default organization):
 * a first argument that can only be a member (an e-mail address, or a whole number, which no UUID or
 * alias is) is taken as the member. Parse-time, so an ORG argument is checked as one either way.
 */
export const orgOrMemberArg = Args.custom<OrgRef | { member: MemberRef; input: string }>({
  description: 'Organization ID (UUID) or alias (default: ORGCTL_ORG, then `orgctl org use`)',
  required: false,
  parse: async (input) =>
    input.includes('@') || /^\s*\d+\s*$/.test(input)
      ? { member: parseMember(input, 'MEMBER'), input }
      : parseOrg(input, 'ORG'),
})()

/** Sorts out {@link orgOrMemberArg} and the MEMBER argument after it. */
export async function orgAndMember(
  first: OrgRef | { member: MemberRef; input: string } | undefined,
  second: MemberRef | undefined,
): Promise<{ org: OrgRef | undefined; member: MemberRef | undefined }> {
  if (first === undefined || !('member' in first)) return { org: first, member: second }
  // Both given, and the first is no organization: say so about ORG, as for any bad ORG.
  if (second !== undefined) await parseOrg(first.input, 'ORG')
  return { org: undefined, member: first.member }
}

/**
 * `[ORG] FILE`: oclif cannot have an optional argument before a required one, so both are optional
 * strings and this sorts them out: one value is the FILE (ORG then comes from the default), two are
 * ORG and FILE, the ORG checked as any other.
 */
export async function orgBeforeFile(
  first: string | undefined,
  second: string | undefined,
): Promise<{ org: OrgRef | undefined; file: string }> {
  if (first === undefined) throw new UsageError('Missing required argument FILE')
  if (second === undefined) return { org: undefined, file: first }
  return { org: await parseOrg(first, 'ORG'), file: second }
}

/** The MEMBER argument; omitted, a terminal offers the organization's members to pick from. */
export const memberArg = Args.custom<MemberRef>({
  description: "Member ID (positive integer) or the member's e-mail address",
  required: false,
  parse: async (input) => parseMember(input, 'MEMBER'),
})()

/** A role ID or role name (letters, digits, spaces, `_`, `-`; matched without regard to case). */
export function parseRole(input: string, name: string): RoleRef {
  const value = input.trim()
  if (/^\d+$/.test(value)) return validate.positiveInt(value, name)
  if (/^[a-z][a-z0-9 _-]{0,63}$/i.test(value)) return value.toLowerCase()
  throw new UsageError(`${name} must be a role ID (a positive whole number) or a role name, got "${input}"`)
}

/** `--role`, repeatable: IDs or names (`--role admin --role 4`). */
export function roleFlag(description: string, extra: { exclusive?: string[] } = {}) {
  return Flags.custom<RoleRef>({
    description,
    multiple: true,
    ...extra,
    parse: async (input) => parseRole(input, '--role'),
  })()
}

/** A UUID flag (`--workspace`, `--org` filters), lower-cased. */
export function uuidFlag(options: { description: string }) {
  return Flags.custom<string>({ ...options, parse: uuidParse })()
}

/** A repeatable UUID flag. */
export function uuidsFlag(options: { description: string }) {
  return Flags.custom<string>({ ...options, multiple: true, parse: uuidParse })()
}

const uuidParse = async (input: string, _ctx: unknown, opts: { name: string }) =>
  validate.uuid(input.trim(), `--${opts.name}`)

/** A positive whole number flag (decimal digits only, no sign or exponent), up to `max`. */
export function wholeNumberFlag(options: {
  description: string
  max?: number
  default?: number
  exclusive?: string[]
}) {
  const { max, ...rest } = options
  return Flags.custom<number>({
    ...rest,
    parse: async (input, _ctx, opts) => validate.positiveInt(input, `--${opts.name}`, max),
  })()
}
