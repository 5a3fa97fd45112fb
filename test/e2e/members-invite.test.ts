import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli, startTestServer, type TestServer } from '../helpers/cli.js'

let t: TestServer
let orgId: string
let workspace: string
const people = ['bob', 'grace', 'alan'].map((n) => ({ name: n, email: `${n}@example.com` }))

async function inviteAndAccept(email: string, name: string): Promise<number> {
  const sent = await runCli(
    ['invite', 'send', orgId, '--email', email, '--name', name, '--role', '3', '--json'],
    { env: t.env },
  )
  expect(sent.code).toBe(0)
  const outbox = await runCli(
    ['sandbox', 'outbox', '--to', email, '--columns', 'inviteToken', '--csv', '--no-header'],
    { env: t.env },
  )
  const token = outbox.stdout.trim()
  expect(token.length).toBeGreaterThan(20)
  const accepted = await runCli(['invite', 'accept', token, '--password-stdin', '--json'], {
    env: t.env,
    input: 'correct horse battery\n',
  })
  expect(accepted.code).toBe(0)
  return accepted.json().memberId
}

beforeAll(async () => {
  t = await startTestServer()
  orgId = (
    await runCli(['org', 'create', '--name', 'Team', '--country-code', 'US', '--json'], { env: t.env })
  ).json().id
})
afterAll(() => t.server.close())

describe('invite send, sandbox outbox and invite accept', () => {
  it('invites by e-mail, shows the message in the outbox, and accepting makes a member', async () => {
    const sent = await runCli(
      ['invite', 'send', orgId, '--email', 'ada@example.com', '--name', 'Ada', '--role', '2', '--json'],
      { env: t.env },
    )
    expect(sent.code).toBe(0)
    expect(sent.json()).toMatchObject({
      organizationId: orgId,
      email: 'ada@example.com',
      name: 'Ada',
      roles: [2],
      replayed: false,
    })
    expect(sent.json().idempotencyKey).toMatch(/\S+/)
    expect(sent.stderr).toBe('')

    const [table, json] = await Promise.all([
      runCli(['sandbox', 'outbox', '--to', 'ada@example.com'], { env: t.env }),
      runCli(['sandbox', 'outbox', '--to', 'ada@example.com', '--json'], { env: t.env }),
    ])
    expect(table.stdout).toMatch(/ada@example\.com/)
    const [message] = json.json()
    expect(message).toMatchObject({
      to: 'ada@example.com',
      organizationId: orgId,
      inviteToken: expect.any(String),
    })

    const accepted = await runCli(['invite', 'accept', message.inviteToken, '--password-stdin'], {
      env: t.env,
      input: 'long enough pw\n',
    })
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toMatch(/accepted/)
    // A used token is gone (410 → exit 4).
    const again = await runCli(['invite', 'accept', message.inviteToken, '--password-stdin', '--json'], {
      env: t.env,
      input: 'long enough pw',
    })
    expect(again.code).toBe(4)
  })

  it('exits 5 when the person already has a pending invitation (409)', async () => {
    const args = ['invite', 'send', orgId, '--email', 'dup@example.com', '--name', 'Dup']
    expect((await runCli(args, { env: t.env })).code).toBe(0)
    const second = await runCli([...args, '--csv'], { env: t.env })
    expect(second.code).toBe(5)
    expect(second.stderr).toMatch(/Rejected by the API \(409\)/)
    expect(second.stdout).toBe('')
  })

  it('prints a CSV row for an invitation', async () => {
    const r = await runCli(
      [
        'invite',
        'send',
        orgId,
        '--email',
        'csv@example.com',
        '--name',
        'Csv',
        '--csv',
        '--columns',
        'email,roles',
      ],
      { env: t.env },
    )
    expect(r.stdout).toBe('email,roles\ncsv@example.com,3\n')
  })

  it('takes a token that starts with "-" after "--", and trims what a shell capture leaves', async () => {
    const dashed = await runCli(['invite', 'accept', '--password-stdin', '--', '-no-such-token'], {
      env: t.env,
      input: 'correct horse battery',
    })
    // Parsed as the token and sent: the server does not know it (exit 4), not a usage error (exit 2).
    expect(dashed.code).toBe(4)
    expect(dashed.stderr).toMatch(/This invitation does not exist/)
    const crlf = await runCli(['invite', 'accept', 'no-such-token\r', '--password-stdin'], {
      env: t.env,
      input: 'correct horse battery',
    })
    expect(crlf.code).toBe(4)
  })

  it('needs --password-stdin without a terminal, and never waits on stdin', async () => {
    const r = await runCli(['invite', 'accept', 'sometoken'], {
      env: t.env,
      keepStdinOpen: true,
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--password-stdin/)
  })

  it('rejects a bad e-mail address before sending', async () => {
    const r = await runCli(['invite', 'send', orgId, '--email', 'nope', '--name', 'N'], { env: t.env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--email must be an e-mail address/)
  })
})

describe('members', () => {
  beforeAll(async () => {
    for (const p of people) await inviteAndAccept(p.email, p.name)
  })

  it('lists a page as table, JSON and CSV', async () => {
    const [table, json, csv] = await Promise.all([
      runCli(['members', 'list', orgId], { env: t.env }),
      runCli(['members', 'list', orgId, '--per-page', '2', '--page', '2', '--json'], { env: t.env }),
      runCli(['members', 'list', orgId, '--csv', '--columns', 'email,roles'], { env: t.env }),
    ])
    expect(table.stdout).toMatch(/grace@example\.com/)
    expect(table.stdout).toMatch(/^id\tname\temail\troles\tworkspaces\tjoinedAt$/m)
    const page = json.json()
    expect(page).toMatchObject({ page: 2, perPage: 2, total: 5, lastPage: 3 })
    expect(page.members).toHaveLength(2)
    expect(page.members[0]).toEqual({
      id: expect.any(Number),
      name: expect.any(String),
      email: expect.any(String),
      roles: expect.any(Array),
      workspaces: expect.any(Array),
      joinedAt: expect.any(String),
    })
    workspace = page.members[0].workspaces[0]
    expect(csv.stdout.split('\n')[0]).toBe('email,roles')
    expect(csv.stdout).toContain('alan@example.com,3\n')
    for (const r of [table, json, csv]) {
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
    }
  })

  it('--all streams every page as one JSON document, and CSV with one header', async () => {
    const [json, csv] = await Promise.all([
      runCli(['members', 'list', orgId, '--all', '--per-page', '2', '--json'], { env: t.env }),
      runCli(['members', 'list', orgId, '--all', '--per-page', '2', '--csv', '--columns', 'email'], {
        env: t.env,
      }),
    ])
    const all = json.json()
    expect(all.total).toBe(5)
    expect(all.members.map((m: { email: string }) => m.email)).toEqual(
      expect.arrayContaining(people.map((p) => p.email)),
    )
    expect(csv.stdout.match(/^email$/gm)).toHaveLength(1)
    expect(csv.stdout.trim().split('\n')).toHaveLength(6)
  })

  it('updates roles and workspaces, and exits 5 listing field errors for an unknown role', async () => {
    const list = (await runCli(['members', 'list', orgId, '--json'], { env: t.env })).json()
    const grace = list.members.find((m: { email: string }) => m.email === 'grace@example.com')
    const ws = workspace ?? grace.workspaces[0]
    const r = await runCli(
      [
        'members',
        'update',
        orgId,
        String(grace.id),
        '--role',
        '2',
        '--role',
        '4',
        '--workspace',
        ws,
        '--json',
      ],
      { env: t.env },
    )
    expect(r.code).toBe(0)
    expect(r.json()).toMatchObject({ id: grace.id, roles: [2, 4], workspaces: [ws] })
    const table = await runCli(
      ['members', 'update', orgId, String(grace.id), '--role', '3', '--workspace', ws],
      { env: t.env },
    )
    expect(table.stdout).toMatch(/grace@example\.com/)

    const bad = await runCli(
      ['members', 'update', orgId, String(grace.id), '--role', '99', '--workspace', ws, '--json'],
      { env: t.env },
    )
    expect(bad.code).toBe(5)
    const err = bad.json().error
    expect(err).toMatchObject({ exitCode: 5, status: 422 })
    expect(Object.keys(err.fields)[0]).toMatch(/^roles/)
    const human = await runCli(
      ['members', 'update', orgId, String(grace.id), '--role', '99', '--workspace', ws],
      { env: t.env },
    )
    expect(human.stderr).toMatch(/roles\.0: /)
  })

  it('exits 2 when --role or --workspace is missing or MEMBER is not a positive integer', async () => {
    const [noRole, badMember] = await Promise.all([
      runCli(['members', 'update', orgId, '3', '--workspace', '9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f'], {
        env: t.env,
        keepStdinOpen: true,
      }),
      runCli(['members', 'update', orgId, '-1', '--role', '2'], { env: t.env }),
    ])
    expect(noRole.code).toBe(2)
    expect(noRole.stderr).toMatch(/--role/)
    expect(badMember.code).toBe(2)
  })

  it('removes a member only with --yes when there is no terminal', async () => {
    const list = (await runCli(['members', 'list', orgId, '--json'], { env: t.env })).json()
    const alan = list.members.find((m: { email: string }) => m.email === 'alan@example.com')
    const refused = await runCli(['members', 'remove', orgId, String(alan.id)], {
      env: t.env,
      keepStdinOpen: true,
    })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--yes/)
    const removed = await runCli(['members', 'remove', orgId, String(alan.id), '--yes', '--json'], {
      env: t.env,
    })
    expect(removed.code).toBe(0)
    expect(removed.json()).toMatchObject({ organizationId: orgId, memberId: alan.id, removed: true })
    const gone = await runCli(['members', 'remove', orgId, String(alan.id), '--yes'], { env: t.env })
    expect(gone.code).toBe(4)
  })
})
