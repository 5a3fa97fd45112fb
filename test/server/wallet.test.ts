import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
let orgId: string
beforeAll(async () => {
  s = await startTestServer()
  orgId = await s.createOrg(s.adminToken)
})
afterAll(async () => s.close())

const charge = (json: unknown, org = orgId) =>
  s.request('POST', `/api/admin/organizations/${org}/charge`, { json })

describe('charge wallet', () => {
  it('records a ledger entry and the wallet balance is the sum of the ledger', async () => {
    const first = await charge({
      amount: 1000,
      service: 'sms',
      sms_point: 100,
      reason: 'Monthly SMS package',
    })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ success: true, message: 'Charge processed successfully' })
    expect(first.body.data).toMatchObject({
      organizationId: orgId,
      amount: 1000,
      service: 'sms',
      smsPoints: 100,
      reason: 'Monthly SMS package',
    })
    await charge({ amount: 500, service: 'sms', sms_point: 40 })
    const wallet = await s.request('GET', `/api/admin/organizations/${orgId}/wallet?limit=1`)
    expect(wallet.status).toBe(200)
    expect(wallet.body.data.balance).toEqual({ amount: 1500, smsPoints: 140 })
    expect(wallet.body.data.ledger).toHaveLength(1)
    expect(wallet.body.data.ledger[0]).toMatchObject({ amount: 500 })
    // reason is optional and not nullable in the reference's charge body: left out when there is none.
    expect(wallet.body.data.ledger[0]).not.toHaveProperty('reason')
  })

  it.each([
    [{ service: 'sms', sms_point: 1 }, 'amount', 'The amount field is required.'],
    [{ amount: 0, service: 'sms', sms_point: 1 }, 'amount', 'The amount field must be at least 1.'],
    [{ amount: 1.5, service: 'sms', sms_point: 1 }, 'amount', 'The amount field must be an integer.'],
    [{ amount: '100', service: 'sms', sms_point: 1 }, 'amount', 'The amount field must be an integer.'],
    [{ amount: 100, service: 'email', sms_point: 1 }, 'service', 'The selected service is invalid.'],
    [{ amount: 100, sms_point: 1 }, 'service', 'The service field is required.'],
    [{ amount: 100, service: 'sms' }, 'sms_point', 'The sms point field is required when service is sms.'],
    [{ amount: 100, service: 'sms', sms_point: -5 }, 'sms_point', 'The sms point field must be at least 1.'],
    [
      { amount: 100, service: 'sms', sms_point: 5, reason: 'x'.repeat(256) },
      'reason',
      'The reason field must not be greater than 255 characters.',
    ],
  ])('rejects %j with 422 naming %s', async (json, field, message) => {
    const res = await charge(json)
    expect(res.status).toBe(422)
    expect(res.body.errors[field]).toEqual([message])
  })

  it('answers 404 for an organization that does not exist', async () => {
    const res = await charge(
      { amount: 1, service: 'sms', sms_point: 1 },
      '00000000-0000-0000-0000-000000000000',
    )
    expect(res.status).toBe(404)
  })

  it('keeps the wallet and outbox extensions to platform admins (403)', async () => {
    const { token } = await s.user('nosy@wallet.test')
    expect((await s.request('GET', `/api/admin/organizations/${orgId}/wallet`, { token })).status).toBe(403)
    expect((await s.request('GET', '/api/sandbox/outbox', { token })).status).toBe(403)
    expect(
      (await s.request('POST', '/api/sandbox/tokens', { token, json: { email: 'x@y.test' } })).status,
    ).toBe(403)
  })
})
