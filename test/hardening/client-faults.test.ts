import { describe, expect, it } from 'vitest'

import { UNKNOWN_ORG, freshHome, runCli } from '../helpers/cli.js'
import { faultServer, faults, refusedUrl, type FaultHandler } from '../helpers/faults.js'

// Each case is bounded twice: the CLI's own retry budget (5 attempts), and runCli's kill timer, which
// would leave `code` null. No case asserts how fast it ran.
const TOKEN = 'fault-test-token-0123456789abcdef'
const env = { ...freshHome(), ORGCTL_TOKEN: TOKEN }
const KILL_AFTER_MS = 25_000

async function against(handler: FaultHandler, args: (url: string) => string[]) {
  const server = await faultServer(handler)
  try {
    const run = await runCli(args(server.url), { env, killAfterMs: KILL_AFTER_MS })
    return { run, seen: [...server.seen] }
  } finally {
    await server.close()
  }
}

const getOrg = (url: string) => ['org', 'get', UNKNOWN_ORG, '--api-url', url, '--json']
const charge = (url: string, ...extra: string[]) => [
  'wallet',
  'charge',
  UNKNOWN_ORG,
  '--amount',
  '100',
  '--sms-point',
  '10',
  '--yes',
  '--api-url',
  url,
  ...extra,
]

describe.concurrent(
  'a broken network or server ends with exit 7, a clear message and at most 5 attempts',
  () => {
    it('connection refused on a charge: 5 attempts, each traced by --debug, exit 7', async () => {
      const url = await refusedUrl()
      const r = await runCli(charge(url, '--debug', '--timeout', '2'), { env, killAfterMs: KILL_AFTER_MS })
      expect(r.code).toBe(7)
      expect(r.stderr).toMatch(/Could not reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \(5 attempts\)/)
      expect(r.stderr.match(/ECONNREFUSED \d+ms \(attempt \d\)/g)).toHaveLength(5)
      expect(r.stderr).not.toContain(TOKEN)
    })

    it('a connection reset in the middle of the body: retried, then exit 7 naming the socket error', async () => {
      const { run, seen } = await against(faults.resetMidBody, getOrg)
      expect(run.code).toBe(7)
      expect(seen).toHaveLength(5)
      expect(run.json().error).toMatchObject({ exitCode: 7, status: null })
      expect(run.json().error.message).toMatch(/Could not reach .*: ECONNRESET \(5 attempts\)/)
    })

    it('a server that hangs up before answering: retried, then exit 7', async () => {
      const { run, seen } = await against(faults.hangUp, getOrg)
      expect(run.code).toBe(7)
      expect(seen).toHaveLength(5)
      expect(run.json().error.message).toMatch(/Could not reach .*\(5 attempts\)/)
    })

    it('a server that never answers a charge: --timeout ends each attempt, one idempotency key for all 5', async () => {
      const { run, seen } = await against(faults.silent, (url) => charge(url, '--timeout', '0.3', '--json'))
      expect(run.code).toBe(7)
      expect(run.json().error.message).toMatch(/within 0\.3s \(5 attempts\)/)
      expect(seen).toHaveLength(5)
      const keys = new Set(seen.map((s) => s.headers['idempotency-key']))
      expect(keys.size).toBe(1)
      expect([...keys][0]).toBeTruthy()
    })

    it('a 200 whose JSON body is cut short is not shown as a result: retried, then exit 7', async () => {
      const { run, seen } = await against(faults.truncatedJson, getOrg)
      expect(run.code).toBe(7)
      expect(seen).toHaveLength(5)
      expect(run.json().error.message).toMatch(/incomplete or malformed JSON body \(5 attempts\)/)
    })

    it('a truncated JSON answer to a table command prints no empty record on stdout', async () => {
      const { run } = await against(faults.truncatedJson, (url) => [
        'org',
        'get',
        UNKNOWN_ORG,
        '--api-url',
        url,
      ])
      expect(run.code).toBe(7)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(/^Error: .*malformed JSON/m)
    })

    it('an HTML 502 page from a proxy: retried, then exit 7 with the page title, not the markup', async () => {
      const { run, seen } = await against(faults.htmlBadGateway, (url) => [
        'members',
        'list',
        UNKNOWN_ORG,
        '--api-url',
        url,
      ])
      expect(run.code).toBe(7)
      expect(seen).toHaveLength(5)
      expect(run.stderr).toMatch(/The API is unavailable \(502\): 502 Bad Gateway \(after 5 attempts\)/)
      expect(run.stderr).not.toMatch(/<|nginx|color:red/)
      expect(run.stdout).toBe('')
    })

    it('an HTML 502 answer to a PATCH is not retried (PATCH is not idempotent by the design)', async () => {
      const { run, seen } = await against(faults.htmlBadGateway, (url) => [
        'org',
        'update',
        UNKNOWN_ORG,
        '--name',
        'New name',
        '--api-url',
        url,
        '--json',
      ])
      expect(run.code).toBe(7)
      expect(seen).toHaveLength(1)
      expect(run.json().error).toMatchObject({
        exitCode: 7,
        status: 502,
        message: expect.stringMatching(/502 Bad Gateway$/),
      })
    })

    it('a storm of 429s with Retry-After: waits as told between attempts, stops after 5, exit 7', async () => {
      const { run, seen } = await against(faults.tooManyRequests(1), getOrg)
      expect(run.code).toBe(7)
      expect(seen).toHaveLength(5)
      expect(run.json().error).toMatchObject({
        exitCode: 7,
        status: 429,
        message: 'The API is unavailable (429): Too Many Attempts. (after 5 attempts)',
      })
      // Retry-After is a floor, not a race: each retry came no sooner than the server asked.
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(950)
    })
  },
)
