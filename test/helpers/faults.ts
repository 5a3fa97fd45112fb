import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a fault server saw. */
export interface SeenRequest {
  at: number
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/** A throwaway HTTP server on 127.0.0.1 that misbehaves on purpose and counts what reaches it. */
export interface FaultServer {
  url: string
  /** Every request, in arrival order (the body once fully read; a handler may answer before that). */
  seen: SeenRequest[]
  close(): Promise<void>
}

/** What a fault handler gets: the request, its response, and the request's position (1-based). */
export type FaultHandler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void

/**
 * Starts a fault server. Closing it destroys open sockets too, so a handler that never answers
 * cannot hold a test open.
 */
export async function faultServer(handler: FaultHandler): Promise<FaultServer> {
  const seen: SeenRequest[] = []
  const server: Server = createServer((req, res) => {
    const entry: SeenRequest = {
      at: Date.now(),
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: '',
    }
    seen.push(entry)
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (entry.body += chunk))
    req.on('error', () => {})
    handler(req, res, seen.length)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A 127.0.0.1 URL on which nothing listens (a port just released). */
export async function refusedUrl(): Promise<string> {
  const probe = await faultServer(() => {})
  await probe.close()
  return probe.url
}

/** Canned misbehaviours. */
export const faults = {
  /** Headers promise a body the server never finishes: the socket dies halfway through. */
  resetMidBody: (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' })
    res.write('{"id": "9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f", "name": "Acme", "countryCo')
    setTimeout(() => res.socket?.destroy(), 10)
  },
  /** A complete HTTP answer whose JSON body stops in the middle. */
  truncatedJson: (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"id": "9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f", "name": "Ac')
  },
  /** A proxy's HTML error page. */
  htmlBadGateway: (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' })
    res.end(
      `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>${'<!-- pad -->'.repeat(200)}</body></html>`,
    )
  },
  /** A rate limiter that never lets anything through. */
  tooManyRequests:
    (retryAfterSeconds: number) =>
    (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) })
      res.end('{"message": "Too Many Attempts."}')
    },
  /** Accepts the connection and the request, and never answers. */
  silent: () => {},
  /** Drops the connection as soon as the request arrives, before any answer. */
  hangUp: (req: IncomingMessage) => {
    req.socket.destroy()
  },
}
