import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/server.js'

// Over real HTTP on 127.0.0.1: guessing tokens is throttled per address, forms on JSON routes are 415,
// and a body that trickles is cut off with 408.
const PROBE = '/api/organizations/00000000-0000-0000-0000-000000000000'
const guess = () => randomBytes(24).toString('base64url')

describe('with --rate-limit on, failed authentication is throttled per client address', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { max: 5, windowMs: 60_000 } })
  })
  afterAll(() => s.close())

  it('a new made-up bearer token on every request does not get a fresh bucket: the 6th guess is 429', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) statuses.push((await s.request('GET', PROBE, { token: guess() })).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429])
    // Someone with a real token is not locked out by the guesser on the same address.
    const { token } = await s.user('real@abuse.test')
    expect((await s.request('GET', PROBE, { token })).status).toBe(404)
  })
})

describe('with --rate-limit on, guessing invite tokens is throttled per client address', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { max: 5, windowMs: 60_000 } })
  })
  afterAll(() => s.close())

  it('the 6th accept with a made-up invite token is 429, with or without a made-up bearer token', async () => {
    const body = { password: 'password123', password_confirmation: 'password123' }
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await s.request('POST', `/api/organizations/invite/${guess()}/accept`, { token: null, json: body }))
          .status,
      )
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await s.request('POST', `/api/organizations/invite/${guess()}/accept`, {
            token: guess(),
            json: body,
          })
        ).status,
      )
    expect(statuses.slice(0, 4)).toEqual([404, 404, 404, 404])
    expect(statuses[4]).toBeLessThan(500)
    expect(statuses.slice(5)).toEqual([429, 429])
  })
})

describe('without --rate-limit (the default), guesses are not throttled', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
  })
  afterAll(() => s.close())

  it('answers 401 to each of 12 made-up tokens', async () => {
    const statuses = new Set<number>()
    for (let i = 0; i < 12; i++) statuses.add((await s.request('GET', PROBE, { token: guess() })).status)
    expect([...statuses]).toEqual([401])
  })
})

describe('forms on JSON routes', () => {
  let s: TestServer
  let orgId: string
  beforeAll(async () => {
    s = await startTestServer()
    orgId = await s.createOrg(s.adminToken)
  })
  afterAll(() => s.close())

  it('answers a multipart create with 415, and creates nothing', async () => {
    const form = new FormData()
    form.append('name', 'Form Ltd')
    form.append('countryCode', 'US')
    const res = await s.request('POST', '/api/organizations', { body: form })
    expect(res.status).toBe(415)
    expect(res.body.message).toMatch(/application\/json/)
  })

  it('answers a multipart update and a urlencoded update with 415', async () => {
    const form = new FormData()
    form.append('name', 'Renamed')
    const multipart = await s.request('PATCH', `/api/organizations/${orgId}`, { body: form })
    expect(multipart.status).toBe(415)
    const urlencoded = await s.request('PATCH', `/api/organizations/${orgId}`, {
      body: 'name=Renamed',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(urlencoded.status).toBe(415)
    expect((await s.request('GET', `/api/organizations/${orgId}`)).body.name).not.toBe('Renamed')
  })

  it('still asks for a token first: an unauthenticated form is 401', async () => {
    const form = new FormData()
    form.append('name', 'x')
    expect((await s.request('POST', '/api/organizations', { body: form, token: null })).status).toBe(401)
  })
})

describe('a request body that trickles', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ requestTimeoutMs: 1000 })
  })
  afterAll(() => s.close())

  it('is answered 408 and its connection closed, while the sender is still sending', async () => {
    const { port } = new URL(s.url)
    const socket = connect(Number(port), '127.0.0.1')
    let received = ''
    socket.setEncoding('utf8').on('data', (d: string) => (received += d))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.on('error', () => {})
    socket.write(
      `POST /api/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.adminToken}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    )
    // One byte every 100 ms: 1000 bytes would take 100 s; the server must not wait for them.
    let sent = 0
    const trickle = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(' ')
      sent++
    }, 100)
    const hang = setTimeout(() => socket.destroy(), 20_000)
    await closed
    clearInterval(trickle)
    clearTimeout(hang)
    expect(received).toMatch(/^HTTP\/1\.1 408 /)
    expect(sent).toBeLessThan(1000)
  })
})
