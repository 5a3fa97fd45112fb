// The CLI runs the server bundle (dist/server/sandbox.js, scripts/build.mjs: bundleServer), whose request
// validators were compiled at build time from api/openapi.yaml into standalone code; these tests run the
// sources, which compile the same schemas with Ajv at run time. Here both answer the same requests, every
// operation's body, path and query parameters broken every way a sample list can think of, and must answer
// alike: a drift between the build's validators and the spec shows as a different answer (or as a bundle
// that refuses to start: it has no validator for a schema it was not built with).
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operations, type JsonObject } from '../../src/server/spec.js'
import type * as Sandbox from '../../src/server/sandbox.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { tempDir } from '../helpers/tmp.js'

const BUNDLE = pathToFileURL(join(import.meta.dirname, '../../dist/server/sandbox.js')).href

interface Side {
  url: string
  token: string
  orgId: string
}

let source: TestServer
let bundled: Sandbox.RunningServer
let dir: string
const sides: { source?: Side; bundle?: Side } = {}

async function createOrg(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/api/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Same', countryCode: 'US' }),
  })
  expect(res.status).toBe(201)
  return res.headers.get('location')!.split('/').pop()!
}

beforeAll(async () => {
  source = await startTestServer()
  dir = tempDir('bundle')
  const { startServer } = (await import(BUNDLE)) as typeof Sandbox
  bundled = await startServer({ dbPath: join(dir, 'sandbox.db'), ephemeralAdmin: true })
  sides.source = {
    url: source.url,
    token: source.adminToken,
    orgId: await createOrg(source.url, source.adminToken),
  }
  sides.bundle = {
    url: bundled.url,
    token: bundled.adminToken!,
    orgId: await createOrg(bundled.url, bundled.adminToken!),
  }
})
afterAll(async () => {
  await bundled?.close()
  await source?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Wrong values of every JSON type, and strings that break formats, lengths and patterns. */
const WRONG: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 40,
  '',
  ' ',
  'x',
  'a'.repeat(256),
  'not-an-email',
  'user@example.com',
  '123e4567-e89b-12d3-a456-426614174000',
  'http://example.com/a.png',
  'javascript:alert(1)',
  'sms',
  'US',
  'us',
  [],
  [1],
  ['x'],
  [0, 1],
  {},
  { a: 1 },
]

interface Sample {
  method: string
  /** The path template with {organizationId}-like parameters. */
  path: string
  params?: Record<string, string>
  query?: string
  body?: unknown
  /** Send `body` as it is (not JSON-encoded). */
  raw?: boolean
  headers?: Record<string, string>
}

function bodySchema(op: JsonObject): JsonObject | undefined {
  const content = (op.requestBody as JsonObject | undefined)?.content as JsonObject | undefined
  return (content?.['application/json'] as JsonObject | undefined)?.schema as JsonObject | undefined
}

function samples(): Sample[] {
  const out: Sample[] = []
  for (const { method, path, operation } of operations()) {
    const schema = bodySchema(operation)
    if (schema) {
      const props = Object.keys((schema.properties as JsonObject | undefined) ?? {})
      for (const body of [undefined, {}, [], 'text', 42, null, { unknown: 1 }])
        out.push({ method, path, body })
      out.push({ method, path, body: '{"broken', raw: true })
      for (const prop of props) for (const value of WRONG) out.push({ method, path, body: { [prop]: value } })
      // Every property wrong at once: allErrors and the "(and N more errors)" message.
      for (const value of WRONG)
        out.push({ method, path, body: Object.fromEntries(props.map((p) => [p, value])) })
    }
    const parameters = (operation.parameters as JsonObject[] | undefined) ?? []
    for (const p of parameters.filter((x) => x.in === 'path')) {
      for (const value of ['abc', '0', '-1', '1.5', '123e4567-e89b-12d3-a456-42661417400', 'x'.repeat(300)])
        out.push({ method, path, params: { [String(p.name)]: value } })
    }
    for (const p of parameters.filter((x) => x.in === 'query')) {
      for (const value of [
        '',
        '0',
        '-1',
        '1.5',
        'abc',
        '100',
        '101',
        '1e3',
        'a@b',
        '123e4567-e89b-12d3-a456-426614174000',
      ])
        out.push({ method, path, query: `${String(p.name)}=${encodeURIComponent(value)}` })
    }
    if (method === 'POST')
      for (const key of ['', ' ', 'k'.repeat(256), 'ok-key-1', 'tab\there', 'caf\u00e9'])
        out.push({ method, path, body: {}, headers: { 'idempotency-key': key } })
  }
  return out
}

async function send(side: Side, sample: Sample): Promise<{ status: number; body: string }> {
  const path = sample.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
    encodeURIComponent(
      sample.params?.[name] ??
        (name === 'memberId'
          ? '1'
          : name === 'inviteToken'
            ? 'no-such-token'
            : name === 'file'
              ? 'x.png'
              : side.orgId),
    ),
  )
  const headers: Record<string, string> = { authorization: `Bearer ${side.token}`, ...sample.headers }
  if (sample.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${side.url}${path}${sample.query ? `?${sample.query}` : ''}`, {
    method: sample.method,
    headers,
    ...(sample.body === undefined
      ? {}
      : { body: sample.raw ? String(sample.body) : JSON.stringify(sample.body) }),
  })
  return { status: res.status, body: await res.text() }
}

describe('the server bundle', () => {
  it('answers every malformed request exactly as the sources do, and never with a 5xx', async () => {
    const list = samples()
    expect(list.length).toBeGreaterThan(500)
    const differences: string[] = []
    let refused = 0
    for (const sample of list) {
      const [a, b] = [await send(sides.source!, sample), await send(sides.bundle!, sample)]
      expect(a.status, JSON.stringify(sample)).toBeLessThan(500)
      if (a.status >= 400) refused++
      // A request that succeeded made different IDs on each side; what matters is that both let it through.
      const same = a.status === b.status && (a.status < 300 || a.body === b.body)
      if (!same) differences.push(`${JSON.stringify(sample)}: ${a.status} ${a.body} vs ${b.status} ${b.body}`)
    }
    expect(differences).toEqual([])
    // The samples do reach the validators: most of them are refused.
    expect(refused).toBeGreaterThan(list.length / 2)
  })
})
