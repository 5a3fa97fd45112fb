import { BaseCommand } from '../core/base-command.js'
import { UsageError } from '../core/errors.js'
import { recordView } from '../core/views.js'

/** `--json` shape of `logout`. */
export interface LogoutResult {
  profile: string
  loggedOut: boolean
  /** Where the token was removed from; null when the profile had none. */
  removedFrom: 'keyring' | 'plain' | null
}

export default class Logout extends BaseCommand<typeof Logout> {
  static override summary = "Forget a profile's token (the profile and its URL stay)"
  static override description =
    'Removes the token from wherever it lives: the OS keyring, or the config file for a plain-text profile. ' +
    'When the keyring cannot be reached, nothing changes and logout fails (exit 3), so a token is never left behind unnoticed.'
  static override examples = ['<%= config.bin %> logout', '<%= config.bin %> logout --profile staging --json']

  async run(): Promise<LogoutResult> {
    const { openConfig, tokenStorageOf } = await import('../core/config.js')
    const config = await openConfig()
    const store = config.read()
    const name = this.flags.profile || process.env.ORGCTL_PROFILE || store.current
    if (!name) throw new UsageError('No active profile; give --profile NAME')
    const profile = store.profiles[name]
    if (!profile) throw new UsageError(`No profile named "${name}"`)
    const storage = tokenStorageOf(profile)
    if (profile.tokenStorage === 'keyring') {
      // First the keyring: if that fails, the marker stays, so `profiles list` still says where the token is.
      const keyring = await import('../core/keyring.js')
      try {
        await keyring.keyringDelete(keyring.keyringAccount(name, profile.apiUrl))
      } catch (error) {
        if (!(error instanceof keyring.KeyringUnavailable)) throw error
        throw new keyring.KeyringUnavailable(
          `Could not remove profile "${name}"'s token from the OS keyring (${error.reason}); nothing changed. Unlock the keyring and run logout again.`,
          error.reason,
        )
      }
    }
    delete profile.token
    delete profile.tokenStorage
    config.write(store)
    const result: LogoutResult = { profile: name, loggedOut: storage !== null, removedFrom: storage }
    await this.show(recordView(result, ['profile', 'loggedOut', 'removedFrom']))
    return result
  }
}
