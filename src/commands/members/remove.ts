import { memberArg, orgAndMember, orgOrMemberArg } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { ConfirmationRequired } from '../../core/errors.js'
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
    'without a terminal, --yes is required.'
  static override examples = [
    '<%= config.bin %> members remove ORG 7',
    '<%= config.bin %> members remove ORG 7 --yes --json',
    '<%= config.bin %> members remove acme bob@example.com --yes',
  ]
  static override args = {
    org: orgOrMemberArg,
    member: memberArg,
  }
  static override flags = { yes: yesFlag }

  async run(): Promise<MembersRemoveResult> {
    const given = await orgAndMember(this.args.org, this.args.member)
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
