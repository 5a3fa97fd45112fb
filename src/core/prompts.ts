import { MAX_STDIN_SECRET_BYTES } from '../api/limits.js'
import { UsageError } from './errors.js'

/** Prompts are shown only when both stdin and stderr are terminals (DESIGN.md). */
export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY)
}

// Prompts draw on stderr so that stdout keeps only results.
const context = () => ({ output: process.stderr })

/** Asks yes/no (default no). Only call when {@link isInteractive}. */
export async function confirm(message: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts')
  return confirm({ message, default: false }, context())
}

/** Checks a typed value: `true`, or what is wrong with it (shown under the prompt). */
export type Check = (value: string) => true | string

/**
 * Asks for a line of text, required. With `check`, the value is validated as it is typed (what is wrong
 * shows dimmed beside it) and Enter is refused until it passes.
 */
export async function ask(message: string, check?: Check): Promise<string> {
  const { input } = await import('@inquirer/prompts')
  return input(
    {
      message,
      required: true,
      validate: check,
      transformer: (value, { isFinal }) => {
        if (isFinal || !check || value === '') return value
        const verdict = check(value)
        return verdict === true ? value : `${value}  \u001b[2m← ${verdict}\u001b[22m`
      },
    },
    context(),
  )
}

/** Asks for a secret without echoing it; `check` refuses Enter until it passes. */
export async function askSecret(message: string, check?: Check): Promise<string> {
  const { password } = await import('@inquirer/prompts')
  return password({ message, mask: true, validate: check }, context())
}

/** One choice of {@link pick}. */
export interface Choice<T> {
  name: string
  value: T
  checked?: boolean
}

/** Lets the person tick any number of choices (space to tick, Enter to accept); at least one. */
export async function pick<T>(message: string, choices: readonly Choice<T>[]): Promise<T[]> {
  const { checkbox } = await import('@inquirer/prompts')
  return checkbox({ message, choices: [...choices], required: true, loop: false }, context())
}

/**
 * A required value: the flag's value if given; else a prompt on a terminal; else, at once, a usage
 * error naming the flag (never waits on stdin).
 */
export async function required(
  value: string | undefined,
  flag: string,
  message: string,
  check?: Check,
): Promise<string> {
  if (value !== undefined && value !== '') return value
  if (!isInteractive()) throw new UsageError(`Missing required flag ${flag} (no terminal to ask on)`)
  return ask(message, check)
}

/**
 * Reads all of stdin (for `--password-stdin` and a piped token); trailing newline dropped. A secret is
 * small: more than `max` bytes (default 64 KiB) is a usage error, found without reading the rest.
 */
export async function readStdin(what = 'stdin', max = MAX_STDIN_SECRET_BYTES): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length
    if (size > max) {
      process.stdin.destroy()
      throw new UsageError(`${what} read from stdin is over ${max / 1024} KiB; nothing was sent`)
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** An ora spinner on stderr when it is a terminal and output is for people; a no-op otherwise. */
export async function spinner(text: string, enabled: boolean): Promise<{ stop(): void }> {
  if (!enabled || !process.stderr.isTTY) return { stop() {} }
  const { default: ora } = await import('ora')
  const s = ora({ text, stream: process.stderr }).start()
  return { stop: () => s.stop() }
}
