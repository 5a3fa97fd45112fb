import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

interface ManifestCommand {
  id: string
  summary?: string
  examples?: (string | { command: string })[]
  flags: Record<string, unknown>
}

// The committed manifest is what `orgctl --help` and the README are made from (`npm run build` writes it).
const manifest = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../oclif.manifest.json'), 'utf8'),
) as {
  commands: Record<string, ManifestCommand>
}
const commands = Object.values(manifest.commands)

// `server start` runs until stopped and has no result to print: it takes no --json.
const WITHOUT_JSON = ['server:start']

describe('every command helps the person reading --help', () => {
  it('the manifest lists the commands', () => {
    expect(commands.length).toBeGreaterThanOrEqual(19)
    expect(commands.map((c) => c.id)).toContain('doctor')
  })

  it.each(commands.map((c) => [c.id, c] as const))('%s has a summary and at least two examples', (_, c) => {
    expect(c.summary?.trim()).toBeTruthy()
    expect(c.examples?.length ?? 0).toBeGreaterThanOrEqual(2)
  })

  it.each(commands.filter((c) => !WITHOUT_JSON.includes(c.id)).map((c) => [c.id, c] as const))(
    '%s has an example for scripts (--json or --csv)',
    (_, c) => {
      const texts = (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command))
      expect(texts.some((t) => /--json\b|--csv\b/.test(t))).toBe(true)
    },
  )

  it('only the commands that print no result lack --json', () => {
    expect(commands.filter((c) => !('json' in c.flags)).map((c) => c.id)).toEqual(WITHOUT_JSON)
  })
})
