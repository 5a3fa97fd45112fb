import { Args } from '@oclif/core'

import { BaseCommand } from '../../core/base-command.js'
import { UsageError } from '../../core/errors.js'
import * as validate from '../../core/validate.js'
import type { RoleRow } from './list.js'

export default class RolesSet extends BaseCommand<typeof RolesSet> {
  static override summary = 'Name role IDs for this profile, so that --role takes names (admin=2)'
  static override description =
    'The API has no list of roles, so a profile holds its own map of names to IAM role IDs; the local ' +
    'sandbox knows its roles already (1 Owner, 2 Admin, 3 Member, 4 Billing). Names are matched without ' +
    'regard to case. Tables then show role names beside the IDs; JSON and CSV keep the IDs.'
  static override examples = [
    '<%= config.bin %> roles set admin=2 billing=4',
    '<%= config.bin %> roles set support=7 --profile prod --json',
  ]
  static override strict = false
  static override args = { mapping: Args.string({ description: 'NAME=ID, one or more', required: true }) }

  async run(): Promise<RoleRow[]> {
    const bad = this.positional.find((a) => !a.includes('='))
    if (bad !== undefined) throw new UsageError(`Give each role as NAME=ID, e.g. admin=2; got "${bad}"`)
    const parsed = this.positional.map((pair) => {
      const [rawName = '', rawId = ''] = pair.split('=', 2)
      const name = rawName.trim().toLowerCase()
      if (!/^[a-z][a-z0-9 _-]{0,63}$/.test(name))
        throw new UsageError(
          `Role name must start with a letter (letters, digits, space, _ or -), got "${rawName}"`,
        )
      return [name, validate.positiveInt(rawId, `role ${name}`)] as const
    })
    const { readNames, writeNames } = await import('../../core/config.js')
    const { scopeOf } = await import('../../core/names.js')
    const scope = scopeOf(await this.target())
    const names = await readNames()
    names.roles[scope] = { ...(names.roles[scope] ?? {}), ...Object.fromEntries(parsed) }
    await writeNames(names)
    const { roleRows } = await import('./list.js')
    const rows = roleRows(await this.roleMap(), names.roles[scope])
    await this.show({ columns: ['id', 'name', 'source'], rows })
    return rows
  }
}
