import { Flags } from '@oclif/core'

import { orgArg } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { UsageError } from '../../core/errors.js'
import { recordView } from '../../core/views.js'

/** `--json` shape of `org use`: the default now in effect for this target (null once unset). */
export interface OrgUseResult {
  scope: string
  organizationId: string | null
  name: string | null
}

export default class OrgUse extends BaseCommand<typeof OrgUse> {
  static override summary = 'Set the organization that commands use when ORG is omitted (per profile)'
  static override description =
    'The default belongs to the target in use: the profile (--profile, ORGCTL_PROFILE or the active one), the ' +
    'local sandbox, or the API URL when there is no profile. ORGCTL_ORG and an ORG given on the command line ' +
    'win over it. Commands that use the default say so on stderr, with the name and ID. Without ORG, shows ' +
    'the default.'
  static override examples = [
    '<%= config.bin %> org use 123e4567-e89b-12d3-a456-426614174000',
    '<%= config.bin %> org use acme --profile staging',
    '<%= config.bin %> org use --unset --json',
    '<%= config.bin %> org use',
  ]
  static override args = {
    org: { ...orgArg, description: 'Organization ID (UUID) or alias to make the default' },
  }
  static override flags = {
    unset: Flags.boolean({ description: 'Forget the default organization of this target' }),
  }

  async run(): Promise<OrgUseResult> {
    const { describeScope, remember, scopeOf } = await import('../../core/names.js')
    const { readNames, writeNames } = await import('../../core/config.js')
    if (this.flags.unset && this.args.org) throw new UsageError('Give ORG or --unset, not both')
    const target = await this.target()
    const scope = scopeOf(target)
    const names = await readNames()
    let result: OrgUseResult
    if (this.flags.unset) {
      delete names.defaultOrgs[scope]
      await writeNames(names)
      result = { scope, organizationId: null, name: null }
      if (this.format !== 'json') this.note(`No default organization for ${describeScope(target)} any more.`)
    } else if (!this.args.org) {
      const id = names.defaultOrgs[scope] ?? null
      result = {
        scope,
        organizationId: id,
        name: id ? (names.recentOrgs.find((r) => r.id === id)?.name ?? null) : null,
      }
      if (!id && this.format !== 'json')
        this.note(
          `No default organization for ${describeScope(target)}; set one with \`orgctl org use ORG\`.`,
        )
    } else {
      // Read it once: a default that does not exist (or that this token cannot see) is refused, not saved.
      const { getOrganization } = await import('../../api/organizations.js')
      const org = await getOrganization(await this.api(), this.args.org.id)
      names.defaultOrgs[scope] = this.args.org.id
      await writeNames(names)
      await remember(names, { id: this.args.org.id, name: org.name })
      result = { scope, organizationId: this.args.org.id, name: org.name ?? null }
      if (this.format !== 'json')
        this.note(`Commands for ${describeScope(target)} now use this organization when ORG is omitted.`)
    }
    await this.show(recordView(result, ['scope', 'organizationId', 'name']))
    return result
  }
}
