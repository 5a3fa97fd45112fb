import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
let orgId: string
beforeAll(async () => {
  s = await startTestServer()
  orgId = await s.createOrg(s.adminToken)
})
afterAll(async () => s.close())

const key = () => `key-${Math.random().toString(36).slice(2)}`

describe('Idempotency-Key', () => {
  it('replays a charge with the same key and body, charging only once', async () => {
    const k = key()
    const json = { amount: 700, service: 'sms', sms_point: 7 }
    const headers = { 'idempotency-key': k }
    const first = await s.request('POST', `/api/admin/organizations/${orgId}/charge`, { json, headers })
    const second = await s.request('POST', `/api/admin/organizations/${orgId}/charge`, { json, headers })
    expect(first.status).toBe(200)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    expect(second.status).toBe(200)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(second.body).toEqual(first.body)
    const wallet = await s.request('GET', `/api/admin/organizations/${orgId}/wallet`)
    expect(wallet.body.data.ledger.filter((e: { amount: number }) => e.amount === 700)).toHaveLength(1)
  })

  it('replays a create with the same Location and makes one organization', async () => {
    const { token } = await s.user('idem-create@example.com')
    const headers = { 'idempotency-key': key() }
    const json = { name: 'Once', countryCode: 'FR' }
    const a = await s.request('POST', '/api/organizations', { token, json, headers })
    const b = await s.request('POST', '/api/organizations', { token, json, headers })
    expect(b.status).toBe(201)
    expect(b.headers.get('location')).toBe(a.headers.get('location'))
    expect(b.headers.get('idempotent-replayed')).toBe('true')
  })

  it('answers 422 on Idempotency-Key when the same key comes with a different body', async () => {
    const headers = { 'idempotency-key': key() }
    await s.request('POST', `/api/admin/organizations/${orgId}/charge`, {
      json: { amount: 1, service: 'sms', sms_point: 1 },
      headers,
    })
    const res = await s.request('POST', `/api/admin/organizations/${orgId}/charge`, {
      json: { amount: 2, service: 'sms', sms_point: 1 },
      headers,
    })
    expect(res.status).toBe(422)
    expect(res.body.errors['Idempotency-Key']).toBeDefined()
  })

  it('keeps keys per caller: another user may use the same key', async () => {
    const k = key()
    const a = await s.user('idem-a@example.com')
    const b = await s.user('idem-b@example.com')
    const json = { name: 'Mine', countryCode: 'US' }
    const ra = await s.request('POST', '/api/organizations', {
      token: a.token,
      json,
      headers: { 'idempotency-key': k },
    })
    const rb = await s.request('POST', '/api/organizations', {
      token: b.token,
      json,
      headers: { 'idempotency-key': k },
    })
    expect(rb.headers.get('idempotent-replayed')).toBeNull()
    expect(rb.headers.get('location')).not.toBe(ra.headers.get('location'))
  })

  it('replays a decided 409 (re-invite) as well', async () => {
    const json = { email: 'dup@example.com', name: 'Dup', roles: [3] }
    await s.request('POST', `/api/organizations/${orgId}/invite`, { json })
    const headers = { 'idempotency-key': key() }
    const first = await s.request('POST', `/api/organizations/${orgId}/invite`, { json, headers })
    const second = await s.request('POST', `/api/organizations/${orgId}/invite`, { json, headers })
    expect([first.status, second.status]).toEqual([409, 409])
    expect(second.headers.get('idempotent-replayed')).toBe('true')
  })

  it('does not spend a key on a request rejected by validation or auth, so the fixed request can reuse it', async () => {
    const headers = { 'idempotency-key': key() }
    const url = `/api/admin/organizations/${orgId}/charge`
    expect(
      (await s.request('POST', url, { json: { amount: 0, service: 'sms', sms_point: 1 }, headers })).status,
    ).toBe(422)
    expect(
      (
        await s.request('POST', url, {
          token: 'wrong',
          json: { amount: 5, service: 'sms', sms_point: 1 },
          headers,
        })
      ).status,
    ).toBe(401)
    const fixed = await s.request('POST', url, { json: { amount: 5, service: 'sms', sms_point: 1 }, headers })
    expect(fixed.status).toBe(200)
    expect(fixed.headers.get('idempotent-replayed')).toBeNull()
  })

  it.each([[''], ['x'.repeat(256)], ['tab\there']])(
    'rejects a malformed key %j with 422 on Idempotency-Key',
    async (k) => {
      const res = await s.request('POST', '/api/organizations', {
        json: { name: 'A', countryCode: 'US' },
        headers: { 'idempotency-key': k },
      })
      expect(res.status).toBe(422)
      expect(res.body.errors['Idempotency-Key']).toBeDefined()
    },
  )

  it('forgets keys after 24 hours', async () => {
    const headers = { 'idempotency-key': key() }
    const url = `/api/admin/organizations/${orgId}/charge`
    await s.request('POST', url, { json: { amount: 9, service: 'sms', sms_point: 1 }, headers })
    s.advance(24 * 60 * 60 * 1000 + 1000)
    try {
      const later = await s.request('POST', url, {
        json: { amount: 10, service: 'sms', sms_point: 1 },
        headers,
      })
      expect(later.status).toBe(200)
      expect(later.headers.get('idempotent-replayed')).toBeNull()
    } finally {
      s.advance(-(24 * 60 * 60 * 1000 + 1000))
    }
  })

  it('replays an accepted invitation instead of answering 410', async () => {
    await s.request('POST', `/api/organizations/${orgId}/invite`, {
      json: { email: 'retry@example.com', name: 'R', roles: [3] },
    })
    const token = await s.inviteToken('retry@example.com')
    const headers = { 'idempotency-key': key() }
    const json = { password: 'password123', password_confirmation: 'password123' }
    const a = await s.request('POST', `/api/organizations/invite/${token}/accept`, {
      token: null,
      json,
      headers,
    })
    const b = await s.request('POST', `/api/organizations/invite/${token}/accept`, {
      token: null,
      json,
      headers,
    })
    expect([a.status, b.status]).toEqual([200, 200])
    expect(b.body).toEqual(a.body)
  })

  it('charges once when the same keyed request arrives many times at once', async () => {
    const org = await s.createOrg(s.adminToken)
    const headers = { 'idempotency-key': key() }
    const json = { amount: 321, service: 'sms', sms_point: 3 }
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        s.request('POST', `/api/admin/organizations/${org}/charge`, { json, headers }),
      ),
    )
    // Each answer is the charge itself, its replay, or "still in progress" (409) while the first runs.
    for (const r of results) expect([200, 409]).toContain(r.status)
    const wallet = await s.request('GET', `/api/admin/organizations/${org}/wallet`)
    expect(wallet.body.data.ledger).toHaveLength(1)
    expect(wallet.body.data.balance).toEqual({ amount: 321, smsPoints: 3 })
  })
})
