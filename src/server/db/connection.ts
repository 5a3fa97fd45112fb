import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  immediate,
  openDatabase,
  type Database,
  type RunResult,
  type Statement,
} from '../../sqlite/driver.js'
import { migrate } from './migrations.js'

/**
 * The sandbox's connection: the main database with the outbox ATTACHed as `outbox`, migrated, with a
 * statement cache and the IMMEDIATE transaction helper the repositories share. Every change of more
 * than one row runs in one {@link Db.immediate} transaction, so that processes sharing the file
 * serialise instead of interleaving.
 */
export class Db {
  readonly sqlite: Database
  private readonly statements = new Map<string, Statement>()
  private readonly reads = new Map<string, unknown>()
  private changes = -1
  private version = -1

  constructor(dbPath: string, outboxPath: string) {
    mkdirSync(dirname(dbPath), { recursive: true })
    // Both files hold secrets' hashes, and the outbox holds invite tokens: owner-only, whatever the
    // umask. SQLite gives the -wal and -shm files the main file's mode.
    for (const file of [dbPath, outboxPath]) privateFile(file)
    this.sqlite = openDatabase(dbPath, { busyTimeoutMs: 5000 })
    try {
      this.sqlite.exec('PRAGMA journal_mode = WAL')
      // NORMAL in WAL: a commit is in the WAL file before COMMIT returns, so it survives SIGKILL.
      this.sqlite.exec('PRAGMA synchronous = NORMAL')
      this.sqlite.exec('PRAGMA foreign_keys = ON')
      this.sqlite.prepare('ATTACH DATABASE ? AS outbox').run(outboxPath)
      this.sqlite.exec('PRAGMA outbox.journal_mode = WAL')
      this.sqlite.exec('PRAGMA outbox.synchronous = NORMAL')
      migrate(this)
    } catch (error) {
      this.sqlite.close()
      throw error
    }
  }

  /**
   * The prepared statement for `sql`, prepared once per connection: preparing costs more than running
   * most of these queries. None is iterated, so sharing one is never re-entrant. The few texts built
   * at run time are bounded: the SET lists of updateOrganization, and the IN lists of the members
   * repository (at most 100 marks, the page size cap).
   */
  stmt(sql: string): Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.sqlite.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  /** The first row of `sql`, or undefined. */
  get<R>(sql: string, ...params: unknown[]): R | undefined {
    return this.stmt(sql).get(...params) as R | undefined
  }

  all<R>(sql: string, ...params: unknown[]): R[] {
    return this.stmt(sql).all(...params) as R[]
  }

  run(sql: string, ...params: unknown[]): RunResult {
    return this.stmt(sql).run(...params)
  }

  /**
   * Drops every {@link cached} answer when another connection (in this process or another one sharing
   * the file) has committed since the last call: `PRAGMA data_version` moves then. Called once at the
   * start of every authenticated request (auth.ts, authenticate), so that a request sees every commit
   * that ended before it began; reading the counter costs about a third of a query, which is why it is
   * read once per request and not once per cached read.
   */
  refresh(): void {
    const version = (this.stmt('PRAGMA data_version').get() as { data_version: number }).data_version
    if (version !== this.version) {
      this.reads.clear()
      this.version = version
    }
  }

  /**
   * `load()`'s answer, remembered under `key` until the database changes: the hot path's reads (the
   * bearer token's user, the organization, the caller's roles) cost a SQLite query each otherwise.
   * Our own writes, however made, move `total_changes()` (read here, before every use: it costs next
   * to nothing, SQLite keeps it in memory) and drop every entry; other connections' commits are seen by
   * {@link refresh}. So a revoked token or a removed member is refused by the next request, as without
   * the cache. Inside a transaction nothing is cached or served: its reads may be rolled back. Values
   * are frozen (requests share them); the map is bounded and emptied when full, so a flood of unknown
   * tokens costs no more memory than that, and no more time than without the cache.
   */
  cached<T>(key: string, load: () => T): T {
    if (this.sqlite.inTransaction) return load()
    const changes = (this.stmt('SELECT total_changes() AS n').get() as { n: number }).n
    if (changes !== this.changes) {
      this.reads.clear()
      this.changes = changes
    } else if (this.reads.has(key)) {
      return this.reads.get(key) as T
    }
    const value = load()
    if (this.reads.size >= MAX_CACHED_READS) this.reads.clear()
    this.reads.set(key, deepFreeze(value))
    return value
  }

  /** Runs `fn` in one BEGIN IMMEDIATE transaction (not nested). */
  immediate<T>(fn: () => T): T {
    return immediate(this.sqlite, fn)
  }

  close(): void {
    this.statements.clear()
    this.reads.clear()
    this.sqlite.close()
  }
}

/** Entries of {@link Db.cached}: tokens, organizations and memberships in use at once, with room to spare. */
const MAX_CACHED_READS = 10_000

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

/** Creates `file` if missing and makes it readable and writable by its owner only. */
function privateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600))
  chmodSync(file, 0o600)
}
