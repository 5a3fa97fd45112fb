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

/** Asks for a line of text, required. */
export async function ask(message: string, validate?: (v: string) => true | string): Promise<string> {
  const { input } = await import('@inquirer/prompts')
  return input({ message, required: true, validate }, context())
}

/** Asks for a secret without echoing it. */
export async function askSecret(message: string): Promise<string> {
  const { password } = await import('@inquirer/prompts')
  return password({ message, mask: true }, context())
}

/**
 * A required value: the flag's value if given; else a prompt on a terminal; else, at once, a usage
 * error naming the flag (never waits on stdin).
 */
export async function required(value: string | undefined, flag: string, message: string): Promise<string> {
  if (value !== undefined && value !== '') return value
  if (!isInteractive()) throw new UsageError(`Missing required flag ${flag} (no terminal to ask on)`)
  return ask(message)
}

/** Reads all of stdin (for `--password-stdin` and a piped token); trailing newline dropped. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
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
