import { randomUUID } from 'node:crypto'
import { join } from 'node:path'

import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/cli.js'
import { sandboxApi } from '../helpers/sandbox-api.js'
import { Terminal, hasTmux, killTmuxServer } from './tmux.js'

let t: TestServer
const open: Terminal[] = []

const { api, createOrg, addMember, members, pendingInviteToken } = sandboxApi(() => t)

/** Starts orgctl against the test server in a terminal; closed after each test. */
function terminal(args: string[], size?: { cols: number; rows: number }): Terminal {
  const term = Terminal.start(args, t.env, size)
  open.push(term)
  return term
}

function db(): Database.Database {
  return new Database(join(t.dir, 'sandbox.db'), { readonly: true })
}

beforeAll(async () => {
  expect(hasTmux, 'tmux is needed for the pseudo-terminal tests (.ci/run installs it)').toBe(true)
  t = await startTestServer()
})
afterEach(() => {
  for (const term of open.splice(0)) term.close()
})
afterAll(async () => {
  killTmuxServer()
  await t?.server.close()
})

describe('prompts in a real terminal (tmux)', () => {
  it('org create with nothing given asks for the name and country code, checking the code as it is typed', async () => {
    const term = terminal(['org', 'create'])
    await term.waitFor('Organization name')
    term.type('Prompted Co')
    term.press('Enter')
    await term.waitFor('Country code')
    term.type('u')
    await term.waitFor('two letters (ISO 3166-1)')
    term.type('s')
    await term.waitFor(/Country code.*us\s*$/m)
    term.press('Enter')
    expect(await term.exitCode()).toBe(0)
    const screen = term.screen()
    expect(screen).toMatch(/│ name\s+│ Prompted Co\s+│/)
    expect(screen).toMatch(/│ countryCode\s+│ US\s+│/)
  })

  it('Ctrl-C at the country code exits 130 and creates nothing', async () => {
    const term = terminal(['org', 'create', '--name', 'Never Made'])
    await term.waitFor('Country code')
    term.press('C-c')
    expect(await term.exitCode()).toBe(130)
    const conn = db()
    const { n } = conn.prepare(`SELECT count(*) AS n FROM organizations WHERE name = 'Never Made'`).get() as {
      n: number
    }
    conn.close()
    expect(n).toBe(0)
  })

  it('members update offers the roles and workspaces to tick, and accepts a typed workspace ID', async () => {
    const orgId = await createOrg('Update Co')
    const memberId = await addMember(orgId, 'pick@example.com', 'Pick')
    const defaultWorkspace = (await members(orgId)).find((m) => m.id === memberId)!.workspaces[0]!
    // The API has no way to make a workspace; the test puts a second one straight into the database.
    const other = randomUUID()
    const conn = new Database(join(t.dir, 'sandbox.db'))
    conn
      .prepare('INSERT INTO workspaces (id, organization_id, name) VALUES (?, ?, ?)')
      .run(other, orgId, 'Ops')
    conn.close()

    const term = terminal(['members', 'update', orgId, String(memberId)])
    await term.waitFor(/Roles of Pick[\s\S]*4 Billing/)
    expect(term.screen()).toMatch(/◉ 3 Member/) // the current role is ticked
    term.press('Down', 'Space', 'Down', 'Space') // tick 2 Admin, untick 3 Member
    await term.waitFor(/◉ 2 Admin[\s\S]*◯ 3 Member/)
    term.press('Enter')
    await term.waitFor(/Workspaces of Pick[\s\S]*Another workspace/)
    expect(term.screen()).toContain(defaultWorkspace)
    term.press('Down', 'Space', 'Enter')
    await term.waitFor('Workspace IDs')
    term.type(other)
    term.press('Enter')
    expect(await term.exitCode()).toBe(0)
    const after = (await members(orgId)).find((m) => m.id === memberId)!
    expect(after.roles).toEqual([2])
    expect([...after.workspaces].sort()).toEqual([defaultWorkspace, other].sort())
  })

  it('members remove asks for the e-mail: a wrong one cancels (exit 2), Ctrl-C exits 130, the right one removes', async () => {
    const orgId = await createOrg('Remove Co')
    const memberId = await addMember(orgId, 'gone@example.com', 'Gone')
    const stillThere = async () => (await members(orgId)).some((m) => m.id === memberId)

    const wrong = terminal(['members', 'remove', orgId, String(memberId)])
    await wrong.waitFor('Type gone@example.com to confirm')
    expect(wrong.screen()).toContain('This removes Gone <gone@example.com>')
    wrong.type('someone@example.com')
    wrong.press('Enter')
    expect(await wrong.exitCode()).toBe(2)
    expect(wrong.screen()).toContain('did not match; nothing was sent')
    expect(await stillThere()).toBe(true)

    const interrupted = terminal(['members', 'remove', orgId, String(memberId)])
    await interrupted.waitFor('to confirm')
    interrupted.type('gone@exa')
    interrupted.press('C-c')
    expect(await interrupted.exitCode()).toBe(130)
    expect(await stillThere()).toBe(true)

    const right = terminal(['members', 'remove', orgId, String(memberId)])
    await right.waitFor('to confirm')
    right.type('Gone@Example.com')
    right.press('Enter')
    expect(await right.exitCode()).toBe(0)
    expect(await stillThere()).toBe(false)
  })

  it('wallet charge shows a summary and asks; Ctrl-C charges nothing, yes charges once', async () => {
    const orgId = await createOrg('Wallet Prompt Co')
    const args = ['wallet', 'charge', orgId, '--amount', '1500', '--sms-point', '150', '--reason', 'Top-up']
    const ledger = async () => (await api('GET', `/api/admin/organizations/${orgId}/wallet`)).body.data.ledger

    const interrupted = terminal(args)
    await interrupted.waitFor('Charge 1500 for 150 SMS points?')
    interrupted.press('C-c')
    expect(await interrupted.exitCode()).toBe(130)
    expect(await ledger()).toHaveLength(0)

    const term = terminal([...args, '--idempotency-key', 'tty-charge-1'])
    const summary = await term.waitFor('Charge 1500 for 150 SMS points?')
    expect(summary).toMatch(/Organization\s+Wallet Prompt Co$/m)
    expect(summary).toContain(`Organization ID  ${orgId}`)
    expect(summary).toMatch(/Amount\s+1500/)
    expect(summary).toMatch(/SMS points\s+150/)
    expect(summary).toMatch(/Idempotency key\s+tty-charge-1/)
    term.type('y')
    term.press('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(await ledger()).toMatchObject([{ amount: 1500, smsPoints: 150, reason: 'Top-up' }])
  })

  it('invite accept asks for the password twice without showing it; Ctrl-C accepts nothing', async () => {
    const orgId = await createOrg('Accept Co')
    const token = await pendingInviteToken(orgId, 'new@example.com', 'New')

    const interrupted = terminal(['invite', 'accept', token])
    await interrupted.waitFor('New password')
    interrupted.type('a secret pass')
    interrupted.press('Enter')
    await interrupted.waitFor('Repeat the password')
    interrupted.press('C-c')
    expect(await interrupted.exitCode()).toBe(130)
    expect((await members(orgId)).map((m) => m.email)).not.toContain('new@example.com')

    const term = terminal(['invite', 'accept', token])
    await term.waitFor('New password')
    term.type('short')
    term.press('Enter')
    await term.waitFor('at least 8 characters')
    const erase = () => term.press(...Array<string>(20).fill('BSpace')) // whether or not the prompt kept it
    erase()
    term.type('a secret pass')
    term.press('Enter')
    await term.waitFor('Repeat the password')
    term.type('a secret pasX')
    term.press('Enter')
    await term.waitFor('the two passwords differ')
    erase()
    term.type('a secret pass')
    term.press('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).not.toContain('a secret pass')
    expect((await members(orgId)).map((m) => m.email)).toContain('new@example.com')
  })

  it('fits a wide table to a narrow terminal, cutting values with an ellipsis', async () => {
    const orgId = await createOrg('Narrow Co')
    await addMember(
      orgId,
      'a-rather-long-address-for-a-narrow-terminal@example.com',
      'Someone With A Long Name',
    )
    const term = terminal(['members', 'list', orgId], { cols: 70, rows: 30 })
    expect(await term.exitCode()).toBe(0)
    const table = term
      .screen()
      .split('\n')
      .filter((l) => /^[┌│├└]/.test(l))
    expect(table.length).toBeGreaterThan(4)
    for (const line of table) expect([...line].length).toBeLessThanOrEqual(70)
    expect(table.join('\n')).toContain('…')
    expect(table.filter((l) => l.includes('Some'))).toHaveLength(1) // never wrapped
  })
})
