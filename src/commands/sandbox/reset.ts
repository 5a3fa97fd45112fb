import { BaseCommand } from '../../core/base-command.js'
import { ConfirmationRequired, Declined } from '../../core/errors.js'
import { yesFlag } from '../../core/flags.js'
import { confirm, isInteractive } from '../../core/prompts.js'
import { defaultSandboxDbPath } from '../../core/target.js'
import { recordView } from '../../core/views.js'

/** `--json` shape of `sandbox reset`. */
export interface SandboxResetResult {
  dbPath: string
  reset: true
}

export default class SandboxReset extends BaseCommand<typeof SandboxReset> {
  static override summary = "Delete the local sandbox's data (database, outbox and avatars)"
  static override examples = [
    '<%= config.bin %> sandbox reset',
    '<%= config.bin %> sandbox reset --yes --json',
  ]
  static override flags = { yes: yesFlag }

  async run(): Promise<SandboxResetResult> {
    const dbPath = process.env.ORGCTL_SANDBOX_DB || (await defaultSandboxDbPath())
    if (!this.flags.yes) {
      if (!isInteractive()) throw new ConfirmationRequired('Resetting the sandbox')
      if (!(await confirm(`Delete every organization, member and message in the sandbox at ${dbPath}?`)))
        throw new Declined()
    }
    const { resetSandbox } = await (await import('../../core/server-entry.js')).loadServer()
    await resetSandbox(dbPath)
    const result: SandboxResetResult = { dbPath, reset: true }
    await this.show(recordView(result, ['dbPath', 'reset']))
    return result
  }
}
