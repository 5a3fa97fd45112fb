// Conventions a user of any first-class CLI expects (issue 11): `orgctl version`, `-h` as help on
// every command, and `server start` / sandbox failures that say what is wrong with the documented exit
// code instead of a raw system error.
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join, resolve } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { UNKNOWN_ORG, freshHome, runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

const ROOT = resolve(import.meta.dirname, '../..')
const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }

describe('orgctl version', () => {
  it('prints the version, Node.js, platform, architecture and SQLite driver with --json', async () => {
    const r = await runCli(['version', '--json'], { env: freshHome() })
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const info = r.json()
    expect(info).toEqual({
      name: 'orgctl',
      version: pjson.version,
      nodeVersion: process.version,
      platform: process.platform,
      arch: process.arch,
      sqliteDriver: expect.stringMatching(/^(better-sqlite3|node:sqlite)$/),
      sqliteDriverVersion: expect.stringMatching(/^\d+\.\d+/),
    })
  })

  it('shows the same as a FIELD<TAB>VALUE record when piped, and agrees with --version', async () => {
    const [record, line] = await Promise.all([
      runCli(['version'], { env: freshHome() }),
      runCli(['--version'], { env: freshHome() }),
    ])
    expect(record.code).toBe(0)
    expect(record.stdout).toMatch(new RegExp(`^version\\t${pjson.version.replaceAll('.', '\\.')}$`, 'm'))
    expect(record.stdout).toMatch(
      new RegExp(`^nodeVersion\\t${process.version.replaceAll('.', '\\.')}$`, 'm'),
    )
    expect(line.stdout).toContain(`orgctl/${pjson.version} `)
  })
})

describe('-h is help everywhere', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, unknown>
  }
  const ids = Object.keys(manifest.commands).map((id) => id.split(':'))

  it('answers `<command> -h` exactly as `<command> --help`, exit 0, for every command', async () => {
    expect(ids.map((parts) => parts.join(' '))).toContain('org get')
    const problems: string[] = []
    const queue = [...ids]
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let parts = queue.shift(); parts; parts = queue.shift()) {
          // oclif itself (no fast path) for -h, against --help however it is answered.
          const [short, long] = await Promise.all([
            runCli([...parts, '-h'], { env: { ...freshHome(), ORGCTL_FAST_PATHS: '0' } }),
            runCli([...parts, '--help'], { env: freshHome() }),
          ])
          if (short.code !== 0) problems.push(`${parts.join(' ')} -h: exit ${short.code} ${short.stderr}`)
          else if (short.stdout !== long.stdout || !long.stdout.includes('USAGE'))
            problems.push(`${parts.join(' ')} -h: differs from --help`)
        }
      }),
    )
    expect(problems).toEqual([])
  }, 180_000)

  it('takes -h among other arguments too (`org get ORG -h`), sending nothing', async () => {
    const r = await runCli(['org', 'get', UNKNOWN_ORG, '-h'], {
      env: { ...freshHome(), ORGCTL_API_URL: 'http://127.0.0.1:9', ORGCTL_TOKEN: 'x' },
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('USAGE')
    expect(r.stdout).toContain('orgctl org get ORG')
  })
})

describe('server start failures', () => {
  let blocker: Server
  let port: number
  beforeAll(async () => {
    blocker = createServer()
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done))
    port = (blocker.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((done) => blocker.close(() => done())))

  const start = (args: string[]) =>
    runCli(['server', 'start', '--quiet', '--admin-token', 'test-admin-token-x', ...args], {
      env: freshHome(),
    })

  it('names the port in use and exits 7, without the raw EADDRINUSE', async () => {
    const dir = tempDir('start')
    const r = await start(['--port', String(port), '--db', join(dir, 'sandbox.db')])
    expect(r.code).toBe(7)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      `Error: Cannot listen on 127.0.0.1:${port}: port ${port} is already in use by another process. ` +
        'Stop it, or pick another --port (--port 0 takes any free port)\n',
    )
    expect(r.stderr).not.toContain('EADDRINUSE')
  })

  it('refuses a --db that is not a SQLite database with exit 2, naming the file', async () => {
    const dir = tempDir('start')
    const db = join(dir, 'notes.db')
    writeFileSync(db, 'shopping list: milk, eggs\n'.repeat(100))
    const r = await start(['--port', '0', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`Cannot use the sandbox database ${db}: it is not a SQLite database of orgctl`)
    expect(r.stderr).not.toMatch(/Unexpected|SqliteError|at /)
    // Nothing was done to it.
    expect(readFileSync(db, 'utf8')).toBe('shopping list: milk, eggs\n'.repeat(100))
  })

  it('refuses a --db in a folder that cannot be made (a file is in the way) with exit 2', async () => {
    const dir = tempDir('start')
    writeFileSync(join(dir, 'file'), '')
    const db = join(dir, 'file', 'sandbox.db')
    const r = await start(['--port', '0', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      new RegExp(`^Error: Cannot use the sandbox database ${db}: part of the path is a file, not a folder`),
    )
  })

  it('refuses a --host that is not an address of this machine with exit 2', async () => {
    const dir = tempDir('start')
    // TEST-NET-1 (RFC 5737): never assigned to a machine, so binding fails locally; nothing is sent.
    const r = await start(['--port', '0', '--host', '192.0.2.1', '--db', join(dir, 'sandbox.db')])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('Error: --host 192.0.2.1: not an address of this machine (try 127.0.0.1 or ::1)\n')
  })

  it('maps an unusable sandbox folder the same way for every command, also as a JSON error', async () => {
    const home = freshHome()
    const file = join(home.HOME!, 'data-file')
    writeFileSync(file, '')
    const r = await runCli(['org', 'get', UNKNOWN_ORG, '--json'], { env: { ...home, XDG_DATA_HOME: file } })
    expect(r.code).toBe(2)
    expect(r.json().error).toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^Cannot use the sandbox database .*: part of the path is a file/),
    })
  })
})
