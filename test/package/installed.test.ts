// The installed package is a tested product (issue 11): the current build is packed, installed with
// npm into a temporary prefix as a user would (`npm install -g --prefix`, dependencies from npm's cache
// or the registry; see installPacked for better-sqlite3's compile), and the main commands run from the
// prefix's bin/ in another folder with a fresh HOME. One install per test run, in the serial "load"
// group (vitest.config.ts).
import { spawn } from 'node:child_process'
import { readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { tracedFiles } from '../startup/modules.js'
import { baseEnv, tempDir } from '../helpers/tmp.js'
import { ROOT, installPacked } from './tarball.js'

const TRACER = join(ROOT, 'test/startup/trace-modules.mjs')
const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }

let work: string
let bin: string
let cwd: string

beforeAll(async () => {
  work = tempDir('installed')
  const prefix = await installPacked(work)
  bin = join(prefix, 'bin', 'orgctl')
  cwd = tempDir('elsewhere')
}, 900_000)

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the installed `orgctl` as a user's shell would: its bin link, node on PATH, cwd elsewhere. */
function orgctl(args: string[], env: Record<string, string> = {}, home = freshHome()): Promise<Run> {
  return new Promise((done, reject) => {
    const child = spawn(bin, args, {
      cwd,
      env: {
        ...baseEnv(),
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        ...home,
        NO_COLOR: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr })
    })
  })
}

function freshHome(): Record<string, string> {
  const home = tempDir('installed-home')
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share') }
}

/**
 * Whether a run of the installed copy loaded oclif, which the bundle (dist/index.js) holds: seen with
 * test/startup's module tracer.
 */
async function loadsOclif(args: string[]): Promise<{ run: Run; oclif: boolean }> {
  const trace = join(tempDir('installed-trace'), 'modules.txt')
  const r = await orgctl(args, { NODE_OPTIONS: `--import=${TRACER}`, ORGCTL_TRACE_MODULES: trace })
  let text = ''
  try {
    text = readFileSync(trace, 'utf8')
  } catch {
    // nothing beyond the entry was loaded
  }
  const files = tracedFiles(text)
  // The tracer saw the run (the entry itself), so "no oclif" below is not the silence of a broken trace.
  expect(files.some((f) => f.endsWith('/orgctl/bin/run.js'))).toBe(true)
  return { run: r, oclif: files.some((f) => f.endsWith('/orgctl/dist/index.js') || f.includes('/@oclif/')) }
}

describe('the package installed into a prefix', () => {
  it('is a copy, not a link to this clone', () => {
    const real = realpathSync(bin)
    expect(real.startsWith(join(work, 'prefix'))).toBe(true)
    expect(real.startsWith(ROOT)).toBe(false)
  })

  it('answers --version and --help from the fast paths, exactly as oclif does', async () => {
    for (const argv of [['--version'], ['--help'], ['org', 'get', '--help'], ['members', 'list', '-h']]) {
      const [fast, slow] = await Promise.all([loadsOclif(argv), orgctl(argv, { ORGCTL_FAST_PATHS: '0' })])
      expect(fast.oclif, `${argv.join(' ')} loaded oclif`).toBe(false)
      expect(fast.run).toEqual(slow)
      expect(slow.code).toBe(0)
    }
    const version = await orgctl(['--version'])
    expect(version.stdout).toMatch(new RegExp(`^orgctl/${pjson.version.replaceAll('.', '\\.')} \\S+ node-v`))
  })

  it('shows `orgctl version --json`', async () => {
    const r = await orgctl(['version', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      version: pjson.version,
      nodeVersion: process.version,
      sqliteDriver: expect.any(String),
    })
  })

  it('runs the main commands on the sandbox default, from a fresh HOME', async () => {
    const home = freshHome()
    const created = await orgctl(
      ['org', 'create', '--name', 'Installed Co', '--country-code', 'NL', '--json'],
      {},
      home,
    )
    expect(created.code).toBe(0)
    expect(created.stderr).toMatch(/Using the local sandbox at .*sandbox\.db/)
    const id = (JSON.parse(created.stdout) as { id: string }).id
    expect(id).toMatch(/^[0-9a-f-]{36}$/)

    const got = await orgctl(['org', 'get', id, '--json'], {}, home)
    expect(got.code).toBe(0)
    expect(JSON.parse(got.stdout)).toMatchObject({ id, name: 'Installed Co', countryCode: 'NL' })

    const invited = await orgctl(
      ['invite', 'send', id, '--email', 'ada@example.com', '--name', 'Ada', '--role', '3', '--json'],
      {},
      home,
    )
    expect(invited.code).toBe(0)

    const members = await orgctl(['members', 'list', id, '--json'], {}, home)
    expect(members.code).toBe(0)
    expect(JSON.parse(members.stdout).members.length).toBeGreaterThanOrEqual(1)

    const charged = await orgctl(
      [
        'wallet',
        'charge',
        id,
        '--amount',
        '500',
        '--sms-point',
        '50',
        '--reason',
        'installed',
        '--yes',
        '--json',
      ],
      {},
      home,
    )
    expect(charged.code).toBe(0)
    expect(JSON.parse(charged.stdout)).toMatchObject({ organizationId: id, amount: 500, smsPoints: 50 })

    // Usage errors still map to their exit code in the installed copy.
    const bad = await orgctl(['org', 'get', 'not-a-uuid'], {}, home)
    expect(bad.code).toBe(2)
  })

  describe('against a separately started server', () => {
    let server: ReturnType<typeof spawn>
    let url: string
    const token = `installed-admin-${Math.random().toString(36).slice(2)}`
    beforeAll(async () => {
      const dir = tempDir('installed-server')
      server = spawn(bin, ['server', 'start', '--port', '0', '--db', join(dir, 'sandbox.db'), '--quiet'], {
        cwd,
        env: {
          ...baseEnv(),
          PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
          ...freshHome(),
          ORGCTL_ADMIN_TOKEN: token,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      url = await new Promise<string>((done, reject) => {
        let out = ''
        server.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d
          const m = /Listening on (http:\/\/\S+)\n/.exec(out)
          if (m) done(m[1]!)
        })
        server.on('exit', (code) => reject(new Error(`server start exited ${code}`)))
      })
    })
    afterAll(async () => {
      if (server.exitCode !== null) return
      const exited = new Promise((done) => server.on('exit', done))
      server.kill('SIGTERM')
      await exited
    })

    it('creates and reads an organization over HTTP', async () => {
      const env = { ORGCTL_API_URL: url, ORGCTL_TOKEN: token }
      const created = await orgctl(
        ['org', 'create', '--name', 'Remote Co', '--country-code', 'DE', '--json'],
        env,
      )
      expect(created.code).toBe(0)
      expect(created.stderr).not.toContain('sandbox')
      const id = (JSON.parse(created.stdout) as { id: string }).id
      const got = await orgctl(['org', 'get', id, '--json'], env)
      expect(got.code).toBe(0)
      // Nothing on stderr: no warning from Node or V8 (bin/run.js sets a V8 flag) in the installed copy.
      expect(got.stderr).toBe('')
      expect(JSON.parse(got.stdout)).toMatchObject({ id, name: 'Remote Co' })
      const missing = await orgctl(['org', 'get', '9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f'], env)
      expect(missing.code).toBe(4)
    })
  })
})
