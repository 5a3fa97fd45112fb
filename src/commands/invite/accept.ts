import { Args, Flags } from '@oclif/core'

import { BaseCommand } from '../../core/base-command.js'
import { UsageError } from '../../core/errors.js'
import { isInteractive, readStdin } from '../../core/prompts.js'
import * as validate from '../../core/validate.js'
import { recordView } from '../../core/views.js'

/** `--json` shape of `invite accept`. */
export interface InviteAcceptResult {
  accepted: true
  organizationId: string | null
  memberId: number | null
}

const MIN_PASSWORD = 8

export default class InviteAccept extends BaseCommand<typeof InviteAccept> {
  static override summary = 'Accept an invitation and set your password'
  static override description =
    'On a terminal the new password is asked for twice, hidden; without one, pipe it in with --password-stdin. ' +
    'A token that starts with "-" goes after "--", flags before it.'
  static override examples = [
    '<%= config.bin %> invite accept TOKEN',
    'printf %s "$PASSWORD" | <%= config.bin %> invite accept TOKEN --password-stdin --json',
    'printf %s "$PASSWORD" | <%= config.bin %> invite accept --password-stdin -- -TOKEN-STARTING-WITH-A-DASH',
  ]
  static override args = {
    token: Args.string({ description: 'Invitation token from the e-mail', required: true }),
  }
  static override flags = {
    'password-stdin': Flags.boolean({ description: 'Read the password from stdin instead of prompting' }),
  }

  async run(): Promise<InviteAcceptResult> {
    const token = validate.inviteToken(this.args.token, 'TOKEN')
    const password = await this.password()
    if (password.length < MIN_PASSWORD)
      throw new UsageError(`The password must be at least ${MIN_PASSWORD} characters`)
    const { acceptInvitation } = await import('../../api/invitations.js')
    const accepted = await acceptInvitation(await this.api(), token, password)
    const result: InviteAcceptResult = {
      accepted: true,
      organizationId: accepted.organizationId,
      memberId: accepted.memberId,
    }
    await this.show(recordView(result, ['accepted', 'organizationId', 'memberId']))
    return result
  }

  private async password(): Promise<string> {
    if (this.flags['password-stdin']) return readStdin('The password')
    if (!isInteractive())
      throw new UsageError('No terminal to ask for the password on: pass --password-stdin and pipe it in')
    const { askNewPassword } = await import('../../core/interactive.js')
    return askNewPassword(MIN_PASSWORD)
  }
}
