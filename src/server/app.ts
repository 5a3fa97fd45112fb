import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify'
import { authenticate, bearerToken } from './auth.js'
import { sha256 } from './crypto.js'
import { HttpError, unauthenticated, validationError } from './errors.js'
import { abandonIdempotency, finishIdempotency } from './idempotency.js'
import { invitationRoutes } from './routes/invitations.js'
import { mediaRoutes } from './routes/media.js'
import { memberRoutes } from './routes/members.js'
import { organizationRoutes } from './routes/organizations.js'
import { sandboxRoutes } from './routes/sandbox.js'
import { walletRoutes } from './routes/wallet.js'
import { outboxPath, mediaPath } from './paths.js'
import { Store, type UserRow } from './store.js'
import { laravelErrors, schemaCompiler } from './validation.js'
import { MAX_AVATAR_BYTES, redactInviteToken } from '../shared/rules.js'

/** Options of {@link buildApp}; see docs/ARCHITECTURE.md. */
export interface AppOptions {
  /** SQLite file; the outbox and media live beside it. */
  dbPath: string
  /** Injected clock (tests move it to test expiry). */
  now?: () => Date
  /** Per-token rate limit; off by default. */
  rateLimit?: { max: number; windowMs: number } | false
  /** One line per request, no secrets; default: none. */
  log?: (line: string) => void
  /** Accepted as platform admin for this process only, never stored. */
  ephemeralAdminTokens?: string[]
  /**
   * Longest a request may take to arrive whole, headers and body (default 30 s): a body that trickles is
   * answered 408 and its connection closed, so slow senders cannot hold connections open.
   */
  requestTimeoutMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
  interface FastifyRequest {
    user: UserRow | null
    idempotency: { scope: string; key: string } | undefined
    replayed: boolean
  }
  interface FastifyContextConfig {
    /** Reachable without a bearer token. */
    public?: boolean
    /** Takes multipart/form-data; every other route takes JSON only (415 for a form). */
    multipart?: boolean
  }
}

/** Everything a route file needs. */
export interface RouteDeps {
  store: Store
  mediaDir: string
  now: () => Date
}

const BODY_LIMIT = 1024 * 1024
const REQUEST_TIMEOUT_MS = 30_000

/** Appends `hook` to a route's own `name` hooks (fastify takes one function or a list there). */
function addRouteHook(route: RouteOptions, name: RouteHookName, hook: unknown): void {
  const existing = route[name] as unknown
  route[name] = [...(existing === undefined ? [] : [existing].flat()), hook] as never
}

type RouteHookName = 'onRequest' | 'preValidation' | 'onSend' | 'onRequestAbort' | 'onResponse'

function errorBody(
  message: string,
  errors?: Record<string, string[]>,
): { message: string; errors?: unknown } {
  return errors ? { message, errors } : { message }
}

/**
 * The sandbox API as a fastify app on a SQLite file. It never listens: tests and
 * `startServer()` do that.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date())
  const store = new Store(options.dbPath, outboxPath(options.dbPath), now)
  const ephemeral = new Set((options.ephemeralAdminTokens ?? []).map((t) => sha256(t)))
  let admin: UserRow | undefined
  const ephemeralAdmin = (): UserRow => (admin ??= store.users.ensureAdmin())
  if (ephemeral.size > 0) ephemeralAdmin()

  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // node:http answers 408 and closes the connection once a request is not whole after this long; it
    // checks every `connectionsCheckingInterval`, so that interval bounds how late the check comes. Given
    // at creation too, so that node also lowers headersTimeout (60 s) to it: set later, it never fires.
    requestTimeout,
    http: { requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    return503OnClosing: true,
    // Our own validators (validation.ts) and no response schemas: given here, fastify never loads its
    // default compilers, @fastify/ajv-compiler and fast-json-stringify with their own Ajv, at start-up.
    schemaController: {
      compilersFactory: {
        // fastify's type wants an Ajv-shaped compiler; it calls ours as it calls setValidatorCompiler's.
        buildValidator: (() => schemaCompiler) as never,
        buildSerializer: () => () => {
          throw new Error('The sandbox declares no response schemas; answers are serialised as JSON.')
        },
      },
    },
    // The router rejects undecodable or overlong path segments before any route runs; like any
    // other malformed ID they name nothing that exists.
    frameworkErrors: (_error, _request, reply: FastifyReply) => {
      void reply.code(404).send(errorBody('Not found.'))
    },
  })
  app.decorate('store', store)
  app.decorateRequest('user', null)
  app.decorateRequest('idempotency', undefined)
  app.decorateRequest('replayed', false)
  // JSON routes take JSON only: text/plain would reach the schema as a string.
  app.removeContentTypeParser('text/plain')
  app.addHook('onClose', async () => store.close())

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpError)
      return reply.code(error.statusCode).send(errorBody(error.message, error.errors))
    if (error.validation) {
      // A malformed ID in the path names nothing that exists.
      if (error.validationContext === 'params') return reply.code(404).send(errorBody('Not found.'))
      const invalid = validationError(
        laravelErrors(error.validation as never, error.validationContext ?? 'body'),
      )
      return reply.code(422).send(errorBody(invalid.message, invalid.errors))
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send(errorBody('The request body is not valid JSON.'))
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
        return reply.code(415).send(errorBody('Unsupported content type.'))
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send(errorBody('The request body is too large.'))
      case 'FST_REQ_FILE_TOO_LARGE':
        return reply.code(413).send(errorBody('The file may not be greater than 2048 kilobytes.'))
      default:
        break
    }
    const status = error.statusCode ?? 500
    if (status === 429) return reply.code(429).send(errorBody('Too Many Attempts.'))
    if (status >= 400 && status < 500)
      return reply.code(status).send(errorBody(error.message || 'Bad request.'))
    options.log?.(
      `${now().toISOString()} error ${request.method} ${redactInviteToken(request.url)}: ${error.stack ?? error.message}`,
    )
    return reply.code(500).send(errorBody('Server Error.'))
  })
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(errorBody('Not found.')))

  if (options.rateLimit) {
    await app.register(rateLimit, {
      global: true,
      max: options.rateLimit.max,
      timeWindow: options.rateLimit.windowMs,
      // A known token has its own bucket. An unknown token shares the bucket of the caller's address with
      // requests that carry none (invite accept, whose token is in the path): otherwise every guess would
      // get a fresh bucket and guessing tokens or invite tokens would be unlimited.
      keyGenerator: (request) => {
        const token = bearerToken(request)
        const user = authenticate(store, ephemeral, ephemeralAdmin, token)
        if (!user || !token) return `ip:${request.ip}`
        request.user = user
        return `token:${sha256(token)}`
      },
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        message: 'Too Many Attempts.',
        after: context.after,
      }),
    })
  }
  // Hooks are given to the routes that need them rather than to every request: each async hook is a
  // promise per request, which a GET organization (the hot path, issue 17) would pay for nothing.
  // Added after the rate limiter so that its onRequest hook runs first: a flood of bad tokens is
  // limited before each one costs a database lookup.
  // A callback hook, not an async one: it does no I/O, and every request runs it (no promise to settle).
  const authenticated = (
    request: FastifyRequest,
    _reply: FastifyReply,
    done: (error?: Error) => void,
  ): void => {
    let user: UserRow | undefined
    try {
      // The rate limiter's key already resolved the token when it is on.
      user = request.user ?? authenticate(store, ephemeral, ephemeralAdmin, bearerToken(request))
    } catch (error) {
      done(error as Error)
      return
    }
    if (!user) {
      done(unauthenticated())
      return
    }
    request.user = user
    done()
  }
  // @fastify/multipart parses forms on every route that takes a body; a JSON route refuses them as the
  // contract says (415), instead of validating an empty body (422). After authentication, which
  // onRequest does. fastify parses no body for GET or HEAD, so those routes need no such check.
  const jsonOnly = async (request: FastifyRequest): Promise<void> => {
    if (request.isMultipart() && !request.routeOptions.config.multipart)
      throw new HttpError(415, 'Unsupported content type: this endpoint takes application/json.')
  }
  // Only POSTs take an Idempotency-Key (idempotency.ts), so only they can hold a claim to finish or give back.
  const finish = async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    finishIdempotency(store, request, reply, payload)
    return payload
  }
  const abandon = async (request: FastifyRequest): Promise<void> => abandonIdempotency(store, request)
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat()
    if (!route.config?.public) addRouteHook(route, 'onRequest', authenticated)
    if (methods.some((m) => m !== 'GET' && m !== 'HEAD')) addRouteHook(route, 'preValidation', jsonOnly)
    if (methods.includes('POST')) {
      addRouteHook(route, 'onSend', finish)
      addRouteHook(route, 'onRequestAbort', abandon)
      addRouteHook(route, 'onResponse', abandon)
    }
  })
  // The request log covers every answer, the not-found handler's too.
  const log = options.log
  if (log)
    app.addHook('onResponse', async (request, reply) => {
      log(
        `${new Date().toISOString()} ${request.method} ${redactInviteToken(request.url)} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms${request.replayed ? ' replayed' : ''}`,
      )
    })

  await app.register(multipart, {
    limits: { fileSize: MAX_AVATAR_BYTES, files: 1, fields: 10, parts: 20, fieldSize: 64 * 1024 },
  })

  const deps: RouteDeps = { store, mediaDir: mediaPath(options.dbPath), now }
  organizationRoutes(app, deps)
  memberRoutes(app, deps)
  invitationRoutes(app, deps)
  walletRoutes(app, deps)
  sandboxRoutes(app, deps)
  mediaRoutes(app, deps)
  return app
}
