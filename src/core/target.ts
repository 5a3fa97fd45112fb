import { CliError, ExitCode, UsageError, type TokenSource } from './errors.js'
import type { Profile, ProfileStore } from './config.js'

/** Where a command sends its requests. */
export type Target =
  | {
      kind: 'remote'
      url: string
      token?: string
      tokenSource: TokenSource
      profile?: string
      /** Where the token in use lives: ORGCTL_TOKEN, the OS keyring or the config file in plain text. */
      tokenStorage?: 'env' | 'keyring' | 'plain'
      /** Why the profile's token could not be had (keyring unusable, or its entry gone); nothing is sent then. */
      tokenError?: Error
    }
  | { kind: 'sandbox'; dbPath: string }

/** Reads a profile's token from the OS keyring: null when its entry is gone, throws when the keyring is unusable. */
export type KeyringReader = (profile: string, apiUrl: string) => Promise<string | null>

/** The environment variables target resolution reads. */
export interface TargetEnv {
  ORGCTL_API_URL?: string
  ORGCTL_TOKEN?: string
  ORGCTL_PROFILE?: string
  ORGCTL_SANDBOX_DB?: string
}

/** Compares API URLs loosely enough that `https://x/` and `https://X` are one host. */
export function sameApi(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u)
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase()
    } catch {
      return u.replace(/\/+$/, '').toLowerCase()
    }
  }
  return norm(a) === norm(b)
}

/**
 * Target resolution, first match wins (ARCHITECTURE.md): the `--api-url` flag, `ORGCTL_API_URL`, the
 * active profile (`--profile`, `ORGCTL_PROFILE`, or the one `profiles use` chose), else the sandbox.
 * The token is `ORGCTL_TOKEN`, else the profile's, and only when the profile's URL is the URL in use:
 * a profile's token is never sent to another host. The profile store is read only when needed, and
 * the OS keyring only when the token used is a profile's that lives there (never with ORGCTL_TOKEN).
 */
export async function resolveTarget(
  flags: { apiUrl?: string; profile?: string },
  env: TargetEnv,
  loadStore: () => Promise<ProfileStore>,
  defaultSandboxDb: () => Promise<string>,
  readKeyring?: KeyringReader,
): Promise<Target> {
  const explicitUrl = flags.apiUrl || env.ORGCTL_API_URL || undefined
  const envToken = env.ORGCTL_TOKEN || undefined
  const profileName = flags.profile || env.ORGCTL_PROFILE || undefined

  if (explicitUrl && envToken && !profileName)
    return { kind: 'remote', url: explicitUrl, token: envToken, tokenSource: 'env', tokenStorage: 'env' }

  const store = await loadStore()
  const name = profileName ?? store.current
  const profile = name ? store.profiles[name] : undefined
  if (profileName && !profile) {
    const known = Object.keys(store.profiles)
    throw new UsageError(
      `No profile named "${profileName}"${known.length ? ` (known: ${known.join(', ')})` : ''}; run \`orgctl login --profile ${profileName} --api-url URL\``,
    )
  }
  const url = explicitUrl ?? profile?.apiUrl
  if (!url) return { kind: 'sandbox', dbPath: env.ORGCTL_SANDBOX_DB || (await defaultSandboxDb()) }
  if (envToken)
    return { kind: 'remote', url, token: envToken, tokenSource: 'env', tokenStorage: 'env', profile: name }
  if (name && profile && sameApi(profile.apiUrl, url)) {
    if (profile.tokenStorage === 'keyring') return fromKeyring(name, profile, url, readKeyring)
    if (profile.token)
      return {
        kind: 'remote',
        url,
        token: profile.token,
        tokenSource: 'profile',
        tokenStorage: 'plain',
        profile: name,
      }
  }
  return { kind: 'remote', url, tokenSource: 'none', profile: name }
}

async function fromKeyring(
  name: string,
  profile: Profile,
  url: string,
  readKeyring: KeyringReader | undefined,
): Promise<Target> {
  const base = {
    kind: 'remote',
    url,
    tokenSource: 'profile',
    tokenStorage: 'keyring',
    profile: name,
  } as const
  const relogin = `orgctl login --profile ${name}`
  try {
    if (!readKeyring) throw new Error('no keyring reader')
    const token = await readKeyring(name, profile.apiUrl)
    if (token) return { ...base, token }
    return {
      ...base,
      tokenSource: 'none',
      tokenError: new CliError(
        `Profile "${name}" keeps its token in the OS keyring, but the keyring has no entry for it (removed outside orgctl?); run \`${relogin}\``,
        ExitCode.Auth,
      ),
    }
  } catch (error) {
    const reason =
      (error as { reason?: string }).reason ?? (error instanceof Error ? error.message : String(error))
    return {
      ...base,
      tokenSource: 'none',
      tokenError: new CliError(
        `Profile "${name}" keeps its token in the OS keyring, which could not be read (${reason}). ` +
          `Unlock the keyring, or set ORGCTL_TOKEN, or run \`${relogin} --insecure-storage\` to keep it in plain text`,
        ExitCode.Auth,
      ),
    }
  }
}

/** `<data dir>/sandbox.db`, the data dir being env-paths('orgctl', {suffix: ''}).data (XDG aware). */
export async function defaultSandboxDbPath(): Promise<string> {
  const { default: envPaths } = await import('env-paths')
  const { join } = await import('node:path')
  return join(envPaths('orgctl', { suffix: '' }).data, 'sandbox.db')
}
