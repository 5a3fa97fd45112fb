import type { LedgerEntry, Member, Organization, OutboxMessage } from '../api/types.js'
import type { View } from './output.js'

/** Columns of an organization, in the order people read them. */
export const ORGANIZATION_COLUMNS = [
  'id',
  'name',
  'countryCode',
  'status',
  'statusReason',
  'type',
  'owner',
  'avatarUrl',
  'createdAt',
  'updatedAt',
] as const

/** One organization as a FIELD | VALUE table, or a one-row CSV. */
export function organizationView(org: Organization): View {
  return { columns: ORGANIZATION_COLUMNS, rows: [org as unknown as Record<string, unknown>], record: true }
}

export const MEMBER_COLUMNS = ['id', 'name', 'email', 'roles', 'workspaces', 'joinedAt'] as const

/**
 * Members as rows. With `roleNames` (tables only: JSON and CSV keep the IDs), a role the target names
 * shows as `2 Admin`.
 */
export function membersView(members: readonly Member[], roleNames?: ReadonlyMap<number, string>): View {
  const rows = roleNames?.size
    ? members.map((m) => ({
        ...m,
        roles: (m.roles ?? []).map((id) => (roleNames.has(id) ? `${id} ${roleNames.get(id)}` : id)),
      }))
    : members
  return { columns: MEMBER_COLUMNS, rows: rows as unknown as Record<string, unknown>[] }
}

export const LEDGER_COLUMNS = ['id', 'amount', 'service', 'smsPoints', 'reason', 'createdAt'] as const

/** Ledger rows. */
export function ledgerView(entries: readonly LedgerEntry[]): View {
  return {
    columns: LEDGER_COLUMNS,
    rows: entries as unknown as Record<string, unknown>[],
    extraColumns: ['organizationId'],
  }
}

/** Outbox messages; the body text is long, so it is shown only when asked for with --columns. */
export function outboxView(messages: readonly OutboxMessage[]): View {
  return {
    columns: ['id', 'to', 'subject', 'inviteToken', 'organizationId', 'createdAt'],
    rows: messages as unknown as Record<string, unknown>[],
    extraColumns: ['text'],
  }
}

/** Any flat result object as a FIELD | VALUE table. */
export function recordView<R extends object>(result: R, columns: readonly (keyof R & string)[]): View {
  return { columns, rows: [result as unknown as Record<string, unknown>], record: true }
}
