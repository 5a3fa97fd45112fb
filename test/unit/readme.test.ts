import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

import { expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

it("README.md's command reference matches the commands (npm run readme regenerates it)", () => {
  const r = spawnSync(process.execPath, ['scripts/readme.mjs', '--check'], { cwd: root, encoding: 'utf8' })
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
}, 60_000)
