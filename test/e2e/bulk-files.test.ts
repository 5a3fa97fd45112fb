import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { freshHome, runCli } from '../helpers/cli.js'
import {
  cliEnv,
  createOrg,
  outbox,
  peopleCsv,
  startServerProcess,
  type ServerProcess,
} from '../helpers/bulk.js'

let server: ServerProcess
let dir: string
let org: string
let home: Record<string, string>

beforeAll(async () => {
  dir = peopleCsv(0).dir
  server = await startServerProcess({ dbPath: join(dir, 's.db'), token: 'bulk-files-admin-token' })
  org = await createOrg(server, 'Files Co')
  home = freshHome()
})
afterAll(() => server?.stop())

const send = (file: string, ...extra: string[]) =>
  runCli(['invite', 'send', org, '--file', file, ...extra], { env: cliEnv(server, home) })

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name)
  writeFileSync(file, content)
  return file
}

describe('bulk invite send with bad files', () => {
  const cases: [string, string, string | Buffer, RegExp][] = [
    ['an empty file', 'empty.csv', '', /empty.*line 1/],
    ['a missing header', 'noheader.csv', 'ada@example.com,Ada,3\n', /line 1 is not a header/],
    [
      'a wrong delimiter',
      'semi.csv',
      'email;name;roles\nada@example.com;Ada;3\n',
      /';'.*expects commas.*line 1/,
    ],
    [
      'bytes that are not UTF-8',
      'latin1.csv',
      Buffer.concat([
        Buffer.from('email,name,roles\nada@example.com,Ada,3\nbob@example.com,Bj'),
        Buffer.from([0xf6, 0x72, 0x6e]),
        Buffer.from(',3\n'),
      ]),
      /UTF-8.*line 3|line 3.*UTF-8/,
    ],
    [
      'a 10 MB single line',
      'long.csv',
      `email,name,roles\nada@example.com,Ada,3\nbob@example.com,${'x'.repeat(10 * 1024 * 1024)},3\n`,
      /line 3/,
    ],
  ]
  it.each(cases)(
    'rejects %s with the line number, exit 2, nothing sent and no journal',
    async (_, name, content, message) => {
      const run = await send(write(name, content))
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toMatch(message)
      expect(run.stderr).not.toMatch(/at .*\.js:\d+/) // no stack trace
      expect(await outbox(server, org)).toEqual([])
      expect(
        existsSync(join(home.XDG_DATA_HOME!, 'orgctl', 'journals'))
          ? readdirSync(join(home.XDG_DATA_HOME!, 'orgctl', 'journals'))
          : [],
      ).toEqual([])
    },
  )

  it('reports a row with 500 roles as invalid (with its line) in --report, sends the others, exits 6', async () => {
    const roles = Array.from({ length: 500 }, (_, i) => i + 1).join(';')
    const file = write(
      'roles.csv',
      `email,name,roles\nann@example.com,Ann,3\nmany@example.com,Many,${roles}\nnot-an-email,Bad,3\nann@example.com,Ann again,2\nzed@example.com,Zed,2;3\n`,
    )
    const report = join(dir, 'report.csv')
    const run = await send(file, '--report', report, '--json')
    expect(run.code, run.stderr).toBe(6)
    expect(run.json()).toMatchObject({ total: 5, sent: 2, skipped: 0, invalid: 3, failed: 0, report })
    expect(run.json().error).toMatchObject({ exitCode: 6 })
    expect(run.stderr).toMatch(/Sent 2, skipped 0 .*invalid 3, failed 0 of 5 rows/)
    const lines = readFileSync(report, 'utf8').trimEnd().split('\n')
    expect(lines[0]).toBe('line,email,reason')
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      '3,many@example.com',
      '4,',
      '5,ann@example.com',
    ])
    expect(lines[1]).toMatch(/roles.*20/)
    expect(lines[3]).toMatch(/duplicate of line 2/)
    expect((await outbox(server, org)).map((m) => m.to).sort()).toEqual([
      'ann@example.com',
      'zed@example.com',
    ])
  })

  it('counts a 409 (already invited) as skipped, and reports what the API rejected as failed', async () => {
    const file = write(
      'again.jsonl',
      [
        JSON.stringify({ email: 'ann@example.com', name: 'Ann', roles: [3] }),
        JSON.stringify({ email: 'new@example.com', name: 'New', roles: [99] }),
        '',
        JSON.stringify({ email: 'neo@example.com', name: 'Neo', roles: [2] }),
      ].join('\n'),
    )
    const report = join(dir, 'again-report.csv')
    const run = await send(file, '--report', report)
    expect(run.code, run.stderr).toBe(6)
    expect(run.stdout).toMatch(/^skipped\t1$/m)
    expect(run.stderr).toMatch(/Sent 1, skipped 1 .*failed 1 of 3 rows/)
    expect(readFileSync(report, 'utf8')).toMatch(/^2,new@example\.com,HTTP 422: .*roles/m)
  })
})

describe('bulk invite send, other inputs', () => {
  it('--dry-run validates everything and sends nothing', async () => {
    const people = peopleCsv(50, 'dry')
    const run = await send(people.file, '--dry-run', '--json')
    expect(run.code, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({ total: 50, sent: 0, invalid: 0, failed: 0 })
    expect(run.stderr).toMatch(/50 of 50 rows would be sent.*nothing was sent/)
    expect((await outbox(server, org)).some((m) => m.to.startsWith('dry'))).toBe(false)
  })

  it('reads JSON Lines from stdin with --file - and, run again, resumes without sending anything twice', async () => {
    const input = ['a', 'b', 'c']
      .map((n) => JSON.stringify({ email: `${n}@stdin.example.com`, name: n, roles: [3] }))
      .join('\n')
    const env = cliEnv(server, home)
    const args = ['invite', 'send', org, '--file', '-', '--format', 'jsonl', '--json']
    const first = await runCli(args, { env, input })
    expect(first.code, first.stderr).toBe(0)
    expect(first.json()).toMatchObject({ total: 3, sent: 3 })
    const again = await runCli(args, { env, input })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/Resuming/)
    expect(again.json()).toMatchObject({ total: 3, sent: 3 })
    expect((await outbox(server, org)).filter((m) => m.to.endsWith('@stdin.example.com'))).toHaveLength(3)
    // The spooled copy of stdin is removed at the end of the run.
    expect(readdirSync(join(home.XDG_DATA_HOME!, 'orgctl', 'spool'))).toEqual([])
  })

  it('--restart forgets the journal: rows already invited answer 409 and count as skipped', async () => {
    const people = peopleCsv(5, 'rs')
    expect((await send(people.file)).code).toBe(0)
    const run = await send(people.file, '--restart', '--json')
    expect(run.code, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({ total: 5, sent: 0, skipped: 5 })
  })
})
