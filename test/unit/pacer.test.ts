import { describe, expect, it } from 'vitest'

import { Pacer, readRateLimit } from '../../src/api/pacer.js'

describe('reading rate-limit headers', () => {
  it('reads the X-RateLimit trio that @fastify/rate-limit and GitHub send (a reset above 1e9 is an epoch time)', () => {
    expect(
      readRateLimit({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '19', 'x-ratelimit-reset': '1' }),
    ).toEqual({ limit: 20, remaining: 19, resetMs: 1000 })
    const now = 1_700_000_000_000
    expect(
      readRateLimit(
        { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': '1700000030' },
        now,
      ),
    ).toEqual({ limit: 5000, remaining: 4999, resetMs: 30_000 })
  })

  it('reads the IETF draft headers, the structured RateLimit field and the policy window', () => {
    expect(
      readRateLimit({
        'ratelimit-limit': '100',
        'ratelimit-remaining': '42',
        'ratelimit-reset': '7',
        'ratelimit-policy': '100;w=60',
      }),
    ).toEqual({ limit: 100, remaining: 42, resetMs: 7000, windowMs: 60_000 })
    expect(
      readRateLimit({ ratelimit: '"default";r=3;t=2', 'ratelimit-policy': '"default";q=10;w=5' }),
    ).toEqual({ limit: 10, remaining: 3, resetMs: 2000, windowMs: 5000 })
  })

  it('reads nothing from a server that sends no such headers, or garbage in them', () => {
    expect(readRateLimit({ 'content-type': 'application/json' })).toEqual({})
    expect(readRateLimit({ 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '-3' })).toEqual({})
  })
})

/** A pacer on a clock that only moves when someone sleeps: the time each request went is exact. */
function simulated(): { pacer: Pacer; now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = 0
  const now = (): number => t
  const sleep = async (ms: number): Promise<void> => {
    t += Math.max(1, ms)
  }
  return { pacer: new Pacer(now), now, sleep }
}

/** A fixed-window server of `limit` per `windowMs` that opens a window at the first request after the last. */
function fixedWindow(limit: number, windowMs: number) {
  let start = -Infinity
  let count = 0
  return (at: number): { status: number; headers: Record<string, string> } => {
    if (at >= start + windowMs) {
      start = at
      count = 0
    }
    count++
    const reset = String(Math.ceil((start + windowMs - at) / 1000))
    const remaining = String(Math.max(0, limit - count))
    const headers = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': remaining,
      'x-ratelimit-reset': reset,
    }
    return count > limit
      ? { status: 429, headers: { ...headers, 'retry-after': reset } }
      : { status: 200, headers }
  }
}

describe('pacing by the headers', () => {
  it('lets requests through unpaced until a server names a limit', async () => {
    const { pacer, now, sleep } = simulated()
    for (let i = 0; i < 50; i++) {
      await pacer.wait(sleep)
      pacer.observe(200, {})
    }
    expect(now()).toBe(0)
  })

  it('keeps to a fixed window of 20/s: no request refused, and at least 90% of the allowed rate', async () => {
    const { pacer, now, sleep } = simulated()
    const server = fixedWindow(20, 1000)
    let refused = 0
    // One request at a time, answered at once: what the clock shows is the pacer's doing alone.
    for (let i = 0; i < 400; i++) {
      await pacer.wait(sleep)
      const answer = server(now())
      if (answer.status === 429) refused++
      pacer.observe(answer.status, answer.headers)
    }
    expect(refused).toBe(0)
    const rate = 400 / (now() / 1000)
    expect(rate).toBeGreaterThanOrEqual(18)
    expect(rate).toBeLessThanOrEqual(20.5)
  })

  it('holds at most a minute on an exhausted hourly quota, then probes with one request', async () => {
    const { pacer, now, sleep } = simulated()
    await pacer.wait(sleep)
    pacer.observe(200, {
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '3600',
    })
    await pacer.wait(sleep)
    expect(now()).toBeGreaterThanOrEqual(60_000)
    expect(now()).toBeLessThan(61_000)
  })

  it('after a 429 holds every request until Retry-After has passed', async () => {
    const { pacer, now, sleep } = simulated()
    await pacer.wait(sleep)
    pacer.pauseFor(2000)
    pacer.observe(429, { 'retry-after': '2', 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0' })
    await pacer.wait(sleep)
    expect(now()).toBeGreaterThanOrEqual(2000)
    expect(pacer.stats).toEqual({ requests: 2, refused: 1 })
  })
})
