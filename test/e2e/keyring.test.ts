// Tokens at rest (issue 16): the OS keyring through a real Secret Service (gnome-keyring-daemon on a
// D-Bus session of its own), and what orgctl does when there is no keyring, or one that never answers.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  UNKNOWN_ORG,
  freshHome,
  runCli,
  startTestServer,
  type CliRun,
  type TestServer,
} from '../helpers/cli.js'
import { filesContaining, silentBus, startSecretService, type SecretService } from '../helpers/keyring.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.server.close())

const configFile = (home: Record<string, string>) => join(home.XDG_CONFIG_HOME!, 'orgctl', 'config.json')
const readConfig = (home: Record<string, string>) => JSON.parse(readFileSync(configFile(home), 'utf8'))

/** A profile file as an earlier `orgctl login` would have left it. */
function writeConfig(home: Record<string, string>, config: unknown): void {
  mkdirSync(join(home.XDG_CONFIG_HOME!, 'orgctl'), { recursive: true, mode: 0o700 })
  writeFileSync(configFile(home), JSON.stringify(config), { mode: 0o600 })
  chmodSync(configFile(home), 0o600)
}

/** Nothing that a run printed holds the token. */
function expectNoToken(runs: CliRun[]): void {
  for (const r of runs) expect(r.stdout + r.stderr).not.toContain(t.token)
}

describe('with a Secret Service (gnome-keyring-daemon under dbus-run-session)', () => {
  let keyring: SecretService
  beforeAll(async () => {
    keyring = await startSecretService()
  })
  afterAll(() => keyring?.stop())

  // A generous keyring timeout: the daemon starts on first use, on a shared, loaded machine.
  const env = (home: Record<string, string>) => ({
    ...home,
    DBUS_SESSION_BUS_ADDRESS: keyring.address,
    ORGCTL_KEYRING_TIMEOUT: '60',
  })

  it('login keeps the token in the keyring and in no file; commands use it; logout removes it', async () => {
    const home = freshHome()
    const login = await runCli(['login', '--api-url', t.server.url, '--profile', 'ci', '--json'], {
      env: env(home),
      input: `${t.token}\n`,
    })
    expect(login.code, login.stderr).toBe(0)
    expect(login.json()).toEqual({
      profile: 'ci',
      apiUrl: t.server.url,
      active: true,
      tokenStorage: 'keyring',
    })
    expect(keyring.read('orgctl', `ci@${t.server.url}`)).toBe(t.token)
    expect(readConfig(home)).toEqual({
      current: 'ci',
      profiles: { ci: { apiUrl: t.server.url, tokenStorage: 'keyring' } },
    })

    const created = await runCli(['org', 'create', '--name', 'Kept Safe', '--country-code', 'FR', '--json'], {
      env: env(home),
    })
    expect(created.code, created.stderr).toBe(0)
    expect(created.stderr).not.toMatch(/sandbox/)
    const got = await runCli(['org', 'get', created.json().id, '--json'], { env: env(home) })
    expect(got.code, got.stderr).toBe(0)
    expect(got.json().name).toBe('Kept Safe')

    const list = await runCli(['profiles', 'list', '--json'], { env: env(home) })
    expect(list.json()).toEqual([
      { name: 'ci', apiUrl: t.server.url, active: true, loggedIn: true, tokenStorage: 'keyring' },
    ])
    const doctor = await runCli(['doctor', '--json'], { env: env(home) })
    expect(doctor.code, doctor.stderr).toBe(0)
    expect(doctor.json()).toMatchObject({
      ok: true,
      tokenFrom: 'profile',
      tokenStorage: 'keyring',
      tokenAccepted: true,
    })
    const table = await runCli(['doctor'], { env: env(home) })
    expect(table.stdout).toMatch(/^token\tpresent\tfrom the profile, in the OS keyring$/m)

    // Every byte of every file under the orgctl HOME (config and data folders alike).
    const { hits, files } = filesContaining(home.HOME!, t.token)
    expect(files).toContain(configFile(home))
    expect(hits).toEqual([])

    const logout = await runCli(['logout', '--json'], { env: env(home) })
    expect(logout.code, logout.stderr).toBe(0)
    expect(logout.json()).toEqual({ profile: 'ci', loggedOut: true, removedFrom: 'keyring' })
    expect(keyring.read('orgctl', `ci@${t.server.url}`)).toBeNull()
    expect(readConfig(home).profiles.ci).toEqual({ apiUrl: t.server.url })
    const after = await runCli(['org', 'get', UNKNOWN_ORG], { env: env(home) })
    expect(after.code).toBe(3)
    expect(after.stderr).toMatch(/Run `orgctl login`/)
    expectNoToken([login, created, got, list, doctor, table, logout, after])
  })

  it('a plain-text profile keeps working, and login again moves its token to the keyring', async () => {
    const home = freshHome()
    writeConfig(home, { current: 'old', profiles: { old: { apiUrl: t.server.url, token: t.token } } })
    expect(filesContaining(home.HOME!, t.token).hits).toEqual([configFile(home)])
    const before = await runCli(['org', 'get', UNKNOWN_ORG, '--json'], { env: env(home) })
    expect(before.code, before.stderr).toBe(4)
    expect((await runCli(['profiles', 'list', '--json'], { env: env(home) })).json()[0].tokenStorage).toBe(
      'plain',
    )

    const login = await runCli(['login'], { env: env(home), input: t.token })
    expect(login.code, login.stderr).toBe(0)
    expect(login.stderr).toMatch(/plain-text copy of its old token was removed/)
    expect(readConfig(home).profiles.old).toEqual({ apiUrl: t.server.url, tokenStorage: 'keyring' })
    expect(filesContaining(home.HOME!, t.token).hits).toEqual([])
    expect(keyring.read('orgctl', `old@${t.server.url}`)).toBe(t.token)
    const after = await runCli(['org', 'get', UNKNOWN_ORG, '--json'], { env: env(home) })
    expect(after.code, after.stderr).toBe(4)

    // A new URL for the profile is a new entry; the old one does not linger.
    const moved = `${t.server.url}/`
    const relogin = await runCli(['login', '--api-url', moved], { env: env(home), input: t.token })
    expect(relogin.code, relogin.stderr).toBe(0)
    expect(keyring.read('orgctl', `old@${t.server.url}`)).toBeNull()
    expect(keyring.read('orgctl', `old@${moved}`)).toBe(t.token)
    keyring.remove('orgctl', `old@${moved}`)
  })

  it('exits 3 naming the profile when its keyring entry was removed outside orgctl', async () => {
    const home = freshHome()
    const login = await runCli(['login', '--api-url', t.server.url, '--profile', 'gone'], {
      env: env(home),
      input: t.token,
    })
    expect(login.code, login.stderr).toBe(0)
    keyring.remove('orgctl', `gone@${t.server.url}`)
    const r = await runCli(['org', 'get', UNKNOWN_ORG, '--json'], { env: env(home) })
    expect(r.code).toBe(3)
    expect(r.json().error.message).toMatch(
      /Profile "gone" .* keyring has no entry for it.*orgctl login --profile gone/,
    )
    const doctor = await runCli(['doctor', '--json'], { env: env(home) })
    expect(doctor.code).toBe(3)
    expect(doctor.json()).toMatchObject({ ok: false, tokenStorage: 'keyring', tokenFrom: 'none' })
    expect(doctor.json().tokenError).toMatch(/no entry/)
  })
})

describe('without a keyring', () => {
  it('login is refused with a message naming --insecure-storage and ORGCTL_TOKEN, and nothing is written', async () => {
    // runCli passes no DBUS_SESSION_BUS_ADDRESS: no session bus, as in a container or a CI job.
    const home = freshHome()
    const r = await runCli(['login', '--api-url', t.server.url], { env: home, input: t.token })
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/No usable OS keyring/)
    expect(r.stderr).toMatch(/nothing was saved/)
    expect(r.stderr).toMatch(/orgctl login --insecure-storage/)
    expect(r.stderr).toMatch(/ORGCTL_TOKEN/)
    const json = await runCli(['login', '--api-url', t.server.url, '--json'], { env: home, input: t.token })
    expect(json.code).toBe(3)
    expect(json.json().error).toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/--insecure-storage/),
    })
    expect(filesContaining(home.HOME!, t.token).files).toEqual([])
    expectNoToken([r, json])
  })

  it('--insecure-storage keeps the token in plain text, 0600 in a 0700 folder, and says so', async () => {
    const home = freshHome()
    const login = await runCli(['login', '--api-url', t.server.url, '--insecure-storage'], {
      env: home,
      input: t.token,
    })
    expect(login.code, login.stderr).toBe(0)
    expect(login.stderr).toMatch(/plain text .*--insecure-storage/)
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o600)
    expect(statSync(join(home.XDG_CONFIG_HOME!, 'orgctl')).mode & 0o777).toBe(0o700)
    expect(readConfig(home).profiles.default).toEqual({ apiUrl: t.server.url, token: t.token })
    const r = await runCli(['org', 'get', UNKNOWN_ORG, '--json'], { env: home })
    expect(r.code, r.stderr).toBe(4)
    const list = await runCli(['profiles', 'list'], { env: home })
    expect(list.stdout).toMatch(/^default\t\S+\ttrue\ttrue\tplain$/m)
  })

  it('ORGCTL_TOKEN needs no keyring, even with a keyring profile active', async () => {
    const bus = await silentBus()
    try {
      const home = freshHome()
      writeConfig(home, {
        current: 'kr',
        profiles: { kr: { apiUrl: t.server.url, tokenStorage: 'keyring' } },
      })
      const hostile = { ...home, DBUS_SESSION_BUS_ADDRESS: bus.address, ORGCTL_KEYRING_TIMEOUT: '1' }
      const withEnv = { ...hostile, ORGCTL_TOKEN: t.token }
      const created = await runCli(
        ['org', 'create', '--name', 'From env', '--country-code', 'EG', '--json'],
        {
          env: withEnv,
        },
      )
      expect(created.code, created.stderr).toBe(0)
      const doctor = await runCli(['doctor', '--json'], { env: withEnv })
      expect(doctor.code, doctor.stderr).toBe(0)
      expect(doctor.json()).toMatchObject({ tokenFrom: 'env', tokenStorage: 'env', tokenError: null })
      expect(bus.connections()).toBe(0)

      // Control: without ORGCTL_TOKEN the same profile does go to that (silent) bus, and gives up.
      const r = await runCli(['org', 'get', UNKNOWN_ORG], { env: hostile })
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/Profile "kr" keeps its token in the OS keyring, which could not be read/)
      expect(r.stderr).toMatch(/no answer within 1 s/)
      expect(r.stderr).toMatch(/ORGCTL_TOKEN/)
      expect(bus.connections()).toBeGreaterThan(0)
    } finally {
      await bus.close()
    }
  })

  it('a keyring that never answers: login gives up after ORGCTL_KEYRING_TIMEOUT and saves nothing', async () => {
    const bus = await silentBus()
    try {
      const home = freshHome()
      const env = { ...home, DBUS_SESSION_BUS_ADDRESS: bus.address, ORGCTL_KEYRING_TIMEOUT: '1' }
      const r = await runCli(['login', '--api-url', t.server.url], { env, input: t.token })
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/No usable OS keyring .*no answer within 1 s/)
      expect(r.stderr).toMatch(/--insecure-storage/)
      expect(existsSync(configFile(home))).toBe(false)
      expect(bus.connections()).toBeGreaterThan(0)

      // logout cannot reach it either: it fails and the profile still says where the token is.
      writeConfig(home, {
        current: 'kr',
        profiles: { kr: { apiUrl: t.server.url, tokenStorage: 'keyring' } },
      })
      const logout = await runCli(['logout'], { env })
      expect(logout.code).toBe(3)
      expect(logout.stderr).toMatch(
        /Could not remove profile "kr"'s token from the OS keyring .*nothing changed/,
      )
      expect(readConfig(home).profiles.kr.tokenStorage).toBe('keyring')

      const bad = await runCli(['login', '--api-url', t.server.url], {
        env: { ...env, ORGCTL_KEYRING_TIMEOUT: 'soon' },
        input: t.token,
      })
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/ORGCTL_KEYRING_TIMEOUT must be a number of seconds/)
    } finally {
      await bus.close()
    }
  })
})
