import { BaseCommand } from '../core/base-command.js'
import { UsageError } from '../core/errors.js'
import { recordView } from '../core/views.js'

/** `--json` shape of `logout`. */
export interface LogoutResult {
  profile: string
  loggedOut: boolean
}

export default class Logout extends BaseCommand<typeof Logout> {
  static override summary = "Forget a profile's token (the profile and its URL stay)"
  static override examples = ['<%= config.bin %> logout', '<%= config.bin %> logout --profile staging --json']

  async run(): Promise<LogoutResult> {
    const { openConfig } = await import('../core/config.js')
    const config = await openConfig()
    const store = config.read()
    const name = this.flags.profile || process.env.ORGCTL_PROFILE || store.current
    if (!name) throw new UsageError('No active profile; give --profile NAME')
    const profile = store.profiles[name]
    if (!profile) throw new UsageError(`No profile named "${name}"`)
    const loggedOut = profile.token !== undefined
    delete profile.token
    config.write(store)
    const result: LogoutResult = { profile: name, loggedOut }
    await this.show(recordView(result, ['profile', 'loggedOut']))
    return result
  }
}
