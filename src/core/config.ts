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
/** Where the name of the profile in use came from. */
export type ProfileChoice = { name: string; from: 'flag' | 'env' | 'active' }

/**
 * The profile a command means, in the one order every command uses: `--profile`, else `ORGCTL_PROFILE`,
 * else the active one (`profiles use`); undefined when none is named or active.
 */
export function chosenProfile(
  flag: string | undefined,
  env: { ORGCTL_PROFILE?: string | undefined },
  store: { current?: string | undefined },
): ProfileChoice | undefined {
  if (flag) return { name: flag, from: 'flag' }
  if (env.ORGCTL_PROFILE) return { name: env.ORGCTL_PROFILE, from: 'env' }
  if (store.current) return { name: store.current, from: 'active' }
  return undefined
}

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
 * The config file's contents for a read, without loading conf: conf and its validators cost about as much
 * as the rest of a piped `org get`, which only reads. Undefined when the file is there but not JSON, so the
 * caller falls back to conf and reports what conf reports.
 */
async function readConfigJson(): Promise<Record<string, unknown> | undefined> {
  const { readFile } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { default: envPaths } = await import('env-paths')
  let text: string
  try {
    text = await readFile(join(envPaths('orgctl', { suffix: '' }).config, 'config.json'), 'utf8')
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return {}
    return undefined
  }
  try {
    const data = JSON.parse(text) as unknown
    return data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The profiles, for commands that only read them (resolving the target). */
export async function readProfiles(): Promise<ProfileStore> {
  const data = await readConfigJson()
  if (data === undefined) return (await openConfig()).read()
  const current = typeof data.current === 'string' ? data.current : undefined
  const profiles =
    data.profiles && typeof data.profiles === 'object' ? (data.profiles as Record<string, Profile>) : {}
  return { ...(current === undefined ? {} : { current }), profiles: { ...profiles } }
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
  const data = await readConfigJson()
  const conf: { get<K extends keyof NameSettings>(key: K): NameSettings[K] | undefined } =
    data !== undefined
      ? { get: (key) => data[key] as never }
      : new (await import('conf')).default<Partial<NameSettings>>({
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
  const { default: envPaths } = await import('env-paths')
  const { privateDirSync } = await import('./private-files.js')
  // As in openConfig: conf would make the folder (and its parents) with the umask's mode.
  privateDirSync(envPaths('orgctl', { suffix: '' }).config)
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
