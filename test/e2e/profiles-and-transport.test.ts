import { existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { UNKNOWN_ORG, freshHome, runCli, startTestServer, type TestServer } from '../helpers/cli.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.server.close())

/** A throwaway HTTP server on 127.0.0.1 that injects faults. */
async function faultServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

describe('login, profiles and logout', () => {
  it('checks a piped token, saves it in a 0600 file with --insecure-storage, and later commands use the profile', async () => {
    const env = freshHome()
    const login = await runCli(
      ['login', '--api-url', t.server.url, '--profile', 'local', '--insecure-storage', '--json'],
      { env, input: `${t.token}\n` },
    )
    expect(login.code, login.stderr).toBe(0)
    expect(login.json()).toEqual({
      profile: 'local',
      apiUrl: t.server.url,
      active: true,
      tokenStorage: 'plain',
    })
    expect(login.stdout + login.stderr).not.toContain(t.token)
    const file = join(env.XDG_CONFIG_HOME!, 'orgctl', 'config.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700)

    const [list, csv] = await Promise.all([
      runCli(['profiles', 'list', '--json'], { env }),
      runCli(['profiles', 'list', '--csv'], { env }),
    ])
    expect(list.json()).toEqual([
      { name: 'local', apiUrl: t.server.url, active: true, loggedIn: true, tokenStorage: 'plain' },
    ])
    expect(csv.stdout).toBe(
      `name,apiUrl,active,loggedIn,tokenStorage\nlocal,${t.server.url},true,true,plain\n`,
    )

    const created = await runCli(
      ['org', 'create', '--name', 'Via profile', '--country-code', 'FR', '--json'],
      {
        env,
      },
    )
    expect(created.code).toBe(0)
    expect(created.stderr).not.toMatch(/sandbox/)

    const use = await runCli(['profiles', 'use', 'local'], { env })
    expect(use.stdout).toMatch(/local/)
    expect((await runCli(['profiles', 'use', 'nope'], { env })).code).toBe(2)

    const logout = await runCli(['logout', '--json'], { env })
    expect(logout.json()).toEqual({ profile: 'local', loggedOut: true, removedFrom: 'plain' })
    const after = await runCli(['org', 'get', UNKNOWN_ORG], { env })
    expect(after.code).toBe(3)
    expect(after.stderr).toMatch(/Run `orgctl login`/)
  })

  it('rejects a token the API refuses (exit 3) and saves nothing', async () => {
    const env = freshHome()
    const r = await runCli(['login', '--api-url', t.server.url, '--insecure-storage'], {
      env,
      input: 'not-a-token',
    })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/rejected this token/)
    expect(existsSync(join(env.XDG_CONFIG_HOME!, 'orgctl', 'config.json'))).toBe(false)
  })

  it('needs --api-url when no profile has one', async () => {
    const r = await runCli(['login'], { env: freshHome(), input: 'x' })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--api-url/)
  })
})

describe('network faults (exit 7 after retries)', () => {
  it('exits 7 when nothing listens, after retrying', async () => {
    const probe = await faultServer(() => {})
    await probe.close()
    const r = await runCli(['org', 'get', UNKNOWN_ORG, '--api-url', probe.url, '--timeout', '1', '--json'], {
      env: t.env,
    })
    expect(r.code).toBe(7)
    expect(r.json().error).toMatchObject({
      exitCode: 7,
      message: expect.stringMatching(/ECONNREFUSED \(5 attempts\)/),
    })
  })

  it('exits 7 when every attempt times out', async () => {
    const hang = await faultServer(() => {})
    try {
      const r = await runCli(['org', 'get', UNKNOWN_ORG, '--api-url', hang.url, '--timeout', '0.2'], {
        env: t.env,
      })
      expect(r.code).toBe(7)
      expect(r.stderr).toMatch(/within 0.2s \(5 attempts\)/)
    } finally {
      await hang.close()
    }
  })

  it('retries a 503 HTML page and reports a short excerpt, not the page', async () => {
    let hits = 0
    const s = await faultServer((_req, res) => {
      hits++
      res.writeHead(503, { 'content-type': 'text/html', 'retry-after': '0' })
      res.end(
        `<html><head><title>Service Unavailable</title></head><body>${'<p>x</p>'.repeat(500)}</body></html>`,
      )
    })
    try {
      const r = await runCli(['org', 'get', UNKNOWN_ORG, '--api-url', s.url], { env: t.env })
      expect(r.code).toBe(7)
      expect(hits).toBe(5)
      expect(r.stderr).toMatch(/Service Unavailable \(after 5 attempts\)/)
      expect(r.stderr).not.toContain('<p>')
    } finally {
      await s.close()
    }
  })

  it('retries a POST with the same idempotency key, then follows Location', async () => {
    const keys: string[] = []
    const agents: string[] = []
    const id = '11111111-2222-4333-8444-555555555555'
    const s = await faultServer((req, res) => {
      agents.push(String(req.headers['user-agent']))
      if (req.method === 'POST') {
        keys.push(String(req.headers['idempotency-key']))
        if (keys.length < 3) {
          res.writeHead(502).end('bad gateway')
          return
        }
        res.writeHead(201, { location: `/api/organizations/${id}` }).end()
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id, name: 'Retried', status: 'active', owner: id }))
    })
    try {
      const r = await runCli(
        ['org', 'create', '--name', 'Retried', '--country-code', 'US', '--api-url', s.url, '--json'],
        { env: t.env },
      )
      expect(r.code).toBe(0)
      expect(r.json()).toMatchObject({ id, organization: { name: 'Retried' } })
      expect(keys).toHaveLength(3)
      expect(new Set(keys).size).toBe(1)
      expect(agents[0]).toMatch(/^orgctl\/\d+\.\d+\.\d+/)
    } finally {
      await s.close()
    }
  })

  it('reports success without an ID when the API sends neither Location nor id', async () => {
    const s = await faultServer((_req, res) => res.writeHead(201).end())
    try {
      const [table, json] = await Promise.all([
        runCli(['org', 'create', '--name', 'Anon', '--country-code', 'US', '--api-url', s.url], {
          env: t.env,
        }),
        runCli(['org', 'create', '--name', 'Anon', '--country-code', 'US', '--api-url', s.url, '--json'], {
          env: t.env,
        }),
      ])
      expect(table.code).toBe(0)
      expect(table.stdout).toBe('Organization created.\n')
      expect(table.stderr).toMatch(/created, but the server returned no usable ID/)
      expect(json.json()).toEqual({
        id: null,
        organization: null,
        note: 'created, but the server returned no usable ID',
      })
    } finally {
      await s.close()
    }
  })
})

describe('sandbox reset', () => {
  it('needs --yes without a terminal, then deletes the sandbox files', async () => {
    const env = { ...freshHome() }
    const db = join(env.HOME!, 'sb', 'sandbox.db')
    const sandboxEnv = { ...env, ORGCTL_SANDBOX_DB: db }
    expect(
      (await runCli(['org', 'create', '--name', 'Temp', '--country-code', 'US'], { env: sandboxEnv })).code,
    ).toBe(0)
    expect(existsSync(db)).toBe(true)
    const refused = await runCli(['sandbox', 'reset'], { env: sandboxEnv, keepStdinOpen: true })
    expect(refused.code).toBe(2)
    const r = await runCli(['sandbox', 'reset', '--yes', '--json'], { env: sandboxEnv })
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({ dbPath: db, reset: true })
    expect(existsSync(db)).toBe(false)
  })
})
