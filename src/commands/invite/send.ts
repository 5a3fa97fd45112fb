import { Args, Flags } from '@oclif/core'

import { BaseCommand } from '../../core/base-command.js'
import { required } from '../../core/prompts.js'
import * as validate from '../../core/validate.js'
import { recordView } from '../../core/views.js'
import { inviteOne, type InviteResult } from '../../core/invite.js'

export default class InviteSend extends BaseCommand<typeof InviteSend> {
  static override summary = 'Invite someone to an organization'
  static override examples = [
    '<%= config.bin %> invite send ORG --email ada@example.com --name "Ada Lovelace" --role 3',
  ]
  static override args = { org: Args.string({ description: 'Organization ID (UUID)', required: true }) }
  static override flags = {
    email: Flags.string({ description: "Invitee's e-mail address" }),
    name: Flags.string({ description: "Invitee's name" }),
    role: Flags.string({ description: 'IAM role ID (repeatable; default 3, Member)', multiple: true }),
  }

  async run(): Promise<InviteResult> {
    const org = validate.uuid(this.args.org, 'ORG')
    const email = validate.email(await required(this.flags.email, '--email', 'E-mail address'), '--email')
    const name = (await required(this.flags.name, '--name', 'Name')).trim()
    const roles = (this.flags.role?.length ? this.flags.role : ['3']).map((r) =>
      validate.positiveInt(r, '--role'),
    )
    const result = await inviteOne(await this.api(), org, { email, name, roles })
    await this.show(
      recordView(result, [
        'organizationId',
        'email',
        'name',
        'roles',
        'invitationId',
        'expiresAt',
        'replayed',
      ]),
    )
    return result
  }
}
