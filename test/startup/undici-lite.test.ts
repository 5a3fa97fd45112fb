// The bundle loads undici through dist/undici-lite.cjs, one file built from scripts/undici-lite.cjs
// (issue 6, start-up); it must behave as undici does.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as undici from 'undici'

const require = createRequire(import.meta.url)
const lite = require('../../dist/undici-lite.cjs') as Pick<typeof undici, 'Agent' | 'FormData' | 'request'>

let url = ''
const server = createServer((req, res) => {
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (d: string) => (body += d))
  req.on('end', () => {
    res.writeHead(201, { 'content-type': 'application/json', 'x-seen': `${req.method} ${req.url}` })
    res.end(
      JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'] ?? null, body }),
    )
  })
})
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('undici-lite', () => {
  it("exports undici's Agent and FormData, with the same methods", () => {
    for (const name of ['Agent', 'FormData'] as const)
      expect(Object.getOwnPropertyNames(lite[name].prototype).sort()).toEqual(
        Object.getOwnPropertyNames(undici[name].prototype).sort(),
      )
  })

  it('sends a multipart file as undici does', async () => {
    const send = async (u: Pick<typeof undici, 'Agent' | 'FormData' | 'request'>) => {
      const agent = new u.Agent()
      try {
        const form = new u.FormData()
        form.append('file', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'a.png')
        const res = await u.request(`${url}/upload`, { method: 'POST', body: form, dispatcher: agent })
        const seen = (await res.body.json()) as { type: string; body: string }
        // The boundary is random; the rest must match.
        const boundary = /boundary=(\S+)/.exec(seen.type)![1]!
        return {
          status: res.statusCode,
          type: seen.type.replace(boundary, 'B'),
          body: seen.body.replaceAll(boundary, 'B'),
        }
      } finally {
        await agent.close()
      }
    }
    expect(await send(lite)).toEqual(await send(undici))
  })

  it.each([
    ['GET', undefined],
    ['POST', JSON.stringify({ a: 1 })],
  ])('answers a %s with a query exactly as undici.request does', async (method, body) => {
    const agent = new undici.Agent()
    try {
      const answer = async (request: typeof undici.request) => {
        const res = await request(`${url}/api/x?page=2&per_page=5`, {
          method: method as 'GET',
          headers: { 'content-type': 'application/json' },
          body,
          dispatcher: agent,
        })
        const { date: _date, ...headers } = res.headers
        return { status: res.statusCode, headers, text: await res.body.text() }
      }
      expect(await answer(lite.request)).toEqual(await answer(undici.request))
    } finally {
      await agent.close()
    }
  })

  it('depends on an exactly pinned undici that has every internal file it requires by path', () => {
    // What scripts/build.mjs (checkUndiciInternals) stops on; a range here would let an install pick an
    // undici whose internal layout the build never saw.
    const root = new URL('../../', import.meta.url)
    const pinned = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).dependencies.undici
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/)
    expect(require('undici/package.json').version).toBe(pinned)
    const source = readFileSync(new URL('scripts/undici-lite.cjs', root), 'utf8')
    const paths = [...source.matchAll(/require\('(undici\/[^']+)'\)/g)].map((m) => m[1]!)
    expect(paths.length).toBeGreaterThan(3)
    for (const path of paths) expect(() => require.resolve(path)).not.toThrow()
  })
})
