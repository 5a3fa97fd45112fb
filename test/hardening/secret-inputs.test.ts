import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { UNKNOWN_ORG, freshHome, runCli } from '../helpers/cli.js'
import { faultServer, type FaultServer } from '../helpers/faults.js'

// Tokens, URLs and files that orgctl refuses before sending anything (exit 2): a server that counts
// requests proves nothing went out.
let server: FaultServer
beforeAll(async () => {
  server = await faultServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end('{"message": "Not found."}')
  })
})
afterAll(() => server.close())

const GOOD = 'good-token-0123456789abcdef'

describe.concurrent('a token or URL that cannot be sent is a usage error, nothing sent', () => {
  it.each([
    ['a CR/LF (header injection)', `${GOOD}\r\nX-Evil: 1`],
    ['a LF', `${GOOD}\nsecond-line`],
    ['a space', 'two words'],
    ['a tab', `${GOOD}\tx`],
    ['an ESC', `${GOOD}\u001b[2J`],
    ['a non-ASCII letter', `${GOOD}é`],
  ])('ORGCTL_TOKEN with %s exits 2 naming the variable, not the token', async (_what, token) => {
    const before = server.seen.length
    const run = await runCli(['org', 'get', UNKNOWN_ORG, '--api-url', server.url, '--json'], {
      env: { ...freshHome(), ORGCTL_TOKEN: token },
    })
    expect(run.code).toBe(2)
    expect(run.json().error.message).toMatch(/^ORGCTL_TOKEN must be printable ASCII without spaces/)
    expect(run.stdout + run.stderr).not.toContain(GOOD)
    expect(server.seen.length).toBe(before)
  })

  it('login refuses a piped token with a line break inside (the trailing newline alone is fine)', async () => {
    const before = server.seen.length
    const run = await runCli(['login', '--insecure-storage', '--api-url', server.url, '--json'], {
      env: freshHome(),
      input: `${GOOD}\r\nmore\n`,
    })
    expect(run.code).toBe(2)
    expect(run.json().error.message).toMatch(/^The token must be printable ASCII/)
    expect(server.seen.length).toBe(before)
  })

  it('login refuses more than 64 KiB on stdin without sending anything', async () => {
    const before = server.seen.length
    const run = await runCli(['login', '--insecure-storage', '--api-url', server.url], {
      env: freshHome(),
      input: 'x'.repeat(200 * 1024),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/The token read from stdin is over 64 KiB; nothing was sent/)
    expect(server.seen.length).toBe(before)
  })

  it("a profile's saved token with a line break is refused before it is sent", async () => {
    const home = freshHome()
    const dir = join(home.XDG_CONFIG_HOME!, 'orgctl')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ current: 'bad', profiles: { bad: { apiUrl: server.url, token: `${GOOD}\nX: y` } } }),
      { mode: 0o600 },
    )
    const before = server.seen.length
    const run = await runCli(['org', 'get', UNKNOWN_ORG], { env: home })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/The token of profile "bad" must be printable ASCII/)
    expect(server.seen.length).toBe(before)
  })

  it('an --api-url with user:password@ exits 2 and never shows the password, even with --debug', async () => {
    const withCreds = server.url.replace('http://', 'http://admin:hunter2@')
    const before = server.seen.length
    const [human, json] = await Promise.all([
      runCli(['org', 'get', UNKNOWN_ORG, '--api-url', withCreds, '--debug'], {
        env: { ...freshHome(), ORGCTL_TOKEN: GOOD },
      }),
      runCli(['org', 'get', UNKNOWN_ORG, '--json'], {
        env: { ...freshHome(), ORGCTL_TOKEN: GOOD, ORGCTL_API_URL: withCreds },
      }),
    ])
    expect(human.code).toBe(2)
    expect(human.stderr).toMatch(
      /must not contain a user name or password \("http:\/\/\[redacted\]@127\.0\.0\.1/,
    )
    expect(json.code).toBe(2)
    expect(json.json().error.message).toMatch(/\[redacted\]@/)
    for (const run of [human, json]) {
      expect(run.stdout + run.stderr).not.toContain('hunter2')
      expect(run.stdout + run.stderr).not.toContain('admin:')
    }
    expect(server.seen.length).toBe(before)
  })

  it('login with user-info in --api-url is refused the same way', async () => {
    const run = await runCli(['login', '--api-url', server.url.replace('http://', 'http://u:hunter2@')], {
      env: freshHome(),
      input: GOOD,
    })
    expect(run.code).toBe(2)
    expect(run.stderr).not.toContain('hunter2')
  })

  it('doctor refuses an API URL with user-info (exit 2) without showing the password', async () => {
    const home = freshHome()
    const run = await runCli(['doctor', '--json'], {
      env: { ...home, ORGCTL_API_URL: server.url.replace('http://', 'http://u:hunter2@') },
    })
    expect(run.stdout + run.stderr).not.toContain('hunter2')
    expect(run.code).toBe(2)
  })
})

describe('avatar files are read through a bounded stream', () => {
  it('a file whose stat lies (/proc/self/pagemap reads as gigabytes) is refused after 2 MiB + 1 byte: exit 2', async () => {
    const before = server.seen.length
    const run = await runCli(['org', 'avatar', UNKNOWN_ORG, '/proc/self/pagemap', '--api-url', server.url], {
      env: { ...freshHome(), ORGCTL_TOKEN: GOOD },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/FILE must be at most 2 MiB; "\/proc\/self\/pagemap" is larger/)
    expect(server.seen.length).toBe(before)
  })
})
