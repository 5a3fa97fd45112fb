import { CliError, ExitCode, UsageError } from './errors.js'
import type { KeyringAnswer, KeyringRequest } from './keyring-child.js'

/** The keyring service every orgctl token is filed under; the account is {@link keyringAccount}. */
export const KEYRING_SERVICE = 'orgctl'

/** Seconds a keyring operation may take before orgctl gives up on it (ORGCTL_KEYRING_TIMEOUT overrides). */
export const DEFAULT_KEYRING_TIMEOUT_SECONDS = 10

/** The OS keyring could not be used: none, locked, refused, or no answer in time. Exit 3. */
export class KeyringUnavailable extends CliError {
  constructor(
    message: string,
    /** What the keyring itself said, without orgctl's advice. */
    readonly reason: string,
  ) {
    super(message, ExitCode.Auth)
  }
}

/** The keyring account of a profile's token: one entry per profile and URL, so a URL change never reuses it. */
export function keyringAccount(profile: string, apiUrl: string): string {
  return `${profile}@${apiUrl}`
}

/** The token stored for `account`, or null when there is none. */
export async function keyringGet(account: string): Promise<string | null> {
  const value = await call({ op: 'get', service: KEYRING_SERVICE, account })
  return typeof value === 'string' ? value : null
}

/** Stores (or replaces) the token for `account`. */
export async function keyringSet(account: string, secret: string): Promise<void> {
  await call({ op: 'set', service: KEYRING_SERVICE, account, secret })
}

/** Removes the token for `account`; false when there was none. */
export async function keyringDelete(account: string): Promise<boolean> {
  return (await call({ op: 'delete', service: KEYRING_SERVICE, account })) === true
}

/** Seconds from ORGCTL_KEYRING_TIMEOUT, else the default. */
export function keyringTimeoutSeconds(env: { ORGCTL_KEYRING_TIMEOUT?: string } = process.env): number {
  const raw = env.ORGCTL_KEYRING_TIMEOUT
  if (raw === undefined || raw === '') return DEFAULT_KEYRING_TIMEOUT_SECONDS
  const seconds = Number(raw)
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
    throw new UsageError(`ORGCTL_KEYRING_TIMEOUT must be a number of seconds from 0 to 600, got "${raw}"`)
  return seconds
}

/**
 * One operation in a child process (src/core/keyring-child.ts says why not in this one), killed when it
 * outlives the timeout. The binding (@napi-rs/keyring) loads only there, so even the commands that use
 * the keyring never load it into the CLI process.
 */
async function call(request: KeyringRequest): Promise<string | boolean | null> {
  const seconds = keyringTimeoutSeconds()
  const { spawn } = await import('node:child_process')
  const script = await childScript()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 4096)))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, seconds * 1000)
    const fail = (reason: string) => reject(new KeyringUnavailable(`OS keyring: ${reason}`, reason))
    child.on('error', (error) => {
      clearTimeout(timer)
      fail(`could not start the keyring helper (${error.message})`)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (timedOut)
        return fail(`no answer within ${seconds} s (is the keyring locked, or waiting on a prompt?)`)
      let answer: KeyringAnswer | undefined
      try {
        answer = JSON.parse(stdout.trim().split('\n').pop() ?? '') as KeyringAnswer
      } catch {
        answer = undefined
      }
      if (!answer)
        return fail(`the keyring helper failed (exit ${code}): ${firstLine(stderr) || 'no output'}`)
      if (!answer.ok) return fail(firstLine(answer.message))
      resolve(answer.value)
    })
    // A child that died at once closes stdin under us; its exit code tells the story instead.
    child.stdin.on('error', () => {})
    child.stdin.end(JSON.stringify(request))
  })
}

/** The child script: beside the bundle's chunks it is core/keyring-child.js, beside tsc's output its sibling. */
async function childScript(): Promise<string> {
  const { existsSync } = await import('node:fs')
  const { fileURLToPath } = await import('node:url')
  const candidates = ['./core/keyring-child.js', './keyring-child.js'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  )
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
