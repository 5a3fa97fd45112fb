import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startServerProcess, type ServerProcess } from '../helpers/bulk.js'
import { UNKNOWN_ORG, freshHome, runCli, type CliRun } from '../helpers/cli.js'
import { faultServer } from '../helpers/faults.js'
import { tempDir } from '../helpers/tmp.js'

const ADMIN_TOKEN = 'hardening-admin-token-5f0c1e9a7b3d4c2e8f6a'
const PASSWORD = 'Tr0ub4dor-and-a-half-9x7q'
const WRONG_TOKEN = 'rejected-env-token-8e1d2c3b4a5f6e7d'

let dir: string
let server: ServerProcess
let serverOutput = ''
const outputs: { what: string; text: string }[] = []

/** Keeps every byte a run printed, to grep for secrets at the end. */
function keep(what: string, run: CliRun): CliRun {
  outputs.push({ what: `${what} stdout`, text: run.stdout }, { what: `${what} stderr`, text: run.stderr })
  return run
}

beforeAll(async () => {
  dir = tempDir('secrets')
  server = await startServerProcess({ dbPath: join(dir, 'sandbox.db'), token: ADMIN_TOKEN })
  server.child.stdout!.on('data', (d: Buffer) => (serverOutput += d.toString()))
  server.child.stderr!.on('data', (d: Buffer) => (serverOutput += d.toString()))
})
afterAll(async () => {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('secrets', () => {
  it('login writes the config file 0600 in a 0700 folder, tightening ones that already existed', async () => {
    const env = freshHome()
    const folder = join(env.XDG_CONFIG_HOME!, 'orgctl')
    mkdirSync(folder, { recursive: true, mode: 0o755 })
    chmodSync(folder, 0o755)
    writeFileSync(join(folder, 'config.json'), '{}', { mode: 0o644 })
    chmodSync(join(folder, 'config.json'), 0o644)
    const r = keep(
      'login',
      await runCli(['login', '--api-url', server.url, '--insecure-storage'], { env, input: ADMIN_TOKEN }),
    )
    expect(r.code).toBe(0)
    expect(statSync(join(folder, 'config.json')).mode & 0o777).toBe(0o600)
    expect(statSync(folder).mode & 0o777).toBe(0o700)
  })

  it('no token or password in stdout, stderr, --debug traces, error messages or the request log', async () => {
    const env = freshHome()
    const run = async (what: string, args: string[], input?: string, extraEnv: Record<string, string> = {}) =>
      keep(
        what,
        await runCli([...args, '--debug'], {
          env: { ...env, ...extraEnv },
          ...(input === undefined ? {} : { input }),
        }),
      )

    expect(
      (await run('login', ['login', '--api-url', server.url, '--insecure-storage'], `${ADMIN_TOKEN}\n`)).code,
    ).toBe(0)
    const created = await run('org create', [
      'org',
      'create',
      '--name',
      'Secret Co',
      '--country-code',
      'US',
      '--json',
    ])
    expect(created.code).toBe(0)
    const orgId: string = JSON.parse(created.stdout).id
    expect(
      (
        await run('invite', [
          'invite',
          'send',
          orgId,
          '--email',
          'new@secrets.test',
          '--name',
          'New',
          '--role',
          '3',
        ])
      ).code,
    ).toBe(0)
    const outbox = await run('outbox', ['sandbox', 'outbox', '--to', 'new@secrets.test', '--json'])
    const inviteToken: string = JSON.parse(outbox.stdout)[0].inviteToken
    // The outbox command exists to show invite tokens; from here on none may appear.
    outputs.pop()
    outputs.pop()

    const accepted = await run('accept', ['invite', 'accept', inviteToken, '--password-stdin'], PASSWORD)
    expect(accepted.code).toBe(0)
    const again = await run(
      'accept again',
      ['invite', 'accept', inviteToken, '--password-stdin', '--json'],
      PASSWORD,
    )
    expect(again.code).toBe(4)
    const short = await run('short password', ['invite', 'accept', inviteToken, '--password-stdin'], 'short')
    expect(short.code).toBe(2)
    expect(short.stderr).not.toContain('short\n')
    const unknown = await run(
      'unknown invite',
      ['invite', 'accept', `${inviteToken}x`, '--password-stdin'],
      PASSWORD,
    )
    expect(unknown.code).toBe(4)

    const charge = await run('charge', [
      'wallet',
      'charge',
      orgId,
      '--amount',
      '500',
      '--sms-point',
      '50',
      '--yes',
    ])
    expect(charge.code).toBe(0)
    const refused = await run(
      'charge as nobody',
      ['wallet', 'charge', UNKNOWN_ORG, '--amount', '1', '--sms-point', '1', '--yes'],
      undefined,
      {
        ORGCTL_API_URL: server.url,
        ORGCTL_TOKEN: WRONG_TOKEN,
      },
    )
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/The token in ORGCTL_TOKEN was rejected: set a valid ORGCTL_TOKEN/)
    const refusedJson = await run('get as nobody', ['org', 'get', orgId, '--json'], undefined, {
      ORGCTL_API_URL: server.url,
      ORGCTL_TOKEN: WRONG_TOKEN,
    })
    expect(refusedJson.code).toBe(3)
    expect(JSON.parse(refusedJson.stdout).error.message).toMatch(/ORGCTL_TOKEN/)

    // --debug really traced each of these, so the grep below looked at traces, not at silence.
    expect(accepted.stderr).toMatch(/\[debug\] POST .*\/invite\/\[redacted\]\/accept/)
    expect(charge.stderr).toMatch(/\[debug\] POST .*\/charge headers .*"authorization":"\[redacted\]"/)
    expect(server.log.some((l) => l.path.includes('/invite/[redacted]/accept'))).toBe(true)

    const places = [...outputs, { what: 'sandbox output', text: serverOutput }]
    for (const secret of [ADMIN_TOKEN, PASSWORD, inviteToken, WRONG_TOKEN]) {
      for (const place of places)
        expect(place.text, `${place.what} shows ${secret.slice(0, 8)}…`).not.toContain(secret)
    }
  })

  it('a server that echoes the bearer token or the password in its error does not make orgctl print them', async () => {
    const echo = await faultServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        res.writeHead(422, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            message: `Refused ${String(req.headers.authorization)} with ${body}`,
            errors: { password: [`${body} is too common`] },
          }),
        )
      })
    })
    try {
      const env = { ...freshHome(), ORGCTL_API_URL: echo.url, ORGCTL_TOKEN: WRONG_TOKEN }
      const invite = await runCli(
        ['invite', 'send', UNKNOWN_ORG, '--email', 'a@b.test', '--name', 'A', '--role', '3', '--debug'],
        { env },
      )
      expect(invite.code).toBe(5)
      expect(invite.stderr).toMatch(/Refused Bearer \[redacted\]/)
      const accept = await runCli(
        ['invite', 'accept', 'some-invite-token-123', '--password-stdin', '--debug', '--json'],
        {
          env,
          input: PASSWORD,
        },
      )
      expect(accept.code).toBe(5)
      for (const r of [invite, accept]) {
        expect(r.stdout + r.stderr).not.toContain(WRONG_TOKEN)
        expect(r.stdout + r.stderr).not.toContain(PASSWORD)
      }
      expect(accept.json().error.message).toMatch(/\[redacted\]/)
    } finally {
      await echo.close()
    }
  })
})
