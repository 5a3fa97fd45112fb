import { createHash } from 'node:crypto'

import { ApiError } from '../api/errors.js'
import type { Transport } from '../api/transport.js'
import type { UpdateOrganizationInput } from '../api/types.js'
import * as validate from '../core/validate.js'
import type { RowSchema } from './schema.js'
import { INVITE_ROWS, checkEmail, checkRoleList, listPieces, show, type InviteRow } from './validate-row.js'

/** What became of one row's request. */
export interface Outcome {
  state: 'sent' | 'skipped' | 'failed'
  /** Why (for `skipped` and `failed`; goes to the report). */
  error?: string
}

/** What the runner tells a job about the row it sends. */
export interface SendContext {
  line: number
  idempotencyKey: string
  /**
   * True when this row may already have reached the server: an earlier run was killed with the row `sending`,
   * or this run already tried it once. Lets idempotent-by-nature operations read "already done" answers
   * (404 on a removal, an e-mail no longer among the members) as done.
   */
  maybeApplied: boolean
}

/** Totals shown before a run that needs confirmation (removals: the count; charges: amount and points too). */
export interface Tally {
  amount: number
  smsPoints: number
}

/**
 * A bulk command, declared once: its row schema, how a row becomes one request, and how answers read.
 * The engine (src/bulk/runner.ts) gives every job the same guarantees: whole-file validation first, a journal
 * that makes each row exactly-once, pacing, shards, report, dry run (docs/BULK.md).
 */
export interface JobSpec<Row> {
  /** The journal's scope: with the input's hash it names the journal file. */
  scope: string
  /** The organization every row acts in, when there is one (shown in the summary). */
  organizationId?: string
  schema: RowSchema<Row>
  /** The report's key column (`line,<key>,reason`). */
  reportKey: string
  /** The summary line's words: `Sent 3, skipped 1 (already invited or members), ...`. */
  words: { done: string; skippedNote: string }
  /** Statuses that every row would get alike: the run stops at the first and reports it once. */
  fatal: readonly number[]
  /** The row's own idempotency key (charges); absent: a random key per row, kept in the journal. */
  idempotencyKey?(row: Row, runId: string): string
  /** Sees each valid row before anything is sent (to plan lookups, to total a billing run). */
  visit?(row: Row): void
  /** Runs once after validation and before the first request (checks the organization, resolves e-mails). */
  prepare?(api: Transport): Promise<void>
  /** Sends one row. Throws what the API throws; {@link settle} reads the errors that have a meaning here. */
  send(api: Transport, row: Row, context: SendContext): Promise<Outcome>
  /** An error with a meaning for this job (409 on an invitation: already invited), else undefined. */
  settle?(error: unknown, context: SendContext): Outcome | undefined
}

/** A failure that the job decided itself (an unknown e-mail), never sent. */
const failed = (error: string): Outcome => ({ state: 'failed', error })

// ---------------------------------------------------------------------------------------------------------------
// Invitations

/** `invite send ORG --file`: one invitation per row, 409 (already invited or a member) counts as skipped. */
export function inviteJob(organizationId: string): JobSpec<InviteRow> {
  return {
    // The organization alone, as before the engine was generalised, so that older journals still resume.
    scope: organizationId,
    organizationId,
    schema: INVITE_ROWS,
    reportKey: 'email',
    words: { done: 'Sent', skippedNote: ' (already invited or members)' },
    fatal: [401, 403, 404],
    async send(api, row, { idempotencyKey }) {
      const { inviteMember } = await import('../api/invitations.js')
      await inviteMember(api, organizationId, row, idempotencyKey)
      return { state: 'sent' }
    },
    settle(error) {
      if (error instanceof ApiError && error.status === 409) return { state: 'skipped', error: reason(error) }
      return undefined
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Members: by ID or e-mail, resolved with one listing of the organization

/** A member as a file names it. */
export type MemberRef = { id: number; email?: undefined } | { email: string; id?: undefined }

const MEMBER_ID = /^[1-9][0-9]{0,15}$/

function checkMember(value: unknown): MemberRef | string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return { id: value }
  if (typeof value !== 'string' || value.trim() === '')
    return 'member is missing (a member ID, or the e-mail address of a member)'
  const text = value.trim()
  if (MEMBER_ID.test(text) && Number.isSafeInteger(Number(text))) return { id: Number(text) }
  const email = checkEmail(text)
  if ('email' in email) return { email: email.email }
  return `member ${show(text)} is neither a member ID (a positive whole number) nor an e-mail address`
}

const memberLabel = (ref: MemberRef): string => (ref.id !== undefined ? String(ref.id) : ref.email)

function memberKeyOfFields(fields: Readonly<Record<string, unknown>>): string | undefined {
  const ref = checkMember(fields.member)
  return typeof ref === 'string' ? undefined : memberLabel(ref)
}

/**
 * Resolves members named by e-mail with ONE listing of the organization (paged through once, before the first
 * request, so that removals cannot shift the pages under it): a case-insensitive map e-mail → member IDs.
 */
class MemberDirectory {
  private byEmail: Map<string, number[]> | undefined
  needed = false

  constructor(private readonly organizationId: string) {}

  async load(api: Transport): Promise<void> {
    const { getOrganization } = await import('../api/organizations.js')
    // An unknown organization is one answer for every row: exit 4 before anything is sent.
    await getOrganization(api, this.organizationId)
    if (!this.needed) return
    const { allMemberPages } = await import('../api/members.js')
    const byEmail = new Map<string, number[]>()
    for await (const page of allMemberPages(api, this.organizationId)) {
      for (const member of page.members) {
        if (typeof member.email !== 'string') continue
        const key = member.email.toLowerCase()
        const ids = byEmail.get(key) ?? []
        if (!ids.includes(member.id)) ids.push(member.id)
        byEmail.set(key, ids)
      }
    }
    this.byEmail = byEmail
  }

  /** The member's ID, or why it cannot be named; `undefined` when the e-mail is not (or no longer) a member. */
  resolve(ref: MemberRef): number | { error: string } | undefined {
    if (ref.id !== undefined) return ref.id
    const ids = this.byEmail?.get(ref.email.toLowerCase()) ?? []
    if (ids.length === 0) return undefined
    if (ids.length > 1)
      return {
        error: `${show(ref.email)} is the e-mail of ${ids.length} members (${ids.join(', ')}); give the ID`,
      }
    return ids[0]
  }
}

/** One row of `members update --file`. */
export interface MemberAccessRow {
  member: MemberRef
  roles: number[]
  workspaces: string[]
}

const WORKSPACE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_WORKSPACES = 100

function checkWorkspaces(value: unknown, format: 'csv' | 'jsonl'): string[] | string {
  const example = { csv: 'e.g. UUID, or UUID;UUID', jsonl: 'e.g. ["UUID"]' }
  const pieces = listPieces(value, format, 'workspaces', example)
  if (typeof pieces === 'string') return pieces
  if (pieces.length === 0)
    return `workspaces is empty; give every workspace the member should have (${format === 'csv' ? example.csv : example.jsonl})`
  if (pieces.length > MAX_WORKSPACES)
    return `workspaces lists ${pieces.length}; at most ${MAX_WORKSPACES} are allowed`
  const out: string[] = []
  for (const piece of pieces) {
    if (typeof piece !== 'string' || !WORKSPACE.test(piece))
      return `workspaces: ${show(piece)} is not a workspace ID (a UUID)`
    const id = piece.toLowerCase()
    if (!out.includes(id)) out.push(id)
  }
  return out
}

const MEMBER_DUPLICATE = (first: number, key: string): string =>
  `duplicate of line ${first} (member ${key}); each member is changed once per file`

/** `members update ORG --file`: `member,roles,workspaces`, one PUT per row (both lists replace the current ones). */
export function memberUpdateJob(organizationId: string): JobSpec<MemberAccessRow> {
  const directory = new MemberDirectory(organizationId)
  return {
    scope: `members-update:${organizationId}`,
    organizationId,
    schema: {
      columns: ['member', 'roles', 'workspaces'],
      required: ['member', 'roles', 'workspaces'],
      keyField: 'key',
      check(fields, format) {
        const errors: string[] = []
        const member = checkMember(fields.member)
        if (typeof member === 'string') errors.push(member)
        const roles = checkRoleList(fields.roles, format)
        if (typeof roles === 'string') errors.push(roles)
        const workspaces = checkWorkspaces(fields.workspaces, format)
        if (typeof workspaces === 'string') errors.push(workspaces)
        if (typeof member === 'string' || typeof roles === 'string' || typeof workspaces === 'string')
          return typeof member === 'string' ? { errors } : { errors, key: memberLabel(member) }
        return { row: { member, roles, workspaces } }
      },
      keyOf: (row) => memberLabel(row.member),
      keyOfFields: memberKeyOfFields,
      duplicate: MEMBER_DUPLICATE,
    },
    reportKey: 'member',
    words: { done: 'Updated', skippedNote: '' },
    fatal: [401, 403],
    visit(row) {
      if (row.member.email !== undefined) directory.needed = true
    },
    prepare: (api) => directory.load(api),
    async send(api, row) {
      const id = directory.resolve(row.member)
      if (id === undefined)
        return failed(`no member of the organization has the e-mail ${show(row.member.email)}`)
      if (typeof id === 'object') return failed(id.error)
      const { updateMember } = await import('../api/members.js')
      await updateMember(api, organizationId, id, { roles: row.roles, workspaces: row.workspaces })
      return { state: 'sent' }
    },
  }
}

/** One row of `members remove --file`. */
export interface MemberRemoveRow {
  member: MemberRef
}

/**
 * `members remove ORG --file`: `member`, one DELETE per row. DELETE is idempotent by nature, so the journal is
 * enough for exactly-once, but a removal replayed after a crash finds the member gone: a 404 (or an e-mail no
 * longer among the members) for a row that may already have been applied counts as removed.
 */
export function memberRemoveJob(organizationId: string): JobSpec<MemberRemoveRow> {
  const directory = new MemberDirectory(organizationId)
  return {
    scope: `members-remove:${organizationId}`,
    organizationId,
    schema: {
      columns: ['member'],
      required: ['member'],
      keyField: 'key',
      check(fields) {
        const member = checkMember(fields.member)
        return typeof member === 'string' ? { errors: [member] } : { row: { member } }
      },
      keyOf: (row) => memberLabel(row.member),
      keyOfFields: memberKeyOfFields,
      duplicate: (first, key) => `duplicate of line ${first} (member ${key}); each member is removed once`,
    },
    reportKey: 'member',
    words: { done: 'Removed', skippedNote: '' },
    fatal: [401, 403],
    visit(row) {
      if (row.member.email !== undefined) directory.needed = true
    },
    prepare: (api) => directory.load(api),
    async send(api, row, { maybeApplied }) {
      const id = directory.resolve(row.member)
      if (id === undefined) {
        return maybeApplied
          ? { state: 'sent' }
          : failed(`no member of the organization has the e-mail ${show(row.member.email)}`)
      }
      if (typeof id === 'object') return failed(id.error)
      const { removeMember } = await import('../api/members.js')
      await removeMember(api, organizationId, id)
      return { state: 'sent' }
    },
    settle(error, { maybeApplied }) {
      if (!(error instanceof ApiError) || error.status !== 404) return undefined
      // A retry of a DELETE that had landed (this run's, or a killed run's) finds the member gone: done.
      if (maybeApplied || / \(after \d+ attempts\)$/.test(error.message)) return { state: 'sent' }
      return failed(`not a member of the organization (${reason(error)})`)
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Organizations

/** One row of `org update --file`. */
export interface OrgUpdateRow {
  organization: string
  input: UpdateOrganizationInput
}

function checkOrganization(value: unknown): string | { error: string } {
  if (typeof value !== 'string' || value.trim() === '')
    return { error: 'organization is missing (the organization ID, a UUID)' }
  try {
    return validate.uuid(value.trim(), 'organization')
  } catch {
    return { error: `organization ${show(value)} is not an organization ID (a UUID)` }
  }
}

const orgKeyOfFields = (fields: Readonly<Record<string, unknown>>): string | undefined => {
  const org = checkOrganization(fields.organization)
  return typeof org === 'string' ? org : undefined
}

const STATUS_REASON_MAX = 1000

/**
 * `org update --file`: `organization` plus any of `name,status,statusReason,avatarUrl`; one PATCH per row
 * with the fields the row gives (an empty CSV cell or an absent JSON field leaves that field as it is; JSON
 * `null` clears `avatarUrl` or `statusReason`).
 */
export function orgUpdateJob(): JobSpec<OrgUpdateRow> {
  return {
    scope: 'org-update',
    schema: {
      columns: ['organization', 'name', 'status', 'statusReason', 'avatarUrl'],
      required: ['organization'],
      keyField: 'key',
      check(fields) {
        const errors: string[] = []
        const organization = checkOrganization(fields.organization)
        if (typeof organization !== 'string') errors.push(organization.error)
        const input: UpdateOrganizationInput = {}
        const text = (name: string): string | null | undefined => {
          const value = fields[name]
          if (value === undefined || value === '') return undefined
          if (value === null) return null
          if (typeof value !== 'string') {
            errors.push(`${name} must be a string`)
            return undefined
          }
          return value
        }
        const name = text('name')
        if (name === null) errors.push('name cannot be null (1 to 255 characters)')
        else if (name !== undefined) {
          const trimmed = name.trim()
          if (trimmed.length < 1 || trimmed.length > 255) errors.push('name must be 1 to 255 characters')
          else input.name = trimmed
        }
        const status = text('status')
        if (status === null) errors.push('status cannot be null (active, suspended or inactive)')
        else if (status !== undefined) {
          try {
            input.status = validate.status(status.trim(), 'status')
          } catch {
            errors.push(`status must be one of active, suspended, inactive, got ${show(status)}`)
          }
        }
        const statusReason = text('statusReason')
        if (statusReason !== undefined) {
          if (statusReason !== null && statusReason.length > STATUS_REASON_MAX)
            errors.push(
              `statusReason is ${statusReason.length} characters long; at most ${STATUS_REASON_MAX} are allowed`,
            )
          else input.statusReason = statusReason
        }
        const avatarUrl = text('avatarUrl')
        if (avatarUrl !== undefined) {
          if (avatarUrl === null) input.avatarUrl = null
          else {
            try {
              input.avatarUrl = validate.httpUrl(avatarUrl.trim(), 'avatarUrl')
            } catch {
              errors.push(`avatarUrl ${show(avatarUrl)} is not an http:// or https:// URL`)
            }
          }
        }
        if (errors.length === 0 && Object.keys(input).length === 0)
          errors.push('nothing to update: give at least one of name, status, statusReason, avatarUrl')
        if (errors.length > 0 || typeof organization !== 'string')
          return typeof organization === 'string' ? { errors, key: organization } : { errors }
        return { row: { organization, input } }
      },
      keyOf: (row) => row.organization,
      keyOfFields: orgKeyOfFields,
      duplicate: (first, key) =>
        `duplicate of line ${first} (organization ${key}); each organization is updated once`,
    },
    reportKey: 'organization',
    words: { done: 'Updated', skippedNote: '' },
    // 403/404 can be one organization's answer (not an admin of it, or not visible): that row fails.
    fatal: [401],
    async send(api, row) {
      const { updateOrganization } = await import('../api/organizations.js')
      await updateOrganization(api, row.organization, row.input)
      return { state: 'sent' }
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Billing runs

/** One row of `wallet charge --file`. */
export interface ChargeRow {
  organization: string
  amount: number
  smsPoints: number
  reason: string | null
  /** The row's own idempotency key (the `key` column). */
  key: string | null
}

const REASON_MAX = 255

function positive(value: unknown, field: string): number | string {
  const text =
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined
  if (text === undefined || text === '') return `${field} is missing (a positive whole number)`
  const n = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    return `${field} must be a positive whole number, got ${show(value)}`
  return n
}

/**
 * The idempotency key of a charge row without a `key` column: a hash of the run's identity (`--run-id`, or the
 * SHA-256 of the file) and the row's values. The same file (or run ID) and row always give the same key, so a
 * re-run, a resumed run and a CI retry all replay instead of charging again (within the server's 24 hours).
 */
export function chargeKey(runId: string, row: ChargeRow): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([runId, row.organization, row.amount, row.smsPoints, row.reason]))
    .digest('hex')
  return `orgctl-charge-${digest.slice(0, 40)}`
}

/**
 * `wallet charge --file`: `organization,amount,sms_point[,reason][,key]`, one POST per row with an
 * Idempotency-Key per row (see {@link chargeKey}). Each organization is charged once per file unless rows carry
 * their own distinct keys.
 */
export function walletChargeJob(tally?: Tally): JobSpec<ChargeRow> {
  return {
    scope: 'wallet-charge',
    schema: {
      columns: ['organization', 'amount', 'sms_point', 'reason', 'key'],
      required: ['organization', 'amount', 'sms_point'],
      keyField: 'key',
      check(fields) {
        const errors: string[] = []
        const organization = checkOrganization(fields.organization)
        if (typeof organization !== 'string') errors.push(organization.error)
        const amount = positive(fields.amount, 'amount')
        if (typeof amount === 'string') errors.push(amount)
        const smsPoints = positive(fields.sms_point, 'sms_point')
        if (typeof smsPoints === 'string') errors.push(smsPoints)
        let reasonText: string | null = null
        if (fields.reason !== undefined && fields.reason !== null && fields.reason !== '') {
          if (typeof fields.reason !== 'string') errors.push('reason must be a string')
          else if (fields.reason.trim().length > REASON_MAX)
            errors.push(
              `reason is ${fields.reason.trim().length} characters long; at most ${REASON_MAX} are allowed`,
            )
          else reasonText = fields.reason.trim() || null
        }
        let key: string | null = null
        if (fields.key !== undefined && fields.key !== null && fields.key !== '') {
          if (typeof fields.key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(fields.key.trim()))
            errors.push('key must be 1 to 255 printable characters without spaces')
          else key = fields.key.trim()
        }
        if (
          errors.length > 0 ||
          typeof organization !== 'string' ||
          typeof amount === 'string' ||
          typeof smsPoints === 'string'
        )
          return typeof organization === 'string' ? { errors, key: key ?? organization } : { errors }
        return { row: { organization, amount, smsPoints, reason: reasonText, key } }
      },
      keyOf: (row) => row.key ?? row.organization,
      keyOfFields(fields) {
        if (typeof fields.key === 'string' && fields.key.trim() !== '') return fields.key.trim()
        return orgKeyOfFields(fields)
      },
      duplicate: (first, key) =>
        `duplicate of line ${first} (${key}); each organization is charged once per file (give rows distinct keys to charge one twice)`,
    },
    reportKey: 'organization',
    words: { done: 'Charged', skippedNote: '' },
    // Only platform admins charge: a 403 is every row's answer. A 404 is one organization's.
    fatal: [401, 403],
    idempotencyKey: (row, runId) => row.key ?? chargeKey(runId, row),
    visit(row) {
      if (!tally) return
      tally.amount += row.amount
      tally.smsPoints += row.smsPoints
    },
    async send(api, row, { idempotencyKey }) {
      const { chargeWallet } = await import('../api/wallet.js')
      await chargeWallet(
        api,
        row.organization,
        {
          amount: row.amount,
          service: 'sms',
          sms_point: row.smsPoints,
          ...(row.reason ? { reason: row.reason } : {}),
        },
        idempotencyKey,
      )
      return { state: 'sent' }
    },
    settle(error) {
      if (
        error instanceof ApiError &&
        error.status === 422 &&
        /idempotency/i.test(JSON.stringify(error.fields) + error.message)
      )
        return failed(
          `the key was already used for a different charge; nothing was charged (${reason(error)})`,
        )
      return undefined
    },
  }
}

/** A reason for the report: the status, the API's message and its field errors. */
export function reason(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Object.entries(error.fields).map(([field, messages]) => `${field}: ${messages.join('; ')}`)
    const detail = fields.filter((f) => !error.message.includes(f.split(': ')[1] ?? f))
    return [`HTTP ${error.status}: ${error.message}`, ...detail].join('; ')
  }
  return error instanceof Error ? error.message : String(error)
}
