import { Args } from '@oclif/core'

import { orgBeforeFile } from '../../core/args.js'
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
    '<%= config.bin %> org avatar ./logo.png   # the default organization (orgctl org use)',
  ]
  static override args = {
    org: Args.string({
      description: 'Organization ID (UUID) or alias (default: ORGCTL_ORG, then `orgctl org use`)',
      required: false,
    }),
    file: Args.string({ description: 'Image file', required: false }),
  }

  async run(): Promise<OrgAvatarResult> {
    const given = await orgBeforeFile(this.args.org, this.args.file)
    const file = await validate.readImageFile(given.file, 'FILE')
    const id = await this.organization(given.org)
    const { uploadAvatar } = await import('../../api/organizations.js')
    const avatarUrl = await uploadAvatar(await this.api(), id, file)
    const result = { organizationId: id, avatarUrl }
    await this.show(recordView(result, ['organizationId', 'avatarUrl']))
    return result
  }
}
