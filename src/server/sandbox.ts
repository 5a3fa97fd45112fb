import { rm } from 'node:fs/promises'
import { buildApp } from './app.js'
import { newSecret } from './crypto.js'
import { mediaPath, outboxPath } from './paths.js'
import { sqliteDriver } from '../sqlite/driver.js'

/** Options of {@link startServer}; see docs/ARCHITECTURE.md. */
export interface StartOptions {
  dbPath: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: any free port. */
  port?: number
  /** Stored hashed as the platform admin's token (`orgctl server start`). */
  adminToken?: string
  /** A random admin token valid only while this process runs (the CLI's sandbox mode). */
  ephemeralAdmin?: boolean
  rateLimit?: { max: number; windowMs: number } | false
  log?: (line: string) => void
  /** Longest a request may take to arrive whole (default 30 s; see `AppOptions` in app.ts). */
  requestTimeoutMs?: number
}

/** A listening sandbox server. */
export interface RunningServer {
  url: string
  port: number
  /** The ephemeral admin token, when `ephemeralAdmin` was asked for. */
  adminToken?: string
  /** The SQLite driver in use, e.g. `node:sqlite (Node.js 24.21.0, SQLite 3.50.4)`. */
  sqliteDriver: string
  close(): Promise<void>
}

/** The files of a sandbox whose main database is `dbPath`. */
export function sandboxFiles(dbPath: string): { db: string; outbox: string; media: string } {
  return { db: dbPath, outbox: outboxPath(dbPath), media: mediaPath(dbPath) }
}

/** Starts the sandbox API on loopback and resolves once it listens. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const ephemeral = options.ephemeralAdmin ? newSecret() : undefined
  const app = await buildApp({
    dbPath: options.dbPath,
    rateLimit: options.rateLimit ?? false,
    ...(options.log ? { log: options.log } : {}),
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(ephemeral ? { ephemeralAdminTokens: [ephemeral] } : {}),
  })
  try {
    if (options.adminToken) {
      const admin = app.store.users.ensureAdmin()
      app.store.users.addToken(admin.id, options.adminToken, 'admin')
    }
    const host = options.host ?? '127.0.0.1'
    await app.listen({ host, port: options.port ?? 0 })
  } catch (error) {
    await app.close()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0)
  const host = options.host ?? '127.0.0.1'
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    ...(ephemeral ? { adminToken: ephemeral } : {}),
    sqliteDriver: sqliteDriver().version,
    close: async () => {
      await app.close()
    },
  }
}

/** Deletes a sandbox: the database with its -wal and -shm, the outbox, the media folder. */
export async function resetSandbox(dbPath: string): Promise<void> {
  const files = sandboxFiles(dbPath)
  const targets = [files.db, files.outbox].flatMap((f) => [f, `${f}-wal`, `${f}-shm`, `${f}-journal`])
  await Promise.all([...targets, files.media].map((f) => rm(f, { recursive: true, force: true })))
}
