/**
 * A saved API profile. Its token lives in the OS keyring (`tokenStorage: "keyring"`, filed under
 * keyringAccount(name, apiUrl)), or, when the user asked for `login --insecure-storage` or the profile
 * predates the keyring, in plain text here (`token`). The token never leaves either place except as an
 * Authorization header.
 */
export interface Profile {
  apiUrl: string
  token?: string
  tokenStorage?: 'keyring'
}

/** Where a profile's token lives: the OS keyring, plain text in the config file, or nowhere (logged out). */
export type TokenStorage = 'keyring' | 'plain' | null

/** Where `profile`'s token lives, from the config file alone (the keyring is not asked). */
export function tokenStorageOf(profile: Profile): TokenStorage {
  if (profile.tokenStorage === 'keyring') return 'keyring'
  return profile.token ? 'plain' : null
}

/** The whole profile store. */
export interface ProfileStore {
  current?: string
  profiles: Record<string, Profile>
}

/** Access to the profile file (conf, 0600 in a 0700 folder), opened lazily. */
export interface ConfigFile {
  /** Path of the JSON file, for messages. */
  readonly path: string
  read(): ProfileStore
  write(store: ProfileStore): void
}

/**
 * Opens the profile store. conf (and its validators) load only here, so commands that get their
 * target from flags or the environment never pay for it.
 */
export async function openConfig(): Promise<ConfigFile> {
  const { default: Conf } = await import('conf')
  const { chmodSync, mkdirSync } = await import('node:fs')
  const { dirname } = await import('node:path')
  const { default: envPaths } = await import('env-paths')
  const { privateDirSync } = await import('./private-files.js')
  // conf makes its folder as soon as it is constructed, with the umask's mode (0777 under umask 000):
  // make it first, 0700 (and the parents it needs), and tighten one left looser (SECURITY.md "Local state").
  privateDirSync(envPaths('orgctl', { suffix: '' }).config)
  const conf = new Conf<{ current?: string; profiles?: Record<string, Profile> }>({
    projectName: 'orgctl',
    projectSuffix: '',
    configFileMode: 0o600,
  })
  const dir = dirname(conf.path)
  const secureDir = () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
  }
  return {
    path: conf.path,
    read: () => ({ current: conf.get('current'), profiles: { ...(conf.get('profiles') ?? {}) } }),
    write: (store) => {
      secureDir()
      conf.set('profiles', store.profiles)
      if (store.current === undefined) conf.delete('current')
      else conf.set('current', store.current)
    },
  }
}

/** An organization used lately, for the ORG picker (newest first). */
export interface RecentOrg {
  id: string
  name?: string
}

/**
 * What "working by name" keeps (README "Working by name"), in keys of its own beside the profiles:
 * default organizations and role maps per scope (a profile's name, `sandbox`, or the API URL in use
 * without a profile), aliases for all targets (an alias names a UUID, and UUIDs are unique).
 */
export interface NameSettings {
  defaultOrgs: Record<string, string>
  aliases: Record<string, string>
  roles: Record<string, Record<string, number>>
  recentOrgs: RecentOrg[]
  accessible?: boolean
}

const NAME_KEYS = ['defaultOrgs', 'aliases', 'roles', 'recentOrgs', 'accessible'] as const

/** Reads the working-by-name settings (an empty set when none were saved). */
export async function readNames(): Promise<NameSettings> {
  const { default: Conf } = await import('conf')
  const conf = new Conf<Partial<NameSettings>>({
    projectName: 'orgctl',
    projectSuffix: '',
    configFileMode: 0o600,
  })
  return {
    defaultOrgs: { ...(conf.get('defaultOrgs') ?? {}) },
    aliases: { ...(conf.get('aliases') ?? {}) },
    roles: { ...(conf.get('roles') ?? {}) },
    recentOrgs: [...(conf.get('recentOrgs') ?? [])],
    ...(conf.get('accessible') === undefined ? {} : { accessible: conf.get('accessible') }),
  }
}

/** Saves the working-by-name settings, leaving the profiles as they are. */
export async function writeNames(names: NameSettings): Promise<void> {
  const { default: Conf } = await import('conf')
  const { chmodSync, mkdirSync } = await import('node:fs')
  const { dirname } = await import('node:path')
  const conf = new Conf<Partial<NameSettings>>({
    projectName: 'orgctl',
    projectSuffix: '',
    configFileMode: 0o600,
  })
  mkdirSync(dirname(conf.path), { recursive: true, mode: 0o700 })
  chmodSync(dirname(conf.path), 0o700)
  for (const key of NAME_KEYS) {
    const value = names[key]
    if (value === undefined) conf.delete(key)
    else conf.set(key, value)
  }
}
