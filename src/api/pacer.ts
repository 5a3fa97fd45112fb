import { PauseGate } from './pause-gate.js'
import { parseRetryAfter } from './retry.js'

/**
 * Longest the pacer holds the run on a header's word, as the transport caps `Retry-After`: a reset an hour
 * away (an hourly quota spent) is probed again after a minute rather than waited for in silence.
 */
const MAX_HOLD_MS = 60_000

/** What a server said about its rate limit in one answer's headers. */
export interface RateLimitInfo {
  limit?: number
  remaining?: number
  /** Milliseconds until the window resets (from a delta in seconds, or an epoch timestamp). */
  resetMs?: number
  /** Window length in milliseconds, when a policy header names it (`w=`). */
  windowMs?: number
}

const num = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value.trim().split(/[,;\s]/)[0])
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

/** `name=value` or `name: value` items of a structured header (`q=100;w=60`, `limit=10, remaining=3`). */
const param = (value: string | undefined, names: readonly string[]): number | undefined => {
  if (!value) return undefined
  for (const name of names) {
    const m = new RegExp(`(?:^|[;,\\s])${name}=(\\d+(?:\\.\\d+)?)`, 'i').exec(value)
    if (m) return Number(m[1])
  }
  return undefined
}

/**
 * Reads the rate-limit headers servers send: `X-RateLimit-Limit/Remaining/Reset` (GitHub, @fastify/rate-limit),
 * the IETF draft's `RateLimit-Limit/Remaining/Reset`, its structured `RateLimit` (`limit=`/`remaining=`/`reset=` or
 * `r=`/`t=`) and `RateLimit-Policy` (`100;w=60` or `q=100;w=60`). A reset above 10⁹ is read as an epoch time in
 * seconds (GitHub), anything else as seconds from now (the drafts, fastify).
 */
export function readRateLimit(
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): RateLimitInfo {
  const structured = headers['ratelimit']
  const policy = headers['ratelimit-policy'] ?? headers['x-ratelimit-policy']
  const limit =
    num(headers['x-ratelimit-limit']) ??
    num(headers['ratelimit-limit']) ??
    param(structured, ['limit']) ??
    param(policy, ['q']) ??
    (policy && /^\s*\d/.test(policy) ? num(policy) : undefined)
  const remaining =
    num(headers['x-ratelimit-remaining']) ??
    num(headers['ratelimit-remaining']) ??
    param(structured, ['remaining', 'r'])
  const reset =
    num(headers['x-ratelimit-reset']) ?? num(headers['ratelimit-reset']) ?? param(structured, ['reset', 't'])
  const windowSeconds = param(policy, ['w'])
  const info: RateLimitInfo = {}
  if (limit !== undefined && limit > 0) info.limit = limit
  if (remaining !== undefined) info.remaining = remaining
  if (reset !== undefined) info.resetMs = reset > 1e9 ? Math.max(0, reset * 1000 - now) : reset * 1000
  if (windowSeconds !== undefined && windowSeconds > 0) info.windowMs = windowSeconds * 1000
  return info
}

/**
 * Paces every request of one client to stay under the limit a server announces in its headers, instead of
 * discovering it through 429s: a {@link PauseGate} (so a 429's `Retry-After` still holds everyone) that also
 *
 * - spaces requests `window / limit` apart (a token bucket of one), so a run does not burst its whole window
 *   at once and then idle;
 * - keeps a budget for the current window: the server's `remaining` less the requests still in flight (which it
 *   may not have counted yet), less each request sent since, and when that is spent, holds every request until
 *   the window has ended (estimated from the answer that opened the window, or the reset header).
 *
 * Until a server sends rate-limit headers nothing is held. The transport calls {@link wait} before each attempt
 * and {@link observe} after it (see `TransportOptions.onResponse`).
 */
export class Pacer extends PauseGate {
  private limit: number | undefined
  private windowMs: number | undefined
  private budget: number | undefined
  private lastRemaining: number | undefined
  private windowEndsAt = 0
  private nextAt = 0
  private inflight = 0
  /** Attempts sent and answers refused with 429 (for the run's summary and the benchmark). */
  readonly stats = { requests: 0, refused: 0 }

  constructor(private readonly clock: () => number = Date.now) {
    super(clock)
  }

  /** Resolves when a request may go: the 429 pause is over, the spacing allows it and the window has budget. */
  override async wait(sleep: (ms: number) => Promise<void>): Promise<void> {
    for (;;) {
      await super.wait(sleep)
      const now = this.clock()
      if (this.budget !== undefined && this.budget <= 0) {
        if (now < this.windowEndsAt) {
          await sleep(this.windowEndsAt - now)
          continue
        }
        // The window has ended (or the hold was capped): one request goes first, and its answer says how many
        // the new window allows. It is answered within the first spacing slot, so this costs no rate.
        this.budget = 1
        this.lastRemaining = undefined
      }
      const spacing = this.limit && this.windowMs ? this.windowMs / this.limit : 0
      if (spacing > 0 && now < this.nextAt) {
        await sleep(Math.ceil(this.nextAt - now))
        continue
      }
      if (super.remaining() > 0) continue
      // A schedule rather than "now + spacing": timers fire late, and that lateness must not add up over a run
      // (at 25 ms spacing, 2 ms late each time is 8% of the rate). After an idle spell, at most one extra goes.
      this.nextAt = Math.max(this.nextAt, now - spacing) + spacing
      if (this.budget !== undefined) this.budget--
      this.inflight++
      this.stats.requests++
      return
    }
  }

  /** Takes in one answer (status 0: no answer) of a request let through by {@link wait}. */
  observe(status: number, headers: Readonly<Record<string, string>>): void {
    this.inflight = Math.max(0, this.inflight - 1)
    const now = this.clock()
    const info = readRateLimit(headers, now)
    if (info.limit !== undefined) this.limit = info.limit
    if (info.windowMs !== undefined) this.windowMs = info.windowMs
    else if (info.resetMs !== undefined && info.resetMs > (this.windowMs ?? 0)) {
      // Without a policy header the longest reset seen is the window (fastify's first answer says the whole window).
      this.windowMs = info.resetMs
    }
    // The spacing keeps the real window; only how long the run is held on one answer's word is capped.
    if (info.resetMs !== undefined) info.resetMs = Math.min(info.resetMs, MAX_HOLD_MS)
    if (status === 429) {
      this.stats.refused++
      this.budget = 0
      const after = Math.min(
        MAX_HOLD_MS,
        parseRetryAfter(headers['retry-after'], now) ?? info.resetMs ?? 1000,
      )
      this.windowEndsAt = Math.max(this.windowEndsAt, now + after)
      this.lastRemaining = undefined
      return
    }
    if (info.remaining === undefined) return
    const candidate = info.remaining - this.inflight
    // Answers on different connections may come out of order by up to the requests in flight; a rise beyond
    // that means the server opened a new window.
    const newWindow =
      this.lastRemaining === undefined || info.remaining > this.lastRemaining + this.inflight + 1
    if (newWindow) {
      this.budget = candidate
      this.lastRemaining = info.remaining
      // Upper bounds of the window's end, so that the run never resumes before it: the window opened at or
      // before this answer (exactly at it when this was its first request), and ends within `reset`.
      const first = this.limit !== undefined && info.remaining === this.limit - 1
      const bounds = [info.resetMs, first ? this.windowMs : undefined].filter(
        (ms): ms is number => ms !== undefined,
      )
      this.windowEndsAt =
        now + Math.min(MAX_HOLD_MS, bounds.length > 0 ? Math.min(...bounds) : (this.windowMs ?? 1000))
    } else {
      this.budget = Math.min(this.budget ?? candidate, candidate)
      this.lastRemaining = Math.min(this.lastRemaining ?? info.remaining, info.remaining)
      if (info.resetMs !== undefined) this.windowEndsAt = Math.min(this.windowEndsAt, now + info.resetMs)
    }
  }
}
