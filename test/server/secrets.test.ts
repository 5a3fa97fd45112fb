import { readFileSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sandboxFiles, startServer } from '../../src/server/sandbox.js'
import type { AnyJson } from '../helpers/server.js'
import { tempDir } from '../helpers/tmp.js'

const dir = tempDir('secrets')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function mainDatabaseBytes(dbPath: string): Buffer {
  const { db } = sandboxFiles(dbPath)
  return Buffer.concat([db, `${db}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)))
}

describe('secrets at rest', () => {
  it('keeps no password, bearer token, admin token or invite token in plain text in the database', async () => {
    const dbPath = join(dir, 'sandbox.db')
    const adminToken = 'admin-token-that-must-not-appear-1234567890'
    const password = 'hunter2-but-longer-and-unique'
    const lines: string[] = []
    const server = await startServer({ dbPath, adminToken, log: (l) => lines.push(l) })
    const call = async (method: string, path: string, json?: unknown, token: string | null = adminToken) => {
      const res = await fetch(server.url + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          'content-type': 'application/json',
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      })
      return {
        status: res.status,
        headers: res.headers,
        body: (await res.json().catch(() => undefined)) as AnyJson,
      }
    }
    try {
      const minted = await call('POST', '/api/sandbox/tokens', { email: 'owner@secrets.test' })
      const userToken: string = minted.body.data.token
      const created = await call(
        'POST',
        '/api/organizations',
        { name: 'Secretive', countryCode: 'CH' },
        userToken,
      )
      const orgId = created.headers.get('location')!.split('/').pop()!
      await call(
        'POST',
        `/api/organizations/${orgId}/invite`,
        { email: 'joiner@secrets.test', name: 'J', roles: [3] },
        userToken,
      )
      await call(
        'POST',
        `/api/organizations/${orgId}/invite`,
        { email: 'pending@secrets.test', name: 'P', roles: [3] },
        userToken,
      )
      const outbox = await call('GET', '/api/sandbox/outbox?limit=10')
      const tokens: string[] = outbox.body.data.map((m: { inviteToken: string }) => m.inviteToken)
      expect(tokens).toHaveLength(2)
      const accepted = await call(
        'POST',
        `/api/organizations/invite/${tokens[1]}/accept`,
        { password, password_confirmation: password },
        null,
      )
      expect(accepted.status).toBe(200)

      const bytes = mainDatabaseBytes(dbPath)
      expect(bytes.length).toBeGreaterThan(0)
      for (const secret of [adminToken, userToken, password, ...tokens]) {
        expect(bytes.includes(Buffer.from(secret)), `found ${secret.slice(0, 6)}… in the database`).toBe(
          false,
        )
      }
      // The outbox file stands in for mailboxes and is expected to hold the invite tokens.
      const outboxBytes = readFileSync(sandboxFiles(dbPath).outbox)
      const outboxWal = existsSync(`${sandboxFiles(dbPath).outbox}-wal`)
        ? readFileSync(`${sandboxFiles(dbPath).outbox}-wal`)
        : Buffer.alloc(0)
      expect(Buffer.concat([outboxBytes, outboxWal]).includes(Buffer.from(tokens[0]!))).toBe(true)

      const log = lines.join('\n')
      for (const secret of [adminToken, userToken, password, ...tokens]) expect(log).not.toContain(secret)
      expect(log).toContain('/api/organizations/invite/[redacted]/accept 200')
    } finally {
      await server.close()
    }
  })
})
