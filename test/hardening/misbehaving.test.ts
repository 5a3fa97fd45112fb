import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { UNKNOWN_ORG, freshHome, runCli, startTestServer, type CliRun } from '../helpers/cli.js'
import { HUGE_BODY_BYTES, misbehavingServer, type Mode } from '../helpers/misbehaving-server.js'

// The real CLI (bin/run.js) against a real misbehaving server on 127.0.0.1: every broken answer ends
// with its documented exit code, one JSON document with --json, and no control byte in any output.
const TOKEN = 'misbehaving-test-token-0123456789abcdef'
const env = { ...freshHome(), ORGCTL_TOKEN: TOKEN }
const KILL_AFTER_MS = 40_000

// Any C0 control but LF and TAB (TSV tables use TAB), DEL, C1, and the bidi overrides and isolates.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

function expectClean(run: CliRun): void {
  expect(run.stdout, 'stdout has a control byte').not.toMatch(CONTROL)
  expect(run.stderr, 'stderr has a control byte').not.toMatch(CONTROL)
  expect(run.stdout + run.stderr).not.toContain(TOKEN)
  expect(run.stdout + run.stderr).not.toContain('hunter2')
}

async function against(mode: Mode, args: string[], extraEnv: Record<string, string> = {}) {
  const server = await misbehavingServer(mode)
  try {
    const run = await runCli([...args, '--api-url', server.url], {
      env: { ...env, ...extraEnv },
      killAfterMs: KILL_AFTER_MS,
    })
    return { run, server }
  } finally {
    await server.close()
  }
}

const get = ['org', 'get', UNKNOWN_ORG]
const list = ['members', 'list', UNKNOWN_ORG]
const update = ['org', 'update', UNKNOWN_ORG, '--name', 'Renamed']

interface Case {
  mode: Mode
  args: string[]
  code: number
  message: RegExp
  /** The --json error message, when it differs: JSON keeps the server's text exact (JSON escapes it). */
  jsonMessage?: RegExp
  /** Requests the server must have seen: 1 where retrying would not help. */
  requests: number
}

const cases: Case[] = [
  { mode: 'deep', args: get, code: 7, message: /nested deeper than 64 levels/, requests: 1 },
  {
    mode: 'captive-portal',
    args: list,
    code: 7,
    message: /text\/html instead of JSON .*Hotel Wi-Fi: please log in/,
    requests: 1,
  },
  {
    mode: 'empty',
    args: get,
    code: 7,
    message: /empty body where an organization was expected/,
    requests: 1,
  },
  {
    mode: 'empty',
    args: list,
    code: 7,
    message: /empty or non-object body where a member list was expected/,
    requests: 1,
  },
  {
    mode: 'org-without-id',
    args: get,
    code: 7,
    message: /not an organization \(no string "id"\)/,
    requests: 1,
  },
  {
    mode: 'members-not-paginator',
    args: list,
    code: 7,
    message: /neither a paginator of members \(no "data.data" array\)/,
    requests: 1,
  },
  ...(['redirect-301', 'redirect-302', 'redirect-307'] as const).map((mode) => ({
    mode,
    args: get,
    code: 7,
    message: new RegExp(
      `with ${mode.slice(-3)}, redirecting to https://elsewhere\\.example/api/organizations; orgctl does not follow redirects`,
    ),
    requests: 1,
  })),
  {
    mode: 'hostile-redirect',
    args: get,
    code: 7,
    message: /redirecting to https:\/\/\[redacted\]@evil\.example\/\\u202eexe\.gnp;/,
    requests: 1,
  },
  {
    mode: 'retry-after-long',
    args: get,
    code: 7,
    message: /retry after 3600 s, longer than orgctl waits: 60 s/,
    requests: 1,
  },
  {
    mode: 'hostile-message',
    args: update,
    code: 5,
    message: /Rejected by the API \(422\): \\x1b\[2J/,
    jsonMessage: new RegExp(String.raw`Rejected by the API \(422\): \u001b\[2J`),
    requests: 1,
  },
  { mode: 'secret-field-names', args: update, code: 5, message: /\[redacted\]: is not a field/, requests: 1 },
]

describe.concurrent('a misbehaving server: documented exit code, one JSON document, no control byte', () => {
  for (const c of cases) {
    it(`${c.mode} on \`${c.args.slice(0, 2).join(' ')}\` exits ${c.code}`, async () => {
      const [human, json] = await Promise.all([
        against(c.mode, c.args),
        against(c.mode, [...c.args, '--json']),
      ])
      expect(human.run.code).toBe(c.code)
      expect(human.run.stdout).toBe('')
      expect(human.run.stderr).toMatch(c.message)
      expect(human.server.seen).toHaveLength(c.requests)
      expectClean(human.run)

      expect(json.run.code).toBe(c.code)
      const doc = json.run.json()
      expect(Object.keys(doc)).toEqual(['error'])
      expect(doc.error.exitCode).toBe(c.code)
      expect(doc.error.message).toMatch(c.jsonMessage ?? c.message)
      expectClean(json.run)
    })
  }

  it('a hostile 422 message is cut, field names included, and exact in --json (JSON escapes it)', async () => {
    const { run } = await against('hostile-message', [...update, '--json'])
    const error = run.json().error
    // 20,000 characters of message and of field error, each cut to 500 (+ the ellipsis) for display.
    expect(error.message.split('\n')[0].length).toBeLessThan(600)
    const [name, messages] = Object.entries(error.fields as Record<string, string[]>)[0]!
    expect(name.startsWith('name\u001b[2J')).toBe(true)
    expect(run.stdout).not.toContain('\u001b') // the document carries it as the six characters \u001b
    expect(messages[0]!.length).toBeLessThanOrEqual(501)
  })

  it('a token echoed as a field name is redacted in the --json fields too', async () => {
    const { run } = await against('secret-field-names', [...update, '--json'])
    expect(Object.keys(run.json().error.fields)).toEqual(['[redacted]', 'x-[redacted]-y'])
    expect(run.stdout).not.toContain(TOKEN)
  })

  it('a body that trickles is cut by --timeout on every attempt: exit 7', async () => {
    const { run, server } = await against('trickle', [...get, '--timeout', '1', '--json'])
    expect(run.code).toBe(7)
    expect(run.json().error.message).toMatch(/No answer from .* within 1s \(5 attempts\)/)
    expect(server.seen).toHaveLength(5)
    expectClean(run)
  })

  it('a 201 with an unusable Location and an HTML body is still a success, sent once (no duplicate on re-run)', async () => {
    const create = ['org', 'create', '--name', 'Once Ltd', '--country-code', 'US']
    const [human, json] = await Promise.all([
      against('created-unusable', create),
      against('created-unusable', [...create, '--json']),
    ])
    expect(human.run.code).toBe(0)
    expect(human.run.stdout).toBe('Organization created.\n')
    expect(human.run.stderr).toMatch(/created, but the server returned no usable ID/)
    expect(human.server.seen).toHaveLength(1)
    expect(json.run.code).toBe(0)
    expect(json.run.json()).toEqual({
      id: null,
      organization: null,
      note: 'created, but the server returned no usable ID',
    })
    expect(json.server.seen).toHaveLength(1)
  })
})

/** Peak resident memory of a command, in KiB, from GNU time (`apt-get install time`; .ci/run does). */
async function peakRss(mode: Mode, args: string[]): Promise<{ run: CliRun; kib: number; sent: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-rss-'))
  const out = join(dir, 'time.txt')
  const server = await misbehavingServer(mode)
  try {
    const run = await runCli([...args, '--api-url', server.url], {
      env,
      killAfterMs: KILL_AFTER_MS,
      prefix: ['/usr/bin/time', '-v', '-o', out],
    })
    const kib = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(out, 'utf8'))?.[1])
    return { run, kib, sent: server.bytesSent }
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('a response body of 1 GiB', () => {
  it('is read only up to 4 MiB: exit 7, and peak memory stays within 64 MiB of a tiny answer', async () => {
    const args = [...list, '--all', '--json']
    // One after the other: the two measurements must not compete for the two cores.
    const tiny = await peakRss('members-not-paginator', args)
    const huge = await peakRss('huge', args)
    console.log(
      `peak RSS: tiny answer ${tiny.kib} KiB, 1 GiB answer ${huge.kib} KiB; server wrote ${huge.sent} bytes`,
    )
    expect(tiny.run.code).toBe(7)
    expect(huge.run.code).toBe(7)
    expect(huge.run.json().error.message).toMatch(
      /response body larger than 4 MiB .*orgctl stopped reading it/,
    )
    expect(Number.isFinite(huge.kib) && huge.kib > 0).toBe(true)
    expect(huge.kib - tiny.kib).toBeLessThan(64 * 1024)
    // The server stopped long before its gigabyte: the client hung up.
    expect(huge.sent).toBeLessThan(HUGE_BODY_BYTES / 8)
  }, 60_000)
})

/** Runs a command against a server that never answers, sends `signal` once the request is there. */
async function interrupted(signal: NodeJS.Signals, args: string[]) {
  const server = await misbehavingServer('hang')
  try {
    const arrived = server.nextRequest()
    let sentAt = 0
    const running = runCli([...args, '--api-url', server.url, '--timeout', '60'], {
      env,
      killAfterMs: KILL_AFTER_MS,
      onSpawn: (child) =>
        void arrived.then(() => {
          sentAt = Date.now()
          child.kill(signal)
        }),
    })
    const run = await running
    return { run, afterSignalMs: Date.now() - sentAt }
  } finally {
    await server.close()
  }
}

describe.concurrent('SIGINT and SIGTERM while a request hangs', () => {
  it('SIGTERM aborts the request in flight: exit 143, one error document, long before the 60 s timeout', async () => {
    const { run, afterSignalMs } = await interrupted('SIGTERM', [...get, '--json'])
    console.log(`org get: exit ${run.code} ${afterSignalMs} ms after SIGTERM`)
    expect(run.code).toBe(143)
    expect(run.json().error).toMatchObject({ exitCode: 143, message: expect.stringMatching(/SIGTERM/) })
    // A hang detector, not a benchmark: without the abort this would take the 60 s --timeout, 5 times.
    expect(afterSignalMs).toBeLessThan(10_000)
  })

  it('SIGINT during a charge: exit 130 and a message, nothing printed as a result', async () => {
    const charge = ['wallet', 'charge', UNKNOWN_ORG, '--amount', '100', '--sms-point', '10', '--yes']
    const { run, afterSignalMs } = await interrupted('SIGINT', charge)
    console.log(`wallet charge: exit ${run.code} ${afterSignalMs} ms after SIGINT`)
    expect(run.code).toBe(130)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/Interrupted by SIGINT/)
    expect(afterSignalMs).toBeLessThan(10_000)
  })
})

describe('a bulk run stopped by SIGTERM while its requests hang', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
  })

  it('exits 143 at once with the journal consistent: the next run sends every row exactly once', async () => {
    const t = await startTestServer()
    cleanups.push(
      () => t.server.close(),
      () => rmSync(t.dir, { recursive: true, force: true }),
    )
    const created = await fetch(`${t.server.url}/api/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Term Co', countryCode: 'US' }),
    })
    const org = created.headers.get('location')!.split('/').pop()!
    const emails = ['t1@example.com', 't2@example.com', 't3@example.com']
    const file = join(t.dir, 'people.csv')
    writeFileSync(file, `email,name,roles\n${emails.map((e, i) => `${e},Person ${i},3`).join('\n')}\n`)
    const proxy = await misbehavingServer('hang', t.server.url)
    cleanups.push(() => proxy.close())
    const home = freshHome()
    const cliEnv = { ...home, ORGCTL_API_URL: proxy.url, ORGCTL_TOKEN: t.token }
    const args = ['invite', 'send', org, '--file', file, '--json']

    const arrived = proxy.nextRequest()
    let sentAt = 0
    const first = await runCli(args, {
      env: cliEnv,
      killAfterMs: KILL_AFTER_MS,
      onSpawn: (child) =>
        void arrived.then(() => {
          sentAt = Date.now()
          child.kill('SIGTERM')
        }),
    })
    const afterSignalMs = Date.now() - sentAt
    console.log(`invite send --file: exit ${first.code} ${afterSignalMs} ms after SIGTERM`)
    expect(first.code).toBe(143)
    expect(first.json().error.exitCode).toBe(143)
    expect(afterSignalMs).toBeLessThan(10_000)

    proxy.mode = 'proxy'
    const second = await runCli(args, { env: cliEnv, killAfterMs: KILL_AFTER_MS })
    expect(second.code).toBe(0)
    const res = await fetch(`${t.server.url}/api/sandbox/outbox?organizationId=${org}&limit=100`, {
      headers: { authorization: `Bearer ${t.token}` },
    })
    const to = ((await res.json()) as { data: { to: string }[] }).data.map((m) => m.to).sort()
    expect(to).toEqual(emails)
  }, 90_000)
})
