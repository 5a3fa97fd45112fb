import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli, startTestServer, type CliRun, type TestServer } from '../helpers/cli.js'

/*
 * An Owner renames their organization, an invitee picks their name, a proxy writes an error message: all
 * of it reaches orgctl's output. Nothing of it may reach the terminal as control bytes (SECURITY.md
 * "Terminal escaping"); JSON stays exact.
 */

/** Clears the screen, homes the cursor, retitles the window, an OSC 8 link, a C1 CSI, a bidi override and isolate, CR, TAB, LF. */
const HOSTILE =
  'Evil\u001b[2J\u001b[H\u001b]0;pwned\u0007\u001b]8;;https://evil.example/\u001b\\link\u001b]8;;\u001b\\' +
  '\u009b31mred\u202eesrever\u2066iso\u2069\u200f\u061c\u007fdel\rover\ttab\nnext'

/** Any byte that drives a terminal: C0 but LF and TAB (checked apart), DEL, C1, bidi controls. */
/* eslint-disable no-control-regex -- the point of the test */
const CONTROL =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
/* eslint-enable no-control-regex */

function expectNoControl(r: CliRun): void {
  expect(r.stdout).not.toMatch(CONTROL)
  expect(r.stderr).not.toMatch(CONTROL)
  expect(r.stderr).not.toContain('\t')
}

let t: TestServer
let orgId: string

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${t.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

beforeAll(async () => {
  t = await startTestServer()
  const created = await api('POST', '/api/organizations', { name: 'Plain Co', countryCode: 'US' })
  orgId = created.headers.get('location')!.split('/').pop()!
  // Renamed through the CLI, the way an Owner would.
  const renamed = await runCli(['org', 'update', orgId, '--name', HOSTILE, '--json'], { env: t.env })
  expect(renamed.code).toBe(0)
  expect(renamed.json().name).toBe(HOSTILE)
  // A member whose name and e-mail display name are hostile too.
  const invited = await api('POST', `/api/organizations/${orgId}/invite`, {
    email: 'mallory@example.com',
    name: HOSTILE,
    roles: [3],
  })
  expect(invited.status).toBe(200)
  const outbox = (await (await api('GET', '/api/sandbox/outbox?to=mallory%40example.com')).json()) as {
    data: { inviteToken: string }[]
  }
  const accepted = await api('POST', `/api/organizations/invite/${outbox.data[0]!.inviteToken}/accept`, {
    password: 'correct horse battery',
    password_confirmation: 'correct horse battery',
  })
  expect(accepted.status).toBe(200)
})
afterAll(() => t.server.close())

describe('hostile names never reach the terminal as control bytes', () => {
  it('org get, piped: one TSV line per field, the name escaped visibly', async () => {
    const r = await runCli(['org', 'get', orgId], { env: t.env })
    expect(r.code).toBe(0)
    expectNoControl(r)
    const lines = r.stdout.trimEnd().split('\n')
    for (const line of lines) expect(line.split('\t'), line).toHaveLength(2) // no TAB or LF inside a cell
    const name = lines.find((l) => l.startsWith('name\t'))!
    expect(name).toBe(
      'name\tEvil\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\x1b]8;;https://evil.example/\\x1b\\link\\x1b]8;;\\x1b\\' +
        '\\x9b31mred\\u202eesrever\\u2066iso\\u2069\\u200f\\u061c\\x7fdel\\rover\\ttab\\nnext',
    )
  })

  it('org get --json stays exact', async () => {
    const r = await runCli(['org', 'get', orgId, '--json'], { env: t.env })
    expect(r.code).toBe(0)
    expect(r.json().name).toBe(HOSTILE)
  })

  it('members list, piped TSV and --csv: every row one line, no control byte', async () => {
    const tsv = await runCli(['members', 'list', orgId], { env: t.env })
    expect(tsv.code).toBe(0)
    expectNoControl(tsv)
    const rows = tsv.stdout.trimEnd().split('\n')
    expect(rows).toHaveLength(3) // header, the owner, mallory
    for (const row of rows) expect(row.split('\t')).toHaveLength(6)
    expect(tsv.stdout).toContain('Evil\\x1b[2J')

    // CSV into a pipe is exact (a CSV parser gets the value back); only formula starts are neutralised.
    const csv = await runCli(['members', 'list', orgId, '--csv', '--columns', 'name'], { env: t.env })
    expect(csv.code).toBe(0)
    expect(csv.stdout).toContain(`"${HOSTILE}"`)
  })

  it('org update: the confirmation table of the result is escaped too', async () => {
    const r = await runCli(['org', 'update', orgId, '--status-reason', `\u001b[31mred\u001b[0m`], {
      env: t.env,
    })
    expect(r.code).toBe(0)
    expectNoControl(r)
    expect(r.stdout).toMatch(/^statusReason\t\\x1b\[31mred\\x1b\[0m$/m)
  })

  it('errors quoting an argument are escaped', async () => {
    const r = await runCli(['org', 'get', `x\u001b[2J\u202e`], { env: t.env })
    expect(r.code).toBe(2)
    expectNoControl(r)
    expect(r.stderr).toContain('\\x1b[2J\\u202e')
  })
})

describe('error messages from a hostile server', () => {
  let server: Server
  let url: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = req.url?.includes('00000000-0000-4000-8000-000000000422') ? 422 : 404
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: HOSTILE, errors: { [`name${HOSTILE}`]: [HOSTILE, 'second'] } }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const env = () => ({ HOME: t.env.HOME!, NO_COLOR: '1', ORGCTL_API_URL: url, ORGCTL_TOKEN: 'tok-123' })

  it('a 404 message is escaped onto its one line (exit 4)', async () => {
    const r = await runCli(['org', 'get', '00000000-0000-4000-8000-000000000404'], { env: env() })
    expect(r.code).toBe(4)
    expectNoControl(r)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('Not found (404): Evil\\x1b[2J')
  })

  it('a 422 with field errors: one line per field, names and messages escaped (exit 5)', async () => {
    const r = await runCli(['org', 'update', '00000000-0000-4000-8000-000000000422', '--name', 'X'], {
      env: env(),
    })
    expect(r.code).toBe(5)
    expectNoControl(r)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(2) // the message, then one field
    expect(lines[1]).toMatch(/^ {2}nameEvil\\x1b\[2J.*: Evil\\x1b\[2J.*; second$/)
  })

  it('with --json, the error document keeps the fields exact', async () => {
    const r = await runCli(
      ['org', 'update', '00000000-0000-4000-8000-000000000422', '--name', 'X', '--json'],
      {
        env: env(),
      },
    )
    expect(r.code).toBe(5)
    const { error } = r.json()
    expect(error.fields).toEqual({ [`name${HOSTILE}`]: [HOSTILE, 'second'] })
    expect(error.message).toContain(HOSTILE)
  })

  it('--debug trace lines are escaped', async () => {
    const r = await runCli(['org', 'get', '00000000-0000-4000-8000-000000000404', '--debug'], { env: env() })
    expect(r.code).toBe(4)
    expectNoControl(r)
    expect(r.stderr).toContain('[debug]')
  })
})
