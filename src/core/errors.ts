import {
  ApiError,
  BadResponseError,
  InterruptedError,
  NetworkError,
  TimeoutError,
  type FieldErrors,
} from '../api/errors.js'
import { terminalText } from './escape.js'

/** Exit codes of docs/DESIGN.md; scripts rely on them. */
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
 * The one mapping from an error to a message and an exit code (docs/DESIGN.md "Exit codes").
 * `tokenSource` shapes the 401 hint. With `display`, the message is for stderr: what the server wrote
 * (its message, field names and field errors) is escaped onto one line each, so that only orgctl's own
 * line breaks remain; without it (the `--json` error document) the server's text is kept exact.
 */
export function mapError(
  error: unknown,
  tokenSource: TokenSource = 'none',
  options: { display?: boolean } = {},
): MappedError {
  if (error instanceof ApiError) {
    // Fixed key order, so that the JSON error document always reads the same.
    const { message, exitCode, status, fields } = mapApiError(error, tokenSource, options.display ?? false)
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
    return { message: unwrapFlagError(error.message), exitCode: ExitCode.Usage, status: null, fields: null }
  if (error instanceof BulkFailed)
    return { message: error.message, exitCode: ExitCode.BulkFailures, status: null, fields: null }
  if (error instanceof Declined)
    return { message: error.message, exitCode: ExitCode.Usage, status: null, fields: null }
  const e = error as { name?: string; message?: string; oclif?: { exit?: number }; code?: string }
  // No SQLite driver loads on this machine (src/sqlite/driver.ts says which one it needs): the sandbox
  // cannot start, as a server that cannot be reached. Matched by code: the server has its own copy.
  if (e?.code === 'ORGCTL_SQLITE_UNAVAILABLE' && e.message)
    return { message: e.message, exitCode: ExitCode.Unavailable, status: null, fields: null }
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

function mapApiError(error: ApiError, tokenSource: TokenSource, display: boolean): MappedError {
  const { status } = error
  const fields = Object.keys(error.fields).length ? error.fields : null
  const base = { status, fields }
  const text = display ? (s: string) => terminalText(s) : (s: string) => s
  const serverMessage = text(error.message)
  if (status === 401) {
    const hint =
      tokenSource === 'env'
        ? 'The token in ORGCTL_TOKEN was rejected: set a valid ORGCTL_TOKEN, or unset it and run `orgctl login`.'
        : 'Run `orgctl login` to sign in.'
    return { ...base, message: `Not authenticated (401): ${serverMessage}. ${hint}`, exitCode: ExitCode.Auth }
  }
  if (status === 403)
    return { ...base, message: `Not allowed (403): ${serverMessage}`, exitCode: ExitCode.Auth }
  if (status === 404 || status === 410)
    return { ...base, message: `Not found (${status}): ${serverMessage}`, exitCode: ExitCode.NotFound }
  if (status === 429 || status >= 500)
    return {
      ...base,
      message: `The API is unavailable (${status}): ${serverMessage}`,
      exitCode: ExitCode.Unavailable,
    }
  if (status >= 400) {
    const lines = fields
      ? Object.entries(fields).map(([field, msgs]) => `  ${text(field)}: ${text(msgs.join('; '))}`)
      : []
    return {
      ...base,
      message: [`Rejected by the API (${status}): ${serverMessage}`, ...lines].join('\n'),
      exitCode: ExitCode.Rejected,
    }
  }
  return {
    ...base,
    message: `Unexpected response (${status}): ${serverMessage}`,
    exitCode: ExitCode.Unexpected,
  }
}

/** oclif wraps a flag parser's own error as "Parsing --x \n\t<message>\nSee more help..."; ours already name the flag. */
function unwrapFlagError(message: string): string {
  return message.replace(/^Parsing --[\w-]+ \n\t/, '').replace(/\nSee more help with --help$/, '')
}

/**
 * oclif's parse messages span lines ("Missing 1 required arg:", the argument and its description, "See more
 * help with --help"): all of them are useful, so the whole message is kept, without surrounding blank lines.
 */
function parseErrorMessage(message: string | undefined): string {
  return (message ?? 'Invalid usage').trim()
}

/** Where a sandbox server was asked to run: the database file, and the address for `server start`. */
export interface SandboxPlace {
  dbPath: string
  host?: string
  port?: number
}

/** File-system failures while creating or opening a sandbox, in words. */
const FILE_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'part of the path is a file, not a folder',
  EEXIST: 'part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  ENOSPC: 'no space left on the device',
  ELOOP: 'too many symbolic links',
}

/**
 * A sandbox that could not start, as the user can act on it (README "Exit codes"): an address it
 * cannot listen on is exit 7 (the port is taken or not ours to take, like any other network
 * failure), a `--host` that is not an address of this machine or a database path that cannot be used
 * (folder not writable, not a folder, a file that is not a SQLite database) exit 2. Anything else
 * stays as it was, an unexpected error. Never the raw `listen EADDRINUSE`.
 */
export function sandboxStartError(error: unknown, place: SandboxPlace): unknown {
  const e = error as {
    code?: unknown
    syscall?: unknown
    name?: unknown
    message?: unknown
    errstr?: unknown
  }
  const code = typeof e?.code === 'string' ? e.code : ''
  const address = `${place.host ?? '127.0.0.1'}:${place.port ?? 0}`
  if (e?.syscall === 'listen' || e?.syscall === 'bind') {
    if (code === 'EADDRINUSE')
      return new CliError(
        `Cannot listen on ${address}: port ${place.port} is already in use by another process. ` +
          'Stop it, or pick another --port (--port 0 takes any free port)',
        ExitCode.Unavailable,
      )
    if (code === 'EACCES' || code === 'EPERM')
      return new CliError(
        `Cannot listen on ${address}: permission denied (ports below 1024 need privileges); pick another --port`,
        ExitCode.Unavailable,
      )
    if (code === 'EADDRNOTAVAIL')
      return new UsageError(`--host ${place.host}: not an address of this machine (try 127.0.0.1 or ::1)`)
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new UsageError(`--host ${place.host}: not an address of this machine (try 127.0.0.1 or ::1)`)
  const db = `the sandbox database ${place.dbPath}`
  const problem = FILE_PROBLEMS[code]
  if (problem) {
    const path =
      typeof (error as { path?: unknown }).path === 'string' ? ` (${(error as { path: string }).path})` : ''
    return new UsageError(
      `Cannot use ${db}: ${problem}${path}. Pick a writable folder (--db, or XDG_DATA_HOME)`,
    )
  }
  // better-sqlite3's SqliteError (code SQLITE_*), node:sqlite's (code ERR_SQLITE_ERROR, errstr).
  if (e?.name === 'SqliteError' || code.startsWith('SQLITE_') || code === 'ERR_SQLITE_ERROR') {
    const reason = String(typeof e.errstr === 'string' ? e.errstr : e.message)
    if (/CANTOPEN|READONLY|unable to open|readonly/i.test(`${code} ${reason}`))
      return new UsageError(`Cannot use ${db}: ${reason}. Pick a writable folder (--db, or XDG_DATA_HOME)`)
    if (/NOTADB|CORRUPT|not a database|malformed/i.test(`${code} ${reason}`))
      return new UsageError(
        `Cannot use ${db}: it is not a SQLite database of orgctl (${reason}). ` +
          'Move it away, or pick another file (--db); `orgctl sandbox reset` deletes a sandbox',
      )
  }
  return error
}
