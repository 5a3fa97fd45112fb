import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Writable } from 'node:stream'

import { afterEach, describe, expect, it } from 'vitest'

import { Transport } from '../../src/api/transport.js'
import { runBulkInvite } from '../../src/bulk/runner.js'
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

describe('bulk runner', () => {
  it('holds every worker, not only the refused request, until Retry-After has passed', async () => {
    const api = await throttlingApi(4)
    const dir = tempDir('runner')
    const file = join(dir, 'people.csv')
    const rows = Array.from({ length: 12 }, (_, i) => `u${i}@example.com,U ${i},3`)
    writeFileSync(file, `email,name,roles\n${rows.join('\n')}\n`)
    const transport = new Transport({ baseUrl: api.url, token: 't', userAgent: 'test', timeoutMs: 5000 })
    const summary = await runBulkInvite({
      api: transport,
      organizationId: ORG,
      file,
      concurrency: 4,
      dataDir: dir,
      stderr: quiet,
    })
    await transport.close()
    expect(summary).toMatchObject({ total: 12, sent: 12, failed: 0 })
    // The three requests in flight with the refused one answer 150 ms later; with a per-request pause their
    // workers would send their next rows at once. With the shared pause nothing arrives before 1 s.
    const t = api.refusedAt()
    const early = api.arrivals.filter((at) => at > t + 50 && at < t + 950)
    expect(early).toEqual([])
    expect(api.arrivals.length).toBe(13)
  })
})
