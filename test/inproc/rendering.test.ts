import { rmSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import MembersList from '../../src/commands/members/list.js'
import OrgCreate from '../../src/commands/org/create.js'
import OrgGet from '../../src/commands/org/get.js'
import { startServer, type RunningServer } from '../../src/server/sandbox.js'
import { runCommand } from '../helpers/run-command.js'
import { tempDir } from '../helpers/tmp.js'

// Commands run in this process against a real sandbox server on 127.0.0.1: the fast ring for rendering
// and error mapping (the spawn tests in test/e2e prove the built binary).
let server: RunningServer
let dir: string
let env: Record<string, string>
let orgId: string
const TOKEN = 'inproc-admin-token-0123456789'

beforeAll(async () => {
  dir = tempDir('inproc')
  server = await startServer({ dbPath: join(dir, 'sandbox.db'), adminToken: TOKEN })
  env = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    NO_COLOR: '1',
    ORGCTL_API_URL: server.url,
    ORGCTL_TOKEN: TOKEN,
  }
  const created = await runCommand(OrgCreate, ['--name', 'Inproc Co', '--country-code', 'EG', '--json'], {
    env,
  })
  expect(created, created.stderr).toMatchObject({ code: 0 })
  orgId = created.json().id
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('org get, in process', () => {
  it('prints a tab-separated record when piped', async () => {
    const run = await runCommand(OrgGet, [orgId, '--columns', 'id,name,countryCode'], { env })
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toBe(`id\t${orgId}\nname\tInproc Co\ncountryCode\tEG\n`)
  })

  it('draws a boxed table on a terminal', async () => {
    const run = await runCommand(OrgGet, [orgId, '--columns', 'name,status'], { env, tty: { columns: 80 } })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^┌─+┬─+┐\n│ name +│ Inproc Co +│\n│ status +│ active +│\n└/)
  })

  it('prints CSV and JSON', async () => {
    const csv = await runCommand(OrgGet, [orgId, '--csv', '--columns', 'name,countryCode'], { env })
    expect(csv.stdout).toBe('name,countryCode\nInproc Co,EG\n')
    const json = await runCommand(OrgGet, [orgId, '--json'], { env })
    expect(json.json()).toMatchObject({ id: orgId, name: 'Inproc Co', status: 'active' })
  })

  it('exits 2 naming ORG for a malformed ID or an unknown alias, with nothing sent', async () => {
    const run = await runCommand(OrgGet, ['not/a-uuid'], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/ORG must be an organization ID \(a UUID/)
    expect(run.stdout).toBe('')
    const alias = await runCommand(OrgGet, ['not-a-uuid'], { env })
    expect(alias.code).toBe(2)
    expect(alias.stderr).toMatch(/ORG: no alias "not-a-uuid"/)
  })

  it('exits 4 for an unknown organization, and with --json prints one error document', async () => {
    const unknown = '9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f'
    const run = await runCommand(OrgGet, [unknown], { env })
    expect(run.code).toBe(4)
    expect(run.stderr).toMatch(/^Error: Not found \(404\)/)
    const json = await runCommand(OrgGet, [unknown, '--json'], { env })
    expect(json.code).toBe(4)
    expect(json.json()).toEqual({
      error: { message: expect.any(String), exitCode: 4, status: 404, fields: null },
    })
  })

  it('exits 3 with the ORGCTL_TOKEN hint when the token is rejected', async () => {
    const run = await runCommand(OrgGet, [orgId], { env: { ...env, ORGCTL_TOKEN: 'wrong-token-abcdef' } })
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/ORGCTL_TOKEN was rejected/)
  })

  it('applies --jq to the result', async () => {
    const run = await runCommand(OrgGet, [orgId, '--jq', '.countryCode'], { env })
    expect(run).toMatchObject({ code: 0, stdout: 'EG\n' })
  })
})

describe('members list, in process', () => {
  it('lists the owner as TSV when piped and refuses an unknown column', async () => {
    const run = await runCommand(MembersList, [orgId, '--columns', 'id,roles'], { env })
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')[0]).toBe('id\troles')
    const bad = await runCommand(MembersList, [orgId, '--columns', 'colour'], { env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown column "colour"/)
  })
})
