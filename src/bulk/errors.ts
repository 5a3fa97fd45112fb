import { UsageError } from '../core/errors.js'

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
 * A usage error (exit 2). `line` is 1-based when the problem has a place in the file; the message names
 * it.
 */
export class BulkInputError extends UsageError {
  override readonly name: string = 'BulkInputError'
  readonly line: number | undefined
  readonly code: BulkInputErrorCode

  constructor(
    message: string,
    options: { line?: number | undefined; code: BulkInputErrorCode; cause?: unknown },
  ) {
    const where = options.line !== undefined && !/\bline \d/.test(message) ? ` (line ${options.line})` : ''
    super(`${message}${where}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.line = options.line
    this.code = options.code
  }
}

/**
 * A journal that cannot be used: locked by another run, not the journal of this organization and input,
 * or not trustworthy (`UNSAFE`: another user's, or writable by others). A usage error (exit 2): nothing
 * was sent.
 */
export class JournalError extends UsageError {
  override readonly name: string = 'JournalError'
  readonly code: 'LOCKED' | 'MISMATCH' | 'UNSAFE'

  constructor(message: string, code: 'LOCKED' | 'MISMATCH' | 'UNSAFE', cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.code = code
  }
}
