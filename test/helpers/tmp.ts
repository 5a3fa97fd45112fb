import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll } from 'vitest'

// Every temporary folder a test file makes goes through tempDir() and is removed after the file's last
// test (this hook is registered when the file imports a helper, so it runs after the file's own
// afterAll hooks have closed servers that still write there). test/global-setup.ts fails the run if
// anything is left behind anyway.
const made: string[] = []

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A new empty folder under the test run's temporary root, removed after this test file. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `orgctl-${name}-`))
  made.push(dir)
  return dir
}

/**
 * The environment every spawned orgctl starts from: PATH, and TMPDIR, so that whatever a child puts in
 * the temporary folder lands in the run's root too (and is caught if it stays).
 */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' }
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR
  return env
}
