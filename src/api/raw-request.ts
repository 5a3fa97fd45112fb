import type { ApiResponse, Transport } from './transport.js'

/** One request of `orgctl api`, as the command built it. */
export interface RawRequest {
  method: string
  /** Path on the target, with its query string. */
  path: string
  headers: Record<string, string>
  /** A JSON body (from fields), or a raw one (`--input`). */
  json?: unknown
  body?: { data: string | Uint8Array; contentType: string }
  idempotencyKey?: string
}

/** Thrown when a path (or a server's `next_page_url`) would leave the target's origin. */
export class OffTargetError extends Error {
  override readonly name = 'OffTargetError'
}

/** The most pages `--paginate` follows; a server that never says "last page" cannot loop it forever. */
export const MAX_PAGES = 10_000

/**
 * Sends one request to the target and returns the body as received. Statuses that are not a success
 * throw an `ApiError` that carries the body. Retries, idempotency keys and the debug trace are the
 * transport's, as for every other command.
 */
export async function rawRequest(api: Transport, req: RawRequest): Promise<ApiResponse<string>> {
  assertOnTarget(api, req.path)
  return api.request<string>(req.method, req.path, {
    raw: true,
    headers: req.headers,
    ...(req.json !== undefined ? { json: req.json } : {}),
    ...(req.body ? { body: req.body } : {}),
    ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
  })
}

/** Refuses a path that resolves to another origin than the target's: the token never leaves it. */
export function assertOnTarget(api: Transport, path: string): void {
  const base = new URL(api.baseUrl)
  let url: URL
  try {
    url = api.resolve(path)
  } catch {
    throw new OffTargetError(`"${path}" is not a path`)
  }
  if (url.origin !== base.origin)
    throw new OffTargetError(`"${path}" resolves to ${url.origin}, not the target ${base.origin}`)
}

interface LaravelPaginator {
  current_page?: unknown
  last_page?: unknown
  next_page_url?: unknown
}

/**
 * The path of the page after `body`, or undefined on the last page. Follows the API's Laravel paginator,
 * at the top level or in `data` (`{success, message, data: {current_page, last_page, ...}}`): its
 * `next_page_url` when present, else `page=current_page+1` while `current_page < last_page`.
 */
export function nextPagePath(api: Transport, path: string, body: unknown): string | undefined {
  const paginator = findPaginator(body)
  if (!paginator) return undefined
  if (typeof paginator.next_page_url === 'string' && paginator.next_page_url !== '') {
    const next = new URL(paginator.next_page_url, api.resolve(path))
    if (next.origin !== new URL(api.baseUrl).origin)
      throw new OffTargetError(
        `the server's next_page_url points to ${next.origin}, not the target ${new URL(api.baseUrl).origin}; not followed`,
      )
    return `${next.pathname}${next.search}`
  }
  if (paginator.next_page_url === null) return undefined
  const current = paginator.current_page
  const last = paginator.last_page
  if (!Number.isInteger(current) || !Number.isInteger(last) || (current as number) >= (last as number))
    return undefined
  const url = api.resolve(path)
  url.searchParams.set('page', String((current as number) + 1))
  return `${url.pathname}${url.search}`
}

function findPaginator(body: unknown): LaravelPaginator | undefined {
  const isPaginator = (v: unknown): v is LaravelPaginator =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && ('current_page' in v || 'next_page_url' in v)
  if (isPaginator(body)) return body
  const data = (body as { data?: unknown } | null)?.data
  return isPaginator(data) ? data : undefined
}
