import { Flags } from '@oclif/core'

import type { Organization, UpdateOrganizationInput } from '../../api/types.js'
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
  ]
  static override args = { org: orgArg }
  static override flags = {
    name: Flags.string({ description: 'New name (1-255 characters)' }),
    'avatar-url': Flags.string({ description: 'Avatar image URL (http or https)' }),
    'clear-avatar': Flags.boolean({ description: 'Remove the avatar', exclusive: ['avatar-url'] }),
    status: Flags.string({ description: 'active, suspended or inactive' }),
    'status-reason': Flags.string({ description: 'Why the status changed' }),
  }

  async run(): Promise<Organization> {
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
