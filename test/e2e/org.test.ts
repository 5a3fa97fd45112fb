import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { UNKNOWN_ORG, freshHome, runCli, startTestServer, type TestServer } from '../helpers/cli.js'

let t: TestServer
let orgId: string
beforeAll(async () => {
  t = await startTestServer()
  const created = await runCli(['org', 'create', '--name', 'Acme, Inc', '--country-code', 'eg', '--json'], {
    env: t.env,
  })
  expect(created.code).toBe(0)
  orgId = created.json().id
})
afterAll(() => t.server.close())

describe('org create', () => {
  it('shows the created organization as a table, following Location, with nothing on stderr', async () => {
    const r = await runCli(['org', 'create', '--name', 'Table Co', '--country-code', 'US'], { env: t.env })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^name\tTable Co$/m)
    expect(r.stdout).toMatch(/^countryCode\tUS$/m)
    expect(r.stderr).toBe('')
  })

  it('prints {id, organization} as the only JSON document with --json', async () => {
    const r = await runCli(['org', 'create', '--name', 'Json Co', '--country-code', 'GB', '--json'], {
      env: t.env,
    })
    const body = r.json()
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(body.organization).toMatchObject({
      id: body.id,
      name: 'Json Co',
      countryCode: 'GB',
      status: 'active',
    })
    expect(r.stderr).toBe('')
  })

  it('rejects an unassigned country code before sending, naming the flag (exit 2)', async () => {
    const r = await runCli(['org', 'create', '--name', 'X', '--country-code', 'UK'], { env: t.env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--country-code must be an ISO 3166-1 alpha-2 country code/)
    expect(r.stdout).toBe('')
  })

  it('exits 2 at once on a missing flag without a terminal, even with stdin left open', async () => {
    const r = await runCli(['org', 'create', '--country-code', 'US'], {
      env: t.env,
      keepStdinOpen: true,
    })
    // Exited by itself (a process still waiting on stdin would be killed by runCli and report null).
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Missing required flag --name/)
  })
})

describe('org get', () => {
  it('renders table, JSON and CSV', async () => {
    const [table, json, csv, cols] = await Promise.all([
      runCli(['org', 'get', orgId], { env: t.env }),
      runCli(['org', 'get', orgId, '--output', 'json'], { env: t.env }),
      runCli(['org', 'get', orgId, '--csv'], { env: t.env }),
      runCli(['org', 'get', orgId, '--csv', '--columns', 'name,countryCode', '--no-header'], { env: t.env }),
    ])
    expect(table.stdout).toContain(orgId)
    expect(json.json()).toMatchObject({
      id: orgId,
      name: 'Acme, Inc',
      countryCode: 'EG',
      avatarUrl: null,
      status: 'active',
    })
    expect(csv.stdout.split('\n')[0]).toBe(
      'id,name,countryCode,status,statusReason,type,owner,avatarUrl,createdAt,updatedAt',
    )
    expect(csv.stdout).toContain(`${orgId},"Acme, Inc",EG,active`)
    expect(cols.stdout).toBe('"Acme, Inc",EG\n')
    for (const r of [table, json, csv, cols]) {
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
    }
  })

  it('exits 4 for an unknown organization, with the error as JSON under --json', async () => {
    const r = await runCli(['org', 'get', UNKNOWN_ORG, '--json'], { env: t.env })
    expect(r.code).toBe(4)
    expect(r.json()).toEqual({
      error: { message: expect.stringMatching(/Not found/), exitCode: 4, status: 404, fields: null },
    })
  })

  it('exits 2 for an ORG that is neither a UUID nor a known alias', async () => {
    const r = await runCli(['org', 'get', 'acme'], { env: t.env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/ORG: no alias "acme" \(no aliases yet\)/)
    const bad = await runCli(['org', 'get', 'not/a-uuid'], { env: t.env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/ORG must be an organization ID \(a UUID/)
  })

  it('exits 3 with a hint naming ORGCTL_TOKEN when that token is rejected', async () => {
    const r = await runCli(['org', 'get', orgId], { env: { ...t.env, ORGCTL_TOKEN: 'wrong-token' } })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/ORGCTL_TOKEN/)
    expect(r.stderr).toMatch(/orgctl login/)
    expect(r.stderr).not.toContain('wrong-token')
  })

  it('--debug traces requests on stderr without the token', async () => {
    const r = await runCli(['org', 'get', orgId, '--debug', '--json'], { env: t.env })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/api\/organizations\/\S+ → 200 \d+ms \(attempt 1\)/,
    )
    expect(r.stderr).toContain('[redacted]')
    expect(r.stderr).not.toContain(t.token)
    expect(r.stdout).not.toContain(t.token)
    expect(r.json().id).toBe(orgId)
  })
})

describe('org update', () => {
  it('changes the status and shows the organization', async () => {
    const r = await runCli(
      ['org', 'update', orgId, '--status', 'suspended', '--status-reason', 'Unpaid', '--json'],
      { env: t.env },
    )
    expect(r.code).toBe(0)
    expect(r.json()).toMatchObject({ id: orgId, status: 'suspended', statusReason: 'Unpaid' })
    const table = await runCli(['org', 'update', orgId, '--status', 'active'], { env: t.env })
    expect(table.stdout).toMatch(/^status\tactive$/m)
    const csv = await runCli(['org', 'update', orgId, '--name', 'Acme', '--csv', '--columns', 'name'], {
      env: t.env,
    })
    expect(csv.stdout).toBe('name\nAcme\n')
  })

  it('exits 2 when there is nothing to update or the status is unknown', async () => {
    const [none, bad] = await Promise.all([
      runCli(['org', 'update', orgId], { env: t.env }),
      runCli(['org', 'update', orgId, '--status', 'deleted'], { env: t.env }),
    ])
    expect(none.code).toBe(2)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--status must be one of active, suspended, inactive/)
  })
})

describe('org avatar', () => {
  it('uploads an image and shows its URL', async () => {
    const file = join(t.dir, 'logo.png')
    // A valid 1x1 PNG.
    writeFileSync(
      file,
      Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
        'base64',
      ),
    )
    const r = await runCli(['org', 'avatar', orgId, file, '--json'], { env: t.env })
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({
      organizationId: orgId,
      avatarUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/media\/avatars\/[0-9a-f]{64}\.png$/),
    })
    const table = await runCli(['org', 'avatar', orgId, file], { env: t.env })
    expect(table.stdout).toMatch(/avatarUrl/)
    const csv = await runCli(['org', 'avatar', orgId, file, '--csv', '--no-header'], { env: t.env })
    expect(csv.stdout).toMatch(new RegExp(`^${orgId},http://`))
  })

  it('refuses a file that is not an image before sending (exit 2)', async () => {
    const file = join(t.dir, 'notes.png')
    writeFileSync(file, 'hello')
    const r = await runCli(['org', 'avatar', orgId, file], { env: t.env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/FILE must be a PNG, JPEG, GIF or WebP image/)
  })
})

describe('the sandbox default', () => {
  it('creates and then reads an organization with no configuration at all', async () => {
    const env = freshHome()
    const created = await runCli(
      ['org', 'create', '--name', 'Sandbox Co', '--country-code', 'US', '--json'],
      {
        env,
      },
    )
    expect(created.code).toBe(0)
    expect(created.stderr).toMatch(
      /Using the local sandbox at .*orgctl\/sandbox\.db \(no profile configured\)\./,
    )
    const id = created.json().id
    const got = await runCli(['org', 'get', id, '--json'], { env })
    expect(got.code).toBe(0)
    expect(got.json()).toMatchObject({ id, name: 'Sandbox Co' })
    expect(got.stderr.match(/Using the local sandbox/g)).toHaveLength(1)
  })
})
