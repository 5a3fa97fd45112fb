import { Flags } from '@oclif/core'

import { MAX_GATHERED_BYTES as MAX_ALL_JSON_BYTES } from '../../api/limits.js'
import type { MembersPage } from '../../api/types.js'
import { BaseCommand } from '../../core/base-command.js'
import { orgArg, wholeNumberFlag } from '../../core/args.js'
import { CliError, ExitCode } from '../../core/errors.js'
import { render } from '../../core/output.js'
import { MEMBER_COLUMNS, membersView } from '../../core/views.js'

/**
 * `--json`: one page `{page, perPage, total, lastPage, members}`; with `--all`, `{members: [...], total: N}`,
 * gathered first so that stdout holds exactly one document even when a later page fails (the error
 * document then, and nothing else). `--csv` and the table are the streaming forms of `--all`.
 */
/**
 * Most members `--all --json` gathers: the document is built in memory (about 1 KiB a member with its
 * objects), so this bounds it near 100 MB. Beyond, the table and `--csv` stream with one page in memory.
 */
export const MAX_ALL_JSON_MEMBERS = 100_000
/** And at most MAX_ALL_JSON_BYTES of JSON text, whatever the count: a server may send members with huge names. */

export type MembersListResult = MembersPage | { members: MembersPage['members']; total: number }

export default class MembersList extends BaseCommand<typeof MembersList> {
  static override summary = "List an organization's members"
  static override description =
    'With --all every page is fetched in turn (100 members per request): the table and --csv print each page as it arrives, --json prints one document once every page is in (at most 100,000 members; exit 2 beyond, use --csv).'
  static override examples = [
    '<%= config.bin %> members list ORG',
    '<%= config.bin %> members list ORG --page 2 --per-page 50',
    '<%= config.bin %> members list ORG --all --csv > members.csv',
  ]
  static override args = { org: orgArg }
  static override flags = {
    page: wholeNumberFlag({ description: 'Page number (from 1)', default: 1, exclusive: ['all'] }),
    'per-page': wholeNumberFlag({
      description: 'Members per page (1-100; default 15, or 100 with --all)',
      max: 100,
    }),
    all: Flags.boolean({ description: 'Every page, printed as it arrives' }),
  }

  async run(): Promise<MembersListResult | undefined> {
    const id = await this.organization(this.args.org)
    const page = this.flags.page ?? 1
    const perPage = this.flags['per-page'] ?? (this.flags.all ? 100 : 15)
    const members = await import('../../api/members.js')
    const api = await this.api()
    if (!this.flags.all) {
      const result = await members.listMembers(api, id, page, perPage)
      await this.show(membersView(result.members, await this.roleNames()))
      this.notePartial(result)
      return result
    }
    if (this.flags.jq !== undefined || this.format === 'json') {
      // One JSON document (and a jq filter) needs every page first: a failure on page 9 must not leave
      // pages 1-8 on stdout as a truncated document before the error document.
      const all: MembersPage['members'] = []
      let bytes = 0
      for await (const current of members.allMemberPages(api, id, perPage)) {
        bytes += JSON.stringify(current.members).length
        if (
          bytes > MAX_ALL_JSON_BYTES ||
          all.length + current.members.length > MAX_ALL_JSON_MEMBERS ||
          current.total > MAX_ALL_JSON_MEMBERS
        )
          throw new CliError(
            `More than ${MAX_ALL_JSON_MEMBERS} members or ${MAX_ALL_JSON_BYTES / 1024 / 1024} MiB (the API says ${current.total} members): --all --json holds them all in memory; use --all --csv or the table, which stream`,
            ExitCode.Usage,
          )
        all.push(...current.members)
      }
      return { members: all, total: all.length }
    }
    // Table and CSV stream: one page in memory at a time, written (and drained, when stdout is slower
    // than the API) before the next is fetched.
    const out = async (text: string) => {
      if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve))
    }
    const options = this.renderOptions(MEMBER_COLUMNS)
    const roleNames = await this.roleNames()
    let total = 0
    for await (const current of members.allMemberPages(api, id, perPage)) {
      if (current.members.length === 0) continue
      await out(
        await render(membersView(current.members, roleNames), {
          ...options,
          header: options.header && total === 0,
        }),
      )
      total += current.members.length
    }
    if (total === 0 && options.format === 'table') await out(await render(membersView([]), options))
    return undefined
  }

  /** Role names for the table (JSON and CSV keep the IDs). */
  private async roleNames(): Promise<ReadonlyMap<number, string> | undefined> {
    if (this.format !== 'table') return undefined
    return (await import('../../core/names.js')).roleLabels(await this.roleMap())
  }

  /** One page of several, on a terminal: says so on stderr (gh's "Showing 30 of 120"); never piped. */
  private notePartial(result: MembersPage): void {
    if (this.format !== 'table' || !process.stdout.isTTY || !process.stderr.isTTY) return
    if (result.total <= result.members.length) return
    const next =
      result.page < result.lastPage ? `--page ${result.page + 1} or --all` : '--all for every member at once'
    this.note(
      `Showing ${result.members.length} of ${result.total} members (page ${result.page} of ${result.lastPage}): ${next}`,
    )
  }
}
