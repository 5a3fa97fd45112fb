import { Flags } from '@oclif/core'

import type { Transport } from '../api/transport.js'
import { BulkFailed, ConfirmationRequired, Declined, UsageError } from '../core/errors.js'
import type { View } from '../core/output.js'
import { confirm, isInteractive } from '../core/prompts.js'
import type { JobSpec, Tally } from './jobs.js'
import type { BulkPreview, BulkSummary, Shard } from './runner.js'
import { BULK_CONCURRENCY } from '../shared/rules.js'

/*
 * Loaded statically by the commands (it imports only oclif's flags and src/core): what every command with
 * `--file` shares: the flags, and the one way a file run is started, confirmed,
 * shown and turned into an exit code. The engine itself (csv-parse, the SQLite journal) loads only when a
 * file is given.
 */

/** The bulk flags of every mutating command (`--file` itself is declared by each, with its columns). */
export const bulkFlags = {
  format: Flags.option({
    options: ['csv', 'jsonl'] as const,
    description: 'Input format (default: from the extension; csv for stdin)',
    helpGroup: 'BULK',
  })(),
  concurrency: Flags.integer({
    description: 'Requests in flight at once',
    default: BULK_CONCURRENCY.default,
    min: 1,
    max: BULK_CONCURRENCY.max,
    helpGroup: 'BULK',
  }),
  'dry-run': Flags.boolean({ description: 'Validate the file and send nothing', helpGroup: 'BULK' }),
  restart: Flags.boolean({
    description: "Ignore an earlier run's journal and send every row again",
    helpGroup: 'BULK',
  }),
  report: Flags.string({
    description: 'Write failed and invalid rows to this CSV file (line,key,reason)',
    helpGroup: 'BULK',
  }),
  shard: Flags.string({
    description:
      'Run shard K of N (K/N): the rows whose line number is K modulo N; each shard has its own journal',
    helpGroup: 'BULK',
  }),
}

/** The flags that only make sense with `--file`. */
export const BULK_ONLY_FLAGS = ['format', 'dry-run', 'restart', 'report', 'shard'] as const

/** `--shard K/N` → `{index, count}`; exit 2 for anything else. */
export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(value)
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard must be K/N with 1 <= K <= N <= 9999 (e.g. 2/3), got "${value}"`)
  return { index, count }
}

/** What {@link runFromFile} needs of the command. */
export interface FileRun<Row> {
  job: JobSpec<Row>
  file: string
  flags: {
    format?: 'csv' | 'jsonl' | undefined
    concurrency?: number | undefined
    'dry-run'?: boolean | undefined
    restart?: boolean | undefined
    report?: string | undefined
    shard?: string | undefined
    yes?: boolean | undefined
    'run-id'?: string | undefined
    /** `--csv-raw` (a global flag): report cells exactly as they are. */
    'csv-raw'?: boolean | undefined
  }
  api: () => Promise<Transport>
  show: (view: View) => Promise<void>
  json: boolean
  /**
   * Removals and charges: asked on a terminal with the count (and the totals), `--yes` needed otherwise.
   * `action` completes "About to ... N rows".
   */
  confirmation?: { action: string; tally?: Tally | undefined } | undefined
}

/**
 * Runs a job over a file and returns its summary: exit 6 (BulkFailed, with the summary) when any row failed
 * or was invalid. Without a terminal, a run that needs confirmation and has no `--yes` stops with exit 2
 * before the file is read.
 */
export async function runFromFile<Row>(run: FileRun<Row>): Promise<BulkSummary> {
  const { flags } = run
  const dryRun = flags['dry-run'] ?? false
  const shard = parseShard(flags.shard)
  const confirmation = run.confirmation
  if (confirmation && !dryRun && !flags.yes && !isInteractive())
    throw new ConfirmationRequired(`${capitalise(confirmation.action)} from a file`)
  const { runBulk, SUMMARY_COLUMNS } = await import('./runner.js')
  const { recordView } = await import('../core/views.js')
  const summary = await runBulk(run.job, {
    // A dry run needs no API (nor the sandbox): nothing is sent.
    api: dryRun ? undefined : await run.api(),
    file: run.file,
    format: flags.format,
    concurrency: flags.concurrency,
    dryRun,
    restart: flags.restart,
    report: flags.report,
    rawCsv: flags['csv-raw'],
    shard,
    runId: flags['run-id'],
    progress: Boolean(process.stderr.isTTY) && !run.json,
    confirm:
      confirmation && !flags.yes
        ? (preview) => askToGoOn(confirmation.action, preview, confirmation.tally)
        : undefined,
  })
  const columns = SUMMARY_COLUMNS.filter((c) => (c !== 'organizationId' && c !== 'shard') || c in summary)
  await run.show(recordView(summary, [...columns]))
  const bad = summary.failed + summary.invalid
  if (bad > 0) {
    throw new BulkFailed(
      `${summary.failed} row${summary.failed === 1 ? '' : 's'} failed and ${summary.invalid} ` +
        `${summary.invalid === 1 ? 'was' : 'were'} invalid` +
        (summary.report ? `; see ${summary.report}` : '; pass --report FILE to list them'),
      { ...summary },
    )
  }
  return summary
}

async function askToGoOn(action: string, preview: BulkPreview, tally: Tally | undefined): Promise<void> {
  const totals = tally
    ? `, ${tally.amount} in amount (minor units) for ${tally.smsPoints} SMS points in all`
    : ''
  const invalid = preview.invalid > 0 ? ` (${preview.invalid} invalid rows will not be sent)` : ''
  process.stderr.write(
    `About to ${action}: ${preview.rows} row${preview.rows === 1 ? '' : 's'}${totals}${invalid}\n`,
  )
  if (!(await confirm('Go ahead?'))) throw new Declined()
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
