/** Retry policy of docs/DESIGN.md / ARCHITECTURE.md, kept pure so it can be tested without a network. */

/** Retries after the first attempt. */
export const MAX_RETRIES = 4
const BASE_DELAY_MS = 200
const MAX_BACKOFF_MS = 10_000
/** Longest `Retry-After` orgctl waits; a server asking for more fails the request at once (exit 7). */
export const MAX_RETRY_AFTER_MS = 60_000

/** Statuses worth another attempt: the server may answer differently in a moment. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504])

/**
 * Whether a request may be repeated at all. A POST without an idempotency key could run twice
 * on the server, so it never is.
 */
export function isRetryableRequest(method: string, hasIdempotencyKey: boolean): boolean {
  const m = method.toUpperCase()
  return m === 'GET' || m === 'HEAD' || m === 'PUT' || m === 'DELETE' || (m === 'POST' && hasIdempotencyKey)
}

/**
 * Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds, capped at 60 s.
 * Returns undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const ms = retryAfterMs(value, now)
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS)
}

/** A `Retry-After` header (seconds or an HTTP date) in milliseconds, uncapped; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const trimmed = value.trim()
  let ms: number
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000
  else {
    const at = Date.parse(trimmed)
    if (Number.isNaN(at)) return undefined
    ms = at - now
  }
  return Math.max(0, ms)
}

/**
 * Delay before retry number `retry` (0 for the first retry): the server's `Retry-After` when given,
 * else full-jitter exponential backoff (a random delay between 0 and min(10 s, 200 ms × 2^retry)),
 * which spreads many clients that failed together.
 */
export function retryDelay(
  retry: number,
  retryAfter: string | undefined,
  random: () => number = Math.random,
  now: number = Date.now(),
): number {
  const fromServer = parseRetryAfter(retryAfter, now)
  if (fromServer !== undefined) return fromServer
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** retry)
  return Math.floor(random() * ceiling)
}

/**
 * A 409 that says an earlier request with the same idempotency key is still running (the sandbox does
 * this when two processes race with one key): waiting and asking again yields the first one's answer.
 */
export function isKeyInProgress(status: number, bodyText: string, hasIdempotencyKey: boolean): boolean {
  return (
    hasIdempotencyKey && status === 409 && /idempotency-key/i.test(bodyText) && /in progress/i.test(bodyText)
  )
}
