import type { Transport } from '../api/transport.js'
import type { Member } from '../api/types.js'
import { CliError, Declined, ExitCode } from './errors.js'
import type { NameSettings } from './config.js'
import { terminalLine } from './escape.js'
import { visible } from './names.js'
import {
  ask,
  askSecret,
  choose,
  confirm,
  pick,
  say,
  type Check,
  type Choice,
  type Option,
} from './prompts.js'
import * as validate from './validate.js'

/*
 * The conversations orgctl has with a person at a terminal. Commands call these only when
 * `isInteractive()`; every function here sends nothing that changes data: it reads what it needs to
 * ask well, and throws Declined (exit 2) or lets ExitPromptError (Ctrl-C, exit 130) through before the
 * command makes its one change.
 */

/** `org create`'s name, checked as it is typed (validate.orgName has the rule). */
export const checkOrgName: Check = (v) =>
  (v.trim().length >= 1 && v.trim().length <= 255) || '1 to 255 characters'

/** `org create`'s country code, checked as it is typed. */
export const checkCountryCode: Check = (v) =>
  validate.isCountryCode(v.trim().toUpperCase()) || 'two letters (ISO 3166-1), e.g. US or EG'

/** The IAM roles the sandbox seeds (DESIGN.md decision 5); a real API may have more. */
export const KNOWN_ROLES: Readonly<Record<number, string>> = {
  1: 'Owner',
  2: 'Admin',
  3: 'Member',
  4: 'Billing',
}

/** Choice value that asks for workspace IDs typed by hand. */
const OTHER_WORKSPACES = '(other)'

/** What the members list tells about one member and the organization's workspaces. */
export interface MemberContext {
  member: Member | undefined
  /** Workspace IDs held by any member, with how many members hold each, in first-seen order. */
  workspaces: Map<string, number>
}

/**
 * Reads the members list page by page to find one member and every workspace in use. The API has no
 * list-workspaces operation, so the workspaces offered are those some member already belongs to.
 */
export async function memberContext(api: Transport, orgId: string, memberId: number): Promise<MemberContext> {
  const { allMemberPages } = await import('../api/members.js')
  const workspaces = new Map<string, number>()
  let member: Member | undefined
  for await (const page of allMemberPages(api, orgId)) {
    for (const m of page.members) {
      if (m.id === memberId) member = m
      for (const w of m.workspaces ?? []) workspaces.set(w, (workspaces.get(w) ?? 0) + 1)
    }
  }
  return { member, workspaces }
}

function notAMember(memberId: number): CliError {
  return new CliError(
    `Member ${memberId} is not in this organization; nothing was sent`,
    ExitCode.NotFound,
    404,
  )
}

/** Widest a name may be in a confirmation: one line on any terminal, so it cannot push the values away. */
const NAME_WIDTH = 60

function describe(member: Member): string {
  return `${terminalLine(member.name, NAME_WIDTH)} <${terminalLine(member.email, NAME_WIDTH)}> (member ${member.id})`
}

/**
 * Role choices: the known roles (the target's names when it has any, else the sandbox's) plus any other
 * role the member has, the member's own ticked.
 */
export function roleChoices(
  current: readonly number[],
  names: ReadonlyMap<number, string> = new Map(Object.entries(KNOWN_ROLES).map(([id, n]) => [Number(id), n])),
): Choice<number>[] {
  const ids = [...new Set([...names.keys(), ...current])].sort((a, b) => a - b)
  return ids.map((id) => ({
    name: `${id} ${names.get(id) ?? `Role ${id}`}`,
    value: id,
    checked: current.includes(id),
  }))
}

/** Workspace choices: every workspace seen in the members list, the member's own ticked, then "other". */
export function workspaceChoices(
  seen: ReadonlyMap<string, number>,
  current: readonly string[],
): Choice<string>[] {
  const ids = [...new Set([...current, ...seen.keys()])]
  const choices: Choice<string>[] = ids.map((id) => {
    const n = seen.get(id) ?? 0
    return { name: `${id}  (${n} member${n === 1 ? '' : 's'})`, value: id, checked: current.includes(id) }
  })
  choices.push({ name: 'Another workspace: type its ID', value: OTHER_WORKSPACES })
  return choices
}

/** Comma- or space-separated workspace UUIDs, each checked. */
function typedWorkspaces(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((w) => validate.uuid(w, 'workspace'))
}

/**
 * `members update` on a terminal: offers the roles and workspaces to tick, the member's current ones
 * ticked, for whichever of the two lists was not given as flags.
 */
export async function askMemberAccess(
  api: Transport,
  orgId: string,
  memberId: number,
  given: { roles?: number[]; workspaces?: string[] },
  roleNames?: ReadonlyMap<number, string>,
): Promise<{ roles: number[]; workspaces: string[] }> {
  const { member, workspaces: seen } = await memberContext(api, orgId, memberId)
  if (!member) throw notAMember(memberId)
  say(`Updating ${describe(member)}; the lists you choose replace the current ones.`)
  const roles =
    given.roles ??
    (await pick(
      `Roles of ${member.name}`,
      roleChoices(member.roles ?? [], roleNames?.size ? roleNames : undefined),
    ))
  let workspaces = given.workspaces
  if (!workspaces) {
    const picked = await pick(`Workspaces of ${member.name}`, workspaceChoices(seen, member.workspaces ?? []))
    workspaces = picked.filter((w) => w !== OTHER_WORKSPACES)
    if (picked.includes(OTHER_WORKSPACES)) {
      const check = (text: string): true | string => {
        try {
          return typedWorkspaces(text).length > 0 || 'give at least one workspace ID'
        } catch (error) {
          return (error as Error).message.replace(/^workspace /, 'each ID ')
        }
      }
      workspaces.push(...typedWorkspaces(await ask('Workspace IDs (UUIDs, separated by commas)', check)))
    }
    workspaces = [...new Set(workspaces)]
  }
  return { roles, workspaces }
}

/**
 * `members remove` on a terminal: names the member and asks for their e-mail address to be typed, as
 * GitHub asks for a repository's name before deleting it. Anything else cancels.
 */
export async function confirmMemberRemoval(
  api: Transport,
  orgId: string,
  orgName: string,
  memberId: number,
): Promise<void> {
  const { member } = await memberContext(api, orgId, memberId)
  if (!member) throw notAMember(memberId)
  // The member last, right above the question: a long organization name cannot push them away.
  say(`In the organization "${terminalLine(orgName, NAME_WIDTH)}":\nThis removes ${describe(member)}.`)
  const typed = await ask(`Type ${terminalLine(member.email, NAME_WIDTH)} to confirm`)
  if (typed.trim().toLowerCase() !== member.email.toLowerCase())
    throw new Declined('The e-mail address did not match; nothing was sent')
}

/** What `wallet charge` is about to do, for the summary shown before it asks. */
export interface ChargeSummary {
  organizationId: string
  organizationName: string
  amount: number
  smsPoints: number
  reason: string | undefined
  idempotencyKey: string
}

/**
 * `wallet charge` on a terminal: shows what will be sent and asks (default no). The organization's name is
 * chosen by its Owner, so it is escaped and cut to one line, and the values that move money come last,
 * right above the question, which repeats them: nothing a name holds can draw over them or push them off
 * the screen (test/tty/confirm-safety.test.ts).
 */
export async function confirmCharge(summary: ChargeSummary): Promise<void> {
  const lines: [string, string][] = [
    ['Organization', terminalLine(summary.organizationName, NAME_WIDTH)],
    ['Organization ID', summary.organizationId],
    ['Reason', summary.reason === undefined ? '(none)' : terminalLine(summary.reason, NAME_WIDTH)],
    ['Idempotency key', summary.idempotencyKey],
    ['Amount', `${summary.amount} (minor currency units)`],
    ['SMS points', String(summary.smsPoints)],
  ]
  const width = Math.max(...lines.map(([k]) => k.length))
  say(
    `To retry this exact charge safely later, pass --idempotency-key ${summary.idempotencyKey}\n` +
      `About to charge this wallet:\n${lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}`,
  )
  if (!(await confirm(`Charge ${summary.amount} for ${summary.smsPoints} SMS points?`))) throw new Declined()
}

/** `invite accept` on a terminal: the new password twice, hidden; both must agree. */
export async function askNewPassword(minLength: number): Promise<string> {
  const first = await askSecret(
    `New password (at least ${minLength} characters)`,
    (v) => v.length >= minLength || `at least ${minLength} characters`,
  )
  await askSecret('Repeat the password', (v) => v === first || 'the two passwords differ')
  return first
}

/** Choice value that asks for an organization ID typed by hand. */
const TYPE_ORG_ID = '(type)'

/**
 * ORG omitted on a terminal, with no default: the aliases and recently used organizations to choose
 * from, narrowed as the person types, or an ID typed by hand.
 */
export async function pickOrganization(names: NameSettings): Promise<string> {
  const options: Option<string>[] = []
  const nameOf = (id: string) => names.recentOrgs.find((r) => r.id === id)?.name
  for (const [alias, id] of Object.entries(names.aliases).sort()) {
    const name = nameOf(id)
    options.push({ name: `${alias}  ${name ? `${visible(name)} ` : ''}(${id})`, value: id })
  }
  for (const recent of names.recentOrgs)
    if (!Object.values(names.aliases).includes(recent.id))
      options.push({
        name: `${recent.name ? `${visible(recent.name)} ` : ''}(${recent.id})`,
        value: recent.id,
      })
  const checkId: Check = (v) => {
    try {
      validate.uuid(v.trim(), 'ORG')
      return true
    } catch {
      return 'an organization ID (UUID)'
    }
  }
  if (options.length === 0) return validate.uuid((await ask('Organization ID (UUID)', checkId)).trim(), 'ORG')
  options.push({ name: 'Another organization: type its ID', value: TYPE_ORG_ID })
  const picked = await choose('Organization (aliases and recently used)', options)
  if (picked !== TYPE_ORG_ID) return picked
  return validate.uuid((await ask('Organization ID (UUID)', checkId)).trim(), 'ORG')
}

function memberOption(m: Member): Option<Member> {
  return { name: `${visible(String(m.name))} <${visible(String(m.email))}> (member ${m.id})`, value: m }
}

/** MEMBER omitted on a terminal: the organization's members by name and e-mail, narrowed as one types. */
export async function pickMember(api: Transport, orgId: string): Promise<Member> {
  const { allMemberPages } = await import('../api/members.js')
  const members: Member[] = []
  for await (const page of allMemberPages(api, orgId)) members.push(...page.members)
  if (members.length === 0)
    throw new CliError('This organization has no members to choose from', ExitCode.NotFound, 404)
  return choose('Member (type part of a name or e-mail)', members.map(memberOption))
}

/** Several members share an e-mail address: the person picks one. */
export async function pickAmong(message: string, members: readonly Member[]): Promise<Member> {
  return choose(message, members.map(memberOption))
}
