import type { Organization } from '../../api/types.js'
import { orgArg } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { organizationView } from '../../core/views.js'

export default class OrgGet extends BaseCommand<typeof OrgGet> {
  static override summary = 'Show an organization'
  static override examples = [
    '<%= config.bin %> org get 123e4567-e89b-12d3-a456-426614174000',
    '<%= config.bin %> org get ORG --columns id,name,status',
    '<%= config.bin %> org get ORG --json',
    "<%= config.bin %> org get ORG --jq '.status'",
  ]
  static override args = { org: orgArg }

  async run(): Promise<Organization> {
    const id = await this.organization(this.args.org)
    const { getOrganization } = await import('../../api/organizations.js')
    const org = await getOrganization(await this.api(), id)
    await this.show(organizationView(org))
    await this.rememberOrg(id, org.name)
    return org
  }
}
