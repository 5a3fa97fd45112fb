import { UsageError, type TokenSource } from './errors.js'
import type { ProfileStore } from './config.js'

/** Where a command sends its requests. */
export type Target =
  | { kind: 'remote'; url: string; token?: string; tokenSource: TokenSource; profile?: string }
  | { kind: 'sandbox'; dbPath: string }

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
 * a profile's token is never sent to another host. The profile store is read only when needed.
 */
export async function resolveTarget(
  flags: { apiUrl?: string; profile?: string },
  env: TargetEnv,
  loadStore: () => Promise<ProfileStore>,
  defaultSandboxDb: () => Promise<string>,
): Promise<Target> {
  const explicitUrl = flags.apiUrl || env.ORGCTL_API_URL || undefined
  const envToken = env.ORGCTL_TOKEN || undefined
  const profileName = flags.profile || env.ORGCTL_PROFILE || undefined

  if (explicitUrl && envToken && !profileName)
    return { kind: 'remote', url: explicitUrl, token: envToken, tokenSource: 'env' }

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
  if (envToken) return { kind: 'remote', url, token: envToken, tokenSource: 'env', profile: name }
  if (profile?.token && sameApi(profile.apiUrl, url))
    return { kind: 'remote', url, token: profile.token, tokenSource: 'profile', profile: name }
  return { kind: 'remote', url, tokenSource: 'none', profile: name }
}

/** `<data dir>/sandbox.db`, the data dir being env-paths('orgctl', {suffix: ''}).data (XDG aware). */
export async function defaultSandboxDbPath(): Promise<string> {
  const { default: envPaths } = await import('env-paths')
  const { join } = await import('node:path')
  return join(envPaths('orgctl', { suffix: '' }).data, 'sandbox.db')
}
