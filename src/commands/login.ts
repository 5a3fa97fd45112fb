import { Flags } from '@oclif/core'

import { ApiError } from '../api/errors.js'
import { BaseCommand } from '../core/base-command.js'
import type { ConfigFile, Profile, ProfileStore } from '../core/config.js'
import { CliError, ExitCode, UsageError } from '../core/errors.js'
import { askSecret, isInteractive, readStdin } from '../core/prompts.js'
import * as validate from '../core/validate.js'
import { recordView } from '../core/views.js'

/** `--json` shape of `login` (the token is never echoed). */
export interface LoginResult {
  profile: string
  apiUrl: string
  active: boolean
  /** Where the token now lives: the OS keyring, or plain text in the config file (`--insecure-storage`). */
  tokenStorage: 'keyring' | 'plain'
}

// Any well-formed ID that no organization has: 404 means the token was accepted, 401 that it was not.
const PROBE_ID = '00000000-0000-0000-0000-000000000000'

export default class Login extends BaseCommand<typeof Login> {
  static override summary = 'Save an API token in a profile, after checking it against the API'
  static override description =
    'The token is read from stdin when it is not a terminal, else from a hidden prompt; never from a flag, so it stays out of shell history. ' +
    'It is stored in the OS keyring (Secret Service, macOS Keychain, Windows Credential Manager); the config file keeps only the URL. ' +
    'Without a usable keyring, login refuses and saves nothing: pass --insecure-storage to keep the token in plain text in the config file (mode 0600), or use ORGCTL_TOKEN in CI.'
  static override examples = [
    '<%= config.bin %> login --api-url https://api.example.com',
    'printf %s "$TOKEN" | <%= config.bin %> login --profile staging --api-url https://staging.example.com --json',
    'printf %s "$TOKEN" | <%= config.bin %> login --api-url https://api.example.com --insecure-storage',
  ]
  static override flags = {
    'insecure-storage': Flags.boolean({
      description: 'Keep the token in plain text in the config file (mode 0600) instead of the OS keyring',
      default: false,
    }),
  }

  async run(): Promise<LoginResult> {
    const { chosenProfile, openConfig } = await import('../core/config.js')
    const config = await openConfig()
    const store = config.read()
    const name = chosenProfile(this.flags.profile, process.env, store)?.name ?? 'default'
    const rawUrl = this.flags['api-url'] || process.env.ORGCTL_API_URL || store.profiles[name]?.apiUrl
    if (!rawUrl) throw new UsageError(`Missing required flag --api-url (profile "${name}" has no URL yet)`)
    const apiUrl = validate.apiUrl(rawUrl, '--api-url')
    const insecure = this.flags['insecure-storage']

    // Fail closed, and early: without a usable keyring nothing is asked for, sent or saved.
    const keyring = insecure ? undefined : await import('../core/keyring.js')
    const account = keyring?.keyringAccount(name, apiUrl)
    if (keyring && account) await this.refuseWithout(config, () => keyring.keyringGet(account))

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

    const previous = store.profiles[name]
    if (keyring && account) await this.refuseWithout(config, () => keyring.keyringSet(account, token))
    // A keyring profile keeps no token in the file: logging in again moves a plain-text one out of it.
    const profile: Profile = keyring ? { apiUrl, tokenStorage: 'keyring' } : { apiUrl, token }
    try {
      this.save(config, store, name, profile)
    } catch (error) {
      // Undo the new entry, unless the file (unchanged) still points at it: then it holds a checked token.
      const stillUsed =
        previous?.tokenStorage === 'keyring' && keyring?.keyringAccount(name, previous.apiUrl) === account
      if (keyring && account && !stillUsed) await keyring.keyringDelete(account).catch(() => false)
      throw error
    }
    await this.forgetOld(name, previous, keyring ? account : undefined)

    if (this.format !== 'json') {
      const where = keyring
        ? 'its token in the OS keyring'
        : 'its token in plain text in that file (--insecure-storage)'
      this.note(`Logged in; profile "${name}" saved in ${config.path} with ${where}, and made active.`)
      if (keyring && previous?.token)
        this.note('The plain-text copy of its old token was removed from the file.')
    }
    const result: LoginResult = {
      profile: name,
      apiUrl,
      active: true,
      tokenStorage: keyring ? 'keyring' : 'plain',
    }
    await this.show(recordView(result, ['profile', 'apiUrl', 'active', 'tokenStorage']))
    return result
  }

  private save(config: ConfigFile, store: ProfileStore, name: string, profile: Profile): void {
    store.profiles[name] = profile
    store.current = name
    config.write(store)
  }

  /** Removes the token the profile had in the keyring before, unless it is the entry just written. */
  private async forgetOld(
    name: string,
    previous: Profile | undefined,
    kept: string | undefined,
  ): Promise<void> {
    if (previous?.tokenStorage !== 'keyring') return
    const keyring = await import('../core/keyring.js')
    const old = keyring.keyringAccount(name, previous.apiUrl)
    if (old === kept) return
    try {
      await keyring.keyringDelete(old)
    } catch (error) {
      this.note(
        `Warning: the profile's previous token is still in the OS keyring (service "${keyring.KEYRING_SERVICE}", account "${old}"): ${(error as Error).message}`,
      )
    }
  }

  /** Runs a keyring step; when the keyring is unusable, the refusal that names the ways out. */
  private async refuseWithout(config: ConfigFile, step: () => Promise<unknown>): Promise<void> {
    const { KeyringUnavailable } = await import('../core/keyring.js')
    try {
      await step()
    } catch (error) {
      if (!(error instanceof KeyringUnavailable)) throw error
      throw new KeyringUnavailable(
        `No usable OS keyring to keep the token in (${error.reason}); nothing was saved. ` +
          `Either run \`orgctl login --insecure-storage\` to keep the token in plain text in ${config.path} (mode 0600), ` +
          'or, in CI and scripts, set ORGCTL_TOKEN (with ORGCTL_API_URL) instead of logging in.',
        error.reason,
      )
    }
  }

  private async prompt(): Promise<string> {
    if (!isInteractive()) throw new UsageError('No terminal to ask for the token on: pipe it on stdin')
    return askSecret('API token')
  }
}
