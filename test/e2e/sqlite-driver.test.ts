import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { preferredDriver } from '../../src/sqlite/driver.js'
import { runCli, startTestServer, type TestServer } from '../helpers/cli.js'

// better-sqlite3 is an optional dependency: a machine that cannot build it still runs orgctl against a
// remote API, and the sandbox says what it needs. This copy of the built package has every dependency but
// better-sqlite3 (node_modules of symlinks), as an install where its build failed.
const ROOT = resolve(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'orgctl-nosqlite-'))
const copy = join(dir, 'orgctl')
let t: TestServer

beforeAll(async () => {
  mkdirSync(join(copy, 'node_modules'), { recursive: true })
  for (const entry of ['bin', 'dist', 'api', 'package.json', 'oclif.manifest.json'])
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true })
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'better-sqlite3' || name.startsWith('.')) continue
    symlinkSync(join(ROOT, 'node_modules', name), join(copy, 'node_modules', name))
  }
  t = await startTestServer()
})
afterAll(async () => {
  await t?.server.close()
  rmSync(dir, { recursive: true, force: true })
  if (t) rmSync(t.dir, { recursive: true, force: true })
})

function runCopy(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [join(copy, 'bin/run.js'), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    )
    child.stdin?.end()
  })
}

function sandboxEnv(): Record<string, string> {
  const home = mkdtempSync(join(dir, 'home-'))
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    NO_COLOR: '1',
  }
}

describe('orgctl installed without better-sqlite3', () => {
  it('works against a remote API', async () => {
    const created = await runCli(['org', 'create', '--name', 'Remote', '--country-code', 'EG', '--json'], {
      env: t.env,
    })
    expect(created.code).toBe(0)
    const id = created.json().id
    const got = await runCopy(['org', 'get', id, '--json'], t.env)
    expect(got.stderr).toBe('')
    expect(got.code).toBe(0)
    expect(JSON.parse(got.stdout)).toMatchObject({ id, name: 'Remote', countryCode: 'EG' })
  })

  if (preferredDriver() === 'better-sqlite3') {
    it(`on Node.js ${process.versions.node}, the sandbox says what it needs and exits 7`, async () => {
      const env = sandboxEnv()
      const plain = await runCopy(['org', 'create', '--name', 'Sandbox', '--country-code', 'US'], env)
      expect(plain.code).toBe(7)
      expect(plain.stdout).toBe('')
      expect(plain.stderr).toMatch(/The local sandbox needs SQLite/)
      expect(plain.stderr).toMatch(/better-sqlite3/)
      expect(plain.stderr).toMatch(/Node\.js 24 or later/)
      expect(plain.stderr).toMatch(/remote API .* work without it/)
      expect(plain.stderr).not.toMatch(/Unexpected error|at .*\.js:\d+/)

      const json = await runCopy(['members', 'list', '00000000-0000-4000-8000-000000000000', '--json'], env)
      expect(json.code).toBe(7)
      const { error } = JSON.parse(json.stdout)
      expect(error).toMatchObject({ exitCode: 7, status: null })
      expect(error.message).toMatch(/^The local sandbox needs SQLite/)

      // `server start` is not a BaseCommand: the message is the same, its exit code its own.
      const server = await runCopy(['server', 'start', '--port', '0', '--db', join(env.HOME!, 's.db')], env)
      expect(server.code).not.toBe(0)
      expect(server.stdout).toBe('')
      expect(server.stderr).toMatch(/The local sandbox needs SQLite/)
    })
  } else {
    it(`on Node.js ${process.versions.node}, the sandbox runs on the built-in node:sqlite`, async () => {
      const env = sandboxEnv()
      const created = await runCopy(
        ['org', 'create', '--name', 'Sandbox', '--country-code', 'US', '--json', '--debug'],
        env,
      )
      expect(created.code).toBe(0)
      expect(created.stderr).toMatch(/\[debug\] sandbox SQLite driver: node:sqlite/)
      expect(JSON.parse(created.stdout).organization).toMatchObject({ name: 'Sandbox', countryCode: 'US' })
    })
  }
})
