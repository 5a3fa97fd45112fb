import { redactUserInfo } from '../api/redact.js'
import type { Transport } from '../api/transport.js'
import { chosenProfile, tokenStorageOf, type ProfileStore, type TokenStorage } from './config.js'
import type { TokenSource } from './errors.js'
import type { View } from './output.js'
import type { Target, TargetEnv } from './target.js'

/** Any well-formed ID that no organization has: 404 means the token was accepted, 401 that it was not (as login). */
export const PROBE_PATH = '/api/organizations/00000000-0000-0000-0000-000000000000'

/** Stable `--json` shape of `orgctl doctor`. */
export interface DoctorReport {
  /** true when the API answers and the token (if any is needed) is accepted, and the config file is private. */
  ok: boolean
  target: 'remote' | 'sandbox'
  /** The remote API's URL; null for the sandbox, which listens on a new port each run. */
  apiUrl: string | null
  /** Where the target came from, first match wins: flag, env, profile, else sandbox. */
  targetFrom: 'flag' | 'env' | 'profile' | 'sandbox'
  profile: string | null
  profileFrom: 'flag' | 'env' | 'active' | null
  tokenFrom: TokenSource
  /** Where the token in use lives: ORGCTL_TOKEN, the OS keyring, plain text in the config file; null: none. */
  tokenStorage: 'env' | 'keyring' | 'plain' | null
  /** Why the profile's token could not be read (keyring unusable, entry gone); null when it could. */
  tokenError: string | null
  /** Every saved profile and where its token lives, from the config file (never the token). */
  profiles: { name: string; apiUrl: string; tokenStorage: TokenStorage }[]
  apiAnswers: boolean
  /** Status of the probe request, and how long it took. */
  apiStatus: number | null
  apiMs: number | null
  apiError: string | null
  /** null when it could not be known (no answer, or no token). */
  tokenAccepted: boolean | null
  configPath: string
  configExists: boolean
  /** Octal file mode, e.g. "0600"; null when the file does not exist yet. */
  configMode: string | null
  sandboxDb: string | null
}

/** What the probe request saw. */
export interface Probe {
  status: number | null
  ms: number
  error: string | null
}

/** One GET to a made-up organization, without retries: doctor says at once whether anything answers. */
export async function probeApi(api: Transport): Promise<Probe> {
  const quick = api.derive({ maxRetries: 0 })
  const started = performance.now()
  try {
    const res = await quick.request('GET', PROBE_PATH, { accept: [401, 403, 404] })
    return { status: res.status, ms: Math.round(performance.now() - started), error: null }
  } catch (error) {
    const e = error as { status?: number; message?: string; name?: string }
    return {
      // A redirect, an HTML page or a flood answers, but not as the API: doctor says it does not answer.
      status: typeof e.status === 'number' && e.name !== 'BadResponseError' ? e.status : null,
      ms: Math.round(performance.now() - started),
      error: e.message ?? String(error),
    }
  } finally {
    await quick.close()
  }
}

/** The inputs doctor explains: the same ones target resolution reads. */
export interface DoctorInput {
  flags: { apiUrl?: string; profile?: string }
  env: TargetEnv
  store: ProfileStore
  target: Target
  config: { path: string; exists: boolean; mode: number | null }
  probe: Probe
}

/** Puts together what is in effect and why (ARCHITECTURE.md "The CLI": flags > env > profile > sandbox). */
export function diagnose(input: DoctorInput): DoctorReport {
  const { flags, env, store, target, config, probe } = input
  const choice = chosenProfile(flags.profile, env, store)
  const profile = choice?.name ?? null
  const profileFrom = choice?.from ?? null
  const targetFrom =
    target.kind === 'sandbox' ? 'sandbox' : flags.apiUrl ? 'flag' : env.ORGCTL_API_URL ? 'env' : 'profile'
  const tokenFrom: TokenSource =
    target.kind === 'sandbox' ? 'sandbox' : target.token ? target.tokenSource : 'none'
  const tokenStorage = target.kind === 'remote' && target.tokenStorage ? target.tokenStorage : null
  const tokenError = target.kind === 'remote' && target.tokenError ? target.tokenError.message : null
  const apiAnswers = probe.status !== null && probe.status < 500
  // 404 (and 403: known but not allowed) mean the token was taken; 401 that it was not, or that none was sent.
  const tokenAccepted = !apiAnswers || tokenFrom === 'none' ? null : probe.status !== 401
  const mode = config.mode === null ? null : `0${(config.mode & 0o777).toString(8)}`
  const configPrivate = config.mode === null || (config.mode & 0o077) === 0
  return {
    ok: apiAnswers && tokenAccepted === true && configPrivate,
    target: target.kind,
    apiUrl: target.kind === 'remote' ? redactUserInfo(target.url) : null,
    targetFrom,
    profile: target.kind === 'sandbox' && !profile ? null : profile,
    profileFrom,
    tokenFrom,
    tokenStorage,
    tokenError,
    profiles: Object.entries(store.profiles).map(([name, p]) => ({
      name,
      apiUrl: p.apiUrl,
      tokenStorage: tokenStorageOf(p),
    })),
    apiAnswers,
    apiStatus: probe.status,
    apiMs: probe.status === null ? null : probe.ms,
    apiError: probe.error,
    tokenAccepted,
    configPath: config.path,
    configExists: config.exists,
    configMode: mode,
    sandboxDb: target.kind === 'sandbox' ? target.dbPath : null,
  }
}

const TARGET_WHY = {
  flag: 'from --api-url',
  env: 'from ORGCTL_API_URL',
  profile: 'from the profile',
  sandbox: 'nothing configured: the local sandbox',
} as const

const PROFILE_WHY = {
  flag: 'from --profile',
  env: 'from ORGCTL_PROFILE',
  active: 'the active profile',
} as const

const STORAGE = {
  keyring: 'in the OS keyring',
  plain: 'in plain text in the config file',
  env: 'ORGCTL_TOKEN',
} as const

const TOKEN_WHY = {
  env: 'from ORGCTL_TOKEN (no keyring used)',
  profile: "from the profile's saved token",
  sandbox: 'a one-off admin token of the in-process sandbox',
  none: 'none: run `orgctl login`, or set ORGCTL_TOKEN',
} as const

/** The report as CHECK | STATUS | DETAIL rows, for people. */
export function doctorView(r: DoctorReport): View {
  const rows = [
    {
      check: 'target',
      status: r.target === 'sandbox' ? 'sandbox' : r.apiUrl,
      detail: r.targetFrom === 'profile' ? `from profile "${r.profile}"` : TARGET_WHY[r.targetFrom],
    },
    {
      check: 'profile',
      status: r.profile ?? '(none)',
      detail: r.profileFrom ? PROFILE_WHY[r.profileFrom] : 'no profile chosen or active',
    },
    {
      check: 'token',
      status: r.tokenError ? 'unreadable' : r.tokenFrom === 'none' ? 'missing' : 'present',
      detail:
        r.tokenError ??
        (r.tokenFrom === 'profile' && r.tokenStorage && r.tokenStorage !== 'env'
          ? `from the profile, ${STORAGE[r.tokenStorage]}`
          : TOKEN_WHY[r.tokenFrom]),
    },
    {
      check: 'api',
      status: r.apiAnswers ? 'answers' : 'no answer',
      detail: r.apiAnswers ? `HTTP ${r.apiStatus} in ${r.apiMs} ms` : (r.apiError ?? `HTTP ${r.apiStatus}`),
    },
    {
      check: 'token accepted',
      status: r.tokenAccepted === null ? 'unknown' : r.tokenAccepted ? 'yes' : 'no',
      detail:
        r.tokenAccepted === false
          ? 'rejected (401): run `orgctl login` again, or fix ORGCTL_TOKEN'
          : r.tokenAccepted === null
            ? r.apiAnswers
              ? 'no token was sent'
              : 'the API did not answer'
            : `HTTP ${r.apiStatus} to a test request`,
    },
    {
      check: 'config file',
      status: r.configPath,
      detail: !r.configExists
        ? 'not created yet (`orgctl login` creates it)'
        : (parseInt(r.configMode ?? '0', 8) & 0o077) === 0
          ? `mode ${r.configMode}`
          : `mode ${r.configMode}: should be 0600 (chmod 600 the file)`,
    },
    ...r.profiles.map((p) => ({
      check: `profile ${p.name}`,
      status: p.tokenStorage === null ? 'no token' : p.tokenStorage === 'plain' ? 'plain text' : 'keyring',
      detail:
        p.tokenStorage === null ? `${p.apiUrl}, logged out` : `${p.apiUrl}, token ${STORAGE[p.tokenStorage]}`,
    })),
    ...(r.sandboxDb
      ? [{ check: 'sandbox', status: r.sandboxDb, detail: 'its database (ORGCTL_SANDBOX_DB moves it)' }]
      : []),
  ]
  return { columns: ['check', 'status', 'detail'], rows }
}
