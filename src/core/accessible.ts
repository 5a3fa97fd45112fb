import type { Check, Choice, Option } from './prompts.js'

/*
 * Accessible prompts (ORGCTL_ACCESSIBLE=1): every question is a plain line on stderr and an answer typed
 * on its own line. Nothing is redrawn, coloured or moved, so a screen reader reads each line once, in
 * order, as gh's accessible prompter does. Ctrl-C and end of input end the command as inquirer's
 * prompts do (ExitPromptError, exit 130).
 */

class ExitPromptError extends Error {
  override readonly name = 'ExitPromptError'
}

/** Reads one line from the terminal; `hidden` stops the typed characters being echoed. */
async function line(prompt: string, hidden = false): Promise<string> {
  const { createInterface } = await import('node:readline')
  const { Writable } = await import('node:stream')
  let muted = false
  const output = new Writable({
    write(chunk, encoding, done) {
      if (!muted) process.stderr.write(chunk, encoding)
      done()
    },
  })
  const rl = createInterface({ input: process.stdin, output, terminal: true })
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.on('SIGINT', () => reject(new ExitPromptError('Interrupted')))
      rl.on('close', () => reject(new ExitPromptError('End of input')))
      rl.question(prompt, (answer) => resolve(answer))
      muted = hidden
    })
  } finally {
    rl.removeAllListeners('close')
    rl.close()
    if (hidden) process.stderr.write('\n')
  }
}

/** Repeats the question until `check` passes, saying what was wrong on a line of its own. */
async function checked(prompt: string, hidden: boolean, check?: Check): Promise<string> {
  for (;;) {
    const answer = await line(prompt, hidden)
    if (answer === '') {
      process.stderr.write('A value is required.\n')
      continue
    }
    const verdict = check ? check(answer) : true
    if (verdict === true) return answer
    process.stderr.write(`Not accepted: ${verdict}.\n`)
  }
}

export async function confirmLine(message: string): Promise<boolean> {
  const answer = await line(`${message} Type yes or no, default no: `)
  return /^y(es)?$/i.test(answer.trim())
}

export function askLine(message: string, check?: Check): Promise<string> {
  return checked(`${message}: `, false, check)
}

export function askSecretLine(message: string, check?: Check): Promise<string> {
  return checked(`${message} (not shown as you type): `, true, check)
}

/** A numbered list, printed once; the answer is numbers separated by commas or spaces. */
export async function pickLines<T>(message: string, choices: readonly Choice<T>[]): Promise<T[]> {
  const lines = choices.map((c, i) => `  ${i + 1}. ${c.name}${c.checked ? ' (selected now)' : ''}`)
  process.stderr.write(`${message}, ${choices.length} choices:\n${lines.join('\n')}\n`)
  const now = choices.filter((c) => c.checked).map((c) => c.value)
  for (;;) {
    const answer = (
      await line(`Numbers separated by commas${now.length ? ', or Enter to keep the selected ones' : ''}: `)
    ).trim()
    if (answer === '' && now.length) return now
    const numbers = answer
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number)
    if (numbers.length && numbers.every((n) => Number.isInteger(n) && n >= 1 && n <= choices.length))
      return [...new Set(numbers)].map((n) => choices[n - 1]!.value)
    process.stderr.write(`Not accepted: give numbers from 1 to ${choices.length}.\n`)
  }
}

/**
 * A numbered list, printed once; the answer is a number, or words that narrow the list, which is then
 * printed again (shorter), below, never over the first.
 */
export async function chooseLine<T>(message: string, options: readonly Option<T>[]): Promise<T> {
  let shown = [...options]
  for (;;) {
    const list = shown.map((o, i) => `  ${i + 1}. ${o.name}`).join('\n')
    process.stderr.write(`${message}, ${shown.length} choice${shown.length === 1 ? '' : 's'}:\n${list}\n`)
    const answer = (await line('Type a number, or words to narrow the list: ')).trim()
    const n = Number(answer)
    if (/^\d+$/.test(answer) && n >= 1 && n <= shown.length) return shown[n - 1]!.value
    const words = answer.toLowerCase().split(/\s+/).filter(Boolean)
    const narrowed = options.filter((o) => words.every((w) => o.name.toLowerCase().includes(w)))
    if (narrowed.length === 0) {
      process.stderr.write(`Nothing matches "${answer}"; the whole list again.\n`)
      shown = [...options]
    } else shown = narrowed
  }
}
