import { Flags } from '@oclif/core'

import type { Member } from '../../api/types.js'
import { BULK_ONLY_FLAGS, bulkFlags, runFromFile } from '../../bulk/command.js'
import type { BulkSummary } from '../../bulk/runner.js'
import { memberArg, orgAndMember, orgOrMemberArg, roleFlag, uuidsFlag } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import { UsageError } from '../../core/errors.js'
import { isInteractive } from '../../core/prompts.js'
import { membersView } from '../../core/views.js'

/** `--json`: the updated member, or `{id}` when the API sends it back without data. */
export type MembersUpdateResult = Member | { id: number }

export default class MembersUpdate extends BaseCommand<typeof MembersUpdate> {
  static override summary = "Set a member's roles and workspaces (replaces both lists)"
  static override description =
    'Give every role and workspace the member should have: the lists replace the current ones. On a terminal, ' +
    'a list not given as flags is offered to pick from, the current ones ticked: roles 1 Owner, 2 Admin, ' +
    '3 Member, 4 Billing (plus any other the member has), and the workspaces that members of the organization ' +
    'belong to (the API cannot list workspaces), or workspace IDs typed by hand.'
  static override examples = [
    '<%= config.bin %> members update ORG 7',
    '<%= config.bin %> members update ORG 7 --role 2 --role 4 --workspace 9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f --json',
    '<%= config.bin %> members update ORG --file access.csv --report failed.csv',
    '<%= config.bin %> members update acme Bob@Example.com --role admin --workspace 9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f',
  ]
  static override args = {
    org: orgOrMemberArg,
    member: {
      ...memberArg,
      description: "Member ID (positive integer) or the member's e-mail address; not with --file",
    },
  }
  static override flags = {
    role: roleFlag('IAM role ID or name (repeatable): 1 Owner, 2 Admin, 3 Member, 4 Billing on the sandbox'),
    workspace: uuidsFlag({ description: 'Workspace ID (UUID, repeatable)' }),
    file: Flags.string({
      char: 'f',
      description:
        'Set the roles and workspaces of every member in this CSV (member,roles,workspaces; member is an ID or an ' +
        'e-mail; lists are ;-separated) or JSON Lines file; - reads stdin',
      helpGroup: 'BULK',
      exclusive: ['role', 'workspace'],
    }),
    ...bulkFlags,
  }

  async run(): Promise<MembersUpdateResult | BulkSummary> {
    const given = await orgAndMember(this.args.org, this.args.member)
    if (this.flags.file !== undefined) {
      if (given.member !== undefined) throw new UsageError('Give MEMBER or --file, not both')
      const org = await this.organization(given.org, { destructive: true })
      const { memberUpdateJob } = await import('../../bulk/jobs.js')
      return runFromFile({
        job: memberUpdateJob(org),
        file: this.flags.file,
        flags: this.flags,
        api: () => this.api(),
        show: (view) => this.show(view),
        json: this.jsonEnabled(),
      })
    }
    for (const flag of BULK_ONLY_FLAGS) if (this.flags[flag]) throw new UsageError(`--${flag} needs --file`)
    // Both lists replace the current ones, so guessing a missing one would silently drop access: on a
    // terminal the person picks it, otherwise it is a usage error.
    const interactive = isInteractive()
    if (!this.flags.role?.length && !interactive)
      throw new UsageError('Missing required flag --role (give every role the member should have)')
    if (!this.flags.workspace?.length && !interactive)
      throw new UsageError('Missing required flag --workspace (give every workspace the member should have)')
    let roles = await this.roleIds(this.flags.role)
    let workspaces = this.flags.workspace
    const org = await this.organization(given.org, { destructive: true })
    const memberId = await this.member(org, given.member)
    const api = await this.api()
    if (!roles?.length || !workspaces?.length) {
      const { askMemberAccess } = await import('../../core/interactive.js')
      const { roleLabels } = await import('../../core/names.js')
      const names = roleLabels(await this.roleMap())
      ;({ roles, workspaces } = await askMemberAccess(api, org, memberId, { roles, workspaces }, names))
    }
    const { updateMember } = await import('../../api/members.js')
    const member = await updateMember(api, org, memberId, { roles, workspaces })
    const result = member ?? { id: memberId }
    if (member)
      await this.show(
        membersView(
          [member],
          this.format === 'table'
            ? (await import('../../core/names.js')).roleLabels(await this.roleMap())
            : undefined,
        ),
      )
    else if (this.format === 'table') process.stdout.write(`Member ${memberId} updated.\n`)
    else if (this.format === 'csv') this.note(`Member ${memberId} updated (the API sent no member back).`)
    return result
  }
}
