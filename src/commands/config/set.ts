import { Args } from '@oclif/core'

import { BaseCommand } from '../../core/base-command.js'
import { recordView } from '../../core/views.js'

/** `--json` shape of `config set`. */
export interface ConfigSetResult {
  key: 'accessible'
  value: boolean
}

export default class ConfigSet extends BaseCommand<typeof ConfigSet> {
  static override summary =
    'Change a setting: accessible (plain, linear prompts and output for screen readers)'
  static override description =
    'accessible on: prompts are numbered lists and plain questions written once, no spinner (one "Waiting" ' +
    'line instead), tables as tab-separated lines; the same as ORGCTL_ACCESSIBLE=1, which wins over this setting.'
  static override examples = [
    '<%= config.bin %> config set accessible on',
    '<%= config.bin %> config set accessible off --json',
  ]
  static override args = {
    key: Args.string({ description: 'Setting', options: ['accessible'], required: true }),
    value: Args.string({ description: 'on or off', options: ['on', 'off'], required: true }),
  }

  async run(): Promise<ConfigSetResult> {
    const { readNames, writeNames } = await import('../../core/config.js')
    const names = await readNames()
    const value = this.args.value === 'on'
    if (value) names.accessible = true
    else delete names.accessible
    await writeNames(names)
    const result: ConfigSetResult = { key: 'accessible', value }
    await this.show(recordView(result, ['key', 'value']))
    return result
  }
}
