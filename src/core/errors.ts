import {
  ApiError,
  BadResponseError,
  InterruptedError,
  NetworkError,
  TimeoutError,
  type FieldErrors,
} from '../api/errors.js'

/** Exit codes of DESIGN.md; scripts rely on them. */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  Auth: 3,
  NotFound: 4,
  Rejected: 5,
  BulkFailures: 6,
  Unavailable: 7,
  Interrupted: 130,
  Terminated: 143,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** Invalid or missing input, found before anything was sent. Exit 2. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError'
}

/** A destructive or costly action needs `--yes` when nobody can be asked. Exit 2. */
export class ConfirmationRequired extends UsageError {
  constructor(action: string) {
    super(`${action} needs confirmation: pass --yes (no terminal to ask on)`)
  }
}

/** The user declined at a confirmation prompt; nothing was sent. */
export class Declined extends Error {
  override readonly name = 'Declined'
  constructor(message = 'Cancelled; nothing was sent') {
    super(message)
  }
}

/** A failure that already carries its user-facing message and exit code (e.g. an API that lacks an extension). */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    readonly status: number | null = null,
  ) {
    super(message)
  }
}

/**
 * A bulk run finished with some rows failed or invalid. Exit 6; `summary` is still the run's result, and
 * `--json` prints it beside the error so that a script gets the counts either way.
 */
export class BulkFailed extends Error {
  override readonly name = 'BulkFailed'
  constructor(
    message: string,
    readonly summary: Readonly<Record<string, unknown>>,
  ) {
    super(message)
  }
}

/** What the user sees for an error, and what `--json` prints as `{"error": ...}`. */
export interface MappedError {
  message: string
  exitCode: ExitCodeValue
  status: number | null
  fields: FieldErrors | null
}

/** Where the token in use came from; a rejected one is named so the user knows what to fix. */
export type TokenSource = 'env' | 'profile' | 'sandbox' | 'none'

/**
 * The one mapping from an error to a message and an exit code (DESIGN.md "Exit codes").
 * `tokenSource` shapes the 401 hint.
 */
export function mapError(error: unknown, tokenSource: TokenSource = 'none'): MappedError {
  if (error instanceof ApiError) {
    // Fixed key order, so that the JSON error document always reads the same.
    const { message, exitCode, status, fields } = mapApiError(error, tokenSource)
    return { message, exitCode, status, fields }
  }
  if (error instanceof TimeoutError || error instanceof NetworkError)
    return { message: error.message, exitCode: ExitCode.Unavailable, status: null, fields: null }
  // A body too large or too deep, not JSON, the wrong shape, or a redirect: the server's fault, exit 7.
  if (error instanceof BadResponseError)
    return { message: error.message, exitCode: ExitCode.Unavailable, status: error.status, fields: null }
  if (error instanceof InterruptedError)
    return {
      message: error.message,
      exitCode: error.signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted,
      status: null,
      fields: null,
    }
  if (error instanceof CliError)
    return { message: error.message, exitCode: error.exitCode, status: error.status, fields: null }
  // UsageError covers the bulk engine's too: a bad input file, a journal in use by another run.
  if (error instanceof UsageError)
    return { message: error.message, exitCode: ExitCode.Usage, status: null, fields: null }
  if (error instanceof BulkFailed)
    return { message: error.message, exitCode: ExitCode.BulkFailures, status: null, fields: null }
  if (error instanceof Declined)
    return { message: error.message, exitCode: ExitCode.Usage, status: null, fields: null }
  const e = error as { name?: string; message?: string; oclif?: { exit?: number }; code?: string }
  // @inquirer/prompts throws ExitPromptError on Ctrl-C.
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError')
    return { message: 'Interrupted', exitCode: ExitCode.Interrupted, status: null, fields: null }
  // oclif's own parse errors (missing flag, bad option, unknown argument) are usage errors.
  if (e?.oclif?.exit === 2 || (e?.name && /^(Required|Failed|Unexpected|NonExistent|Invalid)/.test(e.name)))
    return { message: parseErrorMessage(e.message), exitCode: ExitCode.Usage, status: null, fields: null }
  return {
    message: e?.message ? `Unexpected error: ${e.message}` : 'Unexpected error',
    exitCode: ExitCode.Unexpected,
    status: null,
    fields: null,
  }
}

function mapApiError(error: ApiError, tokenSource: TokenSource): MappedError {
  const { status } = error
  const fields = Object.keys(error.fields).length ? error.fields : null
  const base = { status, fields }
  if (status === 401) {
    const hint =
      tokenSource === 'env'
        ? 'The token in ORGCTL_TOKEN was rejected: set a valid ORGCTL_TOKEN, or unset it and run `orgctl login`.'
        : 'Run `orgctl login` to sign in.'
    return { ...base, message: `Not authenticated (401): ${error.message}. ${hint}`, exitCode: ExitCode.Auth }
  }
  if (status === 403)
    return { ...base, message: `Not allowed (403): ${error.message}`, exitCode: ExitCode.Auth }
  if (status === 404 || status === 410)
    return { ...base, message: `Not found (${status}): ${error.message}`, exitCode: ExitCode.NotFound }
  if (status === 429 || status >= 500)
    return {
      ...base,
      message: `The API is unavailable (${status}): ${error.message}`,
      exitCode: ExitCode.Unavailable,
    }
  if (status >= 400) {
    const lines = fields
      ? Object.entries(fields).map(([field, msgs]) => `  ${field}: ${msgs.join('; ')}`)
      : []
    return {
      ...base,
      message: [`Rejected by the API (${status}): ${error.message}`, ...lines].join('\n'),
      exitCode: ExitCode.Rejected,
    }
  }
  return {
    ...base,
    message: `Unexpected response (${status}): ${error.message}`,
    exitCode: ExitCode.Unexpected,
  }
}

/**
 * oclif's parse messages span lines ("Missing 1 required arg:", the argument and its description, "See more
 * help with --help"): all of them are useful, so the whole message is kept, without surrounding blank lines.
 */
function parseErrorMessage(message: string | undefined): string {
  return (message ?? 'Invalid usage').trim()
}
