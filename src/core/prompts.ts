import { MAX_STDIN_SECRET_BYTES } from '../api/limits.js'
import { UsageError } from './errors.js'
import { terminalLine, terminalText } from './escape.js'

/** Prompts are shown only when both stdin and stderr are terminals (docs/DESIGN.md). */
export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY)
}

// Prompts draw on stderr so that stdout keeps only results.
const context = () => ({ output: process.stderr })

/*
 * Every question and choice quotes names that servers and people chose; they are escaped and kept to one
 * line here, at the boundary, so no caller can forget (src/core/escape.ts).
 */
const question = (message: string) => terminalLine(message, 160)

/** Lines for the person at the terminal, before a question (stderr); escaped, line breaks kept. */
export function say(text: string): void {
  process.stderr.write(`${terminalText(text, { multiline: true })}\n`)
}

/** Asks yes/no (default no). Only call when {@link isInteractive}. */
export async function confirm(message: string): Promise<boolean> {
  if (await isAccessible()) return (await import('./accessible.js')).confirmLine(message)
  const { confirm } = await import('@inquirer/prompts')
  return confirm({ message: question(message), default: false }, context())
}

/** Checks a typed value: `true`, or what is wrong with it (shown under the prompt). */
export type Check = (value: string) => true | string

/**
 * Asks for a line of text, required. With `check`, the value is validated as it is typed (what is wrong
 * shows dimmed beside it) and Enter is refused until it passes.
 */
export async function ask(message: string, check?: Check): Promise<string> {
  if (await isAccessible()) return (await import('./accessible.js')).askLine(message, check)
  const { input } = await import('@inquirer/prompts')
  return input(
    {
      message: question(message),
      required: true,
      validate: check,
      // Only what is drawn is escaped (a pasted ESC shows as \x1b); the answer itself is returned as typed.
      transformer: (value, { isFinal }) => {
        const shown = terminalText(value)
        if (isFinal || !check || value === '') return shown
        const verdict = check(value)
        return verdict === true ? shown : `${shown}  \u001b[2m← ${terminalText(verdict)}\u001b[22m`
      },
    },
    context(),
  )
}

/** Asks for a secret without echoing it; `check` refuses Enter until it passes. */
export async function askSecret(message: string, check?: Check): Promise<string> {
  if (await isAccessible()) return (await import('./accessible.js')).askSecretLine(message, check)
  const { password } = await import('@inquirer/prompts')
  return password({ message: question(message), mask: true, validate: check }, context())
}

/** One choice of {@link pick}. */
export interface Choice<T> {
  name: string
  value: T
  checked?: boolean
}

/** Lets the person tick any number of choices (space to tick, Enter to accept); at least one. */
export async function pick<T>(message: string, choices: readonly Choice<T>[]): Promise<T[]> {
  if (await isAccessible()) return (await import('./accessible.js')).pickLines(message, choices)
  const { checkbox } = await import('@inquirer/prompts')
  const safe = choices.map((c) => ({ ...c, name: terminalLine(c.name, 160) }))
  return checkbox({ message: question(message), choices: safe, required: true, loop: false }, context())
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

/** One entry of {@link choose}: what the list shows, and what choosing it gives. */
export interface Option<T> {
  name: string
  value: T
}

/**
 * Lets the person choose one entry of a list, narrowed as they type (inquirer's `search`); in accessible
 * mode, a numbered list printed once and a line to type a number or words into. Only call when
 * {@link isInteractive}.
 */
export async function choose<T>(message: string, options: readonly Option<T>[]): Promise<T> {
  if (await isAccessible()) return (await import('./accessible.js')).chooseLine(message, options)
  const { search } = await import('@inquirer/prompts')
  return search<T>(
    {
      message,
      pageSize: 12,
      source: (term) => {
        const words = (term ?? '').toLowerCase().split(/\s+/).filter(Boolean)
        return options
          .filter((o) => words.every((w) => o.name.toLowerCase().includes(w)))
          .map((o) => ({ name: o.name, value: o.value }))
      },
    },
    context(),
  )
}

let accessible: Promise<boolean> | undefined

/**
 * Accessible mode (`ORGCTL_ACCESSIBLE=1`, or `orgctl config set accessible on`): prompts, waiting and
 * tables become plain lines written once, in order, for screen readers; nothing is redrawn.
 */
export function isAccessible(): Promise<boolean> {
  accessible ??= (async () => {
    const env = process.env.ORGCTL_ACCESSIBLE
    if (env !== undefined && env !== '') return !/^(0|false|no|off)$/i.test(env)
    const { readNames } = await import('./config.js')
    return (await readNames()).accessible === true
  })()
  return accessible
}

/**
 * Shows that orgctl is waiting: when requests have been in flight longer than `delayMs`, an ora
 * spinner on stderr (a terminal only; the caller decides, never with --json), or in accessible mode one
 * plain line, once. `track` wraps each request.
 */
export function waitIndicator(options: { enabled: boolean; accessible: boolean; delayMs?: number }): {
  track<R>(work: () => Promise<R>): Promise<R>
} {
  if (!options.enabled) return { track: (work) => work() }
  let active = 0
  let timer: NodeJS.Timeout | undefined
  let stop: (() => void) | undefined
  let saidOnce = false
  const show = async () => {
    if (options.accessible) {
      if (!saidOnce) process.stderr.write('Waiting for the API...\n')
      saidOnce = true
      return
    }
    const { default: ora } = await import('ora')
    if (active === 0 || stop) return
    // discardStdin off: ora would otherwise take the terminal's input away from a prompt that follows.
    const s = ora({ text: 'Waiting for the API', stream: process.stderr, discardStdin: false }).start()
    stop = () => s.stop()
  }
  return {
    async track(work) {
      if (active++ === 0) timer = setTimeout(() => void show(), options.delayMs ?? 300)
      try {
        return await work()
      } finally {
        if (--active === 0) {
          clearTimeout(timer)
          stop?.()
          stop = undefined
        }
      }
    },
  }
}
