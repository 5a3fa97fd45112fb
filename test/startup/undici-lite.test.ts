// The bundle loads undici through scripts/undici-lite.cjs (issue 6, start-up); it must be undici.
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as undici from 'undici'

const require = createRequire(import.meta.url)
const lite = require('../../scripts/undici-lite.cjs') as Pick<typeof undici, 'Agent' | 'FormData' | 'request'>

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
  it("exports undici's own Agent and FormData", () => {
    expect(lite.Agent).toBe(undici.Agent)
    expect(lite.FormData).toBe(undici.FormData)
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
})
