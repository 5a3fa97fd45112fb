import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Member } from '../../src/api/types.js'
import { freshHome, runCli, startTestServer, UNKNOWN_ORG, type TestServer } from '../helpers/cli.js'
import { sandboxApi } from '../helpers/sandbox-api.js'
import { faultServer, type FaultServer } from '../helpers/faults.js'

let t: TestServer
let orgId: string
let otherOrg: string
let bobId: number

const { api, createOrg, addMember, members } = sandboxApi(() => t)

/** A fresh HOME (no aliases, no defaults) pointed at the test server. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return { ...t.env, ...freshHome(), ...extra }
}

beforeAll(async () => {
  t = await startTestServer()
  orgId = await createOrg('Acme By Name')
  otherOrg = await createOrg('Other Co')
  bobId = await addMember(orgId, 'bob.smith@example.com', 'Bob Smith')
  await addMember(orgId, 'carol@example.com', 'Carol')
})
afterAll(() => t.server.close())

describe('members by e-mail', () => {
  it('members update takes an e-mail in any case, says whom it found, and updates that member', async () => {
    const r = await runCli(
      [
        'members',
        'update',
        orgId,
        'Bob.SMITH@Example.COM',
        '--role',
        '2',
        '--workspace',
        (await members(orgId)).find((m) => m.id === bobId)!.workspaces[0]!,
        '--json',
      ],
      { env: env() },
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ id: bobId, roles: [2] })
    expect(r.stderr).toContain(`Member Bob.SMITH@Example.COM is Bob Smith (member ${bobId}).`)
    expect((await members(orgId)).find((m) => m.id === bobId)!.roles).toEqual([2])
  })

  it('an address nobody has exits 4 naming it, and sends no change', async () => {
    const before = await members(orgId)
    const r = await runCli(['members', 'remove', orgId, 'Nobody@Example.com', '--yes'], { env: env() })
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('No member of this organization has the e-mail address Nobody@Example.com')
    expect(r.stdout).toBe('')
    expect(await members(orgId)).toEqual(before)
  })

  it('MEMBER that is neither an ID nor an address is a usage error (exit 2) at once', async () => {
    const r = await runCli(['members', 'remove', orgId, 'bob', '--yes'], { env: env() })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      'MEMBER must be a member ID (a positive whole number) or the member\'s e-mail address, got "bob"',
    )
  })

  it('members remove by e-mail (mixed case) removes exactly that member', async () => {
    const dana = await addMember(orgId, 'dana@example.com', 'Dana')
    const r = await runCli(['members', 'remove', orgId, 'DANA@example.com', '--yes', '--json'], {
      env: env(),
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ organizationId: orgId, memberId: dana, removed: true })
    const left = await members(orgId)
    expect(left.some((m) => m.id === dana)).toBe(false)
    expect(left.some((m) => m.id === bobId)).toBe(true)
  })
})

describe('members by e-mail against a server that pages and repeats addresses', () => {
  let fake: FaultServer
  const ORG = '3f1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7b'
  // 250 members; twin@ is on page 1 twice, late@ only on page 2.
  const all: Member[] = Array.from({ length: 250 }, (_, i) => ({
    id: i + 1,
    name: `Person ${i + 1}`,
    email: `person${i + 1}@example.com`,
    roles: [3],
    workspaces: [],
    joinedAt: '2026-01-01T00:00:00Z',
  }))
  all[10]!.email = 'twin@example.com'
  all[20]!.email = 'Twin@Example.com'
  all[150]!.email = 'late@example.com'

  beforeAll(async () => {
    fake = await faultServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      res.setHeader('content-type', 'application/json')
      if (req.method === 'GET' && url.pathname === `/api/organizations/${ORG}/members`) {
        const page = Number(url.searchParams.get('page'))
        const per = Number(url.searchParams.get('per_page'))
        const data = all.slice((page - 1) * per, page * per)
        res.end(
          JSON.stringify({
            success: true,
            message: 'ok',
            data: {
              current_page: page,
              data,
              per_page: per,
              total: all.length,
              last_page: Math.ceil(all.length / per),
            },
          }),
        )
        return
      }
      if (req.method === 'DELETE') {
        res.end(JSON.stringify({ success: true, message: 'Member removed', data: null }))
        return
      }
      res.statusCode = 404
      res.end(JSON.stringify({ message: 'Not found' }))
    })
  })
  afterAll(() => fake.close())
  const fakeEnv = () => ({ ...freshHome(), ORGCTL_API_URL: fake.url, ORGCTL_TOKEN: 'fake-token-for-paging' })

  it('two members with one address: exit 5 listing both IDs, and nothing is deleted', async () => {
    fake.seen.length = 0
    const r = await runCli(['members', 'remove', ORG, 'TWIN@example.com', '--yes'], { env: fakeEnv() })
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('2 members have the e-mail address TWIN@example.com (IDs 11, 21)')
    expect(fake.seen.filter((s) => s.method !== 'GET')).toEqual([])
  })

  it('reads pages of 100 and stops at the first page that has the address', async () => {
    fake.seen.length = 0
    const r = await runCli(['members', 'remove', ORG, 'late@EXAMPLE.com', '--yes', '--json'], {
      env: fakeEnv(),
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ memberId: 151, removed: true })
    const gets = fake.seen.filter((s) => s.method === 'GET').map((s) => s.url)
    expect(gets).toEqual([
      `/api/organizations/${ORG}/members?page=1&per_page=100`,
      `/api/organizations/${ORG}/members?page=2&per_page=100`,
    ])
    expect(fake.seen.filter((s) => s.method === 'DELETE').map((s) => s.url)).toEqual([
      `/api/organizations/${ORG}/members/151`,
    ])
  })
})

describe('roles by name', () => {
  it('a remote API without a role map refuses a name (exit 2) and says how to name roles; nothing is sent', async () => {
    const home = env()
    const r = await runCli(
      ['invite', 'send', orgId, '--email', 'x1@example.com', '--name', 'X', '--role', 'admin'],
      { env: home },
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no role named "admin"')
    expect(r.stderr).toContain('orgctl roles set NAME=ID')
    expect((await api('GET', '/api/sandbox/outbox?to=x1%40example.com')).body.data).toEqual([])
  })

  it('roles set names IDs for the target; then --role takes names in any case, and an unknown name lists the known ones', async () => {
    const home = env()
    const set = await runCli(['roles', 'set', 'admin=2', 'billing=4', '--json'], { env: home })
    expect(set.code, set.stderr).toBe(0)
    expect(set.json()).toEqual([
      { id: 2, name: 'admin', source: 'config' },
      { id: 4, name: 'billing', source: 'config' },
    ])
    const sent = await runCli(
      [
        'invite',
        'send',
        orgId,
        '--email',
        'x2@example.com',
        '--name',
        'X',
        '--role',
        'Admin',
        '--role',
        '4',
        '--json',
      ],
      { env: home },
    )
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.json().roles).toEqual([2, 4])

    const unknown = await runCli(
      ['invite', 'send', orgId, '--email', 'x3@example.com', '--name', 'X', '--role', 'owner'],
      { env: home },
    )
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no role named "owner"')
    expect(unknown.stderr).toContain('known: admin (2), billing (4)')

    const unset = await runCli(['roles', 'unset', 'billing', '--json'], { env: home })
    expect(unset.json()).toEqual([{ id: 2, name: 'admin', source: 'config' }])
    const gone = await runCli(['roles', 'unset', 'billing'], { env: home })
    expect(gone.code).toBe(2)
    expect(gone.stderr).toContain('No role name "billing"')
    const bad = await runCli(['roles', 'set', 'admin'], { env: home })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Give each role as NAME=ID')
  })

  it('the local sandbox knows its roles: --role billing works, tables show "4 Billing", JSON keeps the IDs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgctl-names-'))
    try {
      const home = { ...freshHome(), ORGCTL_SANDBOX_DB: join(dir, 'sandbox.db') }
      const org = (
        await runCli(['org', 'create', '--name', 'Local', '--country-code', 'US', '--json'], { env: home })
      ).json().id
      const sent = await runCli(
        ['invite', 'send', org, '--email', 'l@example.com', '--name', 'L', '--role', 'billing', '--json'],
        { env: home },
      )
      expect(sent.code, sent.stderr).toBe(0)
      expect(sent.json().roles).toEqual([4])
      const list = await runCli(['roles', 'list', '--json'], { env: home })
      expect(list.json().map((r: { id: number; name: string }) => `${r.id} ${r.name}`)).toEqual([
        '1 owner',
        '2 admin',
        '3 member',
        '4 billing',
      ])
      const table = await runCli(['members', 'list', org], { env: home })
      expect(table.stdout).toMatch(/\t1 Owner\t/)
      const json = await runCli(['members', 'list', org, '--json'], { env: home })
      expect(json.json().members[0].roles).toEqual([1])
      const csv = await runCli(['members', 'list', org, '--csv'], { env: home })
      expect(csv.stdout).not.toContain('Owner')
      const unknown = await runCli(
        ['invite', 'send', org, '--email', 'm@example.com', '--name', 'M', '--role', 'boss'],
        { env: home },
      )
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain('known: owner (1), admin (2), member (3), billing (4)')

      // The sandbox has its own default organization.
      expect((await runCli(['org', 'use', org], { env: home })).code).toBe(0)
      const byDefault = await runCli(['members', 'list', '--json'], { env: home })
      expect(byDefault.code, byDefault.stderr).toBe(0)
      expect(byDefault.stderr).toContain(
        `Using organization "Local" (${org}) from the default for the local sandbox`,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a default organization', () => {
  it('org use sets it; commands without ORG use it and say which (name and ID) on stderr; --unset forgets it', async () => {
    const home = env()
    const use = await runCli(['org', 'use', orgId, '--json'], { env: home })
    expect(use.code, use.stderr).toBe(0)
    expect(use.json()).toEqual({
      scope: t.server.url.toLowerCase(),
      organizationId: orgId,
      name: 'Acme By Name',
    })

    const list = await runCli(['members', 'list', '--json'], { env: home })
    expect(list.code, list.stderr).toBe(0)
    expect(list.json().members.some((m: Member) => m.id === bobId)).toBe(true)
    expect(list.stderr).toContain(
      `Using organization "Acme By Name" (${orgId}) from the default for ${t.server.url}`,
    )

    const shown = await runCli(['org', 'use', '--json'], { env: home })
    expect(shown.json()).toMatchObject({ organizationId: orgId })

    const unset = await runCli(['org', 'use', '--unset', '--json'], { env: home })
    expect(unset.json()).toMatchObject({ organizationId: null })
    const missing = await runCli(['members', 'list'], { env: home, keepStdinOpen: true, killAfterMs: 20_000 })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('Missing required argument ORG')
  })

  it('a destructive command with the default always reads and names the organization before it acts', async () => {
    const home = env()
    await runCli(['org', 'use', orgId], { env: home })
    const erin = await addMember(orgId, 'erin@example.com', 'Erin')
    // The organization is renamed after `org use`: the line must carry the current name, read again.
    expect((await api('PATCH', `/api/organizations/${orgId}`, { name: 'Acme Renamed' })).status).toBe(200)
    const r = await runCli(['members', 'remove', 'erin@example.com', '--yes', '--json'], { env: home })
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ organizationId: orgId, memberId: erin })
    expect(r.stderr).toContain(`Using organization "Acme Renamed" (${orgId}) from the default`)
    expect((await api('PATCH', `/api/organizations/${orgId}`, { name: 'Acme By Name' })).status).toBe(200)
  })

  it('precedence: ORG on the command line > ORGCTL_ORG > the default', async () => {
    const home = env()
    await runCli(['org', 'use', orgId], { env: home })
    const fromEnv = await runCli(['org', 'get', '--json'], { env: { ...home, ORGCTL_ORG: otherOrg } })
    expect(fromEnv.json().id).toBe(otherOrg)
    expect(fromEnv.stderr).toContain(`(${otherOrg}) from ORGCTL_ORG`)
    const fromArg = await runCli(['org', 'get', orgId, '--json'], { env: { ...home, ORGCTL_ORG: otherOrg } })
    expect(fromArg.json().id).toBe(orgId)
    expect(fromArg.stderr).toBe('')
    const fromDefault = await runCli(['org', 'get', '--json'], { env: home })
    expect(fromDefault.json().id).toBe(orgId)
    const badEnv = await runCli(['org', 'get'], { env: { ...home, ORGCTL_ORG: 'not an org' } })
    expect(badEnv.code).toBe(2)
    expect(badEnv.stderr).toContain('ORGCTL_ORG must be an organization ID')
  })

  it('org use refuses an organization that does not exist (exit 4) and keeps the old default', async () => {
    const home = env()
    await runCli(['org', 'use', orgId], { env: home })
    const r = await runCli(['org', 'use', UNKNOWN_ORG], { env: home })
    expect(r.code).toBe(4)
    expect((await runCli(['org', 'use', '--json'], { env: home })).json().organizationId).toBe(orgId)
  })

  it('defaults belong to a profile: another profile has its own', async () => {
    const home = { ...freshHome() }
    for (const p of ['one', 'two']) {
      const login = await runCli(
        ['login', '--profile', p, '--api-url', t.server.url, '--insecure-storage', '--json'],
        {
          env: home,
          input: t.token,
        },
      )
      expect(login.code, login.stderr).toBe(0)
    }
    await runCli(['org', 'use', orgId, '--profile', 'one'], { env: home })
    await runCli(['org', 'use', otherOrg, '--profile', 'two'], { env: home })
    expect((await runCli(['org', 'get', '--profile', 'one', '--json'], { env: home })).json().id).toBe(orgId)
    expect((await runCli(['org', 'get', '--profile', 'two', '--json'], { env: home })).json().id).toBe(
      otherOrg,
    )
  })
})

describe('organization aliases', () => {
  it('alias set, use anywhere ORG is taken (announced with name and ID), list, unset', async () => {
    const home = env()
    const set = await runCli(['org', 'alias', 'set', 'Acme', orgId, '--json'], { env: home })
    expect(set.code, set.stderr).toBe(0)
    expect(set.json()).toEqual({ alias: 'acme', organizationId: orgId, name: 'Acme By Name' })

    const got = await runCli(['org', 'get', 'ACME', '--json'], { env: home })
    expect(got.json().id).toBe(orgId)
    expect(got.stderr).toContain(`Using organization "Acme By Name" (${orgId}) from alias "acme".`)
    const listed = await runCli(['members', 'list', 'acme', '--json'], { env: home })
    expect(listed.json().members.length).toBeGreaterThan(0)
    const viaEnv = await runCli(['org', 'get', '--json'], { env: { ...home, ORGCTL_ORG: 'acme' } })
    expect(viaEnv.json().id).toBe(orgId)

    const list = await runCli(['org', 'alias', 'list', '--json'], { env: home })
    expect(list.json()).toEqual([{ alias: 'acme', organizationId: orgId, name: 'Acme By Name' }])
    const names = await runCli(['org', 'alias', 'list', '--columns', 'alias', '--no-header'], { env: home })
    expect(names.stdout).toBe('acme\n')

    const unknown = await runCli(['org', 'get', 'acmee'], { env: home })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no alias "acmee" (known aliases: acme)')

    expect((await runCli(['org', 'alias', 'unset', 'acme'], { env: home })).code).toBe(0)
    const after = await runCli(['org', 'get', 'acme'], { env: home })
    expect(after.code).toBe(2)
    expect(after.stderr).toContain('no aliases yet')
    const again = await runCli(['org', 'alias', 'unset', 'acme'], { env: home })
    expect(again.code).toBe(2)
  })

  it('an alias for an organization that does not exist is refused (exit 4) and not saved', async () => {
    const home = env()
    const r = await runCli(['org', 'alias', 'set', 'ghost', UNKNOWN_ORG], { env: home })
    expect(r.code).toBe(4)
    expect((await runCli(['org', 'alias', 'list', '--json'], { env: home })).json()).toEqual([])
    const bad = await runCli(['org', 'alias', 'set', '9lives', orgId], { env: home })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('NAME must start with a letter')
  })
})

describe('whole numbers', () => {
  it('are checked at parse time, naming the flag, before anything is sent', async () => {
    for (const [flag, value] of [
      ['--page', '0'],
      ['--per-page', '101'],
      ['--page', '1e3'],
      ['--per-page', '-5'],
    ] as const) {
      const r = await runCli(['members', 'list', orgId, `${flag}=${value}`], { env: env() })
      expect(r.code, `${flag} ${value}`).toBe(2)
      expect(r.stderr).toContain(`${flag} must be a positive whole number`)
      expect(r.stderr).not.toContain('Parsing --')
    }
  })
})
