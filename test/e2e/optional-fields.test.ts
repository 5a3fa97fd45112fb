import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshHome, runCli, startTestServer, type TestServer } from '../helpers/cli.js'
import { faultServer, type FaultServer } from '../helpers/faults.js'

// The reference documents the organization's `type` as optional (left out when unset) and `avatarUrl` as
// nullable; servers drift, so orgctl must read both forms, and show them the same way.

const ORG = '123e4567-e89b-12d3-a456-426614174000'
const OWNER = '9b2f0a4e-7c1d-4e8f-9a3b-2c5d6e7f8a9b'
const base = { id: ORG, name: 'Acme', status: 'active', owner: OWNER }

/** The organization as each kind of server sends it: every optional field null, or left out. */
const FORMS = {
  nulls: {
    ...base,
    countryCode: null,
    avatarUrl: null,
    statusReason: null,
    type: null,
    createdAt: null,
    updatedAt: null,
  },
  absent: base,
} as const

const LEDGER = {
  id: 7,
  organizationId: ORG,
  amount: 1000,
  service: 'sms',
  smsPoints: 100,
  createdAt: '2025-01-01T00:00:00.000Z',
}

/** A server on 127.0.0.1 that answers GET organization and GET wallet with one of the forms. */
function formServer(form: keyof typeof FORMS): Promise<FaultServer> {
  return faultServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.url === `/api/organizations/${ORG}`) return void res.end(JSON.stringify(FORMS[form]))
    if (req.url?.startsWith(`/api/admin/organizations/${ORG}/wallet`)) {
      const entry = form === 'nulls' ? { ...LEDGER, reason: null } : LEDGER
      const data = { organizationId: ORG, balance: { amount: 1000, smsPoints: 100 }, ledger: [entry] }
      return void res.end(JSON.stringify({ success: true, data }))
    }
    res.statusCode = 404
    res.end(JSON.stringify({ message: 'Not found.' }))
  })
}

describe('org get and wallet show read an optional field sent as null or left out alike', () => {
  const servers: Partial<Record<keyof typeof FORMS, FaultServer>> = {}
  beforeAll(async () => {
    servers.nulls = await formServer('nulls')
    servers.absent = await formServer('absent')
  })
  afterAll(async () => {
    await servers.nulls?.close()
    await servers.absent?.close()
  })

  const run = (form: keyof typeof FORMS, args: string[]) =>
    runCli(args, { env: { ...freshHome(), ORGCTL_API_URL: servers[form]!.url, ORGCTL_TOKEN: 'form-token' } })

  /** The same command against both servers; both must succeed and print the same thing. */
  async function both(args: string[]): Promise<string> {
    const [nulls, absent] = await Promise.all([run('nulls', args), run('absent', args)])
    for (const r of [nulls, absent]) {
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
    }
    expect(absent.stdout).toBe(nulls.stdout)
    return absent.stdout
  }

  it('--json has every documented field, null where the server sent none', async () => {
    const out = JSON.parse(await both(['org', 'get', ORG, '--json']))
    expect(out).toEqual({
      id: ORG,
      name: 'Acme',
      countryCode: null,
      avatarUrl: null,
      status: 'active',
      statusReason: null,
      type: null,
      owner: OWNER,
      createdAt: null,
      updatedAt: null,
    })
    // One stable order, whatever order the server used.
    expect(Object.keys(out)).toEqual([
      'id',
      'name',
      'countryCode',
      'avatarUrl',
      'status',
      'statusReason',
      'type',
      'owner',
      'createdAt',
      'updatedAt',
    ])
  })

  it('the table keeps the type column, empty', async () => {
    const out = await both(['org', 'get', ORG])
    expect(out.split('\n')).toContain('type\t')
    expect(out.split('\n')).toContain('name\tAcme')
    expect(await both(['org', 'get', ORG, '--columns', 'type,name'])).toBe('type\t\nname\tAcme\n')
  })

  it('CSV with --columns type has the header and an empty cell', async () => {
    expect(await both(['org', 'get', ORG, '--output', 'csv', '--columns', 'type'])).toBe('type\n\n')
    expect(await both(['org', 'get', ORG, '--csv', '--columns', 'id,type,avatarUrl'])).toBe(
      `id,type,avatarUrl\n${ORG},,\n`,
    )
  })

  it('--jq .type is null either way', async () => {
    expect(await both(['org', 'get', ORG, '--jq', '.type'])).toBe('null\n')
  })

  it('wallet show: a ledger entry without a reason reads as reason null', async () => {
    const out = JSON.parse(await both(['wallet', 'show', ORG, '--json']))
    expect(out.ledger).toEqual([{ ...LEDGER, reason: null }])
    expect(await both(['wallet', 'show', ORG, '--csv', '--columns', 'id,reason'])).toBe('id,reason\n7,\n')
  })
})

describe('against the sandbox, which leaves type out until it has one', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => t.server.close())

  it('shows type null, then its value, in JSON, CSV and the table', async () => {
    const created = await runCli(
      ['org', 'create', '--name', 'Sandbox Co', '--country-code', 'US', '--json'],
      {
        env: t.env,
      },
    )
    expect(created.code).toBe(0)
    const id: string = created.json().id
    expect(created.json().organization).toMatchObject({ id, type: null, statusReason: null, avatarUrl: null })

    const typed = await runCli(
      ['org', 'create', '--name', 'Typed Co', '--country-code', 'US', '--type', 'company', '--json'],
      { env: t.env },
    )
    const typedId: string = typed.json().id
    const csv = await runCli(['org', 'get', typedId, '--csv', '--columns', 'name,type'], { env: t.env })
    expect(csv.stdout).toBe('name,type\nTyped Co,company\n')
    const table = await runCli(['org', 'get', id, '--columns', 'name,type'], { env: t.env })
    expect(table.stdout).toBe('name\tSandbox Co\ntype\t\n')
  })
})
