import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli } from '../helpers/cli.js'
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

const TOKEN = 'bulk-commands-admin-token'
let server: ServerProcess
let dir: string

beforeAll(async () => {
  dir = peopleCsv(0).dir
  server = await startServerProcess({ dbPath: join(dir, 's.db'), token: TOKEN })
})
afterAll(() => server?.stop())

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api<T = any>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  })
  return (await res.json()) as T
}

let files = 0
function file(name: string, content: string): string {
  const path = join(dir, `${files++}-${name}`)
  writeFileSync(path, content)
  return path
}

const sent = (method: string, prefix: string): number =>
  server.log.filter((l) => l.method === method && l.path.startsWith(prefix)).length

describe('members update --file', () => {
  it('sets roles and workspaces of members named by ID or e-mail (one listing), fails unknown e-mails, exits 6', async () => {
    const org = await createOrg(server, 'Access Co')
    const [a, b, c] = seedMembers(server.dbPath, org, 3, `access-${Date.now()}-`)
    const members = await api<{ data: { data: { id: number; workspaces: string[] }[] } }>(
      `/api/organizations/${org}/members?per_page=100`,
    )
    const workspace = members.data.data.find((m) => m.workspaces.length > 0)!.workspaces[0]!
    const report = join(dir, 'access-report.csv')
    const input = file(
      'access.csv',
      [
        'member,roles,workspaces',
        `${a!.id},2;4,${workspace}`,
        `${b!.email.toUpperCase()},4,${workspace}`,
        `nobody@example.com,3,${workspace}`,
        `${c!.id},x,${workspace}`,
      ].join('\n') + '\n',
    )
    // The test's own listing above, once the server has logged it.
    await until(() => sent('GET', `/api/organizations/${org}/members`) === 1, 10_000)
    const run = await runCli(['members', 'update', org, '--file', input, '--report', report, '--json'], {
      env: cliEnv(server),
    })
    expect(run.code, run.stderr).toBe(6)
    expect(run.json()).toMatchObject({ organizationId: org, total: 4, sent: 2, failed: 1, invalid: 1 })
    // One listing resolved both e-mails (the run's one GET beside the test's own).
    expect(sent('GET', `/api/organizations/${org}/members`)).toBe(2)
    const after = await api<{ data: { data: { id: number; roles: number[]; workspaces: string[] }[] } }>(
      `/api/organizations/${org}/members?per_page=100`,
    )
    const byId = new Map(after.data.data.map((m) => [m.id, m]))
    expect(byId.get(a!.id)).toMatchObject({ roles: [2, 4], workspaces: [workspace] })
    expect(byId.get(b!.id)).toMatchObject({ roles: [4], workspaces: [workspace] })
    expect(byId.get(c!.id)).toMatchObject({ roles: [3] })
    const lines = readFileSync(report, 'utf8').trim().split('\n')
    expect(lines[0]).toBe('line,member,reason')
    expect(lines[1]).toMatch(/^4,nobody@example\.com,.*no member of the organization has the e-mail/)
    expect(lines[2]).toMatch(/^5,\d+,"roles: ""x"" is not a role ID/)
  })

  it('refuses MEMBER together with --file, and bulk flags without --file (exit 2)', async () => {
    const org = '3f1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7b'
    const both = await runCli(['members', 'update', org, '7', '--file', 'x.csv'], { env: cliEnv(server) })
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/MEMBER or --file, not both/)
    const shard = await runCli(['members', 'remove', org, '7', '--yes', '--shard', '1/2'], {
      env: cliEnv(server),
    })
    expect(shard.code).toBe(2)
    expect(shard.stderr).toMatch(/--shard needs --file/)
  })
})

describe('members remove --file', () => {
  it('without a terminal and without --yes exits 2 before anything is sent', async () => {
    const org = await createOrg(server, 'Keep Co')
    const [m] = seedMembers(server.dbPath, org, 1, `keep-${Date.now()}-`)
    const input = file('leavers.csv', `member\n${m!.id}\n`)
    const before = sent('DELETE', `/api/organizations/${org}/`)
    const run = await runCli(['members', 'remove', org, '--file', input], { env: cliEnv(server) })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/needs confirmation: pass --yes/)
    expect(sent('DELETE', `/api/organizations/${org}/`)).toBe(before)
    expect(memberIds(server.dbPath, org).has(m!.id)).toBe(true)
  })

  it('exits 4 for an unknown organization before removing anyone', async () => {
    const input = file('leavers.csv', 'member\n7\n')
    const run = await runCli(
      ['members', 'remove', '3f1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7b', '--file', input, '--yes'],
      {
        env: cliEnv(server),
      },
    )
    expect(run.code, run.stderr).toBe(4)
    expect(sent('DELETE', '/api/organizations/3f1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7b')).toBe(0)
  })
})

describe('members remove --file after a crash', () => {
  it('a removal a killed run left in flight, already applied, counts as removed on resume; a 404 never tried fails', async () => {
    const org = await createOrg(server, 'Replay Co')
    const [gone, elsewhere] = seedMembers(server.dbPath, org, 2, `replay-${Date.now()}-`)
    // In front of the sandbox: forwards every request, but never answers a DELETE, so the member is removed and
    // the CLI never hears of it (as when it is killed between the server's work and its answer).
    let deletes = 0
    const proxy = createServer((req, res) => {
      void fetch(`${server.url}${req.url}`, {
        method: req.method,
        headers: { authorization: String(req.headers.authorization) },
      }).then(async (upstream) => {
        if (req.method === 'DELETE') return void deletes++
        res.writeHead(upstream.status, { 'content-type': 'application/json' })
        res.end(await upstream.text())
      })
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const env = cliEnv(server)
    const input = file('replay.csv', `member\n${gone!.id}\n`)
    const args = ['members', 'remove', org, '--file', input, '--yes', '--json']
    try {
      const child = spawnCli(args, {
        ...env,
        ORGCTL_API_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      })
      await until(() => deletes === 1, 20_000)
      await stopProcess(child, 'SIGKILL')
    } finally {
      proxy.closeAllConnections()
      proxy.close()
    }
    expect(memberIds(server.dbPath, org).has(gone!.id)).toBe(false)

    const resumed = await runCli(args, { env })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toMatch(/Resuming an earlier run/)
    expect(resumed.json()).toMatchObject({ total: 1, sent: 1, failed: 0 })
    await until(
      () =>
        server.log.some(
          (l) => l.method === 'DELETE' && l.path.endsWith(`/members/${gone!.id}`) && l.status === 404,
        ),
      10_000,
    )

    // The control: a member removed by someone else, which no run of this file ever tried, is a failure.
    await fetch(`${server.url}/api/organizations/${org}/members/${elsewhere!.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    const report = join(dir, 'replay-report.csv')
    const other = await runCli(
      [
        'members',
        'remove',
        org,
        '--file',
        file('elsewhere.csv', `member\n${elsewhere!.id}\n`),
        '--yes',
        '--report',
        report,
      ],
      { env },
    )
    expect(other.code, other.stderr).toBe(6)
    expect(readFileSync(report, 'utf8')).toMatch(/not a member of the organization \(HTTP 404/)
  })
})

describe('org update --file', () => {
  it('suspends and renames the organizations of a file, reports bad and unknown ones, exits 6', async () => {
    const one = await createOrg(server, 'Sweep One')
    const two = await createOrg(server, 'Sweep Two')
    const unknown = '00000000-0000-4000-8000-000000000001'
    const report = join(dir, 'sweep-report.csv')
    const input = file(
      'sweep.csv',
      [
        'organization,status,statusReason,name',
        `${one},suspended,Compliance sweep,`,
        `${two},,,Sweep Two Renamed`,
        `${unknown},suspended,x,`,
        `${one.toUpperCase()},active,,`,
        'nope,closed,,',
      ].join('\n') + '\n',
    )
    const run = await runCli(['org', 'update', '--file', input, '--report', report, '--json'], {
      env: cliEnv(server),
    })
    expect(run.code, run.stderr).toBe(6)
    expect(run.json()).toMatchObject({ total: 5, sent: 2, failed: 1, invalid: 2 })
    expect(await api(`/api/organizations/${one}`)).toMatchObject({
      status: 'suspended',
      statusReason: 'Compliance sweep',
      name: 'Sweep One',
    })
    expect(await api(`/api/organizations/${two}`)).toMatchObject({
      name: 'Sweep Two Renamed',
      status: 'active',
    })
    const lines = readFileSync(report, 'utf8').trim().split('\n')
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([4, 5, 6])
    expect(lines[1]).toMatch(/HTTP 404/)
    expect(lines[2]).toMatch(/duplicate of line 2/)
    expect(lines[3]).toMatch(/organization ""nope"" is not an organization ID.*status must be one of/)
  })
})

describe('wallet charge --file', () => {
  it('rejects a bad file with its line number and sends nothing (exit 2)', async () => {
    const org = await createOrg(server, 'Bad File Co')
    const before = sent('POST', '/api/admin/')
    const input = file('bill.csv', `organization,amount,points\n${org},1,1\n`)
    const run = await runCli(['wallet', 'charge', '--file', input, '--yes'], { env: cliEnv(server) })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/line 1.*unknown column "points"/)
    expect(sent('POST', '/api/admin/')).toBe(before)
  })

  it('charges from JSON Lines with the rows’ own keys, and a re-run with --restart replays instead of charging again', async () => {
    const org = await createOrg(server, 'Keyed Co')
    const key = `bill-${Date.now()}`
    const input = file(
      'bill.jsonl',
      [
        JSON.stringify({ organization: org, amount: 300, sms_point: 30, reason: 'Dec', key: `${key}-a` }),
        JSON.stringify({ organization: org, amount: 200, sms_point: 20, key: `${key}-b` }),
      ].join('\n') + '\n',
    )
    const dry = await runCli(['wallet', 'charge', '--file', input, '--dry-run', '--json'], {
      env: cliEnv(server),
    })
    expect(dry.code, dry.stderr).toBe(0)
    expect(ledger(server.dbPath).get(org)).toBeUndefined()

    const env = cliEnv(server)
    const first = await runCli(['wallet', 'charge', '--file', input, '--yes', '--json'], { env })
    expect(first.code, first.stderr).toBe(0)
    expect(first.json()).toMatchObject({ total: 2, sent: 2 })
    const again = await runCli(['wallet', 'charge', '--file', input, '--yes', '--restart', '--json'], { env })
    expect(again.code, again.stderr).toBe(0)
    expect(ledger(server.dbPath).get(org)).toEqual({ rows: 2, amount: 500, points: 50 })
    expect(server.log.filter((l) => l.replayed && l.path.endsWith(`${org}/charge`))).toHaveLength(2)
  })

  it('without a terminal and without --yes exits 2 before reading the file', async () => {
    const run = await runCli(['wallet', 'charge', '--file', join(dir, 'missing.csv')], {
      env: cliEnv(server),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/Charge wallets from a file needs confirmation/)
  })
})
