import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { freshHome, runCli } from '../helpers/cli.js'
import {
  cliEnv,
  createOrg,
  ledger,
  memberIds,
  peopleCsv,
  seedMembers,
  spawnCli,
  startServerProcess,
  stopProcess,
  until,
  type ServerProcess,
} from '../helpers/bulk.js'

const TOKEN = 'bulk-jobs-crash-admin-token'
let server: ServerProcess
let dir: string

beforeAll(async () => {
  dir = peopleCsv(0).dir
  server = await startServerProcess({ dbPath: join(dir, 's.db'), token: TOKEN })
})
afterAll(() => server?.stop())

const requests = (method: string, pattern: RegExp): number =>
  server.log.filter((l) => l.method === method && pattern.test(l.path)).length

/**
 * Runs `args` and SIGKILLs it at a random moment after it has made at least one more request matching
 * `method`/`pattern`, `rounds` times (fewer when a run finishes first); returns how many runs were killed.
 */
async function killMidRun(
  args: string[],
  env: Record<string, string>,
  method: string,
  pattern: RegExp,
  rounds: number,
): Promise<number> {
  let kills = 0
  for (let round = 0; round < rounds; round++) {
    const before = requests(method, pattern)
    const child = spawnCli(args, env)
    const after = 1 + Math.floor(Math.random() * 25)
    await until(() => requests(method, pattern) >= before + after || child.exitCode !== null, 20_000)
    if (child.exitCode !== null) break
    await stopProcess(child, 'SIGKILL')
    kills++
  }
  return kills
}

describe('bulk runs other than invitations survive SIGKILL', () => {
  it('billing run: killed mid-run 4 times, then completed: one ledger row per valid row, invalid rows reported, exit 6', async () => {
    const orgs: string[] = []
    for (let i = 0; i < 150; i++) orgs.push(await createOrg(server, `Billing ${i}`))
    const rows = orgs.map((org, i) => `${org},${100 + i},${10 + i},December SMS`)
    // Invalid rows, each with its line: 152 bad amount, 153 bad organization, 154 duplicate of line 2.
    rows.push(
      '00000000-0000-4000-8000-000000000000,0,5,bad amount',
      'not-an-org,10,1,x',
      `${orgs[0]},1,1,again`,
    )
    const file = join(dir, 'billing.csv')
    writeFileSync(file, `organization,amount,sms_point,reason\n${rows.join('\n')}\n`)
    const env = cliEnv(server)
    const args = ['wallet', 'charge', '--file', file, '--yes', '--concurrency', '4']
    const kills = await killMidRun(args, env, 'POST', /\/charge$/, 4)
    expect(kills).toBeGreaterThanOrEqual(2)

    const report = join(dir, 'billing-report.csv')
    const final = await runCli([...args, '--report', report, '--json'], { env, killAfterMs: 60_000 })
    expect(final.stderr).toMatch(/Resuming an earlier run/)
    expect(final.code, final.stderr).toBe(6)
    expect(final.json()).toMatchObject({ total: 153, sent: 150, invalid: 3, failed: 0 })
    const lines = readFileSync(report, 'utf8').trim().split('\n')
    expect(lines[0]).toBe('line,organization,reason')
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([152, 153, 154])
    expect(lines[1]).toMatch(/amount must be a positive whole number/)
    expect(lines[3]).toMatch(/duplicate of line 2/)
    // A charge left in flight by a kill was sent again with its key and replayed, not charged again.
    expect(server.log.some((l) => l.replayed && l.path.endsWith('/charge'))).toBe(true)

    const charged = ledger(server.dbPath)
    orgs.forEach((org, i) => {
      expect(charged.get(org), org).toEqual({ rows: 1, amount: 100 + i, points: 10 + i })
    })
    // Balances through the API agree with the ledger.
    const res = await fetch(`${server.url}/api/admin/organizations/${orgs[7]}/wallet?limit=5`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(res.status).toBe(200)
    const wallet = (await res.json()) as { data: { balance: { amount: number; smsPoints: number } } }
    expect(wallet.data.balance).toEqual({ amount: 107, smsPoints: 17 })
  }, 120_000)

  it('member removals by ID and e-mail: killed mid-run 4 times, then completed: each removed once, others kept, exit 6', async () => {
    const org = await createOrg(server, 'Offboarding Co')
    const members = seedMembers(server.dbPath, org, 240, `leaver-${Date.now()}-`)
    const leaving = members.slice(0, 200)
    const staying = members.slice(200)
    // Half by ID, half by e-mail (in another case), then: an unknown e-mail (fails), a bad value and a duplicate
    // (invalid).
    const rows = leaving.map((m, i) => (i % 2 === 0 ? String(m.id) : m.email.toUpperCase()))
    rows.push('nobody@example.com', 'not a member', String(leaving[0]!.id))
    const file = join(dir, 'leavers.csv')
    writeFileSync(file, `member\n${rows.join('\n')}\n`)
    const env = { ...cliEnv(server, freshHome()) }
    const args = ['members', 'remove', org, '--file', file, '--yes', '--concurrency', '4']
    const kills = await killMidRun(args, env, 'DELETE', new RegExp(`/api/organizations/${org}/members/`), 4)
    expect(kills).toBeGreaterThanOrEqual(2)

    const report = join(dir, 'leavers-report.csv')
    const final = await runCli([...args, '--report', report, '--json'], { env, killAfterMs: 60_000 })
    expect(final.code, final.stderr).toBe(6)
    expect(final.json()).toMatchObject({ organizationId: org, total: 203, sent: 200, invalid: 2, failed: 1 })
    const lines = readFileSync(report, 'utf8').trim().split('\n')
    expect(lines[0]).toBe('line,member,reason')
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([202, 203, 204])
    expect(lines[1]).toMatch(/nobody@example\.com.*no member of the organization has the e-mail/)
    expect(lines[3]).toMatch(/duplicate of line 2/)

    const left = memberIds(server.dbPath, org)
    for (const m of leaving) expect(left.has(m.id), `member ${m.id}`).toBe(false)
    for (const m of staying) expect(left.has(m.id), `member ${m.id}`).toBe(true)
    // Every leaver got exactly one successful DELETE across all runs (a replay after a kill answers 404).
    const deletes = server.log.filter(
      (l) => l.method === 'DELETE' && l.path.startsWith(`/api/organizations/${org}/members/`),
    )
    const ok = new Map<string, number>()
    for (const l of deletes.filter((d) => d.status === 200 || d.status === 204))
      ok.set(l.path, (ok.get(l.path) ?? 0) + 1)
    expect(ok.size).toBe(200)
    expect([...ok.values()].every((n) => n === 1)).toBe(true)
  }, 120_000)
})
