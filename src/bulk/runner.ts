import { setMaxListeners } from 'node:events'
import { createWriteStream, fchmodSync, fstatSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { setTimeout as delay } from 'node:timers/promises'

import { ApiError, NetworkError, TimeoutError } from '../api/errors.js'
import { Pacer } from '../api/pacer.js'
import { RETRYABLE_STATUSES } from '../api/retry.js'
import type { Transport } from '../api/transport.js'
import { CliError, ExitCode } from '../core/errors.js'
import { terminalText } from '../core/escape.js'
import { csvRecord } from '../core/output.js'
import { privateDirSync } from '../core/private-files.js'
import { inviteJob, reason, type JobSpec, type Outcome } from './jobs.js'
import { openJournal, type DoneState, type Journal, type JournalEntry } from './journal.js'
import { Progress, formatSeconds, type RunCounts } from './progress.js'
import {
  detectFormat,
  itemKey,
  readRowBatches,
  readRows,
  removeStaleSpools,
  scanInput,
  spoolToFile,
  type InputFormat,
  type ValidItem,
} from './reader.js'
import type { InviteRow } from './validate-row.js'
import { BULK_CONCURRENCY } from '../shared/rules.js'

/** Default and largest `--concurrency`. */
export const DEFAULT_CONCURRENCY = BULK_CONCURRENCY.default
export const MAX_CONCURRENCY = BULK_CONCURRENCY.max

/** One shard of a run: `--shard K/N` runs the rows whose line number is K modulo N (1-based K). */
export interface Shard {
  index: number
  count: number
}

/** What a run that needs confirmation (removals, charges) is about to do; shown before it asks. */
export interface BulkPreview {
  /** Valid rows of this input (and shard) still to apply, counting rows an earlier run finished. */
  rows: number
  invalid: number
}

/** Options of {@link runBulk}. */
export interface BulkOptions {
  /**
   * The command's client; the run derives its own (pool sized to the concurrency, shared 429 pause).
   * Not needed for a dry run.
   */
  api?: Transport | undefined
  /** A path, or `-` for stdin (spooled to a file first so that it can be validated, then sent). */
  file: string
  format?: InputFormat | undefined
  concurrency?: number | undefined
  /** Validate everything, send nothing, open no journal. */
  dryRun?: boolean | undefined
  /** Forget the journal of this organization and input: every row is sent again with a new key. */
  restart?: boolean | undefined
  /** Where to write the CSV `line,<key>,reason` of failed and invalid rows. */
  report?: string | undefined
  /** Report cells exactly as they are (`--csv-raw`): no neutralising of cells that look like formulas. */
  rawCsv?: boolean | undefined
  /** Run only this shard's rows, with a journal of its own. */
  shard?: Shard | undefined
  /** The run's identity for derived idempotency keys (charges); default the SHA-256 of the input. */
  runId?: string | undefined
  /** Called after validation and before anything is sent; throws (Declined) to stop. Not called for a dry run. */
  confirm?: ((preview: BulkPreview) => Promise<void>) | undefined
  /** Folder of the journals; default `<data dir>/journals`. */
  dataDir?: string | undefined
  stdin?: Readable | undefined
  stderr?: Writable | undefined
  /** Live progress on stderr (a terminal without `--json`). */
  progress?: boolean | undefined
}

/** Options of {@link runBulkInvite}. */
export interface BulkInviteOptions extends BulkOptions {
  organizationId: string
}

/** The result of a bulk run, over the whole file (rows finished by earlier runs of it included). */
export interface BulkSummary {
  /** The organization of every row (invitations, member changes). */
  organizationId?: string
  /** `K/N` when the run was one shard. */
  shard?: string
  /** Data rows in the file. */
  total: number
  /** Applied (by this run or an earlier one): invited, updated, removed, charged. */
  sent: number
  /** Invitations only: already a member or already invited (409). */
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
  'shard',
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
 */
export function runBulkInvite(options: BulkInviteOptions): Promise<BulkSummary> {
  return runBulk<InviteRow>(inviteJob(options.organizationId), options)
}

/**
 * Runs one bulk job over a file: validates the whole input (nothing is sent from a bad file), asks
 * `confirm` when given, then sends one request per valid row of the shard with `concurrency` in flight, paced
 * by the server's rate-limit headers, journaling each row before and after its request so that a run that is
 * killed can be re-run with every row applied exactly once. See docs/BULK.md.
 *
 * @throws BulkInputError when the file as a whole is unusable (nothing is sent, no journal is made);
 *   JournalError when another run holds the journal; ApiError with one of the job's fatal statuses (the whole
 *   run would fail alike); CliError exit 130 when interrupted by SIGINT/SIGTERM (the journal is closed first).
 */
export async function runBulk<Row>(job: JobSpec<Row>, options: BulkOptions): Promise<BulkSummary> {
  const started = performance.now()
  const stderr = options.stderr ?? process.stderr
  const concurrency = Math.min(MAX_CONCURRENCY, Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY))
  const format = detectFormat(options.file, options.format)
  const dataDir = options.dataDir ?? (await defaultDataDir())
  const select = shardFilter(options.shard)
  const head = {
    ...(job.organizationId === undefined ? {} : { organizationId: job.organizationId }),
    ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
  }
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
      const summary = await dryRun(job, options, path, format, started, select, head)
      stderr.write(
        `Dry run: ${summary.total - summary.invalid} of ${summary.total} rows would be sent, ` +
          `${summary.invalid} invalid; nothing was sent\n`,
      )
      return summary
    }
    const scan = await scanInput<Row>(path, {
      format,
      schema: job.schema,
      select,
      visit: (item) => {
        if (item.error === undefined) job.visit?.(item.row)
      },
    })
    if (!options.api) throw new Error('runBulk: an API client is required unless dryRun is set')
    await options.confirm?.({ rows: scan.valid, invalid: scan.invalid })
    const journal = openJournal({
      dir: join(dataDir, 'journals'),
      organizationId: job.scope,
      // Each shard has its own journal, so that N workers sharing one file resume independently.
      inputKey: options.shard
        ? `${scan.sha256}#shard-${options.shard.index}-of-${options.shard.count}`
        : scan.sha256,
    })
    let summary: BulkSummary
    try {
      if (options.restart) journal.restart()
      else if (journal.status().resumed)
        stderr.write(`Resuming an earlier run of this file (${journal.path})\n`)
      const total = scan.valid + scan.invalid
      const runId = options.runId ?? scan.sha256
      const counts = await send(
        job,
        options,
        journal,
        path,
        format,
        total,
        concurrency,
        stderr,
        select,
        runId,
      )
      summary = { ...head, total, ...counts, durationMs: Math.round(performance.now() - started) }
      if (options.report) {
        await writeReport(options.report, job.reportKey, journal.problems(), options.rawCsv)
        summary.report = options.report
      }
    } finally {
      journal.close()
    }
    stderr.write(`${summaryLine(summary, job.words)}\n`)
    return summary
  } finally {
    if (spool) await rm(spool, { force: true })
  }
}

/**
 * `--shard K/N`: the rows whose line number is congruent to K modulo N (K from 1 to N; N itself takes the
 * lines divisible by N). Line numbers are fixed by the file's bytes, so every worker given the same file and N
 * agrees on the split, invalid rows included, and the N shards cover every row exactly once.
 */
export function shardFilter(shard: Shard | undefined): ((line: number) => boolean) | undefined {
  if (!shard || shard.count === 1) return undefined
  const { index, count } = shard
  return (line) => line % count === index % count
}

async function defaultDataDir(): Promise<string> {
  const { default: envPaths } = await import('env-paths')
  const dir = envPaths('orgctl', { suffix: '' }).data
  privateDirSync(dir) // orgctl's own data folder: 0700, tightened if an older version left it 0755
  return dir
}

async function dryRun<Row>(
  job: JobSpec<Row>,
  options: BulkOptions,
  path: string,
  format: InputFormat,
  started: number,
  select: ((line: number) => boolean) | undefined,
  head: Pick<BulkSummary, 'organizationId' | 'shard'>,
): Promise<BulkSummary> {
  let total = 0
  let invalid = 0
  const report = options.report ? new ReportWriter(options.report, job.reportKey, options.rawCsv) : undefined
  try {
    for await (const items of readRowBatches<Row>(path, { format, schema: job.schema })) {
      for (const item of items) {
        if (select && !select(item.line)) continue
        total++
        if (item.error === undefined) continue
        invalid++
        await report?.add(item.line, itemKey(item), item.error)
      }
    }
    await report?.end()
  } catch (error) {
    // A bad file leaves no half-written report behind.
    await report?.discard()
    throw error
  }
  return {
    ...head,
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
async function send<Row>(
  job: JobSpec<Row>,
  options: BulkOptions,
  journal: Journal,
  path: string,
  format: InputFormat,
  total: number,
  concurrency: number,
  stderr: Writable,
  select: ((line: number) => boolean) | undefined,
  runId: string,
): Promise<RunCounts> {
  const counts: RunCounts = { sent: 0, skipped: 0, invalid: 0, failed: 0 }
  const progress = new Progress(stderr, total, options.progress ?? false)
  const stop = new AbortController()
  // Every wait of the run (backoff, Retry-After, the pacer, the shared pause) ends at once on Ctrl-C: each worker
  // has up to two such waits listening on this one signal at a time (its own and the transport's), which is
  // more than Node's default of 10 listeners before it warns of a leak; they are removed as each wait ends.
  setMaxListeners(concurrency * 4 + 16, stop.signal)
  const sleep = (ms: number): Promise<void> => delay(ms, undefined, { signal: stop.signal })
  // One pacer for every worker: the server's rate-limit headers set the pace of the whole run (docs/BULK.md).
  const gate = new Pacer()
  if (!options.api) throw new Error('runBulk: an API client is required unless dryRun is set')
  const api = options.api.derive({
    pause: gate,
    connections: concurrency,
    sleep,
    onResponse: (status, headers) => gate.observe(status, headers),
  })
  await job.prepare?.(api)
  const rows = readRows<Row>(path, { format, schema: job.schema })
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
  const nextToSend = async (): Promise<{ item: ValidItem<Row>; entry: JournalEntry } | undefined> => {
    for (;;) {
      if (stop.signal.aborted) return undefined
      const next = await rows.next()
      if (next.done || stop.signal.aborted || !journalOpen) return undefined
      const item = next.value
      if (select && !select(item.line)) continue
      if (item.error !== undefined) {
        journal.recordInvalid(item.line, itemKey(item), item.error)
        counts.invalid++
        continue
      }
      const entry = journal.plan(
        item.line,
        job.schema.keyOf(item.row) ?? '',
        job.idempotencyKey?.(item.row, runId),
      )
      if (entry.needsSend) return { item, entry }
      if (entry.state === 'sent' || entry.state === 'skipped') counts[entry.state]++
      progress.update(counts)
    }
  }

  const sendRow = async (item: ValidItem<Row>, entry: JournalEntry): Promise<Outcome | undefined> => {
    // A row an earlier run left `sending` may have reached the server before that run died.
    const inFlightBefore = entry.state === 'sending'
    for (let round = 0; ; round++) {
      const context = {
        line: item.line,
        idempotencyKey: entry.idempotencyKey,
        maybeApplied: inFlightBefore || round > 0,
      }
      try {
        return await job.send(api, item.row, context)
      } catch (error) {
        const settled = job.settle?.(error, context)
        if (settled) return settled
        // Stopped while waiting or on the wire: the row stays `sending` and is re-sent, same key, next run.
        if (stop.signal.aborted && !(error instanceof ApiError && error.status < 500 && error.status !== 429))
          return undefined
        if (error instanceof ApiError && job.fatal.includes(error.status)) {
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
  // Rows are marked `sending` a few at a time, with one commit, before any of them is handed to a worker:
  // a commit per row was the largest part of the journal's cost. Rows still waiting when the run stops
  // (Ctrl-C, a fatal answer) are put back as they were planned (below); only a process killed outright
  // leaves them `sending`, to be re-sent with their keys like a row that was on the wire.
  const ready: { item: ValidItem<Row>; entry: JournalEntry }[] = []
  let filling: Promise<void> | undefined
  const fill = async (): Promise<void> => {
    const batch: typeof ready = []
    while (batch.length < concurrency) {
      const next = await nextToSend()
      if (!next) break
      batch.push(next)
    }
    if (batch.length === 0 || !journalOpen || stop.signal.aborted) return
    // Durable before the requests leave: a crash from here on re-sends them with the same keys.
    journal.markSending(batch.map((b) => b.item.line))
    ready.push(...batch)
  }
  const take = async (): Promise<{ item: ValidItem<Row>; entry: JournalEntry } | undefined> => {
    while (ready.length === 0) {
      const wasFilling = filling !== undefined
      filling ??= fill().finally(() => (filling = undefined))
      await filling
      // The fill this worker waited for found no row (and no other fill may find one): the file is done.
      if (ready.length === 0 && !wasFilling) return undefined
      if (ready.length === 0 && (stop.signal.aborted || !journalOpen)) return undefined
    }
    return ready.shift()
  }
  const work = async (): Promise<void> => {
    for (;;) {
      const next = await take()
      if (!next) return
      if (!journalOpen || stop.signal.aborted) {
        // Stopped while this worker waited: the row goes back unsent, to be put back as planned.
        ready.unshift(next)
        return
      }
      const outcome = await sendRow(next.item, next.entry)
      if (!outcome || !journalOpen) return
      journal.markDone(next.item.line, outcome.state as DoneState, outcome.error)
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
    journal.unmarkSending(
      ready.splice(0).map(({ item, entry }) => ({ line: item.line, plannedState: entry.state })),
    )
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
  return error instanceof ApiError && RETRYABLE_STATUSES.has(error.status)
}

/**
 * The `--report` CSV (`line,<key>,reason`), written as rows come, with backpressure. Its cells come from
 * the input file and the server, so they go through the one CSV cell function, csvRecord (formula
 * neutralisation unless `--csv-raw`); the file is the owner's only (0600, an existing one tightened).
 */
class ReportWriter {
  private readonly out: Writable

  constructor(
    private readonly file: string,
    keyColumn: string,
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
    this.out.write(csvRecord(['line', keyColumn, 'reason']))
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
  keyColumn: string,
  problems: Iterable<{ line: number; email: string | null; lastError: string | null }>,
  raw?: boolean,
): Promise<void> {
  const report = new ReportWriter(file, keyColumn, raw)
  for (const p of problems) await report.add(p.line, p.email, p.lastError)
  await report.end()
}

/** The one line a script sees on stderr at the end. */
export function summaryLine(
  s: BulkSummary,
  words: JobSpec<unknown>['words'] = { done: 'Sent', skippedNote: ' (already invited or members)' },
): string {
  const seconds = s.durationMs / 1000
  const took = seconds < 10 ? `${seconds.toFixed(1)}s` : formatSeconds(seconds)
  return (
    `${words.done} ${s.sent}, skipped ${s.skipped}${words.skippedNote}, invalid ${s.invalid}, ` +
    `failed ${s.failed} of ${s.total} rows in ${took}` +
    (s.report ? `; report: ${terminalText(s.report)}` : '')
  )
}
