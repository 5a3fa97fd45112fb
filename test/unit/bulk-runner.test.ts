import { readdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Writable } from 'node:stream'

import { afterEach, describe, expect, it } from 'vitest'

import { Transport } from '../../src/api/transport.js'
import { runBulkInvite } from '../../src/bulk/runner.js'
import { openDatabase } from '../../src/sqlite/driver.js'
import { tempDir } from '../helpers/tmp.js'

const ORG = '3f1c9a6e-8d2b-4e7f-9a1c-2b3d4e5f6a7b'
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() })
let server: Server | undefined
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

/**
 * A fake API: the first invitation gets 429 Retry-After: 1 as soon as `inFlight` requests have arrived (so that
 * the others are surely on the wire before the refusal, however slowly a loaded machine opens connections);
 * every other one answers 200 after 150 ms.
 */
async function throttlingApi(
  inFlight: number,
): Promise<{ url: string; arrivals: number[]; refusedAt: () => number }> {
  const arrivals: number[] = []
  let refusedAt = 0
  let refuse: (() => void) | undefined
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const now = Date.now()
      arrivals.push(now)
      if (arrivals.length === 1) {
        refuse = () => {
          refusedAt = Date.now()
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' })
          res.end('{"message":"Too Many Attempts."}')
        }
      }
      if (arrivals.length === inFlight) refuse?.()
      if (arrivals.length === 1) return
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"success":true,"message":"Invitation sent successfully."}')
      }, 150)
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`,
    arrivals,
    refusedAt: () => refusedAt,
  }
}

/** Invites `rows` people from a CSV in `dir` against `url`, 4 at a time, with the journal in `dir`. */
async function inviteAll(url: string, dir: string, rows: number): ReturnType<typeof runBulkInvite> {
  const file = join(dir, 'people.csv')
  const people = Array.from({ length: rows }, (_, i) => `u${i}@example.com,U ${i},3`)
  writeFileSync(file, `email,name,roles\n${people.join('\n')}\n`)
  const transport = new Transport({ baseUrl: url, token: 't', userAgent: 'test', timeoutMs: 5000 })
  try {
    return await runBulkInvite({
      api: transport,
      organizationId: ORG,
      file,
      concurrency: 4,
      dataDir: dir,
      stderr: quiet,
    })
  } finally {
    await transport.close()
  }
}

describe('bulk runner', () => {
  it('holds every worker, not only the refused request, until Retry-After has passed', async () => {
    const api = await throttlingApi(4)
    const summary = await inviteAll(api.url, tempDir('runner'), 12)
    expect(summary).toMatchObject({ total: 12, sent: 12, failed: 0 })
    // The three requests in flight with the refused one answer 150 ms later; with a per-request pause their
    // workers would send their next rows at once. With the shared pause nothing arrives before 1 s.
    const t = api.refusedAt()
    const early = api.arrivals.filter((at) => at > t + 50 && at < t + 950)
    expect(early).toEqual([])
    expect(api.arrivals.length).toBe(13)
  })

  it('puts rows marked sending but never sent back as planned when a fatal answer stops the run', async () => {
    // The first invitation is accepted at once and the next three after 300 ms; the fifth, sent by the first
    // worker from a new batch while the rest of that batch waits for a worker, is refused (401), which stops
    // the run with those rows marked `sending` but never sent.
    const received: string[] = []
    server = createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8').on('data', (d: string) => (body += d))
      req.on('end', () => {
        received.push((JSON.parse(body) as { email: string }).email)
        const n = received.length
        const answer = (status: number, text: string) => {
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(text)
        }
        if (n === 5) answer(401, '{"message":"Unauthenticated."}')
        else setTimeout(() => answer(200, '{"success":true}'), n === 1 ? 0 : 300)
      })
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`
    const dir = tempDir('runner-fatal')
    await expect(inviteAll(url, dir, 20)).rejects.toMatchObject({ status: 401 })
    const journals = readdirSync(join(dir, 'journals')).filter((f) => f.endsWith('.journal.db'))
    expect(journals).toHaveLength(1)
    const db = openDatabase(join(dir, 'journals', journals[0]!))
    const marked = db.prepare(`SELECT email, attempts FROM rows WHERE state = 'sending'`).all() as {
      email: string
      attempts: number
    }[]
    const pending = db.prepare(`SELECT email, attempts FROM rows WHERE state = 'pending'`).all() as {
      email: string
      attempts: number
    }[]
    db.close()
    // Only rows that reached the server may look as if they might have (the refused one, and those whose
    // answers came after the run stopped); the refused one's batch-mates are pending again, their attempt
    // uncounted.
    expect(received).toHaveLength(5)
    expect(marked.map((r) => r.email)).toContain(received[4])
    for (const row of marked) expect(received).toContain(row.email)
    expect(pending.length).toBeGreaterThan(0)
    for (const row of pending) {
      expect(received).not.toContain(row.email)
      expect(row.attempts).toBe(0)
    }
  })
})
