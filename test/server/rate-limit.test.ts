import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

describe('rate limit', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { max: 3, windowMs: 60_000 } })
  })
  afterAll(async () => s.close())

  it('answers 429 Too Many Attempts with Retry-After once a token exceeds the limit', async () => {
    const { token } = await s.user('busy@rate.test')
    const statuses: number[] = []
    let last
    for (let i = 0; i < 4; i++) {
      last = await s.request('GET', '/api/organizations/00000000-0000-0000-0000-000000000000', { token })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([404, 404, 404, 429])
    expect(last!.body).toEqual({ message: 'Too Many Attempts.' })
    const retryAfter = Number(last!.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
  })

  it('counts each token separately', async () => {
    const { token } = await s.user('calm@rate.test')
    const res = await s.request('GET', '/api/organizations/00000000-0000-0000-0000-000000000000', { token })
    expect(res.status).toBe(404)
  })
})

describe('without a rate limit (the default)', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
  })
  afterAll(async () => s.close())

  it('never answers 429', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        s.request('GET', '/api/organizations/00000000-0000-0000-0000-000000000000'),
      ),
    )
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([404]))
  })
})
