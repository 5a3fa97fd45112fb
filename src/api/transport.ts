import type * as Http from 'node:http'
import type { Agent, ClientRequest, IncomingMessage } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'

import {
  ApiError,
  BadResponseError,
  InterruptedError,
  NetworkError,
  TimeoutError,
  type FieldErrors,
} from './errors.js'
import { MAX_BODY_BYTES, MAX_FIELD_ERRORS, MAX_JSON_DEPTH, MAX_MESSAGE_CHARS } from './limits.js'
import type { PauseGate } from './pause-gate.js'
import { redactHeaders, redactPath, redactSecrets, redactUserInfo, visible } from './redact.js'
import {
  MAX_RETRIES,
  MAX_RETRY_AFTER_MS,
  RETRYABLE_STATUSES,
  isKeyInProgress,
  isRetryableRequest,
  retryAfterMs,
  retryDelay,
} from './retry.js'

type HttpModule = typeof Http
// node:http rather than undici (or fetch, which is undici inside Node): it loads in ~3 ms and parses with
// Node's native llhttp, where undici took ~40 ms to load plus a WebAssembly compile per process
// (docs/BENCHMARKS.md). node:https (TLS) loads only for an https:// API; commands that fail
// validation load neither.
const httpModules: Partial<Record<'http:' | 'https:', Promise<HttpModule>>> = {}
const loadHttp = (protocol: 'http:' | 'https:'): Promise<HttpModule> =>
  (httpModules[protocol] ??=
    protocol === 'https:' ? (import('node:https') as unknown as Promise<HttpModule>) : import('node:http'))

/** Options of a {@link Transport}. */
export interface TransportOptions {
  /** Base URL of the API, e.g. `https://api.example.com` (no trailing `/api`). */
  baseUrl: string
  /** Bearer token; omitted for anonymous calls. */
  token?: string
  /** `User-Agent`, `orgctl/<version>`. */
  userAgent: string
  /** Per-attempt timeout in milliseconds (connect, headers and body). */
  timeoutMs: number
  /** Retries after the first attempt; default 4. */
  maxRetries?: number
  /** Receives one line per attempt when `--debug` is on; never sees a token. */
  trace?: (line: string) => void
  /** Injected for tests; the bulk runner passes one that an interrupt cuts short. */
  sleep?: (ms: number) => Promise<void>
  /** Shared by all requests of this client: a 429's `Retry-After` holds every request, not just its own. */
  pause?: PauseGate
  /** Keep-alive connections per origin (default: unbounded); bulk runs size it to their concurrency. */
  connections?: number
  /**
   * Aborted on SIGINT/SIGTERM (its reason the signal's name): the request in flight and any wait end at
   * once with an {@link InterruptedError}.
   */
  signal?: AbortSignal
  /**
   * Sees the status and headers of every answer (each attempt, errors included), e.g. the bulk runner's
   * pacer reading rate-limit headers; `status` 0 when the attempt got no answer (connection error, timeout).
   */
  onResponse?: (status: number, headers: Readonly<Record<string, string>>) => void
}

/** A multipart file part. */
export interface FilePart {
  field: string
  filename: string
  contentType: string
  data: Uint8Array
}

/** Options of one request. */
export interface RequestOptions {
  query?: Record<string, string | number | undefined>
  /** JSON body. */
  json?: unknown
  /** Multipart body with a single file (encoded once, sent by every attempt). */
  file?: FilePart
  /** false for the one unauthenticated operation (invite accept). */
  auth?: boolean
  /** Key for a POST; one is generated when absent. Every retry reuses it. */
  idempotencyKey?: string
  /** Statuses the caller handles itself instead of an {@link ApiError}. */
  accept?: readonly number[]
  /** Secrets in this request (a password, an invite token) that must not reach a message if a server echoes them. */
  secrets?: readonly string[]
  /**
   * A success whose body is unusable (not JSON, cut short, too deep) still happened: the body is then
   * `null` instead of an error. For creates, so that a re-run does not create a duplicate.
   */
  lenientBody?: boolean
  /** Extra request headers (`orgctl api -H`); they replace orgctl's own of the same name. */
  headers?: Record<string, string>
  /** A raw body with its content type (`orgctl api --input`). */
  body?: { data: string | Uint8Array; contentType: string }
  /**
   * The body as received: a string, never parsed or checked as JSON (`orgctl api`). A status that is not a
   * success still throws an {@link ApiError}, which then carries the body too.
   */
  raw?: boolean
}

/** A successful (or accepted) response. */
export interface ApiResponse<T = unknown> {
  status: number
  headers: Record<string, string>
  body: T
  /** The key the POST carried, so that callers can report it. */
  idempotencyKey?: string
}

const MAX_TEXT_EXCERPT = 200

/**
 * The only code that speaks HTTP: base URL, bearer token, per-attempt timeout, retries with backoff,
 * idempotency keys on POST, error mapping and the redacted `--debug` trace.
 */
export class Transport {
  private agent: Agent | undefined
  private readonly maxRetries: number
  private readonly sleep: (ms: number) => Promise<void>
  private readonly inFlight = new Set<Exchange>()
  /** SIGINT/SIGTERM: every request in flight ends at once (then throwIfInterrupted says why). */
  private readonly onInterrupt = (): void => {
    for (const exchange of this.inFlight) fail(exchange, new Error('interrupted'))
  }

  constructor(private readonly options: TransportOptions) {
    this.maxRetries = options.maxRetries ?? MAX_RETRIES
    this.sleep = options.sleep ?? ((ms) => delay(ms, undefined, { signal: options.signal }))
    options.signal?.addEventListener('abort', this.onInterrupt, { once: true })
  }

  /** The base URL requests go to. */
  get baseUrl(): string {
    return this.options.baseUrl
  }

  /** Sends a request, retrying when the policy allows, and returns the parsed body. */
  async request<T = unknown>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const target = this.target(path, opts.query)
    const url = target.toString()
    const http = await loadHttp(target.protocol === 'https:' ? 'https:' : 'http:')
    // One pool per client; a client talks to one origin (its base URL), so one protocol.
    this.agent ??= new http.Agent({
      keepAlive: true,
      ...(this.options.connections ? { maxSockets: this.options.connections } : {}),
    })
    // globalThis.crypto rather than node:crypto: loaded only by the commands that POST.
    const idempotencyKey =
      method === 'POST' ? (opts.idempotencyKey ?? globalThis.crypto.randomUUID()) : undefined
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent,
    }
    if (opts.auth !== false && this.options.token) headers.authorization = `Bearer ${this.options.token}`
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
    // The body is the same bytes on every attempt (a multipart body included), so it is built once.
    const body = await this.body(opts)
    if (body) {
      headers['content-type'] = body.contentType
      headers['content-length'] = String(body.data.byteLength)
    }
    for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value
    const retryable = isRetryableRequest(method, idempotencyKey !== undefined)
    const shown = redactUserInfo(redactPath(url))
    const origin = redactUserInfo(target.origin)
    if (this.options.trace) this.trace(`${method} ${shown} headers ${JSON.stringify(redactHeaders(headers))}`)

    for (let attempt = 1; ; attempt++) {
      this.throwIfInterrupted()
      if (this.options.pause) await this.wait(() => this.options.pause!.wait(this.sleep))
      const started = performance.now()
      // A timer per attempt, and no AbortController or AbortSignal.any (~25 µs a request, felt in bulk
      // runs): the timer, or an interrupt (the constructor's listener), destroys the request, which ends
      // the wait for its answer or the read of its body with an error.
      const exchange: Exchange = { timedOut: false }
      const timer = setTimeout(() => {
        exchange.timedOut = true
        fail(exchange, new Error(`timeout after ${this.options.timeoutMs}ms`))
      }, this.options.timeoutMs)
      this.inFlight.add(exchange)
      let outcome:
        | { status: number; headers: Record<string, string>; text: string }
        | { error: unknown }
        | { tooLarge: number; headers: Record<string, string> }
      try {
        const res = await send(http, url, { method, headers, body: body?.data, agent: this.agent }, exchange)
        const text = await readBounded(res, MAX_BODY_BYTES)
        const resHeaders = flattenHeaders(res.headers)
        const status = res.statusCode ?? 0
        outcome =
          text === undefined
            ? { tooLarge: status, headers: resHeaders }
            : { status, headers: resHeaders, text }
      } catch (error) {
        outcome = { error }
      } finally {
        clearTimeout(timer)
        this.inFlight.delete(exchange)
      }
      const ms = Math.round(performance.now() - started)
      this.options.onResponse?.(
        'status' in outcome ? outcome.status : 'tooLarge' in outcome ? outcome.tooLarge : 0,
        'error' in outcome ? {} : outcome.headers,
      )
      const canRetry = retryable && attempt <= this.maxRetries
      this.throwIfInterrupted()

      if ('tooLarge' in outcome) {
        // Never retried: the same server would send the same flood, and each try costs the limit again.
        this.trace(
          `${method} ${shown} → ${outcome.tooLarge} body over ${MAX_BODY_BYTES} bytes, reading stopped`,
        )
        throw new BadResponseError(
          outcome.tooLarge,
          `${origin} sent a response body larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB to ${method} ${shown} (HTTP ${outcome.tooLarge}); orgctl stopped reading it`,
          shown,
        )
      }

      if ('error' in outcome) {
        const timedOut = exchange.timedOut
        const reason = timedOut
          ? `timeout after ${this.options.timeoutMs}ms`
          : describeNetworkError(outcome.error)
        this.trace(`${method} ${shown} → ${reason} ${ms}ms (attempt ${attempt})`)
        if (canRetry) {
          await this.backoff(retryDelay(attempt - 1, undefined))
          continue
        }
        if (timedOut) throw new TimeoutError(shown, this.options.timeoutMs, attempt)
        throw new NetworkError(
          `Could not reach ${origin}: ${reason} (${attempt} attempt${attempt === 1 ? '' : 's'})`,
          shown,
          attempt,
        )
      }

      const { status, headers: resHeaders, text } = outcome
      this.trace(`${method} ${shown} → ${status} ${ms}ms (attempt ${attempt})`)
      if (status >= 300 && status < 400) throw this.redirect(method, shown, origin, status, resHeaders)
      if (
        (RETRYABLE_STATUSES.has(status) || isKeyInProgress(status, text, idempotencyKey !== undefined)) &&
        canRetry
      ) {
        const asked = retryAfterMs(resHeaders['retry-after'])
        if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) {
          // Waiting an hour in a CI job or at a terminal helps nobody: say what the server asked and stop.
          const error = this.toApiError(method, shown, status, resHeaders, text, attempt, opts.secrets)
          throw new ApiError(
            status,
            `${error.message} (the server asked to retry after ${Math.ceil(asked / 1000)} s, longer than orgctl waits: ${MAX_RETRY_AFTER_MS / 1000} s)`,
            error.fields,
            method,
            shown,
            resHeaders,
          )
        }
        const delay = retryDelay(attempt - 1, resHeaders['retry-after'])
        // A rate limit applies to the whole client: hold every request, then retry this one.
        if (status === 429 && this.options.pause) this.options.pause.pauseFor(delay)
        await this.backoff(delay)
        continue
      }
      const ok = (status >= 200 && status < 300) || opts.accept?.includes(status)
      if (!ok) {
        const error = this.toApiError(method, shown, status, resHeaders, text, attempt, opts.secrets)
        if (opts.raw) error.body = redactSecrets(text, [this.options.token, ...(opts.secrets ?? [])])
        throw error
      }
      // `orgctl api` shows the body as received (still bounded in size, redirects still refused).
      if (opts.raw) return { status, headers: resHeaders, body: text as T, idempotencyKey }
      // An accepted error status (a 404 the caller handles) may come from a proxy as HTML: the caller
      // only needs its status. A success must be usable.
      const checked = status >= 200 && status < 300 ? checkBody(text, resHeaders) : undefined
      const broken = checked?.broken
      if (broken && opts.lenientBody) {
        this.trace(`${method} ${shown} → ${status} with an unusable body (${broken}), taken as done`)
        return { status, headers: resHeaders, body: null as T, idempotencyKey }
      }
      if (broken === 'deep' || broken === 'not-json')
        throw new BadResponseError(
          status,
          broken === 'deep'
            ? `${origin} answered ${method} ${shown} with JSON nested deeper than ${MAX_JSON_DEPTH} levels (HTTP ${status}); refused`
            : `${origin} answered ${method} ${shown} with ${describeType(resHeaders)} instead of JSON (HTTP ${status}; a captive portal or proxy?): ${visible(excerpt(text), MAX_MESSAGE_CHARS)}`,
          shown,
        )
      // A success whose JSON is cut short (a proxy or server that died mid-body) is a broken answer,
      // not a result: treated like a dropped connection rather than shown as an empty record.
      if (broken === 'malformed') {
        this.trace(`${method} ${shown} → ${status} with malformed JSON (attempt ${attempt})`)
        if (canRetry) {
          await this.backoff(retryDelay(attempt - 1, undefined))
          continue
        }
        throw new NetworkError(
          `${origin} answered ${status} with an incomplete or malformed JSON body (${attempt} attempt${attempt === 1 ? '' : 's'})`,
          shown,
          attempt,
        )
      }
      const parsed = checked && 'value' in checked ? checked.value : parseBody(text, resHeaders)
      return { status, headers: resHeaders, body: parsed as T, idempotencyKey }
    }
  }

  /**
   * A client for the same API and token with some options replaced, e.g. the bulk runner's: its own
   * connection pool sized to its concurrency, a shared {@link PauseGate} and an interruptible sleep.
   * The caller closes it.
   */
  derive(
    overrides: Pick<TransportOptions, 'pause' | 'connections' | 'sleep' | 'maxRetries' | 'onResponse'>,
  ): Transport {
    return new Transport({ ...this.options, ...overrides })
  }

  /** The absolute URL a path resolves to on this API (the caller checks that it stays on its origin). */
  resolve(path: string): URL {
    return this.target(path)
  }

  /** A text with this client's token (and any other given secret) replaced, for echoing a server's answer. */
  redact(text: string, secrets: readonly string[] = []): string {
    return redactSecrets(text, [this.options.token, ...secrets])
  }

  /** Releases pooled connections so the process can exit at once. */
  async close(): Promise<void> {
    const agent = this.agent
    this.agent = undefined
    agent?.destroy()
    this.options.signal?.removeEventListener('abort', this.onInterrupt)
  }

  private target(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(path.replace(/^\//, ''), this.options.baseUrl.replace(/\/*$/, '/'))
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value))
    }
    return url
  }

  private async body(opts: RequestOptions): Promise<{ data: Uint8Array; contentType: string } | undefined> {
    if (opts.json !== undefined)
      return { data: Buffer.from(JSON.stringify(opts.json)), contentType: 'application/json' }
    if (opts.body)
      return {
        data: typeof opts.body.data === 'string' ? Buffer.from(opts.body.data) : opts.body.data,
        contentType: opts.body.contentType,
      }
    if (opts.file) {
      // Node's own FormData encodes the multipart body (boundary, quoted file name) as fetch would send it.
      const form = new FormData()
      form.append(
        opts.file.field,
        new Blob([opts.file.data], { type: opts.file.contentType }),
        opts.file.filename,
      )
      const encoded = new Response(form)
      return {
        data: new Uint8Array(await encoded.arrayBuffer()),
        contentType: encoded.headers.get('content-type') ?? 'multipart/form-data',
      }
    }
    return undefined
  }

  private async backoff(ms: number): Promise<void> {
    this.trace(`retrying in ${ms}ms`)
    await this.wait(() => this.sleep(ms))
  }

  /** A wait that a SIGINT/SIGTERM ends with an {@link InterruptedError} rather than an abort error. */
  private async wait(what: () => Promise<void>): Promise<void> {
    try {
      await what()
    } catch (error) {
      this.throwIfInterrupted()
      throw error
    }
    this.throwIfInterrupted()
  }

  private throwIfInterrupted(): void {
    const signal = this.options.signal
    if (signal?.aborted) throw new InterruptedError(signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT')
  }

  /** Redirects are not followed: a token must not travel to wherever a server points. */
  private redirect(
    method: string,
    shown: string,
    origin: string,
    status: number,
    headers: Record<string, string>,
  ): BadResponseError {
    // Header bytes arrive as Latin-1; read them as the UTF-8 a server meant, so that escapes name real characters.
    const location = headers.location && Buffer.from(headers.location, 'latin1').toString('utf8')
    const where = location
      ? `redirecting to ${visible(redactSecrets(location, [this.options.token]), MAX_MESSAGE_CHARS)}`
      : 'a redirect without a Location'
    return new BadResponseError(
      status,
      `${origin} answered ${method} ${shown} with ${status}, ${where}; orgctl does not follow redirects: point --api-url (or the profile) at the final address`,
      shown,
    )
  }

  private trace(line: string): void {
    if (this.options.trace) this.options.trace(redactSecrets(line, [this.options.token]))
  }

  private toApiError(
    method: string,
    path: string,
    status: number,
    headers: Record<string, string>,
    text: string,
    attempts: number,
    requestSecrets: readonly string[] = [],
  ): ApiError {
    const secrets = [this.options.token, ...requestSecrets]
    const body = isTooDeep(text) ? text : parseBody(text, headers)
    let message = ''
    let fields: FieldErrors = {}
    if (body && typeof body === 'object') {
      const b = body as { message?: unknown; errors?: unknown }
      if (typeof b.message === 'string') message = b.message
      if (b.errors && typeof b.errors === 'object')
        fields = normaliseFields(b.errors as Record<string, unknown>, secrets)
    } else if (typeof body === 'string') {
      message = excerpt(body)
    }
    // Redacted and cut here; escaped only where it is drawn (src/core/escape.ts), so --json stays exact.
    message = cut(redactSecrets(message, secrets), MAX_MESSAGE_CHARS)
    if (!message) message = `HTTP ${status}`
    if (attempts > 1) message += ` (after ${attempts} attempts)`
    return new ApiError(status, message, fields, method, path, headers)
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function parseBody(text: string, headers: Record<string, string>): unknown {
  if (text === '') return null
  const type = headers['content-type'] ?? ''
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

/**
 * A success body, parsed once: what is wrong with it, if anything (JSON nested too deep, refused before
 * parsing, which could exhaust the stack; JSON that does not parse; a non-empty body that is not JSON at
 * all), else its value (`null` for an empty body: each operation decides whether it needs one).
 */
function checkBody(
  text: string,
  headers: Record<string, string>,
): { broken: 'deep' | 'malformed' | 'not-json' } | { broken?: undefined; value: unknown } {
  if (text.trim() === '') return { value: parseBody(text, headers) }
  if (!(headers['content-type'] ?? '').includes('json') && !/^\s*[[{]/.test(text))
    return { broken: 'not-json' }
  if (isTooDeep(text)) return { broken: 'deep' }
  try {
    return { value: JSON.parse(text) }
  } catch {
    return { broken: 'malformed' }
  }
}

/** Whether JSON text nests arrays/objects deeper than {@link MAX_JSON_DEPTH} (brackets inside strings ignored). */
export function isTooDeep(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/**
 * One attempt in flight: its request and the wait for its answer, for a timeout or an interrupt to end
 * ({@link fail}), and whether it timed out. Fields, not a closure over the request made in send(): with
 * the closure, members list --all --csv over 100,000 members peaked at 95-105 MiB instead of ~72
 * (bench/size.mjs, three runs each way).
 */
interface Exchange {
  req?: ClientRequest
  reject?: (error: Error) => void
  timedOut: boolean
}

/**
 * Destroys the request and rejects the wait for its answer: a request still queued for one of the pool's
 * sockets gets no error from destroy() until it is given one. Once the answer has come, the destroyed
 * response ends the read of its body with an error instead.
 */
function fail(exchange: Exchange, error: Error): void {
  exchange.req?.destroy(error)
  exchange.reject?.(error)
}

/** One HTTP exchange: resolves with the response once its head has arrived (the body still to be read). */
function send(
  http: HttpModule,
  url: string,
  options: { method: string; headers: Record<string, string>; body: Uint8Array | undefined; agent: Agent },
  exchange: Exchange,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const { method, headers, agent } = options
    const req = http.request(url, { method, headers, agent }, resolve)
    exchange.req = req
    exchange.reject = reject
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * Reads a response body up to `max` bytes; undefined (and the stream destroyed, so the connection is
 * dropped) as soon as it grows beyond, whatever Content-Length said. Events rather than `for await`: an
 * async iterator per response was a visible part of a bulk row's client time.
 */
function readBounded(body: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (result: string | undefined | Error): void => {
      if (settled) return
      settled = true
      if (result instanceof Error) reject(result)
      else resolve(result)
    }
    body.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > max) {
        settle(undefined)
        body.destroy()
      } else chunks.push(chunk)
    })
    body.on('end', () => settle(Buffer.concat(chunks).toString('utf8')))
    body.on('error', (error) => settle(error))
    // Closed before its end without an error of its own (the connection dropped under it).
    body.on('close', () => settle(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })))
  })
}

function describeType(headers: Record<string, string>): string {
  const type = headers['content-type']?.split(';')[0]?.trim()
  return type ? visible(type, 100) : 'a body of no declared type'
}

/** A readable one-line excerpt of a non-JSON body (an HTML error page from a proxy, say). */
export function excerpt(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]
  const plain = (title ?? text)
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return plain.length > MAX_TEXT_EXCERPT ? `${plain.slice(0, MAX_TEXT_EXCERPT)}…` : plain
}

/**
 * Field errors bounded: names as well as messages redacted (a server may echo a token as a key), cut,
 * and at most {@link MAX_FIELD_ERRORS} of them; escaped only where they are drawn, so --json stays exact.
 */
function normaliseFields(
  errors: Record<string, unknown>,
  secrets: readonly (string | undefined)[],
): FieldErrors {
  const out: FieldErrors = {}
  const shown = (v: unknown) =>
    cut(
      redactSecrets(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)), secrets),
      MAX_MESSAGE_CHARS,
    )
  for (const [field, value] of Object.entries(errors).slice(0, MAX_FIELD_ERRORS)) {
    const name = cut(redactSecrets(field, secrets), MAX_MESSAGE_CHARS)
    const messages = (Array.isArray(value) ? value : [value]).slice(0, MAX_FIELD_ERRORS).map(shown)
    out[name] = [...(out[name] ?? []), ...messages]
  }
  return out
}

/** At most `max` characters, with … when cut. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  return e.code ?? e.cause?.code ?? e.message ?? String(error)
}
