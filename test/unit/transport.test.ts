import { describe, expect, it } from 'vitest'

import { idFromLocation } from '../../src/api/organizations.js'
import { normalisePage } from '../../src/api/members.js'
import { redactHeaders, redactPath, redactSecrets } from '../../src/api/redact.js'
import { isRetryableRequest, parseRetryAfter, retryDelay } from '../../src/api/retry.js'
import { excerpt } from '../../src/api/transport.js'

describe('retry policy', () => {
  it('retries only safe requests and POSTs that carry an idempotency key', () => {
    expect(isRetryableRequest('GET', false)).toBe(true)
    expect(isRetryableRequest('PUT', false)).toBe(true)
    expect(isRetryableRequest('DELETE', false)).toBe(true)
    expect(isRetryableRequest('POST', true)).toBe(true)
    expect(isRetryableRequest('POST', false)).toBe(false)
    expect(isRetryableRequest('PATCH', false)).toBe(false)
  })

  it('backs off exponentially with full jitter, capped at 10 s', () => {
    expect(retryDelay(0, undefined, () => 0.999)).toBe(199)
    expect(retryDelay(3, undefined, () => 0.5)).toBe(800)
    expect(retryDelay(20, undefined, () => 0.999)).toBe(9990)
    expect(retryDelay(2, undefined, () => 0)).toBe(0)
  })

  it('honours Retry-After in seconds or as a date, capped at 60 s', () => {
    expect(retryDelay(0, '3', () => 0)).toBe(3000)
    expect(parseRetryAfter('600')).toBe(60_000)
    const now = Date.parse('2025-01-01T00:00:00Z')
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})

describe('redaction', () => {
  it('hides bearer tokens, named secrets and invite tokens', () => {
    expect(redactSecrets('Authorization: Bearer abc.def', [])).toBe('Authorization: Bearer [redacted]')
    expect(redactSecrets('token s3cr3t-token here', ['s3cr3t-token'])).toBe('token [redacted] here')
    expect(redactPath('http://h/api/organizations/invite/AbC_123/accept')).toBe(
      'http://h/api/organizations/invite/[redacted]/accept',
    )
    expect(redactHeaders({ Authorization: 'Bearer x', accept: 'a' })).toEqual({
      Authorization: '[redacted]',
      accept: 'a',
    })
  })
})

describe('response shapes', () => {
  it('keeps a short readable excerpt of an HTML error page', () => {
    const html = `<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(5000)}</body></html>`
    expect(excerpt(html)).toBe('502 Bad Gateway')
    expect(excerpt('y'.repeat(500)).length).toBeLessThanOrEqual(201)
  })

  it('reads the new ID from Location', () => {
    expect(idFromLocation('/api/organizations/abc-1')).toBe('abc-1')
    expect(idFromLocation('https://h/api/organizations/abc-1/')).toBe('abc-1')
    expect(idFromLocation(undefined)).toBeNull()
  })

  it('accepts members as a Laravel paginator or a plain array', () => {
    const m = { id: 1, name: 'A', email: 'a@x.io', roles: [1], workspaces: [] }
    expect(
      normalisePage({ data: { current_page: 2, data: [m], per_page: 1, total: 3, last_page: 3 } }, 2, 1),
    ).toEqual({
      page: 2,
      perPage: 1,
      total: 3,
      lastPage: 3,
      members: [m],
    })
    expect(normalisePage({ data: [m, m] }, 1, 15)).toMatchObject({ total: 2, lastPage: 1 })
    expect(normalisePage([m], 1, 15)).toMatchObject({ members: [m] })
  })
})

describe('idempotency key still in progress', () => {
  it('retries a keyed POST answered 409 because the same key is still running, and nothing else', async () => {
    const { isKeyInProgress } = await import('../../src/api/retry.js')
    const body = '{"message":"A request with this Idempotency-Key is still in progress."}'
    expect(isKeyInProgress(409, body, true)).toBe(true)
    expect(isKeyInProgress(409, body, false)).toBe(false)
    expect(isKeyInProgress(409, '{"message":"Already a member."}', true)).toBe(false)
  })
})
