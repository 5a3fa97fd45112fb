import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
let ownerToken: string
let orgId: string
beforeAll(async () => {
  s = await startTestServer()
  ownerToken = (await s.user('owner@members.test')).token
  orgId = await s.createOrg(ownerToken, { name: 'Members Inc', countryCode: 'DE' })
})
afterAll(async () => s.close())

describe('list members', () => {
  it('pages members in the Laravel paginator shape, clamping per_page to 100', async () => {
    const other = await s.createOrg(ownerToken)
    for (const n of [1, 2, 3]) await s.addMember(other, `p${n}@members.test`, [3])
    const page = await s.request('GET', `/api/organizations/${other}/members?page=2&per_page=2`, {
      token: ownerToken,
    })
    expect(page.status).toBe(200)
    expect(page.body).toMatchObject({ success: true, message: 'All Organization Members' })
    expect(page.body.data).toMatchObject({ current_page: 2, per_page: 2, total: 4, last_page: 2 })
    expect(page.body.data.data.map((m: { email: string }) => m.email)).toEqual([
      'p2@members.test',
      'p3@members.test',
    ])
    const clamped = await s.request('GET', `/api/organizations/${other}/members?per_page=500`, {
      token: ownerToken,
    })
    expect(clamped.body.data.per_page).toBe(100)
  })

  it.each([
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['per_page=-1', 'per_page'],
  ])('rejects %s with 422 naming the parameter', async (query, field) => {
    const res = await s.request('GET', `/api/organizations/${orgId}/members?${query}`, { token: ownerToken })
    expect(res.status).toBe(422)
    expect(res.body.errors[field]).toBeDefined()
  })
})

describe('update member', () => {
  it('replaces roles and workspaces and answers the member', async () => {
    const { memberId } = await s.addMember(orgId, 'upd@members.test', [3])
    const list = await s.request('GET', `/api/organizations/${orgId}/members`, { token: ownerToken })
    const workspace = list.body.data.data[0].workspaces[0]
    const res = await s.request('PUT', `/api/organizations/${orgId}/members/${memberId}`, {
      token: ownerToken,
      json: { workspaces: [workspace], roles: [2, 4] },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ success: true, message: 'Member updated' })
    expect(res.body.data).toMatchObject({
      id: memberId,
      email: 'upd@members.test',
      roles: [2, 4],
      workspaces: [workspace],
    })
  })

  it('rejects unknown roles and other organizations’ workspaces with 422 naming the item', async () => {
    const { memberId } = await s.addMember(orgId, 'upd2@members.test', [3])
    const elsewhere = await s.createOrg(ownerToken)
    const foreign = (await s.request('GET', `/api/organizations/${elsewhere}/members`, { token: ownerToken }))
      .body.data.data[0].workspaces[0]
    const res = await s.request('PUT', `/api/organizations/${orgId}/members/${memberId}`, {
      token: ownerToken,
      json: { workspaces: [foreign], roles: [3, 99] },
    })
    expect(res.status).toBe(422)
    expect(res.body.errors['roles.1']).toEqual(['The selected roles.1 is invalid.'])
    expect(res.body.errors['workspaces.0']).toEqual(['The selected workspaces.0 is invalid.'])
  })

  it.each([
    [{ roles: [1] }, 'workspaces', 'The workspaces field is required.'],
    [{ workspaces: [] }, 'roles', 'The roles field is required.'],
    [{ workspaces: ['nope'], roles: [1] }, 'workspaces.0', 'The workspaces.0 field must be a valid UUID.'],
    [{ workspaces: [], roles: ['1'] }, 'roles.0', 'The roles.0 field must be an integer.'],
    [{ workspaces: [], roles: [] }, 'roles', 'The roles field must have at least 1 item.'],
  ])('rejects %j with 422 naming %s', async (json, field, message) => {
    const res = await s.request('PUT', `/api/organizations/${orgId}/members/1`, { token: ownerToken, json })
    expect(res.status).toBe(422)
    expect(res.body.errors[field]).toEqual([message])
  })

  it('refuses to take the Owner role from the last Owner (409)', async () => {
    const list = await s.request('GET', `/api/organizations/${orgId}/members`, { token: ownerToken })
    const owner = list.body.data.data[0]
    const res = await s.request('PUT', `/api/organizations/${orgId}/members/${owner.id}`, {
      token: ownerToken,
      json: { workspaces: owner.workspaces, roles: [2] },
    })
    expect(res.status).toBe(409)
  })

  it('answers 404 for a member of another organization or a malformed member ID', async () => {
    const elsewhere = await s.createOrg(ownerToken)
    const { memberId } = await s.addMember(elsewhere, 'else@members.test', [3])
    const json = { workspaces: [], roles: [3] }
    expect(
      (await s.request('PUT', `/api/organizations/${orgId}/members/${memberId}`, { token: ownerToken, json }))
        .status,
    ).toBe(404)
    expect(
      (await s.request('PUT', `/api/organizations/${orgId}/members/abc`, { token: ownerToken, json })).status,
    ).toBe(404)
    expect(
      (await s.request('DELETE', `/api/organizations/${orgId}/members/0`, { token: ownerToken })).status,
    ).toBe(404)
  })
})

describe('remove member', () => {
  it('removes a member, who then no longer sees the organization', async () => {
    const { memberId, token } = await s.addMember(orgId, 'gone@members.test', [3])
    expect((await s.request('GET', `/api/organizations/${orgId}`, { token })).status).toBe(200)
    const res = await s.request('DELETE', `/api/organizations/${orgId}/members/${memberId}`, {
      token: ownerToken,
    })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ success: true, message: 'Member deleted successfully' })
    expect((await s.request('GET', `/api/organizations/${orgId}`, { token })).status).toBe(404)
  })

  it('refuses to remove the last Owner (409)', async () => {
    const list = await s.request('GET', `/api/organizations/${orgId}/members`, { token: ownerToken })
    const res = await s.request(
      'DELETE',
      `/api/organizations/${orgId}/members/${list.body.data.data[0].id}`,
      {
        token: ownerToken,
      },
    )
    expect(res.status).toBe(409)
  })
})

describe('who may do what', () => {
  it('lets a plain member read but answers 403 when they try to manage', async () => {
    const { token, memberId } = await s.addMember(orgId, 'plain@members.test', [3])
    expect((await s.request('GET', `/api/organizations/${orgId}`, { token })).status).toBe(200)
    expect((await s.request('GET', `/api/organizations/${orgId}/members`, { token })).status).toBe(200)
    const attempts = [
      s.request('PATCH', `/api/organizations/${orgId}`, { token, json: { name: 'Mine' } }),
      s.request('PUT', `/api/organizations/${orgId}/members/${memberId}`, {
        token,
        json: { workspaces: [], roles: [1] },
      }),
      s.request('DELETE', `/api/organizations/${orgId}/members/${memberId}`, { token }),
      s.request('POST', `/api/organizations/${orgId}/invite`, {
        token,
        json: { email: 'x@y.test', name: 'X', roles: [3] },
      }),
    ]
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(403)
  })

  it('lets an Admin member manage', async () => {
    const { token } = await s.addMember(orgId, 'admin@members.test', [2])
    expect(
      (
        await s.request('PATCH', `/api/organizations/${orgId}`, {
          token,
          json: { name: 'By admin' },
        })
      ).status,
    ).toBe(200)
  })

  it('hides the organization (404) from a user of another organization', async () => {
    const { token } = await s.user('stranger@members.test')
    await s.createOrg(token)
    const attempts = [
      s.request('GET', `/api/organizations/${orgId}`, { token }),
      s.request('PATCH', `/api/organizations/${orgId}`, { token, json: { name: 'Mine' } }),
      s.request('GET', `/api/organizations/${orgId}/members`, { token }),
      s.request('PUT', `/api/organizations/${orgId}/members/1`, {
        token,
        json: { workspaces: [], roles: [1] },
      }),
      s.request('DELETE', `/api/organizations/${orgId}/members/1`, { token }),
      s.request('POST', `/api/organizations/${orgId}/invite`, {
        token,
        json: { email: 'x@y.test', name: 'X', roles: [3] },
      }),
    ]
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(404)
  })

  it('lets only platform admins charge a wallet (403 for an Owner)', async () => {
    const res = await s.request('POST', `/api/admin/organizations/${orgId}/charge`, {
      token: ownerToken,
      json: { amount: 100, service: 'sms', sms_point: 10 },
    })
    expect(res.status).toBe(403)
    expect(res.body.message).toBe('This action is unauthorized.')
  })
})
