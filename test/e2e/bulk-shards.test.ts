import { readFileSync, writeFileSync } from 'node:fs'
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

let server: ServerProcess

beforeAll(async () => {
  server = await startServerProcess({
    dbPath: join(peopleCsv(0).dir, 's.db'),
    token: 'bulk-shards-admin-token',
  })
})
afterAll(() => server?.stop())

describe('bulk --shard K/N', () => {
  it('3 shards run at once, sharing one file and one data folder, cover every row exactly once', async () => {
    const org = await createOrg(server, 'Sharded Co')
    const people = peopleCsv(150, 's')
    // Three invalid rows (lines 152-154), which exactly one shard each must report.
    writeFileSync(
      people.file,
      readFileSync(people.file, 'utf8') + 'not-an-email,X,3\ns1@example.com,Again,3\nz@example.com,Z,\n',
    )
    const env = cliEnv(server)
    const args = (k: number): string[] => [
      'invite',
      'send',
      org,
      '--file',
      people.file,
      '--shard',
      `${k}/3`,
      '--concurrency',
      '4',
      '--report',
      join(people.dir, `report-${k}.csv`),
      '--json',
    ]
    const runs = await Promise.all([1, 2, 3].map((k) => runCli(args(k), { env, killAfterMs: 60_000 })))
    const summaries = runs.map((run) => {
      expect(run.code, run.stderr).toBe(6)
      return run.json() as { shard: string; total: number; sent: number; invalid: number; failed: number }
    })
    expect(summaries.map((s) => s.shard)).toEqual(['1/3', '2/3', '3/3'])
    expect(summaries.reduce((n, s) => n + s.total, 0)).toBe(153)
    expect(summaries.reduce((n, s) => n + s.sent, 0)).toBe(150)
    expect(summaries.reduce((n, s) => n + s.invalid, 0)).toBe(3)
    // Every shard got about a third of the rows.
    for (const s of summaries) expect(s.total).toBeGreaterThanOrEqual(50)

    const reported = [1, 2, 3].flatMap((k) =>
      readFileSync(join(people.dir, `report-${k}.csv`), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => Number(line.split(',')[0])),
    )
    expect(reported.sort((a, b) => a - b)).toEqual([152, 153, 154])

    // Each shard resumes from its own journal: run again, nothing is sent.
    const invitesBefore = server.log.filter((l) => l.path === `/api/organizations/${org}/invite`).length
    const again = await runCli(args(2), { env, killAfterMs: 60_000 })
    expect(again.stderr).toMatch(/Resuming an earlier run/)
    expect(again.json()).toMatchObject({ shard: '2/3', total: summaries[1]!.total, sent: summaries[1]!.sent })
    expect(server.log.filter((l) => l.path === `/api/organizations/${org}/invite`)).toHaveLength(
      invitesBefore,
    )

    await server.stop()
    const { invitations } = deliveries(server.dbPath, org)
    expect(invitations.size).toBe(150)
    for (const email of people.emails) expect(invitations.get(email), email).toBe(1)
  }, 120_000)

  it('rejects a shard that is not K/N with 1 <= K <= N, before reading the file (exit 2)', async () => {
    const people = peopleCsv(2)
    for (const shard of ['0/3', '4/3', '2', 'a/b']) {
      const run = await runCli(
        ['invite', 'send', '3f1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7b', '--file', people.file, '--shard', shard],
        {
          env: cliEnv(server),
        },
      )
      expect(run.code, shard).toBe(2)
      expect(run.stderr).toMatch(/--shard must be K\/N/)
    }
  })
})
