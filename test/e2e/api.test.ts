import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { faultServer } from '../helpers/faults.js'
import { freshHome, runCli, startTestServer, type TestServer } from '../helpers/cli.js'

let t: TestServer
let orgId: string
const MEMBERS = 5 // the Owner plus four accepted invitations: three pages at per_page=2

async function api(args: string[], input?: string) {
  return runCli(['api', ...args], { env: t.env, ...(input !== undefined ? { input } : {}) })
}

beforeAll(async () => {
  t = await startTestServer()
  const created = await api(['/api/organizations', '-f', 'name=Api Co', '-f', 'countryCode=US', '-i'])
  expect(created.code).toBe(0)
  orgId = /location: \/api\/organizations\/([0-9a-f-]{36})/.exec(created.stdout)?.[1] as string
  expect(orgId).toMatch(/^[0-9a-f-]{36}$/)
  for (let i = 1; i < MEMBERS; i++) {
    const email = `p${i}@example.com`
    const sent = await api([
      `/api/organizations/${orgId}/invite`,
      '-f',
      `email=${email}`,
      '-f',
      `name=P${i}`,
      '-F',
      'roles[]=3',
    ])
    expect(sent.code).toBe(0)
    const token = await api([
      '/api/sandbox/outbox',
      '--jq',
      `.data[] | select(.to == "${email}") | .inviteToken`,
    ])
    const accepted = await api(
      [`/api/organizations/invite/${token.stdout.trim()}/accept`, '--input', '-'],
      JSON.stringify({ password: 'correct horse', password_confirmation: 'correct horse' }),
    )
    expect(accepted.code).toBe(0)
  }
})
afterAll(async () => {
  await t.server.close()
  rmSync(t.dir, { recursive: true, force: true })
  rmSync(t.env.HOME as string, { recursive: true, force: true })
})

describe('orgctl api', () => {
  it('GETs a path on the target and filters it with --jq', async () => {
    const run = await api([`/api/organizations/${orgId}`, '--jq', '.name'])
    expect(run).toMatchObject({ code: 0, stdout: 'Api Co\n', stderr: '' })
  })

  it('prints the body as received when piped', async () => {
    const run = await api([`/api/organizations/${orgId}`])
    expect(run.code).toBe(0)
    expect(run.stdout.trimEnd()).not.toContain('\n') // compact, as the server sent it
    expect(run.json()).toMatchObject({ id: orgId, name: 'Api Co', countryCode: 'US' })
  })

  it('PATCHes with string and typed fields', async () => {
    const run = await api([
      '-X',
      'PATCH',
      `/api/organizations/${orgId}`,
      '-f',
      'statusReason=audit',
      '-f',
      'status=suspended',
    ])
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({ status: 'suspended', statusReason: 'audit' })
    const cleared = await api([
      '-X',
      'patch',
      `/api/organizations/${orgId}`,
      '-F',
      'statusReason=null',
      '-f',
      'status=active',
    ])
    expect(cleared.code).toBe(0)
    expect(cleared.json()).toMatchObject({ status: 'active' })
    expect(cleared.json().statusReason ?? null).toBeNull()
  })

  it('sends typed array fields: roles[] as integers, and a field read from a file', async () => {
    const home = freshHome()
    const file = join(home.HOME as string, 'name.txt')
    writeFileSync(file, 'Grace From File')
    const run = await api([
      `/api/organizations/${orgId}/invite`,
      '-F',
      `name=@${file}`,
      '-f',
      'email=grace@example.com',
      '-F',
      'roles[]=2',
      '-F',
      'roles[]=4',
    ])
    rmSync(home.HOME as string, { recursive: true, force: true })
    expect(run.code).toBe(0)
    expect(run.json().data).toMatchObject({
      email: 'grace@example.com',
      name: 'Grace From File',
      roles: [2, 4],
    })
  })

  it('POSTs a body from stdin, with an Idempotency-Key so a repeat is a replay', async () => {
    const body = JSON.stringify({ name: 'Stdin Co', countryCode: 'EG' })
    const args = ['/api/organizations', '--input', '-', '--idempotency-key', `api-test-${Date.now()}`, '-i']
    const first = await api(args, body)
    const second = await api(args, body)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^HTTP\/1\.1 201 Created\n/)
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/idempotent-replayed: true/)
    const location = (s: string) => /location: (\S+)/.exec(s)?.[1]
    expect(location(second.stdout)).toBe(location(first.stdout))
  })

  it('exits 4 on a 404 and prints the server body on stdout, the error on stderr', async () => {
    const run = await api(['/api/organizations/9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f'])
    expect(run.code).toBe(4)
    expect(JSON.parse(run.stdout)).toEqual({ message: 'Not found.' })
    expect(run.stderr).toMatch(/^Error: Not found \(404\)/m)
  })

  it('with --json, a failure is one error document', async () => {
    const run = await api(['/api/organizations/9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f', '--json'])
    expect(run.code).toBe(4)
    expect(run.json()).toMatchObject({ error: { exitCode: 4, status: 404 } })
  })

  it('exits 5 on a 422 naming the field', async () => {
    const run = await api(['/api/organizations', '-f', 'name=X', '-f', 'countryCode=ZZ'])
    expect(run.code).toBe(5)
    expect(run.stderr).toMatch(/countryCode/)
  })

  it('--include prints the status line and headers, and never the token', async () => {
    const run = await api([`/api/organizations/${orgId}`, '-i', '-H', 'X-Echo: 1'])
    expect(run.code).toBe(0)
    const [head, body] = run.stdout.split('\n\n')
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\ncontent-type: application\/json/)
    expect(JSON.parse(body as string).id).toBe(orgId)
    expect(run.stdout + run.stderr).not.toContain(t.token)
  })

  it('--verbose traces the request on stderr like --debug, with the token redacted', async () => {
    const run = await api([`/api/organizations/${orgId}`, '--verbose'])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/\[debug\] GET http:\/\/127\.0\.0\.1:\d+\/api\/organizations\/\S+ headers/)
    expect(run.stderr).toContain('"authorization":"[redacted]"')
    expect(run.stderr).not.toContain(t.token)
  })

  it('--paginate follows the paginator over three pages, printing each page', async () => {
    const run = await api([`/api/organizations/${orgId}/members`, '-F', 'per_page=2', '--paginate'])
    expect(run.code).toBe(0)
    const pages = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(pages.map((p) => p.data.current_page)).toEqual([1, 2, 3])
    expect(pages.flatMap((p) => p.data.data).length).toBe(MEMBERS)
  })

  it('--paginate --slurp prints one array; --jq applies to it', async () => {
    const run = await api([
      `/api/organizations/${orgId}/members`,
      '-F',
      'per_page=2',
      '--paginate',
      '--slurp',
    ])
    expect(run.code).toBe(0)
    expect(run.json()).toHaveLength(3)
    const count = await api([
      `/api/organizations/${orgId}/members?per_page=2`,
      '--paginate',
      '--slurp',
      '--jq',
      'map(.data.data[]) | length',
    ])
    expect(count).toMatchObject({ code: 0, stdout: `${MEMBERS}\n` })
  })

  it('--paginate with --jq applies the filter to each page', async () => {
    const run = await api([
      `/api/organizations/${orgId}/members`,
      '-F',
      'per_page=2',
      '--paginate',
      '--jq',
      '.data.current_page',
    ])
    expect(run).toMatchObject({ code: 0, stdout: '1\n2\n3\n' })
  })

  it('refuses a DELETE without --yes when there is no terminal, sending nothing', async () => {
    const run = await api(['-X', 'DELETE', `/api/organizations/${orgId}/members/2`])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--yes/)
    const still = await api([`/api/organizations/${orgId}/members`, '--jq', '.data.total'])
    expect(still.stdout).toBe(`${MEMBERS}\n`)
  })

  it('DELETE with --yes removes', async () => {
    const last = await api([`/api/organizations/${orgId}/members?per_page=100`, '--jq', '.data.data[-1].id'])
    const run = await api([
      '-X',
      'DELETE',
      `/api/organizations/${orgId}/members/${last.stdout.trim()}`,
      '--yes',
    ])
    expect(run.code).toBe(0)
    const after = await api([`/api/organizations/${orgId}/members`, '--jq', '.data.total'])
    expect(after.stdout).toBe(`${MEMBERS - 1}\n`)
  })

  it.each([
    ['http://127.0.0.1:1/api/organizations'],
    ['//evil.example/api'],
    ['/\\evil.example/api'],
    ['HTTPS://x.example/'],
  ])('refuses an absolute URL (%s) with exit 2', async (path) => {
    const run = await api([path])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/PATH must be a path on the target/)
  })

  it('refuses an Authorization header unless asked, and header injection always', async () => {
    const auth = await api(['/api/organizations', '-H', 'Authorization: Bearer other'])
    expect(auth.code).toBe(2)
    expect(auth.stderr).toMatch(/--allow-authorization/)
    const injected = await api(['/api/organizations', '-H', 'X-A: b\r\nX-B: c'])
    expect(injected.code).toBe(2)
  })

  it('rejects bad fields before sending', async () => {
    for (const args of [
      ['-f', 'novalue'],
      ['-F', 'a=1', '-F', 'a[b]=2'],
      ['-X', 'BREW'],
    ]) {
      const run = await api(['/api/organizations', ...args])
      expect(run.code, args.join(' ')).toBe(2)
    }
  })
})

describe('orgctl api against a remote target', () => {
  it('puts GET fields in the query string, with Laravel arrays', async () => {
    const fake = await faultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
    try {
      const home = freshHome()
      const env = { ...home, ORGCTL_API_URL: fake.url, ORGCTL_TOKEN: 'remote-token-123456' }
      const run = await runCli(
        ['api', '/api/things', '-X', 'GET', '-f', 'q=a b', '-F', 'ids[]=1', '-F', 'ids[]=2'],
        { env },
      )
      rmSync(home.HOME as string, { recursive: true, force: true })
      expect(run.code).toBe(0)
      expect(fake.seen[0]?.url).toBe('/api/things?q=a+b&ids%5B%5D=1&ids%5B%5D=2')
    } finally {
      await fake.close()
    }
  })

  it('does not follow a next_page_url to another host', async () => {
    const fake = await faultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        '{"current_page":1,"last_page":2,"next_page_url":"http://other.example/api/x?page=2","data":[]}',
      )
    })
    try {
      const home = freshHome()
      const env = { ...home, ORGCTL_API_URL: fake.url, ORGCTL_TOKEN: 'remote-token-123456' }
      const run = await runCli(['api', '/api/x', '--paginate'], { env })
      rmSync(home.HOME as string, { recursive: true, force: true })
      expect(run.code).toBe(7)
      expect(run.stderr).toMatch(/next_page_url points to http:\/\/other\.example/)
      expect(fake.seen).toHaveLength(1)
    } finally {
      await fake.close()
    }
  })
})
