import { rmSync } from 'node:fs'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { runCli, startTestServer, type TestServer } from '../helpers/cli.js'
import { Terminal, killTmuxServer } from './tmux.js'

let t: TestServer
let orgId: string
const open: Terminal[] = []

beforeAll(async () => {
  t = await startTestServer()
  // An Owner's name that tries to clear the screen, retitle the window and reverse the text after it.
  const created = await runCli(
    [
      'api',
      '/api/organizations',
      '-f',
      'name=Evil\u001b[2J\u001b]0;pwned\u0007\u202eCo',
      '-f',
      'countryCode=US',
      '-i',
    ],
    { env: t.env },
  )
  expect(created.code).toBe(0)
  orgId = /location: \/api\/organizations\/(\S+)/.exec(created.stdout)?.[1] as string
})
afterEach(() => {
  for (const term of open.splice(0)) term.close()
})
afterAll(async () => {
  killTmuxServer()
  await t.server.close()
  rmSync(t.dir, { recursive: true, force: true })
  rmSync(t.env.HOME as string, { recursive: true, force: true })
})

function start(args: string[]): Terminal {
  const term = Terminal.start(['api', ...args], t.env)
  open.push(term)
  return term
}

describe('orgctl api on a terminal', () => {
  it('indents JSON and shows control and bidi characters as escapes', async () => {
    const term = start([`/api/organizations/${orgId}`])
    expect(await term.exitCode()).toBe(0)
    const screen = term.screen()
    expect(screen).toContain(`  "id": "${orgId}",`)
    expect(screen).toContain('"name": "Evil\\u001b[2J\\u001b]0;pwned\\u0007\\u202eCo"')
  })

  it('asks before a DELETE and sends nothing when declined', async () => {
    const term = start(['-X', 'DELETE', `/api/organizations/${orgId}/members/1`])
    await term.waitFor(/Send DELETE \/api\/organizations\/\S+\/members\/1 to http:\/\/127\.0\.0\.1:\d+\?/)
    term.type('n')
    term.press('Enter')
    expect(await term.exitCode()).toBe(2)
    const members = await runCli(['api', `/api/organizations/${orgId}/members`, '--jq', '.data.total'], {
      env: t.env,
    })
    expect(members.stdout).toBe('1\n')
  })
})
