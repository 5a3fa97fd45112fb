import { ApiError } from '../api/errors.js'
import { BaseCommand } from '../core/base-command.js'
import { CliError, ExitCode, UsageError } from '../core/errors.js'
import { askSecret, isInteractive, readStdin } from '../core/prompts.js'
import * as validate from '../core/validate.js'
import { recordView } from '../core/views.js'

/** `--json` shape of `login` (the token is never echoed). */
export interface LoginResult {
  profile: string
  apiUrl: string
  active: boolean
}

// Any well-formed ID that no organization has: 404 means the token was accepted, 401 that it was not.
const PROBE_ID = '00000000-0000-0000-0000-000000000000'

export default class Login extends BaseCommand<typeof Login> {
  static override summary = 'Save an API token in a profile, after checking it against the API'
  static override description =
    'The token is read from stdin when it is not a terminal, else from a hidden prompt; never from a flag, so it stays out of shell history.'
  static override examples = [
    '<%= config.bin %> login --api-url https://api.example.com',
    'printf %s "$TOKEN" | <%= config.bin %> login --profile staging --api-url https://staging.example.com --json',
  ]

  async run(): Promise<LoginResult> {
    const { openConfig } = await import('../core/config.js')
    const config = await openConfig()
    const store = config.read()
    const name = this.flags.profile || process.env.ORGCTL_PROFILE || store.current || 'default'
    const rawUrl = this.flags['api-url'] || process.env.ORGCTL_API_URL || store.profiles[name]?.apiUrl
    if (!rawUrl) throw new UsageError(`Missing required flag --api-url (profile "${name}" has no URL yet)`)
    const apiUrl = validate.apiUrl(rawUrl, '--api-url')

    const token = (process.stdin.isTTY ? await this.prompt() : await readStdin('The token')).trim()
    if (!token) throw new UsageError('No token given (pipe it on stdin, or run on a terminal to be asked)')
    validate.token(token, 'The token')

    const api = await this.transportFor(apiUrl, token)
    try {
      await api.request('GET', `/api/organizations/${PROBE_ID}`, { accept: [404] })
    } catch (error) {
      if (error instanceof ApiError && error.status === 401)
        throw new CliError(`${apiUrl} rejected this token (401); nothing was saved`, ExitCode.Auth, 401)
      throw error
    }
    store.profiles[name] = { apiUrl, token }
    store.current = name
    config.write(store)
    if (this.format !== 'json')
      this.note(`Logged in; profile "${name}" saved in ${config.path} and made active.`)
    const result: LoginResult = { profile: name, apiUrl, active: true }
    await this.show(recordView(result, ['profile', 'apiUrl', 'active']))
    return result
  }

  private async prompt(): Promise<string> {
    if (!isInteractive()) throw new UsageError('No terminal to ask for the token on: pipe it on stdin')
    return askSecret('API token')
  }
}
