import type { WalletSummary } from '../../api/types.js'
import { orgArg, wholeNumberFlag } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { CliError, ExitCode } from '../../core/errors.js'
import { ledgerView, recordView } from '../../core/views.js'

/** Stable `--json` shape: `{organizationId, balance: {amount, smsPoints}, ledger: LedgerEntry[]}`. */
export type WalletShowResult = WalletSummary

export default class WalletShow extends BaseCommand<typeof WalletShow> {
  static override summary = "Show an organization's wallet balance and latest charges (sandbox extension)"
  static override examples = [
    '<%= config.bin %> wallet show ORG',
    '<%= config.bin %> wallet show ORG --limit 5 --json',
  ]
  static override args = { org: orgArg }
  static override flags = {
    limit: wholeNumberFlag({
      description: 'Ledger rows to show, newest first (1-100)',
      default: 20,
      max: 100,
    }),
  }

  async run(): Promise<WalletShowResult> {
    const org = await this.organization(this.args.org)
    const limit = this.flags.limit ?? 20
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
