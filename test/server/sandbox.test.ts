import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resetSandbox, sandboxFiles, startServer } from '../../src/server/sandbox.js'
import { tempDir } from '../helpers/tmp.js'

const dir = tempDir('sandbox')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('startServer and resetSandbox', () => {
  it('keeps its database, outbox and write-ahead log readable by the owner only, whatever the umask', async () => {
    const dbPath = join(dir, 'private', 'sandbox.db')
    const files = sandboxFiles(dbPath)
    const previous = process.umask(0o022)
    try {
      // A file that already exists with loose modes is tightened too.
      rmSync(join(dir, 'private'), { recursive: true, force: true })
      mkdirSync(join(dir, 'private'))
      writeFileSync(files.outbox, '', { mode: 0o644 })
      const server = await startServer({ dbPath, ephemeralAdmin: true })
      try {
        const res = await fetch(`${server.url}/api/organizations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Modes', countryCode: 'US' }),
        })
        expect(res.status).toBe(201)
        for (const file of [files.db, `${files.db}-wal`, files.outbox])
          expect((statSync(file).mode & 0o777).toString(8), file).toBe('600')
      } finally {
        await server.close()
      }
    } finally {
      process.umask(previous)
    }
  })

  it('names the outbox and media beside the database', () => {
    expect(sandboxFiles('/x/sandbox.db')).toEqual({
      db: '/x/sandbox.db',
      outbox: '/x/sandbox.outbox.db',
      media: '/x/sandbox.media',
    })
  })

  it('serves on 127.0.0.1 with an ephemeral admin token that dies with the process, and keeps data across restarts', async () => {
    const dbPath = join(dir, 'nested', 'sandbox.db')
    const first = await startServer({ dbPath, ephemeralAdmin: true })
    expect(first.url).toBe(`http://127.0.0.1:${first.port}`)
    const headers = { authorization: `Bearer ${first.adminToken}`, 'content-type': 'application/json' }
    const created = await fetch(`${first.url}/api/organizations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Kept', countryCode: 'JP' }),
    })
    expect(created.status).toBe(201)
    const location = created.headers.get('location')!
    await first.close()

    const second = await startServer({ dbPath, ephemeralAdmin: true })
    try {
      const stale = await fetch(second.url + location, {
        headers: { authorization: `Bearer ${first.adminToken}` },
      })
      expect(stale.status).toBe(401)
      const kept = await fetch(second.url + location, {
        headers: { authorization: `Bearer ${second.adminToken}` },
      })
      expect(kept.status).toBe(200)
    } finally {
      await second.close()
    }
  })

  it('accepts a stored admin token across restarts', async () => {
    const dbPath = join(dir, 'stored.db')
    for (let i = 0; i < 2; i++) {
      const server = await startServer({ dbPath, ...(i === 0 ? { adminToken: 'stored-admin-token' } : {}) })
      try {
        const res = await fetch(`${server.url}/api/sandbox/outbox`, {
          headers: { authorization: 'Bearer stored-admin-token' },
        })
        expect(res.status).toBe(200)
      } finally {
        await server.close()
      }
    }
  })

  it('reset deletes the database, its WAL, the outbox and the media', async () => {
    const dbPath = join(dir, 'reset.db')
    const server = await startServer({ dbPath, ephemeralAdmin: true })
    await server.close()
    const files = sandboxFiles(dbPath)
    expect(existsSync(files.db)).toBe(true)
    expect(existsSync(files.outbox)).toBe(true)
    await resetSandbox(dbPath)
    for (const f of [files.db, `${files.db}-wal`, `${files.db}-shm`, files.outbox, files.media])
      expect(existsSync(f)).toBe(false)
  })

  it('logs one line per request with method, path, status, time and replays marked', async () => {
    const lines: string[] = []
    const server = await startServer({
      dbPath: join(dir, 'log.db'),
      ephemeralAdmin: true,
      log: (l) => lines.push(l),
    })
    try {
      const init = {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          'content-type': 'application/json',
          'idempotency-key': 'log-1',
        },
        body: JSON.stringify({ name: 'Logged', countryCode: 'IT' }),
      }
      await fetch(`${server.url}/api/organizations`, init)
      await fetch(`${server.url}/api/organizations`, init)
    } finally {
      await server.close()
    }
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z POST \/api\/organizations 201 \d+ms$/)
    expect(lines[1]).toMatch(/ 201 \d+ms replayed$/)
    expect(lines.join('\n')).not.toContain(server.adminToken!)
  })
})
