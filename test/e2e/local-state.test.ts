import { spawn } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join, relative, resolve } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { freshHome, runCli, startTestServer, type CliRun, type TestServer } from '../helpers/cli.js'
import { baseEnv } from '../helpers/tmp.js'

/*
 * Everything orgctl writes under its config and data folders is the user's alone (SECURITY.md "Local
 * state"): folders 0700, files 0600 whatever the umask, looser ones tightened; a journal that someone else
 * could have written is refused; the spool of a killed stdin run is removed by the next run.
 */

const BIN = resolve(import.meta.dirname, '../../bin/run.js')

/** `orgctl ...args` under `umask 000`, the most permissive a user can set. */
function runUmask000(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  return new Promise((done, reject) => {
    const child = spawn('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, BIN, ...args], {
      env: { ...baseEnv(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.stdin.end(input ?? '')
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr, ms: 0, json: () => JSON.parse(stdout) })
    })
  })
}

/** Every file and folder under `root` (not `root` itself) with its permission bits. */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      const st = lstatSync(path)
      out[`${relative(root, path)}${st.isDirectory() ? '/' : ''}`] = (st.mode & 0o777).toString(8)
      if (st.isDirectory()) walk(path)
    }
  }
  walk(root)
  return out
}

const PEOPLE = 'email,name,roles\nada@example.com,Ada,3\nnot-an-address,Bad,3\n'

let t: TestServer
let orgId: string

/** A fresh home whose commands go to the test server. */
function remoteHome(): Record<string, string> {
  return { ...freshHome(), ORGCTL_API_URL: t.server.url, ORGCTL_TOKEN: t.token }
}
beforeAll(async () => {
  t = await startTestServer()
  const created = await runCli(['org', 'create', '--name', 'State Co', '--country-code', 'US', '--json'], {
    env: t.env,
  })
  orgId = created.json().id
})
afterAll(() => t.server.close())

describe('under umask 000, every file orgctl writes is 0600 and every folder 0700', () => {
  it('profile file, sandbox data, journal, spool folder and report', async () => {
    const home = freshHome()
    const login = await runUmask000(['login', '--insecure-storage', '--api-url', t.server.url], home, t.token)
    expect(login.code, login.stderr).toBe(0)
    // The same home with a config folder that has no profile: these commands use the sandbox, in the
    // default data folder (its config folder is orgctl's too, so it is walked and checked as well).
    const sandbox = { ...home, XDG_CONFIG_HOME: join(home.HOME!, 'no-config') }
    const created = await runUmask000(
      ['org', 'create', '--name', 'Umask Co', '--country-code', 'US', '--json'],
      sandbox,
    )
    expect(created.code, created.stderr).toBe(0)
    const sandboxOrg = created.json().id
    const report = join(home.HOME!, 'failed.csv')
    const bulk = await runUmask000(
      ['invite', 'send', sandboxOrg, '--file', '-', '--report', report, '--json'],
      sandbox,
      PEOPLE,
    )
    expect(bulk.code, bulk.stderr).toBe(6) // one invalid row: the report has something in it
    expect(bulk.json()).toMatchObject({ sent: 1, invalid: 1 })

    const seen = modes(home.HOME!)
    // What this test expects to exist, so that a renamed folder cannot make the test pass vacuously.
    expect(Object.keys(seen)).toEqual(
      expect.arrayContaining([
        '.config/orgctl/',
        '.config/orgctl/config.json',
        '.local/share/orgctl/',
        '.local/share/orgctl/sandbox.db',
        '.local/share/orgctl/journals/',
        '.local/share/orgctl/spool/',
        'failed.csv',
      ]),
    )
    expect(Object.keys(seen).some((p) => p.endsWith('.journal.db'))).toBe(true)
    for (const [path, mode] of Object.entries(seen))
      expect(`${path} ${mode}`).toBe(`${path} ${path.endsWith('/') ? '700' : '600'}`)
  })

  it('tightens folders and files an older version left looser, and the run goes on', async () => {
    const env = remoteHome()
    const data = join(env.XDG_DATA_HOME!, 'orgctl')
    const file = join(env.HOME!, 'people.csv')
    writeFileSync(file, PEOPLE.replace('ada@', 'tight@'))
    const first = await runCli(['invite', 'send', orgId, '--file', file], { env })
    expect(first.code, first.stderr).toBe(6)
    const journals = join(data, 'journals')
    const [journal] = readdirSync(journals)
    chmodSync(data, 0o755)
    chmodSync(journals, 0o755)
    chmodSync(join(journals, journal!), 0o644)
    const report = join(env.HOME!, 'old-report.csv')
    writeFileSync(report, 'old\n', { mode: 0o644 })
    chmodSync(report, 0o644)

    const again = await runCli(['invite', 'send', orgId, '--file', file, '--report', report], { env })
    expect(again.code, again.stderr).toBe(6)
    expect(again.stderr).toContain('Resuming an earlier run')
    expect(statSync(data).mode & 0o777).toBe(0o700)
    expect(statSync(journals).mode & 0o777).toBe(0o700)
    expect(statSync(join(journals, journal!)).mode & 0o777).toBe(0o600)
    expect(statSync(report).mode & 0o777).toBe(0o600)
  })
})

describe('journals someone else could have written are refused', () => {
  async function journaled(tag: string) {
    const env = remoteHome()
    const file = join(env.HOME!, 'people.csv')
    writeFileSync(file, `email,name,roles\n${tag}@example.com,${tag},3\n`)
    const first = await runCli(['invite', 'send', orgId, '--file', file], { env })
    expect(first.code, first.stderr).toBe(0)
    const dir = join(env.XDG_DATA_HOME!, 'orgctl', 'journals')
    return { env, file, journal: join(dir, readdirSync(dir)[0]!) }
  }

  it('a journal writable by group or others: exit 2, a message naming the file and its mode, left as it is', async () => {
    const { env, file, journal } = await journaled('shared')
    chmodSync(journal, 0o666)
    const r = await runCli(['invite', 'send', orgId, '--file', file], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      `refusing to use the journal ${journal}: it is writable by group or others (mode 0666)`,
    )
    expect(r.stderr).toMatch(/remove it .* or make it yours alone/)
    expect(statSync(journal).mode & 0o777).toBe(0o666) // not silently "fixed"
    const json = await runCli(['invite', 'send', orgId, '--file', file, '--json'], { env })
    expect(json.code).toBe(2)
    expect(json.json().error.message).toContain('writable by group or others')
  })

  it('a journal owned by another user (chown nobody; needs root, as CI runs): exit 2', async () => {
    expect(process.getuid?.(), 'this test chowns a file to another user, which needs root').toBe(0)
    const { env, file, journal } = await journaled('theirs')
    chownSync(journal, 65534, 65534)
    const r = await runCli(['invite', 'send', orgId, '--file', file], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      `refusing to use the journal ${journal}: it belongs to another user (uid 65534)`,
    )
  })
})

describe('the spool of a killed stdin run', () => {
  it('is removed by the next run', async () => {
    const env = remoteHome()
    const spool = join(env.XDG_DATA_HOME!, 'orgctl', 'spool')
    // A stdin run that is still reading its input when it is killed: its spool is on disk, half written.
    const child = spawn(process.execPath, [BIN, 'invite', 'send', orgId, '--file', '-'], {
      env: { ...baseEnv(), ...env },
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    child.stdin.write('email,name,roles\nkilled@example.com,Killed,3\n')
    const deadline = Date.now() + 30_000
    while (!(existsSync(spool) && readdirSync(spool).length > 0)) {
      expect(Date.now() < deadline, 'the stdin run never spooled its input').toBe(true)
      await new Promise((r) => setTimeout(r, 50))
    }
    const [left] = readdirSync(spool)
    const exited = new Promise((r) => child.on('exit', r))
    child.kill('SIGKILL')
    await exited
    expect(readdirSync(spool)).toEqual([left]) // nothing cleaned it up: the process had no chance

    const file = join(env.HOME!, 'people.csv')
    writeFileSync(file, PEOPLE)
    const next = await runCli(['invite', 'send', orgId, '--file', file, '--dry-run'], { env })
    expect(next.code).toBe(6)
    expect(readdirSync(spool)).toEqual([])
  })

  it('of a run still alive is kept', async () => {
    const env = remoteHome()
    const spool = join(env.XDG_DATA_HOME!, 'orgctl', 'spool')
    mkdirSync(spool, { recursive: true, mode: 0o700 })
    // This test process is alive: a spool named after it belongs to a running run.
    const alive = join(spool, `stdin-${process.pid}-1.part`)
    writeFileSync(alive, 'email,name,roles\n')
    const file = join(env.HOME!, 'people.csv')
    writeFileSync(file, PEOPLE)
    const next = await runCli(['invite', 'send', orgId, '--file', file, '--dry-run'], { env })
    expect(next.code).toBe(6)
    expect(existsSync(alive)).toBe(true)
  })
})
