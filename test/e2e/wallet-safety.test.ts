import { Socket, createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

import { openDatabase } from '../../src/sqlite/driver.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createOrg, startServerProcess, stopProcess, type ServerProcess } from '../helpers/bulk.js'
import { freshHome, runCli, type CliRun } from '../helpers/cli.js'

// Issue 5: a CI job that is retried, loses its connection after the server charged, or races another
// job must never charge twice or lose a charge. The server runs in its own process, as in production.

const TOKEN = 'wallet-safety-admin-token'
let server: ServerProcess
let dir: string

beforeAll(async () => {
  dir = freshHome().HOME!
  server = await startServerProcess({ dbPath: join(dir, 'wallet.db'), token: TOKEN })
})
afterAll(() => server?.stop())

const env = (url = server.url): Record<string, string> => ({
  ...freshHome(),
  ORGCTL_API_URL: url,
  ORGCTL_TOKEN: TOKEN,
})

function charge(org: string, amount: number, key: string, url?: string): Promise<CliRun> {
  // The key doubles as the reason so that each ledger row can be traced back to the process that made it.
  return runCli(
    [
      'wallet',
      'charge',
      org,
      '--amount',
      String(amount),
      '--sms-point',
      '10',
      '--reason',
      key,
      '--yes',
    ].concat(['--idempotency-key', key, '--json']),
    { env: env(url), killAfterMs: 60_000 },
  )
}

interface LedgerRow {
  id: number
  amount: number
  reason: string
}

/** The ledger as stored, read straight from the SQLite file (read-only, safe beside a live server). */
function ledger(org: string): { rows: LedgerRow[]; integrity: string } {
  const db = openDatabase(server.dbPath, { readonly: true })
  try {
    return {
      rows: db
        .prepare('SELECT id, amount, reason FROM ledger WHERE organization_id = ? ORDER BY id')
        .all(org) as LedgerRow[],
      integrity: (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
    }
  } finally {
    db.close()
  }
}

async function walletShow(org: string): Promise<{ balance: { amount: number; smsPoints: number } }> {
  const r = await runCli(['wallet', 'show', org, '--json'], { env: env() })
  expect(r.code, r.stderr).toBe(0)
  return r.json()
}

describe('wallet charge under concurrency', () => {
  it('50 processes at once with distinct keys: 50 ledger rows, balance exactly their sum', async () => {
    const org = await createOrg(server, 'Fifty Distinct')
    const amounts = Array.from({ length: 50 }, (_, i) => 100 + i)
    const runs = await Promise.all(amounts.map((a, i) => charge(org, a, `distinct-${i}`)))
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    const { rows } = ledger(org)
    expect(rows).toHaveLength(50)
    expect(new Set(rows.map((r) => r.reason)).size).toBe(50)
    const sum = amounts.reduce((a, b) => a + b, 0)
    expect((await walletShow(org)).balance).toEqual({ amount: sum, smsPoints: 500 })
  }, 90_000)

  it('50 processes at once with the same key: exactly one ledger row, and every process exits 0', async () => {
    const org = await createOrg(server, 'Fifty Same')
    const runs = await Promise.all(Array.from({ length: 50 }, () => charge(org, 700, 'pipeline-run-42')))
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    const results = runs.map((r) => r.json<{ replayed: boolean; ledgerEntry: { id: number } }>())
    expect(results.filter((r) => !r.replayed)).toHaveLength(1)
    expect(new Set(results.map((r) => r.ledgerEntry.id)).size).toBe(1)
    expect(ledger(org).rows).toHaveLength(1)
    expect((await walletShow(org)).balance).toEqual({ amount: 700, smsPoints: 10 })
  }, 90_000)
})

/**
 * A TCP proxy on 127.0.0.1 that lets the first request reach the server and then, when the server's
 * answer arrives, resets the client's connection instead of passing the answer on: the charge happened,
 * the client never heard. Later connections are passed through untouched.
 */
async function lossyProxy(target: URL): Promise<{ url: string; dropped: () => number; close: () => void }> {
  let dropped = 0
  const sockets = new Set<Socket>()
  const proxy: Server = createServer((client) => {
    sockets.add(client)
    const upstream = new Socket()
    sockets.add(upstream)
    upstream.connect(Number(target.port), target.hostname)
    const dropThis = dropped === 0
    client.on('data', (d) => upstream.write(d))
    upstream.on('data', (d) => {
      if (dropThis) {
        dropped++
        client.resetAndDestroy()
        upstream.destroy()
      } else client.write(d)
    })
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.end())
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
  const { port } = proxy.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    dropped: () => dropped,
    close: () => {
      for (const s of sockets) s.destroy()
      proxy.close()
    },
  }
}
describe('wallet charge when the answer is lost', () => {
  it('retries with the same key through a connection reset after the server charged: exit 0, one charge', async () => {
    const org = await createOrg(server, 'Lost Answer')
    const proxy = await lossyProxy(new URL(server.url))
    try {
      const r = await charge(org, 1234, 'lost-answer-1', proxy.url)
      expect(r.code, r.stderr).toBe(0)
      expect(proxy.dropped()).toBe(1)
      // The second attempt was answered from the idempotency record, not charged again.
      expect(r.json()).toMatchObject({ replayed: true, idempotencyKey: 'lost-answer-1', amount: 1234 })
      expect(ledger(org).rows).toEqual([expect.objectContaining({ amount: 1234, reason: 'lost-answer-1' })])
      const attempts = server.log.filter((l) => l.path === `/api/admin/organizations/${org}/charge`)
      expect(attempts.map((l) => [l.status, l.replayed])).toEqual([
        [200, false],
        [200, true],
      ])
    } finally {
      proxy.close()
    }
  }, 30_000)
})

describe('wallet charge when the server is killed mid-burst', () => {
  it('keeps the ledger consistent and loses no charge the CLI reported as done', async () => {
    const org = await createOrg(server, 'Killed Mid Burst')
    const keys = Array.from({ length: 30 }, (_, i) => `burst-${i}`)
    const burst = Promise.all(keys.map((k) => charge(org, 50, k)))
    // Kill once the first charges have landed, while the rest are in flight or retrying.
    const deadline = Date.now() + 20_000
    while (!server.log.some((l) => l.path.endsWith('/charge')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5))
    await stopProcess(server.child, 'SIGKILL')
    server = await startServerProcess({ dbPath: server.dbPath, token: TOKEN, port: server.port })
    const runs = await burst

    const { rows, integrity } = ledger(org)
    expect(integrity).toBe('ok')
    const stored = new Map(rows.map((r) => [r.reason, r]))
    let reportedDone = 0
    runs.forEach((r, i) => {
      if (r.code !== 0) {
        expect(r.code, r.stderr).toBe(7) // gave up after retries: the job fails, it may be re-run
        return
      }
      reportedDone++
      const entry = r.json<{ ledgerEntry: { id: number } }>().ledgerEntry
      expect(stored.get(keys[i]!)?.id, `${keys[i]} was reported done`).toBe(entry.id)
    })
    expect(reportedDone).toBeGreaterThan(0)
    expect(rows.length).toBeLessThanOrEqual(keys.length)

    // A retried pipeline re-runs every job with its key: afterwards each key is charged exactly once.
    const reruns = await Promise.all(keys.map((k) => charge(org, 50, k)))
    for (const r of reruns) expect(r.code, r.stderr).toBe(0)
    const after = ledger(org).rows
    expect(after.map((r) => r.reason).sort()).toEqual([...keys].sort())
    const balance = (await walletShow(org)).balance
    expect(balance).toEqual({ amount: 50 * keys.length, smsPoints: 10 * keys.length })
    expect(balance.amount).toBe(after.reduce((sum, r) => sum + r.amount, 0))
  }, 120_000)
})
