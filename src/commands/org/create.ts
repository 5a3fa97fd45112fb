import { Flags } from '@oclif/core'

import type { CreatedOrganization } from '../../api/organizations.js'
import { BaseCommand } from '../../core/base-command.js'
import { checkCountryCode, checkOrgName } from '../../core/interactive.js'
import { required } from '../../core/prompts.js'
import * as validate from '../../core/validate.js'
import { organizationView } from '../../core/views.js'

/**
 * `--json`: `{id, organization}`; `organization` null (and `note` saying why) when the API sent no usable ID
 * back or reading the new organization failed; `id` null too in the first case.
 */
export type OrgCreateResult = CreatedOrganization

export default class OrgCreate extends BaseCommand<typeof OrgCreate> {
  static override summary = 'Create an organization (you become its owner)'
  static override description =
    'On a terminal, a missing name or country code is asked for and checked as you type; without one, both ' +
    'flags are required.'
  static override examples = [
    '<%= config.bin %> org create',
    '<%= config.bin %> org create --name "Acme Ltd" --country-code US',
    '<%= config.bin %> org create --name Acme --country-code eg --json',
  ]
  static override flags = {
    name: Flags.string({ description: 'Organization name (1-255 characters)' }),
    'country-code': Flags.string({
      description: 'ISO 3166-1 alpha-2 country code, e.g. US or EG',
      aliases: ['country'],
    }),
    type: Flags.string({ description: 'Optional free-form organization type' }),
  }

  async run(): Promise<OrgCreateResult> {
    // On a terminal, what is missing is asked for and checked as it is typed; otherwise exit 2 at once.
    const name = validate.orgName(
      await required(this.flags.name, '--name', 'Organization name', checkOrgName),
      '--name',
    )
    const countryCode = validate.countryCode(
      await required(
        this.flags['country-code'],
        '--country-code',
        'Country code (ISO 3166-1 alpha-2, e.g. US)',
        checkCountryCode,
      ),
      '--country-code',
    )
    const { createOrganization } = await import('../../api/organizations.js')
    const api = await this.api()
    const created = await createOrganization(api, { name, countryCode, type: this.flags.type })
    if (created.organization) {
      await this.show(organizationView(created.organization))
      await this.rememberOrg(created.organization.id, created.organization.name)
    } else if (this.format !== 'json') {
      // Still a success (exit 0): a re-run would create a second organization. Under --csv the prose goes
      // to stderr, so that stdout stays CSV.
      const said = created.id ? `Organization created: ${created.id}` : 'Organization created.'
      if (this.format === 'table') process.stdout.write(`${said}\n`)
      else this.note(said)
      if (created.note) this.note(`Note: ${created.note}`)
    }
    return created
  }
}
