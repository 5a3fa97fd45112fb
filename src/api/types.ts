/** Organization status enum (DESIGN.md decision 6). */
export const ORGANIZATION_STATUSES = ['active', 'suspended', 'inactive'] as const
export type OrganizationStatus = (typeof ORGANIZATION_STATUSES)[number]

/**
 * An organization as GET/PATCH return it. A server may leave the optional fields out or send them as
 * null; src/api/organizations.ts turns either into null, so what the CLI shows has every field.
 */
export interface Organization {
  id: string
  name: string
  countryCode?: string | null
  avatarUrl?: string | null
  status: string
  statusReason?: string | null
  type?: string | null
  owner: string
  createdAt?: string | null
  updatedAt?: string | null
}

export interface CreateOrganizationInput {
  name: string
  countryCode: string
  type?: string
}

export interface UpdateOrganizationInput {
  name?: string
  avatarUrl?: string | null
  status?: OrganizationStatus
  statusReason?: string | null
}

export interface Member {
  id: number
  name: string
  email: string
  roles: number[]
  workspaces: string[]
  joinedAt?: string
}

/** One page of members, normalised from a Laravel paginator or a plain array. */
export interface MembersPage {
  page: number
  perPage: number
  total: number
  lastPage: number
  members: Member[]
}

export interface LedgerEntry {
  id: number
  organizationId: string
  amount: number
  service: string
  smsPoints: number | null
  reason: string | null
  createdAt: string
}

export interface ChargeInput {
  amount: number
  service: 'sms'
  sms_point?: number
  reason?: string
}

export interface WalletSummary {
  organizationId: string
  balance: { amount: number; smsPoints: number }
  ledger: LedgerEntry[]
}

export interface Invitation {
  id?: string
  email: string
  name: string
  roles: number[]
  expiresAt?: string
}

export interface InviteInput {
  email: string
  name: string
  roles: number[]
}

export interface OutboxMessage {
  id: number | string
  to: string
  subject: string
  text: string
  inviteToken: string
  organizationId: string
  createdAt: string
}

/** The `{success, message, data}` envelope most endpoints answer with. */
export interface Envelope<T> {
  success?: boolean
  message?: string
  data?: T
}
