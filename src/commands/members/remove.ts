import { Flags } from '@oclif/core'

import { BULK_ONLY_FLAGS, bulkFlags, runFromFile } from '../../bulk/command.js'
import type { BulkSummary } from '../../bulk/runner.js'
import { memberArg, orgAndMember, orgOrMemberArg } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { ConfirmationRequired, UsageError } from '../../core/errors.js'
import { yesFlag } from '../../core/flags.js'
import { confirmMemberRemoval } from '../../core/interactive.js'
import { isInteractive } from '../../core/prompts.js'
import { recordView } from '../../core/views.js'

/** `--json` shape of `members remove`. */
export interface MembersRemoveResult {
  organizationId: string
  memberId: number
  removed: true
  message: string | null
}

export default class MembersRemove extends BaseCommand<typeof MembersRemove> {
  static override summary = 'Remove a member from an organization'
  static override description =
    'On a terminal, orgctl names the member and asks you to type their e-mail address to confirm; ' +
    'without a terminal, --yes is required. With --file, it shows how many members the file removes and asks ' +
    'once (or needs --yes).'
  static override examples = [
    '<%= config.bin %> members remove ORG 7',
    '<%= config.bin %> members remove ORG 7 --yes --json',
    '<%= config.bin %> members remove ORG --file leavers.csv --yes --report failed.csv',
    '<%= config.bin %> members remove acme bob@example.com --yes',
  ]
  static override args = {
    org: orgOrMemberArg,
    member: {
      ...memberArg,
      description: "Member ID (positive integer) or the member's e-mail address; not with --file",
    },
  }
  static override flags = {
    yes: yesFlag,
    file: Flags.string({
      char: 'f',
      description:
        'Remove every member in this CSV (column: member, an ID or an e-mail) or JSON Lines file; - reads stdin',
      helpGroup: 'BULK',
    }),
    ...bulkFlags,
  }

  async run(): Promise<MembersRemoveResult | BulkSummary> {
    const given = await orgAndMember(this.args.org, this.args.member)
    if (this.flags.file !== undefined) {
      if (given.member !== undefined) throw new UsageError('Give MEMBER or --file, not both')
      const org = await this.organization(given.org, { destructive: true })
      const { memberRemoveJob } = await import('../../bulk/jobs.js')
      return runFromFile({
        job: memberRemoveJob(org),
        file: this.flags.file,
        flags: this.flags,
        api: () => this.api(),
        show: (view) => this.show(view),
        json: this.jsonEnabled(),
        confirmation: { action: `remove members from organization ${org}` },
      })
    }
    for (const flag of BULK_ONLY_FLAGS) if (this.flags[flag]) throw new UsageError(`--${flag} needs --file`)
    if (!this.flags.yes && !isInteractive()) throw new ConfirmationRequired('Removing a member')
    const org = await this.organization(given.org, { destructive: true })
    const memberId = await this.member(org, given.member)
    const { removeMember } = await import('../../api/members.js')
    const api = await this.api()
    if (!this.flags.yes) {
      const { getOrganization } = await import('../../api/organizations.js')
      const { name } = await getOrganization(api, org)
      await confirmMemberRemoval(api, org, name, memberId)
    }
    const message = await removeMember(api, org, memberId)
    const result: MembersRemoveResult = { organizationId: org, memberId, removed: true, message }
    await this.show(recordView(result, ['organizationId', 'memberId', 'removed', 'message']))
    return result
  }
}
