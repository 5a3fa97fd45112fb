import type { RowSchema } from './schema.js'
import { MAX_EMAIL_LENGTH, isEmail } from '../shared/rules.js'

/** One invitation, validated and normalised (trimmed), ready for `POST /organizations/{id}/invite`. */
export interface InviteRow {
  email: string
  name: string
  roles: number[]
}

/** Limits a row must respect; the API takes the same, so a row that passes here is not rejected for its shape. */
export const ROW_LIMITS = {
  /** RFC 5321 path limit. */
  emailMaxLength: MAX_EMAIL_LENGTH,
  nameMaxLength: 255,
  /** More roles than this is a mistake in the file (the platform has a handful), not a real assignment. */
  maxRoles: 20,
  /** IAM role IDs are 32-bit signed integers on the API side. */
  maxRoleId: 2_147_483_647,
} as const

const ROLE_ID = /^[1-9][0-9]{0,9}$/

/** The outcome of validating one row: the row, or every reason it is invalid (each names its field). */
export type RowCheck =
  { row: InviteRow; errors?: undefined; email: string } | { errors: string[]; email?: string }

/** Checks the e-mail field alone; returns the trimmed address or the reason it is invalid. */
export function checkEmail(value: unknown): { email: string } | { error: string } {
  if (typeof value !== 'string') return { error: 'email must be a string' }
  const email = value.trim()
  if (email === '') return { error: 'email is missing' }
  if (email.length > ROW_LIMITS.emailMaxLength || !isEmail(email)) {
    return { error: `email ${show(email)} is not a valid e-mail address (expected name@example.com)` }
  }
  return { email }
}

/**
 * Validates the three fields of a row. `roles` is a `;`-separated string in CSV (`"2;3"`) and an array of
 * numbers in JSON Lines; both must hold 1 to 20 positive integers. Repeated role IDs are kept once.
 */
export function checkRow(
  fields: { email: unknown; name: unknown; roles: unknown },
  format: 'csv' | 'jsonl',
): RowCheck {
  const errors: string[] = []
  const emailCheck = checkEmail(fields.email)
  if ('error' in emailCheck) errors.push(emailCheck.error)

  let name = ''
  if (typeof fields.name !== 'string') errors.push('name must be a string')
  else {
    name = fields.name.trim()
    const length = codePoints(name)
    if (length === 0) errors.push(`name is missing (1 to ${ROW_LIMITS.nameMaxLength} characters)`)
    else if (length > ROW_LIMITS.nameMaxLength) {
      errors.push(`name is ${length} characters long; at most ${ROW_LIMITS.nameMaxLength} are allowed`)
    }
  }

  const roles = checkRoles(fields.roles, format)
  if (typeof roles === 'string') errors.push(roles)

  const email = 'email' in emailCheck ? emailCheck.email : undefined
  if (errors.length > 0 || typeof roles === 'string' || email === undefined) {
    return email === undefined ? { errors } : { errors, email }
  }
  return { row: { email, name, roles }, email }
}

function checkRoles(value: unknown, format: 'csv' | 'jsonl'): number[] | string {
  const example = format === 'csv' ? 'e.g. 3, or 2;3' : 'e.g. [2, 3]'
  let pieces: unknown[]
  if (format === 'csv' && typeof value === 'string') {
    pieces = value.trim() === '' ? [] : value.split(';').map((piece) => piece.trim())
  } else if (format === 'jsonl' && Array.isArray(value)) {
    pieces = value
  } else {
    return `roles must be a list of role IDs (${example})`
  }
  if (pieces.length === 0) return `roles is empty; at least one role ID is required (${example})`
  if (pieces.length > ROW_LIMITS.maxRoles) {
    return `roles lists ${pieces.length} role IDs; at most ${ROW_LIMITS.maxRoles} are allowed per row`
  }
  const roles: number[] = []
  for (const piece of pieces) {
    const id =
      typeof piece === 'number'
        ? piece
        : typeof piece === 'string' && typeof value === 'string' && ROLE_ID.test(piece)
          ? Number(piece)
          : Number.NaN
    if (!Number.isInteger(id) || id < 1 || id > ROW_LIMITS.maxRoleId) {
      const hint =
        typeof value === 'string' && value.includes(',') ? "; separate role IDs with ';', not ','" : ''
      return `roles: ${show(piece)} is not a role ID; role IDs are positive integers (${example})${hint}`
    }
    if (!roles.includes(id)) roles.push(id)
  }
  return roles
}

function codePoints(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    // A high surrogate followed by a low one is a single character, as JSON Schema's maxLength counts.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    count++
  }
  return count
}

/** Quotes a value for a message, shortened so a 60 KB cell does not flood the report. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)
}

/** Invitations: `email,name,roles`, one invitation per address. The reader's default schema. */
export const INVITE_ROWS: RowSchema<InviteRow> = {
  columns: ['email', 'name', 'roles'],
  required: ['email', 'name', 'roles'],
  keyField: 'email',
  check(fields, format) {
    const check = checkRow({ email: fields.email, name: fields.name, roles: fields.roles }, format)
    if (check.errors === undefined) return { row: check.row }
    return check.email === undefined ? { errors: check.errors } : { errors: check.errors, key: check.email }
  },
  keyOf: (row) => row.email,
  keyOfFields(fields) {
    const check = checkEmail(fields.email)
    return 'email' in check ? check.email : undefined
  },
  duplicate: (first, email) => `duplicate of line ${first} (${email}); each address is invited once`,
}

/**
 * A list field: `;`-separated in CSV (`2;3`), an array in JSON Lines. Returns the trimmed pieces, or what is
 * wrong; `example` shows the expected form in the message.
 */
export function listPieces(
  value: unknown,
  format: 'csv' | 'jsonl',
  field: string,
  example: { csv: string; jsonl: string },
): unknown[] | string {
  if (format === 'csv' && typeof value === 'string')
    return value.trim() === '' ? [] : value.split(';').map((piece) => piece.trim())
  if (format === 'jsonl' && Array.isArray(value)) return value
  return `${field} must be a list (${format === 'csv' ? example.csv : example.jsonl})`
}

/** Role IDs as `checkRow` reads them, for the other row kinds that carry roles. */
export function checkRoleList(value: unknown, format: 'csv' | 'jsonl'): number[] | string {
  return checkRoles(value, format)
}
