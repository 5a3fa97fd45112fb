import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { freshHome, runCli } from '../helpers/cli.js'
import {
  cliEnv,
  createOrg,
  deliveries,
  peopleCsv,
  spawnCli,
  startServerProcess,
  stopProcess,
  type ServerProcess,
} from '../helpers/bulk.js'

const TOKEN = 'bulk-crash-admin-token'
let server: ServerProcess
let dir: string

beforeAll(async () => {
  dir = peopleCsv(0).dir
  server = await startServerProcess({ dbPath: join(dir, 's.db'), token: TOKEN })
})
afterAll(() => server?.stop())

const invites = (s: ServerProcess, org: string): number =>
  s.log.filter((l) => l.method === 'POST' && l.path === `/api/organizations/${org}/invite`).length

/** Resolves once `predicate` holds (polled), or rejects after `ms`. */
async function until(predicate: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}

function expectExactlyOnce(dbPath: string, org: string, emails: string[]): void {
  const { invitations, messages } = deliveries(dbPath, org)
  expect(invitations.size).toBe(emails.length)
  expect(messages.size).toBe(emails.length)
  for (const email of emails) {
    expect(invitations.get(email), email).toBe(1)
    expect(messages.get(email), email).toBe(1)
  }
}

describe('bulk invite send survives crashes', () => {
  it('is SIGKILLed mid-run 6 times, then completes: every row has exactly one invitation and one message', async () => {
    const org = await createOrg(server, 'Crash Co')
    const people = peopleCsv(400)
    const env = cliEnv(server)
    const args = ['invite', 'send', org, '--file', people.file, '--concurrency', '8']
    let kills = 0
    for (let round = 0; round < 6; round++) {
      const before = invites(server, org)
      const child = spawnCli(args, env)
      // Kill at a random moment while invitations are being sent (not before the first, not after the last).
      const after = 1 + Math.floor(Math.random() * 45)
      await until(() => invites(server, org) >= before + after || child.exitCode !== null, 15_000)
      if (child.exitCode !== null) break
      await stopProcess(child, 'SIGKILL')
      kills++
    }
    expect(kills).toBeGreaterThanOrEqual(5)

    const final = await runCli([...args, '--json'], { env, killAfterMs: 30_000 })
    expect(final.stderr).toMatch(/Resuming an earlier run/)
    expect(final.code, final.stderr).toBe(0)
    expect(final.json()).toMatchObject({ organizationId: org, total: 400, sent: 400, invalid: 0, failed: 0 })
    // Rows left in flight by a kill were re-sent with their key and replayed, not invited again.
    expect(server.log.some((l) => l.replayed)).toBe(true)

    await server.stop()
    expectExactlyOnce(server.dbPath, org, people.emails)
    server = await startServerProcess({ dbPath: server.dbPath, token: TOKEN, port: server.port })
  }, 60_000)

  it('completes with nothing duplicated when the server is stopped and restarted on the same port mid-run', async () => {
    const org = await createOrg(server, 'Restart Co')
    const people = peopleCsv(300, 'r')
    const env = { ...cliEnv(server, freshHome()) }
    const run = runCli(['invite', 'send', org, '--file', people.file, '--json'], { env, killAfterMs: 45_000 })
    await until(() => invites(server, org) >= 60, 15_000)
    const { port, dbPath } = server
    const earlierLog = server.log
    await server.stop()
    const stoppedAt = Date.now()
    // Node listens with SO_REUSEADDR, so the port can be bound again at once; the pause lets the client
    // meet refused connections first.
    await new Promise((r) => setTimeout(r, 700))
    server = await startServerProcess({ dbPath, token: TOKEN, port })
    const done = await run
    expect(done.code, done.stderr).toBe(0)
    expect(done.json()).toMatchObject({ total: 300, sent: 300, failed: 0 })
    expect(invites(server, org)).toBeGreaterThan(0)
    expect(earlierLog.at(-1)!.at).toBeLessThanOrEqual(stoppedAt)

    await server.stop()
    expectExactlyOnce(dbPath, org, people.emails)
  }, 60_000)
})
