import { Flags } from '@oclif/core'

import type { OutboxMessage } from '../../api/types.js'
import { BaseCommand } from '../../core/base-command.js'
import { uuidFlag, wholeNumberFlag } from '../../core/args.js'
import * as validate from '../../core/validate.js'
import { outboxView } from '../../core/views.js'

export default class SandboxOutbox extends BaseCommand<typeof SandboxOutbox> {
  static override summary = 'Show the e-mails the sandbox would have sent (with invitation tokens)'
  static override examples = [
    '<%= config.bin %> sandbox outbox',
    '<%= config.bin %> sandbox outbox --to ada@example.com --columns inviteToken --csv --no-header',
    "<%= config.bin %> sandbox outbox --org ORG --jq '.[] | [.to, .inviteToken] | @tsv'",
  ]
  static override flags = {
    to: Flags.string({ description: 'Only messages to this address' }),
    org: uuidFlag({ description: 'Only messages about this organization (UUID)' }),
    limit: wholeNumberFlag({ description: 'Messages to show, newest first (1-100)', default: 20, max: 100 }),
  }

  async run(): Promise<OutboxMessage[]> {
    const to = this.flags.to === undefined ? undefined : validate.email(this.flags.to, '--to')
    const organizationId = this.flags.org
    const limit = this.flags.limit ?? 20
    const { listOutbox } = await import('../../api/sandbox.js')
    const messages = await listOutbox(await this.api(), { to, organizationId, limit })
    await this.show(outboxView(messages))
    return messages
  }
}
