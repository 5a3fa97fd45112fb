import { Flags } from '@oclif/core'

import { orgArg, roleFlag } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { BULK_ONLY_FLAGS, bulkFlags, runFromFile } from '../../bulk/command.js'
import { UsageError } from '../../core/errors.js'
import { required } from '../../core/prompts.js'
import * as validate from '../../core/validate.js'
import { recordView } from '../../core/views.js'
import { inviteMember, type InviteResult } from '../../core/invite.js'
import type { BulkSummary } from '../../bulk/runner.js'

export default class InviteSend extends BaseCommand<typeof InviteSend> {
  static override summary = 'Invite someone to an organization, or everyone in a CSV or JSON Lines file'
  static override examples = [
    '<%= config.bin %> invite send ORG --email ada@example.com --name "Ada Lovelace" --role 3',
    '<%= config.bin %> invite send ORG --file people.csv --report failed.csv --json',
    'cat people.jsonl | <%= config.bin %> invite send ORG --file - --format jsonl --concurrency 16',
    '<%= config.bin %> invite send ORG --file people.csv --dry-run',
  ]
  static override args = { org: orgArg }
  static override flags = {
    email: Flags.string({ description: "Invitee's e-mail address", exclusive: ['file'] }),
    name: Flags.string({ description: "Invitee's name", exclusive: ['file'] }),
    role: roleFlag('IAM role ID or name (repeatable; default 3, Member)', { exclusive: ['file'] }),
    file: Flags.string({
      char: 'f',
      description: 'Invite everyone in this CSV (email,name,roles) or JSON Lines file; - reads stdin',
      helpGroup: 'BULK',
    }),
    ...bulkFlags,
  }

  async run(): Promise<InviteResult | BulkSummary> {
    const org = await this.organization(this.args.org)
    if (this.flags.file !== undefined) return this.runFile(org, this.flags.file)
    for (const flag of BULK_ONLY_FLAGS) if (this.flags[flag]) throw new UsageError(`--${flag} needs --file`)
    const email = validate.email(await required(this.flags.email, '--email', 'E-mail address'), '--email')
    const name = (await required(this.flags.name, '--name', 'Name')).trim()
    const roles = (await this.roleIds(this.flags.role)) ?? [3]
    const result = await inviteMember(await this.api(), org, { email, name, roles })
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
    const { inviteJob } = await import('../../bulk/jobs.js')
    return runFromFile({
      job: inviteJob(org),
      file,
      flags: this.flags,
      api: () => this.api(),
      show: (view) => this.show(view),
      json: this.jsonEnabled(),
    })
  }
}
