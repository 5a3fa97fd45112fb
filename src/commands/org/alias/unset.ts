import { Args } from '@oclif/core'

import { BaseCommand } from '../../../core/base-command.js'
import { UsageError } from '../../../core/errors.js'
import { recordView } from '../../../core/views.js'

/** `--json` shape of `org alias unset`. */
export interface OrgAliasUnsetResult {
  alias: string
  removed: true
}

export default class OrgAliasUnset extends BaseCommand<typeof OrgAliasUnset> {
  static override summary = 'Forget an organization alias'
  static override examples = [
    '<%= config.bin %> org alias unset acme',
    '<%= config.bin %> org alias unset acme --json',
  ]
  static override args = { name: Args.string({ description: 'Alias', required: true }) }

  async run(): Promise<OrgAliasUnsetResult> {
    const { readNames, writeNames } = await import('../../../core/config.js')
    const names = await readNames()
    const alias = this.args.name.trim().toLowerCase()
    if (!(alias in names.aliases)) {
      const known = Object.keys(names.aliases).sort()
      throw new UsageError(
        `No alias "${this.args.name}" (${known.length ? `known aliases: ${known.join(', ')}` : 'no aliases yet'})`,
      )
    }
    delete names.aliases[alias]
    await writeNames(names)
    const result: OrgAliasUnsetResult = { alias, removed: true }
    await this.show(recordView(result, ['alias', 'removed']))
    return result
  }
}
