import { toConfiguredId, type Hook } from '@oclif/core'

import { terminalLine } from './escape.js'

/**
 * Beside @oclif/plugin-not-found, which asks "Did you mean ...?" when stdin is a terminal (and then runs
 * the command, or exits 127). Without a terminal the plugin names no command, so this hook does: it
 * prints the closest command on stderr and exits 127 at once, so that a script never mistakes a typo
 * for success and nothing waits for an answer.
 */
const hook: Hook.CommandNotFound = async function (opts) {
  if (process.stdin.isTTY) return // the plugin asks
  const typed = toConfiguredId(opts.id, opts.config)
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const best = closest(opts.id, ids)
  const hint = best ? ` Did you mean \`${opts.config.bin} ${toConfiguredId(best, opts.config)}\`?` : ''
  process.stderr.write(`\`${terminalLine(typed)}\` is not an ${opts.config.bin} command.${hint}\n`)
  const topic = opts.id.split(':')[0]
  const help = `${opts.config.bin} help${topic && opts.config.findTopic(topic) ? ` ${topic}` : ''}`
  this.error(`Run ${help} for a list of available commands.`, { exit: 127 })
}

export default hook

/** The ID nearest to `id` by edit distance, if any is near enough to be a likely typo. */
export function closest(id: string, ids: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of ids) {
    const d = distance(id, candidate)
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  return bestDistance <= Math.max(2, Math.floor(id.length / 3)) ? best : undefined
}

/** Levenshtein distance, one row at a time. */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}
