import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { UNKNOWN_ORG, runCli, startTestServer, type TestServer } from '../helpers/cli.js'

let t: TestServer
let orgId: string
beforeAll(async () => {
  t = await startTestServer()
  orgId = (
    await runCli(['org', 'create', '--name', 'Jq Co', '--country-code', 'EG', '--json'], { env: t.env })
  ).json().id
})
afterAll(() => t.server.close())

describe('--jq', () => {
  it('filters the JSON result, implying --json, strings without quotes', async () => {
    const r = await runCli(['org', 'get', orgId, '--jq', '.name, .countryCode'], { env: t.env })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('Jq Co\nEG\n')
    const all = await runCli(['members', 'list', orgId, '--all', '--jq', '[.members[].email]'], {
      env: t.env,
    })
    expect(all.code, all.stderr).toBe(0)
    expect(JSON.parse(all.stdout)).toEqual([expect.stringMatching(/@/)])
  })

  it("exits 2 with jq's message and sends nothing when the expression does not compile", async () => {
    const r = await runCli(['org', 'create', '--name', 'Never', '--country-code', 'US', '--jq', '.id |'], {
      env: t.env,
    })
    expect(r.code).toBe(2)
    expect(r.json().error.message).toMatch(/^--jq: jq: error: syntax error/)
    const csv = await runCli(['members', 'list', orgId, '--csv'], { env: t.env })
    expect(csv.stdout).not.toMatch(/Never/)
  })

  it('prints the error document unfiltered when the command fails', async () => {
    const r = await runCli(['org', 'get', UNKNOWN_ORG, '--jq', '.name'], { env: t.env })
    expect(r.code).toBe(4)
    expect(r.json()).toMatchObject({ error: { exitCode: 4, status: 404 } })
  })

  it("exits 1 with jq's run-time error on stderr and nothing on stdout", async () => {
    const r = await runCli(['org', 'get', orgId, '--jq', '.name.first'], { env: t.env })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/--jq: jq: error \(at the result\): Cannot index string with string "first"/)
  })
})
