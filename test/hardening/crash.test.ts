import { rmSync } from 'node:fs'
import { join } from 'node:path'

import { Pool } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'

import { openDatabase } from '../../src/sqlite/driver.js'
import { startServerProcess, stopProcess, type ServerProcess } from '../helpers/bulk.js'
import { tempDir } from '../helpers/tmp.js'

const TOKEN = 'crash-test-admin-token-4a7c9e1b3d5f'
const WORKERS = 16
const KILL_AFTER_ACKS = 240
const MAX_PER_WORKER = 200

const dir = tempDir('crash')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function call(pool: Pool, method: string, path: string, json?: unknown, key?: string) {
  const res = await pool.request({
    method: method as 'GET',
    path,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined }
}

describe('the sandbox killed with SIGKILL during concurrent writes', () => {
  it('restarts on an intact database holding every write it acknowledged', async () => {
    const dbPath = join(dir, 'sandbox.db')
    const server: ServerProcess = await startServerProcess({ dbPath, token: TOKEN, args: ['--quiet'] })
    const pool = new Pool(server.url, { connections: WORKERS })

    // An organization with members whose roles the workers will change.
    const created = await call(pool, 'POST', '/api/organizations', { name: 'Crash Co', countryCode: 'US' })
    const orgId = String(created.headers.location).split('/').pop()!
    const memberIds: number[] = []
    for (let i = 0; i < WORKERS; i++) {
      const email = `m${i}@crash.test`
      await call(pool, 'POST', `/api/organizations/${orgId}/invite`, { email, name: `M${i}`, roles: [3] })
      const outbox = await call(pool, 'GET', `/api/sandbox/outbox?to=${encodeURIComponent(email)}&limit=1`)
      const accepted = await call(
        pool,
        'POST',
        `/api/organizations/invite/${outbox.body.data[0].inviteToken}/accept`,
        {
          password: 'password123',
          password_confirmation: 'password123',
        },
      )
      memberIds.push(accepted.body.data.memberId)
    }
    const list = await call(pool, 'GET', `/api/organizations/${orgId}/members?per_page=100`)
    const workspace: string = list.body.data.data[0].workspaces[0]

    const acked = { orgs: [] as string[], invites: [] as string[], charges: [] as string[] }
    // Per member: the last roles acknowledged, and the roles of a request still in flight at the kill.
    const roles = new Map<number, { acked: number[] | undefined; pending: number[] | undefined }>()
    let acks = 0
    let killed = false
    const kill = () => {
      if (killed) return
      killed = true
      server.child.kill('SIGKILL')
    }

    const worker = async (w: number) => {
      const memberId = memberIds[w]!
      roles.set(memberId, { acked: [3], pending: undefined })
      for (let i = 0; i < MAX_PER_WORKER && !killed; i++) {
        const tag = `w${w}-${i}`
        try {
          switch (i % 4) {
            case 0: {
              const r = await call(
                pool,
                'POST',
                '/api/organizations',
                { name: tag, countryCode: 'DE' },
                `org-${tag}`,
              )
              if (r.status === 201) acked.orgs.push(String(r.headers.location).split('/').pop()!)
              break
            }
            case 1: {
              const email = `${tag}@crash.test`
              const r = await call(
                pool,
                'POST',
                `/api/organizations/${orgId}/invite`,
                { email, name: tag, roles: [3] },
                `inv-${tag}`,
              )
              if (r.status === 200) acked.invites.push(email)
              break
            }
            case 2: {
              const r = await call(
                pool,
                'POST',
                `/api/admin/organizations/${orgId}/charge`,
                { amount: 10 + w, service: 'sms', sms_point: 1, reason: tag },
                `charge-${tag}`,
              )
              if (r.status === 200) acked.charges.push(tag)
              break
            }
            case 3: {
              const next = i % 8 === 3 ? [4] : [3]
              const state = roles.get(memberId)!
              state.pending = next
              const r = await call(pool, 'PUT', `/api/organizations/${orgId}/members/${memberId}`, {
                workspaces: [workspace],
                roles: next,
              })
              if (r.status === 200) roles.set(memberId, { acked: next, pending: undefined })
              break
            }
          }
          if (++acks >= KILL_AFTER_ACKS) kill()
        } catch {
          return // the server is gone
        }
      }
    }
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))
    kill()
    await stopProcess(server.child, 'SIGKILL')
    await pool.destroy()
    expect(acks).toBeGreaterThanOrEqual(KILL_AFTER_ACKS)

    // Restart on the same files: it must open, migrate (a no-op) and answer.
    const again = await startServerProcess({ dbPath, token: TOKEN, args: ['--quiet'] })
    try {
      const res = await fetch(`${again.url}/api/organizations/${orgId}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      expect(res.status).toBe(200)
    } finally {
      await again.stop()
    }

    const db = openDatabase(dbPath, { readonly: true })
    try {
      db.exec(`ATTACH DATABASE '${join(dir, 'sandbox.outbox.db').replace(/'/g, "''")}' AS outbox`)
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
      expect(db.prepare('PRAGMA outbox.integrity_check').get()).toEqual({ integrity_check: 'ok' })
      expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([])

      const orgs = new Set(
        (db.prepare('SELECT id FROM organizations').all() as { id: string }[]).map((r) => r.id),
      )
      expect(acked.orgs.filter((id) => !orgs.has(id))).toEqual([])
      const invited = new Set(
        (
          db.prepare('SELECT lower(email) AS e FROM invitations WHERE organization_id = ?').all(orgId) as {
            e: string
          }[]
        ).map((r) => r.e),
      )
      expect(acked.invites.filter((e) => !invited.has(e))).toEqual([])
      const mailed = new Set(
        (db.prepare('SELECT lower(to_email) AS e FROM outbox.messages').all() as { e: string }[]).map(
          (r) => r.e,
        ),
      )
      expect(acked.invites.filter((e) => !mailed.has(e))).toEqual([])
      const charged = db.prepare('SELECT reason FROM ledger WHERE organization_id = ?').all(orgId) as {
        reason: string
      }[]
      const reasons = charged.map((r) => r.reason)
      expect(acked.charges.filter((r) => !reasons.includes(r))).toEqual([])
      // Each charge once, however the kill fell.
      expect(new Set(reasons).size).toBe(reasons.length)
      for (const [memberId, state] of roles) {
        const stored = (
          db
            .prepare('SELECT role_id FROM member_roles WHERE member_id = ? ORDER BY role_id')
            .all(memberId) as { role_id: number }[]
        ).map((r) => r.role_id)
        expect([state.acked, state.pending].filter(Boolean), `member ${memberId}`).toContainEqual(stored)
      }
      // Figures for the report.
      console.log(
        `crash: killed after ${acks} answered writes; ${acked.orgs.length} creates, ${acked.invites.length} invites, ${acked.charges.length} charges acknowledged, all present`,
      )
    } finally {
      db.close()
    }
  })
})
