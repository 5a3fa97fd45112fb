import type { IncomingMessage, ServerResponse } from 'node:http'

import { faultServer, type FaultServer } from './faults.js'

/**
 * Ways a server (or whatever answers in its place: a proxy, a captive portal) can misbehave. Each one is
 * a real HTTP answer on 127.0.0.1, written by node:http or, where node would refuse the bytes, raw on
 * the socket.
 */
export type Mode =
  /** 200 JSON that never ends: a members paginator streamed until the client hangs up (at most 1 GiB). */
  | 'huge'
  /** 200 JSON nested 100,000 arrays deep. */
  | 'deep'
  /** 200 text/html: a Wi-Fi login page. */
  | 'captive-portal'
  /** 200 with no body at all. */
  | 'empty'
  /** 200 JSON that is an object but no organization (no `id`). */
  | 'org-without-id'
  /** 200 JSON whose `data` is neither a paginator nor a list. */
  | 'members-not-paginator'
  /** 301 to another host. */
  | 'redirect-301'
  /** 302 to another host. */
  | 'redirect-302'
  /** 307 to another host, keeping the method (the one that would re-send a POST body and token). */
  | 'redirect-307'
  /**
   * 302 whose Location carries a bidi override (its UTF-8 bytes, which a client reads as Latin-1 with a
   * C1 control) and a password in user-info, written raw.
   */
  | 'hostile-redirect'
  /** 201 with an undecodable Location and an HTML body: the create happened, the answer is useless. */
  | 'created-unusable'
  /** 422 whose message is 20,000 characters of ESC sequences, bidi overrides and C1 controls. */
  | 'hostile-message'
  /** 422 whose `errors` object has the caller's bearer token as a field name (and in a message). */
  | 'secret-field-names'
  /** Reads the request and never answers. */
  | 'hang'
  /** 429 with `Retry-After: 3600`, far beyond what a client should wait. */
  | 'retry-after-long'
  /** 200 JSON headers, then one byte every 200 ms, forever. */
  | 'trickle'
  /** Forwards to `upstream` (a real sandbox), so that a test can switch to misbehaving mid-run. */
  | 'proxy'

export interface MisbehavingServer extends FaultServer {
  /** The current mode; a test may change it between (or during) runs. */
  mode: Mode
  /** Body bytes this server has written so far (in `huge` and `trickle`). */
  bytesSent: number
  /** Resolves when the next request arrives (after any already seen, counted from now). */
  nextRequest(): Promise<IncomingMessage>
}

/** The largest body `huge` sends: far beyond any sane bound, small enough to end if a client reads it all. */
export const HUGE_BODY_BYTES = 1024 * 1024 * 1024

const MEMBER = JSON.stringify({
  id: 1,
  name: 'Flood Member',
  email: 'flood@example.com',
  roles: [3],
  workspaces: ['9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f'],
  joinedAt: '2026-01-01T00:00:00Z',
})

/** A hostile string: screen clear, window title, OSC 8 link, colour, bidi override, C1 CSI, BEL. */
export const HOSTILE_TEXT =
  '\u001b[2J\u001b]0;pwned\u0007\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\\u001b[31mred\u202egnp.exe\u009b31m\u0007'

/**
 * Starts a misbehaving server on 127.0.0.1:0 in `mode`. Built on {@link faultServer}: it records every
 * request and closing it destroys open sockets, so a hanging or endless mode cannot hold a test open.
 */
export async function misbehavingServer(mode: Mode, upstream?: string): Promise<MisbehavingServer> {
  const waiters: ((req: IncomingMessage) => void)[] = []
  const state = { mode, bytesSent: 0 }
  const base = await faultServer((req, res) => {
    for (const w of waiters.splice(0)) w(req)
    answer(state, req, res, upstream)
  })
  // Accessors, not Object.assign (which would copy today's values): tests read and switch them live.
  return Object.defineProperties(base, {
    mode: { get: () => state.mode, set: (m: Mode) => (state.mode = m), enumerable: true },
    bytesSent: { get: () => state.bytesSent, enumerable: true },
    nextRequest: {
      value: () => new Promise<IncomingMessage>((resolve) => waiters.push(resolve)),
      enumerable: true,
    },
  }) as MisbehavingServer
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

/** Writes `chunk` until the client goes away or `limit` bytes are out, respecting backpressure. */
function flood(res: ServerResponse, chunk: string, limit: number, state: { bytesSent: number }): void {
  const data = Buffer.from(chunk)
  let closed = false
  res.on('close', () => (closed = true))
  const pump = (): void => {
    while (!closed && state.bytesSent < limit) {
      state.bytesSent += data.length
      if (!res.write(data)) {
        res.once('drain', pump)
        return
      }
    }
    if (!closed) res.end(']}}')
  }
  pump()
}

function answer(
  state: { mode: Mode; bytesSent: number },
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string | undefined,
): void {
  const token = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? 'no-token'
  switch (state.mode) {
    case 'huge': {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"success":true,"data":{"current_page":1,"last_page":1,"per_page":100,"total":1,"data":[')
      state.bytesSent = 0
      const chunk = `${`${MEMBER},`.repeat(Math.floor(65536 / (MEMBER.length + 1)))}`
      flood(res, chunk, HUGE_BODY_BYTES, state)
      return
    }
    case 'deep':
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)
      return
    case 'captive-portal':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(
        '<!DOCTYPE html><html><head><title>Hotel Wi-Fi: please log in</title></head><body><form method="post"><input name="room"></form></body></html>',
      )
      return
    case 'empty':
      res.writeHead(200, { 'content-length': '0' })
      res.end()
      return
    case 'org-without-id':
      json(res, 200, { name: 'No Id Ltd', status: 'active', owner: 'someone' })
      return
    case 'members-not-paginator':
      json(res, 200, { success: true, data: { items: [], count: 0 } })
      return
    case 'redirect-301':
    case 'redirect-302':
    case 'redirect-307':
      res.writeHead(Number(state.mode.slice(-3)), { location: 'https://elsewhere.example/api/organizations' })
      res.end()
      return
    case 'hostile-redirect': {
      // node:http refuses control characters in headers; a hostile proxy is not so polite.
      const location = Buffer.concat([
        Buffer.from('https://user:hunter2@evil.example/'),
        Buffer.from('\u202eexe.gnp', 'utf8'),
      ])
      req.socket.end(
        Buffer.concat([
          Buffer.from('HTTP/1.1 302 Found\r\nLocation: '),
          location,
          Buffer.from('\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
        ]),
      )
      return
    }
    case 'created-unusable':
      res.writeHead(201, { location: '/api/organizations/%E0%A4%A', 'content-type': 'text/html' })
      res.end('<html><body>Created!</body></html>')
      return
    case 'hostile-message':
      json(res, 422, {
        message: `${HOSTILE_TEXT}${'A'.repeat(20_000)}`,
        errors: { [`name${HOSTILE_TEXT}`]: [`${HOSTILE_TEXT}${'B'.repeat(20_000)}`] },
      })
      return
    case 'secret-field-names':
      json(res, 422, {
        message: `The given data was invalid for ${token}.`,
        errors: { [token]: ['is not a field'], [`x-${token}-y`]: [`echo ${token}`] },
      })
      return
    case 'hang':
      return
    case 'retry-after-long':
      json(res, 429, { message: 'Too Many Attempts.' }, { 'retry-after': '3600' })
      return
    case 'trickle': {
      res.writeHead(200, { 'content-type': 'application/json' })
      const body = '{"id":"9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f","name":"Slow'
      let i = 0
      const timer = setInterval(() => {
        res.write(body[i % body.length]!)
        state.bytesSent++
        i++
      }, 200)
      res.on('close', () => clearInterval(timer))
      return
    }
    case 'proxy':
      void proxy(req, res, upstream)
      return
  }
}

async function proxy(req: IncomingMessage, res: ServerResponse, upstream: string | undefined): Promise<void> {
  if (!upstream) throw new Error('proxy mode needs an upstream URL')
  // faultServer already reads the body as text (all bodies here are JSON); listen beside it.
  let body = ''
  req.on('data', (chunk: string) => (body += chunk))
  await new Promise((resolve) => req.once('end', resolve))
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers))
    if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length') headers[k] = v
  try {
    const r = await fetch(new URL(req.url ?? '/', upstream), {
      method: req.method,
      headers,
      body: body === '' ? undefined : body,
    })
    const out: Record<string, string> = {}
    r.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v
    })
    res.writeHead(r.status, out)
    res.end(Buffer.from(await r.arrayBuffer()))
  } catch {
    res.socket?.destroy()
  }
}
