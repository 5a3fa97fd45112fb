import { describe, expect, it } from 'vitest'

import { freshHome, runCli } from '../helpers/cli.js'

describe('shell completion and mistyped commands', () => {
  it('autocomplete bash prints the setup instructions', async () => {
    const r = await runCli(['autocomplete', 'bash'], { env: freshHome() })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Setup Instructions for ORGCTL CLI Autocomplete/)
    expect(r.stdout).toMatch(/orgctl autocomplete script bash/)
  })

  it('autocomplete zsh prints its setup instructions too', async () => {
    const r = await runCli(['autocomplete', 'zsh'], { env: freshHome() })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/orgctl autocomplete script zsh/)
  })

  it('a mistyped command suggests the right one and exits 127 at once without a terminal', async () => {
    const r = await runCli(['org', 'gett'], {
      env: freshHome(),
      keepStdinOpen: true,
      killAfterMs: 10_000,
    })
    expect(r.code).toBe(127)
    expect(r.stderr).toContain('`org gett` is not an orgctl command. Did you mean `orgctl org get`?')
    expect(r.stderr).toContain('Run orgctl help org for a list of available commands.')
    expect(r.stdout).toBe('')
  })

  it('a word that resembles no command gets no suggestion, still exit 127', async () => {
    const r = await runCli(['qqqqqqqqqq'], { env: freshHome() })
    expect(r.code).toBe(127)
    expect(r.stderr).toContain('`qqqqqqqqqq` is not an orgctl command.')
    expect(r.stderr).not.toContain('Did you mean')
  })
})
