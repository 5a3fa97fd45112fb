import { createServer } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { freshHome, runCli, startTestServer, type TestServer } from '../helpers/cli.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.server.close())

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise((r) => server.close(r))
  return port
}

describe('orgctl doctor', () => {
  it('says the target and token come from the environment and that the token is accepted', async () => {
    const r = await runCli(['doctor', '--json'], { env: t.env })
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({
      ok: true,
      target: 'remote',
      apiUrl: t.server.url,
      targetFrom: 'env',
      profile: null,
      tokenFrom: 'env',
      tokenStorage: 'env',
      profiles: [],
      apiAnswers: true,
      apiStatus: 404,
      tokenAccepted: true,
      configExists: false,
      configMode: null,
      sandboxDb: null,
    })
    expect(r.json().configPath).toMatch(/orgctl[/\\]config\.json$/)
  })

  it('exits 3 and says so when the token is rejected', async () => {
    const r = await runCli(['doctor', '--json'], { env: { ...t.env, ORGCTL_TOKEN: 'not-a-real-token' } })
    expect(r.code).toBe(3)
    expect(r.json()).toMatchObject({ ok: false, apiAnswers: true, apiStatus: 401, tokenAccepted: false })
  })

  it('exits 7 when nothing answers at the URL given with --api-url', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const r = await runCli(['doctor', '--api-url', url, '--json'], {
      env: { ...t.env, ORGCTL_TOKEN: t.token },
    })
    expect(r.code).toBe(7)
    expect(r.json()).toMatchObject({
      targetFrom: 'flag',
      apiUrl: url,
      apiAnswers: false,
      tokenAccepted: null,
    })
    expect(r.json().apiError).toMatch(/ECONNREFUSED|reach/)
  })

  it('explains a saved profile: active, from ORGCTL_PROFILE or from --profile, with a 0600 file', async () => {
    const home = freshHome()
    const login = await runCli(
      ['login', '--profile', 'staging', '--api-url', t.server.url, '--insecure-storage', '--json'],
      { env: home, input: t.token },
    )
    expect(login.code, login.stderr).toBe(0)
    const active = await runCli(['doctor', '--json'], { env: home })
    expect(active.code, active.stderr).toBe(0)
    expect(active.json()).toMatchObject({
      ok: true,
      targetFrom: 'profile',
      profile: 'staging',
      profileFrom: 'active',
      tokenFrom: 'profile',
      tokenStorage: 'plain',
      tokenError: null,
      profiles: [{ name: 'staging', apiUrl: t.server.url, tokenStorage: 'plain' }],
      tokenAccepted: true,
      configExists: true,
      configMode: '0600',
    })
    const table = await runCli(['doctor'], { env: home })
    expect(table.stdout).toMatch(/^token\tpresent\tfrom the profile, in plain text in the config file$/m)
    expect(table.stdout).toMatch(/^profile staging\tplain text\t/m)
    expect(table.stdout).not.toContain(t.token)
    const fromEnv = await runCli(['doctor', '--json'], { env: { ...home, ORGCTL_PROFILE: 'staging' } })
    expect(fromEnv.json()).toMatchObject({ profile: 'staging', profileFrom: 'env' })
    const fromFlag = await runCli(['doctor', '--profile', 'staging', '--json'], { env: home })
    expect(fromFlag.json()).toMatchObject({ profile: 'staging', profileFrom: 'flag' })
  })

  it('with nothing configured, checks the local sandbox and prints a plain table when piped', async () => {
    const r = await runCli(['doctor'], { env: freshHome() })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^check\tstatus\tdetail$/m)
    expect(r.stdout).toMatch(/^target\tsandbox\tnothing configured: the local sandbox$/m)
    expect(r.stdout).toMatch(/^token accepted\tyes\t/m)
    expect(r.stdout).toMatch(/^sandbox\t.*sandbox\.db\t/m)
    expect(r.stderr).toMatch(/Using the local sandbox/)
  })
})
