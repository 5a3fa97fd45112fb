import { Args, Flags } from '@oclif/core'

import type { WalletSummary } from '../../api/types.js'
import { BaseCommand } from '../../core/base-command.js'
import { CliError, ExitCode } from '../../core/errors.js'
import * as validate from '../../core/validate.js'
import { ledgerView, recordView } from '../../core/views.js'

/** Stable `--json` shape: `{organizationId, balance: {amount, smsPoints}, ledger: LedgerEntry[]}`. */
export type WalletShowResult = WalletSummary

export default class WalletShow extends BaseCommand<typeof WalletShow> {
  static override summary = "Show an organization's wallet balance and latest charges (sandbox extension)"
  static override examples = [
    '<%= config.bin %> wallet show ORG',
    '<%= config.bin %> wallet show ORG --limit 5 --json',
  ]
  static override args = { org: Args.string({ description: 'Organization ID (UUID)', required: true }) }
  static override flags = {
    limit: Flags.string({ description: 'Ledger rows to show, newest first (1-100)', default: '20' }),
  }

  async run(): Promise<WalletShowResult> {
    const org = validate.uuid(this.args.org, 'ORG')
    const limit = validate.positiveInt(this.flags.limit, '--limit', 100)
    const { getWallet } = await import('../../api/wallet.js')
    const api = await this.api()
    const wallet = await getWallet(api, org, limit)
    if (!wallet) {
      // A 404 may mean an unknown organization (reported as such) or an API without the extension.
      const { getOrganization } = await import('../../api/organizations.js')
      await getOrganization(api, org)
      throw new CliError(
        'This API does not offer wallet show (it is an orgctl sandbox extension)',
        ExitCode.NotFound,
        404,
      )
    }
    if (this.format === 'table') {
      await this.show(
        recordView(
          {
            organizationId: wallet.organizationId,
            amount: wallet.balance.amount,
            smsPoints: wallet.balance.smsPoints,
          },
          ['organizationId', 'amount', 'smsPoints'],
        ),
        { columnsFlag: false },
      )
    }
    // CSV carries the ledger rows; the balance is their sum and is in the table and JSON forms.
    await this.show(ledgerView(wallet.ledger))
    return wallet
  }
}
