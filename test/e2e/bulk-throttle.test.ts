import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli } from '../helpers/cli.js'
import {
  cliEnv,
  createOrg,
  deliveries,
  peopleCsv,
  startServerProcess,
  type ServerProcess,
} from '../helpers/bulk.js'

const LIMIT = 20
const CONCURRENCY = 8
let server: ServerProcess

beforeAll(async () => {
  server = await startServerProcess({
    dbPath: join(peopleCsv(0).dir, 's.db'),
    token: 'bulk-throttle-admin-token',
    args: ['--rate-limit', String(LIMIT), '--rate-window', '1'],
  })
})
afterAll(() => server?.stop())

describe('bulk invite send against a rate-limited API', () => {
  it('completes with no failed rows, and the whole run waits out Retry-After after a 429', async () => {
    const org = await createOrg(server, 'Throttled Co')
    const people = peopleCsv(90)
    const run = await runCli(
      ['invite', 'send', org, '--file', people.file, '--concurrency', String(CONCURRENCY), '--json'],
      { env: cliEnv(server), killAfterMs: 30_000 },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({ total: 90, sent: 90, skipped: 0, failed: 0, invalid: 0 })

    const log = server.log.filter((l) => l.path === `/api/organizations/${org}/invite`)
    const refused = log.filter((l) => l.status === 429)
    expect(refused.length).toBeGreaterThan(0)
    // Every 429 (Retry-After: 1) stops the whole client: apart from requests already on the wire when it was
    // answered (which reach the server within a few ms), nothing arrives until the second is over.
    for (const first of refused) {
      const quiet = log.filter((l) => l.at > first.at + 250 && l.at < first.at + 900)
      expect(quiet, `requests within Retry-After of the 429 at ${new Date(first.at).toISOString()}`).toEqual(
        [],
      )
    }
    // Backing off, not hammering: at most one round of refusals per window.
    const seconds = (log.at(-1)!.at - log[0]!.at) / 1000
    expect(refused.length).toBeLessThanOrEqual(CONCURRENCY * (Math.ceil(seconds) + 1))
    expect(log.filter((l) => l.status === 201 || l.status === 200)).toHaveLength(90)

    await server.stop()
    const { invitations } = deliveries(server.dbPath, org)
    expect([...invitations.values()].every((n) => n === 1) && invitations.size === 90).toBe(true)
  }, 45_000)
})
