import { spawn, type ChildProcess } from 'node:child_process'
import { join, resolve } from 'node:path'

import { startServer, type RunningServer } from '../../src/server/sandbox.js'
import { baseEnv, tempDir } from './tmp.js'

const BIN = resolve(import.meta.dirname, '../../bin/run.js')

/** What a finished `orgctl` process left behind. */
export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  ms: number
  /** stdout parsed as JSON (throws if it is not exactly one document). */
  json<T = any>(): T // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  /** Written to stdin, which is then closed. */
  input?: string
  /** Leave stdin open and never write to it (proves nothing waits on it). */
  keepStdinOpen?: boolean
  /**
   * Kill after this long (ms); default 60 s. A hang detector, not a timing assertion: a process that
   * needs it is a failure (code null), however slow a loaded CI machine makes a healthy one.
   */
  killAfterMs?: number
  /** A command the CLI runs under, e.g. `['/usr/bin/time', '-v', '-o', file]` to measure its peak memory. */
  prefix?: string[]
  /** Sees the spawned process (to signal it); with `prefix`, that is the prefix's process. */
  onSpawn?: (child: ChildProcess) => void
}

/** A fresh, empty HOME/XDG layout with colour off: no profile, no sandbox data. */
export function freshHome(): Record<string, string> {
  const home = tempDir('home')
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    NO_COLOR: '1',
  }
}

/** Runs `node bin/run.js ...args` without a terminal, the way a script or CI job does. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = baseEnv()
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v
  const started = Date.now()
  return new Promise((resolvePromise, reject) => {
    const [command, ...pre] = [...(options.prefix ?? []), process.execPath]
    const child = spawn(command!, [...pre, BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    options.onSpawn?.(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000)
    if (options.input !== undefined) child.stdin.end(options.input)
    else if (!options.keepStdinOpen) child.stdin.end()
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (options.keepStdinOpen) child.stdin.destroy()
      resolvePromise({
        code,
        stdout,
        stderr,
        ms: Date.now() - started,
        json: () => JSON.parse(stdout),
      })
    })
  })
}

/** A sandbox server on 127.0.0.1 with a temporary database and a known admin token. */
export interface TestServer {
  server: RunningServer
  token: string
  dir: string
  /** Environment that points orgctl at this server, with a fresh HOME. */
  env: Record<string, string>
}

export async function startTestServer(): Promise<TestServer> {
  const dir = tempDir('e2e')
  const token = `test-admin-${Math.random().toString(36).slice(2)}-token`
  const server = await startServer({ dbPath: join(dir, 'sandbox.db'), adminToken: token })
  return { server, token, dir, env: { ...freshHome(), ORGCTL_API_URL: server.url, ORGCTL_TOKEN: token } }
}

/** A random valid UUID that names no organization. */
export const UNKNOWN_ORG = '9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f'
