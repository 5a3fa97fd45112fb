import type { ServerResponse } from 'node:http'
import { join } from 'node:path'

import Database from 'better-sqlite3'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import type { Member } from '../../src/api/types.js'
import { freshHome, runCli, startTestServer, type TestServer } from '../helpers/cli.js'
import { sandboxApi } from '../helpers/sandbox-api.js'
import { faultServer, type FaultServer } from '../helpers/faults.js'
import { Terminal, hasTmux, killTmuxServer } from './tmux.js'

/*
 * The pickers, the partial-list line, the waiting spinner and accessible mode, in a real terminal.
 * tmux is required here (CI installs it in .ci/run): without it these tests fail rather than skip.
 */

let t: TestServer
let orgId: string
const open: Terminal[] = []

const { createOrg, addMember, members } = sandboxApi(() => t)

function terminal(args: string[], env: Record<string, string>): Terminal {
  const term = Terminal.start(args, env)
  open.push(term)
  return term
}

const home = (extra: Record<string, string> = {}) => ({ ...t.env, ...freshHome(), ...extra })

beforeAll(async () => {
  expect(hasTmux, 'tmux must be installed for the terminal tests (.ci/run installs it)').toBe(true)
  t = await startTestServer()
  orgId = await createOrg('Picker Co')
  await addMember(orgId, 'alice@example.com', 'Alice Archer')
  await addMember(orgId, 'carol@example.com', 'Carol Cook')
})
afterEach(() => {
  for (const term of open.splice(0)) term.close()
})
afterAll(async () => {
  killTmuxServer()
  await t?.server.close()
})

describe('pickers on a terminal', () => {
  it('ORG omitted, no default: a searchable list of aliases and recent organizations', async () => {
    const env = home()
    const other = await createOrg('Elsewhere Ltd')
    expect((await runCli(['org', 'alias', 'set', 'picker', orgId], { env })).code).toBe(0)
    expect((await runCli(['org', 'get', other], { env })).code).toBe(0) // now a recent organization
    const term = terminal(['org', 'get', '--columns', 'id,name'], env)
    await term.waitFor('Organization (aliases and recently used)')
    let screen = await term.waitFor('Elsewhere Ltd')
    expect(screen).toContain(`picker  Picker Co (${orgId})`)
    term.type('pick')
    await term.waitFor(/^(?![\s\S]*Elsewhere Ltd)/) // narrowed: the other organization is gone
    term.press('Enter')
    expect(await term.exitCode()).toBe(0)
    screen = term.screen()
    expect(screen).toMatch(/│ name\s+│ Picker Co\s+│/)
    expect(screen).toContain(`Using organization "Picker Co" (${orgId}) from your choice.`)
  })

  it('MEMBER omitted: the members by name and e-mail, narrowed as one types; then the usual confirmation', async () => {
    const dave = await addMember(orgId, 'dave@example.com', 'Dave Dunn')
    const term = terminal(['members', 'remove', orgId], home())
    await term.waitFor('Member (type part of a name or e-mail)')
    await term.waitFor('Dave Dunn <dave@example.com>')
    term.type('dunn')
    await term.waitFor(/^(?![\s\S]*Alice Archer)/)
    term.press('Enter')
    await term.waitFor('Type dave@example.com to confirm')
    term.type('dave@example.com')
    term.press('Enter')
    expect(await term.exitCode()).toBe(0)
    expect((await members(orgId)).some((m) => m.id === dave)).toBe(false)
  })

  it('two members with one e-mail on a terminal: pick which one, and only that one is removed', async () => {
    const fake = await twinServer()
    try {
      const term = terminal(['members', 'remove', TWIN_ORG, 'twin@example.com', '--yes'], fakeHome(fake))
      await term.waitFor('2 members have twin@example.com; which one?')
      await term.waitFor('Second Twin <Twin@Example.com> (member 21)')
      term.press('Down', 'Enter')
      expect(await term.exitCode()).toBe(0)
      expect(fake.seen.filter((s) => s.method === 'DELETE').map((s) => s.url)).toEqual([
        `/api/organizations/${TWIN_ORG}/members/21`,
      ])
    } finally {
      await fake.close()
    }
  })
})

describe('a partial list says so on a terminal only', () => {
  it('members list shows one page and, on stderr, how many there are and how to see the rest', async () => {
    const term = terminal(['members', 'list', orgId, '--per-page', '1'], home())
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toMatch(/Showing 1 of \d+ members \(page 1 of \d+\): --page 2 or --all/)
    const piped = await runCli(['members', 'list', orgId, '--per-page', '1'], { env: home() })
    expect(piped.code).toBe(0)
    expect(piped.stderr).not.toContain('Showing')
    expect(piped.stdout).not.toContain('Showing')
  })
})

describe('waiting', () => {
  it('a slow request shows a spinner on stderr on a terminal; it is gone once the answer is in', async () => {
    const slow = await heldServer()
    try {
      const term = terminal(['org', 'get', SLOW_ORG, '--columns', 'id,name'], fakeHome(slow))
      await term.waitFor('Waiting for the API')
      slow.release()
      expect(await term.exitCode()).toBe(0)
      const screen = term.screen()
      expect(screen).toMatch(/│ name\s+│ Slow Org\s+│/)
      expect(screen).not.toContain('Waiting for the API')
    } finally {
      await slow.close()
    }
  })

  it('piped, or with --json, no spinner is drawn, however slow the answer', async () => {
    const slow = await heldServer()
    try {
      const pending = runCli(['org', 'get', SLOW_ORG], { env: fakeHome(slow) })
      const json = terminal(['org', 'get', SLOW_ORG, '--json'], fakeHome(slow))
      // Both requests are held at the server; well past the spinner's delay, nothing may have been drawn.
      await until(() => slow.held() === 2)
      await new Promise((r) => setTimeout(r, 1500))
      expect(json.screen()).not.toContain('Waiting')
      slow.release()
      const piped = await pending
      expect(piped.code).toBe(0)
      expect(piped.stderr).toBe('')
      expect(await json.exitCode()).toBe(0)
    } finally {
      await slow.close()
    }
  })
})

describe('accessible mode (ORGCTL_ACCESSIBLE=1)', () => {
  it('the member picker is a numbered list printed once, narrowed below on typed words, and tables are plain lines', async () => {
    const erin = await addMember(orgId, 'erin@example.com', 'Erin Evans')
    const env = home({ ORGCTL_ACCESSIBLE: '1' })
    const term = terminal(['members', 'remove', orgId], env)
    await term.waitFor('Type a number, or words to narrow the list:')
    let screen = term.screen()
    expect(screen).toMatch(/Member \(type part of a name or e-mail\), \d+ choices:/)
    expect(screen).toMatch(/^ {2}\d+\. Erin Evans <erin@example\.com> \(member \d+\)$/m)
    expect(screen).not.toMatch(/[❯◉◯│┌]/)
    term.type('evans')
    term.press('Enter')
    // Typed only once the new question is up: type-ahead would be echoed by the terminal and again by readline.
    await term.waitFor(/1 choice:\n.*\nType a number, or words to narrow the list:$/)
    term.type('1')
    term.press('Enter')
    await term.waitFor('Type erin@example.com to confirm:')
    term.type('erin@example.com')
    term.press('Enter')
    expect(await term.exitCode()).toBe(0)
    screen = term.screen()
    // The first list is still there above the narrowed one: nothing was redrawn over it.
    expect(screen).toContain('Alice Archer')
    expect((await members(orgId)).some((m) => m.id === erin)).toBe(false)

    const table = terminal(['members', 'list', orgId], env)
    expect(await table.exitCode()).toBe(0)
    expect(table.screen()).toMatch(/^id +name +email/m) // tab-separated (tmux shows tabs as spaces)
    expect(table.screen()).not.toMatch(/[│┌─]/)
  })

  it('a typed answer is checked on a line of its own, asked again below, and Ctrl-C exits 130', async () => {
    const env = home({ ORGCTL_ACCESSIBLE: '1' })
    const term = terminal(['org', 'create', '--name', 'Accessible Co'], env)
    await term.waitFor('Country code (ISO 3166-1 alpha-2, e.g. US):')
    term.type('zz')
    term.press('Enter')
    await term.waitFor('Not accepted: two letters (ISO 3166-1), e.g. US or EG.')
    await term.waitFor(/Not accepted.*\nCountry code \(ISO 3166-1 alpha-2, e\.g\. US\):$/)
    term.press('C-c')
    expect(await term.exitCode()).toBe(130)
    const conn = new Database(join(t.dir, 'sandbox.db'), { readonly: true })
    const { n } = conn
      .prepare(`SELECT count(*) AS n FROM organizations WHERE name = 'Accessible Co'`)
      .get() as {
      n: number
    }
    conn.close()
    expect(n).toBe(0)
  })

  it('waiting is one plain line, left in place; `config set accessible on` does the same as the variable', async () => {
    const slow = await heldServer()
    try {
      const env = fakeHome(slow)
      expect((await runCli(['config', 'set', 'accessible', 'on'], { env })).code).toBe(0)
      const term = terminal(['org', 'get', SLOW_ORG, '--columns', 'id,name'], env)
      await term.waitFor('Waiting for the API...')
      slow.release()
      expect(await term.exitCode()).toBe(0)
      const screen = term.screen()
      expect(screen).toContain('Waiting for the API...')
      expect(screen).toMatch(/^name +Slow Org$/m)
    } finally {
      await slow.close()
    }
  })
})

const TWIN_ORG = '3f1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7b'
const SLOW_ORG = '5a1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7c'

function fakeHome(fake: { url: string }): Record<string, string> {
  return { ...freshHome(), ORGCTL_API_URL: fake.url, ORGCTL_TOKEN: 'fake-token-for-the-terminal' }
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** A members list with two members of one address, and DELETE that succeeds. */
function twinServer(): Promise<FaultServer> {
  const list: Member[] = [
    {
      id: 11,
      name: 'First Twin',
      email: 'twin@example.com',
      roles: [3],
      workspaces: [],
      joinedAt: '2026-01-01T00:00:00Z',
    },
    {
      id: 21,
      name: 'Second Twin',
      email: 'Twin@Example.com',
      roles: [3],
      workspaces: [],
      joinedAt: '2026-01-01T00:00:00Z',
    },
  ]
  return faultServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.method === 'GET')
      return void res.end(
        JSON.stringify({
          success: true,
          message: 'ok',
          data: { current_page: 1, data: list, per_page: 100, total: 2, last_page: 1 },
        }),
      )
    res.end(JSON.stringify({ success: true, message: 'Member removed', data: null }))
  })
}

/** An organization whose answer is held until the test releases it. */
async function heldServer(): Promise<FaultServer & { release(): void; held(): number }> {
  const waiting: ServerResponse[] = []
  let released = false
  const answer = (res: ServerResponse) =>
    res.end(
      JSON.stringify({
        id: SLOW_ORG,
        name: 'Slow Org',
        countryCode: 'US',
        status: 'active',
        owner: SLOW_ORG,
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
      }),
    )
  const server = await faultServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    if (released) answer(res)
    else waiting.push(res)
  })
  return Object.assign(server, {
    release() {
      released = true
      for (const res of waiting.splice(0)) answer(res)
    },
    held: () => waiting.length,
  })
}
