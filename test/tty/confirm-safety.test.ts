import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/cli.js'
import { sandboxApi } from '../helpers/sandbox-api.js'
import { Terminal, hasTmux, killTmuxServer } from './tmux.js'

/*
 * An organization's Owner chooses its name; a platform admin charges its wallet. A name that clears the
 * screen, moves the cursor and draws its own "About to charge" block with a small amount must not be
 * able to hide what the admin is about to approve: in a real terminal (tmux), the real amount and points
 * are on screen, right above the question, and nothing the name holds is obeyed.
 */

const FAKE_SUMMARY =
  '\u001b[2J\u001b[H\u001b[3J' + // clear the screen and the scrollback, cursor home
  'About to charge this wallet:\n  Amount           10 (minor currency units)\n  SMS points       1\n' +
  '\u001b[8m' // conceal whatever comes after
const CRAFTED = `Acme${'\n'.repeat(40)}\u001b[999B${FAKE_SUMMARY}`

let t: TestServer
const open: Terminal[] = []

const { api } = sandboxApi(() => t)

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

describe('confirmations a crafted name cannot fake (tmux)', () => {
  it('wallet charge shows the real amount and points right above the question', async () => {
    expect(CRAFTED.length).toBeLessThanOrEqual(255)
    const created = await api('POST', '/api/organizations', { name: 'Acme', countryCode: 'US' })
    const orgId = created.headers.get('location')!.split('/').pop()!
    expect((await api('PATCH', `/api/organizations/${orgId}`, { name: CRAFTED })).status).toBe(200)

    const term = Terminal.start(
      ['wallet', 'charge', orgId, '--amount', '100000000', '--sms-point', '5000', '--reason', 'Top-up'],
      t.env,
      { cols: 100, rows: 30 },
    )
    open.push(term)
    const screen = await term.waitFor('Charge 100000000 for 5000 SMS points?')
    const lines = screen.split('\n')
    const question = lines.findIndex((l) => l.includes('Charge 100000000 for 5000 SMS points?'))
    // The two values that move money are the last lines before the question.
    expect(lines[question - 2]).toMatch(/^ {2}Amount\s+100000000 \(minor currency units\)$/)
    expect(lines[question - 1]).toMatch(/^ {2}SMS points\s+5000$/)
    // The crafted name is one escaped, bounded line: its fake block is neither drawn nor obeyed.
    const org = lines.find((l) => l.startsWith('  Organization  '))!
    expect(org).toMatch(/^ {2}Organization\s+Acme\\n\\n\\n/)
    expect([...org].length).toBeLessThanOrEqual(100)
    expect(screen).not.toMatch(/Amount\s+10 \(/)
    expect(lines.filter((l) => l.startsWith('About to charge'))).toHaveLength(1)
    expect(screen).toContain('To retry this exact charge safely later')

    term.type('n')
    term.press('Enter')
    expect(await term.exitCode()).toBe(2)
    const wallet = await api('GET', `/api/admin/organizations/${orgId}/wallet`)
    expect(wallet.body.data.ledger).toHaveLength(0)
  })

  it('--json on a terminal: C1 and bidi characters as \\u escapes, the document still valid', async () => {
    const created = await api('POST', '/api/organizations', { name: 'Acme', countryCode: 'US' })
    const orgId = created.headers.get('location')!.split('/').pop()!
    const name = 'Evil\u009b2J\u202eoc\u2066'
    expect((await api('PATCH', `/api/organizations/${orgId}`, { name })).status).toBe(200)
    const term = Terminal.start(['org', 'get', orgId, '--json'], t.env)
    open.push(term)
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toContain('"name": "Evil\\u009b2J\\u202eoc\\u2066"')
  })

  it('members remove names the member and organization on one escaped line each', async () => {
    const created = await api('POST', '/api/organizations', { name: 'Acme', countryCode: 'US' })
    const orgId = created.headers.get('location')!.split('/').pop()!
    expect((await api('PATCH', `/api/organizations/${orgId}`, { name: CRAFTED })).status).toBe(200)
    const name = `Mallory\u001b[2J\u001b[HThis removes Nobody <nobody@example.com>${'\n'.repeat(30)}`
    expect(
      (await api('POST', `/api/organizations/${orgId}/invite`, { email: 'm@example.com', name, roles: [3] }))
        .status,
    ).toBe(200)
    const outbox = await api('GET', '/api/sandbox/outbox?to=m%40example.com')
    const accepted = await api(
      'POST',
      `/api/organizations/invite/${outbox.body.data[0].inviteToken}/accept`,
      {
        password: 'correct horse battery',
        password_confirmation: 'correct horse battery',
      },
    )
    expect(accepted.status).toBe(200)

    const term = Terminal.start(['members', 'remove', orgId, String(accepted.body.data.memberId)], t.env, {
      cols: 120,
      rows: 30,
    })
    open.push(term)
    const screen = await term.waitFor('Type m@example.com to confirm')
    const lines = screen.split('\n')
    const question = lines.findIndex((l) => l.includes('Type m@example.com to confirm'))
    expect(lines[question - 1]).toMatch(/^This removes Mallory\\x1b\[2J\\x1b\[HThis removes Nobody/)
    expect(lines.filter((l) => l.includes('This removes'))).toHaveLength(1)
    expect(lines[question - 2]).toMatch(/^In the organization "Acme\\n\\n/)
    term.press('C-c')
    expect(await term.exitCode()).toBe(130)
  })
})
