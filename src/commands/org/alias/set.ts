import { Args } from '@oclif/core'

import { ALIAS_PATTERN, orgArg } from '../../../core/args.js'
import { BaseCommand } from '../../../core/base-command.js'
import { UsageError } from '../../../core/errors.js'
import { recordView } from '../../../core/views.js'

/** `--json` shape of `org alias set`. */
export interface OrgAliasSetResult {
  alias: string
  organizationId: string
  name: string | null
}

export default class OrgAliasSet extends BaseCommand<typeof OrgAliasSet> {
  static override summary = 'Give an organization a short name to use wherever ORG is taken'
  static override description =
    'Aliases are words (a letter first, then letters, digits, ".", "_" or "-"), matched without regard to ' +
    'case, and hold for every profile. The organization is read once to check that it exists.'
  static override examples = [
    '<%= config.bin %> org alias set acme 123e4567-e89b-12d3-a456-426614174000',
    '<%= config.bin %> org alias set acme 123e4567-e89b-12d3-a456-426614174000 --json',
  ]
  static override args = {
    name: Args.string({ description: 'Alias', required: true }),
    org: { ...orgArg, required: true, description: 'Organization ID (UUID), or another alias' },
  }

  async run(): Promise<OrgAliasSetResult> {
    const alias = this.args.name.trim().toLowerCase()
    if (!ALIAS_PATTERN.test(alias) || /^[0-9a-f]{8}-/i.test(alias))
      throw new UsageError(
        `NAME must start with a letter and hold only letters, digits, ".", "_" and "-" (at most 64), got "${this.args.name}"`,
      )
    const id = this.args.org!.id
    const { getOrganization } = await import('../../../api/organizations.js')
    const org = await getOrganization(await this.api(), id)
    const { readNames, writeNames } = await import('../../../core/config.js')
    const { remember } = await import('../../../core/names.js')
    const names = await readNames()
    names.aliases[alias] = id
    await writeNames(names)
    await remember(names, { id, name: org.name })
    const result: OrgAliasSetResult = { alias, organizationId: id, name: org.name ?? null }
    await this.show(recordView(result, ['alias', 'organizationId', 'name']))
    return result
  }
}
