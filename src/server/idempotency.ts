import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { sha256 } from './crypto.js'
import { fieldError, HttpError } from './errors.js'
import { headerSchema } from './spec.js'
import type { Store } from './store.js'
import { compileStrict } from './validation.js'

const DAY_MS = 24 * 60 * 60 * 1000
const validKey = compileStrict(headerSchema('IdempotencyKey'))

/** Statuses that mean the operation itself ran and decided; only these are replayed. */
const RECORDED = new Set([404, 409, 410, 422])

/** Whether a response with this status is stored against its key. */
export function recordable(status: number): boolean {
  return (status >= 200 && status < 300) || RECORDED.has(status)
}

/** What the request contributed to its fingerprint beyond method, path and JSON body. */
export type FingerprintExtra = (request: FastifyRequest) => string

/**
 * A preHandler for a POST route. It runs after authentication and schema validation, so that
 * requests rejected before the operation never consume a key. With `record: false` the key is only
 * checked for form (for answers that carry a secret and must not be stored).
 */
export function idempotent(
  store: Store,
  options: { record?: boolean; extra?: FingerprintExtra } = {},
): preHandlerAsyncHookHandler {
  return async function (request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers['idempotency-key']
    if (header === undefined) return
    if (typeof header !== 'string' || !validKey(header)) {
      throw fieldError(
        'Idempotency-Key',
        'The Idempotency-Key header must be 1 to 255 printable ASCII characters.',
      )
    }
    if (options.record === false) return
    const scope = request.user?.id ?? 'anon'
    const fingerprint = sha256(
      [
        request.method,
        request.url,
        JSON.stringify(request.body ?? null),
        options.extra?.(request) ?? '',
      ].join('\n'),
    )
    const earlier = store.idempotency.claimIdempotencyKey(scope, header, fingerprint, DAY_MS)
    if (!earlier) {
      request.idempotency = { scope, key: header }
      return
    }
    if (earlier.fingerprint !== fingerprint) {
      throw fieldError('Idempotency-Key', 'This Idempotency-Key was already used with a different request.')
    }
    if (earlier.status === 0)
      throw new HttpError(409, 'A request with this Idempotency-Key is still in progress.')
    request.replayed = true
    const headers = JSON.parse(earlier.headers) as Record<string, string>
    reply.code(earlier.status).headers(headers).header('idempotent-replayed', 'true')
    return reply.send(earlier.body === '' ? undefined : earlier.body)
  }
}

/** onSend: store the answer of a claimed key, or give the key back when the operation did not decide. */
export function finishIdempotency(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): void {
  const claim = request.idempotency
  if (!claim) return
  request.idempotency = undefined
  const status = reply.statusCode
  if (!recordable(status) || (payload !== undefined && payload !== null && typeof payload !== 'string')) {
    store.idempotency.releaseIdempotencyKey(claim.scope, claim.key)
    return
  }
  const headers: Record<string, string> = {}
  for (const name of ['content-type', 'location']) {
    const value = reply.getHeader(name)
    if (typeof value === 'string') headers[name] = value
  }
  store.idempotency.completeIdempotencyKey(
    claim.scope,
    claim.key,
    status,
    headers,
    typeof payload === 'string' ? payload : '',
  )
}

/** When a request ends without onSend (an aborted connection), its claim must not linger. */
export function abandonIdempotency(store: Store, request: FastifyRequest): void {
  const claim = request.idempotency
  if (!claim) return
  request.idempotency = undefined
  store.idempotency.releaseIdempotencyKey(claim.scope, claim.key)
}
