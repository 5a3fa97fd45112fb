import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { runCli } from '../helpers/cli.js'

// The sandbox keeps two SQLite files: sandbox.db and its outbox, sandbox.outbox.db (ATTACHed). A user who
// deletes one by hand must get a working sandbox back, not "table messages already exists" forever.
const dir = mkdtempSync(join(tmpdir(), 'orgctl-recovery-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function sandboxEnv(name: string): { env: Record<string, string>; db: string; outbox: string } {
  const home = join(dir, name)
  const db = join(home, 'sandbox.db')
  return {
    env: {
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local/share'),
      NO_COLOR: '1',
      ORGCTL_SANDBOX_DB: db,
    },
    db,
    outbox: join(home, 'sandbox.outbox.db'),
  }
}

function removeDb(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
}

async function createOrg(env: Record<string, string>, name: string): Promise<string> {
  const run = await runCli(['org', 'create', '--name', name, '--country-code', 'US', '--json'], { env })
  expect(run.stderr + run.stdout).not.toMatch(/already exists|Unexpected/)
  expect(run.code).toBe(0)
  return run.json().id
}

async function invite(env: Record<string, string>, org: string, email: string): Promise<void> {
  const run = await runCli(
    ['invite', 'send', org, '--email', email, '--name', 'Ada', '--role', '3', '--json'],
    {
      env,
    },
  )
  expect(run.stdout + run.stderr).toMatch(/\S/)
  expect(run.code).toBe(0)
}

async function outboxTo(env: Record<string, string>): Promise<{ to: string; organizationId: string }[]> {
  const run = await runCli(['sandbox', 'outbox', '--json'], { env })
  expect(run.code).toBe(0)
  return run.json()
}

describe('a sandbox with one of its two files deleted', () => {
  it('recovers when sandbox.db is deleted but the outbox is kept, and starts the outbox afresh', async () => {
    const { env, db, outbox } = sandboxEnv('db-deleted')
    const before = await createOrg(env, 'Before')
    await invite(env, before, 'old@example.com')
    expect((await outboxTo(env)).map((m) => m.to)).toEqual(['old@example.com'])

    removeDb(db)
    expect(existsSync(outbox)).toBe(true)

    // Every command worked again at once; the old messages named organizations that no longer exist.
    const after = await createOrg(env, 'After')
    expect(await outboxTo(env)).toEqual([])
    await invite(env, after, 'new@example.com')
    const messages = await outboxTo(env)
    expect(messages.map((m) => [m.to, m.organizationId])).toEqual([['new@example.com', after]])
    const gone = await runCli(['org', 'get', before, '--json'], { env })
    expect(gone.code).toBe(4)
  })

  it('recovers when the outbox is deleted but sandbox.db is kept, keeping the data', async () => {
    const { env, outbox } = sandboxEnv('outbox-deleted')
    const org = await createOrg(env, 'Kept')
    await invite(env, org, 'first@example.com')

    removeDb(outbox)

    const got = await runCli(['org', 'get', org, '--json'], { env })
    expect(got.code).toBe(0)
    expect(got.json()).toMatchObject({ id: org, name: 'Kept' })
    expect(await outboxTo(env)).toEqual([])
    await invite(env, org, 'second@example.com')
    expect((await outboxTo(env)).map((m) => m.to)).toEqual(['second@example.com'])
  })
})
