// The server keeps the hot path's reads (the bearer token's user, the organization, the caller's roles)
// in memory until the database changes (src/server/db/connection.ts, Db.cached). These tests change the
// database every way it can change under a running server, its own requests, a second server on the
// same file (two CLI sandboxes, or `server start` beside one) and a plain SQLite connection, and check
// that the very next request sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app.js'
import { sha256 } from '../../src/server/crypto.js'
import { openDatabase } from '../../src/sqlite/driver.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
let other: { url: string; adminToken: string; close(): Promise<void> }

beforeAll(async () => {
  s = await startTestServer()
  const adminToken = 'other-admin-token-' + Math.random().toString(36).slice(2)
  const app = await buildApp({ dbPath: s.dbPath, ephemeralAdminTokens: [adminToken] })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  other = {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    adminToken,
    close: () => app.close(),
  }
})
afterAll(async () => {
  await other.close()
  await s.close()
})

/** A request to the second server on the same file, as its admin. */
async function viaOther(method: string, path: string, json?: unknown): Promise<number> {
  const res = await fetch(other.url + path, {
    method,
    headers: {
      authorization: `Bearer ${other.adminToken}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  await res.text()
  return res.status
}

const getOrg = (orgId: string, token: string) => s.request('GET', `/api/organizations/${orgId}`, { token })

describe('what a running server remembers between requests', () => {
  it('refuses a token at once when another connection deletes it from the database', async () => {
    const { token } = await s.user('revoked@cache.test')
    const orgId = await s.createOrg(token)
    expect((await getOrg(orgId, token)).status).toBe(200)
    expect((await getOrg(orgId, token)).status).toBe(200)
    const db = openDatabase(s.dbPath, { busyTimeoutMs: 5000 })
    try {
      expect(db.prepare('DELETE FROM tokens WHERE token_hash = ?').run(sha256(token)).changes).toBe(1)
    } finally {
      db.close()
    }
    const res = await getOrg(orgId, token)
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ message: 'Unauthenticated.' })
  })

  it('shows a member removed by this server that the organization no longer exists for them', async () => {
    const orgId = await s.createOrg(s.adminToken, { name: 'Own writes', countryCode: 'US' })
    const member = await s.addMember(orgId, 'own-removed@cache.test', [3])
    expect((await getOrg(orgId, member.token)).status).toBe(200)
    const removed = await s.request('DELETE', `/api/organizations/${orgId}/members/${member.memberId}`)
    expect(removed.status).toBe(200)
    expect((await getOrg(orgId, member.token)).status).toBe(404)
  })

  it('shows a member removed through another server on the same file that the organization is gone', async () => {
    const orgId = await s.createOrg(s.adminToken, { name: 'Shared file', countryCode: 'US' })
    const member = await s.addMember(orgId, 'other-removed@cache.test', [3])
    expect((await getOrg(orgId, member.token)).status).toBe(200)
    expect(await viaOther('DELETE', `/api/organizations/${orgId}/members/${member.memberId}`)).toBe(200)
    expect((await getOrg(orgId, member.token)).status).toBe(404)
  })

  it('lets a member manage as soon as another server makes them an Admin, and not after they lose it', async () => {
    const orgId = await s.createOrg(s.adminToken, { name: 'Promotion', countryCode: 'US' })
    const member = await s.addMember(orgId, 'promoted@cache.test', [3])
    const patch = (name: string) =>
      s.request('PATCH', `/api/organizations/${orgId}`, { token: member.token, json: { name } })
    expect((await patch('Before')).status).toBe(403)
    const members = await s.request('GET', `/api/organizations/${orgId}/members`)
    const workspaces = members.body.data.data[0].workspaces as string[]
    const path = `/api/organizations/${orgId}/members/${member.memberId}`
    expect(await viaOther('PUT', path, { workspaces, roles: [2] })).toBe(200)
    expect((await patch('Promoted')).status).toBe(200)
    expect(await viaOther('PUT', path, { workspaces, roles: [3] })).toBe(200)
    expect((await patch('Demoted')).status).toBe(403)
  })

  it('answers an organization renamed through another server with its new name', async () => {
    const orgId = await s.createOrg(s.adminToken, { name: 'Old name', countryCode: 'US' })
    expect((await getOrg(orgId, s.adminToken)).body.name).toBe('Old name')
    expect(await viaOther('PATCH', `/api/organizations/${orgId}`, { name: 'New name' })).toBe(200)
    expect((await getOrg(orgId, s.adminToken)).body.name).toBe('New name')
    // And renamed here, read here.
    const patched = await s.request('PATCH', `/api/organizations/${orgId}`, { json: { name: 'Third' } })
    expect(patched.status).toBe(200)
    expect((await getOrg(orgId, s.adminToken)).body.name).toBe('Third')
  })

  it('answers 404 for an organization another connection deleted, after having answered it', async () => {
    const orgId = await s.createOrg(s.adminToken, { name: 'Deleted', countryCode: 'US' })
    expect((await getOrg(orgId, s.adminToken)).status).toBe(200)
    const db = openDatabase(s.dbPath, { busyTimeoutMs: 5000 })
    try {
      db.exec('PRAGMA foreign_keys = ON')
      expect(db.prepare('DELETE FROM organizations WHERE id = ?').run(orgId).changes).toBe(1)
    } finally {
      db.close()
    }
    expect((await getOrg(orgId, s.adminToken)).status).toBe(404)
  })
})
