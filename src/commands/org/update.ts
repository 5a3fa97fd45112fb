import { Flags } from '@oclif/core'

import type { Organization, UpdateOrganizationInput } from '../../api/types.js'
import { BULK_ONLY_FLAGS, bulkFlags, runFromFile } from '../../bulk/command.js'
import type { BulkSummary } from '../../bulk/runner.js'
import { orgArg } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { UsageError } from '../../core/errors.js'
import * as validate from '../../core/validate.js'
import { organizationView } from '../../core/views.js'

export default class OrgUpdate extends BaseCommand<typeof OrgUpdate> {
  static override summary = "Change an organization's name, avatar URL or status"
  static override examples = [
    '<%= config.bin %> org update ORG --name "Acme Holdings"',
    '<%= config.bin %> org update ORG --status suspended --status-reason "Unpaid invoices" --json',
    '<%= config.bin %> org update --file suspensions.csv --report failed.csv',
  ]
  static override args = {
    org: { ...orgArg, description: `${orgArg.description}; not with --file` },
  }
  static override flags = {
    name: Flags.string({ description: 'New name (1-255 characters)' }),
    'avatar-url': Flags.string({ description: 'Avatar image URL (http or https)' }),
    'clear-avatar': Flags.boolean({ description: 'Remove the avatar', exclusive: ['avatar-url'] }),
    status: Flags.string({ description: 'active, suspended or inactive' }),
    'status-reason': Flags.string({ description: 'Why the status changed' }),
    file: Flags.string({
      char: 'f',
      description:
        'Update every organization in this CSV (organization plus any of name,status,statusReason,avatarUrl) ' +
        'or JSON Lines file; - reads stdin',
      helpGroup: 'BULK',
      exclusive: ['name', 'avatar-url', 'clear-avatar', 'status', 'status-reason'],
    }),
    ...bulkFlags,
  }

  async run(): Promise<Organization | BulkSummary> {
    if (this.flags.file !== undefined) {
      if (this.args.org !== undefined)
        throw new UsageError('Give ORG or --file, not both (the file names each organization)')
      const { orgUpdateJob } = await import('../../bulk/jobs.js')
      return runFromFile({
        job: orgUpdateJob(),
        file: this.flags.file,
        flags: this.flags,
        api: () => this.api(),
        show: (view) => this.show(view),
        json: this.jsonEnabled(),
      })
    }
    for (const flag of BULK_ONLY_FLAGS) if (this.flags[flag]) throw new UsageError(`--${flag} needs --file`)
    const id = await this.organization(this.args.org, { destructive: true })
    const f = this.flags
    const input: UpdateOrganizationInput = {}
    if (f.name !== undefined) input.name = validate.orgName(f.name, '--name')
    if (f['avatar-url'] !== undefined) input.avatarUrl = validate.httpUrl(f['avatar-url'], '--avatar-url')
    if (f['clear-avatar']) input.avatarUrl = null
    if (f.status !== undefined) input.status = validate.status(f.status, '--status')
    if (f['status-reason'] !== undefined) input.statusReason = f['status-reason']
    if (Object.keys(input).length === 0)
      throw new UsageError(
        'Nothing to update: give --name, --avatar-url, --clear-avatar, --status or --status-reason',
      )
    const { updateOrganization } = await import('../../api/organizations.js')
    const org = await updateOrganization(await this.api(), id, input)
    await this.show(organizationView(org))
    return org
  }
}
