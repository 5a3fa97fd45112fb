import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import { immediate, openDatabase } from '../../src/sqlite/driver.js'

import { freshHome } from './cli.js'
import { baseEnv, tempDir } from './tmp.js'

const BIN = resolve(import.meta.dirname, '../../bin/run.js')

/** One line of the server's request log: `<ISO time> <method> <path> <status> <ms>ms[ replayed]`. */
export interface LogLine {
  at: number
  method: string
  path: string
  status: number
  replayed: boolean
}

/** `orgctl server start` in its own process, as a user runs it. */
export interface ServerProcess {
  url: string
  port: number
  dbPath: string
  token: string
  child: ChildProcess
  /** Request log lines seen so far (parsed from stderr). */
  log: LogLine[]
  /** SIGTERM, and resolves when the process has exited. */
  stop(): Promise<void>
}

/**
 * Starts the sandbox server as a separate process on 127.0.0.1 and resolves once it prints its URL.
 * `port` 0 picks a free one; pass the old port to restart "the same server".
 */
export function startServerProcess(options: {
  dbPath: string
  token: string
  port?: number
  args?: string[]
}): Promise<ServerProcess> {
  const args = ['server', 'start', '--port', String(options.port ?? 0), '--db', options.dbPath]
  const child = spawn(
    process.execPath,
    [BIN, ...args, '--admin-token', options.token, ...(options.args ?? [])],
    {
      env: { ...baseEnv(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const log: LogLine[] = []
  let err = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk
    const lines = err.split('\n')
    err = lines.pop() ?? ''
    for (const line of lines) {
      const m = /^(\S+Z) (GET|POST|PUT|PATCH|DELETE) (\S+) (\d{3}) \d+ms( replayed)?$/.exec(line)
      if (m)
        log.push({
          at: Date.parse(m[1]!),
          method: m[2]!,
          path: m[3]!,
          status: Number(m[4]),
          replayed: Boolean(m[5]),
        })
    }
  })
  return new Promise((resolvePromise, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const m = /Listening on (http:\/\/\S+)/.exec(out)
      if (!m) return
      const url = m[1]!
      resolvePromise({
        url,
        port: Number(new URL(url).port),
        dbPath: options.dbPath,
        token: options.token,
        child,
        log,
        stop: () => stopProcess(child),
      })
    })
    child.once('exit', (code) => reject(new Error(`server exited ${code} before listening: ${err}`)))
  })
}

/** SIGTERM (or `signal`) and wait for the exit. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolvePromise()
    child.once('exit', () => resolvePromise())
    child.kill(signal)
  })
}

/** Creates an organization through the API as the admin; returns its ID. */
export async function createOrg(server: ServerProcess, name = 'Bulk Co'): Promise<string> {
  const res = await fetch(`${server.url}/api/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, countryCode: 'US' }),
  })
  if (res.status !== 201) throw new Error(`create org: ${res.status} ${await res.text()}`)
  return res.headers.get('location')!.split('/').pop()!
}

/** Outbox messages of an organization, through the sandbox extension (at most 100). */
export async function outbox(server: ServerProcess, organizationId: string): Promise<{ to: string }[]> {
  const res = await fetch(`${server.url}/api/sandbox/outbox?organizationId=${organizationId}&limit=100`, {
    headers: { authorization: `Bearer ${server.token}` },
  })
  return ((await res.json()) as { data: { to: string }[] }).data
}

/**
 * Invitations and outbox messages per address (lower-cased), read from the server's SQLite files; call it
 * after the server has stopped (read-only, so it never disturbs a live server either).
 */
export function deliveries(
  dbPath: string,
  organizationId: string,
): { invitations: Map<string, number>; messages: Map<string, number> } {
  const db = openDatabase(dbPath, { readonly: true })
  try {
    const count = (sql: string): Map<string, number> =>
      new Map(
        (db.prepare(sql).all(organizationId) as { email: string; n: number }[]).map((r) => [r.email, r.n]),
      )
    const outboxPath = dbPath.replace(/\.db$/, '.outbox.db')
    db.exec(`ATTACH DATABASE '${outboxPath.replace(/'/g, "''")}' AS outbox`)
    return {
      invitations: count(
        'SELECT lower(email) AS email, count(*) AS n FROM invitations WHERE organization_id = ? GROUP BY 1',
      ),
      messages: count(
        'SELECT lower(to_email) AS email, count(*) AS n FROM outbox.messages WHERE organization_id = ? GROUP BY 1',
      ),
    }
  } finally {
    db.close()
  }
}

/** A temp folder with a CSV of `n` valid people (`p<i>@example.com`), and its path. */
export function peopleCsv(n: number, prefix = 'p'): { dir: string; file: string; emails: string[] } {
  const dir = tempDir('bulk')
  const emails = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}@example.com`)
  const file = join(dir, 'people.csv')
  writeFileSync(file, `email,name,roles\n${emails.map((e, i) => `${e},Person ${i + 1},3`).join('\n')}\n`)
  return { dir, file, emails }
}

/** Environment for the CLI: this server, the admin token, and a fresh HOME/XDG data dir (the journals). */
export function cliEnv(server: ServerProcess, home = freshHome()): Record<string, string> {
  return { ...home, ORGCTL_API_URL: server.url, ORGCTL_TOKEN: server.token }
}

/** Spawns the CLI without waiting, so that a test can kill it. */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/**
 * Adds `n` members (role 3, Member) to an organization straight into the server's SQLite file (WAL, so the
 * server may be running): a test of removals needs hundreds, which invitations and acceptances would take
 * minutes to make. Returns them in insertion order.
 */
export function seedMembers(
  dbPath: string,
  organizationId: string,
  n: number,
  prefix = 'm',
): { id: number; email: string }[] {
  const db = openDatabase(dbPath, { busyTimeoutMs: 10_000 })
  try {
    const now = new Date().toISOString()
    const addUser = db.prepare('INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)')
    const addMember = db.prepare(
      'INSERT INTO members (organization_id, user_id, joined_at) VALUES (?, ?, ?) RETURNING id',
    )
    const addRole = db.prepare('INSERT INTO member_roles (member_id, role_id) VALUES (?, 3)')
    return immediate(db, () =>
      Array.from({ length: n }, (_, i) => {
        const userId = randomUUID()
        const email = `${prefix}${i + 1}@example.com`
        addUser.run(userId, email, `Member ${i + 1}`, now)
        const { id } = addMember.get(organizationId, userId, now) as { id: number }
        addRole.run(id)
        return { id, email }
      }),
    )
  } finally {
    db.close()
  }
}

/** Member IDs of an organization, read from the server's SQLite file. */
export function memberIds(dbPath: string, organizationId: string): Set<number> {
  const db = openDatabase(dbPath, { readonly: true, busyTimeoutMs: 10_000 })
  try {
    const rows = db.prepare('SELECT id FROM members WHERE organization_id = ?').all(organizationId) as {
      id: number
    }[]
    return new Set(rows.map((r) => r.id))
  } finally {
    db.close()
  }
}

/** Ledger rows per organization (count, amount, points), read from the server's SQLite file. */
export function ledger(dbPath: string): Map<string, { rows: number; amount: number; points: number }> {
  const db = openDatabase(dbPath, { readonly: true, busyTimeoutMs: 10_000 })
  try {
    const rows = db
      .prepare(
        'SELECT organization_id AS org, count(*) AS n, sum(amount) AS amount, sum(sms_points) AS points FROM ledger GROUP BY 1',
      )
      .all() as { org: string; n: number; amount: number; points: number }[]
    return new Map(rows.map((r) => [r.org, { rows: r.n, amount: r.amount, points: r.points }]))
  } finally {
    db.close()
  }
}

/** Resolves once `predicate` holds (polled every 5 ms), or rejects after `ms`. */
export async function until(predicate: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}
