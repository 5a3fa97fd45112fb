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
// More workers than Node's 10 listeners per signal: each waits on the run's interrupt signal while paced.
const CONCURRENCY = 16
// At least 10 windows' worth of rows, so that the pace is the server's limit and not the start-up burst.
const ROWS = 10 * LIMIT + 20
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
  it('paces itself by the rate-limit headers: every row sent, at most 3% refused, no warning on stderr', async () => {
    const org = await createOrg(server, 'Throttled Co')
    const people = peopleCsv(ROWS)
    const run = await runCli(
      ['invite', 'send', org, '--file', people.file, '--concurrency', String(CONCURRENCY), '--json'],
      { env: cliEnv(server), killAfterMs: 90_000 },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({ total: ROWS, sent: ROWS, skipped: 0, failed: 0, invalid: 0 })
    // No MaxListenersExceededWarning (nor any other runtime warning) from a run of many paced requests.
    expect(run.stderr).not.toMatch(/Warning/)

    const log = server.log.filter((l) => l.path === `/api/organizations/${org}/invite`)
    const refused = log.filter((l) => l.status === 429)
    const share = refused.length / log.length
    const seconds = (log.at(-1)!.at - log[0]!.at) / 1000
    const rate = log.filter((l) => l.status < 400).length / seconds
    // The figure for docs/BENCHMARKS.md comes from bench/bulk-paced.mjs; this prints what this run achieved.
    console.log(
      `paced run: ${ROWS} rows under ${LIMIT}/s: ${rate.toFixed(1)} accepted/s (${((100 * rate) / LIMIT).toFixed(0)}% of the limit), ` +
        `${refused.length} of ${log.length} requests refused (${(100 * share).toFixed(1)}%)`,
    )
    expect(share).toBeLessThanOrEqual(0.03)
    // Any 429 (Retry-After: 1) still stops the whole client: apart from requests already on the wire when it was
    // answered, nothing arrives until the second is over.
    for (const first of refused) {
      const quiet = log.filter((l) => l.at > first.at + 250 && l.at < first.at + 900)
      expect(quiet, `requests within Retry-After of the 429 at ${new Date(first.at).toISOString()}`).toEqual(
        [],
      )
    }
    expect(log.filter((l) => l.status === 201 || l.status === 200)).toHaveLength(ROWS)

    await server.stop()
    const { invitations } = deliveries(server.dbPath, org)
    expect([...invitations.values()].every((n) => n === 1) && invitations.size === ROWS).toBe(true)
  }, 120_000)
})
