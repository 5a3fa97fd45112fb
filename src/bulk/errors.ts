/** Why a whole input was rejected; lets the CLI word hints without parsing messages. */
export type BulkInputErrorCode =
  | 'EMPTY'
  | 'NO_ROWS'
  | 'MISSING_HEADER'
  | 'WRONG_DELIMITER'
  | 'UNKNOWN_COLUMN'
  | 'MISSING_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'NOT_UTF8'
  | 'LINE_TOO_LONG'
  | 'MALFORMED_CSV'
  | 'NOT_JSONL'
  | 'UNKNOWN_FORMAT'
  | 'UNREADABLE'

/**
 * A problem with the input file as a whole (as opposed to one invalid row): nothing in it should be sent.
 * The CLI maps it to exit code 2. `line` is 1-based when the problem has a place in the file.
 */
export class BulkInputError extends Error {
  override readonly name = 'BulkInputError'
  readonly line: number | undefined
  readonly code: BulkInputErrorCode

  constructor(
    message: string,
    options: { line?: number | undefined; code: BulkInputErrorCode; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.line = options.line
    this.code = options.code
  }
}

/**
 * A journal that cannot be used: locked by another run, not the journal of this organization and input,
 * or not trustworthy (`UNSAFE`: another user's, or writable by others).
 */
export class JournalError extends Error {
  override readonly name = 'JournalError'
  readonly code: 'LOCKED' | 'MISMATCH' | 'UNSAFE'

  constructor(message: string, code: 'LOCKED' | 'MISMATCH' | 'UNSAFE', cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.code = code
  }
}
