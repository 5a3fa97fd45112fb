import { resolve } from 'node:path'
import { format } from 'node:util'

import { Config } from '@oclif/core'

/**
 * The in-process ring of the test suite (issue 13), after gh's fake terminal and plugin-org's
 * `Command.run([...])`: a command class from src/ (not dist/, so nothing stale is ever tested) runs in
 * this process with argv, a terminal or not, and an environment (its target), while its stdout and stderr
 * are captured. Fast enough for many cases of rendering and error mapping; the spawn tests (test/e2e)
 * stay the outer ring that proves the real binary.
 */

/** What one in-process run left behind. */
export interface CommandRun {
  /** The process exit code the command set (0 when it set none). */
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as one JSON document. */
  json<T = any>(): T // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CommandRunOptions {
  /** Environment for the run (replaces process.env while it runs; PATH is kept). */
  env?: Record<string, string | undefined>
  /** Pretend stdout and stderr (and stdin) are terminals, `columns` wide. */
  tty?: { columns: number } | false
}

let config: Promise<Config> | undefined
const root = resolve(import.meta.dirname, '../..')

interface Runnable {
  run(argv: string[], opts: Config): Promise<unknown>
}

/** Runs `Command` (a class imported from src/commands) with `argv`, in this process. */
export async function runCommand(
  Command: Runnable,
  argv: string[],
  options: CommandRunOptions = {},
): Promise<CommandRun> {
  config ??= Config.load(root)
  const cfg = await config
  let stdout = ''
  let stderr = ''
  const saved = {
    env: process.env,
    exitCode: process.exitCode,
    out: process.stdout.write,
    err: process.stderr.write,
    log: console.log,
    error: console.error,
    tty: [process.stdout.isTTY, process.stderr.isTTY, process.stdin.isTTY, process.stdout.columns] as const,
  }
  const capture =
    (append: (s: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined
      done?.()
      return true
    }
  process.env = { PATH: saved.env.PATH, ...dropUndefined(options.env ?? {}) }
  process.exitCode = undefined
  process.stdout.write = capture((s) => (stdout += s)) as typeof process.stdout.write
  process.stderr.write = capture((s) => (stderr += s)) as typeof process.stderr.write
  // oclif's ux.stdout/stderr (logJson among them) write through console.log/console.error.
  console.log = (...args: unknown[]) => void (stdout += `${format(...args)}\n`)
  console.error = (...args: unknown[]) => void (stderr += `${format(...args)}\n`)
  const tty = options.tty ? true : undefined
  setTty(tty, tty, tty, options.tty ? options.tty.columns : undefined)
  try {
    await Command.run(argv, cfg)
  } catch (error) {
    // oclif's own exits (this.exit) and errors that escaped the command's catch.
    const e = error as { oclif?: { exit?: number }; message?: string }
    if (e.oclif?.exit === undefined) stderr += `Uncaught: ${e.message}\n`
    process.exitCode = e.oclif?.exit ?? 1
  } finally {
    process.stdout.write = saved.out
    process.stderr.write = saved.err
    console.log = saved.log
    console.error = saved.error
    setTty(...saved.tty)
    process.env = saved.env
  }
  const code = Number(process.exitCode ?? 0)
  process.exitCode = saved.exitCode
  return { code, stdout, stderr, json: () => JSON.parse(stdout) }
}

function setTty(out: boolean | undefined, err: boolean | undefined, inp: boolean | undefined, cols?: number) {
  Object.defineProperty(process.stdout, 'isTTY', { value: out, configurable: true, writable: true })
  Object.defineProperty(process.stderr, 'isTTY', { value: err, configurable: true, writable: true })
  Object.defineProperty(process.stdin, 'isTTY', { value: inp, configurable: true, writable: true })
  Object.defineProperty(process.stdout, 'columns', { value: cols, configurable: true, writable: true })
}

function dropUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
}
