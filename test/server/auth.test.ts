import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
let orgId: string
beforeAll(async () => {
  s = await startTestServer()
  orgId = await s.createOrg(s.adminToken)
})
afterAll(async () => s.close())

const protectedCalls = (): [string, string, unknown][] => [
  ['POST', '/api/organizations', { name: 'A', countryCode: 'US' }],
  ['GET', `/api/organizations/${orgId}`, undefined],
  ['PATCH', `/api/organizations/${orgId}`, { name: 'B' }],
  ['POST', `/api/organizations/${orgId}/upload-avatar`, undefined],
  ['GET', `/api/organizations/${orgId}/members`, undefined],
  ['PUT', `/api/organizations/${orgId}/members/1`, { workspaces: [], roles: [1] }],
  ['DELETE', `/api/organizations/${orgId}/members/1`, undefined],
  ['POST', `/api/admin/organizations/${orgId}/charge`, { amount: 1, service: 'sms', sms_point: 1 }],
  ['POST', `/api/organizations/${orgId}/invite`, { email: 'a@b.test', name: 'A', roles: [3] }],
  ['GET', `/api/admin/organizations/${orgId}/wallet`, undefined],
  ['GET', '/api/sandbox/outbox', undefined],
  ['POST', '/api/sandbox/tokens', { email: 'a@b.test' }],
]

describe('authentication', () => {
  it.each([
    ['no token', null],
    ['a wrong token', 'not-a-real-token'],
  ])('answers 401 Unauthenticated. to every protected operation given %s', async (_label, token) => {
    for (const [method, path, json] of protectedCalls()) {
      const res = await s.request(method, path, { token, ...(json === undefined ? {} : { json }) })
      expect(res.status, `${method} ${path}`).toBe(401)
      expect(res.body).toEqual({ message: 'Unauthenticated.' })
    }
  })

  it('answers 401 to a malformed Authorization header', async () => {
    for (const value of ['Basic abc', 'Bearer', 'Bearer a b', 'token']) {
      const res = await s.request('GET', `/api/organizations/${orgId}`, {
        token: null,
        headers: { authorization: value },
      })
      expect(res.status, value).toBe(401)
    }
  })

  it('answers 401 before looking at the path, so an outsider learns nothing', async () => {
    const res = await s.request('GET', '/api/organizations/not-a-uuid', { token: null })
    expect(res.status).toBe(401)
  })

  it('accepts a minted token and 404s a well-formed unknown organization (how login checks a token)', async () => {
    const { token } = await s.user('login@auth.test')
    const res = await s.request('GET', '/api/organizations/00000000-0000-0000-0000-000000000000', { token })
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ message: 'Not found.' })
  })

  it('mints tokens for an existing user without creating another', async () => {
    const a = await s.user('same@auth.test', 'Same')
    const b = await s.user('SAME@auth.test')
    expect(b.userId).toBe(a.userId)
    expect(b.token).not.toBe(a.token)
  })
})
