import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/cli.js'
import { ledger, memberIds, seedMembers } from '../helpers/bulk.js'
import { Terminal, killTmuxServer } from './tmux.js'

// Needs tmux (installed by .ci/run): without it Terminal.start throws and these tests fail, as they must.
let t: TestServer
const open: Terminal[] = []

async function createOrg(name: string): Promise<string> {
  const res = await fetch(`${t.server.url}/api/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, countryCode: 'US' }),
  })
  expect(res.status).toBe(201)
  return res.headers.get('location')!.split('/').pop()!
}

function terminal(args: string[]): Terminal {
  const term = Terminal.start(args, t.env)
  open.push(term)
  return term
}

beforeAll(async () => {
  t = await startTestServer()
})
afterEach(() => {
  for (const term of open.splice(0)) term.close()
})
afterAll(async () => {
  killTmuxServer()
  await t?.server.close()
})

describe('bulk runs that need confirmation, in a real terminal (tmux)', () => {
  it('a billing run says how many rows and the totals, and asks once: no charges nothing, yes charges each row once', async () => {
    const a = await createOrg('Billing A')
    const b = await createOrg('Billing B')
    const file = join(t.dir, 'billing.csv')
    writeFileSync(
      file,
      `organization,amount,sms_point,reason\n${a},1200,120,Dec\n${b},800,80,Dec\nnope,1,1,x\n`,
    )
    const args = ['wallet', 'charge', '--file', file]

    const declined = terminal(args)
    const screen = await declined.waitFor('Go ahead?')
    expect(screen).toMatch(
      /About to charge wallets: 2 rows, 2000 in amount \(minor units\) for 200 SMS points in all/,
    )
    expect(screen).toMatch(/1 invalid rows will not be sent/)
    declined.type('n')
    declined.press('Enter')
    expect(await declined.exitCode()).toBe(2)
    const dbPath = join(t.dir, 'sandbox.db')
    expect(ledger(dbPath).size).toBe(0)

    const term = terminal(args)
    await term.waitFor('Go ahead?')
    term.type('y')
    term.press('Enter')
    expect(await term.exitCode()).toBe(6)
    expect(ledger(dbPath).get(a)).toEqual({ rows: 1, amount: 1200, points: 120 })
    expect(ledger(dbPath).get(b)).toEqual({ rows: 1, amount: 800, points: 80 })
  })

  it('a removal from a file says how many members it removes and asks; Ctrl-C removes nobody', async () => {
    const org = await createOrg('Leavers Co')
    const dbPath = join(t.dir, 'sandbox.db')
    const people = seedMembers(dbPath, org, 3, `tty-leaver-${Date.now()}-`)
    const file = join(t.dir, 'leavers.csv')
    writeFileSync(file, `member\n${people.map((p) => p.email).join('\n')}\n`)
    const term = terminal(['members', 'remove', org, '--file', file])
    expect(await term.waitFor('Go ahead?')).toMatch(
      new RegExp(`About to remove members from organization ${org}: 3 rows`),
    )
    term.press('C-c')
    expect(await term.exitCode()).toBe(130)
    const left = memberIds(dbPath, org)
    for (const p of people) expect(left.has(p.id)).toBe(true)
  })
})
