import { Args, Flags } from '@oclif/core'

import { BaseCommand } from '../../core/base-command.js'
import { BulkFailed, UsageError } from '../../core/errors.js'
import { required } from '../../core/prompts.js'
import * as validate from '../../core/validate.js'
import { recordView } from '../../core/views.js'
import { inviteOne, type InviteResult } from '../../core/invite.js'
import type { BulkSummary } from '../../bulk/runner.js'

export default class InviteSend extends BaseCommand<typeof InviteSend> {
  static override summary = 'Invite someone to an organization, or everyone in a CSV or JSON Lines file'
  static override examples = [
    '<%= config.bin %> invite send ORG --email ada@example.com --name "Ada Lovelace" --role 3',
    '<%= config.bin %> invite send ORG --file people.csv --report failed.csv --json',
    'cat people.jsonl | <%= config.bin %> invite send ORG --file - --format jsonl --concurrency 16',
    '<%= config.bin %> invite send ORG --file people.csv --dry-run',
  ]
  static override args = { org: Args.string({ description: 'Organization ID (UUID)', required: true }) }
  static override flags = {
    email: Flags.string({ description: "Invitee's e-mail address", exclusive: ['file'] }),
    name: Flags.string({ description: "Invitee's name", exclusive: ['file'] }),
    role: Flags.string({
      description: 'IAM role ID (repeatable; default 3, Member)',
      multiple: true,
      exclusive: ['file'],
    }),
    file: Flags.string({
      char: 'f',
      description: 'Invite everyone in this CSV (email,name,roles) or JSON Lines file; - reads stdin',
      helpGroup: 'BULK',
    }),
    format: Flags.option({
      options: ['csv', 'jsonl'] as const,
      description: 'Input format (default: from the extension; csv for stdin)',
      helpGroup: 'BULK',
    })(),
    concurrency: Flags.integer({
      description: 'Invitations in flight at once',
      default: 8,
      min: 1,
      max: 64,
      helpGroup: 'BULK',
    }),
    'dry-run': Flags.boolean({ description: 'Validate the file and send nothing', helpGroup: 'BULK' }),
    restart: Flags.boolean({
      description: "Ignore an earlier run's journal and send every row again",
      helpGroup: 'BULK',
    }),
    report: Flags.string({
      description: 'Write failed and invalid rows to this CSV file (line,email,reason)',
      helpGroup: 'BULK',
    }),
  }

  async run(): Promise<InviteResult | BulkSummary> {
    const org = validate.uuid(this.args.org, 'ORG')
    if (this.flags.file !== undefined) return this.runFile(org, this.flags.file)
    for (const flag of ['format', 'dry-run', 'restart', 'report'] as const)
      if (this.flags[flag]) throw new UsageError(`--${flag} needs --file`)
    const email = validate.email(await required(this.flags.email, '--email', 'E-mail address'), '--email')
    const name = (await required(this.flags.name, '--name', 'Name')).trim()
    const roles = (this.flags.role?.length ? this.flags.role : ['3']).map((r) =>
      validate.positiveInt(r, '--role'),
    )
    const result = await inviteOne(await this.api(), org, { email, name, roles })
    await this.show(
      recordView(result, [
        'organizationId',
        'email',
        'name',
        'roles',
        'invitationId',
        'expiresAt',
        'replayed',
      ]),
    )
    return result
  }

  private async runFile(org: string, file: string): Promise<BulkSummary> {
    // The bulk engine (csv-parse, SQLite journal) loads only for --file.
    const { runBulkInvite, SUMMARY_COLUMNS } = await import('../../bulk/runner.js')
    const summary = await runBulkInvite({
      // A dry run needs no API (nor the sandbox): nothing is sent.
      api: this.flags['dry-run'] ? undefined : await this.api(),
      organizationId: org,
      file,
      format: this.flags.format,
      concurrency: this.flags.concurrency,
      dryRun: this.flags['dry-run'],
      restart: this.flags.restart,
      report: this.flags.report,
      rawCsv: this.flags['csv-raw'],
      progress: Boolean(process.stderr.isTTY) && !this.jsonEnabled(),
    })
    await this.show(recordView(summary, [...SUMMARY_COLUMNS]))
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
}
