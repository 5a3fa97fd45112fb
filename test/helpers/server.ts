import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppOptions } from '../../src/server/app.js'
import { assertMatchesContract } from './contract.js'
import { tempDir } from './tmp.js'

// Tests read response bodies freely; the contract check has already validated their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJson = any

/** A parsed answer of the test server. */
export interface TestResponse<T = AnyJson> {
  status: number
  headers: Headers
  text: string
  body: T
}

export interface RequestOptions {
  token?: string | null
  /** Sent as JSON. */
  json?: unknown
  /** Sent as is (a string, FormData, bytes). */
  body?: RequestInit['body']
  headers?: Record<string, string>
  /** Skip the contract check (for requests to paths the spec does not have). */
  contract?: boolean
}

/** A sandbox app listening on 127.0.0.1 with a fresh SQLite file, and helpers to drive it. */
export interface TestServer {
  app: FastifyInstance
  url: string
  dir: string
  dbPath: string
  adminToken: string
  /** Moves the injected clock. */
  advance(ms: number): void
  request<T = AnyJson>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>
  /** A token for a (new) user, minted through the sandbox extension. */
  user(email: string, name?: string): Promise<{ token: string; userId: string }>
  /** Creates an organization as `token`'s user and returns its ID. */
  createOrg(token: string, body?: Record<string, unknown>): Promise<string>
  /** Invites `email` with `roles` (as the admin) and accepts; returns the new member's token and ID. */
  addMember(orgId: string, email: string, roles: number[]): Promise<{ token: string; memberId: number }>
  /** The accept token of the newest outbox message to `email`. */
  inviteToken(email: string): Promise<string>
  close(): Promise<void>
}

/** Starts a test server; every response it sees is checked against api/openapi.yaml. */
export async function startTestServer(options: Partial<AppOptions> = {}): Promise<TestServer> {
  const dir = tempDir('server')
  const dbPath = join(dir, 'sandbox.db')
  const adminToken = 'test-admin-token-' + Math.random().toString(36).slice(2)
  let offset = 0
  const app = await buildApp({
    dbPath,
    now: () => new Date(Date.now() + offset),
    ephemeralAdminTokens: [adminToken],
    ...options,
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

  const request = async <T = AnyJson>(
    method: string,
    path: string,
    o: RequestOptions = {},
  ): Promise<TestResponse<T>> => {
    const headers: Record<string, string> = { ...o.headers }
    const token = o.token === undefined ? adminToken : o.token
    if (token !== null) headers.authorization = `Bearer ${token}`
    let body = o.body
    if (o.json !== undefined) {
      headers['content-type'] ??= 'application/json'
      body = JSON.stringify(o.json)
    }
    const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) })
    const text = await res.text()
    if (o.contract !== false) {
      assertMatchesContract({
        method,
        path: new URL(url + path).pathname,
        status: res.status,
        headers: res.headers,
        text,
      })
    }
    let parsed: unknown
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      parsed = undefined
    }
    return { status: res.status, headers: res.headers, text, body: parsed as T }
  }

  const server: TestServer = {
    app,
    url,
    dir,
    dbPath,
    adminToken,
    advance: (ms) => {
      offset += ms
    },
    request,
    async user(email, name) {
      const res = await request('POST', '/api/sandbox/tokens', { json: name ? { email, name } : { email } })
      if (res.status !== 201) throw new Error(`minting a token failed: ${res.status} ${res.text}`)
      return { token: res.body.data.token, userId: res.body.data.userId }
    },
    async createOrg(token, body = { name: 'Acme', countryCode: 'US' }) {
      const res = await request('POST', '/api/organizations', { token, json: body })
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`)
      return res.headers.get('location')!.split('/').pop()!
    },
    async inviteToken(email) {
      const res = await request('GET', `/api/sandbox/outbox?to=${encodeURIComponent(email)}&limit=1`)
      const message = res.body.data[0]
      if (!message) throw new Error(`no outbox message to ${email}`)
      return message.inviteToken as string
    },
    async addMember(orgId, email, roles) {
      const invited = await request('POST', `/api/organizations/${orgId}/invite`, {
        json: { email, name: email.split('@')[0], roles },
      })
      if (invited.status !== 200) throw new Error(`invite failed: ${invited.status} ${invited.text}`)
      const accepted = await request(
        'POST',
        `/api/organizations/invite/${await server.inviteToken(email)}/accept`,
        {
          token: null,
          json: { password: 'password123', password_confirmation: 'password123' },
        },
      )
      if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${accepted.text}`)
      const { token } = await server.user(email)
      return { token, memberId: accepted.body.data.memberId }
    },
    async close() {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return server
}
