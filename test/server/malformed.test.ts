import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
let orgId: string
beforeAll(async () => {
  s = await startTestServer()
  orgId = await s.createOrg(s.adminToken)
})
afterAll(async () => s.close())

const post = (body: RequestInit['body'], contentType = 'application/json', path = '/api/organizations') =>
  s.request('POST', path, { body, headers: { 'content-type': contentType } })

describe('malformed requests never get a 5xx', () => {
  it.each([
    ['truncated JSON', '{"name": "A", "countryCode":', 400],
    ['not JSON at all', 'name=A&countryCode=US', 400],
    ['an empty body', '', 400],
    ['a JSON array', '[1,2,3]', 422],
    ['a JSON string', '"hello"', 422],
    ['JSON null', 'null', 422],
    ['a prototype-polluting key', '{"__proto__": {"admin": true}, "name": "A", "countryCode": "US"}', 400],
    ['deeply nested junk', `{"name": ${'['.repeat(500)}${']'.repeat(500)}, "countryCode": "US"}`, 422],
  ])('answers %s with a 4xx Laravel body', async (_label, body, status) => {
    const res = await post(body)
    expect(res.status).toBe(status)
    expect(typeof res.body.message).toBe('string')
  })

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['application/xml', 415],
  ])('answers a %s body with 415', async (type, status) => {
    const res = await post('{"name":"A","countryCode":"US"}', type)
    expect(res.status).toBe(status)
  })

  it('answers a body over 1 MiB with 413', async () => {
    const res = await post(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), countryCode: 'US' }))
    expect(res.status).toBe(413)
  })

  it('answers a POST without a body with 422 listing the required fields', async () => {
    const res = await s.request('POST', '/api/organizations', {})
    expect(res.status).toBe(422)
    expect(Object.keys(res.body.errors).sort()).toEqual(['countryCode', 'name'])
  })

  it.each([
    '/api/organizations/not-a-uuid',
    "/api/organizations/1' OR '1'='1",
    '/api/organizations/%00',
    `/api/organizations/${'a'.repeat(90)}`,
  ])('answers 404 for the malformed organization ID %s', async (path) => {
    const res = await s.request('GET', path)
    expect(res.status).toBe(404)
  })

  it.each([
    ['an overlong ID', `/api/organizations/${'a'.repeat(5000)}`],
    ['an undecodable ID', '/api/organizations/%E0%A4%A'],
  ])('answers %s with 404 Laravel JSON', async (_label, path) => {
    const res = await s.request('GET', path)
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ message: 'Not found.' })
  })

  it('answers unknown paths and methods with 404 JSON', async () => {
    const res = await s.request('GET', '/api/nothing-here', { contract: false })
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ message: 'Not found.' })
    const wrongMethod = await s.request('POST', `/api/organizations/${orgId}`, { json: {}, contract: false })
    expect(wrongMethod.status).toBe(404)
  })

  it('stores SQL-looking strings as plain data and returns them verbatim', async () => {
    const name = "Robert'); DROP TABLE organizations;--"
    const type = '" OR 1=1; -- \u0000 \u202e émoji 🚀'
    const created = await s.request('POST', '/api/organizations', { json: { name, countryCode: 'US', type } })
    expect(created.status).toBe(201)
    const got = await s.request('GET', created.headers.get('location')!)
    expect(got.body).toMatchObject({ name, type })
    const reason = "x' WHERE 1=1; UPDATE organizations SET status='inactive'; --"
    const patched = await s.request('PATCH', `/api/organizations/${orgId}`, {
      json: { statusReason: reason },
    })
    expect(patched.body.statusReason).toBe(reason)
    const outbox = await s.request('GET', `/api/sandbox/outbox?to=${encodeURIComponent("' OR 1=1 --")}`)
    expect(outbox.status).toBe(200)
    expect(outbox.body.data).toEqual([])
    const invite = await s.request('POST', `/api/organizations/${orgId}/invite`, {
      json: { email: "o'brien@example.com", name: "Robert'); DROP TABLE users;--", roles: [3] },
    })
    expect(invite.status).toBe(200)
    expect(invite.body.data.name).toBe("Robert'); DROP TABLE users;--")
    expect((await s.request('GET', `/api/organizations/${orgId}/members`)).status).toBe(200)
  })

  it.each([
    [{ workspaces: 'all', roles: 1 }],
    [{ workspaces: [null], roles: [true] }],
    [{ workspaces: [], roles: [1e300] }],
  ])('answers wrong types %j with 422', async (json) => {
    const res = await s.request('PUT', `/api/organizations/${orgId}/members/1`, { json })
    expect(res.status).toBe(422)
  })

  it('answers a malformed invite token with 404', async () => {
    const res = await s.request('POST', `/api/organizations/invite/${'%27'.repeat(10)}/accept`, {
      token: null,
      json: { password: 'password123', password_confirmation: 'password123' },
    })
    expect(res.status).toBe(404)
  })

  it('answers a multipart body on a JSON route with 415, as documented', async () => {
    const form = new FormData()
    form.append('name', 'Acme')
    form.append('countryCode', 'US')
    const res = await s.request('POST', '/api/organizations', { body: form })
    expect(res.status).toBe(415)
  })

  it('answers an avatar form with two files or a stray field without a 5xx', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
    const form = new FormData()
    form.append('note', 'hello')
    form.append('file', new Blob([png]), 'a.png')
    form.append('file', new Blob([png]), 'b.png')
    const res = await s.request('POST', `/api/organizations/${orgId}/upload-avatar`, { body: form })
    expect(res.status).toBeLessThan(500)
    const empty = await s.request('POST', `/api/organizations/${orgId}/upload-avatar`, {
      body: new FormData(),
    })
    expect(empty.status).toBe(422)
    const broken = await s.request('POST', `/api/organizations/${orgId}/upload-avatar`, {
      body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    })
    expect(broken.status).toBeGreaterThanOrEqual(400)
    expect(broken.status).toBeLessThan(500)
  })
})
