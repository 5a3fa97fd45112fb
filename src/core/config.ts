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
