import { BaseCommand } from '../core/base-command.js'
import { ExitCode } from '../core/errors.js'
import type { DoctorReport } from '../core/doctor.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Show which API and profile are in effect and why, and check that they work'
  static override description =
    'Explains target resolution (--api-url, ORGCTL_API_URL, the profile, else the local sandbox), where the ' +
    'token comes from, whether the API answers and accepts the token (the same test request as login), and ' +
    "the profile file's path and mode. Exits 0 when all is well, 7 when the API does not answer, 3 when the " +
    'token is missing or rejected, and 1 when the profile file is readable by others.'
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --profile staging',
    'ORGCTL_API_URL=https://api.example.com ORGCTL_TOKEN=$TOKEN <%= config.bin %> doctor --json',
  ]

  async run(): Promise<DoctorReport> {
    const { diagnose, doctorView, probeApi } = await import('../core/doctor.js')
    const { openConfig } = await import('../core/config.js')
    const { stat } = await import('node:fs/promises')
    const config = await openConfig()
    const mode = await stat(config.path).then(
      (s) => s.mode,
      () => null,
    )
    const target = await this.target()
    const report = diagnose({
      flags: { apiUrl: this.flags['api-url'], profile: this.flags.profile },
      env: process.env,
      store: config.read(),
      target,
      config: { path: config.path, exists: mode !== null, mode },
      // A profile token the keyring would not give is reported, not thrown: the API is still probed, without it.
      probe: await probeApi(
        target.kind === 'remote' && target.tokenError
          ? await this.transportFor(target.url, undefined)
          : await this.api(),
      ),
    })
    await this.show(doctorView(report))
    if (!report.apiAnswers) process.exitCode = ExitCode.Unavailable
    else if (report.tokenAccepted !== true) process.exitCode = ExitCode.Auth
    else if (!report.ok) process.exitCode = ExitCode.Unexpected
    return report
  }
}
