import { BaseCommand } from '../../../core/base-command.js'

/** One alias as `org alias list` shows it. */
export interface OrgAliasRow {
  alias: string
  organizationId: string
  /** The name orgctl last saw for it (not read again: listing sends nothing). */
  name: string | null
}

export default class OrgAliasList extends BaseCommand<typeof OrgAliasList> {
  static override summary = 'List organization aliases'
  static override examples = [
    '<%= config.bin %> org alias list',
    '<%= config.bin %> org alias list --json',
    '<%= config.bin %> org alias list --columns alias --no-header   # one alias a line, for shell completion',
  ]

  async run(): Promise<OrgAliasRow[]> {
    const { readNames } = await import('../../../core/config.js')
    const names = await readNames()
    const rows = Object.entries(names.aliases)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([alias, organizationId]) => ({
        alias,
        organizationId,
        name: names.recentOrgs.find((r) => r.id === organizationId)?.name ?? null,
      }))
    await this.show({ columns: ['alias', 'organizationId', 'name'], rows })
    return rows
  }
}
