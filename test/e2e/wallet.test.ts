import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { UNKNOWN_ORG, runCli, startTestServer, type TestServer } from '../helpers/cli.js'

let t: TestServer
let orgId: string
beforeAll(async () => {
  t = await startTestServer()
  orgId = (
    await runCli(['org', 'create', '--name', 'Wallet Co', '--country-code', 'EG', '--json'], { env: t.env })
  ).json().id
})
afterAll(() => t.server.close())

const charge = (...extra: string[]) => [
  'wallet',
  'charge',
  orgId,
  '--amount',
  '1000',
  '--service',
  'sms',
  '--sms-point',
  '100',
  ...extra,
]

describe('wallet charge', () => {
  it('charges with --yes and prints the documented JSON shape, with the generated key', async () => {
    const r = await runCli(charge('--reason', 'Monthly SMS package', '--yes', '--json'), { env: t.env })
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({
      organizationId: orgId,
      amount: 1000,
      service: 'sms',
      smsPoints: 100,
      reason: 'Monthly SMS package',
      idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/),
      replayed: false,
      ledgerEntry: {
        id: expect.any(Number),
        organizationId: orgId,
        amount: 1000,
        service: 'sms',
        smsPoints: 100,
        reason: 'Monthly SMS package',
        createdAt: expect.any(String),
      },
    })
    expect(r.stderr).toBe('')
  })

  it('replays a charge with the same key and values: exit 0, replayed, one ledger row', async () => {
    const key = `ci-run-${Date.now()}`
    const first = await runCli(charge('--yes', '--idempotency-key', key, '--json'), { env: t.env })
    const second = await runCli(charge('--yes', '--idempotency-key', key, '--json'), { env: t.env })
    expect(first.code).toBe(0)
    expect(second.code).toBe(0)
    expect(first.json().replayed).toBe(false)
    expect(second.json()).toMatchObject({ replayed: true, idempotencyKey: key })
    expect(second.json().ledgerEntry.id).toBe(first.json().ledgerEntry.id)
    const human = await runCli(charge('--yes', '--idempotency-key', key), { env: t.env })
    expect(human.code).toBe(0)
    expect(human.stderr).toMatch(/already made with this idempotency key/)
    expect(human.stdout).toMatch(/^replayed\ttrue$/m)
  })

  it('exits 5 and says so when a key is reused with different values', async () => {
    const key = `reuse-${Date.now()}`
    expect((await runCli(charge('--yes', '--idempotency-key', key), { env: t.env })).code).toBe(0)
    const other = await runCli(
      [
        'wallet',
        'charge',
        orgId,
        '--amount',
        '2000',
        '--sms-point',
        '100',
        '--yes',
        '--idempotency-key',
        key,
        '--json',
      ],
      { env: t.env },
    )
    expect(other.code).toBe(5)
    expect(other.json().error.message).toMatch(/already used for a different charge/)
  })

  it('exits 2 without --yes when there is no terminal, before anything is sent', async () => {
    const r = await runCli(charge('--debug'), { env: t.env, keepStdinOpen: true })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--yes/)
    expect(r.stderr).not.toMatch(/\[debug\] (GET|POST)/)
  })

  it('exits 2 on bad input with nothing sent', async () => {
    const cases = [
      ['--amount', '0', '--sms-point', '1'],
      ['--amount=-5', '--sms-point', '1'],
      ['--amount', '1.5', '--sms-point', '1'],
      ['--amount', 'ten', '--sms-point', '1'],
      ['--amount', '10', '--service', 'email', '--sms-point', '1'],
      ['--amount', '10', '--service', 'sms'],
      ['--amount', '10', '--sms-point', '0'],
    ]
    const runs = await Promise.all([
      ...cases.map((c) => runCli(['wallet', 'charge', orgId, ...c, '--yes', '--debug'], { env: t.env })),
      runCli(['wallet', 'charge', 'not-a-uuid', '--amount', '10', '--sms-point', '1', '--yes', '--debug'], {
        env: t.env,
      }),
    ])
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).not.toMatch(/\[debug\] POST/)
    }
    expect(runs[5]!.stderr).toMatch(/--sms-point is required with --service sms/)
    expect(runs[4]!.stderr).toMatch(/--service must be sms/)
  })

  it('exits 4 for an unknown organization', async () => {
    const r = await runCli(['wallet', 'charge', UNKNOWN_ORG, '--amount', '1', '--sms-point', '1', '--yes'], {
      env: t.env,
    })
    expect(r.code).toBe(4)
  })
})

describe('wallet show', () => {
  it('shows the balance and the latest ledger rows as table, JSON and CSV', async () => {
    const [table, json, csv] = await Promise.all([
      runCli(['wallet', 'show', orgId], { env: t.env }),
      runCli(['wallet', 'show', orgId, '--limit', '2', '--json'], { env: t.env }),
      runCli(['wallet', 'show', orgId, '--csv'], { env: t.env }),
    ])
    const w = json.json()
    expect(w).toEqual({
      organizationId: orgId,
      balance: { amount: expect.any(Number), smsPoints: expect.any(Number) },
      ledger: expect.any(Array),
    })
    expect(w.ledger).toHaveLength(2)
    expect(w.balance.amount % 1000).toBe(0)
    expect(table.stdout).toMatch(/smsPoints/)
    expect(csv.stdout.split('\n')[0]).toBe('id,amount,service,smsPoints,reason,createdAt')
    for (const r of [table, json, csv]) expect(r.code).toBe(0)
  })

  it('--columns picks the ledger columns in table mode as in CSV (the balance table keeps its own)', async () => {
    const [table, csv] = await Promise.all([
      runCli(['wallet', 'show', orgId, '--columns', 'id,amount'], { env: t.env }),
      runCli(['wallet', 'show', orgId, '--columns', 'id,amount', '--csv'], { env: t.env }),
    ])
    expect(table.code).toBe(0)
    expect(csv.code).toBe(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(`organizationId\t${orgId}`) // piped: the balance record, then the ledger
    expect(lines).toContain('id\tamount')
    expect(csv.stdout.split('\n')[0]).toBe('id,amount')
  })

  it('exits 4 and says so when the API does not offer wallet show', async () => {
    const server: Server = createServer((req, res) => {
      if (req.url === `/api/organizations/${orgId}`) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ id: orgId, name: 'Real', status: 'active', owner: orgId }))
      } else {
        res.writeHead(404, { 'content-type': 'text/html' })
        res.end('<html><body><h1>Not Found</h1></body></html>')
      }
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const r = await runCli(['wallet', 'show', orgId], { env: { ...t.env, ORGCTL_API_URL: url } })
      expect(r.code).toBe(4)
      expect(r.stderr).toMatch(/does not offer wallet show/)
      expect(r.stderr).not.toMatch(/at .*\.js/)
    } finally {
      server.close()
    }
  })
})
