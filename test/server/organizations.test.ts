import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
beforeAll(async () => {
  s = await startTestServer()
})
afterAll(async () => s.close())

describe('create organization', () => {
  it('answers 201 with no body and a Location the caller can follow', async () => {
    const { token } = await s.user('owner-create@example.com')
    const res = await s.request('POST', '/api/organizations', {
      token,
      json: { name: 'Acme', countryCode: 'EG' },
    })
    expect(res.status).toBe(201)
    expect(res.text).toBe('')
    const location = res.headers.get('location')!
    expect(location).toMatch(/^\/api\/organizations\/[0-9a-f-]{36}$/)
    const got = await s.request('GET', location, { token })
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({
      name: 'Acme',
      countryCode: 'EG',
      status: 'active',
      avatarUrl: null,
    })
    // The reference calls avatarUrl nullable (sent as null) but type only optional: left out, never null.
    expect(got.body).toHaveProperty('avatarUrl', null)
    expect(got.body).not.toHaveProperty('type')
    expect(got.body).not.toHaveProperty('statusReason')
  })

  it('sends type and statusReason once they have values, and leaves them out again once cleared', async () => {
    const { token } = await s.user('owner-type@example.com')
    const id = await s.createOrg(token, { name: 'Typed', countryCode: 'US', type: 'company' })
    const got = await s.request('GET', `/api/organizations/${id}`, { token })
    expect(got.body.type).toBe('company')
    const reason = await s.request('PATCH', `/api/organizations/${id}`, {
      token,
      json: { status: 'suspended', statusReason: 'Unpaid invoice' },
    })
    expect(reason.body).toMatchObject({
      type: 'company',
      status: 'suspended',
      statusReason: 'Unpaid invoice',
    })
    const cleared = await s.request('PATCH', `/api/organizations/${id}`, {
      token,
      json: { statusReason: null },
    })
    expect(cleared.status).toBe(200)
    expect(cleared.body).not.toHaveProperty('statusReason')
    expect(Object.values(cleared.body)).not.toContain(undefined)
  })

  it('makes the creator the owner and an Owner member in the Default workspace', async () => {
    const { token, userId } = await s.user('owner-members@example.com')
    const id = await s.createOrg(token)
    const org = await s.request('GET', `/api/organizations/${id}`, { token })
    expect(org.body.owner).toBe(userId)
    const members = await s.request('GET', `/api/organizations/${id}/members`, { token })
    expect(members.body.data.data).toHaveLength(1)
    expect(members.body.data.data[0]).toMatchObject({ email: 'owner-members@example.com', roles: [1] })
    expect(members.body.data.data[0].workspaces).toHaveLength(1)
  })

  it.each([
    [{ countryCode: 'US' }, 'name', 'The name field is required.'],
    [{ name: '', countryCode: 'US' }, 'name', 'The name field is required.'],
    [
      { name: 'x'.repeat(256), countryCode: 'US' },
      'name',
      'The name field must not be greater than 255 characters.',
    ],
    [
      { name: 'Acme', countryCode: 'XX' },
      'countryCode',
      'The country code field must be a valid ISO 3166-1 alpha-2 code.',
    ],
    [
      { name: 'Acme', countryCode: 'us' },
      'countryCode',
      'The country code field must be a valid ISO 3166-1 alpha-2 code.',
    ],
    [{ name: 'Acme' }, 'countryCode', 'The country code field is required.'],
    [{ name: 42, countryCode: 'US' }, 'name', 'The name field must be a string.'],
    [{ name: 'Acme', countryCode: 'US', plan: 'gold' }, 'plan', 'The plan field is not allowed.'],
  ])('rejects %j with 422 naming %s', async (json, field, message) => {
    const res = await s.request('POST', '/api/organizations', { json })
    expect(res.status).toBe(422)
    expect(res.body.errors[field]).toEqual([message])
    expect(res.body.message).toContain(message)
  })

  it('names every invalid field at once, Laravel style', async () => {
    const res = await s.request('POST', '/api/organizations', { json: {} })
    expect(res.status).toBe(422)
    expect(Object.keys(res.body.errors).sort()).toEqual(['countryCode', 'name'])
    expect(res.body.message).toMatch(/\(and 1 more error\)$/)
  })
})

describe('get and update organization', () => {
  it('updates name, status and reason, and an empty body is a 422', async () => {
    const { token } = await s.user('owner-update@example.com')
    const id = await s.createOrg(token)
    const res = await s.request('PATCH', `/api/organizations/${id}`, {
      token,
      json: { name: 'Renamed', status: 'suspended', statusReason: 'Violation of terms' },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      name: 'Renamed',
      status: 'suspended',
      statusReason: 'Violation of terms',
    })
    const empty = await s.request('PATCH', `/api/organizations/${id}`, { token, json: {} })
    expect(empty.status).toBe(422)
    const bad = await s.request('PATCH', `/api/organizations/${id}`, {
      token,
      json: { status: 'closed', avatarUrl: 'nope' },
    })
    expect(bad.status).toBe(422)
    expect(bad.body.errors.status).toEqual(['The selected status is invalid.'])
    expect(bad.body.errors.avatarUrl).toBeDefined()
  })

  it('sets and clears an external avatar URL', async () => {
    const { token } = await s.user('owner-avatar-url@example.com')
    const id = await s.createOrg(token)
    const set = await s.request('PATCH', `/api/organizations/${id}`, {
      token,
      json: { avatarUrl: 'https://example.com/a.png' },
    })
    expect(set.body.avatarUrl).toBe('https://example.com/a.png')
    const cleared = await s.request('PATCH', `/api/organizations/${id}`, {
      token,
      json: { avatarUrl: null, statusReason: null },
    })
    expect(cleared.body.avatarUrl).toBeNull()
  })
})
