/**
 * The shape of one kind of input row, as the reader needs it: which columns exist, how a row is checked, and
 * what makes two rows the same (duplicates are reported, never sent twice). Each bulk command declares one
 * (src/bulk/jobs.ts); the invitation schema is the reader's default.
 */
export interface RowSchema<Row> {
  /** Every column / JSON field, in the order messages list them. */
  readonly columns: readonly string[]
  /** Columns a CSV header must have (the others are optional). */
  readonly required: readonly string[]
  /**
   * Validates one row. CSV gives every value as a string (an optional column that the header lacks is
   * `undefined`); JSON Lines gives the object's values as they are. Returns the normalised row, or every
   * reason it is invalid (each naming its field) and, when it has one, the row's key for the report.
   */
  check(fields: Readonly<Record<string, unknown>>, format: 'csv' | 'jsonl'): RowCheckResult<Row>
  /** What identifies the thing a row acts on; later rows with the same key (ignoring case) are duplicates. */
  keyOf(row: Row): string | undefined
  /** The key of a row that is invalid or has the wrong shape, when one can be read (for the report). */
  keyOfFields(fields: Readonly<Record<string, unknown>>): string | undefined
  /** The error of a duplicate row. */
  duplicate(firstLine: number, key: string): string
  /** Where the reader puts an invalid row's key: `email` for invitations (its historical name), else `key`. */
  readonly keyField: 'email' | 'key'
}

/** The outcome of {@link RowSchema.check}. */
export type RowCheckResult<Row> = { row: Row; errors?: undefined } | { errors: string[]; key?: string }

/** `a, b and c`. */
export function listing(names: readonly string[]): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}
