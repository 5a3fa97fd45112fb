import { BaseCommand } from '../../core/base-command.js'
import type { TokenStorage } from '../../core/config.js'

/** One profile as `profiles list` shows it; the token itself is never shown. */
export interface ProfileRow {
  name: string
  apiUrl: string
  active: boolean
  loggedIn: boolean
  /** Where its token lives, from the config file: the OS keyring, plain text in the file, or none. */
  tokenStorage: TokenStorage
}

export default class ProfilesList extends BaseCommand<typeof ProfilesList> {
  static override summary = 'List saved profiles, and where each keeps its token (keyring or plain text)'
  static override examples = ['<%= config.bin %> profiles list', '<%= config.bin %> profiles list --json']

  async run(): Promise<ProfileRow[]> {
    const { openConfig, tokenStorageOf } = await import('../../core/config.js')
    const store = (await openConfig()).read()
    const rows = Object.entries(store.profiles).map(([name, p]) => {
      const tokenStorage = tokenStorageOf(p)
      return {
        name,
        apiUrl: p.apiUrl,
        active: name === store.current,
        loggedIn: tokenStorage !== null,
        tokenStorage,
      }
    })
    if (process.env.ORGCTL_TOKEN && this.format !== 'json')
      this.note('ORGCTL_TOKEN is set: commands send it instead of any profile token.')
    await this.show({ columns: ['name', 'apiUrl', 'active', 'loggedIn', 'tokenStorage'], rows })
    return rows
  }
}
