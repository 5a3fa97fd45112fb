// `members list --all --json` prints exactly one JSON document: every member when every page came,
// the error document alone when a page failed (never a truncated member list before it).
import { afterEach, describe, expect, it } from 'vitest'

import { freshHome, runCli } from '../helpers/cli.js'
import { faultServer, type FaultServer } from '../helpers/faults.js'

const ORG = '3f1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7b'
const PER_PAGE = 2
const TOTAL = 5

const member = (id: number) => ({
  id,
  name: `Person ${id}`,
  email: `p${id}@example.com`,
  roles: [3],
  workspaces: [],
  joinedAt: '2025-01-01T00:00:00.000Z',
})

/** A Laravel-paginated members list of TOTAL members, PER_PAGE at a time; `failPage` answers 500. */
function membersServer(failPage?: number): Promise<FaultServer> {
  return faultServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const page = Number(url.searchParams.get('page'))
    if (page === failPage) {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end('{"message": "Server Error"}')
      return
    }
    const ids = Array.from({ length: TOTAL }, (_, i) => i + 1).slice((page - 1) * PER_PAGE, page * PER_PAGE)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        success: true,
        message: 'Members retrieved.',
        data: {
          current_page: page,
          data: ids.map(member),
          per_page: PER_PAGE,
          total: TOTAL,
          last_page: Math.ceil(TOTAL / PER_PAGE),
        },
      }),
    )
  })
}

let server: FaultServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const list = (url: string) =>
  runCli(['members', 'list', ORG, '--all', '--per-page', String(PER_PAGE), '--json'], {
    env: { ...freshHome(), ORGCTL_API_URL: url, ORGCTL_TOKEN: 'test-token' },
  })

describe('members list --all --json', () => {
  it('prints every page as one document', async () => {
    server = await membersServer()
    const r = await list(server.url)
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({ members: [1, 2, 3, 4, 5].map(member), total: TOTAL })
  })

  it('prints only the error document when a later page fails, and exits 7', async () => {
    server = await membersServer(2)
    const r = await list(server.url)
    expect(r.code).toBe(7)
    // Exactly one document, and it is the error: nothing of page 1 leaked before it.
    const doc = r.json()
    expect(Object.keys(doc)).toEqual(['error'])
    expect(doc.error).toMatchObject({ exitCode: 7, status: 500 })
    expect(r.stdout).not.toContain('p1@example.com')
  })
})
