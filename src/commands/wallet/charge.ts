import { randomUUID } from 'node:crypto'

import { Flags } from '@oclif/core'

import { ApiError } from '../../api/errors.js'
import type { LedgerEntry } from '../../api/types.js'
import { BULK_ONLY_FLAGS, bulkFlags, runFromFile } from '../../bulk/command.js'
import type { BulkSummary } from '../../bulk/runner.js'
import { orgArg, wholeNumberFlag } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { CliError, ConfirmationRequired, ExitCode, UsageError } from '../../core/errors.js'
import { yesFlag } from '../../core/flags.js'
import { confirmCharge } from '../../core/interactive.js'
import { isInteractive } from '../../core/prompts.js'
import * as validate from '../../core/validate.js'
import { recordView } from '../../core/views.js'

/** Stable `--json` shape of `wallet charge` (documented in the README). */
export interface WalletChargeResult {
  organizationId: string
  amount: number
  service: 'sms'
  smsPoints: number
  reason: string | null
  idempotencyKey: string
  /** true when the server replayed an earlier charge with this key: nothing was charged again. */
  replayed: boolean
  /** The ledger row, or null from an API that answers `data: null`. */
  ledgerEntry: LedgerEntry | null
}

export default class WalletCharge extends BaseCommand<typeof WalletCharge> {
  static override summary = "Charge an organization's wallet: buy SMS points (platform admins)"
  static override description =
    'Every charge carries an idempotency key (generated when --idempotency-key is absent); running the same ' +
    'command again with the same key and values never charges twice.'
  static override examples = [
    '<%= config.bin %> wallet charge ORG --amount 1000 --service sms --sms-point 100 --reason "Monthly SMS package"',
    '<%= config.bin %> wallet charge ORG --amount 1000 --sms-point 100 --yes --idempotency-key "ci-$RUN_ID" --json',
    '<%= config.bin %> wallet charge --file billing.csv --run-id "billing-2026-12" --yes --report failed.csv',
  ]
  static override args = {
    org: { ...orgArg, description: `${orgArg.description}; not with --file` },
  }
  static override flags = {
    amount: wholeNumberFlag({ description: 'Amount in minor currency units (positive whole number)' }),
    service: Flags.string({ description: 'Service being bought; only "sms" exists', default: 'sms' }),
    'sms-point': wholeNumberFlag({
      description: 'SMS points bought (positive whole number; required with --service sms)',
    }),
    reason: Flags.string({ description: 'Why, for the ledger' }),
    'idempotency-key': Flags.string({
      description: 'Key that makes retries safe (default: a new UUID per invocation)',
    }),
    yes: yesFlag,
    file: Flags.string({
      char: 'f',
      description:
        'Charge every organization in this CSV (organization,amount,sms_point, optional reason and key) or JSON ' +
        'Lines file: the billing run; - reads stdin',
      helpGroup: 'BULK',
      exclusive: ['amount', 'sms-point', 'reason', 'idempotency-key'],
    }),
    'run-id': Flags.string({
      description:
        "The billing run's identity, from which each row's idempotency key is derived (default: the file's " +
        'SHA-256); keep it when fixing and re-running a file so that nobody is charged twice',
      helpGroup: 'BULK',
      dependsOn: ['file'],
    }),
    ...bulkFlags,
  }

  private async runFile(file: string): Promise<BulkSummary> {
    if (this.args.org !== undefined)
      throw new UsageError('Give ORG or --file, not both (the file names each organization)')
    if (this.flags['run-id'] !== undefined) validate.idempotencyKey(this.flags['run-id'], '--run-id')
    const { walletChargeJob } = await import('../../bulk/jobs.js')
    // Filled while the file is validated, for the confirmation: what the run charges in all.
    const tally = { amount: 0, smsPoints: 0 }
    return runFromFile({
      job: walletChargeJob(tally),
      file,
      flags: this.flags,
      api: () => this.api(),
      show: (view) => this.show(view),
      json: this.jsonEnabled(),
      confirmation: { action: 'charge wallets', tally },
    })
  }

  async run(): Promise<WalletChargeResult | BulkSummary> {
    const f = this.flags
    if (f.file !== undefined) return this.runFile(f.file)
    for (const flag of BULK_ONLY_FLAGS) if (f[flag]) throw new UsageError(`--${flag} needs --file`)
    if (f.amount === undefined)
      throw new UsageError('Missing required flag --amount (a positive whole number)')
    const amount = f.amount
    if (f.service !== 'sms')
      throw new UsageError(`--service must be sms (the only service), got "${f.service}"`)
    if (f['sms-point'] === undefined) throw new UsageError('--sms-point is required with --service sms')
    const smsPoints = f['sms-point']
    const key =
      f['idempotency-key'] === undefined
        ? randomUUID()
        : validate.idempotencyKey(f['idempotency-key'], '--idempotency-key')
    if (!f.yes && !isInteractive()) throw new ConfirmationRequired('Charging a wallet')
    const org = await this.organization(this.args.org, { destructive: true })

    const api = await this.api()
    if (!f.yes) {
      const { getOrganization } = await import('../../api/organizations.js')
      const { name } = await getOrganization(api, org)
      await confirmCharge({
        organizationId: org,
        organizationName: name,
        amount,
        smsPoints,
        reason: f.reason,
        idempotencyKey: key,
      })
    } else if (process.stderr.isTTY && f['idempotency-key'] === undefined) {
      // A key the user chose needs no echo; a generated one is what they must reuse to retry safely.
      this.note(`Idempotency key: ${key} (pass --idempotency-key ${key} to retry safely)`)
    }

    const { chargeWallet } = await import('../../api/wallet.js')
    let charged
    try {
      charged = await chargeWallet(
        api,
        org,
        { amount, service: 'sms', sms_point: smsPoints, reason: f.reason },
        key,
      )
    } catch (error) {
      throw explainKeyReuse(error, key)
    }
    const result: WalletChargeResult = {
      organizationId: org,
      amount,
      service: 'sms',
      smsPoints,
      reason: f.reason ?? null,
      idempotencyKey: key,
      replayed: charged.replayed,
      ledgerEntry: charged.entry,
    }
    if (result.replayed && this.format !== 'json')
      this.note(
        'This charge was already made with this idempotency key; the earlier result is shown and nothing was charged again.',
      )
    await this.show(
      recordView({ ...result, ledgerEntry: result.ledgerEntry?.id ?? null }, [
        'organizationId',
        'amount',
        'service',
        'smsPoints',
        'reason',
        'idempotencyKey',
        'replayed',
        'ledgerEntry',
      ]),
    )
    return result
  }
}

/** A 422 about the idempotency key means it was used before with different values. */
function explainKeyReuse(error: unknown, key: string): unknown {
  if (!(error instanceof ApiError) || error.status !== 422) return error
  const aboutKey =
    Object.keys(error.fields).some((f) => /idempotency/i.test(f)) || /idempotency/i.test(error.message)
  if (!aboutKey) return error
  return new CliError(
    `The idempotency key "${key}" was already used for a different charge (other organization, amount, points or reason); ` +
      `nothing was charged. Use a new key for a new charge. (${error.message})`,
    ExitCode.Rejected,
    422,
  )
}
