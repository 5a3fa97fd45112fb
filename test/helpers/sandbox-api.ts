import { expect } from 'vitest'

import type { Member } from '../../src/api/types.js'

/** A sandbox server's address and an admin token for it (TestServer from helpers/cli.ts has both). */
export interface ApiTarget {
  server: { url: string }
  token: string
}

/**
 * The sandbox API called directly, to set up what a test needs and to check what a command did (or did
 * not) send, without going through the CLI under test.
 */
export function sandboxApi(target: () => ApiTarget) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, checked by the assertions
  async function api<T = any>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const { server, token } = target()
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers }
  }

  /** Creates an organization (country US) and returns its ID from the Location header. */
  async function createOrg(name: string): Promise<string> {
    const res = await api('POST', '/api/organizations', { name, countryCode: 'US' })
    expect(res.status).toBe(201)
    return res.headers.get('location')!.split('/').pop()!
  }

  /** Invites `email` as a Member (role 3) and returns the invitation token from the outbox. */
  async function pendingInviteToken(orgId: string, email: string, name: string): Promise<string> {
    const sent = await api('POST', `/api/organizations/${orgId}/invite`, { email, name, roles: [3] })
    expect(sent.status).toBe(200)
    const outbox = await api('GET', `/api/sandbox/outbox?to=${encodeURIComponent(email)}&limit=1`)
    return outbox.body.data[0].inviteToken
  }

  /** Invites and accepts: a new member of `orgId`; returns the member ID. */
  async function addMember(orgId: string, email: string, name: string): Promise<number> {
    const token = await pendingInviteToken(orgId, email, name)
    const accepted = await api('POST', `/api/organizations/invite/${token}/accept`, {
      password: 'correct horse battery',
      password_confirmation: 'correct horse battery',
    })
    expect(accepted.status).toBe(200)
    return accepted.body.data.memberId
  }

  /** The organization's members (first 100). */
  async function members(orgId: string): Promise<Member[]> {
    return (await api('GET', `/api/organizations/${orgId}/members?per_page=100`)).body.data.data
  }

  return { api, createOrg, pendingInviteToken, addMember, members }
}
