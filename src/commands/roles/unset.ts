import { Args } from '@oclif/core'

import { BaseCommand } from '../../core/base-command.js'
import { UsageError } from '../../core/errors.js'
import type { RoleRow } from './list.js'

export default class RolesUnset extends BaseCommand<typeof RolesUnset> {
  static override summary = 'Forget role names set with `roles set` for this target'
  static override examples = [
    '<%= config.bin %> roles unset support',
    '<%= config.bin %> roles unset support billing --json',
  ]
  static override strict = false
  static override args = { name: Args.string({ description: 'Role name, one or more', required: true }) }

  async run(): Promise<RoleRow[]> {
    const { readNames, writeNames } = await import('../../core/config.js')
    const { scopeOf } = await import('../../core/names.js')
    const scope = scopeOf(await this.target())
    const names = await readNames()
    const own = { ...(names.roles[scope] ?? {}) }
    const wanted = this.positional
      .map((n) => n.trim().toLowerCase())
      .filter((n, i, all) => all.indexOf(n) === i)
    const unknown = wanted.filter((n) => !(n in own))
    if (unknown.length) {
      const known = Object.keys(own).sort()
      throw new UsageError(
        `No role name ${unknown.map((n) => `"${n}"`).join(', ')} was set for this target (${known.length ? `set: ${known.join(', ')}` : 'none set'}); the sandbox's own roles cannot be unset`,
      )
    }
    for (const n of wanted) delete own[n]
    if (Object.keys(own).length) names.roles[scope] = own
    else delete names.roles[scope]
    await writeNames(names)
    const { roleRows } = await import('./list.js')
    const rows = roleRows(await this.roleMap(), own)
    await this.show({ columns: ['id', 'name', 'source'], rows })
    return rows
  }
}
