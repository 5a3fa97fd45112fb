import { Args } from '@oclif/core'

import { BaseCommand } from '../../core/base-command.js'
import { UsageError } from '../../core/errors.js'
import { recordView } from '../../core/views.js'

/** `--json` shape of `profiles use`. */
export interface ProfilesUseResult {
  profile: string
  apiUrl: string
}

export default class ProfilesUse extends BaseCommand<typeof ProfilesUse> {
  static override summary = 'Make a saved profile the active one'
  static override examples = [
    '<%= config.bin %> profiles use staging',
    '<%= config.bin %> profiles use prod --json',
  ]
  static override args = { name: Args.string({ description: 'Profile name', required: true }) }

  async run(): Promise<ProfilesUseResult> {
    const { openConfig } = await import('../../core/config.js')
    const config = await openConfig()
    const store = config.read()
    const profile = store.profiles[this.args.name]
    if (!profile) {
      const known = Object.keys(store.profiles)
      throw new UsageError(
        `No profile named "${this.args.name}"${known.length ? `; known: ${known.join(', ')}` : ''}`,
      )
    }
    store.current = this.args.name
    config.write(store)
    const result = { profile: this.args.name, apiUrl: profile.apiUrl }
    await this.show(recordView(result, ['profile', 'apiUrl']))
    return result
  }
}
