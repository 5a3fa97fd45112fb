import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
let orgId: string
const DAY = 24 * 60 * 60 * 1000
const password = { password: 'password123', password_confirmation: 'password123' }

beforeAll(async () => {
  s = await startTestServer()
  orgId = await s.createOrg(s.adminToken, { name: 'Invites Ltd', countryCode: 'GB' })
})
afterAll(async () => s.close())

const invite = (email: string, roles = [3]) =>
  s.request('POST', `/api/organizations/${orgId}/invite`, { json: { email, name: 'Someone', roles } })
const accept = (token: string, json: unknown = password) =>
  s.request('POST', `/api/organizations/invite/${token}/accept`, { token: null, json })

describe('invite', () => {
  it('answers the invitation and writes the accept token to the outbox', async () => {
    const res = await invite('new@invites.test', [3, 4])
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ success: true, message: 'Invitation sent successfully.' })
    expect(res.body.data).toMatchObject({ email: 'new@invites.test', name: 'Someone', roles: [3, 4] })
    expect(new Date(res.body.data.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * DAY)
    const outbox = await s.request('GET', `/api/sandbox/outbox?to=new@invites.test`)
    expect(outbox.body.data).toHaveLength(1)
    const message = outbox.body.data[0]
    expect(message).toMatchObject({ to: 'new@invites.test', organizationId: orgId })
    expect(message.inviteToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(message.text).toContain(message.inviteToken)
  })

  it('answers 409 to a second invitation while one is pending, and to a member', async () => {
    await invite('twice@invites.test')
    const again = await invite('TWICE@invites.test')
    expect(again.status).toBe(409)
    await s.addMember(orgId, 'already@invites.test', [3])
    expect((await invite('already@invites.test')).status).toBe(409)
  })

  it.each([
    [{ name: 'A', roles: [3] }, 'email', 'The email field is required.'],
    [
      { email: 'not-an-email', name: 'A', roles: [3] },
      'email',
      'The email field must be a valid email address.',
    ],
    [{ email: 'a@b.test', roles: [3] }, 'name', 'The name field is required.'],
    [{ email: 'a@b.test', name: 'A', roles: [] }, 'roles', 'The roles field must have at least 1 item.'],
    [{ email: 'a@b.test', name: 'A', roles: [3, 77] }, 'roles.1', 'The selected roles.1 is invalid.'],
    [{ email: 'a@b.test', name: 'A', roles: 3 }, 'roles', 'The roles field must be an array.'],
  ])('rejects %j with 422 naming %s', async (json, field, message) => {
    const res = await s.request('POST', `/api/organizations/${orgId}/invite`, { json })
    expect(res.status).toBe(422)
    expect(res.body.errors[field]).toEqual([message])
  })
})

describe('accept invitation', () => {
  it('creates the user and a membership with the invited roles and the Default workspace', async () => {
    await invite('joiner@invites.test', [4])
    const res = await accept(await s.inviteToken('joiner@invites.test'))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      success: true,
      message: 'Password set successfully.',
      data: { organizationId: orgId },
    })
    const members = await s.request('GET', `/api/organizations/${orgId}/members?per_page=100`)
    const joined = members.body.data.data.find((m: { email: string }) => m.email === 'joiner@invites.test')
    expect(joined).toMatchObject({ id: res.body.data.memberId, roles: [4], name: 'Someone' })
    expect(joined.workspaces).toHaveLength(1)
  })

  it('works only once: a used token answers 410', async () => {
    await invite('once@invites.test')
    const token = await s.inviteToken('once@invites.test')
    expect((await accept(token)).status).toBe(200)
    const again = await accept(token)
    expect(again.status).toBe(410)
  })

  it('answers 404 for a token that was never issued', async () => {
    expect((await accept('no-such-token')).status).toBe(404)
  })

  it('expires after 7 days (410), after which the person can be invited again', async () => {
    await invite('late@invites.test')
    const token = await s.inviteToken('late@invites.test')
    s.advance(7 * DAY + 1000)
    try {
      expect((await accept(token)).status).toBe(410)
      expect((await invite('late@invites.test')).status).toBe(200)
      const fresh = await s.inviteToken('late@invites.test')
      expect(fresh).not.toBe(token)
      expect((await accept(fresh)).status).toBe(200)
    } finally {
      s.advance(-(7 * DAY + 1000))
    }
  })

  it('is still valid just before the 7 days are up', async () => {
    await invite('ontime@invites.test')
    const token = await s.inviteToken('ontime@invites.test')
    s.advance(7 * DAY - 60_000)
    try {
      expect((await accept(token)).status).toBe(200)
    } finally {
      s.advance(-(7 * DAY - 60_000))
    }
  })

  it.each([
    [
      { password: 'short', password_confirmation: 'short' },
      'password',
      'The password field must be at least 8 characters.',
    ],
    [
      { password: 'password123', password_confirmation: 'password124' },
      'password',
      'The password field confirmation does not match.',
    ],
    [{ password: 'password123' }, 'password_confirmation', 'The password confirmation field is required.'],
  ])('rejects %j with 422 naming %s, leaving the invitation usable', async (json, field, message) => {
    const email = `pw-${field}-${Math.random().toString(36).slice(2)}@invites.test`
    await invite(email)
    const token = await s.inviteToken(email)
    const res = await accept(token, json)
    expect(res.status).toBe(422)
    expect(res.body.errors[field]).toEqual([message])
    expect((await accept(token)).status).toBe(200)
  })
})
