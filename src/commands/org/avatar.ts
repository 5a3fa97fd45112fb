import { Args } from '@oclif/core'

import { orgArg } from '../../core/args.js'
import { BaseCommand } from '../../core/base-command.js'
import * as validate from '../../core/validate.js'
import { recordView } from '../../core/views.js'

/** `--json` shape of `org avatar`. */
export interface OrgAvatarResult {
  organizationId: string
  avatarUrl: string | null
}

export default class OrgAvatar extends BaseCommand<typeof OrgAvatar> {
  static override summary = "Upload an organization's avatar (PNG, JPEG, GIF or WebP, at most 2 MiB)"
  static override examples = [
    '<%= config.bin %> org avatar ORG ./logo.png',
    '<%= config.bin %> org avatar ORG ./logo.webp --json',
  ]
  static override args = {
    org: orgArg,
    file: Args.string({ description: 'Image file', required: true }),
  }

  async run(): Promise<OrgAvatarResult> {
    const id = await this.organization(this.args.org)
    const file = await validate.readImageFile(this.args.file, 'FILE')
    const { uploadAvatar } = await import('../../api/organizations.js')
    const avatarUrl = await uploadAvatar(await this.api(), id, file)
    const result = { organizationId: id, avatarUrl }
    await this.show(recordView(result, ['organizationId', 'avatarUrl']))
    return result
  }
}
