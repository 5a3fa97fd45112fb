import { BaseCommand } from '../../core/base-command.js'

/** One profile as `profiles list` shows it; the token itself is never shown. */
export interface ProfileRow {
  name: string
  apiUrl: string
  active: boolean
  loggedIn: boolean
}

export default class ProfilesList extends BaseCommand<typeof ProfilesList> {
  static override summary = 'List saved profiles'
  static override examples = ['<%= config.bin %> profiles list', '<%= config.bin %> profiles list --json']

  async run(): Promise<ProfileRow[]> {
    const { openConfig } = await import('../../core/config.js')
    const store = (await openConfig()).read()
    const rows = Object.entries(store.profiles).map(([name, p]) => ({
      name,
      apiUrl: p.apiUrl,
      active: name === store.current,
      loggedIn: Boolean(p.token),
    }))
    await this.show({ columns: ['name', 'apiUrl', 'active', 'loggedIn'], rows })
    return rows
  }
}
