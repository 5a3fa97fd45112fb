/** Field errors as the API reports them (Laravel style): field name → messages. */
export type FieldErrors = Record<string, string[]>

/** The API answered with a status that is not a success. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  /**
   * @param status - HTTP status of the final attempt
   * @param message - the server's `message`, or a short excerpt of a non-JSON body
   * @param fields - the server's `errors` object, if any
   * @param method - request method, for messages
   * @param path - request path, for messages (never contains a token: invite tokens are redacted)
   */
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldErrors = {},
    readonly method = '',
    readonly path = '',
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }

  /** The response body as received (secrets redacted), kept only for requests that asked for it (`orgctl api`). */
  body?: string
}

/** The connection failed (refused, reset, DNS) on every attempt. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError'
  constructor(
    message: string,
    readonly url: string,
    readonly attempts: number,
  ) {
    super(message)
  }
}

/** Every attempt ran past the per-attempt timeout. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError'
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
    readonly attempts: number,
  ) {
    super(
      `No answer from ${url} within ${timeoutMs / 1000}s (${attempts} attempt${attempts === 1 ? '' : 's'})`,
    )
  }
}

/**
 * The server answered, but not with something the operation can use: a body too large or too deeply
 * nested, HTML or nothing where JSON is required, JSON of the wrong shape, or a redirect. Exit 7, never
 * retried (the same server would answer the same way).
 */
export class BadResponseError extends Error {
  override readonly name = 'BadResponseError'
  /**
   * @param status - HTTP status of the answer
   * @param message - what was wrong, ready to show (secrets redacted, server text escaped and cut)
   */
  constructor(
    readonly status: number,
    message: string,
    readonly url = '',
  ) {
    super(message)
  }
}

/** A request cut short because orgctl received SIGINT or SIGTERM. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError'
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`Interrupted by ${signal}; the request in flight was abandoned`)
  }
}
