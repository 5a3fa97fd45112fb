import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer, type RequestOptions, type TestServer } from '../helpers/server.js'

/**
 * docs/DESIGN.md decision 12 as a table: every operation x every kind of caller → the status the sandbox
 * must answer. Each cell gets fresh targets (a new member to remove, a new e-mail to invite), and a
 * refused cell must also leave no trace of the change it asked for.
 */

const ACTORS = [
  'no token',
  'malformed header',
  'unknown token',
  'member of another organization',
  'plain member',
  'organization admin',
  'organization owner',
  'platform admin',
] as const
type Actor = (typeof ACTORS)[number]

let s: TestServer
let orgId: string
let workspaceId: string
let avatarPath: string
const tokens = {} as Record<'owner' | 'admin' | 'member' | 'outsider', string>
let seq = 0
const unique = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
function pngForm(tag: string): FormData {
  const form = new FormData()
  form.append('file', new Blob([Buffer.concat([PNG, Buffer.from(tag)])], { type: 'image/png' }), 'a.png')
  return form
}

/** Authorization headers for an actor; the malformed kind has several shapes, each must fail alone. */
function authVariants(actor: Actor): (string | null)[] {
  switch (actor) {
    case 'no token':
      return [null]
    case 'malformed header':
      // Real, valid tokens in the wrong shape: the scheme and the form matter, not only the token.
      return [
        `Basic ${Buffer.from(`x:${s.adminToken}`).toString('base64')}`,
        'Bearer',
        `Bearer ${s.adminToken} ${s.adminToken}`,
        s.adminToken,
        `Token ${s.adminToken}`,
      ]
    case 'unknown token':
      return ['Bearer unknown-token-0123456789abcdefghijklmnop']
    case 'member of another organization':
      return [`Bearer ${tokens.outsider}`]
    case 'plain member':
      return [`Bearer ${tokens.member}`]
    case 'organization admin':
      return [`Bearer ${tokens.admin}`]
    case 'organization owner':
      return [`Bearer ${tokens.owner}`]
    case 'platform admin':
      return [`Bearer ${s.adminToken}`]
  }
}

interface Call {
  method: string
  path: string
  options: RequestOptions
  /** Whether the change the call asked for is visible afterwards (checked as the platform admin). */
  happened?: () => Promise<boolean>
}

const asAdmin = (method: string, path: string, options: RequestOptions = {}) =>
  s.request(method, path, options)

/** Each operation: how to build one fresh call of it. */
const OPERATIONS: Record<string, () => Promise<Call>> = {
  createOrganization: async () => ({
    method: 'POST',
    path: '/api/organizations',
    options: { json: { name: unique('Org'), countryCode: 'US' } },
  }),
  getOrganization: async () => ({ method: 'GET', path: `/api/organizations/${orgId}`, options: {} }),
  updateOrganization: async () => {
    const reason = unique('reason')
    return {
      method: 'PATCH',
      path: `/api/organizations/${orgId}`,
      options: { json: { statusReason: reason } },
      happened: async () =>
        (await asAdmin('GET', `/api/organizations/${orgId}`)).body.statusReason === reason,
    }
  },
  uploadAvatar: async () => {
    const tag = unique('png')
    const before = (await asAdmin('GET', `/api/organizations/${orgId}`)).body.avatarUrl
    return {
      method: 'POST',
      path: `/api/organizations/${orgId}/upload-avatar`,
      options: { body: pngForm(tag) },
      happened: async () => (await asAdmin('GET', `/api/organizations/${orgId}`)).body.avatarUrl !== before,
    }
  },
  listMembers: async () => ({ method: 'GET', path: `/api/organizations/${orgId}/members`, options: {} }),
  updateMember: async () => {
    const { memberId } = await s.addMember(orgId, `${unique('upd')}@matrix.test`, [3])
    return {
      method: 'PUT',
      path: `/api/organizations/${orgId}/members/${memberId}`,
      options: { json: { workspaces: [workspaceId], roles: [4] } },
      happened: async () => (await memberRoles(memberId))?.includes(4) ?? false,
    }
  },
  removeMember: async () => {
    const { memberId } = await s.addMember(orgId, `${unique('rm')}@matrix.test`, [3])
    return {
      method: 'DELETE',
      path: `/api/organizations/${orgId}/members/${memberId}`,
      options: {},
      happened: async () => (await memberRoles(memberId)) === undefined,
    }
  },
  chargeWallet: async () => {
    const reason = unique('charge')
    return {
      method: 'POST',
      path: `/api/admin/organizations/${orgId}/charge`,
      options: { json: { amount: 100, service: 'sms', sms_point: 10, reason } },
      happened: async () => {
        const wallet = await asAdmin('GET', `/api/admin/organizations/${orgId}/wallet?limit=100`)
        return wallet.body.data.ledger.some((e: { reason: string }) => e.reason === reason)
      },
    }
  },
  inviteMember: async () => {
    const email = `${unique('inv')}@matrix.test`
    return {
      method: 'POST',
      path: `/api/organizations/${orgId}/invite`,
      options: { json: { email, name: 'Invitee', roles: [3] } },
      happened: async () =>
        (await asAdmin('GET', `/api/sandbox/outbox?to=${encodeURIComponent(email)}`)).body.data.length > 0,
    }
  },
  acceptInvitation: async () => {
    const email = `${unique('acc')}@matrix.test`
    const invited = await asAdmin('POST', `/api/organizations/${orgId}/invite`, {
      json: { email, name: 'Acceptor', roles: [3] },
    })
    expect(invited.status).toBe(200)
    return {
      method: 'POST',
      path: `/api/organizations/invite/${await s.inviteToken(email)}/accept`,
      options: { json: { password: 'password123', password_confirmation: 'password123' } },
    }
  },
  getAvatar: async () => ({ method: 'GET', path: avatarPath, options: {} }),
  getWallet: async () => ({ method: 'GET', path: `/api/admin/organizations/${orgId}/wallet`, options: {} }),
  listOutbox: async () => ({ method: 'GET', path: '/api/sandbox/outbox', options: {} }),
  createToken: async () => ({
    method: 'POST',
    path: '/api/sandbox/tokens',
    options: { json: { email: `${unique('tok')}@matrix.test` } },
  }),
}

async function memberRoles(memberId: number): Promise<number[] | undefined> {
  const list = await asAdmin('GET', `/api/organizations/${orgId}/members?per_page=100&page=1`)
  const pages: number = list.body.data.last_page
  for (let page = 1; page <= pages; page++) {
    const res =
      page === 1
        ? list
        : await asAdmin('GET', `/api/organizations/${orgId}/members?per_page=100&page=${page}`)
    const found = res.body.data.data.find((m: { id: number }) => m.id === memberId)
    if (found) return found.roles
  }
  return undefined
}

const UNAUTH = { 'no token': 401, 'malformed header': 401, 'unknown token': 401 } as const
const PUBLIC = Object.fromEntries(ACTORS.map((a) => [a, 200])) as Record<Actor, number>
const ADMIN_ONLY = (ok: number): Record<Actor, number> => ({
  ...UNAUTH,
  'member of another organization': 403,
  'plain member': 403,
  'organization admin': 403,
  'organization owner': 403,
  'platform admin': ok,
})
const MANAGE: Record<Actor, number> = {
  ...UNAUTH,
  'member of another organization': 404,
  'plain member': 403,
  'organization admin': 200,
  'organization owner': 200,
  'platform admin': 200,
}
const READ: Record<Actor, number> = { ...MANAGE, 'plain member': 200 }

/** The expected status of every cell. */
const EXPECTED: Record<keyof typeof OPERATIONS, Record<Actor, number>> = {
  createOrganization: {
    ...UNAUTH,
    'member of another organization': 201,
    'plain member': 201,
    'organization admin': 201,
    'organization owner': 201,
    'platform admin': 201,
  },
  getOrganization: READ,
  updateOrganization: MANAGE,
  uploadAvatar: MANAGE,
  listMembers: READ,
  updateMember: MANAGE,
  removeMember: MANAGE,
  chargeWallet: ADMIN_ONLY(200),
  inviteMember: MANAGE,
  acceptInvitation: PUBLIC,
  getAvatar: PUBLIC,
  getWallet: ADMIN_ONLY(200),
  listOutbox: ADMIN_ONLY(200),
  createToken: ADMIN_ONLY(201),
}

const MESSAGES: Record<number, string> = {
  401: 'Unauthenticated.',
  403: 'This action is unauthorized.',
  404: 'Not found.',
}

beforeAll(async () => {
  s = await startTestServer()
  tokens.owner = (await s.user('owner@matrix.test')).token
  orgId = await s.createOrg(tokens.owner, { name: 'Matrix', countryCode: 'DE' })
  tokens.admin = (await s.addMember(orgId, 'admin@matrix.test', [2])).token
  tokens.member = (await s.addMember(orgId, 'member@matrix.test', [3])).token
  tokens.outsider = (await s.user('outsider@matrix.test')).token
  await s.createOrg(tokens.outsider, { name: 'Elsewhere', countryCode: 'FR' })
  const members = await asAdmin('GET', `/api/organizations/${orgId}/members`)
  workspaceId = members.body.data.data[0].workspaces[0]
  const uploaded = await asAdmin('POST', `/api/organizations/${orgId}/upload-avatar`, {
    body: pngForm('seed'),
  })
  avatarPath = new URL(uploaded.body.data.avatarUrl).pathname
})
afterAll(async () => s.close())

describe('authorization matrix (docs/DESIGN.md decision 12)', () => {
  it('covers every operation of the contract, extensions included', () => {
    expect(Object.keys(OPERATIONS)).toHaveLength(14)
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(OPERATIONS).sort())
  })

  const cells = Object.keys(OPERATIONS).flatMap((operation) =>
    ACTORS.map((actor) => [operation, actor] as const),
  )
  it.each(cells)('%s by %s', async (operation, actor) => {
    const expected = EXPECTED[operation]![actor]
    for (const authorization of authVariants(actor)) {
      const call = await OPERATIONS[operation]!()
      const res = await s.request(call.method, call.path, {
        ...call.options,
        token: null,
        headers: authorization === null ? {} : { authorization },
      })
      expect(res.status, `${call.method} ${call.path} with ${authorization ?? 'no header'}`).toBe(expected)
      if (MESSAGES[expected]) expect(res.body).toEqual({ message: MESSAGES[expected] })
      if (call.happened)
        expect(await call.happened(), 'the change is visible exactly when allowed').toBe(expected < 300)
    }
  })
})
