import { createWriteStream, fchmodSync, fstatSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { setTimeout as delay } from 'node:timers/promises'

import { ApiError, NetworkError, TimeoutError } from '../api/errors.js'
import { sendInvitation } from '../api/invitations.js'
import { PauseGate } from '../api/pause-gate.js'
import type { Transport } from '../api/transport.js'
import { CliError, ExitCode } from '../core/errors.js'
import { terminalText } from '../core/escape.js'
import { csvRecord } from '../core/output.js'
import { privateDirSync } from '../core/private-files.js'
import { openJournal, type DoneState, type Journal, type JournalEntry } from './journal.js'
import { Progress, formatSeconds, type RunCounts } from './progress.js'
import {
  detectFormat,
  readRowBatches,
  readRows,
  removeStaleSpools,
  scanInput,
  spoolToFile,
  type InputFormat,
  type ValidItem,
} from './reader.js'

/** Default and largest `--concurrency`. */
export const DEFAULT_CONCURRENCY = 8
export const MAX_CONCURRENCY = 64

/** Options of {@link runBulkInvite}. */
export interface BulkInviteOptions {
  /**
   * The command's client; the run derives its own (pool sized to the concurrency, shared 429 pause).
   * Not needed for a dry run.
   */
  api?: Transport | undefined
  organizationId: string
  /** A path, or `-` for stdin (spooled to a file first so that it can be validated, then sent). */
  file: string
  format?: InputFormat | undefined
  concurrency?: number | undefined
  /** Validate everything, send nothing, open no journal. */
  dryRun?: boolean | undefined
  /** Forget the journal of this organization and input: every row is sent again with a new key. */
  restart?: boolean | undefined
  /** Where to write the CSV `line,email,reason` of failed and invalid rows. */
  report?: string | undefined
  /** Report cells exactly as they are (`--csv-raw`): no neutralising of cells that look like formulas. */
  rawCsv?: boolean | undefined
  /** Folder of the journals; default `<data dir>/journals`. */
  dataDir?: string | undefined
  stdin?: Readable | undefined
  stderr?: Writable | undefined
  /** Live progress on stderr (a terminal without `--json`). */
  progress?: boolean | undefined
}

/** The result of a bulk run, over the whole file (rows finished by earlier runs of it included). */
export interface BulkSummary {
  organizationId: string
  /** Data rows in the file. */
  total: number
  /** Invited (by this run or an earlier one). */
  sent: number
  /** Already a member or already invited (409). */
  skipped: number
  /** Rejected by local validation, never sent. */
  invalid: number
  /** Rejected by the API for good, or still failing after every retry. */
  failed: number
  durationMs: number
  /** The `--report` file, when one was written. */
  report?: string
}

/** Columns of the summary, in the order people read them. */
export const SUMMARY_COLUMNS = [
  'organizationId',
  'total',
  'sent',
  'skipped',
  'invalid',
  'failed',
  'durationMs',
  'report',
] as const

/**
 * Rounds of whole-run waiting when a row still fails for a transient reason (connection refused, 429, 502-504)
 * after the transport's own retries: 0.5 s doubling to 10 s, about 35 s in all, enough to ride out a server
 * restart without giving up on rows that will go through a moment later.
 */
const TRANSIENT_ROUNDS = 6
const roundDelay = (round: number): number => Math.min(10_000, 500 * 2 ** round)
/** After Ctrl-C, how long requests already on the wire get to finish before the journal is closed. */
const INTERRUPT_GRACE_MS = 5_000

/**
 * `invite send ORG --file`: validates the whole input, then sends one invitation per valid row with
 * `concurrency` requests in flight, journaling each row before and after its request so that a run that
 * is killed can be re-run without inviting anyone twice. See docs/BULK.md.
 *
 * @throws BulkInputError when the file as a whole is unusable (nothing is sent, no journal is made);
 *   JournalError when another run holds the journal; ApiError 401/403/404 (the whole run would fail alike);
 *   CliError exit 130 when interrupted by SIGINT/SIGTERM (the journal is closed first).
 */
export async function runBulkInvite(options: BulkInviteOptions): Promise<BulkSummary> {
  const started = performance.now()
  const stderr = options.stderr ?? process.stderr
  const concurrency = Math.min(MAX_CONCURRENCY, Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY))
  const format = detectFormat(options.file, options.format)
  const dataDir = options.dataDir ?? (await defaultDataDir())
  let path = options.file
  let spool: string | undefined
  // A stdin run that was killed left its spool behind; whichever run comes next removes it.
  await removeStaleSpools(join(dataDir, 'spool'))
  try {
    if (options.file === '-') {
      spool = (await spoolToFile(options.stdin ?? process.stdin, join(dataDir, 'spool'))).path
      path = spool
    }
    if (options.dryRun) {
      const summary = await dryRun(options, path, format, started)
      stderr.write(
        `Dry run: ${summary.total - summary.invalid} of ${summary.total} rows would be sent, ` +
          `${summary.invalid} invalid; nothing was sent\n`,
      )
      return summary
    }
    const scan = await scanInput(path, { format })
    const journal = openJournal({
      dir: join(dataDir, 'journals'),
      organizationId: options.organizationId,
      inputKey: scan.sha256,
    })
    let summary: BulkSummary
    try {
      if (options.restart) journal.restart()
      else if (journal.status().resumed)
        stderr.write(`Resuming an earlier run of this file (${journal.path})\n`)
      const total = scan.valid + scan.invalid
      const counts = await send(options, journal, path, format, total, concurrency, stderr)
      summary = {
        organizationId: options.organizationId,
        total,
        ...counts,
        durationMs: Math.round(performance.now() - started),
      }
      if (options.report) {
        await writeReport(options.report, journal.problems(), options.rawCsv)
        summary.report = options.report
      }
    } finally {
      journal.close()
    }
    stderr.write(`${summaryLine(summary)}\n`)
    return summary
  } finally {
    if (spool) await rm(spool, { force: true })
  }
}

async function defaultDataDir(): Promise<string> {
  const { default: envPaths } = await import('env-paths')
  const dir = envPaths('orgctl', { suffix: '' }).data
  privateDirSync(dir) // orgctl's own data folder: 0700, tightened if an older version left it 0755
  return dir
}

async function dryRun(
  options: BulkInviteOptions,
  path: string,
  format: InputFormat,
  started: number,
): Promise<BulkSummary> {
  let total = 0
  let invalid = 0
  const report = options.report ? new ReportWriter(options.report, options.rawCsv) : undefined
  try {
    for await (const items of readRowBatches(path, { format })) {
      for (const item of items) {
        total++
        if (item.error === undefined) continue
        invalid++
        await report?.add(item.line, item.email, item.error)
      }
    }
    await report?.end()
  } catch (error) {
    // A bad file leaves no half-written report behind.
    await report?.discard()
    throw error
  }
  return {
    organizationId: options.organizationId,
    total,
    sent: 0,
    skipped: 0,
    invalid,
    failed: 0,
    durationMs: Math.round(performance.now() - started),
    ...(options.report ? { report: options.report } : {}),
  }
}

/** The sending pass: a pool of `concurrency` workers pulling rows from one reader, the journal as the record. */
async function send(
  options: BulkInviteOptions,
  journal: Journal,
  path: string,
  format: InputFormat,
  total: number,
  concurrency: number,
  stderr: Writable,
): Promise<RunCounts> {
  const counts: RunCounts = { sent: 0, skipped: 0, invalid: 0, failed: 0 }
  const progress = new Progress(stderr, total, options.progress ?? false)
  const stop = new AbortController()
  // Every wait of the run (backoff, Retry-After, the shared pause) ends at once on Ctrl-C.
  const sleep = (ms: number): Promise<void> => delay(ms, undefined, { signal: stop.signal })
  const gate = new PauseGate()
  if (!options.api) throw new Error('runBulkInvite: an API client is required unless dryRun is set')
  const api = options.api.derive({ pause: gate, connections: concurrency, sleep })
  const rows = readRows(path, { format })
  let fatal: unknown
  let interrupted = false
  let journalOpen = true

  const onSignal = (): void => {
    if (interrupted) {
      // A second Ctrl-C: the person does not want to wait for requests in flight.
      journal.close()
      process.exit(ExitCode.Interrupted)
    }
    interrupted = true
    stderr.write('\nInterrupted: finishing requests in flight; run the same command again to resume\n')
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  /** The next row that still has to be sent; invalid rows and rows finished by an earlier run are counted. */
  const nextToSend = async (): Promise<{ item: ValidItem; entry: JournalEntry } | undefined> => {
    for (;;) {
      if (stop.signal.aborted) return undefined
      const next = await rows.next()
      if (next.done || stop.signal.aborted || !journalOpen) return undefined
      const item = next.value
      if (item.error !== undefined) {
        journal.recordInvalid(item.line, item.email, item.error)
        counts.invalid++
        continue
      }
      const entry = journal.plan(item.line, item.row.email)
      if (entry.needsSend) return { item, entry }
      if (entry.state === 'sent' || entry.state === 'skipped') counts[entry.state]++
      progress.update(counts)
    }
  }

  const sendRow = async (
    item: ValidItem,
    entry: JournalEntry,
  ): Promise<{ state: DoneState; error?: string } | undefined> => {
    for (let round = 0; ; round++) {
      try {
        await sendInvitation(api, options.organizationId, item.row, entry.idempotencyKey)
        return { state: 'sent' }
      } catch (error) {
        if (error instanceof ApiError && error.status === 409)
          return { state: 'skipped', error: reason(error) }
        // Stopped while waiting or on the wire: the row stays `sending` and is re-sent, same key, next run.
        if (stop.signal.aborted && !(error instanceof ApiError && error.status < 500 && error.status !== 429))
          return undefined
        if (error instanceof ApiError && [401, 403, 404].includes(error.status)) {
          // Every other row would get the same answer: stop the run and report it once.
          fatal ??= error
          stop.abort()
          return undefined
        }
        if (isTransient(error) && round < TRANSIENT_ROUNDS) {
          // The API is down or throttling: hold every worker, not only this one, then try again.
          gate.pauseFor(roundDelay(round))
          try {
            await gate.wait(sleep)
          } catch {
            return undefined
          }
          continue
        }
        return { state: 'failed', error: reason(error) }
      }
    }
  }

  const worker = async (): Promise<void> => {
    try {
      await work()
    } catch (error) {
      fatal ??= error
      stop.abort()
    }
  }
  const work = async (): Promise<void> => {
    for (;;) {
      const next = await nextToSend()
      if (!next || !journalOpen || stop.signal.aborted) return
      // Durable before the request leaves: a crash from here on re-sends with the same key.
      journal.markSending([next.item.line])
      const outcome = await sendRow(next.item, next.entry)
      if (!outcome || !journalOpen) return
      journal.markDone(next.item.line, outcome.state, outcome.error)
      counts[outcome.state]++
      progress.update(counts)
    }
  }

  try {
    const pool = Promise.all(Array.from({ length: concurrency }, () => worker()))
    const stopped = new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), { once: true }),
    )
    // When stopped, requests already on the wire get a moment to answer; then the journal closes regardless.
    await Promise.race([
      pool,
      stopped.then(() => Promise.race([pool, delay(INTERRUPT_GRACE_MS, undefined, { ref: false })])),
    ])
  } finally {
    journalOpen = false
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    progress.update(counts, true)
    progress.finish()
    await rows.return(undefined).catch(() => undefined)
    journal.flush()
    void api.close()
  }
  if (fatal) throw fatal
  if (interrupted) {
    throw new CliError(
      `Interrupted after ${counts.sent} sent, ${counts.skipped} skipped, ${counts.failed} failed; ` +
        'the journal is saved: run the same command again to resume',
      ExitCode.Interrupted,
    )
  }
  return counts
}

function isTransient(error: unknown): boolean {
  if (error instanceof NetworkError || error instanceof TimeoutError) return true
  return error instanceof ApiError && [429, 502, 503, 504].includes(error.status)
}

/** A reason for the report: the status, the API's message and its field errors. */
function reason(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Object.entries(error.fields).map(([field, messages]) => `${field}: ${messages.join('; ')}`)
    const detail = fields.filter((f) => !error.message.includes(f.split(': ')[1] ?? f))
    return [`HTTP ${error.status}: ${error.message}`, ...detail].join('; ')
  }
  return error instanceof Error ? error.message : String(error)
}

/**
 * The `--report` CSV (`line,email,reason`), written as rows come, with backpressure. Its cells come from
 * the input file and the server, so they go through the one CSV cell function (formula neutralisation
 * unless `--csv-raw`); the file is the owner's only (0600, an existing one tightened).
 */
class ReportWriter {
  private readonly out: Writable

  constructor(
    private readonly file: string,
    private readonly raw = false,
  ) {
    this.out = createWriteStream(file, { mode: 0o600 })
    // mode applies only to a new file: an existing report (maybe 0644 from an older orgctl) is tightened.
    this.out.once('open', (fd: number) => {
      try {
        if (fstatSync(fd).isFile()) fchmodSync(fd, 0o600)
      } catch {
        // Not ours to change (a file of another user, a device): it is written as it is.
      }
    })
    this.out.write(csvRecord(['line', 'email', 'reason']))
  }

  async add(line: number, email: string | null | undefined, reason: string | null): Promise<void> {
    if (!this.out.write(csvRecord([line, email ?? '', reason ?? ''], { raw: this.raw })))
      await new Promise((resolve) => this.out.once('drain', resolve))
  }

  async end(): Promise<void> {
    this.out.end()
    await finished(this.out)
  }

  async discard(): Promise<void> {
    this.out.destroy()
    await rm(this.file, { force: true })
  }
}

async function writeReport(
  file: string,
  problems: Iterable<{ line: number; email: string | null; lastError: string | null }>,
  raw?: boolean,
): Promise<void> {
  const report = new ReportWriter(file, raw)
  for (const p of problems) await report.add(p.line, p.email, p.lastError)
  await report.end()
}

/** The one line a script sees on stderr at the end. */
export function summaryLine(s: BulkSummary): string {
  const seconds = s.durationMs / 1000
  const took = seconds < 10 ? `${seconds.toFixed(1)}s` : formatSeconds(seconds)
  return (
    `Sent ${s.sent}, skipped ${s.skipped} (already invited or members), invalid ${s.invalid}, ` +
    `failed ${s.failed} of ${s.total} rows in ${took}` +
    (s.report ? `; report: ${terminalText(s.report)}` : '')
  )
}
