import { BaseCommand } from '../../core/base-command.js'

/** One role name as `roles list` shows it. */
export type RoleRow = {
  id: number
  name: string
  /** `sandbox` for the sandbox's own roles, `config` for names set with `roles set`. */
  source: 'sandbox' | 'config'
}

/** Rows of the effective map, by ID then name. */
export function roleRows(map: Record<string, number>, own: Record<string, number> = {}): RoleRow[] {
  return Object.entries(map)
    .map(([name, id]) => ({
      id,
      name,
      source: own[name] === id ? ('config' as const) : ('sandbox' as const),
    }))
    .sort((a, b) => a.id - b.id || a.name.localeCompare(b.name))
}

export default class RolesList extends BaseCommand<typeof RolesList> {
  static override summary = 'List the role names --role accepts for this target'
  static override examples = [
    '<%= config.bin %> roles list',
    '<%= config.bin %> roles list --profile prod --json',
  ]

  async run(): Promise<RoleRow[]> {
    const { readNames } = await import('../../core/config.js')
    const { describeScope, scopeOf } = await import('../../core/names.js')
    const target = await this.target()
    const own = (await readNames()).roles[scopeOf(target)] ?? {}
    const rows = roleRows(await this.roleMap(), own)
    if (rows.length === 0 && this.format !== 'json')
      this.note(
        `No role names for ${describeScope(target)}; name them with \`orgctl roles set admin=2 ...\`.`,
      )
    await this.show({ columns: ['id', 'name', 'source'], rows })
    return rows
  }
}
